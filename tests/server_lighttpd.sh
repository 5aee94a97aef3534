# tests/server_lighttpd.sh: the lighttpd setup for tests/server.sh:
# etc/lighttpd.conf, lighttpd spawning the responders (mod_fastcgi bin-path,
# max-procs 3 each) and restarting those that die.
SRV_RESPONDERS=6
SRV_RESPONDERS_WHAT="3 patrol-oauth, 3 patrol-beta, spawned by lighttpd"
srv_check() {
	lighttpd_bin >/dev/null || srv_missing "lighttpd is not installed"
}
srv_start() {
	lighttpd_start "$1" || return 1
	SERVER_PID=$LIGHTTPD_PID
}
srv_stop() { lighttpd_stop; }
srv_log_tail() { lighttpd_log_tail "$1"; }
srv_responders() { lighttpd_children "$LIGHTTPD_PID"; }
srv_error_log() { printf '%s\n' "$_lt_state/lighttpd-error.log"; }
srv_access_log() { printf '%s\n' "$_lt_state/lighttpd-access.log"; }
