/*
 * t_filter.c: the filter language, driven by the cases in tests/filter/
 * (found through $top_srcdir, which make check sets):
 *  valid.txt	expressions and their dump;
 *  invalid.txt	expressions and their error (code, position, text);
 *  bind.txt	binding to the PAT schema and to the test schema below;
 *  sql.txt	the SQL and parameters a bound expression compiles to;
 *  match.txt	the rows of the test table an expression selects.
 * Every expression that binds to the test schema is also run both through
 * patrol_filter_eval and through SQLite on the same rows, and the two
 * selections must be identical; so are a few thousand generated ones.
 *
 * With glibc, and unless the sanitizers or valgrind own the allocator, the
 * test also makes each allocation of parse, bind and sql fail in turn and
 * checks the NOMEM result and that nothing leaks (the "chaos" test).
 *
 * Case files hold records of "key: value" lines separated by blank lines;
 * '#' starts a comment line. "filter-url:" gives the expression
 * percent-encoded, for bytes a text file cannot hold.
 */
#include "config.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

/*
 * The chaos allocator: with glibc, these definitions replace malloc and
 * friends for the whole program (glibc supports this), count live blocks,
 * and fail the allocation that chaos_left counts down to. ASan and valgrind
 * replace the allocator themselves; then no failure is ever injected and
 * the chaos test reports a skip.
 */
#if defined(__SANITIZE_ADDRESS__)
#define NO_CHAOS
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_CHAOS
#endif
#endif

static long	chaos_left = -1;	/* -1: no failure to inject */
static int	chaos_injected;		/* a failure was injected */
static long	chaos_live;		/* blocks not freed */

#if defined(__GLIBC__) && !defined(NO_CHAOS)
extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	 __libc_free(void *);

static int
chaos_fail(void)
{
	if (chaos_left < 0 || chaos_left-- > 0)
		return 0;
	chaos_injected = 1;
	return 1;
}

void *
malloc(size_t n)
{
	void	*p;

	if (chaos_fail())
		return NULL;
	if ((p = __libc_malloc(n)) != NULL)
		chaos_live++;
	return p;
}

void *
calloc(size_t n, size_t sz)
{
	void	*p;

	if (chaos_fail())
		return NULL;
	if ((p = __libc_calloc(n, sz)) != NULL)
		chaos_live++;
	return p;
}

void *
realloc(void *old, size_t n)
{
	void	*p;

	if (chaos_fail())
		return NULL;
	if ((p = __libc_realloc(old, n)) != NULL && old == NULL)
		chaos_live++;
	return p;
}

void *
reallocarray(void *old, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		return NULL;
	return realloc(old, n * sz);
}

void
free(void *p)
{
	if (p != NULL)
		chaos_live--;
	__libc_free(p);
}
#endif

#define REC_MAX		8
#define DUMP_MAX	65536
#define NROWS_MAX	64

#define B(op)		PATROL_FOP_BIT(PATROL_FOP_##op)
#define ALL_OPS		((1u << PATROL_FOP__MAX) - 1)

/* The test schema: every type, nullable or not, all operators but on
 * owner.name. */
static const struct patrol_filter_field test_fields[] = {
	{ "name", PATROL_FIELD_STRING, 0, ALL_OPS },
	{ "owner.name", PATROL_FIELD_STRING, 1,
	  B(EQ) | B(NE) | B(CO) | B(SW) | B(PR) | B(ISNULL) },
	{ "count", PATROL_FIELD_NUMBER, 1, ALL_OPS },
	{ "enabled", PATROL_FIELD_BOOL, 0, ALL_OPS },
	{ "created", PATROL_FIELD_DATETIME, 0, ALL_OPS },
	{ "lastUsed", PATROL_FIELD_DATETIME, 1, ALL_OPS },
};
static const struct patrol_filter_schema test_schema = {
	test_fields, sizeof(test_fields) / sizeof(test_fields[0])
};
static const char *const test_columns[] = {
	"name", "owner_name", "count", "enabled", "created", "last_used"
};
static const char *const pat_columns[] = { "last_used" };

/* The rows of the test table. */
static const struct {
	const char	*name;
	const char	*owner;		/* NULL: null */
	const char	*count;		/* NULL: null */
	int		 enabled;
	const char	*created;
	const char	*last;		/* NULL: null */
} rowdef[] = {
	/* 1 */ { "alpha", "Alice", "1", 1, "2023-01-01T00:00:00Z", NULL },
	/* 2 */ { "Alpha", NULL, "2.5", 0, "2023-02-05T10:59:27.214Z",
		  "2023-02-05T10:59:27.214Z" },
	/* 3 */ { "ALPHABET", "bob", "-3", 1, "2023-02-05T10:59:27.213Z",
		  "2023-02-05T10:59:27.213Z" },
	/* 4 */ { "beta", "BOB", NULL, 0, "2023-02-05T10:59:27.215Z",
		  "2023-02-05T10:59:27.215Z" },
	/* 5 */ { "50%_off", "Carol", "0", 1, "2022-12-31T23:59:59.999Z",
		  NULL },
	/* 6 */ { "back\\slash", "carol", "100", 0, "2018-12-18T23:05:55Z",
		  "2019-01-01T00:00:00Z" },
	/* 7 */ { "", "", "1e20", 1, "2024-06-30T12:00:00Z", NULL },
	/* 8 */ { "caf\xc3\xa9", "CAF\xc3\x89", "2.5", 0,
		  "2023-02-05T11:59:27.214+01:00", "2030-01-01T00:00:00Z" },
	/* 9 */ { "CAF\xc3\x89", "caf\xc3\xa9", "-0.5", 1,
		  "1970-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z" },
	/* 10 */ { "a_c", "x%y", "3", 0, "2023-02-05T10:59:27Z", NULL },
	/* 11 */ { "abc", "a\"q", "3", 1, "2000-02-29T00:00:00Z",
		  "2000-02-29T00:00:00Z" },
	/* 12 */ { "Zeta", NULL, NULL, 0, "2099-12-31T23:59:59.999Z", NULL },
	/* 13 */ { "zeta", "Alice", "7", 1, "2023-02-05T10:59:27.214Z",
		  "2023-02-05T10:59:27.214Z" },
	/* 14 */ { "alp", "al", "0.1", 0, "2001-01-01T00:00:00Z",
		  "2023-02-06T00:00:00Z" },
};
#define NROWS	(sizeof(rowdef) / sizeof(rowdef[0]))

struct row {
	int		 id;
	const char	*name;
	const char	*owner;
	int		 hascount;
	double		 count;
	int		 enabled;
	int64_t		 created;
	int		 haslast;
	int64_t		 last;
};

static struct row	 rows[NROWS];
static sqlite3		*db;
static const char	*srcdir;
static int		 nagreed;	/* expressions checked both ways */

/* ------------------------------------------------------------------ */
/* Case files                                                          */
/* ------------------------------------------------------------------ */

struct rec {
	int	 line;
	int	 n;
	char	*key[REC_MAX];
	char	*val[REC_MAX];
	size_t	 len[REC_MAX];
};

static void
rec_clear(struct rec *r)
{
	int	 i;

	for (i = 0; i < r->n; i++) {
		free(r->key[i]);
		free(r->val[i]);
	}
	memset(r, 0, sizeof(*r));
}

/* Reads the next record; returns 1, or 0 at the end of the file. */
static int
rec_read(FILE *fp, const char *file, int *lineno, struct rec *r)
{
	char	*line = NULL, *colon, *v;
	size_t	 cap = 0, len, i, o;
	ssize_t	 n;
	int	 url;

	rec_clear(r);
	while ((n = getline(&line, &cap, fp)) != -1) {
		(*lineno)++;
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#')
			continue;
		if (len == 0) {
			if (r->n > 0)
				break;
			continue;
		}
		if ((colon = strchr(line, ':')) == NULL || r->n == REC_MAX) {
			printf("Bail out! %s:%d: bad line\n", file, *lineno);
			exit(99);
		}
		if (r->n == 0)
			r->line = *lineno;
		*colon = '\0';
		v = colon + 1;
		if (*v == ' ')
			v++;
		len = strlen(v);
		url = strlen(line) > 4 &&
		    strcmp(line + strlen(line) - 4, "-url") == 0;
		if (url)
			line[strlen(line) - 4] = '\0';
		r->key[r->n] = strdup(line);
		r->val[r->n] = malloc(len + 1);
		if (r->key[r->n] == NULL || r->val[r->n] == NULL) {
			printf("Bail out! out of memory\n");
			exit(99);
		}
		for (i = o = 0; i < len; i++) {
			if (url && v[i] == '%' && i + 2 < len &&
			    hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
				r->val[r->n][o++] = (char)(hexval(v[i + 1]) *
				    16 + hexval(v[i + 2]));
				i += 2;
			} else
				r->val[r->n][o++] = v[i];
		}
		r->val[r->n][o] = '\0';
		r->len[r->n] = o;
		r->n++;
	}
	free(line);
	return r->n > 0;
}

static const char *
rec_get(const struct rec *r, const char *key, size_t *len)
{
	int	 i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->key[i], key) == 0) {
			if (len != NULL)
				*len = r->len[i];
			return r->val[i];
		}
	return NULL;
}

static FILE *
case_open(const char *name, char *path, size_t sz)
{
	FILE	*fp;

	snprintf(path, sz, "%s/tests/filter/%s", srcdir, name);
	if ((fp = fopen(path, "r")) == NULL) {
		printf("Bail out! %s: cannot open\n", path);
		exit(99);
	}
	return fp;
}

static const char *const errnames[PATROL_ERR__MAX] = {
	[PATROL_OK] = "OK",
	[PATROL_ERR_NOMEM] = "NOMEM",
	[PATROL_ERR_SYNTAX] = "SYNTAX",
	[PATROL_ERR_INVALID] = "INVALID",
	[PATROL_ERR_UNSUPPORTED] = "UNSUPPORTED",
	[PATROL_ERR_TOOBIG] = "TOOBIG",
};

static const char *
errname(enum patrol_err e)
{
	if ((unsigned)e < PATROL_ERR__MAX && errnames[e] != NULL)
		return errnames[e];
	return "OTHER";
}

/* "CODE POS" of an error, as the case files write it. */
static void
errstr(enum patrol_err rc, const struct patrol_error *err, char *buf,
    size_t sz)
{
	if (rc == PATROL_OK)
		snprintf(buf, sz, "OK");
	else if (err->position == PATROL_NOPOS)
		snprintf(buf, sz, "%s -", errname(rc));
	else
		snprintf(buf, sz, "%s %zu", errname(rc), err->position);
}

/* ------------------------------------------------------------------ */
/* The test table, in memory and in SQLite                             */
/* ------------------------------------------------------------------ */

static int64_t
ms(const char *s)
{
	int64_t	 v;

	if (patrol_time_parse(s, strlen(s), &v) != PATROL_OK) {
		printf("Bail out! bad time %s in the test rows\n", s);
		exit(99);
	}
	return v;
}

static void
rows_init(void)
{
	sqlite3_stmt	*st;
	size_t		 i;

	for (i = 0; i < NROWS; i++) {
		rows[i].id = (int)i + 1;
		rows[i].name = rowdef[i].name;
		rows[i].owner = rowdef[i].owner;
		if ((rows[i].hascount = rowdef[i].count != NULL))
			rows[i].count = strtod(rowdef[i].count, NULL);
		rows[i].enabled = rowdef[i].enabled;
		rows[i].created = ms(rowdef[i].created);
		if ((rows[i].haslast = rowdef[i].last != NULL))
			rows[i].last = ms(rowdef[i].last);
	}
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, "
	    "name TEXT NOT NULL, owner_name TEXT, count REAL, "
	    "enabled INTEGER NOT NULL, created INTEGER NOT NULL, "
	    "last_used INTEGER)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
	    -1, &st, NULL) != SQLITE_OK) {
		printf("Bail out! SQLite: %s\n", sqlite3_errmsg(db));
		exit(99);
	}
	for (i = 0; i < NROWS; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, rows[i].id);
		sqlite3_bind_text(st, 2, rows[i].name, -1, SQLITE_STATIC);
		if (rows[i].owner != NULL)
			sqlite3_bind_text(st, 3, rows[i].owner, -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		if (rows[i].hascount)
			sqlite3_bind_double(st, 4, rows[i].count);
		else
			sqlite3_bind_null(st, 4);
		sqlite3_bind_int(st, 5, rows[i].enabled);
		sqlite3_bind_int64(st, 6, rows[i].created);
		if (rows[i].haslast)
			sqlite3_bind_int64(st, 7, rows[i].last);
		else
			sqlite3_bind_null(st, 7);
		if (sqlite3_step(st) != SQLITE_DONE) {
			printf("Bail out! SQLite: %s\n", sqlite3_errmsg(db));
			exit(99);
		}
	}
	sqlite3_finalize(st);
}

static void
str_value(struct patrol_value *out, const char *s)
{
	if (s == NULL)
		return;
	out->type = PATROL_VAL_STRING;
	out->u.str.s = (char *)s;
	out->u.str.len = strlen(s);
}

/* The patrol_filter_getter of a struct row. */
static enum patrol_err
row_get(void *arg, const struct patrol_filter_field *fld,
    struct patrol_value *out)
{
	const struct row	*r = arg;

	memset(out, 0, sizeof(*out));
	out->type = PATROL_VAL_NULL;
	if (strcmp(fld->name, "name") == 0)
		str_value(out, r->name);
	else if (strcmp(fld->name, "owner.name") == 0)
		str_value(out, r->owner);
	else if (strcmp(fld->name, "count") == 0) {
		if (r->hascount) {
			out->type = PATROL_VAL_NUMBER;
			out->u.num = r->count;
		}
	} else if (strcmp(fld->name, "enabled") == 0) {
		out->type = PATROL_VAL_BOOL;
		out->u.b = r->enabled;
	} else if (strcmp(fld->name, "created") == 0) {
		out->type = PATROL_VAL_DATETIME;
		out->u.ms = r->created;
	} else if (strcmp(fld->name, "lastUsed") == 0) {
		if (r->haslast) {
			out->type = PATROL_VAL_DATETIME;
			out->u.ms = r->last;
		}
	} else
		return PATROL_ERR_UNSUPPORTED;
	return PATROL_OK;
}

static void
mask_text(uint64_t m, char *buf, size_t sz)
{
	size_t	 i, len = 0;

	buf[0] = '\0';
	for (i = 1; i < NROWS_MAX && len < sz; i++)
		if (m & ((uint64_t)1 << i))
			len += (size_t)snprintf(buf + len, sz - len, "%s%zu",
			    len ? " " : "", i);
}

/* The rows a bound filter selects, through patrol_filter_eval (*ev) and
 * through SQLite (*sq), as bit masks of ids. Returns 0, or -1 after a
 * diagnostic. */
static int
select_both(const struct patrol_filter *f,
    const struct patrol_filter_schema *schema, const char *const *cols,
    uint64_t *ev, uint64_t *sq)
{
	struct patrol_sql	 sql;
	struct patrol_error	 err;
	sqlite3_stmt		*st = NULL;
	char			*q = NULL;
	enum patrol_err		 rc;
	size_t			 i;
	int			 m, step, ret = -1;

	*ev = *sq = 0;
	memset(&sql, 0, sizeof(sql));
	for (i = 0; i < NROWS; i++) {
		if ((rc = patrol_filter_eval(f, row_get, &rows[i], &m)) !=
		    PATROL_OK) {
			tap_diag("eval: %s", patrol_strerror(rc));
			goto out;
		}
		if (m)
			*ev |= (uint64_t)1 << rows[i].id;
	}
	if ((rc = patrol_filter_sql(f, schema, cols, PATROL_SQL_QMARK, 1,
	    &sql, &err)) != PATROL_OK) {
		tap_diag("sql: %s", err.text);
		goto out;
	}
	q = sqlite3_mprintf("SELECT id FROM t WHERE %s ORDER BY id",
	    sql.where);
	if (q == NULL || sqlite3_prepare_v2(db, q, -1, &st, NULL) !=
	    SQLITE_OK) {
		tap_diag("SQLite: %s: %s", sqlite3_errmsg(db), sql.where);
		goto out;
	}
	if ((size_t)sqlite3_bind_parameter_count(st) != sql.nparams) {
		tap_diag("%zu parameters for %d placeholders", sql.nparams,
		    sqlite3_bind_parameter_count(st));
		goto out;
	}
	for (i = 0; i < sql.nparams; i++) {
		const struct patrol_value *v = &sql.params[i];
		int n = (int)i + 1;

		switch (v->type) {
		case PATROL_VAL_STRING:
			sqlite3_bind_text(st, n, v->u.str.s,
			    (int)v->u.str.len, SQLITE_TRANSIENT);
			break;
		case PATROL_VAL_NUMBER:
			sqlite3_bind_double(st, n, v->u.num);
			break;
		case PATROL_VAL_BOOL:
			sqlite3_bind_int(st, n, v->u.b);
			break;
		case PATROL_VAL_DATETIME:
			sqlite3_bind_int64(st, n, v->u.ms);
			break;
		default:
			tap_diag("parameter %d of type %d", n, (int)v->type);
			goto out;
		}
	}
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		*sq |= (uint64_t)1 << sqlite3_column_int(st, 0);
	if (step != SQLITE_DONE) {
		tap_diag("SQLite: %s", sqlite3_errmsg(db));
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_free(q);
	patrol_sql_clear(&sql);
	return ret;
}

/* Checks that eval and SQL select the same rows; returns the selection
 * (bit mask of ids) or UINT64_MAX. Quiet on success unless verbose. */
static uint64_t
agree(const struct patrol_filter *f, const struct patrol_filter_schema *s,
    const char *const *cols, const char *what, int verbose)
{
	uint64_t	 ev, sq;
	char		 a[256], b[256], d[DUMP_MAX];
	int		 same;

	if (select_both(f, s, cols, &ev, &sq) == -1) {
		ok(0, "%s: eval and SQL both run", what);
		return UINT64_MAX;
	}
	nagreed++;
	same = ev == sq;
	if (!same || verbose) {
		if (!ok(same, "%s: eval and SQL select the same rows", what)) {
			mask_text(ev, a, sizeof(a));
			mask_text(sq, b, sizeof(b));
			patrol_filter_dump(f, d, sizeof(d));
			tap_diag("%s", d);
			tap_diag("eval: %s", a);
			tap_diag("SQL:  %s", b);
		}
	}
	return same ? ev : UINT64_MAX;
}

/* ------------------------------------------------------------------ */
/* Data-driven cases                                                   */
/* ------------------------------------------------------------------ */

/* Parses the record's filter; returns the code and fills *f, err. */
static enum patrol_err
rec_parse(const struct rec *r, struct patrol_filter **f,
    struct patrol_error *err)
{
	const char	*s;
	size_t		 len;

	memset(err, 0, sizeof(*err));
	if ((s = rec_get(r, "filter", &len)) == NULL) {
		printf("Bail out! record at line %d has no filter\n", r->line);
		exit(99);
	}
	return patrol_filter_parse(s, len, f, err);
}

static void
check_error(const struct rec *r, const char *file, enum patrol_err rc,
    const struct patrol_error *err)
{
	const char	*want, *text;
	char		 got[64];

	want = rec_get(r, "error", NULL);
	text = rec_get(r, "text", NULL);
	errstr(rc, err, got, sizeof(got));
	is_str(got, want, "%s:%d: error code and position", file, r->line);
	if (rc != PATROL_OK && text != NULL)
		is_str(err->text, text, "%s:%d: error text", file, r->line);
}

static void
test_valid(void)
{
	struct rec		 r = { 0 };
	struct patrol_filter	*f;
	struct patrol_error	 err;
	char			 path[1024], d[DUMP_MAX], what[1100];
	const char		*want;
	enum patrol_err		 rc;
	size_t			 n;
	FILE			*fp;
	int			 line = 0, nbound = 0;

	fp = case_open("valid.txt", path, sizeof(path));
	while (rec_read(fp, "valid.txt", &line, &r)) {
		rc = rec_parse(&r, &f, &err);
		snprintf(what, sizeof(what), "valid.txt:%d", r.line);
		if (!ok(rc == PATROL_OK, "%s: parses", what)) {
			tap_diag("%s", err.text);
			continue;
		}
		want = rec_get(&r, "dump", NULL);
		n = patrol_filter_dump(f, d, sizeof(d));
		is_str(d, want, "%s: dump", what);
		is_int(n, strlen(d), "%s: dump length", what);
		if (patrol_filter_bind(f, &test_schema, NULL) == PATROL_OK) {
			agree(f, &test_schema, test_columns, what, 0);
			nbound++;
		}
		patrol_filter_free(f);
	}
	rec_clear(&r);
	fclose(fp);
	ok(nbound > 50, "valid.txt: %d expressions bind to the test schema",
	    nbound);
}

static void
test_invalid(void)
{
	struct rec		 r = { 0 };
	struct patrol_filter	*f;
	struct patrol_error	 err;
	char			 path[1024];
	enum patrol_err		 rc;
	FILE			*fp;
	int			 line = 0;

	fp = case_open("invalid.txt", path, sizeof(path));
	while (rec_read(fp, "invalid.txt", &line, &r)) {
		rc = rec_parse(&r, &f, &err);
		check_error(&r, "invalid.txt", rc, &err);
		ok(f == NULL, "invalid.txt:%d: no tree", r.line);
		patrol_filter_free(f);
	}
	rec_clear(&r);
	fclose(fp);
}

static const struct patrol_filter_schema *
rec_schema(const struct rec *r, const char *const **cols)
{
	const char	*s = rec_get(r, "schema", NULL);

	if (s != NULL && strcmp(s, "pat") == 0) {
		*cols = pat_columns;
		return &patrol_pat_filter_schema;
	}
	*cols = test_columns;
	return &test_schema;
}

static void
test_bind(void)
{
	struct rec			 r = { 0 };
	struct patrol_filter		*f;
	struct patrol_error		 err;
	const struct patrol_filter_schema *s;
	const char *const		*cols;
	char				 path[1024], d[DUMP_MAX];
	char				 what[1100];
	const char			*want;
	enum patrol_err			 rc;
	FILE				*fp;
	int				 line = 0, m;

	fp = case_open("bind.txt", path, sizeof(path));
	while (rec_read(fp, "bind.txt", &line, &r)) {
		snprintf(what, sizeof(what), "bind.txt:%d", r.line);
		if ((rc = rec_parse(&r, &f, &err)) != PATROL_OK) {
			ok(0, "%s: parses", what);
			tap_diag("%s", err.text);
			continue;
		}
		s = rec_schema(&r, &cols);
		rc = patrol_filter_bind(f, s, &err);
		if ((want = rec_get(&r, "dump", NULL)) != NULL) {
			if (ok(rc == PATROL_OK, "%s: binds", what)) {
				patrol_filter_dump(f, d, sizeof(d));
				is_str(d, want, "%s: bound dump", what);
				agree(f, s, cols, what, 1);
			} else
				tap_diag("%s", err.text);
		} else {
			check_error(&r, "bind.txt", rc, &err);
			/* A tree that failed to bind is left unbound. */
			is_int(patrol_filter_eval(f, row_get, &rows[0], &m),
			    PATROL_ERR_INVALID, "%s: not evaluable", what);
		}
		patrol_filter_free(f);
	}
	rec_clear(&r);
	fclose(fp);
}

/* The parameters as sql.txt writes them: s:"text" n:2.5 b:1 t:ms. */
static void
params_text(const struct patrol_sql *sql, char *buf, size_t sz)
{
	const struct patrol_value	*v;
	size_t				 i, j, len = 0;

	buf[0] = '\0';
	for (i = 0; i < sql->nparams && len + 64 < sz; i++) {
		v = &sql->params[i];
		if (i > 0)
			buf[len++] = ' ';
		switch (v->type) {
		case PATROL_VAL_STRING:
			buf[len++] = 's';
			buf[len++] = ':';
			buf[len++] = '"';
			for (j = 0; j < v->u.str.len && len + 8 < sz; j++) {
				if (v->u.str.s[j] == '"' ||
				    v->u.str.s[j] == '\\')
					buf[len++] = '\\';
				buf[len++] = v->u.str.s[j];
			}
			buf[len++] = '"';
			break;
		case PATROL_VAL_NUMBER:
			len += (size_t)snprintf(buf + len, sz - len, "n:%.17g",
			    v->u.num);
			break;
		case PATROL_VAL_BOOL:
			len += (size_t)snprintf(buf + len, sz - len, "b:%d",
			    v->u.b);
			break;
		case PATROL_VAL_DATETIME:
			len += (size_t)snprintf(buf + len, sz - len, "t:%lld",
			    (long long)v->u.ms);
			break;
		default:
			len += (size_t)snprintf(buf + len, sz - len, "?:%d",
			    (int)v->type);
			break;
		}
		buf[len] = '\0';
	}
}

static void
test_sql(void)
{
	struct rec			 r = { 0 };
	struct patrol_filter		*f;
	struct patrol_error		 err;
	struct patrol_sql		 sql;
	const struct patrol_filter_schema *s;
	const char *const		*cols;
	char				 path[1024], p[DUMP_MAX];
	char				 what[1100];
	char				 style[16];
	const char			*st;
	enum patrol_err			 rc;
	size_t				 first;
	FILE				*fp;
	int				 line = 0;

	fp = case_open("sql.txt", path, sizeof(path));
	while (rec_read(fp, "sql.txt", &line, &r)) {
		snprintf(what, sizeof(what), "sql.txt:%d", r.line);
		s = rec_schema(&r, &cols);
		if ((rc = rec_parse(&r, &f, &err)) != PATROL_OK ||
		    (rc = patrol_filter_bind(f, s, &err)) != PATROL_OK) {
			ok(0, "%s: parses and binds", what);
			tap_diag("%s", err.text);
			patrol_filter_free(f);
			continue;
		}
		st = rec_get(&r, "style", NULL);
		if (st == NULL || sscanf(st, "%15s %zu", style, &first) != 2) {
			printf("Bail out! %s: bad style\n", what);
			exit(99);
		}
		rc = patrol_filter_sql(f, s, cols,
		    strcmp(style, "dollar") == 0 ? PATROL_SQL_DOLLAR :
		    PATROL_SQL_QMARK, first, &sql, &err);
		if (ok(rc == PATROL_OK, "%s: compiles", what)) {
			is_str(sql.where, rec_get(&r, "sql", NULL), "%s: SQL",
			    what);
			params_text(&sql, p, sizeof(p));
			is_str(p, rec_get(&r, "params", NULL), "%s: parameters",
			    what);
		} else
			tap_diag("%s", err.text);
		patrol_sql_clear(&sql);
		if (strcmp(style, "qmark") == 0)
			agree(f, s, cols, what, 0);
		patrol_filter_free(f);
	}
	rec_clear(&r);
	fclose(fp);
}

static void
test_match(void)
{
	struct rec		 r = { 0 };
	struct patrol_filter	*f;
	struct patrol_error	 err;
	const struct patrol_filter_schema *s;
	const char *const	*cols;
	char			 path[1024], what[1100], got[256];
	enum patrol_err		 rc;
	uint64_t		 m;
	FILE			*fp;
	int			 line = 0;

	fp = case_open("match.txt", path, sizeof(path));
	while (rec_read(fp, "match.txt", &line, &r)) {
		snprintf(what, sizeof(what), "match.txt:%d", r.line);
		s = rec_schema(&r, &cols);
		if ((rc = rec_parse(&r, &f, &err)) != PATROL_OK ||
		    (rc = patrol_filter_bind(f, s, &err)) != PATROL_OK) {
			ok(0, "%s: parses and binds", what);
			tap_diag("%s", err.text);
			patrol_filter_free(f);
			continue;
		}
		if ((m = agree(f, s, cols, what, 0)) != UINT64_MAX) {
			mask_text(m, got, sizeof(got));
			is_str(got, rec_get(&r, "rows", NULL), "%s: rows",
			    what);
		}
		patrol_filter_free(f);
	}
	rec_clear(&r);
	fclose(fp);
}

/* ------------------------------------------------------------------ */
/* Bounds                                                              */
/* ------------------------------------------------------------------ */

static void
test_bounds(void)
{
	struct patrol_filter	*f;
	struct patrol_error	 err;
	char			*s;
	size_t			 len, i, pos;
	enum patrol_err		 rc;

	s = malloc(PATROL_FILTER_LEN_MAX * 8);

	/* Exactly the length bound, then one byte more. */
	len = PATROL_FILTER_LEN_MAX;
	memset(s, 'x', len);
	memcpy(s, "name eq \"", 9);
	s[len - 1] = '"';
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_OK, "a filter of exactly %d bytes",
	    PATROL_FILTER_LEN_MAX);
	patrol_filter_free(f);
	s[len] = ' ';
	rc = patrol_filter_parse(s, len + 1, &f, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "one byte more: TOOBIG");
	is_int(err.position, PATROL_FILTER_LEN_MAX, "... at the first byte "
	    "past the bound");
	is_str(err.text, "filter expression of 4097 bytes is longer than "
	    "the 4096 allowed", "... text");
	ok(f == NULL, "... no tree");

	/* Nesting: parentheses, not, and both. */
	for (i = 0; i < PATROL_FILTER_DEPTH_MAX; i++)
		s[i] = '(';
	len = i + (size_t)sprintf(s + i, "enabled pr");
	for (i = 0; i < PATROL_FILTER_DEPTH_MAX; i++)
		s[len++] = ')';
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_OK, "%d nested parentheses",
	    PATROL_FILTER_DEPTH_MAX);
	patrol_filter_free(f);

	for (i = 0; i <= PATROL_FILTER_DEPTH_MAX; i++)
		s[i] = '(';
	len = i + (size_t)sprintf(s + i, "enabled pr");
	for (i = 0; i <= PATROL_FILTER_DEPTH_MAX; i++)
		s[len++] = ')';
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "%d nested parentheses: TOOBIG",
	    PATROL_FILTER_DEPTH_MAX + 1);
	is_int(err.position, PATROL_FILTER_DEPTH_MAX, "... at the '(' too "
	    "many");
	is_str(err.text, "expression nested deeper than 32 levels at "
	    "position 32", "... text");

	for (len = i = 0; i < PATROL_FILTER_DEPTH_MAX; i++)
		len += (size_t)sprintf(s + len, "not ");
	len += (size_t)sprintf(s + len, "enabled pr");
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_OK, "%d nested nots", PATROL_FILTER_DEPTH_MAX);
	if (rc == PATROL_OK) {
		patrol_filter_bind(f, &test_schema, NULL);
		agree(f, &test_schema, test_columns, "32 nested nots", 1);
	}
	patrol_filter_free(f);
	memmove(s + 4, s, len);
	memcpy(s, "not ", 4);
	len += 4;
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "%d nested nots: TOOBIG",
	    PATROL_FILTER_DEPTH_MAX + 1);
	is_int(err.position, PATROL_FILTER_DEPTH_MAX * 4, "... at the 'not' "
	    "too many");

	/* Alternating '(' and 'not': the 17th '(' is the 33rd level. */
	for (len = i = 0; i < 17; i++)
		len += (size_t)sprintf(s + len, "(not ");
	pos = len - 5;
	len += (size_t)sprintf(s + len, "enabled pr");
	for (i = 0; i < 17; i++)
		s[len++] = ')';
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "17 '(' and 17 'not': TOOBIG");
	is_int(err.position, pos, "... at the 17th '('");

	/* The longest chain the length allows: no recursion, and the tree
	 * it makes is shallow. */
	for (len = 0; len + 16 < PATROL_FILTER_LEN_MAX; )
		len += (size_t)sprintf(s + len, "%senabled pr",
		    len ? " or " : "");
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_OK, "a chain of %zu bytes of 'or'", len);
	if (rc == PATROL_OK && patrol_filter_bind(f, &test_schema, NULL) ==
	    PATROL_OK)
		agree(f, &test_schema, test_columns, "long or chain", 1);
	patrol_filter_free(f);

	/* List items. */
	len = (size_t)sprintf(s, "count in (");
	for (i = 0; i < PATROL_FILTER_LIST_MAX; i++)
		len += (size_t)sprintf(s + len, "%s%zu", i ? "," : "", i);
	s[len++] = ')';
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_OK, "a list of %d items", PATROL_FILTER_LIST_MAX);
	if (rc == PATROL_OK && patrol_filter_bind(f, &test_schema, NULL) ==
	    PATROL_OK)
		agree(f, &test_schema, test_columns, "256 items", 1);
	patrol_filter_free(f);
	pos = len - 1 + 1;
	len--;
	len += (size_t)sprintf(s + len, ",%d)", PATROL_FILTER_LIST_MAX);
	rc = patrol_filter_parse(s, len, &f, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "a list of %d items: TOOBIG",
	    PATROL_FILTER_LIST_MAX + 1);
	is_int(err.position, pos, "... at the item too many");
	is_str(err.text, "list at position 9 has more than 256 items",
	    "... text");

	free(s);
}

/* ------------------------------------------------------------------ */
/* API details                                                         */
/* ------------------------------------------------------------------ */

static enum patrol_err
get_fail(void *arg, const struct patrol_filter_field *fld,
    struct patrol_value *out)
{
	(void)arg;
	(void)fld;
	(void)out;
	return PATROL_ERR_STORE;
}

static enum patrol_err
get_wrong_type(void *arg, const struct patrol_filter_field *fld,
    struct patrol_value *out)
{
	(void)arg;
	(void)fld;
	memset(out, 0, sizeof(*out));
	out->type = PATROL_VAL_NUMBER;
	out->u.num = 1;
	return PATROL_OK;
}

static struct patrol_filter *
parse_bound(const char *s, const struct patrol_filter_schema *schema)
{
	struct patrol_filter	*f;

	if (patrol_filter_parse(s, strlen(s), &f, NULL) != PATROL_OK)
		return NULL;
	if (schema != NULL && patrol_filter_bind(f, schema, NULL) !=
	    PATROL_OK) {
		patrol_filter_free(f);
		return NULL;
	}
	return f;
}

static void
test_api(void)
{
	static const char *const ops[PATROL_FOP__MAX] = {
		"eq", "ne", "gt", "ge", "lt", "le", "co", "sw", "in", "ca",
		"pr", "isnull"
	};
	static const char *const nocols[6] = { "name", NULL, NULL, NULL,
		NULL, NULL };
	static const struct patrol_filter_field other_fields[] = {
		{ "name", PATROL_FIELD_STRING, 0, ALL_OPS },
	};
	static const struct patrol_filter_schema other = { other_fields, 1 };
	static const struct patrol_filter_field noops_fields[] = {
		{ "name", PATROL_FIELD_STRING, 0, 0 },
	};
	static const struct patrol_filter_schema noops = { noops_fields, 1 };
	static const struct patrol_filter_schema empty = { NULL, 0 };
	struct patrol_filter	*f;
	struct patrol_error	 err;
	struct patrol_sql	 sql;
	struct patrol_value	 v;
	char			 buf[64];
	size_t			 n;
	int			 i, m;

	for (i = 0; i < PATROL_FOP__MAX; i++)
		is_str(patrol_filter_op_name((enum patrol_filter_op)i), ops[i],
		    "op name %d", i);
	is_str(patrol_filter_op_name(PATROL_FOP__MAX), "unknown",
	    "op name out of range");

	/* NULL is accepted by every free and clear. */
	patrol_filter_free(NULL);
	patrol_sql_clear(NULL);
	patrol_value_clear(NULL);
	ok(1, "free and clear accept NULL");

	/* patrol_value_clear frees lists of strings and resets the type. */
	memset(&v, 0, sizeof(v));
	v.type = PATROL_VAL_LIST;
	v.u.list.n = 2;
	v.u.list.v = calloc(2, sizeof(*v.u.list.v));
	v.u.list.v[0].type = PATROL_VAL_STRING;
	v.u.list.v[0].u.str.s = strdup("a");
	v.u.list.v[0].u.str.len = 1;
	v.u.list.v[1].type = PATROL_VAL_NUMBER;
	patrol_value_clear(&v);
	ok(v.type == PATROL_VAL_NULL && v.u.list.v == NULL,
	    "value_clear resets the value");

	/* err may be NULL. */
	is_int(patrol_filter_parse("name eq", 7, &f, NULL), PATROL_ERR_SYNTAX,
	    "parse without an error struct");
	is_int(patrol_filter_parse(NULL, 0, &f, &err), PATROL_ERR_SYNTAX,
	    "NULL and 0 is the empty expression");
	is_int(patrol_filter_parse(NULL, 1, &f, &err), PATROL_ERR_INVALID,
	    "NULL with a length");

	/* Only len bytes are read. */
	is_int(patrol_filter_parse("enabled pr or", 10, &f, &err), PATROL_OK,
	    "reads only len bytes");
	patrol_filter_free(f);

	/* snprintf-style dump. */
	f = parse_bound("name eq \"abc\"", NULL);
	n = patrol_filter_dump(f, NULL, 0);
	is_int(n, 15, "dump into nothing gives the length");
	memset(buf, '#', sizeof(buf));
	n = patrol_filter_dump(f, buf, 5);
	is_int(n, 15, "dump into 5 bytes gives the full length");
	is_str(buf, "(eq ", "... and writes 4 bytes and NUL");
	is_int(buf[5], '#', "... and nothing past sz");
	patrol_filter_dump(f, buf, 16);
	is_str(buf, "(eq name \"abc\")", "dump into exactly enough");
	patrol_filter_dump(f, buf, 15);
	is_str(buf, "(eq name \"abc\"", "dump one byte short");
	buf[0] = '#';
	patrol_filter_dump(f, buf, 1);
	is_int(buf[0], '\0', "dump into 1 byte writes the NUL");
	is_int(patrol_filter_dump(NULL, buf, sizeof(buf)), 0,
	    "dump of NULL is empty");
	is_str(buf, "", "... and writes the NUL");

	/* Unbound trees neither evaluate nor compile. */
	is_int(patrol_filter_eval(f, row_get, &rows[0], &m),
	    PATROL_ERR_INVALID, "eval of an unbound tree");
	is_int(patrol_filter_sql(f, &test_schema, test_columns,
	    PATROL_SQL_QMARK, 1, &sql, &err), PATROL_ERR_INVALID,
	    "sql of an unbound tree");
	ok(sql.where == NULL && sql.params == NULL && sql.nparams == 0,
	    "... leaves the result empty");
	is_str(err.text, "the filter is not bound to a schema", "... text");
	is_int(patrol_filter_bind(f, NULL, &err), PATROL_ERR_INVALID,
	    "bind without a schema");
	is_int(patrol_filter_eval(NULL, row_get, NULL, &m),
	    PATROL_ERR_INVALID, "eval of NULL");

	/* Bound to one schema, compiled with another. */
	is_int(patrol_filter_bind(f, &other, &err), PATROL_OK,
	    "bind to a one-field schema");
	is_int(patrol_filter_sql(f, &test_schema, test_columns,
	    PATROL_SQL_QMARK, 1, &sql, &err), PATROL_ERR_INVALID,
	    "sql with another schema");
	is_str(err.text, "the filter was bound to another schema", "... text");
	/* Binding again to another schema rebinds. */
	is_int(patrol_filter_bind(f, &test_schema, &err), PATROL_OK,
	    "rebind to the test schema");
	is_int(patrol_filter_sql(f, &test_schema, test_columns,
	    PATROL_SQL_QMARK, 1, &sql, &err), PATROL_OK,
	    "... then sql with it");
	patrol_sql_clear(&sql);
	ok(sql.where == NULL && sql.nparams == 0, "sql_clear zeroes");
	is_int(patrol_filter_sql(f, &test_schema, test_columns,
	    PATROL_SQL_DOLLAR, 0, &sql, &err), PATROL_ERR_INVALID,
	    "$0 is refused");
	is_int(patrol_filter_sql(f, &test_schema, NULL,
	    PATROL_SQL_QMARK, 1, &sql, &err), PATROL_ERR_INVALID,
	    "sql without columns");
	patrol_filter_free(f);

	f = parse_bound("name eq \"a\" and count gt 1", &test_schema);
	is_int(patrol_filter_sql(f, &test_schema, nocols, PATROL_SQL_QMARK, 1,
	    &sql, &err), PATROL_ERR_INVALID, "a field without a column");
	is_str(err.text, "no SQL column for field 'count'", "... text");
	is_int(err.position, 16, "... position of the field");
	ok(sql.where == NULL && sql.params == NULL,
	    "... frees what it had built");

	patrol_filter_free(f);
	f = parse_bound("not (count gt 1)", &test_schema);
	is_int(patrol_filter_sql(f, &test_schema, nocols, PATROL_SQL_QMARK, 1,
	    &sql, &err), PATROL_ERR_INVALID, "... also under not");
	patrol_filter_free(f);
	f = parse_bound("name eq \"a\" and count gt 1", &test_schema);

	/* Getter errors and values of the wrong type. */
	is_int(patrol_filter_eval(f, get_fail, NULL, &m), PATROL_ERR_STORE,
	    "a getter's error is returned");
	is_int(patrol_filter_eval(f, get_wrong_type, NULL, &m),
	    PATROL_ERR_INVALID, "a getter's value of the wrong type");
	is_int(m, 0, "... and no match");
	patrol_filter_free(f);

	/* A schema without fields, a field without operators. */
	f = parse_bound("name eq \"a\"", NULL);
	is_int(patrol_filter_bind(f, &empty, &err), PATROL_ERR_UNSUPPORTED,
	    "bind to an empty schema");
	is_str(err.text, "filtering on field 'name' is not supported "
	    "(supported: none)", "... text");
	is_int(patrol_filter_bind(f, &noops, &err), PATROL_ERR_UNSUPPORTED,
	    "bind to a field without operators");
	is_str(err.text, "operator 'eq' is not supported for field 'name' "
	    "(supported: none)", "... text");
	patrol_filter_free(f);

	/* The parse tree is independent of the input buffer. */
	memcpy(buf, "name sw \"al\"", 13);
	f = parse_bound(buf, NULL);
	memset(buf, 'x', 13);
	patrol_filter_dump(f, buf, sizeof(buf));
	is_str(buf, "(sw name \"al\")", "the tree owns its strings");
	patrol_filter_free(f);
}

/* ------------------------------------------------------------------ */
/* The PAT schema                                                      */
/* ------------------------------------------------------------------ */

static void
test_pat_schema(void)
{
	const struct patrol_filter_schema *s = &patrol_pat_filter_schema;

	ok(s->nfields == 1 && strcmp(s->fields[0].name, "lastUsed") == 0 &&
	    s->fields[0].type == PATROL_FIELD_DATETIME &&
	    s->fields[0].nullable && s->fields[0].ops ==
	    (B(LE) | B(ISNULL)), "the PAT schema is lastUsed: le, isnull");
}

/* ------------------------------------------------------------------ */
/* Locale independence                                                 */
/* ------------------------------------------------------------------ */

static void
test_locale(void)
{
	static const char *const names[] = {
		"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
		"nl_NL.UTF-8", "de_DE", "fr_FR"
	};
	struct patrol_filter	*f;
	char			 buf[128];
	size_t			 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (setlocale(LC_NUMERIC, names[i]) != NULL)
			break;
	snprintf(buf, sizeof(buf), "%.1f", 0.5);
	if (i == sizeof(names) / sizeof(names[0]) || strcmp(buf, "0.5") == 0) {
		setlocale(LC_NUMERIC, "C");
		ok(1, "# SKIP no locale with a decimal comma is installed");
		return;
	}
	f = parse_bound("count in (2.5, -0.125, 1e-7, 12345678.9)",
	    &test_schema);
	ok(f != NULL, "numbers parse under %s", names[i]);
	patrol_filter_dump(f, buf, sizeof(buf));
	is_str(buf, "(in count (2.5 -0.125 1e-7 12345678.9))",
	    "... and dump with a decimal point");
	patrol_filter_free(f);
	setlocale(LC_NUMERIC, "C");
}

/* ------------------------------------------------------------------ */
/* Generated expressions                                               */
/* ------------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const gen_strings[] = {
	"alpha", "ALPHA", "a", "", "%", "_", "\\", "caf\xc3\xa9",
	"CAF\xc3\x89", "zeta", "al", "b", "a\"q", "x%y", "50%_", "bob",
	"alice", "c", "slash", "off",
};
static const char *const gen_numbers[] = {
	"1", "2.5", "-3", "0", "1e20", "-0.5", "100", "7", "3", "0.1",
	"1E+20", "-0", "2.50",
};
static const char *const gen_times[] = {
	"2023-02-05T10:59:27.214Z", "2023-02-05T10:59:27.213Z",
	"2023-02-05T10:59:27.215Z", "2023-02-05T11:59:27.214+01:00",
	"2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z",
	"1969-12-31T23:59:59.999Z", "2023-02-05T10:59:27Z",
	"2099-12-31T23:59:59.999Z", "2019-01-01T00:00:00Z",
	"\"2023-02-05T10:59:27.2149Z\"", "\"2030-01-01t00:00:00z\"",
	"2023-02-06T00:00:00Z",
};

static void
gen_append(char *buf, size_t *len, size_t sz, const char *s)
{
	size_t	 n = strlen(s);

	if (*len + n < sz) {
		memcpy(buf + *len, s, n + 1);
		*len += n;
	}
}

static void
gen_string(char *buf, size_t *len, size_t sz, const char *s)
{
	char	 t[3] = { 0 };

	gen_append(buf, len, sz, "\"");
	for (; *s != '\0'; s++) {
		t[0] = *s == '"' || *s == '\\' ? '\\' : *s;
		t[1] = t[0] == '\\' ? *s : '\0';
		gen_append(buf, len, sz, t);
	}
	gen_append(buf, len, sz, "\"");
}

static void
gen_value(char *buf, size_t *len, size_t sz, size_t field)
{
	switch (test_fields[field].type) {
	case PATROL_FIELD_STRING:
		gen_string(buf, len, sz,
		    gen_strings[rnd(sizeof(gen_strings) / sizeof(char *))]);
		break;
	case PATROL_FIELD_NUMBER:
		gen_append(buf, len, sz,
		    gen_numbers[rnd(sizeof(gen_numbers) / sizeof(char *))]);
		break;
	case PATROL_FIELD_BOOL:
		gen_append(buf, len, sz, rnd(2) ? "true" : "false");
		break;
	case PATROL_FIELD_DATETIME:
		gen_append(buf, len, sz,
		    gen_times[rnd(sizeof(gen_times) / sizeof(char *))]);
		break;
	}
}

/* A random comparison the test schema accepts. */
static void
gen_cmp(char *buf, size_t *len, size_t sz)
{
	size_t		 field = rnd(test_schema.nfields), i, n;
	unsigned	 ops = test_fields[field].ops;
	int		 op;

	if (test_fields[field].type == PATROL_FIELD_BOOL)
		ops &= B(EQ) | B(NE) | B(IN) | B(CA) | B(PR) | B(ISNULL);
	else if (test_fields[field].type != PATROL_FIELD_STRING)
		ops &= ~(B(CO) | B(SW));
	do
		op = (int)rnd(PATROL_FOP__MAX);
	while (!(ops & PATROL_FOP_BIT(op)));
	if (op == PATROL_FOP_PR && rnd(2)) {
		gen_append(buf, len, sz, "pr ");
		gen_append(buf, len, sz, test_fields[field].name);
		return;
	}
	gen_append(buf, len, sz, test_fields[field].name);
	gen_append(buf, len, sz, " ");
	gen_append(buf, len, sz, patrol_filter_op_name(op));
	switch (op) {
	case PATROL_FOP_PR:
	case PATROL_FOP_ISNULL:
		break;
	case PATROL_FOP_IN:
	case PATROL_FOP_CA:
		gen_append(buf, len, sz, " (");
		n = 1 + rnd(4);
		for (i = 0; i < n; i++) {
			if (i > 0)
				gen_append(buf, len, sz, rnd(2) ? ", " : ",");
			gen_value(buf, len, sz, field);
		}
		gen_append(buf, len, sz, ")");
		break;
	case PATROL_FOP_EQ:
	case PATROL_FOP_NE:
		gen_append(buf, len, sz, " ");
		if (test_fields[field].nullable && rnd(8) == 0)
			gen_append(buf, len, sz, "null");
		else
			gen_value(buf, len, sz, field);
		break;
	default:
		gen_append(buf, len, sz, " ");
		gen_value(buf, len, sz, field);
		break;
	}
}

static void
gen_expr(char *buf, size_t *len, size_t sz, int depth)
{
	switch (depth > 3 ? 0 : rnd(6)) {
	case 0:
	case 1:
		gen_cmp(buf, len, sz);
		break;
	case 2:
		gen_append(buf, len, sz, "not ");
		gen_expr(buf, len, sz, depth + 1);
		break;
	case 3:
		gen_append(buf, len, sz, "(");
		gen_expr(buf, len, sz, depth + 1);
		gen_append(buf, len, sz, ")");
		break;
	case 4:
		gen_expr(buf, len, sz, depth + 1);
		gen_append(buf, len, sz, " and ");
		gen_expr(buf, len, sz, depth + 1);
		break;
	default:
		gen_expr(buf, len, sz, depth + 1);
		gen_append(buf, len, sz, " or ");
		gen_expr(buf, len, sz, depth + 1);
		break;
	}
}

static void
test_generated(void)
{
	struct patrol_filter	*f;
	struct patrol_error	 err;
	char			 buf[2048], d[DUMP_MAX], what[2100];
	static const char	 noise[] = "()\",\\ \t\0\xff\xc3""aZ9.:-+_"
				    "EQnotandorprisnull";
	size_t			 len, i, pos;
	enum patrol_err		 rc;
	int			 bad = 0, nok = 0, nfail = 0, m;

	/* Valid expressions: eval and SQL must agree. */
	for (i = 0; i < 3000 && !bad; i++) {
		len = 0;
		buf[0] = '\0';
		gen_expr(buf, &len, sizeof(buf), 0);
		snprintf(what, sizeof(what), "generated '%s'", buf);
		if ((rc = patrol_filter_parse(buf, len, &f, &err)) !=
		    PATROL_OK ||
		    (rc = patrol_filter_bind(f, &test_schema, &err)) !=
		    PATROL_OK) {
			ok(0, "%s: parses and binds", what);
			tap_diag("%s", err.text);
			bad = 1;
		} else if (agree(f, &test_schema, test_columns, what, 0) ==
		    UINT64_MAX)
			bad = 1;
		patrol_filter_free(f);
	}
	ok(!bad, "3000 generated expressions: eval and SQL agree");

	/* Mutated ones: any result, but a sane one. */
	for (i = 0; i < 20000 && !bad; i++) {
		len = 0;
		buf[0] = '\0';
		gen_expr(buf, &len, sizeof(buf) - 8, 2);
		for (m = 1 + (int)rnd(3); m > 0; m--) {
			pos = len ? rnd((unsigned)len) : 0;
			switch (rnd(3)) {
			case 0:
				memmove(buf + pos, buf + pos + 1, len - pos);
				len -= len ? 1 : 0;
				break;
			case 1:
				memmove(buf + pos + 1, buf + pos,
				    len - pos + 1);
				buf[pos] = noise[rnd(sizeof(noise) - 1)];
				len++;
				break;
			default:
				if (len)
					buf[pos] =
					    noise[rnd(sizeof(noise) - 1)];
				break;
			}
		}
		/* Copy into an exact-size heap buffer so that reading past
		 * len is caught by valgrind and ASan. */
		{
			char *exact = malloc(len ? len : 1);

			memcpy(exact, buf, len);
			rc = patrol_filter_parse(exact, len, &f, &err);
			free(exact);
		}
		if (rc == PATROL_OK) {
			nok++;
			patrol_filter_dump(f, d, sizeof(d));
			if (patrol_filter_bind(f, &test_schema, &err) ==
			    PATROL_OK && agree(f, &test_schema, test_columns,
			    "mutated", 0) == UINT64_MAX)
				bad = 1;
			patrol_filter_free(f);
			continue;
		}
		nfail++;
		if ((rc != PATROL_ERR_SYNTAX && rc != PATROL_ERR_TOOBIG) ||
		    f != NULL || err.position > len ||
		    (strstr(err.text, "position") == NULL &&
		    strcmp(err.text, "empty filter expression") != 0)) {
			ok(0, "mutated input: sane error");
			tap_diag("%s at %zu: %s", patrol_strerror(rc),
			    err.position, err.text);
			bad = 1;
		}
	}
	ok(!bad, "20000 mutated expressions: %d parse, %d errors with a "
	    "position", nok, nfail);
}

/* ------------------------------------------------------------------ */
/* Allocation failures                                                 */
/* ------------------------------------------------------------------ */

/* Parses, binds and compiles expr in both styles. Returns PATROL_OK or
 * the first error, after checking that a failure left nothing behind. */
static enum patrol_err
chaos_run(const char *expr, int *sane)
{
	struct patrol_filter	*f;
	struct patrol_error	 err;
	struct patrol_sql	 sql;
	enum patrol_err		 rc;

	memset(&err, 0, sizeof(err));
	if ((rc = patrol_filter_parse(expr, strlen(expr), &f, &err)) !=
	    PATROL_OK) {
		*sane = f == NULL && rc == PATROL_ERR_NOMEM &&
		    err.code == PATROL_ERR_NOMEM;
		return rc;
	}
	if ((rc = patrol_filter_bind(f, &test_schema, &err)) == PATROL_OK)
		rc = patrol_filter_sql(f, &test_schema, test_columns,
		    PATROL_SQL_QMARK, 1, &sql, &err);
	if (rc == PATROL_OK) {
		patrol_sql_clear(&sql);
		rc = patrol_filter_sql(f, &test_schema, test_columns,
		    PATROL_SQL_DOLLAR, 1, &sql, &err);
	}
	*sane = rc == PATROL_OK || (rc == PATROL_ERR_NOMEM &&
	    err.code == PATROL_ERR_NOMEM && sql.where == NULL &&
	    sql.params == NULL && sql.nparams == 0);
	patrol_sql_clear(&sql);
	patrol_filter_free(f);
	return rc;
}

/* Returns 1 if the chaos allocator is the one in use: it can fail an
 * allocation and it counts blocks. Called through volatile pointers, so the
 * compiler cannot drop the calls. */
static int
chaos_works(void)
{
	void		*(*volatile alloc)(size_t) = malloc;
	void		 (*volatile release)(void *) = free;
	void		*p;
	long		 base = chaos_live;

	chaos_left = 0;
	p = alloc(16);
	chaos_left = -1;
	if (p != NULL) {
		release(p);
		return 0;
	}
	if ((p = alloc(16)) == NULL)
		return 0;
	if (chaos_live != base + 1) {
		release(p);
		return 0;
	}
	release(p);
	return chaos_live == base;
}

static void
test_chaos(void)
{
	static const char *const exprs[] = {
		"not (name co \"a%b\" or owner.name sw \"X\") and "
		    "count in (1, 2.5, -3e2) and created le "
		    "\"2023-02-05T10:59:27Z\" or lastUsed isnull",
		"name in (\"a\", \"b\", \"c\", \"d\", \"e\", \"f\") or "
		    "enabled eq true and count ne 1.5 or name ca (\"x\")",
	};
	enum patrol_err		 rc;
	size_t			 i;
	long			 n, base;
	int			 sane, good;

	if (!chaos_works()) {
		ok(1, "# SKIP the allocator is not replaceable here "
		    "(sanitizers, valgrind or not glibc)");
		return;
	}
	for (i = 0; i < sizeof(exprs) / sizeof(exprs[0]); i++) {
		good = 1;
		for (n = 0; ; n++) {
			base = chaos_live;
			chaos_injected = 0;
			chaos_left = n;
			rc = chaos_run(exprs[i], &sane);
			chaos_left = -1;
			if (!sane || chaos_live != base) {
				tap_diag("failing allocation %ld: %s, %ld "
				    "blocks leaked", n, patrol_strerror(rc),
				    chaos_live - base);
				good = 0;
			}
			if (!chaos_injected)
				break;
		}
		ok(good && rc == PATROL_OK, "chaos %zu: each of %ld "
		    "allocations failed in turn: NOMEM, nothing leaked", i, n);
	}
}

int
main(void)
{
	if ((srcdir = getenv("top_srcdir")) == NULL) {
		printf("Bail out! top_srcdir is not set: run this test "
		    "through make check or set it to the source tree\n");
		return 99;
	}
	rows_init();
	test_pat_schema();
	test_valid();
	test_invalid();
	test_bind();
	test_sql();
	test_match();
	test_bounds();
	test_api();
	test_generated();
	test_chaos();
	test_locale();
	ok(nagreed > 100, "eval and SQL compared on %d expressions", nagreed);
	sqlite3_close(db);
	return done_testing();
}
