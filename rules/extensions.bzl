"""Bzlmod module extension of gf_enrollment: the checkers for the host platform.

gf_enrollment's own MODULE.bazel uses it, so a consumer writes nothing. To download the release
assets from elsewhere (a mirror, a local directory), the root module adds:

```starlark
checkers = use_extension("@gf_enrollment//rules:extensions.bzl", "checkers")
checkers.download(base_url = "https://mirror.example.com/gf-enrollment/v0.1.0")
```

Only this file uses module_ctx; WORKSPACE setups load //rules:repositories.bzl instead.
"""

load(
    "//rules/private:checkers_repo.bzl",
    "CHECKERS_REPO",
    "checkers_repository",
    "checkers_repository_args",
)
load("//rules/private:integrity.bzl", "CHECKERS", "RELEASE_URL", "VERSION")

_download = tag_class(
    doc = "Where to download the release assets from (honoured in the root module only).",
    attrs = {
        "base_url": attr.string(doc = "A base URL (https://, file://) holding the release assets."),
        "platform": attr.string(doc = "`<os>_<arch>` to fetch instead of the host's."),
    },
)

def _checkers_impl(module_ctx):
    base_url = None
    platform = ""
    for module in module_ctx.modules:
        if not module.is_root:
            continue
        for tag in module.tags.download:
            base_url = tag.base_url or base_url
            platform = tag.platform or platform
    checkers_repository(
        name = CHECKERS_REPO,
        **checkers_repository_args(
            integrity = CHECKERS,
            version = VERSION,
            release_url = RELEASE_URL,
            base_url = base_url,
            platform = platform,
        )
    )

checkers = module_extension(
    implementation = _checkers_impl,
    doc = "Creates @gf_enrollment_checkers: prebuilt checkers of the release, or the source build.",
    tag_classes = {"download": _download},
)
