/*
 * seal.c: secrets at rest. A 256-bit data key in a file of its own
 * (secrets.key_file) and AES-256-GCM through OpenSSL EVP: a fresh 96-bit
 * nonce per value, the value's place (table, row, field) as associated data,
 * so that a sealed value copied to another field or row does not open.
 *
 * A sealed value is text: "enc:v1:" then the base64url of
 * key id (4 bytes) || nonce (12) || ciphertext || tag (16). The key id, the
 * first bytes of SHA-256 of the key, tells "another key" from "altered".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "patrol.h"
#include "extern.h"

#define SEAL_PREFIX	"enc:v1:"
#define SEAL_KEY_LEN	32
#define SEAL_ID_LEN	4
#define SEAL_NONCE_LEN	12
#define SEAL_TAG_LEN	16
#define SEAL_MAX	65536	/* bytes of plaintext sealed at most */

struct patrol_seal {
	unsigned char	 key[SEAL_KEY_LEN];
	unsigned char	 id[SEAL_ID_LEN];
	/* AES-256-GCM fetched once: EVP_aes_256_gcm() would look it up in
	 * the providers on every use, the larger part of a short seal. */
	EVP_CIPHER	*cipher;
};

enum patrol_err
patrol_seal_generate(const char *path, struct patrol_error *err)
{
	return keyfile_create(path, SEAL_KEY_LEN, "secrets key", err);
}

enum patrol_err
patrol_seal_load(const char *path, struct patrol_seal **out,
    struct patrol_error *err)
{
	unsigned char		 buf[SEAL_KEY_LEN + 1], md[32];
	unsigned int		 mdlen = 0;
	struct patrol_seal	*s;
	size_t			 len;
	enum patrol_err		 rc;

	*out = NULL;
	if ((rc = keyfile_read(path, buf, sizeof(buf), &len, err)) !=
	    PATROL_OK)
		goto out;
	if (len != SEAL_KEY_LEN) {
		rc = patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: a secrets key is exactly %d bytes (this file has %s%zu)",
		    path, SEAL_KEY_LEN, len > SEAL_KEY_LEN ? "more than " : "",
		    len > SEAL_KEY_LEN ? (size_t)SEAL_KEY_LEN : len);
		goto out;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "%s: out of memory", path);
		goto out;
	}
	memcpy(s->key, buf, SEAL_KEY_LEN);
	if (EVP_Digest(s->key, SEAL_KEY_LEN, md, &mdlen, EVP_sha256(), NULL) !=
	    1) {
		patrol_seal_free(s);
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "%s: cannot hash the secrets key", path);
		goto out;
	}
	memcpy(s->id, md, SEAL_ID_LEN);
	if ((s->cipher = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL)) ==
	    NULL) {
		patrol_seal_free(s);
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "%s: AES-256-GCM is not available", path);
		goto out;
	}
	*out = s;
out:
	wipe(buf, sizeof(buf));
	return rc;
}

void
patrol_seal_free(struct patrol_seal *s)
{
	if (s == NULL)
		return;
	EVP_CIPHER_free(s->cipher);
	wipe(s, sizeof(*s));
	free(s);
}

int
patrol_seal_is_sealed(const char *value)
{
	return value != NULL &&
	    strncmp(value, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1) == 0;
}

enum patrol_err
patrol_seal_encrypt(const struct patrol_seal *s, const char *context,
    const char *text, char **out, struct patrol_error *err)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*raw = NULL;
	size_t		 tlen = strlen(text), rawlen;
	struct pbuf	 b = { 0 };
	int		 n;
	enum patrol_err	 rc;

	*out = NULL;
	if (tlen > SEAL_MAX)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: a secret of %zu bytes is too long to seal", context,
		    tlen);
	rawlen = SEAL_ID_LEN + SEAL_NONCE_LEN + tlen + SEAL_TAG_LEN;
	if ((raw = malloc(rawlen)) == NULL)
		goto nomem;
	memcpy(raw, s->id, SEAL_ID_LEN);
	if (RAND_bytes(raw + SEAL_ID_LEN, SEAL_NONCE_LEN) != 1)
		goto crypto;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto crypto;
	if (EVP_EncryptInit_ex(ctx, s->cipher, NULL, s->key,
	    raw + SEAL_ID_LEN) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)context,
	    (int)strlen(context)) != 1 ||
	    EVP_EncryptUpdate(ctx, raw + SEAL_ID_LEN + SEAL_NONCE_LEN, &n,
	    (const unsigned char *)text, (int)tlen) != 1 ||
	    EVP_EncryptFinal_ex(ctx, raw + SEAL_ID_LEN + SEAL_NONCE_LEN + n,
	    &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN,
	    raw + SEAL_ID_LEN + SEAL_NONCE_LEN + tlen) != 1)
		goto crypto;
	if (PBUF_LIT(&b, SEAL_PREFIX) == -1 ||
	    b64url_encode(&b, raw, rawlen) == -1)
		goto nomem;
	*out = b.s;
	b.s = NULL;
	rc = PATROL_OK;
	goto done;
nomem:
	rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory");
	goto done;
crypto:
	rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
	    "%s: cannot encrypt (AES-256-GCM)", context);
done:
	EVP_CIPHER_CTX_free(ctx);
	if (raw != NULL) {
		wipe(raw, rawlen);
		free(raw);
	}
	pbuf_free(&b);
	return rc;
}

enum patrol_err
patrol_seal_decrypt(const struct patrol_seal *s, const char *context,
    const char *value, char **out, struct patrol_error *err)
{
	EVP_CIPHER_CTX	*ctx = NULL;
	unsigned char	*raw = NULL;
	char		*text = NULL;
	size_t		 rawlen = 0, tlen = 0;
	int		 n;
	enum patrol_err	 rc;

	*out = NULL;
	if (!patrol_seal_is_sealed(value) ||
	    (raw = b64_decode(value + sizeof(SEAL_PREFIX) - 1,
	    strlen(value) - (sizeof(SEAL_PREFIX) - 1), 1, &rawlen)) == NULL ||
	    rawlen < SEAL_ID_LEN + SEAL_NONCE_LEN + SEAL_TAG_LEN) {
		rc = patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "%s: the stored value is not a sealed secret", context);
		goto done;
	}
	if (memcmp(raw, s->id, SEAL_ID_LEN) != 0) {
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "%s: sealed under another secrets key than "
		    "secrets.key_file", context);
		goto done;
	}
	tlen = rawlen - SEAL_ID_LEN - SEAL_NONCE_LEN - SEAL_TAG_LEN;
	if ((text = malloc(tlen + 1)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto done;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, s->cipher, NULL, s->key,
	    raw + SEAL_ID_LEN) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)context,
	    (int)strlen(context)) != 1 ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)text, &n,
	    raw + SEAL_ID_LEN + SEAL_NONCE_LEN, (int)tlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
	    raw + rawlen - SEAL_TAG_LEN) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)text + n, &n) != 1) {
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "%s: the sealed value does not open (altered, or moved "
		    "from another field)", context);
		goto done;
	}
	text[tlen] = '\0';
	if (memchr(text, '\0', tlen) != NULL) {
		rc = patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "%s: the sealed value holds a NUL byte", context);
		goto done;
	}
	*out = text;
	text = NULL;
	rc = PATROL_OK;
done:
	EVP_CIPHER_CTX_free(ctx);
	if (raw != NULL) {
		wipe(raw, rawlen);
		free(raw);
	}
	if (text != NULL) {
		wipe(text, tlen);
		free(text);
	}
	return rc;
}
