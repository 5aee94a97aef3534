/*
 * t_jsonw.c: the direct JSON writer (lib/jsonw.c, pat_json_write) writes
 * exactly what jansson's json_dumps(JSON_COMPACT) writes for the same
 * values, so the fast listing and the jansson-built responses agree byte
 * for byte.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

/* json_dumps of one string value, compact, as jansson writes it. */
static char *
jansson_str(const char *s, size_t len)
{
	json_t	*j = json_stringn(s, len);
	char	*out;

	out = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(j);
	return out;
}

static void
same_str(const char *s, size_t len, const char *what)
{
	struct pbuf	 b = { 0 };
	char		*want = jansson_str(s, len);

	pbuf_json_str(&b, s, len);
	ok(want != NULL && b.s != NULL && strcmp(b.s, want) == 0,
	    "string %s: as jansson writes it", what);
	if (want != NULL && b.s != NULL && strcmp(b.s, want) != 0)
		tap_diag("got %s, want %s", b.s, want);
	free(want);
	pbuf_free(&b);
}

static void
test_strings(void)
{
	static const struct {
		const char	*s;
		const char	*what;
	} t[] = {
		{ "", "empty" },
		{ "plain", "plain" },
		{ "a\"b\\c/d", "quote, backslash, slash" },
		{ "\b\f\n\r\t", "short escapes" },
		{ "\x01\x1f\x7f", "other control characters and DEL" },
		{ "Åkesson ✓ 𝄞", "UTF-8 kept" },
		{ "\"", "only a quote" },
		{ "tail\\", "ends in a backslash" },
	};
	char	 all[128];
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		same_str(t[i].s, strlen(t[i].s), t[i].what);
	for (i = 0; i < sizeof(all); i++)
		all[i] = (char)(i + 1 < 128 ? i + 1 : 1);
	same_str(all, sizeof(all) - 1, "every ASCII byte");
	for (i = 1; i < 128; i++) {
		char	 one[4] = { 'x', (char)i, 'y', 0 };
		char	 what[32];

		snprintf(what, sizeof(what), "byte 0x%02zx", i);
		same_str(one, 3, what);
	}
}

static void
test_ints(void)
{
	static const int64_t v[] = { 0, 1, -1, 15, 43200, 9, 10,
	    INT64_MAX, INT64_MIN + 1, INT64_MIN };
	struct pbuf	 b = { 0 };
	char		 want[32];
	size_t		 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		pbuf_reset(&b);
		pbuf_json_int(&b, v[i]);
		snprintf(want, sizeof(want), "%lld", (long long)v[i]);
		is_str(b.s, want, "integer %s", want);
	}
	pbuf_reset(&b);
	pbuf_json_time(&b, -1);
	is_str(b.s, "null", "time -1 is null");
	pbuf_reset(&b);
	pbuf_json_time(&b, 1499798737098LL);
	is_str(b.s, "\"2017-07-11T18:45:37.098Z\"", "time to the millisecond");
	pbuf_reset(&b);
	pbuf_json_time(&b, 253402300800000LL);
	is_str(b.s, "null", "time past year 9999 is null (as time_json)");
	pbuf_free(&b);
}

static void
same_pat(const struct patrol_pat *p, const char *what)
{
	struct pbuf	 b = { 0 };
	json_t		*j = patrol_pat_to_json(p);
	char		*want = j != NULL ? json_dumps(j, JSON_COMPACT) : NULL;

	pat_json_write(&b, p);
	ok(want != NULL && b.s != NULL && strcmp(b.s, want) == 0,
	    "PAT %s: as json_dumps(patrol_pat_to_json) writes it", what);
	if (want != NULL && b.s != NULL && strcmp(b.s, want) != 0)
		tap_diag("got  %s\nwant %s", b.s, want);
	free(want);
	json_decref(j);
	pbuf_free(&b);
}

static void
test_pats(void)
{
	char			*scope[] = { "sp:scopes:all", "a\"b", "c\\d" };
	struct patrol_pat	 p;

	memset(&p, 0, sizeof(p));
	strcpy(p.id, "86f1dc6fe8f54414950454cbb11278fa");
	strcpy(p.owner_id, "2c9180a46faadee4016fb4e018c20639");
	p.name = "NodeJS Integration";
	p.owner_name = "Support";
	p.scope_null = 1;
	p.created = 1499798737098LL;
	p.last_used = -1;
	p.expires = -1;
	p.validity = 43200;
	same_pat(&p, "null scope, never used, never expires");

	p.scope_null = 0;
	p.scope = scope;
	p.nscope = 3;
	p.last_used = 1700000000123LL;
	p.expires = 1800000000000LL;
	p.validity = 15;
	p.managed = 1;
	same_pat(&p, "scope list with escapes, used, managed, expiring");

	p.nscope = 0;
	p.name = "tab\there \"quoted\" Åke / \x01";
	p.owner_name = NULL;
	p.created = 0;
	same_pat(&p, "empty scope, escapes in the name, owner without name");

	p.name = NULL;
	same_pat(&p, "no name");
}

/* Allocation failure: every append fails once b->oom is set, and the
 * writer reports it. */
static void
test_oom(void)
{
	struct patrol_pat	 p;
	struct pbuf		 b = { 0 };

	memset(&p, 0, sizeof(p));
	p.scope_null = 1;
	p.name = "n";
	b.oom = 1;
	is_int(pat_json_write(&b, &p), -1, "writer fails on a failed buffer");
	ok(b.s == NULL, "and wrote nothing");
}

int
main(void)
{
	test_strings();
	test_ints();
	test_pats();
	test_oom();
	return done_testing();
}
