/*
 * fuzz_filter.c: the filter language (patrol-filters(7)): parse any bytes;
 * on success print the tree, bind it to the PAT listing's schema and, when
 * that holds, compile it to SQL in both placeholder styles.
 */
#include "config.h"

#include <stdlib.h>

#include "patrol.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const columns[] = { "last_used" };
	struct patrol_filter	*f = NULL;
	struct patrol_error	 err = { 0 };
	struct patrol_sql	 sql = { 0 };
	char			 dump[256];

	if (patrol_filter_parse((const char *)data, size, &f, &err) !=
	    PATROL_OK)
		return 0;
	patrol_filter_dump(f, dump, sizeof(dump));
	if (patrol_filter_bind(f, &patrol_pat_filter_schema, &err) ==
	    PATROL_OK) {
		if (patrol_filter_sql(f, &patrol_pat_filter_schema, columns,
		    PATROL_SQL_QMARK, 1, &sql, &err) == PATROL_OK)
			patrol_sql_clear(&sql);
		if (patrol_filter_sql(f, &patrol_pat_filter_schema, columns,
		    PATROL_SQL_DOLLAR, 3, &sql, &err) == PATROL_OK)
			patrol_sql_clear(&sql);
	}
	patrol_filter_free(f);
	return 0;
}
