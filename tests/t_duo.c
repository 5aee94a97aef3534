/* t_duo.c: the Duo MFA configuration: default, validation, merge, masking. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#define DEFAULT_TEXT "{\"mfaMethod\":\"duo-web\",\"enabled\":false," \
	"\"host\":null,\"accessKey\":null,\"identityAttribute\":null," \
	"\"configProperties\":null}"

/* The request example of setMFADuoConfig and the stored form of it. */
#define SPEC "{\"mfaMethod\":\"duo-web\",\"enabled\":true," \
	"\"host\":\"www.example.com\"," \
	"\"accessKey\":\"qw123Y3QlA5UqocYpdU3rEkzrK2D497y\"," \
	"\"identityAttribute\":\"email\",\"configProperties\":{" \
	"\"skey\":\"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B\"," \
	"\"ikey\":\"Q123WE45R6TY7890ZXCV\"}}"
/* Its response example. */
#define SPEC_MASKED "{\"mfaMethod\":\"duo-web\",\"enabled\":true," \
	"\"host\":\"www.example.com\",\"accessKey\":\"q******y\"," \
	"\"identityAttribute\":\"email\",\"configProperties\":{" \
	"\"skey\":\"1******B\",\"ikey\":\"Q123WE45R6TY7890ZXCV\"}}"

#define LONGKEY "k123456789k123456789k123456789k123456789k123456789" \
	"k123456789k123456789k123456789k123456789k123456789"

/* 63 bytes, so a 64-byte cut would split the character after it. */
#define K63 "k123456789k123456789k123456789k123456789k123456789" \
	"k123456789k12"

static const struct {
	const char	*body;
	const char	*error;		/* NULL: valid */
} validate[] = {
	{ "{}", NULL },
	{ SPEC, NULL },
	{ "{\"mfaMethod\":null,\"enabled\":false,\"host\":null,"
	  "\"accessKey\":null,\"identityAttribute\":null,"
	  "\"configProperties\":null}", NULL },
	{ "{\"configProperties\":{\"skey\":null,\"ikey\":1,"
	  "\"other\":{\"a\":[1,{\"b\":true}]}}}", NULL },
	{ "{\"configProperties\":{}}", NULL },
	{ "{\"accessKey\":\"\"}", NULL },
	{ "[1,2]", "body: expected a JSON object" },
	{ "\"duo\"", "body: expected a JSON object" },
	{ "null", "body: expected a JSON object" },
	{ "{\"foo\":1}", "unknown field 'foo'" },
	{ "{\"Enabled\":true}", "unknown field 'Enabled'" },
	{ "{\"skey\":\"x\"}", "unknown field 'skey'" },
	{ "{\"" LONGKEY "\":1}", "unknown field '"
	  "k123456789k123456789k123456789k123456789k123456789k123456789"
	  "k123...'" },
	{ "{\"" K63 "\xc3\xa9tail\":1}", "unknown field '" K63 "...'" },
	{ "{\"enabled\":\"yes\"}", "enabled: expected boolean, got string" },
	{ "{\"enabled\":null}", "enabled: expected boolean, got null" },
	{ "{\"enabled\":1}", "enabled: expected boolean, got number" },
	{ "{\"enabled\":1.5}", "enabled: expected boolean, got number" },
	{ "{\"host\":5}", "host: expected string or null, got number" },
	{ "{\"accessKey\":true}",
	  "accessKey: expected string or null, got boolean" },
	{ "{\"identityAttribute\":[]}",
	  "identityAttribute: expected string or null, got array" },
	{ "{\"host\":{}}", "host: expected string or null, got object" },
	{ "{\"mfaMethod\":\"okta\"}", "mfaMethod: must be \"duo-web\" or null" },
	{ "{\"mfaMethod\":\"DUO-WEB\"}",
	  "mfaMethod: must be \"duo-web\" or null" },
	{ "{\"mfaMethod\":1}", "mfaMethod: must be \"duo-web\" or null" },
	{ "{\"configProperties\":[]}",
	  "configProperties: expected object or null, got array" },
	{ "{\"configProperties\":\"x\"}",
	  "configProperties: expected object or null, got string" },
	{ "{\"configProperties\":{\"skey\":1}}",
	  "configProperties.skey: expected string or null, got number" },
	{ "{\"configProperties\":{\"skey\":[\"x\"]}}",
	  "configProperties.skey: expected string or null, got array" },
	{ "{\"host\":1,\"enabled\":\"x\"}",
	  "host: expected string or null, got number" },
	{ "{\"enabled\":\"x\",\"host\":1}",
	  "enabled: expected boolean, got string" },
};

static const struct {
	const char	*body;
	const char	*stored;	/* NULL: nothing stored yet */
	const char	*want;
	const char	*name;
} merge[] = {
	{ "{}", NULL, DEFAULT_TEXT, "empty body: the defaults" },
	{ SPEC, NULL, SPEC, "the spec example as is" },
	{ "{\"mfaMethod\":null,\"enabled\":true}", NULL,
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":true,\"host\":null,"
	  "\"accessKey\":null,\"identityAttribute\":null,"
	  "\"configProperties\":null}", "mfaMethod null is stored duo-web" },
	{ "{\"accessKey\":\"q******y\",\"configProperties\":{"
	  "\"skey\":\"1******B\",\"ikey\":\"I\"}}", SPEC,
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":\"qw123Y3QlA5UqocYpdU3rEkzrK2D497y\","
	  "\"identityAttribute\":null,\"configProperties\":{"
	  "\"skey\":\"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B\","
	  "\"ikey\":\"I\"}}", "masked secrets keep the stored ones" },
	{ SPEC_MASKED, SPEC, SPEC, "GET then PUT changes nothing" },
	{ "{\"accessKey\":\"new-access-key-1\"}", SPEC,
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":\"new-access-key-1\",\"identityAttribute\":null,"
	  "\"configProperties\":null}", "a new secret replaces the old" },
	{ "{\"accessKey\":\"********\"}", "{\"accessKey\":\"short\"}",
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":\"short\",\"identityAttribute\":null,"
	  "\"configProperties\":null}", "masked short secret is kept" },
	{ "{\"configProperties\":{\"skey\":\"********\"}}",
	  "{\"configProperties\":{\"skey\":\"tiny\"}}",
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":null,\"identityAttribute\":null,"
	  "\"configProperties\":{\"skey\":\"tiny\"}}",
	  "masked short skey is kept" },
	{ "{\"accessKey\":\"q******y\"}", NULL,
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":\"q******y\",\"identityAttribute\":null,"
	  "\"configProperties\":null}", "masked form with nothing stored" },
	{ "{\"accessKey\":\"q******y\"}", "{\"accessKey\":\"abcdefghijk\"}",
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":\"q******y\",\"identityAttribute\":null,"
	  "\"configProperties\":null}",
	  "a mask of something else is a new secret" },
	{ "{\"accessKey\":\"q******y\"}", "{\"accessKey\":null}",
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":\"q******y\",\"identityAttribute\":null,"
	  "\"configProperties\":null}", "masked form over a stored null" },
	{ "{\"accessKey\":null,\"configProperties\":{\"skey\":null}}", SPEC,
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":null,\"identityAttribute\":null,"
	  "\"configProperties\":{\"skey\":null}}", "null clears the secrets" },
	{ "{\"configProperties\":{\"skey\":\"1******B\"}}",
	  "{\"configProperties\":null}",
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":null,\"identityAttribute\":null,"
	  "\"configProperties\":{\"skey\":\"1******B\"}}",
	  "masked skey over stored null properties" },
	{ "{\"configProperties\":{\"ikey\":\"I\"}}", SPEC,
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":null,\"identityAttribute\":null,"
	  "\"configProperties\":{\"ikey\":\"I\"}}",
	  "PUT replaces: an absent skey is dropped" },
	{ "{\"accessKey\":\"\"}", "{\"accessKey\":\"\"}",
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":\"\",\"identityAttribute\":null,"
	  "\"configProperties\":null}", "empty stays empty" },
	{ "{\"configProperties\":{\"x\":{\"y\":[1,2,{\"z\":null}]},"
	  "\"skey\":\"1******B\"}}", SPEC,
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":null,"
	  "\"accessKey\":null,\"identityAttribute\":null,"
	  "\"configProperties\":{\"x\":{\"y\":[1,2,{\"z\":null}]},"
	  "\"skey\":\"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B\"}}",
	  "nested properties copied" },
	{ "{\"host\":\"h\",\"identityAttribute\":\"mail\"}",
	  "{\"host\":\"old\",\"identityAttribute\":\"email\"}",
	  "{\"mfaMethod\":\"duo-web\",\"enabled\":false,\"host\":\"h\","
	  "\"accessKey\":null,\"identityAttribute\":\"mail\","
	  "\"configProperties\":null}", "plain fields come from the body" },
};

static const struct {
	const char	*stored;
	const char	*want;		/* exact compact text */
	const char	*name;
} mask[] = {
	{ SPEC, SPEC_MASKED, "the spec example" },
	{ DEFAULT_TEXT, DEFAULT_TEXT, "the default" },
	{ "{\"accessKey\":\"\",\"configProperties\":{\"skey\":\"\"}}",
	  "{\"accessKey\":\"\",\"configProperties\":{\"skey\":\"\"}}",
	  "empty secrets stay empty" },
	{ "{\"accessKey\":\"short\",\"configProperties\":{\"skey\":\"s\"}}",
	  "{\"accessKey\":\"********\",\"configProperties\":{"
	  "\"skey\":\"********\"}}", "short secrets fully masked" },
	{ "{\"accessKey\":null,\"configProperties\":{\"skey\":null,"
	  "\"ikey\":\"I\"}}", "{\"accessKey\":null,\"configProperties\":{"
	  "\"skey\":null,\"ikey\":\"I\"}}", "nulls stay null" },
	{ "{\"host\":\"0123456789abc\",\"configProperties\":{"
	  "\"ikey\":\"0123456789abc\",\"x\":{\"skey\":\"0123456789abc\"}}}",
	  "{\"host\":\"0123456789abc\",\"configProperties\":{"
	  "\"ikey\":\"0123456789abc\",\"x\":{\"skey\":\"0123456789abc\"}}}",
	  "only accessKey and configProperties.skey are masked" },
	{ "{\"skey\":\"0123456789abc\",\"accessKey\":7}",
	  "{\"skey\":\"0123456789abc\",\"accessKey\":7}",
	  "top-level skey and a non-string accessKey as stored" },
};

static json_t *
load(const char *s)
{
	return json_loads(s, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
}

static char *
dump(const json_t *j)
{
	return j == NULL ? NULL : json_dumps(j, JSON_COMPACT);
}

/* {"configProperties": [[[...1...]]]} nesting `depth` containers in all. */
static json_t *
nested(int depth)
{
	json_t	*j = json_integer(1), *a;
	int	 i;

	for (i = 0; i < depth - 2; i++) {
		a = json_array();
		json_array_append_new(a, j);
		j = a;
	}
	a = json_pack("{s:{s:o}}", "configProperties", "deep", j);
	return a;
}

int
main(void)
{
	struct patrol_error	 err;
	json_t			*body, *stored, *out, *want;
	char			*s, *before_b, *before_s;
	size_t			 i;

	out = patrol_duo_default();
	s = dump(out);
	is_str(s, DEFAULT_TEXT, "default, keys in schema order");
	free(s);
	json_decref(out);

	for (i = 0; i < sizeof(validate) / sizeof(validate[0]); i++) {
		body = load(validate[i].body);
		memset(&err, 0, sizeof(err));
		if (validate[i].error == NULL)
			is_int(patrol_duo_validate(body, &err), PATROL_OK,
			    "valid: %s", validate[i].body);
		else {
			is_int(patrol_duo_validate(body, &err),
			    PATROL_ERR_INVALID, "invalid: %s",
			    validate[i].body);
			is_str(err.text, validate[i].error, "error text for %s",
			    validate[i].body);
		}
		json_decref(body);
	}
	is_int(patrol_duo_validate(NULL, NULL), PATROL_ERR_INVALID,
	    "NULL body, NULL err");

	body = nested(PATROL_DUO_DEPTH_MAX);
	is_int(patrol_duo_validate(body, NULL), PATROL_OK,
	    "%d levels of nesting accepted", PATROL_DUO_DEPTH_MAX);
	json_decref(body);
	body = nested(PATROL_DUO_DEPTH_MAX + 1);
	is_int(patrol_duo_validate(body, &err), PATROL_ERR_INVALID,
	    "%d levels of nesting refused", PATROL_DUO_DEPTH_MAX + 1);
	is_str(err.text, "body: nesting deeper than 16 levels",
	    "depth error text");
	json_decref(body);
	body = nested(2000);
	is_int(patrol_duo_validate(body, NULL), PATROL_ERR_INVALID,
	    "very deep nesting refused");
	json_decref(body);

	for (i = 0; i < sizeof(merge) / sizeof(merge[0]); i++) {
		body = load(merge[i].body);
		stored = merge[i].stored ? load(merge[i].stored) : NULL;
		want = load(merge[i].want);
		before_b = dump(body);
		before_s = dump(stored);
		ok(patrol_duo_validate(body, NULL) == PATROL_OK,
		    "merge %s: body is valid", merge[i].name);
		out = patrol_duo_merge(body, stored, NULL);
		s = dump(out);
		ok(out != NULL && json_equal(out, want), "merge: %s",
		    merge[i].name);
		if (out == NULL || !json_equal(out, want))
			tap_diag("got %s", s ? s : "NULL");
		is_int(json_object_size(out), 6, "merge %s: all six keys",
		    merge[i].name);
		free(s);
		s = dump(body);
		is_str(s, before_b, "merge %s: body untouched", merge[i].name);
		free(s);
		s = dump(stored);
		is_str(s, before_s, "merge %s: stored untouched",
		    merge[i].name);
		free(s);
		free(before_b);
		free(before_s);
		json_decref(body);
		json_decref(stored);
		json_decref(want);
		json_decref(out);
	}

	/* The merged object shows its keys in schema order. */
	body = load("{\"configProperties\":null,\"enabled\":true,"
	    "\"mfaMethod\":null}");
	out = patrol_duo_merge(body, NULL, NULL);
	s = dump(out);
	is_str(s, "{\"mfaMethod\":\"duo-web\",\"enabled\":true,\"host\":null,"
	    "\"accessKey\":null,\"identityAttribute\":null,"
	    "\"configProperties\":null}", "merge: keys in schema order");
	free(s);
	json_decref(out);
	json_decref(body);

	for (i = 0; i < sizeof(mask) / sizeof(mask[0]); i++) {
		stored = load(mask[i].stored);
		before_s = dump(stored);
		out = patrol_duo_mask(stored, NULL);
		s = dump(out);
		is_str(s, mask[i].want, "mask: %s", mask[i].name);
		free(s);
		s = dump(stored);
		is_str(s, before_s, "mask %s: stored untouched", mask[i].name);
		free(s);
		free(before_s);
		json_decref(out);
		json_decref(stored);
	}
	ok(patrol_duo_mask(NULL, NULL) == NULL, "mask of NULL is NULL");

	/* secrets.duo_properties: more configProperties members are secrets,
	 * masked and kept like skey; the others stay as they are. */
	{
		static const char *const props[] = { "akey", "skey", NULL };

		stored = load("{\"accessKey\":\"qw123Y3QlA5UqocYpdU3rEkzrK2D497y\","
		    "\"configProperties\":{\"skey\":\"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B\","
		    "\"akey\":\"abcdefghijklmnop\",\"ikey\":\"plainvalue\"}}");
		out = patrol_duo_mask(stored, props);
		s = dump(out);
		ok(strstr(s, "\"akey\":\"a******p\"") != NULL &&
		    strstr(s, "\"skey\":\"1******B\"") != NULL &&
		    strstr(s, "\"ikey\":\"plainvalue\"") != NULL &&
		    strstr(s, "abcdefghij") == NULL,
		    "props: akey masked, skey masked, ikey as is (%s)", s);
		free(s);
		json_decref(out);
		out = patrol_duo_mask(stored, NULL);
		s = dump(out);
		ok(strstr(s, "\"akey\":\"abcdefghijklmnop\"") != NULL,
		    "without props: akey as is");
		free(s);
		json_decref(out);
		body = load("{\"configProperties\":{\"akey\":\"a******p\","
		    "\"skey\":\"1******B\",\"ikey\":\"i\"}}");
		out = patrol_duo_merge(body, stored, props);
		s = dump(out);
		ok(strstr(s, "\"akey\":\"abcdefghijklmnop\"") != NULL &&
		    strstr(s, "12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B") != NULL,
		    "props: a masked akey sent back keeps the stored one");
		free(s);
		json_decref(out);
		out = patrol_duo_merge(body, stored, NULL);
		s = dump(out);
		ok(strstr(s, "\"akey\":\"a******p\"") != NULL,
		    "without props: akey taken as sent");
		free(s);
		json_decref(out);
		json_decref(body);
		json_decref(stored);
	}
	return done_testing();
}
