/*
 * lex.c: the lexer of the filter language: tokens (words, bare
 * literals, strings, punctuation), keywords and operators, numbers read
 * whatever the locale's decimal point, and the syntax errors that name the
 * token at hand.
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
#define IS_DIGIT(c)	FILTER_IS_DIGIT(c)
#define IS_SPACE(c)	((c) == ' ' || (c) == '\t' || (c) == '\r' || \
			 (c) == '\n')
/* Bytes of a bare literal (number or date-time) and of a word. */
#define IS_BARE(c)	(IS_ALPHA(c) || IS_DIGIT(c) || (c) == '.' || \
			 (c) == ':' || (c) == '+' || (c) == '-')
#define IS_WORD(c)	(IS_ALPHA(c) || IS_DIGIT(c) || (c) == '_' || \
			 (c) == '.')



/* Words that are never field names, besides the operators. */
static const char *const keywords[] = {
	"and", "or", "not", "true", "false", "null",
};

/* Returns 1 if s[0..len) is -?DIGITS[.DIGITS][(e|E)[+|-]DIGITS]. */
int
filter_is_number(const char *s, size_t len)
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
int
filter_num_parse(const char *s, size_t len, double *out)
{
	struct pbuf	 b = { 0 };
	char		 r[FILTER_RADIXBUF];
	size_t		 i;
	int		 rc = -1;

	filter_radix(r);
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
 * Lexer.
 */

/* Returns 1 if t is the word w. */
int
filter_is_kw(const struct parser *p, const struct tok *t, const char *w)
{
	size_t	 n = strlen(w);

	return t->type == T_WORD && t->len == n &&
	    memcmp(p->s + t->pos, w, n) == 0;
}

/* Returns 1 if t is the word w in another case ("AND" for "and"). */
int
filter_is_kw_case(const struct parser *p, const struct tok *t, const char *w)
{
	size_t	 i, n = strlen(w);

	if (t->type != T_WORD || t->len != n || filter_is_kw(p, t, w))
		return 0;
	for (i = 0; i < n; i++)
		if (filter_lower((unsigned char)p->s[t->pos + i]) != w[i])
			return 0;
	return 1;
}

/* The operator t names, or PATROL_FOP__MAX. */
enum patrol_filter_op
filter_op_lookup(const struct parser *p, const struct tok *t)
{
	int	 op;

	for (op = 0; op < PATROL_FOP__MAX; op++)
		if (filter_is_kw(p, t, filter_opnames[op]))
			return (enum patrol_filter_op)op;
	return PATROL_FOP__MAX;
}

/* Returns 1 if t is a word that may name a field. */
int
filter_is_field(const struct parser *p, const struct tok *t)
{
	size_t	 i;

	if (t->type != T_WORD || filter_op_lookup(p, t) != PATROL_FOP__MAX)
		return 0;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (filter_is_kw(p, t, keywords[i]))
			return 0;
	return 1;
}

void
filter_tokquote(const struct parser *p, const struct tok *t, char *buf)
{
	filter_quote(p->s + t->pos, t->len, buf);
}

/* A syntax error at the current token: "unexpected 'x' at position N:
 * expected <what>", or "expected <what> at position N" at the end. */
enum patrol_err
filter_expected(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
enum patrol_err
filter_expected(struct parser *p, const char *fmt, ...)
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
	filter_tokquote(p, &p->tk, q);
	return patrol_error_set(p->err, PATROL_ERR_SYNTAX, p->tk.pos,
	    p->tk.type == T_STRING ? "unexpected string %s at position %zu: "
	    "expected %s" : "unexpected '%s' at position %zu: expected %s",
	    q, p->tk.pos, what);
}

/* "unknown operator 'AND' at position N (operators are lowercase)". */
enum patrol_err
filter_upper_op(struct parser *p)
{
	char	 q[FILTER_QUOTE_BUFSZ];

	filter_tokquote(p, &p->tk, q);
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
enum patrol_err
filter_lex(struct parser *p)
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

