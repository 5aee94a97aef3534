/* t_time.c: the clock, RFC 3339 formatting and strict parsing. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#define MS_MIN	INT64_C(-62167219200000)	/* 0000-01-01T00:00:00Z */
#define MS_MAX	INT64_C(253402300799999)	/* 9999-12-31T23:59:59.999Z */

static const struct {
	int64_t		 ms;
	const char	*text;	/* NULL: out of range */
} fmt[] = {
	{ 0, "1970-01-01T00:00:00.000Z" },
	{ 1, "1970-01-01T00:00:00.001Z" },
	{ -1, "1969-12-31T23:59:59.999Z" },
	{ -86400000, "1969-12-31T00:00:00.000Z" },
	{ -86400001, "1969-12-30T23:59:59.999Z" },
	{ INT64_C(1675594767000), "2023-02-05T10:59:27.000Z" },
	{ INT64_C(951782400000), "2000-02-29T00:00:00.000Z" },
	{ INT64_C(1709251199999), "2024-02-29T23:59:59.999Z" },
	{ INT64_C(-2203891200000), "1900-03-01T00:00:00.000Z" },
	{ INT64_C(-11670955200000), "1600-02-29T12:00:00.000Z" },
	{ INT64_C(-62135596800000), "0001-01-01T00:00:00.000Z" },
	{ MS_MIN, "0000-01-01T00:00:00.000Z" },
	{ MS_MAX, "9999-12-31T23:59:59.999Z" },
	{ MS_MIN - 1, NULL },
	{ MS_MAX + 1, NULL },
	{ INT64_MIN, NULL },
	{ INT64_MAX, NULL },
};

static const struct {
	const char	*text;
	int64_t		 ms;	/* meaningful when ok */
	int		 ok;
	const char	*name;
} parse[] = {
	{ "2023-02-05T10:59:27Z", INT64_C(1675594767000), 1, "spec example" },
	{ "2023-02-05t10:59:27z", INT64_C(1675594767000), 1, "lowercase t, z" },
	{ "2023-02-05T10:59:27.1Z", INT64_C(1675594767100), 1, "one digit" },
	{ "2023-02-05T10:59:27.12Z", INT64_C(1675594767120), 1, "two digits" },
	{ "2023-02-05T10:59:27.123Z", INT64_C(1675594767123), 1, "ms" },
	{ "2023-02-05T10:59:27.123999999999999999999Z",
	  INT64_C(1675594767123), 1, "long fraction truncated" },
	{ "2023-02-05T10:59:27+05:30", INT64_C(1675574967000), 1, "+05:30" },
	{ "2023-02-05T10:59:27-08:00", INT64_C(1675623567000), 1, "-08:00" },
	{ "2023-02-05T10:59:27+00:00", INT64_C(1675594767000), 1, "+00:00" },
	{ "2023-02-05T10:59:27-00:00", INT64_C(1675594767000), 1, "-00:00" },
	{ "2023-01-01T00:30:00+01:00", INT64_C(1672529400000), 1,
	  "offset crosses into the previous year" },
	{ "2023-02-05T10:59:27.5+23:59", INT64_C(1675508427500), 1,
	  "fraction and the largest offset" },
	{ "2000-02-29T00:00:00Z", INT64_C(951782400000), 1, "leap day 2000" },
	{ "2024-02-29T23:59:59.999Z", INT64_C(1709251199999), 1,
	  "leap day 2024" },
	{ "1600-02-29T12:00:00Z", INT64_C(-11670955200000), 1,
	  "leap day 1600" },
	{ "1969-12-31T23:59:59.999Z", -1, 1, "before the epoch" },
	{ "0000-01-01T00:00:00Z", MS_MIN, 1, "year 0" },
	{ "9999-12-31T23:59:59.999Z", MS_MAX, 1, "year 9999" },
	{ "2023-12-31T23:59:59Z", INT64_C(1704067199000), 1, "31 December" },

	{ "", 0, 0, "empty" },
	{ "2023-02-05", 0, 0, "date only" },
	{ "2023-02-05T10:59:27", 0, 0, "no zone" },
	{ "2023-02-05T10:59Z", 0, 0, "no seconds" },
	{ "2023-02-05 10:59:27Z", 0, 0, "space instead of T" },
	{ "2023-02-05X10:59:27Z", 0, 0, "X instead of T" },
	{ "2023/02/05T10:59:27Z", 0, 0, "slashes" },
	{ "2023-2-05T10:59:27Z", 0, 0, "one-digit month" },
	{ "02023-02-05T10:59:27Z", 0, 0, "five-digit year" },
	{ "+2023-02-05T10:59:27Z", 0, 0, "signed year" },
	{ "2023-00-05T10:59:27Z", 0, 0, "month 0" },
	{ "2023-13-05T10:59:27Z", 0, 0, "month 13" },
	{ "2023-02-00T10:59:27Z", 0, 0, "day 0" },
	{ "2023-01-32T10:59:27Z", 0, 0, "32 January" },
	{ "2023-04-31T10:59:27Z", 0, 0, "31 April" },
	{ "2023-02-29T10:59:27Z", 0, 0, "29 February 2023" },
	{ "1900-02-29T10:59:27Z", 0, 0, "29 February 1900" },
	{ "2024-02-30T10:59:27Z", 0, 0, "30 February 2024" },
	{ "2023-02-05T24:00:00Z", 0, 0, "hour 24" },
	{ "2023-02-05T10:60:27Z", 0, 0, "minute 60" },
	{ "2023-02-05T10:59:60Z", 0, 0, "leap second refused" },
	{ "2023-02-05T10:59:27.Z", 0, 0, "dot without digits" },
	{ "2023-02-05T10:59:27.", 0, 0, "dot at the end" },
	{ "2023-02-05T10:59:27.123", 0, 0, "fraction without zone" },
	{ "2023-02-05T10:59:27,123Z", 0, 0, "comma fraction" },
	{ "2023-02-05T10:59:27.12aZ", 0, 0, "letter in the fraction" },
	{ "2023-02-05T10:59:27ZZ", 0, 0, "trailing Z" },
	{ "2023-02-05T10:59:27Z ", 0, 0, "trailing space" },
	{ " 2023-02-05T10:59:27Z", 0, 0, "leading space" },
	{ "2023-02-05T10:59:27+0530", 0, 0, "offset without colon" },
	{ "2023-02-05T10:59:27+05", 0, 0, "offset hours only" },
	{ "2023-02-05T10:59:27+05:3", 0, 0, "short offset minutes" },
	{ "2023-02-05T10:59:27+05:300", 0, 0, "long offset minutes" },
	{ "2023-02-05T10:59:27+24:00", 0, 0, "offset hour 24" },
	{ "2023-02-05T10:59:27+05:60", 0, 0, "offset minute 60" },
	{ "2023-02-05T10:59:27UTC", 0, 0, "UTC" },
	{ "2023-02-05T1a:59:27Z", 0, 0, "letter in the hour" },
	{ "-023-02-05T10:59:27Z", 0, 0, "minus in the year" },
	{ "2023-02-05T10:59:27\xef\xbc\xba", 0, 0, "fullwidth Z" },
};

/* Parses s from a heap copy of exactly its length (no NUL after it), so
 * valgrind and ASan see any read past len. */
static enum patrol_err
parse_exact(const char *s, size_t len, int64_t *ms)
{
	char		*copy;
	enum patrol_err	 rc;

	if ((copy = malloc(len ? len : 1)) == NULL)
		return PATROL_ERR_NOMEM;
	memcpy(copy, s, len);
	rc = patrol_time_parse(copy, len, ms);
	free(copy);
	return rc;
}

int
main(void)
{
	char		 buf[PATROL_TIME_BUFSZ];
	const char	*full = "2023-02-05T10:59:27.123+05:30";
	int64_t		 ms, t, now, step;
	size_t		 i, n, bad;
	enum patrol_err	 rc;

	now = patrol_time_now();
	t = (int64_t)time(NULL) * 1000;
	ok(now > INT64_C(1600000000000) && now - t < 2000 && t - now < 2000,
	    "time_now is the wall clock in ms");

	for (i = 0; i < sizeof(fmt) / sizeof(fmt[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		if (fmt[i].text == NULL) {
			is_int(patrol_time_format(fmt[i].ms, buf), -1,
			    "format %lld: out of range",
			    (long long)fmt[i].ms);
			continue;
		}
		is_int(patrol_time_format(fmt[i].ms, buf), 0, "format %lld",
		    (long long)fmt[i].ms);
		is_str(buf, fmt[i].text, "format %lld text",
		    (long long)fmt[i].ms);
	}

	for (i = 0; i < sizeof(parse) / sizeof(parse[0]); i++) {
		ms = 42;
		rc = parse_exact(parse[i].text, strlen(parse[i].text), &ms);
		if (parse[i].ok) {
			is_int(rc, PATROL_OK, "parse %s", parse[i].name);
			is_int(ms, parse[i].ms, "parse %s: value",
			    parse[i].name);
		} else
			is_int(rc, PATROL_ERR_SYNTAX, "parse refuses %s",
			    parse[i].name);
	}

	/* Every proper prefix of a valid date-time is refused. */
	n = strlen(full);
	for (bad = 0, i = 0; i < n; i++)
		if (parse_exact(full, i, &ms) != PATROL_ERR_SYNTAX)
			bad++;
	is_int(bad, 0, "every prefix of %s is refused", full);
	is_int(parse_exact(full, n, &ms), PATROL_OK, "the whole of it parses");
	is_int(patrol_time_parse("2023-02-05T10:59:27Zjunk", 20, &ms),
	    PATROL_OK, "only len bytes are read");
	is_int(ms, INT64_C(1675594767000), "only len bytes: value");
	is_int(patrol_time_parse("2023-02-05T10:59:27Z\0", 21, &ms),
	    PATROL_ERR_SYNTAX, "a NUL inside len is refused");
	is_int(patrol_time_parse(NULL, 0, &ms), PATROL_ERR_SYNTAX, "NULL");

	/* Format and parse agree over the whole range. */
	step = (MS_MAX - MS_MIN) / 99991;
	for (bad = 0, t = MS_MIN; t <= MS_MAX; t += step) {
		if (patrol_time_format(t, buf) != 0 ||
		    patrol_time_parse(buf, strlen(buf), &ms) != PATROL_OK ||
		    ms != t)
			bad++;
	}
	is_int(bad, 0, "format/parse round trip from year 0 to 9999");
	return done_testing();
}
