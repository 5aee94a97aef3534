/*
 * bench/listsql.c: the SQL statement that GET /beta/personal-access-tokens
 * runs for a query, and its parameters, for bench/bench.sh to time the same
 * statement in the sqlite3 shell.
 *
 * usage: listsql --config FILE [--owner ID] [--no-managed] [--filters EXPR]
 *            [--sorters LIST] [--limit N] [--offset N] [--count]
 *
 * Builds the store query the way lib/h_pat.c does for those parameters
 * (without --owner: every owner, as for a caller with
 * idn:all-personal-access-tokens:read; managed PATs included unless
 * --no-managed; the filter bound to the API's schema) and asks the store of
 * FILE's database for its text through store_list_sql (lib/store_int.h):
 * the one the listing prepares, not a copy. Prints the statement on the
 * first line, then one line per `?` parameter, in order, as an SQL literal
 * (integers, quoted strings, NULL), bound as lib/store_sqlite.c binds them
 * (a datetime as ms since the epoch, no limit as -1). For the shell:
 *   sqlite3 -json -cmd '.parameter set ?1 VALUE' ... FILE 'STATEMENT'
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "store_int.h"

static void
usage(void)
{
	fprintf(stderr, "usage: listsql --config FILE [--owner ID] "
	    "[--no-managed] [--filters EXPR] [--sorters LIST] [--limit N] "
	    "[--offset N] [--count]\n");
	exit(2);
}

static int64_t
number(const char *what, const char *s)
{
	char		*end;
	long long	 v;

	v = strtoll(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || v < 0) {
		fprintf(stderr, "listsql: %s: not a whole number: %s\n", what,
		    s);
		exit(2);
	}
	return v;
}

static void
fail(const char *what, const struct patrol_error *err)
{
	fprintf(stderr, "listsql: %s: %s\n", what, err->text);
	exit(1);
}

/* One parameter as an SQL literal on its own line. */
static void
print_value(const struct patrol_value *v)
{
	size_t	 i;

	switch (v->type) {
	case PATROL_VAL_NULL:
		printf("NULL\n");
		break;
	case PATROL_VAL_STRING:
		putchar('\'');
		for (i = 0; i < v->u.str.len; i++) {
			if (v->u.str.s[i] == '\'')
				putchar('\'');
			putchar(v->u.str.s[i]);
		}
		printf("'\n");
		break;
	case PATROL_VAL_NUMBER:
		printf("%.17g\n", v->u.num);
		break;
	case PATROL_VAL_BOOL:
		printf("%d\n", v->u.b != 0);
		break;
	case PATROL_VAL_DATETIME:
		printf("%" PRId64 "\n", v->u.ms);
		break;
	default:
		fprintf(stderr, "listsql: a parameter of unexpected type\n");
		exit(1);
	}
}

int
main(int argc, char *argv[])
{
	struct patrol_conf	*conf = NULL;
	struct patrol_store	*st = NULL;
	struct patrol_filter	*f = NULL;
	struct patrol_pat_query	 q;
	struct patrol_sql	 fsql;
	struct patrol_error	 err = { 0 };
	const char		*config = NULL, *filters = NULL;
	const char		*sorters = NULL, **cols;
	char			*sql;
	int			 a, count = 0;
	size_t			 i;

	memset(&q, 0, sizeof(q));
	memset(&fsql, 0, sizeof(fsql));
	q.include_managed = 1;
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--no-managed") == 0)
			q.include_managed = 0;
		else if (strcmp(argv[a], "--count") == 0)
			count = 1;
		else if (a + 1 >= argc)
			usage();
		else if (strcmp(argv[a], "--config") == 0)
			config = argv[++a];
		else if (strcmp(argv[a], "--owner") == 0)
			q.owner_id = argv[++a];
		else if (strcmp(argv[a], "--filters") == 0)
			filters = argv[++a];
		else if (strcmp(argv[a], "--sorters") == 0)
			sorters = argv[++a];
		else if (strcmp(argv[a], "--limit") == 0)
			q.limit = number("--limit", argv[++a]);
		else if (strcmp(argv[a], "--offset") == 0)
			q.offset = number("--offset", argv[++a]);
		else
			usage();
	}
	if (config == NULL)
		usage();
	if (patrol_conf_load(config, &conf, &err) != PATROL_OK)
		fail(config, &err);
	if (patrol_store_open(conf, 0, &st, &err) != PATROL_OK)
		fail("opening the store", &err);
	if (filters != NULL && (patrol_filter_parse(filters, strlen(filters),
	    &f, &err) != PATROL_OK || patrol_filter_bind(f,
	    &patrol_pat_filter_schema, &err) != PATROL_OK))
		fail("--filters", &err);
	q.filter = f;
	if (sorters != NULL && patrol_pat_sorters_parse(sorters,
	    strlen(sorters), &q, &err) != PATROL_OK)
		fail("--sorters", &err);
	if (store_list_sql(st, &q, count, &sql, &err) != PATROL_OK)
		fail("store_list_sql", &err);
	printf("%s\n", sql);
	free(sql);

	/* The parameters, in the order lib/store_sqlite.c binds them: the
	 * owner, the filter's (whatever the column texts), LIMIT, OFFSET. */
	if (q.owner_id != NULL)
		printf("'%s'\n", q.owner_id);
	if (f != NULL) {
		if ((cols = calloc(patrol_pat_filter_schema.nfields,
		    sizeof(*cols))) == NULL) {
			perror("listsql");
			return 1;
		}
		for (i = 0; i < patrol_pat_filter_schema.nfields; i++)
			cols[i] = "x";
		if (patrol_filter_sql(f, &patrol_pat_filter_schema, cols,
		    PATROL_SQL_QMARK, 1, &fsql, &err) != PATROL_OK)
			fail("compiling the filter", &err);
		for (i = 0; i < fsql.nparams; i++)
			print_value(&fsql.params[i]);
		patrol_sql_clear(&fsql);
		free(cols);
	}
	if (!count && (q.limit > 0 || q.offset > 0))
		printf("%" PRId64 "\n%" PRId64 "\n", q.limit > 0 ? q.limit :
		    (int64_t)-1, q.offset);
	patrol_filter_free(f);
	patrol_store_close(st);
	patrol_conf_free(conf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("listsql: stdout");
		return 1;
	}
	return 0;
}
