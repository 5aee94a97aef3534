/* t_secret.c: random hex, ids, SHA-256 secret hashes and their check. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

/* SHA-256 test vectors (FIPS 180-2 and the empty string). */
static const struct {
	const char	*in;
	size_t		 len;
	const char	*hex;
} sha[] = {
	{ "", 0,
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "abc", 3,
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ "a\0b", 3,
	  "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138" },
};

static const struct {
	const char	*s;
	int		 valid;
	const char	*name;
} ids[] = {
	{ "0123456789abcdef0123456789abcdef", 1, "32 lowercase hex" },
	{ "ffffffffffffffffffffffffffffffff", 1, "all f" },
	{ "0123456789ABCDEF0123456789abcdef", 0, "uppercase" },
	{ "0123456789abcdef0123456789abcde", 0, "31 characters" },
	{ "0123456789abcdef0123456789abcdef0", 0, "33 characters" },
	{ "0123456789abcdeg0123456789abcdef", 0, "g" },
	{ "0123456789abcdef-123456789abcdef", 0, "dash" },
	{ "", 0, "empty" },
	{ "me", 0, "me" },
};

/* 1 if s is n lowercase hex characters followed by a NUL. */
static int
is_hex(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[n] == '\0';
}

static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, PATROL_ID_LEN + 1);
}

/* Tracking ids: valid ids, none twice in a long run, two generators
 * (processes) disagree. */
static void
test_idgen(void)
{
	enum { N = 200000 };
	struct idgen	 g, h;
	char		(*v)[PATROL_ID_LEN + 1];
	char		 x[PATROL_ID_LEN + 1], y[PATROL_ID_LEN + 1];
	size_t		 i, bad = 0, dup = 0;

	ok(idgen_init(&g) == PATROL_OK && idgen_init(&h) == PATROL_OK,
	    "idgen_init");
	if ((v = calloc(N, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < N; i++) {
		idgen_next(&g, v[i]);
		bad += !patrol_id_valid(v[i]);
	}
	is_int(bad, 0, "idgen: %d valid ids", N);
	qsort(v, N, sizeof(*v), cmp_id);
	for (i = 1; i < N; i++)
		dup += memcmp(v[i - 1], v[i], PATROL_ID_LEN) == 0;
	is_int(dup, 0, "idgen: no id twice in %d", N);
	free(v);
	idgen_next(&g, x);
	idgen_next(&h, y);
	ok(strcmp(x, y) != 0, "idgen: two generators give different ids");
}

int
main(void)
{
	char		 a[PATROL_SECRET_LEN + 1], b[PATROL_SECRET_LEN + 1];
	char		 big[2 * 300 + 1], hash[PATROL_HASH_LEN + 1], upper[80];
	char		 id[PATROL_ID_LEN + 1];
	size_t		 i;

	ok(patrol_random_hex(a, PATROL_SECRET_LEN / 2) == PATROL_OK &&
	    is_hex(a, PATROL_SECRET_LEN), "random_hex: 64 hex characters");
	ok(patrol_random_hex(b, PATROL_SECRET_LEN / 2) == PATROL_OK &&
	    strcmp(a, b) != 0, "random_hex: two draws differ");
	memset(big, 'x', sizeof(big));
	ok(patrol_random_hex(big, 300) == PATROL_OK && is_hex(big, 600),
	    "random_hex: more than one internal chunk");
	a[0] = 'x';
	ok(patrol_random_hex(a, 0) == PATROL_OK && a[0] == '\0',
	    "random_hex: zero bytes is the empty string");

	ok(patrol_id_new(id) == PATROL_OK && patrol_id_valid(id),
	    "id_new makes a valid id");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		is_int(patrol_id_valid(ids[i].s), ids[i].valid, "id_valid: %s",
		    ids[i].name);
	is_int(patrol_id_valid(NULL), 0, "id_valid: NULL");

	for (i = 0; i < sizeof(sha) / sizeof(sha[0]); i++) {
		ok(patrol_secret_hash(sha[i].in, sha[i].len, hash) ==
		    PATROL_OK, "hash vector %zu", i);
		is_str(hash, sha[i].hex, "hash vector %zu: value", i);
		is_int(patrol_secret_check(sha[i].in, sha[i].len, sha[i].hex),
		    1, "check vector %zu", i);
	}
	ok(patrol_secret_hash(NULL, 0, hash) == PATROL_OK &&
	    strcmp(hash, sha[0].hex) == 0, "hash of NULL, 0 is of \"\"");
	is_int(patrol_secret_hash(NULL, 1, hash), PATROL_ERR_CRYPTO,
	    "hash of NULL with a length fails");

	is_int(patrol_secret_check("abd", 3, sha[1].hex), 0,
	    "check: another secret");
	is_int(patrol_secret_check("abc", 2, sha[1].hex), 0,
	    "check: the length counts");
	is_int(patrol_secret_check("abc", 3, NULL), 0, "check: NULL hash");
	is_int(patrol_secret_check("abc", 3, ""), 0, "check: empty hash");
	memcpy(upper, sha[1].hex, PATROL_HASH_LEN + 1);
	upper[PATROL_HASH_LEN - 1] = '\0';
	is_int(patrol_secret_check("abc", 3, upper), 0, "check: short hash");
	memcpy(upper, sha[1].hex, PATROL_HASH_LEN);
	upper[PATROL_HASH_LEN] = '0';
	upper[PATROL_HASH_LEN + 1] = '\0';
	is_int(patrol_secret_check("abc", 3, upper), 0, "check: long hash");
	memcpy(upper, sha[1].hex, PATROL_HASH_LEN + 1);
	upper[10] = 'z';
	is_int(patrol_secret_check("abc", 3, upper), 0, "check: not hex");
	for (i = 0; i < PATROL_HASH_LEN; i++)
		upper[i] = sha[1].hex[i] >= 'a' ? sha[1].hex[i] - 'a' + 'A' :
		    sha[1].hex[i];
	upper[PATROL_HASH_LEN] = '\0';
	is_int(patrol_secret_check("abc", 3, upper), 1,
	    "check: uppercase hex of the right hash");
	is_int(patrol_secret_check("abc", 3,
	    "0000000000000000000000000000000000000000000000000000000000000000"),
	    0, "check: the all-zero placeholder never matches");
	test_idgen();
	return done_testing();
}
