/*
 * t_plan.c: the query plans of PAT listings in the SQLite store. Every
 * listing walks an index in the order it returns, testing its filter row
 * by row: no full scan of the table, and no temporary b-tree sorting all
 * of it (which holds the first row back until every match is found and
 * spills to disk). The plans are asserted on a fresh database (no
 * statistics), after ANALYZE, and with statistics that draw SQLite
 * towards the lastUsed index: the store makes the choice explicit, so
 * none of them matter.
 *
 * The statement text comes from store_list_sql (store_int.h), the plan
 * from EXPLAIN QUERY PLAN on a connection of the test's own.
 */
#include "config.h"

#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "patrol.h"
#include "store_int.h"
#include "tap.h"

static char tmpdir[] = "/tmp/t_plan.XXXXXX";

#define ALICE	"a0000000000000000000000000000001"
#define NPATS	300
#define HASH	"00112233445566778899aabbccddeeff" \
		"00112233445566778899aabbccddeeff"

/* A lastUsed in the middle of the PATs' (see fill). */
#define MID	"\"1970-01-01T00:02:30Z\""

enum temp {
	NO_SORT,	/* no temporary b-tree */
	SORT_ALL,	/* "USE TEMP B-TREE FOR ORDER BY": the owner's PATs */
	SORT_RIGHT	/* "... FOR RIGHT PART OF ORDER BY": ties of key 1 */
};

static const struct {
	const char	*what;
	int		 owner;		/* Alice's PATs only */
	int		 managed;	/* include_managed */
	const char	*filter;	/* NULL: none */
	int		 admin;		/* filter of the admin schema */
	const char	*sorters;	/* NULL: none */
	int64_t		 limit, offset;
	const char	*want;		/* the plan's step over p */
	enum temp	 temp;
} cases[] = {
	{ "lastUsed le, unmanaged", 0, 0, "lastUsed le " MID, 0, NULL, 0, 0,
	  "SCAN p USING INDEX pat_created", NO_SORT },
	{ "lastUsed le, managed too", 0, 1, "lastUsed le " MID, 0, NULL, 0, 0,
	  "SCAN p USING INDEX pat_created", NO_SORT },
	{ "lastUsed le, a page", 0, 0, "lastUsed le " MID, 0, NULL, 250, 500,
	  "SCAN p USING INDEX pat_created", NO_SORT },
	{ "lastUsed isnull", 0, 0, "lastUsed isnull", 0, NULL, 0, 0,
	  "SCAN p USING INDEX pat_created", NO_SORT },
	{ "created", 0, 0, NULL, 0, "created", 250, 0,
	  "SCAN p USING INDEX pat_created", NO_SORT },
	{ "-created", 0, 0, NULL, 0, "-created", 250, 1000,
	  "SCAN p USING INDEX pat_created", NO_SORT },
	{ "name", 0, 0, NULL, 0, "name", 250, 0,
	  "SCAN p USING INDEX pat_name", NO_SORT },
	{ "-name", 0, 1, NULL, 0, "-name", 250, 500,
	  "SCAN p USING INDEX pat_name", NO_SORT },
	{ "lastUsed", 0, 0, NULL, 0, "lastUsed", 250, 0,
	  "SCAN p USING INDEX pat_last_used", NO_SORT },
	{ "-lastUsed", 0, 0, NULL, 0, "-lastUsed", 250, 250,
	  "SCAN p USING INDEX pat_last_used", NO_SORT },
	{ "name without a limit", 0, 0, NULL, 0, "name", 0, 0,
	  "SCAN p USING INDEX pat_name", NO_SORT },
	{ "lastUsed le, sorted by name", 0, 0, "lastUsed le " MID, 0, "name",
	  250, 0, "SCAN p USING INDEX pat_name", NO_SORT },
	{ "lastUsed le, sorted by -created", 0, 0, "lastUsed le " MID, 0,
	  "-created", 250, 0, "SCAN p USING INDEX pat_created", NO_SORT },
	/* On its own key the filter is a range of the index walked. */
	{ "lastUsed le, sorted by lastUsed", 0, 0, "lastUsed le " MID, 0,
	  "lastUsed", 250, 0, "SEARCH p USING INDEX pat_last_used "
	  "(last_used>? AND last_used<?)", NO_SORT },
	{ "lastUsed le, sorted by -lastUsed", 0, 1, "lastUsed le " MID, 0,
	  "-lastUsed", 0, 0, "SEARCH p USING INDEX pat_last_used "
	  "(last_used>? AND last_used<?)", NO_SORT },
	{ "admin filter, sorted by name", 0, 1, "owner.name eq \"alice\" and "
	  "lastUsed le " MID, 1, "name", 250, 0,
	  "SCAN p USING INDEX pat_name", NO_SORT },
	{ "admin expirationDate filter", 0, 1, "expirationDate pr", 1,
	  "-lastUsed", 250, 0, "SCAN p USING INDEX pat_last_used", NO_SORT },
	/* A second key sorts only the ties of the first. */
	{ "name,-created", 0, 0, NULL, 0, "name,-created", 250, 0,
	  "SCAN p USING INDEX pat_name", SORT_RIGHT },
	{ "-lastUsed,name", 0, 0, "lastUsed le " MID, 0, "-lastUsed,name", 250,
	  0, "SEARCH p USING INDEX pat_last_used (last_used>? AND "
	  "last_used<?)", SORT_RIGHT },
	/* One owner: that owner's PATs, sorted when the key is not the
	 * creation. */
	{ "owner", 1, 0, NULL, 0, NULL, 0, 0,
	  "SEARCH p USING INDEX pat_owner_created (owner_id=?)", NO_SORT },
	{ "owner, -created", 1, 0, NULL, 0, "-created", 250, 0,
	  "SEARCH p USING INDEX pat_owner_created (owner_id=?)", NO_SORT },
	{ "owner, lastUsed le", 1, 0, "lastUsed le " MID, 0, NULL, 250, 0,
	  "SEARCH p USING INDEX pat_owner_created (owner_id=?)", NO_SORT },
	{ "owner, name", 1, 1, NULL, 0, "name", 250, 0,
	  "SEARCH p USING INDEX pat_owner_created (owner_id=?)", SORT_ALL },
	{ "owner, lastUsed le, -lastUsed", 1, 0, "lastUsed le " MID, 0,
	  "-lastUsed", 250, 0,
	  "SEARCH p USING INDEX pat_owner_created (owner_id=?)", SORT_ALL },
};

static int
rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
bail(const char *what, const char *text)
{
	printf("Bail out! %s: %s\n", what, text);
	exit(99);
}

/* NPATS PATs of three owners: created in order, a lastUsed from 0 to
 * NPATS - 1 seconds, null for every tenth. */
static void
fill(struct patrol_store *st)
{
	static const char *const owners[] = { ALICE,
	    "b0000000000000000000000000000002",
	    "c0000000000000000000000000000003" };
	struct patrol_identity	 id;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	char			 name[32];
	size_t			 i;

	memset(&id, 0, sizeof(id));
	for (i = 0; i < 3; i++) {
		snprintf(id.id, sizeof(id.id), "%s", owners[i]);
		id.name = i == 0 ? "Alice" : "Someone";
		if (patrol_store_identity_add(st, &id, &err) != PATROL_OK)
			bail("identity", err.text);
	}
	for (i = 0; i < NPATS; i++) {
		memset(&p, 0, sizeof(p));
		snprintf(p.id, sizeof(p.id), "%032zx", i * 7919 % 100003);
		snprintf(p.owner_id, sizeof(p.owner_id), "%s", owners[i % 3]);
		snprintf(name, sizeof(name), "PAT %zu", (i * 37) % NPATS);
		p.name = name;
		p.scope_null = 1;
		p.created = (int64_t)i * 1000;
		p.last_used = i % 10 == 0 ? -1 : (int64_t)((i * 53) % NPATS) *
		    1000;
		p.managed = i % 7 == 0;
		p.expires = i % 2 ? -1 : (int64_t)i * 5000;
		p.validity = PATROL_VALIDITY_DEFAULT;
		snprintf(p.secret_hash, sizeof(p.secret_hash), HASH);
		if (patrol_store_pat_add(st, &p, 0, &err) != PATROL_OK)
			bail("PAT", err.text);
	}
}

/* The EXPLAIN QUERY PLAN of sql on db, its steps joined by "; " into buf;
 * -1 when the statement does not prepare. */
static int
plan(sqlite3 *db, const char *sql, char *buf, size_t sz)
{
	sqlite3_stmt	*st = NULL;
	char		*q;
	size_t		 len = 0;
	int		 ret = 0;

	buf[0] = '\0';
	if ((q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql)) == NULL ||
	    sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
		snprintf(buf, sz, "%s", sqlite3_errmsg(db));
		ret = -1;
	} else
		while (sqlite3_step(st) == SQLITE_ROW && len < sz)
			len += (size_t)snprintf(buf + len, sz - len, "%s%s",
			    len > 0 ? "; " : "",
			    (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	sqlite3_free(q);
	return ret;
}

/* The query of case i; *f is its filter (free it). */
static void
query(size_t i, struct patrol_pat_query *q, struct patrol_filter **f)
{
	const struct patrol_filter_schema *fs;
	struct patrol_error	 err;

	memset(q, 0, sizeof(*q));
	*f = NULL;
	q->owner_id = cases[i].owner ? ALICE : NULL;
	q->include_managed = cases[i].managed;
	fs = cases[i].admin ? &patrol_pat_admin_filter_schema :
	    &patrol_pat_filter_schema;
	q->schema = fs;
	if (cases[i].filter != NULL &&
	    (patrol_filter_parse(cases[i].filter, strlen(cases[i].filter), f,
	    &err) != PATROL_OK || patrol_filter_bind(*f, fs, &err) !=
	    PATROL_OK))
		bail(cases[i].filter, err.text);
	q->filter = *f;
	if (cases[i].sorters != NULL &&
	    patrol_pat_sorters_parse(cases[i].sorters,
	    strlen(cases[i].sorters), q, &err) != PATROL_OK)
		bail(cases[i].sorters, err.text);
	q->limit = cases[i].limit;
	q->offset = cases[i].offset;
}

/* Asserts every case's plan on db, under the statistics named stats. */
static void
check_plans(struct patrol_store *st, sqlite3 *db, const char *stats)
{
	struct patrol_pat_query	 q;
	struct patrol_filter	*f;
	struct patrol_error	 err;
	char			*sql, p[1024];
	const char		*sort;
	size_t			 i;
	int			 good;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		query(i, &q, &f);
		if (store_list_sql(st, &q, 0, &sql, &err) != PATROL_OK)
			bail("store_list_sql", err.text);
		if (plan(db, sql, p, sizeof(p)) == -1) {
			ok(0, "%s, %s: the statement prepares (%s)",
			    cases[i].what, stats, p);
			goto next;
		}
		/* At most one sort, of the kind expected. */
		sort = strstr(p, "TEMP B-TREE");
		good = sort == NULL || strstr(sort + 1, "TEMP B-TREE") == NULL;
		switch (cases[i].temp) {
		case NO_SORT:
			good = sort == NULL;
			break;
		case SORT_ALL:
			good = good && strstr(p,
			    "USE TEMP B-TREE FOR ORDER BY") != NULL;
			break;
		default:
			good = good && strstr(p, "USE TEMP B-TREE FOR RIGHT "
			    "PART OF ORDER BY") != NULL;
			break;
		}
		/* The identity of each row by its key, never a scan. */
		if (!ok(strstr(p, cases[i].want) != NULL && good &&
		    strstr(p, "SCAN i") == NULL &&
		    strstr(p, "SEARCH i USING INDEX "
		    "sqlite_autoindex_identity_1 (id=?)") != NULL,
		    "%s, %s: %s%s", cases[i].what, stats, cases[i].want,
		    cases[i].temp == NO_SORT ? ", no sort" :
		    cases[i].temp == SORT_ALL ? ", the owner's sorted" :
		    ", ties sorted")) {
			tap_diag("plan: %s", p);
			tap_diag("SQL: %s", sql);
		}
next:
		free(sql);
		patrol_filter_free(f);
	}
}

/*
 * The control: the first case's statement without its INDEXED BY. SQLite
 * then takes the filter's range from pat_last_used and sorts: what the
 * store's choice prevents, so the plans above are not SQLite's own.
 */
static void
check_control(struct patrol_store *st, sqlite3 *db, const char *stats)
{
	struct patrol_pat_query	 q;
	struct patrol_filter	*f;
	struct patrol_error	 err;
	char			*sql, *hint, p[1024];

	query(0, &q, &f);
	if (store_list_sql(st, &q, 0, &sql, &err) != PATROL_OK)
		bail("store_list_sql", err.text);
	if ((hint = strstr(sql, " INDEXED BY pat_created")) != NULL)
		memmove(hint, hint + strlen(" INDEXED BY pat_created"),
		    strlen(hint + strlen(" INDEXED BY pat_created")) + 1);
	ok(hint != NULL, "%s: the listing names its index", stats);
	plan(db, sql, p, sizeof(p));
	if (!ok(strstr(p, "USING INDEX pat_last_used") != NULL &&
	    strstr(p, "USE TEMP B-TREE FOR ORDER BY") != NULL,
	    "%s: left to itself, SQLite would walk pat_last_used and sort",
	    stats))
		tap_diag("plan: %s", p);
	free(sql);
	patrol_filter_free(f);
}

static sqlite3 *
db_open(const char *path)
{
	sqlite3	*db;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK)
		bail(path, sqlite3_errmsg(db));
	return db;
}

static void
db_exec(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		bail(sql, sqlite3_errmsg(db));
}

int
main(void)
{
	struct patrol_conf	 c;
	static char		 backend[] = "sqlite";
	struct patrol_store	*st = NULL;
	struct patrol_pat_query	 q;
	struct patrol_error	 err;
	char			 path[PATH_MAX], *sql;
	sqlite3			*db;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	snprintf(path, sizeof(path), "%s/plan.db", tmpdir);
	memset(&c, 0, sizeof(c));
	c.db_backend = backend;
	c.db_path = path;
	c.db_busy_timeout_ms = 1000;
	if (patrol_store_open(&c, 1, &st, &err) != PATROL_OK)
		bail(path, err.text);
	fill(st);

	db = db_open(path);
	check_plans(st, db, "no statistics");
	check_control(st, db, "no statistics");

	db_exec(db, "ANALYZE");
	check_plans(st, db, "after ANALYZE");

	/* Statistics claiming a million PATs, each lastUsed unique, every
	 * PAT of one owner and few distinct creation times and names. */
	db_exec(db, "DELETE FROM sqlite_stat1;"
	    "INSERT INTO sqlite_stat1 VALUES"
	    " ('pat', 'pat_last_used', '1000000 1 1'),"
	    " ('pat', 'pat_created', '1000000 500000 1'),"
	    " ('pat', 'pat_name', '1000000 500000 1'),"
	    " ('pat', 'pat_owner_created', '1000000 1000000 500000 1'),"
	    " ('pat', 'sqlite_autoindex_pat_2', '1000000 1000000 1'),"
	    " ('pat', 'sqlite_autoindex_pat_1', '1000000 1');");
	sqlite3_close(db);
	db = db_open(path);
	check_plans(st, db, "skewed statistics");
	check_control(st, db, "skewed statistics");
	sqlite3_close(db);

	/* The count has no order to keep: no index named. */
	memset(&q, 0, sizeof(q));
	if (store_list_sql(st, &q, 1, &sql, &err) != PATROL_OK)
		bail("store_list_sql", err.text);
	ok(strstr(sql, "INDEXED BY") == NULL && strstr(sql, "ORDER BY") ==
	    NULL && strstr(sql, "LIMIT") == NULL, "a count: %s", sql);
	free(sql);
	q.limit = -1;
	sql = (char *)&q;
	is_int(store_list_sql(st, &q, 0, &sql, &err), PATROL_ERR_INVALID,
	    "a bad query: INVALID");
	ok(sql == NULL, "a bad query: no SQL");

	patrol_store_close(st);
	nftw(tmpdir, rm, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
