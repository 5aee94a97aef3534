/*
 * h_pat_write.c: the PAT write operations: POST /beta/personal-access-tokens
 * (create), PATCH and DELETE /beta/personal-access-tokens/{id}. Rights,
 * visibility, media types and bodies; the rules themselves are the core's
 * (pat.c, pat_patch.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

static int
has(const struct req *r, const char *right)
{
	return patrol_rights_have(r->caller.rights, r->caller.nrights, right);
}

/* Replies 403 and returns -1 unless the caller holds a right to manage
 * PATs at all (`doing` says what for). */
static int
may_manage(struct req *r, const char *doing)
{
	if (has(r, PATROL_RIGHT_PAT_MY_MANAGE) ||
	    has(r, PATROL_RIGHT_PAT_ALL_MANAGE))
		return 0;
	req_error(r, 403, NULL, "%s requires the right %s or %s", doing,
	    PATROL_RIGHT_PAT_MY_MANAGE, PATROL_RIGHT_PAT_ALL_MANAGE);
	return -1;
}

/*
 * Replies 403 and returns -1 when the caller's own PAT has a limited scope
 * and the scope given to a PAT is wider: a PAT cannot make a PAT that may
 * do more than itself.
 */
static int
within_scope(struct req *r, char *const *scope, size_t n, int scope_null)
{
	const struct patrol_pat	*c = &r->callerpat;

	if (patrol_scope_covers(c->scope, c->nscope, c->scope_null, scope, n,
	    scope_null))
		return 0;
	req_error(r, 403, NULL, "the scope of this personal access token is "
	    "limited: it may only give a personal access token scopes it has "
	    "itself (and not a null scope, which means " PATROL_SCOPE_ALL
	    ")");
	return -1;
}

/* Returns 1 if the caller could list pat: its own, or with an all-tokens
 * right; a managed PAT only with the managed-tokens right. */
static int
visible(const struct req *r, const struct patrol_pat *pat)
{
	if (pat->managed && !has(r, PATROL_RIGHT_PAT_MANAGED_READ))
		return 0;
	return strcmp(pat->owner_id, r->caller.id) == 0 ||
	    has(r, PATROL_RIGHT_PAT_ALL_READ) ||
	    has(r, PATROL_RIGHT_PAT_ALL_MANAGE);
}

static int
not_found(struct req *r)
{
	if (patrol_id_valid(r->id))
		return req_error(r, 404, NULL, "no personal access token "
		    "has the id %s", r->id);
	return req_error(r, 404, NULL, "no personal access token has this "
	    "id (ids are 32 lowercase hexadecimal characters)");
}

/* Loads the PAT of the path's {id} into *pat. A PAT the caller could not
 * list is a 404 as if it did not exist. Replies and returns -1 on error. */
static int
load(struct req *r, struct patrol_pat *pat)
{
	struct patrol_error	 err = { 0 };
	enum patrol_err		 rc;

	rc = patrol_store_pat_get(r->store, r->id, pat, &err);
	if (rc == PATROL_ERR_NOTFOUND || (rc == PATROL_OK &&
	    !visible(r, pat)))
		return not_found(r), -1;
	if (rc != PATROL_OK)
		return req_fail(r, rc, err.text), -1;
	return 0;
}

/* Replies 415 and returns -1 unless the body is one of the media types
 * (NULL-terminated). */
static int
media_type(struct req *r, const char *const *types, const char *shown)
{
	const char	*ctype = req_param(r, "CONTENT_TYPE");
	size_t		 i;

	for (i = 0; types[i] != NULL; i++)
		if (ctype_is(ctype, types[i]))
			return 0;
	req_error(r, 415, NULL, "Content-Type must be %s", shown);
	return -1;
}

/* Reads the body as JSON into *out (new). Replies and returns -1 on
 * error. */
static int
json_body(struct req *r, json_t **out)
{
	struct patrol_error	 err = { 0 };
	enum patrol_err		 rc;
	char			*body = NULL;
	size_t			 len = 0;

	*out = NULL;
	if (req_body(r, &body, &len) == -1)
		return -1;
	rc = jbody_load(body, len, out, &err);
	free(body);
	if (rc != PATROL_OK)
		return req_fail(r, rc, err.text), -1;
	return 0;
}

int
h_pat_create(struct req *r)
{
	static const char *const types[] = { "application/json", NULL };
	struct patrol_pat_spec	 spec;
	struct patrol_pat	 pat;
	struct patrol_error	 err = { 0 };
	enum patrol_err		 rc;
	json_t			*in = NULL, *o = NULL;
	char			 secret[PATROL_SECRET_LEN + 1];
	char			**scopev = NULL, *s = NULL;

	memset(&spec, 0, sizeof(spec));
	memset(&pat, 0, sizeof(pat));
	memset(secret, 0, sizeof(secret));
	if (may_manage(r, "creating a personal access token") == -1 ||
	    media_type(r, types, "application/json") == -1 ||
	    json_body(r, &in) == -1)
		goto out;
	if ((rc = patrol_pat_spec_from_json(in, &spec, &scopev, &err)) !=
	    PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	if (within_scope(r, spec.scope, spec.nscope, spec.scope_null) == -1)
		goto out;
	spec.owner_id = r->caller.id;
	if ((rc = patrol_store_begin(r->store, &err)) == PATROL_OK) {
		if ((rc = patrol_pat_create(r->store, r->conf, &spec,
		    patrol_time_now(), &pat, secret, &err)) == PATROL_OK)
			rc = req_commit_audited(r, pat.id, &err);
		else
			patrol_store_rollback(r->store);
	}
	if (rc != PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	/* CreatePersonalAccessTokenResponse: the listing's fields but
	 * lastUsed and managed, and the secret, this once. */
	if ((o = patrol_pat_to_json(&pat)) == NULL ||
	    json_object_del(o, "lastUsed") == -1 ||
	    json_object_del(o, "managed") == -1 ||
	    json_object_set_new(o, "secret", json_string(secret)) == -1 ||
	    (s = jdumps(o, JSON_COMPACT)) == NULL) {
		req_log(r, "out of memory answering the creation of %s",
		    pat.id);
		req_error(r, 500, NULL, "out of memory");
		goto out;
	}
	if (req_begin(r, 200, NULL) == 0)
		req_write(r, s, strlen(s));
out:
	if (s != NULL) {
		wipe(s, strlen(s));
		free(s);
	}
	json_decref(o);
	json_decref(in);
	free(scopev);
	patrol_pat_clear(&pat);
	wipe(secret, sizeof(secret));
	return r->failed ? -1 : 0;
}

int
h_pat_patch(struct req *r)
{
	static const char *const types[] = { "application/json-patch+json",
	    "application/json", NULL };
	struct patrol_pat	 pat;
	struct patrol_error	 err = { 0 };
	enum patrol_err		 rc;
	json_t			*patch = NULL, *before = NULL, *after = NULL;

	memset(&pat, 0, sizeof(pat));
	if (may_manage(r, "changing a personal access token") == -1 ||
	    load(r, &pat) == -1)
		goto out;
	if (strcmp(pat.owner_id, r->caller.id) != 0) {
		req_error(r, 403, NULL, "only its owner may change a personal "
		    "access token");
		goto out;
	}
	if (media_type(r, types, "application/json-patch+json (or "
	    "application/json)") == -1 || json_body(r, &patch) == -1)
		goto out;
	if ((before = patrol_pat_to_json(&pat)) == NULL) {
		req_error(r, 500, NULL, "out of memory");
		goto out;
	}
	if ((rc = patrol_pat_patch(&pat, patch, patrol_time_now(), &err)) !=
	    PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	if ((after = patrol_pat_to_json(&pat)) == NULL) {
		req_error(r, 500, NULL, "out of memory");
		goto out;
	}
	if (!json_equal(json_object_get(before, "scope"),
	    json_object_get(after, "scope")) && within_scope(r, pat.scope,
	    pat.nscope, pat.scope_null) == -1)
		goto out;
	if ((rc = patrol_store_begin(r->store, &err)) == PATROL_OK) {
		if ((rc = patrol_store_pat_update(r->store, &pat, &err)) ==
		    PATROL_OK)
			rc = req_commit_audited(r, pat.id, &err);
		else
			patrol_store_rollback(r->store);
	}
	if (rc == PATROL_ERR_NOTFOUND)		/* deleted meanwhile */
		not_found(r);
	else if (rc != PATROL_OK)
		req_fail(r, rc, err.text);
	else {
		req_json(r, 200, after, NULL);	/* steals it */
		after = NULL;
	}
out:
	json_decref(patch);
	json_decref(before);
	json_decref(after);
	patrol_pat_clear(&pat);
	return r->failed ? -1 : 0;
}

int
h_pat_delete(struct req *r)
{
	struct patrol_pat	 pat;
	struct patrol_error	 err = { 0 };
	enum patrol_err		 rc;

	memset(&pat, 0, sizeof(pat));
	if (may_manage(r, "deleting a personal access token") == -1 ||
	    load(r, &pat) == -1)
		goto out;
	if (strcmp(pat.owner_id, r->caller.id) != 0 &&
	    !has(r, PATROL_RIGHT_PAT_ALL_MANAGE)) {
		req_error(r, 403, NULL, "deleting the personal access token "
		    "of another identity requires the right %s",
		    PATROL_RIGHT_PAT_ALL_MANAGE);
		goto out;
	}
	if ((rc = patrol_store_begin(r->store, &err)) == PATROL_OK) {
		if ((rc = patrol_store_pat_delete(r->store, pat.id, &err)) ==
		    PATROL_OK)
			rc = req_commit_audited(r, pat.id, &err);
		else
			patrol_store_rollback(r->store);
	}
	if (rc == PATROL_ERR_NOTFOUND)		/* deleted meanwhile */
		not_found(r);
	else if (rc != PATROL_OK)
		req_fail(r, rc, err.text);
	else
		req_begin(r, 204, NULL);
out:
	patrol_pat_clear(&pat);
	return r->failed ? -1 : 0;
}
