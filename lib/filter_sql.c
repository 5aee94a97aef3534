/*
 * filter_sql.c: compiles a bound filter to an SQL WHERE fragment with the
 * truth table of filter_eval.c, for SQLite and PostgreSQL.
 *
 * No literal is ever written into the SQL text: each becomes a parameter
 * (a placeholder plus a copy in sql->params). Every fragment evaluates to
 * true or false, never to NULL, so NOT works as in the evaluator:
 *  - a comparison on a nullable column is guarded,
 *    "(col IS NOT NULL AND col <= ?)", and ne is
 *    "(col IS NULL OR col <> ?)";
 *    a column of a field the schema declares not nullable must be NOT NULL;
 *  - strings compare folded to ASCII lowercase: the parameter is folded
 *    here, the column with lower(col) in SQLite, whose lower() folds only
 *    ASCII and whose BINARY collation compares bytes. PostgreSQL's lower()
 *    folds every letter and its default collation is not bytewise, so the
 *    DOLLAR style (PostgreSQL) folds with translate() and compares with
 *    COLLATE "C";
 *  - co and sw use LIKE with '\' as the escape character and a pattern
 *    built here, in which %, _ and \ of the literal are escaped;
 *  - DATETIME parameters are milliseconds (columns store ms integers),
 *    BOOL parameters are 0 or 1 and NUMBER parameters doubles.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "filter_int.h"

#define PG_FOLD_FMT	"translate(%s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', " \
			"'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\""

enum like {
	LIKE_NONE,	/* the literal as it is (strings folded) */
	LIKE_CO,	/* %literal% */
	LIKE_SW		/* literal% */
};

struct sqlc {
	struct pbuf				 b;
	struct patrol_value			*params;	/* new */
	size_t					 nparams;
	const struct patrol_filter_schema	*schema;
	const char *const			*columns;
	enum patrol_sql_style			 style;
	size_t					 first;
	struct patrol_error			*err;
};

static enum patrol_err
nomem(struct sqlc *c)
{
	return patrol_error_set(c->err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory");
}

/* Copies the string literal v, folded to lowercase and made a LIKE
 * pattern as `like` says, into *out. -1 on ENOMEM. */
static int
str_param(const struct patrol_value *v, enum like like,
    struct patrol_value *out)
{
	struct pbuf	 b = { 0 };
	size_t		 i;
	char		 ch;

	if (like == LIKE_CO)
		pbuf_addc(&b, '%');
	for (i = 0; i < v->u.str.len; i++) {
		ch = (char)filter_lower((unsigned char)v->u.str.s[i]);
		if (like != LIKE_NONE && (ch == '%' || ch == '_' || ch == '\\'))
			pbuf_addc(&b, '\\');
		pbuf_addc(&b, ch);
	}
	if (like != LIKE_NONE)
		pbuf_addc(&b, '%');
	/* An empty string still needs a buffer. */
	pbuf_add(&b, "", 0);
	if (b.oom) {
		pbuf_free(&b);
		return -1;
	}
	out->type = PATROL_VAL_STRING;
	out->u.str.len = b.len;
	out->u.str.s = pbuf_take(&b);
	return 0;
}

/* Appends a placeholder and a copy of the scalar literal v to the
 * parameters. */
static enum patrol_err
param(struct sqlc *c, const struct patrol_value *v, enum like like)
{
	struct patrol_value	*np, nv;

	memset(&nv, 0, sizeof(nv));
	if (v->type == PATROL_VAL_STRING) {
		if (str_param(v, like, &nv) == -1)
			return nomem(c);
	} else
		nv = *v;
	np = reallocarray(c->params, c->nparams + 1, sizeof(*np));
	if (np == NULL) {
		patrol_value_clear(&nv);
		return nomem(c);
	}
	c->params = np;
	c->params[c->nparams++] = nv;
	if (c->style == PATROL_SQL_DOLLAR)
		pbuf_printf(&c->b, "$%zu", c->first + c->nparams - 1);
	else
		pbuf_addc(&c->b, '?');
	return c->b.oom ? nomem(c) : PATROL_OK;
}

/* The SQL operators of the ordering comparisons. */
static const char *const sqlops[PATROL_FOP__MAX] = {
	[PATROL_FOP_EQ] = " = ",
	[PATROL_FOP_NE] = " <> ",
	[PATROL_FOP_GT] = " > ",
	[PATROL_FOP_GE] = " >= ",
	[PATROL_FOP_LT] = " < ",
	[PATROL_FOP_LE] = " <= ",
};

/* Appends the column of f, folded when it holds strings. */
static void
column(struct sqlc *c, const struct patrol_filter *f, const char *col)
{
	if (f->fld->type != PATROL_FIELD_STRING)
		pbuf_adds(&c->b, col);
	else if (c->style == PATROL_SQL_DOLLAR)
		pbuf_printf(&c->b, PG_FOLD_FMT, col);
	else
		pbuf_printf(&c->b, "lower(%s)", col);
}

static enum patrol_err
emit_cmp(struct sqlc *c, const struct patrol_filter *f)
{
	const struct patrol_value	*lit = &f->lit;
	const char			*col;
	enum patrol_err			 rc = PATROL_OK;
	size_t				 i;
	int				 guard;

	if (f->fld == NULL)
		return patrol_error_set(c->err, PATROL_ERR_INVALID, f->pos,
		    "the filter is not bound to a schema");
	if (f->fidx >= c->schema->nfields ||
	    &c->schema->fields[f->fidx] != f->fld)
		return patrol_error_set(c->err, PATROL_ERR_INVALID, f->pos,
		    "the filter was bound to another schema");
	if ((col = c->columns[f->fidx]) == NULL)
		return patrol_error_set(c->err, PATROL_ERR_INVALID, f->pos,
		    "no SQL column for field '%s'", f->fld->name);

	if (f->op == PATROL_FOP_ISNULL || f->op == PATROL_FOP_PR) {
		pbuf_printf(&c->b, "%s IS %sNULL", col,
		    f->op == PATROL_FOP_PR ? "NOT " : "");
		return c->b.oom ? nomem(c) : PATROL_OK;
	}

	if ((guard = f->fld->nullable) != 0)
		pbuf_printf(&c->b, f->op == PATROL_FOP_NE ?
		    "(%s IS NULL OR " : "(%s IS NOT NULL AND ", col);
	switch (f->op) {
	case PATROL_FOP_IN:
		column(c, f, col);
		pbuf_adds(&c->b, " IN (");
		for (i = 0; i < lit->u.list.n && rc == PATROL_OK; i++) {
			if (i > 0)
				pbuf_adds(&c->b, ", ");
			rc = param(c, &lit->u.list.v[i], LIKE_NONE);
		}
		pbuf_addc(&c->b, ')');
		break;
	case PATROL_FOP_CA:
		if (lit->u.list.n > 1)
			pbuf_addc(&c->b, '(');
		for (i = 0; i < lit->u.list.n && rc == PATROL_OK; i++) {
			if (i > 0)
				pbuf_adds(&c->b, " AND ");
			column(c, f, col);
			pbuf_adds(&c->b, " = ");
			rc = param(c, &lit->u.list.v[i], LIKE_NONE);
		}
		if (lit->u.list.n > 1)
			pbuf_addc(&c->b, ')');
		break;
	case PATROL_FOP_CO:
	case PATROL_FOP_SW:
		column(c, f, col);
		pbuf_adds(&c->b, " LIKE ");
		rc = param(c, lit, f->op == PATROL_FOP_CO ? LIKE_CO : LIKE_SW);
		pbuf_adds(&c->b, " ESCAPE '\\'");
		break;
	case PATROL_FOP_EQ:
	case PATROL_FOP_NE:
	case PATROL_FOP_GT:
	case PATROL_FOP_GE:
	case PATROL_FOP_LT:
	case PATROL_FOP_LE:
		column(c, f, col);
		pbuf_adds(&c->b, sqlops[f->op]);
		rc = param(c, lit, LIKE_NONE);
		break;
	default:
		/* pr and isnull are above; bind knows no other. */
		rc = patrol_error_set(c->err, PATROL_ERR_INVALID, f->pos,
		    "operator '%s' cannot be compiled",
		    patrol_filter_op_name(f->op));
		break;
	}
	if (guard)
		pbuf_addc(&c->b, ')');
	if (rc == PATROL_OK && c->b.oom)
		rc = nomem(c);
	return rc;
}

static enum patrol_err
emit(struct sqlc *c, const struct patrol_filter *f)
{
	enum patrol_err	 rc;
	size_t		 i;

	switch (f->type) {
	case FN_CMP:
		return emit_cmp(c, f);
	case FN_NOT:
		pbuf_adds(&c->b, "NOT (");
		if ((rc = emit(c, f->kid[0])) != PATROL_OK)
			return rc;
		pbuf_addc(&c->b, ')');
		break;
	case FN_AND:
	case FN_OR:
		pbuf_addc(&c->b, '(');
		for (i = 0; i < f->nkid; i++) {
			if (i > 0)
				pbuf_adds(&c->b, f->type == FN_AND ?
				    " AND " : " OR ");
			if ((rc = emit(c, f->kid[i])) != PATROL_OK)
				return rc;
		}
		pbuf_addc(&c->b, ')');
		break;
	}
	return c->b.oom ? nomem(c) : PATROL_OK;
}

enum patrol_err
patrol_filter_sql(const struct patrol_filter *f,
    const struct patrol_filter_schema *schema, const char *const *columns,
    enum patrol_sql_style style, size_t first_param, struct patrol_sql *out,
    struct patrol_error *err)
{
	struct sqlc	 c;
	enum patrol_err	 rc;
	size_t		 i;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	c.schema = schema;
	c.columns = columns;
	c.style = style;
	c.first = first_param;
	c.err = err;
	if (f == NULL || schema == NULL || columns == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "no filter, schema or columns to compile");
		goto out;
	}
	if (style == PATROL_SQL_DOLLAR && first_param == 0) {
		rc = patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "SQL parameters are numbered from 1");
		goto out;
	}
	if ((rc = emit(&c, f)) != PATROL_OK)
		goto out;
	if ((out->where = pbuf_take(&c.b)) == NULL) {
		rc = nomem(&c);
		goto out;
	}
	out->params = c.params;
	out->nparams = c.nparams;
	c.params = NULL;
	c.nparams = 0;
out:
	pbuf_free(&c.b);
	for (i = 0; i < c.nparams; i++)
		patrol_value_clear(&c.params[i]);
	free(c.params);
	return rc;
}

void
patrol_sql_clear(struct patrol_sql *sql)
{
	size_t	 i;

	if (sql == NULL)
		return;
	free(sql->where);
	for (i = 0; i < sql->nparams; i++)
		patrol_value_clear(&sql->params[i]);
	free(sql->params);
	memset(sql, 0, sizeof(*sql));
}
