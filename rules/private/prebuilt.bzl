"""prebuilt_checker: a checker binary built outside Bazel, as an executable target."""

def _prebuilt_checker_impl(ctx):
    out = ctx.actions.declare_file(ctx.label.name)
    if ctx.attr.copy:
        # A copy works even when the source lost its executable bit (e.g. an unzipped
        # release asset); the symlink below would fail with "is not executable".
        ctx.actions.run_shell(
            inputs = [ctx.file.src],
            outputs = [out],
            command = 'cp -L "$1" "$2" && chmod 0755 "$2"',
            arguments = [ctx.file.src.path, out.path],
            mnemonic = "CopyPrebuiltChecker",
            progress_message = "Copying prebuilt checker %s" % ctx.label,
        )
    else:
        ctx.actions.symlink(output = out, target_file = ctx.file.src, is_executable = True)
    return [DefaultInfo(executable = out, runfiles = ctx.runfiles(files = [out] + ctx.files.data))]

prebuilt_checker = rule(
    implementation = _prebuilt_checker_impl,
    executable = True,
    doc = """A checker binary built outside Bazel (`go build`, a release asset), usable as the
`checker` of `enrollment_check_test` or `enrollment_checks`.

Example:

```starlark
prebuilt_checker(name = "enrollcheck", src = "enrollcheck_linux_amd64")
```
""",
    attrs = {
        "copy": attr.bool(
            doc = "Copy the file and set its executable bit instead of symlinking it.",
            default = False,
        ),
        "data": attr.label_list(
            doc = "Files the binary needs at run time.",
            allow_files = True,
        ),
        "src": attr.label(
            doc = "The binary.",
            allow_single_file = True,
            mandatory = True,
        ),
    },
)
