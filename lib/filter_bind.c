/*
 * filter_bind.c: checks a parse tree against the schema of an endpoint and
 * gives its literals the types of their fields.
 *
 * Besides the operators a schema lists for a field, the field's type limits
 * what makes sense: co and sw only apply to strings, and booleans are only
 * compared for equality (eq, ne, in, ca). "field eq null" becomes
 * "field isnull" and "field ne null" becomes "field pr", and need the
 * schema to allow isnull and pr.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "filter_int.h"

#define B(op)		PATROL_FOP_BIT(PATROL_FOP_##op)
#define EQ_OPS	(B(EQ) | B(NE) | B(IN) | B(CA) | B(PR) | B(ISNULL))
#define ORDER_OPS	(EQ_OPS | B(GT) | B(GE) | B(LT) | B(LE))
#define STRING_OPS	(ORDER_OPS | B(CO) | B(SW))

#define LIST_TEXT_MAX	256	/* bytes of a "(supported: ...)" list */

/* The operators that apply to a field of type t. */
static unsigned
type_ops(enum patrol_field_type t)
{
	switch (t) {
	case PATROL_FIELD_STRING:
		return STRING_OPS;
	case PATROL_FIELD_NUMBER:
	case PATROL_FIELD_DATETIME:
		return ORDER_OPS;
	case PATROL_FIELD_BOOL:
		return EQ_OPS;
	}
	return 0;
}

/* Writes the names of the operators in ops, comma-separated, into buf. */
static void
op_list(unsigned ops, char *buf, size_t sz)
{
	size_t	 len = 0;
	int	 op, n;

	buf[0] = '\0';
	for (op = 0; op < PATROL_FOP__MAX; op++) {
		if (!(ops & PATROL_FOP_BIT(op)))
			continue;
		n = snprintf(buf + len, sz - len, "%s%s", len ? ", " : "",
		    patrol_filter_op_name((enum patrol_filter_op)op));
		if (n < 0 || (size_t)n >= sz - len)
			return;
		len += (size_t)n;
	}
	if (len == 0)
		snprintf(buf, sz, "none");
}

/* Writes the names of the schema's fields, comma-separated, into buf. */
static void
field_list(const struct patrol_filter_schema *schema, char *buf, size_t sz)
{
	size_t	 i, len = 0;
	int	 n;

	buf[0] = '\0';
	for (i = 0; i < schema->nfields; i++) {
		n = snprintf(buf + len, sz - len, "%s%s", len ? ", " : "",
		    schema->fields[i].name);
		if (n < 0 || (size_t)n >= sz - len)
			return;
		len += (size_t)n;
	}
	if (len == 0)
		snprintf(buf, sz, "none");
}

static const char *
type_text(enum patrol_field_type t)
{
	switch (t) {
	case PATROL_FIELD_STRING:
		return "a string";
	case PATROL_FIELD_NUMBER:
		return "a number";
	case PATROL_FIELD_BOOL:
		return "true or false";
	case PATROL_FIELD_DATETIME:
		return "a date-time such as 2023-02-05T10:59:27Z";
	}
	return "a value";
}

/* Gives the literal *v the type of field fld; pos is where it starts. A
 * string for a date-time field is parsed as RFC 3339. */
static enum patrol_err
coerce(struct patrol_value *v, const struct patrol_filter_field *fld,
    size_t pos, struct patrol_error *err)
{
	char		 q[FILTER_QUOTE_BUFSZ], t[PATROL_TIME_BUFSZ];
	int64_t		 ms;

	switch (fld->type) {
	case PATROL_FIELD_STRING:
		if (v->type == PATROL_VAL_STRING)
			return PATROL_OK;
		break;
	case PATROL_FIELD_NUMBER:
		if (v->type == PATROL_VAL_NUMBER)
			return PATROL_OK;
		break;
	case PATROL_FIELD_BOOL:
		if (v->type == PATROL_VAL_BOOL)
			return PATROL_OK;
		break;
	case PATROL_FIELD_DATETIME:
		if (v->type == PATROL_VAL_DATETIME)
			return PATROL_OK;
		if (v->type == PATROL_VAL_STRING &&
		    patrol_time_parse(v->u.str.s, v->u.str.len, &ms) ==
		    PATROL_OK && patrol_time_format(ms, t) == 0) {
			patrol_value_clear(v);
			v->type = PATROL_VAL_DATETIME;
			v->u.ms = ms;
			return PATROL_OK;
		}
		break;
	}
	filter_value_quote(v, q);
	return patrol_error_set(err, PATROL_ERR_INVALID, pos,
	    "field '%s' takes %s, got %s at position %zu", fld->name,
	    type_text(fld->type), q, pos);
}

static enum patrol_err
bind_cmp(struct patrol_filter *f, const struct patrol_filter_schema *schema,
    struct patrol_error *err)
{
	const struct patrol_filter_field	*fld = NULL;
	enum patrol_filter_op			 op = f->op;
	char					 list[LIST_TEXT_MAX];
	enum patrol_err				 rc;
	unsigned				 ops;
	size_t					 i;

	for (i = 0; i < schema->nfields; i++)
		if (strcmp(schema->fields[i].name, f->field) == 0) {
			fld = &schema->fields[i];
			break;
		}
	if (fld == NULL) {
		field_list(schema, list, sizeof(list));
		return patrol_error_set(err, PATROL_ERR_UNSUPPORTED, f->pos,
		    "filtering on field '%s' is not supported (supported: %s)",
		    f->field, list);
	}

	/* "eq null" is isnull and "ne null" is pr. */
	if (f->lit.type == PATROL_VAL_NULL && op == PATROL_FOP_EQ)
		op = PATROL_FOP_ISNULL;
	else if (f->lit.type == PATROL_VAL_NULL && op == PATROL_FOP_NE)
		op = PATROL_FOP_PR;
	ops = fld->ops & type_ops(fld->type);
	if (!(ops & PATROL_FOP_BIT(op))) {
		op_list(ops, list, sizeof(list));
		return patrol_error_set(err, PATROL_ERR_UNSUPPORTED, f->pos,
		    "operator '%s%s' is not supported for field '%s' "
		    "(supported: %s)", patrol_filter_op_name(f->op),
		    op != f->op ? " null" : "", fld->name, list);
	}

	if (f->lit.type == PATROL_VAL_LIST) {
		for (i = 0; i < f->lit.u.list.n; i++)
			if ((rc = coerce(&f->lit.u.list.v[i], fld,
			    f->itempos[i], err)) != PATROL_OK)
				return rc;
	} else if (f->lit.type != PATROL_VAL_NULL &&
	    (rc = coerce(&f->lit, fld, f->litpos, err)) != PATROL_OK)
		return rc;

	f->op = op;
	f->fld = fld;
	f->fidx = (size_t)(fld - schema->fields);
	return PATROL_OK;
}

static enum patrol_err
bind_node(struct patrol_filter *f, const struct patrol_filter_schema *schema,
    struct patrol_error *err)
{
	enum patrol_err	 rc;
	size_t		 i;

	if (f->type == FN_CMP)
		return bind_cmp(f, schema, err);
	for (i = 0; i < f->nkid; i++)
		if ((rc = bind_node(f->kid[i], schema, err)) != PATROL_OK)
			return rc;
	return PATROL_OK;
}

/* Forgets every binding, so that a tree that failed to bind cannot be
 * evaluated or compiled with half of its fields bound. */
static void
unbind(struct patrol_filter *f)
{
	size_t	 i;

	f->fld = NULL;
	f->fidx = 0;
	for (i = 0; i < f->nkid; i++)
		unbind(f->kid[i]);
}

enum patrol_err
patrol_filter_bind(struct patrol_filter *f,
    const struct patrol_filter_schema *schema, struct patrol_error *err)
{
	enum patrol_err	 rc;

	if (f == NULL || schema == NULL)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "no filter or no schema to bind it to");
	if ((rc = bind_node(f, schema, err)) != PATROL_OK)
		unbind(f);
	return rc;
}
