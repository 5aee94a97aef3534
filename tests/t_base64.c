/*
 * t_base64.c: base64 and base64url (lib/base64.c): the RFC 4648 test
 * vectors both ways, padding rules, alphabets, canonical spellings only,
 * and encode/decode round trips over every length and byte value.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*in;
	const char	*want;	/* NULL: rejected */
} b64[] = {
	/* RFC 4648, section 10. */
	{ "", "" },
	{ "Zg==", "f" },
	{ "Zm8=", "fo" },
	{ "Zm9v", "foo" },
	{ "Zm9vYg==", "foob" },
	{ "Zm9vYmE=", "fooba" },
	{ "Zm9vYmFy", "foobar" },
	{ "aWQ6c2VjcmV0", "id:secret" },
	/* Refused. */
	{ "YQ", NULL },		/* padding missing */
	{ "YQ=", NULL },
	{ "Y===", NULL },
	{ "YR==", NULL },	/* non-canonical trailing bits */
	{ "Y*==", NULL },
	{ "YWJj\n", NULL },
	{ "-_8=", NULL },	/* the url alphabet */
	{ "Zg==Zg==", NULL },	/* padding inside */
};

static const struct {
	const char	*in;
	const char	*want;	/* NULL: rejected */
} b64url[] = {
	{ "", "" },
	{ "Zg", "f" },
	{ "Zm8", "fo" },
	{ "Zm9v", "foo" },
	{ "Zm9vYg", "foob" },
	{ "Zm9vYmE", "fooba" },
	{ "Zm9vYmFy", "foobar" },
	{ "-_8", "\xfb\xff" },
	/* Refused. */
	{ "Zg==", NULL },	/* padding */
	{ "+/8", NULL },	/* the standard alphabet */
	{ "Z", NULL },		/* a length of 1 mod 4 */
	{ "Zh", NULL },		/* non-canonical trailing bits */
	{ "Zm9.", NULL },
};

int
main(void)
{
	unsigned char	 all[256], *d;
	struct pbuf	 b = { 0 };
	size_t		 i, n, len;
	int		 good;

	for (i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		d = b64_decode(b64[i].in, strlen(b64[i].in), 0, &n);
		if (b64[i].want == NULL)
			ok(d == NULL, "base64 refuses \"%s\"", b64[i].in);
		else
			ok(d != NULL && n == strlen(b64[i].want) &&
			    memcmp(d, b64[i].want, n) == 0 && d[n] == '\0',
			    "base64 \"%s\"", b64[i].in);
		free(d);
	}
	for (i = 0; i < sizeof(b64url) / sizeof(b64url[0]); i++) {
		d = b64_decode(b64url[i].in, strlen(b64url[i].in), 1, &n);
		if (b64url[i].want == NULL)
			ok(d == NULL, "base64url refuses \"%s\"", b64url[i].in);
		else
			ok(d != NULL && n == strlen(b64url[i].want) &&
			    memcmp(d, b64url[i].want, n) == 0,
			    "base64url \"%s\"", b64url[i].in);
		free(d);
		if (b64url[i].want == NULL)
			continue;
		pbuf_reset(&b);
		ok(b64url_encode(&b, b64url[i].want,
		    strlen(b64url[i].want)) == 0 && b.len ==
		    strlen(b64url[i].in) && (b.len == 0 ||
		    memcmp(b.s, b64url[i].in, b.len) == 0),
		    "base64url encodes \"%s\"", b64url[i].in);
	}

	/* Every length 0..256 of every byte value: encode, then decode. */
	for (i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)(255 - i);
	good = 1;
	for (len = 0; len <= sizeof(all) && good; len++) {
		pbuf_reset(&b);
		if (b64url_encode(&b, all, len) != 0 ||
		    b.len != (len * 4 + 2) / 3) {
			good = 0;
			break;
		}
		d = b64_decode(b.s != NULL ? b.s : "", b.len, 1, &n);
		good = d != NULL && n == len && memcmp(d, all, len) == 0;
		free(d);
	}
	ok(good, "base64url round trips for lengths 0 to 256");
	pbuf_free(&b);
	return done_testing();
}
