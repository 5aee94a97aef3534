/*
 * filter_print.c: the filter language written back: operator names, the
 * S-expression dump of a parse tree (patrol_filter_dump), numbers in their
 * canonical text whatever the locale, ASCII case folding, and the quoting
 * of input and literals for error messages. The bottom of the filter
 * files: the lexer and the parser use it, it uses neither.
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

const char *const filter_opnames[PATROL_FOP__MAX] = {
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

int
filter_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/*
 * Numbers. printf and strtod use the decimal point of the current locale,
 * which a program may have changed with setlocale; the filter language
 * always uses '.'. So the text is translated to and from the locale's
 * decimal point, found by formatting 0.5 (which is thread-safe, unlike
 * localeconv).
 */
void
filter_radix(char *buf)
{
	char	 t[32];
	int	 n;

	n = snprintf(t, sizeof(t), "%.1f", 0.5);
	if (n < 3 || (size_t)n - 2 >= FILTER_RADIXBUF) {
		strcpy(buf, ".");
		return;
	}
	memcpy(buf, t + 1, (size_t)n - 2);
	buf[n - 2] = '\0';
}


#define NUMBUF		48	/* a formatted double, with room */

const char *
patrol_filter_op_name(enum patrol_filter_op op)
{
	if ((unsigned)op >= PATROL_FOP__MAX)
		return "unknown";
	return filter_opnames[op];
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
 * The canonical text of a finite number: integers below 1e15 in magnitude
 * as integers ("1", "-42"), others in the shortest %g form that converts
 * back to the same double, with '.' as the decimal point and no leading
 * zeros in the exponent ("2.5", "0.1", "-3e+20", "1e-7").
 */
static void
num_format(double d, char *buf)
{
	char	 t[NUMBUF], r[FILTER_RADIXBUF], *e;
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
	filter_radix(r);
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

