#!/usr/bin/env bash
# Static checks of the Bazel side of the repository, with pinned tools (internal/tools/go.mod):
#
#   e2e/bazel/lint.sh              all checks below
#   e2e/bazel/lint.sh buildifier   every Starlark file passes `buildifier --lint=warn --mode=check`
#   e2e/bazel/lint.sh gazelle      the BUILD.bazel files of the Go packages are what gazelle
#                                  generates now (`gazelle -mode=diff`)
#   e2e/bazel/lint.sh use_repo     MODULE.bazel's use_repo(go_deps, ...) lists exactly the Go
#                                  module repositories those BUILD files use
#   e2e/bazel/lint.sh fix          regenerate the BUILD files, rewrite use_repo, reformat
#
# After adding, moving or removing Go files or imports, run `e2e/bazel/lint.sh fix` and commit
# the result. Exit status: 0 clean, 1 a check failed, 2 the tools could not be built.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd)
export PATH="/usr/local/go/bin:$PATH"

# Starlark owned by this repository. Fixture overlays (e2e/overlays) carry realistic, and on
# purpose sometimes broken, MODULE.bazel files of other repositories: not ours to format.
starlark_files() {
  git ls-files -co --exclude-standard -- \
    '*.bzl' '*BUILD.bazel' '*BUILD' '*WORKSPACE.bazel' '*WORKSPACE' '*.bzlmod' '*MODULE.bazel' |
    grep -v '^e2e/overlays/' | while IFS= read -r f; do [[ -f $f ]] && printf '%s\n' "$f"; done
}

# tools builds buildifier and gazelle once per version of internal/tools/go.sum.
tools() {
  local key
  key=$( (cat internal/tools/go.sum; go version) | sha256sum | cut -c1-16)
  bin="${XDG_CACHE_HOME:-$HOME/.cache}/gf-enrollment/devtools-$key"
  if [[ ! -x $bin/gazelle || ! -x $bin/buildifier ]]; then
    mkdir -p "$bin" || return 2
    echo "building buildifier and gazelle (internal/tools/go.mod) into $bin"
    go build -C internal/tools -o "$bin/" \
      github.com/bazelbuild/buildtools/buildifier \
      github.com/bazelbuild/bazel-gazelle/cmd/gazelle || { echo "lint.sh: cannot build the pinned tools" >&2; return 2; }
  fi
}

# run_gazelle ARGS...: gazelle over the main module. Every module of go.mod is a
# -known_import, so external imports resolve offline and exactly as the go_deps extension names
# the repositories (-external=static: an import of an unknown module is an error, never a
# network lookup).
#
# It walks the top-level directories that hold tracked Go files (and everything below them),
# so stray untracked directories elsewhere in a working copy never get BUILD files.
run_gazelle() {
  local known=() p dirs=()
  while IFS= read -r p; do
    [[ $p == github.com/tinyland-inc/gf-enrollment ]] || known+=("-known_import=$p")
  done < <(go mod edit -json | sed -n 's/^[[:space:]]*"Path": "\(.*\)",\{0,1\}$/\1/p' | sort -u)
  mapfile -t dirs < <(git ls-files '*.go' | grep / | cut -d/ -f1 | sort -u)
  "$bin/gazelle" -repo_root="$root" -external=static "${known[@]}" "$@" "${dirs[@]}"
}

check_buildifier() {
  local files=()
  mapfile -t files < <(starlark_files)
  if "$bin/buildifier" --lint=warn --mode=check "${files[@]}"; then
    echo "buildifier: ${#files[@]} Starlark files clean"
  else
    echo "buildifier: fix the warnings above, or reformat with: e2e/bazel/lint.sh fix"
    return 1
  fi
}

check_gazelle() {
  local out
  out=$(mktemp)
  run_gazelle -mode=diff >"$out" 2>&1
  local rc=$?
  if [[ $rc -eq 0 ]]; then
    echo "gazelle: BUILD files of the Go packages are up to date"
    rm -f "$out"
    return 0
  fi
  cat "$out"
  rm -f "$out"
  echo "gazelle: BUILD files are stale (exit $rc); regenerate with: e2e/bazel/lint.sh fix"
  return 1
}

# Repositories the generated BUILD files use (not the rule sets MODULE.bazel bazel_deps).
used_repos() {
  git ls-files -co --exclude-standard -- '*BUILD.bazel' | grep -v '^e2e/' |
    while IFS= read -r f; do [[ -f $f ]] && grep -l 'go_library\|go_binary' "$f"; done |
    xargs -r grep -ho '"@[A-Za-z0-9_.~+-]*//' | sed 's/^"@//; s|//$||' |
    grep -vx 'rules_go\|gazelle\|bazel_skylib' | sort -u
}

# Repositories listed in the use_repo(go_deps, ...) call that follows the marker comment.
readonly USE_REPO_MARKER='# go_deps: direct dependencies (e2e/bazel/lint.sh fix)'
declared_repos() {
  awk -v m="$USE_REPO_MARKER" '
    $0 == m { seen = 1; next }
    seen && /^use_repo\(/ { inside = 1; next }
    inside && /^\)/ { exit }
    inside { gsub(/[ ",]/, ""); if ($0 != "" && $0 != "go_deps") print }
  ' MODULE.bazel | sort -u
}

check_use_repo() {
  if ! grep -qxF "$USE_REPO_MARKER" MODULE.bazel; then
    echo "use_repo: MODULE.bazel lacks the line '$USE_REPO_MARKER' above use_repo(go_deps, ...)"
    return 1
  fi
  local missing extra
  missing=$(comm -23 <(used_repos) <(declared_repos))
  extra=$(comm -13 <(used_repos) <(declared_repos))
  if [[ -z $missing && -z $extra ]]; then
    echo "use_repo: MODULE.bazel lists exactly the $(used_repos | wc -l) Go repositories the BUILD files use"
    return 0
  fi
  [[ -n $missing ]] && printf 'use_repo: used but not in use_repo(go_deps, ...): %s\n' $missing
  [[ -n $extra ]] && printf 'use_repo: in use_repo(go_deps, ...) but unused: %s\n' $extra
  echo "use_repo: rewrite it with: e2e/bazel/lint.sh fix"
  return 1
}

fix_use_repo() {
  local tmp repos
  repos=$(used_repos)
  tmp=$(mktemp)
  awk -v m="$USE_REPO_MARKER" -v repos="$repos" '
    $0 == m { print; seen = 1; next }
    seen == 1 && /^use_repo\(/ {
      print "use_repo("; print "    go_deps,"
      n = split(repos, r, "\n"); for (i = 1; i <= n; i++) if (r[i] != "") printf "    \"%s\",\n", r[i]
      skip = 1; seen = 2; next
    }
    skip && /^\)/ { print; skip = 0; next }
    skip { next }
    { print }
  ' MODULE.bazel >"$tmp" && cat "$tmp" >MODULE.bazel
  rm -f "$tmp"
}

fix() {
  run_gazelle -mode=fix || return 1
  fix_use_repo || return 1
  local files=()
  mapfile -t files < <(starlark_files)
  "$bin/buildifier" --mode=fix "${files[@]}" || return 1
  echo "regenerated; review with git diff"
}

tools || exit 2
cmd=${1:-all}
case $cmd in
buildifier) check_buildifier ;;
gazelle) check_gazelle ;;
use_repo) check_use_repo ;;
fix) fix ;;
all)
  rc=0
  check_buildifier || rc=1
  check_gazelle || rc=1
  check_use_repo || rc=1
  exit $rc
  ;;
*)
  echo "usage: e2e/bazel/lint.sh [buildifier|gazelle|use_repo|fix]" >&2
  exit 2
  ;;
esac
