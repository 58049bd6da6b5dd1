#!/usr/bin/env bash
# checks/preflight/bench.sh — latency benchmark of the live preflight.
#
# The whole preflight of an overlay with 20 scale sets runs against the GitHub stand-in
# (50 ms injected per call) and the real kube-apiserver behind a TCP link with a 50 ms
# round trip, three ways side by side in each iteration: as shipped (concurrent), the same
# calls one after another, and one call per check one after another (a GET per scale set
# and App secret, as a kubectl/gh shell preflight does). Prints wall times, speedups and
# the depth of the shipped run. Targets: <= 3 round trips deep, >= 10x vs sequential.
# Figures only: the script fails when the benchmark fails, never on a slow result.
#
# Needs the kube test environment: uses $GFENROLL_KUBE_TESTENV when it is running, else
# starts a private one with e2e/kube/testenv.sh (stopped on exit).
#
# Env: BENCHTIME (iterations, default 5x), BENCH_RAW (file for go test's raw output).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
benchtime=${BENCHTIME:-5x}
raw=${BENCH_RAW:-$(mktemp "${TMPDIR:-/tmp}/gfenroll-preflight-bench.XXXXXX")}

started=""
cleanup() {
  if [[ -n "$started" ]]; then
    GFENROLL_KUBE_TESTENV="$started" e2e/kube/testenv.sh stop >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

if [[ -z "${GFENROLL_KUBE_TESTENV:-}" || ! -f "${GFENROLL_KUBE_TESTENV}/env" ]]; then
  state="${TMPDIR:-/tmp}/gfenroll-preflight-bench-$$"
  echo "starting a kube test environment in $state" >&2
  GFENROLL_KUBE_TESTENV="$state" e2e/kube/testenv.sh start >&2
  started="$state"
  # shellcheck disable=SC1091
  source "$state/env"
else
  # shellcheck disable=SC1091
  source "$GFENROLL_KUBE_TESTENV/env"
fi

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "preflight latency benchmark: 50 ms per call on GitHub and Kubernetes, 20 scale sets, $cores cores, load average $load_before, benchtime $benchtime"

if ! go test ./checks/preflight -run '^$' -bench '^BenchmarkPreflightLatency$' -benchtime "$benchtime" -count 1 >"$raw" 2>&1; then
  cat "$raw" >&2
  echo "checks/preflight/bench.sh: benchmark failed (raw output above)" >&2
  exit 1
fi
if grep -q -- '--- SKIP' "$raw"; then
  cat "$raw" >&2
  echo "checks/preflight/bench.sh: benchmark skipped (no kube test environment)" >&2
  exit 1
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

awk -v load_after="$load_after" '
  function metric(unit,   i) { for (i = 3; i < NF; i++) if ($(i+1) == unit) return $i; return "" }
  /^BenchmarkPreflightLatency-/ {
    conc = metric("concurrent-ms/op"); seq = metric("sequential-ms/op"); per = metric("per-probe-ms/op")
    deep = metric("round-trips-deep"); ghdepth = metric("github-depth"); calls = metric("github-calls"); sets = metric("scale-sets")
  }
  END {
    if (conc == "") { print "checks/preflight/bench.sh: missing benchmark results" > "/dev/stderr"; exit 1 }
    printf "\n%-42s %12s %10s\n", "variant", "wall ms/op", "vs shipped"
    printf "%-42s %12.0f %9.1fx\n", "concurrent (as shipped)", conc, 1
    printf "%-42s %12.0f %9.1fx\n", "sequential, the same calls", seq, seq / conc
    printf "%-42s %12.0f %9.1fx\n", "sequential, one call per check", per, per / conc
    printf "\nshipped run: %.2f round trips of wall time (GitHub calls %d deep, %d calls; %d scale sets)\n", deep, ghdepth, calls, sets
    printf "target <= 3 round trips deep: %s\n", (deep <= 3 ? "met" : "NOT met")
    printf "target >= 10x faster than sequential: %.1fx vs one call per check (%s), %.1fx vs the same calls (%s)\n", \
      per / conc, (per / conc >= 10 ? "met" : "NOT met"), seq / conc, (seq / conc >= 10 ? "met" : "NOT met")
    printf "load average after: %s (wall times on a shared machine grow with it)\n", load_after
  }' "$raw"
