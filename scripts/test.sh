#!/usr/bin/env bash
# THE test command: everything CI runs, in stages, with a summary at the end.
#
#   scripts/test.sh              run every stage
#   scripts/test.sh vet unit     run only the named stages
#   scripts/test.sh --list       list the stages
#
# Environment:
#   FUZZTIME          how long each fuzz target runs (default 5s)
#   FUZZMINIMIZETIME  cap on minimizing an input (default 5s; Go's 60s default would let the
#                     minimization of one new-coverage input of a slow target eat the run)
#   FLAKE_COUNT       runs per concurrency-heavy test package in the flake stage (default 10)
#   HOSTILE_ARGS      extra test arguments of the hostile stage (e.g. -hostile.pending=skip)
#   CI         when set, integration tests that need a server fail instead of skipping
#   GFENROLL_NO_INSTALL=1  do not run scripts/install-deps.sh first
#
# Stages run in order; a failing stage does not stop the others, so one run shows every
# problem. The exit code is non-zero when any stage failed. Integration stages belong to the
# scripts named below: a stage whose script does not exist yet is skipped (and says so).
# Adding a stage: write a stage_<name> function and add <name> to STAGES.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$(pwd)
export PATH="/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin:$PATH"

# What the stages need beyond Go (apt packages, just), so this command works as the README's
# test command on a fresh machine too. Idempotent and quick when everything is present;
# GFENROLL_NO_INSTALL=1 skips it (e.g. without root, with the packages installed by hand).
if [ "${GFENROLL_NO_INSTALL:-}" != 1 ] && [ "${1:-}" != "--list" ]; then
	scripts/install-deps.sh || { echo "test.sh: scripts/install-deps.sh failed (GFENROLL_NO_INSTALL=1 skips it)" >&2; exit 1; }
fi

# Integration scripts owned by other parts of the project (see docs/ARCHITECTURE.md).
KUBE_TESTENV=e2e/kube/testenv.sh # start|stop|env: real kube-apiserver + etcd for go test
BAZEL_LINT=e2e/bazel/lint.sh     # buildifier, gazelle freshness, MODULE.bazel use_repo
BAZEL_SMOKE=e2e/bazel/smoke.sh   # real-Bazel smoke of the rules with bazel-remote
BENCH=scripts/bench.sh           # benchmarks printing figures (never a pass/fail on time)

STAGES=(format vet kube-testenv unit flake hostile fuzz bazel-lint release bazel-smoke bench)

# The flake stage reruns the tests of concurrent code (goroutine fan-out, loopback servers,
# the real kube-apiserver) FLAKE_COUNT times; one failing run fails the stage. Each entry
# is "PACKAGE [go test flags]"; a -count there overrides FLAKE_COUNT (the CLI's preflight
# scenarios take about 50 s per run).
FLAKE_COUNT=${FLAKE_COUNT:-10}
FLAKE_TESTS=(
	"./checks/preflight/..."
	"./e2e/github/..."
	"./e2e/kube/kubetest/"
	"./ops/appsecret/"
	"./tools/gfenroll/ -run ^(TestPreflight|TestArcAppSecretCommandAgainstKubeAPIServer) -count=3"
)

# just, as scripts/install-deps.sh installs it (tools/gfenroll's Justfile test runs it; the
# version matches JUST_VERSION there).
just_bin="${XDG_CACHE_HOME:-$HOME/.cache}/gf-enrollment/npm-just-1.57.0/node_modules/.bin/just"
if [ -z "${JUST:-}" ] && [ -x "$just_bin" ]; then export JUST="$just_bin"; fi

FUZZTIME=${FUZZTIME:-5s}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-5s}

log() { printf '\n==> %s\n' "$*"; }

# ---- stages -------------------------------------------------------------------------------
# Each returns 0 (pass), 1 (fail) or 77 (skipped: the stage's script does not exist yet).

stage_format() {
	local files
	files=$(git ls-files '*.go' | xargs -r gofmt -l)
	if [ -n "$files" ]; then
		echo "gofmt would change:"
		echo "$files"
		return 1
	fi
	echo "gofmt: clean"
}

stage_vet() {
	go vet ./...
}

# Starts the kube-apiserver test environment before the unit stage, so `go test ./...`
# runs the live-preflight integration tests against it (they skip without it, and fail
# without it when CI is set). It is stopped when this script exits. Each run gets its own
# state dir (unless GFENROLL_KUBE_TESTENV names one): the env file exports it, and stop
# is given exactly that one, so concurrent runs never stop each other's servers.
stage_kube-testenv() {
	[ -x "$KUBE_TESTENV" ] || { echo "$KUBE_TESTENV not present"; return 77; }
	[ "$kube_started" = 1 ] && { echo "kube testenv already up: ${GFENROLL_KUBE_URL:-?}"; return 0; }
	local envfile
	envfile=$("$KUBE_TESTENV" start | tail -n 1) || return 1
	export GFENROLL_KUBE_TESTENV="${envfile%/env}"
	kube_started=1
	# shellcheck disable=SC1090
	source "$envfile" || return 1
	echo "kube testenv up: ${GFENROLL_KUBE_URL:-?} (env from $envfile)"
}

stage_unit() {
	# The hostile-input suite (e2e/hostile) is its own stage.
	go test -count=1 -timeout 30m $(go list ./... | grep -v '/e2e/hostile$')
}

# Reruns the concurrency-heavy tests (FLAKE_TESTS) FLAKE_COUNT times each, with the kube
# test environment up so its integration tests run too.
stage_flake() {
	if [ "$kube_started" != 1 ] && [ -x "$KUBE_TESTENV" ]; then
		stage_kube-testenv || return 1
	fi
	local entry failed=0
	for entry in "${FLAKE_TESTS[@]}"; do
		echo "--- go test -count=$FLAKE_COUNT $entry"
		# shellcheck disable=SC2086 # entry is "PACKAGE [go test flags]", split on purpose
		if ! go test -count="$FLAKE_COUNT" -timeout 30m $entry >"$flake_log" 2>&1; then
			grep -E '^(--- FAIL|FAIL|panic:)|_test\.go:[0-9]+:' "$flake_log" | sort | uniq -c | sort -rn | head -40
			echo "FAIL: $entry failed in at least one of its runs"
			failed=1
		else
			tail -n 3 "$flake_log"
		fi
	done
	return $failed
}

# The hostile-input suite: gfenroll run as a subprocess on malformed and adversarial
# inputs (e2e/hostile). Run in the package directory so go test streams the per-case
# wall-time and peak-RSS figures it prints. HOSTILE_ARGS are extra test-binary arguments
# (e.g. -hostile.pending=skip).
stage_hostile() {
	# shellcheck disable=SC2086
	go test -C e2e/hostile -count=1 -timeout 30m -args ${HOSTILE_ARGS:-}
}

# Runs every fuzz target briefly. Targets are found by grep, so new ones are picked up
# without editing this script; packages in nested modules (their own go.mod) are skipped.
stage_fuzz() {
	local targets=() line file fn dir failed=0
	while IFS= read -r line; do
		file=${line%%:*}
		fn=${line#*:}
		fn=${fn#func }
		fn=${fn%%(*}
		dir=$(dirname "$file")
		in_nested_module "$dir" && continue
		targets+=("./$dir $fn")
	done < <(git ls-files -co --exclude-standard '*_test.go' | xargs -r grep -Ho '^func Fuzz[A-Za-z0-9_]*(' | sort -u)
	if [ "${#targets[@]}" -eq 0 ]; then
		echo "no fuzz targets found"
		return 0
	fi
	echo "${#targets[@]} fuzz targets, $FUZZTIME each"
	local t pkg
	for t in "${targets[@]}"; do
		pkg=${t% *}
		fn=${t#* }
		echo "--- $pkg $fn"
		if ! go test -run='^$' -fuzz="^${fn}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="$FUZZMINIMIZETIME" "$pkg"; then
			echo "FAIL: fuzz $pkg $fn (a failing input was saved under $pkg/testdata/fuzz/$fn)"
			failed=1
		fi
	done
	return $failed
}

stage_bazel-lint() {
	[ -x "$BAZEL_LINT" ] || { echo "$BAZEL_LINT not present"; return 77; }
	"$BAZEL_LINT"
}

stage_release() {
	# scripts/release.sh twice on one commit (all 8 binaries): byte-identical artifacts, and
	# the registry entry and .bcr files valid for the Bazel Central Registry.
	GF_RELEASE_TEST=1 go test -count=1 -timeout 30m ./internal/release
}

stage_bazel-smoke() {
	[ -x "$BAZEL_SMOKE" ] || { echo "$BAZEL_SMOKE not present"; return 77; }
	"$BAZEL_SMOKE"
}

stage_bench() {
	[ -x "$BENCH" ] || { echo "$BENCH not present"; return 77; }
	"$BENCH"
}

# ---- helpers ------------------------------------------------------------------------------

# in_nested_module DIR: true when DIR lies in a Go module other than the root one.
in_nested_module() {
	local d=$1
	while [ "$d" != "." ] && [ "$d" != "/" ]; do
		[ -f "$d/go.mod" ] && return 0
		d=$(dirname "$d")
	done
	return 1
}

kube_started=0
flake_log=$(mktemp "${TMPDIR:-/tmp}/gfenroll-flake.XXXXXX")
cleanup() {
	rm -f "$flake_log"
	if [ "$kube_started" = 1 ]; then
		"$KUBE_TESTENV" stop >/dev/null 2>&1 || echo "warning: $KUBE_TESTENV stop failed" >&2
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- main ---------------------------------------------------------------------------------

if [ "${1:-}" = "--list" ]; then
	printf '%s\n' "${STAGES[@]}"
	exit 0
fi
selected=("${STAGES[@]}")
if [ $# -gt 0 ]; then
	for s in "$@"; do
		if ! declare -F "stage_$s" >/dev/null; then
			echo "scripts/test.sh: unknown stage '$s' (stages: ${STAGES[*]})" >&2
			exit 2
		fi
	done
	selected=("$@")
fi

command -v go >/dev/null || { echo "scripts/test.sh: go not found (expected at /usr/local/go/bin)" >&2; exit 2; }
echo "gf-enrollment tests in $root ($(go version | cut -d' ' -f3), CI=${CI:-})"

results=()
overall=0
for s in "${selected[@]}"; do
	log "stage $s"
	start=$SECONDS
	"stage_$s"
	rc=$?
	secs=$((SECONDS - start))
	case $rc in
	0) status=PASS ;;
	77) status=SKIP ;;
	*) status=FAIL; overall=1 ;;
	esac
	results+=("$(printf '%-14s %-5s %5ss' "$s" "$status" "$secs")")
done

log "summary"
printf '  %s\n' "${results[@]}"
if [ $overall -ne 0 ]; then
	echo "FAILED"
else
	echo "ALL PASSED (skipped stages have no script yet)"
fi
exit $overall
