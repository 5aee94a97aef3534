/*
 * fuzz_jwt.c: bearer tokens (patrol_token_verify) under a fixed key: any
 * bytes, and the input spliced into the parts of a real token (header,
 * payload or signature replaced), so the fuzzer reaches the claim checks.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "fuzz.h"

/* The harness's own state (never the library's): one key, one token. */
static struct patrol_key	*key;
static char			*good;

/* Frees the harness's state at exit, so valgrind sees nothing left. */
static void
teardown(void)
{
	free(good);
	patrol_key_free(key);
}

static void
setup(void)
{
	char		 path[] = "/tmp/patrol-fuzz-jwt-XXXXXX";
	static const char *scope[] = { "sp:scopes:all" };
	int		 fd;

	if ((fd = mkstemp(path)) == -1)
		abort();
	close(fd);
	unlink(path);
	if (patrol_key_generate(path, NULL) != PATROL_OK ||
	    patrol_key_load(path, &key, NULL) != PATROL_OK)
		abort();
	unlink(path);
	if (patrol_token_issue(key, "fuzz", "0123456789abcdef0123456789abcdef",
	    "fedcba9876543210fedcba9876543210", scope, 1, 1700000000, 3600,
	    &good, NULL) != PATROL_OK)
		abort();
	atexit(teardown);
}

static void
verify(const char *jwt)
{
	struct patrol_claims	 c;

	(void)patrol_token_verify(key, "fuzz", jwt, 1700000100, &c, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *dot1, *dot2;
	size_t		 n, part;

	if (key == NULL)
		setup();
	if ((s = malloc(size + strlen(good) + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	verify(s);
	/* The input as part 0, 1 or 2 of the good token (first byte picks). */
	if (size > 0) {
		part = data[0] % 3;
		dot1 = strchr(good, '.');
		dot2 = strchr(dot1 + 1, '.');
		n = 0;
		if (part == 0) {
			memcpy(s, data + 1, size - 1);
			n = size - 1;
			strcpy(s + n, dot1);
		} else if (part == 1) {
			n = (size_t)(dot1 + 1 - good);
			memcpy(s, good, n);
			memcpy(s + n, data + 1, size - 1);
			strcpy(s + n + size - 1, dot2);
		} else {
			n = (size_t)(dot2 + 1 - good);
			memcpy(s, good, n);
			memcpy(s + n, data + 1, size - 1);
			s[n + size - 1] = '\0';
		}
		verify(s);
	}
	free(s);
	return 0;
}
