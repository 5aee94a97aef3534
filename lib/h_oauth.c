/*
 * h_oauth.c: POST /oauth/token, the client-credentials grant where the
 * client is a personal access token (RFC 6749 section 4.4).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "patrol.h"
#include "extern.h"

/* RFC 6749 section 5.2 error body. */
static int
oauth_error(struct req *r, int status, const char *code, const char *desc)
{
	req_log(r, "%d %s: %s", status, code, desc);
	req_why(r, status, desc);
	return req_json(r, status, json_pack("{s:s, s:s}", "error", code,
	    "error_description", desc), status == 401 ?
	    "WWW-Authenticate: Basic realm=\"patrol\"\r\n" : NULL);
}

/*
 * Client credentials from "Authorization: Basic": base64 of
 * form-urlencoded id ":" form-urlencoded secret (RFC 6749 2.3.1). Returns 1
 * when present and well formed (*id, *secret new), 0 when absent, -1 when
 * malformed, -2 when out of memory.
 */
static int
basic_credentials(struct req *r, char **id, size_t *idlen, char **secret,
    size_t *secretlen)
{
	const char	*h = req_param(r, "HTTP_AUTHORIZATION");
	unsigned char	*dec = NULL;
	char		*colon;
	size_t		 declen = 0;
	int		 rc = -1;
	enum patrol_err	 e;

	*id = *secret = NULL;
	if (h == NULL || strncasecmp(h, "Basic ", 6) != 0)
		return 0;
	for (h += 6; *h == ' '; h++)
		continue;
	errno = 0;
	if (strlen(h) > HEADER_MAX ||
	    (dec = b64_decode(h, strlen(h), 0, &declen)) == NULL) {
		rc = errno == ENOMEM ? -2 : -1;
		goto out;
	}
	if ((colon = memchr(dec, ':', declen)) == NULL)
		goto out;
	if ((e = url_decode((char *)dec, (size_t)(colon - (char *)dec), 1,
	    "client_id", id, idlen, NULL)) != PATROL_OK ||
	    (e = url_decode(colon + 1, declen -
	    (size_t)(colon + 1 - (char *)dec), 1, "client_secret", secret,
	    secretlen, NULL)) != PATROL_OK) {
		rc = e == PATROL_ERR_NOMEM ? -2 : -1;
		goto out;
	}
	rc = 1;
out:
	if (dec != NULL) {
		wipe(dec, declen);
		free(dec);
	}
	if (rc != 1) {
		free(*id);
		free(*secret);
		*id = *secret = NULL;
	}
	return rc;
}

/* Collects the request's parameters: body first, then the query string, so
 * kv_get finds the body's value first. Replies and returns -1 on error. */
static int
collect_params(struct req *r, struct kvlist *params)
{
	const char		*ctype = req_param(r, "CONTENT_TYPE");
	struct kvlist		 q = { 0 };
	struct patrol_error	 err = { 0 };
	char			*body = NULL;
	size_t			 len = 0, i;
	enum patrol_err		 rc = PATROL_OK;
	const char		*dup;
	int			 ret = -1;

	if (req_body(r, &body, &len) == -1)
		return -1;
	if (len > 0 || ctype != NULL) {
		if (ctype_is(ctype, "application/x-www-form-urlencoded"))
			rc = kv_parse_urlencoded(body, len, params, &err);
		else if (ctype_is(ctype, "multipart/form-data"))
			rc = form_parse_multipart(body, len, ctype, params,
			    &err);
		else if (len > 0) {
			req_error(r, 415, NULL, "Content-Type must be "
			    "application/x-www-form-urlencoded or "
			    "multipart/form-data");
			goto out;
		}
		if (rc == PATROL_ERR_NOMEM) {
			req_fail(r, rc, err.text);
			goto out;
		}
		if (rc != PATROL_OK) {
			oauth_error(r, 400, "invalid_request", err.text);
			goto out;
		}
	}
	if ((rc = kv_parse_urlencoded(r->query, strlen(r->query), &q,
	    &err)) != PATROL_OK) {
		if (rc == PATROL_ERR_NOMEM)
			req_fail(r, rc, err.text);
		else
			oauth_error(r, 400, "invalid_request", err.text);
		goto out;
	}
	if ((dup = kv_dup(params)) != NULL || (dup = kv_dup(&q)) != NULL) {
		snprintf(err.text, sizeof(err.text),
		    "parameter %s is given more than once", dup);
		oauth_error(r, 400, "invalid_request", err.text);
		goto out;
	}
	for (i = 0; i < q.n; i++)
		if (kv_add(params, q.v[i].key, strlen(q.v[i].key), q.v[i].val,
		    q.v[i].vallen) == -1) {
			req_error(r, 500, NULL, "out of memory");
			goto out;
		}
	ret = 0;
out:
	kv_free(&q);
	if (body != NULL) {
		wipe(body, len);
		free(body);
	}
	return ret;
}

int
h_oauth_token(struct req *r)
{
	struct kvlist		 params = { 0 };
	const struct kv		*grant, *cid, *csec;
	char			*bid = NULL, *bsec = NULL, *jwt = NULL;
	const char		*id, *secret, *addr;
	size_t			 bidlen = 0, bseclen = 0, i;
	struct patrol_store	*st = r->store;
	struct patrol_pat	 pat;
	struct patrol_error	 err = { 0 };
	struct pbuf		 scope = { 0 }, body = { 0 };
	enum patrol_err		 rc;
	int			 basic, known, good, updated = 0;
	const struct patrol_conf *conf = r->conf;
	int64_t			 now = patrol_time_now(), interval;
	long			 lifetime, retry;
	char			 when[PATROL_TIME_BUFSZ];

	memset(&pat, 0, sizeof(pat));
	if (collect_params(r, &params) == -1)
		goto out;
	if ((basic = basic_credentials(r, &bid, &bidlen, &bsec, &bseclen)) ==
	    -2) {
		req_error(r, 500, NULL, "out of memory");
		goto out;
	}
	if (basic == -1) {
		oauth_error(r, 401, "invalid_client",
		    "malformed Basic authorization header");
		goto out;
	}
	if ((grant = kv_get(&params, "grant_type")) == NULL) {
		oauth_error(r, 400, "invalid_request",
		    "grant_type is required");
		goto out;
	}
	if (strcmp(grant->val, "client_credentials") != 0) {
		oauth_error(r, 400, "unsupported_grant_type",
		    "only grant_type client_credentials is supported");
		goto out;
	}
	cid = kv_get(&params, "client_id");
	csec = kv_get(&params, "client_secret");
	if (basic && ((cid != NULL && strcmp(cid->val, bid) != 0) ||
	    (csec != NULL && (csec->vallen != bseclen ||
	    memcmp(csec->val, bsec, bseclen) != 0)))) {
		oauth_error(r, 400, "invalid_request", "client credentials "
		    "differ between the Authorization header and the "
		    "parameters");
		goto out;
	}
	id = basic ? bid : cid != NULL ? cid->val : NULL;
	secret = basic ? bsec : csec != NULL ? csec->val : NULL;
	if (id == NULL || secret == NULL) {
		oauth_error(r, 401, "invalid_client",
		    "client_id and client_secret are required");
		goto out;
	}
	/* Failed secrets, per client id and per client address: refused
	 * until the window ends, right secret or not (no oracle), never
	 * longer: nobody can lock a client out for good. */
	addr = req_param(r, "REMOTE_ADDR");
	if ((retry = patrol_ratelimit_hit(r->limits, "authid", id,
	    conf->auth_failures, conf->auth_window_seconds, now / 1000, 0)) >
	    0 || (addr != NULL && (retry = patrol_ratelimit_hit(r->limits,
	    "authaddr", addr, conf->auth_failures, conf->auth_window_seconds,
	    now / 1000, 0)) > 0)) {
		req_too_many(r, retry, "auth_failures reached for this client "
		    "id or address");
		goto out;
	}
	known = 0;
	if (patrol_id_valid(id)) {
		memcpy(r->target, id, PATROL_ID_LEN + 1);
		rc = patrol_store_pat_get(st, id, &pat, &err);
		if (rc != PATROL_OK && rc != PATROL_ERR_NOTFOUND) {
			req_fail(r, rc, err.text);
			goto out;
		}
		known = rc == PATROL_OK;
	}
	/* Hash even for unknown ids, so timing does not tell them apart. */
	good = secret_match(secret, strlen(secret), known ?
	    pat.secret_hash : "0000000000000000000000000000000000000000000000000000000000000000");
	if (good == -1) {
		req_fail(r, PATROL_ERR_CRYPTO, "cannot compute the SHA-256 "
		    "of a client secret");
		goto out;
	}
	if (!known || !good) {
		(void)patrol_ratelimit_hit(r->limits, "authid", id,
		    conf->auth_failures, conf->auth_window_seconds, now / 1000,
		    1);
		if (addr != NULL)
			(void)patrol_ratelimit_hit(r->limits, "authaddr", addr,
			    conf->auth_failures, conf->auth_window_seconds,
			    now / 1000, 1);
		oauth_error(r, 401, "invalid_client", "Bad credentials");
		goto out;
	}
	/* Only who knows the secret learns that the PAT has expired. */
	if (patrol_pat_expired(&pat, now)) {
		snprintf(err.text, sizeof(err.text), "the personal access "
		    "token expired at %s", patrol_time_format(pat.expires,
		    when) == 0 ? when : "a date before year 0");
		oauth_error(r, 401, "invalid_client", err.text);
		goto out;
	}
	lifetime = patrol_pat_token_lifetime(&pat, conf->token_lifetime, now);
	rc = patrol_token_issue(r->key, conf->issuer, pat.id,
	    pat.owner_id, (const char *const *)pat.scope,
	    pat.scope_null ? 0 : pat.nscope, now / 1000, lifetime, &jwt,
	    &err);
	if (rc != PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	if (pat.scope_null)
		pbuf_adds(&scope, PATROL_SCOPE_ALL);
	for (i = 0; !pat.scope_null && i < pat.nscope; i++)
		pbuf_printf(&scope, "%s%s", i ? " " : "", pat.scope[i]);
	/*
	 * lastUsed is bookkeeping: a failure to record it is logged only.
	 * The PAT just read says whether it is due; only then take the
	 * database's write lock (the store checks again, for races).
	 */
	interval = (int64_t)conf->last_used_interval * 1000;
	if (pat.last_used < 0 || now - pat.last_used >= interval) {
		rc = patrol_store_pat_touch(st, pat.id, now, interval,
		    &updated, &err);
		if (rc != PATROL_OK)
			req_log(r, "could not update lastUsed of %s: %s",
			    pat.id, err.text);
	}
	/* Written directly: this is the endpoint's hot path. */
	PBUF_LIT(&body, "{\"access_token\":");
	pbuf_json_str(&body, jwt, strlen(jwt));
	PBUF_LIT(&body, ",\"token_type\":\"bearer\",\"expires_in\":");
	pbuf_json_int(&body, lifetime);
	PBUF_LIT(&body, ",\"scope\":");
	pbuf_json_str(&body, scope.s != NULL ? scope.s : "", scope.len);
	PBUF_LIT(&body, ",\"identity_id\":");
	pbuf_json_str(&body, pat.owner_id, strlen(pat.owner_id));
	PBUF_LIT(&body, ",\"client_id\":");
	pbuf_json_str(&body, pat.id, strlen(pat.id));
	pbuf_addc(&body, '}');
	req_json_text(r, 200, &body, NULL);
out:
	kv_free(&params);
	if (bsec != NULL) {
		wipe(bsec, bseclen);
		free(bsec);
	}
	free(bid);
	free(jwt);
	pbuf_free(&scope);
	pbuf_free(&body);
	patrol_pat_clear(&pat);
	return r->failed ? -1 : 0;
}
