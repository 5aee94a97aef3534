/*
 * fuzz_jwt.c: bearer tokens (patrol_token_verify) under a fixed key: any
 * bytes, and the input spliced into the parts of a real token (header,
 * payload or signature replaced). A spliced header or payload is also signed
 * again with the key, so the fuzzer reaches the header and claim parsers
 * behind the signature check, the code only a key holder can reach.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "patrol.h"
#include "fuzz.h"

/* The harness's own state (never the library's): one key, one token. */
static struct patrol_key	*key;
static char			*good;
static const unsigned char	 secret[32] = "patrol fuzz key, 32 bytes long!";

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
	if (write(fd, secret, sizeof(secret)) != (ssize_t)sizeof(secret))
		abort();
	close(fd);
	if (patrol_key_load(path, &key, NULL) != PATROL_OK)
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

	(void)patrol_token_verify(key, "fuzz", jwt, 1700000100, 3600, &c, NULL);
}

/* Replaces whatever follows the second dot of s (room for 44 more bytes)
 * with the base64url HMAC-SHA256 of what precedes it, under secret. */
static void
resign(char *s)
{
	unsigned char	 mac[32], b64[48];
	size_t		 maclen = 0, i, n;
	char		*dot;

	if ((dot = strchr(s, '.')) == NULL || (dot = strchr(dot + 1, '.')) == NULL)
		return;
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret,
	    sizeof(secret), (unsigned char *)s, (size_t)(dot - s), mac,
	    sizeof(mac), &maclen) == NULL)
		abort();
	n = (size_t)EVP_EncodeBlock(b64, mac, (int)maclen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++)
		dot[1 + i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' :
		    (char)b64[i];
	dot[1 + n] = '\0';
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *dot1, *dot2;
	size_t		 n, part;

	if (key == NULL)
		setup();
	if ((s = malloc(size + strlen(good) + 48)) == NULL)
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
		/* A forged header or payload, validly signed. */
		if (part != 2 && memchr(data + 1, '.', size - 1) == NULL) {
			resign(s);
			verify(s);
		}
	}
	free(s);
	return 0;
}
