/*
 * secret.c: random identifiers and secrets from the OpenSSL CSPRNG, and the
 * SHA-256 hashes under which PAT secrets are stored and checked.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "patrol.h"
#include "extern.h"

static const char hexdigits[] = "0123456789abcdef";

/* Writes n bytes at in as 2n lowercase hex characters at out (no NUL). */
static void
tohex(const unsigned char *in, size_t n, char *out)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 0x0f];
	}
}

enum patrol_err
patrol_random_hex(char *out, size_t nbytes)
{
	unsigned char	 chunk[64];
	size_t		 done = 0, n;
	enum patrol_err	 rc = PATROL_OK;

	while (done < nbytes) {
		n = nbytes - done < sizeof(chunk) ? nbytes - done :
		    sizeof(chunk);
		if (RAND_bytes(chunk, (int)n) != 1) {
			/* Leave nothing half-random behind. */
			wipe(out, 2 * done);
			done = 0;
			rc = PATROL_ERR_CRYPTO;
			break;
		}
		tohex(chunk, n, out + 2 * done);
		done += n;
	}
	out[2 * done] = '\0';
	wipe(chunk, sizeof(chunk));
	return rc;
}

enum patrol_err
patrol_id_new(char out[PATROL_ID_LEN + 1])
{
	return patrol_random_hex(out, PATROL_ID_LEN / 2);
}

enum patrol_err
idgen_init(struct idgen *g)
{
	unsigned char	 seed[16];
	size_t		 i;

	memset(g, 0, sizeof(*g));
	if (RAND_bytes(seed, sizeof(seed)) != 1)
		return PATROL_ERR_CRYPTO;
	for (i = 0; i < 8; i++) {
		g->key[0] = g->key[0] << 8 | seed[i];
		g->key[1] = g->key[1] << 8 | seed[8 + i];
	}
	wipe(seed, sizeof(seed));
	return PATROL_OK;
}

/* SplitMix64's finaliser: a bijection of 64-bit words. */
static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
idgen_next(struct idgen *g, char out[PATROL_ID_LEN + 1])
{
	uint64_t	 w[2];
	unsigned char	 b[16];
	size_t		 i;

	g->n++;
	/* The first half alone is distinct for each n (a bijection of
	 * key + n); the second makes ids of two processes unlikely to
	 * meet. */
	w[0] = mix64(g->key[0] + g->n);
	w[1] = mix64(g->key[1] ^ (g->n * 0x9e3779b97f4a7c15ULL));
	for (i = 0; i < 8; i++) {
		b[i] = (unsigned char)(w[0] >> (56 - 8 * i));
		b[8 + i] = (unsigned char)(w[1] >> (56 - 8 * i));
	}
	tohex(b, sizeof(b), out);
	out[PATROL_ID_LEN] = '\0';
}

int
patrol_id_valid(const char *s)
{
	size_t	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < PATROL_ID_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[PATROL_ID_LEN] == '\0';
}

/* SHA-256 of secret[0..len) into md (32 bytes). 0 or -1. */
static int
sha256(const char *secret, size_t len, unsigned char *md)
{
	unsigned int	 mdlen = 0;

	if (secret == NULL) {
		if (len != 0)
			return -1;
		secret = "";
	}
	if (EVP_Digest(secret, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != PATROL_HASH_LEN / 2)
		return -1;
	return 0;
}

enum patrol_err
patrol_secret_hash(const char *secret, size_t len,
    char out[PATROL_HASH_LEN + 1])
{
	unsigned char	 md[EVP_MAX_MD_SIZE];

	if (sha256(secret, len, md) == -1) {
		out[0] = '\0';
		return PATROL_ERR_CRYPTO;
	}
	tohex(md, PATROL_HASH_LEN / 2, out);
	out[PATROL_HASH_LEN] = '\0';
	return PATROL_OK;
}

int
secret_match(const char *secret, size_t len, const char *hash)
{
	unsigned char	 md[EVP_MAX_MD_SIZE], want[PATROL_HASH_LEN / 2];
	size_t		 i;
	int		 hi, lo, rc = 0;

	/*
	 * The stored hash is decoded first (it is not secret, so branching on
	 * it is fine), then the digests are compared in constant time. The
	 * digest is always computed, so a malformed hash costs the same.
	 */
	if (sha256(secret, len, md) == -1) {
		rc = -1;
		goto out;
	}
	if (hash == NULL)
		goto out;
	for (i = 0; i < sizeof(want); i++) {
		if ((hi = hexval(hash[2 * i])) == -1 ||
		    (lo = hexval(hash[2 * i + 1])) == -1)
			goto out;
		want[i] = (unsigned char)(hi << 4 | lo);
	}
	if (hash[PATROL_HASH_LEN] != '\0')
		goto out;
	rc = CRYPTO_memcmp(md, want, sizeof(want)) == 0;
out:
	wipe(md, sizeof(md));
	return rc;
}

int
patrol_secret_check(const char *secret, size_t len, const char *hash)
{
	return secret_match(secret, len, hash) == 1;
}
