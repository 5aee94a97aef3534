# tests/server_apache-fcgid.sh: the apache-fcgid setup for tests/server.sh:
# etc/apache/patrol-fcgid.conf (substituted) included from a main
# configuration of the harness's (tests/apache.sh), mod_fcgid starting the
# responders on demand (at most 3 of each, one each once the harness has
# asked both) and restarting those that die.
. "$top_srcdir/tests/apache.sh"
SRV_RESPONDERS=2
SRV_RESPONDERS_WHAT="1 patrol-oauth and 1 patrol-beta, started by mod_fcgid at their first request"

srv_check() {
	apache_bin >/dev/null || srv_missing "apache2 is not installed"
	apache_has_module fcgid || srv_missing "mod_fcgid is not installed (libapache2-mod-fcgid)"
}

_af_main() {
	apache_main_common "$_af_dir" "$_af_port" fcgid
	cat <<EOF2
# mod_fcgid's sockets and process table (server-wide; Debian's defaults are
# under /var/lib/apache2/fcgid).
FcgidIPCDir $_af_dir/run/fcgid
FcgidProcessTableFile $_af_dir/run/fcgid_shm
Include $_af_dir/patrol-fcgid.conf
EOF2
}

srv_start() {
	_af_dir=$1/apache
	mkdir -p "$_af_dir/logs" || return 1
	# As root, Apache's children (and so the responders) run as
	# apache_user: the state must be theirs to read and write, and what
	# patrolctl creates later too (files.group).
	if [ -n "$(apache_user)" ]; then
		grep -q '^files' "$PATROL_CONFIG" ||
			printf 'files = { group = "%s"; };\n' \
			    "$(id -gn "$(apache_user)")" >> "$PATROL_CONFIG"
		apache_share "$1" || return 1
	fi
	# The port is chosen in apache_start: the recipe is substituted in
	# the main-config writer.
	apache_start "$_af_dir" _af_port _af_write || return 1
	# patrol-oauth's first responder too, then both are there.
	curl --noproxy '*' -s -o /dev/null -m 5 "$BASE/oauth/token"
	return 0
}

_af_write() {
	srv_subst "$top_srcdir/etc/apache/patrol-fcgid.conf" "$_af_dir/patrol-fcgid.conf" \
	    LISTEN="127.0.0.1:$_af_port" LIBEXEC="${PATROL_LIBEXEC:-$top_builddir/cgi-bin}" \
	    CONFIG="$PATROL_CONFIG" ERRORS="$top_srcdir/etc/errors" \
	    LOGS="$_af_dir/logs" || return 1
	_af_main
}

srv_stop() { apache_stop; }
srv_log_tail() { apache_log_tail "$1"; }
srv_responders() { apache_responders; }
# mod_fcgid writes the responders' stderr to the virtual host's error log.
srv_error_log() { printf '%s\n' "$_af_dir/logs/error.log"; }
srv_access_log() { printf '%s\n' "$_af_dir/logs/access.log"; }
