#!/bin/sh
# tests/cgi.sh: the responders run as plain CGI programs (environment
# variables in, headers and body out), as a web server's mod_cgi would.
. "$top_srcdir/tests/lib.sh"

command -v jq >/dev/null || skip_all "jq is not installed"
CTL="$top_builddir/tools/patrolctl"
OAUTH="$top_builddir/cgi-bin/patrol-oauth"
BETA="$top_builddir/cgi-bin/patrol-beta"
tmp=$(mktemp -d) || bail "mktemp"
trap 'rm -rf "$tmp"' EXIT
make_state "$tmp/s"
CONF="$tmp/s/patrol.conf"

admin=$("$CTL" --config "$CONF" identity add --name Admin --rights ORG_ADMIN) ||
	bail "identity add"
pat=$("$CTL" --config "$CONF" pat create --owner "$admin" --name cgi --json) ||
	bail "pat create"
pid=$(jget "$pat" .id)
psec=$(jget "$pat" .secret)

# cgi PROGRAM METHOD URI [CONTENT_TYPE [BODY [AUTHORIZATION]]]: runs one
# request; sets $status, $head (headers) and $body.
cgi() {
	_prog=$1 _method=$2 _uri=$3 _ctype=${4-} _body=${5-} _auth=${6-}
	_q=
	case $_uri in *\?*) _q=${_uri#*\?} ;; esac
	printf '%s' "$_body" > "$tmp/in"
	env -i PATH="$PATH" PATROL_CONFIG="$CONF" GATEWAY_INTERFACE=CGI/1.1 \
		REQUEST_METHOD="$_method" REQUEST_URI="$_uri" QUERY_STRING="$_q" \
		CONTENT_TYPE="$_ctype" CONTENT_LENGTH="${#_body}" \
		HTTP_AUTHORIZATION="$_auth" \
		"$_prog" < "$tmp/in" > "$tmp/out" 2> "$tmp/err"
	_rc=$?
	status=$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$tmp/out")
	head=$(sed '/^\r$/q' "$tmp/out")
	body=$(sed '1,/^\r$/d' "$tmp/out")
	return $_rc
}

cgi "$OAUTH" POST /oauth/token application/x-www-form-urlencoded \
	"grant_type=client_credentials&client_id=$pid&client_secret=$psec"
ok $? "patrol-oauth exits 0 as CGI"
is "$status" 200 "token: 200"
like "$head" "Content-Type: application/json; charset=utf-8" "JSON content type"
first=$(head -c 16 "$tmp/out")
is "$first" "Status: 200 OK$(printf '\r')" "CGI Status header first, CRLF"
tok=$(jget "$body" .access_token)
is "$(jget "$body" .token_type)" bearer "token_type bearer"

cgi "$OAUTH" POST /oauth/token application/x-www-form-urlencoded \
	"grant_type=client_credentials&client_id=$pid&client_secret=nope"
is "$status" 401 "wrong secret: 401"
is "$(jget "$body" .error)" invalid_client "invalid_client"
unlike "$(cat "$tmp/err")" nope "the presented secret is not in the log"

cgi "$BETA" GET "/beta/personal-access-tokens?owner-id=me" "" "" "Bearer $tok"
is "$status" 200 "list as CGI: 200"
is "$(jget "$body" '.[0].id')" "$pid" "lists the PAT"
is "$(jget "$body" '.[0].owner.name')" Admin "with its owner's name"

cgi "$BETA" GET "/beta/personal-access-tokens?owner-id=me" "" "" ""
is "$status" 401 "no token: 401"
is "$(jget "$body" .error)" "JWT validation failed: no bearer token" "401 body"

duo='{"mfaMethod":"duo-web","enabled":true,"host":"www.example.com","accessKey":"qw123Y3QlA5UqocYpdU3rEkzrK2D497y","identityAttribute":"email","configProperties":{"skey":"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B","ikey":"Q123WE45R6TY7890ZXCV"}}'
cgi "$BETA" PUT /beta/mfa/duo-web/config application/json "$duo" "Bearer $tok"
is "$status" 200 "PUT duo config from stdin: 200"
is "$(jget "$body" .accessKey)" 'q******y' "accessKey masked"
is "$(jget "$body" .configProperties.skey)" '1******B' "skey masked"
is "$(jget "$body" .configProperties.ikey)" Q123WE45R6TY7890ZXCV "ikey unchanged"

cgi "$BETA" GET /nowhere
is "$status" 404 "unknown path: 404"
is "$(jget "$body" .detailCode)" "404 Not found" "404 envelope"
tid=$(jget "$body" .trackingId)
like "$(cat "$tmp/err")" "$tid" "tracking id logged to stderr"

# The write path: a body from stdin, a 204 without a body.
cgi "$BETA" POST /beta/personal-access-tokens application/json \
	'{"name":"from-cgi","scope":["demo:a"]}' "Bearer $tok"
is "$status" 200 "create as CGI: 200"
nid=$(jget "$body" .id)
nsec=$(jget "$body" .secret)
is "$(jget "$body" '.name + " " + (.scope | join(","))')" "from-cgi demo:a" \
	"create: name and scope"
unlike "$(cat "$tmp/err")" "$nsec" "the new secret is not in the log"
cgi "$BETA" PATCH "/beta/personal-access-tokens/$nid" \
	application/json-patch+json \
	'[{"op":"replace","path":"/name","value":"patched"}]' "Bearer $tok"
is "$status $(jget "$body" .name)" "200 patched" "PATCH as CGI: 200, renamed"
cgi "$BETA" PATCH "/beta/personal-access-tokens/$nid" \
	application/json-patch+json '[{"op":"remove","path":"/id"}]' \
	"Bearer $tok"
is "$status" 400 "PATCH of /id as CGI: 400"
like "$(jget "$body" '.messages[0].text')" "operation 0" "names the operation"
cgi "$BETA" DELETE "/beta/personal-access-tokens/$nid" "" "" "Bearer $tok"
is "$status" 204 "DELETE as CGI: 204"
unlike "$head" "Content-Type" "204: no Content-Type"
is "$body" "" "204: no body"
cgi "$BETA" DELETE "/beta/personal-access-tokens/$nid" "" "" "Bearer $tok"
is "$status" 404 "DELETE again: 404"

cgi "$BETA" PUT /beta/personal-access-tokens "" "" "Bearer $tok"
is "$status" 405 "PUT on the list: 405"
like "$head" "Allow: GET, POST" "Allow header"

# Plain CGI without REQUEST_URI: SCRIPT_NAME + PATH_INFO (e.g. ScriptAlias /beta).
printf '' > "$tmp/in"
env -i PATH="$PATH" PATROL_CONFIG="$CONF" REQUEST_METHOD=GET \
	SCRIPT_NAME=/beta PATH_INFO=/mfa/duo-web/config QUERY_STRING= \
	HTTP_AUTHORIZATION="Bearer $tok" "$BETA" < "$tmp/in" > "$tmp/out" 2>/dev/null
like "$(head -1 "$tmp/out")" "Status: 200" "SCRIPT_NAME + PATH_INFO routing"

# nginx sends empty CONTENT_TYPE/CONTENT_LENGTH on GET: empty is absent.
env -i PATH="$PATH" PATROL_CONFIG="$CONF" REQUEST_METHOD=GET \
	REQUEST_URI=/beta/mfa/duo-web/config CONTENT_TYPE= CONTENT_LENGTH= \
	HTTP_AUTHORIZATION="Bearer $tok" "$BETA" < /dev/null > "$tmp/out" 2>/dev/null
like "$(head -1 "$tmp/out")" "Status: 200" "empty CONTENT_* treated as absent"

# A CGI program that answers before reading the body (401, 405, 413, 415)
# still reads it (up to 16 MiB) before it exits: Apache's mod_cgid writes the
# body after starting the program and resets the client's connection when
# that write fails. The writer must see the whole body taken.
# drain STATUS METHOD URI CTYPE BYTES [AUTH]: the writer's exit status is 0.
drain() {
	( head -c "$5" /dev/zero; echo $? > "$tmp/wrote" ) |
	env -i PATH="$PATH" PATROL_CONFIG="$CONF" REQUEST_METHOD="$2" \
		REQUEST_URI="$3" CONTENT_TYPE="$4" CONTENT_LENGTH="$5" \
		HTTP_AUTHORIZATION="${6-}" "$BETA" > "$tmp/out" 2>/dev/null
	like "$(head -1 "$tmp/out")" "Status: $1" "$1 to a $5-byte $2 body"
	is "$(cat "$tmp/wrote")" 0 "$1: the CGI program read the whole body"
}
drain 401 PUT /beta/mfa/duo-web/config application/json 1048576
drain 405 POST /beta/mfa/duo-web/config application/json 1048576 "Bearer $tok"
drain 413 PUT /beta/mfa/duo-web/config application/json 1048576 "Bearer $tok"
drain 415 PUT /beta/mfa/duo-web/config text/plain 200000 "Bearer $tok"
drain 404 POST /nowhere application/json 300000
# Bounded: past 16 MiB it stops reading and exits (the writer sees EPIPE).
( head -c 33554432 /dev/zero 2>/dev/null; echo $? > "$tmp/wrote" ) |
env -i PATH="$PATH" PATROL_CONFIG="$CONF" REQUEST_METHOD=PUT \
	REQUEST_URI=/beta/mfa/duo-web/config CONTENT_TYPE=application/json \
	CONTENT_LENGTH=33554432 "$BETA" > "$tmp/out" 2>/dev/null
like "$(head -1 "$tmp/out")" "Status: 401" "32 MiB body: answered"
isnt_zero=$(cat "$tmp/wrote")
ok "$([ "$isnt_zero" != 0 ]; echo $?)" "32 MiB body: not read past the bound"

# State files open to others: one warning line each on stderr (the web
# server's error log), and the request is still served.
is "$(stat -c %a "$tmp/s/patrol.db")" 600 "patrolctl init made the database 0600"
is "$(stat -c %a "$tmp/s/signing.key")" 600 "and the key 0600"
chmod 644 "$tmp/s/patrol.db"
chmod 604 "$tmp/s/signing.key"
cgi "$BETA" GET /beta/mfa/duo-web/config "" "" "Bearer $tok"
is "$status" 200 "served with state files open to others"
like "$(cat "$tmp/err")" "patrol-beta: warning: $tmp/s/patrol.db: readable by others (mode 0644)" \
	"warns that the database is readable by others"
like "$(cat "$tmp/err")" "signing.key: readable by others (mode 0604)" \
	"warns that the key is readable by others"
chmod 600 "$tmp/s/patrol.db" "$tmp/s/signing.key"
cgi "$BETA" GET /beta/mfa/duo-web/config "" "" "Bearer $tok"
unlike "$(cat "$tmp/err")" "warning" "no warning once private"

# Process-level errors: usage and configuration.
"$BETA" --help > "$tmp/out" 2>&1
ok $? "--help exits 0"
like "$(cat "$tmp/out")" "usage:" "--help prints usage"
"$BETA" --bogus > /dev/null 2>&1
is $? 2 "unknown option exits 2"
PATROL_CONFIG= "$BETA" --config "$tmp/missing.conf" < /dev/null > "$tmp/out" 2> "$tmp/err"
is $? 1 "missing config exits 1"
like "$(cat "$tmp/err")" "$tmp/missing.conf: No such file or directory" \
	"missing config: path: strerror"
# ... and the request still gets the API's 500 envelope, whose tracking id
# the error log line (CGI: stderr) carries with the cause.
is "$(sed -n '1s/^Status: \([0-9]*\) .*/\1/p' "$tmp/out")" 500 "missing config: a 500"
body=$(sed '1,/^\r$/d' "$tmp/out")
is "$(jget "$body" .detailCode)" "500.0 Internal Fault" "missing config: 500 envelope"
unlike "$body" "missing.conf" "the envelope does not show the cause"
tid=$(jget "$body" .trackingId)
like "$(cat "$tmp/err")" "patrol[$tid]: GET /: 500 the responder cannot serve: $tmp/missing.conf: No such file or directory" \
	"the log line has the tracking id and the cause"
printf 'token = { lifetime = "x"; };\n' > "$tmp/bad.conf"
"$BETA" --config "$tmp/bad.conf" < /dev/null > /dev/null 2> "$tmp/err"
is $? 1 "bad config exits 1"
like "$(cat "$tmp/err")" "bad.conf:1:" "bad config: file:line: message"

done_testing
