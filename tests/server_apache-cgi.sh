# tests/server_apache-cgi.sh: the apache-cgi (shared hosting) setup for
# tests/server.sh: Apache with mpm_event and mod_cgid (Debian's default)
# plays the host: a harness main configuration with Debian's modules, the
# host's part etc/apache/cgi-host.conf (substituted: nothing to substitute)
# and a document root whose AllowOverride is a typical host's; the tenant's
# part is only what is in that document root: etc/apache/htaccess-cgi as
# .htaccess, the responders (symbolic links to the build's), the JSON error
# pages. The state stays outside it. Plain CGI: a process per request.
. "$top_srcdir/tests/apache.sh"
SRV_RESPONDERS=
SRV_RESPONDERS_WHAT="none between requests (plain CGI)"
# Errors in a request's line or headers come before Apache knows the
# directory, so the tenant's .htaccess (and its JSON pages) cannot apply.
SRV_HOST_PAGES=1

srv_check() {
	apache_bin >/dev/null || srv_missing "apache2 is not installed"
	for _ac_m in cgid rewrite; do
		apache_has_module $_ac_m || srv_missing "mod_$_ac_m is not installed"
	done
}

_ac_main() {
	apache_main_common "$_ac_dir" "$_ac_port" cgid rewrite
	cat <<EOF2
ScriptSock $_ac_dir/run/cgisock
ErrorLog $_ac_dir/logs/error.log
Include $_ac_dir/cgi-host.conf
CustomLog $_ac_dir/logs/access.log combined
AccessFileName .htaccess
<FilesMatch "^\.ht">
	Require all denied
</FilesMatch>
DocumentRoot $_ac_www
# A typical host: the tenant's .htaccess may set handlers, types, error
# pages, rewriting, environment, authorisation and CGI execution.
<Directory $_ac_www>
	Options SymLinksIfOwnerMatch
	AllowOverride AuthConfig FileInfo Indexes Limit Options=ExecCGI,Indexes,SymLinksIfOwnerMatch,MultiViews
	Require all granted
</Directory>
EOF2
}

_ac_write() {
	srv_subst "$top_srcdir/etc/apache/cgi-host.conf" "$_ac_dir/cgi-host.conf" ||
		return 1
	_ac_main
}

srv_start() {
	_ac_dir=$1/apache
	_ac_www=$_ac_dir/htdocs
	mkdir -p "$_ac_www/patrol-errors" "$_ac_dir/logs" || return 1
	srv_subst "$top_srcdir/etc/apache/htaccess-cgi" "$_ac_www/.htaccess" \
	    CONFIG="$PATROL_CONFIG" || return 1
	cp "$top_srcdir"/etc/errors/*.json "$_ac_www/patrol-errors/" || return 1
	for _ac_p in patrol-oauth patrol-beta; do
		ln -sf "${PATROL_LIBEXEC:-$top_builddir/cgi-bin}/$_ac_p" "$_ac_www/$_ac_p.cgi" || return 1
	done
	if [ -n "$(apache_user)" ]; then
		grep -q '^files' "$PATROL_CONFIG" ||
			printf 'files = { group = "%s"; };\n' \
			    "$(id -gn "$(apache_user)")" >> "$PATROL_CONFIG"
		apache_share "$1" || return 1
	fi
	apache_start "$_ac_dir" _ac_port _ac_write
}

srv_stop() { apache_stop; }
srv_log_tail() { apache_log_tail "$1"; }
srv_responders() { apache_responders; }
# mod_cgid writes the programs' stderr to the error log.
srv_error_log() { printf '%s\n' "$_ac_dir/logs/error.log"; }
srv_access_log() { printf '%s\n' "$_ac_dir/logs/access.log"; }
