/*
 * key.c: the HS256 signing key: raw bytes in a file of its own, created
 * with mode 0600 from the CSPRNG, held in memory only as long as the key
 * object lives and wiped when it is freed.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "patrol.h"
#include "extern.h"
#include "key_int.h"

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

/* "path: strerror(errno)" as PATROL_ERR_IO. */
static enum patrol_err
ioerror(struct patrol_error *err, const char *path)
{
	int	 saved = errno;

	return patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS, "%s: %s",
	    path, strerror(saved));
}

/* An HMAC-SHA256 context keyed with key[0..len), or NULL. */
static EVP_MAC_CTX *
mac_new(const unsigned char *key, size_t len)
{
	EVP_MAC	*mac;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];
	char		 digest[] = "SHA256";

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return NULL;
	ctx = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);		/* the context holds its own reference */
	if (ctx == NULL)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, len, params) != 1) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
key_hmac(const struct patrol_key *key, const void *data, size_t len,
    unsigned char out[32])
{
	EVP_MAC_CTX	*ctx;
	size_t		 n = 0;
	int		 ok;

	if ((ctx = EVP_MAC_CTX_dup(key->mac)) == NULL)
		return -1;
	ok = EVP_MAC_update(ctx, data, len) == 1 &&
	    EVP_MAC_final(ctx, out, &n, 32) == 1 && n == 32;
	EVP_MAC_CTX_free(ctx);
	return ok ? 0 : -1;
}

enum patrol_err
keyfile_read(const char *path, unsigned char *buf, size_t cap, size_t *len,
    struct patrol_error *err)
{
	ssize_t		 n;
	int		 fd;
	enum patrol_err	 rc = PATROL_OK;

	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return ioerror(err, path);
	while (*len < cap) {
		n = read(fd, buf + *len, cap - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = ioerror(err, path);
			break;
		}
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	close(fd);
	return rc;
}

enum patrol_err
keyfile_create(const char *path, size_t n, const char *what,
    struct patrol_error *err)
{
	unsigned char	 buf[KEY_GEN_LEN];
	size_t		 off = 0;
	ssize_t		 w;
	int		 fd;
	enum patrol_err	 rc = PATROL_OK;

	if (n > sizeof(buf))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: %zu bytes of key asked, at most %zu", path, n,
		    sizeof(buf));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 && errno == EEXIST)
		return patrol_error_set(err, PATROL_ERR_EXISTS, PATROL_NOPOS,
		    "%s: already exists", path);
	if (fd == -1)
		return ioerror(err, path);
	if (RAND_bytes(buf, (int)n) != 1) {
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "%s: no random bytes for the %s", path, what);
		goto out;
	}
	while (off < n) {
		w = write(fd, buf + off, n - off);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			rc = ioerror(err, path);
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) == -1) {
		rc = ioerror(err, path);
		goto out;
	}
	w = close(fd);
	fd = -1;
	if (w == -1)
		rc = ioerror(err, path);
out:
	wipe(buf, sizeof(buf));
	if (fd != -1)
		close(fd);
	/* A partial key is no key: leave nothing behind on failure. */
	if (rc != PATROL_OK)
		unlink(path);
	return rc;
}

/* patrol_key_id, but -1 when OpenSSL could not compute the digest (it
 * allocates), out then made of a digest of zeros; else 0. */
static int
key_id(const struct patrol_key *key, char out[PATROL_KID_LEN + 1])
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 md[32];
	unsigned int		 n = 0;
	size_t			 i;
	int			 rc = 0;

	memset(md, 0, sizeof(md));
	if (EVP_Digest(key->bytes, key->len, md, &n, EVP_sha256(), NULL) !=
	    1 || n != sizeof(md)) {
		memset(md, 0, sizeof(md));
		rc = -1;
	}
	for (i = 0; i < PATROL_KID_LEN / 2; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[PATROL_KID_LEN] = '\0';
	return rc;
}

/* Fills k->kid and the JWT header naming it. 0, or -1 (out of memory). */
static int
key_header(struct patrol_key *k)
{
	struct pbuf	 b = { 0 };
	char		 json[64];
	int		 n;

	if (key_id(k, k->kid) == -1)
		return -1;
	n = snprintf(json, sizeof(json),
	    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", k->kid);
	if (n < 0 || (size_t)n >= sizeof(json) ||
	    b64url_encode(&b, json, (size_t)n) == -1 || b.oom ||
	    b.len >= sizeof(k->header)) {
		pbuf_free(&b);
		return -1;
	}
	memcpy(k->header, b.s, b.len);
	k->header[b.len] = '\0';
	k->headerlen = b.len;
	pbuf_free(&b);
	return 0;
}

enum patrol_err
patrol_key_load(const char *path, struct patrol_key **out,
    struct patrol_error *err)
{
	/* One byte more than allowed, to tell "too long" from "just fits". */
	unsigned char		 buf[KEY_FILE_MAX + 1];
	struct patrol_key	*k;
	size_t			 len = 0;
	enum patrol_err		 rc;

	*out = NULL;
	if ((rc = keyfile_read(path, buf, sizeof(buf), &len, err)) !=
	    PATROL_OK)
		goto out;
	if (len < PATROL_KEY_MIN) {
		rc = patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: signing key too short (%zu bytes, need at least %d)",
		    path, len, PATROL_KEY_MIN);
		goto out;
	}
	if (len > KEY_FILE_MAX) {
		rc = patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "%s: signing key too long (more than %d bytes)", path,
		    KEY_FILE_MAX);
		goto out;
	}
	if ((k = calloc(1, sizeof(*k) + len)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "%s: out of memory", path);
		goto out;
	}
	k->len = len;
	memcpy(k->bytes, buf, len);
	if ((k->mac = mac_new(k->bytes, len)) == NULL) {
		patrol_key_free(k);
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "%s: cannot set up HMAC-SHA256", path);
		goto out;
	}
	if (key_header(k) == -1) {
		patrol_key_free(k);
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "%s: out of memory", path);
		goto out;
	}
	*out = k;
out:
	wipe(buf, sizeof(buf));
	return rc;
}

enum patrol_err
patrol_key_generate(const char *path, struct patrol_error *err)
{
	return keyfile_create(path, KEY_GEN_LEN, "signing key", err);
}

void
patrol_key_free(struct patrol_key *key)
{
	if (key == NULL)
		return;
	EVP_MAC_CTX_free(key->mac);
	wipe(key->bytes, key->len);
	free(key);
}

void
patrol_key_id(const struct patrol_key *key, char out[PATROL_KID_LEN + 1])
{
	(void)key_id(key, out);
}
