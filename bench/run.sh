#!/usr/bin/env bash
# bench/run.sh — estate benchmark of the hermetic gates.
#
# Generates the standard estate (200 overlays × 20 workflows, ~10k files) and four times
# it, runs `gfenroll check` over each in-process (BenchmarkEstate1x / 4x, one go test run
# so both see the same machine state), and prints wall time, CPU time, files/s and the
# 4x/1x ratio. Targets (issue 2): 1x wall < 2 s on a 2-core machine; 4x/1x ≤ 4.4.
# Figures only: the script fails when the benchmark itself fails, never on a slow result.
#
# Env: BENCHTIME (iterations per benchmark, default 3x), BENCH_RAW (file for go test's
# raw output, default a temp file).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
benchtime=${BENCHTIME:-3x}
raw=${BENCH_RAW:-$(mktemp "${TMPDIR:-/tmp}/gfenroll-bench.XXXXXX")}

cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")
load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")
echo "estate benchmark: $cores cores, load average $load_before, benchtime $benchtime"

if ! go test ./bench -run '^$' -bench '^BenchmarkEstate(1x|4x|Load1x)$' -benchtime "$benchtime" -count 1 >"$raw" 2>&1; then
  cat "$raw" >&2
  echo "bench/run.sh: benchmark failed (raw output above)" >&2
  exit 1
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo "?")

# A benchmark line is: Name-P  N  <ns> ns/op  <v> <unit> ...; pick metrics by unit.
awk -v load_after="$load_after" '
  function metric(unit,   i) { for (i = 3; i < NF; i++) if ($(i+1) == unit) return $i; return "" }
  /^BenchmarkEstate(1x|4x)-/ {
    name = $1; sub(/^BenchmarkEstate/, "", name); sub(/-[0-9]+$/, "", name)
    wall[name] = metric("ns/op") / 1e9; cpu[name] = metric("cpu-s/op")
    files[name] = metric("files"); gate[name] = metric("gate-files"); ovl[name] = metric("overlays")
  }
  /^BenchmarkEstateLoad1x-/ { loadrate = metric("gate-files/s") }
  END {
    if (!("1x" in wall) || !("4x" in wall)) { print "bench/run.sh: missing benchmark results" > "/dev/stderr"; exit 1 }
    printf "\n%-6s %9s %7s %11s %10s %10s %10s %13s\n", "estate", "overlays", "files", "gate files", "wall s/op", "cpu s/op", "files/s", "gate files/s"
    for (k = 1; k <= 2; k++) {
      n = (k == 1) ? "1x" : "4x"
      printf "%-6s %9d %7d %11d %10.3f %10.3f %10.0f %13.0f\n", n, ovl[n], files[n], gate[n], wall[n], cpu[n], files[n] / wall[n], gate[n] / wall[n]
    }
    ratio = wall["4x"] / wall["1x"]; cratio = (cpu["1x"] > 0) ? cpu["4x"] / cpu["1x"] : 0
    printf "\nratio 4x/1x: %.2f wall, %.2f cpu (target <= 4.4): %s\n", ratio, cratio, (ratio <= 4.4 ? "met" : "NOT met")
    printf "1x wall %.3f s (target < 2 s on 2 cores): %s\n", wall["1x"], (wall["1x"] < 2 ? "met" : "NOT met")
    if (loadrate != "") printf "loading alone (1x, concurrent): %.0f gate files/s\n", loadrate
    printf "load average after: %s (wall times on a shared machine grow with it; cpu s/op does not)\n", load_after
  }' "$raw"
