/* t_form.c: multipart/form-data and Content-Type values. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#define BOUNDARY "------------------------123456789012345678901234"
#define B "--" BOUNDARY
#define CT "multipart/form-data; boundary=" BOUNDARY

/* What the npm form-data package (used by the SailPoint SDK) sends. */
static const char sdk_body[] =
    B "\r\n"
    "Content-Disposition: form-data; name=\"grant_type\"\r\n\r\n"
    "client_credentials\r\n"
    B "\r\n"
    "Content-Disposition: form-data; name=\"client_id\"\r\n\r\n"
    "0123456789abcdef0123456789abcdef\r\n"
    B "\r\n"
    "Content-Disposition: form-data; name=\"client_secret\"\r\n\r\n"
    "s3cr3t\r\n"
    B "--\r\n";

static const struct {
	const char	*ctype;
	const char	*body;
	enum patrol_err	 rc;
	const char	*want;
	const char	*name;
} cases[] = {
	{ "multipart/form-data; boundary=xyz",
	  "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--xyz--",
	  PATROL_OK, "a=1", "minimal" },
	{ "multipart/form-data; boundary=\"xyz\"",
	  "preamble\r\n--xyz\r\nContent-Disposition: form-data; name=a\r\n"
	  "Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n--xyz--\r\nepilogue",
	  PATROL_OK, "a=line1\r\nline2", "quoted boundary, preamble, token name, CRLF in value" },
	{ "multipart/form-data; boundary=xyz",
	  "--xyz\r\ncontent-disposition: form-data; name=\"a\"; filename=\"f\"\r\n\r\n\r\n--xyz--",
	  PATROL_OK, "a=", "empty value, lowercase header" },
	{ "multipart/form-data", "--xyz--", PATROL_ERR_SYNTAX, NULL, "no boundary" },
	{ "multipart/form-data; boundary=xyz", "no delimiter here",
	  PATROL_ERR_SYNTAX, NULL, "no delimiter" },
	{ "multipart/form-data; boundary=xyz",
	  "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nunterminated",
	  PATROL_ERR_SYNTAX, NULL, "unterminated part" },
	{ "multipart/form-data; boundary=xyz",
	  "--xyz\r\nContent-Type: text/plain\r\n\r\nx\r\n--xyz--",
	  PATROL_ERR_SYNTAX, NULL, "part without a name" },
	{ "multipart/form-data; boundary=xyz",
	  "--xyz\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--xyz--",
	  PATROL_ERR_SYNTAX, NULL, "not form-data" },
	{ "multipart/form-data; boundary=xyz",
	  "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n",
	  PATROL_ERR_SYNTAX, NULL, "headers without end" },
	{ "multipart/form-data; boundary=xyz",
	  "--xyzgarbage", PATROL_ERR_SYNTAX, NULL, "garbage after delimiter" },
	{ "multipart/form-data; boundary=xyz",
	  "--xyz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n\xff\r\n--xyz--",
	  PATROL_ERR_INVALID, NULL, "invalid UTF-8 value" },
};

static const struct {
	const char	*ctype, *mime;
	int		 want;
} ctypes[] = {
	{ "application/json", "application/json", 1 },
	{ "Application/JSON; charset=utf-8", "application/json", 1 },
	{ "  application/json ;charset=utf-8", "application/json", 1 },
	{ "application/jsonx", "application/json", 0 },
	{ "application/json-patch+json", "application/json", 0 },
	{ "text/plain", "application/json", 0 },
	{ NULL, "application/json", 0 },
};

int
main(void)
{
	struct kvlist		 l = { 0 };
	struct patrol_error	 err;
	struct pbuf		 b;
	enum patrol_err		 rc;
	char			*p;
	size_t			 i, j;

	rc = form_parse_multipart(sdk_body, sizeof(sdk_body) - 1, CT, &l, &err);
	is_int(rc, PATROL_OK, "SDK body parses");
	is_int(l.n, 3, "three fields");
	is_str(kv_get(&l, "grant_type")->val, "client_credentials", "grant_type");
	is_str(kv_get(&l, "client_id")->val, "0123456789abcdef0123456789abcdef",
	    "client_id");
	is_str(kv_get(&l, "client_secret")->val, "s3cr3t", "client_secret");
	kv_free(&l);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		rc = form_parse_multipart(cases[i].body, strlen(cases[i].body),
		    cases[i].ctype, &l, &err);
		is_int(rc, cases[i].rc, "multipart %s: result", cases[i].name);
		if (rc == PATROL_OK) {
			memset(&b, 0, sizeof(b));
			for (j = 0; j < l.n; j++)
				pbuf_printf(&b, "%s=%s", l.v[j].key, l.v[j].val);
			is_str(b.s, cases[i].want, "multipart %s: fields",
			    cases[i].name);
			pbuf_free(&b);
		} else
			ok(err.text[0] != '\0', "multipart %s: says why (%s)",
			    cases[i].name, err.text);
		kv_free(&l);
	}

	for (i = 0; i < sizeof(ctypes) / sizeof(ctypes[0]); i++)
		is_int(ctype_is(ctypes[i].ctype, ctypes[i].mime), ctypes[i].want,
		    "ctype_is(%s, %s)", ctypes[i].ctype ? ctypes[i].ctype :
		    "NULL", ctypes[i].mime);
	p = ctype_param("multipart/form-data; charset=x; boundary=\"a;b\\\"c\"",
	    "boundary");
	is_str(p, "a;b\"c", "quoted parameter with ; and escaped quote");
	free(p);
	p = ctype_param("text/plain; Charset=UTF-8", "charset");
	is_str(p, "UTF-8", "parameter names are case-insensitive");
	free(p);
	ok(ctype_param("text/plain", "charset") == NULL, "absent parameter");
	ok(ctype_param("text/plain; charset=\"open", "charset") == NULL,
	    "unterminated quoted parameter");

	return done_testing();
}
