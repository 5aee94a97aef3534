/*
 * t_jsonpatch.c: JSON Patch (patrol_jsonpatch_apply), driven by the cases
 * in tests/jsonpatch/ (found through $top_srcdir, which make check sets;
 * tests/jsonpatch/README describes them): the json-patch-tests suite, the
 * examples of RFC 6902 Appendix A, and patrol's own cases with their exact
 * error code, position and text. Every case also checks that the document
 * is left as it was and that a failure returns no document.
 *
 * Built here: the bounds (operations, pointer length, copies), quoting of
 * long and invalid pointers in error texts, ownership (the result shares
 * nothing with the document or the patch), and the allocation-failure
 * ("chaos") test. That one replaces jansson's allocator with
 * json_set_alloc_funcs, which counts live blocks and fails the allocation
 * chaos_left counts down to; jsonpatch.c allocates only through jansson,
 * so it runs under the sanitizers and valgrind too.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static const char	*srcdir;

static long	chaos_left = -1;	/* -1: no failure to inject */
static int	chaos_injected;		/* a failure was injected */
static long	chaos_live;		/* blocks not freed */

static void *
chaos_malloc(size_t n)
{
	void	*p;

	if (chaos_left >= 0 && chaos_left-- == 0) {
		chaos_injected = 1;
		return NULL;
	}
	if ((p = malloc(n)) != NULL)
		chaos_live++;
	return p;
}

static void
chaos_free(void *p)
{
	if (p != NULL)
		chaos_live--;
	free(p);
}

static const struct {
	const char	*name;
	enum patrol_err	 code;
} codes[] = {
	{ "SYNTAX", PATROL_ERR_SYNTAX },
	{ "INVALID", PATROL_ERR_INVALID },
	{ "TOOBIG", PATROL_ERR_TOOBIG },
	{ "NOMEM", PATROL_ERR_NOMEM },
};

/* The code a case file names, or -1. */
static int
code_of(const char *name)
{
	size_t	 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].name, name) == 0)
			return (int)codes[i].code;
	return -1;
}

/* Returns 1 if the error text is what every text must be: NUL-terminated
 * inside the buffer, valid UTF-8, one line. */
static int
text_sane(const struct patrol_error *err)
{
	size_t	 n = strnlen(err->text, sizeof(err->text));

	return n < sizeof(err->text) && n > 0 &&
	    utf8_valid(err->text, n) && strchr(err->text, '\n') == NULL;
}

/* Runs one record of a case file; returns 1 if it passed, with the reason
 * in why otherwise. */
static int
run_case(const json_t *c, int own, char *why, size_t whysz)
{
	struct patrol_error	 err;
	const json_t		*doc, *patch, *expected, *error, *j;
	json_t			*before, *patch_before, *out = NULL;
	enum patrol_err		 rc;
	int			 good = 1, code;

	doc = json_object_get(c, "doc");
	patch = json_object_get(c, "patch");
	expected = json_object_get(c, "expected");
	error = json_object_get(c, "error");
	before = json_deep_copy(doc);
	patch_before = json_deep_copy(patch);
	memset(&err, 0, sizeof(err));
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	if (!json_equal((json_t *)doc, before) ||
	    !json_equal((json_t *)patch, patch_before)) {
		snprintf(why, whysz, "the document or the patch changed");
		good = 0;
	} else if (error == NULL) {
		if (rc != PATROL_OK) {
			snprintf(why, whysz, "failed: %s", err.text);
			good = 0;
		} else if (expected != NULL &&
		    !json_equal(out, (json_t *)expected)) {
			char *s = json_dumps(out, JSON_COMPACT |
			    JSON_ENCODE_ANY | JSON_SORT_KEYS);

			snprintf(why, whysz, "got %s", s ? s : "?");
			free(s);
			good = 0;
		}
	} else if (rc == PATROL_OK || out != NULL || err.code != rc ||
	    !text_sane(&err)) {
		snprintf(why, whysz, "applied, or an inconsistent error "
		    "(%s: %s)", patrol_strerror(rc), err.text);
		good = 0;
	} else if (!own) {
		if (rc != PATROL_ERR_SYNTAX && rc != PATROL_ERR_INVALID) {
			snprintf(why, whysz, "%s", patrol_strerror(rc));
			good = 0;
		}
	} else {
		j = json_object_get(c, "code");
		code = j ? code_of(json_string_value(j)) : -1;
		if (code < 0 || (int)rc != code) {
			snprintf(why, whysz, "code %s: %s",
			    patrol_strerror(rc), err.text);
			good = 0;
		} else if ((j = json_object_get(c, "position")) == NULL ||
		    (json_is_null(j) ? err.position != PATROL_NOPOS :
		    (json_int_t)err.position != json_integer_value(j))) {
			snprintf(why, whysz, "position %zu", err.position);
			good = 0;
		} else if ((j = json_object_get(c, "text")) == NULL ||
		    strcmp(json_string_value(j), err.text) != 0) {
			snprintf(why, whysz, "text \"%s\"", err.text);
			good = 0;
		}
	}
	json_decref(out);
	json_decref(before);
	json_decref(patch_before);
	return good;
}

static void
test_file(const char *name, int own)
{
	char		 path[4096], why[4096];
	json_error_t	 jerr;
	json_t		*cases, *c;
	const char	*comment;
	size_t		 i;
	int		 n = 0;

	snprintf(path, sizeof(path), "%s/tests/jsonpatch/%s", srcdir, name);
	if ((cases = json_load_file(path, JSON_ALLOW_NUL, &jerr)) == NULL) {
		ok(0, "%s: %s:%d: %s", name, path, jerr.line, jerr.text);
		return;
	}
	json_array_foreach(cases, i, c) {
		if (json_object_get(c, "doc") == NULL ||
		    json_object_get(c, "patch") == NULL ||
		    json_is_true(json_object_get(c, "disabled")))
			continue;
		comment = json_string_value(json_object_get(c, "comment"));
		why[0] = '\0';
		if (!ok(run_case(c, own, why, sizeof(why)), "%s %zu: %s", name,
		    i, comment ? comment : "(no comment)"))
			tap_diag("%s", why);
		n++;
	}
	ok(n >= 10, "%s: %d cases run", name, n);
	json_decref(cases);
}

/* A patch of n operations {"op": op, "path": path, "value": 0}. */
static json_t *
repeat(const char *op, const char *path, size_t n)
{
	json_t	*patch = json_array();
	size_t	 i;

	for (i = 0; i < n; i++)
		json_array_append_new(patch, json_pack("{s:s, s:s, s:i}",
		    "op", op, "path", path, "value", 0));
	return patch;
}

static void
test_bounds(void)
{
	struct patrol_error	 err;
	json_t			*doc, *patch, *out, *big;
	enum patrol_err		 rc;
	char			*p;
	size_t			 i;

	doc = json_pack("{s:i}", "a", 0);
	patch = repeat("test", "/a", PATROL_JSONPATCH_OPS_MAX);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	is_int(rc, PATROL_OK, "%d operations apply", PATROL_JSONPATCH_OPS_MAX);
	json_decref(out);
	json_array_append_new(patch, json_pack("{s:s, s:s, s:i}", "op",
	    "test", "path", "/a", "value", 0));
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "%d operations are too many",
	    PATROL_JSONPATCH_OPS_MAX + 1);
	ok(out == NULL && err.position == PATROL_NOPOS, "no result, no "
	    "position");
	is_str(err.text, "the patch has more than 1000 operations",
	    "text of too many operations");
	json_decref(patch);

	/* A pointer of exactly the bound, and one byte more. */
	p = malloc(PATROL_JSONPOINTER_LEN_MAX + 2);
	p[0] = '/';
	memset(p + 1, 'k', PATROL_JSONPOINTER_LEN_MAX);
	p[PATROL_JSONPOINTER_LEN_MAX] = '\0';
	patch = json_pack("[{s:s, s:s, s:i}, {s:s, s:s, s:i}]",
	    "op", "add", "path", p, "value", 7,
	    "op", "test", "path", p, "value", 7);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	is_int(rc, PATROL_OK, "a pointer of %d bytes",
	    PATROL_JSONPOINTER_LEN_MAX);
	is_int(json_integer_value(json_object_get(out, p + 1)), 7,
	    "its member was added");
	json_decref(out);
	json_decref(patch);
	p[PATROL_JSONPOINTER_LEN_MAX] = 'k';
	p[PATROL_JSONPOINTER_LEN_MAX + 1] = '\0';
	patch = json_pack("[{s:s, s:s}]", "op", "remove", "path", p);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "a pointer of %d bytes is too long",
	    PATROL_JSONPOINTER_LEN_MAX + 1);
	ok(out == NULL && err.position == 0 && text_sane(&err) &&
	    strstr(err.text, "path is longer than 1024 bytes") != NULL,
	    "named: %s", err.text);
	ok(strlen(err.text) < 200, "the text quotes a prefix of the path "
	    "(%zu bytes)", strlen(err.text));
	json_decref(patch);
	json_decref(doc);

	/* `from` has the same bound. */
	doc = json_pack("{s:i}", "a", 0);
	patch = json_pack("[{s:s, s:s, s:s}]", "op", "copy", "path", "/b",
	    "from", p);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_TOOBIG && strcmp(err.text, "operation 0 (copy "
	    "/b): from is longer than 1024 bytes") == 0, "a from of %d bytes "
	    "is too long: %s", PATROL_JSONPOINTER_LEN_MAX + 1, err.text);
	json_decref(patch);
	json_decref(doc);
	free(p);

	/* Copies: an array of COPY_MAX values can be copied once, then not
	 * one value more. */
	big = json_array();
	for (i = 0; i + 1 < PATROL_JSONPATCH_COPY_MAX; i++)
		json_array_append_new(big, json_integer(0));
	patch = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]",
	    "op", "copy", "from", "", "path", "/-",
	    "op", "copy", "from", "/0", "path", "/-");
	rc = patrol_jsonpatch_apply(big, patch, &out, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "copying past %d values in all",
	    PATROL_JSONPATCH_COPY_MAX);
	ok(out == NULL && err.position == 1, "at the second copy");
	is_str(err.text, "operation 1 (copy /-): the copies of the patch "
	    "exceed 65536 values", "text of too many copies");
	json_array_remove(patch, 1);
	rc = patrol_jsonpatch_apply(big, patch, &out, &err);
	ok(rc == PATROL_OK && json_array_size(out) ==
	    PATROL_JSONPATCH_COPY_MAX, "%d values may be copied",
	    PATROL_JSONPATCH_COPY_MAX);
	json_decref(out);
	json_decref(patch);
	json_decref(big);

	/* Doubling the document with every copy stops early. */
	doc = json_pack("[i]", 0);
	patch = json_array();
	for (i = 0; i < 100; i++)
		json_array_append_new(patch, json_pack("{s:s, s:s, s:s}",
		    "op", "copy", "from", "", "path", "/-"));
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_TOOBIG && out == NULL && err.position > 10 &&
	    err.position < 20, "doubling copies stop at operation %zu",
	    err.position);
	json_decref(patch);
	json_decref(doc);
}

/* n arrays nested in one another around 0 ([[0]] for 2); 0 for n = 0. */
static json_t *
nested(size_t n)
{
	json_t	*j = json_integer(0), *a;

	while (n-- > 0) {
		a = json_array();
		json_array_append_new(a, j);
		j = a;
	}
	return j;
}

/* A chain of n objects {"c": {"c": ... {}}} under "t", a value 2040 deep
 * under "a", an object under "s"; the path "/t/c/c..." to the n-th object. */
static json_t *
deepdoc(size_t n, char *path, size_t sz)
{
	json_t	*doc, *t = json_object(), *o;
	size_t	 i;

	snprintf(path, sz, "/t");
	for (i = 1; i < n; i++) {
		o = json_object();
		json_object_set_new(o, "c", t);
		t = o;
		strncat(path, "/c", sz - strlen(path) - 1);
	}
	doc = json_pack("{s:o, s:o, s:{}}", "a", nested(2040), "t", t, "s");
	return doc;
}

static void
test_depth(void)
{
	struct patrol_error	 err;
	json_t			*doc, *patch, *out;
	enum patrol_err		 rc;
	char			 path[256], to[300];

	/* The given document. */
	patch = json_array();
	doc = nested(PATROL_JSONPATCH_DEPTH_MAX);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_OK, "a document %d deep", PATROL_JSONPATCH_DEPTH_MAX);
	json_decref(out);
	json_decref(doc);
	doc = nested(PATROL_JSONPATCH_DEPTH_MAX + 1);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_TOOBIG && out == NULL &&
	    err.position == PATROL_NOPOS, "a document %d deep is refused",
	    PATROL_JSONPATCH_DEPTH_MAX + 1);
	is_str(err.text, "the document nests deeper than 2048 levels",
	    "text of a document too deep");
	json_decref(doc);
	json_decref(patch);

	/* add: the value's depth plus the path's tokens. */
	doc = json_pack("{s:{}}", "a");
	patch = json_pack("[{s:s, s:s, s:o}]", "op", "add", "path", "/b",
	    "value", nested(PATROL_JSONPATCH_DEPTH_MAX - 1));
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_OK, "add a value to %d levels",
	    PATROL_JSONPATCH_DEPTH_MAX);
	json_decref(out);
	json_decref(patch);
	patch = json_pack("[{s:s, s:s, s:o}]", "op", "add", "path", "/a/b",
	    "value", nested(PATROL_JSONPATCH_DEPTH_MAX - 1));
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_TOOBIG && out == NULL && err.position == 0,
	    "add a value to %d levels is refused",
	    PATROL_JSONPATCH_DEPTH_MAX + 1);
	is_str(err.text, "operation 0 (add /a/b): the document would nest "
	    "deeper than 2048 levels", "text of a value too deep");
	json_decref(patch);
	patch = json_pack("[{s:s, s:s, s:o}]", "op", "replace", "path", "/a",
	    "value", nested(PATROL_JSONPATCH_DEPTH_MAX + 5));
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_TOOBIG && out == NULL, "replace with a value "
	    "too deep is refused");
	json_decref(patch);
	json_decref(doc);

	/* Move: a shallow object moved down 8 levels (the document's bound
	 * would pass the limit, its measure does not), the deep value moved
	 * down 8 levels (refused). Copy the same. */
	doc = deepdoc(9, path, sizeof(path));
	snprintf(to, sizeof(to), "%s/x", path);
	patch = json_pack("[{s:s, s:s, s:s}]", "op", "move", "from", "/s",
	    "path", to);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_OK, "a shallow value moved deep: %s", err.text);
	json_decref(out);
	json_decref(patch);
	patch = json_pack("[{s:s, s:s, s:s}]", "op", "move", "from", "/a",
	    "path", to);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_TOOBIG && out == NULL && err.position == 0 &&
	    strstr(err.text, "would nest deeper") != NULL,
	    "a deep value moved deeper is refused: %s", err.text);
	json_decref(patch);
	patch = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:s}]",
	    "op", "copy", "from", "/s", "path", to,
	    "op", "copy", "from", "/a", "path", to);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_TOOBIG && out == NULL && err.position == 1 &&
	    strstr(err.text, "would nest deeper") != NULL,
	    "a deep value copied deeper is refused: %s", err.text);
	json_decref(patch);

	/* Moving values up and down within the bound, many times. */
	patch = json_array();
	for (size_t i = 0; i < 100; i++) {
		json_array_append_new(patch, json_pack("{s:s, s:s, s:s}",
		    "op", "move", "from", "/s", "path", to));
		json_array_append_new(patch, json_pack("{s:s, s:s, s:s}",
		    "op", "move", "from", to, "path", "/s"));
	}
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_OK && json_equal(out, doc), "a value moved down "
	    "and up 100 times: %s", rc ? err.text : "ok");
	json_decref(out);
	json_decref(patch);
	json_decref(doc);
}

static void
test_quoting(void)
{
	struct patrol_error	 err;
	json_t			*doc, *patch, *out;
	enum patrol_err		 rc;
	char			 p[1024];
	size_t			 i;

	doc = json_object();

	/* 2-byte characters: the cut after 48 bytes falls inside none. */
	p[0] = '/';
	for (i = 0; i < 500; i++)
		memcpy(p + 1 + 2 * i, "\xc3\xa9", 2);
	p[1001] = '\0';
	patch = json_pack("[{s:s, s:s}]", "op", "remove", "path", p);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_INVALID && text_sane(&err) &&
	    strstr(err.text, "...") != NULL && strlen(err.text) < 150,
	    "a long path is quoted as a valid UTF-8 prefix: %s", err.text);
	json_decref(patch);

	/* A 3-byte character across the bound is kept whole. */
	p[0] = '/';
	memset(p + 1, 'a', 46);
	memcpy(p + 47, "\xe2\x82\xac", 3);
	strcpy(p + 50, "tail");
	patch = json_pack("[{s:s, s:s}]", "op", "remove", "path", p);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_INVALID && text_sane(&err) &&
	    strstr(err.text, "a\xe2\x82\xac...") != NULL,
	    "a character across the cut is kept whole: %s", err.text);
	json_decref(patch);

	/* A string that is not UTF-8 (jansson's _nocheck lets it in). */
	patch = json_pack("[{s:s, s:o, s:i}]", "op", "add", "path",
	    json_stringn_nocheck("/\xff\xc3", 3), "value", 1);
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	is_int(rc, PATROL_ERR_SYNTAX, "a path that is not UTF-8");
	ok(text_sane(&err), "quoted as \\xHH");
	is_str(err.text, "operation 0 (add /\\xff\\xc3): path is not valid "
	    "UTF-8", "text of a path that is not UTF-8");
	json_decref(patch);

	/* Values are never quoted. */
	patch = json_pack("[{s:s, s:s, s:s}]", "op", "test", "path", "",
	    "value", "s3cr3t-value");
	rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
	ok(rc == PATROL_ERR_INVALID && strstr(err.text, "s3cr3t") == NULL,
	    "a failed test quotes no value: %s", err.text);
	json_decref(patch);
	json_decref(doc);
}

static void
test_api(void)
{
	struct patrol_error	 err;
	json_t			*doc, *patch, *out = NULL;
	enum patrol_err		 rc;

	doc = json_pack("{s:{s:i}}", "a", "x", 1);
	patch = json_pack("[{s:s, s:s, s:{s:i}}]", "op", "add", "path", "/b",
	    "value", "y", 2);

	rc = patrol_jsonpatch_apply(doc, patch, &out, NULL);
	ok(rc == PATROL_OK && out != NULL, "err may be NULL");
	ok(out != doc && json_object_get(out, "a") != json_object_get(doc,
	    "a"), "the result is a copy of the document");
	ok(json_object_get(out, "b") != json_object_get(json_array_get(patch,
	    0), "value"), "the value added is a copy of the patch's");
	json_object_set_new(json_object_get(out, "b"), "y", json_integer(3));
	is_int(json_integer_value(json_object_get(json_object_get(
	    json_array_get(patch, 0), "value"), "y")), 2,
	    "changing the result leaves the patch alone");
	ok(doc->refcount == 1 && patch->refcount == 1 && out->refcount == 1,
	    "doc and patch borrowed, the result a new reference");
	json_decref(out);

	out = doc;
	rc = patrol_jsonpatch_apply(doc, json_array_get(patch, 0), &out, &err);
	ok(rc == PATROL_ERR_SYNTAX && out == NULL &&
	    err.position == PATROL_NOPOS, "an operation is not a patch");
	rc = patrol_jsonpatch_apply(doc, NULL, &out, &err);
	ok(rc == PATROL_ERR_SYNTAX && out == NULL &&
	    err.position == PATROL_NOPOS, "a NULL patch: %s", err.text);
	rc = patrol_jsonpatch_apply(NULL, patch, &out, NULL);
	ok(rc == PATROL_ERR_INVALID && out == NULL, "a NULL document");
	rc = patrol_jsonpatch_apply(NULL, patch, &out, &err);
	is_str(err.text, "no document to patch", "text of a NULL document");
	json_decref(patch);
	json_decref(doc);
}

/* Fails each jansson allocation of an application in turn. */
static void
test_chaos(void)
{
	static const char *const patches[] = {
		"[{\"op\": \"add\", \"path\": \"/b/-\", \"value\": "
		    "{\"k\": [1, 2, {\"z\": null}]}},"
		"{\"op\": \"replace\", \"path\": \"/a/x\", \"value\": "
		    "[\"s\", 1.5]},"
		"{\"op\": \"copy\", \"from\": \"/a\", \"path\": \"/c\"},"
		"{\"op\": \"move\", \"from\": \"/c/x\", \"path\": \"/b/0\"},"
		"{\"op\": \"remove\", \"path\": \"/a/y\"},"
		"{\"op\": \"test\", \"path\": \"/b/0\", "
		    "\"value\": [\"s\", 1.5]},"
		"{\"op\": \"add\", \"path\": \"\", \"value\": "
		    "{\"new\": [true]}},"
		"{\"op\": \"add\", \"path\": \"/new/0\", \"value\": {}}]",
		"[{\"op\": \"copy\", \"from\": \"\", \"path\": \"/d\"},"
		"{\"op\": \"test\", \"path\": \"/d/a/x\", \"value\": 1.0},"
		"{\"op\": \"remove\", \"path\": \"/zz\"}]",
	};
	struct patrol_error	 err;
	json_t			*doc, *patch, *out, *copy;
	enum patrol_err		 rc, want;
	size_t			 i;
	long			 n, base;
	int			 good;

	doc = json_loads("{\"a\": {\"x\": 1, \"y\": \"two\"}, \"b\": [0]}", 0,
	    NULL);
	copy = json_deep_copy(doc);
	for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		patch = json_loads(patches[i], 0, NULL);
		want = patrol_jsonpatch_apply(doc, patch, &out, &err);
		json_decref(out);
		good = 1;
		for (n = 0; ; n++) {
			base = chaos_live;
			chaos_injected = 0;
			chaos_left = n;
			rc = patrol_jsonpatch_apply(doc, patch, &out, &err);
			chaos_left = -1;
			json_decref(out);
			if ((chaos_injected ? (rc != PATROL_ERR_NOMEM ||
			    out != NULL) : rc != want) ||
			    chaos_live != base || !json_equal(doc, copy)) {
				tap_diag("failing allocation %ld: %s, %ld "
				    "blocks leaked", n, patrol_strerror(rc),
				    chaos_live - base);
				good = 0;
			}
			if (!chaos_injected)
				break;
		}
		ok(good && n > 10, "chaos %zu (%s): each of %ld allocations "
		    "failed in turn: NOMEM, nothing leaked", i,
		    patrol_strerror(want), n);
		json_decref(patch);
	}
	json_decref(copy);
	json_decref(doc);
}

int
main(void)
{
	/* Before any jansson value exists, so every block is counted. */
	json_set_alloc_funcs(chaos_malloc, chaos_free);
	if ((srcdir = getenv("top_srcdir")) == NULL) {
		printf("Bail out! top_srcdir is not set: run this test "
		    "through make check or set it to the source tree\n");
		return 99;
	}
	test_file("spec_tests.json", 0);
	test_file("tests.json", 0);
	test_file("patrol.json", 1);
	test_bounds();
	test_depth();
	test_quoting();
	test_api();
	test_chaos();
	is_int(chaos_live, 0, "every jansson block was freed");
	return done_testing();
}
