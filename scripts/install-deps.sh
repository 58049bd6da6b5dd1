#!/usr/bin/env bash
# Installs the system packages the test command (scripts/test.sh) needs. Idempotent: only
# missing packages are installed, and apt-get update runs only when something is missing.
# Runs as root, or through sudo when available. Go itself is expected at /usr/local/go.
set -euo pipefail

# ---------------------------------------------------------------------------------------
# PACKAGES: one Debian package per line, with the stage that needs it. Append yours here.
# ---------------------------------------------------------------------------------------
packages=(
	git             # go test (coreref resolves refs with git rev-parse), go's VCS stamping
	ca-certificates # the Go module proxy over https
	# kube testenv (e2e/kube/testenv.sh): certificates and readiness probes
	openssl
	curl
	# Bazel smoke (e2e/bazel/smoke.sh): Debian's Bazel 4.2.3; unzip reads test.outputs/outputs.zip
	bazel-bootstrap
	bazel-skylib # unittest/analysistest for the Starlark tests (rules/tests)
	unzip
)
# ---------------------------------------------------------------------------------------

# just (the Justfile recipes' runner; TestJustfilesWithJust runs it) is not packaged by
# Debian; npm's rust-just ships its binary inside the registry package. Installed into the
# project's cache dir, pinned, and optional: without it that test falls back to checking the
# recipes' gfenroll calls only.
JUST_VERSION=1.57.0
just_prefix="${XDG_CACHE_HOME:-$HOME/.cache}/gf-enrollment/npm-just-$JUST_VERSION"
if [ ! -x "$just_prefix/node_modules/.bin/just" ] && command -v npm >/dev/null 2>&1; then
	echo "install-deps: installing just $JUST_VERSION (npm rust-just) into $just_prefix"
	mkdir -p "$just_prefix"
	npm install --prefix "$just_prefix" --no-audit --no-fund --loglevel=error "rust-just@$JUST_VERSION" </dev/null ||
		echo "install-deps: note: could not install just; the Justfile test will skip running just" >&2
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ "${#missing[@]}" -eq 0 ]; then
	echo "install-deps: all ${#packages[@]} packages present"
	exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo=(sudo -n)
	else
		echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
