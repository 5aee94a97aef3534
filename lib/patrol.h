/*
 * patrol.h: public interface of libpatrol, a self-hosted implementation of the
 * SailPoint Identity Security Cloud beta API for personal access tokens (PATs)
 * and Duo MFA configuration.
 *
 * Conventions (read once, they hold for every function below):
 *  - Fallible functions return an enum patrol_err (PATROL_OK on success) and
 *    take an optional `struct patrol_error *err` (NULL accepted) that receives
 *    a human-readable text and, where it applies, a line or byte position.
 *  - Ownership is stated in each comment: "new" means the caller frees it
 *    with the named function; "borrowed" means it lives as long as its owner.
 *  - Every *_free and *_clear function accepts NULL.
 *  - Nothing in libpatrol prints, exits or aborts; there is no mutable global
 *    state, so distinct objects may be used from distinct threads.
 *  - Times are int64_t milliseconds since the Unix epoch (UTC).
 */
#ifndef PATROL_H
#define PATROL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PATROL_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

enum patrol_err {
	PATROL_OK = 0,
	PATROL_ERR_NOMEM,	/* out of memory */
	PATROL_ERR_IO,		/* read/write/open failed (errno in text) */
	PATROL_ERR_SYNTAX,	/* malformed input: filter, JSON, form, date */
	PATROL_ERR_INVALID,	/* well-formed but invalid value */
	PATROL_ERR_UNSUPPORTED,	/* valid filter, unsupported field/operator */
	PATROL_ERR_TOOBIG,	/* an input bound was exceeded */
	PATROL_ERR_NOTFOUND,	/* no such object */
	PATROL_ERR_EXISTS,	/* object already exists */
	PATROL_ERR_AUTH,	/* bad credentials or bearer token */
	PATROL_ERR_FORBIDDEN,	/* authenticated but not allowed */
	PATROL_ERR_MEDIATYPE,	/* unsupported Content-Type */
	PATROL_ERR_STORE,	/* storage backend failure */
	PATROL_ERR_SCHEMA,	/* database missing or at a wrong version */
	PATROL_ERR_CONFIG,	/* configuration file error */
	PATROL_ERR_CRYPTO,	/* CSPRNG, hash or signature failure */
	PATROL_ERR_LIMIT,	/* a configured limit would be exceeded */
	PATROL_ERR__MAX
};

/* Returns a static string naming `e`; cannot fail (unknown -> "unknown error"). */
const char *patrol_strerror(enum patrol_err e);

#define PATROL_ERROR_TEXT_MAX 512
#define PATROL_NOPOS ((size_t)-1)

/* Caller-allocated error detail, filled by fallible functions. */
struct patrol_error {
	enum patrol_err code;
	int line;		/* 1-based line (config files), 0 when n/a */
	size_t position;	/* 0-based byte offset (filters), or PATROL_NOPOS */
	char text[PATROL_ERROR_TEXT_MAX];	/* never contains secrets */
};

/* Fills `err` (if not NULL) with code, position, line 0 and a printf-style
 * text; returns `code` so callers can `return patrol_error_set(...)`. */
enum patrol_err patrol_error_set(struct patrol_error *err, enum patrol_err code,
    size_t position, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ------------------------------------------------------------------ */
/* Time (isotime.c)                                                    */
/* ------------------------------------------------------------------ */

#define PATROL_TIME_BUFSZ 32

/* Current time in ms since the epoch; cannot fail. */
int64_t patrol_time_now(void);

/* Writes `ms` as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (PATROL_TIME_BUFSZ bytes,
 * NUL-terminated). Returns 0, or -1 if the year is outside 0000..9999. */
int patrol_time_format(int64_t ms, char *buf);

/* Parses an RFC 3339 date-time of exactly `len` bytes ("2023-02-05T10:59:27Z",
 * fractional seconds of any length truncated to ms, "Z" or "+hh:mm"/"-hh:mm";
 * 't'/'z' accepted) into ms since the epoch. PATROL_ERR_SYNTAX on any error. */
enum patrol_err patrol_time_parse(const char *s, size_t len, int64_t *ms);

/* ------------------------------------------------------------------ */
/* Randomness, secrets and hashing (secret.c)                          */
/* ------------------------------------------------------------------ */

#define PATROL_ID_LEN 32	/* ids are 32 lowercase hex characters */
#define PATROL_SECRET_LEN 64	/* PAT secrets: 64 lowercase hex characters */
#define PATROL_HASH_LEN 64	/* SHA-256 as lowercase hex */

/* Fills out[0 .. 2*nbytes-1] with lowercase hex of nbytes CSPRNG bytes and
 * NUL-terminates it (out must hold 2*nbytes+1). PATROL_ERR_CRYPTO on failure. */
enum patrol_err patrol_random_hex(char *out, size_t nbytes);

/* New random id (PATROL_ID_LEN hex + NUL into out). */
enum patrol_err patrol_id_new(char out[PATROL_ID_LEN + 1]);

/* Returns 1 if s is exactly PATROL_ID_LEN lowercase hex characters, else 0. */
int patrol_id_valid(const char *s);

/* SHA-256 of secret[0..len) as lowercase hex into out (PATROL_HASH_LEN + 1).
 * PATROL_ERR_CRYPTO on failure. */
enum patrol_err patrol_secret_hash(const char *secret, size_t len,
    char out[PATROL_HASH_LEN + 1]);

/* Constant-time check that SHA-256(secret) equals the hex `hash`. Returns 1 on
 * match, 0 otherwise (including any error). */
int patrol_secret_check(const char *secret, size_t len, const char *hash);

/* ------------------------------------------------------------------ */
/* Masking (mask.c)                                                    */
/* ------------------------------------------------------------------ */

/* Shortest secret shown as first char + "******" + last char; shorter
 * non-empty secrets are masked as PATROL_MASK_ALL. */
#define PATROL_MASK_MIN_LEN 10
#define PATROL_MASK_ALL "********"

/* Returns a new string (caller frees with free()) holding the masked form of
 * s: "" for "", PATROL_MASK_ALL for 1..PATROL_MASK_MIN_LEN-1 characters
 * (counted as UTF-8 code points), otherwise first code point, six '*', last
 * code point. NULL only on ENOMEM. */
char *patrol_mask_secret(const char *s);

/* Returns 1 if `candidate` equals the masked form of `secret`, else 0. */
int patrol_mask_matches(const char *candidate, const char *secret);

/* ------------------------------------------------------------------ */
/* Duo MFA configuration (duo.c)                                       */
/* ------------------------------------------------------------------ */

/* Maximum nesting depth accepted in a Duo configuration body. */
#define PATROL_DUO_DEPTH_MAX 16

/* Returns a new reference to the default configuration served before any
 * PUT: {"mfaMethod":"duo-web","enabled":false,"host":null,"accessKey":null,
 * "identityAttribute":null,"configProperties":null}. NULL only on ENOMEM. */
json_t *patrol_duo_default(void);

/* Checks a PUT body against the MfaDuoConfig schema: an object, only known
 * top-level keys, each of the right type or null where nullable, mfaMethod
 * "duo-web" or null, configProperties an object or null whose "skey" (if
 * present) is a string or null. On error returns PATROL_ERR_INVALID with
 * err->text naming the field (e.g. "enabled: expected boolean, got string").
 * `body` is borrowed. */
enum patrol_err patrol_duo_validate(const json_t *body, struct patrol_error *err);

/* Builds the configuration to store from a validated PUT body and the
 * previously stored configuration (or NULL): absent keys take their defaults,
 * mfaMethod is always "duo-web", and a secret (accessKey, configProperties.skey
 * and the configProperties members named in props, the configuration's
 * secrets.duo_properties: NULL-terminated, or NULL) that equals the masked
 * form of the stored secret keeps the stored secret. Returns a new
 * reference; NULL on ENOMEM. Arguments are borrowed. */
json_t *patrol_duo_merge(const json_t *body, const json_t *stored,
    const char *const *props);

/* Returns a new reference: a deep copy of `stored` with accessKey,
 * configProperties.skey and the configProperties members named in props
 * (NULL-terminated, or NULL) masked (strings only) and everything else as
 * is. NULL on ENOMEM. */
json_t *patrol_duo_mask(const json_t *stored, const char *const *props);

/* ------------------------------------------------------------------ */
/* Filter language (filter*.c)                                         */
/* ------------------------------------------------------------------ */

#define PATROL_FILTER_LEN_MAX 4096	/* bytes of expression */
#define PATROL_FILTER_DEPTH_MAX 32	/* nesting of not/and/or/() */
#define PATROL_FILTER_LIST_MAX 256	/* items in an `in`/`ca` list */

enum patrol_filter_op {
	PATROL_FOP_EQ, PATROL_FOP_NE, PATROL_FOP_GT, PATROL_FOP_GE,
	PATROL_FOP_LT, PATROL_FOP_LE, PATROL_FOP_CO, PATROL_FOP_SW,
	PATROL_FOP_IN, PATROL_FOP_CA, PATROL_FOP_PR, PATROL_FOP_ISNULL,
	PATROL_FOP__MAX
};
#define PATROL_FOP_BIT(op) (1u << (op))

/* Returns the lowercase name of op ("eq", ...); static; cannot fail. */
const char *patrol_filter_op_name(enum patrol_filter_op op);

enum patrol_value_type {
	PATROL_VAL_NULL, PATROL_VAL_STRING, PATROL_VAL_NUMBER,
	PATROL_VAL_BOOL, PATROL_VAL_DATETIME, PATROL_VAL_LIST
};

/* A literal (filter) or a field value (evaluation, SQL parameters). */
struct patrol_value {
	enum patrol_value_type type;
	union {
		struct { char *s; size_t len; } str;	/* not NUL-free: use len */
		double num;
		int b;
		int64_t ms;				/* DATETIME */
		struct { struct patrol_value *v; size_t n; } list;
	} u;
};

enum patrol_field_type {
	PATROL_FIELD_STRING, PATROL_FIELD_NUMBER, PATROL_FIELD_BOOL,
	PATROL_FIELD_DATETIME
};

/* One filterable field of an endpoint and the operators it supports. */
struct patrol_filter_field {
	const char *name;		/* as in the API, e.g. "lastUsed" */
	enum patrol_field_type type;
	int nullable;
	unsigned ops;			/* PATROL_FOP_BIT(...) | ... */
};

struct patrol_filter_schema {
	const struct patrol_filter_field *fields;
	size_t nfields;
};

/* The schema of GET /beta/personal-access-tokens: lastUsed (le, isnull). */
extern const struct patrol_filter_schema patrol_pat_filter_schema;

struct patrol_filter;	/* opaque parse tree */

/* Parses expr[0..len) (the decoded `filters` value). On success *out is a new
 * tree (free with patrol_filter_free). Errors: PATROL_ERR_TOOBIG (longer than
 * PATROL_FILTER_LEN_MAX, deeper than PATROL_FILTER_DEPTH_MAX, list longer than
 * PATROL_FILTER_LIST_MAX), PATROL_ERR_SYNTAX with err->position at the
 * offending byte and a text such as "expected a value after 'le' at position
 * 12". Never reads past len; NUL bytes are a syntax error. */
enum patrol_err patrol_filter_parse(const char *expr, size_t len,
    struct patrol_filter **out, struct patrol_error *err);

void patrol_filter_free(struct patrol_filter *f);

/* Writes the tree as an S-expression, e.g.
 * (or (not (eq a 1)) (and (eq b "x") (isnull c))), snprintf-style: returns
 * the length the full text needs (excluding NUL), writes at most sz bytes. */
size_t patrol_filter_dump(const struct patrol_filter *f, char *buf, size_t sz);

/* Checks the tree against an endpoint schema and converts literals to the
 * field's type (a datetime field accepts a bare or quoted RFC 3339 string).
 * Errors: PATROL_ERR_UNSUPPORTED naming the field or operator ("filtering on
 * field 'name' is not supported", "operator 'eq' is not supported for field
 * 'lastUsed' (supported: le, isnull)") with err->position at the field;
 * PATROL_ERR_INVALID for a literal of the wrong type. Mutates literals. */
enum patrol_err patrol_filter_bind(struct patrol_filter *f,
    const struct patrol_filter_schema *schema, struct patrol_error *err);

/* Fetches the value of `field` for the current record into *out (borrowed
 * until the next call); PATROL_VAL_NULL for null. */
typedef enum patrol_err (*patrol_filter_getter)(void *arg,
    const struct patrol_filter_field *field, struct patrol_value *out);

/* Evaluates a bound tree on one record. *match is 1 or 0. Comparisons with a
 * null field are false (ne: true), strings compare ASCII-case-insensitively. */
enum patrol_err patrol_filter_eval(const struct patrol_filter *f,
    patrol_filter_getter get, void *arg, int *match);

enum patrol_sql_style {
	PATROL_SQL_QMARK,	/* ?, as SQLite */
	PATROL_SQL_DOLLAR	/* $1, $2, ... as PostgreSQL */
};

/* A compiled WHERE fragment and its parameters (values are new copies). */
struct patrol_sql {
	char *where;			/* e.g. "(last_used IS NOT NULL AND last_used <= ?)" */
	struct patrol_value *params;	/* DATETIME values bind as int64 ms */
	size_t nparams;
};

/* Compiles a bound tree to SQL with the same truth table as
 * patrol_filter_eval. columns[i] is the SQL expression for
 * schema->fields[i] (the same schema given to patrol_filter_bind);
 * placeholders are numbered from first_param (DOLLAR style). Fills *out
 * (clear with patrol_sql_clear). */
enum patrol_err patrol_filter_sql(const struct patrol_filter *f,
    const struct patrol_filter_schema *schema, const char *const *columns,
    enum patrol_sql_style style, size_t first_param, struct patrol_sql *out,
    struct patrol_error *err);

void patrol_sql_clear(struct patrol_sql *sql);

/* Frees what v owns (strings, lists), not v itself. */
void patrol_value_clear(struct patrol_value *v);

/* ------------------------------------------------------------------ */
/* JSON Patch (jsonpatch.c)                                            */
/* ------------------------------------------------------------------ */

#define PATROL_JSONPATCH_OPS_MAX 1000		/* operations in a patch */
#define PATROL_JSONPOINTER_LEN_MAX 1024		/* bytes in a path or from */
#define PATROL_JSONPATCH_COPY_MAX 65536		/* values duplicated by all
						 * `copy` operations of a patch */
#define PATROL_JSONPATCH_DEPTH_MAX 2048		/* nested arrays and objects
						 * (jansson's parser bound) */

/* Applies the RFC 6902 patch `patch` (a JSON array of operation objects) to
 * a deep copy of `doc`. All or nothing: on success *out is a new reference
 * to the patched document; on failure *out is NULL, doc is untouched,
 * err->position is the index of the failing operation (PATROL_NOPOS when
 * the patch as a whole is refused) and err->text names it, e.g.
 * "operation 2 (replace /scope/5): index 5 is out of range".
 *
 * Operations: add, remove, replace, move, copy, test. Paths are RFC 6901
 * pointers: "" is the whole document (add and replace swap it, remove
 * refuses it), "~0" and "~1" stand for '~' and '/', "-" appends to an array
 * (add only), array indices are decimal without leading zeros. Members of
 * an operation other than op, path, from and value are ignored; a patch
 * parsed without JSON_REJECT_DUPLICATES keeps the last of duplicate
 * members. `test` compares as RFC 6902 section 4.6 says: numbers by value
 * (1 equals 1.0), objects whatever their member order.
 *
 * Errors: PATROL_ERR_SYNTAX for a malformed patch or operation (the patch
 * not an array; an operation not an object; op missing, not a string or
 * unknown; path, from or value missing; path or from not a string or not a
 * JSON pointer, or holding a NUL character; `from` a parent of `path` in a
 * move); PATROL_ERR_INVALID when an operation cannot be applied (a location
 * that does not exist, an index out of range or not a number, a parent that
 * is no object or array, a failed test: "operation 0 (test /name): value
 * differs"); PATROL_ERR_TOOBIG for more than PATROL_JSONPATCH_OPS_MAX
 * operations (position PATROL_NOPOS), a pointer longer than
 * PATROL_JSONPOINTER_LEN_MAX bytes, copies beyond
 * PATROL_JSONPATCH_COPY_MAX values, or a document (given, or at any step)
 * nesting more than PATROL_JSONPATCH_DEPTH_MAX arrays and objects deep (a
 * given one: position PATROL_NOPOS); PATROL_ERR_NOMEM. The text quotes at
 * most a short prefix of a pointer (non-printable bytes as \xHH) and never
 * a value. `doc` and `patch` are borrowed; out must not be NULL. */
enum patrol_err patrol_jsonpatch_apply(const json_t *doc, const json_t *patch,
    json_t **out, struct patrol_error *err);

/* ------------------------------------------------------------------ */
/* Configuration (conf.c)                                              */
/* ------------------------------------------------------------------ */

struct patrol_conf {
	char *path;			/* the file it was read from */
	char *db_backend;		/* "sqlite" (default) or "postgresql" */
	char *db_path;			/* sqlite: database file (absolute) */
	char *db_conninfo;		/* postgresql: libpq conninfo, or NULL */
	int db_busy_timeout_ms;		/* default 5000 */
	char *key_file;			/* HS256 signing key file (absolute) */
	char *secrets_key_file;		/* data key for secrets at rest */
	char **secret_duo_properties;	/* configProperties keys sealed
					 * besides skey; NULL-terminated,
					 * or NULL for none */
	char *issuer;			/* JWT "iss", default "patrol" */
	long token_lifetime;		/* seconds, default 43199 */
	size_t body_max;		/* request body bound, default 65536 */
	long requests_per_token;	/* per access token and window on
					 * /beta/... (0: no limit), 100 */
	long window_seconds;		/* their window, default 10 */
	long auth_failures;		/* failed secrets per client id and
					 * per address and window, 10 */
	long auth_window_seconds;	/* their window, default 60 */
	char *limits_file;		/* the shared counters (absolute) */
	long last_used_interval;	/* seconds, default 86400 */
	long pat_default_expiry;	/* days a new PAT lives when its
					 * expiry is not given, default 182;
					 * 0: never expires ("never") */
	long pat_max_per_owner;		/* PATs an identity may hold,
					 * default 10; 0: no limit */
	char *files_group;		/* group given access to the state
					 * files (the web server's), or NULL:
					 * owner only */
	long audit_retention_days;	/* audit rows kept, default 365;
					 * 0: forever */
};

/* Default configuration path: $(sysconfdir)/patrol/patrol.conf. Static. */
const char *patrol_conf_default_path(void);

/* Reads a libconfig file. Relative paths in it are resolved against the
 * directory of the file. On success *out is new (patrol_conf_free).
 * Errors: PATROL_ERR_IO with text "path: strerror", PATROL_ERR_CONFIG with
 * err->line and text "file:line: message" (syntax, wrong type, bad value). */
enum patrol_err patrol_conf_load(const char *path, struct patrol_conf **out,
    struct patrol_error *err);

void patrol_conf_free(struct patrol_conf *conf);

/* ------------------------------------------------------------------ */
/* State files (state.c)                                               */
/* ------------------------------------------------------------------ */

/*
 * The modes patrol gives its state files: the database (with its -wal and
 * -shm) and the signing key are the owner's alone (0600), unless
 * conf->files_group names a group: then the database is 0660 (the
 * responders write it) and the key 0640, both of that group.
 */

/* Gives each state file that exists its mode and group, as above (what
 * `patrolctl init` does). PATROL_ERR_INVALID for an unknown group,
 * PATROL_ERR_IO "path: strerror" when a chmod/chown fails. */
enum patrol_err patrol_state_secure(const struct patrol_conf *conf,
    struct patrol_error *err);

/* Checks the state files that exist: *warnings is NULL when none is open to
 * others, else a new string (free()) with one line per file that others may
 * read or write ("path: readable by others (mode 0644); ..."), lines
 * separated by '\n', no final newline. PATROL_ERR_NOMEM only. */
enum patrol_err patrol_state_check(const struct patrol_conf *conf,
    char **warnings);

/* ------------------------------------------------------------------ */
/* Signing keys and tokens (key.c, token.c)                            */
/* ------------------------------------------------------------------ */

#define PATROL_KEY_MIN 32	/* bytes of HS256 key material */

struct patrol_key;

/* Loads an HS256 key file (raw bytes, at least PATROL_KEY_MIN, at most 4096).
 * *out is new (patrol_key_free, which wipes it). PATROL_ERR_IO "path: strerror",
 * PATROL_ERR_INVALID when too short/long. */
enum patrol_err patrol_key_load(const char *path, struct patrol_key **out,
    struct patrol_error *err);

/* Creates `path` (mode 0600, O_EXCL) with 64 CSPRNG bytes. PATROL_ERR_EXISTS
 * if it already exists. */
enum patrol_err patrol_key_generate(const char *path, struct patrol_error *err);

void patrol_key_free(struct patrol_key *key);

/* The id of a signing key: 16 lowercase hex digits of the SHA-256 of its
 * material, into out (PATROL_KID_LEN + 1 bytes). Retained keys are kept
 * as FILE.<kid> (patrolctl key rotate --signing). */
#define PATROL_KID_LEN 16
void patrol_key_id(const struct patrol_key *key, char out[PATROL_KID_LEN + 1]);

/* ------------------------------------------------------------------ */
/* Rate limits (ratelimit.c)                                           */
/* ------------------------------------------------------------------ */

/* Fixed-window counters shared by every process that opens the same file
 * (limits.state_file): a mapped table updated without locks. Opaque. */
struct patrol_ratelimit;

/* Opens (creating, mode 0600) the counters file. IO "path: strerror",
 * NOMEM. *out is new (patrol_ratelimit_close). */
enum patrol_err patrol_ratelimit_open(const char *path,
    struct patrol_ratelimit **out, struct patrol_error *err);
void patrol_ratelimit_close(struct patrol_ratelimit *rl);
/* The counter of (kind, key) in the window of `window` seconds holding
 * `now` (seconds): with count 1, adds one and returns 0 while it is at most
 * `limit`, else the seconds until the window ends (the Retry-After); with
 * count 0, adds nothing and returns that when the counter has reached
 * `limit` already. limit or window 0, or rl NULL: always 0. Cannot fail. */
long patrol_ratelimit_hit(struct patrol_ratelimit *rl, const char *kind,
    const char *key, long limit, long window, int64_t now, int count);

/* ------------------------------------------------------------------ */
/* Secrets at rest (seal.c)                                            */
/* ------------------------------------------------------------------ */

/* A 256-bit data key (secrets.key_file) for AES-256-GCM. Opaque. */
struct patrol_seal;

/* Creates path (mode 0600, must not exist: PATROL_ERR_EXISTS) with 32
 * random bytes. IO "path: strerror", CRYPTO; nothing left on failure. */
enum patrol_err patrol_seal_generate(const char *path,
    struct patrol_error *err);
/* Loads a data key file (exactly 32 bytes, else INVALID naming the path;
 * IO "path: strerror"). *out is new (patrol_seal_free, which wipes it). */
enum patrol_err patrol_seal_load(const char *path, struct patrol_seal **out,
    struct patrol_error *err);
void patrol_seal_free(struct patrol_seal *seal);
/* Seals text (at most 64 KiB) under the key with `context` (where the value
 * lives, e.g. "duo_config/1/accessKey") as associated data and a fresh
 * nonce: *out is new text "enc:v1:..." (free()). NOMEM, CRYPTO, INVALID. */
enum patrol_err patrol_seal_encrypt(const struct patrol_seal *seal,
    const char *context, const char *text, char **out,
    struct patrol_error *err);
/* Opens a value of patrol_seal_encrypt sealed with the same context: *out is
 * the new plaintext (free() after wiping). CRYPTO "sealed under another
 * secrets key" or "does not open" (altered, or another context), STORE
 * when value is not a sealed value; err->text never holds the secret. */
enum patrol_err patrol_seal_decrypt(const struct patrol_seal *seal,
    const char *context, const char *value, char **out,
    struct patrol_error *err);
/* 1 when value is a sealed value ("enc:v1:" prefix), else 0. */
int patrol_seal_is_sealed(const char *value);

/* What a verified token says. */
struct patrol_claims {
	char pat_id[PATROL_ID_LEN + 1];		/* "client_id" */
	char identity_id[PATROL_ID_LEN + 1];	/* "identity_id" (and "sub") */
	char jti[PATROL_ID_LEN + 1];
	int64_t iat, exp;			/* seconds since the epoch */
	int64_t nbf;				/* the same, -1 when absent */
};

/* Issues an HS256 JWT with claims iss, sub, identity_id, client_id, scope
 * (array; ["sp:scopes:all"] when scope is NULL), iat, exp = now + lifetime,
 * jti. `now` is seconds. *jwt_out is new (free()). */
enum patrol_err patrol_token_issue(const struct patrol_key *key,
    const char *issuer, const char *pat_id, const char *identity_id,
    const char *const *scope, size_t nscope, int64_t now, long lifetime,
    char **jwt_out, struct patrol_error *err);

/* Leeway, in seconds, for clocks that disagree: iat and nbf may lie this far
 * in the future. */
#define PATROL_TOKEN_LEEWAY 60

/* Verifies a compact JWT (at most 8192 bytes): three base64url parts, header
 * alg exactly HS256 (alg "none" and every other alg rejected), valid
 * signature (constant-time), matching iss, exp > now (seconds), iat and nbf
 * (when present) not after now + PATROL_TOKEN_LEEWAY, exp - iat at most
 * `lifetime` (seconds; the configured token.lifetime, 0 for no bound),
 * well-formed claims. Fills *claims. On failure PATROL_ERR_AUTH with
 * err->text the reason without prefix, e.g. "JWT is expired", "JWT
 * signature does not match", "JWT algorithm none is not allowed", "JWT is
 * malformed", "JWT is issued in the future", "JWT is not valid yet", "JWT
 * lifetime exceeds token.lifetime". NOMEM or CRYPTO when it could not be
 * checked (an allocation failed): that says nothing about the token. */
enum patrol_err patrol_token_verify(const struct patrol_key *key,
    const char *issuer, const char *jwt, int64_t now, long lifetime,
    struct patrol_claims *claims, struct patrol_error *err);

/* ------------------------------------------------------------------ */
/* Rights and scopes (rights.c)                                        */
/* ------------------------------------------------------------------ */

#define PATROL_RIGHT_ORG_ADMIN "ORG_ADMIN"
#define PATROL_RIGHT_PAT_ALL_READ "idn:all-personal-access-tokens:read"
#define PATROL_RIGHT_PAT_MY_READ "idn:my-personal-access-tokens:read"
#define PATROL_RIGHT_PAT_MANAGED_READ "idn:managed-personal-access-tokens:read"
#define PATROL_RIGHT_PAT_ALL_MANAGE "idn:all-personal-access-tokens:manage"
#define PATROL_RIGHT_PAT_MY_MANAGE "idn:my-personal-access-tokens:manage"
#define PATROL_RIGHT_MFA_READ "idn:mfa-configuration:read"
#define PATROL_RIGHT_MFA_MANAGE "idn:mfa-configuration:manage"
#define PATROL_SCOPE_ALL "sp:scopes:all"

/* Returns 1 if `name` is a right patrol knows (the names above), else 0. */
int patrol_right_known(const char *name);

/* The rights patrol knows, as a static NULL-terminated array. */
const char *const *patrol_right_names(void);

/* Returns 1 if the rights list grants `right`, else 0. ORG_ADMIN grants
 * every right; a manage right grants the read right of the same range
 * (all-tokens manage: all-tokens read; my-tokens manage: my-tokens read;
 * MFA manage: MFA read). */
int patrol_rights_have(char *const *rights, size_t n, const char *right);

/* Returns 1 if a PAT with this scope may call an operation whose security
 * section lists `op_scopes` (NULL-terminated): scope NULL (default) or
 * containing PATROL_SCOPE_ALL grants everything, otherwise any element of
 * scope that is listed in op_scopes. */
int patrol_scope_allows(char *const *scope, size_t nscope, int scope_null,
    const char *const *op_scopes);

/* Returns 1 if a PAT of scope `scope` may give a PAT the scope `sub`, that
 * is, if sub grants nothing that scope does not: scope null or containing
 * PATROL_SCOPE_ALL covers everything; otherwise sub must not be null
 * (sub_null) and each of its entries must be in scope. Else 0. */
int patrol_scope_covers(char *const *scope, size_t nscope, int scope_null,
    char *const *sub, size_t nsub, int sub_null);

/* ------------------------------------------------------------------ */
/* Storage (store.c and one store_<backend>.c per backend)             */
/* ------------------------------------------------------------------ */

#define PATROL_NAME_MAX 128	/* bytes in an identity or PAT name */
#define PATROL_SCOPE_MAX 64	/* entries in a PAT scope list */
#define PATROL_SCOPE_LEN_MAX 128	/* bytes in one scope string */

struct patrol_identity {
	char id[PATROL_ID_LEN + 1];
	char *name;
	char **rights;
	size_t nrights;
};

struct patrol_pat {
	char id[PATROL_ID_LEN + 1];
	char *name;
	char **scope;		/* NULL when scope_null */
	size_t nscope;
	int scope_null;		/* the scope is JSON null */
	char owner_id[PATROL_ID_LEN + 1];
	char *owner_name;	/* filled by get and list */
	int64_t created;	/* ms */
	int64_t last_used;	/* ms, or -1 for null */
	int managed;
	int64_t expires;	/* ms: expirationDate, or -1 for never */
	long validity;		/* accessTokenValiditySeconds */
	char secret_hash[PATROL_HASH_LEN + 1];
};

/* Free what the struct owns, not the struct; safe on a zeroed struct. */
void patrol_identity_clear(struct patrol_identity *id);
void patrol_pat_clear(struct patrol_pat *pat);

struct patrol_store;

/* Opens the backend named by conf->db_backend. Does not create the schema:
 * a missing or outdated schema gives PATROL_ERR_SCHEMA ("database not
 * initialised: run patrolctl init") unless `create` is nonzero, in which case
 * the database is created/migrated (what `patrolctl init` does). *out is new
 * (patrol_store_close). */
enum patrol_err patrol_store_open(const struct patrol_conf *conf, int create,
    struct patrol_store **out, struct patrol_error *err);

void patrol_store_close(struct patrol_store *st);

/* The schema version this library writes and expects. */
#define PATROL_SCHEMA_VERSION 3

/* Adds an identity; id->id must be set (patrol_id_new). EXISTS on duplicate
 * id. Arguments borrowed. */
enum patrol_err patrol_store_identity_add(struct patrol_store *st,
    const struct patrol_identity *id, struct patrol_error *err);

/* Fills *out (clear with patrol_identity_clear). NOTFOUND if absent. */
enum patrol_err patrol_store_identity_get(struct patrol_store *st,
    const char *id, struct patrol_identity *out, struct patrol_error *err);

/* Deletes an identity that owns no PAT. NOTFOUND if absent, EXISTS if it
 * still owns PATs (delete them first). */
enum patrol_err patrol_store_identity_delete(struct patrol_store *st,
    const char *id, struct patrol_error *err);

/* Adds a PAT; all fields but owner_name must be set (validity in
 * PATROL_VALIDITY_MIN..MAX, expires -1 or not negative). NOTFOUND if the
 * owner does not exist, EXISTS if the owner already has a PAT of that name
 * or the id is taken, LIMIT if max_per_owner is not 0 and the owner already
 * holds that many PATs (counted and added atomically). */
enum patrol_err patrol_store_pat_add(struct patrol_store *st,
    const struct patrol_pat *pat, long max_per_owner,
    struct patrol_error *err);

/* Replaces the name, scope, expires and validity of the PAT pat->id with
 * those of *pat (the other fields are ignored). NOTFOUND if absent, EXISTS
 * if its owner has another PAT of the new name. Checks as pat_add. */
enum patrol_err patrol_store_pat_update(struct patrol_store *st,
    const struct patrol_pat *pat, struct patrol_error *err);

/* Deletes a PAT. NOTFOUND if absent. */
enum patrol_err patrol_store_pat_delete(struct patrol_store *st,
    const char *id, struct patrol_error *err);

/* Explicit write transactions (patrolctl pat import): begin takes the
 * write lock at once (busy timeout applies); commit makes the writes done
 * since durable; rollback undoes them and cannot fail. Without begin,
 * every store function is its own transaction. Nested begin, and commit
 * without begin, are INVALID; rollback without begin does nothing. */
enum patrol_err patrol_store_begin(struct patrol_store *st,
    struct patrol_error *err);
enum patrol_err patrol_store_commit(struct patrol_store *st,
    struct patrol_error *err);
void patrol_store_rollback(struct patrol_store *st);

/* Read transactions: the reads between read_begin and read_end see one
 * snapshot of the database and share one lock (a request's authentication
 * and its listing, say). read_begin fails with INVALID inside a
 * transaction; no write may happen before read_end, which cannot fail. */
enum patrol_err patrol_store_read_begin(struct patrol_store *st,
    struct patrol_error *err);
void patrol_store_read_end(struct patrol_store *st);

/* Fills *out including secret_hash and owner_name. NOTFOUND if absent. */
enum patrol_err patrol_store_pat_get(struct patrol_store *st, const char *id,
    struct patrol_pat *out, struct patrol_error *err);

/* Sort keys of a PAT listing (the `sorters` parameter). */
enum patrol_pat_sort_key {
	PATROL_PAT_SORT_CREATED,	/* "created" */
	PATROL_PAT_SORT_NAME,		/* "name", ASCII case-insensitive */
	PATROL_PAT_SORT_LAST_USED	/* "lastUsed", nulls first (asc) */
};

struct patrol_pat_sorter {
	enum patrol_pat_sort_key key;
	int desc;			/* "-name": descending */
};

#define PATROL_PAT_SORTERS_MAX 3	/* each key at most once */
#define PATROL_PAT_LIMIT_MAX 250	/* largest `limit` of the API */

struct patrol_pat_query {
	const char *owner_id;			/* NULL: every owner */
	int include_managed;			/* 0: skip managed PATs */
	const struct patrol_filter *filter;	/* bound to `schema`, or NULL */
	/* The schema the filter was bound to: patrol_pat_filter_schema (NULL
	 * means that one) or patrol_pat_admin_filter_schema. */
	const struct patrol_filter_schema *schema;
	/* Order: sorters[0..nsorters) then id ascending, so that pages are
	 * stable; no sorters: created ascending. */
	struct patrol_pat_sorter sorters[PATROL_PAT_SORTERS_MAX];
	size_t nsorters;
	int64_t limit;				/* rows at most; 0: no limit */
	int64_t offset;				/* rows skipped, >= 0 */
	int with_hash;				/* fill secret_hash */
};

/* Parses a `sorters` value, s[0..len): comma-separated keys (created, name,
 * lastUsed), each optionally prefixed by "-", each at most once, into
 * q->sorters and q->nsorters. INVALID with a text naming the offending key
 * ("sorters: unknown field 'x' (supported: created, name, lastUsed)"; an
 * unknown key that is long or not printable is named by its position), and
 * q left unchanged. */
enum patrol_err patrol_pat_sorters_parse(const char *s, size_t len,
    struct patrol_pat_query *q, struct patrol_error *err);

/* Called once per PAT, in the query's order; `pat` is borrowed for the call
 * (secret_hash empty unless the query asked for it). Return nonzero to stop
 * the listing early. */
typedef int (*patrol_pat_cb)(void *arg, const struct patrol_pat *pat);

/* Filterable fields of `patrolctl pat list --filters`: id, name, owner.id,
 * owner.name (strings, every operator; owner.name null when the owner no
 * longer exists), created, lastUsed, expirationDate (datetimes; the last
 * two nullable), accessTokenValiditySeconds (number), managed (bool). */
extern const struct patrol_filter_schema patrol_pat_admin_filter_schema;

/* A patrol_filter_getter over a `const struct patrol_pat *` passed as arg,
 * for either PAT schema. String values borrow from the PAT. */
enum patrol_err patrol_pat_filter_value(void *arg,
    const struct patrol_filter_field *field, struct patrol_value *out);

/* The API representation of a PAT (GetPersonalAccessTokenResponse): id,
 * name, scope (array or null), owner {type,id,name}, created, lastUsed (or
 * null), managed, expirationDate (or null), accessTokenValiditySeconds.
 * Never includes the secret hash. New reference; NULL on ENOMEM. */
json_t *patrol_pat_to_json(const struct patrol_pat *pat);

/* Streams matching PATs to cb without holding them all in memory. Returns
 * PATROL_OK also when cb stopped the listing. */
enum patrol_err patrol_store_pat_list(struct patrol_store *st,
    const struct patrol_pat_query *q, patrol_pat_cb cb, void *arg,
    struct patrol_error *err);

/* The number of PATs the query matches, limit and offset ignored. */
enum patrol_err patrol_store_pat_count(struct patrol_store *st,
    const struct patrol_pat_query *q, int64_t *count,
    struct patrol_error *err);

/* Sets last_used = now (ms) when it is null or at most now - interval_ms.
 * *updated (may be NULL) says whether a write happened. NOTFOUND if absent. */
enum patrol_err patrol_store_pat_touch(struct patrol_store *st, const char *id,
    int64_t now, int64_t interval_ms, int *updated, struct patrol_error *err);

/* Stored Duo configuration as JSON text: *json is new (free()), NOTFOUND
 * before the first put. */
enum patrol_err patrol_store_duo_get(struct patrol_store *st, char **json,
    struct patrol_error *err);

enum patrol_err patrol_store_duo_put(struct patrol_store *st, const char *json,
    struct patrol_error *err);

/* The Duo configuration as every response shows it: the stored one, or
 * patrol_duo_default() before the first update, with its secrets masked
 * (patrol_duo_mask). Stored secrets are sealed: they are opened with `seal`
 * (borrowed; NULL when no secrets key is loaded, then a sealed secret is a
 * CONFIG error, never a masked guess); props names the configProperties
 * members that are secrets besides skey (secrets.duo_properties: sealed
 * and masked too; NULL-terminated, or NULL). *out is a new reference.
 * (duo_store.c) */
enum patrol_err patrol_duo_show(struct patrol_store *st,
    const struct patrol_seal *seal, const char *const *props, json_t **out,
    struct patrol_error *err);

/* Replaces the Duo configuration with a PUT body: body[0..len) must be
 * valid UTF-8 JSON without duplicate keys (SYNTAX otherwise; the text gives
 * line and column but quotes nothing of the body, which may hold secrets)
 * that passes patrol_duo_validate (INVALID, naming the field). It is merged
 * with the stored configuration (patrol_duo_merge: masked secrets keep the
 * stored ones) and stored with its secrets sealed under `seal` (AES-256-GCM,
 * each bound to its field; with seal NULL a secret to store is a CONFIG
 * error and nothing is written). On success *out, if out is not NULL,
 * receives the new configuration masked (new reference). */
enum patrol_err patrol_duo_update(struct patrol_store *st,
    const struct patrol_seal *seal, const char *const *props,
    const char *body, size_t len, json_t **out, struct patrol_error *err);

/* Seals every stored Duo secret again: opened with `from` (a value stored
 * before sealing is taken as it is), sealed under `to`, written inside the
 * caller's write transaction (patrol_store_begin; the caller commits, or
 * rolls back on any error, and then nothing has changed). *n receives how
 * many secrets were resealed. (patrolctl key rotate --secrets) */
enum patrol_err patrol_duo_reseal(struct patrol_store *st,
    const struct patrol_seal *from, const struct patrol_seal *to,
    const char *const *props, int *n, struct patrol_error *err);

/* ------------------------------------------------------------------ */
/* Audit trail (audit.c, and the store)                                */
/* ------------------------------------------------------------------ */

/*
 * One row of the audit trail: a change (PAT create, patch, delete, Duo
 * PUT, patrolctl's identity, PAT, Duo and key commands), an attempt at one
 * that was refused, or a refused authentication. Never a secret or a hash.
 * Strings are borrowed; those marked "or NULL" may be NULL (unknown or not
 * applicable); each is at most PATROL_AUDIT_FIELD_MAX bytes of UTF-8.
 */
struct patrol_audit {
	int64_t id;			/* set when read; ignored when added */
	int64_t time;			/* ms since the epoch */
	const char *actor;		/* identity id, "patrolctl:<user>",
					 * or NULL (authentication refused) */
	const char *pat_id;		/* PAT the actor authenticated with,
					 * or NULL */
	const char *client;		/* client address (REMOTE_ADDR),
					 * "local" for patrolctl, or NULL */
	const char *tracking_id;	/* the request's trackingId, or NULL */
	const char *operation;		/* the API's operationId or the
					 * patrolctl command */
	const char *target;		/* PAT id, identity id, "duo-web",
					 * a key file, ..., or NULL */
	const char *outcome;		/* "ok", or "<status> <why>" */
};

#define PATROL_AUDIT_FIELD_MAX 512

/* Adds a row (inside the caller's transaction, if one is open: the change
 * and its row commit or roll back together). INVALID when operation or
 * outcome is missing or a field is too long or not UTF-8. */
enum patrol_err patrol_store_audit_add(struct patrol_store *st,
    const struct patrol_audit *a, struct patrol_error *err);

/* Called once per row, oldest first; `a` and its strings are borrowed for
 * the call. Return nonzero to stop. */
typedef int (*patrol_audit_cb)(void *arg, const struct patrol_audit *a);

/* Streams the rows whose time is at least `since` (ms) to cb, oldest
 * first. PATROL_OK also when cb stopped it. */
enum patrol_err patrol_store_audit_list(struct patrol_store *st,
    int64_t since, patrol_audit_cb cb, void *arg, struct patrol_error *err);

/* Deletes rows older than `before` (ms), the oldest first, at most `max`
 * of them (0: all); *n (may be NULL) receives how many. */
enum patrol_err patrol_store_audit_prune(struct patrol_store *st,
    int64_t before, int64_t max, int64_t *n, struct patrol_error *err);

/* Adds a row as patrol_store_audit_add does, time set to now when a->time
 * is 0, then prunes a few rows older than conf->audit_retention_days (0:
 * kept forever), so that the trail never grows past its retention. */
enum patrol_err patrol_audit_record(struct patrol_store *st,
    const struct patrol_conf *conf, const struct patrol_audit *a,
    struct patrol_error *err);

/* Writes "<status> <text>" into buf[0..size) as an outcome, text cut at a
 * UTF-8 boundary to fit PATROL_AUDIT_FIELD_MAX. Returns buf. */
char *patrol_audit_outcome(char *buf, size_t size, int status,
    const char *text);

/* Returns 1 if s[0..len) is valid UTF-8 (no overlong forms, surrogates or
 * code points above U+10FFFF), else 0. Cannot fail. */
int patrol_utf8_valid(const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* PAT rules shared by the API and patrolctl (pat.c)                   */
/* ------------------------------------------------------------------ */

#define PATROL_VALIDITY_MIN 15		/* accessTokenValiditySeconds */
#define PATROL_VALIDITY_MAX 43200
#define PATROL_VALIDITY_DEFAULT 43200

/* Each check returns PATROL_OK or PATROL_ERR_INVALID with err->text naming
 * the field and the rule, e.g. "name must be at most 128 bytes, not 129" or
 * "scope 2 ('a b') has a character not allowed in a scope at byte 2 (RFC
 * 6749, section 3.3)". A value is quoted only when it is short and printable
 * (no control characters or quotes); otherwise only its position is given.
 * Arguments are borrowed. */

/* A PAT name: 1 to PATROL_NAME_MAX bytes of UTF-8, no control characters. */
enum patrol_err patrol_pat_check_name(const char *name,
    struct patrol_error *err);

/* A scope list: 1 to PATROL_SCOPE_MAX scopes, each 1 to PATROL_SCOPE_LEN_MAX
 * scope-token characters (RFC 6749 section 3.3), none twice. (A null scope,
 * meaning sp:scopes:all, is not a list and is not checked here.) */
enum patrol_err patrol_pat_check_scope(char *const *scope, size_t n,
    struct patrol_error *err);

/* accessTokenValiditySeconds: PATROL_VALIDITY_MIN..PATROL_VALIDITY_MAX. */
enum patrol_err patrol_pat_check_validity(long seconds,
    struct patrol_error *err);

/* expirationDate: -1 (never), or later than now (both ms) and at most
 * 9999-12-31T23:59:59.999Z. */
enum patrol_err patrol_pat_check_expiry(int64_t expires, int64_t now,
    struct patrol_error *err);

/* Returns 1 if the PAT has expired at time now (ms), else 0. */
int patrol_pat_expired(const struct patrol_pat *pat, int64_t now);

/* The lifetime in seconds of an access token issued at now (ms) for a PAT
 * that has not expired: the least of its accessTokenValiditySeconds, max
 * (token.lifetime) and the seconds left until its expirationDate (rounded
 * up, so at least 1). Cannot fail. */
long patrol_pat_token_lifetime(const struct patrol_pat *pat, long max,
    int64_t now);

/* What a new PAT is made of. */
struct patrol_pat_spec {
	const char *owner_id;
	const char *name;
	char *const *scope;	/* ignored when scope_null */
	size_t nscope;
	int scope_null;		/* JSON null: sp:scopes:all */
	long validity;		/* 0: PATROL_VALIDITY_DEFAULT */
	int64_t expires;	/* ms; 0: conf->pat_default_expiry; -1: never */
	int managed;
};

/* Reads a PAT's spec from a JSON object `o` (a creation body; borrowed):
 * "name" (string, required), "scope" (array of strings, or null),
 * "accessTokenValiditySeconds" (integer), "expirationDate" (RFC 3339
 * string, or null). Absent, scope is null, validity 0 and expires 0 (the
 * defaults); a null expirationDate is -1 (never). On success spec->name and
 * the scope strings borrow from o, and spec->scope is *scopev, a new array
 * (free() it; NULL when the scope is null); owner_id and managed are left
 * as they are. Errors: INVALID with a text naming the key, for an object
 * that is not one, an unknown key, a missing name, a wrong type, a validity
 * out of range (patrol_pat_check_validity) or an expirationDate that is no
 * RFC 3339 date-time or is before 1970. The other rules are
 * patrol_pat_create's. */
enum patrol_err patrol_pat_spec_from_json(const json_t *o,
    struct patrol_pat_spec *spec, char ***scopev, struct patrol_error *err);

/* Applies an RFC 6902 JSON Patch (borrowed) to the fields of a PAT that its
 * owner may change, at time now (ms). The patch works on the document
 * {"name", "scope", "expirationDate", "accessTokenValiditySeconds"} as
 * patrol_pat_to_json writes them (times as "YYYY-MM-DDTHH:MM:SS.mmmZ",
 * which a `test` compares literally). Every path and from must be /name,
 * /scope, /scope/<index>, /scope/-, /expirationDate or
 * /accessTokenValiditySeconds; this is checked for the whole patch before
 * anything is applied. The result is read as patrol_pat_spec_from_json
 * reads a creation body, except that a removed expirationDate means never
 * and a removed accessTokenValiditySeconds the default; then the rules are
 * checked for the fields that changed (an unchanged past expiry may stay).
 * On success pat's name, scope, expires and validity are replaced (nothing
 * is stored); on error pat is unchanged. Errors: those of
 * patrol_jsonpatch_apply (SYNTAX, INVALID, TOOBIG), and INVALID for a path
 * that is not patchable, each with err->position the index of the
 * operation and a text naming it ("operation 1 (replace /owner): ..."); INVALID
 * with PATROL_NOPOS when the result breaks a rule; NOMEM. */
enum patrol_err patrol_pat_patch(struct patrol_pat *pat, const json_t *patch,
    int64_t now, struct patrol_error *err);

/* Creates a PAT for spec->owner_id at time now (ms): checks the spec with
 * the functions above, makes an id and a secret, stores the secret's hash
 * within the owner's limit (conf->pat_max_per_owner). On success *out is
 * the stored PAT (clear with patrol_pat_clear; owner_name filled) and
 * secret holds the secret, shown this once (wipe it after use). Errors:
 * INVALID (a rule), NOTFOUND (no such owner), EXISTS (the owner has a PAT
 * of this name), LIMIT (the owner holds the maximum), and the store's. */
enum patrol_err patrol_pat_create(struct patrol_store *st,
    const struct patrol_conf *conf, const struct patrol_pat_spec *spec,
    int64_t now, struct patrol_pat *out,
    char secret[PATROL_SECRET_LEN + 1], struct patrol_error *err);

/* ------------------------------------------------------------------ */
/* HTTP service (server.c and friends)                                 */
/* ------------------------------------------------------------------ */

/* How a request reaches the library, whatever the runtime (FastCGI, CGI,
 * unit test). All callbacks receive `arg`. */
struct patrol_io {
	void *arg;
	/* CGI meta-variable (REQUEST_METHOD, REQUEST_URI, QUERY_STRING,
	 * CONTENT_TYPE, CONTENT_LENGTH, HTTP_AUTHORIZATION, ...), borrowed until
	 * the request ends; NULL when absent. Empty counts as absent. */
	const char *(*param)(void *arg, const char *name);
	/* Reads up to len body bytes: returns the count, 0 at end, -1 on error. */
	long (*read)(void *arg, char *buf, size_t len);
	/* Writes all of buf: 0 on success, -1 on error. */
	int (*write)(void *arg, const char *buf, size_t len);
	/* One line for the error log (no newline); may be NULL. */
	void (*log)(void *arg, const char *line);
};

/* Which routes a responder serves; the rest get a 404 envelope. */
enum patrol_routes {
	PATROL_ROUTES_ALL,	/* /oauth/token and /beta/... */
	PATROL_ROUTES_OAUTH,	/* /oauth/... only */
	PATROL_ROUTES_BETA	/* /beta/... only */
};

struct patrol_server;

/* Long-lived state of a responder: configuration (borrowed, must outlive the
 * server), an open store and the signing key. *out is new
 * (patrol_server_free). */
enum patrol_err patrol_server_new(const struct patrol_conf *conf,
    enum patrol_routes routes, struct patrol_server **out,
    struct patrol_error *err);

void patrol_server_free(struct patrol_server *srv);

/* Serves one request: reads it through io and writes a complete CGI response
 * (Status and Content-Type headers, blank line, body). Returns 0 when a
 * response was written, -1 when the output failed midway. */
int patrol_server_handle(struct patrol_server *srv, const struct patrol_io *io);

/* Answers one request with a 500 error envelope, for a responder that could
 * not start (no configuration, key or server): `reason` (borrowed, never
 * shown to the client) goes to io->log with the envelope's tracking id.
 * Returns 0, or -1 when the output failed. */
int patrol_server_refuse(const struct patrol_io *io, const char *reason);

#ifdef __cplusplus
}
#endif

#endif /* PATROL_H */
