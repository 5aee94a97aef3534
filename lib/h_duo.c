/*
 * h_duo.c: GET and PUT /beta/mfa/duo-web/config. Secrets are masked in
 * every response; a PUT that echoes a masked secret keeps the stored one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

static int
has_any(const struct req *r, const char *a, const char *b)
{
	return patrol_rights_have(r->caller.rights, r->caller.nrights, a) ||
	    (b != NULL &&
	    patrol_rights_have(r->caller.rights, r->caller.nrights, b));
}

/* The stored configuration as a new reference, NULL (with *rc PATROL_OK)
 * before the first PUT, NULL with *rc set on failure. */
static json_t *
load_stored(struct patrol_store *st, enum patrol_err *rc,
    struct patrol_error *err)
{
	char		*s = NULL;
	json_t		*j = NULL;
	json_error_t	 jerr;

	*rc = patrol_store_duo_get(st, &s, err);
	if (*rc == PATROL_ERR_NOTFOUND) {
		*rc = PATROL_OK;
		return NULL;
	}
	if (*rc != PATROL_OK)
		return NULL;
	if ((j = json_loads(s, 0, &jerr)) == NULL)
		*rc = patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "stored Duo configuration is not JSON: %s", jerr.text);
	wipe(s, strlen(s));
	free(s);
	return j;
}

static int
reply_masked(struct req *r, const json_t *config)
{
	json_t	*def = NULL, *masked;

	if (config == NULL)
		config = def = patrol_duo_default();
	masked = config != NULL ? patrol_duo_mask(config) : NULL;
	json_decref(def);
	return req_json(r, 200, masked, NULL);
}

int
h_duo_get(struct req *r)
{
	struct patrol_error	 err = { 0 };
	struct patrol_store	*st;
	enum patrol_err		 rc;
	json_t			*stored;

	if (!has_any(r, PATROL_RIGHT_MFA_READ, PATROL_RIGHT_MFA_MANAGE))
		return req_error(r, 403, NULL, "reading the Duo MFA "
		    "configuration requires %s or %s",
		    PATROL_RIGHT_ORG_ADMIN, PATROL_RIGHT_MFA_READ);
	if ((st = srv_store(r->srv, &err)) == NULL)
		return req_fail(r, err.code, err.text);
	stored = load_stored(st, &rc, &err);
	if (rc != PATROL_OK)
		return req_fail(r, rc, err.text);
	rc = reply_masked(r, stored);
	json_decref(stored);
	return rc;
}

/* Deepest nesting of objects/arrays in JSON text, counted without parsing
 * (strings skipped), so over-deep input is refused before jansson sees it. */
static size_t
json_depth(const char *s, size_t len)
{
	size_t	 i, depth = 0, max = 0;
	int	 instr = 0;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
		} else if (s[i] == '"')
			instr = 1;
		else if (s[i] == '{' || s[i] == '[') {
			if (++depth > max)
				max = depth;
		} else if ((s[i] == '}' || s[i] == ']') && depth > 0)
			depth--;
	}
	return max;
}

int
h_duo_put(struct req *r)
{
	struct patrol_error	 err = { 0 };
	struct patrol_store	*st;
	enum patrol_err		 rc;
	json_t			*body = NULL, *stored = NULL, *merged = NULL;
	json_error_t		 jerr;
	char			*raw = NULL, *text = NULL;
	size_t			 len = 0;

	if (!has_any(r, PATROL_RIGHT_MFA_MANAGE, NULL)) {
		req_error(r, 403, NULL, "changing the Duo MFA configuration "
		    "requires %s or %s", PATROL_RIGHT_ORG_ADMIN,
		    PATROL_RIGHT_MFA_MANAGE);
		goto out;
	}
	if (!ctype_is(req_param(r, "CONTENT_TYPE"), "application/json")) {
		req_error(r, 415, NULL, "Content-Type must be "
		    "application/json");
		goto out;
	}
	if (req_body(r, &raw, &len) == -1)
		goto out;
	if (!utf8_valid(raw, len)) {
		req_error(r, 400, NULL, "body: not valid UTF-8");
		goto out;
	}
	if (json_depth(raw, len) > PATROL_DUO_DEPTH_MAX) {
		req_error(r, 400, NULL, "body: nesting deeper than %d levels",
		    PATROL_DUO_DEPTH_MAX);
		goto out;
	}
	body = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL) {
		req_error(r, 400, NULL, "body: not valid JSON: %s (line %d, "
		    "column %d)", jerr.text, jerr.line, jerr.column);
		goto out;
	}
	if ((rc = patrol_duo_validate(body, &err)) != PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	if ((st = srv_store(r->srv, &err)) == NULL) {
		req_fail(r, err.code, err.text);
		goto out;
	}
	stored = load_stored(st, &rc, &err);
	if (rc != PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	if ((merged = patrol_duo_merge(body, stored)) == NULL ||
	    (text = json_dumps(merged, JSON_COMPACT)) == NULL) {
		req_fail(r, PATROL_ERR_NOMEM, NULL);
		goto out;
	}
	if ((rc = patrol_store_duo_put(st, text, &err)) != PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	reply_masked(r, merged);
out:
	if (raw != NULL) {
		wipe(raw, len);
		free(raw);
	}
	if (text != NULL) {
		wipe(text, strlen(text));
		free(text);
	}
	json_decref(body);
	json_decref(stored);
	json_decref(merged);
	return r->failed ? -1 : 0;
}
