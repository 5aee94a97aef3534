#!/bin/sh
# tests/interop.sh: the official SailPoint TypeScript SDK
# (sailpoint-api-client, pinned to 1.4.15 by tests/interop/package-lock.json)
# against patrol behind a real lighttpd. The SDK runs unchanged: it gets its
# token with a multipart POST to /oauth/token, then lists, creates, patches
# and deletes PATs and reads and writes the Duo configuration
# (tests/interop/sdk.js prints the TAP lines). Then a burst over the per-token
# rate limit, retried by the SDK on 429 (tests/interop/burst.js).
# npm ci installs the SDK into a copy in the build tree (once; reused while
# the lock file is unchanged).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

NODE=${NODE:-$(command -v node 2>/dev/null)}
NPM=${NPM:-$(command -v npm 2>/dev/null)}
[ -n "$NODE" ] && [ -x "$NODE" ] || skip_all "node is not installed"
[ -n "$NPM" ] && [ -x "$NPM" ] || skip_all "npm is not installed"
server_check
for _c in curl jq sqlite3; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
_major=$("$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null)
[ "${_major:-0}" -ge 18 ] 2>/dev/null || skip_all "node $_major is too old (18 or later)"

SRC=$top_srcdir/tests/interop
NM=$top_builddir/tests/interop-node
mkdir -p "$NM" || bail "cannot create $NM"
cp "$SRC/package.json" "$SRC/sdk.js" "$SRC/burst.js" "$SRC/tap.js" "$NM/" ||
	bail "cannot copy $SRC"
# npm ci again only when the lock file changed or the install is incomplete.
if ! cmp -s "$SRC/package-lock.json" "$NM/package-lock.json" ||
    [ ! -f "$NM/node_modules/.patrol-installed" ]; then
	cp "$SRC/package-lock.json" "$NM/" || bail "cannot copy the lock file"
	diag "npm ci in $NM"
	if ! (cd "$NM" && "$NPM" ci --no-audit --no-fund --ignore-scripts \
	    --loglevel=error) > "$NM/npm-ci.log" 2>&1; then
		sed 's/^/# /' "$NM/npm-ci.log" | tail -n 20
		# Offline machines skip; CI (which must skip nothing) fails.
		[ "${CI:-}" = true ] && bail "npm ci failed (see above)"
		skip_all "npm ci failed (no access to the npm registry?)"
	fi
	: > "$NM/node_modules/.patrol-installed"
fi
v=$("$NODE" -p 'require(process.argv[1] + "/node_modules/sailpoint-api-client/package.json").version' "$NM" 2>&1)
is "$v" 1.4.15 "sailpoint-api-client 1.4.15 installed by npm ci"

CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-interop.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
ctl() { "$CTL" --config "$CONF" "$@"; }

admin=$(ctl identity add --name "SDK Admin" --rights ORG_ADMIN) || bail "identity add"
pat() {	# pat NAME [ARGS]: prints "id secret"
	ctl pat create --owner "$admin" --name "$@" --json |
	    jq -r '.id + " " + .secret'
}
set -- $(pat sdk-main)
main_id=$1 main_sec=$2
set -- $(pat sdk-unused)
unused_id=$1
set -- $(pat sdk-scoped --scope sp:my-personal-access-tokens:read)
scoped_id=$1 scoped_sec=$2
[ -n "$main_sec" ] && [ -n "$unused_id" ] && [ -n "$scoped_sec" ] ||
	bail "cannot create the PATs"

server_start "$S" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 40'
diag "$SETUP pid $SERVER_PID on $BASE"

# sdk_run SCRIPT MIN [VAR=VALUE...]: runs a script of tests/interop with
# node, its TAP lines counted into lib.sh's totals; at least MIN of them.
# The SDK uses proxy-agent and axios, which honour the proxy variables: talk
# to loopback directly.
sdk_run() {
	_js=$1 _min=$2
	shift 2
	(
		cd "$NM" &&
		env -u http_proxy -u https_proxy -u HTTP_PROXY -u HTTPS_PROXY \
		    -u ALL_PROXY -u all_proxy NO_PROXY=127.0.0.1,localhost \
		    no_proxy=127.0.0.1,localhost "$@" \
		    TAP_START="$_tap_n" TAP_NO_PLAN=1 "$NODE" "$_js" 2> "$tmp/node.err"
		echo $? > "$tmp/node.rc"
	) | tee "$tmp/node.tap"
	_sdk_n=$(grep -Ec '^(not )?ok [0-9]+' "$tmp/node.tap")
	_sdk_failed=$(grep -Ec '^not ok [0-9]+' "$tmp/node.tap")
	_tap_n=$((_tap_n + _sdk_n))
	_tap_failed=$((_tap_failed + _sdk_failed))
	if [ -s "$tmp/node.err" ]; then
		diag "node stderr:"
		sed 's/^/#   /' "$tmp/node.err"
	fi
	ok "$(cat "$tmp/node.rc" 2>/dev/null || echo 1)" "$_js exits 0"
	[ "$_sdk_n" -ge "$_min" ]
	ok $? "$_js ran all its tests ($_sdk_n)"
}
sdk_run sdk.js 40 PATROL_BASE="$BASE" ADMIN_ID="$admin" \
    ADMIN_PAT_ID="$main_id" ADMIN_PAT_SECRET="$main_sec" \
    UNUSED_PAT_ID="$unused_id" SCOPED_PAT_ID="$scoped_id" \
    SCOPED_PAT_SECRET="$scoped_sec"

# What the SDK did, seen from the other side.
stored=$(sqlite3 -batch "$S/patrol.db" "SELECT json FROM duo_config;")
opened() {
	jget "$stored" "$1" | "$top_builddir/tests/unseal" "$S/secrets.key" \
	    "duo_config/1/$2"
}
is "$(opened .accessKey accessKey) $(opened .configProperties.skey configProperties.skey)" \
    "qw123Y3QlA5UqocYpdU3rEkzrK2D497y 12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B" \
    "after the SDK's read-modify-write the database still has both secrets (sealed)"
unlike "$stored" "qw123Y3QlA5U" "... and neither in clear"
is "$(jget "$stored" '.host + " " + (.enabled | tostring)')" \
    "api-1234.duosecurity.com false" "and the SDK's edits"
is "$(ctl pat show "$unused_id" --json | jq -r .lastUsed)" null \
    "the PAT the SDK never used still has lastUsed null"
is "$(sqlite3 -batch "$S/patrol.db" "SELECT count(*) FROM pat WHERE name IN ('sdk-created', 'sdk-patched', 'New name');")" 0 \
    "the PAT the SDK created, patched and deleted is gone from the database"
lu=$(ctl pat show "$main_id" --json | jq -r .lastUsed)
printf '%s\n' "$lu" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$'
ok $? "the PAT the SDK used has lastUsed set ($lu)"

# A burst over the per-token rate limit (issue 8): the same server, restarted
# with limits.requests_per_token 10 per 2 s. 429 and Retry-After pass
# through $SETUP to the SDK.
server_stop
sed 's/requests_per_token = 1000000;/requests_per_token = 10; window_seconds = 2;/' \
    "$CONF" > "$CONF.new" && mv "$CONF.new" "$CONF"
grep -q 'requests_per_token = 10;' "$CONF" || bail "cannot set the limit in $CONF"
server_start "$S" || bail "cannot restart $SETUP"
set -- $(pat sdk-burst)
sdk_run burst.js 6 PATROL_BASE="$BASE" ADMIN_PAT_ID="$1" ADMIN_PAT_SECRET="$2" \
    LIMIT=10 WINDOW=2

done_testing
