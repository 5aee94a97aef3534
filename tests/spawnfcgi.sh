#!/bin/sh
# tests/spawnfcgi.sh: the responders started by spawn-fcgi from the shipped
# recipe etc/spawn-fcgi/patrol-spawn.sh (placeholders substituted), behind
# nginx with etc/nginx/patrol.conf. As root the recipe runs them as nobody,
# who reaches the state through files.group (the database 0660, the keys
# 0640, group nogroup), as docs/deploy.md describes. Checked: sockets and
# pid files, the user, tokens, listing and a Duo PUT through nginx, 3
# workers each and a killed one replaced, and the documented stop.
. "$top_srcdir/tests/lib.sh"
# The setup (tests/server_nginx-spawn-fcgi.sh) through which
# tests/e2e-nginx-spawn-fcgi.sh and interop-nginx-spawn-fcgi.sh run too.
PATROL_SETUP=nginx-spawn-fcgi
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq spawn-fcgi; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-spawnfcgi.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
if [ "$(id -u)" -eq 0 ]; then
	sf_user=nobody sf_group=nogroup
	chmod 0755 "$tmp"
	printf 'files = { group = "%s"; };\n' "$sf_group" >> "$CONF"
	"$CTL" --config "$CONF" init > /dev/null || bail "init with files.group"
	chgrp "$sf_group" "$S" && chmod 0770 "$S" || bail "cannot share $S"
else
	sf_user=$(id -un) sf_group=$(id -gn)
fi
ctl() { "$CTL" --config "$CONF" "$@"; }
admin=$(ctl identity add --name Admin --rights ORG_ADMIN) || bail "identity add"
set -- $(ctl pat create --owner "$admin" --name sf --json | jq -r '.id + " " + .secret')
id=$1 sec=$2

server_start "$S" || bail "cannot start nginx with spawn-fcgi's responders"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 20'
R=$S/nginx/run
like "$(cat "$S/nginx/responders.log")" "child spawned successfully" "spawn-fcgi started them"
for p in patrol-oauth patrol-beta; do
	[ -S "$R/$p.sock" ]
	ok $? "$p: its socket"
	is "$(stat -c %a "$R/$p.sock")" 660 "$p: socket mode 0660"
	pid=$(cat "$R/$p.pid" 2>/dev/null)
	kill -0 "$pid" 2>/dev/null
	ok $? "$p: its pid file names a live process ($pid)"
	is "$(ps -o user= -p "$pid" | tr -d ' ')" "$sf_user" "$p: runs as $sf_user"
	is "$(lighttpd_children "$pid" | wc -l)" 3 "$p: 3 workers"
done

tok=$(curl -s -d grant_type=client_credentials -d "client_id=$id" \
    -d "client_secret=$sec" "$BASE/oauth/token" | jq -r '.access_token // empty')
[ -n "$tok" ]
ok $? "a token through nginx"
is "$(curl -s -H "Authorization: Bearer $tok" "$BASE/beta/personal-access-tokens?owner-id=me" | jq -r '.[0].id')" \
    "$id" "the listing through nginx"
c=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/json' --data-binary \
    '{"enabled":true,"host":"spawn.example.com","accessKey":"AK-spawn-fcgi-0001","identityAttribute":"email","configProperties":{"skey":"SK-spawn","ikey":"IK"}}' \
    "$BASE/beta/mfa/duo-web/config")
is "$c" 200 "a Duo PUT (a write as $sf_user)"
is "$(ctl mfa duo show --json | jq -r .host)" spawn.example.com "... stored"

# A worker that dies is replaced by its responder, not by spawn-fcgi.
bpid=$(cat "$R/patrol-beta.pid")
victim=$(lighttpd_children "$bpid" | head -1)
kill -KILL "$victim"
_i=0
while [ "$(lighttpd_children "$bpid" | wc -l)" -lt 3 ] && [ $_i -lt 40 ]; do
	sleep 0.1; _i=$((_i + 1))
done
is "$(lighttpd_children "$bpid" | wc -l)" 3 "a killed worker is replaced"
is "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $tok" "$BASE/beta/mfa/duo-web/config")" \
    200 "and requests are answered"

# The documented stop.
all=$(spawnfcgi_pids)
kill $(spawnfcgi_main)
_i=0
while [ $_i -lt 50 ]; do
	alive=0
	for p in $all $(spawnfcgi_main); do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
	[ "$alive" -eq 0 ] && break
	sleep 0.1; _i=$((_i + 1))
done
is "$alive" 0 "kill \$(cat the pid files) stops the responders and their workers"
server_stop
done_testing
