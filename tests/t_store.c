/*
 * t_store.c: the storage interface over real SQLite files in a temporary
 * directory: opening and schema versions, identities, PATs, listing,
 * touching, the Duo configuration, WAL visibility and locking.
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
#include <unistd.h>

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
	nftw(tmpdir, rm, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
