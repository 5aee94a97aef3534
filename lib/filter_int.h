/*
 * filter_int.h: the parse tree of the filter language, shared by
 * filter_parse.c (lexer, parser, dump, free), filter_bind.c (schema checks),
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

#endif /* PATROL_FILTER_INT_H */
