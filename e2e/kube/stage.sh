#!/usr/bin/env bash
# Kubernetes integration stage: build/start the real kube-apiserver test environment,
# run the Go tests that need it, stop it (also on failure or Ctrl-C).
#
#   e2e/kube/stage.sh                  run the stage (exit status = go test's)
#   source e2e/kube/stage.sh; stage_kube    the same, as a function for scripts/test.sh
#
# It runs its own environment in a fresh state dir, so it never disturbs one a developer
# started with testenv.sh. Tests needing the server skip without it; with CI set they fail,
# and this stage sets CI=1 for its run so a broken start can never pass silently.
# Apt packages it needs: openssl, curl (plus Go; etcd is built from the Go module proxy).

# KUBE_STAGE_PACKAGES are the Go packages whose tests use the test environment.
KUBE_STAGE_PACKAGES=(
	./e2e/kube/kubetest/...
	./checks/preflight/...
	./ops/appsecret/...
)

stage_kube() (
	set -euo pipefail
	local here root
	here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
	root="$(cd "$here/../.." && pwd)"
	cd "$root"
	GFENROLL_KUBE_TESTENV="$(mktemp -d "${TMPDIR:-/tmp}/gfenroll-kube-stage.XXXXXX")/state"
	export GFENROLL_KUBE_TESTENV
	# The subshell's EXIT trap runs on success, failure and interrupt alike.
	trap '"$here/testenv.sh" stop; rmdir "$(dirname "$GFENROLL_KUBE_TESTENV")" 2>/dev/null || true' EXIT
	trap 'exit 130' INT TERM
	"$here/testenv.sh" start
	# shellcheck disable=SC1091
	source "$GFENROLL_KUBE_TESTENV/env"
	local pkgs=()
	local p
	for p in "${KUBE_STAGE_PACKAGES[@]}"; do
		[[ -d "${p%/...}" ]] && pkgs+=("$p")
	done
	CI="${CI:-1}" go test -count=1 "${pkgs[@]}" "$@"
)

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	stage_kube "$@"
fi
