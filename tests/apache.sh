# tests/apache.sh: run Apache httpd 2.4 (Debian's apache2 binary) for
# tests/server_apache-*.sh. Source it from tests/server_SETUP.sh (after
# tests/server.sh's own helpers). The harness writes a minimal main
# configuration of its own (modules, Listen, PidFile, logs, user) in a
# directory of the test and includes the recipe, substituted, from it; the
# recipe itself is used verbatim.
#
#   apache_bin               the apache2 (httpd) binary, or false
#   apache_modules           the module directory
#   apache_user              the user Apache's children run as when started
#                            as root (www-data, else nobody); empty otherwise
#   apache_share DIR...      as root: DIR and what is in it owned by
#                            apache_user's group, group-readable and
#                            -writable, and every parent traversable, so
#                            that the children (and the responders they
#                            start) reach the test's state; no-op otherwise
#   apache_start DIR PORTVAR MAIN  start apache2 -DFOREGROUND with the main
#                            configuration DIR/httpd.conf that the shell
#                            function MAIN writes to stdout (called with the
#                            port in $PORTVAR, retried on another random port
#                            when taken); waits until patrol's JSON 404
#                            answers. Sets _ap_pid, SERVER_PID and BASE.
#   apache_stop              SIGTERM by PID (Apache stops its children, the
#                            responders too), then whatever is left of the
#                            processes it had, by PID
#   apache_descendants       PIDs of every process under it
#   apache_log_tail N        its logs, as TAP comments
_ap_pid=
_ap_dir=

apache_bin() {
	for _ap_b in "${APACHE2:-}" "$(command -v apache2 2>/dev/null)" \
	    /usr/sbin/apache2 "$(command -v httpd 2>/dev/null)"; do
		[ -n "$_ap_b" ] && [ -x "$_ap_b" ] && { printf '%s\n' "$_ap_b"; return 0; }
	done
	return 1
}

apache_modules() {
	for _ap_m in /usr/lib/apache2/modules /usr/lib64/httpd/modules \
	    /usr/libexec/apache2; do
		[ -e "$_ap_m/mod_mpm_event.so" ] && { printf '%s\n' "$_ap_m"; return 0; }
	done
	return 1
}

# apache_has_module NAME: mod_NAME.so is installed.
apache_has_module() {
	_ap_m=$(apache_modules) && [ -e "$_ap_m/mod_$1.so" ]
}

apache_user() {
	[ "$(id -u)" -eq 0 ] || return 0
	if id www-data >/dev/null 2>&1; then echo www-data; else echo nobody; fi
}

apache_share() {
	_ap_u=$(apache_user)
	[ -n "$_ap_u" ] || return 0
	_ap_g=$(id -gn "$_ap_u")
	for _ap_d in "$@"; do
		chgrp -R "$_ap_g" "$_ap_d" && chmod -R g+rwX "$_ap_d" || return 1
		# Directories keep the group for what root adds later.
		find "$_ap_d" -type d -exec chmod g+s {} + || return 1
		_ap_p=$(dirname "$_ap_d")
		while [ "$_ap_p" != / ]; do
			chmod o+x "$_ap_p" 2>/dev/null
			_ap_p=$(dirname "$_ap_p")
		done
	done
}

# The main configuration's common part: what a Debian apache2.conf gives
# (minus the Debian-only layout), in DIR, for a server on 127.0.0.1:PORT.
# $1: DIR, $2: PORT, then the modules to load besides the usual ones.
apache_main_common() {
	_ap_d=$1 _ap_port=$2
	shift 2
	_ap_mods=$(apache_modules)
	cat <<EOF
ServerRoot $_ap_d
ServerName 127.0.0.1
DefaultRuntimeDir $_ap_d/run
PidFile $_ap_d/run/httpd.pid
Mutex file:$_ap_d/run default
ErrorLog $_ap_d/logs/main-error.log
LogLevel warn
Listen 127.0.0.1:$_ap_port
EOF
	[ -n "$(apache_user)" ] && printf 'User %s\nGroup %s\n' \
	    "$(apache_user)" "$(id -gn "$(apache_user)")"
	for _ap_m in mpm_event authz_core authz_host alias mime dir env \
	    reqtimeout "$@"; do
		printf 'LoadModule %s_module %s/mod_%s.so\n' "$_ap_m" "$_ap_mods" "$_ap_m"
	done
	cat <<EOF
TypesConfig /etc/mime.types
<Directory />
	Options FollowSymLinks
	AllowOverride None
	Require all denied
</Directory>
EOF
}

apache_start() {
	_ap_dir=$1
	mkdir -p "$_ap_dir/run" "$_ap_dir/logs" || return 1
	_ap_try=0
	while [ $_ap_try -lt 10 ]; do
		_ap_try=$((_ap_try + 1))
		eval "$2=\$(srv_port)"
		"$3" > "$_ap_dir/httpd.conf.tmp" || return 1
		mv "$_ap_dir/httpd.conf.tmp" "$_ap_dir/httpd.conf" || return 1
		apache_share "$_ap_dir" || return 1
		: > "$_ap_dir/stderr"
		"$(apache_bin)" -d "$_ap_dir" -f "$_ap_dir/httpd.conf" -DFOREGROUND \
		    < /dev/null > /dev/null 2> "$_ap_dir/stderr" &
		_ap_pid=$!
		SERVER_PID=$_ap_pid
		eval "BASE=http://127.0.0.1:\$$2"
		srv_wait "$BASE" "$_ap_pid" && return 0
		if _lt_alive "$_ap_pid"; then
			diag "apache2 (pid $_ap_pid) does not answer on $BASE"
			apache_log_tail 20
			apache_stop
			return 1
		fi
		wait "$_ap_pid" 2>/dev/null
		_ap_pid=
		grep -q 'Address already in use' "$_ap_dir/stderr" \
		    "$_ap_dir/logs/main-error.log" 2>/dev/null || {
			apache_log_tail 20
			return 1
		}
	done
	return 1
}

# apache_descendants: every process under Apache's main one.
apache_descendants() {
	[ -n "$_ap_pid" ] || return 0
	_ap_todo=$_ap_pid
	while [ -n "$_ap_todo" ]; do
		_ap_next=
		for _ap_p in $_ap_todo; do
			for _ap_c in $(lighttpd_children "$_ap_p"); do
				printf '%s\n' "$_ap_c"
				_ap_next="$_ap_next $_ap_c"
			done
		done
		_ap_todo=$_ap_next
	done
}

# apache_responders: the patrol responders among them (their command name
# is patrol-* or lt-patrol-*, the libtool wrapper's exec).
apache_responders() {
	for _ap_p in $(apache_descendants); do
		case $(cat "/proc/$_ap_p/comm" 2>/dev/null) in
		patrol-*|lt-patrol-*) _lt_alive "$_ap_p" && printf '%s\n' "$_ap_p" ;;
		esac
	done
}

apache_stop() {
	[ -n "$_ap_pid" ] || return 0
	_ap_all=$(apache_descendants)
	_lt_kill_wait "$_ap_pid" 15
	wait "$_ap_pid" 2>/dev/null
	for _ap_k in $_ap_all; do _lt_kill_wait "$_ap_k" 2; done
	_ap_pid=
	return 0
}

apache_log_tail() {
	[ -n "$_ap_dir" ] || return 0
	for _ap_f in "$_ap_dir/stderr" "$_ap_dir/logs/main-error.log" \
	    "$_ap_dir/logs/error.log"; do
		[ -s "$_ap_f" ] || continue
		diag "--- $_ap_f"
		tail -n "$1" "$_ap_f" | sed 's/^/# /'
	done
}
