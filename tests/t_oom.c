/*
 * t_oom.c: allocation failure on every path (issue 8, item 9). Each
 * operation is served as a full request through patrol_server_handle, as
 * in t_server.c, while the k-th allocation fails, for k = 1, 2, ... until a
 * run meets no injected failure. The whole process's allocator is replaced
 * (malloc and friends are defined here and forward to glibc's __libc_*),
 * so the failure may hit libpatrol, jansson, SQLite or OpenSSL alike.
 *
 * Each run starts from the same database (a copy of a template), opens a
 * new server (not failing), serves the request with the k-th allocation
 * failing, then one more request on the same server without failures (a
 * Duo PUT, a write: a transaction or statement left open by the failed
 * request would break it), and frees the server. A run passes when
 *   - the response is the right one (the status and body of the run without
 *     failures; bodies with fresh ids or tokens compared by shape), or a 500
 *     with the error envelope of docs/api.md, or the output was abandoned
 *     (patrol_server_handle returned -1: the connection is aborted);
 *   - the follow-up request gets its 200;
 *   - as many blocks are live after the server is freed as before it was
 *     created (no leak), and nothing crashed.
 * Two sweeps: the k-th allocation failing alone, then with every one
 * after it failing too (memory that stays short: the 500 envelope must
 * still go out, written without allocating). Every k of both is run for
 * every operation in the normal build (about 6,600 runs, 11 s); under
 * valgrind every k of the first and every 10th of the second (about a
 * minute on 2 shared cores; docs/fuzzing.md). Both run in make check and
 * under valgrind (make check-valgrind, whose
 * --soname-synonyms=somalloc=nouserintercepts keeps this malloc over
 * libc's, which valgrind takes: it checks the frees and leaks as well).
 * PATROL_OOM_STRIDE=N runs every N-th k only (both sweeps),
 * PATROL_OOM_MODE=once or all one sweep, PATROL_OOM_ONLY=NAME one
 * operation; PATROL_OOM_TRACE=NAME:K runs only the K-th allocation of NAME
 * failing, prints its stack and those of the blocks still live after the
 * run (addr2line -e tests/t_oom ADDRESS), and NAME:K/N also the stack of
 * the N-th block made.
 *
 * A replacement malloc cannot live with AddressSanitizer (which owns
 * malloc): t_oom is not among the sanitizer tests, and skips when built
 * with -fsanitize=address.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#define OOM_SKIP	"built with AddressSanitizer, which owns malloc"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_SKIP	"built with AddressSanitizer, which owns malloc"
#endif
#endif

/* ---- the allocator ------------------------------------------------ */

#ifndef OOM_SKIP
extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	 __libc_free(void *);
extern void	*__libc_memalign(size_t, size_t);
extern void	*__libc_valloc(size_t);
extern void	*__libc_pvalloc(size_t);
#endif

static struct {
	long		 live;		/* blocks allocated and not freed */
	unsigned long	 n;		/* allocations while armed */
	unsigned long	 fail_at;	/* this one fails (1-based), 0 none */
	int		 armed;
	int		 failed;	/* the failure was injected */
	int		 persist;	/* and every allocation after it fails */
	int		 trace;		/* print the stack of the failure */
	/* PATROL_OOM_TRACE: the blocks made during a run, to name a leak */
	int		 track;
	unsigned long	 seq, show;	/* print the stack of block `show` */
	void		*ptr[4096];
	unsigned long	 ptrseq[4096];
	void		*where[4096][12];	/* its stack */
} heap;

#ifndef OOM_SKIP
static void
stack(void)
{
	void	*frames[64];
	int	 n = backtrace(frames, 64);

	backtrace_symbols_fd(frames, n, STDOUT_FILENO);
}

/* Records p (PATROL_OOM_TRACE only). */
static void *
track(void *p)
{
	size_t	 i;

	if (!heap.track || p == NULL)
		return p;
	heap.track = 0;
	if (++heap.seq == heap.show) {
		printf("# the stack of block %lu:\n", heap.seq);
		fflush(stdout);
		stack();
	}
	for (i = 0; i < 4096 && heap.ptr[i] != NULL; i++)
		continue;
	if (i < 4096) {
		heap.ptr[i] = p;
		heap.ptrseq[i] = heap.seq;
		memset(heap.where[i], 0, sizeof(heap.where[i]));
		backtrace(heap.where[i], 12);
	}
	heap.track = 1;
	return p;
}

static void
untrack(void *p)
{
	size_t	 i;

	for (i = 0; heap.track && p != NULL && i < 4096; i++)
		if (heap.ptr[i] == p)
			heap.ptr[i] = NULL;
}

/* 1 when this allocation is the one to fail. */
static int
inject(void)
{
	if (!__atomic_load_n(&heap.armed, __ATOMIC_RELAXED))
		return 0;
	if (__atomic_add_fetch(&heap.n, 1, __ATOMIC_RELAXED) != heap.fail_at &&
	    !(heap.persist && heap.n > heap.fail_at))
		return 0;
	heap.failed = 1;
	if (heap.trace)
		stack();
	errno = ENOMEM;
	return 1;
}

static void *
counted(void *p)
{
	if (p != NULL)
		__atomic_add_fetch(&heap.live, 1, __ATOMIC_RELAXED);
	return track(p);
}

void *
malloc(size_t n)
{
	return inject() ? NULL : counted(__libc_malloc(n));
}

void *
calloc(size_t n, size_t size)
{
	return inject() ? NULL : counted(__libc_calloc(n, size));
}

void
free(void *p)
{
	if (p != NULL)
		__atomic_sub_fetch(&heap.live, 1, __ATOMIC_RELAXED);
	untrack(p);
	__libc_free(p);
}

void *
realloc(void *p, size_t n)
{
	void	*q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {		/* glibc frees p and returns NULL */
		free(p);
		return NULL;
	}
	if (inject())
		return NULL;
	if ((q = __libc_realloc(p, n)) != NULL && q != p) {
		untrack(p);		/* p stays live when this fails */
		track(q);
	}
	return q;
}

void *
reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void *
memalign(size_t align, size_t n)
{
	return inject() ? NULL : counted(__libc_memalign(align, n));
}

void *
aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void	*p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	if ((p = memalign(align, n)) == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *
valloc(size_t n)
{
	return inject() ? NULL : counted(__libc_valloc(n));
}

void *
pvalloc(size_t n)
{
	return inject() ? NULL : counted(__libc_pvalloc(n));
}
#endif /* !OOM_SKIP */

/* ---- an in-memory request that allocates nothing -------------------- */

#define OUT_MAX	65536
#define LOG_MAX	8192

struct fake {
	const char	*names[8];
	const char	*values[8];
	const char	*body;
	size_t		 bodylen, off;
	char		 out[OUT_MAX];
	size_t		 outlen;
	char		 log[LOG_MAX];
	size_t		 loglen;
};

static const char *
f_param(void *arg, const char *name)
{
	struct fake	*f = arg;
	size_t		 i;

	for (i = 0; i < 8 && f->names[i] != NULL; i++)
		if (strcmp(f->names[i], name) == 0)
			return f->values[i];
	return NULL;
}

static long
f_read(void *arg, char *buf, size_t len)
{
	struct fake	*f = arg;
	size_t		 n = f->bodylen - f->off;

	if (n > len)
		n = len;
	memcpy(buf, f->body + f->off, n);
	f->off += n;
	return (long)n;
}

static int
f_write(void *arg, const char *buf, size_t len)
{
	struct fake	*f = arg;

	if (len >= OUT_MAX - f->outlen)
		return -1;
	memcpy(f->out + f->outlen, buf, len);
	f->outlen += len;
	f->out[f->outlen] = '\0';
	return 0;
}

static void
f_log(void *arg, const char *line)
{
	struct fake	*f = arg;
	size_t		 n = strlen(line);

	if (n + 1 >= LOG_MAX - f->loglen)
		return;
	memcpy(f->log + f->loglen, line, n);
	f->loglen += n;
	f->log[f->loglen++] = '\n';
	f->log[f->loglen] = '\0';
}

static void
setp(struct fake *f, const char *name, const char *value)
{
	size_t	 i;

	if (value == NULL)
		return;
	for (i = 0; i < 7 && f->names[i] != NULL; i++)
		continue;
	f->names[i] = name;
	f->values[i] = value;
}

/* ---- the operations ------------------------------------------------- */

enum auth { NONE, BEARER, BADBEARER, BASIC };

/* An operation's request as sent: URI, query string, body and its length. */
struct text {
	char		 u[512], q[512], b[1024], clen[32];
};
enum match { EXACT, SHAPE };

struct op {
	const char	*name;
	const char	*method;
	const char	*uri;		/* {id}: a PAT's id (target) */
	const char	*ctype;
	const char	*body;		/* {client_id}, {secret}, {bad} */
	enum auth	 auth;
	int		 status;	/* expected without failures */
	enum match	 match;		/* how bodies compare to that run's */
	int		 reload;	/* the signing keys change first */
	struct text	*t;		/* filled by setup */
};

#define PATS	"/beta/personal-access-tokens"
#define DUO	"/beta/mfa/duo-web/config"
#define FORM	"application/x-www-form-urlencoded"
#define JSON	"application/json"

static const char duo_put[] =
    "{\"mfaMethod\":\"duo-web\",\"enabled\":true,\"host\":\"duo.example.org\","
    "\"accessKey\":\"qw123Y3QlA5UqocYpdU3rEkzrK2D497y\","
    "\"identityAttribute\":\"email\",\"configProperties\":{"
    "\"skey\":\"12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B\","
    "\"ikey\":\"Q123WE45R6TY7890ZXCV\"}}";

static struct op ops[] = {
	{ "token", "POST", "/oauth/token", FORM,
	  "grant_type=client_credentials&client_id={client_id}&"
	  "client_secret={secret}",
	  NONE, 200, SHAPE, 0, NULL },
	{ "token-multipart", "POST", "/oauth/token",
	  "multipart/form-data; boundary=XyZ",
	  "--XyZ\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n"
	  "\r\nclient_credentials\r\n--XyZ\r\nContent-Disposition: form-data;"
	  " name=\"client_id\"\r\n\r\n{client_id}\r\n--XyZ\r\n"
	  "Content-Disposition: form-data; name=\"client_secret\"\r\n\r\n"
	  "{secret}\r\n--XyZ--\r\n",
	  NONE, 200, SHAPE, 0, NULL },
	{ "token-basic", "POST", "/oauth/token", FORM,
	  "grant_type=client_credentials", BASIC, 200, SHAPE, 0, NULL },
	{ "token-bad-secret", "POST", "/oauth/token", FORM,
	  "grant_type=client_credentials&client_id={client_id}&"
	  "client_secret={bad}",
	  NONE, 401, EXACT, 0, NULL },
	{ "list", "GET", PATS, NULL, NULL, BEARER, 200, EXACT, 0, NULL },
	{ "list-query", "GET", PATS "?owner-id={owner}&filters=lastUsed+isnull"
	  "+or+not+(lastUsed+le+2000-01-01T00:00:00Z)&sorters=-name,created&"
	  "limit=2&offset=1&count=true", NULL, NULL, BEARER, 200, EXACT, 0, NULL },
	{ "list-new-keys", "GET", PATS, NULL, NULL, BEARER, 200, EXACT, 1,
	  NULL },
	{ "list-bad-filter", "GET", PATS "?filters=lastUsed+le+%22x", NULL, NULL,
	  BEARER, 400, SHAPE, 0, NULL },
	{ "list-bad-token", "GET", PATS, NULL, NULL, BADBEARER, 401, EXACT, 0, NULL },
	{ "duo-get", "GET", DUO, NULL, NULL, BEARER, 200, EXACT, 0, NULL },
	{ "duo-put", "PUT", DUO, JSON, duo_put, BEARER, 200, EXACT, 0, NULL },
	{ "create", "POST", PATS, JSON,
	  "{\"name\":\"made\",\"scope\":[\"idn:mfa-configuration:manage\"],"
	  "\"accessTokenValiditySeconds\":600}", BEARER, 200, SHAPE, 0, NULL },
	{ "patch", "PATCH", PATS "/{id}", "application/json-patch+json",
	  "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"renamed\"},"
	  "{\"op\":\"replace\",\"path\":\"/scope\",\"value\":["
	  "\"sp:all-personal-access-tokens:manage\"]},{\"op\":\"test\",\"path\":\"/name\",\"value\":"
	  "\"renamed\"}]", BEARER, 200, EXACT, 0, NULL },
	{ "patch-missing", "PATCH", PATS "/00000000000000000000000000000000",
	  "application/json-patch+json",
	  "[{\"op\":\"replace\",\"path\":\"/name\",\"value\":\"renamed\"}]",
	  BEARER, 404, SHAPE, 0, NULL },
	{ "delete", "DELETE", PATS "/{id}", NULL, NULL, BEARER, 204, EXACT, 0, NULL },
};
#define NOPS	(sizeof(ops) / sizeof(ops[0]))
static struct text texts[NOPS + 2];

/* ---- fixtures ------------------------------------------------------- */

static char dir[] = "/tmp/patrol-t_oom-XXXXXX";
static char confpath[256], dbpath[256], tplpath[256], keydir[256];
static struct patrol_conf *conf;
static char admin_pat[PATROL_ID_LEN + 1], admin_secret[PATROL_SECRET_LEN + 1];
static char target[PATROL_ID_LEN + 1];	/* patched and deleted */
static char admin_id[PATROL_ID_LEN + 1];
static char bearer[2048], badbearer[2048], basic[256];

/* Rights and scopes longer than jansson's first buffer (16 bytes), so that
 * reading them back from the store grows it. */
static char *rights[] = { (char *)"idn:my-personal-access-tokens:manage",
    (char *)"idn:all-personal-access-tokens:manage",
    (char *)"idn:mfa-configuration:manage" };
static char *scope[] = { (char *)"sp:my-personal-access-tokens:manage",
    (char *)"sp:all-personal-access-tokens:manage",
    (char *)"idn:mfa-configuration:manage" };

/* Adds a PAT for owner straight into the store, with the scope above. */
static int
add_pat(struct patrol_store *st, const char *owner, const char *name,
    char *id, char *secret)
{
	struct patrol_pat	 p;
	struct patrol_error	 err;

	memset(&p, 0, sizeof(p));
	patrol_id_new(p.id);
	p.name = (char *)name;
	p.scope = scope;
	p.nscope = 3;
	strcpy(p.owner_id, owner);
	p.created = patrol_time_now() - 1000;
	p.last_used = -1;
	p.expires = -1;
	p.validity = PATROL_VALIDITY_DEFAULT;
	patrol_random_hex(secret, PATROL_SECRET_LEN / 2);
	patrol_secret_hash(secret, strlen(secret), p.secret_hash);
	if (patrol_store_pat_add(st, &p, 0, &err) != PATROL_OK) {
		tap_diag("pat_add: %s", err.text);
		return -1;
	}
	strcpy(id, p.id);
	return 0;
}

static int
copy_file(const char *from, const char *to)
{
	char	 buf[65536];
	ssize_t	 n;
	int	 in, out, rc = 0;

	if ((in = open(from, O_RDONLY)) == -1)
		return -1;
	if ((out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	if (n < 0)
		rc = -1;
	close(in);
	close(out);
	return rc;
}

/* Puts the template database back (no store may be open). */
static int
restore_db(void)
{
	char	 p[300];

	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	return copy_file(tplpath, dbpath);
}

/* Serves one request on s (no failure unless armed by the caller). */
static int
serve(struct patrol_server *s, struct op *o, struct fake *f)
{
	struct patrol_io	 io = { f, f_param, f_read, f_write, f_log };

	memset(f, 0, sizeof(*f));
	f->body = o->body != NULL ? o->t->b : "";
	f->bodylen = strlen(f->body);
	setp(f, "REQUEST_METHOD", o->method);
	setp(f, "REQUEST_URI", o->t->u);
	setp(f, "QUERY_STRING", o->t->q[0] != '\0' ? o->t->q : NULL);
	setp(f, "CONTENT_TYPE", o->ctype);
	setp(f, "CONTENT_LENGTH", o->body != NULL ? o->t->clen : NULL);
	setp(f, "HTTP_AUTHORIZATION", o->auth == BEARER ? bearer :
	    o->auth == BADBEARER ? badbearer : o->auth == BASIC ? basic : NULL);
	return patrol_server_handle(s, &io);
}

/* tpl with {id}, {client_id}, {secret}, {bad} (a wrong secret) and
 * {owner} (the admin's identity id) replaced, into out[0..size). */
static void
subst(char *out, size_t size, const char *tpl)
{
	static const char *const keys[] = { "{id}", "{client_id}", "{secret}",
	    "{bad}", "{owner}" };
	const char	*vals[5] = { target, admin_pat, admin_secret, NULL,
	    admin_id };
	char		 bad[PATROL_SECRET_LEN + 1];
	size_t		 i, n = 0, kl;

	snprintf(bad, sizeof(bad), "%s", admin_secret);
	bad[0] = bad[0] == '0' ? '1' : '0';
	vals[3] = bad;
	while (*tpl != '\0' && n + 1 < size) {
		for (i = 0; i < 5; i++)
			if (strncmp(tpl, keys[i], (kl = strlen(keys[i]))) == 0)
				break;
		if (i < 5) {
			n += (size_t)snprintf(out + n, size - n, "%s", vals[i]);
			tpl += kl;
		} else
			out[n++] = *tpl++;
	}
	out[n < size ? n : size - 1] = '\0';
}

static void
op_fill(struct op *o, struct text *t)
{
	const char	*q;

	o->t = t;
	subst(t->u, sizeof(t->u), o->uri);
	if ((q = strchr(t->u, '?')) != NULL)
		snprintf(t->q, sizeof(t->q), "%s", q + 1);
	if (o->body != NULL)
		subst(t->b, sizeof(t->b), o->body);
	snprintf(t->clen, sizeof(t->clen), "%zu", strlen(t->b));
}

static struct op follow = { "follow-up", "PUT", DUO, JSON, duo_put, BEARER,
    200, EXACT, 0, &texts[NOPS] };

static int
setup(void)
{
	struct patrol_error	 err;
	struct patrol_identity	 id;
	struct patrol_store	*st = NULL;
	struct patrol_server	*s = NULL;
	struct fake		*f = NULL;
	char			 p[300];
	char			 other[PATROL_ID_LEN + 1];
	char			 sec[PATROL_SECRET_LEN + 1];
	const char		*tok, *end;
	struct op		 tokop = ops[0];
	size_t			 i;
	FILE			*fp;
	int			 rc = -1;

	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(confpath, sizeof(confpath), "%s/patrol.conf", dir);
	snprintf(dbpath, sizeof(dbpath), "%s/db", dir);
	if (mkdir(dbpath, 0700) == -1)
		return -1;
	snprintf(dbpath, sizeof(dbpath), "%s/db/patrol.db", dir);
	snprintf(tplpath, sizeof(tplpath), "%s/template.db", dir);
	snprintf(keydir, sizeof(keydir), "%s/touch", dir);
	if ((fp = fopen(confpath, "w")) == NULL)
		return -1;
	/* The database in a directory of its own: putting it back must not
	 * touch the signing key's directory (a change there reloads the
	 * keys, which then happens once a second at most). */
	fprintf(fp, "database = { backend = \"sqlite\"; path = \"db/patrol.db\"; };\n"
	    "token = { signing_key_file = \"signing.key\"; issuer = \"t\"; "
	    "lifetime = 3600; };\n"
	    "secrets = { key_file = \"secrets.key\"; };\n"
	    "limits = { request_body_max = 4096; requests_per_token = 1000000;"
	    " auth_failures = 1000000; };\n");
	fclose(fp);
	snprintf(p, sizeof(p), "%s/signing.key", dir);
	if (patrol_conf_load(confpath, &conf, &err) != PATROL_OK ||
	    patrol_key_generate(p, &err) != PATROL_OK ||
	    (snprintf(p, sizeof(p), "%s/secrets.key", dir),
	    patrol_seal_generate(p, &err)) != PATROL_OK ||
	    patrol_store_open(conf, 1, &st, &err) != PATROL_OK) {
		tap_diag("setup: %s", err.text);
		goto out;
	}
	memset(&id, 0, sizeof(id));
	patrol_id_new(id.id);
	id.name = (char *)"Admin";
	id.rights = rights;
	id.nrights = 3;
	if (patrol_store_identity_add(st, &id, &err) != PATROL_OK) {
		tap_diag("identity_add: %s", err.text);
		goto out;
	}
	strcpy(admin_id, id.id);
	if (add_pat(st, id.id, "main", admin_pat, admin_secret) == -1 ||
	    add_pat(st, id.id, "mobile", other, sec) == -1 ||
	    add_pat(st, id.id, "target", target, sec) == -1)
		goto out;
	patrol_store_close(st);
	st = NULL;

	for (i = 0; i < NOPS; i++)
		op_fill(&ops[i], &texts[i]);
	op_fill(&follow, &texts[NOPS]);
	op_fill(&tokop, &texts[NOPS + 1]);
	if ((f = malloc(sizeof(*f))) == NULL ||
	    patrol_server_new(conf, PATROL_ROUTES_ALL, &s, &err) != PATROL_OK) {
		tap_diag("server_new: %s", err.text);
		goto out;
	}
	/* An access token for the admin, and one that does not verify. */
	if (serve(s, &tokop, f) != 0 ||
	    (tok = strstr(f->out, "\"access_token\":\"")) == NULL ||
	    (end = strchr(tok + 16, '"')) == NULL) {
		tap_diag("no access token: %s", f->out);
		goto out;
	}
	snprintf(bearer, sizeof(bearer), "Bearer %.*s", (int)(end - tok - 16),
	    tok + 16);
	snprintf(badbearer, sizeof(badbearer), "%s", bearer);
	/* "Basic " base64(id ":" secret), by hand: no helper in the API. */
	{
		static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789+/";
		char		 cred[128];
		size_t		 n, j, o = 6;
		unsigned long	 v;

		n = (size_t)snprintf(cred, sizeof(cred), "%s:%s", admin_pat,
		    admin_secret);
		memcpy(basic, "Basic ", 6);
		for (j = 0; j < n; j += 3) {
			v = (unsigned long)(unsigned char)cred[j] << 16 |
			    (j + 1 < n ? (unsigned long)(unsigned char)
			    cred[j + 1] << 8 : 0) |
			    (j + 2 < n ? (unsigned char)cred[j + 2] : 0);
			basic[o++] = b64[v >> 18 & 63];
			basic[o++] = b64[v >> 12 & 63];
			basic[o++] = j + 1 < n ? b64[v >> 6 & 63] : '=';
			basic[o++] = j + 2 < n ? b64[v & 63] : '=';
		}
		basic[o] = '\0';
	}
	badbearer[strlen(badbearer) - 3] ^= 1;	/* breaks the signature */
	/* Duo configured, secrets sealed, before the template is taken. */
	if (serve(s, &follow, f) != 0 || strncmp(f->out, "Status: 200", 11)) {
		tap_diag("duo put: %s", f->out);
		goto out;
	}
	patrol_server_free(s);
	s = NULL;
	rc = copy_file(dbpath, tplpath);
out:
	free(f);
	patrol_server_free(s);
	patrol_store_close(st);
	return rc;
}

static void
teardown(void)
{
	char	 p[300];

	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0)
		tap_diag("could not remove %s", dir);
}

/* ---- one run -------------------------------------------------------- */

struct run {
	int		 rc;		/* of patrol_server_handle */
	int		 status;	/* 0: no status line */
	const char	*body;		/* in f->out */
	unsigned long	 allocs;	/* made by the request */
	int		 failed;	/* the k-th failed */
	long		 leaked;	/* blocks, after the server is freed */
	int		 follow;	/* status of the follow-up */
	char		 followbody[1024];
};

static void
parse(const struct fake *f, int *status, const char **body)
{
	const char	*sep;

	*status = 0;
	*body = NULL;
	if (sscanf(f->out, "Status: %d", status) != 1)
		*status = 0;
	if ((sep = strstr(f->out, "\r\n\r\n")) != NULL)
		*body = sep + 4;
}

/* Serves o with allocation fail_at failing (0: none) on a new server. */
static int
run(struct op *o, unsigned long fail_at, int trace, struct fake *f,
    struct run *r)
{
	struct patrol_server	*s;
	struct patrol_error	 err;
	const char		*b = NULL;
	long			 before;

	memset(r, 0, sizeof(*r));
	if (restore_db() == -1) {
		tap_diag("cannot restore the database");
		return -1;
	}
	before = heap.live;
	heap.track = trace;
	heap.seq = 0;
	memset(heap.ptr, 0, sizeof(heap.ptr));
	if (patrol_server_new(conf, PATROL_ROUTES_ALL, &s, &err) !=
	    PATROL_OK) {
		tap_diag("server_new: %s", err.text);
		return -1;
	}
	/* A change in the signing key's directory (as `patrolctl key
	 * rotate` makes) has the request load the keys again. */
	if (o->reload && (mkdir(keydir, 0700) == -1 || rmdir(keydir) == -1))
		tap_diag("cannot touch the key directory");
	heap.n = 0;
	heap.failed = 0;
	heap.fail_at = fail_at;
	heap.trace = trace;
	heap.armed = 1;
	r->rc = serve(s, o, f);
	heap.armed = 0;
	r->allocs = heap.n;
	r->failed = heap.failed;
	/* The log of the failed request is kept in f: the follow-up uses its
	 * own fake on the stack's neighbour. */
	{
		static struct fake g;

		if (serve(s, &follow, &g) == 0)
			parse(&g, &r->follow, &b);
		else
			r->follow = -1;
		snprintf(r->followbody, sizeof(r->followbody), "%s",
		    b != NULL && r->follow > 0 ? b : "");
	}
	patrol_server_free(s);
	/* What an OpenSSL failure left in the thread's error queue (bounded:
	 * 16 entries, each holding copies of a file and a function name) is
	 * not a leak; libpatrol does not read the queue. */
	ERR_clear_error();
	r->leaked = heap.live - before;
	if (heap.track) {
		size_t	 i;

		heap.track = 0;
		for (i = 0; i < 4096; i++)
			if (heap.ptr[i] != NULL) {
				int	 n;

				printf("# block %lu is still live, from:\n",
				    heap.ptrseq[i]);
				fflush(stdout);
				for (n = 0; n < 12 && heap.where[i][n]; n++)
					continue;
				backtrace_symbols_fd(heap.where[i], n,
				    STDOUT_FILENO);
			}
	}
	parse(f, &r->status, &r->body);
	return 0;
}

/* ---- judging a run -------------------------------------------------- */

/* The same top-level keys with values of the same types. */
static int
same_shape(const char *a, const char *b)
{
	json_t		*ja = json_loads(a, 0, NULL), *jb = json_loads(b, 0, NULL);
	const char	*k;
	json_t		*v;
	int		 same = ja != NULL && jb != NULL &&
	    json_typeof(ja) == json_typeof(jb);

	if (same && json_is_object(ja)) {
		same = json_object_size(ja) == json_object_size(jb);
		json_object_foreach(ja, k, v)
			if (json_object_get(jb, k) == NULL ||
			    json_typeof(json_object_get(jb, k)) !=
			    json_typeof(v))
				same = 0;
	}
	json_decref(ja);
	json_decref(jb);
	return same;
}

/* The 500 envelope: detailCode, a tracking id, the generic text. */
static int
is_500_envelope(const char *body)
{
	json_t		*j = json_loads(body, 0, NULL), *m;
	const char	*t;
	int		 good;

	m = json_array_get(json_object_get(j, "messages"), 0);
	t = json_string_value(json_object_get(j, "trackingId"));
	good = j != NULL && t != NULL && patrol_id_valid(t) &&
	    json_is_array(json_object_get(j, "causes")) &&
	    json_string_value(json_object_get(j, "detailCode")) != NULL &&
	    strcmp(json_string_value(json_object_get(j, "detailCode")),
	    "500.0 Internal Fault") == 0 &&
	    json_string_value(json_object_get(m, "text")) != NULL &&
	    strcmp(json_string_value(json_object_get(m, "text")),
	    "An internal fault occurred.") == 0;
	json_decref(j);
	return good;
}

struct ref {
	int		 status;
	char		 body[OUT_MAX];
	char		 follow[1024];
};

/* NULL when the run passes, else what is wrong. */
static const char *
judge(const struct op *o, const struct ref *ref, const struct run *r)
{
	if (r->leaked != 0)
		return "blocks leaked";
	if (r->follow != 200 || strcmp(r->followbody, ref->follow) != 0)
		return "the next request on the server failed";
	if (r->rc == -1)
		return NULL;		/* aborted */
	if (r->rc != 0 || r->status == 0 || r->body == NULL)
		return "no complete response";
	if (r->status == ref->status) {
		if (o->match == EXACT ? strcmp(r->body, ref->body) == 0 :
		    same_shape(r->body, ref->body))
			return NULL;
		return "the expected status with another body";
	}
	if (r->status == 500)
		return is_500_envelope(r->body) ? NULL :
		    "a 500 without the error envelope";
	return "a status other than the expected one or 500";
}

/* ---- the sweep ------------------------------------------------------ */

static void
sweep(struct op *o, int persist, unsigned long stride, struct fake *f,
    const char *trace)
{
	static struct ref	 ref;
	struct run		 r;
	struct timespec		 t0, t1;
	unsigned long		 k, total, nrun = 0, n500 = 0, nabort = 0;
	unsigned long		 nright = 0, nbad = 0;
	const char		*why, *lastwhy = NULL;
	int			 laststatus = 0;
	unsigned long		 nshown = 0;
	struct pbuf		 badk = { 0 };
	size_t			 tl = strlen(o->name);
	unsigned long		 tk = 0;

	if (trace != NULL && strncmp(trace, o->name, tl) == 0 &&
	    trace[tl] == ':')
		tk = strtoul(trace + tl + 1, NULL, 10);
	if (tk != 0 && strchr(trace, '/') != NULL)
		heap.show = strtoul(strchr(trace, '/') + 1, NULL, 10);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	heap.persist = 0;
	if (run(o, 0, 0, f, &r) == -1 || r.leaked != 0 ||
	    r.status != o->status || r.body == NULL || r.follow != 200) {
		ok(0, "%s: the run without failures gives %d", o->name,
		    o->status);
		tap_diag("got %d (%ld blocks leaked): %s", r.status, r.leaked,
		    f->out);
		return;
	}
	ref.status = r.status;
	snprintf(ref.body, sizeof(ref.body), "%s", r.body);
	snprintf(ref.follow, sizeof(ref.follow), "%s", r.followbody);
	total = r.allocs;
	heap.persist = persist;
	for (k = tk != 0 ? tk : 1; ; k += stride) {
		if (run(o, k, k == tk, f, &r) == -1)
			break;
		if (!r.failed)
			break;		/* fewer than k allocations */
		nrun++;
		if ((why = judge(o, &ref, &r)) != NULL) {
			/* One report per kind of failure in a row. */
			if ((why != lastwhy || r.status != laststatus) &&
			    nshown++ < 20) {
				ok(0, "%s: allocation %lu of %lu failing%s: %s",
				    o->name, k, total, persist ?
				    " (and every one after)" : "", why);
				tap_diag("rc %d, %ld blocks leaked, follow-up "
				    "%d; response:\n%s\n# log:\n%s", r.rc,
				    r.leaked, r.follow, f->out, f->log);
			}
			if (nbad++ < 200)
				pbuf_printf(&badk, " %lu", k);
			lastwhy = why;
			laststatus = r.status;
		} else if (r.rc == -1)
			nabort++;
		else if (r.status == 500 && ref.status != 500)
			n500++;
		else
			nright++;
		if (k > 1000000 || tk != 0)
			break;
	}
	heap.persist = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (nbad > 0)
		tap_diag("%s: failing allocations that went wrong:%s%s", o->name,
		    badk.s, nbad > 200 ? " ..." : "");
	pbuf_free(&badk);
	ok(nbad == 0 && nrun > 0, "%s: %lu allocations, %lu failed in turn "
	    "(every %lu%s): %lu right, %lu 500, %lu aborted, %lu wrong; %.2f s",
	    o->name, total, nrun, stride, persist ? ", each with all after it" :
	    "", nright, n500, nabort, nbad,
	    (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

int
main(void)
{
	struct fake	*f;
	const char	*only = getenv("PATROL_OOM_ONLY");
	const char	*trace = getenv("PATROL_OOM_TRACE");
	const char	*st = getenv("PATROL_OOM_STRIDE");
	const char	*mode = getenv("PATROL_OOM_MODE");
	const char	*pre = getenv("LD_PRELOAD");
	int		 persist;
	unsigned long	 pstride;
	unsigned long	 stride = st != NULL ? strtoul(st, NULL, 10) : 1;
	size_t		 i;
	struct run	 r;

#ifdef OOM_SKIP
	printf("1..0 # SKIP %s\n", OOM_SKIP);
	return 0;
#endif
	if (stride == 0)
		stride = 1;
	/* Under valgrind (its preloads), the second sweep takes every 10th k:
	 * the whole test then stays about a minute. */
	pstride = st != NULL ? stride :
	    pre != NULL && strstr(pre, "vgpreload") != NULL ? 10 : 1;
	if (trace != NULL) {		/* loads libgcc_s now, not armed */
		void	*fr[4];

		backtrace(fr, 4);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup() == -1 || (f = malloc(sizeof(*f))) == NULL) {
		printf("Bail out! fixture setup failed\n");
		teardown();
		return 1;
	}
	/* Warm up: one-time initialisations (OpenSSL, SQLite) are done
	 * before anything counts. OpenSSL's error queue (per thread, 16
	 * entries) keeps a buffer in each entry that ever held a message,
	 * for reuse: that is bounded, not a leak; fill it now. */
	for (i = 0; i < NOPS; i++)
		run(&ops[i], 0, 0, f, &r);
	for (i = 0; i < 2 * ERR_NUM_ERRORS; i++)
		ERR_raise_data(ERR_LIB_USER, 1, "warm-up %zu", i);
	ERR_clear_error();
	/* Each allocation failing once, then each with every one after it
	 * (memory that stays short: the 500 must still go out). */
	for (persist = 0; persist <= 1; persist++)
		for (i = 0; i < NOPS; i++)
			if ((only == NULL || strcmp(only, ops[i].name) == 0) &&
			    (mode == NULL || strcmp(mode, persist ? "all" :
			    "once") == 0))
				sweep(&ops[i], persist, persist ? pstride :
				    stride, f, trace);
	free(f);
	patrol_conf_free(conf);
	teardown();
	return done_testing();
}
