#!/usr/bin/env bash
# The bench stage of scripts/test.sh: the estate benchmark lives in bench/run.sh.
exec "$(dirname "${BASH_SOURCE[0]}")/../bench/run.sh" "$@"
