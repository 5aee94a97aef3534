/*
 * server.c: a responder's long-lived state and the serving of one request:
 * bounds, routing, bearer-token authentication, scopes, dispatch.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "patrol.h"
#include "extern.h"

#define PATH_MAX_LEN	2048	/* bytes of the path part of REQUEST_URI */

struct patrol_server {
	const struct patrol_conf	*conf;		/* borrowed */
	enum patrol_routes		 routes;
	struct keyring			 ring;		/* signing keys */
	struct patrol_seal		*seal;		/* loaded lazily */
	struct patrol_ratelimit		*limits;	/* shared counters */
	struct stat			 seal_st;	/* its file, when loaded */
	time_t				 seal_checked;	/* last look, seconds */
	struct patrol_store		*store;		/* opened lazily */
	struct idgen			 ids;		/* tracking ids */
};

/* The rate limit counters, opened on first use (and again on every request
 * until that works): NULL with *err filled when they cannot be, which the
 * request answers with a 500 naming the cause; limits off: no file. */
static int
open_limits(struct patrol_server *s, struct patrol_error *err)
{
	if (s->limits != NULL || s->conf->limits_file == NULL ||
	    (s->conf->requests_per_token <= 0 && s->conf->auth_failures <= 0))
		return 0;
	return patrol_ratelimit_open(s->conf->limits_file, &s->limits, err) ==
	    PATROL_OK ? 0 : -1;
}

/* The open store, opening it on first use (the database may have been
 * initialised since the responder started); NULL with *err filled. */
static struct patrol_store *
open_store(struct patrol_server *s, struct patrol_error *err)
{
	if (s->store == NULL &&
	    patrol_store_open(s->conf, 0, &s->store, err) != PATROL_OK)
		s->store = NULL;
	return s->store;
}

/* The secrets key, loaded on first use: NULL while secrets.key_file does
 * not exist (patrolctl init makes it; no restart needed), which the Duo
 * operations answer with a CONFIG error when they meet a secret. The file
 * is looked at (stat) at most once a second: when it is another file or changed
 * (patrolctl key rotate --secrets renames a new one into place), it is
 * loaded again; one that does not load leaves the last good key in use. */
static const struct patrol_seal *
get_seal(struct patrol_server *s)
{
	struct patrol_seal	*seal = NULL;
	struct stat		 sb;
	time_t			 now = time(NULL);

	/* At most one look a second while a key is loaded. */
	if (s->seal != NULL && now == s->seal_checked)
		return s->seal;
	s->seal_checked = now;
	if (s->conf->secrets_key_file == NULL ||
	    stat(s->conf->secrets_key_file, &sb) == -1)
		return s->seal;
	if (s->seal != NULL && sb.st_ino == s->seal_st.st_ino &&
	    sb.st_dev == s->seal_st.st_dev && sb.st_size == s->seal_st.st_size &&
	    sb.st_mtim.tv_sec == s->seal_st.st_mtim.tv_sec &&
	    sb.st_mtim.tv_nsec == s->seal_st.st_mtim.tv_nsec)
		return s->seal;
	if (patrol_seal_load(s->conf->secrets_key_file, &seal, NULL) ==
	    PATROL_OK) {
		patrol_seal_free(s->seal);
		s->seal = seal;
		s->seal_st = sb;
	}
	return s->seal;
}

enum patrol_err
patrol_server_new(const struct patrol_conf *conf, enum patrol_routes routes,
    struct patrol_server **out, struct patrol_error *err)
{
	struct patrol_server	*s;
	enum patrol_err		 rc;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	s->conf = conf;
	s->routes = routes;
	if (idgen_init(&s->ids) != PATROL_OK) {
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "cannot seed the tracking ids from the CSPRNG");
		goto fail;
	}
	if ((rc = keyring_load(&s->ring, conf->key_file, err)) != PATROL_OK)
		goto fail;
	/* A secrets key that exists but is unusable stops the start (it
	 * would fail every Duo request); a missing one may come later. */
	if (conf->secrets_key_file != NULL &&
	    stat(conf->secrets_key_file, &s->seal_st) == 0 &&
	    (rc = patrol_seal_load(conf->secrets_key_file, &s->seal, err)) !=
	    PATROL_OK)
		goto fail;
	/*
	 * A database fault is not fatal: an uninitialised database gets a
	 * 503, one that cannot be opened for writing (read-only, locked) a
	 * 500 naming the cause, and every request opens it again until it
	 * can (open_store), without restarting the responders.
	 */
	rc = patrol_store_open(conf, 0, &s->store, err);
	if (rc != PATROL_OK && rc != PATROL_ERR_SCHEMA &&
	    rc != PATROL_ERR_STORE)
		goto fail;
	s->store = rc == PATROL_OK ? s->store : NULL;
	*out = s;
	return PATROL_OK;
fail:
	patrol_server_free(s);
	return rc;
}

void
patrol_server_free(struct patrol_server *s)
{
	if (s == NULL)
		return;
	patrol_store_close(s->store);
	keyring_free(&s->ring);
	patrol_seal_free(s->seal);
	patrol_ratelimit_close(s->limits);
	free(s);
}

/* 401 in the shape of the spec: {"error":"JWT validation failed: why"}. */
static int
unauthorized(struct req *r, const char *why)
{
	char	 text[PATROL_ERROR_TEXT_MAX + 32];

	snprintf(text, sizeof(text), "JWT validation failed: %s", why);
	req_log(r, "401 %s", text);
	req_why(r, 401, text);
	return req_json(r, 401, json_pack("{s:s}", "error", text),
	    "WWW-Authenticate: Bearer\r\n");
}

/* Fills r->callerpat and r->caller from the bearer token, checks the PAT's
 * scope against the operation's. Returns 0 to go on, -1 when a response
 * (401, 403, 5xx) was written instead. */
static int
authenticate(struct req *r, const char *const *op_scopes)
{
	const char		*h = req_param(r, "HTTP_AUTHORIZATION");
	struct patrol_claims	 claims;
	struct patrol_error	 err = { 0 };
	const struct patrol_key	*key;
	enum patrol_err		 rc;
	size_t			 i;
	int64_t			 now;
	long			 retry;
	int			 tryall;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return unauthorized(r, "no bearer token"), -1;
	for (h += 7; *h == ' '; h++)
		continue;
	if (strlen(h) > HEADER_MAX)
		return unauthorized(r, "JWT is malformed"), -1;
	now = patrol_time_now() / 1000;
	/* The key the token names: the current one, or one rotated out
	 * (patrolctl key rotate --signing) and still retained, until it is
	 * pruned. */
	if ((key = keyring_pick(r->ring, h, &tryall)) == NULL)
		return unauthorized(r, "JWT signing key is unknown"), -1;
	rc = patrol_token_verify(key, r->conf->issuer, h, now,
	    r->conf->token_lifetime, &claims, &err);
	/* A token without kid, from before tokens named their key. */
	for (i = 0; rc == PATROL_ERR_AUTH && tryall && i < r->ring->nold &&
	    strcmp(err.text, "JWT signature does not match") == 0; i++)
		rc = patrol_token_verify(r->ring->old[i], r->conf->issuer, h,
		    now, r->conf->token_lifetime, &claims, &err);
	/* Only AUTH says the token is bad; the rest (an allocation or
	 * OpenSSL failed, no key) say nothing about it. */
	if (rc == PATROL_ERR_AUTH)
		return unauthorized(r, err.text), -1;
	if (rc != PATROL_OK)
		return req_fail(r, rc, err.text), -1;
	/* Signed by us: whatever comes next, the trail may name them. */
	if (patrol_id_valid(claims.identity_id) &&
	    patrol_id_valid(claims.pat_id)) {
		memcpy(r->claimed_id, claims.identity_id, PATROL_ID_LEN + 1);
		memcpy(r->claimed_pat, claims.pat_id, PATROL_ID_LEN + 1);
	}
	rc = patrol_store_pat_get(r->store, claims.pat_id, &r->callerpat,
	    &err);
	if (rc == PATROL_ERR_NOTFOUND)
		return unauthorized(r,
		    "personal access token no longer exists"), -1;
	if (rc != PATROL_OK)
		return req_fail(r, rc, err.text), -1;
	if (strcmp(r->callerpat.owner_id, claims.identity_id) != 0)
		return unauthorized(r, "JWT subject does not own its "
		    "personal access token"), -1;
	if (patrol_pat_expired(&r->callerpat, patrol_time_now()))
		return unauthorized(r,
		    "personal access token has expired"), -1;
	rc = patrol_store_identity_get(r->store, claims.identity_id,
	    &r->caller, &err);
	if (rc == PATROL_ERR_NOTFOUND)
		return unauthorized(r, "identity no longer exists"), -1;
	if (rc != PATROL_OK)
		return req_fail(r, rc, err.text), -1;
	/* Per access token, across every responder (limits.*). */
	if ((retry = patrol_ratelimit_hit(r->limits, "token", claims.jti,
	    r->conf->requests_per_token, r->conf->window_seconds, now, 1)) > 0)
		return req_too_many(r, retry, "requests_per_token reached for "
		    "this access token"), -1;
	if (!patrol_scope_allows(r->callerpat.scope, r->callerpat.nscope,
	    r->callerpat.scope_null, op_scopes)) {
		struct pbuf b = { 0 };

		for (i = 0; op_scopes[i] != NULL; i++)
			pbuf_printf(&b, "%s%s", i ? ", " : "", op_scopes[i]);
		req_error(r, 403, NULL, "the scope of this personal access "
		    "token does not allow this operation (it needs %s or one "
		    "of: %s)", PATROL_SCOPE_ALL, b.s != NULL ? b.s : "");
		pbuf_free(&b);
		return -1;
	}
	r->authed = 1;
	return 0;
}

/* Fills *a with what the request knows of itself (time: now). */
static void
audit_row(struct req *r, struct patrol_audit *a, const char *target,
    const char *outcome)
{
	memset(a, 0, sizeof(*a));
	a->time = patrol_time_now();
	if (r->authed) {
		a->actor = r->caller.id;
		a->pat_id = r->callerpat.id;
	} else if (r->claimed_id[0] != '\0') {
		a->actor = r->claimed_id;
		a->pat_id = r->claimed_pat;
	}
	a->client = req_param(r, "REMOTE_ADDR");
	if (a->client != NULL && strlen(a->client) > 64)
		a->client = NULL;	/* not an address */
	a->tracking_id = r->tracking;
	a->operation = r->op;
	a->target = target;
	a->outcome = outcome;
}

enum patrol_err
req_commit_audited(struct req *r, const char *target,
    struct patrol_error *err)
{
	struct patrol_audit	 a;
	enum patrol_err		 rc;

	audit_row(r, &a, target, "ok");
	if ((rc = patrol_audit_record(r->store, r->conf, &a, err)) !=
	    PATROL_OK) {
		patrol_store_rollback(r->store);
		return rc;
	}
	if ((rc = patrol_store_commit(r->store, err)) == PATROL_OK)
		r->audited = 1;
	return rc;
}

/*
 * After the response: the audit row of an operation that answered an
 * error the trail keeps (see AUDIT_*), written on its own, outside any
 * transaction. A failure to write it is logged only: the answer is out.
 * Throttled requests (429) are not recorded: a flood writes nothing.
 */
static void
audit_refused(struct req *r)
{
	struct patrol_audit	 a;
	struct patrol_error	 err = { 0 };
	const char		*target = NULL;

	if (r->op == NULL || r->audited || r->store == NULL ||
	    r->status == 0 || r->status == 429 || r->why[0] == '\0')
		return;
	if (r->audit == AUDIT_REFUSED && r->status != 401 &&
	    r->status != 403)
		return;
	if (r->status < 400)
		return;
	if (r->target[0] != '\0')
		target = r->target;
	else if (r->id != NULL && patrol_id_valid(r->id))
		target = r->id;
	else
		target = r->route->target;
	audit_row(r, &a, target, r->why);
	if (patrol_audit_record(r->store, r->conf, &a, &err) != PATROL_OK)
		req_log(r, "could not record the audit trail: %s", err.text);
}

/*
 * An absolute-form request target (RFC 9112, 3.2.2: "GET http://host:port/p"),
 * which Apache passes on unchanged in REQUEST_URI, without its
 * "scheme://authority": the path and query that follow it ("/" if none).
 * Anything else is returned as it is.
 */
static const char *
origin_form(const char *uri)
{
	const char	*p = uri, *auth;

	if (!isalpha((unsigned char)*p))
		return uri;
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' ||
	    *p == '.')
		p++;
	if (strncmp(p, "://", 3) != 0)
		return uri;
	auth = p + 3;
	p = auth + strcspn(auth, "/?#");
	/* No path is the root; the query string comes from QUERY_STRING. */
	return *p == '/' ? p : "/";
}

/* The path part of the request URI: REQUEST_URI up to '?', else
 * SCRIPT_NAME + PATH_INFO (plain CGI). New string or NULL on ENOMEM. */
static char *
request_path(struct req *r)
{
	const char	*uri = req_param(r, "REQUEST_URI"), *q;
	const char	*sn, *pi;
	struct pbuf	 b = { 0 };

	if (uri != NULL) {
		uri = origin_form(uri);
		q = strchr(uri, '?');
		return xstrndup(uri, q != NULL ? (size_t)(q - uri) : strlen(uri));
	}
	sn = req_param(r, "SCRIPT_NAME");
	pi = req_param(r, "PATH_INFO");
	pbuf_adds(&b, sn != NULL ? sn : "");
	pbuf_adds(&b, pi != NULL ? pi : "");
	if (b.len == 0)
		pbuf_adds(&b, "/");
	return pbuf_take(&b);
}

int
patrol_server_handle(struct patrol_server *srv, const struct patrol_io *io)
{
	struct req		 r;
	const struct route	*rt;
	struct patrol_error	 err = { 0 };
	const char		*id;
	size_t			 i, idlen;
	int			 reading = 0;
	char			 allow[64];

	memset(&r, 0, sizeof(r));
	r.conf = srv->conf;
	keyring_refresh(&srv->ring, srv->conf->key_file, (int64_t)time(NULL));
	r.key = srv->ring.cur;
	r.ring = &srv->ring;
	r.io = io;
	if (srv->routes != PATROL_ROUTES_OAUTH)
		r.seal = get_seal(srv);
	idgen_next(&srv->ids, r.tracking);
	if ((r.method = req_param(&r, "REQUEST_METHOD")) == NULL)
		r.method = "GET";
	if ((r.query = req_param(&r, "QUERY_STRING")) == NULL)
		r.query = "";
	if ((r.path = request_path(&r)) == NULL) {
		req_error(&r, 500, NULL, "out of memory");
		goto out;
	}
	if (strlen(r.query) > QUERY_MAX || strlen(r.path) > PATH_MAX_LEN) {
		req_error(&r, 414, NULL, "the request URI is too long (at "
		    "most %d bytes of path and %d of query string)",
		    PATH_MAX_LEN, QUERY_MAX);
		goto out;
	}
	rt = route_find(r.path, &id, &idlen);
	if (rt == NULL || (srv->routes != PATROL_ROUTES_ALL &&
	    srv->routes != rt->set)) {
		if (utf8_valid(r.path, strlen(r.path)))
			req_error(&r, 404, NULL, "no resource at %s", r.path);
		else
			req_error(&r, 404, NULL, "no resource at this path");
		goto out;
	}
	r.route = rt;
	for (i = 0; i < sizeof(rt->ops) / sizeof(rt->ops[0]); i++)
		if (rt->ops[i].method != NULL &&
		    strcmp(rt->ops[i].method, r.method) == 0)
			break;
	if (i == sizeof(rt->ops) / sizeof(rt->ops[0])) {
		snprintf(allow, sizeof(allow), "Allow: %s\r\n", rt->allow);
		req_error(&r, 405, allow, "method %s is not allowed for %s "
		    "(allowed: %s)", utf8_valid(r.method, strlen(r.method)) &&
		    strlen(r.method) < 32 ? r.method : "?", rt->path,
		    rt->allow);
		goto out;
	}
	r.op = rt->ops[i].name;
	r.audit = rt->ops[i].audit;
	if (id != NULL && (r.id = xstrndup(id, idlen)) == NULL) {
		req_error(&r, 500, NULL, "out of memory");
		goto out;
	}
	if ((r.store = open_store(srv, &err)) == NULL ||
	    open_limits(srv, &err) == -1) {
		req_fail(&r, err.code, err.text);
		goto out;
	}
	r.limits = srv->limits;
	/*
	 * A GET only reads: its authentication and its answer share one read
	 * transaction (one snapshot, one lock instead of one per statement).
	 * Without one, each read is its own transaction, which is correct too.
	 */
	if (strcmp(r.method, "GET") == 0)
		reading = patrol_store_read_begin(r.store, &err) == PATROL_OK;
	if (rt->auth && authenticate(&r, rt->ops[i].scopes) == -1)
		goto out;
	rt->ops[i].fn(&r);
out:
	if (reading)
		patrol_store_read_end(r.store);
	audit_refused(&r);
	free(r.path);
	free(r.id);
	patrol_identity_clear(&r.caller);
	patrol_pat_clear(&r.callerpat);
	return r.failed ? -1 : 0;
}

int
patrol_server_refuse(const struct patrol_io *io, const char *reason)
{
	struct req	 r;
	struct idgen	 ids;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.io = io;
	if (idgen_init(&ids) == PATROL_OK)
		idgen_next(&ids, r.tracking);
	else
		memset(r.tracking, '0', PATROL_ID_LEN);
	if ((r.method = req_param(&r, "REQUEST_METHOD")) == NULL)
		r.method = "GET";
	r.path = request_path(&r);
	req_log(&r, "500 the responder cannot serve: %s", reason);
	rc = req_json(&r, 500, envelope_new(500, r.tracking, "the service "
	    "cannot serve requests: its configuration, signing key or "
	    "database could not be loaded (the server's error log says why)"),
	    NULL);
	free(r.path);
	return rc == 0 && !r.failed ? 0 : -1;
}

