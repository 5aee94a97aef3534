/* t_token.c: signing keys, and issuing and verifying HS256 JWTs. */
#include "config.h"

#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#define KEY	"0123456789abcdef0123456789abcdef"	/* 32 bytes */
#define OTHER	"fedcba9876543210fedcba9876543210"
#define PAT	"0123456789abcdef0123456789abcdef"
#define IDN	"fedcba9876543210fedcba9876543210"
#define JTI	"00112233445566778899aabbccddeeff"
#define NOW	1700000000
#define LIFETIME	43199	/* token.lifetime's default */
#define PATH_MAX_TEST	512
#define HS256	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
/* The claims patrol issues, with room for one more (%s). */
#define CLAIMS_FMT "{\"iss\":\"patrol\",\"sub\":\"" IDN "\"," \
	"\"identity_id\":\"" IDN "\",\"client_id\":\"" PAT "\"," \
	"\"scope\":[\"sp:scopes:all\"],\"iat\":1700000000," \
	"\"exp\":1700043199,\"jti\":\"" JTI "\"%s}"

static char	 dir[PATH_MAX_TEST];

/* base64url without padding of p[0..n); new string. */
static char *
b64url(const void *p, size_t n)
{
	char	*s;
	size_t	 i, len;

	if ((s = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
		abort();
	len = (size_t)EVP_EncodeBlock((unsigned char *)s, p, (int)n);
	while (len > 0 && s[len - 1] == '=')
		len--;
	s[len] = '\0';
	for (i = 0; i < len; i++)
		s[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
	return s;
}

/* Decodes base64url s[0..len) into a new NUL-terminated string. */
static char *
unb64url(const char *s, size_t len)
{
	char	*in, *out;
	size_t	 i, pad = (4 - len % 4) % 4;
	int	 n;

	if ((in = malloc(len + pad + 1)) == NULL ||
	    (out = malloc(len + 4)) == NULL)
		abort();
	for (i = 0; i < len; i++)
		in[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	for (; i < len + pad; i++)
		in[i] = '=';
	n = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)in,
	    (int)(len + pad));
	free(in);
	out[n < 0 ? 0 : n - (int)pad] = '\0';
	return out;
}

/* header.payload.signature from JSON texts; signed with key (HMAC-SHA256)
 * unless key is NULL, then the signature part is empty. New string. */
static char *
make(const char *header, const char *payload, const char *key)
{
	char		*h = b64url(header, strlen(header));
	char		*p = b64url(payload, strlen(payload));
	char		*sig = NULL, *out;
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	size_t		 n;

	n = strlen(h) + strlen(p) + 2;
	if ((out = malloc(n + 64)) == NULL)
		abort();
	snprintf(out, n + 64, "%s.%s.", h, p);
	if (key != NULL) {
		HMAC(EVP_sha256(), key, (int)strlen(key),
		    (unsigned char *)out, n - 1, mac, &maclen);
		sig = b64url(mac, maclen);
		strcat(out, sig);
	}
	free(h);
	free(p);
	free(sig);
	return out;
}

/* The claims with one more member (or none: ""), as new JSON text. */
static char *
claims(const char *extra)
{
	char	*s;
	size_t	 n = strlen(CLAIMS_FMT) + strlen(extra) + 1;

	if ((s = malloc(n)) == NULL)
		abort();
	snprintf(s, n, CLAIMS_FMT, extra);
	return s;
}

/* Writes n bytes of c to dir/name; returns the path (static buffer). */
static const char *
keyfile(const char *name, const char *bytes, size_t n)
{
	static char	 path[PATH_MAX_TEST + 32];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(bytes, 1, n, f) != n || fclose(f) != 0)
		abort();
	return path;
}

static struct patrol_key *
loadkey(const char *name, const char *bytes)
{
	struct patrol_key	*k = NULL;

	if (patrol_key_load(keyfile(name, bytes, strlen(bytes)), &k, NULL) !=
	    PATROL_OK)
		abort();
	return k;
}

/* Verifies tok with key at NOW against issuer "patrol"; returns the text
 * of the failure, or "" on success (static buffer). */
static const char *
why(const struct patrol_key *key, const char *tok, int64_t now)
{
	static struct patrol_error	 err;
	struct patrol_claims		 c;
	enum patrol_err			 rc;

	memset(&err, 0, sizeof(err));
	rc = patrol_token_verify(key, "patrol", tok, now, LIFETIME, &c, &err);
	if (rc == PATROL_OK)
		return "";
	if (rc != PATROL_ERR_AUTH || c.pat_id[0] != '\0' || c.exp != 0)
		return "(not AUTH, or claims not cleared)";
	return err.text;
}

static void
test_keys(void)
{
	struct patrol_error	 err;
	struct patrol_key	*k;
	struct stat		 st;
	char			 big[4097], path[PATH_MAX_TEST + 64];

	memset(big, 'k', sizeof(big));
	snprintf(path, sizeof(path), "%s/gen.key", dir);
	is_int(patrol_key_generate(path, &err), PATROL_OK, "generate a key");
	ok(stat(path, &st) == 0 && st.st_size == 64 &&
	    (st.st_mode & 0777) == 0600, "64 bytes, mode 0600");
	k = NULL;
	ok(patrol_key_load(path, &k, &err) == PATROL_OK && k != NULL,
	    "the generated key loads");
	patrol_key_free(k);
	is_int(patrol_key_generate(path, &err), PATROL_ERR_EXISTS,
	    "generate over an existing file: EXISTS");
	ok(strstr(err.text, path) != NULL, "the error names the path (%s)",
	    err.text);
	ok(stat(path, &st) == 0 && st.st_size == 64,
	    "the existing key is left alone");
	snprintf(path, sizeof(path), "%s/no/such/dir.key", dir);
	is_int(patrol_key_generate(path, &err), PATROL_ERR_IO,
	    "generate in a missing directory: IO");
	ok(strncmp(err.text, path, strlen(path)) == 0 &&
	    strstr(err.text, ": ") != NULL, "IO error is path: strerror (%s)",
	    err.text);

	snprintf(path, sizeof(path), "%s/missing.key", dir);
	k = (struct patrol_key *)&err;
	is_int(patrol_key_load(path, &k, &err), PATROL_ERR_IO,
	    "load a missing file: IO");
	ok(k == NULL, "no key on failure");
	ok(strncmp(err.text, path, strlen(path)) == 0 &&
	    strstr(err.text, "No such file") != NULL, "says why (%s)",
	    err.text);
	is_int(patrol_key_load(dir, &k, &err), PATROL_ERR_IO,
	    "load a directory: IO");

	is_int(patrol_key_load(keyfile("short.key", "SECRETsecretSECRETsecret"
	    "SECRETs", 31), &k, &err), PATROL_ERR_INVALID,
	    "31 bytes: INVALID");
	snprintf(path, sizeof(path), "%s/short.key: signing key too short "
	    "(31 bytes, need at least 32)", dir);
	is_str(err.text, path, "too short: the text");
	ok(strstr(err.text, "SECRET") == NULL, "the key is not in the text");
	is_int(patrol_key_load(keyfile("empty.key", "", 0), &k, &err),
	    PATROL_ERR_INVALID, "empty file: INVALID");
	ok(strstr(err.text, "(0 bytes") != NULL, "empty: says 0 bytes");
	is_int(patrol_key_load(keyfile("long.key", big, 4097), &k, &err),
	    PATROL_ERR_INVALID, "4097 bytes: INVALID");
	ok(strstr(err.text, "too long") != NULL, "too long: says so (%s)",
	    err.text);
	ok(patrol_key_load(keyfile("max.key", big, 4096), &k, NULL) ==
	    PATROL_OK, "4096 bytes load");
	patrol_key_free(k);
	ok(patrol_key_load(keyfile("min.key", KEY, 32), &k, NULL) ==
	    PATROL_OK, "32 bytes load");
	patrol_key_free(k);
	patrol_key_free(NULL);
}

/* A signed token of exactly `want` bytes (a padding claim fills it). */
static char *
sized(int want)
{
	char	*pad, *extra, *c, *tok;
	size_t	 n;

	for (n = 0; n < (size_t)want; n++) {
		if ((pad = malloc(n + 1)) == NULL ||
		    (extra = malloc(n + 16)) == NULL)
			abort();
		memset(pad, 'p', n);
		pad[n] = '\0';
		snprintf(extra, n + 16, ",\"pad\":\"%s\"", pad);
		c = claims(extra);
		tok = make(HS256, c, KEY);
		free(pad);
		free(extra);
		free(c);
		if (strlen(tok) == (size_t)want)
			return tok;
		free(tok);
	}
	return NULL;
}

static void
test_issue(const struct patrol_key *key)
{
	static const char *const scope[] = {
		"idn:mfa-configuration:read", "sp:my-personal-access-tokens:read"
	};
	struct patrol_error	 err;
	struct patrol_claims	 c;
	char			*tok = NULL, *tok2 = NULL, *part, *d1, *d2;
	char			*scopes[PATROL_SCOPE_MAX], longscope[129];
	json_t			*j;
	size_t			 i;

	is_int(patrol_token_issue(key, "patrol", PAT, IDN, scope, 2, NOW,
	    43199, &tok, &err), PATROL_OK, "issue");
	ok(tok != NULL && (d1 = strchr(tok, '.')) != NULL &&
	    (d2 = strchr(d1 + 1, '.')) != NULL && strchr(d2 + 1, '.') == NULL,
	    "three parts");
	is_str(why(key, tok, NOW), "", "the issued token verifies");
	{
		char	 kid[PATROL_KID_LEN + 1], want[128];

		patrol_key_id(key, kid);
		snprintf(want, sizeof(want), "{\"alg\":\"HS256\",\"typ\":"
		    "\"JWT\",\"kid\":\"%s\"}", kid);
		part = unb64url(tok, (size_t)(strchr(tok, '.') - tok));
		is_str(part, want, "the header is exactly "
		    "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":<the key's id>}");
		free(part);
	}
	memset(&c, 0, sizeof(c));
	ok(patrol_token_verify(key, "patrol", tok, NOW, LIFETIME, &c, NULL) ==
	    PATROL_OK, "verify with NULL err");
	is_str(c.pat_id, PAT, "claims: client_id");
	is_str(c.identity_id, IDN, "claims: identity_id");
	ok(patrol_id_valid(c.jti), "claims: jti is an id");
	is_int(c.iat, NOW, "claims: iat");
	is_int(c.exp, NOW + 43199, "claims: exp = now + lifetime");
	is_str(why(key, tok, NOW + 43198), "", "valid a second before exp");
	is_str(why(key, tok, NOW + 43199), "JWT is expired", "expired at exp");
	is_str(why(key, tok, NOW + 100000), "JWT is expired", "expired later");

	d1 = strchr(tok, '.');
	d2 = strchr(d1 + 1, '.');
	part = unb64url(tok, (size_t)(d1 - tok));
	j = json_loads(part, 0, NULL);
	is_str(json_string_value(json_object_get(j, "alg")), "HS256",
	    "header alg HS256");
	json_decref(j);
	free(part);
	part = unb64url(d1 + 1, (size_t)(d2 - d1 - 1));
	j = json_loads(part, 0, NULL);
	is_str(json_string_value(json_object_get(j, "iss")), "patrol", "iss");
	is_str(json_string_value(json_object_get(j, "sub")), IDN, "sub");
	is_str(json_string_value(json_object_get(j, "identity_id")), IDN,
	    "identity_id");
	is_str(json_string_value(json_object_get(j, "client_id")), PAT,
	    "client_id");
	is_int(json_integer_value(json_object_get(j, "iat")), NOW, "iat");
	is_int(json_integer_value(json_object_get(j, "exp")), NOW + 43199,
	    "exp");
	ok(json_is_array(json_object_get(j, "scope")) &&
	    json_array_size(json_object_get(j, "scope")) == 2 &&
	    strcmp(json_string_value(json_array_get(json_object_get(j,
	    "scope"), 0)), scope[0]) == 0 &&
	    strcmp(json_string_value(json_array_get(json_object_get(j,
	    "scope"), 1)), scope[1]) == 0, "scope is the array given");
	is_str(json_string_value(json_object_get(j, "jti")), c.jti,
	    "jti claim");
	json_decref(j);
	free(part);

	is_int(patrol_token_issue(key, "patrol", PAT, IDN, NULL, 0, NOW, 60,
	    &tok2, &err), PATROL_OK, "issue with scope NULL");
	d1 = strchr(tok2, '.');
	d2 = strchr(d1 + 1, '.');
	part = unb64url(d1 + 1, (size_t)(d2 - d1 - 1));
	j = json_loads(part, 0, NULL);
	ok(json_array_size(json_object_get(j, "scope")) == 1 &&
	    strcmp(json_string_value(json_array_get(json_object_get(j,
	    "scope"), 0)), PATROL_SCOPE_ALL) == 0,
	    "scope NULL: [\"sp:scopes:all\"]");
	json_decref(j);
	free(part);
	ok(strcmp(tok, tok2) != 0 && why(key, tok2, NOW)[0] == '\0',
	    "a second token differs and verifies");
	memset(&c, 0, sizeof(c));
	patrol_token_verify(key, "patrol", tok2, NOW, LIFETIME, &c, NULL);
	ok(strcmp(c.jti, JTI) != 0 && patrol_id_valid(c.jti),
	    "each token has its own jti");
	free(tok);
	free(tok2);

	tok = (char *)"x";
	is_int(patrol_token_issue(key, "patrol", "me", IDN, NULL, 0, NOW, 60,
	    &tok, &err), PATROL_ERR_INVALID, "issue: bad PAT id");
	ok(tok == NULL, "no token on failure");
	is_int(patrol_token_issue(key, "patrol", PAT, "x", NULL, 0, NOW, 60,
	    &tok, &err), PATROL_ERR_INVALID, "issue: bad identity id");
	is_int(patrol_token_issue(key, "", PAT, IDN, NULL, 0, NOW, 60,
	    &tok, &err), PATROL_ERR_INVALID, "issue: empty issuer");
	is_int(patrol_token_issue(NULL, "patrol", PAT, IDN, NULL, 0, NOW, 60,
	    &tok, &err), PATROL_ERR_INVALID, "issue: no key");
	is_int(patrol_token_issue(key, "patrol", PAT, IDN, NULL, 0, NOW, 0,
	    &tok, &err), PATROL_ERR_INVALID, "issue: lifetime 0");
	is_int(patrol_token_issue(key, "patrol", PAT, IDN, NULL, 0, -1, 60,
	    &tok, &err), PATROL_ERR_INVALID, "issue: negative now");
	scopes[0] = (char *)"ok";
	scopes[1] = (char *)"bad\xff";
	is_int(patrol_token_issue(key, "patrol", PAT, IDN,
	    (const char *const *)scopes, 2, NOW, 60, &tok, &err),
	    PATROL_ERR_INVALID, "issue: scope not UTF-8");
	memset(longscope, 's', 128);
	longscope[128] = '\0';
	for (i = 0; i < PATROL_SCOPE_MAX; i++)
		scopes[i] = longscope;
	is_int(patrol_token_issue(key, "patrol", PAT, IDN,
	    (const char *const *)scopes, PATROL_SCOPE_MAX, NOW, 60, &tok,
	    &err), PATROL_ERR_TOOBIG,
	    "issue: a token over 8192 bytes is refused");
	ok(tok == NULL, "no token when too big");
}

static void
test_verify(const struct patrol_key *key, const struct patrol_key *other)
{
	static const char *const malformed[] = {
		"", "a", "a.b", "a.b.c", "a.b.c.d", "..", "...",
		"!!!.e30.", "e30.e30.", "W10.e30.",
		/* {"alg":"HS256","typ":"JWT"} with base64 padding */
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9=.e30.",
		/* standard-alphabet characters */
		"+yJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.",
		/* header not JSON: "{"alg" */
		"eyJhbGci.e30.",
	};
	/* Headers that are refused before the signature is looked at. */
	static const struct {
		const char	*header;
		const char	*why;
	} headers[] = {
		{ "{\"alg\":\"none\",\"typ\":\"JWT\"}",
		  "JWT algorithm none is not allowed" },
		{ "{\"alg\":\"none\"}", "JWT algorithm none is not allowed" },
		{ "{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
		  "JWT algorithm RS256 is not allowed" },
		{ "{\"alg\":\"HS512\"}", "JWT algorithm HS512 is not allowed" },
		{ "{\"alg\":\"hs256\"}", "JWT algorithm hs256 is not allowed" },
		{ "{\"alg\":\"NONE\"}", "JWT algorithm NONE is not allowed" },
		{ "{\"alg\":\"HS256 \"}", "JWT is malformed" },
		{ "{\"alg\":\"x\\\"y\"}", "JWT is malformed" },
		{ "{\"alg\":\"\"}", "JWT is malformed" },
		{ "{\"alg\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}",
		  "JWT is malformed" },
		{ "{\"typ\":\"JWT\"}", "JWT is malformed" },
		{ "{\"alg\":256}", "JWT is malformed" },
		{ "{\"alg\":null}", "JWT is malformed" },
		{ "{\"alg\":\"HS256\",\"alg\":\"none\"}", "JWT is malformed" },
		{ "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", "JWT is malformed" },
		{ "[\"HS256\"]", "JWT is malformed" },
		{ "\"HS256\"", "JWT is malformed" },
	};
	/* Correctly signed payloads that are not acceptable claims. */
	static const struct {
		const char	*payload;
		const char	*why;
	} payloads[] = {
		{ "not json", "JWT is malformed" },
		{ "[]", "JWT is malformed" },
		{ "{}", "JWT is malformed" },
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1700000000,"
		  "\"exp\":1700043199}", "JWT is malformed" },	/* no jti */
		{ "{\"iss\":\"patrol\",\"identity_id\":\"" IDN "\","
		  "\"client_id\":\"" PAT "\",\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* no sub */
		{ "{\"iss\":\"patrol\",\"sub\":\"" PAT "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* sub differs */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"me\",\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* client_id */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1700000000,"
		  "\"exp\":\"1700043199\",\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* exp string */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1700000000,"
		  "\"exp\":1700043199.0,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* exp real */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\","
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* no iat */
		{ "{\"iss\":7,\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* iss number */
		{ "{\"iss\":\"patrol\",\"iss\":\"patrol\",\"sub\":\"" IDN
		  "\",\"identity_id\":\"" IDN "\",\"client_id\":\"" PAT "\","
		  "\"iat\":1700000000,\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* duplicate */
		{ "{\"iss\":\"other\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT issuer does not match" },
		{ "{\"iss\":\"other\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1,"
		  "\"exp\":2,\"jti\":\"" JTI "\"}",
		  "JWT issuer does not match" },	/* before expiry */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"iat\":1,"
		  "\"exp\":1700000000,\"jti\":\"" JTI "\"}",
		  "JWT is expired" },
		/* Patrol's own spelling (read without a JSON tree) and near
		 * misses of it (parsed in full): the same answers. */
		{ "{\"iss\":\"other\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT issuer does not match" },
		{ "{\"iss\":\"patro\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT issuer does not match" },
		{ "{\"iss\":\"pat\\u0072ol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[\"a\\\"b\"],"
		  "\"iat\":1700000000,\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "" },						/* escapes */
		{ "{ \"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}", "" },	/* a space */
		{ "{\"iss\":\"patrol\",\"sub\":\"" PAT "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* sub differs */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":01700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* leading 0 */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":-5,\"jti\":\"" JTI "\"}", "JWT is expired" },
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":1000000000000000000,\"jti\":\"" JTI "\"}",
		  "JWT lifetime exceeds token.lifetime" },
		/* iat, nbf and the lifetime, in both spellings (patrol's own
		 * has no nbf). NOW is 1700000000; the leeway 60 s. */
#define TIMES(spell, iat, exp, extra) "{\"iss\":\"patrol\",\"sub\":\"" IDN \
	"\",\"identity_id\":\"" IDN "\",\"client_id\":\"" PAT "\"," spell \
	"\"iat\":" iat ",\"exp\":" exp ",\"jti\":\"" JTI "\"" extra "}"
		{ TIMES("\"scope\":[],", "1700000061", "1700003600", ""),
		  "JWT is issued in the future" },
		{ TIMES("", "1700000061", "1700003600", ""),
		  "JWT is issued in the future" },
		{ TIMES("\"scope\":[],", "1700000060", "1700003600", ""), "" },
		{ TIMES("", "1700000060", "1700003600", ""), "" },
		{ TIMES("", "1900000000", "1900003600", ""),
		  "JWT is issued in the future" },	/* years ahead */
		{ TIMES("", "1700000000", "1700003600", ",\"nbf\":1700000061"),
		  "JWT is not valid yet" },
		{ TIMES("", "1700000000", "1700003600", ",\"nbf\":1900000000"),
		  "JWT is not valid yet" },
		{ TIMES("", "1700000000", "1700003600", ",\"nbf\":1700000060"),
		  "" },
		{ TIMES("", "1700000000", "1700003600", ",\"nbf\":\"1\""),
		  "JWT is malformed" },
		{ TIMES("\"scope\":[],", "1700000000", "1700043199", ""), "" },
		{ TIMES("\"scope\":[],", "1700000000", "1700043200", ""),
		  "JWT lifetime exceeds token.lifetime" },
		{ TIMES("", "1700000000", "1700043200", ""),
		  "JWT lifetime exceeds token.lifetime" },
		{ TIMES("\"scope\":[],", "1", "1700000100", ""),
		  "JWT lifetime exceeds token.lifetime" },
		{ TIMES("", "-5", "1700000100", ""),
		  "JWT lifetime exceeds token.lifetime" },
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}x", "JWT is malformed" },
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[1],\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\"}", "" },	/* scope unused */
		{ "{\"iss\":\"patrol\",\"sub\":\"" IDN "\",\"identity_id\":\""
		  IDN "\",\"client_id\":\"" PAT "\",\"scope\":[],\"iat\":1700000000,"
		  "\"exp\":1700043199,\"jti\":\"" JTI "\",\"jti\":\"" JTI "\"}",
		  "JWT is malformed" },				/* duplicate */
	};
	struct patrol_error	 err;
	struct patrol_claims	 cl;
	char			*good, *tok, *t2, *c, *p, *enc;
	size_t			 i, n, need;

	c = claims("");
	good = make(HS256, c, KEY);
	is_str(why(key, good, NOW), "", "a hand-made token verifies");
	/* Another spelling of the same header is parsed, not recognised. */
	tok = make("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", c, KEY);
	is_str(why(key, tok, NOW), "", "a reordered HS256 header verifies");
	free(tok);
	tok = make("{ \"alg\" : \"HS256\" }", c, KEY);
	is_str(why(key, tok, NOW), "", "a spaced HS256 header verifies");
	free(tok);
	tok = make("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"crit\":[]}", c, KEY);
	is_str(why(key, tok, NOW), "JWT is malformed",
	    "an HS256 header with crit is refused");
	free(tok);
	is_str(why(other, good, NOW), "JWT signature does not match",
	    "wrong key");
	is_str(why(key, good, NOW + 43199), "JWT is expired",
	    "hand-made token expires");
	is_int(patrol_token_verify(key, "other", good, NOW, LIFETIME, &cl, &err),
	    PATROL_ERR_AUTH, "wrong issuer: AUTH");
	is_str(err.text, "JWT issuer does not match", "wrong issuer: text");
	is_int(patrol_token_verify(NULL, "patrol", good, NOW, LIFETIME, &cl, &err),
	    PATROL_ERR_INVALID, "no key: INVALID");

	/* The payload of another token under this token's signature. */
	tok = strdup(good);
	p = strchr(tok, '.') + 1;
	enc = b64url("{\"iss\":\"patrol\"}", 16);
	n = (size_t)(strchr(p, '.') - p);
	need = strlen(tok) + strlen(enc) + 1;
	if ((t2 = malloc(need)) == NULL)
		abort();
	snprintf(t2, need, "%.*s%s%s", (int)(p - tok), tok, enc, p + n);
	is_str(why(key, t2, NOW), "JWT signature does not match",
	    "tampered payload");
	free(t2);
	free(enc);
	/* One character of the signature changed (not the last, whose low
	 * bits are padding). */
	n = strlen(tok);
	tok[n - 10] = tok[n - 10] == 'A' ? 'B' : 'A';
	is_str(why(key, tok, NOW), "JWT signature does not match",
	    "tampered signature");
	/* A signature one byte short, and one with a stray character. */
	tok[n - 10] = good[n - 10];
	tok[n - 3] = '\0';
	is_str(why(key, tok, NOW), "JWT signature does not match",
	    "truncated signature");
	tok[n - 3] = good[n - 3];
	tok[n - 10] = '*';
	is_str(why(key, tok, NOW), "JWT is malformed",
	    "signature not base64url");
	free(tok);
	/* The last character's unused bits set: not the canonical form. */
	tok = strdup(good);
	n = strlen(tok);
	tok[n - 1] = (char)(tok[n - 1] + 1);
	is_str(why(key, tok, NOW), "JWT is malformed",
	    "non-canonical signature encoding");
	free(tok);
	tok = make(HS256, c, NULL);
	is_str(why(key, tok, NOW), "JWT signature does not match",
	    "HS256 without a signature");
	free(tok);

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		is_str(why(key, malformed[i], NOW), "JWT is malformed",
		    "malformed: '%s'", malformed[i]);
	is_str(why(key, NULL, NOW), "JWT is malformed", "malformed: NULL");

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		tok = make(headers[i].header, c, NULL);
		is_str(why(key, tok, NOW), headers[i].why, "header %s, unsigned",
		    headers[i].header);
		free(tok);
		tok = make(headers[i].header, c, KEY);
		is_str(why(key, tok, NOW), headers[i].why,
		    "header %s, HMAC-signed", headers[i].header);
		free(tok);
	}
	/* The token test_auth in t_server.c uses: alg none, no signature. */
	is_str(why(key, "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0."
	    "eyJzdWIiOiJ4In0.", NOW), "JWT algorithm none is not allowed",
	    "alg none with the sub-only payload");

	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		tok = make(HS256, payloads[i].payload, KEY);
		is_str(why(key, tok, NOW), payloads[i].why, "signed payload %zu",
		    i);
		free(tok);
	}

	tok = sized(8192);
	ok(tok != NULL && strlen(tok) == 8192, "a signed 8192-byte token");
	is_str(why(key, tok, NOW), "", "8192 bytes are accepted");
	free(tok);
	tok = sized(8193);
	ok(tok != NULL && strlen(tok) == 8193, "a signed 8193-byte token");
	is_str(why(key, tok, NOW), "JWT is malformed", "8193 bytes are not");
	free(tok);
	free(good);
	free(c);
}

/* Removes the files the tests created, then their directory. */
static void
cleanup(void)
{
	static const char *const files[] = {
		"gen.key", "short.key", "empty.key", "long.key", "max.key",
		"min.key", "key", "other"
	};
	char	 path[PATH_MAX_TEST + 32];
	size_t	 i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	if (rmdir(dir) == -1)
		tap_diag("could not remove %s", dir);
}

/* Key ids: the kid of the header names the key; keyring_pick finds it. */
static void
test_kid(struct patrol_key *key, struct patrol_key *other)
{
	struct keyring		 kr;
	struct patrol_error	 err;
	char			 kid[PATROL_KID_LEN + 1], okid[PATROL_KID_LEN + 1];
	char			 k[PATROL_KID_LEN + 1], hdr[128];
	char			*mine = NULL, *theirs = NULL, *legacy, *named, *c;
	char			*unknown, *bad;
	const struct patrol_key	*got;
	int			 tryall;

	patrol_key_id(key, kid);
	patrol_key_id(other, okid);
	patrol_token_issue(key, "patrol", PAT, IDN, NULL, 0, NOW, 600, &mine,
	    &err);
	patrol_token_issue(other, "patrol", PAT, IDN, NULL, 0, NOW, 600,
	    &theirs, &err);
	c = claims("");
	legacy = make(HS256, c, KEY);
	snprintf(hdr, sizeof(hdr), "{\"kid\":\"%s\",\"alg\":\"HS256\"}", kid);
	named = make(hdr, c, KEY);
	unknown = make("{\"alg\":\"HS256\",\"kid\":\"0000000000000000\"}", c,
	    KEY);
	bad = make("{\"alg\":\"HS256\",\"kid\":17}", c, KEY);

	is_int(token_kid(mine, k), 1, "token_kid: an issued token names its key");
	is_str(k, kid, "token_kid: the key's id");
	is_int(token_kid(legacy, k), 0, "token_kid: none in the old header");
	is_int(token_kid(named, k), 1, "token_kid: another spelling of a header");
	is_str(k, kid, "token_kid: its kid");
	is_int(token_kid(bad, k), -1, "token_kid: a kid that is not an id: -1");
	is_int(token_kid("x", k), 0, "token_kid: not a JWT: 0");
	is_str(why(key, named, NOW), "", "a token whose header is spelt "
	    "otherwise verifies");
	is_str(why(key, legacy, NOW), "", "a token without kid verifies");
	is_str(why(other, mine, NOW), "JWT signature does not match",
	    "another key does not verify it");

	memset(&kr, 0, sizeof(kr));
	kr.cur = key;
	kr.old[0] = other;
	kr.nold = 1;
	got = keyring_pick(&kr, mine, &tryall);
	ok(got == key && !tryall, "pick: the current key's token");
	got = keyring_pick(&kr, theirs, &tryall);
	ok(got == other && !tryall, "pick: a retained key's token");
	got = keyring_pick(&kr, named, &tryall);
	ok(got == key && !tryall, "pick: by kid, however the header is spelt");
	got = keyring_pick(&kr, legacy, &tryall);
	ok(got == key && tryall, "pick: no kid: the current key, then all");
	ok(keyring_pick(&kr, unknown, &tryall) == NULL,
	    "pick: an unknown kid: no key");
	ok(keyring_pick(&kr, bad, &tryall) == NULL, "pick: a bad kid: no key");
	kr.nold = 0;
	ok(keyring_pick(&kr, theirs, &tryall) == NULL,
	    "pick: a pruned key's token: no key");
	free(mine);
	free(theirs);
	free(legacy);
	free(named);
	free(unknown);
	free(bad);
	free(c);
}

int
main(void)
{
	struct patrol_key	*key, *other;
	const char		*tmp = getenv("TMPDIR");

	snprintf(dir, sizeof(dir), "%s/t_token.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		printf("1..0 # SKIP cannot create a temporary directory\n");
		return 77;
	}
	test_keys();
	key = loadkey("key", KEY);
	other = loadkey("other", OTHER);
	test_issue(key);
	test_verify(key, other);
	test_kid(key, other);
	patrol_key_free(key);
	patrol_key_free(other);
	cleanup();
	return done_testing();
}
