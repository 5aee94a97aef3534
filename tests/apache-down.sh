#!/bin/sh
# tests/apache-down.sh: a responder that cannot start, through the Apache
# recipes (PATROL_SETUP apache-fcgid or apache-cgi; tests/down-apache-*.sh
# run it): responders that are not executable (PATROL_LIBEXEC, as
# tests/server.sh's setups take it) get Apache's own 500, which must come
# back as the API's JSON envelope of etc/errors/500.json, for both
# responders.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-down.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
make_state "$tmp/s"
mkdir -p "$tmp/libexec" || bail "mkdir"
for p in patrol-oauth patrol-beta; do
	printf '#!/bin/sh\nexit 1\n' > "$tmp/libexec/$p" && chmod 0644 "$tmp/libexec/$p" ||
		bail "cannot write $p"
done
PATROL_LIBEXEC=$tmp/libexec
export PATROL_LIBEXEC
server_start "$tmp/s" || bail "cannot start $SETUP"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 20'
diag "$SETUP pid $SERVER_PID on $BASE"

for u in /oauth/token /beta/personal-access-tokens; do
	# mod_fcgid retries the spawn for up to about 40 s before it gives up.
	st=$(curl -s -m 90 -o "$tmp/b" -D "$tmp/h" -w '%{http_code}' -d x=y "$BASE$u")
	case $st in
	500|502|503|504) ok 0 "$u, the responder cannot start: $st" ;;
	*) ok 1 "$u, the responder cannot start: $st" ;;
	esac
	is "$(jq -r .detailCode "$tmp/b" 2>/dev/null)" "$(jq -r .detailCode "$top_srcdir/etc/errors/$st.json" 2>/dev/null)" \
	    "$u: the JSON envelope of etc/errors/$st.json"
	like "$(tr -d '\r' < "$tmp/h" | grep -i '^content-type:')" application/json "$u: JSON content type"
done
server_stop
done_testing
