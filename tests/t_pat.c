/*
 * t_pat.c: the PAT rules shared by the API and patrolctl (name, scope,
 * validity, expiry), expiry at a given time, the `sorters` parameter, the
 * JSON of a PAT, and patrol_pat_create over a real SQLite store in a
 * temporary directory.
 */
#include "config.h"

#include <sys/stat.h>

#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "tap.h"

static char tmpdir[] = "/tmp/t_pat.XXXXXX";

#define ALICE	"a0000000000000000000000000000001"
#define BOB	"b0000000000000000000000000000002"
#define NOBODY	"c0000000000000000000000000000003"

#define NOW	INT64_C(1700000000000)	/* 2023-11-14T22:13:20Z */
#define DAY_MS	INT64_C(86400000)
#define LAST_MS	INT64_C(253402300799999)	/* 9999-12-31T23:59:59.999Z */

#define RULES	" (RFC 6749, section 3.3)"

/* A string of count copies of unit (static, one at a time). */
static const char *
rep(const char *unit, size_t count)
{
	static char	 buf[1024];
	size_t		 i, len = strlen(unit);

	if (len * count >= sizeof(buf)) {
		printf("Bail out! rep: %zu bytes\n", len * count);
		exit(99);
	}
	buf[0] = '\0';
	for (i = 0; i < count; i++)
		memcpy(buf + i * len, unit, len + 1);
	return buf;
}

/* Checks a rule's result: OK, or INVALID with the text want. */
static void
expect(enum patrol_err rc, const struct patrol_error *err, const char *want,
    const char *what)
{
	if (want == NULL) {
		if (!ok(rc == PATROL_OK, "%s: accepted", what))
			tap_diag("%s", err->text);
		return;
	}
	is_int(rc, PATROL_ERR_INVALID, "%s: INVALID", what);
	is_str(err->text, want, "%s: text", what);
}

static void
test_name(void)
{
	static const struct {
		const char	*what;
		const char	*unit;	/* NULL: the name is NULL */
		size_t		 count;	/* copies of unit */
		const char	*want;	/* NULL: valid */
	} cases[] = {
		{ "NULL", NULL, 0, "name must not be empty" },
		{ "empty", "", 1, "name must not be empty" },
		{ "one byte", "x", 1, NULL },
		{ "128 bytes", "a", 128, NULL },
		{ "129 bytes", "a", 129,
		  "name must be at most 128 bytes, not 129" },
		{ "128 bytes of two-byte characters", "\xc3\xa9", 64, NULL },
		{ "129 bytes of three-byte characters", "\xe2\x82\xac", 43,
		  "name must be at most 128 bytes, not 129" },
		{ "multibyte", "\xc3\x85kesson \xe2\x9c\x93 \xf0\x9f\x98\x80",
		  1, NULL },
		{ "spaces, quotes, backslash", "my \"cli\" 'token' \\ x", 1,
		  NULL },
		{ "stray continuation byte", "ab\x80", 1,
		  "name must be valid UTF-8" },
		{ "truncated sequence", "caf\xc3", 1,
		  "name must be valid UTF-8" },
		{ "overlong slash", "\xc0\xaf", 1, "name must be valid UTF-8" },
		{ "surrogate", "\xed\xa0\x80", 1, "name must be valid UTF-8" },
		{ "above U+10FFFF", "\xf4\x90\x80\x80", 1,
		  "name must be valid UTF-8" },
		{ "0xff", "\xff", 1, "name must be valid UTF-8" },
		{ "tab", "a\tb", 1,
		  "name must not contain control characters (byte 2)" },
		{ "newline at the end", "name\n", 1,
		  "name must not contain control characters (byte 5)" },
		{ "0x01 first", "\x01x", 1,
		  "name must not contain control characters (byte 1)" },
		{ "0x1f", "x\x1f", 1,
		  "name must not contain control characters (byte 2)" },
		{ "DEL 0x7f", "ab\x7f", 1,
		  "name must not contain control characters (byte 3)" },
		{ "escape", "\x1b[31mred", 1,
		  "name must not contain control characters (byte 1)" },
	};
	struct patrol_error	 err;
	const char		*name;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		name = cases[i].unit == NULL ? NULL :
		    rep(cases[i].unit, cases[i].count);
		expect(patrol_pat_check_name(name, &err), &err,
		    cases[i].want, cases[i].what);
	}
	is_int(patrol_pat_check_name("", NULL), PATROL_ERR_INVALID,
	    "name: NULL err accepted");
}

#define SCOPE_ENTRIES	4

static void
test_scope(void)
{
	static const struct {
		const char	*what;
		const char	*v[SCOPE_ENTRIES];
		size_t		 n;
		const char	*want;	/* NULL: valid */
	} cases[] = {
		{ "none", { NULL }, 0, "scope must not be empty (null or "
		  "absent means sp:scopes:all)" },
		{ "one", { "sp:scopes:all" }, 1, NULL },
		{ "several", { "sp:scopes:all", "idn:mfa-configuration:read",
		  "x" }, 3, NULL },
		{ "every allowed character class",
		  { "!", "#$%&'()*+,-./0-9:;<=>?@A-Z[", "]^_`a-z{|}~" }, 3,
		  NULL },
		{ "empty entry", { "a", "" }, 2, "scope 2 is empty" },
		{ "NULL entry", { "a", "b", NULL }, 3, "scope 3 is empty" },
		{ "space", { "a", "a b" }, 2, "scope 2 ('a b') has a "
		  "character not allowed in a scope at byte 2" RULES },
		{ "leading space", { " a" }, 1, "scope 1 (' a') has a "
		  "character not allowed in a scope at byte 1" RULES },
		{ "double quote", { "say\"x\"" }, 1, "scope 1 ('say\"x\"') "
		  "has a character not allowed in a scope at byte 4" RULES },
		{ "backslash", { "a", "b", "c\\d" }, 3, "scope 3 ('c\\d') "
		  "has a character not allowed in a scope at byte 2" RULES },
		{ "DEL 0x7f: not quoted", { "ab\x7f" }, 1, "scope 1 has a "
		  "character not allowed in a scope at byte 3" RULES },
		{ "control character: not quoted", { "a\nb" }, 1, "scope 1 "
		  "has a character not allowed in a scope at byte 2" RULES },
		{ "tab: not quoted", { "ok", "\t" }, 2, "scope 2 has a "
		  "character not allowed in a scope at byte 1" RULES },
		{ "non-ASCII, valid UTF-8: quoted", { "caf\xc3\xa9" }, 1,
		  "scope 1 ('caf\xc3\xa9') has a character not allowed in a "
		  "scope at byte 4" RULES },
		{ "non-ASCII, invalid UTF-8: not quoted", { "x\xff" }, 1,
		  "scope 1 has a character not allowed in a scope at "
		  "byte 2" RULES },
		{ "quote and space: not quoted", { "it's x" }, 1, "scope 1 "
		  "has a character not allowed in a scope at byte 5" RULES },
		{ "a quote alone is allowed", { "it's" }, 1, NULL },
		{ "duplicate", { "a", "b", "a" }, 3,
		  "scope 3 ('a') is given twice" },
		{ "duplicate next to it", { "x:y", "x:y" }, 2,
		  "scope 2 ('x:y') is given twice" },
		{ "duplicate with a quote: not quoted", { "a'b", "c", "a'b" },
		  3, "scope 3 is given twice (as scope 1)" },
		{ "case differs: not a duplicate", { "a", "A" }, 2, NULL },
		{ "first error wins", { "a b", "" }, 2, "scope 1 ('a b') has "
		  "a character not allowed in a scope at byte 2" RULES },
	};
	char			*v[PATROL_SCOPE_MAX + 1];
	char			 e[PATROL_SCOPE_MAX + 1][8];
	char			 longest[PATROL_SCOPE_LEN_MAX + 2];
	char			 want[256];
	struct patrol_error	 err;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		expect(patrol_pat_check_scope((char *const *)cases[i].v,
		    cases[i].n, &err), &err, cases[i].want, cases[i].what);
	}

	/* 64 entries, then 65. */
	for (i = 0; i <= PATROL_SCOPE_MAX; i++) {
		snprintf(e[i], sizeof(e[i]), "s%zu", i);
		v[i] = e[i];
	}
	expect(patrol_pat_check_scope(v, PATROL_SCOPE_MAX, &err), &err, NULL,
	    "64 entries");
	snprintf(want, sizeof(want), "scope must have at most %d entries, "
	    "not %d", PATROL_SCOPE_MAX, PATROL_SCOPE_MAX + 1);
	expect(patrol_pat_check_scope(v, PATROL_SCOPE_MAX + 1, &err), &err,
	    want, "65 entries");
	/* A duplicate at the last place of the longest list. */
	v[PATROL_SCOPE_MAX - 1] = e[0];
	expect(patrol_pat_check_scope(v, PATROL_SCOPE_MAX, &err), &err,
	    "scope 64 ('s0') is given twice", "duplicate in entry 64");
	v[PATROL_SCOPE_MAX - 1] = e[PATROL_SCOPE_MAX - 1];

	/* 128 bytes, then 129; a long entry is not quoted. */
	memset(longest, 's', sizeof(longest));
	longest[PATROL_SCOPE_LEN_MAX] = '\0';
	v[1] = longest;
	expect(patrol_pat_check_scope(v, 2, &err), &err, NULL,
	    "entry of 128 bytes");
	v[2] = longest;
	expect(patrol_pat_check_scope(v, 3, &err), &err,
	    "scope 3 is given twice (as scope 2)",
	    "long duplicate: not quoted");
	longest[PATROL_SCOPE_LEN_MAX - 1] = ' ';
	expect(patrol_pat_check_scope(v, 2, &err), &err,
	    "scope 2 has a character not allowed in a scope at byte 128"
	    RULES, "long entry with a space: not quoted");
	longest[PATROL_SCOPE_LEN_MAX - 1] = 's';
	longest[PATROL_SCOPE_LEN_MAX] = 's';
	longest[PATROL_SCOPE_LEN_MAX + 1] = '\0';
	expect(patrol_pat_check_scope(v, 2, &err), &err,
	    "scope 2 is longer than 128 bytes", "entry of 129 bytes");
	expect(patrol_pat_check_scope(NULL, 1, &err), &err, "scope missing",
	    "NULL list of one");
	is_int(patrol_pat_check_scope(NULL, 0, NULL), PATROL_ERR_INVALID,
	    "scope: NULL err accepted");
}

static void
test_validity(void)
{
	static const struct {
		long		 seconds;
		const char	*want;
	} cases[] = {
		{ 14, "accessTokenValiditySeconds must be between 15 and "
		  "43200, not 14" },
		{ 15, NULL },
		{ 3600, NULL },
		{ 43200, NULL },
		{ 43201, "accessTokenValiditySeconds must be between 15 and "
		  "43200, not 43201" },
		{ 0, "accessTokenValiditySeconds must be between 15 and "
		  "43200, not 0" },
		{ -15, "accessTokenValiditySeconds must be between 15 and "
		  "43200, not -15" },
	};
	struct patrol_error	 err;
	char			 what[64];
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(what, sizeof(what), "validity %ld",
		    cases[i].seconds);
		expect(patrol_pat_check_validity(cases[i].seconds, &err),
		    &err, cases[i].want, what);
	}
	is_int(patrol_pat_check_validity(LONG_MAX, &err), PATROL_ERR_INVALID,
	    "validity LONG_MAX: INVALID");
	is_int(patrol_pat_check_validity(LONG_MIN, NULL), PATROL_ERR_INVALID,
	    "validity LONG_MIN, NULL err: INVALID");
}

static void
test_expiry(void)
{
	static const struct {
		const char	*what;
		int64_t		 expires;
		const char	*want;
	} cases[] = {
		{ "never", -1, NULL },
		{ "a millisecond from now", NOW + 1, NULL },
		{ "in 182 days", NOW + 182 * DAY_MS, NULL },
		{ "now", NOW, "expirationDate must be in the future" },
		{ "a millisecond ago", NOW - 1,
		  "expirationDate must be in the future" },
		{ "the epoch", 0, "expirationDate must be in the future" },
		{ "-2", -2, "expirationDate must be in the future" },
		{ "INT64_MIN", INT64_MIN,
		  "expirationDate must be in the future" },
		{ "9999-12-31T23:59:59.999Z", LAST_MS, NULL },
		{ "the year 10000", LAST_MS + 1,
		  "expirationDate must be before the year 10000" },
		{ "INT64_MAX", INT64_MAX,
		  "expirationDate must be before the year 10000" },
	};
	struct patrol_error	 err;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		expect(patrol_pat_check_expiry(cases[i].expires, NOW, &err),
		    &err, cases[i].want, cases[i].what);
}

static void
test_expired(void)
{
	static const struct {
		int64_t	 expires, now;
		int	 want;
	} cases[] = {
		{ -1, 0, 0 },
		{ -1, INT64_MAX, 0 },
		{ 1000, 999, 0 },
		{ 1000, 1000, 1 },
		{ 1000, 1001, 1 },
		{ 0, 0, 1 },
		{ NOW, NOW - 1, 0 },
		{ NOW, NOW + DAY_MS, 1 },
	};
	struct patrol_pat	 pat;
	size_t			 i;

	memset(&pat, 0, sizeof(pat));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pat.expires = cases[i].expires;
		is_int(patrol_pat_expired(&pat, cases[i].now), cases[i].want,
		    "expires %lld, now %lld: expired %d",
		    (long long)cases[i].expires, (long long)cases[i].now,
		    cases[i].want);
	}
}

/* "created,-name": the sorters of q as text. */
static void
sorters_text(const struct patrol_pat_query *q, char *buf, size_t sz)
{
	static const char *const names[] = { "created", "name", "lastUsed" };
	size_t	 i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < q->nsorters && len < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "%s%s%s",
		    i > 0 ? "," : "", q->sorters[i].desc ? "-" : "",
		    q->sorters[i].key <= PATROL_PAT_SORT_LAST_USED ?
		    names[q->sorters[i].key] : "?");
}

#define SUPPORTED	" (supported: created, name, lastUsed)"

static void
test_sorters(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen(in) */
		const char	*want;	/* parsed, as sorters_text, or NULL */
		const char	*text;	/* error text when want is NULL */
	} cases[] = {
		{ "created", 0, "created", NULL },
		{ "-created", 0, "-created", NULL },
		{ "name", 0, "name", NULL },
		{ "-name", 0, "-name", NULL },
		{ "lastUsed", 0, "lastUsed", NULL },
		{ "-lastUsed", 0, "-lastUsed", NULL },
		{ "name,-created", 0, "name,-created", NULL },
		{ "-lastUsed,name,-created", 0, "-lastUsed,name,-created",
		  NULL },
		{ "created,lastUsed,name", 0, "created,lastUsed,name", NULL },
		{ "namexyz", 4, "name", NULL },	/* only len bytes read */
		{ "", 0, NULL, "sorters: empty field name at position 0" },
		{ "-", 0, NULL, "sorters: empty field name at position 0" },
		{ ",name", 0, NULL, "sorters: empty field name at position 0" },
		{ "name,", 0, NULL, "sorters: empty field name at position 5" },
		{ "name,,created", 0, NULL,
		  "sorters: empty field name at position 5" },
		{ "created,-", 0, NULL,
		  "sorters: empty field name at position 8" },
		{ "owner", 0, NULL, "sorters: unknown field 'owner'"
		  SUPPORTED },
		{ "Name", 0, NULL, "sorters: unknown field 'Name'"
		  SUPPORTED },
		{ "--name", 0, NULL, "sorters: unknown field '-name'"
		  SUPPORTED },
		{ "name, created", 0, NULL, "sorters: unknown field "
		  "' created'" SUPPORTED },
		{ "last_used", 0, NULL, "sorters: unknown field 'last_used'"
		  SUPPORTED },
		{ "caf\xc3\xa9", 0, NULL, "sorters: unknown field "
		  "'caf\xc3\xa9'" SUPPORTED },
		{ "name,name", 0, NULL,
		  "sorters: field 'name' is given twice" },
		{ "created,-created", 0, NULL,
		  "sorters: field 'created' is given twice" },
		{ "lastUsed,name,-lastUsed", 0, NULL,
		  "sorters: field 'lastUsed' is given twice" },
		/* Quoted only when short and printable. */
		{ "abcdefghijklmnopqrstuvwxyz012345", 0, NULL,
		  "sorters: unknown field 'abcdefghijklmnopqrstuvwxyz012345'"
		  SUPPORTED },
		{ "abcdefghijklmnopqrstuvwxyz0123456", 0, NULL,
		  "sorters: unknown field at position 0" SUPPORTED },
		{ "created,it's", 0, NULL,
		  "sorters: unknown field at position 8" SUPPORTED },
		{ "x\ny", 0, NULL,
		  "sorters: unknown field at position 0" SUPPORTED },
		{ "name,\x1b[2J", 0, NULL,
		  "sorters: unknown field at position 5" SUPPORTED },
		{ "x\x7f", 0, NULL,
		  "sorters: unknown field at position 0" SUPPORTED },
		{ "\xff", 0, NULL,
		  "sorters: unknown field at position 0" SUPPORTED },
		{ "na\0me", 5, NULL,
		  "sorters: unknown field at position 0" SUPPORTED },
		{ "name\0", 5, NULL,
		  "sorters: unknown field at position 0" SUPPORTED },
	};
	struct patrol_pat_query	 q;
	struct patrol_error	 err;
	char			 got[128];
	size_t			 i, len;
	enum patrol_err		 rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* q keeps what it had when the parameter is bad. */
		memset(&q, 0, sizeof(q));
		q.sorters[0].key = PATROL_PAT_SORT_LAST_USED;
		q.sorters[0].desc = 1;
		q.nsorters = 1;
		memset(&err, 0, sizeof(err));
		len = cases[i].len > 0 ? cases[i].len : strlen(cases[i].in);
		rc = patrol_pat_sorters_parse(cases[i].in, len, &q, &err);
		sorters_text(&q, got, sizeof(got));
		if (cases[i].want != NULL) {
			if (!ok(rc == PATROL_OK, "sorters \"%s\": parsed",
			    cases[i].in))
				tap_diag("%s", err.text);
			is_str(got, cases[i].want, "sorters \"%s\": keys",
			    cases[i].in);
			continue;
		}
		is_int(rc, PATROL_ERR_INVALID, "sorters case %zu: INVALID", i);
		is_str(err.text, cases[i].text, "sorters case %zu: text", i);
		is_str(got, "-lastUsed", "sorters case %zu: query unchanged",
		    i);
	}
	memset(&q, 0, sizeof(q));
	is_int(patrol_pat_sorters_parse("x", 1, &q, NULL),
	    PATROL_ERR_INVALID, "sorters: NULL err accepted");
}

static void
test_json(void)
{
	struct patrol_pat	 pat;
	json_t			*j;
	char			*text;

	memset(&pat, 0, sizeof(pat));
	snprintf(pat.id, sizeof(pat.id), "10000000000000000000000000000001");
	snprintf(pat.owner_id, sizeof(pat.owner_id), ALICE);
	pat.name = "cli";
	pat.scope_null = 1;
	pat.owner_name = "Alice";
	pat.created = NOW;
	pat.last_used = -1;
	pat.expires = -1;
	pat.validity = 43200;
	snprintf(pat.secret_hash, sizeof(pat.secret_hash), "%s",
	    rep("ab", 32));
	j = patrol_pat_to_json(&pat);
	text = j == NULL ? NULL : json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	is_str(text, "{\"accessTokenValiditySeconds\":43200,"
	    "\"created\":\"2023-11-14T22:13:20.000Z\","
	    "\"expirationDate\":null,"
	    "\"id\":\"10000000000000000000000000000001\","
	    "\"lastUsed\":null,\"managed\":false,\"name\":\"cli\","
	    "\"owner\":{\"id\":\"" ALICE "\",\"name\":\"Alice\","
	    "\"type\":\"IDENTITY\"},\"scope\":null}",
	    "JSON: never expires, no hash");
	free(text);
	json_decref(j);

	pat.expires = NOW + 182 * DAY_MS;
	pat.validity = 15;
	j = patrol_pat_to_json(&pat);
	is_str(json_string_value(json_object_get(j, "expirationDate")),
	    "2024-05-14T22:13:20.000Z", "JSON: expirationDate");
	is_int(json_integer_value(json_object_get(j,
	    "accessTokenValiditySeconds")), 15,
	    "JSON: accessTokenValiditySeconds");
	json_decref(j);
}

/* ---- patrol_pat_create over a real store --------------------------- */

static int
rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

struct tconf {
	struct patrol_conf	 c;
	char			 backend[16];
	char			 path[PATH_MAX];
};

static void
add_identity(struct patrol_store *st, const char *id, const char *name)
{
	struct patrol_identity	 ident;
	struct patrol_error	 err;

	memset(&ident, 0, sizeof(ident));
	snprintf(ident.id, sizeof(ident.id), "%s", id);
	ident.name = (char *)name;
	if (patrol_store_identity_add(st, &ident, &err) != PATROL_OK) {
		printf("Bail out! %s\n", err.text);
		exit(99);
	}
}

static int64_t
owned(struct patrol_store *st, const char *owner)
{
	struct patrol_pat_query	 q;
	struct patrol_error	 err;
	int64_t			 n = -1;

	memset(&q, 0, sizeof(q));
	q.owner_id = owner;
	q.include_managed = 1;
	if (patrol_store_pat_count(st, &q, &n, &err) != PATROL_OK)
		tap_diag("count: %s", err.text);
	return n;
}

static int
lower_hex(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[len] == '\0';
}

static int
all_zero(const void *p, size_t n)
{
	const unsigned char	*b = p;
	size_t			 i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

/* A spec for owner named name, with every default. */
static void
mkspec(struct patrol_pat_spec *sp, const char *owner, const char *name)
{
	memset(sp, 0, sizeof(*sp));
	sp->owner_id = owner;
	sp->name = name;
	sp->scope_null = 1;
}

/* Creation that must fail with code and text, storing nothing. */
static void
create_fails(struct patrol_store *st, const struct patrol_conf *c,
    const struct patrol_pat_spec *sp, enum patrol_err code, const char *text,
    const char *what)
{
	struct patrol_pat	 out;
	struct patrol_error	 err;
	char			 secret[PATROL_SECRET_LEN + 1];
	int64_t			 before;

	before = owned(st, sp->owner_id != NULL && patrol_id_valid(
	    sp->owner_id) ? sp->owner_id : ALICE);
	memset(secret, 'x', sizeof(secret));
	memset(&out, 0x55, sizeof(out));
	is_int(patrol_pat_create(st, c, sp, NOW, &out, secret, &err), code,
	    "%s: %s", what, patrol_strerror(code));
	is_str(err.text, text, "%s: text", what);
	ok(all_zero(secret, sizeof(secret)), "%s: no secret left", what);
	ok(out.name == NULL && out.id[0] == '\0' && out.scope == NULL &&
	    out.owner_name == NULL, "%s: nothing returned", what);
	is_int(owned(st, sp->owner_id != NULL && patrol_id_valid(
	    sp->owner_id) ? sp->owner_id : ALICE), before,
	    "%s: nothing stored", what);
}

static void
test_create(void)
{
	struct tconf		 t;
	struct patrol_conf	*c = &t.c;
	struct patrol_store	*st = NULL;
	struct patrol_pat_spec	 sp;
	struct patrol_pat	 out, got, first;
	struct patrol_error	 err;
	char			 secret[PATROL_SECRET_LEN + 1];
	char			 secret1[PATROL_SECRET_LEN + 1];
	char			 hash[PATROL_HASH_LEN + 1];
	char			*scope[] = { "sp:scopes:all",
				    "idn:mfa-configuration:read" };
	char			*noscope[] = { NULL };

	memset(&t, 0, sizeof(t));
	snprintf(t.backend, sizeof(t.backend), "sqlite");
	snprintf(t.path, sizeof(t.path), "%s/pat.db", tmpdir);
	c->db_backend = t.backend;
	c->db_path = t.path;
	c->db_busy_timeout_ms = 1000;
	c->pat_default_expiry = 182;
	c->pat_max_per_owner = 3;
	if (patrol_store_open(c, 1, &st, &err) != PATROL_OK) {
		printf("Bail out! %s\n", err.text);
		exit(99);
	}
	add_identity(st, ALICE, "Alice");
	add_identity(st, BOB, "Bob");

	/* Defaults. */
	mkspec(&sp, ALICE, "first");
	memset(secret, 'x', sizeof(secret));
	if (!ok(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err) ==
	    PATROL_OK, "create with defaults"))
		tap_diag("%s", err.text);
	ok(patrol_id_valid(out.id), "id is 32 lowercase hex (%s)", out.id);
	ok(lower_hex(secret, PATROL_SECRET_LEN),
	    "secret is 64 lowercase hex characters");
	patrol_secret_hash(secret, PATROL_SECRET_LEN, hash);
	is_str(out.secret_hash, hash, "the secret hashes to the stored hash");
	ok(patrol_secret_check(secret, PATROL_SECRET_LEN, out.secret_hash),
	    "patrol_secret_check accepts the secret");
	is_str(out.name, "first", "name");
	ok(out.scope_null && out.scope == NULL, "scope null");
	is_str(out.owner_id, ALICE, "owner id");
	is_str(out.owner_name, "Alice", "owner name read back");
	is_int(out.created, NOW, "created now");
	is_int(out.last_used, -1, "never used");
	is_int(out.managed, 0, "not managed");
	is_int(out.validity, PATROL_VALIDITY_DEFAULT, "validity 43200");
	is_int(out.expires, NOW + 182 * DAY_MS, "expires 182 days from now");
	is_int(patrol_store_pat_get(st, out.id, &got, &err), PATROL_OK,
	    "stored");
	is_str(got.secret_hash, hash, "stored hash");
	is_int(got.expires, out.expires, "stored expiry");
	is_int(got.validity, out.validity, "stored validity");
	patrol_pat_clear(&got);
	first = out;
	memcpy(secret1, secret, sizeof(secret));

	/* Explicit values are kept. */
	mkspec(&sp, ALICE, "second");
	sp.scope_null = 0;
	sp.scope = scope;
	sp.nscope = 2;
	sp.validity = 900;
	sp.expires = NOW + 1000;
	sp.managed = 1;
	if (!ok(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err) ==
	    PATROL_OK, "create with every value"))
		tap_diag("%s", err.text);
	ok(strcmp(out.id, first.id) != 0, "a new id");
	ok(strcmp(secret, secret1) != 0, "a new secret");
	ok(!out.scope_null && out.nscope == 2 && out.scope != NULL &&
	    strcmp(out.scope[1], "idn:mfa-configuration:read") == 0,
	    "scope kept");
	is_int(out.validity, 900, "validity kept");
	is_int(out.expires, NOW + 1000, "expiry kept");
	is_int(out.managed, 1, "managed kept");
	patrol_pat_clear(&out);
	patrol_pat_clear(&first);

	/* "never" in the configuration; -1 in the spec. */
	c->pat_default_expiry = 0;
	mkspec(&sp, BOB, "never by default");
	is_int(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err),
	    PATROL_OK, "create under default_expiry \"never\"");
	is_int(out.expires, -1, "never expires");
	patrol_pat_clear(&out);
	c->pat_default_expiry = 30;
	mkspec(&sp, BOB, "never asked");
	sp.expires = -1;
	is_int(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err),
	    PATROL_OK, "create with expires -1");
	is_int(out.expires, -1, "never expires, whatever the default");
	patrol_pat_clear(&out);
	mkspec(&sp, BOB, "thirty days");
	sp.scope = scope;	/* ignored: the scope is null */
	sp.nscope = 2;
	is_int(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err),
	    PATROL_OK, "create under default_expiry 30");
	is_int(out.expires, NOW + 30 * DAY_MS, "expires in 30 days");
	ok(out.scope_null && out.nscope == 0, "scope_null wins over a list");
	patrol_pat_clear(&out);

	/* Refusals store nothing and leave no secret. */
	mkspec(&sp, ALICE, "first");
	create_fails(st, c, &sp, PATROL_ERR_EXISTS, "identity " ALICE
	    " already has a personal access token named \"first\"",
	    "same name, same owner");
	mkspec(&sp, NOBODY, "x");
	create_fails(st, c, &sp, PATROL_ERR_NOTFOUND,
	    "identity " NOBODY " not found", "unknown owner");
	mkspec(&sp, "not-an-id", "x");
	create_fails(st, c, &sp, PATROL_ERR_NOTFOUND,
	    "no identity has this owner id", "malformed owner");
	mkspec(&sp, NULL, "x");
	create_fails(st, c, &sp, PATROL_ERR_NOTFOUND,
	    "no identity has this owner id", "NULL owner");
	mkspec(&sp, ALICE, "");
	create_fails(st, c, &sp, PATROL_ERR_INVALID,
	    "name must not be empty", "empty name");
	mkspec(&sp, ALICE, "x\x7f");
	create_fails(st, c, &sp, PATROL_ERR_INVALID,
	    "name must not contain control characters (byte 2)",
	    "control character in the name");
	mkspec(&sp, ALICE, "x");
	sp.scope_null = 0;
	create_fails(st, c, &sp, PATROL_ERR_INVALID, "scope must not be "
	    "empty (null or absent means sp:scopes:all)", "empty scope");
	sp.scope = noscope;
	sp.nscope = 1;
	create_fails(st, c, &sp, PATROL_ERR_INVALID, "scope 1 is empty",
	    "NULL scope entry");
	mkspec(&sp, ALICE, "x");
	sp.validity = 14;
	create_fails(st, c, &sp, PATROL_ERR_INVALID,
	    "accessTokenValiditySeconds must be between 15 and 43200, "
	    "not 14", "validity 14");
	mkspec(&sp, ALICE, "x");
	sp.validity = 43201;
	create_fails(st, c, &sp, PATROL_ERR_INVALID,
	    "accessTokenValiditySeconds must be between 15 and 43200, "
	    "not 43201", "validity 43201");
	mkspec(&sp, ALICE, "x");
	sp.expires = NOW;
	create_fails(st, c, &sp, PATROL_ERR_INVALID,
	    "expirationDate must be in the future", "expires now");
	mkspec(&sp, ALICE, "x");
	sp.expires = -2;
	create_fails(st, c, &sp, PATROL_ERR_INVALID,
	    "expirationDate must be in the future", "expires -2");

	/* The limit: Alice holds 2 of 3. */
	mkspec(&sp, ALICE, "third");
	is_int(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err),
	    PATROL_OK, "third PAT within the limit");
	patrol_pat_clear(&out);
	mkspec(&sp, ALICE, "fourth");
	create_fails(st, c, &sp, PATROL_ERR_LIMIT, "the owner already holds "
	    "3 personal access tokens, the most one identity may hold "
	    "(pat.max_per_owner)", "one over the limit");
	/* The limit is counted before the name: a clash is still LIMIT. */
	mkspec(&sp, ALICE, "first");
	create_fails(st, c, &sp, PATROL_ERR_LIMIT, "the owner already holds "
	    "3 personal access tokens, the most one identity may hold "
	    "(pat.max_per_owner)", "over the limit and a name clash");
	is_int(owned(st, BOB), 3, "bob holds 3 too");
	c->pat_max_per_owner = 4;
	mkspec(&sp, ALICE, "fourth");
	is_int(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err),
	    PATROL_OK, "a higher limit lets one more in");
	patrol_pat_clear(&out);
	c->pat_max_per_owner = 0;
	mkspec(&sp, ALICE, "fifth");
	is_int(patrol_pat_create(st, c, &sp, NOW, &out, secret, &err),
	    PATROL_OK, "max_per_owner 0: no limit");
	patrol_pat_clear(&out);
	is_int(owned(st, ALICE), 5, "alice holds 5");
	patrol_store_close(st);
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_name();
	test_scope();
	test_validity();
	test_expiry();
	test_expired();
	test_sorters();
	test_json();
	test_create();
	nftw(tmpdir, rm, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
