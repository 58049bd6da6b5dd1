"""WORKSPACE setup of gf_enrollment (Bazel 4.2 to 6; Bzlmod does this in MODULE.bazel).

```starlark
load("@gf_enrollment//rules:repositories.bzl", "gf_enrollment_checkers")

gf_enrollment_checkers()
```

creates `@gf_enrollment_checkers`, the checkers `enrollment_checks` and `enrollment_check_test`
use by default: the release's prebuilt `enrollcheck` and `gfenroll` for the host platform,
checked against the sha256 in the release's `rules/private/integrity.bzl`. From a checkout
(no release integrity) it points at the go_binary targets instead, which need rules_go.
"""

load(
    "//rules/private:checkers_repo.bzl",
    "CHECKERS_REPO",
    "checkers_repository",
    "checkers_repository_args",
)
load("//rules/private:integrity.bzl", "CHECKERS", "RELEASE_URL", "VERSION")

def gf_enrollment_checkers(name = CHECKERS_REPO, base_url = None, integrity = None, version = None, platform = ""):
    """Declares @gf_enrollment_checkers, the checkers of the rules' defaults.

    Args:
      name: the repository name; the rules' defaults use the default name, another one is
        for checkers you pass explicitly (`checker = "@my_checkers//:enrollcheck"`).
      base_url: where the release assets are, instead of the release's GitHub URL: a mirror,
        or a `file://` directory holding the output of `scripts/release.sh`.
      integrity: the `CHECKERS` dict of another release's `integrity.bzl` (with `version`),
        e.g. to test a release before it is published; default: this release's.
      version: the version of `integrity`.
      platform: `<os>_<arch>` to fetch instead of the host's (linux_amd64, linux_arm64,
        darwin_amd64, darwin_arm64).
    """
    if integrity == None:
        integrity = CHECKERS
        version = VERSION
    checkers_repository(
        name = name,
        **checkers_repository_args(
            integrity = integrity,
            version = version or "",
            release_url = RELEASE_URL,
            base_url = base_url,
            platform = platform,
        )
    )
