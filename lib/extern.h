/*
 * extern.h: internals shared between libpatrol's source files. Not
 * installed; nothing here is part of the public interface. Every .c file
 * includes config.h first, then patrol.h, then this file.
 */
#ifndef PATROL_EXTERN_H
#define PATROL_EXTERN_H

#include <stdarg.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer, always NUL-terminated once anything was added.
 * Zero-initialise it (struct pbuf b = {0}) and release with pbuf_free. */
struct pbuf {
	char *s;
	size_t len;
	size_t cap;
	int oom;	/* sticky: an append failed; s holds what fit before */
};

/* Append functions return 0 or -1 (ENOMEM, then b->oom is set and later
 * appends are no-ops). */
int pbuf_add(struct pbuf *b, const char *s, size_t len);
/* Appends a string literal, its length known at compile time. */
#define PBUF_LIT(b, lit)	pbuf_add((b), "" lit "", sizeof(lit) - 1)
int pbuf_adds(struct pbuf *b, const char *s);
int pbuf_addc(struct pbuf *b, char c);
int pbuf_printf(struct pbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void pbuf_reset(struct pbuf *b);	/* len = 0, keeps memory */
void pbuf_free(struct pbuf *b);		/* frees and zeroes */
/* Hands the string over (new, caller frees); b is zeroed. NULL if oom or
 * nothing was added. */
char *pbuf_take(struct pbuf *b);

/* Copy of s[0..len) plus NUL; NULL on ENOMEM. */
char *xstrndup(const char *s, size_t len);

/* base64.c. Decodes s[0..len) into a new NUL-terminated buffer (*outlen
 * bytes): padded standard base64 (RFC 4648 section 4), or with url set
 * unpadded base64url (section 5, as in JWTs). Only the canonical spelling is
 * accepted (leftover bits zero). NULL on bad input (errno untouched) or
 * ENOMEM (errno ENOMEM). */
unsigned char *b64_decode(const char *s, size_t len, int url,
    size_t *outlen);
/* Appends the unpadded base64url encoding of data[0..len) to b. 0 or -1. */
int b64url_encode(struct pbuf *b, const void *data, size_t len);

/* Returns 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF), else 0. NUL bytes are valid here. */
int utf8_valid(const char *s, size_t len);

/* Bytes of the well-formed UTF-8 sequence of 2 to 4 bytes starting at s[i]
 * (i < len), or 0 for ASCII, a stray byte or a malformed sequence. */
size_t utf8_seqlen(const char *s, size_t len, size_t i);

/*
 * Ids for tracking requests (secret.c): unique in a process, unlikely to
 * repeat across processes, and cheap (no CSPRNG call per id). Not secrets:
 * never use them where guessing one would matter.
 * idgen_init seeds g from the CSPRNG (CRYPTO on failure); idgen_next
 * writes the next id (PATROL_ID_LEN lowercase hex and a NUL).
 */
struct idgen {
	uint64_t	 key[2];
	uint64_t	 n;
};
enum patrol_err idgen_init(struct idgen *g);
void idgen_next(struct idgen *g, char out[PATROL_ID_LEN + 1]);

/* patrol_secret_check, but -1 when the digest cannot be computed (an
 * allocation failed in OpenSSL): 1 match, 0 no match. (secret.c) */
int secret_match(const char *secret, size_t len, const char *hash);

/* Value of the hexadecimal digit c (either case), or -1. */
int hexval(char c);

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
void wipe(void *p, size_t n);

/* keyring.c: the current signing key and the retained ones (FILE.<kid>). */
#define KEYRING_OLD_MAX	8
struct keyring {
	struct patrol_key	*cur;
	struct patrol_key	*old[KEYRING_OLD_MAX];
	size_t			 nold;
	struct stat		 st;	/* of the current key's file */
	struct stat		 dirst;	/* of its directory */
	int64_t			 checked;	/* second of the last look */
};
/* Loads path and the keys retained next to it into *kr (replacing what it
 * held only on success). IO / INVALID as patrol_key_load. */
enum patrol_err keyring_load(struct keyring *kr, const char *path,
    struct patrol_error *err);
/* Reloads *kr when path (or its directory) is another file or changed
 * since; keeps the keys when it does not load. Looks at most once per
 * second `now`. */
void keyring_refresh(struct keyring *kr, const char *path, int64_t now);
void keyring_free(struct keyring *kr);
/*
 * The key to verify jwt with (borrowed from kr): the one its header's
 * "kid" names, current or retained, or NULL when it names none of them;
 * for a token without kid (patrol before key ids) the current key, and
 * *tryall set: a token that it does not verify may be one of a retained
 * key.
 */
const struct patrol_key *keyring_pick(const struct keyring *kr,
    const char *jwt, int *tryall);

/* token.c: the key id in the header of a compact JWT: 1 and kid filled
 * when it has one of PATROL_KID_LEN lowercase hex digits, 0 when it has
 * none (or the header does not parse: verification says why), -1 when
 * its "kid" is something else. */
int token_kid(const char *jwt, char kid[PATROL_KID_LEN + 1]);

/* key.c: key files. Reads at most cap bytes of path into buf (*len read;
 * IO "path: strerror"). */
enum patrol_err keyfile_read(const char *path, unsigned char *buf,
    size_t cap, size_t *len, struct patrol_error *err);
/* Creates path (0600, O_EXCL: EXISTS) holding n (at most 64) random bytes,
 * synced; `what` names the key in errors; nothing left on failure. */
enum patrol_err keyfile_create(const char *path, size_t n, const char *what,
    struct patrol_error *err);

/* JSON values appended to a pbuf (jsonw.c), byte for byte as jansson's
 * json_dumps(JSON_COMPACT) writes them. Return 0 or -1 (b->oom set). */
/* A string: s[0..len) is UTF-8 (not checked), escaped as jansson does. */
int pbuf_json_str(struct pbuf *b, const char *s, size_t len);
/* A time as "YYYY-MM-DDTHH:MM:SS.mmmZ", or null when ms < 0. */
int pbuf_json_time(struct pbuf *b, int64_t ms);
/* A decimal integer. */
int pbuf_json_int(struct pbuf *b, int64_t v);

/* Appends the API representation of pat (patrol_pat_to_json's, in its
 * order, as json_dumps(JSON_COMPACT) would write it). 0 or -1. (pat.c) */
int pat_json_write(struct pbuf *b, const struct patrol_pat *pat);

/* The JSON type of j as a schema names it ("object", "array", "string",
 * "number", "boolean", "null"); static. */
const char *jtype_name(const json_t *j);

/* Loads a request body: valid UTF-8 JSON without duplicate keys, else
 * SYNTAX with a text that gives line and column but quotes nothing of the
 * body (it may hold secrets); NOMEM. *out is a new reference. */
enum patrol_err jbody_load(const char *body, size_t len, json_t **out,
    struct patrol_error *err);

/* json_loadb, but an allocation failure is an out-of-memory error
 * (json_error_out_of_memory in *jerr): jansson 2.14 reports most of them
 * as syntax errors, and its lexer drops a byte of a string or number when
 * growing its buffer fails and parses on, to a wrong value
 * (akheron/jansson#362). So the text is parsed twice: two results that
 * differ, or ENOMEM, mean a failed allocation. New reference or NULL. */
json_t *jloadb(const char *s, size_t len, size_t flags, json_error_t *jerr);

/* json_dumps, but NULL on any allocation failure: jansson 2.14 drops an
 * object key whose copy fails and dumps on, which writes invalid JSON.
 * New string (caller frees) or NULL. */
char *jdumps(const json_t *j, size_t flags);

/* ---------------------------------------------------------------- */
/* HTTP internals (query.c, form.c, envelope.c, request.c, route.c)  */
/* ---------------------------------------------------------------- */

/* Bounds on what a request may carry. */
#define QUERY_MAX	8192	/* bytes of QUERY_STRING (else 414) */
#define HEADER_MAX	8192	/* bytes of one request header value */
#define FORM_FIELDS_MAX	64	/* fields in a form or query string */

/* Decoded name/value pairs; both are NUL-terminated copies. */
struct kv {
	char	*key;
	char	*val;
	size_t	 vallen;
};

struct kvlist {
	struct kv	*v;
	size_t		 n;
};

/* Appends copies of key and val[0..vallen); -1 on ENOMEM. */
int kv_add(struct kvlist *l, const char *key, size_t keylen,
    const char *val, size_t vallen);
/* First pair named key (borrowed), or NULL. */
const struct kv *kv_get(const struct kvlist *l, const char *key);
/* Name of the first key that occurs more than once (borrowed), or NULL. */
const char *kv_dup(const struct kvlist *l);
void kv_free(struct kvlist *l);

/* Percent-decodes s[0..len) ('+' as space when plus is set) into a new
 * string (*out, *outlen). SYNTAX on a bad escape, INVALID on a NUL byte or
 * invalid UTF-8; the text names `what` and the position. */
enum patrol_err url_decode(const char *s, size_t len, int plus,
    const char *what, char **out, size_t *outlen, struct patrol_error *err);

/* Parses a query string or an application/x-www-form-urlencoded body into
 * *out (appending). At most FORM_FIELDS_MAX pairs (TOOBIG). */
enum patrol_err kv_parse_urlencoded(const char *s, size_t len,
    struct kvlist *out, struct patrol_error *err);

/* Parses a multipart/form-data body (RFC 7578) whose Content-Type header is
 * ctype into *out (appending). Only simple text fields; file parts are kept
 * by name like any other. SYNTAX on any malformation. */
enum patrol_err form_parse_multipart(const char *body, size_t len,
    const char *ctype, struct kvlist *out, struct patrol_error *err);

/* Returns 1 if the media type of Content-Type value ctype (parameters
 * ignored, case-insensitive) is mime, else 0. NULL ctype gives 0. */
int ctype_is(const char *ctype, const char *mime);

/* Value of parameter `name` of a Content-Type value (quoted strings
 * unquoted), as a new string; NULL if absent, or on ENOMEM (errno
 * ENOMEM). */
char *ctype_param(const char *ctype, const char *name);


struct route;

/*
 * One request being served. Lives on the stack of patrol_server_handle,
 * which fills it before calling a handler: a handler finds in it all it
 * needs (configuration, signing key, open store, caller) and never calls
 * back into the dispatcher.
 */
struct req {
	const struct patrol_conf *conf;		/* borrowed from the server */
	const struct patrol_key	*key;		/* borrowed from the server */
	const struct keyring	*ring;		/* the same, and retained keys */
	struct patrol_ratelimit	*limits;	/* borrowed; NULL: none */
	const struct patrol_seal *seal;		/* borrowed; NULL: no secrets
						 * key (yet) */
	struct patrol_store	*store;		/* borrowed, open (set before
						 * authentication) */
	const struct patrol_io	*io;
	const struct route	*route;
	const char		*method;
	const char		*query;		/* raw QUERY_STRING or "" */
	char			*path;		/* new: REQUEST_URI up to '?' */
	char			*id;		/* new: the {id} segment of the
						 * route's path, or NULL */
	char			 tracking[PATROL_ID_LEN + 1];
	int			 sent;		/* headers written */
	int			 failed;	/* a write failed */
	/* Filled for authenticated routes. */
	struct patrol_identity	 caller;
	struct patrol_pat	 callerpat;
	int			 authed;	/* authentication passed */
	/* The audit trail (see req_audited and server.c). */
	const char		*op;		/* the operation's name */
	int			 audit;		/* AUDIT_* of the operation */
	int			 audited;	/* the change's row is written */
	int			 status;	/* the status answered, or 0 */
	char			 why[PATROL_AUDIT_FIELD_MAX + 1];
						/* "<status> <text>" of the
						 * last error answered */
	char			 target[PATROL_ID_LEN + 1];
						/* the client id of a refused
						 * token request, or "" */
	char			 claimed_id[PATROL_ID_LEN + 1];
	char			 claimed_pat[PATROL_ID_LEN + 1];
						/* identity and PAT of a bearer
						 * token whose signature holds,
						 * or "" */
};

/* Records the error answered (status and text) for the audit trail. */
void req_why(struct req *r, int status, const char *text);
/*
 * Commits the write transaction the handler began (patrol_store_begin)
 * together with its audit row: outcome "ok", target borrowed (may be NULL).
 * On any failure everything since the begin is rolled back, the error is
 * returned and nothing is written. On success r->audited is set.
 */
enum patrol_err req_commit_audited(struct req *r, const char *target,
    struct patrol_error *err);

/* Borrowed CGI variable, NULL when absent or empty. */
const char *req_param(const struct req *r, const char *name);
/* Log one line "patrol[<tracking>]: ..." through io->log. */
void req_log(struct req *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Writes the status line and headers (JSON content type, except for 204,
 * no-store, plus extra: zero or more "Name: value\r\n" lines, may be
 * NULL). 0 or -1. */
int req_begin(struct req *r, int status, const char *extra);
/* Writes body bytes. 0 or -1 (and r->failed set). */
int req_write(struct req *r, const char *s, size_t len);
/* Whole JSON response from text already written into b (with the pbuf_json
 * functions); a 500 envelope instead when b ran out of memory. b is
 * borrowed. 0 or -1. */
int req_json_text(struct req *r, int status, const struct pbuf *b,
    const char *extra);
/* Whole JSON response: headers and json_dumps(j). Steals j. 0 or -1. */
int req_json(struct req *r, int status, json_t *j, const char *extra);
/* 429 as the spec shows it ({"message":" Rate Limit Exceeded "}) with
 * Retry-After: retry (seconds); logs why. Returns req_json's result. */
int req_too_many(struct req *r, long retry, const char *why);
/* The error envelope for an HTTP-level status with a specific message. */
int req_error(struct req *r, int status, const char *extra,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The error envelope for a library error, status from the one table. */
int req_fail(struct req *r, enum patrol_err code, const char *text);
/* Reads the request body (at most the configured bound). On error replies
 * itself (413, 400, 500) and returns -1; else 0 and a new *body. */
int req_body(struct req *r, char **body, size_t *len);
/* The status an error code maps to (the one table); cannot fail. */
int err_status(enum patrol_err code);
/* Builds the error envelope: new reference, NULL on ENOMEM. */
json_t *envelope_new(int status, const char *tracking, const char *text);
/* The envelope of a 5xx status (its generic text) written into buf, as
 * envelope_new's would be dumped, without allocating: for when memory is
 * short. Its length, or -1 when it does not fit. */
int envelope_static(int status, const char *tracking, char *buf,
    size_t size);
/* "400 Bad Request": the reason phrase of a status; static. */
const char *status_reason(int status);

/* Handlers: 0 when a response was written, -1 when output failed. */
typedef int (*handler_fn)(struct req *r);

/* The audit target of the Duo configuration. */
#define AUDIT_DUO	"duo-web"

/* What of an operation the audit trail records. */
#define AUDIT_REFUSED	1	/* refused authentication (401) and
				 * authorisation (403) */
#define AUDIT_CHANGE	2	/* that and every other outcome: a change,
				 * or why it was not made */

struct route {
	const char		*path;		/* "{id}": one segment */
	enum patrol_routes	 set;		/* OAUTH or BETA */
	int			 auth;		/* needs a bearer token */
	const char		*allow;		/* "GET, PUT" */
	const char		*target;	/* the audit target of a path
						 * that names one thing, or
						 * NULL ({id} routes: the id) */
	struct {
		const char		*method;
		handler_fn		 fn;
		const char *const	*scopes;	/* NULL-terminated */
		const char		*name;		/* operationId */
		int			 audit;		/* AUDIT_* */
	} ops[2];
};

/* The route for path, or NULL. When the route's path has an {id} segment,
 * *id and *idlen give that segment of path (borrowed from path); else *id
 * is NULL. */
const struct route *route_find(const char *path, const char **id,
    size_t *idlen);

int h_oauth_token(struct req *r);
int h_pat_list(struct req *r);
int h_pat_create(struct req *r);
int h_pat_patch(struct req *r);
int h_pat_delete(struct req *r);
int h_duo_get(struct req *r);
int h_duo_put(struct req *r);

#endif /* PATROL_EXTERN_H */
