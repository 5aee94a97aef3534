#!/bin/sh
# tests/cli.sh: the admin CLI, patrolctl(8): every command, its output, its
# errors and its exit status (0 success, 1 failure, 2 usage error).
. "$top_srcdir/tests/lib.sh"

command -v jq >/dev/null || skip_all "jq is not installed"
command -v sqlite3 >/dev/null || skip_all "sqlite3 is not installed"
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT

# run ARG...: runs patrolctl; sets $rc, $out (stdout) and $err (stderr).
run() {
	"$CTL" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}

# ctl ARG...: run with the test configuration.
ctl() { run --config "$CONF" "$@"; }

# hex N STRING: status 0 if STRING is exactly N lowercase hex characters.
hex() { printf '%s\n' "$2" | grep -Eqx "[0-9a-f]{$1}"; }

# field NAME: the value of "NAME: value" in $out.
field() { printf '%s\n' "$out" | sed -n "s/^$1: //p"; }

# conf DIR: a configuration in DIR, without initialising anything.
conf() {
	mkdir -p "$1"
	cat > "$1/patrol.conf" <<CONF
database = { backend = "sqlite"; path = "patrol.db"; };
token = { signing_key_file = "signing.key"; issuer = "patrol-test"; };
CONF
}

# --- global options and command lookup --------------------------------

run --version
is "$rc" 0 "--version exits 0"
like "$out" "patrolctl " "--version names the program"

run -V
is "$rc" 0 "-V exits 0"
like "$out" "patrolctl " "-V names the program"

run -h
is "$rc" 0 "-h exits 0"
like "$out" "usage: patrolctl" "-h prints the help"

run --help
is "$rc" 0 "--help exits 0"
# The README names the default path this build has (for the default prefix
# or --sysconfdir=/etc), and so does patrolctl(8).
dpath=$(printf '%s\n' "$out" | sed -n 's/^ *\(\/[^)]*patrol\.conf\))$/\1/p')
case $dpath in
/usr/local/etc/patrol/patrol.conf|/etc/patrol/patrol.conf)
	like "$(cat "$top_srcdir/README.md")" "$dpath" "the README names the default path ($dpath)"
	like "$(cat "$top_srcdir/docs/patrolctl.8")" "/usr/local/etc/patrol/patrol.conf" \
		"patrolctl(8) names the default path" ;;
*)	like "$dpath" "/patrol/patrol.conf" "--help prints the default path" ;;
esac
like "$out" "usage: patrolctl [--config FILE]" "--help: synopsis"
for c in "init" "identity add" "identity show" "pat create" "pat list" \
    "pat show" "mfa duo show" "mfa duo set"; do
	like "$out" "  $c" "--help lists '$c'"
done

run
is "$rc" 2 "no command: exit 2"
like "$err" "patrolctl: missing command" "no command: message"
like "$err" "usage: patrolctl" "no command: usage hint"

run --config "$tmp/none.conf" frobnicate
is "$rc" 2 "unknown command: exit 2"
like "$err" "patrolctl: unknown command 'frobnicate'" "unknown command: message"
like "$err" "usage: patrolctl" "unknown command: usage hint"

run --bogus init
is "$rc" 2 "unknown global option: exit 2"
like "$err" "unknown option '--bogus'" "unknown global option: message"

run --config
is "$rc" 2 "--config without a value: exit 2"
like "$err" "option '--config' needs an argument" "--config: message"

run pat
is "$rc" 2 "group without a command: exit 2"
like "$err" "patrolctl: pat: missing command (one of: create, list, show, rename, scope, expire, validity, delete, revoke, export, import)" \
	"group without a command: names the commands"

run mfa frob
is "$rc" 2 "unknown command in a group: exit 2"
like "$err" "patrolctl: mfa: unknown command 'frob' (one of: duo)" \
	"unknown command in a group: message"

run mfa duo --help
is "$rc" 0 "group --help exits 0"
like "$out" "usage: patrolctl mfa duo show" "group --help: show"
like "$out" "usage: patrolctl mfa duo set" "group --help: set"

run --config "$tmp/none.conf" pat create --help
is "$rc" 0 "command --help exits 0 without reading the configuration"
like "$out" "usage: patrolctl pat create --owner ID --name NAME" \
	"command --help: synopsis"
like "$out" "--managed" "command --help: options"

run --config "$tmp/none.conf" pat create --name x
is "$rc" 2 "missing --owner: exit 2"
like "$err" "patrolctl: pat create: missing --owner" "missing --owner: message"
like "$err" "usage: patrolctl pat create --owner ID" \
	"missing --owner: one-line usage"
is "$(printf '%s\n' "$err" | wc -l | tr -d ' ')" 2 \
	"usage error: message and one usage line"

run --config "$tmp/none.conf" identity add --name a --name b --rights ""
is "$rc" 2 "option given twice: exit 2"
like "$err" "option --name given more than once" "option given twice: message"

run --config "$tmp/none.conf" identity add --name a
is "$rc" 2 "identity add without --rights: exit 2"
like "$err" "missing --rights" "identity add without --rights: message"

run --config "$tmp/none.conf" pat list --bogus
is "$rc" 2 "unknown command option: exit 2"
like "$err" "patrolctl: pat list: unknown option '--bogus'" \
	"unknown command option: message"
like "$err" "usage: patrolctl pat list" "unknown command option: usage"

run --config "$tmp/none.conf" pat list --json=yes
is "$rc" 2 "argument to a flag: exit 2"
like "$err" "option '--json' is unknown or takes no argument" \
	"argument to a flag: message"

run --config "$tmp/none.conf" pat list --owner
is "$rc" 2 "option without its value: exit 2"
like "$err" "option '--owner' needs an argument" "option without value: message"

run --config "$tmp/none.conf" identity show
is "$rc" 2 "identity show without ID: exit 2"
like "$err" "missing ID" "identity show without ID: message"

run --config "$tmp/none.conf" pat show a b
is "$rc" 2 "pat show with two IDs: exit 2"
like "$err" "unexpected argument 'b'" "pat show with two IDs: message"

run --config "$tmp/none.conf" init now
is "$rc" 2 "init with an argument: exit 2"

run --config "$tmp/none.conf" mfa duo set extra
is "$rc" 2 "mfa duo set with an argument: exit 2"

# --- configuration ------------------------------------------------------

run --config "$tmp/none.conf" pat list
is "$rc" 1 "missing configuration file: exit 1"
is "$err" "patrolctl: $tmp/none.conf: No such file or directory (use --config FILE or set PATROL_CONFIG)" \
	"missing configuration file: path: strerror, and how to name another"

PATROL_CONFIG="$tmp/env.conf" "$CTL" pat list 2> "$tmp/err"
is "$?" 1 "PATROL_CONFIG is read"
like "$(cat "$tmp/err")" "$tmp/env.conf: No such file or directory" \
	"PATROL_CONFIG path used"

PATROL_CONFIG="$tmp/env.conf" "$CTL" --config "$tmp/opt.conf" pat list \
	2> "$tmp/err"
like "$(cat "$tmp/err")" "$tmp/opt.conf: No such file or directory" \
	"--config wins over PATROL_CONFIG"
run -c "$tmp/short.conf" pat list
like "$err" "$tmp/short.conf: No such file or directory" "-c FILE"

mkdir "$tmp/bad"
cat > "$tmp/bad/patrol.conf" <<'CONF'
database = { backend = "sqlite"; path = "patrol.db"; };
token = { signing_key_file = "signing.key"; };
limits = { request_body_max = ; };
CONF
run --config "$tmp/bad/patrol.conf" init
is "$rc" 1 "configuration syntax error: exit 1"
like "$err" "patrolctl: $tmp/bad/patrol.conf:3: " \
	"configuration syntax error: file:line"
ok "$(test ! -e "$tmp/bad/patrol.db"; echo $?)" \
	"configuration error: nothing created"

# --- init ---------------------------------------------------------------

conf "$tmp/u"
run --config "$tmp/u/patrol.conf" pat list
is "$rc" 1 "before init: exit 1"
like "$err" "patrolctl: pat list: " "before init: message"

S="$tmp/s"
conf "$S"
CONF="$S/patrol.conf"
DB="$S/patrol.db"

ctl init
is "$rc" 0 "init: exit 0"
like "$out" "created database $DB (schema 3)" "init: says it created the database"
like "$out" "created signing key $S/signing.key" "init: says it created the key"
is "$(wc -c < "$S/signing.key" | tr -d ' ')" 64 "init: 64-byte key"
like "$(ls -l "$S/signing.key")" "-rw-------" "init: key is mode 0600"
is "$(sqlite3 "$DB" 'pragma journal_mode')" wal "init: database in WAL mode"
cp "$S/signing.key" "$tmp/key.before"

ctl init
is "$rc" 0 "init again: exit 0"
like "$out" "database $DB already initialised (schema 3)" \
	"init again: database already there"
like "$out" "signing key $S/signing.key already exists" \
	"init again: key already there"
cmp -s "$S/signing.key" "$tmp/key.before"
ok $? "init again: the key is unchanged"

conf "$tmp/e"
: > "$tmp/e/patrol.db"
run --config "$tmp/e/patrol.conf" init
is "$rc" 0 "init on an empty database file: exit 0"
like "$out" "initialised database $tmp/e/patrol.db (schema 3)" \
	"init on an empty database file: initialised"

mkdir "$tmp/pg"
cat > "$tmp/pg/patrol.conf" <<'CONF'
database = { backend = "postgresql"; conninfo = "dbname=patrol"; };
token = { signing_key_file = "signing.key"; };
CONF
run --config "$tmp/pg/patrol.conf" init
is "$rc" 1 "init with a backend not built in: exit 1"
like "$err" "patrolctl: init: PostgreSQL" "init with a backend not built in: message"
ok "$(test ! -e "$tmp/pg/signing.key"; echo $?)" \
	"init creates no key when the database fails"

conf "$tmp/k"
printf 'short' > "$tmp/k/signing.key"
run --config "$tmp/k/patrol.conf" init
is "$rc" 1 "init with an invalid key file: exit 1"
like "$err" "patrolctl: init: " "init with an invalid key file: message"
is "$(cat "$tmp/k/signing.key")" short "init never overwrites a key file"

# --- identity -----------------------------------------------------------

ctl identity add --name Alice --rights ORG_ADMIN
is "$rc" 0 "identity add: exit 0"
alice=$out
hex 32 "$alice"
ok $? "identity add: prints the new id alone"

ctl identity add --name Bob --rights "" --json
is "$rc" 0 "identity add --json: exit 0"
bob=$(jget "$out" .id)
hex 32 "$bob"
ok $? "identity add --json: id"
is "$(jget "$out" .name)" Bob "identity add --json: name"
is "$(jget "$out" '.rights | length')" 0 "identity add: empty --rights, no rights"

carol=0123456789abcdef0123456789abcdef
ctl identity add --id "$carol" --name "Carol Zoë" \
	--rights idn:all-personal-access-tokens:read,idn:mfa-configuration:read
is "$rc" 0 "identity add --id: exit 0"
is "$out" "$carol" "identity add --id: that id"

ctl identity add --id "$carol" --name Other --rights ""
is "$rc" 1 "identity add with a taken id: exit 1"
is "$err" "patrolctl: identity add: identity $carol already exists" \
	"identity add with a taken id: message"

ctl identity add --id XYZ --name X --rights ""
is "$rc" 1 "bad --id: exit 1"
like "$err" "--id: 'XYZ' is not a valid id (32 lowercase hexadecimal" \
	"bad --id: message"
ctl identity add --id 0123456789ABCDEF0123456789ABCDEF --name X --rights ""
is "$rc" 1 "upper-case --id: exit 1"

ctl identity add --name X --rights ORG_ADMIN,root
is "$rc" 1 "unknown right: exit 1"
like "$err" "unknown right 'root' (known rights: ORG_ADMIN," \
	"unknown right: named, known ones listed"
like "$err" "idn:mfa-configuration:manage)" "unknown right: whole list"
ctl identity add --name X --rights ORG_ADMIN,
is "$rc" 1 "empty right: exit 1"
like "$err" "--rights: empty right" "empty right: message"
ctl identity add --name X --rights ORG_ADMIN,ORG_ADMIN
is "$rc" 1 "right twice: exit 1"
like "$err" "'ORG_ADMIN' given more than once" "right twice: message"

ctl identity add --name "" --rights ""
is "$rc" 1 "empty name: exit 1"
like "$err" "identity add: --name must not be empty" "empty name: message"
n128=$(printf '%0128d' 0)
ctl identity add --name "${n128}x" --rights ""
is "$rc" 1 "129-byte name: exit 1"
like "$err" "--name must be at most 128 bytes, not 129" "129-byte name: message"
ctl identity add --name "$n128" --rights ""
is "$rc" 0 "128-byte name: accepted"
ctl identity add --name "$(printf 'a\377b')" --rights ""
is "$rc" 1 "invalid UTF-8 name: exit 1"
like "$err" "--name must be valid UTF-8" "invalid UTF-8 name: message"
ctl identity add --name "$(printf 'a\tb')" --rights ""
is "$rc" 1 "control character in a name: exit 1"
like "$err" "--name must not contain control characters (byte 2)" "control character: message"

ctl identity show "$alice"
is "$rc" 0 "identity show: exit 0"
is "$(field id)" "$alice" "identity show: id"
is "$(field name)" Alice "identity show: name"
is "$(field rights)" ORG_ADMIN "identity show: rights"
ctl identity show "$bob"
is "$(field rights)" "(none)" "identity show: no rights"
ctl identity show "$carol" --json
is "$rc" 0 "identity show ID --json: exit 0"
is "$(jget "$out" '.name')" "Carol Zoë" "identity show --json: UTF-8 name"
is "$(jget "$out" '.rights | join(",")')" \
	idn:all-personal-access-tokens:read,idn:mfa-configuration:read \
	"identity show --json: rights in order"
ctl identity show ffffffffffffffffffffffffffffffff
is "$rc" 1 "identity show of an unknown id: exit 1"
is "$err" "patrolctl: identity show: identity ffffffffffffffffffffffffffffffff does not exist" \
	"identity show of an unknown id: message"
ctl identity show nope
is "$rc" 1 "identity show of a bad id: exit 1"
like "$err" "ID: 'nope' is not a valid id" "identity show of a bad id: message"

# --- pat create / show --------------------------------------------------

ctl pat create --owner "$alice" --name ci
is "$rc" 0 "pat create: exit 0"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 2 "pat create: two lines"
p1=$(field id)
s1=$(field secret)
hex 32 "$p1"
ok $? "pat create: id is 32 hex"
hex 64 "$s1"
ok $? "pat create: secret is 64 hex"

hash=$(sqlite3 "$DB" "select secret_hash from pat where id = '$p1'")
hex 64 "$hash"
ok $? "the stored hash is 64 hex"
isnt=0; [ "$hash" != "$s1" ] || isnt=1
ok $isnt "the stored hash is not the secret"
if command -v sha256sum >/dev/null; then
	is "$hash" "$(printf '%s' "$s1" | sha256sum | cut -d' ' -f1)" \
		"the stored hash is SHA-256 of the secret"
fi
unlike "$(sqlite3 "$DB" .dump)" "$s1" "the secret is nowhere in the database"

ctl pat show "$p1"
is "$rc" 0 "pat show: exit 0"
is "$(field id)" "$p1" "pat show: id"
is "$(field name)" ci "pat show: name"
is "$(field scope)" "(default)" "pat show: null scope shown as (default)"
is "$(field owner.id)" "$alice" "pat show: owner.id"
is "$(field owner.name)" Alice "pat show: owner.name"
is "$(field lastUsed)" - "pat show: never used"
is "$(field managed)" false "pat show: not managed"
printf '%s\n' "$(field created)" |
	grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
ok $? "pat show: created as an API time"
unlike "$out" "$s1" "pat show: no secret"
unlike "$out" "$hash" "pat show: no hash"

ctl pat show "$p1" --json
is "$rc" 0 "pat show --json: exit 0"
is "$(jget "$out" .scope)" null "pat show --json: scope null"
is "$(jget "$out" .lastUsed)" null "pat show --json: lastUsed null"
is "$(jget "$out" .owner.type)" IDENTITY "pat show --json: owner type"
is "$(jget "$out" '.owner.name')" Alice "pat show --json: owner name"
is "$(jget "$out" 'keys | join(",")')" \
	accessTokenValiditySeconds,created,expirationDate,id,lastUsed,managed,name,owner,scope "pat show --json: API keys only"
unlike "$out" "$hash" "pat show --json: no hash"

ctl pat create --owner "$alice" --name ci
is "$rc" 1 "duplicate PAT name: exit 1"
is "$err" "patrolctl: pat create: owner $alice already has a personal access token named 'ci'" \
	"duplicate PAT name: message"
is "$out" "" "duplicate PAT name: no secret printed"
is "$(sqlite3 "$DB" "select count(*) from pat where name = 'ci'")" 1 \
	"duplicate PAT name: nothing stored"

ctl pat create --owner "$bob" --name ci --json
is "$rc" 0 "the same name for another owner: exit 0"
p2=$(jget "$out" .id)
s2=$(jget "$out" .secret)
hex 32 "$p2"
ok $? "pat create --json: id"
hex 64 "$s2"
ok $? "pat create --json: secret"
isnt=0; [ "$s1" != "$s2" ] || isnt=1
ok $isnt "every PAT gets its own secret"

ctl pat create --owner "$carol" --name deploy --managed --json \
	--scope sp:scopes:all,idn:mfa-configuration:read
is "$rc" 0 "pat create --scope --managed: exit 0"
p3=$(jget "$out" .id)
ctl pat show "$p3" --json
is "$(jget "$out" '.scope | join(",")')" sp:scopes:all,idn:mfa-configuration:read \
	"pat create --scope: stored in order"
is "$(jget "$out" .managed)" true "pat create --managed: managed"
ctl pat show "$p3"
is "$(field scope)" sp:scopes:all,idn:mfa-configuration:read "pat show: scope"
is "$(field managed)" true "pat show: managed"

ctl pat create --owner ffffffffffffffffffffffffffffffff --name x
is "$rc" 1 "unknown owner: exit 1"
is "$err" "patrolctl: pat create: owner ffffffffffffffffffffffffffffffff does not exist" \
	"unknown owner: message"
ctl pat create --owner alice --name x
is "$rc" 1 "bad owner id: exit 1"
like "$err" "--owner: 'alice' is not a valid id" "bad owner id: message"
ctl pat create --owner "$alice" --name ""
is "$rc" 1 "empty PAT name: exit 1"
ctl pat create --owner "$alice" --name "${n128}x"
is "$rc" 1 "129-byte PAT name: exit 1"

ctl pat create --owner "$alice" --name x --scope ""
is "$rc" 1 "empty --scope: exit 1"
like "$err" "--scope: scope must not be empty" "empty --scope: message"
ctl pat create --owner "$alice" --name x --scope a,,b
is "$rc" 1 "empty scope item: exit 1"
like "$err" "--scope: scope 2 is empty" "empty scope item: message"
ctl pat create --owner "$alice" --name x --scope "a b"
is "$rc" 1 "space in a scope: exit 1"
like "$err" "scope 1 ('a b') has a character not allowed in a scope at byte 2" \
	"space in a scope: message"
ctl pat create --owner "$alice" --name x --scope "$(printf '%0129d' 0)"
is "$rc" 1 "129-byte scope: exit 1"
like "$err" "scope 1 is longer than 128 bytes" "129-byte scope: message"
ctl pat create --owner "$alice" --name x --scope "$(printf '%0128d' 0)"
is "$rc" 0 "128-byte scope: accepted"
many=$(seq -s, 1 65)
ctl pat create --owner "$alice" --name x2 --scope "$many"
is "$rc" 1 "65 scopes: exit 1"
like "$err" "scope must have at most 64 entries, not 65" "65 scopes: message"
ctl pat create --owner "$alice" --name x2 --scope "$(seq -s, 1 64)"
is "$rc" 0 "64 scopes: accepted"
ctl pat create --owner "$alice" --name x3 --scope a,b,a
is "$rc" 1 "scope twice: exit 1"
like "$err" "scope 3 ('a') is given twice" "scope twice: message"

ctl pat show ffffffffffffffffffffffffffffffff
is "$rc" 1 "pat show of an unknown id: exit 1"
like "$err" "personal access token ffffffffffffffffffffffffffffffff does not exist" \
	"pat show of an unknown id: message"
ctl pat show "$alice-"
is "$rc" 1 "pat show of a bad id: exit 1"

# --- pat list -----------------------------------------------------------
# PATs now, in creation order: ci (Alice), ci (Bob), deploy (Carol,
# managed), x (Alice), x2 (Alice).

ctl pat list
is "$rc" 0 "pat list: exit 0"
hdr=$(printf '%s\n' "$out" | sed -n 1p)
like "$hdr" "ID" "pat list: header"
for h in NAME OWNER CREATED "LAST USED" MANAGED SCOPE; do
	like "$hdr" "  $h" "pat list: column $h"
done
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 6 "pat list: a line per PAT"
row=$(printf '%s\n' "$out" | grep "^$p3")
like "$row" "  deploy " "pat list: name"
like "$row" "  Carol Zoë " "pat list: owner's name"
like "$row" " true " "pat list: managed"
like "$row" " sp:scopes:all,idn:mfa-configuration:read" "pat list: scope"
row=$(printf '%s\n' "$out" | grep "^$p1")
like "$row" "(default)" "pat list: null scope"
is "$(printf '%s\n' "$out" | awk 'NR == 1 { print index($0, "OWNER") }')" \
	"$(printf '%s\n' "$row" | awk '{ print index($0, "Alice") }')" \
	"pat list: columns aligned"
is "$(printf '%s\n' "$out" | awk 'NR == 1 { print index($0, "NAME") }')" 35 \
	"pat list: NAME after the 32-character id"
unlike "$out" "$s1" "pat list: no secret"

ctl pat list --json
is "$rc" 0 "pat list --json: exit 0"
is "$(jget "$out" length)" 5 "pat list --json: every PAT, managed included"
is "$(jget "$out" '[.[].name] | join(",")')" ci,ci,deploy,x,x2 \
	"pat list --json: creation order"
is "$(jget "$out" '.[0].owner.name')" Alice "pat list --json: owner"
is "$(jget "$out" '[.[] | keys | join(",")] | unique | join(" ")')" \
	accessTokenValiditySeconds,created,expirationDate,id,lastUsed,managed,name,owner,scope "pat list --json: API keys only"
unlike "$out" "$hash" "pat list --json: no hash"

ctl pat list --owner "$bob" --json
is "$(jget "$out" '[.[].id] | join(",")')" "$p2" "pat list --owner"
ctl pat list --owner ffffffffffffffffffffffffffffffff
is "$rc" 1 "pat list --owner unknown: exit 1"
like "$err" "owner ffffffffffffffffffffffffffffffff does not exist" \
	"pat list --owner unknown: message"
ctl pat list --owner bob
is "$rc" 1 "pat list --owner with a bad id: exit 1"

# lst FILTER: the names of the PATs pat list --filters FILTER selects.
lst() {
	ctl pat list --json --filters "$1"
	jget "$out" '[.[].name] | join(",")'
}
is "$(lst 'managed eq true')" deploy "filter: managed eq true"
is "$(lst 'name eq "CI"')" ci,ci "filter: name, case-insensitive"
is "$(lst 'owner.name eq "alice"')" ci,x,x2 "filter: owner.name"
is "$(lst "owner.id eq \"$bob\"")" ci "filter: owner.id"
is "$(lst "id in (\"$p1\", \"$p3\")")" ci,deploy "filter: id in"
is "$(lst 'name sw "x" and not (name eq "x")')" x2 "filter: sw, and, not"
is "$(lst 'lastUsed isnull')" ci,ci,deploy,x,x2 "filter: lastUsed isnull"
is "$(lst 'lastUsed pr')" "" "filter: lastUsed pr"
is "$(lst 'created gt 2000-01-01T00:00:00Z')" ci,ci,deploy,x,x2 \
	"filter: created gt"
ctl pat list --json --filters 'created lt 2000-01-01T00:00:00Z'
is "$rc" 0 "filter matching nothing: exit 0"
is "$out" "[]" "filter matching nothing: empty array"
ctl pat list --filters 'created lt 2000-01-01T00:00:00Z'
is "$rc" 0 "empty table: exit 0"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "empty table: one line"
like "$out" "ID  NAME  OWNER" "empty table: the header"
ctl pat list --owner "$alice" --filters 'name co "2"' --json
is "$(jget "$out" '[.[].name] | join(",")')" x2 "--owner and --filters together"

ctl pat list --filters 'name eq'
is "$rc" 1 "bad filter: exit 1"
like "$err" "patrolctl: pat list: --filters: " "bad filter: message"
is "$(printf '%s\n' "$err" | sed -n 2p)" "    name eq" "bad filter: expression shown"
like "$(printf '%s\n' "$err" | sed -n 3p)" "^" "bad filter: caret shown"

ctl pat list --filters 'managed eq true and bogus pr'
is "$rc" 1 "unknown filter field: exit 1"
like "$err" "bogus" "unknown filter field: named"
is "$(printf '%s\n' "$err" | sed -n 3p)" "$(printf '%25s' '^')" \
	"unknown filter field: caret at the field"
ctl pat list --filters 'managed eq "x"'
is "$rc" 1 "filter literal of the wrong type: exit 1"

# Once used (as /oauth/token records it), a PAT shows when.
sqlite3 "$DB" "update pat set last_used = 1700000000000 where id = '$p2'"
ctl pat show "$p2"
is "$(field lastUsed)" 2023-11-14T22:13:20.000Z "pat show: lastUsed"
ctl pat list
like "$(printf '%s\n' "$out" | grep "^$p2")" "  2023-11-14T22:13:20.000Z  " \
	"pat list: LAST USED"
is "$(lst 'lastUsed le 2023-11-14T22:13:20Z')" ci "filter: lastUsed le"
is "$(lst 'lastUsed pr')" ci "filter: lastUsed pr, once used"
sqlite3 "$DB" "update pat set scope = '[]' where id = '$p2'"
ctl pat show "$p2"
is "$(field scope)" "(none)" "pat show: an empty scope list"

if [ -w /dev/full ]; then
	"$CTL" --config "$CONF" pat list > /dev/full 2> "$tmp/err"
	is "$?" 1 "output error: exit 1"
	like "$(cat "$tmp/err")" "patrolctl: standard output: " \
		"output error: message"
fi

# --- mfa duo ------------------------------------------------------------

AK=qw123Y3QlA5UqocYpdU3rEkzrK2D497y
SK=12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B
duo="{\"mfaMethod\":\"duo-web\",\"enabled\":true,\"host\":\"www.example.com\",\"accessKey\":\"$AK\",\"identityAttribute\":\"email\",\"configProperties\":{\"skey\":\"$SK\",\"ikey\":\"Q123WE45R6TY7890ZXCV\"}}"

ctl mfa duo show
is "$rc" 0 "mfa duo show before any set: exit 0"
is "$(printf '%s' "$out" | jq -c .)" \
	'{"mfaMethod":"duo-web","enabled":false,"host":null,"accessKey":null,"identityAttribute":null,"configProperties":null}' \
	"mfa duo show: the default configuration"
ok "$(test "$(printf '%s\n' "$out" | wc -l)" -gt 1; echo $?)" \
	"mfa duo show: indented"
ctl mfa duo show --json
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "mfa duo show --json: one line"

printf '%s' "$duo" > "$tmp/duo.json"
ctl mfa duo set < "$tmp/duo.json"
is "$rc" 0 "mfa duo set from standard input: exit 0"
is "$(jget "$out" .accessKey)" 'q******y' "mfa duo set: accessKey masked"
is "$(jget "$out" .configProperties.skey)" '1******B' "mfa duo set: skey masked"
is "$(jget "$out" .configProperties.ikey)" Q123WE45R6TY7890ZXCV \
	"mfa duo set: ikey as is"
is "$(jget "$out" .host)" www.example.com "mfa duo set: host"
unlike "$out$err" "$AK" "mfa duo set: never prints the accessKey"
unlike "$out$err" "$SK" "mfa duo set: never prints the skey"
# opened JQPATH FIELD: a stored secret, opened with the secrets key by the
# test helper tests/unseal (the database holds it sealed).
opened() {
	sqlite3 "$DB" 'select json from duo_config' | jq -r "$1" |
	    "$top_builddir/tests/unseal" "$S/secrets.key" "duo_config/1/$2"
}
is "$(opened .accessKey accessKey)" "$AK" "mfa duo set: accessKey stored (sealed)"
is "$(opened .configProperties.skey configProperties.skey)" "$SK" \
	"mfa duo set: skey stored (sealed)"
unlike "$(sqlite3 "$DB" .dump)" "$AK" "mfa duo set: the accessKey is not in the database"
unlike "$(sqlite3 "$DB" .dump)" "$SK" "mfa duo set: the skey is not in the database"

ctl mfa duo show --json
is "$rc" 0 "mfa duo show: exit 0"
is "$(jget "$out" .accessKey)" 'q******y' "mfa duo show: accessKey masked"
is "$(jget "$out" .configProperties.skey)" '1******B' "mfa duo show: skey masked"
is "$(jget "$out" .enabled)" true "mfa duo show: enabled"
unlike "$out" "$AK" "mfa duo show: never prints the accessKey"
unlike "$out" "$SK" "mfa duo show: never prints the skey"

# GET, edit, PUT: the masked secrets keep the stored ones.
printf '%s' "$out" | jq -c '.enabled = false | .host = "api.example.com"' \
	> "$tmp/edited.json"
ctl mfa duo set --file "$tmp/edited.json"
is "$rc" 0 "mfa duo set --file with masked secrets: exit 0"
is "$(jget "$out" .enabled)" false "the edit is applied"
is "$(jget "$out" .accessKey)" 'q******y' "masked accessKey still shown"
dump=$(sqlite3 "$DB" .dump)
is "$(opened .accessKey accessKey)" "$AK" "a masked accessKey keeps the stored one"
is "$(opened .configProperties.skey configProperties.skey)" "$SK" \
	"a masked skey keeps the stored one"
like "$dump" api.example.com "the edit is stored"
unlike "$dump" 'q******y' "the masked form is never stored"

ctl mfa duo set --file - < "$tmp/edited.json"
is "$rc" 0 "mfa duo set --file -: exit 0"
duo_row=$(sqlite3 "$DB" 'select json from duo_config')

# badset BODY NAME WANT: a body mfa duo set refuses, with WANT in the message.
badset() {
	printf '%s' "$1" > "$tmp/bad.json"
	ctl mfa duo set --file "$tmp/bad.json"
	is "$rc" 1 "$2: exit 1"
	like "$err" "$3" "$2: message"
	is "$out" "" "$2: nothing on stdout"
}
badset '{"enabled":"yes"}' "wrong type" "enabled"
badset '{"bogus":1}' "unknown key" "bogus"
badset '{"mfaMethod":"sms"}' "wrong mfaMethod" "mfaMethod"
badset '{"enabled":' "not JSON" "not valid JSON"
badset '{"enabled":true,"enabled":false}' "duplicate key" "duplicate"
badset '' "empty body" "not valid JSON"
badset '[]' "not an object" "patrolctl: mfa duo set: $tmp/bad.json: "
badset "$(printf '{"host":"\377"}')" "invalid UTF-8" "not valid UTF-8"
badset "{\"accessKey\" \"$AK\"}" "syntax error next to a secret" \
	"not valid JSON"
unlike "$err" "$AK" "a JSON error never quotes the input"
deep='{"a":1}'
for i in $(seq 1 15); do deep="{\"a\":$deep}"; done
badset "{\"configProperties\":$deep}" "17 levels" "deeper than 16 levels"
ctl mfa duo set --file "$tmp/nope.json"
is "$rc" 1 "missing file: exit 1"
is "$err" "patrolctl: mfa duo set: $tmp/nope.json: No such file or directory" \
	"missing file: message"
is "$(sqlite3 "$DB" 'select json from duo_config')" "$duo_row" "refused bodies change nothing"

# The secrets key: missing, or another one. Never a guess, never a write.
mv "$S/secrets.key" "$S/secrets.key.saved"
ctl mfa duo show
is "$rc" 1 "no secrets key: show exits 1"
like "$err" "no secrets key is loaded (secrets.key_file; patrolctl init makes it)" \
	"no secrets key: says what to do"
ctl mfa duo set --file "$tmp/edited.json"
is "$rc" 1 "no secrets key: set exits 1"
is "$(sqlite3 "$DB" 'select json from duo_config')" "$duo_row" "no secrets key: nothing written"
head -c 32 /dev/urandom > "$S/secrets.key"
chmod 600 "$S/secrets.key"
ctl mfa duo show
is "$rc" 1 "another secrets key: show exits 1"
like "$err" "sealed under another secrets key than secrets.key_file" \
	"another secrets key: says so"
unlike "$out" "******" "another secrets key: no masked value shown"
ctl mfa duo set --file "$tmp/edited.json"
is "$rc" 1 "another secrets key: set exits 1"
is "$(sqlite3 "$DB" 'select json from duo_config')" "$duo_row" "another secrets key: nothing written"
head -c 31 /dev/urandom > "$S/secrets.key"
ctl mfa duo show
is "$rc" 1 "a 31-byte secrets key: exit 1"
like "$err" "a secrets key is exactly 32 bytes" "a 31-byte secrets key: says so"
mv "$S/secrets.key.saved" "$S/secrets.key"
ctl mfa duo show
is "$rc" 0 "the right key back: show works again"

# key rotate --secrets: a new key, the secrets sealed again under it.
cp "$S/secrets.key" "$tmp/old.key"
before=$(sqlite3 "$DB" 'select json from duo_config')
ctl key rotate --secrets
is "$rc" 0 "key rotate --secrets: exit 0"
is "$out" "sealed 2 secrets under a new secrets key $S/secrets.key" "key rotate: says what it did"
cmp -s "$S/secrets.key" "$tmp/old.key"
isnt_rc=$?
is "$isnt_rc" 1 "key rotate: the key file is a new key"
is "$(stat -c %a "$S/secrets.key")" 600 "key rotate: the new key is 0600"
[ ! -e "$S/secrets.key.new" ]
ok $? "key rotate: no .new file left"
after=$(sqlite3 "$DB" 'select json from duo_config')
[ "$after" != "$before" ]
ok $? "key rotate: the stored values changed"
is "$(printf '%s' "$after" | jq -c 'del(.accessKey, .configProperties.skey)')" \
	"$(printf '%s' "$before" | jq -c 'del(.accessKey, .configProperties.skey)')" \
	"key rotate: nothing else changed"
is "$(opened .accessKey accessKey) $(opened .configProperties.skey configProperties.skey)" \
	"$AK $SK" "key rotate: the secrets open with the new key"
printf '%s' "$after" | jq -r .accessKey |
	"$top_builddir/tests/unseal" "$tmp/old.key" duo_config/1/accessKey >/dev/null 2>&1
is $? 1 "key rotate: the old key no longer opens them"
ctl mfa duo show --json
is "$(jget "$out" .accessKey)" 'q******y' "key rotate: show works with the new key"
# Interrupted after the commit, before the rename: the next run finishes.
cp "$S/secrets.key" "$S/secrets.key.new"
cp "$tmp/old.key" "$S/secrets.key"
ctl mfa duo show
is "$rc" 1 "interrupted rotation: the old key does not open the secrets"
ctl key rotate --secrets
is "$rc" 0 "key rotate after an interruption: exit 0"
like "$out" "finished an interrupted rotation" "... finishes it"
is "$(opened .accessKey accessKey)" "$AK" "... and the secrets open with the key in place"
# A stale .new (a run that failed before its commit) is replaced.
head -c 32 /dev/urandom > "$S/secrets.key.new"
ctl key rotate --secrets
is "$rc" 0 "a stale .new: a normal rotation"
like "$out" "sealed 2 secrets" "... that seals the secrets"
is "$(opened .accessKey accessKey)" "$AK" "... under the key in place"
ctl key rotate
is "$rc" 2 "key rotate without --secrets: usage error"

# secrets.duo_properties: more configProperties members sealed and masked.
cp "$CONF" "$tmp/conf.saved"
printf 'secrets = { duo_properties = [ "akey" ]; };\n' >> "$CONF"
printf '{"accessKey":"%s","configProperties":{"skey":"%s","akey":"abcdefghijklmnop","ikey":"plain"}}' \
	"$AK" "$SK" > "$tmp/props.json"
ctl mfa duo set --json --file "$tmp/props.json"
is "$rc" 0 "duo_properties: set exits 0"
is "$(jget "$out" '.configProperties.akey + " " + .configProperties.ikey')" "a******p plain" \
	"duo_properties: akey shown masked, ikey as is"
is "$(opened .configProperties.akey configProperties.akey)" abcdefghijklmnop \
	"duo_properties: akey stored sealed"
unlike "$(sqlite3 "$DB" .dump)" abcdefghijklmnop "duo_properties: akey not in the database"
printf '%s' "$out" > "$tmp/props-masked.json"
ctl mfa duo set --file "$tmp/props-masked.json"
is "$(opened .configProperties.akey configProperties.akey)" abcdefghijklmnop \
	"duo_properties: the masked akey sent back keeps the stored one"
ctl key rotate --secrets
is "$out" "sealed 3 secrets under a new secrets key $S/secrets.key" \
	"duo_properties: key rotate seals it too"
is "$(opened .configProperties.akey configProperties.akey)" abcdefghijklmnop \
	"duo_properties: ... and it opens with the new key"
cp "$tmp/conf.saved" "$CONF"
ctl mfa duo set --file "$tmp/edited.json"

# Size bound: 1 MiB is accepted, one byte more is not.
{ printf '{"enabled":true}'; head -c $((1048576 - 16)) /dev/zero | tr '\0' ' '; } \
	> "$tmp/big.json"
printf ' ' | cat "$tmp/big.json" - > "$tmp/toobig.json"
ctl mfa duo set --file "$tmp/toobig.json"
is "$rc" 1 "1 MiB + 1 byte: exit 1"
like "$err" "larger than 1048576 bytes" "1 MiB + 1 byte: message"
ctl mfa duo set --file "$tmp/big.json"
is "$rc" 0 "1 MiB: accepted"
is "$(jget "$out" .accessKey)" null "a body without accessKey resets it"
is "$(sqlite3 "$DB" 'select json from duo_config' | jq -r .accessKey)" null \
	"the old secret is gone once replaced"

sqlite3 "$DB" "update duo_config set json = '{\"accessKey\": $SK'"
ctl mfa duo show
is "$rc" 1 "a corrupt stored configuration: exit 1"
like "$err" "patrolctl: mfa duo show: the stored Duo configuration is not valid JSON" \
	"a corrupt stored configuration: message"
unlike "$err" "$SK" "a corrupt stored configuration is never quoted"
ctl mfa duo set --file "$tmp/edited.json"
is "$rc" 1 "set over a corrupt stored configuration: exit 1"
like "$(sqlite3 "$DB" 'select json from duo_config')" "$SK" \
	"set over a corrupt stored configuration: nothing written"

done_testing
