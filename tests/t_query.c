/* t_query.c: query strings and urlencoded forms. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*in;
	enum patrol_err	 rc;
	const char	*want;	/* "k=v|k=v" of the decoded pairs */
	const char	*name;
} cases[] = {
	{ "", PATROL_OK, "", "empty" },
	{ "a=1", PATROL_OK, "a=1", "one pair" },
	{ "a=1&b=2", PATROL_OK, "a=1|b=2", "two pairs" },
	{ "a=1&&b=2&", PATROL_OK, "a=1|b=2", "empty pairs skipped" },
	{ "flag", PATROL_OK, "flag=", "name without value" },
	{ "a=", PATROL_OK, "a=", "empty value" },
	{ "filters=lastUsed+le+2023-02-05T10%3A59%3A27.214Z", PATROL_OK,
	  "filters=lastUsed le 2023-02-05T10:59:27.214Z", "plus and escapes" },
	{ "a=%2B%20%25", PATROL_OK, "a=+ %", "escaped plus, space, percent" },
	{ "owner%2Did=me", PATROL_OK, "owner-id=me", "escaped name" },
	{ "a=b=c", PATROL_OK, "a=b=c", "equals in value" },
	{ "a=%C3%A9", PATROL_OK, "a=\xc3\xa9", "UTF-8 escape" },
	{ "a=%e2%82%ac", PATROL_OK, "a=\xe2\x82\xac", "lowercase hex" },
	{ "a=%", PATROL_ERR_SYNTAX, NULL, "lone percent" },
	{ "a=%4", PATROL_ERR_SYNTAX, NULL, "short escape" },
	{ "a=%zz", PATROL_ERR_SYNTAX, NULL, "bad hex" },
	{ "a=%00", PATROL_ERR_INVALID, NULL, "NUL byte" },
	{ "a=%FF", PATROL_ERR_INVALID, NULL, "invalid UTF-8" },
	{ "a=%C0%AF", PATROL_ERR_INVALID, NULL, "overlong UTF-8" },
	{ "%FF=1", PATROL_ERR_INVALID, NULL, "invalid UTF-8 name" },
};

static char *
join(const struct kvlist *l)
{
	struct pbuf	 b = { 0 };
	size_t		 i;

	pbuf_adds(&b, "");
	for (i = 0; i < l->n; i++)
		pbuf_printf(&b, "%s%s=%s", i ? "|" : "", l->v[i].key,
		    l->v[i].val);
	return pbuf_take(&b);
}

int
main(void)
{
	struct kvlist		 l = { 0 };
	struct patrol_error	 err;
	struct pbuf		 many = { 0 };
	enum patrol_err		 rc;
	char			*got;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		rc = kv_parse_urlencoded(cases[i].in, strlen(cases[i].in), &l,
		    &err);
		is_int(rc, cases[i].rc, "%s: result", cases[i].name);
		if (rc == PATROL_OK) {
			got = join(&l);
			is_str(got, cases[i].want, "%s: pairs", cases[i].name);
			free(got);
		} else
			ok(err.text[0] != '\0', "%s: error text (%s)",
			    cases[i].name, err.text);
		kv_free(&l);
	}

	kv_parse_urlencoded("a=1&b=2&a=3", 11, &l, NULL);
	is_str(kv_dup(&l), "a", "kv_dup finds a repeated name");
	is_str(kv_get(&l, "a")->val, "1", "kv_get returns the first");
	ok(kv_get(&l, "c") == NULL, "kv_get of an absent name");
	kv_free(&l);
	kv_parse_urlencoded("a=1&b=2", 7, &l, NULL);
	ok(kv_dup(&l) == NULL, "kv_dup without repeats");
	kv_free(&l);

	for (i = 0; i <= FORM_FIELDS_MAX; i++)
		pbuf_printf(&many, "p%zu=x&", i);
	rc = kv_parse_urlencoded(many.s, many.len, &l, &err);
	is_int(rc, PATROL_ERR_TOOBIG, "more than FORM_FIELDS_MAX pairs");
	kv_free(&l);
	pbuf_free(&many);

	memset(&err, 0, sizeof(err));
	rc = kv_parse_urlencoded("filters=%FF", 11, &l, &err);
	ok(strstr(err.text, "filters") != NULL,
	    "a bad value names its parameter (%s)", err.text);
	kv_free(&l);
	return done_testing();
}
