/*
 * duo.c: the Duo MFA configuration (MfaDuoConfig): its default, the checks
 * on a PUT body, how a PUT becomes the stored configuration, and the masked
 * form every response shows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

#define DUO_METHOD	"duo-web"
#define NAME_SHOWN_MAX	64	/* bytes of an unknown key quoted in errors */

enum kind {
	K_METHOD,	/* "duo-web" or null */
	K_BOOL,		/* boolean */
	K_STRING,	/* string or null */
	K_OBJECT	/* object or null */
};

/* The MfaDuoConfig properties, in the order responses show them. */
static const struct {
	const char	*name;
	enum kind	 kind;
} fields[] = {
	{ "mfaMethod", K_METHOD },
	{ "enabled", K_BOOL },
	{ "host", K_STRING },
	{ "accessKey", K_STRING },
	{ "identityAttribute", K_STRING },
	{ "configProperties", K_OBJECT },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Returns 1 if j and everything in it nests at most PATROL_DUO_DEPTH_MAX
 * containers deep, j itself being at `level`. Recursion stops one level
 * past the bound. */
static int
depth_ok(json_t *j, int level)
{
	const char	*key;
	json_t		*v;
	size_t		 i;

	if (!json_is_object(j) && !json_is_array(j))
		return 1;
	if (level > PATROL_DUO_DEPTH_MAX)
		return 0;
	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			if (!depth_ok(v, level + 1))
				return 0;
	} else {
		json_array_foreach(j, i, v)
			if (!depth_ok(v, level + 1))
				return 0;
	}
	return 1;
}

/* Length of the longest prefix of s, at most NAME_SHOWN_MAX bytes, that
 * ends on a character boundary (s is valid UTF-8, as jansson keeps it). */
static int
shown_len(const char *s)
{
	size_t	 n = strlen(s);

	if (n <= NAME_SHOWN_MAX)
		return (int)n;
	n = NAME_SHOWN_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return (int)n;
}

static enum patrol_err
check_field(enum kind kind, const char *name, const json_t *v,
    struct patrol_error *err)
{
	switch (kind) {
	case K_METHOD:
		if (json_is_null(v) ||
		    (json_is_string(v) && strcmp(json_string_value(v),
		    DUO_METHOD) == 0))
			return PATROL_OK;
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: must be \"%s\" or null", name, DUO_METHOD);
	case K_BOOL:
		if (json_is_boolean(v))
			return PATROL_OK;
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: expected boolean, got %s", name, jtype_name(v));
	case K_STRING:
		if (json_is_string(v) || json_is_null(v))
			return PATROL_OK;
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: expected string or null, got %s", name,
		    jtype_name(v));
	case K_OBJECT:
		if (json_is_null(v))
			return PATROL_OK;
		if (!json_is_object(v))
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "%s: expected object or null, got %s",
			    name, jtype_name(v));
		v = json_object_get(v, "skey");
		if (v == NULL || json_is_string(v) || json_is_null(v))
			return PATROL_OK;
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s.skey: expected string or null, got %s", name,
		    jtype_name(v));
	}
	return PATROL_OK;
}

json_t *
patrol_duo_default(void)
{
	return json_pack("{s:s, s:b, s:n, s:n, s:n, s:n}",
	    "mfaMethod", DUO_METHOD, "enabled", 0, "host", "accessKey",
	    "identityAttribute", "configProperties");
}

enum patrol_err
patrol_duo_validate(const json_t *body, struct patrol_error *err)
{
	const char	*key;
	json_t		*v;
	size_t		 i;
	enum patrol_err	 rc;

	if (!json_is_object(body))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "body: expected a JSON object");
	/* jansson's iteration does not modify the object. */
	if (!depth_ok((json_t *)body, 1))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "body: nesting deeper than %d levels",
		    PATROL_DUO_DEPTH_MAX);
	json_object_foreach((json_t *)body, key, v) {
		for (i = 0; i < NFIELDS; i++)
			if (strcmp(key, fields[i].name) == 0)
				break;
		if (i == NFIELDS)
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "unknown field '%.*s%s'",
			    shown_len(key), key,
			    (size_t)shown_len(key) < strlen(key) ? "..." : "");
		if ((rc = check_field(fields[i].kind, key, v, err)) !=
		    PATROL_OK)
			return rc;
	}
	return PATROL_OK;
}

/*
 * The secret to store for a PUT that sent `sent` where `old` is stored
 * (either may be NULL or not a string): the stored one when sent is its
 * masked form, else a copy of what was sent, else null. New reference.
 */
static json_t *
pick_secret(const json_t *sent, const json_t *old)
{
	if (json_is_string(sent) && json_is_string(old) &&
	    patrol_mask_matches(json_string_value(sent),
	    json_string_value(old)))
		return json_deep_copy(old);
	if (json_is_string(sent))
		return json_deep_copy(sent);
	return json_null();
}

/* 1 when the configProperties member `key` is a secret: skey, or one of
 * props (NULL-terminated, or NULL). */
static int
secret_prop(const char *key, const char *const *props)
{
	if (strcmp(key, "skey") == 0)
		return 1;
	for (; props != NULL && *props != NULL; props++)
		if (strcmp(key, *props) == 0)
			return 1;
	return 0;
}

/* configProperties of a PUT: a copy of `sent` whose secrets go through
 * pick_secret against the stored ones. New reference. */
static json_t *
merge_props(const json_t *sent, const json_t *old, const char *const *props)
{
	json_t		*out, *v, *nv;
	const char	*key;

	if ((out = json_object()) == NULL)
		return NULL;
	json_object_foreach((json_t *)sent, key, v) {
		if (secret_prop(key, props) && json_is_string(v))
			nv = pick_secret(v, json_object_get(old, key));
		else
			nv = json_deep_copy(v);
		if (json_object_set_new(out, key, nv) == -1) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *
patrol_duo_merge(const json_t *body, const json_t *stored,
    const char *const *props)
{
	json_t		*out, *v, *nv;
	size_t		 i;

	if ((out = json_object()) == NULL)
		return NULL;
	for (i = 0; i < NFIELDS; i++) {
		v = json_object_get(body, fields[i].name);
		nv = NULL;
		switch (fields[i].kind) {
		case K_METHOD:
			nv = json_string(DUO_METHOD);
			break;
		case K_BOOL:
			nv = json_boolean(json_is_true(v));
			break;
		case K_STRING:
			if (strcmp(fields[i].name, "accessKey") == 0)
				nv = pick_secret(v,
				    json_object_get(stored, "accessKey"));
			else
				nv = json_is_string(v) ? json_deep_copy(v) :
				    json_null();
			break;
		case K_OBJECT:
			nv = json_is_object(v) ? merge_props(v,
			    json_object_get(stored, fields[i].name), props) :
			    json_null();
			break;
		}
		if (json_object_set_new(out, fields[i].name, nv) == -1) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

/* A new JSON string holding the masked form of the string j. */
static json_t *
masked(const json_t *j)
{
	char	*m;
	json_t	*out;

	if ((m = patrol_mask_secret(json_string_value(j))) == NULL)
		return NULL;
	out = json_string(m);
	free(m);
	return out;
}

/*
 * A copy of the object `in` with the string under `secret` masked (top
 * level) or, for configProperties (top 0), every secret member (skey and
 * props) masked; at the top level configProperties is copied that way. No
 * secret is ever copied, so no second plain copy of it is left in freed
 * memory. New reference.
 */
static json_t *
copy_masking(const json_t *in, const char *secret, int top,
    const char *const *props)
{
	json_t		*out, *v, *nv;
	const char	*key;

	if ((out = json_object()) == NULL)
		return NULL;
	json_object_foreach((json_t *)in, key, v) {
		if (json_is_string(v) && (top ? strcmp(key, secret) == 0 :
		    secret_prop(key, props)))
			nv = masked(v);
		else if (top && strcmp(key, "configProperties") == 0 &&
		    json_is_object(v))
			nv = copy_masking(v, NULL, 0, props);
		else
			nv = json_deep_copy(v);
		if (json_object_set_new(out, key, nv) == -1) {
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *
patrol_duo_mask(const json_t *stored, const char *const *props)
{
	if (!json_is_object(stored))
		return json_deep_copy(stored);
	return copy_masking(stored, "accessKey", 1, props);
}
