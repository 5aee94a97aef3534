#!/bin/bash
# bench/profile.sh: instructions per request of the responder's own work,
# measured with callgrind (repeatable whatever else the machine does), for
# the request kinds of bench/bench.sh. Builds bench/inproc.c against the
# library of a build tree, makes a throw-away state (an ORG_ADMIN identity
# with 10 PATs, another with 1000), and runs each request N times under
# `valgrind --tool=callgrind`; prints instructions per request and keeps the
# callgrind files (callgrind_annotate them) in the output directory.
#
# usage: bench/profile.sh [--build DIR] [--requests N] [--out DIR]
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${PATROL_BUILD:-$ROOT/build}
N=200
OUT=

while [ $# -gt 0 ]; do
	case $1 in
	--build) BUILD=${2:?}; shift ;;
	--requests) N=${2:?}; shift ;;
	--out) OUT=${2:?}; shift ;;
	-h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "profile.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
command -v valgrind >/dev/null || { echo "profile.sh: needs valgrind" >&2; exit 1; }
[ -x "$BUILD/tools/patrolctl" ] || { echo "profile.sh: no build in $BUILD" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
OUT=${OUT:-$tmp/out}
mkdir -p "$OUT"
LIBDIR=$BUILD/lib/.libs
cc -O2 -g -I"$ROOT/lib" $(pkg-config --cflags jansson) -o "$tmp/inproc" \
    "$ROOT/bench/inproc.c" -L"$LIBDIR" -Wl,-rpath,"$LIBDIR" -lpatrol \
    $(pkg-config --libs jansson)

ctl() { "$BUILD/tools/patrolctl" --config "$tmp/patrol.conf" "$@"; }
printf 'database = { path = "patrol.db"; };\ntoken = { signing_key_file = "signing.key"; };\npat = { max_per_owner = 0; };\n' >"$tmp/patrol.conf"
ctl init >/dev/null
admin=$(ctl identity add --name Admin --rights ORG_ADMIN | head -1)
big=$(ctl identity add --name Big --rights ORG_ADMIN | head -1)
creds=$(ctl pat create --owner "$admin" --name p0 --json)
for i in $(seq 1 9); do ctl pat create --owner "$admin" --name "p$i" >/dev/null; done
ctl pat create --owner "$big" --name b0 >/dev/null
sqlite3 "$tmp/patrol.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 999)
INSERT INTO pat (id, name, scope, owner_id, created, last_used, managed, secret_hash, expires, validity)
SELECT printf('%032x', i), 'bulk' || i, NULL, '$big', 1700000000000 + i, NULL, 0, printf('%064x', i), NULL, 43200 FROM n;"
cid=$(jq -r .id <<<"$creds")
csec=$(jq -r .secret <<<"$creds")
form="grant_type=client_credentials&client_id=$cid&client_secret=$csec"
run() {	# run NAME N ARGS...: one request N times under callgrind
	local name=$1 n=$2
	shift 2
	valgrind --tool=callgrind --callgrind-out-file="$OUT/$name.cg" \
	    "$tmp/inproc" "$tmp/patrol.conf" "$n" "$@" >/dev/null 2>"$OUT/$name.err"
	callgrind_annotate "$OUT/$name.cg" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
tok=$("$tmp/inproc" "$tmp/patrol.conf" 1 POST /oauth/token - "$form" \
    application/x-www-form-urlencoded | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
bigcreds=$(ctl pat list --owner "$big" --json | jq -r '.[0].id')
printf '%-16s %12s\n' scenario instr/request
for s in oauth-token duo-get pat-list-10 pat-list-1000; do
	case $s in
	oauth-token) args=(POST /oauth/token - "$form" application/x-www-form-urlencoded) ;;
	duo-get) args=(GET /beta/mfa/duo-web/config "$tok") ;;
	pat-list-10) args=(GET "/beta/personal-access-tokens?owner-id=me" "$tok") ;;
	pat-list-1000) args=(GET "/beta/personal-access-tokens?owner-id=$big" "$tok") ;;
	esac
	n=$N
	[ "$s" = pat-list-1000 ] && n=$((N / 20 + 1))
	one=$(run "$s-1" 1 "${args[@]}")
	many=$(run "$s" "$((n + 1))" "${args[@]}")
	printf '%-16s %12d\n' "$s" $(( (many - one) / n ))
done
echo "callgrind files: $OUT" >&2
