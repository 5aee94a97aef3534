# tests/server.sh: the web server setup a shell test runs against, chosen by
# PATROL_SETUP (default lighttpd). Source it after tests/lib.sh, from the
# test's main shell. Each setup lives in tests/server_SETUP.sh and starts a
# real web server on loopback from the recipe patrol ships in etc/ (paths
# substituted, nothing else changed), in a state directory of the test.
#
#   server_check          skip_all (bail with CI=true) when the setup's
#                         programs are not installed
#   server_start DIR      start it with DIR as the state directory (the
#                         responders read $PATROL_CONFIG, default DIR/
#                         patrol.conf, made by make_state); sets BASE
#                         (http://127.0.0.1:PORT), SERVER_PID (the web
#                         server's main process) and SERVER_NAME; waits until
#                         patrol answers; stopped by PID at exit. Returns 1
#                         with the logs as diagnostics on failure.
#   server_stop           stop it (and every responder) by PID
#   server_log_tail N     the last N lines of its logs, as TAP comments
#   server_responders     the PIDs of the patrol responders serving it
#   server_error_log      the file the responders' stderr lands in
#   server_access_log     the path of its access log
#   SRV_RESPONDERS        how many responders run between requests (empty
#                         for plain CGI, a process per request), and
#                         SRV_RESPONDERS_WHAT, which: set by the setup
#   SRV_FIELD_MAX         set (to the bytes) when the setup refuses header
#                         fields longer than that itself (400), because
#                         its FastCGI client would drop them silently
#   SRV_HOST_PAGES        set when errors in a request's line or headers
#                         (too long) get the host's own error pages, not the
#                         recipe's JSON: apache-cgi, where Apache answers them
#                         before it reads any .htaccess (e2e then checks only
#                         their status)
#
# Setups: lighttpd (mod_fastcgi spawning the responders), apache-fcgid,
# apache-proxy-fcgi (responders by systemd socket activation), apache-cgi
# (shared hosting: plain CGI configured by .htaccess), nginx (fastcgi_pass to
# socket-activated responders), nginx-spawn-fcgi (the same nginx, the
# responders started by spawn-fcgi from etc/spawn-fcgi/patrol-spawn.sh). Each tests/server_SETUP.sh defines
# SRV_RESPONDERS, SRV_RESPONDERS_WHAT, srv_check, srv_start DIR, srv_stop,
# srv_log_tail N, srv_responders, srv_error_log and srv_access_log.
. "$top_srcdir/tests/lighttpd.sh"	# at_exit, _lt_alive, _lt_kill_wait

SETUP=${PATROL_SETUP:-lighttpd}
case $SETUP in
lighttpd|apache-fcgid|apache-proxy-fcgi|apache-cgi|nginx|nginx-spawn-fcgi) ;;
*) bail "PATROL_SETUP=$SETUP: no such setup" ;;
esac
. "$top_srcdir/tests/server_$SETUP.sh"

# srv_missing WHAT: the setup cannot run here; CI installs everything, so
# there it is a failure, elsewhere a skip.
srv_missing() {
	[ "${CI:-}" = true ] && bail "$SETUP: $1 (CI installs it: scripts/deps.sh)"
	skip_all "$SETUP: $1"
}

server_check() { srv_check; }

server_start() {
	SERVER_NAME=$SETUP
	: "${PATROL_CONFIG:=$1/patrol.conf}"
	export PATROL_CONFIG
	at_exit srv_stop
	srv_start "$1"
}

server_stop() { srv_stop; }
server_error_log() { srv_error_log; }

server_log_tail() { srv_log_tail "${1:-20}"; }
server_responders() { srv_responders; }
server_access_log() { srv_access_log; }

# srv_port: a random port of 20000-60000 (the caller retries when taken).
srv_port() { _lt_random_port; }

# srv_wait URL PID: up to 15 s for URL to answer with patrol's JSON error
# envelope (GET / is a 404 envelope in every setup) while PID lives.
srv_wait() {
	_sw_i=0
	while [ "$_sw_i" -lt 150 ]; do
		_lt_alive "$2" || return 1
		case $(curl --noproxy '*' -s -m 2 "$1/" 2>/dev/null) in
		*'"trackingId"'*) return 0 ;;
		esac
		sleep 0.1
		_sw_i=$((_sw_i + 1))
	done
	return 1
}

# srv_subst FILE OUT NAME=VALUE...: FILE with every @NAME@ replaced by VALUE,
# into OUT; fails when a placeholder is left.
srv_subst() {
	_ss_in=$1 _ss_out=$2
	shift 2
	cp "$_ss_in" "$_ss_out.tmp" || return 1
	for _ss_kv in "$@"; do
		_ss_k=${_ss_kv%%=*} _ss_v=${_ss_kv#*=}
		_ss_v=$(printf '%s' "$_ss_v" | sed 's/[&|\\]/\\&/g')
		sed -i "s|@$_ss_k@|$_ss_v|g" "$_ss_out.tmp" || return 1
	done
	if grep -n '@[A-Z_]*@' "$_ss_out.tmp" >&2; then
		diag "$_ss_in: placeholders left"
		return 1
	fi
	mv "$_ss_out.tmp" "$_ss_out"
}
