/*
 * t_server.c: the HTTP layer end to end inside one process: requests go
 * through patrol_server_handle with an in-memory struct patrol_io, against
 * a real SQLite database and signing key in a temporary directory. This is
 * what runs under ASan/UBSan and valgrind; tests/cgi.sh and tests/e2e.sh
 * cover the same paths through the executables and lighttpd.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

/* ---- an in-memory request ---------------------------------------- */

struct fake {
	const char	*names[12];
	const char	*values[12];
	const char	*body;
	size_t		 bodylen, off;
	size_t		 failafter;	/* writes fail past this many bytes */
	struct pbuf	 out;
	struct pbuf	 log;
};

static const char *
f_param(void *arg, const char *name)
{
	struct fake	*f = arg;
	size_t		 i;

	for (i = 0; i < 12 && f->names[i] != NULL; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}

static long
f_read(void *arg, char *buf, size_t len)
{
	struct fake	*f = arg;
	size_t		 n = f->bodylen - f->off;

	if (n > len)
		n = len;
	if (n > 7)		/* short reads, to exercise the read loop */
		n = 7;
	memcpy(buf, f->body + f->off, n);
	f->off += n;
	return (long)n;
}

static int
f_write(void *arg, const char *buf, size_t len)
{
	struct fake	*f = arg;

	if (f->failafter > 0 && f->out.len + len > f->failafter)
		return -1;
	return pbuf_add(&f->out, buf, len);
}

static void
f_log(void *arg, const char *line)
{
	pbuf_adds(&((struct fake *)arg)->log, line);
	pbuf_adds(&((struct fake *)arg)->log, "\n");
}

struct resp {
	int	 status;
	char	*head;		/* header block */
	char	*body;
	json_t	*json;		/* parsed body or NULL */
	char	*log;
};

static void
resp_clear(struct resp *r)
{
	free(r->head);
	free(r->body);
	free(r->log);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static void
setp(struct fake *f, const char *name, const char *value)
{
	size_t	 i;

	if (value == NULL)
		return;
	for (i = 0; i < 11 && f->names[i] != NULL; i++)
		continue;
	f->names[i] = name;
	f->values[i] = value;
}

/* REMOTE_ADDR of the requests, or NULL (none). */
static const char *fake_addr;

/* Serves one request; uri may carry a query string. */
static void
request(struct patrol_server *s, const char *method, const char *uri,
    const char *authz, const char *ctype, const char *body, const char *clen,
    struct resp *r)
{
	struct fake		 f;
	struct patrol_io	 io = { &f, f_param, f_read, f_write, f_log };
	const char		*q, *sep;
	char			 lenbuf[32], *query = NULL;

	memset(&f, 0, sizeof(f));
	memset(r, 0, sizeof(*r));
	f.body = body != NULL ? body : "";
	f.bodylen = strlen(f.body);
	setp(&f, "REQUEST_METHOD", method);
	setp(&f, "REQUEST_URI", uri);
	if ((q = strchr(uri, '?')) != NULL)
		query = strdup(q + 1);
	setp(&f, "QUERY_STRING", query);
	setp(&f, "HTTP_AUTHORIZATION", authz);
	setp(&f, "CONTENT_TYPE", ctype);
	if (clen == NULL && body != NULL) {
		snprintf(lenbuf, sizeof(lenbuf), "%zu", f.bodylen);
		clen = lenbuf;
	}
	setp(&f, "CONTENT_LENGTH", clen);
	setp(&f, "REMOTE_ADDR", fake_addr);
	if (patrol_server_handle(s, &io) != 0)
		r->status = -1;
	else if (f.out.s != NULL && sscanf(f.out.s, "Status: %d", &r->status) == 1 &&
	    (sep = strstr(f.out.s, "\r\n\r\n")) != NULL) {
		r->head = xstrndup(f.out.s, (size_t)(sep - f.out.s + 2));
		r->body = strdup(sep + 4);
		r->json = json_loads(r->body, 0, NULL);
	}
	r->log = pbuf_take(&f.log);
	pbuf_free(&f.log);
	pbuf_free(&f.out);
	free(query);
}

/* ---- fixtures ------------------------------------------------------- */

static char dir[] = "/tmp/patrol-t_server-XXXXXX";
static char confpath[256], keypath[256], dbpath[256], sealpath[256];

struct who {
	const char	*name;
	const char	*rights;	/* comma-separated */
	const char	*scope;		/* comma-separated or NULL */
	int		 managed;
	char		 id[PATROL_ID_LEN + 1];
	char		 pat[PATROL_ID_LEN + 1];
	char		 secret[PATROL_SECRET_LEN + 1];
	char		*bearer;	/* "Bearer <jwt>" */
};

enum { ADMIN, MINE, ALL, MANAGED, MFAREAD, NOBODY, SCOPED, MYMAN, ALLMAN,
    READMAN, LIMITED, NWHO };

static struct who who[NWHO] = {
	{ .name = "Admin", .rights = "ORG_ADMIN" },
	{ .name = "Mine", .rights = "idn:my-personal-access-tokens:read" },
	{ .name = "All", .rights = "idn:all-personal-access-tokens:read" },
	{ .name = "Managed", .rights = "idn:all-personal-access-tokens:read,"
	  "idn:managed-personal-access-tokens:read" },
	{ .name = "MfaRead", .rights = "idn:mfa-configuration:read" },
	{ .name = "Nobody", .rights = "" },
	{ .name = "Scoped", .rights = "ORG_ADMIN",
	  .scope = "sp:my-personal-access-tokens:read" },
	{ .name = "MyManage",
	  .rights = "idn:my-personal-access-tokens:manage" },
	{ .name = "AllManage",
	  .rights = "idn:all-personal-access-tokens:manage" },
	{ .name = "ReadManage", .rights = "idn:all-personal-access-tokens:read,"
	  "idn:my-personal-access-tokens:manage" },
	{ .name = "Limited", .rights = "ORG_ADMIN",
	  .scope = "sp:my-personal-access-tokens:manage,demo:a" },
};

static size_t
split(const char *s, char ***out)
{
	char	*copy, *tok, *save = NULL;
	size_t	 n = 0;

	*out = NULL;
	if (s == NULL || *s == '\0')
		return 0;
	copy = strdup(s);
	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		*out = realloc(*out, (n + 1) * sizeof(char *));
		(*out)[n++] = strdup(tok);
	}
	free(copy);
	return n;
}

/* Adds a PAT straight into the store, with any expiry (ms, -1 never) and
 * validity; id and secret (may be NULL) receive its id and secret. */
static void
add_pat_x(struct patrol_store *st, const char *owner, const char *name,
    const char *scope, int managed, int64_t expires, long validity,
    char *id, char *secret)
{
	struct patrol_pat	 p;
	char			 sec[PATROL_SECRET_LEN + 1];
	struct patrol_error	 err;

	memset(&p, 0, sizeof(p));
	patrol_id_new(p.id);
	p.name = (char *)name;
	p.nscope = split(scope, &p.scope);
	p.scope_null = scope == NULL;
	strcpy(p.owner_id, owner);
	p.created = patrol_time_now();
	p.last_used = -1;
	p.managed = managed;
	p.expires = expires;
	p.validity = validity;
	patrol_random_hex(sec, PATROL_SECRET_LEN / 2);
	patrol_secret_hash(sec, strlen(sec), p.secret_hash);
	if (patrol_store_pat_add(st, &p, 0, &err) != PATROL_OK)
		tap_diag("pat_add: %s", err.text);
	if (id != NULL)
		strcpy(id, p.id);
	if (secret != NULL)
		strcpy(secret, sec);
	while (p.nscope > 0)
		free(p.scope[--p.nscope]);
	free(p.scope);
}

static void
add_pat(struct patrol_store *st, const char *owner, const char *name,
    const char *scope, int managed, char *id, char *secret)
{
	add_pat_x(st, owner, name, scope, managed, -1,
	    PATROL_VALIDITY_DEFAULT, id, secret);
}

static int
setup(struct patrol_conf **conf, struct patrol_store **st)
{
	struct patrol_error	 err;
	struct patrol_identity	 id;
	FILE			*f;
	size_t			 i;

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(confpath, sizeof(confpath), "%s/patrol.conf", dir);
	snprintf(keypath, sizeof(keypath), "%s/signing.key", dir);
	snprintf(dbpath, sizeof(dbpath), "%s/patrol.db", dir);
	snprintf(sealpath, sizeof(sealpath), "%s/secrets.key", dir);
	if ((f = fopen(confpath, "w")) == NULL)
		return -1;
	fprintf(f, "database = { backend = \"sqlite\"; path = \"patrol.db\"; };\n"
	    "token = { signing_key_file = \"signing.key\"; issuer = \"t\"; "
	    "lifetime = 3600; };\n"
	    "limits = { request_body_max = 2048; requests_per_token = 1000000; };\n");
	fclose(f);
	if (patrol_conf_load(confpath, conf, &err) != PATROL_OK ||
	    patrol_key_generate(keypath, &err) != PATROL_OK ||
	    patrol_seal_generate(sealpath, &err) != PATROL_OK ||
	    patrol_store_open(*conf, 1, st, &err) != PATROL_OK) {
		tap_diag("setup: %s", err.text);
		return -1;
	}
	for (i = 0; i < NWHO; i++) {
		memset(&id, 0, sizeof(id));
		patrol_id_new(id.id);
		id.name = (char *)who[i].name;
		id.nrights = split(who[i].rights, &id.rights);
		if (patrol_store_identity_add(*st, &id, &err) != PATROL_OK)
			tap_diag("identity_add: %s", err.text);
		strcpy(who[i].id, id.id);
		while (id.nrights > 0)
			free(id.rights[--id.nrights]);
		free(id.rights);
		add_pat(*st, who[i].id, "main", who[i].scope, 0, who[i].pat,
		    who[i].secret);
	}
	/* A managed PAT for Mine, visible only with the managed right. */
	add_pat(*st, who[MINE].id, "workflow", NULL, 1, NULL, NULL);
	return 0;
}

static void
teardown(void)
{
	char	 p[300];

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0)
		tap_diag("could not remove %s", dir);
}

static const char *
jstr(const json_t *j, const char *key)
{
	return json_string_value(json_object_get(j, key));
}

/* messages[0].text of an envelope. */
static const char *
msg(const struct resp *r)
{
	return jstr(json_array_get(json_object_get(r->json, "messages"), 0),
	    "text");
}

static int
is_envelope(const struct resp *r, const char *detail)
{
	const char *t = jstr(r->json, "trackingId");

	return r->json != NULL && jstr(r->json, "detailCode") != NULL &&
	    strcmp(jstr(r->json, "detailCode"), detail) == 0 &&
	    t != NULL && patrol_id_valid(t) && msg(r) != NULL &&
	    json_is_array(json_object_get(r->json, "causes"));
}

#define CONTAINS(hay, needle) ((hay) != NULL && strstr((hay), (needle)) != NULL)

/* ---- the tests -------------------------------------------------------- */

static void
test_token(struct patrol_server *s, struct patrol_store *st)
{
	struct resp		 r, r2;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	char			 body[512], uri[512], basic[600], b64[400];
	int64_t			 first;
	size_t			 i;
	FILE			*pipe;

	for (i = 0; i < NWHO; i++) {
		snprintf(body, sizeof(body), "grant_type=client_credentials&"
		    "client_id=%s&client_secret=%s", who[i].pat, who[i].secret);
		request(s, "POST", "/oauth/token", NULL,
		    "application/x-www-form-urlencoded", body, NULL, &r);
		is_int(r.status, 200, "token for %s (urlencoded)", who[i].name);
		if (jstr(r.json, "access_token") != NULL) {
			who[i].bearer = malloc(strlen(jstr(r.json,
			    "access_token")) + 8);
			sprintf(who[i].bearer, "Bearer %s",
			    jstr(r.json, "access_token"));
		}
		resp_clear(&r);
	}

	snprintf(body, sizeof(body), "grant_type=client_credentials&"
	    "client_id=%s&client_secret=%s", who[ADMIN].pat, who[ADMIN].secret);
	request(s, "POST", "/oauth/token", NULL,
	    "application/x-www-form-urlencoded", body, NULL, &r);
	is_str(jstr(r.json, "token_type"), "bearer", "token_type is bearer");
	is_int(json_integer_value(json_object_get(r.json, "expires_in")), 3600,
	    "expires_in is the configured lifetime");
	is_str(jstr(r.json, "scope"), "sp:scopes:all",
	    "scope of a default PAT is sp:scopes:all");
	ok(strncmp(r.head, "Status: 200 OK\r\n", 16) == 0, "status line");
	ok(CONTAINS(r.head, "Content-Type: application/json"), "JSON content type");
	ok(CONTAINS(r.head, "Cache-Control: no-store"), "no-store");
	resp_clear(&r);

	/* multipart/form-data, as the TypeScript SDK sends it */
	snprintf(body, sizeof(body),
	    "--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\n"
	    "client_credentials\r\n--XyZ\r\nContent-Disposition: form-data; "
	    "name=\"client_id\"\r\n\r\n%s\r\n--XyZ\r\nContent-Disposition: "
	    "form-data; name=\"client_secret\"\r\n\r\n%s\r\n--XyZ--\r\n",
	    who[ADMIN].pat, who[ADMIN].secret);
	request(s, "POST", "/oauth/token", NULL,
	    "multipart/form-data; boundary=XyZ", body, NULL, &r);
	is_int(r.status, 200, "token via multipart/form-data");
	resp_clear(&r);

	/* grant_type in the query, the rest urlencoded (SailPoint's CLI) */
	snprintf(body, sizeof(body), "client_id=%s&client_secret=%s",
	    who[ADMIN].pat, who[ADMIN].secret);
	request(s, "POST", "/oauth/token?grant_type=client_credentials", NULL,
	    "application/x-www-form-urlencoded", body, NULL, &r);
	is_int(r.status, 200, "token with grant_type in the query string");
	resp_clear(&r);

	/* all of it in the query string, no body */
	snprintf(uri, sizeof(uri), "/oauth/token?grant_type=client_credentials"
	    "&client_id=%s&client_secret=%s", who[ADMIN].pat, who[ADMIN].secret);
	request(s, "POST", uri, NULL, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "token with everything in the query string");
	resp_clear(&r);

	/* HTTP Basic client authentication */
	snprintf(basic, sizeof(basic), "printf '%%s' '%s:%s' | base64 -w0",
	    who[ADMIN].pat, who[ADMIN].secret);
	if ((pipe = popen(basic, "r")) != NULL &&
	    fgets(b64, sizeof(b64), pipe) != NULL) {
		snprintf(basic, sizeof(basic), "Basic %s", b64);
		request(s, "POST", "/oauth/token", basic,
		    "application/x-www-form-urlencoded",
		    "grant_type=client_credentials", NULL, &r);
		is_int(r.status, 200, "token with HTTP Basic credentials");
		resp_clear(&r);
		snprintf(body, sizeof(body), "grant_type=client_credentials&"
		    "client_id=%s", who[ALL].pat);
		request(s, "POST", "/oauth/token", basic,
		    "application/x-www-form-urlencoded", body, NULL, &r);
		is_int(r.status, 400, "Basic and a different client_id: 400");
		resp_clear(&r);
	} else
		ok(0, "base64 helper for the Basic test");
	if (pipe != NULL)
		pclose(pipe);
	request(s, "POST", "/oauth/token", "Basic !!!",
	    "application/x-www-form-urlencoded",
	    "grant_type=client_credentials", NULL, &r);
	is_int(r.status, 401, "malformed Basic header: 401");
	resp_clear(&r);

	/* bad credentials: the same 401 for a wrong secret and unknown id */
	snprintf(body, sizeof(body), "grant_type=client_credentials&"
	    "client_id=%s&client_secret=wrong", who[ADMIN].pat);
	request(s, "POST", "/oauth/token", NULL,
	    "application/x-www-form-urlencoded", body, NULL, &r);
	request(s, "POST", "/oauth/token", NULL,
	    "application/x-www-form-urlencoded", "grant_type=client_credentials"
	    "&client_id=00000000000000000000000000000000&client_secret=x",
	    NULL, &r2);
	is_int(r.status, 401, "wrong secret: 401");
	is_int(r2.status, 401, "unknown client id: 401");
	is_str(jstr(r.json, "error"), "invalid_client", "error invalid_client");
	is_str(r.body, r2.body, "wrong secret and unknown id look the same");
	ok(CONTAINS(r.head, "WWW-Authenticate: Basic"), "WWW-Authenticate");
	ok(!CONTAINS(r.log, "wrong"), "the presented secret is not logged");
	resp_clear(&r);
	resp_clear(&r2);

	request(s, "POST", "/oauth/token", NULL,
	    "application/x-www-form-urlencoded", "client_id=x", NULL, &r);
	is_int(r.status, 400, "missing grant_type: 400");
	is_str(jstr(r.json, "error"), "invalid_request", "invalid_request");
	resp_clear(&r);
	request(s, "POST", "/oauth/token", NULL,
	    "application/x-www-form-urlencoded", "grant_type=password", NULL, &r);
	is_int(r.status, 400, "other grant: 400");
	is_str(jstr(r.json, "error"), "unsupported_grant_type",
	    "unsupported_grant_type");
	resp_clear(&r);
	request(s, "POST", "/oauth/token", NULL, "application/x-www-form-urlencoded",
	    "grant_type=client_credentials&grant_type=client_credentials",
	    NULL, &r);
	is_int(r.status, 400, "repeated parameter: 400");
	resp_clear(&r);
	request(s, "POST", "/oauth/token", NULL, "text/plain", "hello", NULL, &r);
	is_int(r.status, 415, "text/plain body: 415");
	ok(is_envelope(&r, "415 Unsupported Media Type"), "415 envelope");
	resp_clear(&r);
	request(s, "GET", "/oauth/token", NULL, NULL, NULL, NULL, &r);
	is_int(r.status, 405, "GET /oauth/token: 405");
	ok(CONTAINS(r.head, "Allow: POST\r\n"), "Allow: POST");
	ok(is_envelope(&r, "405 Method Not Allowed"), "405 envelope");
	resp_clear(&r);

	/* lastUsed: set by the first token, kept within the interval */
	memset(&p, 0, sizeof(p));
	ok(patrol_store_pat_get(st, who[ADMIN].pat, &p, &err) == PATROL_OK &&
	    p.last_used > 0, "issuing a token sets lastUsed");
	first = p.last_used;
	patrol_pat_clear(&p);
	usleep(5000);
	snprintf(body, sizeof(body), "grant_type=client_credentials&"
	    "client_id=%s&client_secret=%s", who[ADMIN].pat, who[ADMIN].secret);
	request(s, "POST", "/oauth/token", NULL,
	    "application/x-www-form-urlencoded", body, NULL, &r);
	resp_clear(&r);
	patrol_store_pat_get(st, who[ADMIN].pat, &p, &err);
	is_int(p.last_used, first, "a second token within a day keeps lastUsed");
	patrol_pat_clear(&p);
}

static void
test_auth(struct patrol_server *s)
{
	static const struct {
		const char	*authz;
		const char	*why;
	} bad[] = {
		{ NULL, "no bearer token" },
		{ "Basic eDp5", "no bearer token" },
		{ "Bearer ", "JWT is malformed" },
		{ "Bearer garbage", "JWT is malformed" },
		{ "Bearer a.b.c", "JWT is malformed" },
		{ "Bearer eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
		  "eyJzdWIiOiJ4In0.", "JWT algorithm none is not allowed" },
	};
	struct resp	 r;
	char		 tampered[4096];
	size_t		 i, n;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		request(s, "GET", "/beta/personal-access-tokens?owner-id=me",
		    bad[i].authz, NULL, NULL, NULL, &r);
		is_int(r.status, 401, "401 for %s", bad[i].why);
		ok(jstr(r.json, "error") != NULL &&
		    strncmp(jstr(r.json, "error"), "JWT validation failed: ",
		    23) == 0 && strstr(jstr(r.json, "error"), bad[i].why) != NULL,
		    "body says: %s", jstr(r.json, "error"));
		resp_clear(&r);
	}
	/* An Authorization header over HEADER_MAX is refused unread. */
	{
		static char	 huge[HEADER_MAX + 64];

		memset(huge, 'a', sizeof(huge) - 1);
		memcpy(huge, "Bearer ", 7);
		request(s, "GET", "/beta/mfa/duo-web/config", huge, NULL, NULL,
		    NULL, &r);
		is_int(r.status, 401, "Authorization over %d bytes: 401",
		    HEADER_MAX);
		ok(CONTAINS(jstr(r.json, "error"), "malformed"),
		    "over-long token is malformed");
		resp_clear(&r);
	}
	/* Flip one character of the signature. */
	n = strlen(who[ADMIN].bearer);
	if (n < sizeof(tampered)) {
		memcpy(tampered, who[ADMIN].bearer, n + 1);
		tampered[n - 2] = tampered[n - 2] == 'A' ? 'B' : 'A';
		request(s, "GET", "/beta/mfa/duo-web/config", tampered, NULL,
		    NULL, NULL, &r);
		is_int(r.status, 401, "tampered signature: 401");
		ok(CONTAINS(jstr(r.json, "error"), "signature"),
		    "says the signature does not match");
		resp_clear(&r);
	}
}

static size_t
count_owned(const json_t *a, const char *owner)
{
	size_t	 i, n = 0;

	for (i = 0; i < json_array_size(a); i++)
		if (strcmp(jstr(json_object_get(json_array_get(a, i), "owner"),
		    "id"), owner) == 0)
			n++;
	return n;
}

static void
test_list(struct patrol_server *s)
{
	struct resp	 r;
	json_t		*item;
	char		 uri[512];
	const char	*keys[] = { "id", "name", "scope", "owner", "created",
	    "lastUsed", "managed", "expirationDate",
	    "accessTokenValiditySeconds" };
	size_t		 i;

	request(s, "GET", "/beta/personal-access-tokens?owner-id=me",
	    who[MINE].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "owner-id=me with the my-read right");
	is_int(json_array_size(r.json), 1, "own non-managed PAT only");
	item = json_array_get(r.json, 0);
	is_int(json_object_size(item), 9, "exactly nine fields");
	for (i = 0; i < 9; i++)
		ok(json_object_get(item, keys[i]) != NULL, "field %s", keys[i]);
	is_str(jstr(item, "id"), who[MINE].pat, "id");
	is_str(jstr(json_object_get(item, "owner"), "type"), "IDENTITY",
	    "owner.type");
	is_str(jstr(json_object_get(item, "owner"), "name"), "Mine",
	    "owner.name");
	ok(json_is_null(json_object_get(item, "scope")), "scope null");
	ok(json_is_false(json_object_get(item, "managed")), "managed false");
	ok(jstr(item, "created") != NULL && strlen(jstr(item, "created")) == 24 &&
	    jstr(item, "created")[23] == 'Z' && jstr(item, "created")[19] == '.',
	    "created with milliseconds");
	ok(jstr(item, "lastUsed") != NULL, "lastUsed set by the token");
	resp_clear(&r);

	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s",
	    who[MINE].id);
	request(s, "GET", uri, who[MINE].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "own id counts as me");
	resp_clear(&r);

	request(s, "GET", "/beta/personal-access-tokens", who[MINE].bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 403, "all tokens without the all-read right: 403");
	ok(is_envelope(&r, "403 Forbidden"), "403 envelope");
	ok(CONTAINS(msg(&r), "idn:all-personal-access-tokens:read"),
	    "403 names the missing right");
	resp_clear(&r);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s",
	    who[ADMIN].id);
	request(s, "GET", uri, who[MINE].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 403, "another owner without the all-read right: 403");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me",
	    who[NOBODY].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 403, "owner-id=me without any right: 403");
	resp_clear(&r);

	request(s, "GET", "/beta/personal-access-tokens", who[ALL].bearer, NULL,
	    NULL, NULL, &r);
	is_int(r.status, 200, "all tokens with the all-read right");
	is_int(json_array_size(r.json), NWHO, "every non-managed PAT");
	is_int(count_owned(r.json, who[MINE].id), 1, "managed PAT hidden");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens", who[MANAGED].bearer,
	    NULL, NULL, NULL, &r);
	is_int(json_array_size(r.json), NWHO + 1, "managed right shows it");
	is_int(count_owned(r.json, who[MINE].id), 2, "both of Mine's PATs");
	resp_clear(&r);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s",
	    who[MINE].id);
	request(s, "GET", uri, who[ALL].bearer, NULL, NULL, NULL, &r);
	is_int(json_array_size(r.json), 1, "owner-id filters by owner");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?owner-id=ffffffffffffffffffffffffffffffff",
	    who[ALL].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "unknown owner: 200");
	is_str(r.body, "[]", "unknown owner: empty array");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?owner-id=bogus",
	    who[ALL].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 400, "malformed owner-id: 400");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me&owner-id=me",
	    who[ALL].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 400, "repeated owner-id: 400");
	resp_clear(&r);

	/* filters: every PAT was used once (a token each) except the managed
	 * one, which has never been used. */
	request(s, "GET", "/beta/personal-access-tokens?filters=lastUsed+isnull",
	    who[MANAGED].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "filters lastUsed isnull");
	is_int(json_array_size(r.json), 1, "only the unused PAT");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?filters="
	    "lastUsed%20le%202000-01-01T00:00:00.000Z", who[ALL].bearer, NULL,
	    NULL, NULL, &r);
	is_int(r.status, 200, "filters lastUsed le (past)");
	is_str(r.body, "[]", "nothing used before 2000");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?filters="
	    "lastUsed+le+2999-01-01T00:00:00Z+or+lastUsed+isnull",
	    who[MANAGED].bearer, NULL, NULL, NULL, &r);
	is_int(json_array_size(r.json), NWHO + 1, "le (future) or isnull: all");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?filters="
	    "not+lastUsed+isnull", who[MANAGED].bearer, NULL, NULL, NULL, &r);
	is_int(json_array_size(r.json), NWHO, "not isnull");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?filters=name+eq+%22x%22",
	    who[ALL].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 400, "unsupported field: 400");
	ok(is_envelope(&r, "400.1 Bad Request Content"), "400 envelope");
	ok(CONTAINS(msg(&r), "name"), "names the field (%s)", msg(&r));
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?filters="
	    "lastUsed+gt+2020-01-01T00:00:00Z", who[ALL].bearer, NULL, NULL,
	    NULL, &r);
	is_int(r.status, 400, "unsupported operator: 400");
	ok(CONTAINS(msg(&r), "gt"), "names the operator (%s)", msg(&r));
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?filters=lastUsed+le",
	    who[ALL].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 400, "syntax error: 400");
	ok(CONTAINS(msg(&r), "position"), "gives the position (%s)", msg(&r));
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?filters=%FF",
	    who[ALL].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 400, "invalid UTF-8 in the query: 400");
	resp_clear(&r);

	/* scope-limited PAT */
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me",
	    who[SCOPED].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "scoped PAT may list its own");
	resp_clear(&r);
	request(s, "GET", "/beta/mfa/duo-web/config", who[SCOPED].bearer, NULL,
	    NULL, NULL, &r);
	is_int(r.status, 403, "scoped PAT may not read the MFA config");
	ok(CONTAINS(msg(&r), "scope"), "403 says it is the scope");
	resp_clear(&r);
}

/* ---- paging --------------------------------------------------------- */

/* The order a listing promises: the sorters, then id, ascending unless the
 * last sorter is descending. Sorters as in the query ("-name,created"). */
static int
listed_before(const json_t *a, const json_t *b, const char *sorters)
{
	char		 key[16];
	const char	*p = sorters, *x, *y;
	size_t		 n;
	int		 c = 0, desc = 0;

	while (*p != '\0') {
		desc = *p == '-';
		p += desc;
		n = strcspn(p, ",");
		snprintf(key, sizeof(key), "%.*s", (int)n, p);
		p += n + (p[n] == ',');
		x = jstr(a, key);
		y = jstr(b, key);
		if (x == NULL || y == NULL)	/* null lastUsed first */
			c = (x != NULL) - (y != NULL);
		else if (strcmp(key, "name") == 0)
			c = strcasecmp(x, y);
		else
			c = strcmp(x, y);	/* same time format */
		if (c != 0)
			return desc ? c > 0 : c < 0;
	}
	c = strcmp(jstr(a, "id"), jstr(b, "id"));
	return desc ? c > 0 : c < 0;
}

static void
test_paging(struct patrol_server *s, struct patrol_store *st)
{
	static const char *const sorters[] = {
		"created", "-created", "name", "-name", "lastUsed",
		"-lastUsed", "name,-created", "-lastUsed,name",
		"lastUsed,-name,created", "-created,lastUsed",
	};
	/* Ties everywhere: names equal but for case, equal created, equal
	 * and null lastUsed. */
	static const struct {
		const char	*name;
		int		 created, used;	/* seconds; used -1: null */
	} rows[] = {
		{ "b", 1, -1 }, { "B", 1, 5 }, { "a", 2, 5 }, { "A", 2, -1 },
		{ "c", 1, 7 }, { "C", 3, 7 }, { "d", 3, -1 }, { "e", 1, 5 },
		{ "E", 2, 9 }, { "f", 3, 7 }, { "F", 1, -1 }, { "g", 2, 5 },
		{ "h", 3, 9 },
	};
	const size_t		 nrows = sizeof(rows) / sizeof(rows[0]);
	struct patrol_identity	 id;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	struct resp		 r, pg;
	char			 uri[512], full[1024], paged[1024];
	const char		*total;
	size_t			 i, j, off, sorted;
	int64_t			 base = 1700000000000;

	memset(&id, 0, sizeof(id));
	patrol_id_new(id.id);
	id.name = "Pager";
	if (patrol_store_identity_add(st, &id, &err) != PATROL_OK)
		tap_diag("identity_add: %s", err.text);
	for (i = 0; i < nrows; i++) {
		memset(&p, 0, sizeof(p));
		patrol_id_new(p.id);
		p.name = (char *)rows[i].name;
		p.scope_null = 1;
		strcpy(p.owner_id, id.id);
		p.created = base + rows[i].created * 1000;
		p.last_used = rows[i].used < 0 ? -1 :
		    base + rows[i].used * 1000;
		p.expires = -1;
		p.validity = PATROL_VALIDITY_DEFAULT;
		strcpy(p.secret_hash, "00000000000000000000000000000000"
		    "00000000000000000000000000000000");
		if (patrol_store_pat_add(st, &p, 0, &err) != PATROL_OK)
			tap_diag("pat_add: %s", err.text);
	}

	for (i = 0; i < sizeof(sorters) / sizeof(sorters[0]); i++) {
		snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?"
		    "owner-id=%s&sorters=%s", id.id, sorters[i]);
		request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL,
		    &r);
		is_int(json_array_size(r.json), nrows, "sorters=%s: every PAT",
		    sorters[i]);
		for (j = 1, sorted = 1; j < json_array_size(r.json); j++)
			sorted &= listed_before(json_array_get(r.json, j - 1),
			    json_array_get(r.json, j), sorters[i]);
		ok(sorted, "sorters=%s: in order, ties by id", sorters[i]);
		full[0] = paged[0] = '\0';
		for (j = 0; j < json_array_size(r.json); j++)
			strcat(full, jstr(json_array_get(r.json, j), "id"));
		for (off = 0; off < nrows + 4; off += 4) {
			snprintf(uri, sizeof(uri), "/beta/personal-access-"
			    "tokens?owner-id=%s&sorters=%s&limit=4&offset=%zu",
			    id.id, sorters[i], off);
			request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL,
			    NULL, &pg);
			for (j = 0; j < json_array_size(pg.json); j++)
				strcat(paged, jstr(json_array_get(pg.json, j),
				    "id"));
			resp_clear(&pg);
		}
		is_str(paged, full, "sorters=%s: pages of 4 concatenated are "
		    "the whole listing", sorters[i]);
		resp_clear(&r);
	}
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s",
	    id.id);
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	for (j = 1, sorted = 1; j < json_array_size(r.json); j++)
		sorted &= listed_before(json_array_get(r.json, j - 1),
		    json_array_get(r.json, j), "created");
	ok(sorted && json_array_size(r.json) == nrows,
	    "no sorters: created, then id");
	ok(!CONTAINS(r.head, "X-Total-Count"), "no count, no X-Total-Count");
	resp_clear(&r);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s"
	    "&count=true&sorters=-name", id.id);
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	ok(r.status == 200 && json_array_size(r.json) == nrows &&
	    CONTAINS(r.head, "X-Total-Count: 13\r\n"),
	    "count=true without limit: every row and X-Total-Count");
	resp_clear(&r);

	/* count, limit=0, offset past the end */
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s"
	    "&sorters=name", id.id);
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &pg);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s"
	    "&count=true&limit=2&offset=1&sorters=name", id.id);
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "count=true: 200");
	is_int(json_array_size(r.json), 2, "limit=2: two items");
	is_str(jstr(json_array_get(r.json, 0), "id"),
	    jstr(json_array_get(pg.json, 1), "id"), "offset=1 skips one");
	is_str(jstr(json_array_get(r.json, 1), "id"),
	    jstr(json_array_get(pg.json, 2), "id"), "... and limit=2 ends "
	    "after two");
	ok(CONTAINS(r.head, "X-Total-Count: 13\r\n"),
	    "X-Total-Count: every match, limit and offset ignored");
	resp_clear(&r);
	resp_clear(&pg);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s"
	    "&count=true&limit=0&filters=lastUsed+isnull", id.id);
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_str(r.body, "[]", "limit=0: []");
	total = CONTAINS(r.head, "X-Total-Count: 4\r\n") ? "4" : NULL;
	is_str(total, "4", "limit=0 with count=true: the count, filters "
	    "applied");
	resp_clear(&r);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s"
	    "&count=false&offset=13", id.id);
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_str(r.body, "[]", "offset at the end: []");
	ok(!CONTAINS(r.head, "X-Total-Count"), "count=false: no header");
	resp_clear(&r);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?owner-id=%s"
	    "&limit=250&offset=0000012", id.id);
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_int(json_array_size(r.json), 1, "limit=250, offset=0000012: one");
	resp_clear(&r);
}

static void
test_paging_errors(struct patrol_server *s)
{
	static const struct {
		const char	*query;
		const char	*names;
	} bad[] = {
		{ "limit=251", "limit" },
		{ "limit=-1", "limit" },
		{ "limit=%2B1", "limit" },
		{ "limit=+1", "limit" },
		{ "limit=1x", "limit" },
		{ "limit=", "limit" },
		{ "limit=1.0", "limit" },
		{ "limit=99999999999999999999999", "limit" },
		{ "limit=1&limit=1", "limit" },
		{ "offset=-1", "offset" },
		{ "offset=x", "offset" },
		{ "offset=", "offset" },
		{ "offset=9223372036854775808", "offset" },
		{ "count=yes", "count" },
		{ "count=TRUE", "count" },
		{ "count=", "count" },
		{ "sorters=bogus", "sorters" },
		{ "sorters=name,-name", "sorters" },
		{ "sorters=", "sorters" },
		{ "sorters=name,", "sorters" },
		{ "sorters=--name", "sorters" },
	};
	struct resp	 r;
	char		 uri[256];
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(uri, sizeof(uri), "/beta/personal-access-tokens?"
		    "owner-id=me&%s", bad[i].query);
		request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL,
		    &r);
		is_int(r.status, 400, "%s: 400", bad[i].query);
		ok(is_envelope(&r, "400.1 Bad Request Content") &&
		    CONTAINS(msg(&r), bad[i].names), "%s: names %s (%s)",
		    bad[i].query, bad[i].names, msg(&r));
		resp_clear(&r);
	}
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me&"
	    "offset=9223372036854775807", who[ADMIN].bearer, NULL, NULL, NULL,
	    &r);
	is_str(r.body, "[]", "the largest offset: []");
	resp_clear(&r);
}

/* POST /oauth/token with client credentials in a urlencoded body. */
static void
token_for(struct patrol_server *s, const char *id, const char *secret,
    struct resp *r)
{
	char	 body[512];

	snprintf(body, sizeof(body), "grant_type=client_credentials&"
	    "client_id=%s&client_secret=%s", id, secret);
	request(s, "POST", "/oauth/token", NULL,
	    "application/x-www-form-urlencoded", body, NULL, r);
}

/* "Bearer <access_token>" of a token response, new (free()), or NULL. */
static char *
bearer_of(const struct resp *r)
{
	const char	*t = jstr(r->json, "access_token");
	char		*b;

	if (t == NULL || (b = malloc(strlen(t) + 8)) == NULL)
		return NULL;
	sprintf(b, "Bearer %s", t);
	return b;
}

/* The exp - iat of a bearer token, as the signing key verifies it. */
static long long
token_span(const char *bearer)
{
	struct patrol_key	*key = NULL;
	struct patrol_claims	 c;
	struct patrol_error	 err;
	long long		 span = -1;

	if (bearer != NULL && patrol_key_load(keypath, &key, &err) ==
	    PATROL_OK && patrol_token_verify(key, "t", bearer + 7,
	    patrol_time_now() / 1000, 0, &c, &err) == PATROL_OK)
		span = (long long)(c.exp - c.iat);
	patrol_key_free(key);
	return span;
}

static void
test_expiry(struct patrol_server *s, struct patrol_store *st)
{
	struct resp		 r;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	char			 id[PATROL_ID_LEN + 1];
	char			 sec[PATROL_SECRET_LEN + 1];
	char			*bearer;
	int64_t			 now = patrol_time_now();
	long long		 in;

	/* Issuing: an expired PAT gets no token, once its secret is good. */
	add_pat_x(st, who[ADMIN].id, "expired", NULL, 0, now - 1000,
	    PATROL_VALIDITY_DEFAULT, id, sec);
	token_for(s, id, sec, &r);
	is_int(r.status, 401, "expired PAT: 401");
	is_str(jstr(r.json, "error"), "invalid_client",
	    "expired PAT: invalid_client");
	ok(CONTAINS(jstr(r.json, "error_description"), "expired"),
	    "expired PAT: says it expired (%s)",
	    jstr(r.json, "error_description"));
	ok(CONTAINS(r.head, "WWW-Authenticate: Basic"),
	    "expired PAT: WWW-Authenticate");
	resp_clear(&r);
	token_for(s, id, "0000", &r);
	is_int(r.status, 401, "expired PAT, wrong secret: 401");
	is_str(jstr(r.json, "error_description"), "Bad credentials",
	    "expired PAT, wrong secret: the secret is checked first");
	resp_clear(&r);
	memset(&p, 0, sizeof(p));
	ok(patrol_store_pat_get(st, id, &p, &err) == PATROL_OK &&
	    p.last_used == -1, "a refused expired PAT keeps lastUsed null");
	patrol_pat_clear(&p);

	/* Lifetime: the least of validity, token.lifetime (3600 here) and
	 * the time left. */
	add_pat_x(st, who[ADMIN].id, "short-validity", NULL, 0, -1, 20, id,
	    sec);
	token_for(s, id, sec, &r);
	is_int(r.status, 200, "validity 20: 200");
	is_int(json_integer_value(json_object_get(r.json, "expires_in")), 20,
	    "validity 20: expires_in 20");
	bearer = bearer_of(&r);
	is_int(token_span(bearer), 20, "validity 20: JWT exp - iat is 20");
	free(bearer);
	resp_clear(&r);
	add_pat_x(st, who[ADMIN].id, "expires-soon", NULL, 0,
	    patrol_time_now() + 30000, PATROL_VALIDITY_DEFAULT, id, sec);
	token_for(s, id, sec, &r);
	in = json_integer_value(json_object_get(r.json, "expires_in"));
	ok(r.status == 200 && in >= 25 && in <= 30,
	    "PAT expiring in 30 s: expires_in %lld, at most the time left", in);
	bearer = bearer_of(&r);
	is_int(token_span(bearer), in, "... and so is JWT exp - iat");
	free(bearer);
	resp_clear(&r);

	/* Validating: a token stops working when its PAT expires. */
	add_pat_x(st, who[ADMIN].id, "expires-later", NULL, 0,
	    patrol_time_now() + 600000, PATROL_VALIDITY_DEFAULT, id, sec);
	token_for(s, id, sec, &r);
	bearer = bearer_of(&r);
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me", bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 200, "a token of a PAT not yet expired works");
	resp_clear(&r);
	memset(&p, 0, sizeof(p));
	if (patrol_store_pat_get(st, id, &p, &err) == PATROL_OK) {
		p.expires = patrol_time_now() - 1;
		if (patrol_store_pat_update(st, &p, &err) != PATROL_OK)
			tap_diag("pat_update: %s", err.text);
	}
	patrol_pat_clear(&p);
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me", bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 401, "once its PAT has expired, the token: 401");
	is_str(jstr(r.json, "error"), "JWT validation failed: personal "
	    "access token has expired", "401 in the JWT-failure shape");
	ok(CONTAINS(r.head, "WWW-Authenticate: Bearer"),
	    "WWW-Authenticate: Bearer");
	resp_clear(&r);
	free(bearer);
}

/* ---- create and delete ---------------------------------------------- */

static char created_id[PATROL_ID_LEN + 1];	/* MyManage's "ci" */
static char created_secret[PATROL_SECRET_LEN + 1];

/* POST /beta/personal-access-tokens as who[w] with a JSON body. */
static void
create_as(struct patrol_server *s, int w, const char *body, struct resp *r)
{
	request(s, "POST", "/beta/personal-access-tokens", who[w].bearer,
	    "application/json", body, NULL, r);
}

static void
test_create(struct patrol_server *s, struct patrol_store *st)
{
	static const struct {
		const char	*body;
		const char	*says;
	} bad[] = {
		{ "{\"name\":\"ci\"}", "already has a personal access token "
		  "named \"ci\"" },
		{ "{}", "name is required" },
		{ "{\"scope\":null}", "name is required" },
		{ "{\"name\":5}", "name: expected string, got number" },
		{ "{\"name\":null}", "name: expected string, got null" },
		{ "{\"name\":\"\"}", "name must not be empty" },
		{ "{\"name\":\"a\\u0001b\"}", "control characters" },
		{ "{\"name\":\"a\\u0000b\"}", "not valid JSON" },
		{ "{\"name\":\"x\",\"bogus\":1}", "unknown field 'bogus'" },
		{ "{\"name\":\"x\",\"owner\":{}}", "unknown field 'owner'" },
		{ "{\"name\":\"x\",\"a\\nb\":1}", "unknown field (known" },
		{ "{\"name\":\"x\",\"name\":\"y\"}", "duplicate" },
		{ "{\"name\":\"\xff\"}", "UTF-8" },
		{ "[{\"name\":\"x\"}]", "expected a JSON object" },
		{ "\"x\"", "not valid JSON" },
		{ "{", "not valid JSON" },
		{ "", "not valid JSON" },
		{ "{\"name\":\"x\",\"scope\":\"a\"}",
		  "scope: expected array of strings or null, got string" },
		{ "{\"name\":\"x\",\"scope\":[\"a\",1]}",
		  "scope 2: expected string, got number" },
		{ "{\"name\":\"x\",\"scope\":[]}", "scope must not be empty" },
		{ "{\"name\":\"x\",\"scope\":[\"a b\"]}", "scope 1 ('a b') "
		  "has a character not allowed" },
		{ "{\"name\":\"x\",\"scope\":[\"a\",\"a\"]}", "given twice" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":14}",
		  "accessTokenValiditySeconds must be between 15 and 43200" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":43201}",
		  "not 43201" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":0}",
		  "not 0" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":-60}",
		  "not -60" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":"
		  "9223372036854775807}",
		  "accessTokenValiditySeconds must be" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":60.0}",
		  "accessTokenValiditySeconds: expected integer" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":\"60\"}",
		  "accessTokenValiditySeconds: expected integer" },
		{ "{\"name\":\"x\",\"accessTokenValiditySeconds\":null}",
		  "accessTokenValiditySeconds: expected integer, got null" },
		{ "{\"name\":\"x\",\"expirationDate\":\"tomorrow\"}",
		  "expirationDate: not an RFC 3339 date-time" },
		{ "{\"name\":\"x\",\"expirationDate\":\"2099-01-01\"}",
		  "expirationDate: not an RFC 3339 date-time" },
		{ "{\"name\":\"x\",\"expirationDate\":4102444800000}",
		  "expirationDate: expected RFC 3339 date-time string or "
		  "null" },
		{ "{\"name\":\"x\",\"expirationDate\":"
		  "\"2000-01-01T00:00:00Z\"}", "must be in the future" },
		{ "{\"name\":\"x\",\"expirationDate\":"
		  "\"1970-01-01T00:00:00Z\"}", "must be in the future" },
		{ "{\"name\":\"x\",\"expirationDate\":"
		  "\"1969-12-31T23:59:59.999Z\"}", "must be in the future" },
	};
	struct resp		 r;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	json_t			*o;
	char			 body[512], hash[PATROL_HASH_LEN + 1];
	const char		*keys[] = { "id", "secret", "scope", "name",
	    "owner", "created", "accessTokenValiditySeconds",
	    "expirationDate" };
	int64_t			 created, expires;
	size_t			 i;

	create_as(s, MYMAN, "{\"name\":\"ci\"}", &r);
	is_int(r.status, 200, "create {name}: 200");
	ok(CONTAINS(r.head, "Content-Type: application/json"), "JSON");
	is_int(json_object_size(r.json), 8, "exactly eight fields");
	for (i = 0; i < 8; i++)
		ok(json_object_get(r.json, keys[i]) != NULL, "field %s",
		    keys[i]);
	ok(patrol_id_valid(jstr(r.json, "id")), "id: 32 hex");
	ok(jstr(r.json, "secret") != NULL &&
	    strlen(jstr(r.json, "secret")) == PATROL_SECRET_LEN,
	    "secret: 64 characters");
	is_str(jstr(r.json, "name"), "ci", "name");
	ok(json_is_null(json_object_get(r.json, "scope")),
	    "no scope: null (sp:scopes:all)");
	o = json_object_get(r.json, "owner");
	ok(o != NULL && strcmp(jstr(o, "type"), "IDENTITY") == 0 &&
	    strcmp(jstr(o, "id"), who[MYMAN].id) == 0 &&
	    strcmp(jstr(o, "name"), "MyManage") == 0,
	    "owner: the caller {type, id, name}");
	is_int(json_integer_value(json_object_get(r.json,
	    "accessTokenValiditySeconds")), 43200, "validity: 43200");
	ok(jstr(r.json, "created") != NULL && jstr(r.json,
	    "expirationDate") != NULL && patrol_time_parse(jstr(r.json,
	    "created"), 24, &created) == PATROL_OK && patrol_time_parse(
	    jstr(r.json, "expirationDate"), 24, &expires) == PATROL_OK &&
	    expires - created == (int64_t)182 * 86400 * 1000,
	    "no expirationDate: pat.default_expiry (182 days) after created");
	ok(!CONTAINS(r.log, jstr(r.json, "secret")), "the secret is not "
	    "logged");
	if (jstr(r.json, "secret") != NULL) {
		snprintf(created_id, sizeof(created_id), "%s",
		    jstr(r.json, "id"));
		snprintf(created_secret, sizeof(created_secret), "%s",
		    jstr(r.json, "secret"));
	}
	resp_clear(&r);
	memset(&p, 0, sizeof(p));
	ok(patrol_store_pat_get(st, created_id, &p, &err) == PATROL_OK &&
	    patrol_secret_hash(created_secret, strlen(created_secret),
	    hash) == PATROL_OK && strcmp(p.secret_hash, hash) == 0 &&
	    strcmp(p.owner_id, who[MYMAN].id) == 0,
	    "stored: its hash only, owned by the caller");
	patrol_pat_clear(&p);
	token_for(s, created_id, created_secret, &r);
	is_int(r.status, 200, "the new secret gets a token");
	resp_clear(&r);

	create_as(s, MYMAN, "{\"name\":\"full\",\"scope\":["
	    "\"sp:my-personal-access-tokens:read\",\"demo:x\"],"
	    "\"accessTokenValiditySeconds\":60,"
	    "\"expirationDate\":\"2099-01-01T01:00:00+01:00\"}", &r);
	is_int(r.status, 200, "create with every field: 200");
	ok(json_array_size(json_object_get(r.json, "scope")) == 2 &&
	    strcmp(json_string_value(json_array_get(json_object_get(r.json,
	    "scope"), 1)), "demo:x") == 0, "scope as given");
	is_int(json_integer_value(json_object_get(r.json,
	    "accessTokenValiditySeconds")), 60, "validity as given");
	is_str(jstr(r.json, "expirationDate"), "2099-01-01T00:00:00.000Z",
	    "expirationDate in UTC with milliseconds");
	resp_clear(&r);
	request(s, "POST", "/beta/personal-access-tokens", who[MYMAN].bearer,
	    "application/json; charset=utf-8",
	    "{\"name\":\"never\",\"scope\":null,\"expirationDate\":null}",
	    NULL, &r);
	is_int(r.status, 200, "charset parameter, scope and expiry null: 200");
	ok(json_is_null(json_object_get(r.json, "expirationDate")),
	    "expirationDate null: never expires");
	ok(json_is_null(json_object_get(r.json, "scope")), "scope null");
	resp_clear(&r);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		create_as(s, MYMAN, bad[i].body, &r);
		is_int(r.status, 400, "create %s: 400", bad[i].body);
		ok(is_envelope(&r, "400.1 Bad Request Content") &&
		    CONTAINS(msg(&r), bad[i].says), "... says \"%s\" (%s)",
		    bad[i].says, msg(&r));
		resp_clear(&r);
	}
	memset(body, 'n', sizeof(body));
	memcpy(body, "{\"name\":\"", 9);
	memcpy(body + 9 + 129, "\"}", 3);
	create_as(s, MYMAN, body, &r);
	is_int(r.status, 400, "a name of 129 bytes: 400");
	ok(CONTAINS(msg(&r), "at most 128 bytes"), "... says so (%s)",
	    msg(&r));
	resp_clear(&r);

	/* media type, rights, scope */
	request(s, "POST", "/beta/personal-access-tokens", who[MYMAN].bearer,
	    "text/plain", "{\"name\":\"x\"}", NULL, &r);
	is_int(r.status, 415, "create text/plain: 415");
	ok(is_envelope(&r, "415 Unsupported Media Type"), "415 envelope");
	resp_clear(&r);
	request(s, "POST", "/beta/personal-access-tokens", who[MYMAN].bearer,
	    NULL, "{\"name\":\"x\"}", NULL, &r);
	is_int(r.status, 415, "create without Content-Type: 415");
	resp_clear(&r);
	request(s, "POST", "/beta/personal-access-tokens", who[MYMAN].bearer,
	    "application/json-patch+json", "{\"name\":\"x\"}", NULL, &r);
	is_int(r.status, 415, "create application/json-patch+json: 415");
	resp_clear(&r);
	create_as(s, NOBODY, "{\"name\":\"x\"}", &r);
	is_int(r.status, 403, "create without a manage right: 403");
	ok(is_envelope(&r, "403 Forbidden") && CONTAINS(msg(&r),
	    "idn:my-personal-access-tokens:manage"), "names the right (%s)",
	    msg(&r));
	resp_clear(&r);
	create_as(s, MINE, "{\"name\":\"x\"}", &r);
	is_int(r.status, 403, "create with a read right only: 403");
	resp_clear(&r);
	create_as(s, SCOPED, "{\"name\":\"x\"}", &r);
	is_int(r.status, 403, "create with a PAT scoped to reading: 403");
	ok(CONTAINS(msg(&r), "sp:my-personal-access-tokens:manage"),
	    "names the scopes the operation takes (%s)", msg(&r));
	resp_clear(&r);
	create_as(s, LIMITED, "{\"name\":\"wider\"}", &r);
	is_int(r.status, 403, "a scope-limited PAT creates a null scope: 403");
	ok(CONTAINS(msg(&r), "limited"), "says why (%s)", msg(&r));
	resp_clear(&r);
	create_as(s, LIMITED, "{\"name\":\"other\",\"scope\":"
	    "[\"demo:b\"]}", &r);
	is_int(r.status, 403, "... a scope it does not have: 403");
	resp_clear(&r);
	create_as(s, LIMITED, "{\"name\":\"narrower\",\"scope\":"
	    "[\"demo:a\"]}", &r);
	is_int(r.status, 200, "... a scope it has: 200");
	resp_clear(&r);
	create_as(s, ALLMAN, "{\"name\":\"allman\"}", &r);
	is_int(r.status, 200, "create with the all-manage right: 200");
	resp_clear(&r);

	/* pat.max_per_owner (10): AllManage holds 2 */
	for (i = 0; i < 8; i++) {
		snprintf(body, sizeof(body), "{\"name\":\"n%zu\"}", i);
		create_as(s, ALLMAN, body, &r);
		if (r.status != 200)
			tap_diag("create n%zu: %d %s", i, r.status, msg(&r));
		resp_clear(&r);
	}
	create_as(s, ALLMAN, "{\"name\":\"eleventh\"}", &r);
	is_int(r.status, 400, "create past pat.max_per_owner: 400");
	ok(is_envelope(&r, "400.1 Bad Request Content") &&
	    CONTAINS(msg(&r), "pat.max_per_owner"), "names the rule (%s)",
	    msg(&r));
	resp_clear(&r);

	request(s, "PUT", "/beta/personal-access-tokens", who[MYMAN].bearer,
	    "application/json", "{}", NULL, &r);
	is_int(r.status, 405, "PUT on the collection: 405");
	ok(CONTAINS(r.head, "Allow: GET, POST\r\n"), "Allow: GET, POST");
	resp_clear(&r);
}

/* PATCH /beta/personal-access-tokens/<id> as bearer. */
static void
patch_as(struct patrol_server *s, const char *bearer, const char *id,
    const char *ctype, const char *body, struct resp *r)
{
	char	 uri[256];

	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s", id);
	request(s, "PATCH", uri, bearer, ctype, body, NULL, r);
}

/* The stored PAT's name, scope (JSON), validity and expiry, as a string
 * to compare before and after. */
static void
stored_pat(struct patrol_store *st, const char *id, char *buf, size_t sz)
{
	struct patrol_pat	 p;
	struct patrol_error	 err;
	json_t			*j;
	char			*s = NULL;

	memset(&p, 0, sizeof(p));
	buf[0] = '\0';
	if (patrol_store_pat_get(st, id, &p, &err) == PATROL_OK &&
	    (j = patrol_pat_to_json(&p)) != NULL) {
		json_object_del(j, "lastUsed");
		s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(j);
	}
	snprintf(buf, sz, "%s", s != NULL ? s : "(none)");
	free(s);
	patrol_pat_clear(&p);
}

static void
test_patch(struct patrol_server *s, struct patrol_store *st)
{
	static const struct {
		const char	*patch;
		const char	*says;
	} bad[] = {
		{ "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"},"
		  "{\"op\":\"test\",\"path\":\"/name\",\"value\":\"y\"}]",
		  "operation 1 (test /name)" },
		{ "[{\"op\":\"replace\",\"path\":\"/owner\",\"value\":{}}]",
		  "operation 0 (replace /owner): path is not a patchable" },
		{ "[{\"op\":\"test\",\"path\":\"/name\",\"value\":\"renamed\"},"
		  "{\"op\":\"copy\",\"from\":\"/id\",\"path\":\"/name\"}]",
		  "operation 1 (copy from /id): from is not" },
		{ "[{\"op\":\"replace\",\"path\":\"/managed\",\"value\":true}]",
		  "operation 0" },
		{ "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"\"}]",
		  "name must not be empty" },
		{ "[{\"op\":\"remove\",\"path\":\"/name\"}]",
		  "name is required" },
		{ "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"ci\"}]",
		  "already has one named \"ci\"" },
		{ "[{\"op\":\"add\",\"path\":\"/scope/-\","
		  "\"value\":\"demo:a\"}]",
		  "given twice" },
		{ "[{\"op\":\"replace\",\"path\":\"/scope/7\","
		  "\"value\":\"x\"}]",
		  "operation 0" },
		{ "[{\"op\":\"replace\",\"path\":"
		  "\"/accessTokenValiditySeconds\",\"value\":43201}]",
		  "between 15 and 43200" },
		{ "[{\"op\":\"replace\",\"path\":\"/expirationDate\","
		  "\"value\":\"2001-01-01T00:00:00Z\"}]", "in the future" },
		{ "[{\"op\":\"frobnicate\",\"path\":\"/name\"}]",
		  "operation 0" },
		{ "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"a\","
		  "\"value\":\"b\"}]", "duplicate" },
		{ "{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}",
		  "array" },
		{ "[", "not valid JSON" },
		{ "", "not valid JSON" },
		{ "[{\"op\":\"replace\",\"path\":\"/name\","
		  "\"value\":\"\xc3\"}]",
		  "UTF-8" },
	};
	const char	*JP = "application/json-patch+json";
	struct resp	 r;
	char		 id[PATROL_ID_LEN + 1], other[PATROL_ID_LEN + 1];
	char		 before[2048], after[2048], sec[PATROL_SECRET_LEN + 1];
	char		 body[512], when[PATROL_TIME_BUFSZ];
	char		*bearer;
	long long	 in;
	size_t		 i;

	create_as(s, MYMAN, "{\"name\":\"patchme\",\"scope\":[\"demo:a\"],"
	    "\"accessTokenValiditySeconds\":60}", &r);
	snprintf(id, sizeof(id), "%s", jstr(r.json, "id") != NULL ?
	    jstr(r.json, "id") : "");
	resp_clear(&r);

	/* A new scope applies at once to the tokens already issued. */
	create_as(s, MYMAN, "{\"name\":\"rescoped\",\"scope\":["
	    "\"sp:my-personal-access-tokens:manage\"]}", &r);
	snprintf(other, sizeof(other), "%s", jstr(r.json, "id") != NULL ?
	    jstr(r.json, "id") : "");
	snprintf(sec, sizeof(sec), "%s", jstr(r.json, "secret") != NULL ?
	    jstr(r.json, "secret") : "");
	resp_clear(&r);
	token_for(s, other, sec, &r);
	bearer = bearer_of(&r);
	resp_clear(&r);
	patch_as(s, bearer, other, JP, "[]", &r);
	is_int(r.status, 200, "a token with the manage scope patches");
	resp_clear(&r);
	patch_as(s, who[MYMAN].bearer, other, JP, "[{\"op\":\"replace\","
	    "\"path\":\"/scope/0\",\"value\":"
	    "\"sp:my-personal-access-tokens:read\"}]", &r);
	is_int(r.status, 200, "its PAT's scope replaced by a read scope");
	resp_clear(&r);
	patch_as(s, bearer, other, JP, "[]", &r);
	is_int(r.status, 403, "the token issued before: 403 at once");
	resp_clear(&r);
	free(bearer);

	patch_as(s, who[MYMAN].bearer, id, JP, "[{\"op\":\"replace\","
	    "\"path\":\"/name\",\"value\":\"renamed\"},{\"op\":\"add\","
	    "\"path\":\"/scope/-\",\"value\":\"demo:b\"},{\"op\":"
	    "\"replace\",\"path\":\"/accessTokenValiditySeconds\",\"value\":"
	    "120},{\"op\":\"replace\",\"path\":\"/expirationDate\","
	    "\"value\":\"2099-06-01T00:00:00Z\"}]", &r);
	is_int(r.status, 200, "PATCH name, scope, validity, expiry: 200");
	is_int(json_object_size(r.json), 9, "the PAT, all nine fields");
	is_str(jstr(r.json, "id"), id, "id");
	is_str(jstr(r.json, "name"), "renamed", "name replaced");
	ok(json_array_size(json_object_get(r.json, "scope")) == 2 &&
	    strcmp(json_string_value(json_array_get(json_object_get(r.json,
	    "scope"), 1)), "demo:b") == 0, "scope appended to");
	is_int(json_integer_value(json_object_get(r.json,
	    "accessTokenValiditySeconds")), 120, "validity replaced");
	is_str(jstr(r.json, "expirationDate"), "2099-06-01T00:00:00.000Z",
	    "expiry replaced");
	is_str(jstr(json_object_get(r.json, "owner"), "name"), "MyManage",
	    "owner");
	resp_clear(&r);
	stored_pat(st, id, after, sizeof(after));
	ok(CONTAINS(after, "\"name\":\"renamed\"") &&
	    CONTAINS(after, "\"accessTokenValiditySeconds\":120") &&
	    CONTAINS(after, "2099-06-01T00:00:00.000Z") &&
	    CONTAINS(after, "[\"demo:a\",\"demo:b\"]"), "stored (%s)", after);

	patch_as(s, who[MYMAN].bearer, id, "application/json",
	    "[{\"op\":\"test\",\"path\":\"/scope/0\",\"value\":\"demo:a\"},"
	    "{\"op\":\"remove\",\"path\":\"/expirationDate\"},"
	    "{\"op\":\"move\",\"from\":\"/scope/0\",\"path\":\"/scope/-\"}]",
	    &r);
	is_int(r.status, 200, "application/json, test, remove, move: 200");
	ok(json_is_null(json_object_get(r.json, "expirationDate")),
	    "removed expirationDate: never");
	ok(strcmp(json_string_value(json_array_get(json_object_get(r.json,
	    "scope"), 0)), "demo:b") == 0, "moved within the scope");
	resp_clear(&r);
	patch_as(s, who[MYMAN].bearer, id, JP, "[]", &r);
	is_int(r.status, 200, "an empty patch: 200");
	is_str(jstr(r.json, "name"), "renamed", "... the PAT as it is");
	resp_clear(&r);

	/* Bad patches: 400 naming the operation or the rule, nothing
	 * stored. */
	stored_pat(st, id, before, sizeof(before));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		patch_as(s, who[MYMAN].bearer, id, JP, bad[i].patch, &r);
		is_int(r.status, 400, "PATCH %s: 400", bad[i].patch);
		ok(is_envelope(&r, "400.1 Bad Request Content") &&
		    CONTAINS(msg(&r), bad[i].says), "... says \"%s\" (%s)",
		    bad[i].says, msg(&r));
		resp_clear(&r);
		stored_pat(st, id, after, sizeof(after));
		is_str(after, before, "... and nothing is stored");
	}

	/* media type, ids, owners, rights, scopes */
	patch_as(s, who[MYMAN].bearer, id, "text/plain", "[]", &r);
	is_int(r.status, 415, "PATCH text/plain: 415");
	ok(CONTAINS(msg(&r), "application/json-patch+json"),
	    "names the media type (%s)", msg(&r));
	resp_clear(&r);
	patch_as(s, who[MYMAN].bearer, id, NULL, "[]", &r);
	is_int(r.status, 415, "PATCH without Content-Type: 415");
	resp_clear(&r);
	patch_as(s, who[MYMAN].bearer, "0123456789abcdef0123456789abcdef", JP,
	    "[]", &r);
	is_int(r.status, 404, "PATCH an unknown id: 404");
	ok(is_envelope(&r, "404 Not found"), "404 envelope");
	resp_clear(&r);
	patch_as(s, who[MYMAN].bearer, "nothex", JP, "[]", &r);
	is_int(r.status, 404, "PATCH a malformed id: 404");
	resp_clear(&r);
	patch_as(s, who[MYMAN].bearer, who[ADMIN].pat, JP, "[]", &r);
	is_int(r.status, 404, "PATCH another's PAT the caller cannot list: "
	    "404");
	resp_clear(&r);
	patch_as(s, who[READMAN].bearer, who[ADMIN].pat, JP, "[]", &r);
	is_int(r.status, 403, "PATCH another's PAT the caller can list: 403");
	ok(CONTAINS(msg(&r), "owner"), "... only its owner (%s)", msg(&r));
	resp_clear(&r);
	patch_as(s, who[ADMIN].bearer, id, JP, "[]", &r);
	is_int(r.status, 403, "not even ORG_ADMIN patches another's PAT");
	resp_clear(&r);
	patch_as(s, who[NOBODY].bearer, who[NOBODY].pat, JP, "[]", &r);
	is_int(r.status, 403, "PATCH without a manage right: 403");
	ok(CONTAINS(msg(&r), "idn:my-personal-access-tokens:manage"),
	    "names the right (%s)", msg(&r));
	resp_clear(&r);
	patch_as(s, who[LIMITED].bearer, who[LIMITED].pat, JP,
	    "[{\"op\":\"replace\",\"path\":\"/scope\",\"value\":null}]",
	    &r);
	is_int(r.status, 403, "a scope-limited PAT widens its scope: 403");
	resp_clear(&r);
	patch_as(s, who[LIMITED].bearer, who[LIMITED].pat, JP,
	    "[{\"op\":\"remove\",\"path\":\"/scope/1\"},"
	    "{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"lim\"}]",
	    &r);
	is_int(r.status, 200, "... narrows it: 200");
	resp_clear(&r);
	patch_as(s, who[LIMITED].bearer, who[LIMITED].pat, JP,
	    "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"lim2\"}]",
	    &r);
	is_int(r.status, 200, "... and may rename itself (scope unchanged)");
	resp_clear(&r);
	/* The spec gives PATCH only the my-tokens manage scope. */
	add_pat(st, who[ADMIN].id, "all-manage-scope",
	    "sp:all-personal-access-tokens:manage", 0, other, sec);
	token_for(s, other, sec, &r);
	bearer = bearer_of(&r);
	resp_clear(&r);
	patch_as(s, bearer, other, JP, "[]", &r);
	is_int(r.status, 403, "PATCH with a PAT scoped to all-tokens manage: "
	    "403");
	ok(CONTAINS(msg(&r), "scope"), "... the scope (%s)", msg(&r));
	resp_clear(&r);
	snprintf(body, sizeof(body), "/beta/personal-access-tokens/%s", other);
	request(s, "DELETE", body, bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 204, "... which DELETE takes: 204");
	resp_clear(&r);
	free(bearer);

	/* A new expiry bounds the next token's lifetime. */
	patch_as(s, who[MYMAN].bearer, who[MYMAN].pat, JP,
	    "[{\"op\":\"replace\",\"path\":\"/accessTokenValiditySeconds\","
	    "\"value\":43200}]", &r);
	resp_clear(&r);
	patrol_time_format(patrol_time_now() + 40000, when);
	snprintf(body, sizeof(body), "[{\"op\":\"replace\",\"path\":"
	    "\"/expirationDate\",\"value\":\"%s\"}]", when);
	patch_as(s, who[MYMAN].bearer, who[MYMAN].pat, JP, body, &r);
	is_int(r.status, 200, "PATCH the expiry to 40 s from now: 200");
	resp_clear(&r);
	token_for(s, who[MYMAN].pat, who[MYMAN].secret, &r);
	in = json_integer_value(json_object_get(r.json, "expires_in"));
	ok(in > 30 && in <= 40, "the next token lives until then (%lld)", in);
	resp_clear(&r);
}

static void
test_delete(struct patrol_server *s, struct patrol_store *st)
{
	struct resp		 r;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	char			 uri[256], id[PATROL_ID_LEN + 1];
	char			*bearer;

	/* A token issued before, and the PAT deleted by its owner. */
	token_for(s, created_id, created_secret, &r);
	bearer = bearer_of(&r);
	resp_clear(&r);
	/* MyManage may not read the MFA configuration: 403 means the token
	 * was accepted. */
	request(s, "GET", "/beta/mfa/duo-web/config", bearer, NULL, NULL,
	    NULL, &r);
	is_int(r.status, 403, "the token works before the delete");
	resp_clear(&r);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s",
	    created_id);
	request(s, "DELETE", uri, who[MYMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 204, "the owner deletes it: 204");
	is_str(r.body, "", "204: no body");
	ok(!CONTAINS(r.head, "Content-Type"), "204: no Content-Type");
	ok(CONTAINS(r.head, "Status: 204 No Content\r\n"), "204 status line");
	resp_clear(&r);
	ok(patrol_store_pat_get(st, created_id, &p, &err) ==
	    PATROL_ERR_NOTFOUND, "gone from the store");
	patrol_pat_clear(&p);
	request(s, "GET", "/beta/mfa/duo-web/config", bearer, NULL, NULL,
	    NULL, &r);
	is_int(r.status, 401, "a token issued before fails at once");
	is_str(jstr(r.json, "error"), "JWT validation failed: personal "
	    "access token no longer exists", "... as a PAT that is gone");
	resp_clear(&r);
	free(bearer);
	token_for(s, created_id, created_secret, &r);
	is_int(r.status, 401, "and its secret gets no new token");
	resp_clear(&r);
	request(s, "DELETE", uri, who[MYMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 404, "deleting it again: 404");
	ok(is_envelope(&r, "404 Not found") && CONTAINS(msg(&r), created_id),
	    "404 envelope naming the id (%s)", msg(&r));
	resp_clear(&r);

	request(s, "DELETE", "/beta/personal-access-tokens/"
	    "0123456789abcdef0123456789abcdef", who[ADMIN].bearer, NULL, NULL,
	    NULL, &r);
	is_int(r.status, 404, "unknown id: 404");
	resp_clear(&r);
	request(s, "DELETE", "/beta/personal-access-tokens/x%0Ay",
	    who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 404, "malformed id: 404");
	ok(!CONTAINS(msg(&r), "x%0Ay"), "a malformed id is not echoed");
	resp_clear(&r);
	request(s, "DELETE", "/beta/personal-access-tokens/a/b",
	    who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 404, "two segments: no such path, 404");
	resp_clear(&r);

	/* Another identity's PAT. */
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s",
	    who[ADMIN].pat);
	request(s, "DELETE", uri, who[MYMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 404, "another's PAT, that the caller cannot list: "
	    "404");
	resp_clear(&r);
	request(s, "DELETE", uri, who[READMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 403, "another's PAT, listed but only my-manage: "
	    "403");
	ok(CONTAINS(msg(&r), "idn:all-personal-access-tokens:manage"),
	    "names the right (%s)", msg(&r));
	resp_clear(&r);
	request(s, "DELETE", uri, who[NOBODY].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 403, "no manage right: 403 before anything else");
	resp_clear(&r);
	request(s, "DELETE", uri, who[SCOPED].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 403, "a PAT scoped to reading: 403");
	resp_clear(&r);
	add_pat(st, who[NOBODY].id, "to-delete", NULL, 0, id, NULL);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s", id);
	request(s, "DELETE", uri, who[ALLMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 204, "all-manage deletes another's PAT: 204");
	resp_clear(&r);
	add_pat(st, who[NOBODY].id, "managed", NULL, 1, id, NULL);
	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s", id);
	request(s, "DELETE", uri, who[ALLMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 404, "a managed PAT without the managed-read right: "
	    "404");
	resp_clear(&r);
	request(s, "DELETE", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 204, "... ORG_ADMIN sees and deletes it: 204");
	resp_clear(&r);

	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s",
	    who[MYMAN].pat);
	request(s, "GET", uri, who[MYMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 405, "GET on a PAT: 405");
	ok(CONTAINS(r.head, "Allow: PATCH, DELETE\r\n"),
	    "Allow lists the methods");
	ok(is_envelope(&r, "405 Method Not Allowed"), "405 envelope");
	resp_clear(&r);

	/* A PAT deleting itself: its own token fails right after. */
	request(s, "DELETE", uri, who[MYMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 204, "a PAT deletes itself: 204");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me",
	    who[MYMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 401, "... and its token is refused at once");
	resp_clear(&r);
}

static const char duo_example[] =
    "{\"mfaMethod\":\"duo-web\",\"enabled\":true,\"host\":\"www.example.com\","
    "\"accessKey\":\"qw123Y3QlA5UqocYpdU3rEkzrK2D497y\","
    "\"identityAttribute\":\"email\",\"configProperties\":{"
    "\"skey\":\"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B\","
    "\"ikey\":\"Q123WE45R6TY7890ZXCV\"}}";

static void
test_duo(struct patrol_server *s, struct patrol_store *st)
{
	struct resp		 r;
	struct patrol_error	 err;
	char			*stored = NULL, big[4096];
	const char		*J = "application/json";

	request(s, "GET", "/beta/mfa/duo-web/config", who[ADMIN].bearer, NULL,
	    NULL, NULL, &r);
	is_int(r.status, 200, "GET before any PUT");
	is_str(r.body, "{\"mfaMethod\":\"duo-web\",\"enabled\":false,"
	    "\"host\":null,\"accessKey\":null,\"identityAttribute\":null,"
	    "\"configProperties\":null}", "the default object");
	resp_clear(&r);

	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    duo_example, NULL, &r);
	is_int(r.status, 200, "PUT the spec example");
	is_str(jstr(r.json, "accessKey"), "q******y", "accessKey masked");
	is_str(jstr(json_object_get(r.json, "configProperties"), "skey"),
	    "1******B", "skey masked");
	is_str(jstr(json_object_get(r.json, "configProperties"), "ikey"),
	    "Q123WE45R6TY7890ZXCV", "ikey as stored");
	is_str(jstr(r.json, "host"), "www.example.com", "host as stored");
	ok(!CONTAINS(r.body, "qw123Y3QlA5") && !CONTAINS(r.log, "qw123Y3QlA5"),
	    "the secret is in neither the response nor the log");
	resp_clear(&r);

	request(s, "GET", "/beta/mfa/duo-web/config", who[MFAREAD].bearer, NULL,
	    NULL, NULL, &r);
	is_int(r.status, 200, "GET with idn:mfa-configuration:read");
	is_str(jstr(r.json, "accessKey"), "q******y", "GET masks too");
	resp_clear(&r);

	/* read-modify-write with the masked values keeps the secrets */
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{\"enabled\":false,\"host\":\"duo.example.org\",\"accessKey\":"
	    "\"q******y\",\"configProperties\":{\"skey\":\"1******B\","
	    "\"ikey\":\"Q123WE45R6TY7890ZXCV\"}}", NULL, &r);
	is_int(r.status, 200, "PUT back the masked form");
	resp_clear(&r);
	ok(patrol_store_duo_get(st, &stored, &err) == PATROL_OK &&
	    CONTAINS(stored, "duo.example.org"), "other fields changed");
	ok(stored != NULL && !CONTAINS(stored, "qw123Y3QlA5") &&
	    !CONTAINS(stored, "12q3WERlcUHW") &&
	    CONTAINS(stored, "\"accessKey\":\"enc:v1:") &&
	    CONTAINS(stored, "\"skey\":\"enc:v1:") &&
	    CONTAINS(stored, "Q123WE45R6TY7890ZXCV"),
	    "stored: both secrets sealed, ikey as it is");
	{
		struct patrol_seal	*seal = NULL;
		json_t			*j = stored != NULL ?
		    json_loads(stored, 0, NULL) : NULL;
		char			*a = NULL, *k = NULL;

		ok(patrol_seal_load(sealpath, &seal, &err) == PATROL_OK &&
		    j != NULL && patrol_seal_decrypt(seal,
		    "duo_config/1/accessKey", jstr(j, "accessKey"), &a,
		    &err) == PATROL_OK && patrol_seal_decrypt(seal,
		    "duo_config/1/configProperties.skey",
		    jstr(json_object_get(j, "configProperties"), "skey"), &k,
		    &err) == PATROL_OK && a != NULL && k != NULL &&
		    strcmp(a, "qw123Y3QlA5UqocYpdU3rEkzrK2D497y") == 0 &&
		    strcmp(k, "12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B") == 0,
		    "the sealed secrets open to the ones PUT first");
		free(a);
		a = NULL;
		ok(j != NULL && patrol_seal_decrypt(seal,
		    "duo_config/1/configProperties.skey",
		    jstr(j, "accessKey"), &a, &err) == PATROL_ERR_CRYPTO,
		    "a sealed secret moved to another field does not open");
		free(a);
		free(k);
		json_decref(j);
		patrol_seal_free(seal);
	}
	free(stored);

	request(s, "PUT", "/beta/mfa/duo-web/config", who[MFAREAD].bearer, J,
	    duo_example, NULL, &r);
	is_int(r.status, 403, "PUT without ORG_ADMIN: 403");
	resp_clear(&r);
	request(s, "GET", "/beta/mfa/duo-web/config", who[NOBODY].bearer, NULL,
	    NULL, NULL, &r);
	is_int(r.status, 403, "GET without a right: 403");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer,
	    "text/plain", duo_example, NULL, &r);
	is_int(r.status, 415, "PUT text/plain: 415");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, NULL,
	    duo_example, NULL, &r);
	is_int(r.status, 415, "PUT without Content-Type: 415");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer,
	    "application/json; charset=utf-8", "{\"enabled\":true}", NULL, &r);
	is_int(r.status, 200, "charset parameter accepted");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{not json", NULL, &r);
	is_int(r.status, 400, "non-JSON: 400");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "[1,2]", NULL, &r);
	is_int(r.status, 400, "non-object: 400");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{\"bogus\":1}", NULL, &r);
	is_int(r.status, 400, "unknown field: 400");
	ok(CONTAINS(msg(&r), "bogus"), "names the field (%s)", msg(&r));
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{\"enabled\":\"yes\"}", NULL, &r);
	is_int(r.status, 400, "wrong type: 400");
	ok(CONTAINS(msg(&r), "enabled"), "names the field (%s)", msg(&r));
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{\"host\":\"a\",\"host\":\"b\"}", NULL, &r);
	is_int(r.status, 400, "duplicate key: 400");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{\"host\":\"\xff\"}", NULL, &r);
	is_int(r.status, 400, "invalid UTF-8 body: 400");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{\"configProperties\":{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}}",
	    NULL, &r);
	is_int(r.status, 400, "over-deep body: 400");
	resp_clear(&r);
	memset(big, ' ', sizeof(big) - 3);
	big[0] = '{';
	big[sizeof(big) - 3] = '}';
	big[sizeof(big) - 2] = '\0';
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    big, NULL, &r);
	is_int(r.status, 413, "body over request_body_max: 413");
	ok(is_envelope(&r, "413 Payload Too Large"), "413 envelope");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{}", "99999999", &r);
	is_int(r.status, 413, "Content-Length over the limit: 413 unread");
	resp_clear(&r);
	request(s, "PUT", "/beta/mfa/duo-web/config", who[ADMIN].bearer, J,
	    "{}", "10", &r);
	is_int(r.status, 400, "body shorter than Content-Length: 400");
	resp_clear(&r);
	request(s, "DELETE", "/beta/mfa/duo-web/config", who[ADMIN].bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 405, "DELETE: 405");
	ok(CONTAINS(r.head, "Allow: GET, PUT\r\n"), "Allow: GET, PUT");
	resp_clear(&r);
}

static void
test_misc(struct patrol_server *s, struct patrol_server *oauth,
    struct patrol_server *beta)
{
	struct resp	 r, r2;
	static char	 uri[QUERY_MAX + 64];

	request(s, "GET", "/beta/nothing-here", who[ADMIN].bearer, NULL, NULL,
	    NULL, &r);
	request(s, "GET", "/", NULL, NULL, NULL, NULL, &r2);
	is_int(r.status, 404, "unknown path: 404");
	ok(is_envelope(&r, "404 Not found"), "404 envelope");
	ok(strcmp(jstr(r.json, "trackingId"), jstr(r2.json, "trackingId")) != 0,
	    "tracking ids differ between requests");
	ok(CONTAINS(r.log, jstr(r.json, "trackingId")),
	    "the tracking id is logged");
	resp_clear(&r);
	resp_clear(&r2);
	request(s, "GET", "/beta/personal-access-tokens/", who[ADMIN].bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 404, "trailing slash: 404");
	resp_clear(&r);

	/* Absolute-form targets (Apache passes them on in REQUEST_URI). */
	{
		static const struct { const char *uri; int status; } abs[] = {
			{ "http://127.0.0.1:8080/beta/mfa/duo-web/config", 200 },
			{ "HTTPS://example.org/beta/mfa/duo-web/config", 200 },
			{ "http://h/beta/personal-access-tokens?limit=1", 200 },
			{ "svn+ssh.x-y://h/beta/mfa/duo-web/config", 200 },
			{ "http://h", 404 },
			{ "http://h?x=1", 404 },
			{ "http:/beta/mfa/duo-web/config", 404 },
			{ "1http://h/beta/mfa/duo-web/config", 404 },
			{ "//h/beta/mfa/duo-web/config", 404 },
		};
		size_t	 k;

		for (k = 0; k < sizeof(abs) / sizeof(abs[0]); k++) {
			request(s, "GET", abs[k].uri, who[ADMIN].bearer, NULL,
			    NULL, NULL, &r);
			is_int(r.status, abs[k].status, "absolute form %s: %d",
			    abs[k].uri, abs[k].status);
			if (abs[k].status == 404)
				ok(is_envelope(&r, "404 Not found"),
				    "absolute form %s: 404 envelope",
				    abs[k].uri);
			resp_clear(&r);
		}
	}

	memset(uri, 'a', sizeof(uri) - 1);
	memcpy(uri, "/beta/personal-access-tokens?x=", 30);
	uri[sizeof(uri) - 1] = '\0';
	request(s, "GET", uri, who[ADMIN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 414, "query string over the bound: 414");
	ok(is_envelope(&r, "414 URI Too Long"), "414 envelope");
	resp_clear(&r);

	request(oauth, "GET", "/beta/mfa/duo-web/config", who[ADMIN].bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 404, "the oauth responder does not serve /beta");
	resp_clear(&r);
	request(beta, "POST", "/oauth/token", NULL, NULL, NULL, NULL, &r);
	is_int(r.status, 404, "the beta responder does not serve /oauth");
	resp_clear(&r);
	request(beta, "GET", "/beta/mfa/duo-web/config", who[ADMIN].bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 200, "the beta responder serves /beta");
	resp_clear(&r);
}

/* A client that goes away mid-response: the server says the response was
 * cut short (-1), so the runtime can abort the connection. */
static void
test_cut(struct patrol_server *s)
{
	struct fake		 f;
	struct patrol_io	 io = { &f, f_param, f_read, f_write, f_log };

	memset(&f, 0, sizeof(f));
	f.body = "";
	f.failafter = 300;	/* headers and part of the first item */
	setp(&f, "REQUEST_METHOD", "GET");
	setp(&f, "REQUEST_URI", "/beta/personal-access-tokens");
	setp(&f, "HTTP_AUTHORIZATION", who[MANAGED].bearer);
	is_int(patrol_server_handle(s, &io), -1,
	    "a write failing mid-listing makes handle return -1");
	f.failafter = 10;	/* not even the status line */
	pbuf_free(&f.out);
	is_int(patrol_server_handle(s, &io), -1,
	    "a write failing in the headers makes handle return -1");
	pbuf_free(&f.out);
	pbuf_free(&f.log);
}

static void
test_uninitialised(struct patrol_conf *conf)
{
	struct patrol_server	*s = NULL;
	struct patrol_error	 err;
	struct resp		 r;
	char			*saved = conf->db_path;
	char			 missing[300];

	snprintf(missing, sizeof(missing), "%s/absent.db", dir);
	conf->db_path = missing;
	ok(patrol_server_new(conf, PATROL_ROUTES_ALL, &s, &err) == PATROL_OK,
	    "a responder starts before patrolctl init");
	if (s != NULL) {
		request(s, "POST", "/oauth/token", NULL,
		    "application/x-www-form-urlencoded",
		    "grant_type=client_credentials&client_id=x&client_secret=y",
		    NULL, &r);
		is_int(r.status, 503, "and answers 503 until then");
		ok(is_envelope(&r, "503 Service Unavailable"), "503 envelope");
		ok(CONTAINS(r.log, "init"), "the log says to run init");
		resp_clear(&r);
	}
	patrol_server_free(s);
	conf->db_path = saved;
}

/* A manage right includes the read right of its range (docs/api.md). */
static void
test_manage_reads(struct patrol_server *s)
{
	struct resp	 r;

	request(s, "GET", "/beta/personal-access-tokens?owner-id=me",
	    who[MYMAN].bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "my-tokens manage lists its own PATs");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens", who[MYMAN].bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 403, "but not everyone's");
	resp_clear(&r);
	request(s, "GET", "/beta/personal-access-tokens", who[ALLMAN].bearer,
	    NULL, NULL, NULL, &r);
	is_int(r.status, 200, "all-tokens manage lists everyone's");
	resp_clear(&r);
}

/*
 * A GET runs in one read transaction. Whatever its outcome, the
 * transaction must be over when it returns: a write served next on the
 * same connection must be committed, as another connection sees.
 */
static void
test_read_txn(struct patrol_server *s, const struct patrol_conf *conf)
{
	static const struct {
		const char	*uri;
		int		 who;	/* -1: no token */
		int		 status;
	} gets[] = {
		{ "/beta/personal-access-tokens?owner-id=me", ADMIN, 200 },
		{ "/beta/personal-access-tokens?filters=bad", ADMIN, 400 },
		{ "/beta/personal-access-tokens", -1, 401 },
		{ "/beta/personal-access-tokens", NOBODY, 403 },
		{ "/beta/mfa/duo-web/config", ADMIN, 200 },
		{ "/beta/personal-access-tokens?limit=0&count=true", ADMIN,
		  200 },
	};
	struct patrol_store	*other = NULL;
	struct patrol_error	 err;
	struct patrol_pat	 p;
	struct resp		 r;
	char			 body[64], id[PATROL_ID_LEN + 1], uri[128];
	size_t			 i;

	if (patrol_store_open(conf, 0, &other, &err) != PATROL_OK) {
		ok(0, "second connection: %s", err.text);
		return;
	}
	for (i = 0; i < sizeof(gets) / sizeof(gets[0]); i++) {
		request(s, "GET", gets[i].uri, gets[i].who < 0 ? NULL :
		    who[gets[i].who].bearer, NULL, NULL, NULL, &r);
		is_int(r.status, gets[i].status, "GET %s: %d", gets[i].uri,
		    gets[i].status);
		resp_clear(&r);
		snprintf(body, sizeof(body), "{\"name\":\"txn %zu\"}", i);
		create_as(s, ADMIN, body, &r);
		is_int(r.status, 200, "then a create on the same connection");
		snprintf(id, sizeof(id), "%s", jstr(r.json, "id") != NULL ?
		    jstr(r.json, "id") : "");
		resp_clear(&r);
		is_int(patrol_store_pat_get(other, id, &p, &err), PATROL_OK,
		    "which another connection sees: committed");
		patrol_pat_clear(&p);
		snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s",
		    id);
		request(s, "DELETE", uri, who[ADMIN].bearer, NULL, NULL, NULL,
		    &r);
		is_int(r.status, 204, "and its delete");
		resp_clear(&r);
		is_int(patrol_store_pat_get(other, id, &p, &err),
		    PATROL_ERR_NOTFOUND, "is committed too");
	}
	patrol_store_close(other);
}

/* ---- the audit trail ------------------------------------------------ */

#define AUDIT_ROWS_MAX	32

struct audit_rows {
	size_t	 n;
	char	*f[AUDIT_ROWS_MAX][8];	/* actor, pat, client, tracking,
					 * operation, target, outcome, all */
};

static char *
dupnull(const char *s)
{
	return strdup(s != NULL ? s : "(null)");
}

static int
audit_collect(void *arg, const struct patrol_audit *a)
{
	struct audit_rows	*x = arg;
	char			 all[4096];

	if (x->n == AUDIT_ROWS_MAX)
		return 1;
	x->f[x->n][0] = dupnull(a->actor);
	x->f[x->n][1] = dupnull(a->pat_id);
	x->f[x->n][2] = dupnull(a->client);
	x->f[x->n][3] = dupnull(a->tracking_id);
	x->f[x->n][4] = dupnull(a->operation);
	x->f[x->n][5] = dupnull(a->target);
	x->f[x->n][6] = dupnull(a->outcome);
	snprintf(all, sizeof(all), "%s|%s|%s|%s|%s|%s|%s", x->f[x->n][0],
	    x->f[x->n][1], x->f[x->n][2], x->f[x->n][3], x->f[x->n][4],
	    x->f[x->n][5], x->f[x->n][6]);
	x->f[x->n][7] = strdup(all);
	x->n++;
	return 0;
}

static void
audit_rows_free(struct audit_rows *x)
{
	size_t	 i, j;

	for (i = 0; i < x->n; i++)
		for (j = 0; j < 8; j++)
			free(x->f[i][j]);
	x->n = 0;
}

/* The rows written since *mark (ms); *mark moves past them. */
static void
audit_since(struct patrol_store *st, int64_t *mark, struct audit_rows *x)
{
	struct patrol_error	 err;

	memset(x, 0, sizeof(*x));
	if (patrol_store_audit_list(st, *mark, audit_collect, x, &err) !=
	    PATROL_OK)
		tap_diag("audit list: %s", err.text);
	*mark = patrol_time_now() + 1;
	usleep(2000);		/* the next request is in a later ms */
}

/* Checks that exactly one row was written since *mark, with these fields
 * ("(null)" for none; outcome: a prefix). */
static void
audit_one(struct patrol_store *st, int64_t *mark, const char *what,
    const char *actor, const char *pat, const char *op, const char *target,
    const char *outcome, const char *tracking)
{
	struct audit_rows	 x;

	audit_since(st, mark, &x);
	is_int(x.n, 1, "audit %s: one row", what);
	if (x.n >= 1) {
		ok(strcmp(x.f[0][0], actor) == 0 && strcmp(x.f[0][1], pat) == 0 &&
		    strcmp(x.f[0][2], "192.0.2.7") == 0 &&
		    strcmp(x.f[0][4], op) == 0 &&
		    strcmp(x.f[0][5], target) == 0 &&
		    strncmp(x.f[0][6], outcome, strlen(outcome)) == 0 &&
		    strlen(x.f[0][3]) == PATROL_ID_LEN &&
		    (tracking == NULL || strcmp(x.f[0][3], tracking) == 0),
		    "audit %s: the row's fields (%s)", what, x.f[0][7]);
	}
	audit_rows_free(&x);
}

static void
audit_none(struct patrol_store *st, int64_t *mark, const char *what)
{
	struct audit_rows	 x;

	audit_since(st, mark, &x);
	is_int(x.n, 0, "audit %s: no row (%s)", what, x.n > 0 ? x.f[0][7] :
	    "");
	audit_rows_free(&x);
}

/* Runs sql on the test's database with SQLite directly. */
static void
db_exec(const char *sql)
{
	sqlite3	*db;
	char	*e = NULL;

	if (sqlite3_open(dbpath, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, &e) != SQLITE_OK)
		tap_diag("db_exec: %s", e != NULL ? e : sqlite3_errmsg(db));
	sqlite3_free(e);
	sqlite3_close(db);
}

/* A new identity with rights (comma-separated) and a PAT; *bearer new. */
static void
new_caller(struct patrol_server *s, struct patrol_store *st,
    const char *name, const char *rights, char *id, char *pat,
    char **bearer)
{
	struct patrol_identity	 ident;
	struct patrol_error	 err;
	struct resp		 r;
	char			 secret[PATROL_SECRET_LEN + 1];

	memset(&ident, 0, sizeof(ident));
	patrol_id_new(ident.id);
	ident.name = (char *)name;
	ident.nrights = split(rights, &ident.rights);
	if (patrol_store_identity_add(st, &ident, &err) != PATROL_OK)
		tap_diag("identity_add: %s", err.text);
	strcpy(id, ident.id);
	while (ident.nrights > 0)
		free(ident.rights[--ident.nrights]);
	free(ident.rights);
	add_pat(st, id, "main", NULL, 0, pat, secret);
	token_for(s, pat, secret, &r);
	*bearer = bearer_of(&r);
	resp_clear(&r);
}

static void
test_audit(struct patrol_server *s, struct patrol_store *st)
{
	struct resp		 r;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	struct audit_rows	 x;
	char			 uri[256], id[PATROL_ID_LEN + 1], body[512];
	char			 secret[PATROL_SECRET_LEN + 1], bad[512];
	char			*stored = NULL;
	const char		*J = "application/json";
	const char		*F = "application/x-www-form-urlencoded";
	char			 mine[PATROL_ID_LEN + 1], minepat[PATROL_ID_LEN + 1];
	char			 other[PATROL_ID_LEN + 1], otherpat[PATROL_ID_LEN + 1];
	char			*bearer = NULL, *obearer = NULL;
	int64_t			 mark;
	size_t			 i, j;

	new_caller(s, st, "Auditor", "ORG_ADMIN", mine, minepat, &bearer);
	new_caller(s, st, "Other", "idn:all-personal-access-tokens:manage",
	    other, otherpat, &obearer);
	fake_addr = "192.0.2.7";
	usleep(2000);
	mark = patrol_time_now();

	/* Changes, each with its row. */
	request(s, "POST", "/beta/personal-access-tokens", bearer,
	    J, "{\"name\":\"audited\"}", NULL, &r);
	is_int(r.status, 200, "audit: create");
	snprintf(id, sizeof(id), "%s", jstr(r.json, "id") != NULL ?
	    jstr(r.json, "id") : "");
	snprintf(secret, sizeof(secret), "%s", jstr(r.json, "secret") != NULL ?
	    jstr(r.json, "secret") : "");
	resp_clear(&r);
	audit_one(st, &mark, "create", mine, minepat,
	    "createPersonalAccessToken", id, "ok", NULL);

	snprintf(uri, sizeof(uri), "/beta/personal-access-tokens/%s", id);
	request(s, "PATCH", uri, bearer,
	    "application/json-patch+json",
	    "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"audited2\"}]",
	    NULL, &r);
	is_int(r.status, 200, "audit: patch");
	resp_clear(&r);
	audit_one(st, &mark, "patch", mine, minepat,
	    "patchPersonalAccessToken", id, "ok", NULL);

	/* Refused changes: a row with the status and why. */
	request(s, "PATCH", uri, obearer,
	    "application/json-patch+json",
	    "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"x\"}]", NULL,
	    &r);
	is_int(r.status, 403, "audit: patch by another: 403");
	audit_one(st, &mark, "refused patch", other, otherpat,
	    "patchPersonalAccessToken", id, "403 only its owner may change",
	    jstr(r.json, "trackingId"));
	resp_clear(&r);
	request(s, "POST", "/beta/personal-access-tokens", bearer,
	    J, "{\"name\":", NULL, &r);
	is_int(r.status, 400, "audit: create with a bad body: 400");
	audit_one(st, &mark, "bad create", mine, minepat,
	    "createPersonalAccessToken", "(null)", "400 ",
	    jstr(r.json, "trackingId"));
	resp_clear(&r);

	/* Duo: the row never holds a secret. */
	request(s, "PUT", "/beta/mfa/duo-web/config", bearer, J,
	    duo_example, NULL, &r);
	is_int(r.status, 200, "audit: Duo PUT");
	resp_clear(&r);
	audit_one(st, &mark, "Duo PUT", mine, minepat,
	    "setMFADuoConfig", "duo-web", "ok", NULL);
	request(s, "GET", "/beta/mfa/duo-web/config", who[MINE].bearer, NULL,
	    NULL, NULL, &r);
	is_int(r.status, 403, "audit: Duo GET without the right: 403");
	resp_clear(&r);
	audit_one(st, &mark, "refused Duo GET", who[MINE].id, who[MINE].pat,
	    "getMFADuoConfig", "duo-web", "403 ", NULL);

	/* Reads that succeed leave no row; refused authentication does. */
	request(s, "GET", "/beta/personal-access-tokens?owner-id=me",
	    bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 200, "audit: a listing");
	resp_clear(&r);
	audit_none(st, &mark, "listing");
	request(s, "GET", "/beta/personal-access-tokens", "Bearer x.y.z",
	    NULL, NULL, NULL, &r);
	is_int(r.status, 401, "audit: a bad bearer token: 401");
	resp_clear(&r);
	audit_one(st, &mark, "bad bearer", "(null)", "(null)",
	    "listPersonalAccessTokens", "(null)", "401 JWT validation failed",
	    NULL);
	snprintf(body, sizeof(body), "grant_type=client_credentials&"
	    "client_id=%s&client_secret=%s", id, secret);
	request(s, "POST", "/oauth/token", NULL, F, body, NULL, &r);
	is_int(r.status, 200, "audit: a token");
	resp_clear(&r);
	audit_none(st, &mark, "token");
	snprintf(bad, sizeof(bad), "grant_type=client_credentials&"
	    "client_id=%s&client_secret=wrong", id);
	request(s, "POST", "/oauth/token", NULL, F, bad, NULL, &r);
	is_int(r.status, 401, "audit: a wrong secret: 401");
	resp_clear(&r);
	audit_one(st, &mark, "wrong secret", "(null)", "(null)",
	    "createOauthToken", id, "401 Bad credentials", NULL);
	request(s, "POST", "/oauth/token", NULL, F, "grant_type=client_"
	    "credentials&client_id=not-an-id&client_secret=x", NULL, &r);
	is_int(r.status, 401, "audit: an unknown client: 401");
	resp_clear(&r);
	audit_one(st, &mark, "unknown client", "(null)", "(null)",
	    "createOauthToken", "(null)", "401 Bad credentials", NULL);

	/* The trail and its change commit together: a row that cannot be
	 * written undoes the change. */
	db_exec("CREATE TRIGGER audit_refuse BEFORE INSERT ON audit "
	    "BEGIN SELECT RAISE(ABORT, 'audit refused'); END");
	request(s, "DELETE", uri, bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 500, "audit: no row, no delete: 500");
	ok(is_envelope(&r, "500.0 Internal Fault"), "audit: 500 envelope");
	ok(CONTAINS(r.log, "audit"), "audit: the log says why (%s)", r.log);
	resp_clear(&r);
	ok(patrol_store_pat_get(st, id, &p, &err) == PATROL_OK,
	    "audit: the PAT is still there");
	patrol_pat_clear(&p);
	request(s, "POST", "/beta/personal-access-tokens", bearer,
	    J, "{\"name\":\"never\"}", NULL, &r);
	is_int(r.status, 500, "audit: no row, no create: 500");
	resp_clear(&r);
	{
		struct patrol_pat_query	 q;
		int64_t			 n = -1;

		memset(&q, 0, sizeof(q));
		q.owner_id = mine;
		patrol_store_pat_count(st, &q, &n, &err);
		is_int(n, 2, "audit: nothing was created (main, audited)");
	}
	patrol_store_duo_get(st, &stored, &err);
	request(s, "PUT", "/beta/mfa/duo-web/config", bearer, J,
	    "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":\"h\","
	    "\"accessKey\":\"k\",\"identityAttribute\":\"email\","
	    "\"configProperties\":{\"skey\":\"s\",\"ikey\":\"i\"}}", NULL, &r);
	is_int(r.status, 500, "audit: no row, no Duo PUT: 500");
	resp_clear(&r);
	{
		char	*now = NULL;

		patrol_store_duo_get(st, &now, &err);
		ok(stored != NULL && now != NULL && strcmp(stored, now) == 0,
		    "audit: the Duo configuration is unchanged");
		free(now);
	}
	free(stored);
	db_exec("DROP TRIGGER audit_refuse");
	audit_none(st, &mark, "refused by the trigger");

	request(s, "DELETE", uri, bearer, NULL, NULL, NULL, &r);
	is_int(r.status, 204, "audit: delete");
	resp_clear(&r);
	audit_one(st, &mark, "delete", mine, minepat,
	    "deletePersonalAccessToken", id, "ok", NULL);

	/* No secret and no hash anywhere in the trail. */
	memset(&x, 0, sizeof(x));
	patrol_store_audit_list(st, 0, audit_collect, &x, &err);
	ok(x.n > 10, "audit: the whole trail (%zu rows)", x.n);
	for (i = j = 0; i < x.n; i++)
		if (CONTAINS(x.f[i][7], "qw123Y3QlA5") ||
		    CONTAINS(x.f[i][7], "12q3WERlcUH") ||
		    (secret[0] != '\0' && CONTAINS(x.f[i][7], secret)) ||
		    CONTAINS(x.f[i][7], "wrong"))
			j++;
	is_int(j, 0, "audit: no secret in any row");
	audit_rows_free(&x);
	fake_addr = NULL;
	free(bearer);
	free(obearer);
}

int
main(void)
{
	struct patrol_conf	*conf = NULL;
	struct patrol_store	*st = NULL;
	struct patrol_server	*s = NULL, *oauth = NULL, *beta = NULL;
	struct patrol_error	 err;
	size_t			 i;

	if (setup(&conf, &st) == -1) {
		printf("Bail out! fixture setup failed\n");
		teardown();
		return 1;
	}
	if (patrol_server_new(conf, PATROL_ROUTES_ALL, &s, &err) != PATROL_OK ||
	    patrol_server_new(conf, PATROL_ROUTES_OAUTH, &oauth, &err) != PATROL_OK ||
	    patrol_server_new(conf, PATROL_ROUTES_BETA, &beta, &err) != PATROL_OK) {
		printf("Bail out! server_new: %s\n", err.text);
		teardown();
		return 1;
	}
	test_token(s, st);
	test_auth(s);
	test_list(s);
	test_manage_reads(s);
	test_expiry(s, st);
	test_paging(s, st);
	test_paging_errors(s);
	test_create(s, st);
	test_patch(s, st);
	test_delete(s, st);
	test_duo(s, st);
	test_misc(s, oauth, beta);
	test_cut(s);
	test_read_txn(s, conf);
	test_audit(s, st);
	test_uninitialised(conf);

	for (i = 0; i < NWHO; i++)
		free(who[i].bearer);
	patrol_server_free(s);
	patrol_server_free(oauth);
	patrol_server_free(beta);
	patrol_store_close(st);
	patrol_conf_free(conf);
	teardown();
	return done_testing();
}
