#!/bin/sh
# tests/crash.sh: crash consistency (issue 8): SIGKILL to patrol-beta
# responders, one every 50 to 250 ms for 15 s, while 4 clients write through
# the real web server (Duo PUTs, PAT creates and deletes;
# tests/crashclients.py). Afterwards the database passes PRAGMA
# integrity_check, every acknowledged write is there (and every acknowledged
# delete gone), nothing is half written (each PAT row whole, the Duo
# configuration exactly one of the bodies sent, and not one that an
# acknowledged later PUT replaced), and the audit trail has a row for
# exactly the changes that are in the database.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq python3 sqlite3; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-crash.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
sed -i 's/^pat = { \(.*\) };/pat = { \1 max_per_owner = 0; };/' "$CONF"
grep -q 'max_per_owner = 0;' "$CONF" || bail "cannot lift pat.max_per_owner"
ctl() { "$CTL" --config "$CONF" "$@"; }
admin=$(ctl identity add --name Admin --rights ORG_ADMIN) || bail "identity add"
set -- $(ctl pat create --owner "$admin" --name main --json | jq -r '.id + " " + .secret')
id=$1 sec=$2
server_start "$S" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 20'
tok=$(curl -s -d grant_type=client_credentials -d "client_id=$id" \
    -d "client_secret=$sec" "$BASE/oauth/token" | jq -r '.access_token // empty')
[ -n "$tok" ] || bail "no token"

python3 "$top_srcdir/tests/crashclients.py" "$BASE" "$tok" 4 15 "$tmp/log.json" &
cpid=$!
kills=0
end=$(($(date +%s) + 15))
while [ "$(date +%s)" -lt "$end" ]; do
	for p in $(server_responders); do
		tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q patrol-beta || continue
		kill -KILL "$p" 2>/dev/null && kills=$((kills + 1))
		break
	done
	sleep "0.$(( $(od -An -N1 -tu1 /dev/urandom) % 20 * 10 + 50 ))"
done
wait "$cpid"
ok $? "the clients ran to the end"
[ "$kills" -ge 10 ]
ok $? "patrol-beta responders killed with SIGKILL: $kills"
sleep 1
req() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$BASE$1"; }
is "$(req /beta/mfa/duo-web/config)" 200 "$SETUP serves again after the kills"
server_stop
# The 500s and 503s the clients met are the web server's, for requests on a
# responder it saw die; patrol itself answered none.
is "$(grep -c 'patrol\[[0-9a-f]*\]: [A-Z]* [^ ]*: 500 ' "$(server_error_log)")" 0 \
    "patrol answered no 500 (the web server's 5xx are for killed responders)"

# The verdict, from the clients' log and the database.
python3 - "$tmp/log.json" "$S/patrol.db" "$admin" "$top_builddir/tests/unseal" \
    "$S/secrets.key" > "$tmp/verdict.json" <<'PY'
import json, re, sqlite3, subprocess, sys
logf, dbf, admin, unseal, key = sys.argv[1:6]
log = json.load(open(logf))
db = sqlite3.connect(dbf)
v = {"statuses": log["statuses"]}
v["integrity"] = db.execute("PRAGMA integrity_check").fetchone()[0]
rows = {r[0]: r[1:] for r in db.execute(
    "SELECT id, name, owner_id, created, secret_hash FROM pat "
    "WHERE name LIKE 'c-%'")}
creates = log["creates"]
dels_acked = {d["id"] for d in log["deletes"] if d["acked"]}
dels_unacked = {d["id"] for d in log["deletes"] if not d["acked"]}
acked = [c for c in creates if c["acked"]]
v["creates_acked"] = len(acked)
v["creates_unacked"] = len(creates) - len(acked)
v["deletes_acked"] = len(dels_acked)
v["missing"] = [c["id"] for c in acked if c["id"] not in rows
                and c["id"] not in dels_acked | dels_unacked]
v["resurrected"] = [i for i in dels_acked if i in rows]
v["wrong"] = [c["id"] for c in acked if c["id"] in rows
              and rows[c["id"]][0] != c["name"]]
hexre = re.compile("^[0-9a-f]+$")
v["half"] = [i for i, (name, owner, created, h) in rows.items()
             if not (len(i) == 32 and hexre.match(i) and owner == admin
                     and created and created > 0 and h and len(h) == 64
                     and hexre.match(h) and name.startswith("c-"))]
names = {c["name"] for c in creates}
v["unknown"] = [r[0] for r in rows.values() if r[0] not in names]
v["unacked_present"] = len([c for c in creates if not c["acked"]
                            and c["name"] in {r[0] for r in rows.values()}])
audit = list(db.execute("SELECT operation, target, outcome FROM audit"))
made = {t for o, t, r in audit if o == "createPersonalAccessToken" and r == "ok"}
gone = {t for o, t, r in audit if o == "deletePersonalAccessToken" and r == "ok"}
v["present_unaudited"] = [i for i in rows if i not in made]
v["acked_unaudited"] = [c["id"] for c in acked if c["id"] not in made]
v["audited_absent"] = [t for t in made if t not in rows and t not in gone]
v["deleted_unaudited"] = [i for i in dels_acked if i not in gone]
v["puts_acked"] = len([p for p in log["puts"] if p["acked"]])
(stored,) = db.execute("SELECT json FROM duo_config").fetchone()
d = json.loads(stored)
by_host = {p["host"]: p for p in log["puts"]}
p = by_host.get(d.get("host"))
v["duo_host_known"] = p is not None
if p is not None:
    ak = subprocess.run([unseal, key, "duo_config/1/accessKey"],
                        input=d["accessKey"].encode(), capture_output=True)
    v["duo_whole"] = (d["configProperties"]["ikey"] == p["ikey"] and
                      ak.stdout.decode().strip() == p["ak"])
    v["duo_superseded"] = [q["host"] for q in log["puts"]
                           if q["acked"] and q["sent"] > p["done"]]
print(json.dumps(v))
PY
V=$(cat "$tmp/verdict.json")
diag "clients: $(jget "$V" '.statuses | tostring'); PUTs acknowledged $(jget "$V" .puts_acked), creates $(jget "$V" .creates_acked) (+$(jget "$V" .creates_unacked) not), deletes $(jget "$V" .deletes_acked); unacknowledged creates found in the database: $(jget "$V" .unacked_present)"
is "$(jget "$V" .integrity)" ok "PRAGMA integrity_check: ok"
[ "$(jget "$V" .creates_acked)" -ge 20 ] && [ "$(jget "$V" .puts_acked)" -ge 20 ]
ok $? "enough writes were acknowledged to mean something"
[ "$(jget "$V" .creates_unacked)" -ge 1 ]
ok $? "and some were cut short by the kills"
is "$(jget "$V" '.missing | length')" 0 "every acknowledged create is in the database"
is "$(jget "$V" '.resurrected | length')" 0 "every acknowledged delete is gone"
is "$(jget "$V" '.wrong | length')" 0 "each acknowledged PAT as it was answered"
is "$(jget "$V" '.half | length')" 0 "no PAT row is half written"
is "$(jget "$V" '.unknown | length')" 0 "no PAT that no client sent"
is "$(jget "$V" .duo_host_known)" true "the Duo configuration is one of the bodies sent"
is "$(jget "$V" .duo_whole)" true "... whole: its host, ikey and sealed accessKey of the same PUT"
is "$(jget "$V" '.duo_superseded | length')" 0 "... and not one that an acknowledged later PUT replaced"
is "$(jget "$V" '.present_unaudited | length')" 0 "every PAT in the database has its audit row"
is "$(jget "$V" '.acked_unaudited | length')" 0 "every acknowledged create has its audit row"
is "$(jget "$V" '.deleted_unaudited | length')" 0 "every acknowledged delete has its audit row"
is "$(jget "$V" '.audited_absent | length')" 0 "no audit row for a create that is not in the database"
done_testing
