#!/bin/sh
# tests/crash.sh: crash consistency (issue 8): SIGKILL to a patrol-beta or
# patrol-oauth responder (a running one when it can) every 100 to 300 ms for
# 20 s (lighttpd respawns them, within a second), while 4 clients write
# through the real web server (Duo PUTs, PAT creates and deletes) and one asks
# for tokens (each grant writes lastUsed; tests/crashclients.py does it all).
# Afterwards the PAT's lastUsed is not older than its last grant; the database
# passes PRAGMA integrity_check; every acknowledged create is there with every
# field as the API answered it (the stored hash that of the secret it gave),
# every acknowledged delete is gone; nothing is half written (every PAT row is
# one a client sent, whole, acknowledged or not; the Duo configuration is
# exactly the body of one PUT, secrets opened, and not one that an
# acknowledged PUT sent after it ended replaced); and the audit trail has a
# row for exactly the changes that are in the database. Then patrolctl pat
# import is killed four times mid-import: whole batches only.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
# (the killer looks for the responders among the web server's children)
[ "$SETUP" = lighttpd ] || skip_all "$SETUP: the killer knows lighttpd's responders only"
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
sed -i 's/^pat = { .* };/pat = { last_used_interval = 0; max_per_owner = 0; };/' "$CONF"
grep -q 'last_used_interval = 0; max_per_owner = 0;' "$CONF" || bail "cannot set pat limits"
ctl() { "$CTL" --config "$CONF" "$@"; }
admin=$(ctl identity add --name Admin --rights ORG_ADMIN) || bail "identity add"
set -- $(ctl pat create --owner "$admin" --name main --json | jq -r '.id + " " + .secret')
id=$1 sec=$2
server_start "$S" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 20'
tok=$(curl -s -d grant_type=client_credentials -d "client_id=$id" \
    -d "client_secret=$sec" "$BASE/oauth/token" | jq -r '.access_token // empty')
[ -n "$tok" ] || bail "no token"

# 4 writers, a client asking for tokens (each writes lastUsed) and the
# killer (SIGKILL to a patrol-beta or patrol-oauth responder in turn, a
# running one when it can, every 100 to 300 ms), for 20 s.
python3 "$top_srcdir/tests/crashclients.py" --pat "$id" "$sec" "$BASE" "$tok" 4 20 \
    "$tmp/log.json" "$SERVER_PID" patrol-beta patrol-oauth
ok $? "the clients and the killer ran to the end"
req() { curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$BASE$1"; }
# (lighttpd respawns what died once a second: up to 5 s)
i=0
while [ "$(req /beta/mfa/duo-web/config)" != 200 ] && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(req /beta/mfa/duo-web/config)" 200 "$SETUP serves again after the kills"
server_stop
# The 500s and 503s the clients met are the web server's, for requests on a
# responder it saw die; patrol itself answered none.
is "$(grep -c 'patrol\[[0-9a-f]*\]: [A-Z]* [^ ]*: 500 ' "$(server_error_log)")" 0 \
    "patrol answered no 500 (the web server's 5xx are for killed responders)"
is "$(grep -c 'lastUsed' "$(server_error_log)")" 0 "no lastUsed write failed (none logged)"
# patrolctl killed in the middle of an import: each batch of 5000 is all or
# nothing. Four imports of 40000 PATs (imp-K-N), each killed after 0.1 to
# 1.0 s: as many PATs there as in the batches it committed (it reports each
# on stderr once committed) or one batch more (killed between the commit
# and the report), and one audit row per batch there.
python3 - "$admin" > "$tmp/imp.jsonl" <<'PY'
import json, os, sys
for i in range(40000):
    print(json.dumps({"name": "imp-N-%d" % i, "owner": {"id": sys.argv[1]},
                      "secretHash": os.urandom(32).hex()}))
PY
bad=0 cut=0
for k in 1 2 3 4; do
	sed "s/\"imp-N-/\"imp-$k-/" "$tmp/imp.jsonl" > "$tmp/imp$k.jsonl"
	# (not through ctl: $! must be patrolctl's PID, not a subshell's)
	"$CTL" --config "$CONF" pat import --batch 5000 "$tmp/imp$k.jsonl" \
	    > /dev/null 2> "$tmp/imp.err" &
	ipid=$!
	sleep "$(awk -v r="$(od -An -N1 -tu1 /dev/urandom)" 'BEGIN { print 0.1 + r / 255 * 0.9 }')"
	kill -KILL "$ipid" 2>/dev/null
	wait "$ipid" 2>/dev/null
	rc=$?
	reported=$(sed -n 's|^imported \([0-9]*\)/.*|\1|p' "$tmp/imp.err" | tail -1)
	reported=${reported:-0}
	there=$(sqlite3 -batch "$S/patrol.db" "SELECT count(*) FROM pat WHERE name LIKE 'imp-$k-%'")
	rows=$(sqlite3 -batch "$S/patrol.db" "SELECT count(*) FROM audit WHERE operation = 'patrolctl pat import' AND target LIKE '%imp$k.jsonl'")
	[ "$rc" -ne 0 ] && cut=$((cut + 1))
	diag "import $k: exit $rc, $reported reported, $there there, $rows audit rows"
	if [ $((there % 5000)) -ne 0 ] || [ "$there" -lt "$reported" ] ||
	    [ "$there" -gt $((reported + 5000)) ] || [ "$rows" -ne $((there / 5000)) ]; then
		bad=$((bad + 1))
	fi
done
is "$bad" 0 "imports killed: whole batches only, every reported one there, one audit row each"
[ "$cut" -ge 1 ]
ok $? "... and $cut of the 4 imports were cut short by the kill"

is "$(sqlite3 -batch "$S/patrol.db" 'PRAGMA integrity_check' 2>&1 | head -5)" ok \
    "PRAGMA integrity_check: ok"
ctl pat export --with-hashes > "$tmp/export.jsonl" || bail "pat export"

# The verdict, from the clients' log, the database and what patrolctl
# exports. check.py LOG DB ADMIN UNSEAL SECRETSKEY EXPORT: JSON.
cat > "$tmp/check.py" <<'PY'
import hashlib, json, re, sqlite3, subprocess, sys, time
logf, dbf, admin, unseal, key, exportf = sys.argv[1:7]
log = json.load(open(logf))
db = sqlite3.connect(dbf)
v = {"statuses": log["statuses"], "kills": log["kills"],
     "busy_kills": log["busy_kills"], "tokens": log["tokens"]}
exp, every = {}, set()
for line in open(exportf):
    p = json.loads(line)
    every.add(p["id"])
    if p["name"].startswith("c-"):
        exp[p["id"]] = p
byname = {p["name"]: p for p in exp.values()}
creates = log["creates"]
dels_acked = {d["id"] for d in log["deletes"] if d["acked"]}
dels_tried = {d["id"] for d in log["deletes"]}
acked = [c for c in creates if c["acked"]]
v["creates_acked"] = len(acked)
v["creates_unacked"] = len(creates) - len(acked)
v["deletes_acked"] = len(dels_acked)
v["deletes_unacked"] = len(dels_tried - dels_acked)
v["puts_acked"] = len([p for p in log["puts"] if p["acked"]])
v["puts_unacked"] = len(log["puts"]) - v["puts_acked"]
# Acknowledged creates: there (unless a delete of it was sent), every
# field as the API answered it, the stored hash that of the secret given.
v["missing"] = [c["response"]["id"] for c in acked
                if c["response"]["id"] not in exp
                and c["response"]["id"] not in dels_tried]
v["resurrected"] = [i for i in dels_acked if i in exp]
def differs(c):
    r, p = c["response"], exp[c["response"]["id"]]
    bad = [k for k in r if k != "secret" and p.get(k) != r[k]]
    if p.get("secretHash") != hashlib.sha256(r["secret"].encode()).hexdigest():
        bad.append("secretHash")
    return bad
v["wrong"] = {c["response"]["id"]: differs(c) for c in acked
              if c["response"]["id"] in exp and differs(c)}
# Every PAT there: one a client sent, whole: what was sent, the owner, a
# well-formed id and hash, a creation time.
sent = {c["body"]["name"]: c["body"] for c in creates}
hexre = re.compile("^[0-9a-f]+$")
def whole(p):
    b = sent.get(p["name"])
    if b is None:
        return False
    scope = b.get("scope")		# absent: stored null (all scopes)
    return (len(p["id"]) == 32 and hexre.match(p["id"]) is not None
            and p["owner"]["id"] == admin and p["scope"] == scope
            and p["accessTokenValiditySeconds"] ==
            b["accessTokenValiditySeconds"]
            and p["expirationDate"] == b["expirationDate"]
            and re.match(r"^\d{4}-\d\d-\d\dT", p["created"] or "")
            and len(p.get("secretHash") or "") == 64
            and hexre.match(p["secretHash"]) is not None)
v["unknown"] = [p["id"] for p in exp.values() if p["name"] not in sent]
v["half"] = [[p, sent[p["name"]]] for p in exp.values()
             if p["name"] in sent and not whole(p)]
ackednames = {c["body"]["name"] for c in acked}
v["unacked_present"] = len([c for c in creates if not c["acked"]
                            and c["body"]["name"] in byname])
v["unacked_deletes_done"] = len([i for i in dels_tried - dels_acked
                                 if i not in exp])
# The audit trail: a row for exactly the changes in the database.
audit = list(db.execute("SELECT operation, target, outcome FROM audit"))
made = {t for o, t, r in audit if o == "createPersonalAccessToken" and r == "ok"}
gone = {t for o, t, r in audit if o == "deletePersonalAccessToken" and r == "ok"}
v["present_unaudited"] = [i for i in exp if i not in made]
v["acked_unaudited"] = [c["response"]["id"] for c in acked
                        if c["response"]["id"] not in made]
v["audited_absent"] = [t for t in made if t not in every and t not in gone]
v["deleted_unaudited"] = [i for i in dels_acked if i not in gone]
# The Duo configuration: exactly the body of one PUT p, its sealed secrets
# opened, and p not overwritten by a later acknowledged PUT. Precisely, with
# concurrent PUTs: p committed, if at all, before its client saw it end (its
# answer, or the connection cut by the kill), so an acknowledged PUT q sent
# after that committed after p and would have replaced it; PUTs that
# overlap p in time may have committed in either order, so any of them may
# be the last one.
(stored,) = db.execute("SELECT json FROM duo_config").fetchone()
d = json.loads(stored)
def opened(value, ctx):
    r = subprocess.run([unseal, key, "duo_config/1/" + ctx],
                       input=value.encode(), capture_output=True)
    return r.stdout.decode().rstrip("\n") if r.returncode == 0 else None
if isinstance(d.get("accessKey"), str):
    d["accessKey"] = opened(d["accessKey"], "accessKey")
cp = d.get("configProperties")
if isinstance(cp, dict) and isinstance(cp.get("skey"), str):
    cp["skey"] = opened(cp["skey"], "configProperties.skey")
match = [p for p in log["puts"] if p["body"] == d]
v["duo_one_put"] = len(match) == 1
if match:
    p = match[0]
    v["duo_superseded"] = [q["body"]["host"] for q in log["puts"]
                           if q["acked"] and q["sent"] > p["done"]]
    v["duo_acked"] = p["acked"]
else:
    v["duo_stored"] = d
# lastUsed of the PAT the token client used: not older than the last
# token it got (each grant writes it before answering).
main = [json.loads(l) for l in open(exportf)]
main = [p for p in main if p["name"] == "main"][0]
lu = main.get("lastUsed")
v["last_used_ms"] = None
if lu:
    import calendar
    t = calendar.timegm(time.strptime(lu[:19], "%Y-%m-%dT%H:%M:%S"))
    v["last_used_ms"] = t * 1000 + int(lu[20:23])
v["last_token_ms"] = log["last_token_ms"]
v["last_used_ok"] = v["last_used_ms"] is not None and \
    v["last_used_ms"] >= log["last_token_ms"] > 0
print(json.dumps(v))
PY
python3 "$tmp/check.py" "$tmp/log.json" "$S/patrol.db" "$admin" \
    "$top_builddir/tests/unseal" "$S/secrets.key" "$tmp/export.jsonl" \
    > "$tmp/verdict.json"
V=$(cat "$tmp/verdict.json")
diag "clients: $(jget "$V" '.statuses | tostring'), $(jget "$V" .kills) kills; acknowledged: PUTs $(jget "$V" .puts_acked) (+$(jget "$V" .puts_unacked) not), creates $(jget "$V" .creates_acked) (+$(jget "$V" .creates_unacked) not, $(jget "$V" .unacked_present) of them in the database), deletes $(jget "$V" .deletes_acked) (+$(jget "$V" .deletes_unacked) not, $(jget "$V" .unacked_deletes_done) of them done)"
[ "$(jget "$V" .kills)" -ge 15 ]
ok $? "responders killed with SIGKILL: $(jget "$V" .kills), $(jget "$V" .busy_kills) of them while running"
[ "$(jget "$V" .tokens)" -ge 100 ]
ok $? "tokens granted meanwhile: $(jget "$V" .tokens)"
is "$(jget "$V" .last_used_ok)" true "the PAT's lastUsed is not older than the last token granted ($(jget "$V" .last_used_ms) >= $(jget "$V" .last_token_ms))"
[ "$(jget "$V" .creates_acked)" -ge 100 ] && [ "$(jget "$V" .puts_acked)" -ge 100 ]
ok $? "enough writes were acknowledged to mean something"
[ "$(jget "$V" .creates_unacked)" -ge 1 ] && [ "$(jget "$V" .puts_unacked)" -ge 1 ]
ok $? "and some were cut short by the kills"
is "$(jget "$V" '.missing | length')" 0 "every acknowledged create is in the database"
is "$(jget "$V" '.resurrected | length')" 0 "every acknowledged delete is gone"
is "$(jget "$V" '.wrong | length')" 0 "each acknowledged PAT as the API answered it: every field, the hash of its secret"
[ "$(jget "$V" '.wrong | length')" = 0 ] || diag "$(jget "$V" '.wrong | tostring')"
[ "$(jget "$V" '.half | length')" = 0 ] || diag "$(jget "$V" '.half[0:3] | tostring')"
is "$(jget "$V" '.half | length')" 0 "every PAT row whole: as sent, its owner, id, hash and creation time (acknowledged or not)"
is "$(jget "$V" '.unknown | length')" 0 "no PAT that no client sent"
is "$(jget "$V" .duo_one_put)" true "the Duo configuration is exactly the body of one PUT (every field, its sealed accessKey and skey opened)"
[ "$(jget "$V" .duo_one_put)" = true ] || diag "stored: $(jget "$V" '.duo_stored | tostring')"
is "$(jget "$V" '.duo_superseded | length')" 0 "... and not one that an acknowledged PUT sent after it ended replaced"
is "$(jget "$V" '.present_unaudited | length')" 0 "every PAT in the database has its audit row"
is "$(jget "$V" '.acked_unaudited | length')" 0 "every acknowledged create has its audit row"
is "$(jget "$V" '.deleted_unaudited | length')" 0 "every acknowledged delete has its audit row"
is "$(jget "$V" '.audited_absent | length')" 0 "no audit row for a create that is not in the database"
done_testing
