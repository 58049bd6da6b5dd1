#!/usr/bin/env bash
# Real-Bazel smoke test of the rule set (e2e/bazel/README.md says what it proves and why).
#
# Runs Debian's Bazel 4.2.3 (bazel-bootstrap, installed if missing) in WORKSPACE mode on a
# consumer overlay that loads @gf_enrollment through local_repository, with checkers built by
# `go build` and injected, against a real bazel-remote cache on 127.0.0.1.
#
#   e2e/bazel/smoke.sh
#
# Environment:
#   GF_SMOKE_KEEP=1          keep the scratch directory (printed at the end)
#   GF_SMOKE_COLD_GO_BUILD=1 also time a cold `go build` of the hermetic checker (empty GOCACHE)
#
# Everything lives under one scratch directory (own --output_user_root, own cache dir); every
# Bazel server and the bazel-remote it starts are stopped on exit, whatever happens. The
# bazel-remote binary is built once from the Go module proxy (e2e/bazel/remote/go.mod) and
# cached in ${XDG_CACHE_HOME:-~/.cache}/gf-enrollment/.
# Exit status: 0 when every check passed, 1 otherwise, 2 when the setup failed.
set -uo pipefail

# The whole script is one function, parsed before it runs, so editing this file while a smoke
# test runs cannot change the running test.
main() {
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$(pwd)
here=$repo/e2e/bazel
export PATH="/usr/local/go/bin:$PATH"

passed=0
failed=0
ok() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }
check() { # check DESCRIPTION COMMAND...: records the outcome of a command
  local what=$1
  shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
step() { printf '\n--- %s\n' "$*"; }
die() {
  echo "smoke.sh: $*" >&2
  exit 2
}
now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---- scratch space and cleanup ------------------------------------------------------------
scratch=$(mktemp -d "${TMPDIR:-/tmp}/gf-bazel-smoke.XXXXXX") || die "cannot create a scratch directory"
user_root=$scratch/bazel-root
consumer=$scratch/overlay
logs=$scratch/logs
mkdir -p "$user_root" "$logs" "$scratch/bin" "$scratch/ob"
output_bases=()
remote_pid=""

cleanup() {
  local ob pid
  for ob in "${output_bases[@]+"${output_bases[@]}"}"; do
    # Only a server that still runs is asked to stop (a shutdown command must not start one).
    pid=$(cat "$ob/server/server.pid.txt" 2>/dev/null || true)
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || continue
    (cd "$consumer" 2>/dev/null || cd "$scratch"; bazel --output_user_root="$user_root" --output_base="$ob" shutdown >/dev/null 2>&1)
    # The server is ours (this output base); never leave it running.
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null; fi
  done
  if [[ -n $remote_pid ]] && kill -0 "$remote_pid" 2>/dev/null; then
    kill "$remote_pid" 2>/dev/null
    wait "$remote_pid" 2>/dev/null
  fi
  if [[ -n ${GF_SMOKE_KEEP:-} ]]; then
    echo "smoke.sh: kept $scratch"
  else
    chmod -R u+w "$scratch" 2>/dev/null
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bz OUTPUT_BASE ARGS...: bazel in the consumer with an output base of its own under scratch.
bz() {
  local ob=$scratch/ob/$1
  shift
  if [[ ! -d $ob ]]; then
    mkdir -p "$ob"
    output_bases+=("$ob")
  fi
  (cd "$consumer" && bazel --output_user_root="$user_root" --output_base="$ob" --max_idle_secs=900 "$@")
}

# ---- tools --------------------------------------------------------------------------------
step "setup"
if ! command -v bazel >/dev/null 2>&1; then
  echo "installing Debian's bazel-bootstrap"
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo -n)
  "${sudo[@]}" apt-get install -y -q bazel-bootstrap >"$logs/apt.log" 2>&1 ||
    { "${sudo[@]}" apt-get update -q >>"$logs/apt.log" 2>&1 && "${sudo[@]}" apt-get install -y -q bazel-bootstrap >>"$logs/apt.log" 2>&1; } ||
    die "cannot install bazel-bootstrap (see $logs/apt.log)"
fi
# Debian's bazel-skylib 1.0.3 (unittest/analysistest for the Starlark tests of step 11).
skylib=/usr/share/bazel/tools/skylib
if [[ ! -f $skylib/lib/unittest.bzl ]]; then
  echo "installing Debian's bazel-skylib"
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo -n)
  "${sudo[@]}" apt-get install -y -q bazel-skylib >>"$logs/apt.log" 2>&1 || die "cannot install bazel-skylib (see $logs/apt.log)"
fi
for tool in unzip go git; do command -v "$tool" >/dev/null || die "$tool not found"; done
echo "bazel: $(command -v bazel) ($(dpkg-query -W -f='${Version}' bazel-bootstrap 2>/dev/null || echo unknown))"

# The checkers: a release of this worktree for the host platform (scripts/release.sh, the
# binaries a consumer downloads), served from file:// URLs; the default checkers of the
# consumer come from there through gf_enrollment_checkers(). The same binaries are injected
# with prebuilt_checker where a package names its checker.
host_platform=$(go env GOOS)_$(go env GOARCH)
release=$scratch/release
release_version=0.0.0-smoke
t0=$(now)
GF_RELEASE_ALLOW_DIRTY=1 GF_RELEASE_PLATFORMS=$host_platform GF_RELEASE_BASE_URL="file://$release" \
  scripts/release.sh "$release_version" "$release" >"$logs/release.log" 2>&1 ||
  { cat "$logs/release.log"; die "scripts/release.sh failed"; }
cp "$release/enrollcheck-$host_platform" "$scratch/bin/enrollcheck" &&
  cp "$release/gfenroll-$host_platform" "$scratch/bin/gfenroll" &&
  go build -o "$scratch/bin/custom_check" ./e2e/custom-check &&
  go build -o "$scratch/bin/materialize" ./checks/overlaytest/cmd/materialize ||
  die "go build of the custom checker failed"
echo "release $release_version for $host_platform and the custom checker built in $(elapsed "$t0" "$(now)") s (warm Go build cache)"
# A copy of the release whose enrollcheck is not the one integrity.bzl names.
mkdir -p "$scratch/tampered"
cp "$release"/*-"$host_platform" "$scratch/tampered/"
printf 'tampered' >>"$scratch/tampered/enrollcheck-$host_platform"

cold_go_build=""
if [[ -n ${GF_SMOKE_COLD_GO_BUILD:-} ]]; then
  t0=$(now)
  GOCACHE=$scratch/gocache-cold go build -o "$scratch/bin/enrollcheck-cold" ./tools/enrollcheck ||
    die "cold go build of enrollcheck failed"
  cold_go_build=$(elapsed "$t0" "$(now)")
  echo "cold go build of tools/enrollcheck (empty GOCACHE, modules already downloaded): $cold_go_build s"
fi

# bazel-remote, built once per pinned version from the Go module proxy.
remote_version=$(sed -n 's/^[[:space:]]*github.com\/buchgr\/bazel-remote\/v2 \(v[^ ]*\).*/\1/p' "$here/remote/go.mod")
[[ -n $remote_version ]] || die "cannot read the bazel-remote version from e2e/bazel/remote/go.mod"
cache_home=${XDG_CACHE_HOME:-$HOME/.cache}/gf-enrollment
remote_bin=$cache_home/bazel-remote-$remote_version-$( (cat "$here/remote/go.sum"; go version) | sha256sum | cut -c1-12)/bazel-remote
if [[ ! -x $remote_bin ]]; then
  echo "building bazel-remote $remote_version (once; cached in $cache_home)"
  t0=$(now)
  mkdir -p "$(dirname "$remote_bin")"
  go build -C "$here/remote" -o "$remote_bin.tmp" -ldflags "-X main.gitCommit=$remote_version" \
    github.com/buchgr/bazel-remote/v2 >"$logs/bazel-remote-build.log" 2>&1 ||
    { cat "$logs/bazel-remote-build.log"; die "cannot build bazel-remote"; }
  mv "$remote_bin.tmp" "$remote_bin"
  echo "bazel-remote built in $(elapsed "$t0" "$(now)") s"
fi

# free_port prints a TCP port nothing listens on (checked by connecting).
free_port() {
  local p i
  for i in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

start_remote() {
  local attempt http grpc
  for attempt in 1 2 3; do
    http=$(free_port) && grpc=$(free_port) || die "no free port"
    [[ $http != "$grpc" ]] || continue
    "$remote_bin" --dir "$scratch/remote-cache" --max_size 1 \
      --http_address "127.0.0.1:$http" --grpc_address "127.0.0.1:$grpc" >"$logs/bazel-remote.log" 2>&1 &
    remote_pid=$!
    for _ in $(seq 1 100); do
      if curl -fsS "http://127.0.0.1:$http/status" >/dev/null 2>&1; then
        remote_grpc=grpc://127.0.0.1:$grpc
        remote_http=http://127.0.0.1:$http
        return 0
      fi
      kill -0 "$remote_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill "$remote_pid" 2>/dev/null
    wait "$remote_pid" 2>/dev/null
    remote_pid=""
  done
  cat "$logs/bazel-remote.log"
  die "bazel-remote did not start"
}
start_remote
echo "bazel-remote $remote_version: pid $remote_pid, $remote_grpc (status $remote_http/status)"

# ---- the consumer overlay -------------------------------------------------------------------
# The tinyland-org fixture overlay at the root, made a Bazel workspace that loads our rules.
materialize() { # materialize BASE_OR_VARIANT_DIR OUT
  if [[ -f $1/VARIANT ]]; then
    "$scratch/bin/materialize" "$1" "$2" >/dev/null || die "materialize $1 failed"
  else
    cp -RP "$1" "$2" || die "cannot copy $1"
  fi
  rm -f "$2/.bazelversion" "$2/README.md"
}
materialize e2e/overlays/tinyland-org "$consumer"
cp -R "$here/consumer/." "$consumer/"
rm -f "$consumer/broken.BUILD.bazel" "$consumer/REPO.bazel"
cp "$scratch/bin/enrollcheck" "$consumer/tools/enrollcheck_bin"
cp "$scratch/bin/gfenroll" "$consumer/tools/gfenroll_bin"
cp "$scratch/bin/custom_check" "$consumer/tools/custom_check_bin"
cp "$release/integrity.bzl" "$consumer/release_integrity.bzl"
# The personal overlay is an external repository (new_local_repository below).
materialize e2e/overlays/jess-personal "$scratch/jess-personal"

# Bazel 4.2.3 offline: the test runner wants @remote_coverage_tools, which it would download.
mkdir -p "$scratch/coverage_tools"
touch "$scratch/coverage_tools/WORKSPACE"
cat >"$scratch/coverage_tools/BUILD" <<'EOF'
filegroup(name = "coverage_report_generator", srcs = [], visibility = ["//visibility:public"])
filegroup(name = "lcov_merger", srcs = [], visibility = ["//visibility:public"])
EOF
# Toolchain resolution (skylib's unittest toolchain) parses @bazel_tools//tools/jdk, which
# loads @rules_cc and @rules_java, which Bazel would download. Debian's bazel-rules-cc does not
# load under its own Bazel 4.2.3, so stubs forward the few rules it names to the native ones.
stub_rules() { # stub_rules DIR PKG RULE...
  local dir=$scratch/stub_$1 pkg=$2 r
  shift 2
  mkdir -p "$dir/$pkg"
  touch "$dir/WORKSPACE" "$dir/BUILD" "$dir/$pkg/BUILD"
  for r in "$@"; do printf 'def %s(**kwargs):\n    native.%s(**kwargs)\n\n' "$r" "$r"; done >"$dir/$pkg/defs.bzl"
}
stub_rules rules_cc cc cc_binary cc_import cc_library cc_test cc_toolchain cc_toolchain_suite objc_library
stub_rules rules_java java java_binary java_import java_library java_package_configuration java_plugin java_runtime java_test java_toolchain

cat >"$consumer/WORKSPACE" <<EOF
workspace(name = "overlay")

local_repository(
    name = "gf_enrollment",
    path = "$repo",
)

new_local_repository(
    name = "jess_personal",
    build_file = "//:overlay.BUILD.bazel",
    path = "$scratch/jess-personal",
)

# The default checkers: the release's prebuilt binaries for this platform (README "Use in an
# overlay", WORKSPACE), from file:// URLs with the release's integrity file.
load("@gf_enrollment//rules:repositories.bzl", "gf_enrollment_checkers")
load("//:release_integrity.bzl", "CHECKERS", "VERSION")

gf_enrollment_checkers(
    base_url = "file://$release",
    integrity = CHECKERS,
    version = VERSION,
)

# The failure modes, fetched only when asked for: a file that is not the release's, and a
# platform the release has no binaries for.
gf_enrollment_checkers(
    name = "tampered_checkers",
    base_url = "file://$scratch/tampered",
    integrity = CHECKERS,
    version = VERSION,
)

gf_enrollment_checkers(
    name = "unsupported_checkers",
    base_url = "file://$release",
    integrity = CHECKERS,
    platform = "windows_amd64",
    version = VERSION,
)

local_repository(
    name = "bazel_skylib",
    path = "$skylib",
)

load("@bazel_skylib//lib:unittest.bzl", "register_unittest_toolchains")

register_unittest_toolchains()
EOF
cat >"$consumer/.bazelrc" <<EOF
common --override_repository=remote_coverage_tools=$scratch/coverage_tools
common --override_repository=rules_cc=$scratch/stub_rules_cc
common --override_repository=rules_java=$scratch/stub_rules_java
# /etc/bazel/bazelrc (Debian) turns on --sandbox_debug, which floods test logs.
build --nosandbox_debug
test --test_output=errors
test --test_summary=short
EOF
# The remote and read-only configs exactly as this repository's .bazelrc (and README "Use in an
# overlay") defines them, so the runs below exercise those lines.
grep -E '^build:remote(-readonly)? |^test:live ' .bazelrc >>"$consumer/.bazelrc" || die "no remote or live configs in .bazelrc"

# Broken variants: each its own package, expected failing gates read from its expected.txt.
declare -A broken_expect=()
declare -A broken_pass=() # "rules: none" cases: every gate must pass
broken_skipped=()
for dir in e2e/overlays/broken/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  variant_args=$(sed -n 's/^args:[[:space:]]*//p' "$dir/VARIANT")
  sed -n '2p' "$dir/VARIANT" | grep -qE '^rules:[[:space:]]*none[[:space:]]*$' && broken_pass[$name]=1
  ref=""
  fow=False
  core=False
  hosted=False
  set -- $variant_args
  skip=""
  while [[ $# -gt 0 ]]; do
    case $1 in
    --expected-core-ref) ref=$2; shift 2 ;;
    --fail-on-warning) fow=True; shift ;;
    --core) core=True; shift ;;
    --forbid-github-hosted) hosted=True; shift ;;
    --overlay-root) skip="checks several overlays together (estate); a Bazel test checks one"; shift 2 ;;
    *) skip="unknown VARIANT argument $1"; shift ;;
    esac
  done
  pkg=$consumer/broken/$name
  materialize "$dir" "$pkg"
  for need in config/organization.yaml MODULE.bazel; do
    [[ -f $pkg/$need ]] || skip="deletes $need, which the macro requires as a label"
  done
  compgen -G "$pkg/tofu/stacks/arc-runners/*.tfvars" >/dev/null || skip="has no tfvars, which the macro requires"
  compgen -G "$pkg/.github/workflows/*.y*ml" >/dev/null || skip="has no workflows, which the macro requires"
  if [[ -n $skip ]]; then
    rm -rf "$pkg"
    broken_skipped+=("$name ($skip)")
    continue
  fi
  ref_value=None
  [[ -n $ref ]] && ref_value="\"$ref\""
  sed -e "s|expected_core_ref = None,  # @EXPECTED_CORE_REF@|expected_core_ref = $ref_value,|" \
    -e "s|fail_on_warning = False,  # @FAIL_ON_WARNING@|fail_on_warning = $fow,|" \
    -e "s|core = False,  # @CORE@|core = $core,|" \
    -e "s|forbid_github_hosted = False,  # @FORBID_GITHUB_HOSTED@|forbid_github_hosted = $hosted,|" \
    "$here/consumer/broken.BUILD.bazel" >"$pkg/BUILD.bazel"
  # Gates that must fail: those with a blocker (or, with --fail-on-warning, an unexpected
  # warning) in the case's golden text report.
  sev='blocker'
  [[ $fow == True ]] && sev='(blocker|warning)'
  if [[ -f $dir/expected.txt ]] && grep -q ': error input/' "$dir/expected.txt"; then
    # Unusable input (exit 2): every gate that reads the file fails.
    broken_expect[$name]=$(sed -n 's/^\([^:]*\):.*: error input\/.*/\1/p' "$dir/expected.txt" | while IFS= read -r f; do
      case $f in
      config/organization.yaml) echo enrollment pins taxonomy workflows admission ;;
      MODULE.bazel | *.MODULE.bazel) echo pins ;;
      *.tfvars) echo enrollment taxonomy admission ;;
      .github/workflows/*) echo enrollment workflows admission ;;
      *) echo "unknown-file:$f" ;;
      esac
    done | tr ' ' '\n' | grep . | sort -u | tr '\n' ' ')
  else
    # A rule's gate is its id's prefix, except the pins/workflow-* rules: the workflows test
    # judges them (enrollment_checks passes --workflow-pins), as it is the one that reads
    # workflows.
    broken_expect[$name]=$(sed '/^Next actions:/,$d' "$dir/expected.txt" | grep -v '(expected)$' |
      grep -oE "(^|: )$sev [a-z]+/[a-z-]+" | sed -E 's/.* //; s#^pins/workflow-[a-z-]*$#workflows/#; s#/.*##' |
      sort -u | tr '\n' ' ')
  fi
done
echo "consumer overlay at $consumer: ${#broken_expect[@]} broken variants as packages, ${#broken_skipped[@]} not applicable"

# ---- helpers over Bazel's output ----------------------------------------------------------
# status LOG LABEL prints PASSED, FAILED, "(cached) PASSED", ... from the test summary.
status() {
  sed -nE "s#^$2[[:space:]]+(\(cached\) )?(PASSED|FAILED|NO STATUS|TIMEOUT|FLAKY|INCOMPLETE|FAILED TO BUILD).*#\1\2#p" "$1" | head -n1
}
executed() { sed -nE 's/^Executed ([0-9]+) out of ([0-9]+) tests?.*/\1 \2/p' "$1" | tail -n1; }
cache_hits() { sed -nE 's/.* ([0-9]+) remote cache hit.*/\1/p' "$1" | tail -n1; }
has() { grep -qF -- "$2" "$1"; }

gates=(enrollment pins taxonomy workflows admission)

# ---- 1. macro misuse fails at loading/analysis, naming the attribute ------------------------
step "1. bad macro calls fail with a message naming the attribute"
bz a build --keep_going //bad/... >"$logs/bad.log" 2>&1
rc=$?
check "bazel build //bad/... fails (exit $rc)" test "$rc" -ne 0
for f in "$consumer"/bad/*/BUILD.bazel; do
  case_name=$(basename "$(dirname "$f")")
  while IFS= read -r want; do
    check "bad/$case_name: $want" has "$logs/bad.log" "$want"
  done < <(sed -n 's/^# expect: //p' "$f")
done

bz a shutdown >/dev/null 2>&1 # each server holds a JVM; stop it once its step is done

# ---- 2. passing overlay, cold, against the remote cache --------------------------------------
# remote_files prints how many blobs bazel-remote holds.
remote_files() { curl -fsS "$remote_http/status" 2>/dev/null | tr -d ' \n' | sed -nE 's/.*"NumFiles":([0-9]+).*/\1/p'; }

step "2. passing overlay: bazel test //enrollment:all (fresh output base, empty remote cache)"
# A pull request's run (--config=remote-readonly) reads the cache but must not fill it.
bz ro test //enrollment:all --config=remote-readonly --remote_cache="$remote_grpc" >"$logs/readonly.log" 2>&1
rc=$?
check "--config=remote-readonly run passes (exit $rc) and uploads nothing: cache holds $(remote_files) blobs" \
  test "$rc" -eq 0 -a "$(remote_files)" = 0
bz ro shutdown >/dev/null 2>&1
t0=$(now)
bz cold test //enrollment:all --config=remote --remote_cache="$remote_grpc" >"$logs/cold.log" 2>&1
rc=$?
cold_wall=$(elapsed "$t0" "$(now)")
check "exit 0 (got $rc)" test "$rc" -eq 0
for g in "${gates[@]}"; do
  check "//enrollment:enrollment_${g}_test PASSED" test "$(status "$logs/cold.log" "//enrollment:enrollment_${g}_test")" = PASSED
done
read -r ran total <<<"$(executed "$logs/cold.log")"
check "Executed ${#gates[@]} out of ${#gates[@]} tests (got ${ran:-?} out of ${total:-?})" test "${ran:-}/${total:-}" = "${#gates[@]}/${#gates[@]}"
check "--config=remote uploaded the results: cache holds $(remote_files) blobs" test "$(remote_files)" -gt 0
check "the preflight test is not run by :all" bash -c "! grep -q 'enrollment_preflight_test' '$logs/cold.log'"
bz cold query 'attr(tags, manual, //enrollment:all)' >"$logs/manual.log" 2>/dev/null
check "the preflight targets are tagged manual" grep -qx '//enrollment:enrollment_preflight_test' "$logs/manual.log"
bz cold query 'attr(tags, external, //enrollment:all) intersect attr(tags, requires-network, //enrollment:all) intersect attr(tags, no-cache, //enrollment:all)' >"$logs/live-tags.log" 2>/dev/null
check "the preflight test is tagged external, requires-network and no-cache" grep -qx '//enrollment:enrollment_preflight_test' "$logs/live-tags.log"
bz cold build //enrollment:enrollment_preflight_test //enrollment:enrollment_preflight >"$logs/preflight-build.log" 2>&1
check "the preflight targets build" test $? -eq 0

step "2b. the default checkers are the release's prebuilt binaries (file:// URLs, sha256-checked)"
bz cold query 'deps(//enrollment:enrollment_pins_test) union deps(//enrollment:enrollment_preflight)' >"$logs/prebuilt-deps.log" 2>&1
check "the gates and the preflight run @gf_enrollment_checkers' downloaded enrollcheck and gfenroll" \
  bash -c "grep -qx '@gf_enrollment_checkers//:enrollcheck-$host_platform' '$logs/prebuilt-deps.log' && grep -qx '@gf_enrollment_checkers//:gfenroll-$host_platform' '$logs/prebuilt-deps.log'"
check "nothing of gf_enrollment's Go sources or rules_go is in their dependencies" \
  bash -c "! grep -qE '^@gf_enrollment//tools|rules_go|go_sdk' '$logs/prebuilt-deps.log'"
fetched=$(bz cold info output_base 2>/dev/null)/external/gf_enrollment_checkers/enrollcheck-$host_platform
check "the fetched enrollcheck is the release's ($(cut -c1-12 <<<"$(sha256sum <"$fetched" 2>/dev/null)"))" \
  cmp -s "$fetched" "$release/enrollcheck-$host_platform"
# With an empty repository cache: Bazel's cache serves a download by its sha256, so a machine
# that already holds the genuine binary never reads the tampered file at all.
bz cold build --repository_cache="$scratch/empty-repository-cache" @tampered_checkers//:enrollcheck >"$logs/tampered.log" 2>&1
rc=$?
check "a file that is not the release's fails the fetch (exit $rc)" test "$rc" -ne 0
check "  with a message naming the binary, the platform and the URL" \
  has "$logs/tampered.log" "sha256 mismatch for the prebuilt enrollcheck (platform $host_platform) from file://$scratch/tampered/enrollcheck-$host_platform"
check "  and the fix" has "$logs/tampered.log" "Fix: point base_url at the release assets of gf_enrollment $release_version"
bz cold build @unsupported_checkers//:enrollcheck >"$logs/unsupported.log" 2>&1
rc=$?
check "a platform the release has no binary for fails the fetch (exit $rc)" test "$rc" -ne 0
check "  with a message naming the platform, the URL and the fix" \
  has "$logs/unsupported.log" "no prebuilt enrollcheck for platform windows_amd64 in release $release_version (it has: $host_platform); the URL would be file://$release/enrollcheck-windows_amd64. Fix:"

# ---- 3. test outputs: rule-level JUnit, reports, no absolute paths ---------------------------
step "3. test.xml has one testcase per rule; outputs carry no absolute path"
testlogs=$(bz cold info bazel-testlogs 2>/dev/null)
for g in "${gates[@]}"; do
  dir=$testlogs/enrollment/enrollment_${g}_test
  xml=$dir/test.xml
  # --workflow-pins as the macro passes it: the pins/workflow-* rules are testcases of the
  # workflows test, not of the pins test.
  direct=$("$scratch/bin/enrollcheck" "$g" --workflow-pins --overlay-root "$consumer" --tfvars tofu/stacks/arc-runners/tinyland.tfvars --format junit 2>/dev/null | grep -c '<testcase')
  got=$(grep -c '<testcase' "$xml" 2>/dev/null)
  check "$g: test.xml has $got testcases = the $direct rules the gate evaluates" test "${got:-0}" -eq "$direct" -a "$direct" -gt 1
  check "$g: every testcase is a $g rule" bash -c "! grep -o '<testcase [^>]*name=\"[^\"]*\"' '$xml' | grep -v 'name=\"$g/' | grep -v 'name=\"pins/workflow-'"
  unzip -o -q "$dir/test.outputs/outputs.zip" -d "$scratch/outputs-$g" 2>/dev/null
  check "$g: reports in outputs.zip: $(cd "$scratch/outputs-$g" 2>/dev/null && ls | tr '\n' ' ')" test -s "$scratch/outputs-$g/$g.report.json" -a -s "$scratch/outputs-$g/$g.report.sarif" -a -s "$scratch/outputs-$g/$g.report.txt"
  leaks=$(grep -rlE "$scratch|/sandbox/|execroot|bazel-out" "$xml" "$dir/test.log" "$scratch/outputs-$g" 2>/dev/null | sed "s|$scratch|<scratch>|")
  check "$g: no absolute or sandbox path in test.xml, test.log or the reports${leaks:+ (found in: $leaks)}" test -z "$leaks"
done

bz cold shutdown >/dev/null 2>&1

# ---- 4. remote cache: a fresh output base hits for every test --------------------------------
step "4. fresh output base, same remote cache: every test is a remote cache hit"
t0=$(now)
bz warm test //enrollment:all --config=remote --remote_cache="$remote_grpc" >"$logs/warm.log" 2>&1
rc=$?
warm_wall=$(elapsed "$t0" "$(now)")
check "exit 0 (got $rc)" test "$rc" -eq 0
read -r ran total <<<"$(executed "$logs/warm.log")"
check "Executed 0 out of ${#gates[@]} tests (got ${ran:-?} out of ${total:-?})" test "${ran:-}/${total:-}" = "0/${#gates[@]}"
warm_hits=$(cache_hits "$logs/warm.log")
check "remote cache hits: ${warm_hits:-0} (want >= ${#gates[@]})" test "${warm_hits:-0}" -ge "${#gates[@]}"
for g in "${gates[@]}"; do
  check "$g: (cached) PASSED" test "$(status "$logs/warm.log" "//enrollment:enrollment_${g}_test")" = "(cached) PASSED"
done
check "test.xml restored from the cache" test -s "$(bz warm info bazel-testlogs 2>/dev/null)/enrollment/enrollment_pins_test/test.xml"

# The preflight's tags keep a result out of every cache: a passing test with the same tags
# runs again each time, also with the remote cache on, and uploads nothing.
before=$(remote_files)
for attempt in 1 2; do
  bz warm test //live:tagged_like_preflight_test --config=remote --remote_cache="$remote_grpc" >"$logs/live-$attempt.log" 2>&1
  check "a test tagged like the preflight runs again (run $attempt: $(status "$logs/live-$attempt.log" //live:tagged_like_preflight_test), executed $(executed "$logs/live-$attempt.log"))" \
    test "$(status "$logs/live-$attempt.log" //live:tagged_like_preflight_test)" = PASSED -a "$(executed "$logs/live-$attempt.log")" = "1 1"
done
check "and uploads nothing to the remote cache ($before blobs before, $(remote_files) after)" test "$(remote_files)" = "$before"

# ---- 5. precise invalidation ----------------------------------------------------------------
step "5. editing one input re-runs exactly the gates that read it"
# edit FILE EXPECTED_GATES...: append a comment to FILE, rerun, compare what ran.
edit_and_rerun() {
  local file=$1 label=$2
  shift 2
  printf '\n# smoke edit %s\n' "$RANDOM" >>"$consumer/$file"
  bz warm test //enrollment:all --config=remote --remote_cache="$remote_grpc" >"$logs/edit-$label.log" 2>&1
  local rc=$? g want ran_gates=""
  for g in "${gates[@]}"; do
    [[ $(status "$logs/edit-$label.log" "//enrollment:enrollment_${g}_test") == PASSED ]] && ran_gates+="$g "
  done
  want="$* "
  check "edit $file (exit $rc): re-ran [${ran_gates% }], want [${want% }]" test "$rc" -eq 0 -a "$ran_gates" = "$want"
}
edit_and_rerun .github/workflows/docker-images.yaml workflow enrollment workflows admission
edit_and_rerun tofu/stacks/arc-runners/tinyland.tfvars tfvars enrollment taxonomy admission
edit_and_rerun MODULE.bazel module pins

# ---- 6. broken overlays: exactly the right gate fails --------------------------------------
step "6. broken overlays: exactly the gates their goldens name fail"
bz warm test --keep_going //broken/... >"$logs/broken.log" 2>&1
for name in $(printf '%s\n' "${!broken_expect[@]}" | sort); do
  want=${broken_expect[$name]}
  failing=""
  for g in "${gates[@]}"; do
    s=$(status "$logs/broken.log" "//broken/$name:enrollment_${g}_test")
    case $s in
    FAILED) failing+="$g " ;;
    PASSED | "(cached) PASSED") ;;
    *) failing+="$g($s) " ;;
    esac
  done
  # want is sorted by name; failing follows the gate order.
  failing=$(printf '%s' "$failing" | tr ' ' '\n' | grep . | sort | tr '\n' ' ')
  if [[ -n ${broken_pass[$name]-} ]]; then
    check "broken/$name (pass case): failing [${failing% }], want none" test -z "$failing" -a -z "$want"
  else
    check "broken/$name: failing [${failing% }], want [${want% }]" test "$failing" = "$want" -a -n "$want"
  fi
done
for s in "${broken_skipped[@]+"${broken_skipped[@]}"}"; do echo "  skip  broken/$s"; done
# Each gate has at least one broken variant that fails it (when the fixtures have one).
all_expected=" ${broken_expect[*]} "
for g in "${gates[@]}"; do
  check "at least one broken variant fails the $g gate" test "${all_expected/ $g /}" != "$all_expected"
done

# ---- 7. a second passing overlay (personal account, expected warning) ------------------------
step "7. an overlay in an external repository (personal account, expected warning) passes"
bz warm test //personal:all >"$logs/personal.log" 2>&1
check "bazel test //personal:all passes (exit $?)" test "$(executed "$logs/personal.log")" = "${#gates[@]} ${#gates[@]}"
check "taxonomy JUnit reports the warning as expected" grep -q 'repo-registration-anchor' "$(bz warm info bazel-testlogs 2>/dev/null)/personal/enrollment_taxonomy_test/test.xml"

# ---- 8. custom checks and crashing checkers -------------------------------------------------
step "8. custom check, negative fixture, crashing checker"
bz warm test //custom:all >"$logs/custom.log" 2>&1
check "custom check passes on the overlay and finds the unbounded set in the fixture (exit $?)" test "$(executed "$logs/custom.log")" = "2 2"
bz warm test //failing:all --test_output=errors >"$logs/failing.log" 2>&1
rc=$?
check "crashing checkers fail the tests (exit $rc)" test "$rc" -ne 0
for t in crashing_checker_test crash_expecting_blockers_test; do
  check "//failing:$t FAILED" test "$(status "$logs/failing.log" "//failing:$t")" = FAILED
done
check "the crash's stderr is in the test log" has "$logs/failing.log" "crash.sh: simulated checker crash"
check "the launcher names the signal" has "$logs/failing.log" "checker exited with status 139: killed by signal 11"

# ---- 9. launcher without a runfiles tree (manifest only) -------------------------------------
step "9. the launcher works from a runfiles manifest alone"
bin=$(bz warm info bazel-bin 2>/dev/null)
mkdir -p "$scratch/manifest-only"
cp "$bin/enrollment/enrollment_taxonomy_test.gfcheck.sh" "$scratch/manifest-only/launcher.sh"
(cd "$scratch/manifest-only" && env -u RUNFILES_DIR -u TEST_SRCDIR \
  RUNFILES_MANIFEST_FILE="$bin/enrollment/enrollment_taxonomy_test.gfcheck.sh.runfiles_manifest" \
  ./launcher.sh >"$logs/manifest-only.log" 2>&1)
rc=$?
check "manifest-only run of the taxonomy test passes (exit $rc)" test "$rc" -eq 0
check "it checked the staged tfvars" has "$logs/manifest-only.log" "0 blockers"

# ---- 10. the live preflight target ----------------------------------------------------------
step "10. the live preflight: bazel run reaches the full CLI; bazel test finds ~/.kube/config"
bz warm run //enrollment:enrollment_preflight -- --help >"$logs/preflight-run.log" 2>&1
rc=$?
if grep -q 'unknown command "preflight"' "$logs/preflight-run.log"; then
  echo "  skip  gfenroll has no preflight command yet"
else
  check "bazel run //enrollment:enrollment_preflight -- --help (exit $rc) shows the preflight usage" grep -qi "preflight" "$logs/preflight-run.log"
fi

# The operator's kubeconfig in its default place, ~/.kube/config, with the overlay's context
# (honey) pointing at a port nothing listens on: with --config=live the preflight test finds the
# context and reports the cluster unreachable; without it, Bazel gives the test a scratch HOME
# and the context is not found.
fake_home=$scratch/home
mkdir -p "$fake_home/.kube"
cat >"$fake_home/.kube/config" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: honey
    cluster:
      server: https://127.0.0.1:$(free_port)
contexts:
  - name: honey
    context:
      cluster: honey
      user: honey
current-context: honey
users:
  - name: honey
    user:
      token: smoke-not-a-secret
EOF
preflight_log=$(bz warm info bazel-testlogs 2>/dev/null)/enrollment/enrollment_preflight_test/test.log
# live NAME ARGS...: bazel with the fake HOME and none of the caller's credentials.
live() { (unset GITHUB_TOKEN GH_TOKEN KUBECONFIG; HOME=$fake_home bz warm "$@"); }
live test //enrollment:enrollment_preflight_test --config=live >"$logs/live-home.log" 2>&1
cp "$preflight_log" "$logs/live-home.test.log" 2>/dev/null
check "bazel test ..._preflight_test --config=live finds context honey in ~/.kube/config" \
  bash -c "grep -q 'preflight/kube-unreachable: context \"honey\"' '$logs/live-home.test.log' && ! grep -q 'is not in' '$logs/live-home.test.log'"
live test //enrollment:enrollment_preflight_test >"$logs/live-nohome.log" 2>&1
cp "$preflight_log" "$logs/live-nohome.test.log" 2>/dev/null
check "without --config=live the test's HOME is Bazel's, and the context is not found" \
  grep -q 'context "honey" is not in' "$logs/live-nohome.test.log"
live run //enrollment:enrollment_preflight >"$logs/live-run.log" 2>&1
check "bazel run //enrollment:enrollment_preflight finds it too" grep -q 'preflight/kube-unreachable: context "honey"' "$logs/live-run.log"

# ---- 11. Starlark unit and analysis tests of the rules --------------------------------------
step "11. Starlark unit and analysis tests (rules/tests, skylib unittest/analysistest)"
bz warm test @gf_enrollment//rules/tests:all >"$logs/starlark-tests.log" 2>&1
rc=$?
read -r ran total <<<"$(executed "$logs/starlark-tests.log")"
check "bazel test @gf_enrollment//rules/tests:all (exit $rc): ${ran:-?} run, ${total:-?} tests, all pass" \
  bash -c "[[ $rc -eq 0 && ${total:-0} -ge 13 ]] && grep -q 'tests pass' '$logs/starlark-tests.log'"

# ---- 12. the BCR test module against the release archive -----------------------------------
step "12. e2e/bcr (the BCR test module) in WORKSPACE mode: the release archive, prebuilt checkers"
# The README's WORKSPACE lines, with file:// URLs: gf_enrollment from the release's source
# archive (HEAD, integrity.bzl stamped) under the test module's repo name, the checkers from
# the release assets. No local_repository of this worktree, no Go.
bcr=$scratch/bcr
mkdir -p "$bcr"
cp -R e2e/bcr/. "$bcr/"
rm -f "$bcr/MODULE.bazel"
cp "$consumer/.bazelrc" "$bcr/.bazelrc"
archive_sha=$(sha256sum <"$release/gf_enrollment-v$release_version.tar.gz" | cut -d' ' -f1)
cat >"$bcr/WORKSPACE" <<EOF
workspace(name = "gf_enrollment_bcr_tests")

load("@bazel_tools//tools/build_defs/repo:http.bzl", "http_archive")

http_archive(
    name = "my_gf_enrollment",
    sha256 = "$archive_sha",
    strip_prefix = "gf_enrollment-$release_version",
    urls = ["file://$release/gf_enrollment-v$release_version.tar.gz"],
)

load("@my_gf_enrollment//rules:repositories.bzl", "gf_enrollment_checkers")

gf_enrollment_checkers(base_url = "file://$release")

new_local_repository(
    name = "tinyland_org",
    build_file = "//:overlay.BUILD.bazel",
    path = "$repo/e2e/overlays/tinyland-org",
)

new_local_repository(
    name = "jess_personal",
    build_file = "//:overlay.BUILD.bazel",
    path = "$repo/e2e/overlays/jess-personal",
)
EOF
bzb() { # bazel in the BCR test module's workspace, own output base
  (cd "$bcr" && bazel --output_user_root="$user_root" --output_base="$scratch/ob/bcr" --max_idle_secs=900 "$@")
}
output_bases+=("$scratch/ob/bcr")
t0=$(now)
bzb test //... >"$logs/bcr.log" 2>&1
rc=$?
bcr_wall=$(elapsed "$t0" "$(now)")
read -r ran total <<<"$(executed "$logs/bcr.log")"
check "bazel test //... (exit $rc): ${ran:-?} of ${total:-?} tests ran and passed" test "$rc" -eq 0 -a "${ran:-}/${total:-}" = "$((2 * ${#gates[@]}))/$((2 * ${#gates[@]}))"
bzb build //... >"$logs/bcr-build.log" 2>&1
rc=$?
check "bazel build //... also builds the preflight targets (exit $rc)" test "$rc" -eq 0 -a -x "$(bzb info bazel-bin 2>/dev/null)/enrollment/tinyland_org_preflight.gfcheck.sh"
bzb query 'deps(//enrollment:tinyland_org_pins_test) union deps(//enrollment:preflights)' >"$logs/bcr-deps.log" 2>&1
check "its gates and preflights run the release's prebuilt enrollcheck and gfenroll" \
  bash -c "grep -qx '@gf_enrollment_checkers//:enrollcheck-$host_platform' '$logs/bcr-deps.log' && grep -qx '@gf_enrollment_checkers//:gfenroll-$host_platform' '$logs/bcr-deps.log'"
bzb shutdown >/dev/null 2>&1

# ---- figures --------------------------------------------------------------------------------
step "figures"
go list -deps -f '{{if not .Standard}}{{.ImportPath}}{{end}}' ./tools/enrollcheck >"$logs/enrollcheck-deps.txt"
nonstd=$(grep -c . "$logs/enrollcheck-deps.txt")
modules=$(go list -deps -f '{{with .Module}}{{.Path}}{{end}}' ./tools/enrollcheck | sort -u | grep -v '^github.com/tinyland-inc/gf-enrollment$' | tr '\n' ' ')
check "enrollcheck links no k8s.io and no go-github package" bash -c "! grep -qE '^(k8s\.io/|github\.com/google/go-github)' '$logs/enrollcheck-deps.txt'"
# Bazel's own account (after server start-up): elapsed time and critical path.
bazel_times() { sed -nE 's/^INFO: Elapsed time: ([0-9.]+)s, Critical Path: ([0-9.]+)s.*/Bazel elapsed \1 s, critical path \2 s/p' "$1" | tail -n1; }
echo "  cold bazel test //enrollment:all (new output base, empty cache): ${cold_wall} s wall ($(bazel_times "$logs/cold.log"))"
echo "  warm bazel test //enrollment:all (new output base, remote hits):  ${warm_wall} s wall ($(bazel_times "$logs/warm.log")), ${warm_hits:-0} remote cache hits"
echo "  cold bazel test //... of e2e/bcr (release archive + prebuilt checkers, new output base): ${bcr_wall} s wall ($(bazel_times "$logs/bcr.log"))"
echo "  release assets: $(cd "$release" && for f in enrollcheck-* gfenroll-* gf_enrollment-*.tar.gz; do printf '%s %s bytes; ' "$f" "$(stat -c %s "$f")"; done)"
[[ -n $cold_go_build ]] && echo "  cold go build of tools/enrollcheck: ${cold_go_build} s"
echo "  enrollcheck links $nonstd non-standard packages from: ${modules}"

echo
echo "smoke: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
}

main "$@"; exit $? # on one line: bash never reads past it, even if the file changed meanwhile
