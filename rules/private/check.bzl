"""Implementation of enrollment_check_test and enrollment_check_binary.

Both rules wrap an executable checker in a generated launcher that lays the declared overlay
files out under one root in the runfiles and passes that root as `--overlay-root`. The
checker reports paths relative to that root, so test outputs carry no sandbox path and a
cached result stays valid on another runner.

Written for Bazel 4.2.3 through 9: no `RunEnvironmentInfo`, `subrule`, `set()`, load
`visibility()`, `lambda`, `$(rlocationpath)` or `dict | dict`; newer features only behind
`hasattr`.
"""

load(":launcher.bzl", "write_launcher")
load(":runfiles.bzl", "path_matches", "repository_of", "rlocation_path")

ORGANIZATION_PATH = "config/organization.yaml"

# The default checkers: the hermetic gates and the full operator CLI from @gf_enrollment_checkers
# (//rules:extensions.bzl under Bzlmod, gf_enrollment_checkers() in WORKSPACE): a release's
# prebuilt binaries for the host, sha256-checked, or in a checkout the go_binary targets.
DEFAULT_CHECKER = Label("@gf_enrollment_checkers//:enrollcheck")
DEFAULT_PREFLIGHT_CHECKER = Label("@gf_enrollment_checkers//:gfenroll")

# The same checkers built from source with rules_go (checker_source = "source").
SOURCE_CHECKER = Label("//tools/enrollcheck")
SOURCE_PREFLIGHT_CHECKER = Label("//tools/gfenroll")

def _role(ctx, attribute):
    # Messages name the attribute the user wrote: the macro's, when a macro made this target.
    return ctx.attr.error_names.get(attribute, "attribute '%s'" % attribute)

def _err(ctx, attribute, message):
    fail("%s: %s: %s" % (ctx.label, _role(ctx, attribute), message))

def _overlay_root(ctx):
    """Returns the rlocation path of the overlay root."""
    if ctx.file.organization:
        org = rlocation_path(ctx, ctx.file.organization)
        suffix = "/" + ORGANIZATION_PATH
        if not org.endswith(suffix):
            _err(ctx, "organization", (
                "%s is not a config/organization.yaml. The checker reads the overlay's " +
                "config/organization.yaml relative to the overlay root; point the attribute " +
                "at that file, e.g. \"//:config/organization.yaml\" with " +
                "exports_files([\"config/organization.yaml\"]) in the overlay's root BUILD.bazel."
            ) % ctx.attr.organization.label)
        if ctx.attr.root:
            _err(ctx, "root", "set either organization or root, not both (organization already places the root)")
        return org[:-len(suffix)]

    # No organization: the root is a directory of the repository that holds the files.
    files = ctx.files.srcs + _file_arg_files(ctx)
    if not files:
        _err(ctx, "srcs", "no overlay files: give organization, srcs or file_args")
    repos = {}
    for f in files:
        repos[repository_of(rlocation_path(ctx, f))] = True
    if len(repos) > 1:
        _err(ctx, "srcs", "files come from several repositories (%s); an overlay lives in one" % ", ".join(sorted(repos.keys())))
    root = repos.keys()[0]
    if ctx.attr.root:
        if ctx.attr.root.startswith("/") or ".." in ctx.attr.root.split("/"):
            _err(ctx, "root", "must be a relative path inside the repository, got %r" % ctx.attr.root)
        root = root + "/" + ctx.attr.root.rstrip("/")
    return root

def _file_arg_files(ctx):
    files = []
    for target in ctx.attr.file_args.keys():
        files.extend(target.files.to_list())
    return files

def _root_display(ctx, root):
    """Shows an rlocation path as a user would write it.

    Repository-relative with a trailing slash (it names a directory); `@repo//` in front
    for another repository than the main one.
    """
    if root == ctx.workspace_name:
        return "the repository root"
    if root.startswith(ctx.workspace_name + "/"):
        return root[len(ctx.workspace_name) + 1:] + "/"
    repo, _, path = root.partition("/")
    return "@%s//%s" % (repo, path + "/" if path else "")

def _relative(ctx, attribute, label, f, root):
    """Returns f's path relative to the overlay root, or fails naming the attribute."""
    loc = rlocation_path(ctx, f)
    if not loc.startswith(root + "/"):
        _err(ctx, attribute, "%s (from %s) is outside the overlay root %s; the checker sees only files under the root, which config/organization.yaml (or root) places" % (
            _root_display(ctx, loc).rstrip("/"),
            label,
            _root_display(ctx, root),
        ))
    return loc[len(root) + 1:]

def check_impl(ctx, is_test):
    """Shared implementation of the test and the binary rule.

    Args:
      ctx: the rule context.
      is_test: whether the rule is the test rule.

    Returns:
      The providers.
    """
    if ctx.attr.expected_exit_code not in (0, 1, 2):
        _err(ctx, "expected_exit_code", "must be 0 (no blocker), 1 (blockers) or 2 (unusable input), got %d" % ctx.attr.expected_exit_code)

    root = _overlay_root(ctx)

    # Root-relative paths of every staged overlay file, in order, without duplicates (a dict
    # keeps insertion order).
    staged = {}
    if ctx.file.organization:
        staged[ORGANIZATION_PATH] = True

    for target in ctx.attr.srcs:
        files = target.files.to_list()
        if not files:
            _err(ctx, "srcs", "%s provides no files (an empty glob or filegroup?); the check would pass without reading anything" % target.label)
        for f in files:
            rel = _relative(ctx, "srcs", target.label, f, root)
            if ctx.attr.srcs_patterns and not [p for p in ctx.attr.srcs_patterns if path_matches(rel, p)]:
                _err(ctx, "srcs", "%s is at %s in the overlay; this check reads only %s. Fix the label or move the file." % (
                    target.label,
                    rel,
                    " or ".join(ctx.attr.srcs_patterns),
                ))
            staged[rel] = True

    file_args = []
    for target, flag in ctx.attr.file_args.items():
        files = target.files.to_list()
        if not files:
            _err(ctx, "file_args", "%s provides no files" % target.label)
        if not flag.startswith("-"):
            _err(ctx, "file_args", "the value for %s must be a flag such as \"--tfvars\", got %r" % (target.label, flag))
        for f in files:
            rel = _relative(ctx, "file_args", target.label, f, root)
            staged[rel] = True
            file_args.extend([flag, rel])

    # data files under the root are visible to the checker in a runfiles tree anyway; stage
    # them so a manifest-only run sees the same overlay.
    for f in ctx.files.data:
        loc = rlocation_path(ctx, f)
        if loc.startswith(root + "/"):
            staged[loc[len(root) + 1:]] = True

    checker = ctx.executable.checker
    launcher = ctx.actions.declare_file(ctx.label.name + ".gfcheck.sh")

    env = dict(ctx.attr.env)
    inherit_hint = []
    inherit = list(ctx.attr.env_inherit)
    if inherit and not (is_test and _can_inherit_env()):
        # Bazel < 6 cannot inherit variables for a test; `bazel run` passes the whole
        # environment anyway. Only the hint is left to do.
        # HOME is always set in a test (to a scratch directory), so it cannot tell whether
        # the caller passed anything.
        inherit_hint = [v for v in inherit if v != "HOME"] if is_test else []
    write_launcher(
        ctx,
        output = launcher,
        checker_rlocation = rlocation_path(ctx, checker),
        root_rlocation = root,
        overlay_files = staged.keys(),
        argv = ctx.attr.checker_args,
        root_flag = ctx.attr.root_flag,
        file_args = file_args,
        expected_status = ctx.attr.expected_exit_code,
        env = {} if is_test else env,
        inherit_hint_vars = inherit_hint,
    )

    runfiles = ctx.runfiles(
        files = [launcher, checker] + ctx.files.organization + ctx.files.srcs + _file_arg_files(ctx) + ctx.files.data,
    )
    runfiles = runfiles.merge(ctx.attr.checker[DefaultInfo].default_runfiles)
    for target in ctx.attr.data:
        runfiles = runfiles.merge(target[DefaultInfo].default_runfiles)

    providers = [DefaultInfo(executable = launcher, runfiles = runfiles)]
    if is_test:
        if inherit and _can_inherit_env():
            providers.append(testing.TestEnvironment(env, inherited_environment = inherit))
        else:
            providers.append(testing.TestEnvironment(env))
    return providers

def _can_inherit_env():
    # testing.TestEnvironment(inherited_environment=) arrived in Bazel 5; Bazel 4.2.3 rejects
    # the keyword. A keyword cannot be probed with hasattr, so probe an API that arrived later
    # (config_common.toolchain_type, Bazel 6): any Bazel that has it has the keyword.
    return hasattr(config_common, "toolchain_type")

COMMON_ATTRS = {
    "checker": attr.label(
        doc = "The checker executable. Defaults to the hermetic gate checker " +
              "(`@gf_enrollment_checkers//:enrollcheck`: the release's prebuilt binary, or " +
              "built from source in a checkout); any executable that follows the conventions " +
              "works, e.g. a `prebuilt_checker` or your own `go_binary`.",
        default = DEFAULT_CHECKER,
        executable = True,
        cfg = "target",
    ),
    "checker_args": attr.string_list(
        doc = "Leading arguments, before the overlay root flag: the subcommand and fixed " +
              "flags, e.g. `[\"pins\", \"--expected-core-ref\", \"<sha>\"]`. The built-in " +
              "`args` (and `--test_arg`) come last.",
    ),
    "data": attr.label_list(
        doc = "Extra runfiles that are not overlay files (policy files, helper tools). Refer to " +
              "them in `args` with `$(rootpath ...)`.",
        allow_files = True,
    ),
    "env": attr.string_dict(doc = "Environment variables for the checker."),
    "env_inherit": attr.string_list(
        doc = "Variables passed through from the caller's environment (Bazel >= 6 for tests; on " +
              "Bazel 4/5 use `--test_env=NAME`, and the launcher says so when none is set).",
    ),
    "error_names": attr.string_dict(
        doc = "How error messages name this rule's attributes, e.g. " +
              "`{\"srcs\": \"attribute 'workflows' of my_macro\"}`: a macro sets the names " +
              "its caller wrote.",
    ),
    "expected_exit_code": attr.int(
        doc = "The checker exit status that makes this target pass: 0 (no blocker, the default), " +
              "1 (blockers: a negative fixture) or 2 (unusable input). Any other status fails " +
              "with the checker's stderr in the test log.",
        default = 0,
    ),
    "file_args": attr.label_keyed_string_dict(
        doc = "Overlay files passed by root-relative path after a flag, e.g. " +
              "`{\"//:tofu/stacks/arc-runners/me.tfvars\": \"--tfvars\"}` gives " +
              "`--tfvars tofu/stacks/arc-runners/me.tfvars`. Staged like `srcs`.",
        allow_files = True,
    ),
    "organization": attr.label(
        doc = "The overlay's `config/organization.yaml`. It places the overlay root (the " +
              "directory that holds `config/`) and is staged.",
        allow_single_file = True,
    ),
    "root": attr.string(
        doc = "Without `organization`: the overlay root relative to the repository of the " +
              "files (default: the repository root).",
    ),
    "root_flag": attr.string(
        doc = "The flag that passes the overlay root; empty to pass none.",
        default = "--overlay-root",
    ),
    "srcs": attr.label_list(
        doc = "Overlay files the checker reads. Each must lie under the overlay root; the " +
              "runfiles hold only declared files, so the checker sees exactly these.",
        allow_files = True,
    ),
    "srcs_patterns": attr.string_list(
        doc = "If set, every file in `srcs` must match one of these root-relative patterns " +
              "(`*` matches within one path segment, a `**` segment any number of segments), " +
              "e.g. `.github/workflows/*.yml`.",
    ),
}

def _test_impl(ctx):
    return check_impl(ctx, is_test = True)

def _binary_impl(ctx):
    return check_impl(ctx, is_test = False)

enrollment_check_test = rule(
    implementation = _test_impl,
    test = True,
    attrs = COMMON_ATTRS,
    doc = "Runs a checker over declared overlay files as a test. See `enrollment_check_test` in `defs.bzl`.",
)

enrollment_check_binary = rule(
    implementation = _binary_impl,
    executable = True,
    attrs = COMMON_ATTRS,
    doc = "The same launcher as an executable for `bazel run` (e.g. the live preflight).",
)
