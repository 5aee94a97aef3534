/*
 * filter_eval.c: evaluates a bound filter on one record.
 *
 * The truth table is the one filter_sql.c compiles to, and the tests check
 * that both agree row by row:
 *  - a comparison with a null field is false, except ne, which is true;
 *    isnull is true and pr false;
 *  - logic is two-valued, so "not" of a false comparison is true;
 *  - strings compare byte by byte after folding ASCII letters to lowercase
 *    (SQLite's lower() and BINARY collation; PostgreSQL's "C" collation);
 *  - date-times compare by millisecond, numbers numerically, booleans as
 *    0 and 1.
 */
#include "config.h"

#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "filter_int.h"

#define UNORDERED	2	/* compare() of a NaN */

/* Compares two byte strings with ASCII letters folded to lowercase. */
static int
cmp_str(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 i, n = alen < blen ? alen : blen;
	int	 ca, cb;

	for (i = 0; i < n; i++) {
		ca = filter_lower((unsigned char)a[i]);
		cb = filter_lower((unsigned char)b[i]);
		if (ca != cb)
			return ca < cb ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

/* Returns 1 if b[0..blen) occurs in a[0..alen) at offset 0 (prefix) or
 * anywhere, ASCII letters folded. */
static int
contains(const char *a, size_t alen, const char *b, size_t blen, int prefix)
{
	size_t	 i, last;

	if (blen > alen)
		return 0;
	last = prefix ? 0 : alen - blen;
	for (i = 0; i <= last; i++)
		if (cmp_str(a + i, blen, b, blen) == 0)
			return 1;
	return 0;
}

/* Compares the non-null field value a with the literal b of the same
 * type: -1, 0, 1, or UNORDERED. */
static int
compare(const struct patrol_value *a, const struct patrol_value *b)
{
	switch (a->type) {
	case PATROL_VAL_STRING:
		return cmp_str(a->u.str.s, a->u.str.len, b->u.str.s,
		    b->u.str.len);
	case PATROL_VAL_NUMBER:
		if (a->u.num < b->u.num)
			return -1;
		if (a->u.num > b->u.num)
			return 1;
		return a->u.num == b->u.num ? 0 : UNORDERED;
	case PATROL_VAL_BOOL:
		return (a->u.b != 0) - (b->u.b != 0);
	case PATROL_VAL_DATETIME:
		return a->u.ms < b->u.ms ? -1 : a->u.ms > b->u.ms;
	default:
		return UNORDERED;
	}
}

/* Returns 1 if a getter's value type fits the field type. */
static int
type_fits(enum patrol_field_type ft, enum patrol_value_type vt)
{
	switch (ft) {
	case PATROL_FIELD_STRING:
		return vt == PATROL_VAL_STRING;
	case PATROL_FIELD_NUMBER:
		return vt == PATROL_VAL_NUMBER;
	case PATROL_FIELD_BOOL:
		return vt == PATROL_VAL_BOOL;
	case PATROL_FIELD_DATETIME:
		return vt == PATROL_VAL_DATETIME;
	}
	return 0;
}

static enum patrol_err
eval_cmp(const struct patrol_filter *f, patrol_filter_getter get, void *arg,
    int *match)
{
	struct patrol_value	 v;
	const struct patrol_value *lit = &f->lit;
	enum patrol_err		 rc;
	size_t			 i;
	int			 c;

	if (f->fld == NULL)
		return PATROL_ERR_INVALID;
	memset(&v, 0, sizeof(v));
	v.type = PATROL_VAL_NULL;
	/* v is borrowed from the getter: never cleared here. */
	if ((rc = get(arg, f->fld, &v)) != PATROL_OK)
		return rc;
	if (f->op == PATROL_FOP_ISNULL || f->op == PATROL_FOP_PR) {
		*match = (v.type == PATROL_VAL_NULL) ==
		    (f->op == PATROL_FOP_ISNULL);
		return PATROL_OK;
	}
	if (v.type == PATROL_VAL_NULL) {
		*match = f->op == PATROL_FOP_NE;
		return PATROL_OK;
	}
	if (!type_fits(f->fld->type, v.type))
		return PATROL_ERR_INVALID;

	switch (f->op) {
	case PATROL_FOP_EQ:
		*match = compare(&v, lit) == 0;
		break;
	case PATROL_FOP_NE:
		*match = compare(&v, lit) != 0;
		break;
	case PATROL_FOP_GT:
		*match = compare(&v, lit) == 1;
		break;
	case PATROL_FOP_GE:
		c = compare(&v, lit);
		*match = c == 0 || c == 1;
		break;
	case PATROL_FOP_LT:
		*match = compare(&v, lit) == -1;
		break;
	case PATROL_FOP_LE:
		c = compare(&v, lit);
		*match = c == 0 || c == -1;
		break;
	case PATROL_FOP_CO:
	case PATROL_FOP_SW:
		*match = contains(v.u.str.s, v.u.str.len, lit->u.str.s,
		    lit->u.str.len, f->op == PATROL_FOP_SW);
		break;
	case PATROL_FOP_IN:
		/* Any item equal. */
		*match = 0;
		for (i = 0; i < lit->u.list.n && !*match; i++)
			*match = compare(&v, &lit->u.list.v[i]) == 0;
		break;
	case PATROL_FOP_CA:
		/* All items equal: what "contains all" means for a
		 * field that holds one value. */
		*match = 1;
		for (i = 0; i < lit->u.list.n && *match; i++)
			*match = compare(&v, &lit->u.list.v[i]) == 0;
		break;
	default:
		return PATROL_ERR_INVALID;
	}
	return PATROL_OK;
}

static enum patrol_err
eval_node(const struct patrol_filter *f, patrol_filter_getter get, void *arg,
    int *match)
{
	enum patrol_err	 rc;
	size_t		 i;

	switch (f->type) {
	case FN_CMP:
		return eval_cmp(f, get, arg, match);
	case FN_NOT:
		if ((rc = eval_node(f->kid[0], get, arg, match)) != PATROL_OK)
			return rc;
		*match = !*match;
		return PATROL_OK;
	case FN_AND:
	case FN_OR:
		/* Stops at the first kid that decides. */
		for (i = 0; i < f->nkid; i++) {
			if ((rc = eval_node(f->kid[i], get, arg, match)) !=
			    PATROL_OK)
				return rc;
			if (*match == (f->type == FN_OR))
				break;
		}
		return PATROL_OK;
	}
	return PATROL_ERR_INVALID;
}

enum patrol_err
patrol_filter_eval(const struct patrol_filter *f, patrol_filter_getter get,
    void *arg, int *match)
{
	enum patrol_err	 rc;
	int		 m = 0;

	*match = 0;
	if (f == NULL || get == NULL)
		return PATROL_ERR_INVALID;
	if ((rc = eval_node(f, get, arg, &m)) == PATROL_OK)
		*match = m;
	return rc;
}
