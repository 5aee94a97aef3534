#!/bin/sh
# tests/runtime.sh: the FastCGI process side of a responder, driven with
# libfcgi's own client (cgi-fcgi) over a Unix socket: the listening socket
# handed over by systemd socket activation (LISTEN_FDS, fd 3, through
# systemd-socket-activate), signals (SIGTERM, SIGINT, SIGHUP: the request in
# flight finishes, then exit 0), and a client that goes away mid-listing.
. "$top_srcdir/tests/lib.sh"

for _c in jq sqlite3 cgi-fcgi systemd-socket-activate; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
CTL="$top_builddir/tools/patrolctl"
OAUTH="$top_builddir/cgi-bin/patrol-oauth"
BETA="$top_builddir/cgi-bin/patrol-beta"
tmp=$(mktemp -d) || bail "mktemp"
spid=
trap '[ -n "$spid" ] && kill -KILL "$spid" 2>/dev/null; rm -rf "$tmp"' EXIT
make_state "$tmp/s"
CONF="$tmp/s/patrol.conf"
SOCK="$tmp/beta.sock"

admin=$("$CTL" --config "$CONF" identity add --name Admin --rights ORG_ADMIN) ||
	bail "identity add"
pat=$("$CTL" --config "$CONF" pat create --owner "$admin" --name rt --json) ||
	bail "pat create"
pid=$(jget "$pat" .id)
psec=$(jget "$pat" .secret)
printf 'grant_type=client_credentials&client_id=%s&client_secret=%s' \
	"$pid" "$psec" > "$tmp/form"
tok=$(env -i PATH="$PATH" PATROL_CONFIG="$CONF" REQUEST_METHOD=POST \
	REQUEST_URI=/oauth/token \
	CONTENT_TYPE=application/x-www-form-urlencoded \
	CONTENT_LENGTH=$(wc -c < "$tmp/form") "$OAUTH" < "$tmp/form" |
	sed '1,/^\r$/d' | jq -r .access_token) || bail "no token"

# start [ARGS]: the beta responder behind systemd-socket-activate on $SOCK;
# it execs the responder in place on the first connection, so $spid is the
# responder's pid from then on.
start() {
	rm -f "$SOCK"
	systemd-socket-activate -l "$SOCK" "$BETA" --config "$CONF" "$@" \
		2> "$tmp/sa.err" &
	spid=$!
	_i=0
	while [ ! -S "$SOCK" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
	[ -S "$SOCK" ] || bail "systemd-socket-activate did not listen"
}

# fcgi METHOD URI [CTYPE [BODYFILE]]: one request; sets $status and $body.
fcgi() {
	_len=0
	[ -n "${4-}" ] && _len=$(wc -c < "$4")
	env -i PATH="$PATH" REQUEST_METHOD="$1" REQUEST_URI="$2" \
		QUERY_STRING="$(printf '%s' "$2" | sed -n 's/^[^?]*?//p')" \
		CONTENT_TYPE="${3-}" CONTENT_LENGTH="$_len" \
		HTTP_AUTHORIZATION="Bearer $tok" \
		cgi-fcgi -bind -connect "$SOCK" < "${4:-/dev/null}" > "$tmp/out"
	status=$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$tmp/out")
	body=$(sed '1,/^\r$/d' "$tmp/out")
}

# stopped PID SECONDS: waits for PID to exit; sets $rc to its exit status,
# or to "running" if it is still there.
stopped() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt $(($2 * 20)) ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		rc=running
	else
		wait "$1"; rc=$?
	fi
}

# --- systemd socket activation -----------------------------------------

start
fcgi GET /beta/mfa/duo-web/config
is "$status" 200 "socket activation: the responder answers on fd 3"
fcgi GET "/beta/personal-access-tokens?owner-id=me"
is "$(jget "$body" '.[0].id')" "$pid" "socket activation: a second request, same process"
like "$(cat "/proc/$spid/cmdline" 2>/dev/null | tr '\0' ' ')" "patrol-beta" \
	"the responder runs in systemd-socket-activate's place"

# --- signals while idle ------------------------------------------------

for sig in TERM INT HUP; do
	[ "$sig" = TERM ] || { start; fcgi GET /beta/mfa/duo-web/config; }
	kill -"$sig" "$spid"
	stopped "$spid" 5
	is "$rc" 0 "SIG$sig while waiting for a connection: exit 0 at once"
	spid=
done

# --- SIGTERM with a request in flight ----------------------------------
# The body arrives in two parts a second apart; SIGTERM lands in between.
duo='{"mfaMethod":"duo-web","enabled":true,"host":"www.example.com","accessKey":"qw123Y3QlA5UqocYpdU3rEkzrK2D497y","identityAttribute":"email","configProperties":{"skey":"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B","ikey":"Q123WE45R6TY7890ZXCV"}}'
for sig in TERM INT HUP; do
	start
	fcgi GET /beta/mfa/duo-web/config	# exec the responder
	( printf '%s' "$duo" | head -c 20; sleep 1; printf '%s' "$duo" | tail -c +21 ) |
	env -i PATH="$PATH" REQUEST_METHOD=PUT REQUEST_URI=/beta/mfa/duo-web/config \
		CONTENT_TYPE=application/json CONTENT_LENGTH=${#duo} \
		HTTP_AUTHORIZATION="Bearer $tok" \
		cgi-fcgi -bind -connect "$SOCK" > "$tmp/inflight" &
	cpid=$!
	sleep 0.4
	kill -"$sig" "$spid"
	wait "$cpid"
	like "$(head -1 "$tmp/inflight")" "Status: 200" \
		"SIG$sig mid-request: the request still gets its answer"
	is "$(sed '1,/^\r$/d' "$tmp/inflight" | jq -r .accessKey)" 'q******y' \
		"SIG$sig mid-request: the whole body was read and answered"
	stopped "$spid" 5
	is "$rc" 0 "SIG$sig mid-request: then exit 0"
	spid=
done
is "$(sqlite3 "$tmp/s/patrol.db" 'SELECT count(*) FROM duo_config')" 1 \
	"the PUTs were committed"

# --- a client that goes away mid-listing -------------------------------
# 6000 PATs make a listing of about 2 MB, far more than the socket buffers.
sqlite3 "$tmp/s/patrol.db" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL
	SELECT i + 1 FROM n WHERE i < 6000)
	INSERT INTO pat (id, name, scope, owner_id, created, last_used, managed,
	    secret_hash, expires, validity)
	SELECT printf('%032x', i), 'bulk-' || i, NULL, '$admin', 1700000000000 + i,
	    NULL, 0, printf('%064x', i), NULL, 43200 FROM n;" ||
	bail "bulk insert"
start
fcgi GET /beta/mfa/duo-web/config
rpid=$spid
for i in 1 2 3; do
	env -i PATH="$PATH" REQUEST_METHOD=GET \
		REQUEST_URI="/beta/personal-access-tokens?owner-id=me" \
		QUERY_STRING=owner-id=me HTTP_AUTHORIZATION="Bearer $tok" \
		cgi-fcgi -bind -connect "$SOCK" 2>/dev/null | head -c 1000 > /dev/null
done
fcgi GET "/beta/personal-access-tokens?owner-id=me&count=true&limit=1"
is "$status" 200 "after three clients left mid-listing, the responder answers"
ok "$(kill -0 "$rpid" 2>/dev/null; echo $?)" "the same responder process"
fcgi GET "/beta/personal-access-tokens?owner-id=me"
is "$(jget "$body" length)" 6001 "a whole listing still streams"
kill -TERM "$spid"
stopped "$spid" 5
is "$rc" 0 "SIGTERM: exit 0"
spid=

# --- --workers: one process holds the socket, N accept on it ------------

# kids PID: the PIDs of PID's live children.
kids() {
	_p=$1
	for _f in /proc/[0-9]*/stat; do
		_l=$(cat "$_f" 2>/dev/null) || continue
		# shellcheck disable=SC2086
		set -- ${_l##*) }
		[ "${2:-}" = "$_p" ] || continue
		case $1 in Z*|X*) continue ;; esac
		_c=${_f#/proc/}
		printf '%s\n' "${_c%/stat}"
	done
	return 0
}
nkids() { kids "$1" | wc -l; }

start --workers 3
fcgi GET /beta/mfa/duo-web/config
is "$status" 200 "--workers 3: answers"
_i=0
while [ "$(nkids "$spid")" -lt 3 ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
is "$(nkids "$spid")" 3 "--workers 3: three workers under the process that holds the socket"
fcgi GET "/beta/personal-access-tokens?owner-id=me"
is "$(jget "$body" "any(.[]; .id == \"$pid\")")" true "--workers 3: a listing from a worker"
victim=$(kids "$spid" | head -1)
kill -KILL "$victim"
_i=0
while { [ "$(nkids "$spid")" -lt 3 ] || kids "$spid" | grep -qx "$victim"; } &&
    [ $_i -lt 60 ]; do sleep 0.05; _i=$((_i + 1)); done
is "$(nkids "$spid")" 3 "a worker killed: another takes its place"
like "$(cat "$tmp/sa.err")" "worker $victim killed by signal 9; starting another" \
	"... with one line on stderr"
fcgi GET /beta/mfa/duo-web/config
is "$status" 200 "... and requests are answered"
workers=$(kids "$spid")
kill -TERM "$spid"
stopped "$spid" 5
is "$rc" 0 "SIGTERM to the supervisor: exit 0"
alive=0
for w in $workers; do kill -0 "$w" 2>/dev/null && alive=$((alive + 1)); done
is "$alive" 0 "... and every worker has exited"
spid=
"$BETA" --workers 0 > /dev/null 2> "$tmp/err"
is $? 2 "--workers 0: usage error"
like "$(cat "$tmp/err")" "--workers: '0' is not a number from 1 to 256" "--workers 0: the message"

# --- a responder that cannot start --------------------------------------
# It answers the first request with a 500 envelope and logs the cause on the
# FastCGI error stream (the web server's error log), then exits 1.
printf 'token = { lifetime = "x"; };\n' > "$tmp/bad.conf"
rm -f "$SOCK"
systemd-socket-activate -l "$SOCK" "$BETA" --config "$tmp/bad.conf" \
	2> "$tmp/sa.err" &
spid=$!
_i=0
while [ ! -S "$SOCK" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
env -i PATH="$PATH" REQUEST_METHOD=GET REQUEST_URI=/beta/mfa/duo-web/config \
	cgi-fcgi -bind -connect "$SOCK" > "$tmp/out" 2> "$tmp/fcgi.err"
like "$(head -1 "$tmp/out")" "Status: 500" "bad config: the request gets a 500"
body=$(sed '1,/^\r$/d' "$tmp/out")
tid=$(jget "$body" .trackingId)
is "$(jget "$body" .detailCode)" "500.0 Internal Fault" "bad config: 500 envelope"
like "$(cat "$tmp/fcgi.err")" "patrol[$tid]: GET /beta/mfa/duo-web/config: 500 the responder cannot serve: $tmp/bad.conf:1: token.lifetime must be an integer" \
	"bad config: the FastCGI error stream has the cause and the tracking id"
like "$(cat "$tmp/sa.err")" "patrol-beta: $tmp/bad.conf:1: token.lifetime must be an integer" \
	"bad config: and stderr at start"
stopped "$spid" 5
is "$rc" 1 "bad config: then exit 1"
spid=

# The same behind lighttpd, which sends a spawned responder's stderr nowhere
# once it runs as a daemon: the cause reaches lighttpd's error log.
. "$top_srcdir/tests/lighttpd.sh"
if lighttpd_bin > /dev/null; then
	mkdir -p "$tmp/lt"
	PATROL_CONFIG=$tmp/bad.conf
	lighttpd_start "$tmp/lt" || bail "lighttpd did not start"
	out=$(curl -s -w '\n%{http_code}' "$BASE/beta/mfa/duo-web/config")
	is "$(printf '%s' "$out" | tail -1)" 500 "lighttpd, bad config: a 500"
	body=$(printf '%s' "$out" | sed '$d')
	tid=$(jget "$body" .trackingId)
	is "$(jget "$body" .detailCode)" "500.0 Internal Fault" \
		"lighttpd, bad config: the API's envelope"
	sleep 0.2
	like "$(cat "$tmp/lt/lighttpd-error.log")" "patrol[$tid]: GET /beta/mfa/duo-web/config: 500 the responder cannot serve: $tmp/bad.conf:1: token.lifetime must be an integer" \
		"lighttpd, bad config: the error log has the cause"
	lighttpd_stop

	# Responders that are down and cannot be started again: lighttpd's own
	# 5xx, as the API's JSON envelope (etc/errors, etc/lighttpd.conf).
	mkdir -p "$tmp/lx" "$tmp/lt2"
	for p in patrol-oauth patrol-beta; do
		printf '#!/bin/sh\n[ -e "%s/down" ] && exit 1\nexec "%s" "$@"\n' \
		    "$tmp/lx" "$top_builddir/cgi-bin/$p" > "$tmp/lx/$p"
		chmod +x "$tmp/lx/$p"
	done
	PATROL_CONFIG=$CONF PATROL_LIBEXEC=$tmp/lx
	lighttpd_start "$tmp/lt2" || bail "lighttpd did not start"
	code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/beta/mfa/duo-web/config")
	is "$code" 401 "lighttpd, responders up: patrol answers"
	: > "$tmp/lx/down"
	for k in $(lighttpd_children "$LIGHTTPD_PID"); do kill -KILL "$k"; done
	i=0 code=
	while [ $i -lt 20 ]; do
		out=$(curl -s -D "$tmp/h" -w '\n%{http_code}' "$BASE/beta/mfa/duo-web/config")
		code=$(printf '%s' "$out" | tail -1)
		case $code in 5*) break ;; esac
		sleep 0.2
		i=$((i + 1))
	done
	case $code in 5??) r=0 ;; *) r=1 ;; esac
	ok $r "lighttpd, responders down: a 5xx ($code)"
	body=$(printf '%s' "$out" | sed '$d')
	case $(jget "$body" .detailCode) in "$code "*|"$code."*) r=0 ;; *) r=1 ;; esac
	ok $r "lighttpd, responders down: the API's envelope for $code"
	like "$(tr -d '\r' < "$tmp/h" | grep -i '^content-type:')" "application/json" \
		"lighttpd, responders down: JSON content type"
	lighttpd_stop
	unset PATROL_LIBEXEC
else
	skip_all "lighttpd is not installed"
fi

# --- a database this user may not write -------------------------------
# SQLite would open it read-only without a word and fail every write until
# a restart; patrol refuses it (500, the cause logged) and opens it again,
# writable, on the request after the fix. As root (who may write anything)
# the responder runs as nobody.
R=$tmp/ro
make_state "$R"
rpat=$("$CTL" --config "$R/patrol.conf" pat create --owner \
    "$("$CTL" --config "$R/patrol.conf" identity add --name RO --rights ORG_ADMIN)" \
    --name ro --json) || bail "pat create"
printf 'grant_type=client_credentials&client_id=%s&client_secret=%s' \
	"$(jget "$rpat" .id)" "$(jget "$rpat" .secret)" > "$tmp/roform"
as_other=
if [ "$(id -u)" -eq 0 ]; then
	as_other="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	chmod 0755 "$tmp"
fi
: > "$R/ratelimit.state"
chmod 0666 "$R/ratelimit.state"
chmod 0555 "$R"
chmod 0444 "$R"/patrol.db "$R/signing.key" "$R/secrets.key" "$R/patrol.conf"
rotoken() {
	env -i PATH="$PATH" PATROL_CONFIG="$R/patrol.conf" REQUEST_METHOD=POST \
	    REQUEST_URI=/oauth/token CONTENT_TYPE=application/x-www-form-urlencoded \
	    CONTENT_LENGTH=$(wc -c < "$tmp/roform") $as_other "$OAUTH" \
	    < "$tmp/roform" > "$tmp/roout" 2> "$tmp/roerr"
	sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$tmp/roout"
}
is "$(rotoken)" 500 "a database it may not write: 500"
like "$(cat "$tmp/roerr")" "opened read-only (this user may not write it or its directory)" \
	"... and the cause, in the log"
chmod 0777 "$R"
chmod 0666 "$R/patrol.db"
st=$(rotoken)
[ "$st" = 200 ] || diag "$(cat "$tmp/roerr")"
is "$st" 200 "once it may write it: 200, nothing restarted"
rtok=$(sed '1,/^\r$/d' "$tmp/roout" | jq -r .access_token)

# The same in long-lived FastCGI responders: patrol-beta --workers 2 behind
# systemd-socket-activate (as nobody when root), started while the database
# may not be written. While the fault lasts each request gets a 500 and the
# cause on the FastCGI error stream, from the same workers (they open the
# database again on every request); once the fault is fixed, the next
# request gets 200, and nothing was restarted.
chmod 0555 "$R"
chmod 0444 "$R/patrol.db"
RSOCK=$tmp/ro.sock
systemd-socket-activate -l "$RSOCK" $as_other "$BETA" --workers 2 \
	--config "$R/patrol.conf" 2> "$tmp/roerr" &
rspid=$!
_i=0
while [ ! -S "$RSOCK" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
duo_ro='{"mfaMethod":"duo-web","enabled":false,"host":"ro.example.com","accessKey":null,"identityAttribute":"email","configProperties":null}'
roput() {
	printf '%s' "$duo_ro" |
	env -i PATH="$PATH" REQUEST_METHOD=PUT REQUEST_URI=/beta/mfa/duo-web/config \
	    CONTENT_TYPE=application/json CONTENT_LENGTH=${#duo_ro} \
	    HTTP_AUTHORIZATION="Bearer $rtok" REMOTE_ADDR=127.0.0.1 \
	    cgi-fcgi -bind -connect "$RSOCK" > "$tmp/roout" 2>> "$tmp/rostream"
	sed -n '1s/^Status: \([0-9]*\).*/\1/p' "$tmp/roout"
}
workers() { ps -o pid= --ppid "$rspid" | sort -n | tr -d ' ' | tr '\n' ' '; }
: > "$tmp/rostream"
is "$(roput)" 500 "FastCGI: a PUT while the database may not be written: 500"
like "$(cat "$tmp/rostream")" "opened read-only (this user may not write it or its directory)" \
	"FastCGI: ... and the cause, on the FastCGI error stream"
rworkers=$(workers)
sleep 1.2	# (a supervisor would start another worker after a second)
is "$(roput)" 500 "FastCGI: 500 again while the fault lasts"
sleep 1.2
chmod 0777 "$R"
chmod 0666 "$R/patrol.db"
bad=0
for i in 1 2 3 4; do
	st=$(roput)
	[ "$st" = 200 ] || { bad=$((bad + 1)); diag "PUT $i after the fix: $st"; }
done
is "$bad" 0 "FastCGI: after the fix, every request to the workers that waited gets 200"
kill -0 "$rspid" 2>/dev/null
ok $? "FastCGI: ... the same supervisor (pid $rspid), nothing restarted by hand"
is "$(workers)" "$rworkers" "FastCGI: ... and the same 2 workers: none exited"
is "$(sqlite3 -batch "$R/patrol.db" 'select json from duo_config' | jq -r .host)" \
	ro.example.com "FastCGI: the PUT is in the database"
kill -TERM "$rspid" 2>/dev/null
wait "$rspid" 2>/dev/null
chmod 0755 "$R"

# --- systemd passing something else ------------------------------------
sh -c 'LISTEN_PID=$$ LISTEN_FDS=2 exec "$0" --config "$1"' "$BETA" "$CONF" \
	< /dev/null > /dev/null 2> "$tmp/err"
is $? 1 "LISTEN_FDS=2 for this process: exit 1"
like "$(cat "$tmp/err")" "expected exactly one listening socket" \
	"LISTEN_FDS=2: one clear line"
sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$0" --config "$1" 3< /dev/null' \
	"$BETA" "$CONF" < /dev/null > /dev/null 2> "$tmp/err"
is $? 1 "LISTEN_FDS=1 with fd 3 not a socket: exit 1"
like "$(cat "$tmp/err")" "fd 3 is not a socket" "fd 3 not a socket: one clear line"
# LISTEN_PID of another process: not ours, plain CGI as before.
sh -c 'LISTEN_PID=1 LISTEN_FDS=1 exec "$0" --config "$1"' "$BETA" "$CONF" \
	< /dev/null > "$tmp/out" 2> /dev/null
like "$(head -1 "$tmp/out")" "Status: 404" "LISTEN_PID of another process: ignored (CGI)"

done_testing
