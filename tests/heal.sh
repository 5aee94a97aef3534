#!/bin/sh
# tests/heal.sh: a database fault heals without restarting the long-lived
# FastCGI responders (issue 8, item 12; tests/runtime.sh proves it for one
# CGI process). The web server (PATROL_SETUP, default lighttpd with its 3+3
# responders) starts while the responders' user may not write the database:
# SQLite would open it read-only without a word and fail every write until a
# restart. Every request gets a 500 naming the cause; once the file and its
# directory are writable, the same processes (PIDs unchanged) open it again
# and answer 200, each of them then holding the database open. As root (who
# may write anything) the web server and its responders run as nobody.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
[ "$SETUP" = lighttpd ] || skip_all "$SETUP: the test runs the web server as another user only for lighttpd"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
OAUTH="$top_builddir/cgi-bin/patrol-oauth"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-heal.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
# The database in a directory of its own, so that the fault (a directory
# and file the responders may not write) leaves the server's own files
# (sockets, logs) writable.
mkdir "$S/db" || bail "mkdir"
mv "$S"/patrol.db* "$S/db/" || bail "mv"
sed -i 's|path = "patrol.db"|path = "db/patrol.db"|' "$CONF"
DB=$S/db/patrol.db
ctl() { "$CTL" --config "$CONF" "$@"; }
admin=$(ctl identity add --name Admin --rights ORG_ADMIN) || bail "identity add"
pat=$(ctl pat create --owner "$admin" --name heal --json) || bail "pat create"
id=$(jget "$pat" .id) sec=$(jget "$pat" .secret)
form="grant_type=client_credentials&client_id=$id&client_secret=$sec"
# An access token while the database is still writable (the plain CGI
# way): the Duo requests below need one while it is not.
printf '%s' "$form" > "$tmp/form"
tok=$(env -i PATH="$PATH" PATROL_CONFIG="$CONF" REQUEST_METHOD=POST \
    REQUEST_URI=/oauth/token CONTENT_TYPE=application/x-www-form-urlencoded \
    CONTENT_LENGTH=${#form} "$OAUTH" < "$tmp/form" | sed '1,/^\r*$/d' |
    jq -r .access_token) || bail "no access token"
case $tok in *.*.*) ;; *) bail "no access token: $tok" ;; esac

if [ "$(id -u)" -eq 0 ]; then
	# lighttpd (and so its responders) as nobody: through a wrapper that
	# lighttpd_start runs as $LIGHTTPD, exec'ing so that the PID stays.
	bin=$(lighttpd_bin)
	printf '#!/bin/sh\nexec setpriv --reuid=nobody --regid=nogroup --clear-groups %s "$@"\n' \
	    "$bin" > "$tmp/lighttpd"
	chmod 0755 "$tmp/lighttpd" "$tmp"
	LIGHTTPD=$tmp/lighttpd
	# (the logs too: lighttpd_start only empties them)
	touch "$S/lighttpd-error.log" "$S/lighttpd-access.log"
	chown -R nobody:nogroup "$S"
	chown -R root:root "$S/db"
	broken() { chmod 0755 "$S/db"; chmod 0644 "$DB"; }
	fixed() { chown -R nobody:nogroup "$S/db"; }
else
	broken() { chmod 0555 "$S/db"; chmod 0444 "$DB"; }
	fixed() { chmod 0755 "$S/db"; chmod 0644 "$DB"; }
fi
broken
server_start "$S" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 30'

pids() { server_responders | sort -n | tr '\n' ' '; }
# holding: how many of the responders hold the database open.
holding() {
	_n=0
	for _p in $(server_responders); do
		ls -l "/proc/$_p/fd" 2>/dev/null | grep -q " $DB\$" && _n=$((_n + 1))
	done
	echo "$_n"
}
# burst N: N token requests, then N Duo PUTs, then N Duo GETs, each kind 6
# at a time so that the server spreads them over its responders; prints the
# sorted distinct statuses.
burst() {
	: > "$tmp/codes"
	for _k in token put get; do
		_i=0
		while [ "$_i" -lt "$1" ]; do
			_i=$((_i + 1))
			[ "$_i" -gt 1 ] && echo next
			echo 'write-out = "%{http_code}\n"'
			echo 'output = /dev/null'
			case $_k in
			token)
				echo "url = \"$BASE/oauth/token\""
				echo "data = \"$form\"" ;;
			put)
				echo "url = \"$BASE/beta/mfa/duo-web/config\""
				echo 'request = PUT'
				echo "header = \"Authorization: Bearer $tok\""
				echo 'header = "Content-Type: application/json"'
				echo "data = \"{\\\"enabled\\\":true,\\\"host\\\":\\\"h$_i.example.com\\\"}\"" ;;
			get)
				echo "url = \"$BASE/beta/mfa/duo-web/config\""
				echo "header = \"Authorization: Bearer $tok\"" ;;
			esac
		done > "$tmp/curlrc"
		curl -s --parallel --parallel-immediate --parallel-max 6 \
		    -K "$tmp/curlrc" >> "$tmp/codes" 2> "$tmp/curlerr"
	done
	sort -u "$tmp/codes" | tr '\n' ' '
}

before=$(pids)
n=$(printf '%s' "$before" | wc -w)
is "$n" "$SRV_RESPONDERS" "$SRV_RESPONDERS_WHAT, started while the database is read-only for them"
is "$(burst 10)" "500 " "token, Duo PUT and GET while it is: every one a 500"
like "$(cat "$(server_error_log)")" "opened read-only (this user may not write it or its directory)" \
	"... the cause in the log"
is "$(holding)" 0 "... no responder holds the database open"
is "$(pids)" "$before" "... and none exited or was restarted"

fixed
is "$(burst 10)" "200 " "once the responders may write it: every one a 200"
# Until each responder has had a request since the fix (the server picks
# them by load): at most 20 more bursts.
i=0
while [ "$(holding)" -lt "$n" ] && [ "$i" -lt 20 ]; do
	r=$(burst 4)
	[ "$r" = "200 " ] || diag "statuses after the fix: $r"
	i=$((i + 1))
done
is "$(holding)" "$n" "every one of the $n responders opened the database again"
is "$(pids)" "$before" "the same processes: nothing restarted (PIDs $before)"
got=$(curl -s -H "Authorization: Bearer $tok" "$BASE/beta/mfa/duo-web/config" | jq -r .host)
like "$got" ".example.com" "a PUT after the fix is stored ($got)"

# A backup restored into the live database (docs/deploy.md: sqlite3's
# .restore, through SQLite's locks; replacing the file under running
# responders is not safe with WAL): the responders answer from it at once.
sqlite3 "$DB" ".backup '$tmp/backup.db'" || bail "backup"
c=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/json' -d '{"enabled":true,"host":"after-backup.example.com"}' \
    "$BASE/beta/mfa/duo-web/config")
is "$c" 200 "a change after the backup"
sqlite3 -cmd '.timeout 5000' "$DB" ".restore '$tmp/backup.db'"
ok $? "sqlite3 .restore into the live database"
bad=0
for i in 1 2 3 4 5 6; do
	h=$(curl -s -H "Authorization: Bearer $tok" "$BASE/beta/mfa/duo-web/config" | jq -r .host)
	[ "$h" = "$got" ] || { bad=$((bad + 1)); diag "after the restore: $h"; }
done
is "$bad" 0 "every responder answers from the restored data at once ($got)"
is "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok "... which is whole"
is "$(pids)" "$before" "... nothing restarted"
server_stop
done_testing
