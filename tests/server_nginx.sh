# tests/server_nginx.sh: the nginx setup for tests/server.sh:
# etc/nginx/patrol.conf (substituted) in a main nginx.conf of the harness's
# (events, worker_connections 4096 as the recipe asks), the responders from
# etc/systemd/ through systemd-socket-activate (tests/sockact.sh), 3 workers
# each, restarted by their supervisor when they die. A test may start the
# responders otherwise: SRV_NGINX_RESPONDERS=NAME makes it call NAME_start
# DIR, NAME_pids and NAME_stop instead of sockact_* (tests/spawnfcgi.sh).
. "$top_srcdir/tests/sockact.sh"
_ng_r=${SRV_NGINX_RESPONDERS:-sockact}
SRV_RESPONDERS=6
SRV_RESPONDERS_WHAT="3 patrol-oauth and 3 patrol-beta workers under systemd-socket-activate"
_ng_pid=

_ng_bin() {
	for _ng_b in "$(command -v nginx 2>/dev/null)" /usr/sbin/nginx; do
		[ -n "$_ng_b" ] && [ -x "$_ng_b" ] && { printf '%s\n' "$_ng_b"; return 0; }
	done
	return 1
}

srv_check() {
	_ng_bin >/dev/null || srv_missing "nginx is not installed"
	command -v systemd-socket-activate >/dev/null ||
		srv_missing "systemd-socket-activate is not installed"
}

srv_start() {
	_ng_dir=$1/nginx
	mkdir -p "$_ng_dir/logs" "$_ng_dir/tmp" || return 1
	cp /etc/nginx/fastcgi_params "$_ng_dir/" || return 1
	"${_ng_r}_start" "$_ng_dir" || return 1
	_ng_try=0
	while [ $_ng_try -lt 10 ]; do
		_ng_try=$((_ng_try + 1))
		_ng_port=$(srv_port)
		srv_subst "$top_srcdir/etc/nginx/patrol.conf" "$_ng_dir/patrol.conf" \
		    LISTEN="127.0.0.1:$_ng_port" SOCKETS="$_ng_dir/run" \
		    ERRORS="$top_srcdir/etc/errors" LOGS="$_ng_dir/logs" || return 1
		# The main configuration (as the recipe's header asks); as root,
		# the workers stay root so they reach the test's private files.
		cat > "$_ng_dir/nginx.conf" <<NGINX
$( [ "$(id -u)" -eq 0 ] && echo "user root root;" )
worker_processes 2;
worker_rlimit_nofile 8192;
pid $_ng_dir/nginx.pid;
error_log $_ng_dir/logs/main-error.log;
events { worker_connections 4096; }
http {
	include /etc/nginx/mime.types;
	default_type application/octet-stream;
	client_body_temp_path $_ng_dir/tmp/body;
	proxy_temp_path $_ng_dir/tmp/proxy;
	fastcgi_temp_path $_ng_dir/tmp/fastcgi;
	uwsgi_temp_path $_ng_dir/tmp/uwsgi;
	scgi_temp_path $_ng_dir/tmp/scgi;
	include $_ng_dir/patrol.conf;
}
NGINX
		: > "$_ng_dir/stderr"
		"$(_ng_bin)" -p "$_ng_dir" -c "$_ng_dir/nginx.conf" \
		    -g 'daemon off; master_process on;' < /dev/null \
		    > /dev/null 2> "$_ng_dir/stderr" &
		_ng_pid=$!
		SERVER_PID=$_ng_pid
		BASE=http://127.0.0.1:$_ng_port
		if srv_wait "$BASE" "$_ng_pid"; then
			# The first connection starts a socket-activated responder:
			# patrol-oauth's too, then up to 5 s for every worker.
			curl --noproxy '*' -s -o /dev/null -m 5 "$BASE/oauth/token"
			_ng_i=0
			while [ "$("${_ng_r}_pids" | wc -l)" -lt "$SRV_RESPONDERS" ] &&
			    [ $_ng_i -lt 50 ]; do
				sleep 0.1
				_ng_i=$((_ng_i + 1))
			done
			return 0
		fi
		if _lt_alive "$_ng_pid"; then
			srv_log_tail 20
			return 1
		fi
		wait "$_ng_pid" 2>/dev/null
		_ng_pid=
		grep -q 'Address already in use' "$_ng_dir/stderr" || {
			srv_log_tail 20
			return 1
		}
	done
	return 1
}

srv_stop() {
	if [ -n "$_ng_pid" ]; then
		_ng_kids=$(lighttpd_children "$_ng_pid")
		_lt_kill_wait "$_ng_pid" 10
		wait "$_ng_pid" 2>/dev/null
		for _ng_k in $_ng_kids; do _lt_kill_wait "$_ng_k" 2; done
		_ng_pid=
	fi
	"${_ng_r}_stop"
}

srv_log_tail() {
	for _ng_f in "$_ng_dir/stderr" "$_ng_dir/logs/main-error.log" \
	    "$_ng_dir/logs/error.log" "$_ng_dir/responders.log"; do
		[ -s "$_ng_f" ] || continue
		diag "--- $_ng_f"
		tail -n "$1" "$_ng_f" | sed 's/^/# /'
	done
}
srv_responders() { "${_ng_r}_pids"; }
# The responders' per-request lines travel on the FastCGI error stream,
# which nginx writes to its error log.
srv_error_log() { printf '%s\n' "$_ng_dir/logs/error.log"; }
srv_access_log() { printf '%s\n' "$_ng_dir/logs/access.log"; }
