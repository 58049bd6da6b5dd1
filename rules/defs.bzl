"""gf_enrollment: GloriousFlywheel enrollment gates as Bazel tests.

An implementation overlay proves it is enrolled with one macro call in
`enrollment/BUILD.bazel`:

```starlark
load("@gf_enrollment//rules:defs.bzl", "enrollment_checks")

enrollment_checks(
    name = "enrollment",
    organization = "//:config/organization.yaml",
    module_bazel = "//:MODULE.bazel",
    tfvars = ["//:tofu/stacks/arc-runners/tinyland.tfvars"],
    workflows = ["//:workflows"],
)
```

and `bazel test //enrollment:all` runs the hermetic pins, taxonomy, workflows and admission gates
(cacheable on a shared remote cache); `bazel run //enrollment:enrollment_preflight` runs the
live, read-only preflight.

Public API (everything else lives in `//rules/private` and may change):

* `enrollment_checks`: the macro above.
* `enrollment_check_test`: the rule behind it, for custom checks: any executable checker
  run over declared overlay files, with the same conventions (exit status 0/1/2, JUnit in
  `$XML_OUTPUT_FILE`, reports in `$TEST_UNDECLARED_OUTPUTS_DIR`, root-relative paths).
* `enrollment_check_binary`: the same launcher for `bazel run`.
* `prebuilt_checker`: a checker binary built outside Bazel, e.g. to inject your own build.

The checkers: by default `@gf_enrollment_checkers//:enrollcheck` and `:gfenroll`, which a
release fills with its prebuilt binaries for the host platform (linux/darwin, amd64/arm64),
checked against the sha256 in `rules/private/integrity.bzl`, so a consumer needs no Go
toolchain. Bzlmod creates the repository through gf_enrollment's own MODULE.bazel
(`//rules:extensions.bzl`); WORKSPACE calls `gf_enrollment_checkers()` from
`//rules:repositories.bzl`. In a checkout (no release integrity) the same targets are the
go_binary builds; `enrollment_checks(checker_source = "source")` always builds from source.

Checker conventions (what a custom checker must do): accept `--overlay-root DIR` (the
overlay laid out from the declared files; nothing else of the repository is there), report
paths relative to it (never absolute: results are cached across runners), exit 0 when
nothing blocks, 1 on blockers, 2 on unusable input, and write JUnit to `$XML_OUTPUT_FILE`
when set. The Go package `github.com/tinyland-inc/gf-enrollment/checks/checker` does all of
that for a Go `main`.

Works with Bazel 4.2.3 (WORKSPACE) through 9 (Bzlmod). The launcher is a
generated bash script: Linux and macOS, not Windows.
"""

load(
    "//rules/private:check.bzl",
    _enrollment_check_binary = "enrollment_check_binary",
    _enrollment_check_test = "enrollment_check_test",
)
load("//rules/private:checks.bzl", _enrollment_checks = "enrollment_checks")
load("//rules/private:prebuilt.bzl", _prebuilt_checker = "prebuilt_checker")

enrollment_checks = _enrollment_checks

prebuilt_checker = _prebuilt_checker

enrollment_check_binary = _enrollment_check_binary

def enrollment_check_test(name, size = "small", **kwargs):
    """Runs a checker over declared overlay files as a test.

    Example: a custom check with its own Go checker (see e2e/customcheck):

    ```starlark
    enrollment_check_test(
        name = "job_timeouts_test",
        checker = "//tools/jobtimeouts",
        organization = "//:config/organization.yaml",
        srcs = ["//:workflows"],
        srcs_patterns = [".github/workflows/*.yml"],
        args = ["--max-minutes", "120"],
    )
    ```

    The checker runs as
    `CHECKER <checker_args> --overlay-root ROOT <file_args as FLAG PATH> <args>`, where ROOT
    is the overlay laid out in the runfiles from `organization`, `srcs`, `file_args` (and
    `data` files under the root). The test passes when the exit status equals
    `expected_exit_code`; otherwise the launcher names the status and the checker's stderr
    is in the test log. Attributes: see `enrollment_check_test` in
    `//rules/private:check.bzl` (checker, checker_args, organization, root, root_flag, srcs,
    srcs_patterns, file_args, data, expected_exit_code, env, env_inherit, error_names).

    Args:
      name: the test name (must end in `_test`).
      size: the test size; checkers read a few files, so `small` by default.
      **kwargs: the rule's attributes and the common test attributes (`args`, `tags`, ...).
    """
    _enrollment_check_test(name = name, size = size, **kwargs)
