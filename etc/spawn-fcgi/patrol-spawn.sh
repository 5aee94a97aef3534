#!/bin/sh
# patrol-spawn.sh: starts patrol-oauth and patrol-beta on Unix sockets with
# spawn-fcgi, for nginx (etc/nginx/patrol.conf) or Apache httpd with
# mod_proxy_fcgi (etc/apache/patrol-proxy-fcgi.conf) on a machine without
# systemd; with systemd, use the units of etc/systemd/ instead. Each
# responder runs 3 workers (--workers 3, patrol-fcgi(8)) and starts another
# when one dies; spawn-fcgi itself only starts it.
#
# Replace every placeholder:
#   @SOCKETS@    directory of the sockets and pid files (/run/patrol)
#   @CONFIG@     the configuration file (/etc/patrol/patrol.conf)
#   @LIBEXEC@    where patrol-oauth and patrol-beta are installed
#                (/usr/local/libexec/patrol)
#   @USER@       the user the responders run as (patrol): the owner of the
#                state files, or a member of their files.group
#   @SOCKGROUP@  the web server's group, which may use the sockets (www-data)
#
# Run it as root: spawn-fcgi then gives the sockets (mode 0660) to @USER@
# and @SOCKGROUP@ and runs the responders as @USER@ (it refuses to run them
# as root). Run as @USER@ itself, the sockets keep that user's group.
#
# Stop them (each worker finishes its request in flight; spawn-fcgi writes
# the pid files without a newline, hence the two cats):
#   kill $(cat @SOCKETS@/patrol-oauth.pid) $(cat @SOCKETS@/patrol-beta.pid)
set -e
as=
[ "$(id -u)" -eq 0 ] && as="-u @USER@ -U @USER@ -G @SOCKGROUP@"
for p in patrol-oauth patrol-beta; do
	rm -f "@SOCKETS@/$p.sock"
	# shellcheck disable=SC2086
	PATROL_CONFIG=@CONFIG@ spawn-fcgi -s "@SOCKETS@/$p.sock" -M 0660 $as \
	    -P "@SOCKETS@/$p.pid" -- "@LIBEXEC@/$p" --workers 3
done
