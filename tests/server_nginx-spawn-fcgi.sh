# tests/server_nginx-spawn-fcgi.sh: the nginx-spawn-fcgi setup for
# tests/server.sh: tests/server_nginx.sh's nginx (etc/nginx/patrol.conf,
# substituted) in front of responders started by spawn-fcgi from the
# shipped recipe etc/spawn-fcgi/patrol-spawn.sh (placeholders substituted),
# 3 workers each, replaced by their supervisor when they die. As root the
# recipe runs them as nobody, who reaches the state through files.group
# (nogroup), as docs/deploy.md describes. Also sourced by tests/spawnfcgi.sh.
#
#   sf_user, sf_group     who the responders run as (set by srv_start)
#   spawnfcgi_main        the PIDs of the recipe's pid files
#   spawnfcgi_pids        the PIDs of their workers
SRV_NGINX_RESPONDERS=spawnfcgi
. "$top_srcdir/tests/server_nginx.sh"
SRV_RESPONDERS_WHAT="3 patrol-oauth and 3 patrol-beta workers started by spawn-fcgi"

srv_check() {
	_ng_bin >/dev/null || srv_missing "nginx is not installed"
	command -v spawn-fcgi >/dev/null || srv_missing "spawn-fcgi is not installed"
}

# The responders as the recipe starts them, with DIR (the nginx directory
# in the state directory) for sockets and pid files.
spawnfcgi_start() {
	_sf_dir=$1
	_sf_state=$(dirname "$PATROL_CONFIG")
	if [ "$(id -u)" -eq 0 ]; then
		sf_user=nobody sf_group=nogroup
		if ! grep -q '^files' "$PATROL_CONFIG"; then
			printf 'files = { group = "%s"; };\n' "$sf_group" >> "$PATROL_CONFIG"
			# init again: the files it made get the group and modes.
			"$top_builddir/tools/patrolctl" --config "$PATROL_CONFIG" init \
			    > /dev/null || return 1
		fi
		# What is there already (a copied key, say) is the group's to
		# read too; the directory its to write (the WAL files).
		chgrp -R "$sf_group" "$_sf_state" && chmod -R g+rX "$_sf_state" &&
		    chmod 0770 "$_sf_state" || return 1
		_sf_p=$(dirname "$_sf_state")
		while [ "$_sf_p" != / ]; do
			chmod o+x "$_sf_p" 2>/dev/null
			_sf_p=$(dirname "$_sf_p")
		done
	else
		sf_user=$(id -un) sf_group=$(id -gn)
	fi
	mkdir -p "$_sf_dir/run" || return 1
	chmod 0755 "$_sf_dir" "$_sf_dir/run"
	srv_subst "$top_srcdir/etc/spawn-fcgi/patrol-spawn.sh" \
	    "$_sf_dir/patrol-spawn.sh" SOCKETS="$_sf_dir/run" CONFIG="$PATROL_CONFIG" \
	    LIBEXEC="${PATROL_LIBEXEC:-$top_builddir/cgi-bin}" USER="$sf_user" \
	    SOCKGROUP="$sf_group" || return 1
	sh "$_sf_dir/patrol-spawn.sh" >> "$_sf_dir/responders.log" 2>&1
}
# The pids of the pid files (spawn-fcgi writes them without a newline).
spawnfcgi_main() {
	for _sf_f in "$_sf_dir"/run/*.pid; do
		[ -s "$_sf_f" ] && { cat "$_sf_f"; echo; }
	done
}
spawnfcgi_pids() {
	for _sf_p in $(spawnfcgi_main); do
		lighttpd_children "$_sf_p"
	done
}
spawnfcgi_stop() {
	[ -n "${_sf_dir:-}" ] || return 0
	for _sf_p in $(spawnfcgi_main); do
		_sf_kids=$(lighttpd_children "$_sf_p")
		_lt_kill_wait "$_sf_p" 10
		for _sf_k in $_sf_kids; do _lt_kill_wait "$_sf_k" 2; done
	done
	rm -f "$_sf_dir"/run/*.pid
}
