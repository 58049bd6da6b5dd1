"""Runfiles path arithmetic shared by the enrollment rules.

Bazel >= 6 has `$(rlocationpath)`, but Bazel 4.2.3 (Debian's bazel-bootstrap, which the smoke
test runs) leaves it unexpanded without an error, so the rules compute rlocation paths here.
"""

def rlocation_path(ctx, file):
    """Returns the path of `file` relative to the runfiles root ('<repo>/<path>').

    `File.short_path` is '<path>' for files of the main repository and '../<repo>/<path>' for
    files of an external repository, in WORKSPACE and Bzlmod mode alike; the main repository's
    runfiles directory is `ctx.workspace_name` (`_main` under Bzlmod).

    Args:
      ctx: the rule context.
      file: a File.

    Returns:
      The rlocation path as a string.
    """
    short = file.short_path
    if short.startswith("../"):
        return short[len("../"):]
    return ctx.workspace_name + "/" + short

def repository_of(rlocation):
    """Returns the runfiles directory of the repository an rlocation path belongs to.

    Args:
      rlocation: an rlocation path as returned by rlocation_path.

    Returns:
      Its first path segment.
    """
    return rlocation.split("/", 1)[0]

def shell_quote(s):
    """Quotes `s` for bash as one word.

    Args:
      s: any string.

    Returns:
      `s` in single quotes, with embedded single quotes escaped.
    """
    return "'" + s.replace("'", "'\\''") + "'"

def path_matches(path, pattern):
    """Reports whether a root-relative path matches a simple pattern.

    `*` matches any run of characters within one path segment and a `**` segment matches any
    number of segments (also none). Enough for `.github/workflows/*.yml` and
    `**/*.MODULE.bazel` without regular expressions, which Starlark lacks.

    Args:
      path: a slash-separated relative path.
      pattern: a slash-separated pattern.

    Returns:
      True when the path matches.
    """
    return _parts_match(path.split("/"), pattern.split("/"))

def _parts_match(parts, pattern):
    # Iterative matching with one backtrack point for the latest `**` (Starlark has no
    # recursion): the classic wildcard algorithm, over segments instead of characters.
    i = 0
    j = 0
    star_j = -1
    star_i = 0
    for _ in range(2 * (len(parts) + 1) * (len(pattern) + 1)):
        if i == len(parts) and j == len(pattern):
            return True
        if j < len(pattern) and pattern[j] == "**":
            star_j = j
            star_i = i
            j += 1
        elif i < len(parts) and j < len(pattern) and _segment_matches(parts[i], pattern[j]):
            i += 1
            j += 1
        elif star_j >= 0 and star_i < len(parts):
            star_i += 1
            i = star_i
            j = star_j + 1
        else:
            return False
    return False

def _segment_matches(segment, pattern):
    pieces = pattern.split("*")
    if len(pieces) == 1:
        return segment == pattern
    if not segment.startswith(pieces[0]):
        return False
    pos = len(pieces[0])
    for middle in pieces[1:-1]:
        found = segment.find(middle, pos)
        if found < 0:
            return False
        pos = found + len(middle)
    last = pieces[-1]
    return len(segment) - pos >= len(last) and segment.endswith(last)
