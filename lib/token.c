/*
 * token.c: the bearer tokens /oauth/token hands out: compact HS256 JWTs
 * (RFC 7519) signed with the key of key.c.
 *
 * Issuing goes through libjwt. Verifying does not trust libjwt with
 * anything: the header is decoded and its "alg" checked first (exactly
 * HS256; "none" and every other algorithm are refused before the signature
 * is looked at), the HMAC is recomputed here and compared in constant time,
 * and only then are the claims parsed. Every failure is PATROL_ERR_AUTH
 * with one of the reasons docs/api.md lists; nothing from the token but a
 * short, plain "alg" value is ever echoed.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "patrol.h"
#include "extern.h"
#include "key_int.h"

#define TOKEN_MAX	8192	/* bytes of a compact JWT */
#define ALG_SHOWN_MAX	32	/* longest "alg" value quoted in an error */
#define HS256_LEN	32	/* bytes of an HMAC-SHA256 */

static const char malformed[] = "JWT is malformed";

/* Fills err for a token that is not a well-formed JWT; returns AUTH. */
static enum patrol_err
bad_token(struct patrol_error *err)
{
	return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS, "%s",
	    malformed);
}

/* Decodes a base64url part of at most TOKEN_MAX bytes; see b64_decode. */
static unsigned char *
b64url(const char *s, size_t len, size_t *outlen)
{
	return len > TOKEN_MAX ? NULL : b64_decode(s, len, 1, outlen);
}

/* Parses a base64url part into a new JSON object (duplicate keys refused),
 * or NULL. */
static json_t *
part_json(const char *s, size_t len)
{
	unsigned char	*raw;
	size_t		 rawlen;
	json_t		*j;

	if ((raw = b64url(s, len, &rawlen)) == NULL)
		return NULL;
	j = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES,
	    NULL);
	free(raw);
	if (j != NULL && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j;
}

/* Returns 1 if alg is short and plain enough to quote in an error. */
static int
alg_showable(const char *alg)
{
	size_t	 i;

	for (i = 0; alg[i] != '\0'; i++) {
		if (i == ALG_SHOWN_MAX)
			return 0;
		if (!((alg[i] >= 'A' && alg[i] <= 'Z') ||
		    (alg[i] >= 'a' && alg[i] <= 'z') ||
		    (alg[i] >= '0' && alg[i] <= '9') ||
		    alg[i] == '-' || alg[i] == '_' || alg[i] == '.' ||
		    alg[i] == '+'))
			return 0;
	}
	return i > 0;
}

/* Checks the JOSE header: PATROL_OK only for alg HS256 without "crit"
 * (no extension is understood, RFC 7515 section 4.1.11). */
static enum patrol_err
check_header(const json_t *h, struct patrol_error *err)
{
	const char	*alg;

	alg = json_string_value(json_object_get(h, "alg"));
	if (alg == NULL || json_object_get(h, "crit") != NULL)
		return bad_token(err);
	if (strcmp(alg, "HS256") == 0)
		return PATROL_OK;
	if (!alg_showable(alg))
		return bad_token(err);
	return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
	    "JWT algorithm %s is not allowed", alg);
}

/* Copies the claim `name` into out if it is a valid id; 0 or -1. */
static int
id_claim(const json_t *p, const char *name, char out[PATROL_ID_LEN + 1])
{
	const char	*s = json_string_value(json_object_get(p, name));

	if (!patrol_id_valid(s))
		return -1;
	memcpy(out, s, PATROL_ID_LEN + 1);
	return 0;
}

/* Checks the claims of a correctly signed token and fills *c. */
static enum patrol_err
check_claims(const json_t *p, const char *issuer, int64_t now,
    struct patrol_claims *c, struct patrol_error *err)
{
	const json_t	*iat, *exp;
	const char	*iss, *sub;

	iss = json_string_value(json_object_get(p, "iss"));
	sub = json_string_value(json_object_get(p, "sub"));
	iat = json_object_get(p, "iat");
	exp = json_object_get(p, "exp");
	if (iss == NULL || !json_is_integer(iat) || !json_is_integer(exp) ||
	    id_claim(p, "client_id", c->pat_id) == -1 ||
	    id_claim(p, "identity_id", c->identity_id) == -1 ||
	    id_claim(p, "jti", c->jti) == -1 ||
	    sub == NULL || strcmp(sub, c->identity_id) != 0)
		return bad_token(err);
	if (strcmp(iss, issuer) != 0)
		return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT issuer does not match");
	c->iat = json_integer_value(iat);
	c->exp = json_integer_value(exp);
	if (c->exp <= now)
		return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT is expired");
	return PATROL_OK;
}

enum patrol_err
patrol_token_verify(const struct patrol_key *key, const char *issuer,
    const char *jwt, int64_t now, struct patrol_claims *claims,
    struct patrol_error *err)
{
	const char	*dot1, *dot2;
	size_t		 len, siglen = 0;
	unsigned char	*sig = NULL, mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	json_t		*header = NULL, *payload = NULL;
	enum patrol_err	 rc;

	memset(claims, 0, sizeof(*claims));
	memset(mac, 0, sizeof(mac));
	if (key == NULL || issuer == NULL)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "no signing key or issuer to verify a JWT with");

	/* header "." payload "." signature, nothing else. */
	if (jwt == NULL || (len = strnlen(jwt, TOKEN_MAX + 1)) > TOKEN_MAX ||
	    (dot1 = memchr(jwt, '.', len)) == NULL ||
	    (dot2 = memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - jwt))) ==
	    NULL || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - jwt)) !=
	    NULL) {
		rc = bad_token(err);
		goto out;
	}

	/* The algorithm first: nothing else is looked at unless it is HS256. */
	if ((header = part_json(jwt, (size_t)(dot1 - jwt))) == NULL) {
		rc = bad_token(err);
		goto out;
	}
	if ((rc = check_header(header, err)) != PATROL_OK)
		goto out;

	if ((sig = b64url(dot2 + 1, len - (size_t)(dot2 + 1 - jwt),
	    &siglen)) == NULL) {
		rc = bad_token(err);
		goto out;
	}
	if (HMAC(EVP_sha256(), key->bytes, (int)key->len,
	    (const unsigned char *)jwt, (size_t)(dot2 - jwt), mac, &maclen) ==
	    NULL || maclen != HS256_LEN) {
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "cannot compute HMAC-SHA256");
		goto out;
	}
	if (siglen != HS256_LEN || CRYPTO_memcmp(sig, mac, HS256_LEN) != 0) {
		rc = patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT signature does not match");
		goto out;
	}

	if ((payload = part_json(dot1 + 1, (size_t)(dot2 - dot1 - 1))) ==
	    NULL) {
		rc = bad_token(err);
		goto out;
	}
	rc = check_claims(payload, issuer, now, claims, err);
out:
	if (rc != PATROL_OK)
		memset(claims, 0, sizeof(*claims));
	wipe(mac, sizeof(mac));
	free(sig);
	json_decref(header);
	json_decref(payload);
	return rc;
}

/* The error for a failed libjwt call, whose return value is an errno. */
static enum patrol_err
jwt_fail(struct patrol_error *err, int e)
{
	if (e == ENOMEM)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory building a JWT");
	return patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
	    "cannot build a JWT (libjwt error %d)", e);
}

/* {"scope": [...]} as JSON text for jwt_add_grants_json. New string. */
static enum patrol_err
scope_json(const char *const *scope, size_t nscope, char **out,
    struct patrol_error *err)
{
	json_t		*arr = NULL, *wrap = NULL;
	size_t		 i;
	enum patrol_err	 rc = PATROL_ERR_NOMEM;

	*out = NULL;
	if ((arr = json_array()) == NULL)
		goto out;
	if (scope == NULL && json_array_append_new(arr,
	    json_string(PATROL_SCOPE_ALL)) == -1)
		goto out;
	for (i = 0; scope != NULL && i < nscope; i++) {
		if (scope[i] == NULL ||
		    !utf8_valid(scope[i], strlen(scope[i]))) {
			rc = patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu: not a UTF-8 string", i);
			goto out;
		}
		if (json_array_append_new(arr, json_string(scope[i])) == -1)
			goto out;
	}
	if ((wrap = json_pack("{s:o}", "scope", arr)) == NULL)
		goto out;
	arr = NULL;
	if ((*out = json_dumps(wrap, JSON_COMPACT)) != NULL)
		rc = PATROL_OK;
out:
	if (rc == PATROL_ERR_NOMEM)
		patrol_error_set(err, rc, PATROL_NOPOS, "out of memory");
	json_decref(arr);
	json_decref(wrap);
	return rc;
}

enum patrol_err
patrol_token_issue(const struct patrol_key *key, const char *issuer,
    const char *pat_id, const char *identity_id, const char *const *scope,
    size_t nscope, int64_t now, long lifetime, char **jwt_out,
    struct patrol_error *err)
{
	jwt_t		*jwt = NULL;
	char		*scopes = NULL, *enc = NULL;
	char		 jti[PATROL_ID_LEN + 1];
	size_t		 len;
	int		 e;
	enum patrol_err	 rc;

	*jwt_out = NULL;
	if (key == NULL || issuer == NULL || *issuer == '\0')
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "a JWT needs a signing key and an issuer");
	if (!patrol_id_valid(pat_id) || !patrol_id_valid(identity_id))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "a JWT needs a valid client id and identity id");
	if (lifetime <= 0 || now < 0 || now > (int64_t)(LONG_MAX - lifetime))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "token lifetime %ld from %lld is out of range", lifetime,
		    (long long)now);
	if ((rc = scope_json(scope, nscope, &scopes, err)) != PATROL_OK)
		return rc;
	if ((rc = patrol_id_new(jti)) != PATROL_OK) {
		patrol_error_set(err, rc, PATROL_NOPOS,
		    "no random bytes for a JWT id");
		goto out;
	}

	if ((e = jwt_new(&jwt)) != 0 ||
	    (e = jwt_add_grant(jwt, "iss", issuer)) != 0 ||
	    (e = jwt_add_grant(jwt, "sub", identity_id)) != 0 ||
	    (e = jwt_add_grant(jwt, "identity_id", identity_id)) != 0 ||
	    (e = jwt_add_grant(jwt, "client_id", pat_id)) != 0 ||
	    (e = jwt_add_grants_json(jwt, scopes)) != 0 ||
	    (e = jwt_add_grant_int(jwt, "iat", (long)now)) != 0 ||
	    (e = jwt_add_grant_int(jwt, "exp", (long)now + lifetime)) != 0 ||
	    (e = jwt_add_grant(jwt, "jti", jti)) != 0 ||
	    (e = jwt_set_alg(jwt, JWT_ALG_HS256, key->bytes,
	    (int)key->len)) != 0) {
		rc = jwt_fail(err, e);
		goto out;
	}
	errno = 0;
	if ((enc = jwt_encode_str(jwt)) == NULL) {
		rc = jwt_fail(err, errno != 0 ? errno : EINVAL);
		goto out;
	}
	/* A token the verifier (and the HTTP layer) would refuse is no use. */
	if ((len = strlen(enc)) > TOKEN_MAX) {
		rc = patrol_error_set(err, PATROL_ERR_TOOBIG, PATROL_NOPOS,
		    "the JWT would be %zu bytes, more than %d (too many or "
		    "too long scopes)", len, TOKEN_MAX);
		goto out;
	}
	*jwt_out = enc;
	enc = NULL;
out:
	jwt_free(jwt);		/* scrubs its copy of the key */
	free(enc);
	free(scopes);
	return rc;
}
