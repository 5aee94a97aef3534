/*
 * duo_store.c: the Duo MFA configuration operations on a store, shared by
 * the HTTP handlers and patrolctl: show (masked) and update (PUT semantics).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

/* The stored configuration as a new reference in *out, NULL before the
 * first update. A stored text that is not JSON is a STORE error whose text
 * quotes nothing of it (it holds secrets). */
static enum patrol_err
stored(struct patrol_store *st, json_t **out, struct patrol_error *err)
{
	json_error_t	 jerr;
	enum patrol_err	 rc;
	char		*s = NULL;

	*out = NULL;
	rc = patrol_store_duo_get(st, &s, err);
	if (rc == PATROL_ERR_NOTFOUND)
		return PATROL_OK;
	if (rc != PATROL_OK)
		return rc;
	if ((*out = json_loads(s, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		rc = patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "the stored Duo configuration is not valid JSON "
		    "(line %d, column %d)", jerr.line, jerr.column);
	wipe(s, strlen(s));
	free(s);
	return rc;
}

/* New reference to the masked form of config (NULL: the default). */
static enum patrol_err
masked(const json_t *config, json_t **out, struct patrol_error *err)
{
	json_t	*def = NULL;

	if (config == NULL && (config = def = patrol_duo_default()) == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	*out = patrol_duo_mask(config);
	json_decref(def);
	if (*out == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	return PATROL_OK;
}

enum patrol_err
patrol_duo_show(struct patrol_store *st, json_t **out,
    struct patrol_error *err)
{
	json_t		*config = NULL;
	enum patrol_err	 rc;

	*out = NULL;
	if ((rc = stored(st, &config, err)) == PATROL_OK)
		rc = masked(config, out, err);
	json_decref(config);
	return rc;
}

enum patrol_err
patrol_duo_update(struct patrol_store *st, const char *body, size_t len,
    json_t **out, struct patrol_error *err)
{
	json_t		*in = NULL, *old = NULL, *merged = NULL;
	char		*text = NULL;
	enum patrol_err	 rc;

	if (out != NULL)
		*out = NULL;
	if ((rc = jbody_load(body, len, &in, err)) != PATROL_OK ||
	    (rc = patrol_duo_validate(in, err)) != PATROL_OK ||
	    (rc = stored(st, &old, err)) != PATROL_OK)
		goto out;
	if ((merged = patrol_duo_merge(in, old)) == NULL ||
	    (text = json_dumps(merged, JSON_COMPACT)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto out;
	}
	if ((rc = patrol_store_duo_put(st, text, err)) != PATROL_OK)
		goto out;
	if (out != NULL)
		rc = masked(merged, out, err);
out:
	if (text != NULL) {
		wipe(text, strlen(text));
		free(text);
	}
	json_decref(in);
	json_decref(old);
	json_decref(merged);
	return rc;
}
