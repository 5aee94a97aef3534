/*
 * pat_patch.c: a JSON Patch (RFC 6902) on the fields of a PAT that its
 * owner may change. The PAT becomes a small document of those fields, the
 * paths of the patch are checked against them, jsonpatch.c applies it, and
 * the result is read back with the checks of a creation.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

#define PATH_SHOWN_MAX	48	/* longest path quoted in an error */

/* The patchable members of the document. */
static const char *const members[] = {
	"/name", "/scope", "/expirationDate", "/accessTokenValiditySeconds"
};

/* Returns 1 if ptr (a JSON Pointer) is a location a patch may touch:
 * a member above, or an element of the scope ("/scope/<digits>" or
 * "/scope/-"). */
static int
patchable(const char *ptr)
{
	size_t	 i;

	for (i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		if (strcmp(ptr, members[i]) == 0)
			return 1;
	if (strncmp(ptr, "/scope/", 7) != 0 || ptr[7] == '\0')
		return 0;
	ptr += 7;
	if (strcmp(ptr, "-") == 0)
		return 1;
	return strspn(ptr, "0123456789") == strlen(ptr);
}

/* The JSON string j if it is short and plain enough to quote, else
 * "...". Borrowed from j. */
static const char *
shown(const json_t *j)
{
	const char	*s = json_string_value(j);
	size_t		 i, len = json_string_length(j);

	if (len > PATH_SHOWN_MAX)
		return "...";
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return "...";
	return s;
}

/*
 * Checks the path and from of every operation before anything is applied.
 * An operation too malformed to say (not an object, no string op or path)
 * ends the check: jsonpatch.c names what is wrong with it.
 */
static enum patrol_err
check_paths(const json_t *patch, struct patrol_error *err)
{
	const json_t	*o, *op, *p;
	const char	*which[] = { "path", "from" };
	size_t		 i, k;

	for (i = 0; i < json_array_size(patch); i++) {
		o = json_array_get(patch, i);
		if ((op = json_object_get(o, "op")) == NULL ||
		    !json_is_string(op) ||
		    (p = json_object_get(o, "path")) == NULL ||
		    !json_is_string(p))
			break;
		for (k = 0; k < 2; k++) {
			p = json_object_get(o, which[k]);
			if (p == NULL || !json_is_string(p) ||
			    (strlen(json_string_value(p)) ==
			    json_string_length(p) &&
			    patchable(json_string_value(p))))
				continue;
			return patrol_error_set(err, PATROL_ERR_INVALID, i,
			    "operation %zu (%s %s%s): %s is not a patchable "
			    "location (patchable: /name, /scope, "
			    "/scope/<index>, /scope/-, /expirationDate, "
			    "/accessTokenValiditySeconds)", i, shown(op),
			    k ? "from " : "", shown(p), which[k]);
		}
	}
	return PATROL_OK;
}

/* The patchable fields of pat as a new JSON object, NULL on ENOMEM. */
static json_t *
document(const struct patrol_pat *pat)
{
	json_t	*all, *doc;

	if ((all = patrol_pat_to_json(pat)) == NULL)
		return NULL;
	doc = json_pack("{s:O, s:O, s:O, s:O}",
	    "name", json_object_get(all, "name"),
	    "scope", json_object_get(all, "scope"),
	    "expirationDate", json_object_get(all, "expirationDate"),
	    "accessTokenValiditySeconds",
	    json_object_get(all, "accessTokenValiditySeconds"));
	json_decref(all);
	return doc;
}

/* Returns 1 if the scopes differ (null is not an empty list). */
static int
scope_differs(const struct patrol_pat *pat, const struct patrol_pat_spec *s)
{
	size_t	 i;

	if (pat->scope_null || s->scope_null)
		return pat->scope_null != s->scope_null;
	if (pat->nscope != s->nscope)
		return 1;
	for (i = 0; i < s->nscope; i++)
		if (strcmp(pat->scope[i], s->scope[i]) != 0)
			return 1;
	return 0;
}

enum patrol_err
patrol_pat_patch(struct patrol_pat *pat, const json_t *patch, int64_t now,
    struct patrol_error *err)
{
	struct patrol_pat_spec	 spec;
	json_t			*doc = NULL, *out = NULL;
	char			**scopev = NULL, **scope = NULL, *name = NULL;
	size_t			 i, nscope = 0;
	enum patrol_err		 rc;

	memset(&spec, 0, sizeof(spec));
	if (json_is_array(patch) &&
	    (rc = check_paths(patch, err)) != PATROL_OK)
		return rc;
	if ((doc = document(pat)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto out;
	}
	if ((rc = patrol_jsonpatch_apply(doc, patch, &out, err)) !=
	    PATROL_OK ||
	    (rc = patrol_pat_spec_from_json(out, &spec, &scopev, err)) !=
	    PATROL_OK)
		goto out;
	/* What a removal leaves: no expiry, the default validity. */
	if (json_object_get(out, "expirationDate") == NULL)
		spec.expires = -1;
	if (spec.validity == 0)
		spec.validity = PATROL_VALIDITY_DEFAULT;

	/* The rules, for what changed: a PAT stored before a rule was
	 * tightened can still be renamed. */
	if (strcmp(spec.name, pat->name) != 0 &&
	    (rc = patrol_pat_check_name(spec.name, err)) != PATROL_OK)
		goto out;
	if (scope_differs(pat, &spec) && !spec.scope_null &&
	    (rc = patrol_pat_check_scope(spec.scope, spec.nscope, err)) !=
	    PATROL_OK)
		goto out;
	if (spec.expires != pat->expires &&
	    (rc = patrol_pat_check_expiry(spec.expires, now, err)) !=
	    PATROL_OK)
		goto out;

	/* Copy what the document owns, then swap it in. */
	if ((name = strdup(spec.name)) == NULL)
		goto nomem;
	if (!spec.scope_null) {
		if ((scope = calloc(spec.nscope + 1, sizeof(*scope))) == NULL)
			goto nomem;
		for (nscope = 0; nscope < spec.nscope; nscope++)
			if ((scope[nscope] = strdup(spec.scope[nscope])) ==
			    NULL)
				goto nomem;
	}
	free(pat->name);
	for (i = 0; pat->scope != NULL && i < pat->nscope; i++)
		free(pat->scope[i]);
	free(pat->scope);
	pat->name = name;
	pat->scope = scope;
	pat->nscope = nscope;
	pat->scope_null = spec.scope_null;
	pat->expires = spec.expires;
	pat->validity = spec.validity;
	name = NULL;
	scope = NULL;
	rc = PATROL_OK;
	goto out;
nomem:
	rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory");
out:
	free(name);
	while (scope != NULL && nscope > 0)
		free(scope[--nscope]);
	free(scope);
	free(scopev);
	json_decref(doc);
	json_decref(out);
	return rc;
}
