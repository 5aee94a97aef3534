/*
 * t_rows.c: how the SQLite store runs listings.
 *  - A listing reads its rows without copying them (it borrows the row's
 *    text and splits the common scope form in place). Whatever a row's
 *    scope text is, the listing must read it as the general path
 *    (patrol_store_pat_get, which decodes with jansson) does, or fail as it
 *    does: rows are written here with raw SQL, bypassing the store's checks.
 *  - Listing statements are kept prepared, by SQL text: a statement reused
 *    must start afresh with its new parameters, a listing stopped early must
 *    not leave its statement midway, a listing inside a listing's callback
 *    must get its own statement, and evicting must not change any result.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#define OWNER	"a0000000000000000000000000000001"
#define PAT	"b0000000000000000000000000000001"

struct seen {
	int	 calls;
	int	 scope_null;
	size_t	 nscope;
	char	 scope[8][64];
	char	 name[64];
};

static int
collect(void *arg, const struct patrol_pat *p)
{
	struct seen	*s = arg;
	size_t		 i;

	s->calls++;
	s->scope_null = p->scope_null;
	s->nscope = p->nscope;
	for (i = 0; i < p->nscope && i < 8; i++)
		snprintf(s->scope[i], sizeof(s->scope[i]), "%s", p->scope[i]);
	snprintf(s->name, sizeof(s->name), "%s", p->name);
	return 0;
}

struct ids {
	int	 n, stop_after;
	char	 id[64][PATROL_ID_LEN + 1];
	struct patrol_store *st;	/* lists again from the callback */
	const struct patrol_pat_query *inner;
	int	 inner_n;
};

static int
collect_ids(void *arg, const struct patrol_pat *p)
{
	struct ids	*x = arg;
	struct ids	 in;
	struct patrol_error err;

	if (x->n < 64)
		strcpy(x->id[x->n], p->id);
	x->n++;
	if (x->st != NULL && x->inner != NULL) {
		memset(&in, 0, sizeof(in));
		if (patrol_store_pat_list(x->st, x->inner, collect_ids, &in,
		    &err) == PATROL_OK)
			x->inner_n += in.n;
	}
	return x->stop_after > 0 && x->n >= x->stop_after;
}

/* Lists q into x (zeroed first, stop_after kept). */
static enum patrol_err
list_ids(struct patrol_store *st, const struct patrol_pat_query *q,
    struct ids *x, int stop_after)
{
	struct patrol_error	 err;

	memset(x, 0, sizeof(*x));
	x->stop_after = stop_after;
	return patrol_store_pat_list(st, q, collect_ids, x, &err);
}

static void
test_cache(struct patrol_store *st, sqlite3 *db)
{
	struct patrol_pat_query	 q, q2;
	struct patrol_filter	*f = NULL;
	struct patrol_error	 err;
	struct ids		 a, b;
	char			 sql[512], expr[64];
	int			 i;

	sqlite3_exec(db, "DELETE FROM pat; INSERT INTO identity VALUES "
	    "('a0000000000000000000000000000002', 'Two', '[]')", NULL, NULL,
	    NULL);
	for (i = 0; i < 20; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO pat (id, name, scope, "
		    "owner_id, created, last_used, managed, secret_hash, "
		    "expires, validity) VALUES ('c%031d', 'n%02d', NULL, "
		    "'a000000000000000000000000000000%d', %d, %d, 0, '%064d', "
		    "NULL, 43200)", i, i, 1 + i % 2, 1000 + i, 5000 + i, 0);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	memset(&q, 0, sizeof(q));
	q.owner_id = OWNER;
	list_ids(st, &q, &a, 0);
	is_int(a.n, 10, "owner 1: 10 PATs");
	q.owner_id = "a0000000000000000000000000000002";
	list_ids(st, &q, &b, 0);
	is_int(b.n, 10, "the same statement with owner 2: 10 PATs");
	ok(b.n == 10 && strcmp(a.id[0], b.id[0]) != 0,
	    "and they are owner 2's, not owner 1's again");

	q.owner_id = OWNER;
	list_ids(st, &q, &a, 3);
	is_int(a.n, 3, "a listing stopped after 3");
	list_ids(st, &q, &b, 0);
	ok(b.n == 10 && strcmp(b.id[0], a.id[0]) == 0,
	    "the next one starts from the first row again");

	q.limit = 4;
	q.offset = 2;
	list_ids(st, &q, &a, 0);
	is_int(a.n, 4, "limit 4 offset 2 (bound, not in the SQL)");
	q.limit = 0;
	q.offset = 9;
	list_ids(st, &q, &b, 0);
	is_int(b.n, 1, "offset 9 without limit: the 10th alone");

	/* A listing in a listing's callback, of the very same text. */
	memset(&q, 0, sizeof(q));
	q.owner_id = OWNER;
	memset(&a, 0, sizeof(a));
	a.st = st;
	a.inner = &q;
	is_int(patrol_store_pat_list(st, &q, collect_ids, &a, &err),
	    PATROL_OK, "a listing that lists in its callback");
	is_int(a.n, 10, "outer listing: all 10");
	is_int(a.inner_n, 100, "inner listings: 10 times 10");

	/* More shapes than the cache holds: results stay right. */
	for (i = 0; i < 40; i++) {
		memset(&q2, 0, sizeof(q2));
		snprintf(expr, sizeof(expr),
		    "lastUsed le 1970-01-01T00:00:05.%03dZ", i % 20);
		/* Distinct texts: vary the sorters and the owner. */
		q2.nsorters = 1;
		q2.sorters[0].key = (enum patrol_pat_sort_key)(i % 3);
		q2.sorters[0].desc = (i / 3) % 2;
		q2.owner_id = i % 4 < 2 ? NULL : OWNER;
		q2.include_managed = (i / 6) % 2;
		q2.limit = i % 5 == 0 ? 0 : 3;
		ok(patrol_filter_parse(expr, strlen(expr), &f, &err) ==
		    PATROL_OK && patrol_filter_bind(f,
		    &patrol_pat_filter_schema, &err) == PATROL_OK,
		    "filter %s", expr);
		q2.filter = f;
		list_ids(st, &q2, &a, 0);
		/* lastUsed le 5000+k matches k+1 PATs, half of them
		 * owner 1's when an owner is given. */
		{
			int k = i % 20, want = q2.owner_id == NULL ? k + 1 :
			    k / 2 + 1;

			if (q2.limit > 0 && want > 3)
				want = 3;
			is_int(a.n, want, "shape %d (%s): %d PATs", i, expr,
			    want);
		}
		patrol_filter_free(f);
		f = NULL;
	}
}

int
main(void)
{
	/* The scope column's text, and whether it is well formed. */
	static const struct {
		const char	*sql;	/* SQL literal, or NULL */
		int		 good;
	} rows[] = {
		{ NULL, 1 },
		{ "'[]'", 1 },
		{ "'[\"a\"]'", 1 },
		{ "'[\"sp:scopes:all\",\"idn:mfa-configuration:read\"]'", 1 },
		{ "'[\"\"]'", 1 },
		{ "'[\"a\",\"\"]'", 1 },
		{ "'[\"a\\\"b\"]'", 1 },		/* an escape: general path */
		{ "'[\"\\u0041\"]'", 1 },
		{ "'[ \"a\" ]'", 1 },		/* spaces: general path */
		{ "'[\"a\",]'", 0 },
		{ "'[\"a\"\"b\"]'", 0 },
		{ "'[\"a\",\"b]'", 0 },
		{ "'[a]'", 0 },
		{ "'[\"a\"'", 0 },
		{ "'[\"a\",'", 0 },
		{ "'x'", 0 },
		{ "'[\"a\" ,\"b\"]'", 1 },
		{ "'[\"\\u0000\"]'", 0 },		/* NUL in a scope */
		{ "'[\"a\"]x'", 0 },
		{ "'[1]'", 0 },
		{ "''", 0 },
		{ "CAST(x'5B2261FF225D' AS TEXT)", 0 },	/* ["a\\xff"] */
	};
	char			 dir[] = "/tmp/t_rows.XXXXXX", path[256];
	char			 sql[512];
	struct patrol_conf	*conf = NULL;
	struct patrol_store	*st = NULL;
	struct patrol_error	 err;
	struct patrol_pat_query	 q;
	struct patrol_pat	 got;
	struct seen		 seen;
	sqlite3			*db = NULL;
	FILE			*f;
	size_t			 i, k;
	enum patrol_err		 lrc, grc;
	int			 same;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/patrol.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fputs("database = { path = \"patrol.db\"; };\n", f);
	fclose(f);
	if (patrol_conf_load(path, &conf, &err) != PATROL_OK ||
	    patrol_store_open(conf, 1, &st, &err) != PATROL_OK) {
		printf("Bail out! %s\n", err.text);
		return 1;
	}
	if (sqlite3_open(conf->db_path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "INSERT INTO identity VALUES ('" OWNER "', "
	    "'Owner', '[]')", NULL, NULL, NULL) != SQLITE_OK) {
		printf("Bail out! %s\n", sqlite3_errmsg(db));
		return 1;
	}
	memset(&q, 0, sizeof(q));
	q.include_managed = 1;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *lit = rows[i].sql != NULL ? rows[i].sql : "NULL";

		snprintf(sql, sizeof(sql), "DELETE FROM pat; INSERT INTO pat "
		    "(id, name, scope, owner_id, created, last_used, managed, "
		    "secret_hash, expires, validity) VALUES ('" PAT "', "
		    "'name %zu', %s, '" OWNER "', 1, NULL, 0, '%064d', NULL, "
		    "43200)", i, lit, 0);
		if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
			ok(0, "row %zu (%s) written: %s", i, lit,
			    sqlite3_errmsg(db));
			continue;
		}
		memset(&seen, 0, sizeof(seen));
		lrc = patrol_store_pat_list(st, &q, collect, &seen, &err);
		grc = patrol_store_pat_get(st, PAT, &got, &err);
		if (rows[i].good) {
			is_int(lrc, PATROL_OK, "scope %s: listed", lit);
			is_int(grc, PATROL_OK, "scope %s: read", lit);
			same = lrc == PATROL_OK && grc == PATROL_OK &&
			    seen.calls == 1 &&
			    seen.scope_null == got.scope_null &&
			    seen.nscope == got.nscope;
			for (k = 0; same && k < got.nscope; k++)
				same = strcmp(seen.scope[k], got.scope[k]) == 0;
			ok(same, "scope %s: the listing reads it as get does",
			    lit);
			snprintf(sql, sizeof(sql), "name %zu", i);
			is_str(seen.name, sql, "scope %s: name borrowed", lit);
		} else {
			is_int(lrc, PATROL_ERR_STORE, "scope %s: listing "
			    "refuses the row", lit);
			is_int(grc, PATROL_ERR_STORE, "scope %s: get refuses it",
			    lit);
			is_int(seen.calls, 0, "scope %s: nothing listed", lit);
		}
		patrol_pat_clear(&got);
	}
	test_cache(st, db);
	sqlite3_close(db);
	patrol_store_close(st);
	snprintf(sql, sizeof(sql), "rm -rf '%s'", dir);
	if (system(sql) != 0)
		tap_diag("could not remove %s", dir);
	patrol_conf_free(conf);
	return done_testing();
}
