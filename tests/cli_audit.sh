#!/bin/sh
# tests/cli_audit.sh: the audit trail from patrolctl: every changing command
# writes its row in the transaction of its change (a row that cannot be
# written undoes the change), failed commands write none, `audit list`
# (text, --json, --since) reads the trail and `audit prune` prunes it and is
# itself on the record. No secret or hash ever reaches a row.
. "$top_srcdir/tests/lib.sh"

for _c in jq sqlite3; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
make_state "$tmp/s"
CONF="$tmp/s/patrol.conf"
DB="$tmp/s/patrol.db"
me="patrolctl:$(id -un)"

run() {
	"$CTL" --config "$CONF" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
sql() { sqlite3 -batch "$DB" "$@"; }
rows() { sql 'select count(*) from audit'; }
# last: "operation|target|outcome|actor|client" of the newest row.
last() { sql "select operation, ifnull(target, '-'), outcome, actor, client
	from audit order by id desc limit 1"; }

is "$(rows)" 0 "a new database has an empty trail"
run audit list
is "$rc" 0 "audit list on an empty trail: exit 0"
is "$out" "" "audit list on an empty trail: nothing"
run audit list --json
is "$out" "[]" "audit list --json on an empty trail: []"

# --- every changing command writes one row ----------------------------

run identity add --name Alice --rights ORG_ADMIN
alice=$out
is "$(last)" "patrolctl identity add|$alice|ok|$me|local" "identity add: its row"
run pat create --owner "$alice" --name one --json
p1=$(jget "$out" .id)
secret=$(jget "$out" .secret)
is "$(last)" "patrolctl pat create|$p1|ok|$me|local" "pat create: its row"
run pat rename "$p1" two
is "$(last)" "patrolctl pat rename|$p1|ok|$me|local" "pat rename: its row"
run pat scope "$p1" sp:scopes:all
is "$(last)" "patrolctl pat scope|$p1|ok|$me|local" "pat scope: its row"
run pat validity "$p1" 600
is "$(last)" "patrolctl pat validity|$p1|ok|$me|local" "pat validity: its row"
run pat expire "$p1" now
is "$(last)" "patrolctl pat expire|$p1|ok|$me|local" "pat expire now: its row"
run pat expire "$p1" 2099-01-01T00:00:00Z
is "$(last)" "patrolctl pat expire|$p1|ok|$me|local" "pat expire DATE: its row"
n=$(rows)
run pat delete 0123456789abcdef0123456789abcdef
is "$rc" 1 "deleting an unknown PAT fails"
is "$(rows)" "$n" "... and writes no row"
run pat rename "$p1" ""
is "$rc" 1 "a refused rename fails"
is "$(rows)" "$n" "... and writes no row"
run pat revoke "$p1"
is "$(last)" "patrolctl pat revoke|$p1|ok|$me|local" "pat revoke: its row"
run pat create --owner "$alice" --name three
p3=$(printf '%s\n' "$out" | sed -n 's/^id: //p')
run pat delete "$p3"
is "$(last)" "patrolctl pat delete|$p3|ok|$me|local" "pat delete: its row"

AK=qw123Y3QlA5UqocYpdU3rEkzrK2D497y
SK=12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B
printf '{"mfaMethod":"duo-web","enabled":true,"host":"h.example.com","accessKey":"%s","identityAttribute":"email","configProperties":{"skey":"%s","ikey":"IK"}}' \
	"$AK" "$SK" > "$tmp/duo.json"
run mfa duo set --file "$tmp/duo.json"
is "$rc" 0 "mfa duo set"
is "$(last)" "patrolctl mfa duo set|duo-web|ok|$me|local" "mfa duo set: its row"
run key rotate --secrets
is "$(last)" "patrolctl key rotate|$tmp/s/secrets.key|ok|$me|local" \
	"key rotate --secrets: its row (in its transaction)"
run key rotate --signing
kid=$(printf '%s\n' "$out" | sed -n 's/.*kept as \([^ ]*\) until.*/\1/p')
is "$(last)" "patrolctl key rotate|$kid|ok|$me|local" "key rotate --signing: its row"
n=$(rows)
run key prune
is "$rc" 0 "key prune with nothing to prune"
is "$(rows)" "$n" "... writes no row"
touch -d '2 days ago' "$kid"
run key prune
is "$(last)" "patrolctl key prune|$kid|ok|$me|local" "key prune: a row per removed key"

# pat import: a row per batch, in the batch's transaction.
run pat create --owner "$alice" --name i1
pi=$(printf '%s\n' "$out" | sed -n 's/^id: //p')
run pat create --owner "$alice" --name i2
run pat create --owner "$alice" --name i3
run pat export --with-hashes
printf '%s\n' "$out" > "$tmp/all.jsonl"
mkdir -p "$tmp/s2"
sed "s|$tmp/s|$tmp/s2|" "$CONF" > "$tmp/s2/patrol.conf"
"$CTL" --config "$tmp/s2/patrol.conf" init > /dev/null
"$CTL" --config "$tmp/s2/patrol.conf" pat import --batch 2 "$tmp/all.jsonl" > "$tmp/out" 2>&1
is "$?" 0 "pat import in batches of 2"
is "$(sqlite3 "$tmp/s2/patrol.db" "select operation || '|' || target from audit order by id")" \
"patrolctl pat import|2 personal access tokens and 1 new identities from $tmp/all.jsonl
patrolctl pat import|1 personal access tokens and 0 new identities from $tmp/all.jsonl" \
	"pat import: one row per batch, with its counts and the file"

# --- a row that cannot be written undoes its change -------------------

sql "CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'no audit'); END"
npat=$(sql 'select count(*) from pat')
run pat create --owner "$alice" --name refused
is "$rc" 1 "no row, no create: exit 1"
like "$err" "recording the audit trail" "... says why"
is "$(sql 'select count(*) from pat')" "$npat" "... and nothing was created"
run pat delete "$pi"
is "$rc" 1 "no row, no delete: exit 1"
is "$(sql "select count(*) from pat where id = '$pi'")" 1 "... the PAT is still there"
duo=$(sql 'select json from duo_config')
run mfa duo set --file "$tmp/duo.json"
is "$rc" 1 "no row, no Duo change: exit 1"
is "$(sql 'select json from duo_config')" "$duo" "... the stored configuration is unchanged"
cp "$tmp/s/secrets.key" "$tmp/secrets.before"
run key rotate --secrets
is "$rc" 1 "no row, no secrets rotation: exit 1"
cmp -s "$tmp/s/secrets.key" "$tmp/secrets.before"
ok $? "... the secrets key is unchanged"
ok "$(test ! -e "$tmp/s/secrets.key.new"; echo $?)" "... and no new key is left behind"
sql "DROP TRIGGER refuse"

# --- audit list -------------------------------------------------------

run audit list
is "$rc" 0 "audit list: exit 0"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" "$(rows)" "audit list: a line per row"
like "$out" "  $me  patrolctl pat create  $p1  ok  pat=-  client=local  trackingId=" \
	"audit list: time, actor, operation, target, outcome, PAT, client, trackingId"
run audit list --json
is "$rc" 0 "audit list --json: exit 0"
is "$(jget "$out" 'length')" "$(rows)" "audit list --json: an array of every row"
is "$(jget "$out" '[.[] | keys] | unique | .[0] | join(",")')" \
	"actor,client,id,operation,outcome,patId,target,time,trackingId" \
	"audit list --json: the fields of a row"
is "$(jget "$out" '.[0].patId')" null "audit list --json: a missing field is null"
like "$(jget "$out" '.[0].time')" "Z" "audit list --json: RFC 3339 times"
is "$(jget "$out" '[.[].trackingId | test("^[0-9a-f]{32}$")] | all')" true \
	"audit list --json: each command has its own trackingId"
is "$(jget "$out" '[.[].trackingId] | unique | length')" "$(rows)" \
	"audit list --json: all different"
run audit list --since 2099-01-01T00:00:00Z --json
is "$out" "[]" "audit list --since a future date: nothing"
run audit list --since 1h --json
is "$(jget "$out" 'length')" "$(rows)" "audit list --since 1h: everything of this test"
sql "update audit set time = time - 3 * 86400000 where id <= 2"
run audit list --since 2d --json
is "$(jget "$out" 'length')" "$(( $(rows) - 2 ))" "audit list --since 2d: not the rows of 3 days ago"
run audit list --since yesterday
is "$rc" 2 "audit list --since yesterday: usage error"
like "$err" "neither an RFC 3339 date-time nor a duration ago" "... saying what it takes"

# No secret, no hash, anywhere in the trail.
dump=$(sql '.dump audit')
unlike "$dump" "$secret" "no PAT secret in the trail"
unlike "$dump" "$AK" "no Duo accessKey in the trail"
unlike "$dump" "$SK" "no Duo skey in the trail"
hash=$(sql "select secret_hash from pat where id = '$pi'")
is "${#hash}" 64 "(a hash to look for)"
unlike "$dump" "$hash" "no secret hash in the trail"

# --- audit prune ------------------------------------------------------

run audit prune
is "$rc" 0 "audit prune (retention 365 days): exit 0"
like "$out" "pruned 0 audit rows older than" "... nothing is that old"
sql "update audit set time = time - 400 * 86400000 where id <= 3"
n=$(rows)
run audit prune
is "$out" "$(printf 'pruned 3 audit rows older than %s' "$(printf '%s' "$out" | sed 's/.*older than //')")" \
	"audit prune: the 3 rows past 365 days"
is "$(rows)" "$((n - 3 + 1))" "... gone, and the pruning has its own row"
like "$(last)" "patrolctl audit prune|3 rows before " "... which says what it pruned"
run audit prune --before 2099-01-01T00:00:00Z
is "$(rows)" 1 "audit prune --before a future date: only its own row is left"
run audit prune --before soon
is "$rc" 2 "audit prune --before soon: usage error"
printf 'audit = { retention_days = 0; };\n' >> "$CONF"
run audit prune
is "$rc" 1 "retention_days 0: audit prune without --before refuses"
like "$err" "keep forever" "... and says why"
printf 'audit = { retention_days = -1; };\n' > "$tmp/bad.conf"
cat "$tmp/s/patrol.conf" | grep -v '^audit' >> "$tmp/bad.conf"
"$CTL" --config "$tmp/bad.conf" audit list > /dev/null 2> "$tmp/err"
is "$?" 1 "audit.retention_days -1: the configuration is refused"

done_testing
