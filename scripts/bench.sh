#!/usr/bin/env bash
# The bench stage of scripts/test.sh: figures only, never a pass/fail on time.
#   bench/run.sh                 static gates over a generated estate (1x vs 4x, side by side)
#   checks/preflight/bench.sh    live preflight with 50 ms per call, concurrent vs sequential
#                                (uses the kube test environment the kube-testenv stage started)
set -uo pipefail
here="$(dirname "${BASH_SOURCE[0]}")/.."
rc=0
"$here/bench/run.sh" "$@" || rc=1
echo
"$here/checks/preflight/bench.sh" || rc=1
exit $rc
