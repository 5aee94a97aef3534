/*
 * t_seal.c: secrets at rest (lib/seal.c): key files (made 0600, exactly 32
 * bytes), sealing round trips over many lengths, a fresh nonce per value, and
 * every way a sealed value must refuse to open: another key, another
 * context, any altered byte, a truncated value, something not sealed.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static char	 dir[] = "/tmp/patrol-t_seal-XXXXXX";

static const char *
path(const char *name)
{
	static char	 p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static void
write_file(const char *name, const char *bytes, size_t n)
{
	FILE	*f;

	if ((f = fopen(path(name), "wb")) == NULL ||
	    fwrite(bytes, 1, n, f) != n || fclose(f) != 0)
		abort();
}

/* Key files that do not load, and why. */
static const struct {
	const char	*name;
	size_t		 len;
	enum patrol_err	 rc;
	const char	*text;		/* a part of err.text */
} badkeys[] = {
	{ "empty.key", 0, PATROL_ERR_INVALID, "exactly 32 bytes (this file has 0)" },
	{ "short.key", 31, PATROL_ERR_INVALID, "this file has 31" },
	{ "long.key", 33, PATROL_ERR_INVALID, "this file has more than 32" },
	{ "missing.key", (size_t)-1, PATROL_ERR_IO, "No such file" },
};

int
main(void)
{
	struct patrol_seal	*a = NULL, *b = NULL, *k = NULL;
	struct patrol_error	 err;
	struct stat		 st;
	char			*sealed = NULL, *sealed2 = NULL, *open = NULL;
	char			 text[600], *alt;
	size_t			 i, n, fails;
	const char		*ctx = "duo_config/1/accessKey";

	if (mkdtemp(dir) == NULL)
		return 99;

	/* Key files. */
	is_int(patrol_seal_generate(path("a.key"), &err), PATROL_OK,
	    "generate a secrets key");
	ok(stat(path("a.key"), &st) == 0 && st.st_size == 32 &&
	    (st.st_mode & 0777) == 0600, "32 bytes, mode 0600");
	is_int(patrol_seal_generate(path("a.key"), &err), PATROL_ERR_EXISTS,
	    "generate over an existing key: EXISTS, the key is kept");
	is_int(patrol_seal_generate(path("no/such/dir.key"), &err),
	    PATROL_ERR_IO, "generate in a missing directory: IO");
	is_int(patrol_seal_load(path("a.key"), &a, &err), PATROL_OK,
	    "the key loads");
	is_int(patrol_seal_generate(path("b.key"), &err), PATROL_OK,
	    "a second key");
	is_int(patrol_seal_load(path("b.key"), &b, &err), PATROL_OK,
	    "... loads");
	for (i = 0; i < sizeof(badkeys) / sizeof(badkeys[0]); i++) {
		char	 buf[40];

		memset(buf, 'k', sizeof(buf));
		if (badkeys[i].len != (size_t)-1)
			write_file(badkeys[i].name, buf, badkeys[i].len);
		k = (struct patrol_seal *)&err;
		is_int(patrol_seal_load(path(badkeys[i].name), &k, &err),
		    badkeys[i].rc, "%s: refused", badkeys[i].name);
		ok(k == NULL && strstr(err.text, badkeys[i].text) != NULL &&
		    strstr(err.text, path(badkeys[i].name)) != NULL,
		    "%s: says which file and why (%s)", badkeys[i].name,
		    err.text);
	}

	/* Round trips, 0 to 599 bytes. */
	fails = 0;
	for (n = 0; n < sizeof(text); n++) {
		for (i = 0; i < n; i++)
			text[i] = (char)(' ' + (i * 7 + n) % 95);
		text[n] = '\0';
		if (patrol_seal_encrypt(a, ctx, text, &sealed, &err) !=
		    PATROL_OK || !patrol_seal_is_sealed(sealed) ||
		    (strstr(sealed, text) != NULL && n > 3) ||
		    patrol_seal_decrypt(a, ctx, sealed, &open, &err) !=
		    PATROL_OK || strcmp(open, text) != 0)
			fails++;
		free(sealed);
		free(open);
		sealed = open = NULL;
	}
	is_int(fails, 0, "600 lengths seal and open to themselves");

	/* A fresh nonce: the same text twice gives two different values. */
	patrol_seal_encrypt(a, ctx, "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", &sealed,
	    &err);
	patrol_seal_encrypt(a, ctx, "qw123Y3QlA5UqocYpdU3rEkzrK2D497y",
	    &sealed2, &err);
	ok(sealed != NULL && sealed2 != NULL && strcmp(sealed, sealed2) != 0,
	    "the same secret sealed twice: two different values");
	ok(strncmp(sealed, "enc:v1:", 7) == 0, "sealed values start enc:v1:");
	ok(strstr(sealed, "qw123") == NULL, "the secret is not in the value");

	/* Refusals. */
	is_int(patrol_seal_decrypt(b, ctx, sealed, &open, &err),
	    PATROL_ERR_CRYPTO, "another key: CRYPTO");
	ok(open == NULL && strstr(err.text, "another secrets key") != NULL,
	    "another key: says so (%s)", err.text);
	is_int(patrol_seal_decrypt(a, "duo_config/1/configProperties.skey",
	    sealed, &open, &err), PATROL_ERR_CRYPTO,
	    "another context (field): CRYPTO");
	ok(open == NULL && strstr(err.text, "does not open") != NULL,
	    "another context: says so");
	ok(strstr(err.text, "qw123") == NULL, "no secret in the message");
	fails = 0;
	alt = strdup(sealed);
	for (i = 7 + 6; alt != NULL && alt[i] != '\0'; i++) {
		char	 c = alt[i];

		/* Another base64url letter at each position (past the key
		 * id), keeping the spelling canonical where it must be. */
		alt[i] = c == 'A' ? 'B' : 'A';
		if (patrol_seal_decrypt(a, ctx, alt, &open, &err) == PATROL_OK)
			fails++;
		free(open);
		open = NULL;
		alt[i] = c;
	}
	is_int(fails, 0, "no altered byte opens");
	free(alt);
	sealed[strlen(sealed) - 5] = '\0';
	ok(patrol_seal_decrypt(a, ctx, sealed, &open, &err) != PATROL_OK &&
	    open == NULL, "a truncated value does not open");
	is_int(patrol_seal_decrypt(a, ctx, "qw123Y3QlA5UqocYpdU3rEkzrK2D497y",
	    &open, &err), PATROL_ERR_STORE, "a value that is not sealed: STORE");
	ok(strstr(err.text, "qw123") == NULL, "... without quoting it");
	ok(!patrol_seal_is_sealed("qw123") && !patrol_seal_is_sealed(NULL) &&
	    patrol_seal_is_sealed("enc:v1:x"), "patrol_seal_is_sealed");
	is_int(patrol_seal_decrypt(a, ctx, "enc:v1:", &open, &err),
	    PATROL_ERR_STORE, "an empty sealed value: STORE");

	free(sealed);
	free(sealed2);
	patrol_seal_free(a);
	patrol_seal_free(b);
	patrol_seal_free(NULL);
	for (i = 0; i < sizeof(badkeys) / sizeof(badkeys[0]); i++)
		unlink(path(badkeys[i].name));
	unlink(path("a.key"));
	unlink(path("b.key"));
	rmdir(dir);
	return done_testing();
}
