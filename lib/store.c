/*
 * store.c: the public storage functions. They check their arguments once,
 * for every backend, then dispatch to the backend named by
 * database.backend (see store_int.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "store_int.h"

/*
 * Backends patrol knows. A NULL ops is a backend the configuration accepts
 * but this build does not contain.
 */
static const struct {
	const char		*name;
	const struct store_ops	*ops;
	const char		*missing;	/* why ops is NULL */
} backends[] = {
	{ "sqlite", &store_sqlite_ops, NULL },
	{ "postgresql", NULL, "PostgreSQL backend not built in this version" },
};

static enum patrol_err
invalid(struct patrol_error *err, const char *what)
{
	return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS, "%s",
	    what);
}

/* 1 if s is a name: 1..PATROL_NAME_MAX bytes of UTF-8 without NUL. */
static int
name_valid(const char *s)
{
	size_t	 len;

	if (s == NULL || (len = strlen(s)) == 0 || len > PATROL_NAME_MAX)
		return 0;
	return utf8_valid(s, len);
}

/* 1 if v[0..n) are strings of 1..maxlen bytes of UTF-8 (maxlen 0: any). */
static int
strv_valid(char *const *v, size_t n, size_t maxlen)
{
	size_t	 i, len;

	if (n > 0 && v == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (v[i] == NULL || (len = strlen(v[i])) == 0)
			return 0;
		if ((maxlen > 0 && len > maxlen) || !utf8_valid(v[i], len))
			return 0;
	}
	return 1;
}

/* 1 if s is PATROL_HASH_LEN lowercase hexadecimal characters. */
static int
hash_valid(const char *s)
{
	size_t	 i;

	for (i = 0; i < PATROL_HASH_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[PATROL_HASH_LEN] == '\0';
}

/*
 * Looking up an id that cannot exist: a NULL id is a caller error, a
 * malformed one simply is not there (and is not echoed: it is arbitrary
 * input).
 */
static enum patrol_err
check_lookup_id(const char *id, const char *what, struct patrol_error *err)
{
	if (id == NULL)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s id missing", what);
	if (!patrol_id_valid(id))
		return patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "no %s has this id", what);
	return PATROL_OK;
}

void
store_strv_free(char **v, size_t n)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

enum patrol_err
store_strv_encode(char *const *v, size_t n, char **json)
{
	json_t		*a;
	size_t		 i;
	enum patrol_err	 rc = PATROL_ERR_NOMEM;

	*json = NULL;
	if ((a = json_array()) == NULL)
		return PATROL_ERR_NOMEM;
	for (i = 0; i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) == -1)
			goto out;
	if ((*json = json_dumps(a, JSON_COMPACT)) != NULL)
		rc = PATROL_OK;
out:
	json_decref(a);
	return rc;
}

enum patrol_err
store_strv_decode(const char *json, size_t len, char ***v, size_t *n)
{
	json_t		*a, *e;
	json_error_t	 jerr;
	char		**vec = NULL;
	size_t		 i, cnt = 0;
	enum patrol_err	 rc = PATROL_ERR_INVALID;

	*v = NULL;
	*n = 0;
	if ((a = jloadb(json, len, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return json_error_code(&jerr) == json_error_out_of_memory ?
		    PATROL_ERR_NOMEM : PATROL_ERR_INVALID;
	if (!json_is_array(a))
		goto out;
	if (json_array_size(a) > 0 &&
	    (vec = calloc(json_array_size(a), sizeof(*vec))) == NULL) {
		rc = PATROL_ERR_NOMEM;
		goto out;
	}
	json_array_foreach(a, i, e) {
		if (!json_is_string(e) ||
		    memchr(json_string_value(e), '\0',
		    json_string_length(e)) != NULL)
			goto out;
		vec[cnt] = xstrndup(json_string_value(e),
		    json_string_length(e));
		if (vec[cnt] == NULL) {
			rc = PATROL_ERR_NOMEM;
			goto out;
		}
		cnt++;
	}
	*v = vec;
	*n = cnt;
	vec = NULL;
	rc = PATROL_OK;
out:
	store_strv_free(vec, cnt);
	json_decref(a);
	return rc;
}

void
patrol_identity_clear(struct patrol_identity *id)
{
	if (id == NULL)
		return;
	free(id->name);
	store_strv_free(id->rights, id->nrights);
	memset(id, 0, sizeof(*id));
}

void
patrol_pat_clear(struct patrol_pat *pat)
{
	if (pat == NULL)
		return;
	free(pat->name);
	store_strv_free(pat->scope, pat->nscope);
	free(pat->owner_name);
	memset(pat, 0, sizeof(*pat));
}

enum patrol_err
patrol_store_open(const struct patrol_conf *conf, int create,
    struct patrol_store **out, struct patrol_error *err)
{
	size_t	 i;

	*out = NULL;
	if (conf == NULL || conf->db_backend == NULL)
		return invalid(err, "no database backend configured");
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		if (strcmp(backends[i].name, conf->db_backend) != 0)
			continue;
		if (backends[i].ops == NULL)
			return patrol_error_set(err, PATROL_ERR_CONFIG,
			    PATROL_NOPOS, "%s", backends[i].missing);
		return backends[i].ops->open(conf, create, out, err);
	}
	return patrol_error_set(err, PATROL_ERR_CONFIG, PATROL_NOPOS,
	    "unknown database backend \"%s\"", conf->db_backend);
}

void
patrol_store_close(struct patrol_store *st)
{
	if (st == NULL)
		return;
	st->ops->close(st);
}

enum patrol_err
patrol_store_identity_add(struct patrol_store *st,
    const struct patrol_identity *id, struct patrol_error *err)
{
	if (!patrol_id_valid(id->id))
		return invalid(err, "identity id must be 32 lowercase "
		    "hexadecimal characters");
	if (!name_valid(id->name))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "identity name must be 1 to %d bytes of UTF-8",
		    PATROL_NAME_MAX);
	if (!strv_valid(id->rights, id->nrights, 0))
		return invalid(err, "identity rights must be non-empty "
		    "UTF-8 strings");
	return st->ops->identity_add(st, id, err);
}

enum patrol_err
patrol_store_identity_get(struct patrol_store *st, const char *id,
    struct patrol_identity *out, struct patrol_error *err)
{
	enum patrol_err	 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_lookup_id(id, "identity", err)) != PATROL_OK)
		return rc;
	return st->ops->identity_get(st, id, out, err);
}

enum patrol_err
patrol_store_identity_delete(struct patrol_store *st, const char *id,
    struct patrol_error *err)
{
	enum patrol_err	 rc;

	if ((rc = check_lookup_id(id, "identity", err)) != PATROL_OK)
		return rc;
	return st->ops->identity_delete(st, id, err);
}

/* Checks what pat_add and pat_update store. */
static enum patrol_err
check_pat(const struct patrol_pat *pat, struct patrol_error *err)
{
	enum patrol_err	 rc;

	if (!patrol_id_valid(pat->id))
		return invalid(err, "personal access token id must be 32 "
		    "lowercase hexadecimal characters");
	if ((rc = patrol_pat_check_name(pat->name, err)) != PATROL_OK)
		return rc;
	/* An empty list, which the rules refuse, may come from an older
	 * database or an import: it stores (and allows nothing). */
	if (!pat->scope_null && pat->nscope > 0 &&
	    (rc = patrol_pat_check_scope(pat->scope, pat->nscope, err)) !=
	    PATROL_OK)
		return rc;
	if ((rc = patrol_pat_check_validity(pat->validity, err)) !=
	    PATROL_OK)
		return rc;
	if (pat->expires < -1)
		return invalid(err, "personal access token expiry must not "
		    "be negative");
	return PATROL_OK;
}

enum patrol_err
patrol_store_pat_add(struct patrol_store *st, const struct patrol_pat *pat,
    long max_per_owner, struct patrol_error *err)
{
	enum patrol_err	 rc;

	if ((rc = check_pat(pat, err)) != PATROL_OK)
		return rc;
	if (!patrol_id_valid(pat->owner_id))
		return invalid(err, "personal access token owner id must be "
		    "32 lowercase hexadecimal characters");
	if (!hash_valid(pat->secret_hash))
		return invalid(err, "personal access token secret hash must "
		    "be 64 lowercase hexadecimal characters");
	if (pat->created < 0 || pat->last_used < -1 || max_per_owner < 0)
		return invalid(err, "personal access token times and limits "
		    "must not be negative");
	return st->ops->pat_add(st, pat, max_per_owner, err);
}

enum patrol_err
patrol_store_pat_update(struct patrol_store *st, const struct patrol_pat *pat,
    struct patrol_error *err)
{
	enum patrol_err	 rc;

	if ((rc = check_lookup_id(pat->id, "personal access token", err)) !=
	    PATROL_OK)
		return rc;
	if ((rc = check_pat(pat, err)) != PATROL_OK)
		return rc;
	return st->ops->pat_update(st, pat, err);
}

enum patrol_err
patrol_store_pat_delete(struct patrol_store *st, const char *id,
    struct patrol_error *err)
{
	enum patrol_err	 rc;

	if ((rc = check_lookup_id(id, "personal access token", err)) !=
	    PATROL_OK)
		return rc;
	return st->ops->pat_delete(st, id, err);
}

enum patrol_err
patrol_store_begin(struct patrol_store *st, struct patrol_error *err)
{
	return st->ops->begin(st, err);
}

enum patrol_err
patrol_store_commit(struct patrol_store *st, struct patrol_error *err)
{
	return st->ops->commit(st, err);
}

enum patrol_err
patrol_store_read_begin(struct patrol_store *st, struct patrol_error *err)
{
	return st->ops->read_begin(st, err);
}

void
patrol_store_read_end(struct patrol_store *st)
{
	if (st != NULL)
		st->ops->read_end(st);
}

void
patrol_store_rollback(struct patrol_store *st)
{
	if (st != NULL)
		st->ops->rollback(st);
}

enum patrol_err
patrol_store_pat_get(struct patrol_store *st, const char *id,
    struct patrol_pat *out, struct patrol_error *err)
{
	enum patrol_err	 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_lookup_id(id, "personal access token", err)) !=
	    PATROL_OK)
		return rc;
	return st->ops->pat_get(st, id, out, err);
}

/* Checks a listing's query; *none is set when it cannot match anything. */
static enum patrol_err
check_query(const struct patrol_pat_query *q, int *none,
    struct patrol_error *err)
{
	size_t	 i, j;

	*none = 0;
	if (q == NULL)
		return invalid(err, "listing needs a query");
	if (q->schema != NULL && q->schema != &patrol_pat_filter_schema &&
	    q->schema != &patrol_pat_admin_filter_schema)
		return invalid(err, "listing filter schema is not a PAT "
		    "schema");
	if (q->nsorters > PATROL_PAT_SORTERS_MAX)
		return invalid(err, "too many sorters");
	for (i = 0; i < q->nsorters; i++) {
		if (q->sorters[i].key > PATROL_PAT_SORT_LAST_USED)
			return invalid(err, "unknown sort key");
		for (j = 0; j < i; j++)
			if (q->sorters[j].key == q->sorters[i].key)
				return invalid(err, "sort key given twice");
	}
	if (q->offset < 0 || q->limit < 0)
		return invalid(err, "listing limit and offset must not be "
		    "negative");
	/* A malformed owner id owns nothing. */
	if (q->owner_id != NULL && !patrol_id_valid(q->owner_id))
		*none = 1;
	return PATROL_OK;
}

enum patrol_err
patrol_store_pat_list(struct patrol_store *st,
    const struct patrol_pat_query *q, patrol_pat_cb cb, void *arg,
    struct patrol_error *err)
{
	enum patrol_err	 rc;
	int		 none;

	if (cb == NULL)
		return invalid(err, "listing needs a callback");
	if ((rc = check_query(q, &none, err)) != PATROL_OK || none)
		return rc;
	return st->ops->pat_list(st, q, cb, arg, err);
}

enum patrol_err
patrol_store_pat_count(struct patrol_store *st,
    const struct patrol_pat_query *q, int64_t *count,
    struct patrol_error *err)
{
	enum patrol_err	 rc;
	int		 none;

	*count = 0;
	if ((rc = check_query(q, &none, err)) != PATROL_OK || none)
		return rc;
	return st->ops->pat_count(st, q, count, err);
}

enum patrol_err
store_list_sql(struct patrol_store *st, const struct patrol_pat_query *q,
    int count, char **sql, struct patrol_error *err)
{
	enum patrol_err	 rc;
	int		 none;

	*sql = NULL;
	if ((rc = check_query(q, &none, err)) != PATROL_OK)
		return rc;
	if (st->ops->list_sql == NULL)
		return patrol_error_set(err, PATROL_ERR_UNSUPPORTED,
		    PATROL_NOPOS, "this backend has no SQL");
	return st->ops->list_sql(st, q, count, sql, err);
}

enum patrol_err
patrol_store_pat_touch(struct patrol_store *st, const char *id, int64_t now,
    int64_t interval_ms, int *updated, struct patrol_error *err)
{
	int		 dummy;
	enum patrol_err	 rc;

	if (updated == NULL)
		updated = &dummy;
	*updated = 0;
	if ((rc = check_lookup_id(id, "personal access token", err)) !=
	    PATROL_OK)
		return rc;
	if (now < 0 || interval_ms < 0)
		return invalid(err, "touch time and interval must not be "
		    "negative");
	return st->ops->pat_touch(st, id, now, interval_ms, updated, err);
}

enum patrol_err
patrol_store_duo_get(struct patrol_store *st, char **json,
    struct patrol_error *err)
{
	*json = NULL;
	return st->ops->duo_get(st, json, err);
}

enum patrol_err
patrol_store_duo_put(struct patrol_store *st, const char *json,
    struct patrol_error *err)
{
	if (json == NULL || !utf8_valid(json, strlen(json)))
		return invalid(err, "Duo configuration must be UTF-8 text");
	return st->ops->duo_put(st, json, err);
}

/* 1 if s is NULL (when it may be) or UTF-8 of at most
 * PATROL_AUDIT_FIELD_MAX bytes. */
static int
audit_field_valid(const char *s, int required)
{
	size_t	 len;

	if (s == NULL)
		return !required;
	len = strlen(s);
	return (len > 0 || !required) && len <= PATROL_AUDIT_FIELD_MAX &&
	    utf8_valid(s, len);
}

enum patrol_err
patrol_store_audit_add(struct patrol_store *st, const struct patrol_audit *a,
    struct patrol_error *err)
{
	if (a == NULL || a->time < 0)
		return invalid(err, "audit row missing or its time negative");
	if (!audit_field_valid(a->operation, 1) ||
	    !audit_field_valid(a->outcome, 1))
		return patrol_error_set(err, PATROL_ERR_INVALID,
		    PATROL_NOPOS, "audit row needs an operation and an "
		    "outcome, each at most %d bytes of UTF-8",
		    PATROL_AUDIT_FIELD_MAX);
	if (!audit_field_valid(a->actor, 0) ||
	    !audit_field_valid(a->pat_id, 0) ||
	    !audit_field_valid(a->client, 0) ||
	    !audit_field_valid(a->tracking_id, 0) ||
	    !audit_field_valid(a->target, 0))
		return patrol_error_set(err, PATROL_ERR_INVALID,
		    PATROL_NOPOS, "audit row field longer than %d bytes or "
		    "not UTF-8", PATROL_AUDIT_FIELD_MAX);
	return st->ops->audit_add(st, a, err);
}

enum patrol_err
patrol_store_audit_list(struct patrol_store *st, int64_t since,
    patrol_audit_cb cb, void *arg, struct patrol_error *err)
{
	if (cb == NULL)
		return invalid(err, "audit listing without a callback");
	return st->ops->audit_list(st, since, cb, arg, err);
}

enum patrol_err
patrol_store_audit_prune(struct patrol_store *st, int64_t before,
    int64_t max, int64_t *n, struct patrol_error *err)
{
	int64_t	 dummy;

	if (n == NULL)
		n = &dummy;
	*n = 0;
	if (max < 0)
		return invalid(err, "audit prune count must not be negative");
	return st->ops->audit_prune(st, before, max, n, err);
}
