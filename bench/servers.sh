#!/bin/bash
# bench/servers.sh: the 10-PAT listing through each web server setup that
# patrol ships a recipe for, against a libfcgi hello in the same setup
# (bench.sh --server runs it; see there for the options it takes).
#
# Each setup is started by the test harness (tests/server.sh, the recipe of
# etc/ after placeholder substitution, the responders as the recipe starts
# them), twice: once with bench/hello standing in for both responders (the
# ceiling of that setup: the web server's and FastCGI's or CGI's own cost),
# once with patrol. wrk loads GET /beta/personal-access-tokens?owner-id=me
# (10 PATs) on the one, GET /beta/... on the other; the ratio of the two
# req/s is the figure docs/performance.md compares, as bench.sh does for
# lighttpd. nginx-keepconn is nginx with fastcgi_keep_conn on and an
# upstream keepalive pool of 1 connection per nginx worker (--keepalive K:
# K; a copy of the recipe, changed by this script), to measure what keeping
# the FastCGI connections open would give. --fcgi-workers N runs the
# socket-activated responders (nginx, nginx-keepconn, apache-proxy-fcgi)
# with --workers N instead of the units' 3 (a copy of etc/systemd).
#
# Each run also measures the CPU time per request of the web server (every
# process under its main one that is not a responder) and of the responders
# (theirs, plus what the web server's processes reaped meanwhile, such as
# responders that died), from /proc/PID/stat before and after, and what
# other processes of the machine used meanwhile (the busy time of
# /proc/stat minus the web server's, the responders' and wrk's, in % of all
# CPUs), with the 1-minute load average before the warm-up: the machine may
# be shared. Plain CGI (apache-cgi) has "-" for the last two: the CPU time
# of mod_cgid's programs reaches no process that /proc shows (none of
# Apache's processes' reaped time grows; the kernel reaps them, it seems),
# so it lands in "other". --repeat N runs every setup N times, in rounds
# (each round through all setups), so that a slow spell hits them alike;
# the summary gives the median of the rounds and their spread
# (lowest-highest).
#
# Prints one line per run (setup, what, req/s, p50 ms, p99 ms, errors,
# server us/req, responder us/req, other CPU %, load, round) and a summary
# per setup; --results FILE writes the runs tab-separated.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PATROL_BUILD:-$ROOT/build}
DURATION=10 WARMUP=2 THREADS=2 CONNS=32 RESULTS= REPEAT=1 KEEPALIVE=1 FCGI_WORKERS=
SETUPS=()
say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench/servers.sh: %s\n' "$*" >&2; exit 1; }
while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=${2:?}; shift ;;
	--duration) DURATION=${2:?}; shift ;;
	--warmup) WARMUP=${2:?}; shift ;;
	--threads) THREADS=${2:?}; shift ;;
	--connections) CONNS=${2:?}; shift ;;
	--results) RESULTS=${2:?}; shift ;;
	--repeat) REPEAT=${2:?}; shift ;;
	--keepalive) KEEPALIVE=${2:?}; shift ;;
	--fcgi-workers) FCGI_WORKERS=${2:?}; shift ;;
	--server) IFS=, read -r -a s <<<"${2:?}"; SETUPS+=("${s[@]}"); shift ;;
	*) die "unknown option $1" ;;
	esac
	shift
done
[ "${#SETUPS[@]}" -gt 0 ] || die "no --server given"
case $REPEAT in ''|*[!0-9]*|0) die "--repeat takes a number of rounds (1 or more)" ;; esac
case $KEEPALIVE in ''|*[!0-9]*|0) die "--keepalive takes a number of connections (1 or more)" ;; esac
case $FCGI_WORKERS in *[!0-9]*|0) die "--fcgi-workers takes a number of workers (1 or more)" ;; esac
for s in "${SETUPS[@]}"; do
	case $s in
	all) SETUPS=(lighttpd nginx nginx-keepconn apache-fcgid apache-proxy-fcgi apache-cgi)
	    break ;;
	lighttpd|nginx|nginx-keepconn|apache-fcgid|apache-proxy-fcgi|apache-cgi) ;;
	*) die "--server: unknown setup '$s' (lighttpd, nginx, nginx-keepconn, apache-fcgid, apache-proxy-fcgi, apache-cgi, all)" ;;
	esac
done
BUILD=$(cd "$BUILD" && pwd) || die "no build tree $BUILD"
[ -x "$BUILD/tools/patrolctl" ] || die "no patrol build in $BUILD"
command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
STATE=$(mktemp -d "${TMPDIR:-/tmp}/patrol-servers.XXXXXX")
trap 'rm -rf "$STATE"' EXIT
cc -O2 -o "$STATE/hello" "$ROOT/bench/hello.c" -lfcgi ||
	die "cannot build bench/hello.c (libfcgi-dev)"
# patrol's responders linked with the build's library on their RUNPATH:
# the build tree's cgi-bin/patrol-* are libtool wrapper scripts, which cost
# a plain CGI request about 20 ms more than the program itself.
mkdir "$STATE/patrol-libexec"
for p in oauth beta; do
	o=$BUILD/cgi-bin/patrol_$p-patrol-$p.o
	[ -f "$o" ] || die "no $o in the build tree"
	cc -o "$STATE/patrol-libexec/patrol-$p" "$o" "$BUILD/cgi-bin/libruntime.a" \
	    -L"$BUILD/lib/.libs" -Wl,-rpath,"$BUILD/lib/.libs" -lpatrol -lfcgi ||
		die "cannot link patrol-$p"
done
mkdir "$STATE/hello-libexec"
ln -s "$STATE/hello" "$STATE/hello-libexec/patrol-oauth"
ln -s "$STATE/hello" "$STATE/hello-libexec/patrol-beta"
export top_srcdir=$ROOT top_builddir=$BUILD
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
LINES=()
HZ=$(getconf CLK_TCK) NCPU=$(nproc)

# snap ROOT PID...: "pid own reaped responder" for ROOT, every process under
# it and the PIDs given (the responders: flag 1): own is its utime + stime,
# reaped the cutime + cstime of the children it waited for, in ticks.
snap() {
	local root=$1
	shift
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$root" -v resp=" $* " '
	{ pid = $1; r = $0; sub(/^.*\) /, "", r); split(r, f, " ")
	  ppid[pid] = f[2]; own[pid] = f[12] + f[13]; ch[pid] = f[14] + f[15] }
	END { for (p in own) { q = p; t = 0; k = 0
		while (q != "" && q != 0 && k++ < 64) {
			if (q == root) { t = 1; break }
			q = ppid[q] }
		isr = index(resp, " " p " ") > 0
		if (t || isr) print p, own[p], ch[p], isr } }'
}

# cpu_delta BEFORE AFTER: "server responders" ticks between two snaps: the
# web server's processes' own time, the responders' own and reaped time and
# what the web server's processes reaped (plain CGI's programs).
cpu_delta() {
	awk 'NR == FNR { own[$1] = $2; ch[$1] = $3; next }
	    { d = $2 - own[$1]; c = $3 - ch[$1]
	      if (d < 0) d = 0
	      if (c < 0) c = 0
	      if ($4) r += d + c; else { s += d; r += c } }
	    END { print s + 0, r + 0 }' "$1" "$2"
}

busy() {	# busy ticks of all CPUs (user, nice, system, irq, softirq)
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}
wall() {	# ticks since boot
	awk -v hz="$HZ" '{ printf "%.0f\n", $1 * hz }' /proc/uptime
}
# kid_ticks: user + sys ticks of this shell's waited-for children (wrk).
kid_ticks() {
	times | awk -v hz="$HZ" 'NR == 2 { t = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += (a[1] * 60 + a[2]) * hz }
		printf "%.0f\n", t }'
}

# one SETUP WHAT: starts SETUP (with hello or patrol), loads it with wrk,
# prints "setup|what|req/s|p50 ms|p99 ms|errors".
one() {
	(
		setup=$1 what=$2 round=$3 dir=$STATE/$1-$2-$3
		load=$(cut -d' ' -f1 /proc/loadavg)
		PATROL_SETUP=$setup
		[ "$setup" = nginx-keepconn ] && PATROL_SETUP=nginx
		# shellcheck source=/dev/null
		. "$ROOT/tests/lib.sh"
		# shellcheck source=/dev/null
		. "$ROOT/tests/server.sh"
		make_state "$dir" > /dev/null
		export PATROL_CONFIG=$dir/patrol.conf
		ctl() { "$BUILD/tools/patrolctl" --config "$PATROL_CONFIG" "$@"; }
		if [ "$what" = hello ]; then
			export PATROL_LIBEXEC=$STATE/hello-libexec
			url=/beta/hello auth=
		else
			export PATROL_LIBEXEC=$STATE/patrol-libexec
			sed -i 's/^pat = { \(.*\) };/pat = { \1 max_per_owner = 0; };/' "$PATROL_CONFIG"
			owner=$(ctl identity add --name Bench --rights ORG_ADMIN)
			for i in 1 2 3 4 5 6 7 8 9; do ctl pat create --owner "$owner" --name "p$i" > /dev/null; done
			set -- $(ctl pat create --owner "$owner" --name p10 --json | jq -r '.id + " " + .secret')
			id=$1 sec=$2
			url="/beta/personal-access-tokens?owner-id=me"
		fi
		if [ "$setup" = nginx-keepconn ] || [ -n "$FCGI_WORKERS" ]; then
			# A copy of the recipes: the nginx one with FastCGI
			# connections kept open, the units with other --workers.
			top_srcdir=$dir/src
			mkdir -p "$top_srcdir/tests"
			cp -r "$ROOT/etc" "$top_srcdir/"
			cp "$ROOT"/tests/*.sh "$top_srcdir/tests/"
			[ -z "$FCGI_WORKERS" ] ||
				sed -i "s/--workers [0-9]*/--workers $FCGI_WORKERS/" \
				    "$top_srcdir"/etc/systemd/*.service
		fi
		if [ "$setup" = nginx-keepconn ]; then
			awk -v k="$KEEPALIVE" '/^server *\{/ && !u {
			    print "upstream patrol_oauth { server unix:@SOCKETS@/patrol-oauth.sock; keepalive " k "; }"
			    print "upstream patrol_beta { server unix:@SOCKETS@/patrol-beta.sock; keepalive " k "; }"; u = 1 }
			    { sub(/fastcgi_pass unix:@SOCKETS@\/patrol-oauth.sock;/, "fastcgi_pass patrol_oauth; fastcgi_keep_conn on;")
			      sub(/fastcgi_pass unix:@SOCKETS@\/patrol-beta.sock;/, "fastcgi_pass patrol_beta; fastcgi_keep_conn on;")
			      print }' "$ROOT/etc/nginx/patrol.conf" > "$top_srcdir/etc/nginx/patrol.conf"
			grep -q 'fastcgi_keep_conn on' "$top_srcdir/etc/nginx/patrol.conf" ||
				die "cannot make the keep-conn variant of etc/nginx/patrol.conf"
		fi

		server_check
		server_start "$dir" > /dev/null || die "$setup: cannot start ($what)"
		auth=
		if [ "$what" = patrol ]; then
			tok=$(curl -s -d grant_type=client_credentials -d "client_id=$id" \
			    -d "client_secret=$sec" "$BASE/oauth/token" | jq -r '.access_token // empty')
			[ -n "$tok" ] || die "$setup: no token"
			[ "$(curl -s -H "Authorization: Bearer $tok" "$BASE$url" | jq length)" = 10 ] ||
				die "$setup: the listing is not 10 PATs"
			auth="Bearer $tok"
		fi
		if [ "$WARMUP" -gt 0 ]; then
			BENCH_AUTH=$auth wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" \
			    -s "$ROOT/bench/wrk.lua" "$BASE$url" > /dev/null
		fi
		resp0=$(srv_responders | tr '\n' ' ')
		snap "$SERVER_PID" $resp0 > "$dir/cpu0"
		b0=$(busy) w0=$(wall) k0=$(kid_ticks)
		out=$(BENCH_AUTH=$auth wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" \
		    --timeout 10s -s "$ROOT/bench/wrk.lua" "$BASE$url")
		k1=$(kid_ticks) w1=$(wall) b1=$(busy)
		resp1=$(srv_responders | tr '\n' ' ')
		snap "$SERVER_PID" $resp0 $resp1 > "$dir/cpu1"
		read -r sv rs <<<"$(cpu_delta "$dir/cpu0" "$dir/cpu1")"
		line=$(grep '^@@ ' <<<"$out") || die "$setup: no summary from wrk"
		server_stop
		awk -v s="$setup" -v w="$what" -v l="$line" -v sv="$sv" -v rs="$rs" \
		    -v wrk="$((k1 - k0))" -v busy="$((b1 - b0))" -v wall="$((w1 - w0))" \
		    -v hz="$HZ" -v ncpu="$NCPU" -v load="$load" -v round="$round" \
		    -v cgi="$([ -n "$SRV_RESPONDERS" ] || echo 1)" 'BEGIN {
			n = split(l, f, " ")
			for (i = 2; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
			e = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
			r = v["requests"]
			us = r ? 1e6 / hz / r : 0
			o = wall > 0 ? (busy - sv - rs - wrk) * 100 / (wall * ncpu) : 0
			if (o < 0) o = 0
			rs = sprintf("%.1f", rs * us)
			o = sprintf("%.1f", o)
			if (cgi) rs = o = "-"
			printf "%s|%s|%.0f|%.2f|%.2f|%d|%.1f|%s|%s|%s|%d\n", s, w,
			    r / (v["duration_us"] / 1e6),
			    v["p50_us"] / 1000, v["p99_us"] / 1000, e, sv * us, rs,
			    o, load, round }'
	) 2> "$STATE/err" || { cat "$STATE/err" >&2; die "$1 ($2) failed"; }
}

for ((round = 1; round <= REPEAT; round++)); do
	for s in "${SETUPS[@]}"; do
		for w in hello patrol; do
			say "$s: $w (round $round of $REPEAT, load $(cut -d' ' -f1-3 /proc/loadavg))"
			l=$(one "$s" "$w" "$round")
			LINES+=("$l")
			printf '%s\n' "$l" | tr '|' '\t'
		done
	done
done

# The summary: per setup, the medians of the rounds (and lowest-highest).
printf '\nwrk -t%s -c%s -d%ss, %s round(s), %s CPUs; medians of the rounds, (lowest-highest)\n' \
    "$THREADS" "$CONNS" "$DURATION" "$REPEAT" "$NCPU"
printf '%s\n' "| setup | hello req/s | patrol req/s | patrol / hello | server us/req (hello, patrol) | responder us/req (hello, patrol) | other CPU % | patrol p99 ms | errors |"
printf '%s\n' "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in "${SETUPS[@]}"; do
	printf '%s\n' "${LINES[@]}" | awk -F'|' -v s="$s" '
	function sort(a, n,   i, j, t) { for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t } }
	function med(a, n) { sort(a, n); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function lo(a, n) { sort(a, n); return a[1] }
	function hi(a, n) { sort(a, n); return a[n] }
	function cp(src, dst, n,   i) { for (i = 1; i <= n; i++) dst[i] = src[i] }
	$1 == s && $2 == "hello" { h[$11] = $3; hs[$11] = $7; hr[$11] = $8; ho[$11] = $9; err += $6; if ($8 == "-") cgi = 1 }
	$1 == s && $2 == "patrol" { p[$11] = $3; ps[$11] = $7; pr[$11] = $8; po[$11] = $9; p99[$11] = $5; err += $6 }
	END {
		n = 0
		for (k in p) if (k in h) { n++; H[n] = h[k]; P[n] = p[k]; R[n] = p[k] / h[k]
			HS[n] = hs[k]; PS[n] = ps[k]; HR[n] = hr[k]; PR[n] = pr[k]
			O[n] = ho[k] > po[k] ? ho[k] : po[k]; Q[n] = p99[k] }
		if (!n) exit
		cp(R, R2, n)
		rr = cgi ? "-, -" : sprintf("%.1f, %.1f", med(HR, n), med(PR, n))
		oo = cgi ? "-" : sprintf("%.0f (%.0f-%.0f)", med(O, n), lo(O, n), hi(O, n))
		printf "| %s | %.0f | %.0f | %.2f (%.2f-%.2f) | %.1f, %.1f | %s | %s | %.1f | %d |\n", s,
		    med(H, n), med(P, n), med(R, n), lo(R2, n), hi(R2, n),
		    med(HS, n), med(PS, n), rr, oo, med(Q, n), err }'
done
if [ -n "$RESULTS" ]; then
	{ printf 'setup\twhat\treq_s\tp50_ms\tp99_ms\terrors\tserver_us_req\tresponder_us_req\tother_cpu_pct\tload1\tround\n'
	  printf '%s\n' "${LINES[@]}" | tr '|' '\t'; } > "$RESULTS"
fi
