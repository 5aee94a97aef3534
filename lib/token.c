/*
 * token.c: the bearer tokens /oauth/token hands out: compact HS256 JWTs
 * (RFC 7519) signed with the key of key.c. One implementation both ways.
 *
 * Issuing writes the one header patrol uses and the claims straight into a
 * buffer, base64url-encodes them and signs with the key's HMAC context.
 * Verifying takes nothing on trust: the header is checked first (exactly
 * HS256, no "crit"; "none" and every other algorithm are refused before
 * the signature is looked at; patrol's own header is recognised byte for
 * byte, any other spelling is parsed), the HMAC is recomputed and compared
 * in constant time, and only then are the claims parsed. Every failure is
 * PATROL_ERR_AUTH with one of the reasons docs/api.md lists; nothing from
 * the token but a short, plain "alg" value is ever echoed.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "patrol.h"
#include "extern.h"
#include "key_int.h"

#define TOKEN_MAX	8192	/* bytes of a compact JWT */
#define ALG_SHOWN_MAX	32	/* longest "alg" value quoted in an error */
#define HS256_LEN	32	/* bytes of an HMAC-SHA256 */

static const char malformed[] = "JWT is malformed";

/* The header patrol wrote before tokens named their key,
 * {"alg":"HS256","typ":"JWT"}, base64url; today's is the key's own (with
 * "kid", key_int.h). */
static const char own_header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
#define OWN_HEADER_LEN	(sizeof(own_header) - 1)

/* Fills err for a token that is not a well-formed JWT; returns AUTH. */
static enum patrol_err
bad_token(struct patrol_error *err)
{
	return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS, "%s",
	    malformed);
}

/* What a part that does not decode or parse means: a malformed token
 * (AUTH), or NOMEM when an allocation failed on the way. */
static enum patrol_err
bad_part(int oom, struct patrol_error *err)
{
	return oom ? patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory") : bad_token(err);
}

/* Decodes a base64url part of at most TOKEN_MAX bytes; see b64_decode.
 * NULL with *oom set when out of memory. */
static unsigned char *
b64url(const char *s, size_t len, size_t *outlen, int *oom)
{
	unsigned char	*d;

	errno = 0;
	if ((d = len > TOKEN_MAX ? NULL : b64_decode(s, len, 1, outlen)) ==
	    NULL)
		*oom = errno == ENOMEM;
	return d;
}

/* Parses a base64url part into a new JSON object (duplicate keys refused),
 * or NULL, with *oom set when out of memory. */
static json_t *
part_json(const char *s, size_t len, int *oom)
{
	unsigned char	*raw;
	size_t		 rawlen;
	json_t		*j;
	json_error_t	 jerr;

	if ((raw = b64url(s, len, &rawlen, oom)) == NULL)
		return NULL;
	j = jloadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, &jerr);
	*oom = j == NULL && json_error_code(&jerr) == json_error_out_of_memory;
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

/* The checks on the values of the claims once read: the issuer (given as
 * 1 for a match, 0 for none), the expiry, iat and nbf against the clock
 * (with leeway) and the lifetime bound (0: none). */
static enum patrol_err
claims_valid(const struct patrol_claims *c, int issuer_matches, int64_t now,
    long lifetime, struct patrol_error *err)
{
	if (!issuer_matches)
		return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT issuer does not match");
	if (c->exp <= now)
		return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT is expired");
	if (c->iat > now + PATROL_TOKEN_LEEWAY)
		return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT is issued in the future");
	if (c->nbf > now + PATROL_TOKEN_LEEWAY)
		return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT is not valid yet");
	/* exp > now >= 0 here, so exp - iat cannot overflow unless iat is
	 * far negative: such a token is as unbounded as an over-long one. */
	if (lifetime > 0 && (c->iat < 0 || c->exp - c->iat > lifetime))
		return patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT lifetime exceeds token.lifetime");
	return PATROL_OK;
}

/* Checks the claims of a correctly signed token and fills *c. */
static enum patrol_err
check_claims(const json_t *p, const char *issuer, int64_t now, long lifetime,
    struct patrol_claims *c, struct patrol_error *err)
{
	const json_t	*iat, *exp, *nbf;
	const char	*iss, *sub;

	iss = json_string_value(json_object_get(p, "iss"));
	sub = json_string_value(json_object_get(p, "sub"));
	iat = json_object_get(p, "iat");
	exp = json_object_get(p, "exp");
	nbf = json_object_get(p, "nbf");
	if (iss == NULL || !json_is_integer(iat) || !json_is_integer(exp) ||
	    (nbf != NULL && !json_is_integer(nbf)) ||
	    id_claim(p, "client_id", c->pat_id) == -1 ||
	    id_claim(p, "identity_id", c->identity_id) == -1 ||
	    id_claim(p, "jti", c->jti) == -1 ||
	    sub == NULL || strcmp(sub, c->identity_id) != 0)
		return bad_token(err);
	c->iat = json_integer_value(iat);
	c->exp = json_integer_value(exp);
	c->nbf = nbf != NULL ? json_integer_value(nbf) : -1;
	return claims_valid(c, strcmp(iss, issuer) == 0, now, lifetime, err);
}

/*
 * A cursor over claims as claims_write spells them, byte for byte:
 * {"iss":S,"sub":ID,"identity_id":ID,"client_id":ID,"scope":[S,...],
 * "iat":N,"exp":N,"jti":ID}, no white space, S without escapes.
 */
struct scan {
	const char	*p, *end;
};

static int
lit(struct scan *sc, const char *s, size_t n)
{
	if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, s, n) != 0)
		return -1;
	sc->p += n;
	return 0;
}
#define LIT(sc, s)	lit((sc), "" s "", sizeof(s) - 1)

/* A quoted id into out. */
static int
scan_id(struct scan *sc, char out[PATROL_ID_LEN + 1])
{
	if (LIT(sc, "\"") == -1 || sc->end - sc->p < PATROL_ID_LEN + 1)
		return -1;
	memcpy(out, sc->p, PATROL_ID_LEN);
	out[PATROL_ID_LEN] = '\0';
	sc->p += PATROL_ID_LEN;
	return patrol_id_valid(out) && LIT(sc, "\"") == 0 ? 0 : -1;
}

/* A quoted string without escapes or control characters; its bytes are
 * returned through *s and *n. */
static int
scan_str(struct scan *sc, const char **s, size_t *n)
{
	const char	*q;

	if (LIT(sc, "\"") == -1)
		return -1;
	for (q = sc->p; q < sc->end && *q != '"'; q++)
		if (*q == '\\' || (unsigned char)*q < 0x20)
			return -1;
	if (q == sc->end)
		return -1;
	*s = sc->p;
	*n = (size_t)(q - sc->p);
	sc->p = q + 1;
	return 0;
}

/* A non-negative integer of at most 15 digits. */
static int
scan_int(struct scan *sc, int64_t *v)
{
	int	 n = 0;

	*v = 0;
	while (sc->p < sc->end && *sc->p >= '0' && *sc->p <= '9' && n < 16) {
		*v = *v * 10 + (*sc->p++ - '0');
		n++;
	}
	return n > 0 && n < 16 && !(n > 1 && sc->p[-n] == '0') ? 0 : -1;
}

/* Reads claims spelled as claims_write writes them into *c; -1 for any
 * other spelling (the caller then parses them as JSON). */
static int
own_claims(const char *s, size_t len, struct patrol_claims *c)
{
	struct scan	 sc = { s, s + len };
	const char	*str;
	size_t		 n;

	memset(c, 0, sizeof(*c));
	if (LIT(&sc, "{\"iss\":") == -1 || scan_str(&sc, &str, &n) == -1 ||
	    LIT(&sc, ",\"sub\":") == -1 || scan_id(&sc, c->identity_id) == -1 ||
	    LIT(&sc, ",\"identity_id\":") == -1 ||
	    scan_id(&sc, c->pat_id) == -1 ||
	    strcmp(c->pat_id, c->identity_id) != 0 ||
	    LIT(&sc, ",\"client_id\":") == -1 || scan_id(&sc, c->pat_id) == -1 ||
	    LIT(&sc, ",\"scope\":[") == -1)
		return -1;
	if (LIT(&sc, "]") == -1)
		for (;;) {
			if (scan_str(&sc, &str, &n) == -1 ||
			    !utf8_valid(str, n))
				return -1;
			if (LIT(&sc, "]") == 0)
				break;
			if (LIT(&sc, ",") == -1)
				return -1;
		}
	if (LIT(&sc, ",\"iat\":") == -1 || scan_int(&sc, &c->iat) == -1 ||
	    LIT(&sc, ",\"exp\":") == -1 || scan_int(&sc, &c->exp) == -1 ||
	    LIT(&sc, ",\"jti\":") == -1 || scan_id(&sc, c->jti) == -1 ||
	    LIT(&sc, "}") == -1 || sc.p != sc.end)
		return -1;
	return 0;
}

/* 1 if the "iss" of claims spelled as claims_write writes them (own_claims
 * said so) is `issuer`, else 0. */
static int
issuer_ok(const unsigned char *raw, size_t len, const char *issuer)
{
	struct scan	 sc = { (const char *)raw, (const char *)raw + len };
	const char	*str;
	size_t		 n;

	return LIT(&sc, "{\"iss\":") == 0 && scan_str(&sc, &str, &n) == 0 &&
	    utf8_valid(str, n) && n == strlen(issuer) &&
	    memcmp(str, issuer, n) == 0;
}

enum patrol_err
patrol_token_verify(const struct patrol_key *key, const char *issuer,
    const char *jwt, int64_t now, long lifetime, struct patrol_claims *claims,
    struct patrol_error *err)
{
	const char	*dot1, *dot2;
	size_t		 len, siglen = 0;
	unsigned char	*sig = NULL, *raw = NULL, mac[HS256_LEN];
	size_t		 rawlen = 0;
	json_t		*header = NULL, *payload = NULL;
	json_error_t	 jerr;
	enum patrol_err	 rc;
	int		 oom = 0;

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

	/* The algorithm first: nothing else is looked at unless it is HS256.
	 * The key's own header and the one without kid are known as they
	 * are; any other is parsed. */
	if (!((size_t)(dot1 - jwt) == key->headerlen &&
	    memcmp(jwt, key->header, key->headerlen) == 0) &&
	    !((size_t)(dot1 - jwt) == OWN_HEADER_LEN &&
	    memcmp(jwt, own_header, OWN_HEADER_LEN) == 0)) {
		if ((header = part_json(jwt, (size_t)(dot1 - jwt), &oom)) ==
		    NULL) {
			rc = bad_part(oom, err);
			goto out;
		}
		if ((rc = check_header(header, err)) != PATROL_OK)
			goto out;
	}

	if ((sig = b64url(dot2 + 1, len - (size_t)(dot2 + 1 - jwt),
	    &siglen, &oom)) == NULL) {
		rc = bad_part(oom, err);
		goto out;
	}
	if (key_hmac(key, jwt, (size_t)(dot2 - jwt), mac) == -1) {
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "cannot compute HMAC-SHA256");
		goto out;
	}
	if (siglen != HS256_LEN || CRYPTO_memcmp(sig, mac, HS256_LEN) != 0) {
		rc = patrol_error_set(err, PATROL_ERR_AUTH, PATROL_NOPOS,
		    "JWT signature does not match");
		goto out;
	}

	/* Claims as patrol writes them are read without a JSON tree; any
	 * other spelling (a valid signature over it is still possible) is
	 * parsed in full. */
	if ((raw = b64url(dot1 + 1, (size_t)(dot2 - dot1 - 1), &rawlen,
	    &oom)) == NULL) {
		rc = bad_part(oom, err);
		goto out;
	}
	if (own_claims((const char *)raw, rawlen, claims) == 0) {
		claims->nbf = -1;
		rc = claims_valid(claims, issuer_ok(raw, rawlen, issuer), now,
		    lifetime, err);
		goto out;
	}
	memset(claims, 0, sizeof(*claims));
	if ((payload = jloadb((const char *)raw, rawlen,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL ||
	    !json_is_object(payload)) {
		rc = bad_part(payload == NULL &&
		    json_error_code(&jerr) == json_error_out_of_memory, err);
		goto out;
	}
	rc = check_claims(payload, issuer, now, lifetime, claims, err);
out:
	if (rc != PATROL_OK)
		memset(claims, 0, sizeof(*claims));
	wipe(mac, sizeof(mac));
	free(sig);
	free(raw);
	json_decref(header);
	json_decref(payload);
	return rc;
}


/* Appends the claims of a new token, as JSON, to b. */
static void
claims_write(struct pbuf *b, const char *issuer, const char *pat_id,
    const char *identity_id, const char *const *scope, size_t nscope,
    int64_t now, long lifetime, const char *jti)
{
	size_t	 i;

	PBUF_LIT(b, "{\"iss\":");
	pbuf_json_str(b, issuer, strlen(issuer));
	PBUF_LIT(b, ",\"sub\":\"");
	pbuf_add(b, identity_id, PATROL_ID_LEN);
	PBUF_LIT(b, "\",\"identity_id\":\"");
	pbuf_add(b, identity_id, PATROL_ID_LEN);
	PBUF_LIT(b, "\",\"client_id\":\"");
	pbuf_add(b, pat_id, PATROL_ID_LEN);
	PBUF_LIT(b, "\",\"scope\":[");
	if (scope == NULL)
		PBUF_LIT(b, "\"" PATROL_SCOPE_ALL "\"");
	for (i = 0; scope != NULL && i < nscope; i++) {
		if (i > 0)
			PBUF_LIT(b, ",");
		pbuf_json_str(b, scope[i], strlen(scope[i]));
	}
	PBUF_LIT(b, "],\"iat\":");
	pbuf_json_int(b, now);
	PBUF_LIT(b, ",\"exp\":");
	pbuf_json_int(b, now + lifetime);
	PBUF_LIT(b, ",\"jti\":\"");
	pbuf_add(b, jti, PATROL_ID_LEN);
	PBUF_LIT(b, "\"}");
}

enum patrol_err
patrol_token_issue(const struct patrol_key *key, const char *issuer,
    const char *pat_id, const char *identity_id, const char *const *scope,
    size_t nscope, int64_t now, long lifetime, char **jwt_out,
    struct patrol_error *err)
{
	struct pbuf	 claims = { 0 }, tok = { 0 };
	unsigned char	 mac[HS256_LEN];
	char		 jti[PATROL_ID_LEN + 1];
	size_t		 i;
	enum patrol_err	 rc;

	*jwt_out = NULL;
	if (key == NULL || issuer == NULL || *issuer == '\0' ||
	    !utf8_valid(issuer, strlen(issuer)))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "a JWT needs a signing key and an issuer");
	if (!patrol_id_valid(pat_id) || !patrol_id_valid(identity_id))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "a JWT needs a valid client id and identity id");
	if (lifetime <= 0 || now < 0 || now > (int64_t)(LONG_MAX - lifetime))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "token lifetime %ld from %lld is out of range", lifetime,
		    (long long)now);
	for (i = 0; scope != NULL && i < nscope; i++)
		if (scope[i] == NULL ||
		    !utf8_valid(scope[i], strlen(scope[i])))
			return patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "scope %zu: not a UTF-8 string", i);
	if ((rc = patrol_id_new(jti)) != PATROL_OK)
		return patrol_error_set(err, rc, PATROL_NOPOS,
		    "no random bytes for a JWT id");

	claims_write(&claims, issuer, pat_id, identity_id, scope, nscope, now,
	    lifetime, jti);
	pbuf_add(&tok, key->header, key->headerlen);
	PBUF_LIT(&tok, ".");
	if (!claims.oom)
		b64url_encode(&tok, claims.s, claims.len);
	if (claims.oom || tok.oom) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory building a JWT");
		goto out;
	}
	if (key_hmac(key, tok.s, tok.len, mac) == -1) {
		rc = patrol_error_set(err, PATROL_ERR_CRYPTO, PATROL_NOPOS,
		    "cannot compute HMAC-SHA256");
		goto out;
	}
	PBUF_LIT(&tok, ".");
	b64url_encode(&tok, mac, sizeof(mac));
	if (tok.oom) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory building a JWT");
		goto out;
	}
	/* A token the verifier (and the HTTP layer) would refuse is no use. */
	if (tok.len > TOKEN_MAX) {
		rc = patrol_error_set(err, PATROL_ERR_TOOBIG, PATROL_NOPOS,
		    "the JWT would be %zu bytes, more than %d (too many or "
		    "too long scopes)", tok.len, TOKEN_MAX);
		goto out;
	}
	*jwt_out = pbuf_take(&tok);
	rc = PATROL_OK;
out:
	wipe(mac, sizeof(mac));
	pbuf_free(&claims);
	pbuf_free(&tok);
	return rc;
}

int
token_kid(const char *jwt, char kid[PATROL_KID_LEN + 1])
{
	const char	*dot, *v;
	json_t		*h;
	size_t		 i;
	int		 found = 0, oom;

	kid[0] = '\0';
	if (jwt == NULL || (dot = strchr(jwt, '.')) == NULL ||
	    ((size_t)(dot - jwt) == OWN_HEADER_LEN &&
	    memcmp(jwt, own_header, OWN_HEADER_LEN) == 0))
		return 0;
	/* Out of memory too: verification parses it again and says why. */
	if ((h = part_json(jwt, (size_t)(dot - jwt), &oom)) == NULL)
		return 0;
	v = json_string_value(json_object_get(h, "kid"));
	if (v != NULL && strlen(v) == PATROL_KID_LEN) {
		for (i = 0; i < PATROL_KID_LEN; i++)
			if (!((v[i] >= '0' && v[i] <= '9') ||
			    (v[i] >= 'a' && v[i] <= 'f')))
				break;
		if (i == PATROL_KID_LEN) {
			memcpy(kid, v, PATROL_KID_LEN + 1);
			found = 1;
		}
	} else if (json_object_get(h, "kid") != NULL)
		found = -1;
	json_decref(h);
	return found;
}
