# tests/lighttpd.sh: run a real lighttpd with etc/lighttpd.conf for a shell
# test. Source it after tests/lib.sh, from the test's main shell (not from a
# subshell or command substitution: the shell that starts lighttpd must be the
# one that stops it).
#
#   at_exit CMD          run CMD (eval'd) when the script exits, by any path
#                        (done_testing, bail, set -e, a signal); the last
#                        registered runs first.
#   lighttpd_start DIR   start lighttpd in the foreground of a background job
#                        on a free random port of 127.0.0.1 (20000-60000,
#                        retried when taken), PATROL_STATE=DIR,
#                        PATROL_CONFIG=DIR/patrol.conf (override by setting
#                        PATROL_CONFIG first), PATROL_LIBEXEC=$top_builddir/
#                        cgi-bin; waits until it answers. Sets LIGHTTPD_PID,
#                        PATROL_PORT and BASE (http://127.0.0.1:PORT).
#                        Returns 1, with the logs as diagnostics, on failure.
#                        Stopped automatically at exit.
#   lighttpd_stop        stop it by PID: SIGTERM to lighttpd (which stops the
#                        responders it spawned), then SIGTERM/SIGKILL to any
#                        responder still alive, by the PIDs recorded before.
#   lighttpd_log_tail N  the last N lines of its error log, as TAP comments.
#   lighttpd_children P  the PIDs of the direct children of process P.

_lt_exit_cmds=
at_exit() {
	_lt_exit_cmds="$*
$_lt_exit_cmds"
}

_lt_on_exit() {
	_lt_rc=$?
	trap - EXIT
	eval "$_lt_exit_cmds"
	exit "$_lt_rc"
}
trap _lt_on_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# The lighttpd binary: $LIGHTTPD from configure, else the usual places.
lighttpd_bin() {
	if [ -n "${LIGHTTPD:-}" ] && [ -x "$LIGHTTPD" ]; then
		printf '%s\n' "$LIGHTTPD"
		return 0
	fi
	for _lt_b in "$(command -v lighttpd 2>/dev/null)" /usr/sbin/lighttpd \
	    /usr/local/sbin/lighttpd; do
		if [ -n "$_lt_b" ] && [ -x "$_lt_b" ]; then
			printf '%s\n' "$_lt_b"
			return 0
		fi
	done
	return 1
}

# _lt_alive PID: true while PID exists and is not a zombie.
_lt_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_lt_stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	_lt_stat=${_lt_stat##*) }
	case $_lt_stat in Z*|X*|'') return 1 ;; esac
	return 0
}

lighttpd_children() {
	_lt_parent=$1
	for _lt_f in /proc/[0-9]*/stat; do
		_lt_line=$(cat "$_lt_f" 2>/dev/null) || continue
		_lt_rest=${_lt_line##*) }
		# shellcheck disable=SC2086
		set -- $_lt_rest
		[ "$#" -ge 2 ] || continue
		_lt_ppid=$2
		_lt_cpid=${_lt_f#/proc/}
		_lt_cpid=${_lt_cpid%/stat}
		[ "$_lt_ppid" = "$_lt_parent" ] && printf '%s\n' "$_lt_cpid"
	done
	return 0
}

# _lt_kill_wait PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
_lt_kill_wait() {
	_lt_alive "$1" || return 0
	kill -TERM "$1" 2>/dev/null
	_lt_i=0
	while _lt_alive "$1" && [ "$_lt_i" -lt $(($2 * 10)) ]; do
		sleep 0.1
		_lt_i=$((_lt_i + 1))
	done
	if _lt_alive "$1"; then
		kill -KILL "$1" 2>/dev/null
		_lt_i=0
		while _lt_alive "$1" && [ "$_lt_i" -lt 50 ]; do
			sleep 0.1
			_lt_i=$((_lt_i + 1))
		done
	fi
	return 0
}

_lt_random_port() {
	_lt_r=$(od -An -N2 -tu2 /dev/urandom 2>/dev/null | tr -d ' ')
	[ -n "$_lt_r" ] || _lt_r=$$
	echo $((20000 + _lt_r % 40001))
}

lighttpd_log_tail() {
	[ -n "${_lt_state:-}" ] || return 0
	for _lt_f in "$_lt_state/lighttpd-stderr.log" "$_lt_state/lighttpd-error.log"; do
		[ -s "$_lt_f" ] || continue
		diag "--- $_lt_f"
		tail -n "${1:-20}" "$_lt_f" | sed 's/^/# /'
	done
}

lighttpd_stop() {
	[ -n "${LIGHTTPD_PID:-}" ] || return 0
	_lt_kids=$(lighttpd_children "$LIGHTTPD_PID")
	_lt_kill_wait "$LIGHTTPD_PID" 10
	wait "$LIGHTTPD_PID" 2>/dev/null
	for _lt_k in $_lt_kids; do
		_lt_kill_wait "$_lt_k" 2
	done
	LIGHTTPD_PID=
	return 0
}

lighttpd_start() {
	_lt_state=$1
	_lt_bin=$(lighttpd_bin) || { diag "lighttpd not found"; return 1; }
	_lt_conf=$top_srcdir/etc/lighttpd.conf
	mkdir -p "$_lt_state/htdocs" "$_lt_state/errors" || return 1
	# The JSON error pages, as etc/lighttpd.conf expects them.
	for _lt_e in "$top_srcdir"/etc/errors/*.json; do
		_lt_n=${_lt_e##*/}
		cp "$_lt_e" "$_lt_state/errors/${_lt_n%.json}.html" || return 1
	done
	: "${PATROL_CONFIG:=$_lt_state/patrol.conf}"
	PATROL_STATE=$_lt_state
	PATROL_LIBEXEC=${PATROL_LIBEXEC:-$top_builddir/cgi-bin}
	export PATROL_STATE PATROL_LIBEXEC PATROL_CONFIG
	at_exit lighttpd_stop
	_lt_try=0
	while [ "$_lt_try" -lt 20 ]; do
		_lt_try=$((_lt_try + 1))
		PATROL_PORT=$(_lt_random_port)
		export PATROL_PORT
		BASE=http://127.0.0.1:$PATROL_PORT
		: > "$_lt_state/lighttpd-stderr.log"
		: > "$_lt_state/lighttpd-error.log"
		"$_lt_bin" -D -f "$_lt_conf" < /dev/null > /dev/null \
		    2> "$_lt_state/lighttpd-stderr.log" &
		LIGHTTPD_PID=$!
		# Up to 15 s for the responders to come up and the port to answer.
		_lt_i=0
		while [ "$_lt_i" -lt 150 ]; do
			if ! _lt_alive "$LIGHTTPD_PID"; then
				break
			fi
			# Ours answers with "Server: patrol" (server.tag), which
			# tells it from anything else that may hold the port.
			_lt_head=$(curl --noproxy '*' -s -D - -o /dev/null -m 2 \
			    "$BASE/" 2>/dev/null | tr -d '\r')
			case $_lt_head in
			*"Server: patrol"*)
				_lt_alive "$LIGHTTPD_PID" && return 0 ;;
			esac
			sleep 0.1
			_lt_i=$((_lt_i + 1))
		done
		if _lt_alive "$LIGHTTPD_PID"; then
			diag "lighttpd (pid $LIGHTTPD_PID) does not answer on $BASE"
			lighttpd_log_tail 30
			lighttpd_stop
			return 1
		fi
		wait "$LIGHTTPD_PID" 2>/dev/null
		LIGHTTPD_PID=
		if grep -q 'Address already in use' "$_lt_state/lighttpd-stderr.log" \
		    "$_lt_state/lighttpd-error.log" 2>/dev/null; then
			continue
		fi
		diag "lighttpd exited at startup"
		lighttpd_log_tail 30
		return 1
	done
	diag "no free port found in $_lt_try tries"
	return 1
}
