"""Prebuilt checkers of a gf_enrollment release: url suffix and sha256 per binary.

scripts/release.sh VERSION writes this file into the release archive. This copy, in the
repository, is empty: a checkout (git_override, local_path_override, local_repository) has no
release binaries, so @gf_enrollment_checkers builds the checkers from source.
"""

VERSION = ""

RELEASE_URL = ""

CHECKERS = {}
