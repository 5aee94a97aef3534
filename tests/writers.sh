#!/bin/sh
# tests/writers.sh: concurrent writers (issue 8): for 15 s, 4 API clients
# through lighttpd's 3+3 responders ask for tokens (each grant writes the
# PAT's lastUsed: pat.last_used_interval is 0 here) and PUT the Duo
# configuration (tests/loadclients.py), while patrolctl adds identities,
# creates, renames and deletes PATs, sets the Duo configuration, and imports
# 50000 PATs in one transaction (the longest write lock patrol takes). With
# the default database.busy_timeout_ms (5000) nothing fails: no 500, no
# failed patrolctl command, no lost lastUsed write. docs/deploy.md states
# the policy and the figures.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq python3; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-writers.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
sed -i 's/^pat = { .* };/pat = { last_used_interval = 0; max_per_owner = 0; };/' "$CONF"
grep -q 'last_used_interval = 0;' "$CONF" || bail "cannot set pat.last_used_interval"
ctl() { "$CTL" --config "$CONF" "$@"; }
admin=$(ctl identity add --name Admin --rights ORG_ADMIN) || bail "identity add"
set -- $(ctl pat create --owner "$admin" --name main --json | jq -r '.id + " " + .secret')
id=$1 sec=$2
# 50000 PATs to import, made from the export of one.
ctl pat create --owner "$admin" --name template > /dev/null
ctl pat export --with-hashes --filters 'name eq "template"' > "$tmp/one.jsonl"
python3 - "$tmp/one.jsonl" > "$tmp/big.jsonl" <<'PY'
import json, os, sys
t = json.loads(open(sys.argv[1]).readline())
for i in range(50000):
    t["id"] = os.urandom(16).hex()
    t["name"] = "imported-%d" % i
    print(json.dumps(t))
PY
server_start "$S" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 20'
tok=$(curl -s -d grant_type=client_credentials -d "client_id=$id" \
    -d "client_secret=$sec" "$BASE/oauth/token" | jq -r '.access_token // empty')
[ -n "$tok" ] || bail "no token"
t0=$(date +%s%3N)

python3 "$top_srcdir/tests/loadclients.py" "$BASE" "$tok" "$id" "$sec" 4 15 \
    "$tmp/load.json" &
cpid=$!
# patrolctl, for the same 15 s: every kind of write it makes, in a loop,
# and one long import in the middle.
fails=0 writes=0
printf '{"enabled":true,"host":"cli.example.com","accessKey":"AK-from-cli-0001","identityAttribute":"email","configProperties":{"skey":"SK-cli","ikey":"IK-cli"}}' \
    > "$tmp/duo.json"
end=$(($(date +%s) + 15))
imported=no
n=0
while [ "$(date +%s)" -lt "$end" ]; do
	n=$((n + 1))
	if [ "$imported" = no ] && [ $n -ge 20 ]; then
		imported=yes
		ctl pat import "$tmp/big.jsonl" > "$tmp/import.out" 2>&1 ||
			{ fails=$((fails + 1)); diag "import: $(cat "$tmp/import.out")"; }
		writes=$((writes + 1))
	fi
	i=$(ctl identity add --name "W$n" --rights "" 2> "$tmp/e") ||
		{ fails=$((fails + 1)); diag "identity add: $(cat "$tmp/e")"; }
	p=$(ctl pat create --owner "$admin" --name "w$n" --json 2> "$tmp/e" | jq -r .id) ||
		{ fails=$((fails + 1)); diag "pat create: $(cat "$tmp/e")"; }
	ctl pat rename "$p" "w$n-renamed" > /dev/null 2> "$tmp/e" ||
		{ fails=$((fails + 1)); diag "pat rename: $(cat "$tmp/e")"; }
	ctl pat delete "$p" > /dev/null 2> "$tmp/e" ||
		{ fails=$((fails + 1)); diag "pat delete: $(cat "$tmp/e")"; }
	ctl mfa duo set --file "$tmp/duo.json" > /dev/null 2> "$tmp/e" ||
		{ fails=$((fails + 1)); diag "mfa duo set: $(cat "$tmp/e")"; }
	writes=$((writes + 5))
done
wait "$cpid"
ok $? "the API clients ran to the end"
L=$(cat "$tmp/load.json")
diag "API: $(jget "$L" .count) requests in 15 s (tokens $(jget "$L" '.token | tostring'), PUTs $(jget "$L" '.put | tostring')), slowest $(jget "$L" .slowest) s; patrolctl: $writes writes"
is "$imported" yes "patrolctl imported 50000 PATs in one transaction meanwhile"
like "$(cat "$tmp/import.out")" "imported 50000 personal access tokens" "... and it succeeded"
is "$fails" 0 "no patrolctl write failed ($writes of them)"
[ "$writes" -ge 50 ]
ok $? "patrolctl wrote all along ($writes writes)"
is "$(jget "$L" '.token | keys | join(",")')" 200 "every token request got 200"
is "$(jget "$L" '.put | keys | join(",")')" 200 "every Duo PUT got 200"
[ "$(jget "$L" .count)" -ge 200 ]
ok $? "the API clients made $(jget "$L" .count) requests"
server_stop
if grep -q 'lastUsed' "$(server_error_log)"; then r=1; else r=0; fi
ok $r "no lastUsed write failed (none logged)"
lu=$(ctl pat show "$id" --json | jq -r .lastUsed)
[ "$(date -d "$lu" +%s%3N)" -ge "$t0" ]
ok $? "the PAT's lastUsed is from the test ($lu)"
if grep -q ': 500 ' "$(server_error_log)"; then r=1; else r=0; fi
ok $r "no 500 in the web server's error log"
done_testing
