#!/bin/bash
# bench/bench.sh: HTTP load benchmark of patrol behind lighttpd, on loopback,
# and its scale with a million PATs.
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
# first (bench/reference-lighttpd.conf), as in shared/FASTCGI-NOTES.md. After
# them, when Node is installed, the peer a developer would otherwise use: a
# Prism mock (@stoplight/prism-cli, installed once with npm into
# ${XDG_CACHE_HOME:-~/.cache}/patrol-bench) serving the list operation of
# bench/prism-list-pats.json, under the same load (prism-pat-list).
#
# Each run reports req/s, latency, bytes, errors, its ratio to the hello's
# req/s, and the CPU time per request of the responders (utime + stime of
# the processes lighttpd spawned, or of Prism, from /proc/PID/stat before
# and after), of lighttpd and of wrk, with the steal time of the run
# (/proc/stat, % of all CPU time) and what other processes used: on a
# shared or virtual machine ratios swing with both, CPU per request less.
#
# Then pat-list-all, the scale scenario: a fresh database filled with
# bench/genpats (--rows PATs over --owners owners, deterministic) loaded
# through `patrolctl pat import` (or, with a patrolctl without that command
# or with --import-sqlite, by the sqlite3 shell: labelled so), and an
# ORG_ADMIN caller. It times GET /beta/personal-access-tokens?filters=
# lastUsed le <mid-point> (every owner; about 45% of the rows match) with
# curl through lighttpd, counts the items against the rows of the file that
# match, samples the patrol-beta responders' VmRSS during the transfers
# (and reports VmHWM), and times `sqlite3 -json` running the very statement
# the store prepares (bench/listsql prints it through store_list_sql, with
# its parameters) on the same file, with its query plan. Then deep pages:
# limit=250 at offset 90% of the rows, under each sorter (name, created,
# lastUsed), through patrol and through sqlite3. Times are medians of 3
# after one unmeasured run.
#
# Every server is stopped by PID at exit, with the processes it spawned, and
# the state directory is removed (unless --keep). Not a test: make check
# runs it only with tiny settings (tests/bench.sh). docs/performance.md has
# the figures measured with it. Builds nothing but bench/genpats and
# bench/listsql (make in the build tree) when they are missing.
#
# usage: bench/bench.sh [options]
#   --build DIR        build tree (default: $PATROL_BUILD, else ./build)
#   --duration SEC     seconds per measured run (default 10)
#   --warmup SEC       seconds of unmeasured load before each run (default 2)
#   --threads N        wrk threads (default 2)
#   --connections N    wrk connections (default 32)
#   --large N          PATs of the large listing (default 1000)
#   --server SETUPS    instead of all the above: the 10-PAT listing through
#                      each web server setup of tests/server_*.sh against a
#                      libfcgi hello in the same setup (bench/servers.sh):
#                      comma-separated lighttpd, nginx, nginx-keepconn,
#                      apache-fcgid, apache-proxy-fcgi, apache-cgi, or all;
#                      takes --build, --duration, --warmup, --threads,
#                      --connections, --results, and its own --repeat N
#                      (N rounds through the setups: medians and spread),
#                      --keepalive K (nginx-keepconn's pool per nginx
#                      worker, default 1), --fcgi-workers N (the socket-
#                      activated responders' --workers, default 3)
#   --procs O,B        also measure with max-procs O for patrol-oauth and B
#                      for patrol-beta (a copy of etc/lighttpd.conf in the
#                      state directory; the option may be repeated)
#   --no-reference     skip the static-file and libfcgi-hello baselines
#   --no-prism         skip the Prism mock (skipped anyway without node/npm)
#   --rows N           PATs of pat-list-all (default 1000000, at least 1000)
#   --owners N         identities owning them (default 1000)
#   --no-million       skip pat-list-all
#   --no-load          skip every wrk run (baselines, patrol, Prism): only
#                      pat-list-all
#   --import-sqlite    load pat-list-all's rows with the sqlite3 shell even
#                      when patrolctl has `pat import` (the fallback)
#   --results FILE     write the results as tab-separated values: the runs
#                      (header line, one line per run), two blank lines, then
#                      pat-list-all's figures (measure, value, unit); "-"
#                      stands for not applicable
#   --chart FILE       draw a PNG with gnuplot (Debian package gnuplot-nox,
#                      installed when missing): per run, bars of req/s over
#                      the hello's and of responder CPU us per request
#   --perf DIR         after each patrol scenario, load it again for the same
#                      time under `perf record -a` (cpu-clock) and write the
#                      reports to DIR (those runs are not in the table)
#   --no-install       install nothing (no apt-get, no npm): fail when a tool
#                      is missing, skip Prism unless already installed
#   --keep             keep the state directory (logs, databases)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PATROL_BUILD:-$ROOT/build}
DURATION=10
WARMUP=2
THREADS=2
CONNS=32
LARGE=1000
PROCS=()
SERVERS=()
REFERENCE=1
PERF_DIR=
KEEP=0
PRISM=1
MILLION=1
ROWS=1000000
OWNERS=1000
IMPORT_SQLITE=0
RESULTS=
CHART=
INSTALL=1
LOAD=1
PRISM_VERSION=5.16.0	# @stoplight/prism-cli, pinned

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
	--server) SERVERS+=(--server "${2:?}"); shift ;;
	--repeat) SERVERS+=(--repeat "${2:?}"); shift ;;
	--keepalive) SERVERS+=(--keepalive "${2:?}"); shift ;;
	--fcgi-workers) SERVERS+=(--fcgi-workers "${2:?}"); shift ;;
	--no-reference) REFERENCE=0 ;;
	--no-prism) PRISM=0 ;;
	--rows) ROWS=${2:?}; shift ;;
	--owners) OWNERS=${2:?}; shift ;;
	--no-million) MILLION=0 ;;
	--import-sqlite) IMPORT_SQLITE=1 ;;
	--results) RESULTS=${2:?}; shift ;;
	--chart) CHART=${2:?}; shift ;;
	--no-install) INSTALL=0 ;;
	--no-load) LOAD=0 ;;
	--perf) PERF_DIR=${2:?}; shift ;;
	--keep) KEEP=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
	shift
done
# --server: the listing through the web server setups (bench/servers.sh).
if [ "${#SERVERS[@]}" -gt 0 ]; then
	exec "$ROOT/bench/servers.sh" --build "$BUILD" --duration "$DURATION" \
	    --warmup "$WARMUP" --threads "$THREADS" --connections "$CONNS" \
	    ${RESULTS:+--results "$RESULTS"} "${SERVERS[@]}"
fi
for v in DURATION WARMUP THREADS CONNS LARGE ROWS OWNERS; do
	case ${!v} in ''|*[!0-9]*) die "$v must be a whole number" ;; esac
done
[ "$DURATION" -ge 1 ] && [ "$DURATION" -le 300 ] ||
	die "--duration must be 1 to 300 seconds"
[ "$WARMUP" -le 60 ] || die "--warmup must be at most 60 seconds"
[ "$LARGE" -ge 11 ] && [ "$LARGE" -le 100000 ] ||
	die "--large must be 11 to 100000"
[ "$ROWS" -ge 1000 ] && [ "$ROWS" -le 100000000 ] ||
	die "--rows must be 1000 to 100000000"
[ "$OWNERS" -ge 1 ] && [ "$OWNERS" -le "$ROWS" ] ||
	die "--owners must be 1 to --rows"
# Output files: absolute, and their directories must exist.
for v in RESULTS CHART; do
	[ -n "${!v}" ] || continue
	d=$(dirname -- "${!v}")
	d=$(cd -- "$d" 2>/dev/null && pwd) || die "no directory for ${!v}"
	printf -v "$v" '%s/%s' "$d" "$(basename -- "${!v}")"
done
for p in ${PROCS[@]+"${PROCS[@]}"}; do
	case $p in [1-9],[1-9]|[1-9][0-9],[1-9]|[1-9],[1-9][0-9]|[1-9][0-9],[1-9][0-9]) ;;
	*) die "--procs takes OAUTH,BETA (1 to 99 each), got '$p'" ;; esac
done

# The build: this script builds nothing but its two helper programs.
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
if [ "$MILLION" -eq 1 ]; then
	GENPATS=$BUILD/bench/genpats LISTSQL=$BUILD/bench/listsql
	if [ ! -x "$GENPATS" ] || [ ! -x "$LISTSQL" ]; then
		say "making bench/genpats and bench/listsql in $BUILD"
		make -s -C "$BUILD" bench/genpats bench/listsql >&2 ||
			die "cannot make bench/genpats and bench/listsql in $BUILD"
	fi
fi

# Tools: wrk (and the run dependencies, present after ./run.sh) through the
# project's installer: apt-get, with sudo when not root.
. "$ROOT/scripts/deps.sh"
need=(wrk lighttpd sqlite3 curl jq)
[ "$REFERENCE" -eq 1 ] && need+=(libfcgi-dev gcc libc6-dev)
[ -n "$PERF_DIR" ] && need+=(linux-perf)
[ -n "$CHART" ] && need+=(gnuplot-nox)
missing=()
if [ "$INSTALL" -eq 1 ] && command -v dpkg-query >/dev/null; then
	for p in "${need[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		    grep -q '^install ok installed$' || missing+=("$p")
	done
fi
if [ "${#missing[@]}" -gt 0 ]; then
	install_missing "${missing[@]}" || die "cannot install ${missing[*]}"
fi
for c in wrk sqlite3 curl jq ${CHART:+gnuplot}; do
	command -v "$c" >/dev/null || die "$c not found"
done
[ "$REFERENCE" -eq 0 ] || command -v cc >/dev/null || die "cc not found"
LIGHTTPD_ENV=${LIGHTTPD:-}
LIGHTTPD=
for b in "$LIGHTTPD_ENV" "$(command -v lighttpd 2>/dev/null || true)" \
    /usr/sbin/lighttpd /usr/local/sbin/lighttpd; do
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
# The limiter runs (its cost is in the figures) but never refuses: wrk
# sends everything with one token.
limits = { request_body_max = 65536; requests_per_token = 1000000000; auth_failures = 1000000000; };
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

RUNS=()	# "name|req/s|p50 ms|p99 ms|MB/s|bytes/resp|errors|CPU %
	#  lighttpd|responders|wrk|other CPU %|steal %|us/req responders|
	#  lighttpd|wrk", see run_wrk

# The machine may be shared: each run also reports the CPU time that other
# processes used meanwhile ("other CPU", % of all CPUs): the busy time of
# /proc/stat (irq and softirq included: the kernel charges them to the
# process they interrupted too) minus that of lighttpd, its responders, wrk;
# and the steal time, when the hypervisor ran something else on our CPUs.
HZ=$(getconf CLK_TCK)
cpu_stat() {	# "busy total steal" ticks of all CPUs (busy: user, nice,
		# system, irq, softirq; total: every field but guest time)
	awk '/^cpu / { busy = $2 + $3 + $4 + $7 + $8
		print busy, busy + $5 + $6 + $9, $9 }' /proc/stat
}
cpu_wall() {	# ticks since boot
	awk -v hz="$HZ" '{ printf "%.0f\n", $1 * hz }' /proc/uptime
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
	CHILD_TICKS=$(awk -v hz="$HZ" 'NR == 2 { t = 0
		for (i = 1; i <= 2; i++) {
			split($i, a, /[ms]/); t += (a[1] * 60 + a[2]) * hz }
		printf "%.0f\n", t }' "$STATE/times.txt")
}

# run_wrk NAME URL: warm-up, then the measured run, with the request set by
# the BENCH_* variables in the environment (see bench/wrk.lua). Appends a
# row to RUNS. The server is lighttpd $SERVER_PID and the responders its
# children, unless RUN_RESPONDERS lists the PIDs serving (then there is no
# lighttpd: its columns are "-").
run_wrk() {
	local name=$1 url=$2 out line req dur bytes p50 p99 errs
	local args=(-t"$THREADS" -c"$CONNS" --timeout 10s -s "$ROOT/bench/wrk.lua")
	local kids lpid a0 w0 c0 l0 r0 wall other stat0 stat1
	if [ "$WARMUP" -gt 0 ]; then
		timeout $((WARMUP + 30)) wrk "${args[@]}" -d"${WARMUP}s" "$url" \
		    >/dev/null || die "$name: wrk warm-up failed"
	fi
	say "$name: wrk -t$THREADS -c$CONNS -d${DURATION}s $url"
	if [ -n "${RUN_RESPONDERS:-}" ]; then
		read -r -a kids <<<"$RUN_RESPONDERS"
		lpid=
	else
		read -r -a kids <<<"$(PARENT=$SERVER_PID children | tr '\n' ' ')"
		lpid=$SERVER_PID
	fi
	cpu_children
	read -r -a stat0 <<<"$(cpu_stat)"
	w0=$(cpu_wall) c0=$CHILD_TICKS
	l0=$(cpu_procs ${lpid:+"$lpid"}) r0=$(cpu_procs "${kids[@]}")
	timeout $((DURATION + 60)) wrk "${args[@]}" -d"${DURATION}s" "$url" \
	    > "$STATE/wrk.out" || die "$name: wrk failed: $(cat "$STATE/wrk.out")"
	cpu_children
	read -r -a stat1 <<<"$(cpu_stat)"
	wall=$(($(cpu_wall) - w0))
	[ "$wall" -gt 0 ] || wall=1
	l0=$(($(cpu_procs ${lpid:+"$lpid"}) - l0))
	r0=$(($(cpu_procs "${kids[@]}") - r0))
	c0=$((CHILD_TICKS - c0))
	a0=$((stat1[0] - stat0[0]))
	other=$(( (a0 - c0 - l0 - r0) * 1000 / (wall * $(nproc)) ))
	[ "$other" -ge 0 ] || other=0
	other=$((other / 10)).$((other % 10))
	[ "${other%.*}" -lt 5 ] ||
		say "$name: other processes used $other % of the CPUs meanwhile"
	out=$(cat "$STATE/wrk.out")
	line=$(grep '^@@ ' <<<"$out") || die "$name: no summary from wrk: $out"
	val() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$line"; }
	req=$(val requests) dur=$(val duration_us) bytes=$(val bytes)
	p50=$(val p50_us) p99=$(val p99_us)
	errs=$(($(val connect) + $(val read) + $(val write) + $(val status) +
	    $(val timeout)))
	[ "$errs" -eq 0 ] || say "$name: $errs errors (socket or HTTP >= 400): $line"
	RUNS+=("$(awk -v n="$name" -v r="$req" -v d="$dur" -v b="$bytes" \
	    -v p50="$p50" -v p99="$p99" -v e="$errs" -v o="$other" \
	    -v l="$l0" -v rs="$r0" -v w="$c0" -v wall="$wall" -v hz="$HZ" \
	    -v lh="${lpid:+1}" -v st="$((stat1[2] - stat0[2]))" \
	    -v tot="$((stat1[1] - stat0[1]))" 'BEGIN {
		s = d / 1e6
		us = r ? 1e6 / hz / r : 0
		printf "%s|%.0f|%.2f|%.2f|%.2f|%.0f|%d|", n, r / s,
		    p50 / 1000, p99 / 1000, b / s / 1048576, r ? b / r : 0, e
		lp = lu = "-"
		if (lh) {
			lp = sprintf("%.0f", l * 100 / wall)
			lu = sprintf("%.1f", l * us)
		}
		printf "%s|%.0f|%.0f|%s|%.1f|", lp, rs * 100 / wall,
		    w * 100 / wall, o, (tot > 0 ? st * 100 / tot : 0)
		printf "%.1f|%s|%.1f", rs * us, lu, w * us }')")
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
# The Prism mock of the list operation.

# prism_run: installs @stoplight/prism-cli once (npm, into a cache outside
# the source tree), serves bench/prism-list-pats.json and loads it like
# pat-list-10. Says why and returns when it cannot.
prism_run() {
	local dir bin port url try i out pid
	if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
		say "prism: skipped (node or npm not installed)"
		return 0
	fi
	dir=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/patrol-bench/prism-$PRISM_VERSION
	bin=$dir/node_modules/.bin/prism
	if [ ! -x "$bin" ]; then
		if [ "$INSTALL" -eq 0 ]; then
			say "prism: skipped (not installed in $dir, and --no-install)"
			return 0
		fi
		say "prism: npm install @stoplight/prism-cli@$PRISM_VERSION in $dir"
		mkdir -p "$dir" && printf '{"private": true}\n' > "$dir/package.json"
		if ! (cd "$dir" && timeout 600 npm install --no-audit --no-fund \
		    --loglevel=error "@stoplight/prism-cli@$PRISM_VERSION") \
		    > "$STATE/prism-npm.log" 2>&1 || [ ! -x "$bin" ]; then
			sed 's/^/    /' "$STATE/prism-npm.log" | tail -n 5 >&2
			say "prism: skipped (npm install failed)"
			return 0
		fi
	fi
	for ((try = 0; try < 10; try++)); do
		port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40001))
		url="http://127.0.0.1:$port/beta/personal-access-tokens?owner-id=me"
		"$bin" mock --host 127.0.0.1 --port "$port" --verboseLevel warn \
		    "$ROOT/bench/prism-list-pats.json" < /dev/null \
		    > "$STATE/prism.log" 2>&1 &
		pid=$!
		SERVER_PIDS+=("$pid")
		for ((i = 0; i < 300; i++)); do
			alive "$pid" || break
			out=$(curl --noproxy '*' -s -m 2 -H 'Authorization: Bearer x' \
			    "$url" 2>/dev/null) || out=
			[ -n "$out" ] && break
			sleep 0.1
		done
		[ -n "$out" ] && break
		server_stop "$pid"
		grep -qs 'EADDRINUSE' "$STATE/prism.log" && continue
		cat "$STATE/prism.log" >&2
		die "prism: the mock does not answer"
	done
	[ -n "$out" ] || die "prism: no free port found"
	[ "$(jq -r 'type' <<<"$out" 2>/dev/null)" = array ] ||
		die "prism: the listing is not an array: $out"
	say "prism $("$bin" --version 2>/dev/null) (pid $pid, node $(node --version)) on 127.0.0.1:$port, logging warnings only"
	RUN_RESPONDERS="$pid $(PARENT=$pid children | tr '\n' ' ')" \
	BENCH_AUTH="Bearer x" run_wrk prism-pat-list "$url"
	server_stop "$pid"
}

# ---------------------------------------------------------------------------
# pat-list-all: the scale scenario.

SCALE=()	# "measure|value|unit"
scale() { SCALE+=("$1|$2|$3"); }

now_ns() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", (b - a) / 1e9 }'; }
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }

# rss_sample FILE PID...: until FILE.stop exists, the largest VmRSS (kB) of
# the PIDs every 20 ms, written to FILE at the end.
rss_sample() {
	local file=$1 max=0 p k v rest
	shift
	while [ ! -e "$file.stop" ]; do
		for p in "$@"; do
			while read -r k v rest; do
				[ "$k" = VmRSS: ] || continue
				[ "$v" -gt "$max" ] && max=$v
				break
			done < "/proc/$p/status" 2>/dev/null || true
		done
		sleep 0.02
	done
	echo "$max" > "$file"
}

status_kb() {	# status_kb FIELD PID...: the largest FIELD (kB) of the PIDs
	local field=$1 p
	shift
	for p in "$@"; do
		awk -v f="$field:" '$1 == f { print $2 }' "/proc/$p/status" 2>/dev/null
	done | sort -n | tail -1
}

# import_sqlite FILE DB: the fallback loader, the sqlite3 shell's JSON
# functions writing the columns of lib/store_sqlite.c's schema (times as
# ms since the epoch, scope as JSON text or NULL, owners with no rights).
import_sqlite() {
	sqlite3 "$2" <<SQL
.bail on
CREATE TEMP TABLE raw (j TEXT);
.mode ascii
.separator "\037" "\n"
.import '$1' raw
BEGIN;
INSERT INTO identity (id, name, rights)
SELECT DISTINCT j ->> '\$.owner.id', j ->> '\$.owner.name', '[]' FROM raw
WHERE j ->> '\$.owner.id' NOT IN (SELECT id FROM identity);
INSERT INTO pat (id, name, scope, owner_id, created, last_used, managed,
    secret_hash, expires, validity)
SELECT j ->> '\$.id', j ->> '\$.name',
    CASE json_type(j, '\$.scope') WHEN 'array' THEN j -> '\$.scope' END,
    j ->> '\$.owner.id',
    unixepoch(substr(j ->> '\$.created', 1, 19)) * 1000 +
        substr(j ->> '\$.created', 21, 3),
    unixepoch(substr(j ->> '\$.lastUsed', 1, 19)) * 1000 +
        substr(j ->> '\$.lastUsed', 21, 3),
    j ->> '\$.managed', j ->> '\$.secretHash',
    unixepoch(substr(j ->> '\$.expirationDate', 1, 19)) * 1000 +
        substr(j ->> '\$.expirationDate', 21, 3),
    j ->> '\$.accessTokenValiditySeconds'
FROM raw;
COMMIT;
SQL
}

# sql_of ARGS...: sets SQL and SQL_PARAMS (sqlite3 -cmd arguments binding
# them) from bench/listsql for the million's database.
sql_of() {
	local out n i
	out=$("$LISTSQL" --config "$M/patrol.conf" "$@") || die "listsql $* failed"
	SQL=$(head -1 <<<"$out")
	SQL_PARAMS=()
	i=0
	while read -r v; do
		i=$((i + 1))
		SQL_PARAMS+=(-cmd ".parameter set ?$i $v")
	done < <(tail -n +2 <<<"$out")
	n=$(tr -cd '?' <<<"$SQL" | wc -c)
	[ "$n" -eq "$i" ] || die "listsql: $n placeholders but $i values"
}

# sqlite_json OUT: runs $SQL with its parameters in the sqlite3 shell in
# JSON mode, output to OUT; prints the wall time in seconds.
sqlite_json() {
	local t0 t1
	t0=$(now_ns)
	sqlite3 -json "${SQL_PARAMS[@]}" "$M/patrol.db" "$SQL" > "$1" ||
		die "sqlite3 failed: $SQL"
	t1=$(now_ns)
	secs "$t0" "$t1"
}

# http_get URL OUT: GET with the admin's token, body to OUT; prints
# "seconds bytes" and dies unless the status is 200.
http_get() {
	local t0 t1 w
	t0=$(now_ns)
	w=$(curl --noproxy '*' -s -m 600 -o "$2" -w '%{http_code} %{size_download}' \
	    -H "Authorization: Bearer $MTOKEN" "$1") || die "curl $1 failed"
	t1=$(now_ns)
	[ "${w% *}" = 200 ] || die "GET $1: HTTP ${w% *}"
	printf '%s %s\n' "$(secs "$t0" "$t1")" "${w#* }"
}

million() {
	local t0 t1 mid expected items bytes w i p0 p1 r0 r1 st0 st1
	local ptimes=() stimes=() sorter off want how rss_base
	M=$STATE/m
	mkdir -p "$M"
	cat > "$M/patrol.conf" <<'CONF'
database = { backend = "sqlite"; path = "patrol.db"; };
token = { signing_key_file = "signing.key"; issuer = "patrol-bench"; lifetime = 43199; };
pat = { last_used_interval = 86400; };
CONF
	"$CTL" --config "$M/patrol.conf" init >/dev/null
	local admin pat aid asecret
	admin=$("$CTL" --config "$M/patrol.conf" identity add \
	    --name bench-admin --rights ORG_ADMIN)
	pat=$("$CTL" --config "$M/patrol.conf" pat create --owner "$admin" \
	    --name bench-admin --json)
	aid=$(jq -r .id <<<"$pat")
	asecret=$(jq -r .secret <<<"$pat")

	say "pat-list-all: genpats --owners $OWNERS $ROWS"
	t0=$(now_ns)
	"$GENPATS" --owners "$OWNERS" "$ROWS" > "$M/pats.jsonl" ||
		die "genpats failed"
	t1=$(now_ns)
	scale generate_s "$(secs "$t0" "$t1")" s
	mid=$("$GENPATS" --mid)
	# The rows that `lastUsed le mid` keeps, counted in the file: RFC 3339
	# in one format compares as text.
	expected=$(awk -F'"lastUsed":"' -v m="$mid" 'NF > 1 &&
	    substr($2, 1, 24) <= m { n++ } END { print n + 0 }' "$M/pats.jsonl")

	if [ "$IMPORT_SQLITE" -eq 0 ] &&
	    "$CTL" --help 2>&1 | grep -q 'pat import'; then
		how="patrolctl pat import"
		say "pat-list-all: $how ($(du -m "$M/pats.jsonl" | cut -f1) MiB)"
		t0=$(now_ns)
		"$CTL" --config "$M/patrol.conf" pat import "$M/pats.jsonl" \
		    > "$M/import.log" 2>&1 ||
			{ tail -5 "$M/import.log" >&2; die "pat import failed"; }
		t1=$(now_ns)
	else
		how="sqlite3 shell (bench-only fallback, not patrol's import)"
		say "pat-list-all: loading with the $how"
		t0=$(now_ns)
		import_sqlite "$M/pats.jsonl" "$M/patrol.db" ||
			die "the sqlite3 fallback import failed"
		t1=$(now_ns)
	fi
	scale import_s "$(secs "$t0" "$t1")" s
	scale import_method "$how" -
	[ "$KEEP" -eq 1 ] || rm -f "$M/pats.jsonl"
	w=$(sqlite3 "$M/patrol.db" "SELECT count(*) FROM pat")
	[ "$w" -eq $((ROWS + 1)) ] || die "pat-list-all: $w PATs, want $((ROWS + 1))"
	scale rows "$ROWS" PATs
	scale owners "$OWNERS" identities
	scale db_mib "$(du -m "$M/patrol.db" | cut -f1)" MiB
	scale mid_point "$mid" -
	scale expected_matches "$expected" PATs

	PATROL_CONFIG=$M/patrol.conf server_start "$ROOT/etc/lighttpd.conf" patrol
	say "pat-list-all: lighttpd (pid $SERVER_PID) on $BASE over $M/patrol.db"
	MTOKEN=$(token "$aid" "$asecret")
	[ -n "$MTOKEN" ] && [ "$MTOKEN" != null ] || die "no access token"

	local beta=()
	for p0 in $(PARENT=$SERVER_PID children); do
		[ "$(cat "/proc/$p0/comm" 2>/dev/null)" = patrol-beta ] &&
			beta+=("$p0")
	done
	[ "${#beta[@]}" -gt 0 ] || die "pat-list-all: no patrol-beta responder"
	rss_base=$(status_kb VmRSS "${beta[@]}")

	local url="$BASE/beta/personal-access-tokens?filters=lastUsed+le+$mid"
	# The unmeasured run: the items counted, the shape checked.
	read -r w bytes <<<"$(http_get "$url" "$M/list.json")"
	items=$(grep -o '{"id":' "$M/list.json" | wc -l)
	[ "$(head -c 1 "$M/list.json")" = '[' ] &&
	    [ "$(tail -c 1 "$M/list.json")" = ']' ] ||
		die "pat-list-all: the listing is not a whole array"
	rm -f "$M/list.json"
	[ "$items" -eq "$expected" ] ||
		say "pat-list-all: $items items listed, $expected expected"
	scale listing_items "$items" PATs
	scale listing_mib "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')" MiB

	sql_of --filters "lastUsed le $mid"
	scale sql "$SQL" -
	scale sql_plan "$(sqlite3 "$M/patrol.db" "EXPLAIN QUERY PLAN $SQL" |
	    sed '1d; s/^[|`]--//' | paste -sd ';' -)" -
	sqlite_json "$M/sqlite.json" >/dev/null
	w=$(grep -c '{"id":' "$M/sqlite.json" || true)
	rm -f "$M/sqlite.json"
	scale sqlite3_rows "$w" PATs

	# Measured: patrol and sqlite3 in turn, 3 times each.
	: > "$M/rss"
	rm -f "$M/rss.stop"
	rss_sample "$M/rss" "${beta[@]}" &
	local sampler=$!
	r0=$(cpu_procs "${beta[@]}")
	read -r -a st0 <<<"$(cpu_stat)"
	for i in 1 2 3; do
		read -r w p1 <<<"$(http_get "$url" /dev/null)"
		[ "$p1" = "$bytes" ] || die "pat-list-all: $p1 bytes, then $bytes"
		ptimes+=("$w")
		stimes+=("$(sqlite_json /dev/null)")
	done
	read -r -a st1 <<<"$(cpu_stat)"
	r1=$(cpu_procs "${beta[@]}")
	touch "$M/rss.stop"
	wait "$sampler" || true
	w=$(median3 "${ptimes[@]}")
	p0=$(median3 "${stimes[@]}")
	scale listing_s "$w" s
	scale sqlite3_s "$p0" s
	scale listing_over_sqlite3 "$(awk -v a="$w" -v b="$p0" \
	    'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" ratio
	scale listing_responder_us_per_pat "$(awk -v t="$((r1 - r0))" \
	    -v hz="$HZ" -v n="$items" 'BEGIN { printf "%.2f",
	    n ? t * 1e6 / hz / 3 / n : 0 }')" us
	scale rss_before_kib "$rss_base" KiB
	scale rss_peak_kib "$(cat "$M/rss")" KiB
	scale hwm_kib "$(status_kb VmHWM "${beta[@]}")" KiB
	scale steal_pct "$(awk -v s="$((st1[2] - st0[2]))" \
	    -v t="$((st1[1] - st0[1]))" 'BEGIN { printf "%.1f",
	    (t > 0 ? s * 100 / t : 0) }')" %

	# Deep pages, every owner, no filter.
	off=$((ROWS * 9 / 10))
	want=$((ROWS + 1 - off))
	[ "$want" -le 250 ] || want=250
	scale deep_offset "$off" rows
	for sorter in name created lastUsed; do
		url="$BASE/beta/personal-access-tokens?limit=250&offset=$off&sorters=$sorter"
		http_get "$url" "$M/page.json" >/dev/null
		w=$(jq length "$M/page.json")
		[ "$w" -eq "$want" ] ||
			die "pat-list-all: $w items at offset $off by $sorter, want $want"
		sql_of --sorters "$sorter" --limit 250 --offset "$off"
		sqlite_json /dev/null >/dev/null
		ptimes=() stimes=()
		for i in 1 2 3; do
			read -r w p1 <<<"$(http_get "$url" /dev/null)"
			ptimes+=("$w")
			stimes+=("$(sqlite_json /dev/null)")
		done
		scale "deep_${sorter}_s" "$(median3 "${ptimes[@]}")" s
		scale "deep_${sorter}_sqlite3_s" "$(median3 "${stimes[@]}")" s
	done
	rm -f "$M/page.json"
	server_stop "$SERVER_PID"
}

# ---------------------------------------------------------------------------

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
say "machine: $(nproc) CPUs ($cpu), $mem, Linux $(uname -r)"
libfcgi=$(dpkg-query -W -f='${Version}' libfcgi0ldbl 2>/dev/null || echo '?')
say "$("$LIGHTTPD" -v 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2 || true);" \
    "sqlite $(sqlite3 --version | cut -d' ' -f1); libfcgi $libfcgi"
say "build: $BUILD (CFLAGS $(sed -n 's/^CFLAGS = //p' "$BUILD/Makefile" 2>/dev/null))"
[ "$LOAD" -eq 0 ] ||
	say "load: wrk -t$THREADS -c$CONNS -d${DURATION}s after ${WARMUP}s of warm-up, keep-alive, 127.0.0.1"

export PATROL_STATE=$STATE PATROL_LIBEXEC=$BUILD/cgi-bin \
    PATROL_CONFIG=$STATE/patrol.conf
CONF_PROCS=$(max_procs "$ROOT/etc/lighttpd.conf")
if [ "$LOAD" -eq 1 ] && [ "$REFERENCE" -eq 1 ]; then
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

if [ "$LOAD" -eq 1 ]; then
	server_start "$ROOT/etc/lighttpd.conf" patrol
	say "patrol lighttpd (pid $SERVER_PID) on $BASE, etc/lighttpd.conf max-procs:" \
	    "$CONF_PROCS"
	PERF_TAG=1 patrol_scenarios ""
	server_stop "$SERVER_PID"
fi

[ "$LOAD" -eq 1 ] || PROCS=()
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

if [ "$LOAD" -eq 1 ] && [ "$PRISM" -eq 1 ]; then
	prism_run
fi
if [ "$MILLION" -eq 1 ]; then
	million
fi

# ---------------------------------------------------------------------------

hello=
for r in ${RUNS[@]+"${RUNS[@]}"}; do
	case $r in fcgi-hello-*) hello=$(cut -d'|' -f2 <<<"$r") ;; esac
done
ratio() {	# ratio ROW: its req/s over the hello's, or "-"
	if [ -n "$hello" ]; then
		awk -v a="$(cut -d'|' -f2 <<<"$1")" -v b="$hello" \
		    'BEGIN { printf "%.2f", a / b }'
	else
		printf -- -
	fi
}
us_per_pat() {	# us_per_pat SCENARIO N: its responder us/req over N
	local r
	for r in ${RUNS[@]+"${RUNS[@]}"}; do
		[ "${r%%|*}" = "$1" ] || continue
		IFS='|' read -r -a f <<<"$r"
		awk -v u="${f[12]}" -v n="$2" 'BEGIN { printf "%.2f", u / n }'
		return
	done
	printf -- -
}

if [ "${#RUNS[@]}" -gt 0 ]; then
printf '\nwrk -t%s -c%s -d%ss, 127.0.0.1, %s CPUs; listings: 10, %s, and %s of %s (lastUsed le %s)\n' \
    "$THREADS" "$CONNS" "$DURATION" "$(nproc)" "$LARGE" "$FILTER_MATCH" "$LARGE" "$FILTER_DATE"
printf 'max-procs as in etc/lighttpd.conf: %s%s\n' "$CONF_PROCS" \
    "${PROCS[*]+"; rows [procs O,B]: oauth=O beta=B"}"
printf 'CPU %%: lighttpd/responders/wrk in %% of one CPU (%s CPUs: %s%% in all);' \
    "$(nproc)" "$(($(nproc) * 100))"
printf ' other CPU %%: what other processes used, in %% of all CPUs;\n'
printf 'steal %%: of all CPU time during the run; us/req: CPU time per request'
printf ' of the responders (Prism for prism-pat-list), lighttpd, wrk\n'
printf '%s\n' "| scenario | req/s | vs hello | responders us/req | lighttpd us/req | wrk us/req | steal % | other CPU % | CPU % | p50 ms | p99 ms | MB/s | bytes/resp | errors |"
printf '%s\n' "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${RUNS[@]}"; do
	IFS='|' read -r -a f <<<"$r"
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s/%s/%s | %s | %s | %s | %s | %s |\n' \
	    "${f[0]}" "${f[1]}" "$(ratio "$r")" "${f[12]}" "${f[13]}" "${f[14]}" \
	    "${f[11]}" "${f[10]}" "${f[7]}" "${f[8]}" "${f[9]}" "${f[2]}" \
	    "${f[3]}" "${f[4]}" "${f[5]}" "${f[6]}"
done
printf 'responder CPU per listed PAT: pat-list-%s %s us, pat-list-filter %s us\n' \
    "$LARGE" "$(us_per_pat "pat-list-$LARGE" "$LARGE")" \
    "$(us_per_pat pat-list-filter "$FILTER_MATCH")"
fi

sv() {	# sv MEASURE: a value of SCALE
	local r
	for r in ${SCALE[@]+"${SCALE[@]}"}; do
		[ "${r%%|*}" = "$1" ] && { r=${r#*|}; printf '%s' "${r%|*}"; return; }
	done
}
if [ "${#SCALE[@]}" -gt 0 ]; then
	printf '\npat-list-all: %s PATs of %s owners (generated in %s s), loaded by %s in %s s (%s MiB)\n' \
	    "$(sv rows)" "$(sv owners)" "$(sv generate_s)" "$(sv import_method)" \
	    "$(sv import_s)" "$(sv db_mib)"
	printf 'GET /beta/personal-access-tokens?filters=lastUsed le %s (ORG_ADMIN, every owner):\n' \
	    "$(sv mid_point)"
	printf '  %s items (%s expected from the file, %s from sqlite3), %s MiB\n' \
	    "$(sv listing_items)" "$(sv expected_matches)" "$(sv sqlite3_rows)" \
	    "$(sv listing_mib)"
	printf '  patrol %s s, sqlite3 -json %s s: %sx (medians of 3); responder CPU %s us per PAT\n' \
	    "$(sv listing_s)" "$(sv sqlite3_s)" "$(sv listing_over_sqlite3)" \
	    "$(sv listing_responder_us_per_pat)"
	printf '  patrol-beta RSS: %s KiB before, %s KiB peak sampled, VmHWM %s KiB; steal %s %%\n' \
	    "$(sv rss_before_kib)" "$(sv rss_peak_kib)" "$(sv hwm_kib)" "$(sv steal_pct)"
	printf '  SQL: %s\n  plan: %s\n' "$(sv sql)" "$(sv sql_plan)"
	printf 'deep pages, limit=250&offset=%s, every owner (patrol / sqlite3 -json, s):' \
	    "$(sv deep_offset)"
	for s in name created lastUsed; do
		printf ' %s %s / %s;' "$s" "$(sv "deep_${s}_s")" "$(sv "deep_${s}_sqlite3_s")"
	done
	printf '\n'
fi

if [ -n "$RESULTS" ]; then
	{
		printf 'scenario\treq_s\tp50_ms\tp99_ms\tmb_s\tbytes_resp\terrors'
		printf '\tlighttpd_cpu_pct\tresponder_cpu_pct\twrk_cpu_pct'
		printf '\tother_cpu_pct\tsteal_pct\tresponder_us_req'
		printf '\tlighttpd_us_req\twrk_us_req\tvs_hello\n'
		for r in ${RUNS[@]+"${RUNS[@]}"}; do
			printf '%s\t%s\n' "${r//|/$'\t'}" "$(ratio "$r")"
		done
		printf '\n\nmeasure\tvalue\tunit\n'
		for r in ${SCALE[@]+"${SCALE[@]}"}; do
			printf '%s\n' "${r//|/$'\t'}"
		done
	} > "$RESULTS"
	printf '\nresults in %s\n' "$RESULTS"
fi

if [ -n "$CHART" ]; then
	{
		printf 'scenario\tvs_hello\tresponder_us_req\n'
		for r in ${RUNS[@]+"${RUNS[@]}"}; do
			IFS='|' read -r -a f <<<"$r"
			printf '%s\t%s\t%s\n' "${f[0]}" "$(ratio "$r")" "${f[12]}"
		done
	} > "$STATE/chart.tsv"
	gnuplot > "$STATE/gnuplot.log" 2>&1 <<GP || { cat "$STATE/gnuplot.log" >&2; die "gnuplot failed"; }
set encoding utf8
set terminal pngcairo size 1100,800 noenhanced font ",10"
set output "$CHART"
set datafile separator "\t"
set datafile missing "-"
set key autotitle columnhead
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set boxwidth 0.8
set xtics rotate by -25 nomirror
set grid ytics
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set multiplot layout 2,1 title "patrol bench/bench.sh: wrk -t$THREADS -c$CONNS -d${DURATION}s, 127.0.0.1, $(nproc) CPUs"
set title "req/s relative to the libfcgi hello responder of the same run"
plot "$STATE/chart.tsv" using 2:xtic(1) notitle lc rgb "#4477aa", \
     '' using 0:2:(sprintf("%.2f", column(2))) with labels offset 0,0.8 notitle
set title "responder CPU time per request, µs (Prism's for prism-pat-list)"
plot "$STATE/chart.tsv" using 3:xtic(1) notitle lc rgb "#cc6677", \
     '' using 0:3:(sprintf("%.0f", column(3))) with labels offset 0,0.8 notitle
unset multiplot
GP
	printf 'chart in %s\n' "$CHART"
fi
[ -n "$PERF" ] && printf '\nperf reports in %s\n' "$PERF_DIR"
exit 0
