/*
 * ctl_pat_list.c: patrolctl pat list: every PAT or an owner's, managed ones
 * included, filtered over every field (patrol-filters(7)), sorted and paged;
 * the filter, order and page are all the store's query (SQL), so a listing
 * of a million PATs streams. A table on stdout, or a JSON array streamed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "ctl.h"

#define NCOLS 8

static const char *const columns[NCOLS] = {
	"ID", "NAME", "OWNER", "CREATED", "LAST USED", "EXPIRES", "MANAGED",
	"SCOPE"
};

struct row {
	char	*cell[NCOLS];
};

/* State of a listing across the store's callbacks. */
struct listing {
	int		 json;
	size_t		 count;		/* PATs shown */
	struct row	*rows;		/* the table, printed at the end */
	size_t		 nrows, maxrows;
	enum patrol_err	 rc;		/* why it stopped */
};

static int
row_add(struct listing *l, const struct patrol_pat *pat)
{
	struct row	*r;
	char		 buf[PATROL_TIME_BUFSZ];
	size_t		 i, n;

	if (l->nrows == l->maxrows) {
		n = l->maxrows == 0 ? 64 : l->maxrows * 2;
		if ((r = reallocarray(l->rows, n, sizeof(*r))) == NULL)
			return -1;
		l->rows = r;
		l->maxrows = n;
	}
	r = &l->rows[l->nrows++];
	memset(r, 0, sizeof(*r));
	r->cell[0] = strdup(pat->id);
	r->cell[1] = strdup(pat->name != NULL ? pat->name : "");
	r->cell[2] = strdup(pat->owner_name != NULL ? pat->owner_name :
	    pat->owner_id);
	r->cell[3] = strdup(fmt_time(pat->created, buf));
	r->cell[4] = strdup(fmt_time(pat->last_used, buf));
	r->cell[5] = strdup(pat->expires < 0 ? "never" :
	    fmt_time(pat->expires, buf));
	r->cell[6] = strdup(pat->managed ? "true" : "false");
	r->cell[7] = fmt_scope(pat);
	for (i = 0; i < NCOLS; i++)
		if (r->cell[i] == NULL)
			return -1;
	return 0;
}

static void
rows_print(const struct listing *l)
{
	size_t	 w[NCOLS], i, j, k, cw;

	for (i = 0; i < NCOLS; i++) {
		w[i] = utf8_width(columns[i]);
		for (j = 0; j < l->nrows; j++)
			if ((cw = utf8_width(l->rows[j].cell[i])) > w[i])
				w[i] = cw;
	}
	for (j = 0; j <= l->nrows; j++)
		for (i = 0; i < NCOLS; i++) {
			const char *s = j == 0 ? columns[i] :
			    l->rows[j - 1].cell[i];

			fputs(s, stdout);
			if (i == NCOLS - 1) {
				putchar('\n');
				continue;
			}
			for (k = utf8_width(s); k < w[i] + 2; k++)
				putchar(' ');
		}
}

static void
rows_free(struct listing *l)
{
	size_t	 i, j;

	for (j = 0; j < l->nrows; j++)
		for (i = 0; i < NCOLS; i++)
			free(l->rows[j].cell[i]);
	free(l->rows);
}

static int
list_cb(void *arg, const struct patrol_pat *pat)
{
	struct listing	*l = arg;
	json_t		*j;
	int		 rc;

	if (!l->json) {
		if (row_add(l, pat) == -1) {
			l->rc = PATROL_ERR_NOMEM;
			return 1;
		}
		l->count++;
		return 0;
	}
	if ((j = patrol_pat_to_json(pat)) == NULL) {
		l->rc = PATROL_ERR_NOMEM;
		return 1;
	}
	fputs(l->count == 0 ? "[\n" : ",\n", stdout);
	rc = json_dumpf(j, stdout, JSON_COMPACT);
	json_decref(j);
	if (rc == -1 || ferror(stdout)) {
		l->rc = PATROL_ERR_IO;
		return 1;
	}
	l->count++;
	return 0;
}

int
pat_query(struct ctx *x, const struct cmd *c, const struct args *a,
    struct patrol_pat_query *q, struct patrol_filter **filter)
{
	struct patrol_error	 err = { 0 };
	struct patrol_identity	 ident;
	const char		*owner = opt_get(c, a, "owner");
	const char		*expr = opt_get(c, a, "filters");
	const char		*s;
	long long		 n;
	enum patrol_err		 rc;

	memset(q, 0, sizeof(*q));
	*filter = NULL;
	q->include_managed = 1;
	q->schema = &patrol_pat_admin_filter_schema;
	if (owner != NULL && check_id(c, "--owner", owner) == -1)
		return -1;
	q->owner_id = owner;
	if (expr != NULL && (patrol_filter_parse(expr, strlen(expr), filter,
	    &err) != PATROL_OK || patrol_filter_bind(*filter,
	    &patrol_pat_admin_filter_schema, &err) != PATROL_OK)) {
		filter_error(c, expr, &err);
		return -1;
	}
	q->filter = *filter;
	if ((s = opt_get(c, a, "sort")) != NULL &&
	    patrol_pat_sorters_parse(s, strlen(s), q, &err) != PATROL_OK) {
		msg("%s: --sort: %s", c->name, err.text);
		return -1;
	}
	if ((s = opt_get(c, a, "limit")) != NULL) {
		if (parse_count(c, "--limit", s, INT64_MAX / 2, &n) == -1)
			return -1;
		if (n == 0) {
			msg("%s: --limit: must be at least 1", c->name);
			return -1;
		}
		q->limit = n;
	}
	if ((s = opt_get(c, a, "offset")) != NULL) {
		if (parse_count(c, "--offset", s, INT64_MAX / 2, &n) == -1)
			return -1;
		q->offset = n;
	}
	if (ctx_open(x, c, 1) == -1)
		return -1;
	if (owner != NULL) {
		memset(&ident, 0, sizeof(ident));
		rc = patrol_store_identity_get(x->st, owner, &ident, &err);
		patrol_identity_clear(&ident);
		if (rc == PATROL_ERR_NOTFOUND) {
			msg("%s: owner %s does not exist", c->name, owner);
			return -1;
		} else if (rc != PATROL_OK) {
			lib_error(c, &err);
			return -1;
		}
	}
	return 0;
}

int
cmd_pat_list(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_pat_query	 q;
	struct patrol_filter	*filter = NULL;
	struct listing		 l;
	int			 ret = EXIT_FAILURE;

	memset(&l, 0, sizeof(l));
	l.json = opt_get(c, a, "json") != NULL;
	if (pat_query(x, c, a, &q, &filter) == -1)
		goto out;
	if (patrol_store_pat_list(x->st, &q, list_cb, &l, &err) !=
	    PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	if (l.rc != PATROL_OK) {
		msg("%s: %s", c->name, l.rc == PATROL_ERR_IO ?
		    "writing the output failed" : patrol_strerror(l.rc));
		goto out;
	}
	if (l.json)
		fputs(l.count == 0 ? "[]\n" : "\n]\n", stdout);
	else
		rows_print(&l);
	ret = EXIT_SUCCESS;
out:
	rows_free(&l);
	patrol_filter_free(filter);
	return ret;
}
