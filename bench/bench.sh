#!/bin/bash
# bench/bench.sh: HTTP load benchmark of patrol behind lighttpd, on loopback.
#
# Uses an existing build (default ./build, made by ./run.sh or ./test.sh),
# installs wrk when missing (Debian package wrk), creates a throw-away state
# directory (mktemp -d) with an ORG_ADMIN identity owning 10 PATs and another
# owning 1000, starts lighttpd with etc/lighttpd.conf on a free port of
# 127.0.0.1, and runs wrk against each scenario:
#   oauth-token     POST /oauth/token (form-urlencoded client credentials)
#   duo-get         GET /beta/mfa/duo-web/config
#   pat-list-10     GET /beta/personal-access-tokens?owner-id=me, 10 PATs
#   pat-list-1000   the same, 1000 PATs
#   pat-list-filter the same 1000 with filters=lastUsed le <date> (250 match)
# Before them, the same-run baselines: a 2400-byte static file and a libfcgi
# hello responder (bench/hello.c) behind a second lighttpd set up like the
# first (bench/reference-lighttpd.conf), as in shared/FASTCGI-NOTES.md.
# Every server is stopped by PID at exit, with the responders it spawned, and
# the state directory is removed (unless --keep). Not a test: make check does
# not run it. docs/performance.md has the figures measured with it.
#
# usage: bench/bench.sh [options]
#   --build DIR        build tree (default: $PATROL_BUILD, else ./build)
#   --duration SEC     seconds per measured run (default 10)
#   --warmup SEC       seconds of unmeasured load before each run (default 2)
#   --threads N        wrk threads (default 2)
#   --connections N    wrk connections (default 32)
#   --large N          PATs of the large listing (default 1000)
#   --procs O,B        also measure with max-procs O for patrol-oauth and B
#                      for patrol-beta (a copy of etc/lighttpd.conf in the
#                      state directory; the option may be repeated)
#   --no-reference     skip the static-file and libfcgi-hello baselines
#   --perf DIR         after each patrol scenario, load it again for the same
#                      time under `perf record -a` (cpu-clock) and write the
#                      reports to DIR (those runs are not in the table)
#   --keep             keep the state directory (logs, database)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PATROL_BUILD:-$ROOT/build}
DURATION=10
WARMUP=2
THREADS=2
CONNS=32
LARGE=1000
PROCS=()
REFERENCE=1
PERF_DIR=
KEEP=0

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '/^# usage:/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=${2:?}; shift ;;
	--duration) DURATION=${2:?}; shift ;;
	--warmup) WARMUP=${2:?}; shift ;;
	--threads) THREADS=${2:?}; shift ;;
	--connections) CONNS=${2:?}; shift ;;
	--large) LARGE=${2:?}; shift ;;
	--procs) PROCS+=("${2:?}"); shift ;;
	--no-reference) REFERENCE=0 ;;
	--perf) PERF_DIR=${2:?}; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
for v in DURATION WARMUP THREADS CONNS LARGE; do
	case ${!v} in ''|*[!0-9]*) die "$v must be a whole number" ;; esac
done
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 300 ] ||
	die "--duration must be 1 to 300 seconds"
[ "$WARMUP" -le 60 ] || die "--warmup must be at most 60 seconds"
[ "$LARGE" -ge 11 ] && [ "$LARGE" -le 100000 ] ||
	die "--large must be 11 to 100000"
for p in ${PROCS[@]+"${PROCS[@]}"}; do
	case $p in [1-9],[1-9]|[1-9][0-9],[1-9]|[1-9],[1-9][0-9]|[1-9][0-9],[1-9][0-9]) ;;
	*) die "--procs takes OAUTH,BETA (1 to 99 each), got '$p'" ;; esac
done

# The build: this script never builds.
BUILD_ARG=$BUILD
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || BUILD=
CTL=$BUILD/tools/patrolctl
if [ -z "$BUILD" ] || [ ! -x "$CTL" ] || [ ! -x "$BUILD/cgi-bin/patrol-oauth" ] ||
    [ ! -x "$BUILD/cgi-bin/patrol-beta" ]; then
	cat >&2 <<EOF
bench.sh: no patrol build in $BUILD_ARG.
Build it first: ./run.sh (builds in ./build, then serves: Ctrl-C once it
serves), or ./test.sh, or by hand:
  autoreconf -fi && mkdir -p build && cd build && ../configure && make
and give another build tree with --build DIR.
EOF
	exit 1
fi

# Tools: wrk (and the run dependencies, present after ./run.sh) through the
# project's installer: apt-get, with sudo when not root.
. "$ROOT/scripts/deps.sh"
need=(wrk lighttpd sqlite3 curl jq)
[ "$REFERENCE" -eq 1 ] && need+=(libfcgi-dev gcc libc6-dev)
[ -n "$PERF_DIR" ] && need+=(linux-perf)
missing=()
for p in "${need[@]}"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
	    grep -q '^install ok installed$' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	install_missing "${missing[@]}" || die "cannot install ${missing[*]}"
fi
for c in wrk sqlite3 curl jq; do
	command -v "$c" >/dev/null || die "$c not found"
done
LIGHTTPD=
for b in "$(command -v lighttpd 2>/dev/null || true)" /usr/sbin/lighttpd \
    /usr/local/sbin/lighttpd; do
	[ -n "$b" ] && [ -x "$b" ] && { LIGHTTPD=$b; break; }
done
[ -n "$LIGHTTPD" ] || die "lighttpd not found (apt-get install lighttpd)"
PERF=
if [ -n "$PERF_DIR" ]; then
	PERF=$(command -v perf) || die "perf not found (apt-get install linux-perf)"
	mkdir -p "$PERF_DIR" && PERF_DIR=$(cd "$PERF_DIR" && pwd)
fi

# ---------------------------------------------------------------------------
# Servers: lighttpd in the foreground of a background job, stopped by PID.

SERVER_PIDS=()

alive() {	# alive PID: exists and is not a zombie
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	case $s in Z*|X*|'') return 1 ;; esac
	return 0
}

children() {	# children PID: the PIDs of its direct children
	local f line rest
	for f in /proc/[0-9]*/stat; do
		line=$(cat "$f" 2>/dev/null) || continue
		rest=${line##*) }
		# shellcheck disable=SC2086  # split the fields of /proc/PID/stat
		set -- $rest
		[ "$#" -ge 2 ] && [ "$2" = "$PARENT" ] || continue
		f=${f#/proc/}
		printf '%s\n' "${f%/stat}"
	done
}

kill_wait() {	# kill_wait PID SECONDS: SIGTERM, then SIGKILL after SECONDS
	local i=0
	alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null || true
	while alive "$1" && [ "$i" -lt $(($2 * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	alive "$1" && kill -KILL "$1" 2>/dev/null || true
	return 0
}

server_stop() {	# server_stop PID: lighttpd, then what it spawned
	local pid=$1 kids k rest=()
	kids=$(PARENT=$pid children)
	kill_wait "$pid" 10
	wait "$pid" 2>/dev/null || true
	for k in $kids; do
		kill_wait "$k" 2
	done
	for k in ${SERVER_PIDS[@]+"${SERVER_PIDS[@]}"}; do
		[ "$k" = "$pid" ] || rest+=("$k")
	done
	SERVER_PIDS=(${rest[@]+"${rest[@]}"})
}

# server_start CONF TAG: starts lighttpd on a free random port of 127.0.0.1
# (the config binds 127.0.0.1; PATROL_PORT and BENCH_PORT are both set) and
# waits until it answers with "Server: TAG". Sets SERVER_PID and BASE.
server_start() {
	local conf=$1 tag=$2 try=0 i r head
	export PATROL_PORT=8080 BENCH_PORT=8080	# for the syntax check only
	"$LIGHTTPD" -tt -f "$conf" >/dev/null 2>"$STATE/lighttpd-stderr.log" ||
		{ cat "$STATE/lighttpd-stderr.log" >&2; die "$conf does not load"; }
	while [ "$try" -lt 20 ]; do
		try=$((try + 1))
		r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
		export PATROL_PORT=$((20000 + r % 40001)) BENCH_PORT
		BENCH_PORT=$PATROL_PORT
		BASE=http://127.0.0.1:$PATROL_PORT
		: > "$STATE/lighttpd-stderr.log"
		"$LIGHTTPD" -D -f "$conf" < /dev/null > /dev/null \
		    2> "$STATE/lighttpd-stderr.log" &
		SERVER_PID=$!
		SERVER_PIDS+=("$SERVER_PID")
		for ((i = 0; i < 150; i++)); do
			alive "$SERVER_PID" || break
			head=$(curl --noproxy '*' -s -D - -o /dev/null -m 2 \
			    "$BASE/" 2>/dev/null | tr -d '\r') || true
			if grep -qx "Server: $tag" <<<"$head"; then
				return 0
			fi
			sleep 0.1
		done
		if alive "$SERVER_PID"; then
			server_stop "$SERVER_PID"
			die "lighttpd does not answer on $BASE (logs in $STATE)"
		fi
		server_stop "$SERVER_PID"
		grep -qs 'Address already in use' "$STATE/lighttpd-stderr.log" \
		    "$STATE"/*error.log && continue
		cat "$STATE/lighttpd-stderr.log" >&2
		die "lighttpd exited at startup"
	done
	die "no free port found in $try tries"
}

STATE=
cleanup() {
	local rc=$? p
	trap - EXIT
	for p in ${SERVER_PIDS[@]+"${SERVER_PIDS[@]}"}; do
		server_stop "$p"
	done
	if [ -n "$STATE" ] && [ -d "$STATE" ]; then
		if [ "$KEEP" -eq 1 ]; then
			say "state kept in $STATE"
		else
			rm -rf "$STATE"
		fi
	fi
	exit "$rc"
}
trap cleanup EXIT
set -E
trap 'printf "bench.sh: line %s: a command failed (status %s)\n" "$LINENO" "$?" >&2' ERR
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# A short path: FastCGI socket paths must fit in 107 bytes.
STATE=$(mktemp -d /tmp/patrol-bench.XXXXXX)
mkdir -p "$STATE/htdocs"

# ---------------------------------------------------------------------------
# Data: like tests/lib.sh make_state, then two identities with their PATs.

say "state in $STATE"
cat > "$STATE/patrol.conf" <<'CONF'
database = { backend = "sqlite"; path = "patrol.db"; };
token = { signing_key_file = "signing.key"; issuer = "patrol-bench"; lifetime = 43199; };
limits = { request_body_max = 65536; };
pat = { last_used_interval = 86400; };
CONF
"$CTL" --config "$STATE/patrol.conf" init >/dev/null

# make_owner NAME NPATS: an ORG_ADMIN identity with one PAT from patrolctl
# and NPATS-1 more copied from it with sqlite3 (new id and name, created
# right after it; lastUsed null for even n, n hours before creation for odd
# n). Prints "PATID SECRET".
make_owner() {
	local name=$1 n=$2 owner pat id secret
	owner=$("$CTL" --config "$STATE/patrol.conf" identity add \
	    --name "$name" --rights ORG_ADMIN)
	pat=$("$CTL" --config "$STATE/patrol.conf" pat create --owner "$owner" \
	    --name "$name" --json)
	id=$(jq -r .id <<<"$pat")
	secret=$(jq -r .secret <<<"$pat")
	if [ "$n" -gt 1 ]; then
		sqlite3 "$STATE/patrol.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $((n - 1)))
INSERT INTO pat (id, name, scope, owner_id, created, last_used, managed,
    secret_hash)
SELECT lower(hex(randomblob(16))), p.name || '-' || n.i, p.scope, p.owner_id,
    p.created + n.i,
    CASE WHEN n.i % 2 = 0 THEN NULL ELSE p.created - n.i * 3600000 END,
    p.managed, p.secret_hash
FROM n, pat p WHERE p.id = '$id';
SQL
	fi
	printf '%s %s\n' "$id" "$secret"
}

# A Duo configuration with both secrets, so that GET masks them.
"$CTL" --config "$STATE/patrol.conf" mfa duo set --file - >/dev/null <<'JSON'
{"mfaMethod": "duo-web", "enabled": true,
 "host": "api-3f2a9c1d.duosecurity.com",
 "accessKey": "DIWJ8X6AEYOR5OMC6TQ1", "identityAttribute": "email",
 "configProperties": {"skey": "Zh5eGmUq9zvT7VpqP3dR8KQnyQFTmcnD2lXkLqW1",
                      "ikey": "DIWJ8X6AEYOR5OMC6TQ1"}}
JSON

read -r SMALL_ID SMALL_SECRET < <(make_owner bench-small 10)
read -r LARGE_ID LARGE_SECRET < <(make_owner bench-large "$LARGE")
got=$(sqlite3 "$STATE/patrol.db" "SELECT count(*) FROM pat")
[ "$got" -eq $((10 + LARGE)) ] || die "expected $((10 + LARGE)) PATs, have $got"
# The filter date: n*1h before the large owner's PAT was created, n = half
# the list, so lastUsed le it matches the odd n from there on.
created=$(sqlite3 "$STATE/patrol.db" "SELECT created FROM pat WHERE id = '$LARGE_ID'")
half=$((LARGE / 2))
FILTER_DATE=$(date -u -d "@$(((created - half * 3600000) / 1000))" +%Y-%m-%dT%H:%M:%SZ)
FILTER_MATCH=$(sqlite3 "$STATE/patrol.db" "SELECT count(*) FROM pat
    WHERE id != '$LARGE_ID' AND name LIKE 'bench-large-%'
    AND last_used <= $(((created - half * 3600000) / 1000 * 1000))")

# ---------------------------------------------------------------------------
# Load runs.

ROWS=()	# "name|req/s|p50 ms|p99 ms|MB/s|bytes/resp|errors"

# The machine may be shared: each run also reports the CPU time that other
# processes used meanwhile ("other CPU", % of all CPUs): the busy time of
# /proc/stat (irq and softirq included: the kernel charges them to the
# process they interrupted too) minus that of lighttpd, its responders, wrk.
cpu_all() {	# ticks of user, nice, system, irq and softirq time, all CPUs
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}
cpu_wall() {	# ticks since boot
	awk '{ printf "%.0f\n", $1 * 100 }' /proc/uptime
}
cpu_procs() {	# cpu_procs PID...: their utime + stime ticks
	local p s t=0 f
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		read -r -a f <<<"${s##*) }"
		t=$((t + f[11] + f[12]))
	done
	echo "$t"
}
# cpu_children: sets CHILD_TICKS to the user + sys ticks of this shell's
# waited-for children (not in a subshell: `times` is per shell).
cpu_children() {
	times > "$STATE/times.txt"
	CHILD_TICKS=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) {
		split($i, a, /[ms]/); t += a[1] * 6000 + a[2] * 100 }
		printf "%.0f\n", t }' "$STATE/times.txt")
}

# run_wrk NAME URL: warm-up, then the measured run, with the request set by
# the BENCH_* variables in the environment (see bench/wrk.lua). Appends a row.
run_wrk() {
	local name=$1 url=$2 out line req dur bytes p50 p99 errs
	local args=(-t"$THREADS" -c"$CONNS" --timeout 10s -s "$ROOT/bench/wrk.lua")
	local kids a0 w0 c0 l0 r0 wall other cpu
	if [ "$WARMUP" -gt 0 ]; then
		timeout $((WARMUP + 30)) wrk "${args[@]}" -d"${WARMUP}s" "$url" \
		    >/dev/null || die "$name: wrk warm-up failed"
	fi
	say "$name: wrk -t$THREADS -c$CONNS -d${DURATION}s $url"
	read -r -a kids <<<"$(PARENT=$SERVER_PID children | tr '\n' ' ')"
	cpu_children
	a0=$(cpu_all) w0=$(cpu_wall) c0=$CHILD_TICKS
	l0=$(cpu_procs "$SERVER_PID") r0=$(cpu_procs "${kids[@]}")
	timeout $((DURATION + 60)) wrk "${args[@]}" -d"${DURATION}s" "$url" \
	    > "$STATE/wrk.out" || die "$name: wrk failed: $(cat "$STATE/wrk.out")"
	cpu_children
	wall=$(($(cpu_wall) - w0))
	l0=$(($(cpu_procs "$SERVER_PID") - l0))
	r0=$(($(cpu_procs "${kids[@]}") - r0))
	c0=$((CHILD_TICKS - c0))
	other=$(( ($(cpu_all) - a0 - c0 - l0 - r0) * 1000 / (wall * $(nproc)) ))
	[ "$other" -ge 0 ] || other=0
	other=$((other / 10)).$((other % 10))
	# CPU use in % of one CPU: lighttpd, the responders, wrk.
	cpu="$((l0 * 100 / wall))/$((r0 * 100 / wall))/$((c0 * 100 / wall))"
	out=$(cat "$STATE/wrk.out")
	line=$(grep '^@@ ' <<<"$out") || die "$name: no summary from wrk: $out"
	val() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
	req=$(val requests) dur=$(val duration_us) bytes=$(val bytes)
	p50=$(val p50_us) p99=$(val p99_us)
	errs=$(($(val connect) + $(val read) + $(val write) + $(val status) +
	    $(val timeout)))
	[ "$errs" -eq 0 ] || say "$name: $errs errors (socket or HTTP >= 400): $line"
	[ "${other%.*}" -lt 5 ] ||
		say "$name: other processes used $other % of the CPUs meanwhile"
	ROWS+=("$(awk -v n="$name" -v r="$req" -v d="$dur" -v b="$bytes" \
	    -v p50="$p50" -v p99="$p99" -v e="$errs" -v o="$other" \
	    -v c="$cpu" 'BEGIN {
		s = d / 1e6
		printf "%s|%.0f|%.2f|%.2f|%.2f|%.0f|%d|%s|%s", n, r / s,
		    p50 / 1000, p99 / 1000, b / s / 1048576, r ? b / r : 0, e,
		    c, o }')")
	if [ -n "$PERF" ] && [ -n "${PERF_TAG:-}" ]; then
		perf_run "$name" "$url" "${args[@]}"
	fi
}

# perf_run NAME URL WRKARGS...: the same load again under perf record -a.
perf_run() {
	local name=$1 url=$2 data=$PERF_DIR/$1.data
	shift 2
	say "$name: perf record -a for $((DURATION - 2)) s"
	timeout $((DURATION + 60)) wrk "$@" -d"${DURATION}s" "$url" >/dev/null &
	local wpid=$!
	sleep 1
	timeout $((DURATION + 30)) "$PERF" record -q -a -g -e cpu-clock \
	    -o "$data" -- sleep $((DURATION - 2)) >/dev/null 2>&1 ||
		say "$name: perf record failed"
	wait "$wpid" || true
	[ -s "$data" ] || return 0
	"$PERF" report -i "$data" --stdio --no-children -g none --sort comm,dso \
	    2>/dev/null | grep -v '^$' | head -40 > "$PERF_DIR/$name.comm.txt" || true
	"$PERF" report -i "$data" --stdio --no-children -g none \
	    --sort comm,dso,sym 2>/dev/null | grep -v '^#' | grep -v '^$' |
	    head -60 > "$PERF_DIR/$name.sym.txt" || true
}

# check NAME STATUS-WANT JQ-EXPR WANT CURL-ARGS...: one request with curl
# before the load, so that a broken setup is not measured.
check() {
	local name=$1 want_status=$2 expr=$3 want=$4 body status got
	shift 4
	body=$(curl --noproxy '*' -s -m 10 -w '\n%{http_code}' "$@") ||
		die "$name: curl failed"
	status=${body##*$'\n'}
	body=${body%$'\n'*}
	[ "$status" = "$want_status" ] ||
		die "$name: HTTP $status, want $want_status: $body"
	got=$(jq -r "$expr" <<<"$body" 2>/dev/null) || got='<not json>'
	[ "$got" = "$want" ] || die "$name: $expr is '$got', want '$want'"
	printf '%s' "$body" | wc -c
}

token() {	# token ID SECRET: an access token
	curl --noproxy '*' -s -m 10 -d grant_type=client_credentials \
	    -d "client_id=$1" -d "client_secret=$2" "$BASE/oauth/token" |
	    jq -r .access_token
}

# patrol_scenarios LABEL: the five scenarios against the server at $BASE.
patrol_scenarios() {
	local sfx=$1 tsmall tlarge body q
	tsmall=$(token "$SMALL_ID" "$SMALL_SECRET")
	tlarge=$(token "$LARGE_ID" "$LARGE_SECRET")
	[ -n "$tsmall" ] && [ "$tsmall" != null ] || die "no access token"
	[ -n "$tlarge" ] && [ "$tlarge" != null ] || die "no access token"

	body="grant_type=client_credentials&client_id=$SMALL_ID&client_secret=$SMALL_SECRET"
	check oauth-token 200 .token_type bearer -d "$body" "$BASE/oauth/token" >/dev/null
	BENCH_METHOD=POST BENCH_BODY=$body \
	BENCH_CTYPE=application/x-www-form-urlencoded \
	    run_wrk "oauth-token$sfx" "$BASE/oauth/token"

	check duo-get 200 .accessKey 'D******1' -H "Authorization: Bearer $tsmall" \
	    "$BASE/beta/mfa/duo-web/config" >/dev/null
	BENCH_AUTH="Bearer $tsmall" \
	    run_wrk "duo-get$sfx" "$BASE/beta/mfa/duo-web/config"

	q="$BASE/beta/personal-access-tokens?owner-id=me"
	check pat-list-10 200 length 10 -H "Authorization: Bearer $tsmall" "$q" >/dev/null
	BENCH_AUTH="Bearer $tsmall" run_wrk "pat-list-10$sfx" "$q"

	check "pat-list-$LARGE" 200 length "$LARGE" \
	    -H "Authorization: Bearer $tlarge" "$q" >/dev/null
	BENCH_AUTH="Bearer $tlarge" run_wrk "pat-list-$LARGE$sfx" "$q"

	q="$q&filters=lastUsed+le+$FILTER_DATE"
	check pat-list-filter 200 length "$FILTER_MATCH" \
	    -H "Authorization: Bearer $tlarge" "$q" >/dev/null
	BENCH_AUTH="Bearer $tlarge" run_wrk "pat-list-filter$sfx" "$q"
}

max_procs() {	# max_procs CONF: "oauth=N beta=M", in the config's order
	awk -F'=>' '/"bin-path"/ { n = $2; sub(/.*\//, "", n); sub(/".*/, "", n) }
	    /"max-procs"/ { v = $2; gsub(/[^0-9]/, "", v); printf "%s%s=%s",
	    sep, n, v; sep = " " } END { print "" }' "$1"
}

# ---------------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
say "machine: $(nproc) CPUs ($cpu), $mem, Linux $(uname -r)"
libfcgi=$(dpkg-query -W -f='${Version}' libfcgi0ldbl 2>/dev/null || echo '?')
say "$("$LIGHTTPD" -v 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2 || true);" \
    "sqlite $(sqlite3 --version | cut -d' ' -f1); libfcgi $libfcgi"
say "build: $BUILD (CFLAGS $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile" 2>/dev/null))"
say "load: wrk -t$THREADS -c$CONNS -d${DURATION}s after ${WARMUP}s of warm-up, keep-alive, 127.0.0.1"

if [ "$REFERENCE" -eq 1 ]; then
	head -c 2400 /dev/zero | tr '\0' x > "$STATE/htdocs/static.txt"
	cc -O2 -o "$STATE/hello" "$ROOT/bench/hello.c" -lfcgi ||
		die "cannot build bench/hello.c (libfcgi-dev)"
	export BENCH_STATE=$STATE BENCH_HELLO=$STATE/hello
	server_start "$ROOT/bench/reference-lighttpd.conf" patrol-reference
	say "reference lighttpd (pid $SERVER_PID) on $BASE, hello max-procs 2"
	[ "$(curl --noproxy '*' -s -m 5 "$BASE/static.txt" | wc -c)" -eq 2400 ] ||
		die "static.txt: not 2400 bytes"
	[ "$(curl --noproxy '*' -s -m 5 "$BASE/hello" | wc -c)" -eq 2400 ] ||
		die "hello: not 2400 bytes"
	run_wrk static-2400B "$BASE/static.txt"
	run_wrk fcgi-hello-2400B "$BASE/hello"
	server_stop "$SERVER_PID"
fi

export PATROL_STATE=$STATE PATROL_LIBEXEC=$BUILD/cgi-bin \
    PATROL_CONFIG=$STATE/patrol.conf
server_start "$ROOT/etc/lighttpd.conf" patrol
CONF_PROCS=$(max_procs "$ROOT/etc/lighttpd.conf")
say "patrol lighttpd (pid $SERVER_PID) on $BASE, etc/lighttpd.conf max-procs:" \
    "$CONF_PROCS"
PERF_TAG=1 patrol_scenarios ""
server_stop "$SERVER_PID"

for p in ${PROCS[@]+"${PROCS[@]}"}; do
	conf=$STATE/lighttpd-procs.conf
	awk -v o="${p%,*}" -v b="${p#*,}" '/"max-procs"/ {
		n++; sub(/=> *[0-9]+/, "=> " (n == 1 ? o : b)) } { print }' \
	    "$ROOT/etc/lighttpd.conf" > "$conf"
	server_start "$conf" patrol
	say "patrol lighttpd (pid $SERVER_PID) on $BASE, max-procs: $(max_procs "$conf")"
	PERF_TAG='' patrol_scenarios " [procs $p]"
	server_stop "$SERVER_PID"
done

# ---------------------------------------------------------------------------

printf '\nwrk -t%s -c%s -d%ss, 127.0.0.1, %s CPUs; listings: 10, %s, and %s of %s (lastUsed le %s)\n' \
    "$THREADS" "$CONNS" "$DURATION" "$(nproc)" "$LARGE" "$FILTER_MATCH" "$LARGE" "$FILTER_DATE"
printf 'max-procs as in etc/lighttpd.conf: %s%s\n' "$CONF_PROCS" \
    "${PROCS[*]+"; rows [procs O,B]: oauth=O beta=B"}"
# The last column: req/s over the libfcgi hello's, when it ran.
hello=
for r in "${ROWS[@]}"; do
	case $r in fcgi-hello-*) hello=$(cut -d'|' -f2 <<<"$r") ;; esac
done
printf 'CPU %%: lighttpd/responders/wrk in %% of one CPU (%s CPUs: %s%% in all);' \
    "$(nproc)" "$(($(nproc) * 100))"
printf ' other CPU %%: what other processes used, in %% of all CPUs\n'
printf '%s\n' "| scenario | req/s | p50 ms | p99 ms | MB/s | bytes/resp | errors | CPU % | other CPU % | vs hello |"
printf '%s\n' "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do
	ratio=n/a
	[ -n "$hello" ] && ratio=$(awk -v a="$(cut -d'|' -f2 <<<"$r")" \
	    -v b="$hello" 'BEGIN { printf "%.2f", a / b }')
	printf '| %s | %s |\n' "${r//|/ | }" "$ratio"
done
[ -n "$PERF" ] && printf '\nperf reports in %s\n' "$PERF_DIR"
exit 0
