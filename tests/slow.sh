#!/bin/sh
# tests/slow.sh: slow clients do not lock others out. Against the setup of
# PATROL_SETUP (tests/server.sh; tests/slow-SETUP.sh run the others), 2000
# connections from 127.0.0.2 each send one more header line every 10 s and
# never finish (tests/slowclients.py); meanwhile, once a second for 20 s, a
# token request and a listing from 127.0.0.1 must each be answered 200
# within a second. The recipe's bounds (per-address connection limits,
# header timeouts) are what make it hold.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq python3; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-slow.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
admin=$("$CTL" --config "$CONF" identity add --name Admin --rights ORG_ADMIN) ||
	bail "identity add"
pat=$("$CTL" --config "$CONF" pat create --owner "$admin" --name slow --json) ||
	bail "pat create"
id=$(jget "$pat" .id)
sec=$(jget "$pat" .secret)
server_start "$S" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 20'
diag "$SETUP pid $SERVER_PID on $BASE"
port=${BASE##*:}

tok=$(curl -s -m 5 -d grant_type=client_credentials -d "client_id=$id" \
    -d "client_secret=$sec" "$BASE/oauth/token" | jq -r .access_token)
[ -n "$tok" ] && [ "$tok" != null ]
ok $? "a token before the flood"

python3 "$top_srcdir/tests/slowclients.py" 127.0.0.1 "$port" --count 2000 \
    --from 127.0.0.2 --every 10 --hold 35 > "$tmp/flood" 2>&1 &
flood=$!
at_exit 'kill $flood 2>/dev/null'
i=0
while ! grep -q '^ready' "$tmp/flood" && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
ready=$(grep '^ready' "$tmp/flood")
diag "flood: $ready (connections held, refused)"
case $ready in ready*) r=0 ;; *) r=1 ;; esac
ok $r "the flood opened its connections from 127.0.0.2"

# 20 rounds, one a second: each request gets a second, no more.
slow=0 n=0
while [ $n -lt 20 ]; do
	n=$((n + 1))
	a=$(curl -s -o /dev/null -m 1 -w '%{http_code}' -d grant_type=client_credentials \
	    -d "client_id=$id" -d "client_secret=$sec" "$BASE/oauth/token")
	b=$(curl -s -o /dev/null -m 1 -w '%{http_code}' -H "Authorization: Bearer $tok" \
	    "$BASE/beta/personal-access-tokens?owner-id=me")
	if [ "$a $b" != "200 200" ]; then
		slow=$((slow + 1))
		diag "round $n: token $a, listing $b"
	fi
	sleep 1
done
is "$slow" 0 "20 rounds from 127.0.0.1 during the flood: every request answered 200 within 1 s"
kill "$flood" 2>/dev/null
wait "$flood" 2>/dev/null
_lt_alive "$SERVER_PID"
ok $? "$SETUP is still running"
done_testing
