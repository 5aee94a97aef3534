#!/bin/sh
# tests/limits.sh: the rate limits through a real lighttpd with its 3+3
# responders (so the counting is shared between processes): requests per
# access token on /beta/... and failed secrets on /oauth/token per client id
# and per client address, each answered 429 with Retry-After, each ending
# with its window, whatever was sent meanwhile.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-limits.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
sed -i 's/^limits = .*/limits = { requests_per_token = 20; window_seconds = 6; auth_failures = 3; auth_window_seconds = 4; };/' "$CONF"
ctl() { "$CTL" --config "$CONF" "$@"; }
admin=$(ctl identity add --name Admin --rights ORG_ADMIN) || bail "identity add"
set -- $(ctl pat create --owner "$admin" --name a --json | jq -r '.id + " " + .secret')
id=$1 sec=$2
set -- $(ctl pat create --owner "$admin" --name b --json | jq -r '.id + " " + .secret')
id2=$1 sec2=$2
server_start "$S" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 20'

# token [CURL-ARGS]: POST /oauth/token for $id; sets $code and $body.
token() {
	body=$(curl -s -D "$tmp/h" -w '\n%{http_code}' "$@" "$BASE/oauth/token")
	code=$(printf '%s' "$body" | tail -1)
	body=$(printf '%s' "$body" | sed '$d')
}
retry_after() { tr -d '\r' < "$tmp/h" | sed -n 's/^[Rr]etry-[Aa]fter: //p'; }

# --- per access token ---------------------------------------------------
# Wait for the start of a 6-second window, so that 21 requests fit in one.
while [ $(( $(date +%s) % 6 )) -ne 0 ]; do sleep 0.2; done
token -d grant_type=client_credentials -d "client_id=$id" -d "client_secret=$sec"
tok=$(jget "$body" .access_token)
token -d grant_type=client_credentials -d "client_id=$id" -d "client_secret=$sec"
tok2=$(jget "$body" .access_token)
ok200=0
for i in $(seq 1 20); do
	c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
	    "$BASE/beta/personal-access-tokens?owner-id=me")
	[ "$c" = 200 ] && ok200=$((ok200 + 1))
done
is "$ok200" 20 "requests_per_token 20: 20 requests answered, over 3 responders"
b=$(curl -s -D "$tmp/h" -w '\n%{http_code}' -H "Authorization: Bearer $tok" \
    "$BASE/beta/mfa/duo-web/config")
is "$(printf '%s' "$b" | tail -1)" 429 "the 21st: 429"
is "$(printf '%s' "$b" | sed '$d')" '{"message":" Rate Limit Exceeded "}' "... the spec's body"
ra=$(retry_after)
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 6 ]
ok $? "... Retry-After in seconds, within the window ($ra)"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok2" \
    "$BASE/beta/mfa/duo-web/config")
is "$c" 200 "another access token of the same PAT: its own count"
sleep "$ra"
c=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" \
    "$BASE/beta/mfa/duo-web/config")
is "$c" 200 "after Retry-After: 200 again"

# --- failed secrets -----------------------------------------------------
while [ $(( $(date +%s) % 4 )) -ne 0 ]; do sleep 0.2; done
for i in 1 2 3; do
	token -d grant_type=client_credentials -d "client_id=$id" -d client_secret=wrong
	[ "$code" = 401 ] || diag "failure $i: $code"
done
token -d grant_type=client_credentials -d "client_id=$id" -d "client_secret=$sec"
is "$code" 429 "auth_failures 3: then even the right secret gets 429"
ra=$(retry_after)
[ -n "$ra" ] && [ "$ra" -ge 1 ] && [ "$ra" -le 4 ]
ok $? "... with Retry-After ($ra)"
is "$body" '{"message":" Rate Limit Exceeded "}' "... the spec's body"
token -d grant_type=client_credentials -d "client_id=$id2" -d "client_secret=$sec2"
is "$code" 429 "another client id from the same address: 429 too (per address)"
token --interface 127.0.0.2 -d grant_type=client_credentials -d "client_id=$id2" \
    -d "client_secret=$sec2"
is "$code" 200 "another client id from another address: 200"
token --interface 127.0.0.2 -d grant_type=client_credentials -d "client_id=$id" \
    -d "client_secret=$sec"
is "$code" 429 "the throttled client id from another address: 429 (per client id)"
sleep "$ra"
token -d grant_type=client_credentials -d "client_id=$id" -d "client_secret=$sec"
is "$code" 200 "once the window has passed, the right secret works: no lasting lockout"
sleep 0.3
like "$(cat "$(server_error_log)")" "429 auth_failures reached" "the 429s are logged"
if grep -q -e "$sec" -e wrong "$(server_error_log)"; then r=1; else r=0; fi
ok $r "no secret in the log"
server_stop
done_testing
