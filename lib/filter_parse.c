/*
 * filter_parse.c: the lexer and parser of the standard collection filter
 * language, the S-expression dump of a parse tree, and freeing it.
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

#define IS_ALPHA(c)	(((c) >= 'a' && (c) <= 'z') || \
			 ((c) >= 'A' && (c) <= 'Z'))
#define IS_DIGIT(c)	((c) >= '0' && (c) <= '9')
#define IS_SPACE(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || \
			 (c) == '\n')
/* Bytes of a bare literal (number or date-time) and of a word. */
#define IS_BARE(c)	(IS_ALPHA(c) || IS_DIGIT(c) || (c) == '.' || \
			 (c) == ':' || (c) == '+' || (c) == '-')
#define IS_WORD(c)	(IS_ALPHA(c) || IS_DIGIT(c) || (c) == '_' || \
			 (c) == '.')

#define NUMBUF		48	/* a formatted double, with room */
#define RADIXBUF	16	/* a locale's decimal point */

static const char *const opnames[PATROL_FOP__MAX] = {
	[PATROL_FOP_EQ] = "eq",
	[PATROL_FOP_NE] = "ne",
	[PATROL_FOP_GT] = "gt",
	[PATROL_FOP_GE] = "ge",
	[PATROL_FOP_LT] = "lt",
	[PATROL_FOP_LE] = "le",
	[PATROL_FOP_CO] = "co",
	[PATROL_FOP_SW] = "sw",
	[PATROL_FOP_IN] = "in",
	[PATROL_FOP_CA] = "ca",
	[PATROL_FOP_PR] = "pr",
	[PATROL_FOP_ISNULL] = "isnull",
};

/* Words that are never field names, besides the operators. */
static const char *const keywords[] = {
	"and", "or", "not", "true", "false", "null",
};

enum ttype {
	T_NONE,		/* before the first token */
	T_END,
	T_LPAREN,
	T_RPAREN,
	T_COMMA,
	T_STRING,	/* "...", quotes included */
	T_WORD,		/* [A-Za-z_][A-Za-z0-9_.]*: keyword or field */
	T_BARE		/* [0-9-][0-9A-Za-z.:+-]*: number or date-time */
};

struct tok {
	enum ttype	 type;
	size_t		 pos;	/* offset of its first byte */
	size_t		 len;	/* bytes */
};

struct parser {
	const char		*s;	/* borrowed expression */
	size_t			 len;
	size_t			 off;	/* where lexing resumes */
	struct tok		 tk;	/* the current token */
	struct tok		 prev;	/* the token before it */
	int			 depth;	/* enclosing '(' and 'not' */
	struct patrol_error	*err;
};

static enum patrol_err parse_or(struct parser *, struct patrol_filter **);

const char *
patrol_filter_op_name(enum patrol_filter_op op)
{
	if ((unsigned)op >= PATROL_FOP__MAX)
		return "unknown";
	return opnames[op];
}

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

int
filter_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

void
filter_quote(const char *s, size_t len, char *buf)
{
	size_t		 i = 0, o = 0, n;
	unsigned char	 c;

	while (i < len && i < FILTER_QUOTE_MAX) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
			i++;
		} else if ((n = utf8_seqlen(s, len, i)) > 0) {
			memcpy(buf + o, s + i, n);
			o += n;
			i += n;
		} else {
			snprintf(buf + o, 5, "\\x%02x", c);
			o += 4;
			i++;
		}
	}
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
}

/*
 * Numbers. printf and strtod use the decimal point of the current locale,
 * which a program may have changed with setlocale; the filter language
 * always uses '.'. So the text is translated to and from the locale's
 * decimal point, found by formatting 0.5 (which is thread-safe, unlike
 * localeconv).
 */
static void
radix(char *buf)
{
	char	 t[32];
	int	 n;

	n = snprintf(t, sizeof(t), "%.1f", 0.5);
	if (n < 3 || (size_t)n - 2 >= RADIXBUF) {
		strcpy(buf, ".");
		return;
	}
	memcpy(buf, t + 1, (size_t)n - 2);
	buf[n - 2] = '\0';
}

/* Returns 1 if s[0..len) is -?DIGITS[.DIGITS][(e|E)[+|-]DIGITS]. */
static int
is_number(const char *s, size_t len)
{
	size_t	 i = 0, n;

	if (i < len && s[i] == '-')
		i++;
	for (n = 0; i < len && IS_DIGIT(s[i]); i++)
		n++;
	if (n == 0)
		return 0;
	if (i < len && s[i] == '.') {
		for (i++, n = 0; i < len && IS_DIGIT(s[i]); i++)
			n++;
		if (n == 0)
			return 0;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		for (n = 0; i < len && IS_DIGIT(s[i]); i++)
			n++;
		if (n == 0)
			return 0;
	}
	return i == len;
}

/* Converts a string that passed is_number. Returns 0, 1 if it is out of
 * range (overflows to infinity), -1 on ENOMEM. */
static int
num_parse(const char *s, size_t len, double *out)
{
	struct pbuf	 b = { 0 };
	char		 r[RADIXBUF];
	size_t		 i;
	int		 rc = -1;

	radix(r);
	for (i = 0; i < len; i++)
		if (s[i] == '.')
			pbuf_adds(&b, r);
		else
			pbuf_addc(&b, s[i]);
	if (b.oom || b.s == NULL)
		goto out;
	*out = strtod(b.s, NULL);
	rc = (*out > DBL_MAX || *out < -DBL_MAX) ? 1 : 0;
out:
	pbuf_free(&b);
	return rc;
}

/*
 * The canonical text of a finite number: integers below 1e15 in magnitude
 * as integers ("1", "-42"), others in the shortest %g form that converts
 * back to the same double, with '.' as the decimal point and no leading
 * zeros in the exponent ("2.5", "0.1", "-3e+20", "1e-7").
 */
static void
num_format(double d, char *buf)
{
	char	 t[NUMBUF], r[RADIXBUF], *e;
	size_t	 i, o, rl;
	int	 p;

	if (d == 0) {
		strcpy(buf, "0");
		return;
	}
	if (d > -1e15 && d < 1e15 && d == (double)(long long)d) {
		snprintf(buf, NUMBUF, "%lld", (long long)d);
		return;
	}
	for (p = 1; p < 17; p++) {
		snprintf(t, sizeof(t), "%.*g", p, d);
		if (strtod(t, NULL) == d)
			break;
	}
	if (p == 17)
		snprintf(t, sizeof(t), "%.17g", d);
	radix(r);
	rl = strlen(r);
	for (i = o = 0; t[i] != '\0'; ) {
		if (rl > 0 && strncmp(t + i, r, rl) == 0) {
			buf[o++] = '.';
			i += rl;
		} else
			buf[o++] = t[i++];
	}
	buf[o] = '\0';
	if ((e = strchr(buf, 'e')) != NULL) {
		e++;
		if (*e == '+' || *e == '-')
			e++;
		for (i = 0; e[i] == '0' && e[i + 1] != '\0'; i++)
			continue;
		memmove(e, e + i, strlen(e + i) + 1);
	}
}

/*
 * Dump: an snprintf-style writer that counts what the whole text needs and
 * stores what fits.
 */
struct out {
	char	*buf;
	size_t	 sz;
	size_t	 len;
};

static void
put(struct out *o, const char *s, size_t n)
{
	size_t	 room;

	if (o->len + 1 < o->sz) {
		room = o->sz - 1 - o->len;
		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void
putstr(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
dump_value(struct out *o, const struct patrol_value *v)
{
	char	 t[NUMBUF > PATROL_TIME_BUFSZ ? NUMBUF : PATROL_TIME_BUFSZ];
	size_t	 i, start;

	switch (v->type) {
	case PATROL_VAL_NULL:
		putstr(o, "null");
		break;
	case PATROL_VAL_STRING:
		put(o, "\"", 1);
		for (i = start = 0; i < v->u.str.len; i++) {
			if (v->u.str.s[i] != '"' && v->u.str.s[i] != '\\')
				continue;
			put(o, v->u.str.s + start, i - start);
			put(o, "\\", 1);
			start = i;
		}
		put(o, v->u.str.s + start, v->u.str.len - start);
		put(o, "\"", 1);
		break;
	case PATROL_VAL_NUMBER:
		num_format(v->u.num, t);
		putstr(o, t);
		break;
	case PATROL_VAL_BOOL:
		putstr(o, v->u.b ? "true" : "false");
		break;
	case PATROL_VAL_DATETIME:
		/* The parser and binder only keep representable times. */
		if (patrol_time_format(v->u.ms, t) == -1)
			snprintf(t, sizeof(t), "%lld", (long long)v->u.ms);
		putstr(o, t);
		break;
	case PATROL_VAL_LIST:
		put(o, "(", 1);
		for (i = 0; i < v->u.list.n; i++) {
			if (i > 0)
				put(o, " ", 1);
			dump_value(o, &v->u.list.v[i]);
		}
		put(o, ")", 1);
		break;
	}
}

static void
dump_node(struct out *o, const struct patrol_filter *f)
{
	size_t	 i;

	switch (f->type) {
	case FN_CMP:
		put(o, "(", 1);
		putstr(o, patrol_filter_op_name(f->op));
		put(o, " ", 1);
		putstr(o, f->field);
		if (f->op != PATROL_FOP_PR && f->op != PATROL_FOP_ISNULL) {
			put(o, " ", 1);
			dump_value(o, &f->lit);
		}
		put(o, ")", 1);
		break;
	case FN_NOT:
	case FN_AND:
	case FN_OR:
		putstr(o, f->type == FN_NOT ? "(not" :
		    f->type == FN_AND ? "(and" : "(or");
		for (i = 0; i < f->nkid; i++) {
			put(o, " ", 1);
			dump_node(o, f->kid[i]);
		}
		put(o, ")", 1);
		break;
	}
}

size_t
patrol_filter_dump(const struct patrol_filter *f, char *buf, size_t sz)
{
	struct out	 o;

	o.buf = buf;
	o.sz = buf == NULL ? 0 : sz;
	o.len = 0;
	if (f != NULL)
		dump_node(&o, f);
	if (o.sz > 0)
		o.buf[o.len < o.sz ? o.len : o.sz - 1] = '\0';
	return o.len;
}

void
filter_value_quote(const struct patrol_value *v, char *buf)
{
	char		 t[FILTER_QUOTE_MAX + 8];
	struct out	 o;

	o.buf = t;
	o.sz = sizeof(t);
	o.len = 0;
	dump_value(&o, v);
	filter_quote(t, o.len < sizeof(t) ? o.len : sizeof(t) - 1, buf);
}

/*
 * Lexer.
 */

/* Returns 1 if t is the word w. */
static int
is_kw(const struct parser *p, const struct tok *t, const char *w)
{
	size_t	 n = strlen(w);

	return t->type == T_WORD && t->len == n &&
	    memcmp(p->s + t->pos, w, n) == 0;
}

/* Returns 1 if t is the word w in another case ("AND" for "and"). */
static int
is_kw_case(const struct parser *p, const struct tok *t, const char *w)
{
	size_t	 i, n = strlen(w);

	if (t->type != T_WORD || t->len != n || is_kw(p, t, w))
		return 0;
	for (i = 0; i < n; i++)
		if (filter_lower((unsigned char)p->s[t->pos + i]) != w[i])
			return 0;
	return 1;
}

/* The operator t names, or PATROL_FOP__MAX. */
static enum patrol_filter_op
op_lookup(const struct parser *p, const struct tok *t)
{
	int	 op;

	for (op = 0; op < PATROL_FOP__MAX; op++)
		if (is_kw(p, t, opnames[op]))
			return (enum patrol_filter_op)op;
	return PATROL_FOP__MAX;
}

/* Returns 1 if t is a word that may name a field. */
static int
is_field(const struct parser *p, const struct tok *t)
{
	size_t	 i;

	if (t->type != T_WORD || op_lookup(p, t) != PATROL_FOP__MAX)
		return 0;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (is_kw(p, t, keywords[i]))
			return 0;
	return 1;
}

static void
tokquote(const struct parser *p, const struct tok *t, char *buf)
{
	filter_quote(p->s + t->pos, t->len, buf);
}

/* A syntax error at the current token: "unexpected 'x' at position N:
 * expected <what>", or "expected <what> at position N" at the end. */
static enum patrol_err
expected(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static enum patrol_err
expected(struct parser *p, const char *fmt, ...)
{
	char		 what[2 * FILTER_QUOTE_BUFSZ + 64];
	char		 q[FILTER_QUOTE_BUFSZ];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (p->tk.type == T_END)
		return patrol_error_set(p->err, PATROL_ERR_SYNTAX, p->tk.pos,
		    "expected %s at position %zu", what, p->tk.pos);
	tokquote(p, &p->tk, q);
	return patrol_error_set(p->err, PATROL_ERR_SYNTAX, p->tk.pos,
	    p->tk.type == T_STRING ? "unexpected string %s at position %zu: "
	    "expected %s" : "unexpected '%s' at position %zu: expected %s",
	    q, p->tk.pos, what);
}

/* "unknown operator 'AND' at position N (operators are lowercase)". */
static enum patrol_err
upper_op(struct parser *p)
{
	char	 q[FILTER_QUOTE_BUFSZ];

	tokquote(p, &p->tk, q);
	return patrol_error_set(p->err, PATROL_ERR_SYNTAX, p->tk.pos,
	    "unknown operator '%s' at position %zu (operators are lowercase)",
	    q, p->tk.pos);
}

static enum patrol_err
lex_string(struct parser *p, size_t start)
{
	const char	*s = p->s;
	char		 q[FILTER_QUOTE_BUFSZ];
	size_t		 i, n;

	for (i = start + 1; ; i++) {
		if (i == p->len)
			goto unterminated;
		if (s[i] == '"')
			break;
		if (s[i] == '\0')
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX, i,
			    "NUL byte at position %zu in the string starting "
			    "at position %zu", i, start);
		if (s[i] != '\\')
			continue;
		if (i + 1 == p->len)
			goto unterminated;
		if (s[i + 1] != '"' && s[i + 1] != '\\') {
			n = utf8_seqlen(s, p->len, i + 1);
			filter_quote(s + i, n > 0 ? n + 1 : 2, q);
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX, i,
			    "invalid escape '%s' at position %zu in the string "
			    "starting at position %zu (only \\\" and \\\\ are "
			    "allowed)", q, i, start);
		}
		i++;
	}
	if (!utf8_valid(s + start + 1, i - start - 1))
		return patrol_error_set(p->err, PATROL_ERR_SYNTAX, start,
		    "invalid UTF-8 in the string starting at position %zu",
		    start);
	p->tk.type = T_STRING;
	p->tk.len = i + 1 - start;
	p->off = i + 1;
	return PATROL_OK;
unterminated:
	return patrol_error_set(p->err, PATROL_ERR_SYNTAX, start,
	    "unterminated string starting at position %zu", start);
}

/* Moves to the next token. */
static enum patrol_err
lex(struct parser *p)
{
	const char	*s = p->s;
	char		 q[FILTER_QUOTE_BUFSZ];
	size_t		 i = p->off, n;
	unsigned char	 c;

	p->prev = p->tk;
	while (i < p->len && IS_SPACE(s[i]))
		i++;
	p->tk.pos = i;
	p->tk.len = 1;
	if (i == p->len) {
		p->tk.type = T_END;
		p->tk.len = 0;
		p->off = i;
		return PATROL_OK;
	}
	c = (unsigned char)s[i];
	switch (c) {
	case '(':
		p->tk.type = T_LPAREN;
		break;
	case ')':
		p->tk.type = T_RPAREN;
		break;
	case ',':
		p->tk.type = T_COMMA;
		break;
	case '"':
		return lex_string(p, i);
	default:
		if (IS_ALPHA(c) || c == '_') {
			p->tk.type = T_WORD;
			for (n = 1; i + n < p->len && IS_WORD(s[i + n]); n++)
				continue;
		} else if (IS_DIGIT(c) || c == '-') {
			p->tk.type = T_BARE;
			for (n = 1; i + n < p->len && IS_BARE(s[i + n]); n++)
				continue;
		} else if (c == '\0') {
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX, i,
			    "unexpected NUL byte at position %zu", i);
		} else {
			n = utf8_seqlen(s, p->len, i);
			filter_quote(s + i, n > 0 ? n : 1, q);
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX, i,
			    "unexpected character '%s' at position %zu", q, i);
		}
		p->tk.len = n;
		break;
	}
	p->off = i + p->tk.len;
	return PATROL_OK;
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
	if (is_number(s, len)) {
		switch (num_parse(s, len, &d)) {
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
	if (len >= 5 && IS_DIGIT(s[0]) && IS_DIGIT(s[1]) && IS_DIGIT(s[2]) &&
	    IS_DIGIT(s[3]) && s[4] == '-') {
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

	tokquote(p, &p->prev, pq);
	switch (p->tk.type) {
	case T_STRING:
		rc = value_string(p, v);
		break;
	case T_BARE:
		rc = value_bare(p, v);
		break;
	case T_WORD:
		rc = PATROL_OK;
		if (is_kw(p, &p->tk, "true") || is_kw(p, &p->tk, "false")) {
			v->type = PATROL_VAL_BOOL;
			v->u.b = is_kw(p, &p->tk, "true");
		} else if (is_kw(p, &p->tk, "null") && nonull == NULL)
			v->type = PATROL_VAL_NULL;
		else if (is_kw(p, &p->tk, "null"))
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX,
			    p->tk.pos, "unexpected 'null' at position %zu: %s",
			    p->tk.pos, nonull);
		else {
			tokquote(p, &p->tk, q);
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX,
			    p->tk.pos, "unexpected '%s' at position %zu: "
			    "expected a value after '%s' (%s)", q, p->tk.pos,
			    pq, is_kw_case(p, &p->tk, "true") ||
			    is_kw_case(p, &p->tk, "false") ||
			    is_kw_case(p, &p->tk, "null") ?
			    "true, false and null are lowercase" :
			    "strings need double quotes");
		}
		break;
	default:
		return expected(p, "a value after '%s'", pq);
	}
	if (rc != PATROL_OK)
		return rc;
	*pos = p->tk.pos;
	return lex(p);
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
		tokquote(p, &p->prev, pq);
		return expected(p, "'(' to start a list after '%s'", pq);
	}
	lpos = p->tk.pos;
	if ((rc = lex(p)) != PATROL_OK)
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
			if ((rc = lex(p)) != PATROL_OK)
				return rc;
			continue;
		}
		if (p->tk.type == T_RPAREN)
			return lex(p);
		if (p->tk.type == T_END)
			return patrol_error_set(p->err, PATROL_ERR_SYNTAX,
			    lpos, "unbalanced '(' at position %zu: missing ')'",
			    lpos);
		return expected(p, "',' or ')' in the list");
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

	if (is_kw(p, &p->tk, "pr")) {
		prefix = 1;
		if ((rc = lex(p)) != PATROL_OK)
			goto out;
	}
	if (is_kw_case(p, &p->tk, "not") || is_kw_case(p, &p->tk, "pr")) {
		rc = upper_op(p);
		goto out;
	}
	if (!is_field(p, &p->tk)) {
		if (p->prev.type == T_NONE)
			rc = expected(p, "a field name");
		else {
			tokquote(p, &p->prev, pq);
			rc = expected(p, "a field name after '%s'", pq);
		}
		goto out;
	}
	if ((n = node_new(FN_CMP, p->tk.pos)) == NULL ||
	    (n->field = xstrndup(p->s + p->tk.pos, p->tk.len)) == NULL) {
		rc = nomem(p);
		goto out;
	}
	if ((rc = lex(p)) != PATROL_OK)
		goto out;
	if (prefix) {
		n->op = PATROL_FOP_PR;
		goto out;
	}
	if ((op = op_lookup(p, &p->tk)) == PATROL_FOP__MAX) {
		for (op = 0; op < PATROL_FOP__MAX; op++)
			if (is_kw_case(p, &p->tk, opnames[op]))
				break;
		if (op < PATROL_FOP__MAX)
			rc = upper_op(p);
		else {
			filter_quote(n->field, strlen(n->field), pq);
			rc = expected(p, "an operator after '%s'", pq);
		}
		goto out;
	}
	n->op = op;
	if ((rc = lex(p)) != PATROL_OK)
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

	if (is_kw(p, &p->tk, "not")) {
		if ((rc = nest(p)) != PATROL_OK)
			goto out;
		if ((n = node_new(FN_NOT, p->tk.pos)) == NULL) {
			rc = nomem(p);
			goto out;
		}
		if ((rc = lex(p)) != PATROL_OK ||
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
		if ((rc = lex(p)) != PATROL_OK ||
		    (rc = parse_or(p, &n)) != PATROL_OK)
			goto out;
		if (p->tk.type == T_END)
			rc = patrol_error_set(p->err, PATROL_ERR_SYNTAX, lpos,
			    "unbalanced '(' at position %zu: missing ')'",
			    lpos);
		else if (is_kw_case(p, &p->tk, "and") ||
		    is_kw_case(p, &p->tk, "or"))
			rc = upper_op(p);
		else if (p->tk.type != T_RPAREN)
			rc = expected(p, "'and', 'or' or ')'");
		else
			rc = lex(p);
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
	while (is_kw(p, &p->tk, kw)) {
		if (n == NULL) {
			if ((n = node_new(t, p->tk.pos)) == NULL ||
			    node_add(n, left) == -1) {
				rc = nomem(p);
				goto out;
			}
			left = NULL;
		}
		if ((rc = lex(p)) != PATROL_OK ||
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
	if ((rc = lex(&p)) != PATROL_OK)
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
	else if (is_kw_case(&p, &p.tk, "and") || is_kw_case(&p, &p.tk, "or"))
		rc = upper_op(&p);
	else if (p.tk.type != T_END)
		rc = expected(&p, "'and', 'or' or the end of the expression");
out:
	if (rc != PATROL_OK) {
		patrol_filter_free(f);
		f = NULL;
	}
	*out = f;
	return rc;
}
