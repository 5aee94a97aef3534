# tests/sockact.sh: the responders as systemd would run them from
# etc/systemd/patrol-*.socket and .service, without an init system: for a
# shell test's server file (tests/server_nginx.sh). Each unit pair is
# substituted (srv_subst), then its ListenStream=, Environment= and
# ExecStart= lines are what `systemd-socket-activate -l SOCKET -E VAR=VALUE
# COMMAND` runs (the responder takes the socket on fd 3, LISTEN_FDS=1, and
# runs its --workers). Stopped by PID.
#
#   sockact_start DIR   DIR/units: the substituted units; starts both;
#                       sockets in DIR/run; stderr in DIR/responders.log
#   sockact_stop        SIGTERM to each (its workers follow), then SIGKILL
#   sockact_pids        the PIDs of the workers (children of each)
_sa_pids=

sockact_start() {
	_sa_dir=$1
	mkdir -p "$_sa_dir/units" "$_sa_dir/run" || return 1
	: > "$_sa_dir/responders.log"
	for _sa_p in patrol-oauth patrol-beta; do
		for _sa_u in socket service; do
			srv_subst "$top_srcdir/etc/systemd/$_sa_p.$_sa_u" \
			    "$_sa_dir/units/$_sa_p.$_sa_u" \
			    SOCKETS="$_sa_dir/run" GROUP="$(id -gn)" \
			    LIBEXEC="${PATROL_LIBEXEC:-$top_builddir/cgi-bin}" CONFIG="$PATROL_CONFIG" \
			    USER="$(id -un)" || return 1
		done
		_sa_listen=$(sed -n 's/^ListenStream=//p' "$_sa_dir/units/$_sa_p.socket")
		_sa_env=$(sed -n 's/^Environment=//p' "$_sa_dir/units/$_sa_p.service")
		_sa_exec=$(sed -n 's/^ExecStart=//p' "$_sa_dir/units/$_sa_p.service")
		rm -f "$_sa_listen"
		# shellcheck disable=SC2086
		systemd-socket-activate -l "$_sa_listen" -E "$_sa_env" $_sa_exec \
		    < /dev/null >> "$_sa_dir/responders.log" 2>&1 &
		_sa_pids="$_sa_pids $!"
		_sa_i=0
		while [ ! -S "$_sa_listen" ] && [ $_sa_i -lt 100 ]; do
			sleep 0.05
			_sa_i=$((_sa_i + 1))
		done
		[ -S "$_sa_listen" ] || { diag "$_sa_p: no socket $_sa_listen"; return 1; }
		# The socket's mode, as SocketMode= asks.
		chmod "$(sed -n 's/^SocketMode=//p' "$_sa_dir/units/$_sa_p.socket")" \
		    "$_sa_listen"
	done
	return 0
}

sockact_pids() {
	for _sa_p in $_sa_pids; do
		lighttpd_children "$_sa_p"
	done
}

sockact_stop() {
	for _sa_p in $_sa_pids; do
		_sa_kids=$(lighttpd_children "$_sa_p")
		_lt_kill_wait "$_sa_p" 10
		wait "$_sa_p" 2>/dev/null
		for _sa_k in $_sa_kids; do _lt_kill_wait "$_sa_k" 2; done
	done
	_sa_pids=
	return 0
}
