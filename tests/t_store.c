/*
 * t_store.c: the storage interface over real SQLite files in a temporary
 * directory: opening and schema versions, identities, PATs, listing,
 * touching, the Duo configuration, WAL visibility and locking; updates,
 * deletes, counts, transactions and the per-owner limit; sorting and
 * paging; the admin filter schema in SQL against the evaluator; the
 * migration from schema 1; the audit trail.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "patrol.h"
#include "tap.h"

static char tmpdir[] = "/tmp/t_store.XXXXXX";

/* Identities and PATs used throughout. */
#define ALICE	"a0000000000000000000000000000001"
#define BOB	"b0000000000000000000000000000002"
#define NOBODY	"c0000000000000000000000000000003"
#define PAT1	"10000000000000000000000000000001"
#define PAT2	"20000000000000000000000000000002"
#define PAT3	"30000000000000000000000000000003"
#define PAT4	"40000000000000000000000000000004"
#define PAT5	"50000000000000000000000000000005"
#define PAT6	"60000000000000000000000000000006"
#define HASH	"00112233445566778899aabbccddeeff" \
		"00112233445566778899aabbccddeeff"

static int
rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* A configuration for the database file tmpdir/name. */
struct tconf {
	struct patrol_conf	 c;
	char			 backend[16];
	char			 path[PATH_MAX];
};

static struct patrol_conf *
tconf(struct tconf *t, const char *name, int busy_ms)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->backend, sizeof(t->backend), "sqlite");
	snprintf(t->path, sizeof(t->path), "%s/%s", tmpdir, name);
	t->c.db_backend = t->backend;
	t->c.db_path = t->path;
	t->c.db_busy_timeout_ms = busy_ms;
	return &t->c;
}

static int
file_exists(const char *path)
{
	struct stat	 sb;

	return stat(path, &sb) == 0;
}

/* Writes PRAGMA user_version straight into the database header (bytes
 * 60..63, big-endian: see the SQLite file format). The database must be
 * closed, so that there is no WAL file. */
static void
set_user_version(const char *path, uint32_t v)
{
	unsigned char	 b[4];
	int		 fd;

	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
	if ((fd = open(path, O_WRONLY)) == -1 ||
	    pwrite(fd, b, sizeof(b), 60) != (ssize_t)sizeof(b) ||
	    close(fd) == -1) {
		perror(path);
		exit(99);
	}
}

static struct patrol_store *
open_ok(const struct patrol_conf *c, int create)
{
	struct patrol_store	*st = NULL;
	struct patrol_error	 err;

	if (patrol_store_open(c, create, &st, &err) != PATROL_OK) {
		printf("Bail out! cannot open %s: %s\n", c->db_path,
		    err.text);
		exit(99);
	}
	return st;
}

static void
test_open(void)
{
	struct tconf		 t;
	struct patrol_conf	*c;
	struct patrol_store	*st;
	struct patrol_identity	 id;
	struct patrol_error	 err;
	char			 want[PATH_MAX + 128], junk[4096];
	char			*rights[] = { "ORG_ADMIN" };
	int			 fd;

	c = tconf(&t, "open.db", 1000);
	st = (struct patrol_store *)&err;
	is_int(patrol_store_open(c, 0, &st, &err), PATROL_ERR_SCHEMA,
	    "open without init: SCHEMA");
	snprintf(want, sizeof(want), "database %s not initialised: run "
	    "patrolctl init", t.path);
	is_str(err.text, want, "open without init: text");
	ok(st == NULL, "open without init: no store");
	ok(!file_exists(t.path), "open without init creates no file");

	is_int(patrol_store_open(c, 1, &st, &err), PATROL_OK, "init creates");
	ok(file_exists(t.path), "database file exists");
	memset(&id, 0, sizeof(id));
	snprintf(id.id, sizeof(id.id), ALICE);
	id.name = "Alice";
	id.rights = rights;
	id.nrights = 1;
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_OK,
	    "identity added after init");
	patrol_store_close(st);

	is_int(patrol_store_open(c, 1, &st, &err), PATROL_OK,
	    "init again is a no-op");
	is_int(patrol_store_identity_get(st, ALICE, &id, &err), PATROL_OK,
	    "data kept by the second init");
	patrol_identity_clear(&id);
	patrol_store_close(st);
	is_int(patrol_store_open(c, 0, &st, &err), PATROL_OK,
	    "open after init");
	patrol_store_close(st);

	/* A newer schema is refused, with and without create. */
	set_user_version(t.path, PATROL_SCHEMA_VERSION + 1);
	snprintf(want, sizeof(want), "database schema version %d is newer "
	    "than this patrol (%d)", PATROL_SCHEMA_VERSION + 1,
	    PATROL_SCHEMA_VERSION);
	is_int(patrol_store_open(c, 0, &st, &err), PATROL_ERR_SCHEMA,
	    "newer schema: SCHEMA");
	is_str(err.text, want, "newer schema: text");
	is_int(patrol_store_open(c, 1, &st, &err), PATROL_ERR_SCHEMA,
	    "newer schema: init refuses too");
	is_str(err.text, want, "newer schema: init text");

	/* Version 0 with tables in it: some other application's file. */
	set_user_version(t.path, 0);
	is_int(patrol_store_open(c, 0, &st, &err), PATROL_ERR_SCHEMA,
	    "version 0: not initialised");
	is_int(patrol_store_open(c, 1, &st, &err), PATROL_ERR_SCHEMA,
	    "init refuses a foreign database");
	snprintf(want, sizeof(want), "database %s is not empty but has no "
	    "patrol schema", t.path);
	is_str(err.text, want, "foreign database: text");

	/* An empty file is an empty database: opening leaves it alone. */
	c = tconf(&t, "empty.db", 1000);
	if ((fd = open(t.path, O_CREAT | O_WRONLY, 0600)) == -1 ||
	    close(fd) == -1)
		exit(99);
	is_int(patrol_store_open(c, 0, &st, &err), PATROL_ERR_SCHEMA,
	    "empty file: not initialised");
	{
		struct stat	 sb;

		ok(stat(t.path, &sb) == 0 && sb.st_size == 0,
		    "empty file left untouched");
	}
	is_int(patrol_store_open(c, 1, &st, &err), PATROL_OK,
	    "init of an empty file");
	patrol_store_close(st);

	c = tconf(&t, "garbage.db", 1000);
	memset(junk, 'x', sizeof(junk));
	if ((fd = open(t.path, O_CREAT | O_WRONLY, 0600)) == -1 ||
	    write(fd, junk, sizeof(junk)) != (ssize_t)sizeof(junk) ||
	    close(fd) == -1)
		exit(99);
	is_int(patrol_store_open(c, 0, &st, &err), PATROL_ERR_STORE,
	    "not a database: STORE");
	snprintf(want, sizeof(want), "reading the schema version: database "
	    "%s: file is not a database", t.path);
	is_str(err.text, want, "not a database: text");

	c = tconf(&t, "no/such/dir.db", 1000);
	is_int(patrol_store_open(c, 1, &st, &err), PATROL_ERR_STORE,
	    "init in a missing directory: STORE");
	snprintf(want, sizeof(want), "database %s: ", t.path);
	ok(strncmp(err.text, want, strlen(want)) == 0,
	    "missing directory: text names the file (%s)", err.text);

	c = tconf(&t, "pg.db", 1000);
	snprintf(t.backend, sizeof(t.backend), "postgresql");
	is_int(patrol_store_open(c, 1, &st, &err), PATROL_ERR_CONFIG,
	    "postgresql: CONFIG");
	is_str(err.text, "PostgreSQL backend not built in this version",
	    "postgresql: text");
	ok(st == NULL, "postgresql: no store");
	snprintf(t.backend, sizeof(t.backend), "oracle");
	is_int(patrol_store_open(c, 1, &st, &err), PATROL_ERR_CONFIG,
	    "unknown backend: CONFIG");
	is_str(err.text, "unknown database backend \"oracle\"",
	    "unknown backend: text");
	is_int(patrol_store_open(c, 1, &st, NULL), PATROL_ERR_CONFIG,
	    "NULL err accepted");
	patrol_store_close(NULL);
}

static void
test_identity(struct patrol_store *st)
{
	struct patrol_identity	 id, got;
	struct patrol_error	 err;
	char			*rights[] = { "ORG_ADMIN",
				    "idn:mfa-configuration:read" };
	char			*badrights[] = { "ok", NULL };
	char			 longname[PATROL_NAME_MAX + 2];

	memset(&id, 0, sizeof(id));
	snprintf(id.id, sizeof(id.id), ALICE);
	id.name = "Alice Åkesson";
	id.rights = rights;
	id.nrights = 2;
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_OK,
	    "add alice");
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_ERR_EXISTS,
	    "add alice again: EXISTS");
	is_str(err.text, "identity " ALICE " already exists",
	    "duplicate identity text");

	snprintf(id.id, sizeof(id.id), BOB);
	id.name = "Bob";
	id.rights = NULL;
	id.nrights = 0;
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_OK,
	    "add bob without rights");

	is_int(patrol_store_identity_get(st, ALICE, &got, &err), PATROL_OK,
	    "get alice");
	is_str(got.id, ALICE, "id");
	is_str(got.name, "Alice Åkesson", "UTF-8 name");
	is_int(got.nrights, 2, "two rights");
	if (got.nrights == 2) {
		is_str(got.rights[0], "ORG_ADMIN", "first right");
		is_str(got.rights[1], "idn:mfa-configuration:read",
		    "second right");
	}
	patrol_identity_clear(&got);
	ok(got.name == NULL && got.rights == NULL && got.nrights == 0,
	    "clear zeroes");
	patrol_identity_clear(&got);
	patrol_identity_clear(NULL);

	is_int(patrol_store_identity_get(st, BOB, &got, &err), PATROL_OK,
	    "get bob");
	is_int(got.nrights, 0, "no rights");
	ok(got.rights == NULL, "rights NULL when empty");
	patrol_identity_clear(&got);

	is_int(patrol_store_identity_get(st, NOBODY, &got, &err),
	    PATROL_ERR_NOTFOUND, "unknown identity: NOTFOUND");
	is_str(err.text, "identity " NOBODY " not found", "notfound text");
	ok(got.name == NULL, "nothing filled");
	is_int(patrol_store_identity_get(st, "' OR 1=1 --", &got, &err),
	    PATROL_ERR_NOTFOUND, "malformed id: NOTFOUND");
	is_int(patrol_store_identity_get(st, NULL, &got, &err),
	    PATROL_ERR_INVALID, "NULL id: INVALID");

	/* Arguments checked before storage. */
	memset(&id, 0, sizeof(id));
	snprintf(id.id, sizeof(id.id), "A0000000000000000000000000000009");
	id.name = "x";
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_ERR_INVALID,
	    "uppercase id: INVALID");
	snprintf(id.id, sizeof(id.id), NOBODY);
	id.name = "";
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_ERR_INVALID,
	    "empty name: INVALID");
	id.name = NULL;
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_ERR_INVALID,
	    "NULL name: INVALID");
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	id.name = longname;
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_ERR_INVALID,
	    "name over PATROL_NAME_MAX: INVALID");
	longname[PATROL_NAME_MAX] = '\0';
	snprintf(id.id, sizeof(id.id), "e0000000000000000000000000000005");
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_OK,
	    "name of PATROL_NAME_MAX bytes accepted");
	snprintf(id.id, sizeof(id.id), "d0000000000000000000000000000004");
	id.name = "bad\xff";
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_ERR_INVALID,
	    "name not UTF-8: INVALID");
	id.name = "d";
	id.rights = badrights;
	id.nrights = 2;
	is_int(patrol_store_identity_add(st, &id, &err), PATROL_ERR_INVALID,
	    "NULL right: INVALID");
	is_int(patrol_store_identity_get(st, "d0000000000000000000000000000004",
	    &got, &err), PATROL_ERR_NOTFOUND, "invalid adds stored nothing");
}

/* A PAT of owner with the given name, created at `created`. */
static void
mkpat(struct patrol_pat *p, const char *id, const char *owner,
    const char *name, int64_t created)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->owner_id, sizeof(p->owner_id), "%s", owner);
	snprintf(p->secret_hash, sizeof(p->secret_hash), HASH);
	p->name = (char *)name;
	p->created = created;
	p->last_used = -1;
	p->scope_null = 1;
	p->expires = -1;
	p->validity = PATROL_VALIDITY_DEFAULT;
}

static void
test_pat(struct patrol_store *st)
{
	struct patrol_pat	 p, got;
	struct patrol_error	 err;
	char			*scope[] = { "sp:scopes:all",
				    "idn:mfa-configuration:read" };
	char			*manyscope[PATROL_SCOPE_MAX + 1];
	char			 longscope[PATROL_SCOPE_LEN_MAX + 2];
	size_t			 i;

	/* PAT1: scope null, never used. */
	mkpat(&p, PAT1, ALICE, "cli", 1000);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK, "add PAT1");
	p.name = "other";
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_EXISTS,
	    "same id again: EXISTS");
	is_str(err.text, "personal access token " PAT1 " already exists",
	    "duplicate id text");
	mkpat(&p, PAT2, ALICE, "cli", 2000);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_EXISTS,
	    "same name, same owner: EXISTS");
	is_str(err.text, "identity " ALICE " already has a personal access "
	    "token named \"cli\"", "duplicate name text");
	mkpat(&p, PAT2, NOBODY, "cli", 2000);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_NOTFOUND,
	    "unknown owner: NOTFOUND");
	is_str(err.text, "identity " NOBODY " not found", "unknown owner text");

	/* PAT2: same name, other owner; scope [], used, managed. */
	mkpat(&p, PAT2, BOB, "cli", 2000);
	p.scope_null = 0;
	p.last_used = 1234567;
	p.managed = 1;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK,
	    "same name, other owner");
	/* PAT3: a scope list. */
	mkpat(&p, PAT3, ALICE, "scoped", 3000);
	p.scope_null = 0;
	p.scope = scope;
	p.nscope = 2;
	p.last_used = 0;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK, "add PAT3");

	is_int(patrol_store_pat_get(st, PAT1, &got, &err), PATROL_OK,
	    "get PAT1");
	is_str(got.id, PAT1, "PAT1 id");
	is_str(got.name, "cli", "PAT1 name");
	ok(got.scope_null && got.scope == NULL && got.nscope == 0,
	    "PAT1 scope null");
	is_str(got.owner_id, ALICE, "PAT1 owner id");
	is_str(got.owner_name, "Alice Åkesson", "PAT1 owner name");
	is_int(got.created, 1000, "PAT1 created");
	is_int(got.last_used, -1, "PAT1 never used");
	is_int(got.managed, 0, "PAT1 not managed");
	is_str(got.secret_hash, HASH, "PAT1 secret hash");
	patrol_pat_clear(&got);

	is_int(patrol_store_pat_get(st, PAT2, &got, &err), PATROL_OK,
	    "get PAT2");
	ok(!got.scope_null && got.nscope == 0, "PAT2 scope [] is not null");
	is_int(got.last_used, 1234567, "PAT2 last used");
	is_int(got.managed, 1, "PAT2 managed");
	is_str(got.owner_name, "Bob", "PAT2 owner name");
	patrol_pat_clear(&got);

	is_int(patrol_store_pat_get(st, PAT3, &got, &err), PATROL_OK,
	    "get PAT3");
	ok(!got.scope_null, "PAT3 scope not null");
	is_int(got.nscope, 2, "PAT3 two scopes");
	if (got.nscope == 2) {
		is_str(got.scope[0], "sp:scopes:all", "PAT3 scope 0");
		is_str(got.scope[1], "idn:mfa-configuration:read",
		    "PAT3 scope 1");
	}
	is_int(got.last_used, 0, "PAT3 last used at the epoch, not null");
	patrol_pat_clear(&got);
	ok(got.name == NULL && got.scope == NULL && got.owner_name == NULL &&
	    got.secret_hash[0] == '\0', "pat clear zeroes");
	patrol_pat_clear(NULL);

	is_int(patrol_store_pat_get(st, PAT6, &got, &err),
	    PATROL_ERR_NOTFOUND, "unknown PAT: NOTFOUND");
	is_str(err.text, "personal access token " PAT6 " not found",
	    "unknown PAT text");
	is_int(patrol_store_pat_get(st, "short", &got, &err),
	    PATROL_ERR_NOTFOUND, "malformed PAT id: NOTFOUND");

	/* Arguments checked before storage. */
	mkpat(&p, "zz", ALICE, "x", 1);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "bad id: INVALID");
	mkpat(&p, PAT6, "zz", "x", 1);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "bad owner id: INVALID");
	mkpat(&p, PAT6, ALICE, "", 1);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "empty name: INVALID");
	mkpat(&p, PAT6, ALICE, "x", -1);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "negative created: INVALID");
	mkpat(&p, PAT6, ALICE, "x", 1);
	p.last_used = -2;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "last_used below -1: INVALID");
	mkpat(&p, PAT6, ALICE, "x", 1);
	p.secret_hash[3] = 'G';
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "bad hash: INVALID");
	p.secret_hash[3] = '\0';
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "short hash: INVALID");
	for (i = 0; i <= PATROL_SCOPE_MAX; i++)
		manyscope[i] = "sp:scopes:all";
	mkpat(&p, PAT6, ALICE, "x", 1);
	p.scope_null = 0;
	p.scope = manyscope;
	p.nscope = PATROL_SCOPE_MAX + 1;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "too many scopes: INVALID");
	memset(longscope, 's', sizeof(longscope) - 1);
	longscope[sizeof(longscope) - 1] = '\0';
	manyscope[0] = longscope;
	p.nscope = 1;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "over-long scope: INVALID");
	manyscope[0] = "";
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "empty scope: INVALID");
	manyscope[0] = NULL;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_ERR_INVALID,
	    "NULL scope entry: INVALID");
	is_int(patrol_store_pat_get(st, PAT6, &got, &err),
	    PATROL_ERR_NOTFOUND, "invalid adds stored nothing");
}

/* Collects what a listing returns. */
struct seen {
	char			 ids[16][PATROL_ID_LEN + 1];
	size_t			 n;
	size_t			 stop_after;	/* 0: never stop */
	const struct patrol_pat	*first;		/* the struct passed */
	int			 same_struct;	/* always the same one */
	int			 hash_empty;	/* secret_hash always "" */
	int			 owner_named;	/* owner_name always set */
};

static int
collect(void *arg, const struct patrol_pat *pat)
{
	struct seen	*s = arg;

	if (s->n == 0) {
		s->first = pat;
		s->same_struct = s->hash_empty = s->owner_named = 1;
	}
	if (pat != s->first)
		s->same_struct = 0;
	if (pat->secret_hash[0] != '\0')
		s->hash_empty = 0;
	if (pat->owner_name == NULL)
		s->owner_named = 0;
	if (s->n < 16)
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", pat->id);
	s->n++;
	return s->stop_after != 0 && s->n >= s->stop_after;
}

/* Lists and compares the ids with want (a NULL-terminated list). */
static void
expect_list(struct patrol_store *st, const struct patrol_pat_query *q,
    size_t stop_after, const char *const *want, const char *name)
{
	struct seen		 s;
	struct patrol_error	 err;
	size_t			 i, n = 0;
	int			 same = 1;

	memset(&s, 0, sizeof(s));
	s.stop_after = stop_after;
	while (want[n] != NULL)
		n++;
	if (!ok(patrol_store_pat_list(st, q, collect, &s, &err) == PATROL_OK,
	    "%s: listed", name))
		tap_diag("%s", err.text);
	for (i = 0; i < n && i < s.n; i++)
		if (strcmp(s.ids[i], want[i]) != 0)
			same = 0;
	if (!ok(same && s.n == n, "%s: %zu PATs in order", name, n))
		for (i = 0; i < s.n && i < 16; i++)
			tap_diag("got %s", s.ids[i]);
	if (s.n > 0)
		ok(s.same_struct && s.hash_empty && s.owner_named,
		    "%s: one reused struct, no hash, owner named", name);
}

static void
test_list(struct patrol_store *st)
{
	static const char *const all[] = { PAT1, PAT2, PAT4, PAT5, PAT3,
	    NULL };
	static const char *const unmanaged[] = { PAT1, PAT4, PAT5, PAT3,
	    NULL };
	static const char *const alice[] = { PAT1, PAT4, PAT5, PAT3, NULL };
	static const char *const bob[] = { PAT2, NULL };
	static const char *const none[] = { NULL };
	static const char *const first2[] = { PAT1, PAT2, NULL };
	struct patrol_pat_query	 q;
	struct patrol_pat	 p;
	struct patrol_error	 err;

	/* PAT4 and PAT5 share a creation time (2500): id breaks the tie.
	 * PAT5 is added first to show the order is not insertion order. */
	mkpat(&p, PAT5, ALICE, "five", 2500);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK, "add PAT5");
	mkpat(&p, PAT4, ALICE, "four", 2500);
	p.last_used = 5000000;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK, "add PAT4");

	memset(&q, 0, sizeof(q));
	q.include_managed = 1;
	expect_list(st, &q, 0, all, "everything, by (created, id)");
	q.include_managed = 0;
	expect_list(st, &q, 0, unmanaged, "managed excluded");
	q.owner_id = ALICE;
	expect_list(st, &q, 0, alice, "alice's");
	q.owner_id = BOB;
	expect_list(st, &q, 0, none, "bob's unmanaged: none");
	q.include_managed = 1;
	expect_list(st, &q, 0, bob, "bob's with managed");
	q.owner_id = NOBODY;
	expect_list(st, &q, 0, none, "unknown owner: none");
	q.owner_id = "not-an-id";
	expect_list(st, &q, 0, none, "malformed owner: none");
	q.owner_id = NULL;
	expect_list(st, &q, 2, first2, "callback stops after two");
	is_int(patrol_store_pat_list(st, NULL, collect, NULL, &err),
	    PATROL_ERR_INVALID, "NULL query: INVALID");
	is_int(patrol_store_pat_list(st, &q, NULL, NULL, &err),
	    PATROL_ERR_INVALID, "NULL callback: INVALID");
}

/* Lists with filter expr (bound to the API's PAT schema). */
static void
expect_filter(struct patrol_store *st, const char *owner, int managed,
    const char *expr, const char *const *want)
{
	struct patrol_pat_query	 q;
	struct patrol_filter	*f = NULL;
	struct patrol_error	 err;

	if (patrol_filter_parse(expr, strlen(expr), &f, &err) != PATROL_OK ||
	    patrol_filter_bind(f, &patrol_pat_filter_schema, &err) !=
	    PATROL_OK) {
		ok(0, "filter %s: %s", expr, err.text);
		patrol_filter_free(f);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.owner_id = owner;
	q.include_managed = managed;
	q.filter = f;
	expect_list(st, &q, 0, want, expr);
	patrol_filter_free(f);
}

/*
 * The PATs as test_list leaves them (last_used): PAT1 null, PAT2 1234567
 * (bob's, managed), PAT4 5000000, PAT5 null, PAT3 0.
 */
static void
test_list_filter(struct patrol_store *st)
{
	static const char *const isnull[] = { PAT1, PAT5, NULL };
	static const char *const le[] = { PAT2, PAT3, NULL };
	static const char *const le_later[] = { PAT2, PAT4, PAT3, NULL };
	static const char *const notnull[] = { PAT2, PAT4, PAT3, NULL };
	static const char *const nullor0[] = { PAT1, PAT5, PAT3, NULL };
	static const char *const notle[] = { PAT1, PAT4, PAT5, NULL };
	static const char *const alicele[] = { PAT3, NULL };
	static const char *const none[] = { NULL };

	expect_filter(st, NULL, 1, "lastUsed isnull", isnull);
	expect_filter(st, NULL, 1, "lastUsed le \"1970-01-01T00:20:34.567Z\"",
	    le);
	expect_filter(st, NULL, 1, "lastUsed le \"1970-01-01T00:20:34.566Z\"",
	    alicele);
	expect_filter(st, NULL, 1, "lastUsed le \"1970-01-01T01:23:20Z\"",
	    le_later);
	expect_filter(st, NULL, 1, "not (lastUsed isnull)", notnull);
	expect_filter(st, NULL, 1, "lastUsed isnull or "
	    "lastUsed le \"1970-01-01T00:00:00Z\"", nullor0);
	expect_filter(st, NULL, 1,
	    "not lastUsed le \"1970-01-01T00:20:34.567Z\"", notle);
	/* Owner and managed conditions come before the filter's. */
	expect_filter(st, ALICE, 0,
	    "lastUsed le \"1970-01-01T00:20:34.567Z\"", alicele);
	expect_filter(st, BOB, 0,
	    "lastUsed le \"1970-01-01T00:20:34.567Z\"", none);
	expect_filter(st, BOB, 1, "lastUsed isnull", none);
}

static void
test_touch(struct patrol_store *st)
{
	struct patrol_pat	 got;
	struct patrol_error	 err;
	int			 updated;

	/* PAT1 was never used: any touch writes. */
	updated = -1;
	is_int(patrol_store_pat_touch(st, PAT1, 100000, 1000, &updated,
	    &err), PATROL_OK, "touch unused");
	is_int(updated, 1, "unused: updated");
	patrol_store_pat_get(st, PAT1, &got, &err);
	is_int(got.last_used, 100000, "last_used set to now");
	patrol_pat_clear(&got);

	is_int(patrol_store_pat_touch(st, PAT1, 100999, 1000, &updated,
	    &err), PATROL_OK, "touch within the interval");
	is_int(updated, 0, "recent: not updated");
	patrol_store_pat_get(st, PAT1, &got, &err);
	is_int(got.last_used, 100000, "last_used unchanged");
	patrol_pat_clear(&got);

	is_int(patrol_store_pat_touch(st, PAT1, 101000, 1000, &updated,
	    &err), PATROL_OK, "touch exactly one interval later");
	is_int(updated, 1, "at the boundary: updated");
	is_int(patrol_store_pat_touch(st, PAT1, 500000, 1000, NULL, &err),
	    PATROL_OK, "NULL updated accepted");
	patrol_store_pat_get(st, PAT1, &got, &err);
	is_int(got.last_used, 500000, "old: updated to now");
	patrol_pat_clear(&got);

	is_int(patrol_store_pat_touch(st, PAT1, 500000, 0, &updated, &err),
	    PATROL_OK, "interval 0");
	is_int(updated, 1, "interval 0 always writes");

	updated = -1;
	is_int(patrol_store_pat_touch(st, PAT6, 1, 0, &updated, &err),
	    PATROL_ERR_NOTFOUND, "touch unknown: NOTFOUND");
	is_str(err.text, "personal access token " PAT6 " not found",
	    "touch unknown: text");
	is_int(updated, 0, "touch unknown: not updated");
	is_int(patrol_store_pat_touch(st, "nope", 1, 0, &updated, &err),
	    PATROL_ERR_NOTFOUND, "touch malformed id: NOTFOUND");
	is_int(patrol_store_pat_touch(st, PAT1, 1, -1, &updated, &err),
	    PATROL_ERR_INVALID, "negative interval: INVALID");
	is_int(patrol_store_pat_touch(st, PAT1, -1, 0, &updated, &err),
	    PATROL_ERR_INVALID, "negative now: INVALID");
}

static void
test_duo(struct patrol_store *st)
{
	struct patrol_error	 err;
	char			*json = (char *)&err;

	is_int(patrol_store_duo_get(st, &json, &err), PATROL_ERR_NOTFOUND,
	    "duo before put: NOTFOUND");
	ok(json == NULL, "duo before put: NULL");
	is_str(err.text, "no Duo configuration stored", "duo notfound text");
	is_int(patrol_store_duo_put(st, "{\"enabled\":true,\"host\":\"ä\"}",
	    &err), PATROL_OK, "duo put");
	is_int(patrol_store_duo_get(st, &json, &err), PATROL_OK, "duo get");
	is_str(json, "{\"enabled\":true,\"host\":\"ä\"}", "duo roundtrip");
	free(json);
	is_int(patrol_store_duo_put(st, "{\"enabled\":false}", &err),
	    PATROL_OK, "duo put again");
	is_int(patrol_store_duo_get(st, &json, &err), PATROL_OK,
	    "duo get again");
	is_str(json, "{\"enabled\":false}", "duo overwritten");
	free(json);
	is_int(patrol_store_duo_put(st, NULL, &err), PATROL_ERR_INVALID,
	    "duo NULL: INVALID");
	is_int(patrol_store_duo_put(st, "\"\xc3\"", &err), PATROL_ERR_INVALID,
	    "duo not UTF-8: INVALID");
}

/* A second connection sees what the first wrote, while the first is open
 * (WAL mode: the data is still in the -wal file). */
static void
test_wal(void)
{
	struct tconf		 t;
	struct patrol_store	*a, *b;
	struct patrol_identity	 id, got;
	struct patrol_error	 err;
	char			 wal[PATH_MAX + 8];
	struct stat		 sb;

	a = open_ok(tconf(&t, "wal.db", 1000), 1);
	b = open_ok(&t.c, 0);
	memset(&id, 0, sizeof(id));
	snprintf(id.id, sizeof(id.id), ALICE);
	id.name = "Alice";
	is_int(patrol_store_identity_add(a, &id, &err), PATROL_OK,
	    "write through the first connection");
	snprintf(wal, sizeof(wal), "%s-wal", t.path);
	ok(stat(wal, &sb) == 0 && sb.st_size > 0, "write-ahead log in use");
	is_int(patrol_store_identity_get(b, ALICE, &got, &err), PATROL_OK,
	    "second connection sees it");
	patrol_identity_clear(&got);
	is_int(patrol_store_duo_put(b, "{}", &err), PATROL_OK,
	    "write through the second");
	patrol_store_close(b);
	patrol_store_close(a);
	ok(!file_exists(wal), "log checkpointed and removed on close");
}

/*
 * Another process holding the WAL write lock (byte 120 of the -shm file,
 * see the SQLite WAL format) makes writers busy: with busy_timeout_ms 0
 * the error comes at once; with a timeout the write waits for the lock.
 */
static void
test_busy(void)
{
	struct tconf		 t0, t5;
	struct patrol_store	*st0, *st5;
	struct patrol_pat	 p;
	struct patrol_identity	 id;
	struct patrol_error	 err;
	struct flock		 fl;
	char			 shm[PATH_MAX + 8], c;
	int			 up[2], down[2], fd, status;
	pid_t			 pid;

	tconf(&t0, "busy.db", 0);
	tconf(&t5, "busy.db", 5000);
	snprintf(shm, sizeof(shm), "%s-shm", t0.path);
	/* The child forks before any store exists: it shares nothing. */
	fflush(stdout);
	if (pipe(up) == -1 || pipe(down) == -1 || (pid = fork()) == -1)
		exit(99);
	if (pid == 0) {
		if (read(down[0], &c, 1) != 1)
			_exit(1);
		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		fl.l_start = 120;
		fl.l_len = 1;
		if ((fd = open(shm, O_RDWR)) == -1 ||
		    fcntl(fd, F_SETLK, &fl) == -1)
			_exit(1);
		if (write(up[1], "L", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(1);
		usleep(300 * 1000);
		_exit(0);	/* releases the lock */
	}
	st0 = open_ok(&t0.c, 1);
	st5 = open_ok(&t5.c, 0);
	memset(&id, 0, sizeof(id));
	snprintf(id.id, sizeof(id.id), ALICE);
	id.name = "Alice";
	patrol_store_identity_add(st0, &id, &err);
	mkpat(&p, PAT1, ALICE, "cli", 1);
	patrol_store_pat_add(st0, &p, 0, &err);

	if (write(down[1], "G", 1) != 1 || read(up[0], &c, 1) != 1)
		exit(99);
	is_int(patrol_store_pat_touch(st0, PAT1, 1000, 0, NULL, &err),
	    PATROL_ERR_STORE, "locked database: STORE");
	ok(strstr(err.text, "is busy") != NULL, "busy text (%s)", err.text);
	is_int(patrol_store_duo_put(st0, "{}", &err), PATROL_ERR_STORE,
	    "locked database: put STORE");
	/* The child lets go after a while: a write with a busy timeout
	 * waits for it and goes through. */
	if (write(down[1], "W", 1) != 1)
		exit(99);
	is_int(patrol_store_pat_touch(st5, PAT1, 2000, 0, NULL, &err),
	    PATROL_OK, "busy timeout waits for the lock");
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "lock holder ran as planned");
	is_int(patrol_store_pat_touch(st0, PAT1, 3000, 0, NULL, &err),
	    PATROL_OK, "free again without timeout");
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	patrol_store_close(st5);
	patrol_store_close(st0);
}

/* ---- writes: update, delete, count, transactions, the owner limit -- */

#define CAROL	"d0000000000000000000000000000004"
#define ORPHAN	"e0000000000000000000000000000005"

/* A new database tmpdir/name holding Alice and Bob. */
static struct patrol_store *
fresh(struct tconf *t, const char *name)
{
	struct patrol_store	*st;
	struct patrol_identity	 id;
	struct patrol_error	 err;

	st = open_ok(tconf(t, name, 1000), 1);
	memset(&id, 0, sizeof(id));
	snprintf(id.id, sizeof(id.id), ALICE);
	id.name = "Alice";
	if (patrol_store_identity_add(st, &id, &err) != PATROL_OK)
		goto fail;
	snprintf(id.id, sizeof(id.id), BOB);
	id.name = "Bob";
	if (patrol_store_identity_add(st, &id, &err) != PATROL_OK)
		goto fail;
	return st;
fail:
	printf("Bail out! %s: %s\n", name, err.text);
	exit(99);
}

static void
add_ok(struct patrol_store *st, const struct patrol_pat *p)
{
	struct patrol_error	 err;

	if (patrol_store_pat_add(st, p, 0, &err) != PATROL_OK) {
		printf("Bail out! adding %s: %s\n", p->id, err.text);
		exit(99);
	}
}

static int64_t
count_of(struct patrol_store *st, const struct patrol_pat_query *q)
{
	struct patrol_error	 err;
	int64_t			 n = -1;

	if (patrol_store_pat_count(st, q, &n, &err) != PATROL_OK)
		tap_diag("count: %s", err.text);
	return n;
}

static int64_t
owned_by(struct patrol_store *st, const char *owner)
{
	struct patrol_pat_query	 q;

	memset(&q, 0, sizeof(q));
	q.owner_id = owner;
	q.include_managed = 1;
	return count_of(st, &q);
}

/* 1 if the PAT id is stored with this name, validity and expiry. */
static int
stored_as(struct patrol_store *st, const char *id, const char *name,
    long validity, int64_t expires)
{
	struct patrol_pat	 got;
	struct patrol_error	 err;
	int			 same;

	if (patrol_store_pat_get(st, id, &got, &err) != PATROL_OK)
		return 0;
	same = strcmp(got.name, name) == 0 && got.validity == validity &&
	    got.expires == expires;
	patrol_pat_clear(&got);
	return same;
}

static void
test_update(void)
{
	struct tconf		 t;
	struct patrol_store	*st;
	struct patrol_pat	 p, got;
	struct patrol_error	 err;
	char			*scope[] = { "a", "b:c" };
	char			*badscope[] = { "a b" };
	char			*manyscope[PATROL_SCOPE_MAX + 1];
	char			 longname[PATROL_NAME_MAX + 2];
	size_t			 i;
	static const struct {
		const char	*what;
		int		 field;	/* see the switch below */
		const char	*text;
	} bad[] = {
		{ "empty name", 0, "name must not be empty" },
		{ "name of 129 bytes", 1,
		  "name must be at most 128 bytes, not 129" },
		{ "control character in the name", 2,
		  "name must not contain control characters (byte 2)" },
		{ "name not UTF-8", 3, "name must be valid UTF-8" },
		{ "scope with a space", 4, "scope 1 ('a b') has a character "
		  "not allowed in a scope at byte 2 (RFC 6749, section 3.3)" },
		{ "65 scopes", 5,
		  "scope must have at most 64 entries, not 65" },
		{ "validity 14", 6, "accessTokenValiditySeconds must be "
		  "between 15 and 43200, not 14" },
		{ "validity 43201", 7, "accessTokenValiditySeconds must be "
		  "between 15 and 43200, not 43201" },
		{ "expiry -2", 8, "personal access token expiry must not be "
		  "negative" },
	};

	st = fresh(&t, "update.db");
	mkpat(&p, PAT1, ALICE, "cli", 1000);
	p.last_used = 1500;
	add_ok(st, &p);
	mkpat(&p, PAT2, ALICE, "other", 2000);
	add_ok(st, &p);
	mkpat(&p, PAT3, BOB, "bobs", 3000);
	add_ok(st, &p);

	/* Only name, scope, expiry and validity change; the rest of the
	 * struct is ignored. */
	mkpat(&p, PAT1, BOB, "renamed", 99);
	p.scope_null = 0;
	p.scope = scope;
	p.nscope = 2;
	p.expires = 5000;
	p.validity = 60;
	p.last_used = 7;
	p.managed = 1;
	memset(p.secret_hash, 'f', PATROL_HASH_LEN);
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_OK, "update");
	is_int(patrol_store_pat_get(st, PAT1, &got, &err), PATROL_OK,
	    "get updated");
	is_str(got.name, "renamed", "name changed");
	ok(!got.scope_null && got.nscope == 2 &&
	    strcmp(got.scope[0], "a") == 0 && strcmp(got.scope[1], "b:c") == 0,
	    "scope changed");
	is_int(got.expires, 5000, "expiry changed");
	is_int(got.validity, 60, "validity changed");
	is_str(got.owner_id, ALICE, "owner unchanged");
	is_int(got.created, 1000, "created unchanged");
	is_int(got.last_used, 1500, "last used unchanged");
	is_int(got.managed, 0, "managed unchanged");
	is_str(got.secret_hash, HASH, "secret hash unchanged");
	patrol_pat_clear(&got);

	mkpat(&p, PAT1, ALICE, "renamed", 0);
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_OK,
	    "update back to a null scope, never expiring, same name");
	is_int(patrol_store_pat_get(st, PAT1, &got, &err), PATROL_OK,
	    "get again");
	ok(got.scope_null && got.scope == NULL, "scope null again");
	is_int(got.expires, -1, "never expires");
	is_int(got.validity, PATROL_VALIDITY_DEFAULT, "validity 43200");
	patrol_pat_clear(&got);
	p.scope_null = 0;
	p.nscope = 0;
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_OK,
	    "an empty list (from an import) is stored");
	is_int(patrol_store_pat_get(st, PAT1, &got, &err), PATROL_OK,
	    "get the empty list");
	ok(!got.scope_null && got.nscope == 0, "scope [] kept");
	patrol_pat_clear(&got);

	/* Names: unique per owner. */
	mkpat(&p, PAT2, ALICE, "renamed", 0);
	p.validity = 30;
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_ERR_EXISTS,
	    "name of another PAT of the owner: EXISTS");
	is_str(err.text, "the owner of personal access token " PAT2
	    " already has one named \"renamed\"", "name clash text");
	ok(stored_as(st, PAT2, "other", PATROL_VALIDITY_DEFAULT, -1),
	    "name clash: nothing changed");
	mkpat(&p, PAT3, BOB, "renamed", 0);
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_OK,
	    "the same name under another owner");
	ok(stored_as(st, PAT3, "renamed", PATROL_VALIDITY_DEFAULT, -1),
	    "other owner: renamed");

	mkpat(&p, PAT6, ALICE, "x", 0);
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_ERR_NOTFOUND,
	    "update unknown: NOTFOUND");
	is_str(err.text, "personal access token " PAT6 " not found",
	    "update unknown: text");
	mkpat(&p, "zz", ALICE, "x", 0);
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_ERR_NOTFOUND,
	    "update malformed id: NOTFOUND");
	is_str(err.text, "no personal access token has this id",
	    "update malformed id: text");

	/* The rules are checked before anything is written. */
	for (i = 0; i <= PATROL_SCOPE_MAX; i++)
		manyscope[i] = "s";
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mkpat(&p, PAT2, ALICE, "fine", 0);
		switch (bad[i].field) {
		case 0:
			p.name = "";
			break;
		case 1:
			p.name = longname;
			break;
		case 2:
			p.name = "a\nb";
			break;
		case 3:
			p.name = "a\xff";
			break;
		case 4:
			p.scope_null = 0;
			p.scope = badscope;
			p.nscope = 1;
			break;
		case 5:
			p.scope_null = 0;
			p.scope = manyscope;
			p.nscope = PATROL_SCOPE_MAX + 1;
			break;
		case 6:
			p.validity = 14;
			break;
		case 7:
			p.validity = 43201;
			break;
		default:
			p.expires = -2;
			break;
		}
		is_int(patrol_store_pat_update(st, &p, &err),
		    PATROL_ERR_INVALID, "update, %s: INVALID", bad[i].what);
		is_str(err.text, bad[i].text, "update, %s: text",
		    bad[i].what);
		ok(stored_as(st, PAT2, "other", PATROL_VALIDITY_DEFAULT, -1),
		    "update, %s: nothing changed", bad[i].what);
	}
	patrol_store_close(st);
}

static void
test_delete(void)
{
	struct tconf		 t;
	struct patrol_store	*st;
	struct patrol_pat	 p, got;
	struct patrol_pat_query	 q;
	struct patrol_error	 err;
	static const char *const left[] = { PAT1, PAT3, NULL };

	st = fresh(&t, "delete.db");
	mkpat(&p, PAT1, ALICE, "one", 1000);
	add_ok(st, &p);
	mkpat(&p, PAT2, ALICE, "two", 2000);
	add_ok(st, &p);
	mkpat(&p, PAT3, BOB, "three", 3000);
	add_ok(st, &p);

	is_int(patrol_store_pat_delete(st, PAT2, &err), PATROL_OK, "delete");
	is_int(patrol_store_pat_get(st, PAT2, &got, &err),
	    PATROL_ERR_NOTFOUND, "deleted: gone");
	memset(&q, 0, sizeof(q));
	q.include_managed = 1;
	expect_list(st, &q, 0, left, "after the delete");
	is_int(owned_by(st, ALICE), 1, "alice holds one");
	is_int(patrol_store_pat_delete(st, PAT2, &err), PATROL_ERR_NOTFOUND,
	    "delete twice: NOTFOUND");
	is_str(err.text, "personal access token " PAT2 " not found",
	    "delete twice: text");
	is_int(patrol_store_pat_delete(st, PAT6, &err), PATROL_ERR_NOTFOUND,
	    "delete unknown: NOTFOUND");
	is_int(patrol_store_pat_delete(st, "' OR 1=1 --", &err),
	    PATROL_ERR_NOTFOUND, "delete malformed id: NOTFOUND");
	is_int(patrol_store_pat_delete(st, NULL, &err), PATROL_ERR_INVALID,
	    "delete NULL id: INVALID");
	expect_list(st, &q, 0, left, "failed deletes deleted nothing");
	/* The name is free again. */
	mkpat(&p, PAT4, ALICE, "two", 4000);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK,
	    "a deleted PAT's name can be taken again");
	patrol_store_close(st);
}

/* A filter bound to schema; NULL after a failed test. */
static struct patrol_filter *
bound(const char *expr, const struct patrol_filter_schema *schema)
{
	struct patrol_filter	*f = NULL;
	struct patrol_error	 err;

	if (patrol_filter_parse(expr, strlen(expr), &f, &err) != PATROL_OK ||
	    patrol_filter_bind(f, schema, &err) != PATROL_OK) {
		ok(0, "filter %s: %s", expr, err.text);
		patrol_filter_free(f);
		return NULL;
	}
	return f;
}

static int
count_cb(void *arg, const struct patrol_pat *pat)
{
	(void)pat;
	(*(int64_t *)arg)++;
	return 0;
}

static void
test_count(void)
{
	static const struct {
		const char	*owner;
		int		 managed;
		const char	*filter;	/* NULL: none */
		int		 admin;		/* admin schema */
		int64_t		 want;
	} cases[] = {
		{ NULL, 1, NULL, 0, 6 },
		{ NULL, 0, NULL, 0, 4 },
		{ ALICE, 1, NULL, 0, 4 },
		{ ALICE, 0, NULL, 0, 3 },
		{ BOB, 1, NULL, 0, 2 },
		{ BOB, 0, NULL, 0, 1 },
		{ NOBODY, 1, NULL, 0, 0 },
		{ "not-an-id", 1, NULL, 0, 0 },
		{ NULL, 1, "lastUsed isnull", 0, 3 },
		{ NULL, 0, "lastUsed isnull", 0, 2 },
		{ NULL, 1, "lastUsed le \"1970-01-01T00:00:02Z\"", 0, 2 },
		{ ALICE, 1, "lastUsed le \"1970-01-01T00:00:02Z\"", 0, 1 },
		{ NULL, 1, "name sw \"a\"", 1, 3 },
		{ NULL, 1, "owner.name eq \"bob\"", 1, 2 },
		{ BOB, 0, "managed eq true", 1, 0 },
		{ BOB, 1, "managed eq true", 1, 1 },
		{ NULL, 1, "accessTokenValiditySeconds lt 100", 1, 1 },
		{ NULL, 1, "expirationDate pr", 1, 2 },
	};
	struct tconf		 t;
	struct patrol_store	*st;
	struct patrol_pat	 p;
	struct patrol_pat_query	 q;
	struct patrol_filter	*f;
	struct patrol_error	 err;
	int64_t			 n, listed;
	size_t			 i;

	st = fresh(&t, "count.db");
	mkpat(&p, PAT1, ALICE, "a1", 1000);
	add_ok(st, &p);
	mkpat(&p, PAT2, ALICE, "a2", 2000);
	p.last_used = 1000;
	p.expires = 99999;
	add_ok(st, &p);
	mkpat(&p, PAT3, ALICE, "a3", 3000);
	p.managed = 1;
	add_ok(st, &p);
	mkpat(&p, PAT4, ALICE, "b4", 4000);
	p.last_used = 5000;
	p.validity = 60;
	add_ok(st, &p);
	mkpat(&p, PAT5, BOB, "b5", 5000);
	p.managed = 1;
	p.last_used = 2000;
	p.expires = 99999;
	add_ok(st, &p);
	mkpat(&p, PAT6, BOB, "b6", 6000);
	add_ok(st, &p);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&q, 0, sizeof(q));
		q.owner_id = cases[i].owner;
		q.include_managed = cases[i].managed;
		q.schema = cases[i].admin ? &patrol_pat_admin_filter_schema :
		    NULL;
		f = NULL;
		if (cases[i].filter != NULL &&
		    (f = bound(cases[i].filter, cases[i].admin ?
		    &patrol_pat_admin_filter_schema :
		    &patrol_pat_filter_schema)) == NULL)
			continue;
		q.filter = f;
		/* Limit and offset do not change a count. */
		q.limit = 1;
		q.offset = 1;
		n = -1;
		if (!ok(patrol_store_pat_count(st, &q, &n, &err) == PATROL_OK,
		    "count %zu: counted", i))
			tap_diag("%s", err.text);
		is_int(n, cases[i].want, "count %zu (%s, %s, %s): %lld", i,
		    cases[i].owner ? cases[i].owner : "every owner",
		    cases[i].managed ? "managed too" : "unmanaged",
		    cases[i].filter ? cases[i].filter : "no filter",
		    (long long)cases[i].want);
		q.limit = q.offset = 0;
		listed = 0;
		patrol_store_pat_list(st, &q, count_cb, &listed, &err);
		is_int(listed, n, "count %zu: as many as listed", i);
		patrol_filter_free(f);
	}
	memset(&q, 0, sizeof(q));
	q.limit = -1;
	n = 7;
	is_int(patrol_store_pat_count(st, &q, &n, &err), PATROL_ERR_INVALID,
	    "negative limit: INVALID");
	is_int(n, 0, "count zeroed on error");
	is_int(patrol_store_pat_count(st, NULL, &n, &err), PATROL_ERR_INVALID,
	    "NULL query: INVALID");
	patrol_store_close(st);
}

static void
test_transactions(void)
{
	struct tconf		 t, t2;
	struct patrol_store	*st, *other;
	struct patrol_pat	 p, got;
	struct patrol_error	 err;

	st = fresh(&t, "txn.db");
	other = open_ok(tconf(&t2, "txn.db", 0), 0);

	is_int(patrol_store_begin(st, &err), PATROL_OK, "begin");
	mkpat(&p, PAT1, ALICE, "rolled back", 1000);
	is_int(patrol_store_pat_add(st, &p, 5, &err), PATROL_OK,
	    "add inside (with a limit)");
	is_int(patrol_store_pat_get(st, PAT1, &got, &err), PATROL_OK,
	    "visible inside");
	patrol_pat_clear(&got);
	is_int(patrol_store_pat_get(other, PAT1, &got, &err),
	    PATROL_ERR_NOTFOUND, "invisible to another connection");
	is_int(patrol_store_pat_add(other, &p, 0, &err), PATROL_ERR_STORE,
	    "begin holds the write lock: another writer is busy");
	ok(strstr(err.text, "is busy") != NULL, "busy text (%s)", err.text);
	is_int(patrol_store_begin(st, &err), PATROL_ERR_INVALID,
	    "nested begin: INVALID");
	is_str(err.text, "a transaction is already open", "nested begin text");
	is_int(patrol_store_pat_get(st, PAT1, &got, &err), PATROL_OK,
	    "nested begin left the transaction alone");
	patrol_pat_clear(&got);
	patrol_store_rollback(st);
	is_int(patrol_store_pat_get(st, PAT1, &got, &err),
	    PATROL_ERR_NOTFOUND, "rolled back: nothing");

	/* Several writes, all undone. */
	mkpat(&p, PAT2, ALICE, "kept", 1000);
	add_ok(st, &p);
	is_int(patrol_store_begin(st, &err), PATROL_OK, "begin again");
	mkpat(&p, PAT3, BOB, "new", 2000);
	add_ok(st, &p);
	mkpat(&p, PAT2, ALICE, "renamed", 0);
	is_int(patrol_store_pat_update(st, &p, &err), PATROL_OK,
	    "update inside");
	is_int(patrol_store_pat_touch(st, PAT2, 5000, 0, NULL, &err),
	    PATROL_OK, "touch inside");
	is_int(patrol_store_pat_delete(st, PAT2, &err), PATROL_OK,
	    "delete inside");
	patrol_store_rollback(st);
	ok(stored_as(st, PAT2, "kept", PATROL_VALIDITY_DEFAULT, -1),
	    "update and delete undone");
	is_int(patrol_store_pat_get(st, PAT2, &got, &err), PATROL_OK,
	    "get after rollback");
	is_int(got.last_used, -1, "touch undone");
	patrol_pat_clear(&got);
	is_int(patrol_store_pat_get(st, PAT3, &got, &err),
	    PATROL_ERR_NOTFOUND, "add undone");

	/* Commit. */
	is_int(patrol_store_begin(st, &err), PATROL_OK, "begin to commit");
	mkpat(&p, PAT3, BOB, "committed", 2000);
	add_ok(st, &p);
	mkpat(&p, PAT4, BOB, "also", 2000);
	add_ok(st, &p);
	is_int(patrol_store_commit(st, &err), PATROL_OK, "commit");
	is_int(patrol_store_pat_get(other, PAT3, &got, &err), PATROL_OK,
	    "committed: another connection sees it");
	patrol_pat_clear(&got);
	is_int(owned_by(other, BOB), 2, "both writes there");
	is_int(patrol_store_pat_add(other, &p, 0, &err), PATROL_ERR_EXISTS,
	    "the write lock is free again");

	/* Without a transaction. */
	patrol_store_rollback(st);
	patrol_store_rollback(NULL);
	ok(stored_as(st, PAT3, "committed", PATROL_VALIDITY_DEFAULT, -1),
	    "rollback without begin: harmless");
	is_int(patrol_store_commit(st, &err), PATROL_ERR_INVALID,
	    "commit without begin: INVALID");
	is_str(err.text, "no transaction is open", "commit without begin text");
	mkpat(&p, PAT5, ALICE, "after", 3000);
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK,
	    "every call is its own transaction again");
	is_int(patrol_store_pat_get(other, PAT5, &got, &err), PATROL_OK,
	    "and is seen at once");
	patrol_pat_clear(&got);
	patrol_store_close(other);
	patrol_store_close(st);
}

static void
test_limit(void)
{
	struct tconf		 t;
	struct patrol_store	*st;
	struct patrol_pat	 p, got;
	struct patrol_error	 err;
	static const char	 text[] = "the owner already holds 2 personal "
	    "access tokens, the most one identity may hold "
	    "(pat.max_per_owner)";

	st = fresh(&t, "limit.db");
	mkpat(&p, PAT1, ALICE, "one", 1000);
	is_int(patrol_store_pat_add(st, &p, 2, &err), PATROL_OK, "1 of 2");
	mkpat(&p, PAT2, ALICE, "two", 1000);
	p.managed = 1;
	is_int(patrol_store_pat_add(st, &p, 2, &err), PATROL_OK,
	    "2 of 2 (managed count too)");
	mkpat(&p, PAT3, ALICE, "three", 1000);
	is_int(patrol_store_pat_add(st, &p, 2, &err), PATROL_ERR_LIMIT,
	    "3 of 2: LIMIT");
	is_str(err.text, text, "LIMIT text");
	is_int(patrol_store_pat_get(st, PAT3, &got, &err),
	    PATROL_ERR_NOTFOUND, "LIMIT: nothing written");
	is_int(owned_by(st, ALICE), 2, "LIMIT: still 2");
	is_int(patrol_store_pat_add(st, &p, 3, &err), PATROL_OK,
	    "a higher limit: added");
	mkpat(&p, PAT4, ALICE, "four", 1000);
	is_int(patrol_store_pat_add(st, &p, 1, &err), PATROL_ERR_LIMIT,
	    "a lower limit than held: LIMIT");
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK,
	    "limit 0: no limit");
	is_int(owned_by(st, ALICE), 4, "alice holds 4");
	mkpat(&p, PAT5, BOB, "one", 1000);
	is_int(patrol_store_pat_add(st, &p, 1, &err), PATROL_OK,
	    "other owner unaffected");
	mkpat(&p, PAT6, BOB, "two", 1000);
	is_int(patrol_store_pat_add(st, &p, 1, &err), PATROL_ERR_LIMIT,
	    "bob at his own limit: LIMIT");
	is_int(patrol_store_pat_add(st, &p, -1, &err), PATROL_ERR_INVALID,
	    "negative limit: INVALID");
	mkpat(&p, PAT6, NOBODY, "x", 1000);
	is_int(patrol_store_pat_add(st, &p, 1, &err), PATROL_ERR_NOTFOUND,
	    "unknown owner under a limit: NOTFOUND");

	/* Inside a caller's transaction the count sees its writes. */
	is_int(patrol_store_begin(st, &err), PATROL_OK, "begin");
	mkpat(&p, PAT6, BOB, "two", 1000);
	is_int(patrol_store_pat_add(st, &p, 2, &err), PATROL_OK,
	    "2 of 2 inside");
	mkpat(&p, "70000000000000000000000000000007", BOB, "three", 1000);
	is_int(patrol_store_pat_add(st, &p, 2, &err), PATROL_ERR_LIMIT,
	    "3 of 2 inside: LIMIT");
	is_int(patrol_store_commit(st, &err), PATROL_OK,
	    "the transaction survives a LIMIT");
	is_int(owned_by(st, BOB), 2, "bob holds 2");
	patrol_store_close(st);
}

/*
 * The limit is counted and the PAT added in one write transaction: a
 * second process adding for the same owner while the first holds the
 * write lock waits, then counts what the first committed. (Counted before
 * taking the lock, it would see one PAT and add a third.)
 */
static void
test_limit_atomic(void)
{
	struct tconf		 t;
	struct patrol_store	*st;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	char			 c, rc;
	int			 up[2], down[2], status;
	pid_t			 pid;

	patrol_store_close(fresh(&t, "race.db"));
	/* The child forks before this process opens the store again. */
	fflush(stdout);
	if (pipe(up) == -1 || pipe(down) == -1 || (pid = fork()) == -1)
		exit(99);
	if (pid == 0) {
		if (read(down[0], &c, 1) != 1)
			_exit(1);
		if (patrol_store_open(tconf(&t, "race.db", 10000), 0, &st,
		    &err) != PATROL_OK)
			_exit(2);
		mkpat(&p, PAT3, ALICE, "child", 3000);
		rc = (char)patrol_store_pat_add(st, &p, 2, &err);
		patrol_store_close(st);
		_exit(write(up[1], &rc, 1) == 1 ? 0 : 3);
	}
	st = open_ok(tconf(&t, "race.db", 1000), 0);
	mkpat(&p, PAT1, ALICE, "one", 1000);
	add_ok(st, &p);
	is_int(patrol_store_begin(st, &err), PATROL_OK, "race: begin");
	/* The child opens the store and waits for the write lock. */
	if (write(down[1], "G", 1) != 1)
		exit(99);
	usleep(500 * 1000);
	mkpat(&p, PAT2, ALICE, "two", 2000);
	is_int(patrol_store_pat_add(st, &p, 2, &err), PATROL_OK,
	    "race: 2 of 2 while the other process waits");
	is_int(patrol_store_commit(st, &err), PATROL_OK, "race: commit");
	if (read(up[0], &rc, 1) != 1)
		rc = -1;
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "race: the other process ran");
	is_int(rc, PATROL_ERR_LIMIT, "race: the other process got LIMIT");
	is_int(owned_by(st, ALICE), 2, "race: alice holds 2");
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
	patrol_store_close(st);
}

/* ---- sorting and paging -------------------------------------------- */

/* The PATs of the sorting tests: ties in every key (created, name without
 * case, lastUsed), ids in no particular order. */
static const struct srow {
	const char	*id;
	const char	*owner;
	const char	*name;
	int64_t		 created;
	int64_t		 last_used;	/* -1: null */
} srows[] = {
	{ "7c000000000000000000000000000001", ALICE, "beta", 3000, -1 },
	{ "1e000000000000000000000000000002", ALICE, "Alpha", 1000, 500 },
	{ "d4000000000000000000000000000003", BOB, "alpha", 1000, -1 },
	{ "05000000000000000000000000000004", BOB, "ALPHA", 2000, 500 },
	{ "a9000000000000000000000000000005", ALICE, "_under", 3000, 700 },
	{ "3b000000000000000000000000000006", ALICE, "zeta", 2000, -1 },
	{ "88000000000000000000000000000007", BOB, "Zeta", 3000, 700 },
	{ "60000000000000000000000000000008", ALICE, "\xc3\x89t\xc3\xa9",
	  4000, 100 },
	{ "b2000000000000000000000000000009", BOB, "\xc3\xa9t\xc3\xa9",
	  1000, 100 },
	{ "2f00000000000000000000000000000a", ALICE, "gamma", 5000, 500 },
	{ "e700000000000000000000000000000b", BOB, "gamma", 5000, -1 },
	{ "4d00000000000000000000000000000c", ALICE, "Gamma", 1000, 900 },
	{ "9100000000000000000000000000000d", BOB, "delta", 2000, 900 },
	{ "c600000000000000000000000000000e", ALICE, "alpha", 6000, -1 },
	{ "0f00000000000000000000000000000f", BOB, "beta", 3000, 700 },
	{ "55000000000000000000000000000010", ALICE, "Delta", 6000, 100 },
};
#define NSROWS	(sizeof(srows) / sizeof(srows[0]))

/* Each row's own secret hash: its id twice. */
static void
srow_hash(const struct srow *r, char *hash)
{
	snprintf(hash, PATROL_HASH_LEN + 1, "%s%s", r->id, r->id);
}

/* Up to NSROWS + 1 ids of a listing, and whether the hashes were right. */
struct got {
	char			 ids[NSROWS + 1][PATROL_ID_LEN + 1];
	size_t			 n;
	int			 hash_ok;	/* hash as asked, each time */
	int			 with_hash;
};

static int
got_cb(void *arg, const struct patrol_pat *pat)
{
	struct got	*g = arg;
	char		 want[PATROL_HASH_LEN + 1];
	size_t		 i;

	if (g->n == 0)
		g->hash_ok = 1;
	want[0] = '\0';
	if (g->with_hash)
		for (i = 0; i < NSROWS; i++)
			if (strcmp(srows[i].id, pat->id) == 0)
				srow_hash(&srows[i], want);
	if (strcmp(pat->secret_hash, want) != 0)
		g->hash_ok = 0;
	if (g->n <= NSROWS)
		snprintf(g->ids[g->n], sizeof(g->ids[0]), "%s", pat->id);
	g->n++;
	return 0;
}

static int
list_got(struct patrol_store *st, const struct patrol_pat_query *q,
    struct got *g)
{
	struct patrol_error	 err;

	memset(g, 0, sizeof(*g));
	g->with_hash = q->with_hash;
	if (patrol_store_pat_list(st, q, got_cb, g, &err) != PATROL_OK) {
		tap_diag("list: %s", err.text);
		return -1;
	}
	return 0;
}

/* The sorters of q as in the API ("name,-created"; "" for none). */
static void
sorters_name(const struct patrol_pat_query *q, char *buf, size_t sz)
{
	static const char *const names[] = { "created", "name", "lastUsed" };
	size_t	 i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < q->nsorters && len < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "%s%s%s",
		    i > 0 ? "," : "", q->sorters[i].desc ? "-" : "",
		    names[q->sorters[i].key]);
}

/* The order the API promises, written out: the keys in turn (names
 * ASCII case-insensitively, lastUsed null lowest), then id, each key
 * reversed by "-", the id the way of the last key. */
static const struct patrol_pat_query *cmp_query;

static int
cmp_key(const struct srow *a, const struct srow *b,
    enum patrol_pat_sort_key key)
{
	switch (key) {
	case PATROL_PAT_SORT_CREATED:
		return (a->created > b->created) - (a->created < b->created);
	case PATROL_PAT_SORT_NAME:
		return strcasecmp(a->name, b->name);
	default:
		return (a->last_used > b->last_used) -
		    (a->last_used < b->last_used);
	}
}

static int
cmp_srow(const void *pa, const void *pb)
{
	const struct srow		*a = *(const struct srow *const *)pa;
	const struct srow		*b = *(const struct srow *const *)pb;
	const struct patrol_pat_query	*q = cmp_query;
	size_t				 i;
	int				 c, desc = 0;

	if (q->nsorters == 0 &&
	    (c = cmp_key(a, b, PATROL_PAT_SORT_CREATED)) != 0)
		return c;
	for (i = 0; i < q->nsorters; i++) {
		desc = q->sorters[i].desc;
		if ((c = cmp_key(a, b, q->sorters[i].key)) != 0)
			return desc ? -c : c;
	}
	c = strcmp(a->id, b->id);
	return desc ? -c : c;
}

/* Lists with q (limit and offset 0) and pages of every size in sizes,
 * comparing each with the order computed above. */
static void
check_order(struct patrol_store *st, struct patrol_pat_query *q,
    const size_t *sizes, size_t nsizes)
{
	const struct srow	*order[NSROWS];
	struct got		 all, page;
	char			 name[64];
	size_t			 i, k, n, off;
	int			 same;

	for (i = 0; i < NSROWS; i++)
		order[i] = &srows[i];
	cmp_query = q;
	qsort(order, NSROWS, sizeof(order[0]), cmp_srow);
	sorters_name(q, name, sizeof(name));
	q->limit = q->offset = 0;
	if (list_got(st, q, &all) == -1) {
		ok(0, "sorters \"%s\": listed", name);
		return;
	}
	same = all.n == NSROWS;
	for (i = 0; same && i < NSROWS; i++)
		same = strcmp(all.ids[i], order[i]->id) == 0;
	if (!ok(same, "sorters \"%s\": the promised order", name))
		for (i = 0; i < all.n && i < NSROWS; i++)
			tap_diag("got %s, want %s", all.ids[i],
			    order[i]->id);
	for (k = 0; k < nsizes; k++) {
		n = 0;
		same = 1;
		for (off = 0; same; off += sizes[k]) {
			q->limit = (int64_t)sizes[k];
			q->offset = (int64_t)off;
			if (list_got(st, q, &page) == -1 ||
			    page.n > sizes[k] || n + page.n > NSROWS) {
				same = 0;
				break;
			}
			for (i = 0; i < page.n; i++)
				if (strcmp(page.ids[i], all.ids[n++]) != 0)
					same = 0;
			if (page.n < sizes[k])
				break;
		}
		ok(same && n == NSROWS, "sorters \"%s\": pages of %zu make "
		    "the whole listing", name, sizes[k]);
	}
	q->limit = q->offset = 0;
}

static void
test_sort(void)
{
	/* The single keys, written out (see srows). */
	static const struct {
		enum patrol_pat_sort_key	 key;
		const char			*prefixes;	/* of ids */
	} written[] = {
		{ PATROL_PAT_SORT_CREATED,
		  "1e 4d b2 d4 05 3b 91 0f 7c 88 a9 60 2f e7 55 c6" },
		/* NOCASE folds ASCII to lower: '_' before 'a'; 'É' and
		 * 'é' stay apart, after ASCII. */
		{ PATROL_PAT_SORT_NAME,
		  "a9 05 1e c6 d4 0f 7c 55 91 2f 4d e7 3b 88 60 b2" },
		/* Nulls first. */
		{ PATROL_PAT_SORT_LAST_USED,
		  "3b 7c c6 d4 e7 55 60 b2 05 1e 2f 0f 88 a9 4d 91" },
	};
	static const size_t	 sizes[] = { 1, 2, 3, 5, 7, 15, 16, 17, 250 };
	static const size_t	 few[] = { 1, 4 };
	struct tconf		 t;
	struct patrol_store	*st;
	struct patrol_pat	 p;
	struct patrol_pat_query	 q;
	struct got		 g;
	char			 want[NSROWS * 3 + 1], have[NSROWS * 3 + 1];
	char			 name[32];
	size_t			 i, j, k, a, b, c;
	unsigned		 dirs;

	st = fresh(&t, "sort.db");
	for (i = 0; i < NSROWS; i++) {
		mkpat(&p, srows[i].id, srows[i].owner, srows[i].name,
		    srows[i].created);
		p.last_used = srows[i].last_used;
		srow_hash(&srows[i], p.secret_hash);
		p.managed = i % 3 == 0;
		add_ok(st, &p);
	}
	memset(&q, 0, sizeof(q));
	q.include_managed = 1;

	/* Written out: each key ascending, and descending as its exact
	 * reverse (the id runs the way of the key). */
	for (i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		for (j = 0; j < 2; j++) {
			q.nsorters = 1;
			q.sorters[0].key = written[i].key;
			q.sorters[0].desc = (int)j;
			for (k = 0; k < NSROWS; k++)
				snprintf(want + 3 * k, sizeof(want) - 3 * k,
				    "%.2s ", written[i].prefixes +
				    3 * (j ? NSROWS - 1 - k : k));
			have[0] = '\0';
			if (list_got(st, &q, &g) == 0)
				for (k = 0; k < g.n && k < NSROWS; k++)
					snprintf(have + 3 * k,
					    sizeof(have) - 3 * k, "%.2s ",
					    g.ids[k]);
			sorters_name(&q, name, sizeof(name));
			is_str(have, want, "\"%s\" written out", name);
		}
	}
	q.nsorters = 0;
	have[0] = '\0';
	if (list_got(st, &q, &g) == 0 && g.n > 0)
		snprintf(have, sizeof(have), "%.2s", g.ids[0]);
	is_str(have, "1e", "no sorters: created, then id");

	/* Offsets at and beyond the end; limit 0 is no limit. */
	memset(&q, 0, sizeof(q));
	q.include_managed = 1;
	q.limit = 5;
	q.offset = NSROWS;
	ok(list_got(st, &q, &g) == 0 && g.n == 0, "offset at the end: empty");
	q.offset = NSROWS + 1;
	ok(list_got(st, &q, &g) == 0 && g.n == 0, "offset past the end: empty");
	q.offset = INT64_MAX;
	ok(list_got(st, &q, &g) == 0 && g.n == 0, "offset INT64_MAX: empty");
	q.limit = 0;
	q.offset = 10;
	ok(list_got(st, &q, &g) == 0 && g.n == NSROWS - 10,
	    "limit 0, offset 10: the rest");
	q.limit = INT64_MAX;
	q.offset = 0;
	ok(list_got(st, &q, &g) == 0 && g.n == NSROWS, "limit INT64_MAX: all");
	q.include_managed = 0;
	q.limit = 2;
	q.offset = 2;
	ok(list_got(st, &q, &g) == 0 && g.n == 2 &&
	    strncmp(g.ids[0], "b2", 2) == 0 && strncmp(g.ids[1], "d4", 2) == 0,
	    "paging after the managed PATs are left out");
	q.offset = -1;
	is_int(patrol_store_pat_list(st, &q, got_cb, &g, NULL),
	    PATROL_ERR_INVALID, "negative offset: INVALID");
	q.offset = 0;
	q.limit = -1;
	is_int(patrol_store_pat_list(st, &q, got_cb, &g, NULL),
	    PATROL_ERR_INVALID, "negative limit: INVALID");

	/* with_hash fills the hash, in every row; without, it stays empty
	 * (got_cb checks each row). */
	memset(&q, 0, sizeof(q));
	q.include_managed = 1;
	q.with_hash = 1;
	ok(list_got(st, &q, &g) == 0 && g.n == NSROWS && g.hash_ok,
	    "with_hash: every row's own hash");
	q.owner_id = BOB;
	q.limit = 2;
	q.offset = 1;
	ok(list_got(st, &q, &g) == 0 && g.n == 2 && g.hash_ok,
	    "with_hash: an owner's page");
	q.with_hash = 0;
	ok(list_got(st, &q, &g) == 0 && g.n == 2 && g.hash_ok,
	    "without with_hash: no hash");
	q.owner_id = NULL;
	q.limit = q.offset = 0;
	ok(list_got(st, &q, &g) == 0 && g.n == NSROWS && g.hash_ok,
	    "without with_hash: no hash in any row");

	/* Every combination of keys and directions, pages of many sizes
	 * for the single keys and none, of a few for the rest. */
	memset(&q, 0, sizeof(q));
	q.include_managed = 1;
	check_order(st, &q, sizes, sizeof(sizes) / sizeof(sizes[0]));
	for (a = 0; a < 3; a++) {
		for (dirs = 0; dirs < 2; dirs++) {
			q.nsorters = 1;
			q.sorters[0].key = a;
			q.sorters[0].desc = dirs & 1;
			check_order(st, &q, sizes,
			    sizeof(sizes) / sizeof(sizes[0]));
		}
		for (b = 0; b < 3; b++) {
			if (b == a)
				continue;
			for (dirs = 0; dirs < 4; dirs++) {
				q.nsorters = 2;
				q.sorters[0].key = a;
				q.sorters[0].desc = dirs & 1;
				q.sorters[1].key = b;
				q.sorters[1].desc = (dirs >> 1) & 1;
				check_order(st, &q, few, 2);
			}
			c = 3 - a - b;
			for (dirs = 0; dirs < 8; dirs++) {
				q.nsorters = 3;
				q.sorters[0].key = a;
				q.sorters[0].desc = dirs & 1;
				q.sorters[1].key = b;
				q.sorters[1].desc = (dirs >> 1) & 1;
				q.sorters[2].key = c;
				q.sorters[2].desc = (dirs >> 2) & 1;
				check_order(st, &q, few, 1);
			}
		}
	}
	patrol_store_close(st);
}

/* ---- the admin filter schema: SQL agrees with the evaluator -------- */

/* The PATs of the filter tests (listing order: created, then id). */
static const struct frow {
	const char	*id;
	const char	*owner;
	const char	*name;
	int64_t		 created;
	int64_t		 last_used;	/* -1: null */
	int64_t		 expires;	/* -1: never */
	long		 validity;
	int		 managed;
} frows[] = {
	{ PAT1, ALICE, "cli", INT64_C(1672531200000), -1, -1, 43200, 0 },
	{ PAT2, ALICE, "CLI-2", INT64_C(1675594767214),
	  INT64_C(1675594767214), INT64_C(1700000000000), 3600, 1 },
	{ PAT3, BOB, "alpha", INT64_C(1675594767213), INT64_C(1675594767215),
	  INT64_C(1675594767214), 15, 0 },
	{ PAT4, BOB, "caf\xc3\xa9", INT64_C(1546297200000), 0,
	  INT64_C(253402300799999), 43200, 0 },
	{ PAT5, CAROL, "a_c", INT64_C(1700000000000), -1,
	  INT64_C(1700000000001), 900, 1 },
	{ PAT6, CAROL, "50%", INT64_C(1700000000000), INT64_C(1700000000000),
	  -1, 60, 0 },
	{ "70000000000000000000000000000007", CAROL, "back\\slash", 0, -1, 0,
	  43199, 0 },
	{ "80000000000000000000000000000008", ORPHAN, "orphan",
	  INT64_C(1600000000000), INT64_C(1600000000000),
	  INT64_C(1600000000000), 16, 0 },
	{ "90000000000000000000000000000009", ALICE, "Zeta \"q\"",
	  INT64_C(1800000000000), -1, INT64_C(1800000000000), 43200, 1 },
	{ "a000000000000000000000000000000a", BOB, "ALPHABET",
	  INT64_C(1675594767214), INT64_C(1675594767214), -1, 7200, 0 },
};
#define NFROWS	(sizeof(frows) / sizeof(frows[0]))

/* Expressions over every admin field; each is listed through SQL and
 * through patrol_filter_eval, which must agree. */
static const char *const admin_exprs[] = {
	"id eq \"" PAT1 "\"",
	"id eq \"A000000000000000000000000000000A\"",
	"id ne \"" PAT1 "\"",
	"id sw \"1\"",
	"id co \"a\"",
	"id in (\"" PAT2 "\", \"A000000000000000000000000000000a\", \"x\")",
	"id gt \"5\"",
	"id le \"50000000000000000000000000000005\"",
	"id pr",
	"id isnull",
	"name eq \"cli\"",
	"name eq \"CLI\"",
	"name ne \"alpha\"",
	"name co \"li\"",
	"name co \"%\"",
	"name co \"_\"",
	"name co \"\\\\\"",
	"name co \"\\\"\"",
	"name sw \"a\"",
	"name sw \"A_\"",
	"name gt \"b\"",
	"name lt \"B\"",
	"name ge \"alpha\"",
	"name in (\"ALPHA\", \"cli\", \"nope\")",
	"name eq \"CAF\xc3\x89\"",
	"name co \"\xc3\xa9\"",
	"owner.id eq \"" ALICE "\"",
	"owner.id sw \"B\"",
	"owner.id ne \"" BOB "\"",
	"owner.id in (\"" CAROL "\", \"" ORPHAN "\")",
	"owner.name eq \"BOB\"",
	"owner.name ne \"bob\"",
	"owner.name co \"%\"",
	"owner.name co \"_\"",
	"owner.name sw \"alice\"",
	"owner.name isnull",
	"owner.name pr",
	"owner.name co \"\xc3\x85\"",
	"owner.name gt \"B\"",
	"owner.name le \"bob\"",
	"owner.name in (\"bob\", \"gone\")",
	"created eq \"2023-02-05T10:59:27.214Z\"",
	"created ne \"2023-11-14T22:13:20Z\"",
	"created gt \"2023-02-05T10:59:27.213Z\"",
	"created ge 2023-02-05T10:59:27.213Z",
	"created lt \"2023-01-01T00:00:00Z\"",
	"created le \"1970-01-01T00:00:00Z\"",
	"created in (\"1970-01-01T00:00:00Z\", \"2023-11-14T22:13:20Z\")",
	"created pr",
	"created isnull",
	"lastUsed isnull",
	"lastUsed pr",
	"lastUsed eq \"1970-01-01T00:00:00Z\"",
	"lastUsed ne \"2023-02-05T10:59:27.214Z\"",
	"lastUsed gt \"1970-01-01T00:00:00Z\"",
	"lastUsed ge \"1970-01-01T00:00:00Z\"",
	"lastUsed lt \"2023-11-14T22:13:20Z\"",
	"lastUsed le \"2023-02-05T10:59:27.214Z\"",
	"lastUsed in (\"2020-09-13T12:26:40Z\", \"2023-11-14T22:13:20Z\")",
	"expirationDate isnull",
	"expirationDate pr",
	"expirationDate eq \"9999-12-31T23:59:59.999Z\"",
	"expirationDate ne \"1970-01-01T00:00:00Z\"",
	"expirationDate gt \"2023-11-14T22:13:20Z\"",
	"expirationDate ge \"2023-11-14T22:13:20.001Z\"",
	"expirationDate lt \"2023-11-14T22:13:20.001Z\"",
	"expirationDate le \"1970-01-01T00:00:00Z\"",
	"expirationDate in (\"2023-11-14T22:13:20Z\", "
	    "\"2027-01-15T08:00:00Z\")",
	"accessTokenValiditySeconds eq 43200",
	"accessTokenValiditySeconds ne 43200",
	"accessTokenValiditySeconds gt 3600",
	"accessTokenValiditySeconds ge 3600",
	"accessTokenValiditySeconds ge 3600.5",
	"accessTokenValiditySeconds lt 60",
	"accessTokenValiditySeconds le 60",
	"accessTokenValiditySeconds eq 15.0",
	"accessTokenValiditySeconds lt 1e3",
	"accessTokenValiditySeconds gt -1",
	"accessTokenValiditySeconds in (15, 16, 900)",
	"accessTokenValiditySeconds pr",
	"managed eq true",
	"managed eq false",
	"managed ne true",
	"managed eq false and lastUsed isnull",
	"not (expirationDate isnull) and accessTokenValiditySeconds lt 3600",
	"owner.name isnull or name sw \"c\"",
	"not (name co \"a\" or owner.id eq \"" BOB "\")",
	"(lastUsed le \"2023-01-01T00:00:00Z\" or lastUsed isnull) and "
	    "not managed eq true",
	"expirationDate gt \"2023-11-14T22:13:20Z\" and "
	    "created lt \"2023-11-14T22:13:20Z\"",
	"not lastUsed le \"2023-02-05T10:59:27.214Z\"",
	"not expirationDate gt \"2023-11-14T22:13:20Z\"",
	"not owner.name eq \"bob\"",
	"lastUsed le \"2023-02-05T10:59:27.214Z\" and owner.name pr and "
	    "accessTokenValiditySeconds ge 16",
};

/* Hand-checked selections, in listing order: the fields map to the
 * right columns (the agreement alone would not see a field mapped to the
 * wrong column on both sides). */
static const struct {
	const char	*expr;
	const char	*prefixes;	/* of ids */
} admin_known[] = {
	{ "expirationDate isnull", "10 a0 60" },
	{ "expirationDate le \"1970-01-01T00:00:00Z\"", "70" },
	{ "accessTokenValiditySeconds lt 60", "80 30" },
	{ "owner.name isnull", "80" },
	{ "owner.name sw \"alice\"", "10 20 90" },
	{ "managed eq true", "20 50 90" },
	{ "lastUsed isnull", "70 10 50 90" },
	{ "name sw \"a\"", "30 a0 50" },
	{ "created lt \"2023-01-01T00:00:00Z\"", "70 40 80" },
};

struct evalctx {
	const struct patrol_filter	*f;
	char				 ids[NFROWS + 1][PATROL_ID_LEN + 1];
	size_t				 n;
	int				 failed;
};

/* Keeps the PATs the filter selects through patrol_filter_eval. */
static int
eval_cb(void *arg, const struct patrol_pat *pat)
{
	struct evalctx	*e = arg;
	int		 m = 0;

	if (patrol_filter_eval(e->f, patrol_pat_filter_value, (void *)pat,
	    &m) != PATROL_OK)
		e->failed = 1;
	else if (m && e->n <= NFROWS)
		snprintf(e->ids[e->n++], sizeof(e->ids[0]), "%s", pat->id);
	return 0;
}

/* Keeps every PAT listed (the filter already applied in SQL). */
static int
sql_cb(void *arg, const struct patrol_pat *pat)
{
	struct evalctx	*e = arg;

	if (e->n <= NFROWS)
		snprintf(e->ids[e->n++], sizeof(e->ids[0]), "%s", pat->id);
	return 0;
}

static void
ids_text(const struct evalctx *e, char *buf, size_t sz)
{
	size_t	 i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < e->n && len < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "%s%.2s",
		    i > 0 ? " " : "", e->ids[i]);
}

/* Lists expr both ways; returns the number selected, or -1. */
static int
admin_select(struct patrol_store *st, const char *expr, char *text,
    size_t sz)
{
	struct patrol_pat_query	 q;
	struct evalctx		 ev, sq;
	struct patrol_error	 err;
	char			 a[NFROWS * 3 + 1], b[NFROWS * 3 + 1];
	int			 ret = -1;

	memset(&ev, 0, sizeof(ev));
	memset(&sq, 0, sizeof(sq));
	if ((ev.f = bound(expr, &patrol_pat_admin_filter_schema)) == NULL)
		return -1;
	memset(&q, 0, sizeof(q));
	q.include_managed = 1;
	q.schema = &patrol_pat_admin_filter_schema;
	if (patrol_store_pat_list(st, &q, eval_cb, &ev, &err) != PATROL_OK ||
	    ev.failed) {
		ok(0, "%s: evaluated", expr);
		goto out;
	}
	q.filter = ev.f;
	if (patrol_store_pat_list(st, &q, sql_cb, &sq, &err) != PATROL_OK) {
		ok(0, "%s: listed through SQL (%s)", expr, err.text);
		goto out;
	}
	ids_text(&ev, a, sizeof(a));
	ids_text(&sq, b, sizeof(b));
	if (!ok(strcmp(a, b) == 0, "%s: SQL and eval agree", expr)) {
		tap_diag("eval: %s", a);
		tap_diag("SQL:  %s", b);
		goto out;
	}
	if (text != NULL)
		snprintf(text, sz, "%s", a);
	ret = (int)ev.n;
out:
	patrol_filter_free((struct patrol_filter *)ev.f);
	return ret;
}

static void
test_admin_filter(void)
{
	struct tconf		 t;
	struct patrol_store	*st;
	struct patrol_identity	 id;
	struct patrol_pat	 p;
	struct patrol_error	 err;
	sqlite3			*db;
	char			 text[NFROWS * 3 + 1];
	size_t			 i, partial = 0;
	int			 n;

	st = fresh(&t, "filter.db");
	memset(&id, 0, sizeof(id));
	snprintf(id.id, sizeof(id.id), CAROL);
	id.name = "50%_off\\x";
	patrol_store_identity_add(st, &id, &err);
	snprintf(id.id, sizeof(id.id), ORPHAN);
	id.name = "Gone";
	patrol_store_identity_add(st, &id, &err);
	/* Alice's name, for owner.name, with a non-ASCII letter. */
	if (sqlite3_open(t.path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "UPDATE identity SET name = 'Alice \xc3\x85kesson'"
	    " WHERE id = '" ALICE "'; UPDATE identity SET name = 'bob'"
	    " WHERE id = '" BOB "'", NULL, NULL, NULL) != SQLITE_OK) {
		printf("Bail out! %s\n", sqlite3_errmsg(db));
		exit(99);
	}
	for (i = 0; i < NFROWS; i++) {
		mkpat(&p, frows[i].id, frows[i].owner, frows[i].name,
		    frows[i].created);
		p.last_used = frows[i].last_used;
		p.expires = frows[i].expires;
		p.validity = frows[i].validity;
		p.managed = frows[i].managed;
		add_ok(st, &p);
	}
	/* A PAT whose owner vanished (foreign keys off, as in some other
	 * client): owner.name is null. */
	if (sqlite3_exec(db, "PRAGMA foreign_keys = OFF; DELETE FROM identity"
	    " WHERE id = '" ORPHAN "'", NULL, NULL, NULL) != SQLITE_OK) {
		printf("Bail out! %s\n", sqlite3_errmsg(db));
		exit(99);
	}
	sqlite3_close(db);

	for (i = 0; i < sizeof(admin_exprs) / sizeof(admin_exprs[0]); i++) {
		n = admin_select(st, admin_exprs[i], NULL, 0);
		if (n > 0 && n < (int)NFROWS)
			partial++;
	}
	/* Agreement on empty or full selections proves little. */
	ok(partial + 10 >= sizeof(admin_exprs) / sizeof(admin_exprs[0]),
	    "%zu of %zu expressions select some PATs, not all", partial,
	    sizeof(admin_exprs) / sizeof(admin_exprs[0]));
	for (i = 0; i < sizeof(admin_known) / sizeof(admin_known[0]); i++) {
		text[0] = '\0';
		admin_select(st, admin_known[i].expr, text, sizeof(text));
		is_str(text, admin_known[i].prefixes, "%s: the known PATs",
		    admin_known[i].expr);
	}
	patrol_store_close(st);
}

/* ---- migration from schema 1 -------------------------------------- */

/* Schema 1 as released (migrations[0] of store_sqlite.c). */
static const char schema1[] =
	"CREATE TABLE identity ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL,"
	"  rights TEXT NOT NULL"
	");"
	"CREATE TABLE pat ("
	"  id TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL,"
	"  scope TEXT,"
	"  owner_id TEXT NOT NULL REFERENCES identity (id),"
	"  created INTEGER NOT NULL,"
	"  last_used INTEGER,"
	"  managed INTEGER NOT NULL CHECK (managed IN (0, 1)),"
	"  secret_hash TEXT NOT NULL,"
	"  UNIQUE (owner_id, name)"
	");"
	"CREATE INDEX pat_created ON pat (created, id);"
	"CREATE TABLE duo_config ("
	"  id INTEGER PRIMARY KEY CHECK (id = 1),"
	"  json TEXT NOT NULL,"
	"  updated INTEGER NOT NULL"
	");";

/* Runs sql on the database file path, bailing out on failure. */
static void
sql_exec(const char *path, const char *sql)
{
	sqlite3	*db;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		printf("Bail out! %s: %s\n", path, sqlite3_errmsg(db));
		exit(99);
	}
	sqlite3_close(db);
}

/* The integer the one-row, one-column query sql gives, or -1. */
static int64_t
sql_int(const char *path, const char *sql)
{
	sqlite3		*db;
	sqlite3_stmt	*st = NULL;
	int64_t		 v = -1;

	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
test_migrate(void)
{
	struct tconf		 t;
	struct patrol_conf	*c;
	struct patrol_store	*st = NULL;
	struct patrol_pat	 got, p;
	struct patrol_error	 err;
	char			 want[PATH_MAX + 128];

	c = tconf(&t, "schema1.db", 1000);
	sql_exec(t.path, schema1);
	sql_exec(t.path, "PRAGMA user_version = 1;"
	    "INSERT INTO identity VALUES ('" ALICE "', 'Alice', '[]');"
	    "INSERT INTO pat VALUES ('" PAT1 "', 'old', '[\"a\"]', '" ALICE
	    "', 1000, 2000, 1, '" HASH "')");

	is_int(patrol_store_open(c, 0, &st, &err), PATROL_ERR_SCHEMA,
	    "schema 1 without init: SCHEMA");
	snprintf(want, sizeof(want), "database schema version 1 is older "
	    "than this patrol (%d): run patrolctl init", PATROL_SCHEMA_VERSION);
	is_str(err.text, want, "schema 1: text");
	ok(st == NULL, "schema 1: no store");
	is_int(sql_int(t.path, "PRAGMA user_version"), 1,
	    "schema 1 left as it was");

	is_int(patrol_store_open(c, 1, &st, &err), PATROL_OK,
	    "init migrates schema 1");
	if (st == NULL) {
		tap_diag("%s", err.text);
		return;
	}
	is_int(patrol_store_pat_get(st, PAT1, &got, &err), PATROL_OK,
	    "the old PAT is still there");
	is_str(got.name, "old", "its name");
	ok(!got.scope_null && got.nscope == 1 &&
	    strcmp(got.scope[0], "a") == 0, "its scope");
	is_str(got.owner_name, "Alice", "its owner");
	is_int(got.created, 1000, "its creation");
	is_int(got.last_used, 2000, "its last use");
	is_int(got.managed, 1, "managed");
	is_str(got.secret_hash, HASH, "its hash");
	is_int(got.expires, -1, "expires: null, never");
	is_int(got.validity, 43200, "validity: 43200");
	patrol_pat_clear(&got);
	mkpat(&p, PAT2, ALICE, "new", 3000);
	p.validity = 15;
	p.expires = 4000;
	is_int(patrol_store_pat_add(st, &p, 0, &err), PATROL_OK,
	    "a new PAT with the new columns");
	ok(stored_as(st, PAT2, "new", 15, 4000), "read back");
	patrol_store_close(st);

	is_int(sql_int(t.path, "PRAGMA user_version"), PATROL_SCHEMA_VERSION,
	    "user_version updated");
	is_int(sql_int(t.path, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'index' AND name IN ('pat_created', 'pat_last_used', "
	    "'pat_name', 'pat_owner_created')"), 4, "the indexes exist");
	is_int(sql_int(t.path, "SELECT count(*) FROM sqlite_master WHERE "
	    "name IN ('audit', 'audit_time')"), 2,
	    "the audit table and its index exist");
	is_int(patrol_store_open(c, 0, &st, &err), PATROL_OK,
	    "open after the migration");
	patrol_store_close(st);

	/* The new column's default filled the old row; its CHECK holds. */
	is_int(sql_int(t.path, "SELECT validity FROM pat WHERE id = '"
	    PAT1 "'"), 43200, "the default filled the old row");
	{
		sqlite3	*db;

		if (sqlite3_open(t.path, &db) != SQLITE_OK)
			exit(99);
		is_int(sqlite3_exec(db, "UPDATE pat SET validity = 14", NULL,
		    NULL, NULL), SQLITE_CONSTRAINT, "validity CHECK in force");
		sqlite3_close(db);
	}
}

/* ---- the audit trail ---------------------------------------------- */

struct audit_seen {
	int	 n, stop;
	char	 ops[16][32];
	char	 line[512];	/* the first row, field by field */
};

static int
audit_cb(void *arg, const struct patrol_audit *a)
{
	struct audit_seen	*x = arg;

	if (x->n == 0)
		snprintf(x->line, sizeof(x->line), "%lld|%s|%s|%s|%s|%s|%s|%s",
		    (long long)a->time, a->actor ? a->actor : "(null)",
		    a->pat_id ? a->pat_id : "(null)",
		    a->client ? a->client : "(null)",
		    a->tracking_id ? a->tracking_id : "(null)", a->operation,
		    a->target ? a->target : "(null)", a->outcome);
	if (x->n < 16)
		snprintf(x->ops[x->n], sizeof(x->ops[0]), "%s", a->operation);
	x->n++;
	return x->stop > 0 && x->n >= x->stop;
}

static int
audit_count(struct patrol_store *st, int64_t since)
{
	struct audit_seen	 x;
	struct patrol_error	 err;

	memset(&x, 0, sizeof(x));
	if (patrol_store_audit_list(st, since, audit_cb, &x, &err) !=
	    PATROL_OK)
		return -1;
	return x.n;
}

static enum patrol_err
audit_at(struct patrol_store *st, int64_t time, const char *op,
    struct patrol_error *err)
{
	struct patrol_audit	 a;

	memset(&a, 0, sizeof(a));
	a.time = time;
	a.operation = op;
	a.outcome = "ok";
	return patrol_store_audit_add(st, &a, err);
}

static void
test_audit(void)
{
	struct tconf		 t;
	struct patrol_conf	*c;
	struct patrol_store	*st;
	struct patrol_audit	 a;
	struct patrol_error	 err;
	struct audit_seen	 x;
	char			 big[PATROL_AUDIT_FIELD_MAX + 2], out[64];
	char			 cut[PATROL_AUDIT_FIELD_MAX + 1];
	int64_t			 n, day = 86400LL * 1000;
	int			 i;

	c = tconf(&t, "audit.db", 1000);
	st = open_ok(c, 1);
	is_int(audit_count(st, 0), 0, "audit: empty at first");

	memset(&a, 0, sizeof(a));
	a.time = 1000;
	a.actor = ALICE;
	a.pat_id = PAT1;
	a.client = "127.0.0.1";
	a.tracking_id = "0123456789abcdef0123456789abcdef";
	a.operation = "createPersonalAccessToken";
	a.target = PAT2;
	a.outcome = "ok";
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_OK,
	    "audit: a row with every field");
	memset(&x, 0, sizeof(x));
	is_int(patrol_store_audit_list(st, 0, audit_cb, &x, &err), PATROL_OK,
	    "audit: listed");
	is_int(x.n, 1, "audit: one row");
	is_str(x.line, "1000|" ALICE "|" PAT1 "|127.0.0.1|"
	    "0123456789abcdef0123456789abcdef|createPersonalAccessToken|"
	    PAT2 "|ok", "audit: every field read back");

	memset(&a, 0, sizeof(a));
	a.time = 2000;
	a.operation = "createOauthToken";
	a.outcome = "401 Bad credentials";
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_OK,
	    "audit: a row with the optional fields null");
	memset(&x, 0, sizeof(x));
	is_int(patrol_store_audit_list(st, 1500, audit_cb, &x, &err),
	    PATROL_OK, "audit: listed since 1500");
	is_int(x.n, 1, "audit: since skips the older row");
	is_str(x.line, "2000|(null)|(null)|(null)|(null)|createOauthToken|"
	    "(null)|401 Bad credentials", "audit: nulls read back as NULL");

	/* Bounds: what store.c refuses, and that nothing was written. */
	memset(&a, 0, sizeof(a));
	a.time = 3000;
	a.outcome = "ok";
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_ERR_INVALID,
	    "audit: no operation: INVALID");
	a.operation = "x";
	a.outcome = NULL;
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_ERR_INVALID,
	    "audit: no outcome: INVALID");
	a.outcome = "";
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_ERR_INVALID,
	    "audit: empty outcome: INVALID");
	a.outcome = "ok";
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	a.target = big;
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_ERR_INVALID,
	    "audit: a field over the bound: INVALID");
	big[PATROL_AUDIT_FIELD_MAX] = '\0';
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_OK,
	    "audit: a field at the bound is kept");
	a.target = "\xff";
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_ERR_INVALID,
	    "audit: not UTF-8: INVALID");
	a.target = NULL;
	a.time = -1;
	is_int(patrol_store_audit_add(st, &a, &err), PATROL_ERR_INVALID,
	    "audit: negative time: INVALID");
	is_int(audit_count(st, 0), 3, "audit: refused rows were not written");

	/* Rolled back with the transaction it was written in. */
	is_int(patrol_store_begin(st, &err), PATROL_OK, "audit: begin");
	is_int(audit_at(st, 4000, "rolled back", &err), PATROL_OK,
	    "audit: a row inside a transaction");
	patrol_store_rollback(st);
	is_int(audit_count(st, 0), 3, "audit: gone with the rollback");
	is_int(patrol_store_begin(st, &err), PATROL_OK, "audit: begin again");
	is_int(audit_at(st, 4000, "committed", &err), PATROL_OK,
	    "audit: a row inside a transaction again");
	is_int(patrol_store_commit(st, &err), PATROL_OK, "audit: commit");
	is_int(audit_count(st, 0), 4, "audit: kept with the commit");

	/* Listing order and stopping early. */
	is_int(audit_at(st, 500, "earliest", &err), PATROL_OK,
	    "audit: a row older than the others, added last");
	memset(&x, 0, sizeof(x));
	x.stop = 2;
	is_int(patrol_store_audit_list(st, 0, audit_cb, &x, &err), PATROL_OK,
	    "audit: a listing the callback stops is OK");
	is_int(x.n, 2, "audit: stopped after 2");
	is_str(x.ops[0], "earliest", "audit: oldest first, by time");
	is_str(x.ops[1], "createPersonalAccessToken", "audit: then the next");

	/* Pruning: oldest first, bounded. */
	is_int(patrol_store_audit_prune(st, 2500, 1, &n, &err), PATROL_OK,
	    "audit: prune one before 2500");
	is_int(n, 1, "audit: one pruned");
	memset(&x, 0, sizeof(x));
	patrol_store_audit_list(st, 0, audit_cb, &x, &err);
	is_str(x.ops[0], "createPersonalAccessToken",
	    "audit: the oldest went first");
	is_int(patrol_store_audit_prune(st, 2500, 0, &n, &err), PATROL_OK,
	    "audit: prune all before 2500");
	is_int(n, 2, "audit: the two left before 2500 pruned");
	is_int(audit_count(st, 0), 2, "audit: the newer rows stay");
	is_int(patrol_store_audit_prune(st, 0, -1, &n, &err),
	    PATROL_ERR_INVALID, "audit: negative prune count: INVALID");

	/* patrol_audit_record: time filled, old rows pruned a few at a
	 * time as rows are added. */
	is_int(patrol_store_audit_prune(st, INT64_MAX, 0, NULL, &err),
	    PATROL_OK, "audit: emptied");
	for (i = 0; i < 40; i++)
		audit_at(st, 1000 + i, "ancient", &err);
	c->audit_retention_days = 30;
	memset(&a, 0, sizeof(a));
	a.operation = "recorded";
	a.outcome = "ok";
	is_int(patrol_audit_record(st, c, &a, &err), PATROL_OK,
	    "audit: record");
	is_int(audit_count(st, 0), 40 + 1 - 16,
	    "audit: record pruned 16 rows past the retention");
	is_int(audit_count(st, patrol_time_now() - 60000), 1,
	    "audit: the recorded row has the time of now");
	for (i = 0; i < 3; i++)
		patrol_audit_record(st, c, &a, &err);
	is_int(audit_count(st, 0), 4, "audit: the old rows are gone after "
	    "a few more");
	audit_at(st, patrol_time_now() - 29 * day, "recent", &err);
	c->audit_retention_days = 0;
	for (i = 0; i < 40; i++)
		audit_at(st, 1000 + i, "ancient", &err);
	patrol_audit_record(st, c, &a, &err);
	is_int(audit_count(st, 0), 46, "audit: retention 0 keeps all");
	c->audit_retention_days = 30;
	for (i = 0; i < 3; i++)
		patrol_audit_record(st, c, &a, &err);
	is_int(audit_count(st, 0), 9, "audit: a 29-day-old row is kept");
	patrol_store_close(st);

	/* Outcomes: status and text, cut at a UTF-8 boundary. */
	is_str(patrol_audit_outcome(out, sizeof(out), 401, "Bad credentials"),
	    "401 Bad credentials", "audit: outcome");
	is_str(patrol_audit_outcome(out, sizeof(out), 500, NULL), "500",
	    "audit: outcome without text");
	is_str(patrol_audit_outcome(out, 8, 400, "\xc3\xa9\xc3\xa9"),
	    "400 \xc3\xa9", "audit: cut before a split sequence");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	patrol_audit_outcome(cut, sizeof(cut), 400, big);
	is_int(strlen(cut), PATROL_AUDIT_FIELD_MAX, "audit: cut to the bound");
}

int
main(void)
{
	struct tconf		 t;
	struct patrol_store	*st;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	test_open();
	st = open_ok(tconf(&t, "main.db", 1000), 1);
	test_identity(st);
	test_pat(st);
	test_list(st);
	test_list_filter(st);
	test_touch(st);
	test_duo(st);
	patrol_store_close(st);
	test_wal();
	test_busy();
	test_update();
	test_delete();
	test_count();
	test_transactions();
	test_limit();
	test_limit_atomic();
	test_sort();
	test_admin_filter();
	test_migrate();
	test_audit();
	nftw(tmpdir, rm, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
