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
# upstream keepalive pool of 1 connection per nginx worker (a copy of the
# recipe, changed by this script), to measure what keeping the FastCGI
# connections open would give.
#
# Prints one line per run (setup, what, req/s, p50 ms, p99 ms, errors) and
# a summary per setup; --results FILE writes them tab-separated.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PATROL_BUILD:-$ROOT/build}
DURATION=10 WARMUP=2 THREADS=2 CONNS=32 RESULTS=
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
	--server) IFS=, read -r -a s <<<"${2:?}"; SETUPS+=("${s[@]}"); shift ;;
	*) die "unknown option $1" ;;
	esac
	shift
done
[ "${#SETUPS[@]}" -gt 0 ] || die "no --server given"
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

# one SETUP WHAT: starts SETUP (with hello or patrol), loads it with wrk,
# prints "setup|what|req/s|p50 ms|p99 ms|errors".
one() {
	(
		setup=$1 what=$2 dir=$STATE/$1-$2
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
		if [ "$setup" = nginx-keepconn ]; then
			# The recipe with FastCGI connections kept open.
			cp "$ROOT/etc/nginx/patrol.conf" "$dir/nginx-recipe.conf"
			awk '/^server *\{/ && !u { print "upstream patrol_oauth { server unix:@SOCKETS@/patrol-oauth.sock; keepalive 1; }"
			    print "upstream patrol_beta { server unix:@SOCKETS@/patrol-beta.sock; keepalive 1; }"; u = 1 }
			    { sub(/fastcgi_pass unix:@SOCKETS@\/patrol-oauth.sock;/, "fastcgi_pass patrol_oauth; fastcgi_keep_conn on;")
			      sub(/fastcgi_pass unix:@SOCKETS@\/patrol-beta.sock;/, "fastcgi_pass patrol_beta; fastcgi_keep_conn on;")
			      print }' "$dir/nginx-recipe.conf" > "$dir/nginx-keepconn.conf"
			grep -q 'fastcgi_keep_conn on' "$dir/nginx-keepconn.conf" ||
				die "cannot make the keep-conn variant of etc/nginx/patrol.conf"
			top_srcdir=$dir/src
			mkdir -p "$top_srcdir/etc/nginx" "$top_srcdir/tests"
			cp -r "$ROOT/etc/errors" "$ROOT/etc/systemd" "$top_srcdir/etc/"
			cp "$dir/nginx-keepconn.conf" "$top_srcdir/etc/nginx/patrol.conf"
			cp "$ROOT"/tests/*.sh "$top_srcdir/tests/"
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
		out=$(BENCH_AUTH=$auth wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" \
		    --timeout 10s -s "$ROOT/bench/wrk.lua" "$BASE$url")
		line=$(grep '^@@ ' <<<"$out") || die "$setup: no summary from wrk"
		server_stop
		awk -v s="$setup" -v w="$what" -v l="$line" 'BEGIN {
			n = split(l, f, " ")
			for (i = 2; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
			e = v["connect"] + v["read"] + v["write"] + v["status"] + v["timeout"]
			printf "%s|%s|%.0f|%.2f|%.2f|%d\n", s, w,
			    v["requests"] / (v["duration_us"] / 1e6),
			    v["p50_us"] / 1000, v["p99_us"] / 1000, e }'
	) 2> "$STATE/err" || { cat "$STATE/err" >&2; die "$1 ($2) failed"; }
}

for s in "${SETUPS[@]}"; do
	for w in hello patrol; do
		say "$s: $w"
		l=$(one "$s" "$w")
		LINES+=("$l")
		printf '%s\n' "$l" | tr '|' '\t'
	done
done
printf '\n%-18s %10s %10s %7s\n' setup "hello r/s" "patrol r/s" ratio
for s in "${SETUPS[@]}"; do
	h=$(printf '%s\n' "${LINES[@]}" | awk -F'|' -v s="$s" '$1 == s && $2 == "hello" { print $3 }')
	p=$(printf '%s\n' "${LINES[@]}" | awk -F'|' -v s="$s" '$1 == s && $2 == "patrol" { print $3 }')
	printf '%-18s %10s %10s %7s\n' "$s" "$h" "$p" "$(awk -v h="$h" -v p="$p" 'BEGIN { printf "%.2f", h ? p / h : 0 }')"
done
if [ -n "$RESULTS" ]; then
	{ printf 'setup\twhat\treq_s\tp50_ms\tp99_ms\terrors\n'
	  printf '%s\n' "${LINES[@]}" | tr '|' '\t'; } > "$RESULTS"
fi
