/*
 * filter_parse.c: the parser of the standard collection filter language
 * (recursive descent over the tokens of lex.c) and freeing its tree.
 *
 * Grammar (docs/patrol-filters.7 has the prose):
 *
 *	filter	= or
 *	or	= and *("or" and)
 *	and	= unary *("and" unary)
 *	unary	= "not" unary / "(" or ")" / cmp
 *	cmp	= "pr" FIELD / FIELD ("pr" / "isnull")
 *		/ FIELD ("in" / "ca") list / FIELD op value
 *	op	= "eq" / "ne" / "gt" / "ge" / "lt" / "le" / "co" / "sw"
 *	list	= "(" value *("," value) ")"
 *	value	= STRING / NUMBER / DATETIME / "true" / "false" / "null"
 *
 * Keywords are lowercase and reserved: they are never field names. "null"
 * is only a value of eq and ne. The parser is recursive descent; every
 * level of recursion is one '(' or one 'not', and those are counted against
 * PATROL_FILTER_DEPTH_MAX before recursing, so the C stack stays bounded
 * whatever the input.
 */
#include "config.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "filter_int.h"

static enum patrol_err parse_or(struct parser *, struct patrol_filter **);

void
patrol_value_clear(struct patrol_value *v)
{
	size_t	 i;

	if (v == NULL)
		return;
	if (v->type == PATROL_VAL_STRING)
		free(v->u.str.s);
	else if (v->type == PATROL_VAL_LIST) {
		for (i = 0; i < v->u.list.n; i++)
			patrol_value_clear(&v->u.list.v[i]);
		free(v->u.list.v);
	}
	memset(v, 0, sizeof(*v));
	v->type = PATROL_VAL_NULL;
}

void
patrol_filter_free(struct patrol_filter *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nkid; i++)
		patrol_filter_free(f->kid[i]);
	free(f->kid);
	free(f->field);
	patrol_value_clear(&f->lit);
	free(f->itempos);
	free(f);
}


/*
 * Parser.
 */

static struct patrol_filter *
node_new(enum fnode type, size_t pos)
{
	struct patrol_filter	*n;

	if ((n = calloc(1, sizeof(*n))) == NULL)
		return NULL;
	n->type = type;
	n->pos = pos;
	n->lit.type = PATROL_VAL_NULL;
	return n;
}

/* Appends kid to n; on failure kid stays the caller's. */
static int
node_add(struct patrol_filter *n, struct patrol_filter *kid)
{
	struct patrol_filter	**k;

	k = reallocarray(n->kid, n->nkid + 1, sizeof(*k));
	if (k == NULL)
		return -1;
	n->kid = k;
	n->kid[n->nkid++] = kid;
	return 0;
}

static enum patrol_err
nomem(struct parser *p)
{
	return patrol_error_set(p->err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory");
}

/* A string token's value: the text between the quotes, unescaped. */
static enum patrol_err
value_string(struct parser *p, struct patrol_value *v)
{
	const char	*s = p->s + p->tk.pos + 1;
	size_t		 len = p->tk.len - 2, i, o;
	char		*d;

	if ((d = malloc(len + 1)) == NULL)
		return nomem(p);
	for (i = o = 0; i < len; i++) {
		if (s[i] == '\\')
			i++;
		d[o++] = s[i];
	}
	d[o] = '\0';
	v->type = PATROL_VAL_STRING;
	v->u.str.s = d;
	v->u.str.len = o;
	return PATROL_OK;
}

/* A bare token's value: a number or an RFC 3339 date-time. */
static enum patrol_err
value_bare(struct parser *p, struct patrol_value *v)
{
	const char	*s = p->s + p->tk.pos;
	size_t		 len = p->tk.len, pos = p->tk.pos;
	char		 q[FILTER_QUOTE_BUFSZ], t[PATROL_TIME_BUFSZ];
	double		 d;
	int64_t		 ms;

	filter_quote(s, len, q);
	if (filter_is_number(s, len)) {
		switch (filter_num_parse(s, len, &d)) {
		case 0:
			v->type = PATROL_VAL_NUMBER;
			v->u.num = d;
			return PATROL_OK;
		case 1:
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX, pos,
			    "number '%s' at position %zu is out of range",
			    q, pos);
		default:
			return nomem(p);
		}
	}
	if (len >= 5 && FILTER_IS_DIGIT(s[0]) && FILTER_IS_DIGIT(s[1]) &&
	    FILTER_IS_DIGIT(s[2]) && FILTER_IS_DIGIT(s[3]) && s[4] == '-') {
		if (patrol_time_parse(s, len, &ms) != PATROL_OK)
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX, pos,
			    "invalid date-time '%s' at position %zu (expected "
			    "RFC 3339 such as 2023-02-05T10:59:27Z)", q, pos);
		if (patrol_time_format(ms, t) == -1)
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX, pos,
			    "date-time '%s' at position %zu is out of range",
			    q, pos);
		v->type = PATROL_VAL_DATETIME;
		v->u.ms = ms;
		return PATROL_OK;
	}
	return patrol_error_set(p->err, PATROL_ERR_SYNTAX, pos,
	    "invalid number '%s' at position %zu", q, pos);
}

/*
 * A value after an operator (or in a list), into *v with its offset in
 * *pos. nonull is NULL where null is accepted, else why it is not.
 */
static enum patrol_err
parse_value(struct parser *p, struct patrol_value *v, size_t *pos,
    const char *nonull)
{
	char		 q[FILTER_QUOTE_BUFSZ], pq[FILTER_QUOTE_BUFSZ];
	enum patrol_err	 rc;

	filter_tokquote(p, &p->prev, pq);
	switch (p->tk.type) {
	case T_STRING:
		rc = value_string(p, v);
		break;
	case T_BARE:
		rc = value_bare(p, v);
		break;
	case T_WORD:
		rc = PATROL_OK;
		if (filter_is_kw(p, &p->tk, "true") ||
		    filter_is_kw(p, &p->tk, "false")) {
			v->type = PATROL_VAL_BOOL;
			v->u.b = filter_is_kw(p, &p->tk, "true");
		} else if (filter_is_kw(p, &p->tk, "null") && nonull == NULL)
			v->type = PATROL_VAL_NULL;
		else if (filter_is_kw(p, &p->tk, "null"))
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX,
			    p->tk.pos, "unexpected 'null' at position %zu: %s",
			    p->tk.pos, nonull);
		else {
			filter_tokquote(p, &p->tk, q);
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX,
			    p->tk.pos, "unexpected '%s' at position %zu: "
			    "expected a value after '%s' (%s)", q, p->tk.pos,
			    pq, filter_is_kw_case(p, &p->tk, "true") ||
			    filter_is_kw_case(p, &p->tk, "false") ||
			    filter_is_kw_case(p, &p->tk, "null") ?
			    "true, false and null are lowercase" :
			    "strings need double quotes");
		}
		break;
	default:
		return filter_expected(p, "a value after '%s'", pq);
	}
	if (rc != PATROL_OK)
		return rc;
	*pos = p->tk.pos;
	return filter_lex(p);
}

/* The list of an in/ca comparison, into n->lit and n->itempos. */
static enum patrol_err
parse_list(struct parser *p, struct patrol_filter *n)
{
	struct patrol_value	*v;
	size_t			*ip, cap = 0, lpos;
	char			 pq[FILTER_QUOTE_BUFSZ];
	enum patrol_err		 rc;

	if (p->tk.type != T_LPAREN) {
		filter_tokquote(p, &p->prev, pq);
		return filter_expected(p, "'(' to start a list after '%s'", pq);
	}
	lpos = p->tk.pos;
	if ((rc = filter_lex(p)) != PATROL_OK)
		return rc;
	if (p->tk.type == T_RPAREN)
		return patrol_error_set(p->err, PATROL_ERR_SYNTAX, lpos,
		    "empty list at position %zu", lpos);
	n->lit.type = PATROL_VAL_LIST;
	n->lit.u.list.v = NULL;
	n->lit.u.list.n = 0;
	for (;;) {
		if (n->lit.u.list.n == PATROL_FILTER_LIST_MAX)
			return patrol_error_set(p->err, PATROL_ERR_TOOBIG,
			    p->tk.pos, "list at position %zu has more than %d "
			    "items", lpos, PATROL_FILTER_LIST_MAX);
		if (n->lit.u.list.n == cap) {
			cap = cap == 0 ? 4 : cap * 2;
			v = reallocarray(n->lit.u.list.v, cap, sizeof(*v));
			if (v == NULL)
				return nomem(p);
			n->lit.u.list.v = v;
			ip = reallocarray(n->itempos, cap, sizeof(*ip));
			if (ip == NULL)
				return nomem(p);
			n->itempos = ip;
		}
		v = &n->lit.u.list.v[n->lit.u.list.n];
		memset(v, 0, sizeof(*v));
		v->type = PATROL_VAL_NULL;
		rc = parse_value(p, v, &n->itempos[n->lit.u.list.n],
		    "null is not allowed in a list");
		if (rc != PATROL_OK) {
			/* The value may be complete if only lex failed. */
			patrol_value_clear(v);
			return rc;
		}
		n->lit.u.list.n++;
		if (p->tk.type == T_COMMA) {
			if ((rc = filter_lex(p)) != PATROL_OK)
				return rc;
			continue;
		}
		if (p->tk.type == T_RPAREN)
			return filter_lex(p);
		if (p->tk.type == T_END)
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX,
			    lpos, "unbalanced '(' at position %zu: missing ')'",
			    lpos);
		return filter_expected(p, "',' or ')' in the list");
	}
}

/* A comparison: "pr field", "field pr", "field isnull", "field op value",
 * "field in (list)". */
static enum patrol_err
parse_cmp(struct parser *p, struct patrol_filter **out)
{
	struct patrol_filter	*n = NULL;
	enum patrol_filter_op	 op;
	char			 pq[FILTER_QUOTE_BUFSZ];
	enum patrol_err		 rc;
	int			 prefix = 0;

	if (filter_is_kw(p, &p->tk, "pr")) {
		prefix = 1;
		if ((rc = filter_lex(p)) != PATROL_OK)
			goto out;
	}
	if (filter_is_kw_case(p, &p->tk, "not") ||
	    filter_is_kw_case(p, &p->tk, "pr")) {
		rc = filter_upper_op(p);
		goto out;
	}
	if (!filter_is_field(p, &p->tk)) {
		if (p->prev.type == T_NONE)
			rc = filter_expected(p, "a field name");
		else {
			filter_tokquote(p, &p->prev, pq);
			rc = filter_expected(p, "a field name after '%s'", pq);
		}
		goto out;
	}
	if ((n = node_new(FN_CMP, p->tk.pos)) == NULL ||
	    (n->field = xstrndup(p->s + p->tk.pos, p->tk.len)) == NULL) {
		rc = nomem(p);
		goto out;
	}
	if ((rc = filter_lex(p)) != PATROL_OK)
		goto out;
	if (prefix) {
		n->op = PATROL_FOP_PR;
		goto out;
	}
	if ((op = filter_op_lookup(p, &p->tk)) == PATROL_FOP__MAX) {
		for (op = 0; op < PATROL_FOP__MAX; op++)
			if (filter_is_kw_case(p, &p->tk, filter_opnames[op]))
				break;
		if (op < PATROL_FOP__MAX)
			rc = filter_upper_op(p);
		else {
			filter_quote(n->field, strlen(n->field), pq);
			rc = filter_expected(p, "an operator after '%s'", pq);
		}
		goto out;
	}
	n->op = op;
	if ((rc = filter_lex(p)) != PATROL_OK)
		goto out;
	switch (op) {
	case PATROL_FOP_PR:
	case PATROL_FOP_ISNULL:
		break;
	case PATROL_FOP_IN:
	case PATROL_FOP_CA:
		rc = parse_list(p, n);
		break;
	default:
		rc = parse_value(p, &n->lit, &n->litpos,
		    op == PATROL_FOP_EQ || op == PATROL_FOP_NE ? NULL :
		    "only eq and ne compare with null");
		break;
	}
out:
	if (rc != PATROL_OK) {
		patrol_filter_free(n);
		n = NULL;
	}
	*out = n;
	return rc;
}

/* Counts one more level of nesting at the current token. */
static enum patrol_err
nest(struct parser *p)
{
	if (++p->depth <= PATROL_FILTER_DEPTH_MAX)
		return PATROL_OK;
	return patrol_error_set(p->err, PATROL_ERR_TOOBIG, p->tk.pos,
	    "expression nested deeper than %d levels at position %zu",
	    PATROL_FILTER_DEPTH_MAX, p->tk.pos);
}

static enum patrol_err
parse_unary(struct parser *p, struct patrol_filter **out)
{
	struct patrol_filter	*n = NULL, *kid = NULL;
	enum patrol_err		 rc;
	size_t			 lpos;

	if (filter_is_kw(p, &p->tk, "not")) {
		if ((rc = nest(p)) != PATROL_OK)
			goto out;
		if ((n = node_new(FN_NOT, p->tk.pos)) == NULL) {
			rc = nomem(p);
			goto out;
		}
		if ((rc = filter_lex(p)) != PATROL_OK ||
		    (rc = parse_unary(p, &kid)) != PATROL_OK)
			goto out;
		if (node_add(n, kid) == -1) {
			rc = nomem(p);
			goto out;
		}
		kid = NULL;
		p->depth--;
	} else if (p->tk.type == T_LPAREN) {
		if ((rc = nest(p)) != PATROL_OK)
			goto out;
		lpos = p->tk.pos;
		if ((rc = filter_lex(p)) != PATROL_OK ||
		    (rc = parse_or(p, &n)) != PATROL_OK)
			goto out;
		if (p->tk.type == T_END)
			rc = patrol_error_set(p->err, PATROL_ERR_SYNTAX, lpos,
			    "unbalanced '(' at position %zu: missing ')'",
			    lpos);
		else if (filter_is_kw_case(p, &p->tk, "and") ||
		    filter_is_kw_case(p, &p->tk, "or"))
			rc = filter_upper_op(p);
		else if (p->tk.type != T_RPAREN)
			rc = filter_expected(p, "'and', 'or' or ')'");
		else
			rc = filter_lex(p);
		p->depth--;
	} else
		rc = parse_cmp(p, &n);
out:
	patrol_filter_free(kid);
	if (rc != PATROL_OK) {
		patrol_filter_free(n);
		n = NULL;
	}
	*out = n;
	return rc;
}

/* A chain of `sub` joined by the keyword kw into one node of type t. */
static enum patrol_err
parse_chain(struct parser *p, struct patrol_filter **out, const char *kw,
    enum fnode t, enum patrol_err (*sub)(struct parser *,
    struct patrol_filter **))
{
	struct patrol_filter	*left = NULL, *right = NULL, *n = NULL;
	enum patrol_err		 rc;

	if ((rc = sub(p, &left)) != PATROL_OK)
		goto out;
	while (filter_is_kw(p, &p->tk, kw)) {
		if (n == NULL) {
			if ((n = node_new(t, p->tk.pos)) == NULL ||
			    node_add(n, left) == -1) {
				rc = nomem(p);
				goto out;
			}
			left = NULL;
		}
		if ((rc = filter_lex(p)) != PATROL_OK ||
		    (rc = sub(p, &right)) != PATROL_OK)
			goto out;
		if (node_add(n, right) == -1) {
			rc = nomem(p);
			goto out;
		}
		right = NULL;
	}
	if (n == NULL) {
		n = left;
		left = NULL;
	}
out:
	patrol_filter_free(left);
	patrol_filter_free(right);
	if (rc != PATROL_OK) {
		patrol_filter_free(n);
		n = NULL;
	}
	*out = n;
	return rc;
}

static enum patrol_err
parse_and(struct parser *p, struct patrol_filter **out)
{
	return parse_chain(p, out, "and", FN_AND, parse_unary);
}

static enum patrol_err
parse_or(struct parser *p, struct patrol_filter **out)
{
	return parse_chain(p, out, "or", FN_OR, parse_and);
}

enum patrol_err
patrol_filter_parse(const char *expr, size_t len, struct patrol_filter **out,
    struct patrol_error *err)
{
	struct parser		 p;
	struct patrol_filter	*f = NULL;
	enum patrol_err		 rc;

	*out = NULL;
	if (len > PATROL_FILTER_LEN_MAX)
		return patrol_error_set(err, PATROL_ERR_TOOBIG,
		    PATROL_FILTER_LEN_MAX, "filter expression of %zu bytes is "
		    "longer than the %d allowed", len, PATROL_FILTER_LEN_MAX);
	if (expr == NULL && len > 0)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "no filter expression given");
	memset(&p, 0, sizeof(p));
	p.s = expr;
	p.len = len;
	p.err = err;
	p.tk.type = T_NONE;
	if ((rc = filter_lex(&p)) != PATROL_OK)
		goto out;
	if (p.tk.type == T_END) {
		rc = patrol_error_set(err, PATROL_ERR_SYNTAX, p.tk.pos,
		    "empty filter expression");
		goto out;
	}
	if ((rc = parse_or(&p, &f)) != PATROL_OK)
		goto out;
	if (p.tk.type == T_RPAREN)
		rc = patrol_error_set(err, PATROL_ERR_SYNTAX, p.tk.pos,
		    "unbalanced ')' at position %zu", p.tk.pos);
	else if (filter_is_kw_case(&p, &p.tk, "and") ||
	    filter_is_kw_case(&p, &p.tk, "or"))
		rc = filter_upper_op(&p);
	else if (p.tk.type != T_END)
		rc = filter_expected(&p, "'and', 'or' or the end of the expression");
out:
	if (rc != PATROL_OK) {
		patrol_filter_free(f);
		f = NULL;
	}
	*out = f;
	return rc;
}
