/*
 * pat.c: personal access tokens: the rules a PAT obeys (shared by the API
 * and patrolctl), their creation, their filter schemas and sort keys, field
 * values for the filter evaluator, and their JSON representation.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

#define CMP_OPS	(PATROL_FOP_BIT(PATROL_FOP_EQ) | PATROL_FOP_BIT(PATROL_FOP_NE) | \
	PATROL_FOP_BIT(PATROL_FOP_GT) | PATROL_FOP_BIT(PATROL_FOP_GE) | \
	PATROL_FOP_BIT(PATROL_FOP_LT) | PATROL_FOP_BIT(PATROL_FOP_LE) | \
	PATROL_FOP_BIT(PATROL_FOP_IN) | PATROL_FOP_BIT(PATROL_FOP_PR) | \
	PATROL_FOP_BIT(PATROL_FOP_ISNULL))
#define STR_OPS	(CMP_OPS | PATROL_FOP_BIT(PATROL_FOP_CO) | \
	PATROL_FOP_BIT(PATROL_FOP_SW))
#define BOOL_OPS (PATROL_FOP_BIT(PATROL_FOP_EQ) | PATROL_FOP_BIT(PATROL_FOP_NE))

/* GET /beta/personal-access-tokens: "lastUsed: le, isnull" (the spec). */
static const struct patrol_filter_field pat_fields[] = {
	{ "lastUsed", PATROL_FIELD_DATETIME, 1,
	  PATROL_FOP_BIT(PATROL_FOP_LE) | PATROL_FOP_BIT(PATROL_FOP_ISNULL) },
};

const struct patrol_filter_schema patrol_pat_filter_schema = {
	pat_fields, sizeof(pat_fields) / sizeof(pat_fields[0])
};

static const struct patrol_filter_field admin_fields[] = {
	{ "id", PATROL_FIELD_STRING, 0, STR_OPS },
	{ "name", PATROL_FIELD_STRING, 0, STR_OPS },
	{ "owner.id", PATROL_FIELD_STRING, 0, STR_OPS },
	/* Null when the owner no longer exists (the store's LEFT JOIN). */
	{ "owner.name", PATROL_FIELD_STRING, 1, STR_OPS },
	{ "created", PATROL_FIELD_DATETIME, 0, CMP_OPS },
	{ "lastUsed", PATROL_FIELD_DATETIME, 1, CMP_OPS },
	{ "expirationDate", PATROL_FIELD_DATETIME, 1, CMP_OPS },
	{ "accessTokenValiditySeconds", PATROL_FIELD_NUMBER, 0, CMP_OPS },
	{ "managed", PATROL_FIELD_BOOL, 0, BOOL_OPS },
};

const struct patrol_filter_schema patrol_pat_admin_filter_schema = {
	admin_fields, sizeof(admin_fields) / sizeof(admin_fields[0])
};

static void
str_value(struct patrol_value *out, const char *s)
{
	if (s == NULL) {
		out->type = PATROL_VAL_NULL;
		return;
	}
	out->type = PATROL_VAL_STRING;
	out->u.str.s = (char *)s;	/* borrowed; the evaluator never frees */
	out->u.str.len = strlen(s);
}

enum patrol_err
patrol_pat_filter_value(void *arg, const struct patrol_filter_field *field,
    struct patrol_value *out)
{
	const struct patrol_pat	*pat = arg;
	const char		*n = field->name;

	memset(out, 0, sizeof(*out));
	if (strcmp(n, "id") == 0)
		str_value(out, pat->id);
	else if (strcmp(n, "name") == 0)
		str_value(out, pat->name);
	else if (strcmp(n, "owner.id") == 0)
		str_value(out, pat->owner_id);
	else if (strcmp(n, "owner.name") == 0)
		str_value(out, pat->owner_name);
	else if (strcmp(n, "created") == 0) {
		out->type = PATROL_VAL_DATETIME;
		out->u.ms = pat->created;
	} else if (strcmp(n, "lastUsed") == 0) {
		if (pat->last_used < 0)
			out->type = PATROL_VAL_NULL;
		else {
			out->type = PATROL_VAL_DATETIME;
			out->u.ms = pat->last_used;
		}
	} else if (strcmp(n, "expirationDate") == 0) {
		if (pat->expires < 0)
			out->type = PATROL_VAL_NULL;
		else {
			out->type = PATROL_VAL_DATETIME;
			out->u.ms = pat->expires;
		}
	} else if (strcmp(n, "accessTokenValiditySeconds") == 0) {
		out->type = PATROL_VAL_NUMBER;
		out->u.num = (double)pat->validity;
	} else if (strcmp(n, "managed") == 0) {
		out->type = PATROL_VAL_BOOL;
		out->u.b = pat->managed != 0;
	} else
		return PATROL_ERR_UNSUPPORTED;
	return PATROL_OK;
}

/* New reference to a JSON time string, json null for ms < 0. */
static json_t *
time_json(int64_t ms)
{
	char	 buf[PATROL_TIME_BUFSZ];

	if (ms < 0 || patrol_time_format(ms, buf) == -1)
		return json_null();
	return json_string(buf);
}

json_t *
patrol_pat_to_json(const struct patrol_pat *pat)
{
	json_t	*o = NULL, *scope = NULL, *owner = NULL;
	size_t	 i;

	if (pat->scope_null)
		scope = json_null();
	else {
		if ((scope = json_array()) == NULL)
			goto fail;
		for (i = 0; i < pat->nscope; i++)
			if (json_array_append_new(scope,
			    json_string(pat->scope[i])) == -1)
				goto fail;
	}
	owner = json_pack("{s:s, s:s, s:s?}", "type", "IDENTITY",
	    "id", pat->owner_id, "name", pat->owner_name);
	if (owner == NULL)
		goto fail;
	o = json_pack("{s:s, s:s?, s:o, s:o, s:o, s:o, s:b, s:o, s:I}",
	    "id", pat->id,
	    "name", pat->name,
	    "scope", scope,
	    "owner", owner,
	    "created", time_json(pat->created),
	    "lastUsed", time_json(pat->last_used),
	    "managed", pat->managed != 0,
	    "expirationDate", time_json(pat->expires),
	    "accessTokenValiditySeconds", (json_int_t)pat->validity);
	/* json_pack's "o" steals scope and owner, even on failure. */
	return o;
fail:
	json_decref(scope);
	json_decref(owner);
	return NULL;
}

int
pat_json_write(struct pbuf *b, const struct patrol_pat *pat)
{
	size_t	 i;

	PBUF_LIT(b, "{\"id\":");
	pbuf_json_str(b, pat->id, strlen(pat->id));
	PBUF_LIT(b, ",\"name\":");
	if (pat->name != NULL)
		pbuf_json_str(b, pat->name, strlen(pat->name));
	else
		PBUF_LIT(b, "null");
	PBUF_LIT(b, ",\"scope\":");
	if (pat->scope_null)
		PBUF_LIT(b, "null");
	else {
		pbuf_addc(b, '[');
		for (i = 0; i < pat->nscope; i++) {
			if (i > 0)
				pbuf_addc(b, ',');
			pbuf_json_str(b, pat->scope[i], strlen(pat->scope[i]));
		}
		pbuf_addc(b, ']');
	}
	PBUF_LIT(b, ",\"owner\":{\"type\":\"IDENTITY\",\"id\":");
	pbuf_json_str(b, pat->owner_id, strlen(pat->owner_id));
	PBUF_LIT(b, ",\"name\":");
	if (pat->owner_name != NULL)
		pbuf_json_str(b, pat->owner_name, strlen(pat->owner_name));
	else
		PBUF_LIT(b, "null");
	PBUF_LIT(b, "},\"created\":");
	pbuf_json_time(b, pat->created);
	PBUF_LIT(b, ",\"lastUsed\":");
	pbuf_json_time(b, pat->last_used);
	if (pat->managed)
		PBUF_LIT(b, ",\"managed\":true");
	else
		PBUF_LIT(b, ",\"managed\":false");
	PBUF_LIT(b, ",\"expirationDate\":");
	pbuf_json_time(b, pat->expires);
	PBUF_LIT(b, ",\"accessTokenValiditySeconds\":");
	pbuf_json_int(b, pat->validity);
	return pbuf_addc(b, '}');
}

/* ---- the rules ---------------------------------------------------- */

#define SHOWN_MAX	32	/* longest input quoted in an error text */
/* 9999-12-31T23:59:59.999Z: the last time patrol_time_format writes. */
#define EXPIRY_MAX	INT64_C(253402300799999)

/*
 * Returns 1 if s[0..len) may be quoted in an error text as '...': short,
 * valid UTF-8 without NUL, control characters or a quote. Other input is
 * named by its position only.
 */
static int
showable(const char *s, size_t len)
{
	size_t	 i;

	if (len > SHOWN_MAX || !utf8_valid(s, len))
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f ||
		    s[i] == '\'')
			return 0;
	return 1;
}

enum patrol_err
patrol_pat_check_name(const char *name, struct patrol_error *err)
{
	size_t	 i, len;

	if (name == NULL || (len = strlen(name)) == 0)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "name must not be empty");
	if (len > PATROL_NAME_MAX)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "name must be at most %d bytes, not %zu", PATROL_NAME_MAX,
		    len);
	if (!utf8_valid(name, len))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "name must be valid UTF-8");
	for (i = 0; i < len; i++)
		if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "name must not contain control "
			    "characters (byte %zu)", i + 1);
	return PATROL_OK;
}

/* A scope-token character of RFC 6749 section 3.3: %x21 / %x23-5B /
 * %x5D-7E. */
static int
scope_char(unsigned char ch)
{
	return ch == 0x21 || (ch >= 0x23 && ch <= 0x5b) ||
	    (ch >= 0x5d && ch <= 0x7e);
}

enum patrol_err
patrol_pat_check_scope(char *const *scope, size_t n, struct patrol_error *err)
{
	size_t	 i, j, len;

	if (n == 0)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "scope must not be empty (null or absent means "
		    PATROL_SCOPE_ALL ")");
	if (n > PATROL_SCOPE_MAX)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "scope must have at most %d entries, not %zu",
		    PATROL_SCOPE_MAX, n);
	if (scope == NULL)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "scope missing");
	for (i = 0; i < n; i++) {
		if (scope[i] == NULL || (len = strlen(scope[i])) == 0)
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu is empty", i + 1);
		if (len > PATROL_SCOPE_LEN_MAX)
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu is longer than %d bytes",
			    i + 1, PATROL_SCOPE_LEN_MAX);
		for (j = 0; j < len; j++)
			if (!scope_char((unsigned char)scope[i][j]))
				break;
		if (j < len && showable(scope[i], len))
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu ('%s') has a character "
			    "not allowed in a scope at byte %zu (RFC 6749, "
			    "section 3.3)", i + 1, scope[i], j + 1);
		if (j < len)
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu has a character not "
			    "allowed in a scope at byte %zu (RFC 6749, "
			    "section 3.3)", i + 1, j + 1);
		for (j = 0; j < i; j++)
			if (strcmp(scope[i], scope[j]) == 0)
				break;
		if (j < i && showable(scope[i], len))
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu ('%s') is given twice",
			    i + 1, scope[i]);
		if (j < i)
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu is given twice (as scope "
			    "%zu)", i + 1, j + 1);
	}
	return PATROL_OK;
}

enum patrol_err
patrol_pat_check_validity(long seconds, struct patrol_error *err)
{
	if (seconds < PATROL_VALIDITY_MIN || seconds > PATROL_VALIDITY_MAX)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "accessTokenValiditySeconds must be between %d and %d, "
		    "not %ld", PATROL_VALIDITY_MIN, PATROL_VALIDITY_MAX,
		    seconds);
	return PATROL_OK;
}

enum patrol_err
patrol_pat_check_expiry(int64_t expires, int64_t now,
    struct patrol_error *err)
{
	if (expires == -1)
		return PATROL_OK;
	if (expires <= now)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "expirationDate must be in the future");
	if (expires > EXPIRY_MAX)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "expirationDate must be before the year 10000");
	return PATROL_OK;
}

int
patrol_pat_expired(const struct patrol_pat *pat, int64_t now)
{
	return pat->expires >= 0 && now >= pat->expires;
}

/* ---- from JSON ---------------------------------------------------- */

#define KEY_SHOWN_MAX	64	/* longest unknown key quoted in an error */

static const char *const spec_keys[] = {
	"name", "scope", "accessTokenValiditySeconds", "expirationDate"
};

/* Returns 1 if a key from a body is short and plain enough to quote. */
static int
key_showable(const char *k)
{
	size_t	 i;

	for (i = 0; k[i] != '\0'; i++)
		if (i == KEY_SHOWN_MAX || (unsigned char)k[i] < 0x20 ||
		    k[i] == 0x7f || k[i] == '\'')
			return 0;
	return 1;
}

static enum patrol_err
wrong_type(struct patrol_error *err, const char *what, const char *want,
    const json_t *v)
{
	return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
	    "%s: expected %s, got %s", what, want, jtype_name(v));
}

enum patrol_err
patrol_pat_spec_from_json(const json_t *o, struct patrol_pat_spec *spec,
    char ***scopev, struct patrol_error *err)
{
	const char	*key;
	json_t		*v;
	json_int_t	 n;
	char		 what[32];
	char		**sv = NULL;
	size_t		 i, len;
	enum patrol_err	 rc;

	*scopev = NULL;
	if (!json_is_object(o))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "body: expected a JSON object");
	/* jansson's iteration does not modify the object. */
	json_object_foreach((json_t *)o, key, v) {
		for (i = 0; i < sizeof(spec_keys) / sizeof(spec_keys[0]); i++)
			if (strcmp(key, spec_keys[i]) == 0)
				break;
		if (i < sizeof(spec_keys) / sizeof(spec_keys[0]))
			continue;
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "unknown field%s%s%s (known: name, scope, "
		    "accessTokenValiditySeconds, expirationDate)",
		    key_showable(key) ? " '" : "",
		    key_showable(key) ? key : "", key_showable(key) ? "'" : "");
	}

	if ((v = json_object_get(o, "name")) == NULL)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "name is required");
	if (!json_is_string(v))
		return wrong_type(err, "name", "string", v);
	spec->name = json_string_value(v);

	if ((v = json_object_get(o, "scope")) == NULL || json_is_null(v)) {
		spec->scope_null = 1;
		spec->scope = NULL;
		spec->nscope = 0;
	} else if (!json_is_array(v))
		return wrong_type(err, "scope", "array of strings or null", v);
	else {
		len = json_array_size(v);
		if ((sv = calloc(len + 1, sizeof(*sv))) == NULL)
			return patrol_error_set(err, PATROL_ERR_NOMEM,
			    PATROL_NOPOS, "out of memory");
		for (i = 0; i < len; i++) {
			if (!json_is_string(json_array_get(v, i))) {
				snprintf(what, sizeof(what), "scope %zu",
				    i + 1);
				rc = wrong_type(err, what, "string",
				    json_array_get(v, i));
				free(sv);
				return rc;
			}
			sv[i] = (char *)json_string_value(json_array_get(v, i));
		}
		spec->scope_null = 0;
		spec->scope = sv;
		spec->nscope = len;
	}

	spec->validity = 0;
	if ((v = json_object_get(o, "accessTokenValiditySeconds")) != NULL) {
		if (!json_is_integer(v))
			rc = wrong_type(err, "accessTokenValiditySeconds",
			    "integer", v);
		else {
			n = json_integer_value(v);
			/* 0 would mean the default: the range check
			 * belongs here. */
			spec->validity = n < LONG_MIN ? LONG_MIN :
			    n > LONG_MAX ? LONG_MAX : (long)n;
			rc = patrol_pat_check_validity(spec->validity, err);
		}
		if (rc != PATROL_OK)
			goto fail;
	}

	spec->expires = 0;
	if ((v = json_object_get(o, "expirationDate")) != NULL) {
		if (json_is_null(v))
			spec->expires = -1;
		else if (!json_is_string(v)) {
			rc = wrong_type(err, "expirationDate",
			    "RFC 3339 date-time string or null", v);
			goto fail;
		} else if (patrol_time_parse(json_string_value(v),
		    json_string_length(v), &spec->expires) != PATROL_OK) {
			rc = patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "expirationDate: not an RFC 3339 "
			    "date-time (such as 2030-01-31T12:00:00Z)");
			goto fail;
		} else if (spec->expires <= 0) {
			/* 0 and -1 have other meanings, and the past is
			 * refused anyway. */
			rc = patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "expirationDate must be in the "
			    "future");
			goto fail;
		}
	}
	*scopev = sv;
	return PATROL_OK;
fail:
	free(sv);
	spec->scope = NULL;
	return rc;
}

long
patrol_pat_token_lifetime(const struct patrol_pat *pat, long max,
    int64_t now)
{
	long	 lifetime = max;
	int64_t	 left;

	if (pat->validity > 0 && pat->validity < lifetime)
		lifetime = pat->validity;
	if (pat->expires >= 0) {
		left = pat->expires > now ? (pat->expires - now + 999) / 1000 :
		    1;
		if (left < lifetime)
			lifetime = (long)left;
	}
	return lifetime;
}

enum patrol_err
patrol_pat_create(struct patrol_store *st, const struct patrol_conf *conf,
    const struct patrol_pat_spec *spec, int64_t now, struct patrol_pat *out,
    char secret[PATROL_SECRET_LEN + 1], struct patrol_error *err)
{
	struct patrol_pat	 pat;
	enum patrol_err		 rc;

	memset(out, 0, sizeof(*out));
	memset(secret, 0, PATROL_SECRET_LEN + 1);
	memset(&pat, 0, sizeof(pat));
	if (spec->owner_id == NULL || !patrol_id_valid(spec->owner_id))
		return patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "no identity has this owner id");
	pat.name = (char *)spec->name;
	pat.scope_null = spec->scope_null != 0;
	pat.scope = pat.scope_null ? NULL : (char **)spec->scope;
	pat.nscope = pat.scope_null ? 0 : spec->nscope;
	pat.validity = spec->validity == 0 ? PATROL_VALIDITY_DEFAULT :
	    spec->validity;
	if (spec->expires != 0)
		pat.expires = spec->expires;
	else if (conf->pat_default_expiry == 0)
		pat.expires = -1;
	else
		pat.expires = now + (int64_t)conf->pat_default_expiry *
		    86400 * 1000;
	if ((rc = patrol_pat_check_name(pat.name, err)) != PATROL_OK ||
	    (!pat.scope_null && (rc = patrol_pat_check_scope(pat.scope,
	    pat.nscope, err)) != PATROL_OK) ||
	    (rc = patrol_pat_check_validity(pat.validity, err)) !=
	    PATROL_OK ||
	    (rc = patrol_pat_check_expiry(pat.expires, now, err)) !=
	    PATROL_OK)
		return rc;
	memcpy(pat.owner_id, spec->owner_id, PATROL_ID_LEN + 1);
	pat.created = now;
	pat.last_used = -1;
	pat.managed = spec->managed != 0;
	if ((rc = patrol_id_new(pat.id)) != PATROL_OK ||
	    (rc = patrol_random_hex(secret, PATROL_SECRET_LEN / 2)) !=
	    PATROL_OK ||
	    (rc = patrol_secret_hash(secret, PATROL_SECRET_LEN,
	    pat.secret_hash)) != PATROL_OK) {
		wipe(secret, PATROL_SECRET_LEN + 1);
		return patrol_error_set(err, rc, PATROL_NOPOS, "%s",
		    "could not make a secret");
	}
	if ((rc = patrol_store_pat_add(st, &pat, conf->pat_max_per_owner,
	    err)) != PATROL_OK)
		goto fail;
	/* Read back for owner_name; a failure here undoes the add. */
	if ((rc = patrol_store_pat_get(st, pat.id, out, err)) != PATROL_OK) {
		patrol_store_pat_delete(st, pat.id, NULL);
		goto fail;
	}
	return PATROL_OK;
fail:
	wipe(secret, PATROL_SECRET_LEN + 1);
	return rc;
}

/* ---- sort keys ---------------------------------------------------- */

static const struct {
	const char			*name;
	enum patrol_pat_sort_key	 key;
} sort_keys[] = {
	{ "created", PATROL_PAT_SORT_CREATED },
	{ "name", PATROL_PAT_SORT_NAME },
	{ "lastUsed", PATROL_PAT_SORT_LAST_USED },
};

enum patrol_err
patrol_pat_sorters_parse(const char *s, size_t len,
    struct patrol_pat_query *q, struct patrol_error *err)
{
	struct patrol_pat_sorter sorters[PATROL_PAT_SORTERS_MAX];
	size_t	 i, j, k, m, n = 0, wlen;
	const char *w;
	int	 desc;

	/* Into sorters first: q changes only when all of s is good. */
	for (i = 0; i <= len; i = j + 1) {
		for (j = i; j < len && s[j] != ','; j++)
			continue;
		w = s + i;
		wlen = j - i;
		if ((desc = wlen > 0 && w[0] == '-')) {
			w++;
			wlen--;
		}
		if (wlen == 0)
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "sorters: empty field name at "
			    "position %zu", i);
		for (k = 0; k < sizeof(sort_keys) / sizeof(sort_keys[0]); k++)
			if (strlen(sort_keys[k].name) == wlen &&
			    memcmp(sort_keys[k].name, w, wlen) == 0)
				break;
		if (k == sizeof(sort_keys) / sizeof(sort_keys[0])) {
			if (!showable(w, wlen))
				return patrol_error_set(err,
				    PATROL_ERR_INVALID, PATROL_NOPOS,
				    "sorters: unknown field at position %zu "
				    "(supported: created, name, lastUsed)", i);
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "sorters: unknown field '%.*s' "
			    "(supported: created, name, lastUsed)",
			    (int)wlen, w);
		}
		for (m = 0; m < n; m++)
			if (sorters[m].key == sort_keys[k].key)
				return patrol_error_set(err,
				    PATROL_ERR_INVALID, PATROL_NOPOS,
				    "sorters: field '%s' is given twice",
				    sort_keys[k].name);
		/* Three keys, each once: n never passes the maximum. */
		sorters[n].key = sort_keys[k].key;
		sorters[n].desc = desc;
		n++;
	}
	memcpy(q->sorters, sorters, n * sizeof(sorters[0]));
	q->nsorters = n;
	return PATROL_OK;
}
