#!/usr/bin/env bash
# A real kube-apiserver + etcd on 127.0.0.1 for the live-preflight integration tests.
#
#   e2e/kube/testenv.sh build   build (or find cached) kube-apiserver and etcd; prints the bin dir
#   e2e/kube/testenv.sh start   build, then start etcd + kube-apiserver, install the ARC CRD,
#                               write kubeconfigs and STATE/env; prints that env file's path
#   e2e/kube/testenv.sh stop    stop both daemons (by pid, guarded) and remove the state dir
#   e2e/kube/testenv.sh env     print the env file path of a running test environment
#
# Environment:
#   GFENROLL_KUBE_TESTENV     state dir. Unset, start makes a fresh one per run
#                             (${TMPDIR:-/tmp}/gfenroll-kube-testenv-$UID.XXXXXX), so two runs
#                             by one user never share (or stop) each other's servers; the env
#                             file exports it, and stop needs it. env without it finds the
#                             one running environment of this user, and refuses when several run.
#   GFENROLL_KUBE_CACHE       binary cache (default $HOME/.cache/gf-enrollment/kube)
#   GFENROLL_KUBE_KEEP_STATE  1: stop keeps the state dir (logs, audit log) for inspection
#
# Everything listens on 127.0.0.1 only, on random free ports. See e2e/kube/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build_dir="$here/build"
state="${GFENROLL_KUBE_TESTENV:-}"
state_prefix="${TMPDIR:-/tmp}/gfenroll-kube-testenv-$(id -u)"
cache_root="${GFENROLL_KUBE_CACHE:-$HOME/.cache/gf-enrollment/kube}"

# The restricted identity the preflight tests run as, and its kubeconfig context name
# (mirrors the overlays' substrate.cluster.context).
restricted_user="gfenroll-preflight"
restricted_context="honey"
admin_user="gfenroll-testenv-admin"

log() { printf 'testenv: %s\n' "$*" >&2; }
die() {
	printf 'testenv: error: %s\n' "$*" >&2
	exit 1
}

need() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool not found on PATH"
	done
}

# k8s_version prints the k8s.io/kubernetes version the build module pins.
k8s_version() {
	awk '$1 == "k8s.io/kubernetes" && $2 ~ /^v/ { print $2; exit }' "$build_dir/go.mod"
}

# ldflags stamps the version the build scripts of Kubernetes would, so /version reports
# the release instead of v0.0.0-master.
ldflags() {
	local v major minor
	v="$(k8s_version)"
	major="${v#v}"
	major="${major%%.*}"
	minor="${v#v*.}"
	minor="${minor%%.*}"
	local pkg out="-s -w"
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		out+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
	done
	printf '%s' "$out"
}

# cache_dir is keyed by everything that decides the binaries' bytes: the pinned module
# graph, the Go toolchain and the link flags.
cache_dir() {
	local key
	key="$(
		{
			cat "$build_dir/go.mod" "$build_dir/go.sum"
			go version
			ldflags
		} | sha256sum
	)"
	printf '%s/%s' "$cache_root" "${key:0:16}"
}

cmd_build() {
	need go sha256sum
	[[ -n "$(k8s_version)" ]] || die "$build_dir/go.mod does not require k8s.io/kubernetes"
	local dir
	dir="$(cache_dir)"
	if [[ -x "$dir/kube-apiserver" && -x "$dir/etcd" ]]; then
		printf '%s\n' "$dir"
		return 0
	fi
	mkdir -p "$cache_root"
	local tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	# A failed or interrupted build leaves no half-published directory behind.
	trap "rm -rf '$tmp'" EXIT
	log "building kube-apiserver $(k8s_version) and etcd into $dir (cold: several minutes)"
	local start=$SECONDS
	(
		cd "$build_dir"
		export GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0
		go build -trimpath -ldflags "$(ldflags)" -o "$tmp/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver
		go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3
	) >&2
	# Publish atomically; when a concurrent build won the race, keep its result.
	if ! mv -T "$tmp" "$dir" 2>/dev/null; then
		[[ -x "$dir/kube-apiserver" && -x "$dir/etcd" ]] || die "could not publish $dir"
		rm -rf "$tmp"
	fi
	trap - EXIT
	log "built in $((SECONDS - start)) s"
	printf '%s\n' "$dir"
}

# port_in_use reports whether a TCP port has a listener (IPv4 or IPv6, any address).
port_in_use() {
	local hex
	hex="$(printf ':%04X ' "$1")"
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$hex" '$4 == "0A" && index($2 " ", p) { f = 1 } END { exit !f }'
}

# free_port picks a random port below the kernel's default ephemeral range (so outgoing
# connections never take it) that has no listener.
free_port() {
	local p i
	for ((i = 0; i < 200; i++)); do
		p=$((20000 + RANDOM % 12000))
		port_in_use "$p" || {
			printf '%s' "$p"
			return 0
		}
	done
	die "no free port found"
}

# pid_alive reports whether pid runs the binary named $2 (and is not a zombie). The exe
# check guards against a reused pid: never signal a process we did not start.
pid_alive() {
	local pid="$1" name="$2" exe st
	[[ "$pid" =~ ^[0-9]+$ ]] || return 1
	exe="$(readlink "/proc/$pid/exe" 2>/dev/null)" || return 1
	exe="${exe% (deleted)}"
	[[ "${exe##*/}" == "$name" ]] || return 1
	st="$(awk '/^State:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" || return 1
	# A zombie was already killed; its parent (often init) reaps it later.
	[[ -n "$st" && "$st" != Z ]]
}

stop_daemon() {
	local name="$1" pidfile="$state/$1.pid" pid i
	[[ -f "$pidfile" ]] || return 0
	pid="$(cat "$pidfile")"
	if pid_alive "$pid" "$name"; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 75; i++)); do
			pid_alive "$pid" "$name" || break
			sleep 0.1
		done
		if pid_alive "$pid" "$name"; then
			log "$name ($pid) ignored SIGTERM for 7.5 s; killing"
			kill -KILL "$pid" 2>/dev/null || true
			for ((i = 0; i < 50; i++)); do
				pid_alive "$pid" "$name" || break
				sleep 0.1
			done
		fi
	fi
	rm -f "$pidfile"
}

cmd_stop() {
	[[ -d "$state" ]] || return 0
	stop_daemon kube-apiserver
	stop_daemon etcd
	if [[ "${GFENROLL_KUBE_KEEP_STATE:-}" == 1 ]]; then
		log "kept $state"
	else
		rm -rf "$state"
	fi
}

# wait_for polls a command until it succeeds or the daemon died or the limit passed.
wait_for() {
	local what="$1" name="$2" limit="$3" i
	shift 3
	for ((i = 0; i < limit * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		pid_alive "$(cat "$state/$name.pid")" "$name" || break
		sleep 0.1
	done
	log "$what did not come up; last lines of $state/$name.log:"
	tail -n 25 "$state/$name.log" >&2 || true
	return 1
}

write_pki() {
	local d="$state/pki"
	mkdir -p "$d"
	(
		cd "$d"
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=gfenroll-testenv-ca \
			-keyout ca.key -out ca.crt 2>/dev/null
		openssl req -newkey rsa:2048 -nodes -subj /CN=kube-apiserver \
			-keyout serving.key -out serving.csr 2>/dev/null
		printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
			'extendedKeyUsage=serverAuth' 'keyUsage=digitalSignature,keyEncipherment' >serving.ext
		openssl x509 -req -in serving.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
			-extfile serving.ext -out serving.crt 2>/dev/null
		openssl genrsa -out sa.key 2048 2>/dev/null
		openssl rsa -in sa.key -pubout -out sa.pub 2>/dev/null
		rm -f serving.csr serving.ext ca.srl
	)
}

# write_kubeconfig FILE CONTEXT USER TOKEN
write_kubeconfig() {
	cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
  - name: gfenroll-testenv
    cluster:
      server: $url
      certificate-authority: $state/pki/ca.crt
users:
  - name: $3
    user:
      token: $4
contexts:
  - name: $2
    context:
      cluster: gfenroll-testenv
      user: $3
current-context: $2
EOF
	chmod 600 "$1"
}

# kcurl calls the apiserver as admin; the token is passed through a header file so it
# never shows in a process listing.
kcurl() {
	curl -sS --fail --max-time 10 --cacert "$state/pki/ca.crt" -H "@$state/admin.header" "$@"
}

install_crd() {
	kcurl -o /dev/null -X POST -H 'Content-Type: application/yaml' \
		--data-binary "@$here/crd/autoscalingrunnersets.yaml" \
		"$url/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
	# Established is not enough: the resource is served a moment later (404 before).
	local i
	for ((i = 0; i < 300; i++)); do
		kcurl -o /dev/null "$url/apis/actions.github.com/v1alpha1/autoscalingrunnersets?limit=1" 2>/dev/null && return 0
		sleep 0.1
	done
	die "the AutoscalingRunnerSet CRD was not served within 30 s"
}

start_once() {
	local bin="$1"
	rm -rf "$state"
	mkdir -p "$state"
	chmod 700 "$state"
	write_pki
	local admin_token restricted_token
	admin_token="$(openssl rand -hex 24)"
	restricted_token="$(openssl rand -hex 24)"
	printf '%s,%s,uid-admin,"system:masters"\n%s,%s,uid-preflight,"gfenroll:preflight"\n' \
		"$admin_token" "$admin_user" "$restricted_token" "$restricted_user" >"$state/tokens.csv"
	printf 'Authorization: Bearer %s\n' "$admin_token" >"$state/admin.header"
	chmod 600 "$state/tokens.csv" "$state/admin.header"

	local etcd_port etcd_peer apiserver_port
	etcd_port="$(free_port)"
	etcd_peer="$(free_port)"
	apiserver_port="$(free_port)"
	[[ "$etcd_port" != "$etcd_peer" && "$etcd_peer" != "$apiserver_port" && "$etcd_port" != "$apiserver_port" ]] ||
		die "port collision"
	url="https://127.0.0.1:$apiserver_port"

	"$bin/etcd" --name testenv --data-dir "$state/etcd" \
		--listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
		--listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
		--initial-cluster "testenv=http://127.0.0.1:$etcd_peer" \
		--unsafe-no-fsync --log-level warn >"$state/etcd.log" 2>&1 </dev/null &
	echo $! >"$state/etcd.pid"
	wait_for etcd etcd 30 curl -sf "http://127.0.0.1:$etcd_port/health"

	"$bin/kube-apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" \
		--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$apiserver_port" \
		--tls-cert-file="$state/pki/serving.crt" --tls-private-key-file="$state/pki/serving.key" \
		--client-ca-file="$state/pki/ca.crt" --token-auth-file="$state/tokens.csv" \
		--service-account-issuer=https://kubernetes.default.svc.cluster.local \
		--service-account-key-file="$state/pki/sa.pub" --service-account-signing-key-file="$state/pki/sa.key" \
		--service-cluster-ip-range=10.0.0.0/24 --authorization-mode=RBAC \
		--audit-policy-file="$here/audit-policy.yaml" --audit-log-path="$state/audit.log" \
		--audit-log-format=json --audit-log-mode=blocking --profiling=false \
		>"$state/kube-apiserver.log" 2>&1 </dev/null &
	echo $! >"$state/kube-apiserver.pid"
	wait_for kube-apiserver kube-apiserver 120 kcurl "$url/readyz"

	install_crd
	write_kubeconfig "$state/kubeconfig-admin" gfenroll-testenv-admin "$admin_user" "$admin_token"
	write_kubeconfig "$state/kubeconfig-restricted" "$restricted_context" "$restricted_user" "$restricted_token"

	local version
	version="$(kcurl "$url/version" | awk -F'"' '$2 == "gitVersion" { print $4 }')"
	cat >"$state/env" <<EOF
# Written by e2e/kube/testenv.sh start; source it. Tokens live only in the kubeconfigs.
export GFENROLL_KUBE_TESTENV='$state'
export GFENROLL_KUBE_URL='$url'
export GFENROLL_KUBE_VERSION='$version'
export GFENROLL_KUBE_CA='$state/pki/ca.crt'
export GFENROLL_KUBE_CA_KEY='$state/pki/ca.key'
export GFENROLL_KUBE_ADMIN_KUBECONFIG='$state/kubeconfig-admin'
export GFENROLL_KUBE_RESTRICTED_KUBECONFIG='$state/kubeconfig-restricted'
export GFENROLL_KUBE_RESTRICTED_CONTEXT='$restricted_context'
export GFENROLL_KUBE_RESTRICTED_USER='$restricted_user'
export GFENROLL_KUBE_AUDIT_LOG='$state/audit.log'
# Anything that loads the default kubeconfig talks to this server, never a real cluster.
export KUBECONFIG='$state/kubeconfig-admin'
EOF
	log "kube-apiserver $version ready at $url; source $state/env"
}

# find_state sets state to the one running environment of this user when no state dir
# was given (the legacy fixed path counts too).
find_state() {
	[[ -z "$state" ]] || return 0
	local found=() d
	for d in "$state_prefix" "$state_prefix".*; do
		[[ -f "$d/env" ]] && found+=("$d")
	done
	case ${#found[@]} in
	0) die "no test environment running (none under $state_prefix*); start one with $0 start" ;;
	1) state="${found[0]}" ;;
	*) die "several test environments run (${found[*]}); set GFENROLL_KUBE_TESTENV to the one you mean" ;;
	esac
}

cmd_start() {
	need openssl curl awk
	local bin
	bin="$(cmd_build | tail -n 1)"
	if [[ -z "$state" ]]; then
		# Private to this run: another run's stop can never reach it.
		state="$(mktemp -d "$state_prefix.XXXXXX")"
		export GFENROLL_KUBE_TESTENV="$state"
	fi
	cmd_stop # leftovers of an aborted run in the same state dir
	# Whatever fails or is interrupted from here on must not leave daemons running.
	child=""
	trap 'cmd_stop' EXIT
	trap 'stop_child; exit 130' INT TERM
	local attempt
	for attempt in 1 2 3; do
		# A port picked free can be taken before the daemon binds it; retry with new ports.
		# start_once runs in its own process (inside `if`, bash would ignore set -e) and in
		# the background, so a signal interrupts `wait` at once instead of after it.
		"${BASH_SOURCE[0]}" __start_once "$bin" &
		child=$!
		if wait "$child"; then
			child=""
			trap - EXIT INT TERM
			printf '%s\n' "$state/env"
			return 0
		fi
		child=""
		log "start attempt $attempt failed"
		GFENROLL_KUBE_KEEP_STATE=0 cmd_stop
	done
	die "could not start the test environment"
}

# stop_child interrupts a start in progress; its own trap kills the daemons it spawned.
stop_child() {
	[[ -n "${child:-}" ]] || return 0
	kill -TERM "$child" 2>/dev/null || true
	wait "$child" 2>/dev/null || true
}

case "${1:-}" in
build) cmd_build ;;
start) cmd_start ;;
stop)
	# Only the environment named: stopping "the" one by guess could stop another run's.
	[[ -n "$state" ]] || die "stop needs GFENROLL_KUBE_TESTENV (the env file of the environment exports it)"
	cmd_stop
	;;
__start_once)
	# Interrupted: kill the daemons started so far, even one whose pid file is not
	# written yet (bash runs the trap between `daemon &` and `echo $! >pidfile`).
	trap 'kill -TERM $(jobs -p) 2>/dev/null; exit 143' INT TERM
	start_once "$2"
	;;
env)
	find_state
	[[ -f "$state/env" ]] || die "no test environment running in $state"
	printf '%s\n' "$state/env"
	;;
*)
	echo "usage: $0 build|start|stop|env" >&2
	exit 2
	;;
esac
