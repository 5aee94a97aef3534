/*
 * fuzz_ctype.c: Content-Type values (ctype_is, ctype_param), as every
 * request with a body is checked.
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
	static const char *const params[] = { "boundary", "charset", "" };
	char	*s, *v;
	size_t	 i;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';		/* a header value is a C string */
	(void)ctype_is(s, "application/json");
	(void)ctype_is(s, "multipart/form-data");
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		free((v = ctype_param(s, params[i])));
	free(s);
	return 0;
}
