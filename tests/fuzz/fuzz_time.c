/*
 * fuzz_time.c: RFC 3339 date-times (patrol_time_parse), as expirationDate
 * and filter literals are read; a parsed time formats and parses back to
 * itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t	 ms, back;
	char	 buf[64];

	if (patrol_time_parse((const char *)data, size, &ms) != PATROL_OK)
		return 0;
	if (patrol_time_format(ms, buf) == 0 &&
	    (patrol_time_parse(buf, strlen(buf), &back) != PATROL_OK ||
	    back != ms))
		abort();	/* a format the parser does not read back */
	return 0;
}
