"""Unit tests of the runfiles and path helpers (skylib unittest; Bazel 4.2.3 through 9)."""

load("@bazel_skylib//lib:unittest.bzl", "asserts", "unittest")
load("//rules/private:runfiles.bzl", "path_matches", "repository_of", "shell_quote")

def _path_matches_test(ctx):
    env = unittest.begin(ctx)
    cases = [
        # (path, pattern, want)
        (".github/workflows/ci.yml", ".github/workflows/*.yml", True),
        (".github/workflows/ci.yaml", ".github/workflows/*.yml", False),
        (".github/workflows/sub/ci.yml", ".github/workflows/*.yml", False),
        ("ci.yml", ".github/workflows/*.yml", False),
        ("MODULE.bazel", "MODULE.bazel", True),
        ("MODULE.bazel.bak", "MODULE.bazel", False),
        ("ci.MODULE.bazel", "**/*.MODULE.bazel", True),
        ("bazel/deps/ci.MODULE.bazel", "**/*.MODULE.bazel", True),
        ("MODULE.bazel", "**/*.MODULE.bazel", False),
        ("a/b/c", "**", True),
        ("a/b/c", "a/**/c", True),
        ("a/c", "a/**/c", True),
        ("a/b/d", "a/**/c", False),
        ("abc", "a*c", True),
        ("ac", "a*c", True),
        ("ab", "a*c", False),
        # The suffix must not overlap the prefix: "aba" is not "ab*ba".
        ("aba", "ab*ba", False),
        ("abba", "ab*ba", True),
        ("x.tfvars", "*.tfvars", True),
        ("", "*", True),
    ]
    for path, pattern, want in cases:
        asserts.equals(env, want, path_matches(path, pattern), "path_matches(%r, %r)" % (path, pattern))
    return unittest.end(env)

path_matches_test = unittest.make(_path_matches_test)

def _shell_quote_test(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, "'plain'", shell_quote("plain"))
    asserts.equals(env, "''", shell_quote(""))
    asserts.equals(env, "'it'\\''s'", shell_quote("it's"))
    asserts.equals(env, "'$HOME \"x\" `y`'", shell_quote("$HOME \"x\" `y`"))
    return unittest.end(env)

shell_quote_test = unittest.make(_shell_quote_test)

def _repository_of_test(ctx):
    env = unittest.begin(ctx)
    asserts.equals(env, "_main", repository_of("_main/config/organization.yaml"))
    asserts.equals(env, "gf_enrollment+", repository_of("gf_enrollment+/tools/enrollcheck/enrollcheck"))
    asserts.equals(env, "overlay", repository_of("overlay"))
    return unittest.end(env)

repository_of_test = unittest.make(_repository_of_test)

def runfiles_test_suite(name):
    """Declares the unit tests of rules/private/runfiles.bzl.

    Args:
      name: the test_suite name.
    """
    unittest.suite(
        name,
        path_matches_test,
        shell_quote_test,
        repository_of_test,
    )
