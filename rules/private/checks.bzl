"""The enrollment_checks macro: one call per overlay, one test per gate."""

load(
    ":check.bzl",
    "DEFAULT_PREFLIGHT_CHECKER",
    "SOURCE_CHECKER",
    "SOURCE_PREFLIGHT_CHECKER",
    "enrollment_check_binary",
    "enrollment_check_test",
)

# Tags of the live preflight test: never part of `:all`/`...` (manual), needs the network,
# and its result is never served from a local or remote cache (external, no-cache).
PREFLIGHT_TEST_TAGS = ["manual", "external", "requires-network", "no-cache", "no-remote"]

# Variables the live preflight reads: the GitHub token, and the kubeconfig ($KUBECONFIG, else
# ~/.kube/config, which needs the caller's HOME: Bazel gives tests a scratch HOME).
LIVE_ENV = ["GITHUB_TOKEN", "GH_TOKEN", "KUBECONFIG", "HOME"]

GATES = ["enrollment", "pins", "taxonomy", "workflows", "admission", "preflight"]

_MODULE_PATTERNS = ["MODULE.bazel", "**/*.MODULE.bazel"]
_WORKFLOW_PATTERNS = [".github/workflows/*.yml", ".github/workflows/*.yaml"]
_HEX = "0123456789abcdef"

def _where(name, attribute):
    return "enrollment_checks(name = %r): attribute '%s'" % (name, attribute)

def _is_label(value):
    return type(value) == "Label" or (type(value) == "string" and value != "")

def _label(name, attribute, value, example, required = True):
    if value == None:
        if required:
            fail("%s is required: set it to the label of %s" % (_where(name, attribute), example))
        return None
    if not _is_label(value):
        fail("%s must be one label (a string such as %s), got %s %r" % (
            _where(name, attribute),
            example,
            type(value),
            value,
        ))
    return value

def _label_list(name, attribute, value, example, allow_empty = False):
    if value == None:
        fail("%s is required: set it to a list of labels, e.g. %s" % (_where(name, attribute), example))
    if type(value) != "list":
        fail("%s must be a list of labels, e.g. %s, got %s %r (wrap a single label in [...])" % (
            _where(name, attribute),
            example,
            type(value),
            value,
        ))
    if not value and not allow_empty:
        fail("%s is empty: list at least one file, e.g. %s" % (_where(name, attribute), example))
    for item in value:
        if not _is_label(item):
            fail("%s: every item must be a label string, got %s %r" % (_where(name, attribute), type(item), item))
    return value

def _string_list(name, attribute, value):
    if type(value) != "list" or [v for v in value if type(v) != "string"]:
        fail("%s must be a list of strings, got %s %r" % (_where(name, attribute), type(value), value))
    return value

def _string(name, attribute, value, example):
    if value == None:
        return ""
    if type(value) != "string":
        fail("%s must be a string such as %s, got %s %r" % (_where(name, attribute), example, type(value), value))
    return value

def _bool(name, attribute, value):
    if type(value) != "bool":
        fail("%s must be True or False, got %s %r" % (_where(name, attribute), type(value), value))
    return value

def _is_commit(ref):
    if len(ref) != 40:
        return False
    for c in ref.elems():
        if c not in _HEX:
            return False
    return True

def _expected_warnings(name, value):
    _label_list(name, "expected_warnings", value, "[\"taxonomy/repo-registration-anchor\"]", allow_empty = True)
    by_gate = {}
    for rule_id in value:
        gate, sep, rest = rule_id.partition("/")
        if not sep or not rest or gate not in GATES:
            fail("%s: %r is not a rule id: use <gate>/<rule> with gate one of %s, e.g. \"taxonomy/repo-registration-anchor\" (the rule reference docs/rules.md of gf_enrollment lists them)" % (
                _where(name, "expected_warnings"),
                rule_id,
                ", ".join(GATES),
            ))
        by_gate.setdefault(gate, []).append(rule_id)
    return by_gate

def _unique(labels):
    # Bazel rejects a label listed twice in one attribute; the preflight joins three lists.
    out = []
    for label in labels:
        if label not in out:
            out.append(label)
    return out

def _flags(flag, values):
    out = []
    for v in values:
        out.extend([flag, v])
    return out

def enrollment_checks(
        name,
        organization = None,
        module_bazel = None,
        tfvars = None,
        workflows = None,
        module_includes = [],
        repo = None,
        context = None,
        expected_core_ref = None,
        allow_repo_registration_anchor = False,
        core = False,
        forbid_github_hosted = False,
        fail_on_warning = False,
        expected_warnings = [],
        checker = None,
        preflight_checker = None,
        checker_source = "prebuilt",
        preflight_args = [],
        size = "small",
        tags = [],
        visibility = None):
    """Enrollment gates of one overlay as Bazel targets.

    Creates

    * `<name>_enrollment_test`, `<name>_pins_test`, `<name>_taxonomy_test`, `<name>_workflows_test`,
      `<name>_admission_test`: the hermetic gates, untagged, so `bazel test //enrollment:all` runs them and a remote cache serves
      them to every runner;
    * `<name>` : a `test_suite` of those five;
    * `<name>_preflight_test`: the live, read-only preflight (`--strict`), tagged `manual`,
      `external`, `requires-network`, `no-cache` and `no-remote`, so only
      `bazel test //enrollment:<name>_preflight_test --config=live` runs it and its result is
      never cached;
    * `<name>_preflight`: the same preflight for `bazel run` (non-strict: prints the
      enrollment queue and exits 0 unless input is unusable).

    Every test reads only the files its gate needs: editing a tfvars file re-runs only the
    taxonomy and admission tests, editing MODULE.bazel only the pins test, editing a
    workflow only the workflows and admission tests (workflows also judges the
    `pins/workflow-*` rules, the core references workflows carry).

    Args:
      name: prefix of the generated targets.
      organization: label of the overlay's `config/organization.yaml`; it places the overlay
        root. Required.
      module_bazel: label of the overlay's `MODULE.bazel`. Required.
      tfvars: non-empty list of labels of the ARC runner stack `.tfvars` files. Required.
      workflows: non-empty list of labels of the `.github/workflows/*.yml` files (a filegroup
        of a glob is fine). Required.
      module_includes: labels of `*.MODULE.bazel` files that MODULE.bazel `include()`s.
      repo: the overlay repository `owner/name` for the live preflight (default: the
        organization.yaml's `owner.repository`).
      context: the kube context for the live preflight (default: the organization.yaml's
        `substrate.cluster.context`).
      expected_core_ref: the core commit (40 lowercase hex) both pins must equal. A branch
        or tag name cannot be resolved hermetically, so the pins test fails on it with that
        blocker; the preflight resolves names live.
      allow_repo_registration_anchor: a repo-scoped `github_config_url` is a warning, not a
        blocker (personal accounts).
      core: the overlay is the core's own stack (a repo anchor is always a blocker).
      forbid_github_hosted: GitHub-hosted `runs-on` labels are blockers.
      fail_on_warning: a warning not declared expected fails the tests.
      expected_warnings: rule ids whose warnings are expected, e.g.
        `["taxonomy/repo-registration-anchor"]`; each test gets its own gate's ids.
      checker: the hermetic checker (default: `enrollcheck`, see `checker_source`); e.g. a
        `prebuilt_checker`.
      preflight_checker: the full CLI used by the preflight targets (default: `gfenroll`,
        see `checker_source`).
      checker_source: where the default checkers come from: `"prebuilt"` (the default):
        `@gf_enrollment_checkers`, i.e. a release's prebuilt binaries for the host platform,
        sha256-checked (no Go toolchain), or in a checkout of gf_enrollment the source build;
        `"source"`: always `@gf_enrollment//tools/{enrollcheck,gfenroll}` built with rules_go
        (needs a gf_enrollment checkout through git_override/local_path_override, whose
        MODULE.bazel brings rules_go, gazelle's go_deps and Go 1.26).
      preflight_args: extra arguments of the preflight targets.
      size: test size of the hermetic tests.
      tags: extra tags of the hermetic tests.
      visibility: visibility of the generated targets.
    """
    if type(name) != "string" or not name:
        fail("enrollment_checks: name must be a non-empty string, e.g. name = \"enrollment\"")
    organization = _label(name, "organization", organization, "\"//:config/organization.yaml\"")
    module_bazel = _label(name, "module_bazel", module_bazel, "\"//:MODULE.bazel\"")
    tfvars = _label_list(name, "tfvars", tfvars, "[\"//:tofu/stacks/arc-runners/<owner>.tfvars\"]")
    workflows = _label_list(name, "workflows", workflows, "[\"//:workflows\"] (filegroup(name = \"workflows\", srcs = glob([\".github/workflows/*.yml\"])) in the root BUILD.bazel)")
    module_includes = _label_list(name, "module_includes", module_includes, "[\"//:ci.MODULE.bazel\"]", allow_empty = True)
    repo = _string(name, "repo", repo, "\"tinyland-inc/tinyland-infra\"")
    if repo and (repo.count("/") != 1 or repo.startswith("/") or repo.endswith("/")):
        fail("%s must be owner/name, e.g. \"tinyland-inc/tinyland-infra\", got %r" % (_where(name, "repo"), repo))
    context = _string(name, "context", context, "\"tinyland-prod\"")
    expected_core_ref = _string(name, "expected_core_ref", expected_core_ref, "a 40-hex commit")
    for attribute, value in [
        ("allow_repo_registration_anchor", allow_repo_registration_anchor),
        ("core", core),
        ("forbid_github_hosted", forbid_github_hosted),
        ("fail_on_warning", fail_on_warning),
    ]:
        _bool(name, attribute, value)
    expected = _expected_warnings(name, expected_warnings)
    _string_list(name, "preflight_args", preflight_args)
    if checker != None:
        _label(name, "checker", checker, "\":enrollcheck\"")
    if preflight_checker != None:
        _label(name, "preflight_checker", preflight_checker, "\":gfenroll\"")
    if checker_source not in ("prebuilt", "source"):
        fail("%s must be \"prebuilt\" (the release's binaries) or \"source\" (built with rules_go), got %r" % (
            _where(name, "checker_source"),
            checker_source,
        ))
    if checker_source == "source":
        if checker == None:
            checker = SOURCE_CHECKER
        if preflight_checker == None:
            preflight_checker = SOURCE_PREFLIGHT_CHECKER
    _string_list(name, "tags", tags)

    core_ref = []
    if expected_core_ref:
        if expected_core_ref.lower() != expected_core_ref and _is_commit(expected_core_ref.lower()):
            fail("%s: write the commit in lowercase hex: %r" % (_where(name, "expected_core_ref"), expected_core_ref.lower()))

        # Passed as given, exactly like the CLI: a commit is compared directly; a branch or
        # tag name cannot be resolved inside a hermetic test (no core checkout, no network),
        # so the pins test reports it as a blocker and the preflight resolves it live.
        core_ref = ["--expected-core-ref", expected_core_ref]

    common = []
    if fail_on_warning:
        common.append("--fail-on-warning")

    tests = {
        # Every required file and key at once: organization.yaml, the tfvars, a validation workflow.
        "enrollment": struct(
            args = ["enrollment"],
            srcs = workflows,
            names = {"srcs": "attribute 'workflows' of enrollment_checks", "file_args": "attribute 'tfvars' of enrollment_checks"},
            patterns = _WORKFLOW_PATTERNS,
            file_args = {t: "--tfvars" for t in tfvars},
            data = [],
        ),
        # --workflow-pins: pins/workflow-* (core references workflows carry) are judged by the
        # workflows test, so each test reads only its own files and an edited workflow
        # re-runs the workflows test alone.
        "pins": struct(
            args = ["pins", "--workflow-pins"] + core_ref,
            srcs = [module_bazel] + module_includes,
            names = {"srcs": "attribute 'module_bazel' or 'module_includes' of enrollment_checks"},
            patterns = _MODULE_PATTERNS,
            file_args = {},
            data = [],
        ),
        "taxonomy": struct(
            args = ["taxonomy"] + (["--allow-repo-registration-anchor"] if allow_repo_registration_anchor else []) + (["--core"] if core else []),
            srcs = [],
            names = {"file_args": "attribute 'tfvars' of enrollment_checks"},
            patterns = [],
            file_args = {t: "--tfvars" for t in tfvars},
            data = [],
        ),
        "workflows": struct(
            args = ["workflows", "--workflow-pins"] + (["--forbid-github-hosted"] if forbid_github_hosted else []),
            srcs = workflows,
            names = {"srcs": "attribute 'workflows' of enrollment_checks"},
            patterns = _WORKFLOW_PATTERNS,
            file_args = {},
            data = [],
        ),
        # Admission joins organization.yaml's runner group, the tfvars binding and the
        # groups workflows name, so it reads all three.
        "admission": struct(
            args = ["admission"],
            srcs = workflows,
            names = {"srcs": "attribute 'workflows' of enrollment_checks", "file_args": "attribute 'tfvars' of enrollment_checks"},
            patterns = _WORKFLOW_PATTERNS,
            file_args = {t: "--tfvars" for t in tfvars},
            data = [],
        ),
    }
    test_names = []
    for gate in ["enrollment", "pins", "taxonomy", "workflows", "admission"]:
        spec = tests[gate]
        test_name = "%s_%s_test" % (name, gate)
        test_names.append(":" + test_name)
        enrollment_check_test(
            name = test_name,
            checker = checker,
            checker_args = spec.args + common + _flags("--expect-warning", expected.get(gate, [])),
            organization = organization,
            srcs = spec.srcs,
            srcs_patterns = spec.patterns,
            error_names = spec.names,
            file_args = spec.file_args,
            data = spec.data,
            size = size,
            tags = tags,
            visibility = visibility,
        )
    native.test_suite(
        name = name,
        tests = test_names,
        visibility = visibility,
    )

    preflight = ["preflight"]
    if repo:
        preflight.extend(["--repo", repo])
    if context:
        preflight.extend(["--context", context])
    if expected_core_ref:
        preflight.extend(["--expected-core-ref", expected_core_ref])
    if allow_repo_registration_anchor:
        preflight.append("--allow-repo-registration-anchor")
    if core:
        preflight.append("--core")
    if forbid_github_hosted:
        preflight.append("--forbid-github-hosted")
    all_expected = []
    for gate in GATES:
        all_expected.extend(expected.get(gate, []))
    preflight.extend(_flags("--expect-warning", all_expected))
    preflight.extend(preflight_args)
    live = dict(
        checker = preflight_checker if preflight_checker != None else DEFAULT_PREFLIGHT_CHECKER,
        organization = organization,
        srcs = _unique([module_bazel] + module_includes + workflows),
        file_args = {t: "--tfvars" for t in tfvars},
        env_inherit = LIVE_ENV,
        visibility = visibility,
    )
    enrollment_check_test(
        name = name + "_preflight_test",
        # --fail-on-warning implies --strict in gfenroll; the run target stays non-strict.
        checker_args = preflight + ["--strict"] + common,
        size = "medium",
        tags = PREFLIGHT_TEST_TAGS,
        **live
    )
    enrollment_check_binary(
        name = name + "_preflight",
        checker_args = preflight,
        tags = ["manual"],
        **live
    )
