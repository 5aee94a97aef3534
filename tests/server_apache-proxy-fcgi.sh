# tests/server_apache-proxy-fcgi.sh: the apache-proxy-fcgi setup for
# tests/server.sh: etc/apache/patrol-proxy-fcgi.conf (substituted) included
# from a main configuration of the harness's (tests/apache.sh), the
# responders from etc/systemd/ through systemd-socket-activate
# (tests/sockact.sh), 3 workers each, restarted by their supervisor.
. "$top_srcdir/tests/apache.sh"
. "$top_srcdir/tests/sockact.sh"
SRV_RESPONDERS=6
# mod_proxy_fcgi drops over-long FastCGI parameters: the recipe refuses
# header fields over 8400 bytes instead (etc/apache/patrol-proxy-fcgi.conf).
SRV_FIELD_MAX=8400
SRV_RESPONDERS_WHAT="3 patrol-oauth and 3 patrol-beta workers under systemd-socket-activate"

srv_check() {
	apache_bin >/dev/null || srv_missing "apache2 is not installed"
	apache_has_module proxy_fcgi || srv_missing "mod_proxy_fcgi is not installed"
	command -v systemd-socket-activate >/dev/null ||
		srv_missing "systemd-socket-activate is not installed"
}

_apf_main() {
	apache_main_common "$_apf_dir" "$_apf_port" proxy proxy_fcgi
	printf 'Include %s/patrol-proxy-fcgi.conf\n' "$_apf_dir"
}

_apf_write() {
	srv_subst "$top_srcdir/etc/apache/patrol-proxy-fcgi.conf" \
	    "$_apf_dir/patrol-proxy-fcgi.conf" LISTEN="127.0.0.1:$_apf_port" \
	    SOCKETS="$_apf_dir/sa/run" ERRORS="$top_srcdir/etc/errors" \
	    LOGS="$_apf_dir/logs" || return 1
	_apf_main
}

srv_start() {
	_apf_dir=$1/apache
	mkdir -p "$_apf_dir/logs" "$_apf_dir/sa" || return 1
	# The responders run as the test's user, as systemd would run them
	# as theirs; Apache's children (www-data when root) only connect.
	sockact_start "$_apf_dir/sa" || return 1
	if [ -n "$(apache_user)" ]; then
		apache_share "$_apf_dir" || return 1
		chmod 0666 "$_apf_dir"/sa/run/*.sock
	fi
	apache_start "$_apf_dir" _apf_port _apf_write || return 1
	curl --noproxy '*' -s -o /dev/null -m 5 "$BASE/oauth/token"
	_apf_i=0
	while [ "$(sockact_pids | wc -l)" -lt "$SRV_RESPONDERS" ] && [ $_apf_i -lt 50 ]; do
		sleep 0.1
		_apf_i=$((_apf_i + 1))
	done
	return 0
}

srv_stop() { apache_stop; sockact_stop; }
srv_log_tail() {
	apache_log_tail "$1"
	[ -s "$_apf_dir/sa/responders.log" ] &&
		tail -n "$1" "$_apf_dir/sa/responders.log" | sed 's/^/# /'
	return 0
}
srv_responders() { sockact_pids; }
# mod_proxy_fcgi writes what the responders send on FastCGI's error stream
# (a line per request with its trackingId) to the virtual host's error log.
srv_error_log() { printf '%s\n' "$_apf_dir/logs/error.log"; }
srv_access_log() { printf '%s\n' "$_apf_dir/logs/access.log"; }
