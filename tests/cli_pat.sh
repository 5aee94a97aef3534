#!/bin/sh
# tests/cli_pat.sh: patrolctl's PAT lifecycle and bulk commands: pat create
# with validity and expiry, rename, scope, expire, validity, delete/revoke,
# list with --sort/--limit/--offset/--filters over every field, export (with
# and without hashes) and import (all or nothing, batches, progress, owners
# created), each error with its message and exit status. The same rules as
# the API: a change made here is what PATCH would make.
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

run() {
	"$CTL" --config "$CONF" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
sql() { sqlite3 -batch "$DB" "$@"; }
field() { printf '%s\n' "$out" | sed -n "s/^$1: //p"; }

run identity add --name Alice --rights ORG_ADMIN
alice=$out
run identity add --name Bob --rights ""
bob=$out

# --- create: validity, expiry, --json ----------------------------------

run pat create --owner "$alice" --name one --validity 600 --expires 2099-01-02T03:04:05Z --json
is "$rc" 0 "create --validity --expires --json: exit 0"
p1=$(jget "$out" .id)
is "$(jget "$out" .accessTokenValiditySeconds)" 600 "--validity stored"
is "$(jget "$out" .expirationDate)" 2099-01-02T03:04:05.000Z "--expires stored"
is "$(jget "$out" .owner.name)" Alice "--json: the API's PAT, owner included"
is "$(jget "$out" '.secret | length')" 64 "--json: the secret, once"
is "$(jget "$out" '.scope')" null "no --scope: null"
run pat create --owner "$alice" --name never --expires never --json
is "$(jget "$out" .expirationDate)" null "--expires never: null"
pn=$(jget "$out" .id)
run pat create --owner "$alice" --name dflt --json
now=$(date +%s)
exp=$(jget "$out" .expirationDate)
days=$(( ($(date -d "$exp" +%s) - now + 43200) / 86400 ))
is "$days" 182 "no --expires: pat.default_expiry (182 days)"
is "$(jget "$out" .accessTokenValiditySeconds)" 43200 "no --validity: 43200"
pd=$(jget "$out" .id)

run pat create --owner "$alice" --name x --validity 14
is "$rc" 1 "--validity 14: exit 1"
like "$err" "accessTokenValiditySeconds must be" "--validity 14: the rule"
run pat create --owner "$alice" --name x --validity abc
is "$rc" 1 "--validity abc: exit 1"
like "$err" "--validity: 'abc' is not a whole number" "--validity abc: message"
run pat create --owner "$alice" --name x --expires 2001-01-01T00:00:00Z
is "$rc" 1 "--expires in the past: exit 1"
like "$err" "expirationDate" "--expires in the past: names the field"
run pat create --owner "$alice" --name x --expires tomorrow
is "$rc" 1 "--expires tomorrow: exit 1"
like "$err" "neither \"never\" nor an RFC 3339 date-time" "--expires tomorrow: message"
is "$(sql "select count(*) from pat where name = 'x'")" 0 "refused creations store nothing"

# --- rename, scope, validity, expire -------------------------------------

run pat rename "$p1" renamed
is "$rc" 0 "rename: exit 0"
is "$(field name)" renamed "rename: shown"
is "$(sql "select name from pat where id = '$p1'")" renamed "rename: stored"
run pat rename "$p1" never
is "$rc" 1 "rename to a name the owner has: exit 1"
is "$err" "patrolctl: pat rename: owner $alice already has a personal access token named 'never'" \
	"rename to a taken name: message"
run pat rename "$p1" ""
is "$rc" 1 "rename to an empty name: exit 1"
like "$err" "name must not be empty" "rename to an empty name: the rule"
run pat rename ffffffffffffffffffffffffffffffff y
is "$rc" 1 "rename of an unknown PAT: exit 1"
is "$err" "patrolctl: pat rename: personal access token ffffffffffffffffffffffffffffffff does not exist" \
	"rename of an unknown PAT: message"
run pat rename "$p1"
is "$rc" 2 "rename without NAME: usage error"

run pat scope "$p1" sp:my-personal-access-tokens:read,demo:a --json
is "$rc" 0 "scope: exit 0"
is "$(jget "$out" '.scope | join(",")')" sp:my-personal-access-tokens:read,demo:a \
	"scope: shown in order"
is "$(sql "select scope from pat where id = '$p1'")" \
	'["sp:my-personal-access-tokens:read","demo:a"]' "scope: stored"
run pat scope "$p1" --all --json
is "$(jget "$out" .scope)" null "scope --all: null"
run pat scope "$p1" "a b"
is "$rc" 1 "scope with a space: exit 1"
like "$err" "has a character not allowed in a scope" "scope with a space: the rule"
run pat scope "$p1"
is "$rc" 2 "scope with neither SCOPES nor --all: usage error"
run pat scope "$p1" a --all
is "$rc" 2 "scope with both: usage error"

run pat validity "$p1" 15
is "$rc" 0 "validity 15: exit 0"
is "$(field accessTokenValiditySeconds)" 15 "validity: shown"
run pat validity "$p1" 43201
is "$rc" 1 "validity 43201: exit 1"
is "$(sql "select validity from pat where id = '$p1'")" 15 "a refused validity changes nothing"

run pat expire "$p1" 2098-06-01T00:00:00Z --json
is "$rc" 0 "expire DATE: exit 0"
is "$(jget "$out" .expirationDate)" 2098-06-01T00:00:00.000Z "expire DATE: stored"
run pat expire "$p1" never --json
is "$(jget "$out" .expirationDate)" null "expire never: null"
is "$(sql "select expires is null from pat where id = '$p1'")" 1 "expire never: stored as null"
run pat expire "$p1" 2000-01-01T00:00:00Z
is "$rc" 1 "expire in the past: exit 1"
like "$err" "expirationDate" "expire in the past: the rule"
run pat expire "$pd" now --json
is "$rc" 0 "expire now: exit 0"
e=$(sql "select expires from pat where id = '$pd'")
ok "$([ "$e" -le "$(( $(date +%s) * 1000 + 1000 ))" ]; echo $?)" "expire now: the expiry is now"
run pat show "$pd"
like "$(field expirationDate)" "$(date -u +%Y-%m-%d)" "pat show prints expirationDate"

# --- delete and revoke ---------------------------------------------------

run pat delete "$pn"
is "$rc" 0 "delete: exit 0"
is "$out" "deleted $pn" "delete: says so"
is "$(sql "select count(*) from pat where id = '$pn'")" 0 "delete: gone"
run pat delete "$pn"
is "$rc" 1 "delete twice: exit 1"
like "$err" "does not exist" "delete twice: message"
run pat revoke "$pd"
is "$rc" 0 "revoke (alias of delete): exit 0"
is "$(sql "select count(*) from pat where id = '$pd'")" 0 "revoke: gone"
run pat delete nope
is "$rc" 1 "delete of a bad id: exit 1"

# --- list: sort, limit, offset, filters over every field -----------------

for n in c a B d; do run pat create --owner "$bob" --name "$n"; done
sql "update pat set created = 1000 + unicode(name) where owner_id = '$bob'"
sql "update pat set last_used = 5000 where owner_id = '$bob' and name in ('a', 'd')"
names() { printf '%s' "$out" | jq -r '[.[].name] | join(",")'; }
run pat list --owner "$bob" --json
is "$(names)" B,a,c,d "list: by created (the default)"
run pat list --owner "$bob" --sort name --json
is "$(names)" a,B,c,d "--sort name: case-insensitive"
run pat list --owner "$bob" --sort -name --json
is "$(names)" d,c,B,a "--sort -name"
run pat list --owner "$bob" --sort lastUsed,-created --json
is "$(names)" c,B,d,a "--sort lastUsed,-created: nulls first"
run pat list --owner "$bob" --sort name --limit 2 --json
is "$(names)" a,B "--limit 2"
run pat list --owner "$bob" --sort name --limit 2 --offset 2 --json
is "$(names)" c,d "--limit 2 --offset 2"
run pat list --owner "$bob" --sort name --offset 3 --json
is "$(names)" d "--offset 3"
run pat list --owner "$bob" --offset 9 --json
is "$out" "[]" "an offset past the end: []"
run pat list --sort bogus
is "$rc" 1 "--sort bogus: exit 1"
like "$err" "--sort: sorters: unknown field 'bogus'" "--sort bogus: message"
run pat list --limit 0
is "$rc" 1 "--limit 0: exit 1"
run pat list --limit -1
is "$rc" 1 "--limit -1: exit 1"
like "$err" "--limit: '-1' is not a whole number" "--limit -1: message"
run pat list --offset x
is "$rc" 1 "--offset x: exit 1"

# Every field of the admin schema, pushed into SQL.
flt() { run pat list --json --filters "$1"; is "$rc" 0 "--filters '$1': exit 0"; }
flt 'name eq "a"';				is "$(names)" a "filter name eq"
flt 'name sw "B"';				is "$(names)" B "filter name sw"
flt "owner.id eq \"$bob\" and lastUsed pr";	is "$(names)" a,d "filter owner.id and lastUsed pr"
flt 'owner.name eq "Alice"';			is "$(names)" renamed "filter owner.name"
flt "id eq \"$p1\"";				is "$(names)" renamed "filter id"
flt 'created lt "1970-01-01T00:00:01.098Z"';	is "$(names)" B,a "filter created lt"
flt 'expirationDate isnull';			is "$(names)" renamed "filter expirationDate isnull"
flt 'accessTokenValiditySeconds eq 15';		is "$(names)" renamed "filter accessTokenValiditySeconds"
flt 'managed eq true';				is "$(names)" "" "filter managed"
flt 'lastUsed le "1970-01-01T00:00:05Z" and not (name eq "d")'; is "$(names)" a "filter not/and"
run pat list --filters 'bogus eq 1'
is "$rc" 1 "a filter on an unknown field: exit 1"
like "$err" "bogus" "names the field"
run pat list
is "$(printf '%s\n' "$out" | head -1 | tr -s ' ')" "ID NAME OWNER CREATED LAST USED EXPIRES MANAGED SCOPE" \
	"the table's columns"

# --- export ---------------------------------------------------------------

run pat export
is "$rc" 0 "export: exit 0"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" "$(sql 'select count(*) from pat')" \
	"export: one line per PAT"
unlike "$out" "secretHash" "export: no hash without --with-hashes"
unlike "$out" "secret\"" "export: never a secret"
printf '%s\n' "$out" | head -1 | jq -e '.id and .name and .owner.id and .owner.name and .created and has("lastUsed") and has("expirationDate") and .accessTokenValiditySeconds and has("managed")' >/dev/null
ok $? "export: each line is the API's PAT"
run pat export --owner "$bob" --filters 'name eq "a"'
is "$(printf '%s' "$out" | jq -r .name)" a "export --owner --filters"
run pat export --with-hashes
printf '%s\n' "$out" > "$tmp/all.jsonl"
is "$(printf '%s\n' "$out" | jq -r 'select(.id == "'"$p1"'") | .secretHash')" \
	"$(sql "select secret_hash from pat where id = '$p1'")" "--with-hashes: the stored hash"

# --- import ---------------------------------------------------------------

make_state "$tmp/t"
CONF2="$tmp/t/patrol.conf"
DB2="$tmp/t/patrol.db"
imp() { "$CTL" --config "$CONF2" pat import "$@" > "$tmp/out" 2> "$tmp/err"; rc=$?
	out=$(cat "$tmp/out"); err=$(cat "$tmp/err"); }
count2() { sqlite3 "$DB2" "select count(*) from $1"; }

imp "$tmp/all.jsonl" --batch 2
is "$rc" 0 "import: exit 0"
n=$(wc -l < "$tmp/all.jsonl" | tr -d ' ')
like "$out" "imported $n personal access tokens (2 new identities)" "import: the summary"
like "$err" "imported 2/$n personal access tokens" "import: progress lines when not a terminal"
"$CTL" --config "$CONF2" pat export --with-hashes > "$tmp/again.jsonl"
is "$(cat "$tmp/again.jsonl")" "$(cat "$tmp/all.jsonl")" "export, import, export: identical"
is "$(sqlite3 "$DB2" "select rights from identity where id = '$bob'")" '[]' \
	"an owner made by import has no rights"

# All or nothing: a bad line stops the import before anything is written.
make_state "$tmp/u"
CONF2="$tmp/u/patrol.conf"; DB2="$tmp/u/patrol.db"
head -3 "$tmp/all.jsonl" > "$tmp/bad.jsonl"
printf '{"name":"x","owner":{"id":"%s"}}\n' "$alice" >> "$tmp/bad.jsonl"
tail -1 "$tmp/all.jsonl" >> "$tmp/bad.jsonl"
imp "$tmp/bad.jsonl" --batch 1
is "$rc" 1 "a line without secretHash: exit 1"
is "$err" "patrolctl: pat import: $tmp/bad.jsonl: line 4: secretHash is required (export with --with-hashes); nothing imported" \
	"a line without secretHash: its line number"
is "$(count2 pat)" 0 "nothing written (PATs)"
is "$(count2 identity)" 0 "nothing written (identities)"
for bad in '{"name":' '[1]' '{"name":"x","owner":{"id":"nope"},"secretHash":"00"}' \
    '{"name":"","owner":{"id":"'"$alice"'"},"secretHash":"'"$(printf '%064d' 0)"'"}' \
    '{"name":"x","owner":{"id":"'"$alice"'"},"secretHash":"'"$(printf '%064d' 0)"'","extra":1}' \
    '{"name":"x","owner":{"id":"'"$alice"'"},"secretHash":"'"$(printf '%064d' 0)"'","accessTokenValiditySeconds":5}' \
    '{"name":"x","owner":{"id":"'"$alice"'"},"secretHash":"'"$(printf '%064d' 0)"'","created":"yesterday"}'; do
	{ head -2 "$tmp/all.jsonl"; printf '%s\n' "$bad"; } > "$tmp/bad.jsonl"
	imp "$tmp/bad.jsonl"
	is "$rc" 1 "bad line $bad: exit 1"
	like "$err" "line 3: " "bad line $bad: line 3"
	is "$(count2 pat)" 0 "bad line $bad: nothing written"
done

# A failure while writing (a duplicate id in a later batch) undoes the
# batches already committed.
{ cat "$tmp/all.jsonl"; head -1 "$tmp/all.jsonl"; } > "$tmp/dup.jsonl"
imp "$tmp/dup.jsonl" --batch 2
is "$rc" 1 "a duplicate in a later batch: exit 1"
like "$err" "line $((n + 1)): the id " "a duplicate: its line number"
like "$err" "nothing imported" "a duplicate: nothing imported"
is "$(count2 pat)" 0 "the committed batches were undone (PATs)"
is "$(count2 identity)" 0 "the committed batches were undone (identities)"

# A PAT whose owner is missing and unnamed.
printf '{"name":"x","owner":{"id":"%s"},"secretHash":"%064d"}\n' \
	ffffffffffffffffffffffffffffffff 0 > "$tmp/orphan.jsonl"
imp "$tmp/orphan.jsonl"
is "$rc" 1 "an unknown owner without a name: exit 1"
like "$err" "owner ffffffffffffffffffffffffffffffff does not exist and owner.name is not given" \
	"an unknown owner without a name: message"

# Standard input, blank lines, defaults.
printf '\n{"name":"in","owner":{"id":"%s","name":"Zed"},"secretHash":"%064d"}\n\n' \
	abababababababababababababababab 1 > "$tmp/in.jsonl"
imp - < "$tmp/in.jsonl"
is "$rc" 0 "import from standard input: exit 0"
like "$out" "imported 1 personal access tokens (1 new identities) from standard input" \
	"standard input: summary"
is "$(sqlite3 "$DB2" "select validity, expires is null, scope is null from pat")" "43200|1|1" \
	"defaults: validity 43200, never expires, null scope"
imp "$tmp/missing.jsonl"
is "$rc" 1 "a missing file: exit 1"
like "$err" "missing.jsonl: No such file or directory" "a missing file: message"
imp
is "$rc" 2 "import without FILE: usage error"

done_testing
