/*
 * store_int.h: the interface between store.c, which implements the public
 * patrol_store_* functions, and the storage backends (store_<name>.c).
 *
 * store.c checks every argument before it reaches a backend (ids well
 * formed, names and scopes within bounds, times not negative), so a backend
 * only stores and fetches. Nothing outside store*.c sees a query language.
 *
 * Adding a backend: write store_<name>.c defining a `const struct
 * store_ops`, declare it below and list it in store.c's backend table.
 */
#ifndef PATROL_STORE_INT_H
#define PATROL_STORE_INT_H

/*
 * Every backend's handle begins with this struct, so a backend allocates
 * its own larger struct and hands out a pointer to this first member.
 */
struct patrol_store {
	const struct store_ops	*ops;
};

/*
 * One backend. The functions have the contract of the patrol_store_*
 * function of the same name in patrol.h, with arguments already checked.
 * Each fills err on failure.
 */
struct store_ops {
	/* *out is new, released with close. */
	enum patrol_err	(*open)(const struct patrol_conf *conf, int create,
			    struct patrol_store **out,
			    struct patrol_error *err);
	void		(*close)(struct patrol_store *st);
	enum patrol_err	(*identity_add)(struct patrol_store *st,
			    const struct patrol_identity *id,
			    struct patrol_error *err);
	enum patrol_err	(*identity_get)(struct patrol_store *st,
			    const char *id, struct patrol_identity *out,
			    struct patrol_error *err);
	enum patrol_err	(*identity_delete)(struct patrol_store *st,
			    const char *id, struct patrol_error *err);
	enum patrol_err	(*pat_add)(struct patrol_store *st,
			    const struct patrol_pat *pat, long max_per_owner,
			    struct patrol_error *err);
	enum patrol_err	(*pat_update)(struct patrol_store *st,
			    const struct patrol_pat *pat,
			    struct patrol_error *err);
	enum patrol_err	(*pat_delete)(struct patrol_store *st,
			    const char *id, struct patrol_error *err);
	enum patrol_err	(*pat_get)(struct patrol_store *st, const char *id,
			    struct patrol_pat *out, struct patrol_error *err);
	enum patrol_err	(*pat_list)(struct patrol_store *st,
			    const struct patrol_pat_query *q,
			    patrol_pat_cb cb, void *arg,
			    struct patrol_error *err);
	enum patrol_err	(*pat_count)(struct patrol_store *st,
			    const struct patrol_pat_query *q, int64_t *count,
			    struct patrol_error *err);
	enum patrol_err	(*pat_touch)(struct patrol_store *st, const char *id,
			    int64_t now, int64_t interval_ms, int *updated,
			    struct patrol_error *err);
	enum patrol_err	(*duo_get)(struct patrol_store *st, char **json,
			    struct patrol_error *err);
	enum patrol_err	(*duo_put)(struct patrol_store *st, const char *json,
			    struct patrol_error *err);
	enum patrol_err	(*begin)(struct patrol_store *st,
			    struct patrol_error *err);
	enum patrol_err	(*commit)(struct patrol_store *st,
			    struct patrol_error *err);
	void		(*rollback)(struct patrol_store *st);
	enum patrol_err	(*read_begin)(struct patrol_store *st,
			    struct patrol_error *err);
	void		(*read_end)(struct patrol_store *st);
	enum patrol_err	(*audit_add)(struct patrol_store *st,
			    const struct patrol_audit *a,
			    struct patrol_error *err);
	enum patrol_err	(*audit_list)(struct patrol_store *st, int64_t since,
			    patrol_audit_cb cb, void *arg,
			    struct patrol_error *err);
	enum patrol_err	(*audit_prune)(struct patrol_store *st,
			    int64_t before, int64_t max, int64_t *n,
			    struct patrol_error *err);
	/* Optional (NULL: the backend has no SQL); see store_list_sql. */
	enum patrol_err	(*list_sql)(struct patrol_store *st,
			    const struct patrol_pat_query *q, int count,
			    char **sql, struct patrol_error *err);
};

extern const struct store_ops store_sqlite_ops;

/*
 * Lists of strings (identity rights, PAT scopes) are stored as JSON arrays
 * of strings by every backend.
 *
 * store_strv_encode: *json is a new string holding the array v[0..n).
 * PATROL_ERR_NOMEM on failure.
 *
 * store_strv_decode: parses json[0..len) into a new vector *v (each element
 * and the vector freed with free(); NULL when n is 0) of *n strings.
 * PATROL_ERR_INVALID when the text is not an array of strings without NUL
 * bytes, PATROL_ERR_NOMEM on failure. err is not filled: the backend knows
 * what the text belonged to.
 */
enum patrol_err	store_strv_encode(char *const *v, size_t n, char **json);
enum patrol_err	store_strv_decode(const char *json, size_t len, char ***v,
		    size_t *n);
/* Frees v[0..n) and v. */
void		store_strv_free(char **v, size_t n);

/*
 * store_list_sql: *sql is a new string (free()) holding the text of the
 * statement that patrol_store_pat_list (count 0) or patrol_store_pat_count
 * (count 1) runs for q, parameters left as placeholders: for the tests of
 * its query plan. The query is checked as those functions check it;
 * UNSUPPORTED for a backend without SQL.
 */
enum patrol_err	store_list_sql(struct patrol_store *st,
		    const struct patrol_pat_query *q, int count, char **sql,
		    struct patrol_error *err);

#endif /* PATROL_STORE_INT_H */
