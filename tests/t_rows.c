/*
 * t_rows.c: a listing reads its rows without copying them (the SQLite
 * store borrows the row's text and splits the common scope form in place).
 * Whatever a row's scope text is, the listing must read it as the general
 * path (patrol_store_pat_get, which decodes with jansson) does, or fail as
 * it does: rows are written here with raw SQL, bypassing the store's checks.
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
	sqlite3_close(db);
	patrol_store_close(st);
	snprintf(sql, sizeof(sql), "rm -rf '%s'", dir);
	if (system(sql) != 0)
		tap_diag("could not remove %s", dir);
	patrol_conf_free(conf);
	return done_testing();
}
