/*
 * t_pat_json.c: a PAT from JSON: the creation body
 * (patrol_pat_spec_from_json), the JSON Patch of its fields
 * (patrol_pat_patch: paths, all or nothing, the rules on the result), and
 * the lifetime of the tokens issued for it (patrol_pat_token_lifetime).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#define NOW	1700000000000LL		/* 2023-11-14T22:13:20Z */
#define LATER	1800000000000LL		/* 2027-01-15T08:00:00.000Z */

static const struct {
	const char	*body;
	enum patrol_err	 rc;
	const char	*name;		/* or the text the error holds */
	int		 scope_null;
	size_t		 nscope;
	long		 validity;
	int64_t		 expires;
} specs[] = {
	{ "{\"name\":\"a\"}", PATROL_OK, "a", 1, 0, 0, 0 },
	{ "{\"name\":\"a\",\"scope\":null,\"expirationDate\":null}",
	  PATROL_OK, "a", 1, 0, 0, -1 },
	{ "{\"name\":\"a\",\"scope\":[\"x\",\"y\"],"
	  "\"accessTokenValiditySeconds\":15,"
	  "\"expirationDate\":\"2027-01-15T08:00:00Z\"}",
	  PATROL_OK, "a", 0, 2, 15, LATER },
	{ "{\"name\":\"a\",\"scope\":[]}", PATROL_OK, "a", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"expirationDate\":\"1970-01-01T00:00:00.001Z\"}",
	  PATROL_OK, "a", 1, 0, 0, 1 },
	{ "[]", PATROL_ERR_INVALID, "expected a JSON object", 0, 0, 0, 0 },
	{ "{\"scope\":[\"x\"]}", PATROL_ERR_INVALID, "name is required",
	  0, 0, 0, 0 },
	{ "{\"name\":[\"a\"]}", PATROL_ERR_INVALID,
	  "name: expected string, got array", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"Name\":\"b\"}", PATROL_ERR_INVALID,
	  "unknown field 'Name'", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"x'y\":1}", PATROL_ERR_INVALID,
	  "unknown field (known:", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"scope\":{}}", PATROL_ERR_INVALID,
	  "scope: expected array of strings or null, got object", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"scope\":[null]}", PATROL_ERR_INVALID,
	  "scope 1: expected string, got null", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"accessTokenValiditySeconds\":true}",
	  PATROL_ERR_INVALID, "expected integer, got boolean", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"accessTokenValiditySeconds\":0}",
	  PATROL_ERR_INVALID, "between 15 and 43200, not 0", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"accessTokenValiditySeconds\":"
	  "-9223372036854775807}",
	  PATROL_ERR_INVALID, "between 15 and 43200", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"expirationDate\":\"2027-01-15 08:00:00Z\"}",
	  PATROL_ERR_INVALID, "not an RFC 3339 date-time", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"expirationDate\":\"1970-01-01T00:00:00Z\"}",
	  PATROL_ERR_INVALID, "must be in the future", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"expirationDate\":\"1960-01-01T00:00:00Z\"}",
	  PATROL_ERR_INVALID, "must be in the future", 0, 0, 0, 0 },
	{ "{\"name\":\"a\",\"expirationDate\":false}", PATROL_ERR_INVALID,
	  "expected RFC 3339 date-time string or null, got boolean",
	  0, 0, 0, 0 },
};

static void
test_specs(void)
{
	struct patrol_pat_spec	 spec;
	struct patrol_error	 err;
	json_t			*o;
	char			**sv;
	enum patrol_err		 rc;
	size_t			 i;

	for (i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		memset(&spec, 0, sizeof(spec));
		memset(&err, 0, sizeof(err));
		sv = NULL;
		if ((o = json_loads(specs[i].body, 0, NULL)) == NULL) {
			ok(0, "test body %zu parses", i);
			continue;
		}
		rc = patrol_pat_spec_from_json(o, &spec, &sv, &err);
		is_int(rc, specs[i].rc, "spec %s: %s", specs[i].body,
		    patrol_strerror(specs[i].rc));
		if (rc != PATROL_OK || specs[i].rc != PATROL_OK) {
			ok(strstr(err.text, specs[i].name) != NULL &&
			    sv == NULL, "... says '%s' (%s)", specs[i].name,
			    err.text);
			json_decref(o);
			continue;
		}
		ok(strcmp(spec.name, specs[i].name) == 0 &&
		    spec.scope_null == specs[i].scope_null &&
		    spec.nscope == specs[i].nscope &&
		    spec.validity == specs[i].validity &&
		    spec.expires == specs[i].expires &&
		    (spec.scope_null ? sv == NULL : spec.scope ==
		    (char *const *)sv), "... reads as given (validity %ld, "
		    "expires %lld)", spec.validity, (long long)spec.expires);
		free(sv);
		json_decref(o);
	}
}

/* The PAT every patch starts from. */
static void
base(struct patrol_pat *p, int64_t expires)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->id, "0123456789abcdef0123456789abcdef");
	strcpy(p->owner_id, "fedcba9876543210fedcba9876543210");
	p->name = strdup("ci");
	p->nscope = 2;
	p->scope = calloc(3, sizeof(char *));
	p->scope[0] = strdup("a");
	p->scope[1] = strdup("b");
	p->created = NOW - 1000;
	p->last_used = -1;
	p->expires = expires;
	p->validity = 3600;
}

/* The patchable fields as compact JSON, new (free()). */
static char *
fields(const struct patrol_pat *p)
{
	json_t	*all = patrol_pat_to_json(p), *f;
	char	*s;

	f = json_pack("{s:O, s:O, s:O, s:O}",
	    "name", json_object_get(all, "name"),
	    "scope", json_object_get(all, "scope"),
	    "expirationDate", json_object_get(all, "expirationDate"),
	    "accessTokenValiditySeconds",
	    json_object_get(all, "accessTokenValiditySeconds"));
	s = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(f);
	json_decref(all);
	return s;
}

#define UNCHANGED "{\"accessTokenValiditySeconds\":3600," \
	"\"expirationDate\":\"2027-01-15T08:00:00.000Z\",\"name\":\"ci\"," \
	"\"scope\":[\"a\",\"b\"]}"
#define F(val, exp, name, scope) "{\"accessTokenValiditySeconds\":" val \
	",\"expirationDate\":" exp ",\"name\":\"" name "\",\"scope\":" \
	scope "}"
#define E "\"2027-01-15T08:00:00.000Z\""
#define AB "[\"a\",\"b\"]"
#define R(path, v) "{\"op\":\"replace\",\"path\":\"" path "\",\"value\":" v "}"
#define A(path, v) "{\"op\":\"add\",\"path\":\"" path "\",\"value\":" v "}"
#define T(path, v) "{\"op\":\"test\",\"path\":\"" path "\",\"value\":" v "}"
#define D(path) "{\"op\":\"remove\",\"path\":\"" path "\"}"

#define NOPOS PATROL_NOPOS

static const struct {
	const char	*patch;
	enum patrol_err	 rc;
	const char	*want;		/* the fields, or the error's text */
	size_t		 pos;
} patches[] = {
	{ "[]", PATROL_OK, UNCHANGED, 0 },
	{ "[" R("/name", "\"new\"") "]", PATROL_OK, F("3600", E, "new", AB),
	  0 },
	{ "[" A("/name", "\"new\"") "]", PATROL_OK, F("3600", E, "new", AB),
	  0 },
	{ "[" A("/scope/-", "\"c\"") "]", PATROL_OK,
	  F("3600", E, "ci", "[\"a\",\"b\",\"c\"]"), 0 },
	{ "[" A("/scope/0", "\"z\"") "]", PATROL_OK,
	  F("3600", E, "ci", "[\"z\",\"a\",\"b\"]"), 0 },
	{ "[" D("/scope/1") "]", PATROL_OK, F("3600", E, "ci", "[\"a\"]"), 0 },
	{ "[" R("/scope/1", "\"c\"") "]", PATROL_OK,
	  F("3600", E, "ci", "[\"a\",\"c\"]"), 0 },
	{ "[" R("/scope", "null") "]", PATROL_OK, F("3600", E, "ci", "null"),
	  0 },
	{ "[" D("/scope") "]", PATROL_OK, F("3600", E, "ci", "null"), 0 },
	{ "[" R("/scope", "[\"x\"]") "]", PATROL_OK,
	  F("3600", E, "ci", "[\"x\"]"), 0 },
	{ "[" R("/expirationDate", "\"2030-01-01T01:00:00+01:00\"") "]",
	  PATROL_OK, F("3600", "\"2030-01-01T00:00:00.000Z\"", "ci", AB), 0 },
	{ "[" R("/expirationDate", "null") "]", PATROL_OK,
	  F("3600", "null", "ci", AB), 0 },
	{ "[" D("/expirationDate") "]", PATROL_OK,
	  F("3600", "null", "ci", AB), 0 },
	{ "[" R("/accessTokenValiditySeconds", "60") "]", PATROL_OK,
	  F("60", E, "ci", AB), 0 },
	{ "[" D("/accessTokenValiditySeconds") "]", PATROL_OK,
	  F("43200", E, "ci", AB), 0 },
	{ "[" T("/name", "\"ci\"") "," R("/name", "\"new\"") "]", PATROL_OK,
	  F("3600", E, "new", AB), 0 },
	{ "[" T("/expirationDate", E) "," T("/scope", AB) ","
	  T("/accessTokenValiditySeconds", "3600.0") "," T("/scope/1", "\"b\"")
	  "]", PATROL_OK, UNCHANGED, 0 },
	{ "[{\"op\":\"copy\",\"from\":\"/name\",\"path\":\"/scope/-\"}]",
	  PATROL_OK, F("3600", E, "ci", "[\"a\",\"b\",\"ci\"]"), 0 },
	{ "[{\"op\":\"move\",\"from\":\"/scope/0\",\"path\":\"/scope/-\"}]",
	  PATROL_OK, F("3600", E, "ci", "[\"b\",\"a\"]"), 0 },
	{ "[" R("/name", "\"x\"") "," R("/name", "\"ci\"") "]", PATROL_OK,
	  UNCHANGED, 0 },

	/* paths that are not patchable, wherever they are */
	{ "[" R("/owner", "{}") "]", PATROL_ERR_INVALID,
	  "operation 0 (replace /owner): path is not a patchable location",
	  0 },
	{ "[" T("/name", "\"ci\"") "," R("/id", "\"x\"") "]",
	  PATROL_ERR_INVALID, "operation 1 (replace /id): path", 1 },
	{ "[" T("/name", "\"other\"") "," A("/managed", "true") "]",
	  PATROL_ERR_INVALID, "operation 1 (add /managed)", 1 },
	{ "[{\"op\":\"move\",\"from\":\"/created\",\"path\":\"/name\"}]",
	  PATROL_ERR_INVALID, "operation 0 (move from /created): from is not",
	  0 },
	{ "[{\"op\":\"copy\",\"from\":\"/lastUsed\",\"path\":\"/name\"}]",
	  PATROL_ERR_INVALID, "from is not a patchable location", 0 },
	{ "[" R("", "{}") "]", PATROL_ERR_INVALID, "path is not", 0 },
	{ "[" R("/name/x", "1") "]", PATROL_ERR_INVALID, "path is not", 0 },
	{ "[" R("/scope/0/x", "1") "]", PATROL_ERR_INVALID, "path is not", 0 },
	{ "[" R("/scope/", "1") "]", PATROL_ERR_INVALID, "path is not", 0 },
	{ "[" R("/scope/~0", "1") "]", PATROL_ERR_INVALID, "path is not", 0 },
	{ "[" R("/n~1ame", "1") "]", PATROL_ERR_INVALID, "path is not", 0 },
	{ "[" R("/na\\u0000me", "1") "]", PATROL_ERR_INVALID,
	  "operation 0 (replace ...): path is not", 0 },
	{ "[" A("/owner\\nx", "1") "]", PATROL_ERR_INVALID,
	  "operation 0 (add ...)", 0 },

	/* malformed, or not applicable (jsonpatch.c) */
	{ "{}", PATROL_ERR_SYNTAX, "", NOPOS },
	{ "[1]", PATROL_ERR_SYNTAX, "operation 0", 0 },
	{ "[" T("/name", "\"ci\"") ",{\"op\":\"bogus\",\"path\":\"/name\"}]",
	  PATROL_ERR_SYNTAX, "operation 1", 1 },
	{ "[{\"path\":\"/name\",\"value\":1}]", PATROL_ERR_SYNTAX,
	  "operation 0", 0 },
	{ "[{\"op\":\"replace\",\"path\":\"/name\"}]", PATROL_ERR_SYNTAX,
	  "value", 0 },
	{ "[" T("/name", "\"other\"") "]", PATROL_ERR_INVALID,
	  "operation 0 (test /name)", 0 },
	{ "[" R("/name", "\"new\"") "," T("/scope/0", "\"b\"") "]",
	  PATROL_ERR_INVALID, "operation 1 (test /scope/0)", 1 },
	{ "[" R("/scope/2", "\"c\"") "]", PATROL_ERR_INVALID, "operation 0",
	  0 },
	{ "[" R("/scope/01", "\"c\"") "]", PATROL_ERR_INVALID, "operation 0",
	  0 },
	{ "[" R("/scope", "null") "," A("/scope/-", "\"c\"") "]",
	  PATROL_ERR_INVALID, "operation 1", 1 },

	/* the result breaks a rule */
	{ "[" R("/name", "\"\"") "]", PATROL_ERR_INVALID,
	  "name must not be empty", NOPOS },
	{ "[" D("/name") "]", PATROL_ERR_INVALID, "name is required", NOPOS },
	{ "[" R("/name", "5") "]", PATROL_ERR_INVALID,
	  "name: expected string, got number", NOPOS },
	{ "[" R("/name", "\"a\\u0007\"") "]", PATROL_ERR_INVALID,
	  "control characters", NOPOS },
	{ "[" R("/scope", "[]") "]", PATROL_ERR_INVALID,
	  "scope must not be empty", NOPOS },
	{ "[" D("/scope/0") "," D("/scope/0") "]", PATROL_ERR_INVALID,
	  "scope must not be empty", NOPOS },
	{ "[" A("/scope/-", "\"a\"") "]", PATROL_ERR_INVALID, "given twice",
	  NOPOS },
	{ "[" A("/scope/-", "[\"c\"]") "]", PATROL_ERR_INVALID,
	  "scope 3: expected string, got array", NOPOS },
	{ "[" R("/scope", "\"a\"") "]", PATROL_ERR_INVALID,
	  "scope: expected array", NOPOS },
	{ "[" R("/accessTokenValiditySeconds", "10") "]", PATROL_ERR_INVALID,
	  "between 15 and 43200", NOPOS },
	{ "[" R("/accessTokenValiditySeconds", "null") "]",
	  PATROL_ERR_INVALID, "expected integer, got null", NOPOS },
	{ "[" R("/expirationDate", "\"2020-01-01T00:00:00Z\"") "]",
	  PATROL_ERR_INVALID, "must be in the future", NOPOS },
	{ "[" R("/expirationDate", "\"next week\"") "]", PATROL_ERR_INVALID,
	  "not an RFC 3339 date-time", NOPOS },
	/* all or nothing: a good operation before a bad one */
	{ "[" R("/name", "\"new\"") "," R("/scope", "null") ","
	  R("/accessTokenValiditySeconds", "9") "]", PATROL_ERR_INVALID,
	  "between 15 and 43200", NOPOS },
};

static void
test_patches(void)
{
	struct patrol_pat	 p;
	struct patrol_error	 err;
	json_t			*patch;
	enum patrol_err		 rc;
	char			*got;
	size_t			 i;

	for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
		if ((patch = json_loads(patches[i].patch, JSON_ALLOW_NUL,
		    NULL)) == NULL) {
			ok(0, "test patch %zu parses", i);
			continue;
		}
		base(&p, LATER);
		memset(&err, 0, sizeof(err));
		rc = patrol_pat_patch(&p, patch, NOW, &err);
		got = fields(&p);
		is_int(rc, patches[i].rc, "patch %s: %s", patches[i].patch,
		    patrol_strerror(patches[i].rc));
		if (patches[i].rc == PATROL_OK)
			is_str(got, patches[i].want, "... gives the fields");
		else {
			ok(strstr(err.text, patches[i].want) != NULL,
			    "... says '%s' (%s)", patches[i].want, err.text);
			is_int(err.position, patches[i].pos,
			    "... at operation %zd", (ssize_t)patches[i].pos);
			is_str(got, UNCHANGED, "... and changes nothing");
		}
		free(got);
		patrol_pat_clear(&p);
		json_decref(patch);
	}

	/* A PAT past its expiry may be renamed; its expiry stays. */
	base(&p, NOW - 1000);
	patch = json_loads("[" R("/name", "\"renamed\"") "]", 0, NULL);
	ok(patrol_pat_patch(&p, patch, NOW, &err) == PATROL_OK &&
	    strcmp(p.name, "renamed") == 0 && p.expires == NOW - 1000,
	    "an expired PAT: renamed, its expiry unchanged");
	json_decref(patch);
	patrol_pat_clear(&p);
	/* A null scope: replaced by a list, then appended to. */
	base(&p, -1);
	while (p.nscope > 0)
		free(p.scope[--p.nscope]);
	free(p.scope);
	p.scope = NULL;
	p.scope_null = 1;
	patch = json_loads("[" T("/scope", "null") "," R("/scope", "[\"x\"]")
	    "," A("/scope/-", "\"y\"") "]", 0, NULL);
	ok(patrol_pat_patch(&p, patch, NOW, &err) == PATROL_OK &&
	    !p.scope_null && p.nscope == 2 && strcmp(p.scope[1], "y") == 0,
	    "a null scope becomes a list");
	json_decref(patch);
	patrol_pat_clear(&p);
}

static const struct {
	long		 validity;
	long		 max;
	int64_t		 expires;	/* from NOW, ms; -1: never */
	long		 want;
	const char	*name;
} lifetimes[] = {
	{ 43200, 3600, -1, 3600, "token.lifetime below the validity" },
	{ 60, 3600, -1, 60, "validity below token.lifetime" },
	{ 43200, 43199, -1, 43199, "the defaults" },
	{ 43200, 3600, 30500, 31, "30.5 s left: 31 (rounded up)" },
	{ 43200, 3600, 1, 1, "1 ms left: 1" },
	{ 15, 3600, 864000000, 15, "validity, far from the expiry" },
	{ 43200, 3600, 3600000, 3600, "expiry exactly at token.lifetime" },
};

int
main(void)
{
	struct patrol_pat	 p;
	size_t			 i;

	test_specs();
	test_patches();
	for (i = 0; i < sizeof(lifetimes) / sizeof(lifetimes[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.validity = lifetimes[i].validity;
		p.expires = lifetimes[i].expires < 0 ? -1 :
		    NOW + lifetimes[i].expires;
		is_int(patrol_pat_token_lifetime(&p, lifetimes[i].max, NOW),
		    lifetimes[i].want, "token_lifetime: %s",
		    lifetimes[i].name);
	}
	return done_testing();
}
