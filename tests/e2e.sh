#!/bin/sh
# tests/e2e.sh: the HTTP API of docs/api.md, point by point, through a real
# web server set up by one of patrol's recipes (PATROL_SETUP, tests/server.sh;
# default lighttpd with etc/lighttpd.conf spawning the FastCGI responders;
# tests/e2e-SETUP.sh run the others), driven with curl. State (database, signing key) is a fresh directory per run; the
# database is read and edited with sqlite3 where the API has no way to set
# the situation up (deleted PATs, old lastUsed, 2000 PATs).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/server.sh"

server_check
for _c in curl jq sqlite3 openssl base64 od; do
	command -v "$_c" >/dev/null || skip_all "$_c is not installed"
done

# Loopback only: no proxy, whatever the environment says.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
CTL="$top_builddir/tools/patrolctl"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/patrol-e2e.XXXXXX") || bail "mktemp"
at_exit 'rm -rf "$tmp"'
S=$tmp/s
make_state "$S"
CONF=$S/patrol.conf
DB=$S/patrol.db
KEY=$S/signing.key
server_start "$S" || bail "cannot start $SETUP"
diag "$SETUP pid $SERVER_PID on $BASE"
at_exit '[ "$_tap_failed" -eq 0 ] || server_log_tail 40'

# (an ERE that jq's regex engine reads the same way)
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'
ID_RE='^[0-9a-f]{32}$'
DUO_EXAMPLE='{"mfaMethod":"duo-web","enabled":true,"host":"www.example.com","accessKey":"qw123Y3QlA5UqocYpdU3rEkzrK2D497y","identityAttribute":"email","configProperties":{"skey":"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B","ikey":"Q123WE45R6TY7890ZXCV"}}'

# ------------------------------------------------------------------ helpers

ctl() { "$CTL" --config "$CONF" "$@"; }
sql() { sqlite3 -batch "$DB" "$@"; }

# req METHOD PATH [CURL-ARGS...]: one request; sets $status, $hdrs (headers,
# CR stripped), $body.
req() {
	_m=$1 _p=$2
	shift 2
	: > "$tmp/h"
	: > "$tmp/b"
	status=$(curl -s -g -X "$_m" -D "$tmp/h" -o "$tmp/b" \
	    -w '%{http_code}' "$@" "$BASE$_p")
	hdrs=$(tr -d '\r' < "$tmp/h")
	body=$(cat "$tmp/b")
}

# hdr NAME: the value of response header NAME (case-insensitive) in $hdrs.
hdr() {
	printf '%s\n' "$hdrs" | awk -v n="$1" 'BEGIN { n = tolower(n) ":" }
	    tolower(substr($0, 1, length(n))) == n {
	    v = substr($0, length(n) + 1); sub(/^[ \t]+/, "", v); print v; exit }'
}

# jc JSON: compact JSON with sorted keys, or <not json>.
jc() { printf '%s' "$1" | jq -cS . 2>/dev/null || echo '<not json>'; }

# matches STRING ERE NAME: passes when STRING matches the extended regex.
matches() {
	if printf '%s\n' "$1" | grep -Eq -e "$2"; then ok 0 "$3"; else
		ok 1 "$3"; diag "got:  '$1'"; diag "want: /$2/"; fi
}

# jok JSON FILTER NAME: passes when the jq filter gives true.
jok() { is "$(jget "$1" "$2")" true "$3"; }

# envelope STATUS DETAILCODE NAME: $status/$body is that error envelope.
envelope() {
	is "$status" "$1" "$3: status $1"
	jok "$body" "(keys == [\"causes\",\"detailCode\",\"messages\",\"trackingId\"])
	    and .detailCode == \"$2\"
	    and (.trackingId | test(\"^[0-9a-f]{32}\$\"))
	    and .causes == [] and (.messages | length) == 1
	    and .messages[0].locale == \"en-US\"
	    and .messages[0].localeOrigin == \"DEFAULT\"
	    and (.messages[0].text | type == \"string\" and length > 0)" \
	    "$3: envelope $2"
	msg=$(jget "$body" '.messages[0].text')
}

# json_headers NAME: Content-Type and Cache-Control of the last response.
json_headers() {
	is "$(hdr Content-Type)" "application/json; charset=utf-8" "$1: JSON content type"
	is "$(hdr Cache-Control)" "no-store" "$1: Cache-Control: no-store"
}

# unauth WHY NAME [CURL-ARGS]: GET on the list gives the 401 for WHY.
unauth() {
	_why=$1 _name=$2
	shift 2
	req GET '/beta/personal-access-tokens?owner-id=me' "$@"
	is "$status" 401 "$_name: 401"
	is "$(jc "$body")" "{\"error\":\"JWT validation failed: $_why\"}" \
	    "$_name: body names the reason"
	is "$(hdr WWW-Authenticate)" Bearer "$_name: WWW-Authenticate: Bearer"
	json_headers "$_name"
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
b64url_decode() {
	_s=$(printf '%s' "$1" | tr '_-' '/+')
	case $((${#_s} % 4)) in
	2) _s="$_s==" ;;
	3) _s="$_s=" ;;
	esac
	printf '%s' "$_s" | base64 -d 2>/dev/null
}
KEYHEX=$(od -An -v -tx1 "$KEY" | tr -d ' \n')
hs() {	# hs ALG HEXKEY: base64url HMAC of stdin
	openssl dgst "-$1" -mac HMAC -macopt "hexkey:$2" -binary | b64url
}
# forge HEADER-JSON PAYLOAD-JSON [HEXKEY [ALG]]: a compact JWT signed with
# HMAC (the server's key by default); ALG "" leaves the signature empty.
forge() {
	_h=$(printf '%s' "$1" | b64url)
	_p=$(printf '%s' "$2" | b64url)
	_alg=${4-sha256}
	if [ -z "$_alg" ]; then
		printf '%s.%s.\n' "$_h" "$_p"
		return
	fi
	printf '%s.%s.%s\n' "$_h" "$_p" \
	    "$(printf '%s.%s' "$_h" "$_p" | hs "$_alg" "${3:-$KEYHEX}")"
}
now_s() { date -u +%s; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }

# token ID SECRET: an access token, the plain way.
token() {
	curl -s -d grant_type=client_credentials --data-urlencode "client_id=$1" \
	    --data-urlencode "client_secret=$2" "$BASE/oauth/token" |
	    jq -r '.access_token // empty'
}

# mkpat VAR OWNER NAME [ARGS...]: creates a PAT, sets ${VAR}_id, ${VAR}_sec.
mkpat() {
	_v=$1 _o=$2 _n=$3
	shift 3
	_j=$(ctl pat create --owner "$_o" --name "$_n" --json "$@" 2>&1) ||
		bail "pat create $_n: $_j"
	eval "${_v}_id=\$(jget \"\$_j\" .id)"
	eval "${_v}_sec=\$(jget \"\$_j\" .secret)"
}
mkid() {	# mkid NAME RIGHTS: prints the new identity's id
	ctl identity add --name "$1" --rights "$2" || bail "identity add $1"
}

# list_as TOKEN QUERY: GET /beta/personal-access-tokens?QUERY
list_as() { req GET "/beta/personal-access-tokens${2:+?$2}" -H "Authorization: Bearer $1"; }
ids() { jget "$body" '[.[].id] | join(" ")'; }

# ------------------------------------------------------------------ fixtures

ADMIN_RIGHTS=ORG_ADMIN
admin=$(mkid Admin "$ADMIN_RIGHTS")
alice=$(mkid Alice idn:my-personal-access-tokens:read)
bob=$(mkid Bob idn:all-personal-access-tokens:read)
carol=$(mkid Carol idn:all-personal-access-tokens:read,idn:managed-personal-access-tokens:read)
dave=$(mkid Dave idn:mfa-configuration:read)
erin=$(mkid Erin idn:mfa-configuration:manage,idn:my-personal-access-tokens:read)
frank=$(mkid Frank "")
mkpat adm "$admin" admin-main
mkpat adm2 "$admin" admin-unused
mkpat admsc "$admin" admin-scoped --scope sp:my-personal-access-tokens:read,demo:x:y
mkpat admmfa "$admin" admin-mfa-read --scope idn:mfa-configuration:read
mkpat ali "$alice" alice-1
mkpat alim "$alice" alice-managed --managed
mkpat bob "$bob" bob-1
mkpat car "$carol" carol-1
mkpat dav "$dave" dave-1
mkpat eri "$erin" erin-1
mkpat fra "$frank" frank-1

# ================================================================== config
ok 0 "$SETUP started (pid $SERVER_PID)"
if [ -n "$SRV_RESPONDERS" ]; then
	kids=$(server_responders | wc -l)
	is "$kids" "$SRV_RESPONDERS" "$SRV_RESPONDERS responders run ($SRV_RESPONDERS_WHAT)"
fi

# ================================================================== /oauth/token
# 200 with an urlencoded body.
req POST /oauth/token -d grant_type=client_credentials \
    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
is "$status" 200 "token, urlencoded body: 200"
json_headers "token"
jok "$body" "keys == [\"access_token\",\"client_id\",\"expires_in\",\"identity_id\",\"scope\",\"token_type\"]" \
    "token response has exactly the documented keys"
is "$(jget "$body" .token_type)" bearer "token_type bearer"
is "$(jget "$body" .expires_in)" 3600 "expires_in is token.lifetime"
is "$(jget "$body" .scope)" sp:scopes:all "scope sp:scopes:all for a null scope"
is "$(jget "$body" .identity_id)" "$admin" "identity_id is the owner"
is "$(jget "$body" .client_id)" "$adm_id" "client_id is the PAT id"
tok=$(jget "$body" .access_token)
# The JWT: HS256 with the configured key and the documented claims.
jh=$(b64url_decode "${tok%%.*}")
jp=${tok#*.}
jp=$(b64url_decode "${jp%%.*}")
is "$(jget "$jh" .alg)" HS256 "JWT header alg HS256"
jok "$jp" "(keys - [\"client_id\",\"exp\",\"iat\",\"identity_id\",\"iss\",\"jti\",\"scope\",\"sub\"]) == [] and (keys | length) >= 8" \
    "JWT claims iss sub identity_id client_id scope iat exp jti"
jok "$jp" ".iss == \"patrol-test\" and .sub == \"$admin\" and .identity_id == \"$admin\" and .client_id == \"$adm_id\" and .scope == [\"sp:scopes:all\"] and .exp - .iat == 3600 and (.jti | type == \"string\" and length > 0)" \
    "JWT claim values"
n=$(now_s)
jok "$jp" ".iat >= $n - 60 and .iat <= $n + 5" "JWT iat is now"
sig=$(printf '%s' "${tok%.*}" | hs sha256 "$KEYHEX")
is "$sig" "${tok##*.}" "JWT signed with HMAC-SHA256 and the signing key file"

# multipart/form-data (what the SailPoint SDKs send).
req POST /oauth/token -F grant_type=client_credentials \
    -F "client_id=$adm_id" -F "client_secret=$adm_sec"
is "$status" 200 "token, multipart body: 200"
is "$(jget "$body" .client_id)" "$adm_id" "multipart: client_id"
jok "$body" '.access_token | split(".") | length == 3' "multipart: a JWT"

# grant_type in the query string, the rest urlencoded.
req POST '/oauth/token?grant_type=client_credentials' \
    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
is "$status" 200 "token, grant_type in the query string: 200"
# everything in the query string, no body
req POST "/oauth/token?grant_type=client_credentials&client_id=$adm_id&client_secret=$adm_sec" -d ''
is "$status" 200 "token, all parameters in the query string: 200"
# (the access log is checked for the secret once the server has stopped)
# body wins over query
req POST '/oauth/token?grant_type=password' -d grant_type=client_credentials \
    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
is "$status" 200 "body grant_type wins over the query string's"
req POST '/oauth/token?client_secret=wrong' -d grant_type=client_credentials \
    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
is "$status" 200 "body client_secret wins over the query string's"

# HTTP Basic (RFC 6749 2.3.1).
req POST /oauth/token -u "$adm_id:$adm_sec" -d grant_type=client_credentials
is "$status" 200 "token, HTTP Basic: 200"
is "$(jget "$body" .client_id)" "$adm_id" "HTTP Basic: client_id"
req POST /oauth/token -u "$adm_id:$adm_sec" -d grant_type=client_credentials \
    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
is "$status" 200 "Basic and body with the same credentials: 200"
req POST /oauth/token -u "$adm_id:$adm_sec" -d grant_type=client_credentials \
    -d "client_id=$adm2_id" -d "client_secret=$adm2_sec"
is "$status" 400 "Basic and body with different credentials: 400"
is "$(jget "$body" .error)" invalid_request "Basic and body with different credentials: invalid_request"
req POST /oauth/token -u "$adm_id:wrong" -d grant_type=client_credentials
is "$status" 401 "HTTP Basic, wrong secret: 401"

# 401 invalid_client: wrong secret and unknown id answer the same.
case $adm_sec in *0) bad_sec=${adm_sec%?}1 ;; *) bad_sec=${adm_sec%?}0 ;; esac
req POST /oauth/token -d grant_type=client_credentials \
    -d "client_id=$adm_id" -d "client_secret=$bad_sec"
is "$status" 401 "wrong secret: 401"
json_headers "invalid_client"
is "$(jc "$body")" '{"error":"invalid_client","error_description":"Bad credentials"}' \
    "wrong secret: invalid_client, Bad credentials"
is "$(hdr WWW-Authenticate)" 'Basic realm="patrol"' 'wrong secret: WWW-Authenticate: Basic realm="patrol"'
wrong_body=$body
req POST /oauth/token -d grant_type=client_credentials \
    -d client_id=0123456789abcdef0123456789abcdef -d "client_secret=$adm_sec"
is "$status" 401 "unknown client id: 401"
is "$body" "$wrong_body" "unknown client id: the same body as a wrong secret"
is "$(hdr WWW-Authenticate)" 'Basic realm="patrol"' "unknown client id: same WWW-Authenticate"
req POST /oauth/token -d grant_type=client_credentials \
    -d client_id=not-an-id -d "client_secret=$adm_sec"
is "$status $body" "401 $wrong_body" "malformed client id: the same 401"
req POST /oauth/token -d grant_type=client_credentials -d "client_id=$adm_id"
case $status in 400|401) r=0 ;; *) r=1 ;; esac
ok $r "missing client_secret: 400 or 401 ($status)"
jok "$body" '.error | type == "string"' "missing client_secret: an OAuth error body"

# 400 grant_type.
req POST /oauth/token -d "client_id=$adm_id" -d "client_secret=$adm_sec"
is "$status" 400 "missing grant_type: 400"
is "$(jget "$body" .error)" invalid_request "missing grant_type: invalid_request"
jok "$body" '.error_description | type == "string" and length > 0' \
    "missing grant_type: error_description"
json_headers "invalid_request"
req POST /oauth/token -d grant_type=password \
    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
is "$status" 400 "grant_type=password: 400"
is "$(jget "$body" .error)" unsupported_grant_type "grant_type=password: unsupported_grant_type"
jok "$body" '.error_description | type == "string" and length > 0' \
    "unsupported_grant_type: error_description"

# Other content types: 415 envelope. Other methods: 405.
req POST /oauth/token -H 'Content-Type: application/json' \
    --data-binary "{\"grant_type\":\"client_credentials\",\"client_id\":\"$adm_id\",\"client_secret\":\"$adm_sec\"}"
envelope 415 "415 Unsupported Media Type" "token with a JSON body"
req GET /oauth/token
envelope 405 "405 Method Not Allowed" "GET /oauth/token"
is "$(hdr Allow)" POST "GET /oauth/token: Allow: POST"
json_headers "405"
req PUT /oauth/token -d grant_type=client_credentials
is "$status" 405 "PUT /oauth/token: 405"
req POST /oauth/other -d grant_type=client_credentials
envelope 404 "404 Not found" "POST /oauth/other"
req POST /oauthx/token -d grant_type=client_credentials
envelope 404 "404 Not found" "POST /oauthx/token (not under /oauth/)"
req POST /oauth -d grant_type=client_credentials
envelope 404 "404 Not found" "POST /oauth"

# lastUsed: set by the first token, unchanged by a second within the interval.
lu() {	# lu PATID: its lastUsed in the admin listing
	curl -s -H "Authorization: Bearer $admtok" \
	    "$BASE/beta/personal-access-tokens?owner-id=$admin" |
	    jq -r --arg id "$1" '.[] | select(.id == $id) | .lastUsed'
}
admtok=$tok
is "$(lu "$adm2_id")" null "a PAT never used has lastUsed null"
t0=$(now_s)
t2=$(token "$adm2_id" "$adm2_sec")
[ -n "$t2" ]; ok $? "token for the second PAT"
lu1=$(lu "$adm2_id")
matches "$lu1" "$TIME_RE" "lastUsed set by issuing a token ($lu1)"
lu1s=$(date -u -d "$lu1" +%s 2>/dev/null || echo 0)
[ "$lu1s" -ge $((t0 - 2)) ] && [ "$lu1s" -le $(($(now_s) + 2)) ]
ok $? "lastUsed is the time of issue"
sleep 1
token "$adm2_id" "$adm2_sec" >/dev/null
is "$(lu "$adm2_id")" "$lu1" "a second token within the interval leaves lastUsed unchanged"
listing1=$(ctl pat list --owner "$admin" --json | jq -c '[.[] | {id, lastUsed}]')
token "$adm2_id" "$adm2_sec" >/dev/null
listing2=$(ctl pat list --owner "$admin" --json | jq -c '[.[] | {id, lastUsed}]')
is "$listing2" "$listing1" "patrolctl pat list: unchanged after a third token"
# Two days ago is older than pat.last_used_interval: the next token updates it.
old=$(( ($(now_s) - 2 * 86400) * 1000 ))
sql "UPDATE pat SET last_used = $old WHERE id = '$adm2_id';" || bail "sqlite3 update"
is "$(lu "$adm2_id")" "$(iso $((old / 1000)))" "lastUsed moved back two days (sqlite3)"
token "$adm2_id" "$adm2_sec" >/dev/null
lu2=$(lu "$adm2_id")
lu2s=$(date -u -d "$lu2" +%s 2>/dev/null || echo 0)
[ "$lu2s" -ge $(($(now_s) - 60)) ]
ok $? "a token after the interval updates lastUsed ($lu2)"
# a failed authentication does not touch lastUsed
sql "UPDATE pat SET last_used = NULL WHERE id = '$adm2_id';" || bail "sqlite3 update"
req POST /oauth/token -d grant_type=client_credentials \
    -d "client_id=$adm2_id" -d "client_secret=nope"
is "$(lu "$adm2_id")" null "a failed authentication leaves lastUsed alone"

# ================================================================== 401 on /beta
unauth "no bearer token" "no Authorization header"
unauth "no bearer token" "Basic instead of Bearer" -u "$adm_id:$adm_sec"
unauth "JWT is malformed" "malformed bearer token" -H 'Authorization: Bearer abc'
unauth "JWT is malformed" "garbage bearer token" -H 'Authorization: Bearer !!.??.@@'
unauth "JWT is malformed" "three parts of junk" -H 'Authorization: Bearer eyJh.eyJi.c2ln'
huge=$(head -c 9000 /dev/zero | tr '\0' A)
if [ -n "${SRV_FIELD_MAX:-}" ]; then
	# The web server refuses header fields over SRV_FIELD_MAX itself.
	req GET '/beta/personal-access-tokens?owner-id=me' -H "Authorization: Bearer $huge.$huge.$huge"
	is "$status $(jget "$body" .detailCode)" "400 400.1 Bad Request Content" \
	    "bearer token over 8192 bytes: the web server's 400 (SRV_FIELD_MAX $SRV_FIELD_MAX)"
else
	unauth "JWT is malformed" "bearer token over 8192 bytes" -H "Authorization: Bearer $huge.$huge.$huge"
fi
n=$(now_s)
claims() {	# claims PAT OWNER IAT EXP [ISS]
	printf '{"iss":"%s","sub":"%s","identity_id":"%s","client_id":"%s","scope":["sp:scopes:all"],"iat":%s,"exp":%s,"jti":"%s"}' \
	    "${5:-patrol-test}" "$2" "$2" "$1" "$3" "$4" 00000000000000000000000000000001
}
HS256='{"alg":"HS256","typ":"JWT"}'
good=$(forge "$HS256" "$(claims "$adm_id" "$admin" $((n - 10)) $((n + 600)))")
req GET '/beta/personal-access-tokens?owner-id=me' -H "Authorization: Bearer $good"
is "$status" 200 "a token forged with the signing key is accepted (so the forgeries below test one thing each)"
expired=$(forge "$HS256" "$(claims "$adm_id" "$admin" $((n - 7200)) $((n - 3600)))")
unauth "JWT is expired" "expired token" -H "Authorization: Bearer $expired"
# iat years ahead (with an exp to match), nbf ahead, a lifetime over
# token.lifetime: each correctly signed, each refused.
future=$(forge "$HS256" "$(claims "$adm_id" "$admin" $((n + 86400 * 365 * 5)) $((n + 86400 * 365 * 5 + 600)))")
unauth "JWT is issued in the future" "iat five years ahead" -H "Authorization: Bearer $future"
nbf=$(forge "$HS256" "$(claims "$adm_id" "$admin" "$n" $((n + 600)) | sed "s/}\$/,\"nbf\":$((n + 3600))}/")")
unauth "JWT is not valid yet" "nbf an hour ahead" -H "Authorization: Bearer $nbf"
long=$(forge "$HS256" "$(claims "$adm_id" "$admin" $((n - 10)) $((n - 10 + 3601)))")
unauth "JWT lifetime exceeds token.lifetime" "exp - iat one second over token.lifetime (3600 here)" -H "Authorization: Bearer $long"
none=$(forge '{"alg":"none","typ":"JWT"}' "$(claims "$adm_id" "$admin" "$n" $((n + 600)))" "" "")
unauth "JWT algorithm none is not allowed" "alg none" -H "Authorization: Bearer $none"
hs512=$(forge '{"alg":"HS512","typ":"JWT"}' "$(claims "$adm_id" "$admin" "$n" $((n + 600)))" "" sha512)
unauth "JWT algorithm HS512 is not allowed" "alg HS512" -H "Authorization: Bearer $hs512"
otherkey=$(printf '%064d' 7)
badsig=$(forge "$HS256" "$(claims "$adm_id" "$admin" "$n" $((n + 600)))" "$otherkey")
unauth "JWT signature does not match" "signed with another key" -H "Authorization: Bearer $badsig"
tampered=$(forge "$HS256" "$(claims "$adm_id" "$admin" "$n" $((n + 600)))")
tampered="${tampered%.*}.$(printf '%s' "${tok##*.}")"
unauth "JWT signature does not match" "payload with another token's signature" -H "Authorization: Bearer $tampered"
# Key ids: issued tokens name their key; a kid that names no key is refused
# before any signature is computed, a kid naming ours verifies as usual.
is "$(b64url_decode "${tok%%.*}" | jq -r .kid)" "$(openssl dgst -sha256 -r "$KEY" | cut -c1-16)" \
    "issued tokens name their key: kid is 16 hex digits of its SHA-256"
nokey=$(forge '{"alg":"HS256","typ":"JWT","kid":"0000000000000000"}' "$(claims "$adm_id" "$admin" "$n" $((n + 600)))")
unauth "JWT signing key is unknown" "a kid that names no key" -H "Authorization: Bearer $nokey"
ourkid=$(b64url_decode "${tok%%.*}" | jq -r .kid)
named=$(forge "{\"kid\":\"$ourkid\",\"alg\":\"HS256\"}" "$(claims "$adm_id" "$admin" "$n" $((n + 600)))")
req GET '/beta/personal-access-tokens?owner-id=me' -H "Authorization: Bearer $named"
is "$status" 200 "a header spelt otherwise, naming our key: 200"
# a well-signed token whose subject is not the PAT's owner
notown=$(forge "$HS256" "$(claims "$adm_id" "$alice" "$n" $((n + 600)))")
req GET '/beta/personal-access-tokens?owner-id=me' -H "Authorization: Bearer $notown"
is "$status" 401 "identity_id that does not own the PAT: 401"
like "$(jget "$body" .error)" "JWT validation failed: " "identity_id that does not own the PAT: JWT validation failed"
badiss=$(forge "$HS256" "$(claims "$adm_id" "$admin" "$n" $((n + 600)) someone-else)")
unauth "JWT issuer does not match" "another issuer" -H "Authorization: Bearer $badiss"
# a PAT deleted after its token was issued
mkpat gone "$admin" admin-deleted
gonetok=$(token "$gone_id" "$gone_sec")
req GET '/beta/personal-access-tokens?owner-id=me' -H "Authorization: Bearer $gonetok"
is "$status" 200 "token of a PAT about to be deleted works"
sql "DELETE FROM pat WHERE id = '$gone_id';" || bail "sqlite3 delete"
unauth "personal access token no longer exists" "token of a deleted PAT" -H "Authorization: Bearer $gonetok"
# an identity deleted after its token was issued (its PAT row left alone)
ghost=$(mkid Ghost ORG_ADMIN)
mkpat gho "$ghost" ghost-1
ghotok=$(token "$gho_id" "$gho_sec")
sql "DELETE FROM identity WHERE id = '$ghost';" ||
	bail "sqlite3 delete identity"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $ghotok"
is "$status $body" '401 {"error":"JWT validation failed: identity no longer exists"}' \
    "token of a deleted identity: 401 identity no longer exists"
sql "DELETE FROM pat WHERE id = '$gho_id';" || bail "sqlite3 delete"
req GET /beta/mfa/duo-web/config
is "$status" 401 "Duo GET without a token: 401"
req PUT /beta/mfa/duo-web/config -H 'Content-Type: application/json' --data-binary "$DUO_EXAMPLE"
is "$status" 401 "Duo PUT without a token: 401"

# ================================================================== PAT list
admtok=$(token "$adm_id" "$adm_sec")
alitok=$(token "$ali_id" "$ali_sec")
bobtok=$(token "$bob_id" "$bob_sec")
cartok=$(token "$car_id" "$car_sec")
davtok=$(token "$dav_id" "$dav_sec")
eritok=$(token "$eri_id" "$eri_sec")
fratok=$(token "$fra_id" "$fra_sec")
sctok=$(token "$admsc_id" "$admsc_sec")
mfatok=$(token "$admmfa_id" "$admmfa_sec")
[ -n "$admtok" ] && [ -n "$alitok" ] && [ -n "$bobtok" ] && [ -n "$cartok" ] &&
    [ -n "$davtok" ] && [ -n "$eritok" ] && [ -n "$fratok" ] &&
    [ -n "$sctok" ] && [ -n "$mfatok" ]
ok $? "tokens for every fixture PAT"

list_as "$admtok" owner-id=me
is "$status" 200 "owner-id=me: 200"
json_headers "list"
is "$(ids)" "$adm_id $adm2_id $admsc_id $admmfa_id" "owner-id=me: the caller's PATs in creation order"
me_body=$body
jok "$body" 'all(.[]; (keys == ["accessTokenValiditySeconds","created","expirationDate","id","lastUsed","managed","name","owner","scope"])
    and (.owner | keys == ["id","name","type"]) and .owner.type == "IDENTITY")' \
    "items have exactly id,name,scope,owner{type,id,name},created,lastUsed,managed,expirationDate,accessTokenValiditySeconds"
jok "$body" "all(.[]; (.id | test(\"$ID_RE\")) and (.created | test(\"$TIME_RE\"))
    and (.lastUsed == null or (.lastUsed | test(\"$TIME_RE\")))
    and (.managed | type == \"boolean\") and (.name | type == \"string\")
    and (.scope == null or (.scope | type == \"array\")))" \
    "ids are 32 hex, times are YYYY-MM-DDTHH:MM:SS.mmmZ, managed boolean"
jok "$body" "all(.[]; .owner.id == \"$admin\" and .owner.name == \"Admin\")" "owner id and name"
jok "$body" "(.[] | select(.id == \"$adm_id\") | .scope) == null" "a PAT without --scope has scope null"
jok "$body" "(.[] | select(.id == \"$admsc_id\") | .scope) == [\"sp:my-personal-access-tokens:read\",\"demo:x:y\"]" \
    "scope listed as given"
jok "$body" "(.[] | select(.id == \"$adm_id\") | .lastUsed) != null" "a used PAT has lastUsed"
list_as "$admtok" "owner-id=$admin"
is "$body" "$me_body" "owner-id=<own id> is treated as me"

list_as "$alitok" owner-id=me
is "$status" 200 "idn:my-personal-access-tokens:read, owner-id=me: 200"
is "$(ids)" "$ali_id" "own managed PAT hidden without idn:managed-personal-access-tokens:read"
list_as "$alitok" "owner-id=$bob"
envelope 403 "403 Forbidden" "my-read lists another identity"
json_headers "403"
list_as "$alitok" ""
envelope 403 "403 Forbidden" "my-read lists everything (no owner-id)"
list_as "$fratok" owner-id=me
envelope 403 "403 Forbidden" "no rights, owner-id=me"
list_as "$davtok" owner-id=me
envelope 403 "403 Forbidden" "MFA-only rights, owner-id=me"

list_as "$bobtok" "owner-id=$alice"
is "$status" 200 "idn:all-personal-access-tokens:read lists another identity: 200"
is "$(ids)" "$ali_id" "managed PAT of another identity hidden without the managed right"
jok "$body" '.[0].owner.name == "Alice" and .[0].managed == false' "owner name Alice, managed false"
list_as "$bobtok" ""
is "$status" 200 "all-read without owner-id: 200"
is "$(ids)" "$adm_id $adm2_id $admsc_id $admmfa_id $ali_id $bob_id $car_id $dav_id $eri_id $fra_id" \
    "no owner-id: every non-managed PAT in creation order"
list_as "$bobtok" owner-id=0123456789abcdef0123456789abcdef
is "$status $body" "200 []" "unknown well-formed owner-id: 200 []"
list_as "$bobtok" owner-id=not-an-id
envelope 400 "400.1 Bad Request Content" "malformed owner-id"
like "$msg" owner-id "malformed owner-id: message names owner-id"
list_as "$bobtok" owner-id=0123456789ABCDEF0123456789ABCDEF
envelope 400 "400.1 Bad Request Content" "uppercase owner-id"
list_as "$cartok" "owner-id=$alice"
is "$(ids)" "$ali_id $alim_id" "with idn:managed-personal-access-tokens:read managed PATs are listed"
jok "$body" ".[1].managed == true and .[0].managed == false" "managed flag true on the managed PAT"
list_as "$cartok" ""
jok "$body" "[.[].id] | index(\"$alim_id\") != null" "managed PAT in the full listing with the managed right"
list_as "$admtok" "owner-id=$alice"
is "$(ids)" "$ali_id $alim_id" "ORG_ADMIN sees managed PATs"

# scope-limited PATs
list_as "$sctok" owner-id=me
is "$status" 200 "PAT scoped to sp:my-personal-access-tokens:read may list"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $sctok"
envelope 403 "403 Forbidden" "PAT scoped to sp:my-personal-access-tokens:read reads MFA"
list_as "$mfatok" owner-id=me
envelope 403 "403 Forbidden" "PAT scoped to idn:mfa-configuration:read lists PATs"

# filters (adm, admsc, admmfa and the rest have been used; adm2 has not)
nowiso=$(iso $(($(now_s) + 3600)))
list_as "$admtok" "owner-id=me&filters=lastUsed+le+$nowiso"
is "$status" 200 "filters=lastUsed le <time>: 200"
is "$(ids)" "$adm_id $admsc_id $admmfa_id" "lastUsed le <in an hour>: the used PATs"
list_as "$admtok" "owner-id=me&filters=lastUsed%20le%20$(printf '%s' "$nowiso" | sed 's/:/%3A/g')"
is "$(ids)" "$adm_id $admsc_id $admmfa_id" "%20 and %3A escapes decode"
list_as "$admtok" "owner-id=me&filters=lastUsed+le+2000-01-01T00:00:00Z"
is "$status $body" "200 []" "lastUsed le <year 2000>: nothing"
list_as "$admtok" "owner-id=me&filters=lastUsed+le+%222099-01-01T00:00:00.000Z%22"
is "$(ids)" "$adm_id $admsc_id $admmfa_id" "quoted datetime literal"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull"
is "$(ids)" "$adm2_id" "lastUsed isnull: the unused PAT"
list_as "$admtok" "owner-id=me&filters=not+lastUsed+isnull"
is "$(ids)" "$adm_id $admsc_id $admmfa_id" "not lastUsed isnull"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull+or+lastUsed+le+$nowiso"
is "$(ids)" "$adm_id $adm2_id $admsc_id $admmfa_id" "isnull or le: all, in creation order"
list_as "$admtok" "owner-id=me&filters=%28lastUsed+isnull%29+and+not+%28lastUsed+le+2000-01-01T00%3A00%3A00Z%29"
is "$(ids)" "$adm2_id" "parentheses, and, not"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull+and+lastUsed+le+$nowiso"
is "$status $body" "200 []" "isnull and le: nothing"
req GET /beta/personal-access-tokens -G -H "Authorization: Bearer $admtok" \
    --data-urlencode owner-id=me --data-urlencode "filters=lastUsed isnull or (lastUsed le $nowiso)"
is "$(ids)" "$adm_id $adm2_id $admsc_id $admmfa_id" "curl --data-urlencode"
list_as "$admtok" "owner-id=me&limit=10&sorters=name&count=true&foo=bar"
is "$(ids)" "$adm_id $admmfa_id $admsc_id $adm2_id" "unknown query parameters are ignored (limit, sorters and count are not)"
is "$(hdr X-Total-Count)" 4 "count=true: X-Total-Count"

# limit, offset, count, sorters (stable paging over 2000 PATs: see volume)
list_as "$admtok" "owner-id=me&sorters=-name&limit=2&offset=1"
is "$(ids)" "$admsc_id $admmfa_id" "sorters=-name&limit=2&offset=1"
is "$(hdr X-Total-Count)" "" "no count, no X-Total-Count"
list_as "$admtok" "owner-id=me&limit=0&count=true&filters=lastUsed+isnull"
is "$status $body $(hdr X-Total-Count)" "200 [] 1" "limit=0&count=true: [] and the count (filters applied)"
list_as "$admtok" "owner-id=me&offset=4&count=false"
is "$status $body" "200 []" "offset past the end: []"
for q in limit=251 limit=-1 limit=%2B1 limit=1.5 limit= limit=99999999999999999999 \
    offset=-1 offset=x offset=9223372036854775808 count=yes count=1 \
    sorters=id sorters=-name,name sorters=name,,created; do
	list_as "$admtok" "owner-id=me&$q"
	envelope 400 "400.1 Bad Request Content" "$q"
	like "$msg" "${q%%=*}" "$q: the message names ${q%%=*}"
done

list_as "$admtok" "owner-id=me&filters=name+eq+%22admin-main%22"
envelope 400 "400.1 Bad Request Content" "filter on an unsupported field"
like "$msg" name "unsupported field: message names it"
list_as "$admtok" "owner-id=me&filters=lastUsed+eq+2020-01-01T00:00:00Z"
envelope 400 "400.1 Bad Request Content" "unsupported operator"
like "$msg" "'eq'" "unsupported operator: message names it"
list_as "$admtok" "owner-id=me&filters=lastUsed+gt+2020-01-01T00:00:00Z"
envelope 400 "400.1 Bad Request Content" "unsupported operator gt"
like "$msg" "'gt'" "unsupported operator gt: message names it"
list_as "$admtok" "owner-id=me&filters=lastUsed+le"
envelope 400 "400.1 Bad Request Content" "syntax error (missing value)"
like "$msg" position "syntax error: message gives the position"
list_as "$admtok" "owner-id=me&filters=%28lastUsed+isnull"
envelope 400 "400.1 Bad Request Content" "syntax error (unclosed parenthesis)"
like "$msg" position "unclosed parenthesis: position"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull+xor+lastUsed+isnull"
envelope 400 "400.1 Bad Request Content" "syntax error (unknown logical operator)"
like "$msg" "position 16" "position of the unexpected word (16)"
list_as "$admtok" "owner-id=me&filters=lastUsed+le+yesterday"
envelope 400 "400.1 Bad Request Content" "not a date-time"
list_as "$admtok" "owner-id=me&filters=lastUsed+LE+2020-01-01T00:00:00Z"
envelope 400 "400.1 Bad Request Content" "uppercase operator"
long=$(head -c 4100 /dev/zero | tr '\0' ' ')
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull$(printf '%s' "$long" | tr ' ' '+')"
envelope 400 "400.1 Bad Request Content" "filter over 4096 bytes"
deep=$(i=0; while [ $i -lt 40 ]; do printf 'not+'; i=$((i + 1)); done)
list_as "$admtok" "owner-id=me&filters=${deep}lastUsed+isnull"
envelope 400 "400.1 Bad Request Content" "filter nested deeper than 32"
ok8=$(i=0; while [ $i -lt 10 ]; do printf 'not+not+'; i=$((i + 1)); done)
list_as "$admtok" "owner-id=me&filters=${ok8}lastUsed+isnull"
is "$(ids)" "$adm2_id" "20 nested nots are fine"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull&filters=lastUsed+isnull"
envelope 400 "400.1 Bad Request Content" "filters given twice"
like "$msg" filters "filters given twice: message names the parameter"
list_as "$admtok" "owner-id=me&owner-id=me"
envelope 400 "400.1 Bad Request Content" "owner-id given twice"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull%FF"
envelope 400 "400.1 Bad Request Content" "invalid UTF-8 (%FF) in filters"
like "$msg" UTF-8 "invalid UTF-8: message says so"
like "$msg" filters "invalid UTF-8: message names the parameter"
list_as "$admtok" "owner-id=me&filters=%C3%28"
envelope 400 "400.1 Bad Request Content" "invalid UTF-8 (%C3%28) in filters"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull%00"
envelope 400 "400.1 Bad Request Content" "NUL byte (%00) in filters"
like "$msg" NUL "NUL byte: message says so"
list_as "$admtok" "owner-id=me&filters=lastUsed%2Gisnull"
envelope 400 "400.1 Bad Request Content" "bad %-escape"
like "$msg" "escape at position 8" "bad %-escape: message gives its position"
list_as "$admtok" "owner-id=me&filters=lastUsed+isnull%"
envelope 400 "400.1 Bad Request Content" "truncated %-escape"
like "$msg" "escape at position 15" "truncated %-escape: message gives its position"

# ================================================================== PAT write path
writer=$(mkid Writer idn:my-personal-access-tokens:manage,idn:my-personal-access-tokens:read)
mkpat wri "$writer" writer-1
wrtok=$(token "$wri_id" "$wri_sec")
[ -n "$wrtok" ]; ok $? "token for Writer (my-tokens manage and read)"
# post TOKEN BODY [CONTENT-TYPE]: POST /beta/personal-access-tokens
post() {
	req POST /beta/personal-access-tokens -H "Authorization: Bearer $1" \
	    -H "Content-Type: ${3:-application/json}" --data-binary "$2"
}
# patch TOKEN ID BODY [CONTENT-TYPE]
patch() {
	req PATCH "/beta/personal-access-tokens/$2" -H "Authorization: Bearer $1" \
	    -H "Content-Type: ${4:-application/json-patch+json}" --data-binary "$3"
}
# del TOKEN ID
del() { req DELETE "/beta/personal-access-tokens/$2" -H "Authorization: Bearer $1"; }
# stored ID: the PAT as the database has it (name|scope|expires|validity)
stored_pat() { sql "SELECT name, scope, expires, validity FROM pat WHERE id = '$1';"; }

# create
post "$wrtok" '{"name":"ci","scope":["sp:my-personal-access-tokens:read","demo:x"],"accessTokenValiditySeconds":60}'
is "$status" 200 "create: 200"
json_headers "create"
jok "$body" 'keys == ["accessTokenValiditySeconds","created","expirationDate","id","name","owner","scope","secret"]' \
    "create: id, secret, scope, name, owner, created, accessTokenValiditySeconds, expirationDate"
jok "$body" "(.id | test(\"$ID_RE\")) and (.secret | test(\"^[0-9a-f]{64}\$\"))
    and .name == \"ci\" and .scope == [\"sp:my-personal-access-tokens:read\",\"demo:x\"]
    and .owner == {\"type\":\"IDENTITY\",\"id\":\"$writer\",\"name\":\"Writer\"}
    and .accessTokenValiditySeconds == 60 and (.created | test(\"$TIME_RE\"))
    and (.expirationDate | test(\"$TIME_RE\"))" "create: the values, owned by the caller"
ci_id=$(jget "$body" .id)
ci_sec=$(jget "$body" .secret)
c_s=$(date -u -d "$(jget "$body" .created)" +%s)
e_s=$(date -u -d "$(jget "$body" .expirationDate)" +%s)
is $((e_s - c_s)) $((182 * 86400)) "create: expires pat.default_expiry (182 days) after its creation"
is "$(sql "SELECT count(*) FROM pat WHERE secret_hash = '$ci_sec';")" 0 "the secret itself is not stored"
req POST /oauth/token -d grant_type=client_credentials -d "client_id=$ci_id" -d "client_secret=$ci_sec"
is "$status" 200 "the new PAT gets a token"
is "$(jget "$body" .expires_in)" 60 "expires_in: its accessTokenValiditySeconds (60 < token.lifetime)"
citok=$(jget "$body" .access_token)
jp=${citok#*.}
jp=$(b64url_decode "${jp%%.*}")
is "$(jget "$jp" '.exp - .iat')" 60 "the JWT lives 60 s too"
is "$(jget "$jp" '.scope | join(" ")')" "sp:my-personal-access-tokens:read demo:x" "with the PAT's scope"
post "$wrtok" '{"name":"no-expiry","scope":null,"expirationDate":null}'
is "$status $(jget "$body" '.expirationDate, .scope' | tr '\n' ' ')" "200 null null " \
    "create with expirationDate and scope null: never expires, all scopes"
noexp_id=$(jget "$body" .id)
post "$wrtok" '{"name":"dated","expirationDate":"2099-12-31T23:00:00-01:00"}'
is "$status $(jget "$body" .expirationDate)" "200 2100-01-01T00:00:00.000Z" \
    "create with an RFC 3339 expirationDate: stored in UTC"
post "$wrtok" '{"name":"charset"}' 'application/json; charset=utf-8'
is "$status" 200 "create: charset parameter accepted"
# 400s
post "$wrtok" '{"name":"ci"}'
envelope 400 "400.1 Bad Request Content" "create: a name the owner already has"
like "$msg" 'named "ci"' "name taken: names the rule"
post "$wrtok" '{"name":"x","ownerId":"me"}'
envelope 400 "400.1 Bad Request Content" "create: an unknown key"
like "$msg" "'ownerId'" "unknown key: named"
post "$wrtok" '{"scope":["a"]}'
envelope 400 "400.1 Bad Request Content" "create: no name"
like "$msg" "name is required" "no name: says so"
post "$wrtok" '{"name":["x"]}'
envelope 400 "400.1 Bad Request Content" "create: name not a string"
post "$wrtok" '{"name":"x","scope":"sp:scopes:all"}'
envelope 400 "400.1 Bad Request Content" "create: scope not an array"
like "$msg" scope "scope not an array: named"
post "$wrtok" '{"name":"x","scope":[]}'
envelope 400 "400.1 Bad Request Content" "create: an empty scope"
post "$wrtok" '{"name":"x","accessTokenValiditySeconds":14}'
envelope 400 "400.1 Bad Request Content" "create: validity 14"
like "$msg" "between 15 and 43200" "validity 14: gives the range"
post "$wrtok" '{"name":"x","accessTokenValiditySeconds":"60"}'
envelope 400 "400.1 Bad Request Content" "create: validity as a string"
post "$wrtok" '{"name":"x","expirationDate":"2001-01-01T00:00:00Z"}'
envelope 400 "400.1 Bad Request Content" "create: an expiry in the past"
like "$msg" future "past expiry: says it must be in the future"
post "$wrtok" '{"name":"x","expirationDate":"soon"}'
envelope 400 "400.1 Bad Request Content" "create: an expiry that is no date"
post "$wrtok" '{"name":"x","name":"y"}'
envelope 400 "400.1 Bad Request Content" "create: duplicate keys"
printf '{"name":"caf\351"}' > "$tmp/latin1"
req POST /beta/personal-access-tokens -H "Authorization: Bearer $wrtok" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/latin1"
envelope 400 "400.1 Bad Request Content" "create: invalid UTF-8"
post "$wrtok" '{"name":'
envelope 400 "400.1 Bad Request Content" "create: not JSON"
post "$wrtok" '{"name":"x"}' text/plain
envelope 415 "415 Unsupported Media Type" "create: text/plain"
printf '{"name":"%s"}' "$(head -c 70000 /dev/zero | tr '\0' a)" > "$tmp/big"
req POST /beta/personal-access-tokens -H "Authorization: Bearer $wrtok" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/big"
envelope 413 "413 Payload Too Large" "create: a body over limits.request_body_max"
post "$alitok" '{"name":"x"}'
envelope 403 "403 Forbidden" "create with a read right only"
like "$msg" "idn:my-personal-access-tokens:manage" "403 names the right"
post "$sctok" '{"name":"x"}'
envelope 403 "403 Forbidden" "create with a PAT scoped to reading"
# pat.max_per_owner (10): Writer holds 5
for n in 6 7 8 9 10; do
	post "$wrtok" "{\"name\":\"fill-$n\"}"
	[ "$status" = 200 ] || diag "fill-$n: $status $body"
done
post "$wrtok" '{"name":"eleventh"}'
envelope 400 "400.1 Bad Request Content" "create past pat.max_per_owner"
like "$msg" "pat.max_per_owner" "the limit is named"
is "$(sql "SELECT count(*) FROM pat WHERE owner_id = '$writer';")" 10 "and nothing was added"
sleep 0.2
if grep -q -e "$ci_sec" "$(server_error_log)"; then r=1; else r=0; fi
ok $r "the new secret is not in the error log"

# patch
patch "$wrtok" "$ci_id" '[{"op":"replace","path":"/name","value":"ci-renamed"},{"op":"add","path":"/scope/-","value":"demo:y"},{"op":"replace","path":"/accessTokenValiditySeconds","value":120}]'
is "$status" 200 "PATCH: 200"
json_headers "PATCH"
jok "$body" 'keys == ["accessTokenValiditySeconds","created","expirationDate","id","lastUsed","managed","name","owner","scope"]' \
    "PATCH returns the PAT (GetPersonalAccessTokenResponse)"
jok "$body" '.name == "ci-renamed" and .scope == ["sp:my-personal-access-tokens:read","demo:x","demo:y"] and .accessTokenValiditySeconds == 120' \
    "PATCH: name, scope and validity changed"
is "$(stored_pat "$ci_id")" 'ci-renamed|["sp:my-personal-access-tokens:read","demo:x","demo:y"]|'"$(sql "SELECT expires FROM pat WHERE id = '$ci_id';")"'|120' \
    "PATCH: stored"
patch "$wrtok" "$ci_id" '[{"op":"test","path":"/name","value":"ci-renamed"},{"op":"remove","path":"/scope/1"},{"op":"remove","path":"/expirationDate"}]' application/json
is "$status $(jget "$body" '.scope | length') $(jget "$body" .expirationDate)" "200 2 null" \
    "PATCH as application/json, test/remove: 200, expiry removed (never)"
before=$(stored_pat "$ci_id")
patch "$wrtok" "$ci_id" '[{"op":"replace","path":"/name","value":"half"},{"op":"test","path":"/scope/0","value":"nope"}]'
envelope 400 "400.1 Bad Request Content" "PATCH with a failing test"
like "$msg" "operation 1" "failing test: names the operation's index"
is "$(stored_pat "$ci_id")" "$before" "failing test: nothing changed (all or nothing)"
patch "$wrtok" "$ci_id" '[{"op":"replace","path":"/name","value":"half"},{"op":"replace","path":"/owner/id","value":"x"}]'
envelope 400 "400.1 Bad Request Content" "PATCH of /owner/id"
like "$msg" "operation 1" "not patchable: names the operation's index"
is "$(stored_pat "$ci_id")" "$before" "not patchable: nothing changed"
patch "$wrtok" "$ci_id" '[{"op":"move","from":"/created","path":"/name"}]'
envelope 400 "400.1 Bad Request Content" "PATCH moving from /created"
like "$msg" "from" "from not patchable: says from"
patch "$wrtok" "$ci_id" '[{"op":"replace","path":"/name","value":"no-expiry"}]'
envelope 400 "400.1 Bad Request Content" "PATCH to a name the owner has"
patch "$wrtok" "$ci_id" '[{"op":"replace","path":"/expirationDate","value":"2001-01-01T00:00:00Z"}]'
envelope 400 "400.1 Bad Request Content" "PATCH an expiry into the past"
patch "$wrtok" "$ci_id" '{"op":"replace","path":"/name","value":"x"}'
envelope 400 "400.1 Bad Request Content" "PATCH with an object, not an array"
patch "$wrtok" "$ci_id" '[{"op":"jump","path":"/name"}]'
envelope 400 "400.1 Bad Request Content" "PATCH with an unknown op"
is "$(stored_pat "$ci_id")" "$before" "none of the bad patches changed anything"
patch "$wrtok" "$ci_id" '[]' text/plain
envelope 415 "415 Unsupported Media Type" "PATCH text/plain"
patch "$wrtok" 0123456789abcdef0123456789abcdef '[]'
envelope 404 "404 Not found" "PATCH an unknown id"
patch "$wrtok" "$adm_id" '[]'
envelope 404 "404 Not found" "PATCH another identity's PAT (not listable by the caller)"
patch "$admtok" "$ci_id" '[]'
envelope 403 "403 Forbidden" "PATCH another identity's PAT as ORG_ADMIN"
like "$msg" owner "only the owner: says so"
patch "$alitok" "$ali_id" '[]'
envelope 403 "403 Forbidden" "PATCH without a manage right"
req GET "/beta/personal-access-tokens/$ci_id" -H "Authorization: Bearer $wrtok"
envelope 405 "405 Method Not Allowed" "GET on a PAT"
is "$(hdr Allow)" "PATCH, DELETE" "GET on a PAT: Allow: PATCH, DELETE"
req GET "/beta/personal-access-tokens/$ci_id/x" -H "Authorization: Bearer $wrtok"
envelope 404 "404 Not found" "a path below a PAT"

# delete: 204; its token fails at once
req GET /beta/personal-access-tokens?owner-id=me -H "Authorization: Bearer $citok"
is "$status" 200 "the PAT's token works before the delete"
del "$wrtok" "$ci_id"
is "$status" 204 "DELETE: 204"
is "$body" "" "204: no body"
is "$(hdr Content-Type)" "" "204: no Content-Type"
is "$(hdr Cache-Control)" no-store "204: Cache-Control: no-store"
is "$(sql "SELECT count(*) FROM pat WHERE id = '$ci_id';")" 0 "DELETE: gone from the database"
unauth "personal access token no longer exists" "the deleted PAT's token, at once" -H "Authorization: Bearer $citok"
del "$wrtok" "$ci_id"
envelope 404 "404 Not found" "DELETE again"
del "$wrtok" "$adm2_id"
envelope 404 "404 Not found" "DELETE another identity's PAT (not listable by the caller)"
del "$bobtok" "$noexp_id"
envelope 403 "403 Forbidden" "DELETE without a manage right"
del "$admtok" "$noexp_id"
is "$status" 204 "DELETE another identity's PAT with ORG_ADMIN (all-tokens manage): 204"

# expiry, issuing: a PAT past its expirationDate gets no token
mkpat old "$writer" writer-expired
sql "UPDATE pat SET expires = $(( ($(now_s) - 60) * 1000 )) WHERE id = '$old_id';" || bail "sqlite3 update"
req POST /oauth/token -d grant_type=client_credentials -d "client_id=$old_id" -d "client_secret=$old_sec"
is "$status" 401 "an expired PAT: 401"
is "$(jget "$body" .error)" invalid_client "an expired PAT: invalid_client"
like "$(jget "$body" .error_description)" expired "an expired PAT: says it expired"
req POST /oauth/token -d grant_type=client_credentials -d "client_id=$old_id" -d "client_secret=${old_sec%?}x"
is "$(jget "$body" .error_description)" "Bad credentials" "an expired PAT, wrong secret: Bad credentials (the secret first)"
# expiry, validating: a PAT that expires in 3 s, its token refused after
del "$wrtok" "$old_id"
soon=$(( $(now_s) + 3 ))
post "$wrtok" "{\"name\":\"short-lived\",\"expirationDate\":\"$(date -u -d "@$soon" +%Y-%m-%dT%H:%M:%SZ)\"}"
is "$status" 200 "create a PAT that expires in 3 s"
sl_id=$(jget "$body" .id)
sl_sec=$(jget "$body" .secret)
req POST /oauth/token -d grant_type=client_credentials -d "client_id=$sl_id" -d "client_secret=$sl_sec"
is "$status" 200 "it gets a token"
in=$(jget "$body" .expires_in)
[ "$in" -ge 1 ] && [ "$in" -le 3 ]; ok $? "expires_in is the time left ($in s)"
sltok=$(jget "$body" .access_token)
req GET /beta/personal-access-tokens?owner-id=me -H "Authorization: Bearer $sltok"
is "$status" 200 "the token works before the expiry"
while [ "$(now_s)" -le "$soon" ]; do sleep 0.5; done
# The token lived only until the PAT's expiry: its own exp says so first.
unauth "JWT is expired" "the token after its PAT's expiry" -H "Authorization: Bearer $sltok"
req POST /oauth/token -d grant_type=client_credentials -d "client_id=$sl_id" -d "client_secret=$sl_sec"
is "$status $(jget "$body" .error)" "401 invalid_client" "and no new token"
# A token issued before its PAT's expiry was moved closer: refused at the
# PAT's new expiry, though the JWT itself is still valid.
post "$wrtok" '{"name":"moved-expiry"}'
mv_id=$(jget "$body" .id)
mv_sec=$(jget "$body" .secret)
mvtok=$(token "$mv_id" "$mv_sec")
soon=$(( $(now_s) + 2 ))
patch "$wrtok" "$mv_id" "[{\"op\":\"replace\",\"path\":\"/expirationDate\",\"value\":\"$(date -u -d "@$soon" +%Y-%m-%dT%H:%M:%SZ)\"}]"
is "$status" 200 "PATCH the expiry to 2 s from now"
req GET /beta/personal-access-tokens?owner-id=me -H "Authorization: Bearer $mvtok"
is "$status" 200 "the token issued before works until then"
while [ "$(now_s)" -le "$soon" ]; do sleep 0.5; done
unauth "personal access token has expired" "then the PAT's expiry refuses it" -H "Authorization: Bearer $mvtok"
del "$wrtok" "$mv_id"
# ... and a PATCH of the expiry revives a PAT
patch "$wrtok" "$sl_id" '[{"op":"replace","path":"/expirationDate","value":"2099-01-01T00:00:00Z"}]'
is "$status" 200 "PATCH the expiry of an expired PAT to the future: 200"
req POST /oauth/token -d grant_type=client_credentials -d "client_id=$sl_id" -d "client_secret=$sl_sec"
is "$status" 200 "a token again"

# ================================================================== Duo MFA
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok"
is "$status" 200 "Duo GET before any PUT: 200"
json_headers "Duo GET"
is "$(jc "$body")" \
    '{"accessKey":null,"configProperties":null,"enabled":false,"host":null,"identityAttribute":null,"mfaMethod":"duo-web"}' \
    "Duo GET before any PUT: the default object"
puts() {	# puts TOKEN BODY [CONTENT-TYPE]
	req PUT /beta/mfa/duo-web/config -H "Authorization: Bearer $1" \
	    -H "Content-Type: ${3:-application/json}" --data-binary "$2"
}
puts "$admtok" "$DUO_EXAMPLE"
is "$status" 200 "PUT the spec example: 200"
json_headers "Duo PUT"
is "$(jc "$body")" \
    '{"accessKey":"q******y","configProperties":{"ikey":"Q123WE45R6TY7890ZXCV","skey":"1******B"},"enabled":true,"host":"www.example.com","identityAttribute":"email","mfaMethod":"duo-web"}' \
    "PUT response: the spec's response example (q******y, 1******B, ikey unchanged)"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok"
is "$(jc "$body")" \
    '{"accessKey":"q******y","configProperties":{"ikey":"Q123WE45R6TY7890ZXCV","skey":"1******B"},"enabled":true,"host":"www.example.com","identityAttribute":"email","mfaMethod":"duo-web"}' \
    "GET after PUT: masked"
stored() { sql "SELECT json FROM duo_config;"; }
# opened JQPATH FIELD: a stored secret opened with the secrets key (the
# test helper tests/unseal; the database itself holds it sealed).
opened() {
	stored | jq -r "$1" | "$top_builddir/tests/unseal" "$S/secrets.key" \
	    "duo_config/1/$2"
}
like "$(stored | jq -r .accessKey)" "enc:v1:" "the database holds the accessKey sealed"
is "$(opened .accessKey accessKey)" qw123Y3QlA5UqocYpdU3rEkzrK2D497y "... which opens to the one PUT"
# read-modify-write: the masked values sent back keep the secrets
rmw=$(printf '%s' "$body" | jq -c '.enabled = false | .host = "api-1234.duosecurity.com"')
puts "$admtok" "$rmw"
is "$status" 200 "PUT of a GET with edits: 200"
is "$(jc "$body")" \
    '{"accessKey":"q******y","configProperties":{"ikey":"Q123WE45R6TY7890ZXCV","skey":"1******B"},"enabled":false,"host":"api-1234.duosecurity.com","identityAttribute":"email","mfaMethod":"duo-web"}' \
    "read-modify-write: edits applied, secrets still masked"
is "$(opened .accessKey accessKey) $(opened .configProperties.skey configProperties.skey)" \
    "qw123Y3QlA5UqocYpdU3rEkzrK2D497y 12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B" \
    "read-modify-write: both stored secrets still open to the ones PUT"
is "$(stored | jq -r .host)" api-1234.duosecurity.com "read-modify-write: host stored"
# charset parameter allowed; mfaMethod null stored as duo-web; short secret
puts "$admtok" '{"mfaMethod":null,"enabled":true,"accessKey":"short","configProperties":{"skey":"","x":1}}' \
    'application/json; charset=utf-8'
is "$status" 200 "application/json; charset=utf-8 accepted"
is "$(jc "$body")" \
    '{"accessKey":"********","configProperties":{"skey":"","x":1},"enabled":true,"host":null,"identityAttribute":null,"mfaMethod":"duo-web"}' \
    "absent keys take defaults, mfaMethod stored as duo-web, short secret ********, empty stays empty"
is "$(opened .accessKey accessKey)" short "short secret stored (sealed)"
puts "$admtok" '{"accessKey":"abcdefghij","configProperties":{"skey":"abcdefghi","ikey":"k"}}'
is "$(jget "$body" '.accessKey + " " + .configProperties.skey + " " + .configProperties.ikey')" \
    'a******j ******** k' "10 characters: first + ****** + last; 9 characters: ********"
puts "$admtok" '{"accessKey":"\u00e9\u00e8\u00ea\u00eb\u00e0\u00e2\u00e4\u00ee\u00ef\u00f4"}'
is "$(jget "$body" .accessKey)" "$(printf '\303\251******\303\264')" \
    "masking counts UTF-8 characters, not bytes"
puts "$admtok" '{}'
is "$(jc "$body")" \
    '{"accessKey":null,"configProperties":null,"enabled":false,"host":null,"identityAttribute":null,"mfaMethod":"duo-web"}' \
    "PUT {} resets to the defaults"
puts "$eritok" "$DUO_EXAMPLE"
is "$status" 200 "PUT with idn:mfa-configuration:manage: 200"
is "$(opened .configProperties.skey configProperties.skey)" 12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B "skey stored (sealed)"
# Secrets at rest: after every PUT above, the known secrets are nowhere in
# the database file, its WAL, a full .dump, or any log.
sleep 0.3
found=
for f in "$DB" "$DB-wal" "$(server_error_log)"; do
	[ -f "$f" ] || continue
	for sec in qw123Y3QlA5UqocYpdU3rEkzrK2D497y 12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B abcdefghij; do
		grep -a -q -F -e "$sec" "$f" && found="$found $f:$sec"
	done
done
sql .dump | grep -q -F -e qw123Y3QlA5Uqoc -e 12q3WERlcUHWJmiM -e abcdefghij && found="$found dump"
is "${found:-none}" none "the Duo secrets are in neither the database file, its WAL, .dump nor the log"
# A secrets key rotated while the responders run: picked up, no restart.
ctl key rotate --secrets > /dev/null
ok $? "patrolctl key rotate --secrets while $SETUP runs"
sleep 1.1	# responders look at the key file at most once a second
for i in 1 2 3 4 5 6; do
	req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok"
	[ "$status" = 200 ] || break
done
is "$status $(jget "$body" .configProperties.skey)" "200 1******B" \
    "after the rotation every responder opens the secrets"
# errors
puts "$admtok" "$DUO_EXAMPLE" text/plain
envelope 415 "415 Unsupported Media Type" "PUT text/plain"
req PUT /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" \
    -H 'Content-Type:' --data-binary "$DUO_EXAMPLE"
envelope 415 "415 Unsupported Media Type" "PUT without a Content-Type"
puts "$admtok" "$DUO_EXAMPLE" application/x-www-form-urlencoded
envelope 415 "415 Unsupported Media Type" "PUT form-urlencoded"
puts "$admtok" '{"enabled":'
envelope 400 "400.1 Bad Request Content" "PUT non-JSON"
puts "$admtok" ''
envelope 400 "400.1 Bad Request Content" "PUT empty body"
puts "$admtok" '[{"enabled":true}]'
envelope 400 "400.1 Bad Request Content" "PUT a JSON array"
puts "$admtok" '"duo-web"'
envelope 400 "400.1 Bad Request Content" "PUT a JSON string"
puts "$admtok" '{"enabled":true,"bogusField":1}'
envelope 400 "400.1 Bad Request Content" "PUT with an unknown key"
like "$msg" bogusField "unknown key: message names it"
puts "$admtok" '{"enabled":"yes"}'
envelope 400 "400.1 Bad Request Content" "PUT enabled as a string"
like "$msg" enabled "wrong type: message names the field"
puts "$admtok" '{"enabled":null}'
envelope 400 "400.1 Bad Request Content" "PUT enabled null (not nullable)"
puts "$admtok" '{"host":5}'
envelope 400 "400.1 Bad Request Content" "PUT host as a number"
like "$msg" host "host as a number: message names it"
puts "$admtok" '{"configProperties":{"skey":5}}'
envelope 400 "400.1 Bad Request Content" "PUT skey as a number"
like "$msg" skey "skey wrong type: message names it"
puts "$admtok" '{"configProperties":[1]}'
envelope 400 "400.1 Bad Request Content" "PUT configProperties as an array"
like "$msg" configProperties "configProperties wrong type: message names it"
puts "$admtok" '{"mfaMethod":"okta-verify"}'
envelope 400 "400.1 Bad Request Content" "PUT another mfaMethod"
like "$msg" mfaMethod "mfaMethod: message names it"
puts "$admtok" '{"enabled":true,"enabled":false}'
envelope 400 "400.1 Bad Request Content" "PUT duplicate keys"
deepj='{"configProperties":{"a":'
i=0
while [ $i -lt 20 ]; do deepj="${deepj}["; i=$((i + 1)); done
deepj="${deepj}1"
i=0
while [ $i -lt 20 ]; do deepj="$deepj]"; i=$((i + 1)); done
deepj="$deepj}}"
puts "$admtok" "$deepj"
envelope 400 "400.1 Bad Request Content" "PUT nested deeper than 16"
printf '{"host":"caf\351"}' > "$tmp/latin1"
req PUT /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/latin1"
envelope 400 "400.1 Bad Request Content" "PUT invalid UTF-8"
big=$(head -c 70000 /dev/zero | tr '\0' a)
printf '{"host":"%s"}' "$big" > "$tmp/big"
req PUT /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/big"
envelope 413 "413 Payload Too Large" "PUT over limits.request_body_max"
json_headers "413"
head -c 65500 /dev/zero | tr '\0' a > "$tmp/fit"
printf '{"host":"%s"}' "$(cat "$tmp/fit")" > "$tmp/fit.json"
req PUT /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/fit.json"
is "$status" 200 "PUT just under limits.request_body_max: 200"
is "$(stored | jq -r '.host | length')" 65500 "the body just under the limit is stored whole"
puts "$admtok" "$DUO_EXAMPLE"
is "$status" 200 "PUT the example again"
# rights and scopes
puts "$fratok" "$DUO_EXAMPLE"
envelope 403 "403 Forbidden" "PUT without ORG_ADMIN or the manage right"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $fratok"
envelope 403 "403 Forbidden" "GET without any MFA right"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $bobtok"
envelope 403 "403 Forbidden" "GET with only PAT rights"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $davtok"
is "$status" 200 "GET with idn:mfa-configuration:read: 200"
is "$(jget "$body" .accessKey)" 'q******y' "GET with the read right is masked too"
puts "$davtok" "$DUO_EXAMPLE"
envelope 403 "403 Forbidden" "PUT with only idn:mfa-configuration:read"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $eritok"
is "$status" 200 "GET with idn:mfa-configuration:manage: 200"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $mfatok"
is "$status" 200 "PAT scoped to idn:mfa-configuration:read: GET 200"
puts "$mfatok" "$DUO_EXAMPLE"
envelope 403 "403 Forbidden" "PAT scoped to idn:mfa-configuration:read: PUT 403"

# ================================================================== routing
req GET /beta/nothing-here -H "Authorization: Bearer $admtok"
envelope 404 "404 Not found" "unknown /beta path"
json_headers "404"
tid1=$(jget "$body" .trackingId)
req GET /nowhere
envelope 404 "404 Not found" "unknown path outside /beta"
like "$msg" /nowhere "404 message names the path"
tid2=$(jget "$body" .trackingId)
[ "$tid1" != "$tid2" ]; ok $? "tracking ids differ between two errors ($tid1, $tid2)"
req GET /beta/personal-access-tokens/ -H "Authorization: Bearer $admtok"
envelope 404 "404 Not found" "trailing slash is another path"
req GET / -H "Authorization: Bearer $admtok"
is "$status" 404 "GET /: 404"
req DELETE /beta/personal-access-tokens -H "Authorization: Bearer $admtok"
envelope 405 "405 Method Not Allowed" "DELETE on the PAT list"
is "$(hdr Allow)" "GET, POST" "DELETE on the list: Allow: GET, POST"
req POST /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" \
    -H 'Content-Type: application/json' --data-binary "$DUO_EXAMPLE"
envelope 405 "405 Method Not Allowed" "POST on the Duo config"
is "$(hdr Allow | tr -d ' ' | tr ',' '\n' | sort | tr '\n' ,)" "GET,PUT," \
    "POST on the Duo config: Allow lists GET and PUT"
tid3=$(jget "$body" .trackingId)
sleep 1
grep -q "$tid3" "$(server_error_log)"
ok $? "the tracking id is in the web server's error log"
like "$(grep "$tid3" "$(server_error_log)")" 405 "the log line has the status"
if grep -q -e "$adm_sec" -e "$admtok" "$(server_error_log)"; then r=1; else r=0; fi
ok $r "no PAT secret or bearer token in the error log"

# query string bounds: 8192 bytes pass, 8193 are a 414
q="owner-id=me&x="
pad=$(head -c $((8192 - ${#q})) /dev/zero | tr '\0' a)
list_as "$admtok" "$q$pad"
is "$status" 200 "query string of exactly 8192 bytes: 200"
list_as "$admtok" "${q}a$pad"
envelope 414 "414 URI Too Long" "query string of 8193 bytes"
pad=$(head -c 20000 /dev/zero | tr '\0' a)
list_as "$admtok" "$q$pad"
envelope 414 "414 URI Too Long" "query string of 20 KB"

# ================================================================== web server errors
# What the web server refuses before patrol sees it still comes back as the
# API's envelope (etc/errors/NNN.json, its tracking id all zeros), JSON.
# wsenvelope STATUS DETAIL NAME
wsenvelope() {
	is "$status" "$1" "$3: status $1"
	jok "$body" "(keys == [\"causes\",\"detailCode\",\"messages\",\"trackingId\"])
	    and .detailCode == \"$2\" and (.trackingId | test(\"^[0-9a-f]{32}\$\"))" \
	    "$3: envelope $2"
	like "$(hdr Content-Type)" "application/json" "$3: JSON content type"
}
# A body of 1,000,000 bytes is under every recipe's web server limit
# (mod_fcgid's default is 128 KiB: the recipe raises it), so patrol answers
# its own 413, with a tracking id of its own (the pages' are all zeros).
head -c 1000000 /dev/zero > "$tmp/mb"
req PUT /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/mb"
envelope 413 "413 Payload Too Large" "a body of 1,000,000 bytes"
unlike "$(jget "$body" .trackingId)" 00000000000000000000000000000000 \
    "a body of 1,000,000 bytes: patrol's 413, not the web server's"
rm -f "$tmp/mb"
# TRACE echoes the request back, bearer token and all, where the web server
# answers it (Apache: TraceEnable off).
req TRACE /beta/personal-access-tokens -H "Authorization: Bearer $admtok"
unlike "$hdrs $body" "$admtok" "TRACE does not echo the Authorization header"
# A body far over every limit (16 MiB): the web server's own 413 (or
# patrol's, where the web server lets it through).
head -c 16777216 /dev/zero > "$tmp/huge"
req PUT /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" \
    -H 'Content-Type: application/json' --data-binary "@$tmp/huge"
wsenvelope 413 "413 Payload Too Large" "a 16 MiB body"
rm -f "$tmp/huge"
# wsearly STATUS DETAIL NAME: wsenvelope for what the web server refuses in
# the request line or headers; where the setup answers those with the host's
# own pages (SRV_HOST_PAGES, tests/server.sh), the status only.
wsearly() {
	if [ -n "${SRV_HOST_PAGES:-}" ]; then
		is "$status" "$1" "$3: status $1 (the host's page: SRV_HOST_PAGES)"
	else
		wsenvelope "$@"
	fi
}
# Request headers of 100 KB: over every server's header limit.
hpad=$(head -c 102400 /dev/zero | tr '\0' a)
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok" -H "X-Pad: $hpad"
case $status in
431) wsearly 431 "431 Request Header Fields Too Large" "a 100 KB header" ;;
400) wsearly 400 "400.1 Bad Request Content" "a 100 KB header" ;;
*) wsearly 431 "431 Request Header Fields Too Large" "a 100 KB header" ;;
esac
# A request line of 100 KB.
list_as "$admtok" "$q$hpad"
case $status in
431) wsearly 431 "431 Request Header Fields Too Large" "a 100 KB request line" ;;
*) wsearly 414 "414 URI Too Long" "a 100 KB request line" ;;
esac

# ================================================================== volume
# 2000 more PATs for Bob, inserted in one transaction by copying his PAT row.
cols=$(sql "SELECT group_concat(name, ',') FROM pragma_table_info('pat');")
sel=$(printf '%s' "$cols" | tr ',' '\n' | sed \
    -e "s/^id\$/printf('%032x', 4294967296 + n) AS id/" \
    -e "s/^name\$/'bulk-' || n AS name/" \
    -e "s/^created\$/created + n AS created/" | paste -sd, -)
sql "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2000)
    INSERT INTO pat ($cols) SELECT $sel FROM c, pat WHERE pat.id = '$bob_id';" ||
	bail "sqlite3 bulk insert"
t0=$(date +%s%N)
list_as "$bobtok" "owner-id=$bob"
t1=$(date +%s%N)
is "$status" 200 "listing 2001 PATs: 200"
is "$(jget "$body" length)" 2001 "listing 2001 PATs: valid JSON with every item"
jok "$body" '[.[].id] | unique | length == 2001' "2001 distinct ids"
jok "$body" '.[1].name == "bulk-1" and .[2000].name == "bulk-2000"' "in creation order"
diag "2001 PATs listed in $(( (t1 - t0) / 1000000 )) ms, $(printf '%s' "$body" | wc -c) bytes"
list_as "$bobtok" "owner-id=$bob&filters=lastUsed+isnull"
is "$(jget "$body" length)" 0 "the filter runs over the big listing too (all used)"

# Stable paging under every sorter: ties on every key (created in 20
# values, lastUsed in 10 and null, names equal but for case), pages of 250
# concatenated are the whole listing, which is in order, ties by id.
base=1700000000000
sql "UPDATE pat SET created = $base + (CAST(substr(name, 6) AS INTEGER) % 20) * 1000,
    last_used = CASE WHEN CAST(substr(name, 6) AS INTEGER) % 3 = 0 THEN NULL
    ELSE $base + (CAST(substr(name, 6) AS INTEGER) % 10) * 1000 END
    WHERE owner_id = '$bob' AND name LIKE 'bulk-%';
    UPDATE pat SET name = 'BULK-' || (CAST(substr(name, 6) AS INTEGER) + 1)
    WHERE owner_id = '$bob' AND name LIKE 'bulk-%'
    AND CAST(substr(name, 6) AS INTEGER) % 2 = 0;" || bail "sqlite3 ties"
is "$(sql "SELECT count(*) FROM pat WHERE owner_id = '$bob' AND name = 'BULK-3';")" 1 \
    "names equal but for case (bulk-3, BULK-3)"
for so in created -created name -name lastUsed -lastUsed name,-created -lastUsed,name,created; do
	list_as "$bobtok" "owner-id=$bob&sorters=$so&count=true"
	full=$(ids)
	is "$(hdr X-Total-Count)" 2001 "sorters=$so: X-Total-Count 2001"
	case $so in
	created) oracle='sort_by(.created, .id)' ;;
	-created) oracle='sort_by(.created, .id) | reverse' ;;
	name) oracle='sort_by((.name | ascii_downcase), .id)' ;;
	-name) oracle='sort_by((.name | ascii_downcase), .id) | reverse' ;;
	lastUsed) oracle='sort_by(.lastUsed, .id)' ;;
	-lastUsed) oracle='sort_by(.lastUsed, .id) | reverse' ;;
	*) oracle= ;;
	esac
	if [ -n "$oracle" ]; then
		is "$full" "$(jget "$body" "$oracle | [.[].id] | join(\" \")")" \
		    "sorters=$so: in order, ties by id"
	fi
	paged= off=0
	while [ $off -lt 2100 ]; do
		list_as "$bobtok" "owner-id=$bob&sorters=$so&limit=250&offset=$off"
		paged="$paged${paged:+ }$(ids)"
		off=$((off + 250))
	done
	paged=$(printf '%s' "$paged" | tr -s ' ' | sed 's/ $//')
	is "$paged" "$full" "sorters=$so: pages of 250 concatenated are the whole listing"
done

# ================================================================== concurrency
# 40 requests, 8 at a time, over whatever responders the setup runs.
i=0
while [ $i -lt 40 ]; do
	printf '%s\n' "$i"
	i=$((i + 1))
done | xargs -P 8 -I{} sh -c '
	if [ $(({} % 2)) -eq 0 ]; then
		curl -s -o /dev/null -w "%{http_code}\n" -H "Authorization: Bearer $2" "$1/beta/mfa/duo-web/config"
	else
		curl -s -o /dev/null -w "%{http_code}\n" -d grant_type=client_credentials -d "client_id=$3" -d "client_secret=$4" "$1/oauth/token"
	fi' sh "$BASE" "$admtok" "$adm_id" "$adm_sec" > "$tmp/par"
is "$(sort "$tmp/par" | uniq -c | awk '{print $1 ":" $2}')" "40:200" "40 concurrent requests all answered 200"

# ================================================================== respawn
# Responders that die (here: all of them, SIGKILL by PID) are started again
# by whatever runs them (the web server, or systemd's socket).
if [ -n "$SRV_RESPONDERS" ]; then
	old_kids=$(server_responders | tr '\n' ' ')
	for k in $old_kids; do kill -KILL "$k"; done
	sleep 0.5
	req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok"
	is "$status" 200 "after the responders were killed, patrol-beta answers again"
	req POST /oauth/token -d grant_type=client_credentials \
	    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
	is "$status" 200 "... and patrol-oauth"
	new_kids=$(server_responders | tr '\n' ' ')
	is "$(echo "$new_kids" | wc -w)" "$SRV_RESPONDERS" "$SRV_RESPONDERS responders again"
	[ "$new_kids" != "$old_kids" ]
	ok $? "new processes ($old_kids -> $new_kids)"
fi

# ================================================================== 500
# An internal fault (here: a stored Duo configuration that is not JSON, as a
# damaged database would give): the generic 500 envelope, the details only
# in the log under the same tracking id, and no secret anywhere.
saved_duo=$(stored)
sql "UPDATE duo_config SET json = '{\"accessKey\":\"qw123Y3QlA5UqocYpdU3rEkzrK2D497y\"';"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok"
envelope 500 "500.0 Internal Fault" "damaged stored configuration"
is "$msg" "An internal fault occurred." "500: the generic text, no internals"
json_headers "500"
tid=$(jget "$body" .trackingId)
sleep 0.2
log500=$(grep -F "$tid" "$(server_error_log)" 2>/dev/null)
like "$log500" "not valid JSON" "500: the log has the details under the tracking id"
unlike "$body$log500" "qw123Y3QlA5" "500: the secret is in neither body nor log"
sql "UPDATE duo_config SET json = '$(printf '%s' "$saved_duo" | sed "s/'/''/g")';"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $admtok"
is "$status" 200 "repaired: 200 again"

# ================================================================== signing key rotation
# The signing key rotated while the responders run: tokens of the old key
# still verify (it is kept as FILE.<kid>), new tokens use the new key on
# every responder at once, and once pruned the old key's tokens are refused.
t_old=$(token "$adm_id" "$adm_sec")
ctl key rotate --signing > "$tmp/rot" 2>&1
ok $? "patrolctl key rotate --signing while $SETUP runs"
sleep 1.1	# responders look at the key files at most once a second
kept=$(sed -n 's/.* kept as \([^ ]*\) until.*/\1/p' "$tmp/rot")
[ -f "$kept" ]
ok $? "the previous signing key is kept ($kept)"
t_new=$(token "$adm_id" "$adm_sec")
bad=0
for i in 1 2 3 4 5 6 7 8; do
	req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $t_new"
	[ "$status" = 200 ] || bad=$((bad + 1))
	req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $t_old"
	[ "$status" = 200 ] || bad=$((bad + 1))
done
is "$bad" 0 "after the rotation, 8 rounds: new and old tokens verify on every responder"
old_hex=$KEYHEX
KEYHEX=$(od -An -v -tx1 "$KEY" | tr -d ' \n')
[ "$KEYHEX" != "$old_hex" ]
ok $? "$KEY holds a new key"
is "${t_new##*.}" "$(printf '%s' "${t_new%.*}" | hs sha256 "$KEYHEX")" \
    "new tokens are signed with the new key"
ctl key prune > "$tmp/prune"
like "$(cat "$tmp/prune")" "kept $kept" "key prune keeps a key whose tokens may be valid"
touch -d '-2 hours' "$kept"
ctl key prune > "$tmp/prune"
like "$(cat "$tmp/prune")" "removed $kept" "key prune removes it once token.lifetime has passed"
sleep 1.1
unauth "JWT signing key is unknown" "a token of the pruned key" -H "Authorization: Bearer $t_old"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $t_new"
is "$status" 200 "the new key's token still verifies"
admtok=$t_new
# ================================================================== audit trail
# Through the web server: each change and each refusal is on the record,
# with the caller, its PAT, the client address the server passed and the
# trackingId of the answer; no secret in any row.
a_since=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
sleep 0.01
post "$admtok" '{"name":"audited"}'
is "$status" 200 "audit: a PAT created through $SETUP"
a_pat=$(jget "$body" .id)
a_sec=$(jget "$body" .secret)
del "$admtok" "$a_pat"
is "$status" 204 "audit: and deleted"
puts "$admtok" "$DUO_EXAMPLE"
is "$status" 200 "audit: a Duo PUT"
del "$admtok" 0123456789abcdef0123456789abcdef
is "$status" 404 "audit: deleting an unknown PAT: 404"
a_tid=$(jget "$body" .trackingId)
req GET /beta/personal-access-tokens -H "Authorization: Bearer not.a.token"
is "$status" 401 "audit: a bad bearer token: 401"
req POST /oauth/token -d grant_type=client_credentials \
    -d "client_id=$adm_id" -d "client_secret=not-the-secret"
is "$status" 401 "audit: a wrong client secret: 401"
a_rows=$(ctl audit list --json --since "$a_since")
# arow OPERATION OUTCOME-PREFIX: the first such row, compact
arow() {
	jget "$a_rows" "[.[] | select(.operation == \"$1\" and (.outcome | startswith(\"$2\")))][0]
	    | [.actor, .patId, .client, .target, .outcome] | map(. // \"-\") | join(\"|\")"
}
is "$(arow createPersonalAccessToken ok)" "$admin|$adm_id|127.0.0.1|$a_pat|ok" \
    "audit: the creation: actor, PAT, client address, target, outcome"
is "$(arow deletePersonalAccessToken ok)" "$admin|$adm_id|127.0.0.1|$a_pat|ok" \
    "audit: the deletion"
is "$(arow setMFADuoConfig ok)" "$admin|$adm_id|127.0.0.1|duo-web|ok" "audit: the Duo PUT"
like "$(arow deletePersonalAccessToken 404)" "$admin|$adm_id|127.0.0.1|0123456789abcdef0123456789abcdef|404 " \
    "audit: the refused deletion, with its status and why"
is "$(jget "$a_rows" "[.[] | select(.outcome | startswith(\"404\"))][0].trackingId")" "$a_tid" \
    "audit: its trackingId is the one the answer showed"
like "$(arow listPersonalAccessTokens 401)" "-|-|127.0.0.1|-|401 JWT validation failed: " \
    "audit: the refused bearer token"
is "$(arow createOauthToken 401)" "-|-|127.0.0.1|$adm_id|401 Bad credentials" \
    "audit: the refused client secret, naming the client id"
is "$(jget "$a_rows" '[.[] | select(.operation == "createOauthToken" and .outcome == "ok")] | length')" 0 \
    "audit: tokens granted are not recorded"
a_dump=$(sql '.dump audit')
if printf '%s' "$a_dump" | grep -q -e "$a_sec" -e "$adm_sec" -e not-the-secret \
    -e qw123Y3QlA5 -e 12q3WERlcUHW -e "$admtok"; then r=1; else r=0; fi
ok $r "audit: no secret, client secret or bearer token in any row"

# ================================================================== shutdown
kids=$(server_responders)
server_stop
alive=0
for k in $kids; do _lt_alive "$k" && alive=$((alive + 1)); done
is "$alive" 0 "stopping $SETUP by PID stops its responders"
# Web servers buffer access logs: read it once the server has stopped.
grep -q 'POST /oauth/token' "$(server_access_log)"
ok $? "the access log records token requests"
if grep -q -e "$adm_sec" "$(server_access_log)"; then r=1; else r=0; fi
ok $r "the client_secret sent in a query string is not in the access log"

# ================================================================== 503
# A database that patrolctl has not initialised yet: 503 until it has, with
# no restart. (The signing key is there: without it the responders exit.)
S2=$tmp/s2
mkdir -p "$S2"
cp "$CONF" "$KEY" "$S2/" || bail "cannot copy the state"
PATROL_CONFIG=$S2/patrol.conf
server_start "$S2" || bail "cannot start $SETUP on an empty state"
req POST /oauth/token -d grant_type=client_credentials \
    -d "client_id=$adm_id" -d "client_secret=$adm_sec"
envelope 503 "503 Service Unavailable" "token before patrolctl init"
unlike "$msg" "$S2" "the 503 message does not show server paths"
json_headers "503"
good=$(forge "$HS256" "$(claims "$adm_id" "$admin" "$(now_s)" $(($(now_s) + 600)))")
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $good"
envelope 503 "503 Service Unavailable" "Duo GET before patrolctl init"
"$CTL" --config "$S2/patrol.conf" init >/dev/null
ok $? "patrolctl init while $SETUP runs"
req GET /beta/mfa/duo-web/config -H "Authorization: Bearer $good"
is "$status $body" '401 {"error":"JWT validation failed: personal access token no longer exists"}' \
    "after init, without a restart: the database answers (that PAT is not in it)"
server_stop

done_testing
