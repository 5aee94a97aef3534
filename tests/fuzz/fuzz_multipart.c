/*
 * fuzz_multipart.c: multipart/form-data bodies (form_parse_multipart). The
 * first line of the input is the Content-Type value, the rest the body, so
 * the fuzzer varies both (boundary parameter included).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kvlist		 l = { 0 };
	struct patrol_error	 err = { 0 };
	const char		*nl;
	char			*ctype;
	size_t			 clen;

	nl = memchr(data, '\n', size);
	clen = nl != NULL ? (size_t)(nl - (const char *)data) : size;
	if ((ctype = malloc(clen + 1)) == NULL)
		return 0;
	memcpy(ctype, data, clen);
	ctype[clen] = '\0';
	if (nl != NULL)
		(void)form_parse_multipart(nl + 1, size - clen - 1, ctype, &l,
		    &err);
	kv_free(&l);
	free(ctype);
	return 0;
}
