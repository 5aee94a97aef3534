/*
 * fuzz_urlencoded.c: query strings and application/x-www-form-urlencoded
 * bodies (kv_parse_urlencoded, url_decode), as /oauth/token and every
 * listing read them.
 */
#include "config.h"

#include <stdlib.h>

#include "patrol.h"
#include "extern.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist		 l = { 0 };
	struct patrol_error	 err = { 0 };
	char			*out;
	size_t			 outlen;

	if (kv_parse_urlencoded((const char *)data, size, &l, &err) ==
	    PATROL_OK) {
		(void)kv_get(&l, "client_secret");
		(void)kv_dup(&l);
	}
	kv_free(&l);
	if (url_decode((const char *)data, size, 1, "fuzz", &out, &outlen,
	    &err) == PATROL_OK)
		free(out);
	return 0;
}
