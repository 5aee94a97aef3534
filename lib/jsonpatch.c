/*
 * jsonpatch.c: JSON Patch (RFC 6902) on jansson values, and the JSON
 * Pointers (RFC 6901) that address its locations.
 *
 * The patch is applied to a deep copy of the document, one operation after
 * the other; the first operation that fails drops the copy, so a patch
 * applies whole or not at all. Each operation is checked (op, path, from,
 * value) just before it is applied, so the error names the first operation
 * that is malformed or cannot be applied.
 *
 * Pointers are checked once (length, UTF-8, leading '/', "~" escapes) and
 * then walked token by token, each token decoded into a buffer on the
 * stack: nothing here allocates but jansson. Bounds: the number of
 * operations, the length of a pointer, the values the `copy` operations
 * may duplicate in all (each copy can double the document), and nesting.
 *
 * Nesting: the document must never nest deeper than
 * PATROL_JSONPATCH_DEPTH_MAX, so that every recursion over it (here and in
 * jansson) stays bounded. A value put at a path of k tokens makes the
 * document at most k + its own depth deep. For add, replace and copy that
 * depth is measured (the walk is bounded by the limit, or by the copy
 * budget); a move is first judged from a bound kept for the document and
 * measured only when that bound would pass the limit.
 *
 * Error texts quote pointers only as a bounded prefix in which control
 * characters and invalid bytes appear as \xHH, so a text is valid UTF-8 and
 * one line; values are never quoted.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

/* Bytes of a pointer quoted in an error text, and room for the quote: each
 * byte may become four (\xHH), a UTF-8 sequence may run three bytes past
 * the bound, then "..." and NUL. Two quotes and the fixed words fit in
 * PATROL_ERROR_TEXT_MAX, so no text is ever cut inside a character. */
#define MAX(a, b)	((a) > (b) ? (a) : (b))

#define QUOTE_MAX	48
#define QUOTE_BUFSZ	(QUOTE_MAX * 4 + 8)

enum op {
	OP_ADD, OP_REMOVE, OP_REPLACE, OP_MOVE, OP_COPY, OP_TEST
};

/* The operations and the members each needs besides "op" and "path". */
static const struct {
	const char	*name;
	int		 from;
	int		 value;
} ops[] = {
	[OP_ADD] = { "add", 0, 1 },
	[OP_REMOVE] = { "remove", 0, 0 },
	[OP_REPLACE] = { "replace", 0, 1 },
	[OP_MOVE] = { "move", 1, 0 },
	[OP_COPY] = { "copy", 1, 0 },
	[OP_TEST] = { "test", 0, 1 },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* A checked pointer: s[0..len) is "" or starts with '/', holds no NUL and
 * no '~' but in "~0" and "~1". `what` prefixes the messages about it. */
struct ptr {
	const char	*s;
	size_t		 len;
	const char	*what;	/* "" for path, "from: " for from */
};

/* One application of a patch. */
struct jp {
	json_t			*root;		/* the copy being patched */
	size_t			 copied;	/* values duplicated by copy */
	size_t			 depth;		/* root nests at most this */
	size_t			 index;		/* the current operation */
	char			 label[QUOTE_BUFSZ + 48];
	struct patrol_error	*err;
};

/* Writes s[0..len) into buf (QUOTE_BUFSZ bytes) as printable ASCII and
 * whole UTF-8 characters, other bytes as \xHH, cut after QUOTE_MAX bytes
 * with "..." appended. */
static void
quote(const char *s, size_t len, char *buf)
{
	size_t		 i = 0, o = 0, n;
	unsigned char	 c;

	while (i < len && i < QUOTE_MAX) {
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

/* Fills p->err with "<label>: <message>" and the operation's index;
 * returns code. */
static enum patrol_err
fail(struct jp *p, enum patrol_err code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum patrol_err
fail(struct jp *p, enum patrol_err code, const char *fmt, ...)
{
	char	 msg[PATROL_ERROR_TEXT_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return patrol_error_set(p->err, code, p->index, "%s: %s", p->label,
	    msg);
}

/*
 * Equality as RFC 6902 section 4.6 defines it: same type, strings equal
 * byte for byte, numbers equal as numbers (1 and 1.0 are equal, which
 * json_equal denies), arrays element by element, objects with the same
 * members whatever their order.
 */
static int
num_equal(const json_t *a, const json_t *b)
{
	json_int_t	 i, t;
	double		 d;

	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) == json_integer_value(b);
	if (json_is_real(a) && json_is_real(b))
		return json_real_value(a) == json_real_value(b);
	if (json_is_integer(a)) {
		i = json_integer_value(a);
		d = json_real_value(b);
	} else {
		i = json_integer_value(b);
		d = json_real_value(a);
	}
	/* Exactly: d must be a whole number inside the range of json_int_t
	 * (a 64-bit integer; the bounds are -2^63 and 2^63, both exact as
	 * doubles), where the conversion cannot overflow. */
	if (!(d >= -0x1p63 && d < 0x1p63))
		return 0;
	t = (json_int_t)d;
	return (double)t == d && t == i;
}

static int
equal(json_t *a, json_t *b)
{
	const char	*key;
	json_t		*v, *w;
	size_t		 i;

	if (json_is_number(a) && json_is_number(b))
		return num_equal(a, b);
	if (json_typeof(a) != json_typeof(b))
		return 0;
	switch (json_typeof(a)) {
	case JSON_OBJECT:
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach(a, key, v)
			if ((w = json_object_get(b, key)) == NULL ||
			    !equal(v, w))
				return 0;
		return 1;
	case JSON_ARRAY:
		if (json_array_size(a) != json_array_size(b))
			return 0;
		json_array_foreach(a, i, v)
			if (!equal(v, json_array_get(b, i)))
				return 0;
		return 1;
	case JSON_STRING:
		return json_string_length(a) == json_string_length(b) &&
		    memcmp(json_string_value(a), json_string_value(b),
		    json_string_length(a)) == 0;
	default:
		return 1;
	}
}

/* Number of values in j (j, its members, theirs, ...); counting stops as
 * soon as it passes max. */
static size_t
count(json_t *j, size_t max)
{
	json_t		*v;
	const char	*key;
	size_t		 n = 1, i;

	if (n > max)
		return n;
	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			n += count(v, max - n);
			if (n > max)
				break;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			n += count(v, max - n);
			if (n > max)
				break;
		}
	}
	return n;
}

/* Arrays and objects nested in j, j included (0 for a scalar); the walk
 * stops as soon as the count passes max. */
static size_t
depth(json_t *j, size_t max)
{
	json_t		*v;
	const char	*key;
	size_t		 d = 0, t, i;

	if (!json_is_object(j) && !json_is_array(j))
		return 0;
	if (max == 0)
		return 1;
	if (json_is_object(j)) {
		json_object_foreach(j, key, v)
			if ((t = depth(v, max - 1)) > d && (d = t) >= max)
				break;
	} else {
		json_array_foreach(j, i, v)
			if ((t = depth(v, max - 1)) > d && (d = t) >= max)
				break;
	}
	return d + 1;
}

/* Number of tokens in a checked pointer. */
static size_t
tokens(const struct ptr *ptr)
{
	size_t	 i, n = 0;

	for (i = 0; i < ptr->len; i++)
		if (ptr->s[i] == '/')
			n++;
	return n;
}

/* Checks that a value of depth d (at most PATROL_JSONPATCH_DEPTH_MAX + 1)
 * may be put at ptr, and updates the document's bound. */
static enum patrol_err
nest(struct jp *p, const struct ptr *ptr, size_t d)
{
	size_t	 k = tokens(ptr);

	if (k + d > PATROL_JSONPATCH_DEPTH_MAX)
		return fail(p, PATROL_ERR_TOOBIG, "the document would nest "
		    "deeper than %d levels", PATROL_JSONPATCH_DEPTH_MAX);
	p->depth = MAX(p->depth, k + d);
	return PATROL_OK;
}

/* Checks the member `name` of operation o as a pointer into *ptr. */
static enum patrol_err
ptr_check(struct jp *p, const json_t *o, const char *name, struct ptr *ptr)
{
	const json_t	*j;
	size_t		 i;

	if ((j = json_object_get(o, name)) == NULL)
		return fail(p, PATROL_ERR_SYNTAX, "%s is missing", name);
	if (!json_is_string(j))
		return fail(p, PATROL_ERR_SYNTAX, "%s is not a string", name);
	ptr->s = json_string_value(j);
	ptr->len = json_string_length(j);
	if (ptr->len > PATROL_JSONPOINTER_LEN_MAX)
		return fail(p, PATROL_ERR_TOOBIG, "%s is longer than %d "
		    "bytes", name, PATROL_JSONPOINTER_LEN_MAX);
	if (memchr(ptr->s, '\0', ptr->len) != NULL)
		return fail(p, PATROL_ERR_SYNTAX, "%s contains a NUL "
		    "character", name);
	if (!utf8_valid(ptr->s, ptr->len))
		return fail(p, PATROL_ERR_SYNTAX, "%s is not valid UTF-8",
		    name);
	if (ptr->len > 0 && ptr->s[0] != '/')
		return fail(p, PATROL_ERR_SYNTAX, "%s is not a JSON pointer: "
		    "it must be empty or start with '/'", name);
	for (i = 0; i < ptr->len; i++)
		if (ptr->s[i] == '~' && (i + 1 == ptr->len ||
		    (ptr->s[i + 1] != '0' && ptr->s[i + 1] != '1')))
			return fail(p, PATROL_ERR_SYNTAX, "%s is not a JSON "
			    "pointer: '~' must be followed by '0' or '1'",
			    name);
	return PATROL_OK;
}

/* Decodes the token after the '/' at ptr->s[pos] into tok (room for
 * PATROL_JSONPOINTER_LEN_MAX + 1 bytes, NUL-terminated, *toklen bytes).
 * Returns the offset of the next '/', or ptr->len. */
static size_t
token(const struct ptr *ptr, size_t pos, char *tok, size_t *toklen)
{
	size_t	 i, o = 0;

	for (i = pos + 1; i < ptr->len && ptr->s[i] != '/'; i++) {
		if (ptr->s[i] == '~')
			tok[o++] = ptr->s[++i] == '0' ? '~' : '/';
		else
			tok[o++] = ptr->s[i];
	}
	tok[o] = '\0';
	*toklen = o;
	return i;
}

/* The index into array a that tok names: one below the size (an existing
 * element), or with `insert` up to the size, "-" being the size. */
static enum patrol_err
index_of(struct jp *p, const struct ptr *ptr, const json_t *a,
    const char *tok, size_t toklen, int insert, size_t *idx)
{
	char	 q[QUOTE_BUFSZ];
	size_t	 n = json_array_size(a), v = 0, i;
	int	 big = 0;

	if (toklen == 1 && tok[0] == '-') {
		if (insert) {
			*idx = n;
			return PATROL_OK;
		}
		return fail(p, PATROL_ERR_INVALID, "%sindex - is out of "
		    "range", ptr->what);
	}
	quote(tok, toklen, q);
	if (toklen == 0 || (tok[0] == '0' && toklen > 1))
		return fail(p, PATROL_ERR_INVALID, "%s'%s' is not an array "
		    "index", ptr->what, q);
	for (i = 0; i < toklen; i++) {
		if (tok[i] < '0' || tok[i] > '9')
			return fail(p, PATROL_ERR_INVALID, "%s'%s' is not an "
			    "array index", ptr->what, q);
		/* Stop counting past the size: v stays small. */
		if (!big && (v = v * 10 + (size_t)(tok[i] - '0')) > n)
			big = 1;
	}
	if (big || v > n || (v == n && !insert))
		return fail(p, PATROL_ERR_INVALID, "%sindex %s is out of "
		    "range", ptr->what, q);
	*idx = v;
	return PATROL_OK;
}

/* The member or element of cur that tok names, ptr->s[0..end) being the
 * pointer up to it; *out is borrowed, *idx (may be NULL) the array index. */
static enum patrol_err
child(struct jp *p, const struct ptr *ptr, size_t end, json_t *cur,
    const char *tok, size_t toklen, json_t **out, size_t *idx)
{
	char		 q[QUOTE_BUFSZ];
	enum patrol_err	 rc;
	size_t		 i;

	if (json_is_array(cur)) {
		if ((rc = index_of(p, ptr, cur, tok, toklen, 0,
		    &i)) != PATROL_OK)
			return rc;
		if (idx != NULL)
			*idx = i;
		*out = json_array_get(cur, i);
		return PATROL_OK;
	}
	if (json_is_object(cur) && (*out = json_object_get(cur, tok)) != NULL)
		return PATROL_OK;
	quote(ptr->s, end, q);
	return fail(p, PATROL_ERR_INVALID, "%s%s does not exist", ptr->what,
	    q);
}

/* Finds the value holding the last token of ptr (not ""): *parent is
 * borrowed, tok gets the last token, *last the offset of its '/'. */
static enum patrol_err
walk(struct jp *p, const struct ptr *ptr, json_t **parent, char *tok,
    size_t *toklen, size_t *last)
{
	json_t		*cur = p->root;
	enum patrol_err	 rc;
	size_t		 pos = 0, end;

	for (;;) {
		end = token(ptr, pos, tok, toklen);
		if (end == ptr->len)
			break;
		if ((rc = child(p, ptr, end, cur, tok, *toklen, &cur,
		    NULL)) != PATROL_OK)
			return rc;
		pos = end;
	}
	*parent = cur;
	*last = pos;
	return PATROL_OK;
}

/* The value at ptr, borrowed. */
static enum patrol_err
get(struct jp *p, const struct ptr *ptr, json_t **out)
{
	char		 tok[PATROL_JSONPOINTER_LEN_MAX + 1];
	json_t		*parent;
	enum patrol_err	 rc;
	size_t		 toklen, last;

	if (ptr->len == 0) {
		*out = p->root;
		return PATROL_OK;
	}
	if ((rc = walk(p, ptr, &parent, tok, &toklen, &last)) != PATROL_OK)
		return rc;
	return child(p, ptr, ptr->len, parent, tok, toklen, out, NULL);
}

/* Adds v (stolen) at ptr: replaces the document for "", replaces or adds
 * an object member, inserts into an array (RFC 6902 section 4.1). */
static enum patrol_err
put(struct jp *p, const struct ptr *ptr, json_t *v)
{
	char		 tok[PATROL_JSONPOINTER_LEN_MAX + 1];
	char		 q[QUOTE_BUFSZ];
	json_t		*parent;
	enum patrol_err	 rc;
	size_t		 toklen, last, idx;
	int		 r;

	if (ptr->len == 0) {
		json_decref(p->root);
		p->root = v;
		return PATROL_OK;
	}
	if ((rc = walk(p, ptr, &parent, tok, &toklen, &last)) != PATROL_OK) {
		json_decref(v);
		return rc;
	}
	if (json_is_object(parent))
		r = json_object_set_new(parent, tok, v);
	else if (json_is_array(parent)) {
		if ((rc = index_of(p, ptr, parent, tok, toklen, 1,
		    &idx)) != PATROL_OK) {
			json_decref(v);
			return rc;
		}
		r = json_array_insert_new(parent, idx, v);
	} else {
		json_decref(v);
		if (last == 0)
			return fail(p, PATROL_ERR_INVALID, "%sthe document "
			    "is not an object or array", ptr->what);
		quote(ptr->s, last, q);
		return fail(p, PATROL_ERR_INVALID, "%s%s is not an object "
		    "or array", ptr->what, q);
	}
	/* The parent is a container and the value new, the key valid UTF-8
	 * (a checked pointer), the index in range: only memory can fail. */
	if (r != 0)
		return fail(p, PATROL_ERR_NOMEM, "out of memory");
	return PATROL_OK;
}

/* Removes the value at ptr (not ""), which must exist. */
static enum patrol_err
del(struct jp *p, const struct ptr *ptr)
{
	char		 tok[PATROL_JSONPOINTER_LEN_MAX + 1];
	json_t		*parent, *v;
	enum patrol_err	 rc;
	size_t		 toklen, last, idx;

	if ((rc = walk(p, ptr, &parent, tok, &toklen, &last)) != PATROL_OK ||
	    (rc = child(p, ptr, ptr->len, parent, tok, toklen, &v,
	    &idx)) != PATROL_OK)
		return rc;
	if (json_is_array(parent))
		json_array_remove(parent, idx);
	else
		json_object_del(parent, tok);
	return PATROL_OK;
}

/* Replaces the value at ptr, which must exist, with v (stolen). */
static enum patrol_err
replace(struct jp *p, const struct ptr *ptr, json_t *v)
{
	char		 tok[PATROL_JSONPOINTER_LEN_MAX + 1];
	json_t		*parent, *old;
	enum patrol_err	 rc;
	size_t		 toklen, last, idx;
	int		 r;

	if (ptr->len == 0) {
		json_decref(p->root);
		p->root = v;
		return PATROL_OK;
	}
	if ((rc = walk(p, ptr, &parent, tok, &toklen, &last)) != PATROL_OK ||
	    (rc = child(p, ptr, ptr->len, parent, tok, toklen, &old,
	    &idx)) != PATROL_OK) {
		json_decref(v);
		return rc;
	}
	if (json_is_array(parent))
		r = json_array_set_new(parent, idx, v);
	else
		r = json_object_set_new(parent, tok, v);
	if (r != 0)
		return fail(p, PATROL_ERR_NOMEM, "out of memory");
	return PATROL_OK;
}

/* Returns 1 if pointer a is a proper prefix of pointer b: b names a
 * location inside the value a names. */
static int
inside(const struct ptr *a, const struct ptr *b)
{
	return a->len < b->len && memcmp(a->s, b->s, a->len) == 0 &&
	    b->s[a->len] == '/';
}

static enum patrol_err
apply(struct jp *p, const json_t *o)
{
	char		 q[QUOTE_BUFSZ];
	struct ptr	 path = { NULL, 0, "" }, from = { NULL, 0, "from: " };
	const json_t	*j, *value = NULL;
	json_t		*v;
	enum patrol_err	 rc;
	const char	*name;
	size_t		 op, n, k;

	snprintf(p->label, sizeof(p->label), "operation %zu", p->index);
	if (!json_is_object(o))
		return fail(p, PATROL_ERR_SYNTAX, "not an object");
	if ((j = json_object_get(o, "op")) == NULL)
		return fail(p, PATROL_ERR_SYNTAX, "op is missing");
	if (!json_is_string(j))
		return fail(p, PATROL_ERR_SYNTAX, "op is not a string");
	name = json_string_value(j);
	for (op = 0; op < NOPS; op++)
		if (strlen(ops[op].name) == json_string_length(j) &&
		    strcmp(ops[op].name, name) == 0)
			break;
	if (op == NOPS)
		return fail(p, PATROL_ERR_SYNTAX, "unknown op");

	snprintf(p->label, sizeof(p->label), "operation %zu (%s)", p->index,
	    ops[op].name);
	if ((j = json_object_get(o, "path")) != NULL && json_is_string(j)) {
		quote(json_string_value(j), json_string_length(j), q);
		snprintf(p->label, sizeof(p->label), "operation %zu (%s %s)",
		    p->index, ops[op].name, q[0] == '\0' ? "\"\"" : q);
	}
	if ((rc = ptr_check(p, o, "path", &path)) != PATROL_OK)
		return rc;
	if (ops[op].from &&
	    (rc = ptr_check(p, o, "from", &from)) != PATROL_OK)
		return rc;
	if (ops[op].value && (value = json_object_get(o, "value")) == NULL)
		return fail(p, PATROL_ERR_SYNTAX, "value is missing");

	switch (op) {
	case OP_ADD:
	case OP_REPLACE:
		if ((rc = nest(p, &path, depth((json_t *)value,
		    PATROL_JSONPATCH_DEPTH_MAX))) != PATROL_OK)
			return rc;
		if ((v = json_deep_copy(value)) == NULL)
			return fail(p, PATROL_ERR_NOMEM, "out of memory");
		return op == OP_ADD ? put(p, &path, v) :
		    replace(p, &path, v);
	case OP_REMOVE:
		if (path.len == 0)
			return fail(p, PATROL_ERR_INVALID, "cannot remove the "
			    "whole document");
		return del(p, &path);
	case OP_MOVE:
		if (inside(&from, &path))
			return fail(p, PATROL_ERR_SYNTAX, "cannot move a value "
			    "into itself (from is a parent of path)");
		if ((rc = get(p, &from, &v)) != PATROL_OK)
			return rc;
		if (from.len == path.len &&
		    memcmp(from.s, path.s, path.len) == 0)
			return PATROL_OK;
		/* v nests at most p->depth - tokens(from) deep: measure it
		 * only when that bound is not enough. */
		k = tokens(&path);
		n = tokens(&from);
		if (k > n) {
			if (p->depth + (k - n) <= PATROL_JSONPATCH_DEPTH_MAX)
				p->depth += k - n;
			else if ((rc = nest(p, &path, depth(v,
			    PATROL_JSONPATCH_DEPTH_MAX))) != PATROL_OK)
				return rc;
		}
		/* from is not "" (a parent of every other path): remove v
		 * from its place, then add it at path. */
		json_incref(v);
		if ((rc = del(p, &from)) != PATROL_OK) {
			json_decref(v);
			return rc;
		}
		return put(p, &path, v);
	case OP_COPY:
		if ((rc = get(p, &from, &v)) != PATROL_OK)
			return rc;
		n = count(v, PATROL_JSONPATCH_COPY_MAX - p->copied);
		if (n > PATROL_JSONPATCH_COPY_MAX - p->copied)
			return fail(p, PATROL_ERR_TOOBIG, "the copies of the "
			    "patch exceed %d values",
			    PATROL_JSONPATCH_COPY_MAX);
		p->copied += n;
		if ((rc = nest(p, &path, depth(v,
		    PATROL_JSONPATCH_DEPTH_MAX))) != PATROL_OK)
			return rc;
		if ((v = json_deep_copy(v)) == NULL)
			return fail(p, PATROL_ERR_NOMEM, "out of memory");
		return put(p, &path, v);
	case OP_TEST:
	default:
		if ((rc = get(p, &path, &v)) != PATROL_OK)
			return rc;
		if (!equal(v, (json_t *)value))
			return fail(p, PATROL_ERR_INVALID, "value differs");
		return PATROL_OK;
	}
}

enum patrol_err
patrol_jsonpatch_apply(const json_t *doc, const json_t *patch, json_t **out,
    struct patrol_error *err)
{
	struct jp	 p;
	enum patrol_err	 rc;
	size_t		 n;

	*out = NULL;
	if (doc == NULL)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "no document to patch");
	if (!json_is_array(patch))
		return patrol_error_set(err, PATROL_ERR_SYNTAX, PATROL_NOPOS,
		    "the patch is not an array");
	if (json_array_size(patch) > PATROL_JSONPATCH_OPS_MAX)
		return patrol_error_set(err, PATROL_ERR_TOOBIG, PATROL_NOPOS,
		    "the patch has more than %d operations",
		    PATROL_JSONPATCH_OPS_MAX);
	memset(&p, 0, sizeof(p));
	p.err = err;
	if ((p.depth = depth((json_t *)doc, PATROL_JSONPATCH_DEPTH_MAX)) >
	    PATROL_JSONPATCH_DEPTH_MAX)
		return patrol_error_set(err, PATROL_ERR_TOOBIG, PATROL_NOPOS,
		    "the document nests deeper than %d levels",
		    PATROL_JSONPATCH_DEPTH_MAX);
	if ((p.root = json_deep_copy(doc)) == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	n = json_array_size(patch);
	for (p.index = 0; p.index < n; p.index++)
		if ((rc = apply(&p, json_array_get(patch, p.index))) !=
		    PATROL_OK) {
			json_decref(p.root);
			return rc;
		}
	*out = p.root;
	return PATROL_OK;
}
