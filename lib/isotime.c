/*
 * isotime.c: the clock, and RFC 3339 date-times to and from milliseconds
 * since the epoch. Calendar arithmetic is the proleptic Gregorian calendar
 * (H. Hinnant's days-from-civil algorithms), so no time zone database, no
 * gmtime and no locale are involved.
 *
 * patrol_time_parse is strict: exactly
 *	YYYY-MM-DD ("T" | "t") hh:mm:ss ["." 1*DIGIT] ("Z" | "z" | ("+" | "-") hh:mm)
 * with a real calendar day (leap years included), hours below 24, minutes
 * below 60 and seconds below 60. A leap second (":60") is refused: the
 * millisecond count cannot represent it and no client needs it.
 * Fractional digits past the third are checked and dropped (truncation).
 */
#include "config.h"

#include <stdint.h>
#include <time.h>

#include "patrol.h"
#include "extern.h"

#define MS_PER_DAY	INT64_C(86400000)
/* 0000-01-01T00:00:00.000Z and 10000-01-01T00:00:00.000Z. */
#define MS_MIN		(INT64_C(-719528) * MS_PER_DAY)
#define MS_END		(INT64_C(2932897) * MS_PER_DAY)

/* Days from 1970-01-01 to y-m-d; m in 1..12, d in 1..31. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The civil date of day z (days from 1970-01-01). */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	 era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int64_t y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

int64_t
patrol_time_now(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (int64_t)time(NULL) * 1000;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes v (0 <= v < 10^width) as width decimal digits at p. */
static void
put(char *p, int v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

int
patrol_time_format(int64_t ms, char *buf)
{
	int64_t	 days, rem, y;
	int	 m, d, msec, sec;

	if (ms < MS_MIN || ms >= MS_END)
		return -1;
	/* Floor division: ms before the epoch belong to the earlier day. */
	days = ms / MS_PER_DAY;
	rem = ms % MS_PER_DAY;
	if (rem < 0) {
		rem += MS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	msec = (int)(rem % 1000);
	sec = (int)(rem / 1000);
	/* "YYYY-MM-DDTHH:MM:SS.mmmZ": 24 bytes and the NUL. */
	put(buf, (int)y, 4);
	buf[4] = '-';
	put(buf + 5, m, 2);
	buf[7] = '-';
	put(buf + 8, d, 2);
	buf[10] = 'T';
	put(buf + 11, sec / 3600, 2);
	buf[13] = ':';
	put(buf + 14, sec / 60 % 60, 2);
	buf[16] = ':';
	put(buf + 17, sec % 60, 2);
	buf[19] = '.';
	put(buf + 20, msec, 3);
	buf[23] = 'Z';
	buf[24] = '\0';
	return 0;
}

/* Value of the n ASCII digits at s, or -1 if any is not a digit. */
static int
digits(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

enum patrol_err
patrol_time_parse(const char *s, size_t len, int64_t *ms)
{
	int	 y, mo, d, h, mi, sec, frac = 0, scale = 100;
	int	 oh, om, sign;
	size_t	 i;

	/* The shortest form is "YYYY-MM-DDThh:mm:ssZ", 20 bytes. */
	if (s == NULL || len < 20)
		return PATROL_ERR_SYNTAX;
	if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return PATROL_ERR_SYNTAX;
	if ((y = digits(s, 4)) < 0 || (mo = digits(s + 5, 2)) < 0 ||
	    (d = digits(s + 8, 2)) < 0 || (h = digits(s + 11, 2)) < 0 ||
	    (mi = digits(s + 14, 2)) < 0 || (sec = digits(s + 17, 2)) < 0)
		return PATROL_ERR_SYNTAX;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo) || h > 23 ||
	    mi > 59 || sec > 59)
		return PATROL_ERR_SYNTAX;

	i = 19;
	if (s[i] == '.') {
		if (++i == len || s[i] < '0' || s[i] > '9')
			return PATROL_ERR_SYNTAX;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			frac += (s[i] - '0') * scale;
			scale /= 10;
		}
		if (i == len)
			return PATROL_ERR_SYNTAX;
	}

	if (s[i] == 'Z' || s[i] == 'z') {
		if (i + 1 != len)
			return PATROL_ERR_SYNTAX;
		oh = om = 0;
		sign = 1;
	} else if (s[i] == '+' || s[i] == '-') {
		if (len - i != 6 || s[i + 3] != ':' ||
		    (oh = digits(s + i + 1, 2)) < 0 ||
		    (om = digits(s + i + 4, 2)) < 0 || oh > 23 || om > 59)
			return PATROL_ERR_SYNTAX;
		sign = s[i] == '+' ? 1 : -1;
	} else
		return PATROL_ERR_SYNTAX;

	/* Local time minus its offset is UTC. */
	*ms = days_from_civil(y, mo, d) * MS_PER_DAY +
	    ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + frac -
	    (int64_t)sign * (oh * 60 + om) * 60000;
	return PATROL_OK;
}
