#!/bin/sh
# tests/lighttpd-dropin.sh: etc/lighttpd/50-patrol.conf, the drop-in for the
# system lighttpd, included (after @PLACEHOLDER@ substitution only) by a
# main configuration written like Debian 12's /etc/lighttpd/lighttpd.conf
# (its modules, URL normalization, MIME types, a static site). The site
# keeps serving its files as before; /oauth/ and /beta/ reach patrol; the
# drop-in's error pages, access log format and parse options hold there.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

lighttpd_bin >/dev/null || srv_missing "lighttpd is not installed"
for _c in curl jq; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-dropin.XXXXXX") || bail "mktemp"
at_exit '[ -n "${KEEP:-}" ] || rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
admin=$("$CTL" --config "$CONF" identity add --name Admin --rights ORG_ADMIN) ||
	bail "identity add"
pat=$("$CTL" --config "$CONF" pat create --owner "$admin" --name d --json) ||
	bail "pat create"
id=$(jget "$pat" .id)
sec=$(jget "$pat" .secret)

mkdir -p "$tmp/www" "$tmp/run" "$tmp/errors" "$tmp/conf-enabled" || bail mkdir
printf '<p>the site</p>\n' > "$tmp/www/index.html"
for e in "$top_srcdir"/etc/errors/*.json; do
	n=${e##*/}
	cp "$e" "$tmp/errors/${n%.json}.html"
done
srv_subst "$top_srcdir/etc/lighttpd/50-patrol.conf" \
    "$tmp/conf-enabled/50-patrol.conf" LIBEXEC="$top_builddir/cgi-bin" \
    CONFIG="$CONF" SOCKETS="$tmp/run" ERRORS="$tmp/errors" ||
	bail "cannot substitute the drop-in"
ok 0 "the drop-in has no placeholder left after substitution"

# Debian 12's lighttpd.conf, its paths moved into $tmp (no user switch:
# the test's user owns everything).
mime=/usr/share/lighttpd/create-mime.conf.pl
main() {
	cat <<EOF
server.modules = ( "mod_indexfile", "mod_access", "mod_alias", "mod_redirect" )
server.document-root = "$tmp/www"
server.errorlog = "$tmp/error.log"
server.pid-file = "$tmp/lighttpd.pid"
server.bind = "127.0.0.1"
server.port = $1
server.tag = "lighttpd"
accesslog.filename = "$tmp/access.log"
server.http-parseopts = (
  "header-strict" => "enable", "host-strict" => "enable",
  "host-normalize" => "enable", "url-normalize-unreserved" => "enable",
  "url-normalize-required" => "enable", "url-ctrls-reject" => "enable",
  "url-path-2f-decode" => "enable", "url-path-dotseg-remove" => "enable",
)
index-file.names = ( "index.php", "index.html" )
url.access-deny = ( "~", ".inc" )
static-file.exclude-extensions = ( ".php", ".pl", ".fcgi" )
EOF
	if [ -x "$mime" ] || [ -f "$mime" ]; then
		printf 'include_shell "perl %s"\n' "$mime"
	else
		printf 'mimetype.assign = ( ".html" => "text/html" )\n'
	fi
	cat <<EOF
include "$tmp/conf-enabled/*.conf"
server.modules += ( "mod_dirlisting", "mod_staticfile" )
EOF
}

pid=
try=0
while [ $try -lt 10 ]; do
	try=$((try + 1))
	port=$(srv_port)
	main "$port" > "$tmp/lighttpd.conf"
	BASE=http://127.0.0.1:$port
	"$(lighttpd_bin)" -D -f "$tmp/lighttpd.conf" < /dev/null > /dev/null \
	    2> "$tmp/stderr" &
	pid=$!
	if srv_wait "$BASE/beta" "$pid"; then break; fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	grep -q 'Address already in use' "$tmp/stderr" "$tmp/error.log" 2>/dev/null ||
		break
done
if [ -z "$pid" ]; then
	sed 's/^/# /' "$tmp/stderr" "$tmp/error.log" 2>/dev/null | tail -20
	bail "lighttpd with the drop-in did not start"
fi
LIGHTTPD_PID=$pid
at_exit lighttpd_stop
ok 0 "lighttpd starts with the drop-in (pid $pid)"

out=$(curl -s -D "$tmp/h" "$BASE/")
is "$out" "<p>the site</p>" "the site's own files are still served"
like "$(tr -d '\r' < "$tmp/h" | grep -i '^content-type')" "text/html" "as text/html"

body=$(curl -s -d grant_type=client_credentials -d "client_id=$id" \
    -d "client_secret=$sec" "$BASE/oauth/token")
tok=$(jget "$body" .access_token)
[ -n "$tok" ] && [ "$tok" != null ]
ok $? "/oauth/token reaches patrol-oauth"
code=$(curl -s -o "$tmp/b" -w '%{http_code}' -H "Authorization: Bearer $tok" \
    "$BASE/beta/personal-access-tokens?owner-id=me")
is "$code" 200 "/beta/ reaches patrol-beta, bearer token included"
is "$(jq -r '.[0].id' "$tmp/b")" "$id" "the listing"
code=$(curl -s -o "$tmp/b" -w '%{http_code}' -H "Authorization: Bearer $tok" \
    "$BASE/beta/personal-access-tokens?owner-id=me&filters=name%20eq%20%22a%00b%22")
is "$code" 400 "a NUL in the query: patrol's 400, not lighttpd's"
is "$(jq -r .detailCode "$tmp/b")" "400.1 Bad Request Content" "... with the envelope"
code=$(curl -s -o /dev/null -w "%{http_code}" -X POST -d "" \
    "$BASE/oauth/token?grant_type=client_credentials&client_id=$id&client_secret=$sec")
is "$code" 200 "a token with the secret in the query string"
head -c 16777216 /dev/zero > "$tmp/huge"
code=$(curl -s -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' -X PUT \
    -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
    --data-binary "@$tmp/huge" "$BASE/beta/mfa/duo-web/config")
is "$code" 413 "a 16 MiB body: 413"
is "$(jq -r .detailCode "$tmp/b")" "413 Payload Too Large" "... as the API's envelope"
like "$(tr -d '\r' < "$tmp/h" | grep -i '^content-type')" "application/json" "... in JSON"
kids=$(lighttpd_children "$pid" | wc -l)
is "$kids" 6 "lighttpd runs 3 patrol-oauth and 3 patrol-beta"
lighttpd_stop
# lighttpd buffers its access log: read it once lighttpd has stopped.
grep -q "POST /oauth/token HTTP" "$tmp/access.log"
ok $? "the access log has the token requests"
if grep -q -e "$sec" "$tmp/access.log"; then r=1; else r=0; fi
ok $r "and not the client_secret of the query string"
done_testing
