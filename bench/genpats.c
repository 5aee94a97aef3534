/*
 * bench/genpats.c: N made-up PATs as JSON Lines, in the format of
 * `patrolctl pat import` (patrolctl(8)), for bench/bench.sh.
 *
 * usage: genpats [--owners N] [--seed S] [--from TIME] [--to TIME] COUNT
 *        genpats [--from TIME] [--to TIME] --mid
 *
 * Deterministic: the same arguments write the same bytes (a splitmix64
 * stream seeded with S, default 1). COUNT PATs are spread over N owners
 * (default 1000; each PAT's owner drawn at random), ids are 32 lowercase
 * hex characters, unique by construction (the first half is a bijection of
 * the row number), and so are names ("<word>-<row>"). Times are RFC 3339
 * UTC with milliseconds, as patrol writes them:
 *   created         uniform over [from, to) (default 2021-01-01 to
 *                   2025-01-01)
 *   lastUsed        null for 1 PAT in 10, else created plus up to 30 days,
 *                   at most `to`: so `lastUsed le` the mid-point of
 *                   [from, to) matches about 45% of the PATs
 *   expirationDate  null for 4 in 5, else created plus 365 days
 * scope is ["sp:scopes:all"] for 1 in 4, else null; accessTokenValiditySeconds
 * 3600 for 1 in 10, else 43200; managed false; secretHash 64 random hex
 * digits (no secret matches it). --mid prints the mid-point of [from, to)
 * in the same format and exits.
 *
 * Standalone on purpose (libc only): the rows do not go through the code
 * they are loaded into.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY	86400000LL
#define LASTUSED_SPAN	(30 * MS_PER_DAY)
#define EXPIRY_AFTER	(365 * MS_PER_DAY)

static const char *const words[] = {
	"ci", "deploy", "backup", "sync", "report", "audit", "export",
	"import", "monitor", "Nightly", "Terraform", "ansible", "workflow",
	"Grafana", "script", "test",
};

/* splitmix64: the state advances by a constant; mix is a bijection. */
static uint64_t
mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t
next(uint64_t *s)
{
	*s += 0x9e3779b97f4a7c15ULL;
	return mix(*s);
}

static char *
hex16(char *p, uint64_t v)
{
	static const char	 digits[] = "0123456789abcdef";
	int			 i;

	for (i = 15; i >= 0; i--) {
		p[i] = digits[v & 15];
		v >>= 4;
	}
	return p + 16;
}

/* Days since 1970-01-01 to a civil date (H. Hinnant's algorithm). */
static void
civil(int64_t z, int64_t *y, int *m, int *d)
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

/* v (>= 0) as width decimal digits at p. */
static void
put(char *p, int64_t v, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* ms since the epoch (>= 0, year < 10000) as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
static void
fmt_time(int64_t ms, char out[25])
{
	int64_t	 y, s = ms % MS_PER_DAY / 1000;
	int	 m, d;

	civil(ms / MS_PER_DAY, &y, &m, &d);
	memcpy(out, "0000-00-00T00:00:00.000Z", 25);
	put(out, y, 4);
	put(out + 5, m, 2);
	put(out + 8, d, 2);
	put(out + 11, s / 3600, 2);
	put(out + 14, s / 60 % 60, 2);
	put(out + 17, s % 60, 2);
	put(out + 20, ms % 1000, 3);
}

/* "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SS[.mmm]Z" (UTC) to ms; -1 if bad. */
static int64_t
parse_time(const char *s)
{
	int	 y, m, d, hh = 0, mm = 0, ss = 0, ms = 0, n = 0;
	size_t	 len = strlen(s);

	if (len == 10) {
		if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
			return -1;
	} else if (len == 20 || len == 24) {
		if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &m, &d, &hh,
		    &mm, &ss, &n) != 6 || n != 19)
			return -1;
		if (len == 24 && (s[19] != '.' ||
		    sscanf(s + 20, "%3d", &ms) != 1))
			return -1;
		if (s[len - 1] != 'Z')
			return -1;
	} else
		return -1;
	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 ||
	    hh > 23 || mm > 59 || ss > 59 || ms < 0)
		return -1;
	return days_from_civil(y, m, d) * MS_PER_DAY +
	    ((int64_t)hh * 3600 + mm * 60 + ss) * 1000 + ms;
}

static uint64_t
number(const char *what, const char *s, uint64_t min, uint64_t max)
{
	char		*end;
	uint64_t	 v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < min ||
	    v > max) {
		fprintf(stderr, "genpats: %s must be a number from %" PRIu64
		    " to %" PRIu64 ", not '%s'\n", what, min, max, s);
		exit(2);
	}
	return v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: genpats [--owners N] [--seed S] [--from TIME]"
	    " [--to TIME] COUNT\n       genpats [--from TIME] [--to TIME] "
	    "--mid\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static char	 obuf[1 << 16];
	uint64_t	 count = 0, owners = 1000, seed = 1, s, i, o, r;
	int64_t		 from, to, created, used, t;
	int		 mid = 0, have_count = 0, a;
	char		 id[33], oid[33], hash[65], tc[25], tu[25], te[25];

	from = parse_time("2021-01-01");
	to = parse_time("2025-01-01");
	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--mid") == 0)
			mid = 1;
		else if (a + 1 < argc && strcmp(argv[a], "--owners") == 0)
			owners = number("--owners", argv[++a], 1, 1000000000);
		else if (a + 1 < argc && strcmp(argv[a], "--seed") == 0)
			seed = number("--seed", argv[++a], 0, UINT64_MAX);
		else if (a + 1 < argc && (strcmp(argv[a], "--from") == 0 ||
		    strcmp(argv[a], "--to") == 0)) {
			if ((t = parse_time(argv[a + 1])) == -1) {
				fprintf(stderr, "genpats: %s: not a date "
				    "(YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.mmm]Z)"
				    "\n", argv[a + 1]);
				return 2;
			}
			*(argv[a][2] == 'f' ? &from : &to) = t;
			a++;
		} else if (argv[a][0] != '-' && !have_count) {
			count = number("COUNT", argv[a], 0, 1000000000);
			have_count = 1;
		} else
			usage();
	}
	if (to <= from) {
		fprintf(stderr, "genpats: --to must be after --from\n");
		return 2;
	}
	if (mid) {
		if (have_count)
			usage();
		fmt_time(from + (to - from) / 2, tc);
		printf("%s\n", tc);
		return 0;
	}
	if (!have_count)
		usage();
	setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
	s = mix(seed ^ 0x5bd1e995ULL);
	for (i = 0; i < count; i++) {
		/* The first half of the id is unique: mix is a bijection. */
		hex16(hex16(id, mix(i ^ mix(seed))), next(&s));
		id[32] = '\0';
		o = next(&s) % owners;
		hex16(hex16(oid, mix(o ^ mix(seed + 1))), mix(o + seed));
		oid[32] = '\0';
		for (a = 0; a < 4; a++)
			hex16(hash + 16 * a, next(&s));
		hash[64] = '\0';
		created = from + (int64_t)(next(&s) % (uint64_t)(to - from));
		fmt_time(created, tc);
		r = next(&s);
		used = -1;
		if (r % 10 != 0) {
			used = created + (int64_t)(next(&s) % LASTUSED_SPAN);
			if (used > to)
				used = to;
			fmt_time(used, tu);
		}
		if (r / 10 % 5 == 0)
			fmt_time(created + EXPIRY_AFTER, te);
		printf("{\"id\":\"%s\",\"name\":\"%s-%" PRIu64 "\","
		    "\"owner\":{\"type\":\"IDENTITY\",\"id\":\"%s\","
		    "\"name\":\"bench-owner-%" PRIu64 "\"},"
		    "\"scope\":%s,\"created\":\"%s\",\"lastUsed\":%s%s%s,"
		    "\"managed\":false,\"expirationDate\":%s%s%s,"
		    "\"accessTokenValiditySeconds\":%d,\"secretHash\":\"%s\"}\n",
		    id, words[r / 50 % (sizeof(words) / sizeof(words[0]))], i,
		    oid, o, r / 800 % 4 == 0 ? "[\"sp:scopes:all\"]" : "null",
		    tc, used < 0 ? "" : "\"", used < 0 ? "null" : tu,
		    used < 0 ? "" : "\"", r / 10 % 5 == 0 ? "\"" : "",
		    r / 10 % 5 == 0 ? te : "null", r / 10 % 5 == 0 ? "\"" : "",
		    r / 3200 % 10 == 0 ? 3600 : 43200, hash);
	}
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("genpats: stdout");
		return 1;
	}
	return 0;
}
