/*
 * filter_int.h: the parse tree of the filter language, shared by
 * filter_lex.c (tokens), filter_parse.c (parser, free), filter_print.c
 * (dump, quoting), filter_bind.c (schema checks),
 * filter_eval.c (evaluation in process) and filter_sql.c (SQL compiler).
 * Include after patrol.h.
 */
#ifndef PATROL_FILTER_INT_H
#define PATROL_FILTER_INT_H

enum fnode {
	FN_CMP,		/* field op [literal] */
	FN_NOT,		/* not kid[0] */
	FN_AND,		/* kid[0] and kid[1] and ... (nkid >= 2) */
	FN_OR		/* kid[0] or kid[1] or ... (nkid >= 2) */
};

/*
 * One node. A chain "a and b and c" is one FN_AND node with three kids;
 * parentheses make a node of their own, so the tree keeps the grouping the
 * expression was written with. Its depth is bounded by the parser
 * (PATROL_FILTER_DEPTH_MAX), which makes recursion over it safe.
 */
struct patrol_filter {
	enum fnode		 type;
	size_t			 pos;	/* field, or not/and/or */
	struct patrol_filter	**kid;	/* new, each kid new */
	size_t			 nkid;
	/* FN_CMP only. */
	enum patrol_filter_op	 op;
	char			*field;	/* new */
	struct patrol_value	 lit;	/* null for pr, isnull */
	size_t			 litpos;
	size_t			*itempos; /* new: offsets of list items */
	/* Set by patrol_filter_bind: borrowed from the schema, and its index
	 * there; fld is NULL until bound. */
	const struct patrol_filter_field *fld;
	size_t			 fidx;
};

/* Room for filter_quote's output: FILTER_QUOTE_MAX input bytes, each at
 * most 4 bytes (\xHH), "..." and NUL. */
#define FILTER_QUOTE_MAX	40
#define FILTER_QUOTE_BUFSZ	(FILTER_QUOTE_MAX * 4 + 4)

/* Writes s[0..len) into buf (FILTER_QUOTE_BUFSZ bytes) fit for an error
 * message: printable ASCII and well-formed UTF-8 as they are, other bytes
 * as \xHH, cut after FILTER_QUOTE_MAX bytes with "..." appended. */
void filter_quote(const char *s, size_t len, char *buf);

/* Writes a literal into buf (FILTER_QUOTE_BUFSZ bytes) as the dump shows
 * it, cut like filter_quote, for an error message. */
void filter_value_quote(const struct patrol_value *v, char *buf);

/* ASCII lowercase of c; other bytes unchanged. */
int filter_lower(int c);


/* ---- the lexer (filter_lex.c), used by the parser (filter_parse.c) ---- */

#define FILTER_RADIXBUF	16	/* a locale's decimal point */
#define FILTER_IS_DIGIT(c)	((c) >= '0' && (c) <= '9')

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

/* Names of the operators, by enum patrol_filter_op. */
extern const char *const filter_opnames[PATROL_FOP__MAX];

/* Moves p to the next token. */
enum patrol_err filter_lex(struct parser *p);
/* 1 if t is the word w; filter_is_kw_case: w in another case ("AND"). */
int filter_is_kw(const struct parser *p, const struct tok *t, const char *w);
int filter_is_kw_case(const struct parser *p, const struct tok *t,
    const char *w);
/* The operator t names, or PATROL_FOP__MAX. */
enum patrol_filter_op filter_op_lookup(const struct parser *p,
    const struct tok *t);
/* 1 if t is a word that may name a field (no keyword, no operator). */
int filter_is_field(const struct parser *p, const struct tok *t);
/* Quotes token t for an error message into buf (FILTER_QUOTE_BUFSZ). */
void filter_tokquote(const struct parser *p, const struct tok *t, char *buf);
/* A syntax error at the current token: "unexpected 'x' at position N:
 * expected <what>", or "expected <what> at position N" at the end. */
enum patrol_err filter_expected(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "unknown operator 'AND' at position N (operators are lowercase)". */
enum patrol_err filter_upper_op(struct parser *p);
/* 1 if s[0..len) is -?DIGITS[.DIGITS][(e|E)[+|-]DIGITS]. */
int filter_is_number(const char *s, size_t len);
/* Converts a string that passed filter_is_number. 0, 1 if out of range
 * (overflows to infinity), -1 on ENOMEM. */
int filter_num_parse(const char *s, size_t len, double *out);
/* The decimal point of the current locale into buf (FILTER_RADIXBUF). */
void filter_radix(char *buf);

#endif /* PATROL_FILTER_INT_H */
