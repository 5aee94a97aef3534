/*
 * duo_store.c: the Duo MFA configuration operations on a store, shared by
 * the HTTP handlers and patrolctl: show (masked) and update (PUT semantics).
 * The secrets (accessKey, configProperties.skey) are stored sealed
 * (seal.c), each bound to its place: "duo_config/1/<field>". A value stored
 * before patrol sealed secrets (no "enc:v1:" prefix) is read as it is and
 * sealed by the next update.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

/* The secret fields: the object holding them (NULL: the top level) and the
 * member, and the associated data each is sealed with. */
static const struct {
	const char	*parent;
	const char	*name;
	const char	*context;
} secrets[] = {
	{ NULL, "accessKey", "duo_config/1/accessKey" },
	{ "configProperties", "skey", "duo_config/1/configProperties.skey" },
};

/* Seals (encrypt 1) or opens (0) every secret string of config in place. A
 * secret to seal with no key is CONFIG, and nothing is written; a sealed
 * secret to open with no key is CONFIG too; an unsealed one is left as it
 * is when opening (stored before sealing). */
/* Seals (encrypt 1) or opens (0) obj[name] in place when it is a string,
 * with the associated data `context`. */
static enum patrol_err
seal_one(json_t *obj, const char *name, const char *context,
    const struct patrol_seal *seal, int encrypt, struct patrol_error *err)
{
	const char	*s;
	char		*t;
	enum patrol_err	 rc;

	if (!json_is_object(obj) ||
	    (s = json_string_value(json_object_get(obj, name))) == NULL)
		return PATROL_OK;
	if (!encrypt && !patrol_seal_is_sealed(s))
		return PATROL_OK;
	if (seal == NULL)
		return patrol_error_set(err, PATROL_ERR_CONFIG, PATROL_NOPOS,
		    "the Duo %s is stored sealed, or is to be, and no secrets "
		    "key is loaded (secrets.key_file; patrolctl init makes "
		    "it)", name);
	rc = encrypt ? patrol_seal_encrypt(seal, context, s, &t, err) :
	    patrol_seal_decrypt(seal, context, s, &t, err);
	if (rc != PATROL_OK)
		return rc;
	rc = json_object_set_new(obj, name, json_string(t)) == -1 ?
	    patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory") : PATROL_OK;
	wipe(t, strlen(t));
	free(t);
	return rc;
}

/* Seals (encrypt 1) or opens (0) every secret string of config in place:
 * the fixed ones and the configProperties members named in props. A secret
 * to seal with no key is CONFIG, and nothing is written; a sealed secret to
 * open with no key is CONFIG too; an unsealed one is left as it is when
 * opening (stored before sealing). */
static enum patrol_err
seal_all(json_t *config, const struct patrol_seal *seal,
    const char *const *props, int encrypt, struct patrol_error *err)
{
	char		 ctx[256];
	enum patrol_err	 rc;
	size_t		 i;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		if ((rc = seal_one(secrets[i].parent == NULL ? config :
		    json_object_get(config, secrets[i].parent),
		    secrets[i].name, secrets[i].context, seal, encrypt,
		    err)) != PATROL_OK)
			return rc;
	for (; props != NULL && *props != NULL; props++) {
		if (strcmp(*props, "skey") == 0)
			continue;
		snprintf(ctx, sizeof(ctx), "duo_config/1/configProperties.%s",
		    *props);
		if ((rc = seal_one(json_object_get(config, "configProperties"),
		    *props, ctx, seal, encrypt, err)) != PATROL_OK)
			return rc;
	}
	return PATROL_OK;
}

/* How many secret strings config holds. */
static int
count_secrets(const json_t *config, const char *const *props)
{
	const json_t	*obj;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		obj = secrets[i].parent == NULL ? config :
		    json_object_get(config, secrets[i].parent);
		n += json_is_string(json_object_get(obj, secrets[i].name));
	}
	obj = json_object_get(config, "configProperties");
	for (; props != NULL && *props != NULL; props++)
		n += strcmp(*props, "skey") != 0 &&
		    json_is_string(json_object_get(obj, *props));
	return n;
}

/* The stored configuration, secrets opened, as a new reference in *out,
 * NULL before the first update. A stored text that is not JSON is a STORE
 * error whose text quotes nothing of it (it holds secrets). */
static enum patrol_err
stored(struct patrol_store *st, const struct patrol_seal *seal,
    const char *const *props, json_t **out, struct patrol_error *err)
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
	if ((*out = jloadb(s, strlen(s), JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL && json_error_code(&jerr) == json_error_out_of_memory)
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	else if (*out == NULL)
		rc = patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "the stored Duo configuration is not valid JSON "
		    "(line %d, column %d)", jerr.line, jerr.column);
	else if ((rc = seal_all(*out, seal, props, 0, err)) != PATROL_OK) {
		json_decref(*out);
		*out = NULL;
	}
	wipe(s, strlen(s));
	free(s);
	return rc;
}

/* New reference to the masked form of config (NULL: the default). */
static enum patrol_err
masked(const json_t *config, const char *const *props, json_t **out,
    struct patrol_error *err)
{
	json_t	*def = NULL;

	if (config == NULL && (config = def = patrol_duo_default()) == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	*out = patrol_duo_mask(config, props);
	json_decref(def);
	if (*out == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	return PATROL_OK;
}

enum patrol_err
patrol_duo_show(struct patrol_store *st, const struct patrol_seal *seal,
    const char *const *props, json_t **out, struct patrol_error *err)
{
	json_t		*config = NULL;
	enum patrol_err	 rc;

	*out = NULL;
	if ((rc = stored(st, seal, props, &config, err)) == PATROL_OK)
		rc = masked(config, props, out, err);
	json_decref(config);
	return rc;
}

enum patrol_err
patrol_duo_update(struct patrol_store *st, const struct patrol_seal *seal,
    const char *const *props, const char *body, size_t len, json_t **out,
    struct patrol_error *err)
{
	json_t		*in = NULL, *old = NULL, *merged = NULL, *sealed = NULL;
	char		*text = NULL;
	enum patrol_err	 rc;

	if (out != NULL)
		*out = NULL;
	if ((rc = jbody_load(body, len, &in, err)) != PATROL_OK ||
	    (rc = patrol_duo_validate(in, err)) != PATROL_OK ||
	    (rc = stored(st, seal, props, &old, err)) != PATROL_OK)
		goto out;
	if ((merged = patrol_duo_merge(in, old, props)) == NULL ||
	    (sealed = json_deep_copy(merged)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto out;
	}
	if ((rc = seal_all(sealed, seal, props, 1, err)) != PATROL_OK)
		goto out;
	if ((text = jdumps(sealed, JSON_COMPACT)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto out;
	}
	if ((rc = patrol_store_duo_put(st, text, err)) != PATROL_OK)
		goto out;
	if (out != NULL)
		rc = masked(merged, props, out, err);
out:
	if (text != NULL) {
		wipe(text, strlen(text));
		free(text);
	}
	json_decref(in);
	json_decref(old);
	json_decref(merged);
	json_decref(sealed);
	return rc;
}

enum patrol_err
patrol_duo_reseal(struct patrol_store *st, const struct patrol_seal *from,
    const struct patrol_seal *to, const char *const *props, int *n,
    struct patrol_error *err)
{
	json_t		*config = NULL;
	char		*text = NULL;
	enum patrol_err	 rc;

	*n = 0;
	if ((rc = stored(st, from, props, &config, err)) != PATROL_OK ||
	    config == NULL)
		goto out;
	*n = count_secrets(config, props);
	if ((rc = seal_all(config, to, props, 1, err)) != PATROL_OK)
		goto out;
	if ((text = jdumps(config, JSON_COMPACT)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto out;
	}
	rc = patrol_store_duo_put(st, text, err);
out:
	if (rc != PATROL_OK)
		*n = 0;
	if (text != NULL) {
		wipe(text, strlen(text));
		free(text);
	}
	json_decref(config);
	return rc;
}
