"""Analysis tests of enrollment_check_test (skylib analysistest; Bazel 4.2.3 through 9).

The targets under test are declared in BUILD.bazel with tags = ["manual"], so that
`bazel test //rules/tests:all` analyzes them only through these tests.
"""

load("@bazel_skylib//lib:unittest.bzl", "analysistest", "asserts")

def _launcher(env):
    """Returns the content of the launcher the target under test writes."""
    target = analysistest.target_under_test(env)
    for action in analysistest.target_actions(env):
        if action.mnemonic == "FileWrite" and action.outputs.to_list()[0].basename == target.label.name + ".gfcheck.sh":
            return action.content
    return ""

def _root(ctx, target):
    # The runfiles directory of the repository that holds the test data (this one).
    return (target.label.workspace_name or ctx.workspace_name) + "/rules/tests/testdata/overlay"

def _stages_overlay_test(ctx):
    env = analysistest.begin(ctx)
    target = analysistest.target_under_test(env)
    info = target[DefaultInfo]
    asserts.equals(env, target.label.name + ".gfcheck.sh", info.files_to_run.executable.basename)

    # short_path is "rules/tests/..." here and "../<repo>/rules/tests/..." when this
    # repository is an external one (the WORKSPACE smoke test).
    runfiles = [f.short_path for f in info.default_runfiles.files.to_list()]
    for want in [
        "rules/tests/testdata/overlay/config/organization.yaml",
        "rules/tests/testdata/overlay/.github/workflows/ci.yml",
        "rules/tests/testdata/overlay/tofu/stacks/arc-runners/a.tfvars",
        "rules/tests/stub_checker",
        "rules/tests/stages_overlay.gfcheck.sh",
    ]:
        found = [p for p in runfiles if p == want or p.endswith("/" + want)]
        asserts.true(env, found, "runfiles lack %s: %s" % (want, runfiles))

    launcher = _launcher(env)
    for want in [
        "root_rlocation='%s'" % _root(ctx, target),
        "overlay_files=('config/organization.yaml' '.github/workflows/ci.yml' 'tofu/stacks/arc-runners/a.tfvars')",
        "argv=('taxonomy' '--core')",
        "argv+=('--overlay-root' \"$overlay_root\")",
        "argv+=('--tfvars' 'tofu/stacks/arc-runners/a.tfvars')",
        "expected_status=0",
    ]:
        asserts.true(env, want in launcher, "launcher lacks %s:\n%s" % (want, launcher))
    return analysistest.end(env)

stages_overlay_test = analysistest.make(_stages_overlay_test)

def _negative_fixture_test(ctx):
    env = analysistest.begin(ctx)
    launcher = _launcher(env)
    asserts.true(env, "expected_status=1" in launcher, "launcher does not expect status 1:\n" + launcher)

    # Without organization the root is the repository root (or `root` below it).
    target = analysistest.target_under_test(env)
    asserts.true(env, "root_rlocation='%s'" % _root(ctx, target) in launcher, launcher)
    asserts.true(env, "overlay_files=('.github/workflows/ci.yml')" in launcher, launcher)
    return analysistest.end(env)

negative_fixture_test = analysistest.make(_negative_fixture_test)

def _no_root_flag_test(ctx):
    env = analysistest.begin(ctx)
    launcher = _launcher(env)
    asserts.false(env, "--overlay-root" in launcher, "root_flag = \"\" still passes the root:\n" + launcher)
    return analysistest.end(env)

no_root_flag_test = analysistest.make(_no_root_flag_test)

def _fails_with(ctx, *fragments):
    # Labels print as //pkg:x or @repo//pkg:x depending on where this repository is, so the
    # expected message is matched in fragments that avoid the repository part.
    env = analysistest.begin(ctx)
    for fragment in fragments:
        asserts.expect_failure(env, fragment)
    return analysistest.end(env)

def _wrong_organization_test(ctx):
    return _fails_with(
        ctx,
        ":wrong_organization: attribute 'organization': ",
        "//rules/tests:testdata/overlay/notes.yaml is not a config/organization.yaml",
    )

wrong_organization_test = analysistest.make(_wrong_organization_test, expect_failure = True)

def _srcs_pattern_test(ctx):
    return _fails_with(
        ctx,
        ":srcs_pattern: attribute 'workflows' of enrollment_checks: ",
        "//rules/tests:testdata/overlay/notes.yaml is at notes.yaml in the overlay; this check reads only .github/workflows/*.yml or .github/workflows/*.yaml",
    )

srcs_pattern_test = analysistest.make(_srcs_pattern_test, expect_failure = True)

def _outside_root_test(ctx):
    return _fails_with(
        ctx,
        ":outside_root: attribute 'file_args': ",
        "rules/tests/testdata/elsewhere.tfvars (from ",
        "//rules/tests:testdata/elsewhere.tfvars) is outside the overlay root ",
        "rules/tests/testdata/overlay/; the checker sees only files under the root",
    )

outside_root_test = analysistest.make(_outside_root_test, expect_failure = True)

def _empty_srcs_test(ctx):
    return _fails_with(ctx, ":empty_srcs: attribute 'srcs': ", "//rules/tests:nothing provides no files")

empty_srcs_test = analysistest.make(_empty_srcs_test, expect_failure = True)

def _bad_exit_code_test(ctx):
    return _fails_with(ctx, "attribute 'expected_exit_code': must be 0 (no blocker), 1 (blockers) or 2 (unusable input), got 5")

bad_exit_code_test = analysistest.make(_bad_exit_code_test, expect_failure = True)

def _file_arg_not_a_flag_test(ctx):
    return _fails_with(ctx, "must be a flag such as \"--tfvars\", got \"tfvars\"")

file_arg_not_a_flag_test = analysistest.make(_file_arg_not_a_flag_test, expect_failure = True)

def _root_and_organization_test(ctx):
    return _fails_with(ctx, "attribute 'root': set either organization or root, not both")

root_and_organization_test = analysistest.make(_root_and_organization_test, expect_failure = True)

def check_test_suite(name):
    """Declares the analysis tests; the targets they analyze are in BUILD.bazel.

    Args:
      name: the test_suite name.
    """
    tests = {
        "bad_exit_code": bad_exit_code_test,
        "empty_srcs": empty_srcs_test,
        "file_arg_not_a_flag": file_arg_not_a_flag_test,
        "negative_fixture": negative_fixture_test,
        "no_root_flag": no_root_flag_test,
        "outside_root": outside_root_test,
        "root_and_organization": root_and_organization_test,
        "srcs_pattern": srcs_pattern_test,
        "stages_overlay": stages_overlay_test,
        "wrong_organization": wrong_organization_test,
    }
    for case, test in tests.items():
        test(
            name = case + "_test",
            target_under_test = ":" + case,
        )
    native.test_suite(
        name = name,
        tests = [":" + case + "_test" for case in tests],
    )
