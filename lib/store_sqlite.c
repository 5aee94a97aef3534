/*
 * store_sqlite.c: the SQLite storage backend.
 *
 * One connection per store, in WAL mode so that readers (the responders)
 * never wait for the writer. The schema version lives in PRAGMA
 * user_version; `create` (patrolctl init) brings a database up to
 * PATROL_SCHEMA_VERSION in one transaction. Every value reaches SQL through
 * a bound parameter; the statements of the per-request paths are prepared
 * once, when the store is opened.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "patrol.h"
#include "extern.h"
#include "store_int.h"

/*
 * migrations[v] takes a database from schema version v to v + 1; entry 0
 * creates the schema. Append only: a released entry never changes.
 *
 * identity.rights and pat.scope are JSON arrays of strings (pat.scope NULL
 * for the JSON null scope). Times are ms since the epoch, pat.expires NULL
 * for never. The index behind UNIQUE (owner_id, name) also serves lookups
 * by owner and the foreign key; the others serve the listing's sort keys
 * (each ends in id, the tie-breaker; see list_sql) and counts filtered on
 * lastUsed.
 */
static const char *const migrations[PATROL_SCHEMA_VERSION] = {
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
	");",
	/* 1 -> 2: expiry and token validity; indexes for sorting. */
	"ALTER TABLE pat ADD COLUMN expires INTEGER;"
	"ALTER TABLE pat ADD COLUMN validity INTEGER NOT NULL DEFAULT 43200"
	"  CHECK (validity BETWEEN 15 AND 43200);"
	"CREATE INDEX pat_last_used ON pat (last_used, id);"
	"CREATE INDEX pat_name ON pat (name COLLATE NOCASE, id);"
	"CREATE INDEX pat_owner_created ON pat (owner_id, created, id);",
	/* 2 -> 3: the audit trail (see patrol_audit). */
	"CREATE TABLE audit ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  actor TEXT,"
	"  pat_id TEXT,"
	"  client TEXT,"
	"  tracking_id TEXT,"
	"  operation TEXT NOT NULL,"
	"  target TEXT,"
	"  outcome TEXT NOT NULL"
	");"
	"CREATE INDEX audit_time ON audit (time, id);",
};

/* The columns every PAT query returns, in this order (see fill_pat). The
 * join is a LEFT one so that a PAT whose owner vanished (foreign keys off in
 * some other client) still reads, with a null owner name, and the HTTP layer
 * can say "identity no longer exists". */
#define PAT_COLUMNS \
	"p.id, p.name, p.scope, p.owner_id, i.name, p.created, " \
	"p.last_used, p.managed, p.expires, p.validity"
#define PAT_HASH_COLUMN	10	/* p.secret_hash, after PAT_COLUMNS */
#define PAT_TABLE	" FROM pat p"
#define PAT_JOIN	" LEFT JOIN identity i ON i.id = p.owner_id"
#define PAT_FROM	PAT_TABLE PAT_JOIN

enum stmt {
	ST_IDENTITY_ADD,
	ST_IDENTITY_GET,
	ST_IDENTITY_DELETE,
	ST_PAT_ADD,
	ST_PAT_GET,
	ST_PAT_TOUCH,
	ST_PAT_EXISTS,
	ST_PAT_UPDATE,
	ST_PAT_DELETE,
	ST_PAT_OWNED,
	ST_READ_BEGIN,
	ST_READ_END,
	ST_DUO_GET,
	ST_DUO_PUT,
	ST_AUDIT_ADD,
	ST_AUDIT_LIST,
	ST_AUDIT_PRUNE,
	ST__MAX
};

static const char *const stmt_sql[ST__MAX] = {
	[ST_IDENTITY_ADD] =
	    "INSERT INTO identity (id, name, rights) VALUES (?1, ?2, ?3)",
	[ST_IDENTITY_GET] =
	    "SELECT id, name, rights FROM identity WHERE id = ?1",
	[ST_IDENTITY_DELETE] =
	    "DELETE FROM identity WHERE id = ?1",
	[ST_PAT_ADD] =
	    "INSERT INTO pat (id, name, scope, owner_id, created, last_used,"
	    " managed, secret_hash, expires, validity)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_PAT_GET] =
	    "SELECT " PAT_COLUMNS ", p.secret_hash" PAT_FROM
	    " WHERE p.id = ?1",
	[ST_PAT_TOUCH] =
	    "UPDATE pat SET last_used = ?1 WHERE id = ?2"
	    " AND (last_used IS NULL OR last_used <= ?3)",
	[ST_PAT_EXISTS] =
	    "SELECT 1 FROM pat WHERE id = ?1",
	[ST_PAT_UPDATE] =
	    "UPDATE pat SET name = ?2, scope = ?3, expires = ?4, validity = ?5"
	    " WHERE id = ?1",
	[ST_PAT_DELETE] =
	    "DELETE FROM pat WHERE id = ?1",
	[ST_PAT_OWNED] =
	    "SELECT count(*) FROM pat WHERE owner_id = ?1",
	/* Deferred: a read transaction, begun by the first read. */
	[ST_READ_BEGIN] = "BEGIN",
	[ST_READ_END] = "COMMIT",
	[ST_DUO_GET] =
	    "SELECT json FROM duo_config WHERE id = 1",
	[ST_DUO_PUT] =
	    "INSERT INTO duo_config (id, json, updated) VALUES (1, ?1, ?2)"
	    " ON CONFLICT (id) DO UPDATE SET json = excluded.json,"
	    " updated = excluded.updated",
	[ST_AUDIT_ADD] =
	    "INSERT INTO audit (time, actor, pat_id, client, tracking_id,"
	    " operation, target, outcome)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[ST_AUDIT_LIST] =
	    "SELECT id, time, actor, pat_id, client, tracking_id, operation,"
	    " target, outcome FROM audit WHERE time >= ?1 ORDER BY time, id",
	/* Oldest first, at most ?2 (-1: all), through the time index. */
	[ST_AUDIT_PRUNE] =
	    "DELETE FROM audit WHERE id IN (SELECT id FROM audit"
	    " WHERE time < ?1 ORDER BY time, id LIMIT ?2)",
};

/* SQL for the filterable fields of both PAT schemas, looked up by name. */
static const struct {
	const char	*field;
	const char	*column;
} filter_columns[] = {
	{ "id", "p.id" },
	{ "name", "p.name" },
	{ "owner.id", "p.owner_id" },
	{ "owner.name", "i.name" },
	{ "created", "p.created" },
	{ "lastUsed", "p.last_used" },
	{ "expirationDate", "p.expires" },
	{ "accessTokenValiditySeconds", "p.validity" },
	{ "managed", "p.managed" },
};

/* ORDER BY terms of the sort keys, by enum patrol_pat_sort_key, and the
 * index (key, id) in whose order a listing of every owner walks. */
static const struct {
	const char	*column;
	const char	*index;
} sort_keys[] = {
	[PATROL_PAT_SORT_CREATED] = { "p.created", "pat_created" },
	[PATROL_PAT_SORT_NAME] = { "p.name COLLATE NOCASE", "pat_name" },
	[PATROL_PAT_SORT_LAST_USED] = { "p.last_used", "pat_last_used" },
};

#define LIST_CACHE	16	/* listing statements kept prepared */

struct sqlite_store {
	struct patrol_store	 base;		/* first: see store_int.h */
	sqlite3			*db;
	char			*path;		/* new: the database file */
	sqlite3_stmt		*stmt[ST__MAX];
	/* new: the SQL column of each field of patrol_pat_filter_schema
	 * and of patrol_pat_admin_filter_schema */
	const char		**cols_api;
	const char		**cols_admin;
	/* Listing statements prepared before, by SQL text: a listing of a
	 * shape seen before (the same filter structure, sorters, paging)
	 * skips SQLite's parser and planner. Least recently used goes. */
	struct {
		char		*sql;		/* new */
		sqlite3_stmt	*stmt;
		uint64_t	 used;		/* clock of the last use */
		int		 busy;		/* handed out, not released */
	}			 cache[LIST_CACHE];
	uint64_t		 clock;
};

static enum patrol_err filter_schema_columns(
    const struct patrol_filter_schema *, const char ***,
    struct patrol_error *);

static struct sqlite_store *
cast(struct patrol_store *st)
{
	return (struct sqlite_store *)(void *)st;
}

static enum patrol_err
nomem(struct patrol_error *err)
{
	return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory");
}

/*
 * Maps the connection's last error to a patrol error, `what` saying what
 * was being done. SQLite's messages name tables and columns, never values,
 * so no secret reaches the text.
 */
static enum patrol_err
db_error(struct sqlite_store *s, const char *what, struct patrol_error *err)
{
	switch (sqlite3_errcode(s->db)) {
	case SQLITE_NOMEM:
		return nomem(err);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "%s: database %s is busy (locked by another process) "
		    "and stayed so for the busy timeout", what, s->path);
	default:
		return patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "%s: database %s: %s", what, s->path,
		    sqlite3_errmsg(s->db));
	}
}

/* Runs one statement (or several) without parameters or results. */
static enum patrol_err
exec(struct sqlite_store *s, const char *sql, const char *what,
    struct patrol_error *err)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, what, err);
	return PATROL_OK;
}

/* Reads PRAGMA user_version into *version. */
static enum patrol_err
user_version(struct sqlite_store *s, int *version, struct patrol_error *err)
{
	sqlite3_stmt	*st = NULL;
	enum patrol_err	 rc = PATROL_OK;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		rc = db_error(s, "reading the schema version", err);
	else
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc;
}

static enum patrol_err
not_initialised(struct sqlite_store *s, struct patrol_error *err)
{
	return patrol_error_set(err, PATROL_ERR_SCHEMA, PATROL_NOPOS,
	    "database %s not initialised: run patrolctl init", s->path);
}

static enum patrol_err
too_new(int version, struct patrol_error *err)
{
	return patrol_error_set(err, PATROL_ERR_SCHEMA, PATROL_NOPOS,
	    "database schema version %d is newer than this patrol (%d)",
	    version, PATROL_SCHEMA_VERSION);
}

/* Asks for WAL mode and checks that it was granted. */
static enum patrol_err
wal(struct sqlite_store *s, struct patrol_error *err)
{
	sqlite3_stmt	*st = NULL;
	const char	*mode;
	enum patrol_err	 rc = PATROL_OK;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		rc = db_error(s, "enabling WAL mode", err);
	else if ((mode = (const char *)sqlite3_column_text(st, 0)) == NULL)
		rc = nomem(err);
	else if (strcasecmp(mode, "wal") != 0)
		rc = patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "database %s: cannot use WAL mode (journal mode stays "
		    "%s)", s->path, mode);
	sqlite3_finalize(st);
	return rc;
}

/*
 * Brings the schema to PATROL_SCHEMA_VERSION in one write transaction. The
 * version is read again inside it, so concurrent inits run one after the
 * other and the second one does nothing.
 */
static enum patrol_err
migrate(struct sqlite_store *s, struct patrol_error *err)
{
	sqlite3_stmt	*st = NULL;
	char		 sql[64];
	int		 v, objects;
	enum patrol_err	 rc;

	if ((rc = exec(s, "BEGIN IMMEDIATE", "starting the schema update",
	    err)) != PATROL_OK)
		return rc;
	if ((rc = user_version(s, &v, err)) != PATROL_OK)
		goto out;
	if (v > PATROL_SCHEMA_VERSION) {
		rc = too_new(v, err);
		goto out;
	}
	if (v == 0) {
		/* Not ours: some other application's database. */
		if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM "
		    "sqlite_master", -1, &st, NULL) != SQLITE_OK ||
		    sqlite3_step(st) != SQLITE_ROW) {
			rc = db_error(s, "reading the schema", err);
			goto out;
		}
		objects = sqlite3_column_int(st, 0);
		if (objects > 0) {
			rc = patrol_error_set(err, PATROL_ERR_SCHEMA,
			    PATROL_NOPOS, "database %s is not empty but has "
			    "no patrol schema", s->path);
			goto out;
		}
	}
	for (; v < PATROL_SCHEMA_VERSION; v++)
		if ((rc = exec(s, migrations[v], "updating the schema",
		    err)) != PATROL_OK)
			goto out;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    PATROL_SCHEMA_VERSION);
	if ((rc = exec(s, sql, "updating the schema", err)) != PATROL_OK)
		goto out;
	rc = exec(s, "COMMIT", "committing the schema update", err);
out:
	sqlite3_finalize(st);
	if (rc != PATROL_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static void
sqlite_close(struct patrol_store *st)
{
	struct sqlite_store	*s = cast(st);
	size_t			 i;

	for (i = 0; i < ST__MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	for (i = 0; i < LIST_CACHE; i++) {
		sqlite3_finalize(s->cache[i].stmt);
		free(s->cache[i].sql);
	}
	sqlite3_close(s->db);
	free(s->cols_api);
	free(s->cols_admin);
	free(s->path);
	free(s);
}

static enum patrol_err
sqlite_open(const struct patrol_conf *conf, int create,
    struct patrol_store **out, struct patrol_error *err)
{
	struct sqlite_store	*s;
	size_t			 i;
	int			 fd, flags, v;
	enum patrol_err		 rc;

	*out = NULL;
	if (conf->db_path == NULL)
		return patrol_error_set(err, PATROL_ERR_CONFIG, PATROL_NOPOS,
		    "no database path configured");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return nomem(err);
	s->base.ops = &store_sqlite_ops;
	if ((s->path = xstrndup(conf->db_path, strlen(conf->db_path))) ==
	    NULL) {
		rc = nomem(err);
		goto fail;
	}
	flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	if (create) {
		flags |= SQLITE_OPEN_CREATE;
		/*
		 * Born private: SQLite would create the file 0644 (less the
		 * umask), and gives its -wal and -shm the database's mode.
		 * patrol_state_secure() opens it to files.group if asked.
		 */
		if ((fd = open(s->path, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, 0600)) != -1)
			close(fd);
		else if (errno != EEXIST) {
			rc = patrol_error_set(err, PATROL_ERR_STORE,
			    PATROL_NOPOS, "database %s: %s", s->path,
			    strerror(errno));
			goto fail;
		}
	}
	if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK) {
		if (s->db == NULL)
			rc = nomem(err);
		else if (!create &&
		    sqlite3_errcode(s->db) == SQLITE_CANTOPEN &&
		    sqlite3_system_errno(s->db) == ENOENT)
			rc = not_initialised(s, err);
		else
			rc = patrol_error_set(err, PATROL_ERR_STORE,
			    PATROL_NOPOS, "database %s: %s", s->path,
			    sqlite3_errmsg(s->db));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	/* SQLite opens a file it may not write read-only without a word;
	 * every write would then fail until a restart. Refuse instead, so
	 * that the caller opens again once the file is writable. */
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		rc = patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
		    "database %s: opened read-only (this user may not write "
		    "it or its directory)", s->path);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, conf->db_busy_timeout_ms);
	if ((rc = exec(s, "PRAGMA foreign_keys = ON", "enabling foreign keys",
	    err)) != PATROL_OK)
		goto fail;
	if ((rc = user_version(s, &v, err)) != PATROL_OK)
		goto fail;
	if (v > PATROL_SCHEMA_VERSION) {
		rc = too_new(v, err);
		goto fail;
	}
	/* Without create, leave a database that is not ours untouched. */
	if (!create && v == 0) {
		rc = not_initialised(s, err);
		goto fail;
	}
	if (!create && v < PATROL_SCHEMA_VERSION) {
		rc = patrol_error_set(err, PATROL_ERR_SCHEMA, PATROL_NOPOS,
		    "database schema version %d is older than this patrol "
		    "(%d): run patrolctl init", v, PATROL_SCHEMA_VERSION);
		goto fail;
	}
	if ((rc = wal(s, err)) != PATROL_OK)
		goto fail;
	if ((rc = exec(s, "PRAGMA synchronous = NORMAL",
	    "setting synchronous mode", err)) != PATROL_OK)
		goto fail;
	if (create && (rc = migrate(s, err)) != PATROL_OK)
		goto fail;
	for (i = 0; i < ST__MAX; i++)
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) !=
		    SQLITE_OK) {
			rc = db_error(s, "preparing statements", err);
			goto fail;
		}
	/* Once per store, not per listing: the schema is constant. */
	if ((rc = filter_schema_columns(&patrol_pat_filter_schema,
	    &s->cols_api, err)) != PATROL_OK ||
	    (rc = filter_schema_columns(&patrol_pat_admin_filter_schema,
	    &s->cols_admin, err)) != PATROL_OK)
		goto fail;
	*out = &s->base;
	return PATROL_OK;
fail:
	sqlite_close(&s->base);
	return rc;
}

/* Makes a persistent statement ready for its next use. */
static void
done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Binds s (NUL-terminated, borrowed until the statement is reset). */
static int
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

/*
 * Copies text column i into *out (new; NULL for SQL NULL). NOMEM, or
 * STORE when the text holds a NUL byte.
 */
static enum patrol_err
column_dup(sqlite3_stmt *st, int i, char **out)
{
	const unsigned char	*t;
	int			 len;

	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return PATROL_OK;
	if ((t = sqlite3_column_text(st, i)) == NULL)
		return PATROL_ERR_NOMEM;
	len = sqlite3_column_bytes(st, i);
	if (memchr(t, '\0', (size_t)len) != NULL)
		return PATROL_ERR_STORE;
	if ((*out = xstrndup((const char *)t, (size_t)len)) == NULL)
		return PATROL_ERR_NOMEM;
	return PATROL_OK;
}

/* Copies text column i into the fixed buffer buf of exactly want bytes
 * plus NUL. STORE when the length differs. */
static enum patrol_err
column_fixed(sqlite3_stmt *st, int i, char *buf, size_t want)
{
	const unsigned char	*t;

	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return PATROL_ERR_STORE;
	if ((t = sqlite3_column_text(st, i)) == NULL)
		return PATROL_ERR_NOMEM;
	if ((size_t)sqlite3_column_bytes(st, i) != want ||
	    memchr(t, '\0', want) != NULL)
		return PATROL_ERR_STORE;
	memcpy(buf, t, want);
	buf[want] = '\0';
	return PATROL_OK;
}

/* Decodes the JSON array of strings in column i; *isnull for SQL NULL. */
static enum patrol_err
column_strv(sqlite3_stmt *st, int i, char ***v, size_t *n, int *isnull)
{
	const unsigned char	*t;
	enum patrol_err		 rc;

	*v = NULL;
	*n = 0;
	*isnull = sqlite3_column_type(st, i) == SQLITE_NULL;
	if (*isnull)
		return PATROL_OK;
	if ((t = sqlite3_column_text(st, i)) == NULL)
		return PATROL_ERR_NOMEM;
	rc = store_strv_decode((const char *)t,
	    (size_t)sqlite3_column_bytes(st, i), v, n);
	return rc == PATROL_ERR_INVALID ? PATROL_ERR_STORE : rc;
}

/* Turns a column error into err: NOMEM, or corrupt data in the row of
 * `what` (id may be NULL). */
static enum patrol_err
column_error(enum patrol_err rc, const char *what, const char *id,
    struct patrol_error *err)
{
	if (rc == PATROL_ERR_NOMEM)
		return nomem(err);
	return patrol_error_set(err, PATROL_ERR_STORE, PATROL_NOPOS,
	    "%s%s%s: malformed row in the database", what,
	    id != NULL ? " " : "", id != NULL ? id : "");
}

/*
 * Fills *pat (zeroed or cleared) from a row of PAT_COLUMNS, plus the
 * secret hash in column PAT_HASH_COLUMN when `hash` is set.
 */
static enum patrol_err
fill_pat(sqlite3_stmt *st, struct patrol_pat *pat, int hash,
    struct patrol_error *err)
{
	enum patrol_err	 rc;

	if ((rc = column_fixed(st, 0, pat->id, PATROL_ID_LEN)) != PATROL_OK)
		return column_error(rc, "personal access token", NULL, err);
	if ((rc = column_dup(st, 1, &pat->name)) != PATROL_OK ||
	    (rc = column_strv(st, 2, &pat->scope, &pat->nscope,
	    &pat->scope_null)) != PATROL_OK ||
	    (rc = column_fixed(st, 3, pat->owner_id,
	    PATROL_ID_LEN)) != PATROL_OK ||
	    (rc = column_dup(st, 4, &pat->owner_name)) != PATROL_OK ||
	    (hash && (rc = column_fixed(st, PAT_HASH_COLUMN, pat->secret_hash,
	    PATROL_HASH_LEN)) != PATROL_OK))
		return column_error(rc, "personal access token", pat->id,
		    err);
	pat->created = sqlite3_column_int64(st, 5);
	pat->last_used = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 6);
	pat->managed = sqlite3_column_int(st, 7) != 0;
	pat->expires = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 8);
	pat->validity = (long)sqlite3_column_int64(st, 9);
	return PATROL_OK;
}

static enum patrol_err
sqlite_identity_add(struct patrol_store *st, const struct patrol_identity *id,
    struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_IDENTITY_ADD];
	char			*rights = NULL;
	enum patrol_err		 rc;

	if (store_strv_encode(id->rights, id->nrights, &rights) != PATROL_OK)
		return nomem(err);
	if (bind_str(q, 1, id->id) != SQLITE_OK ||
	    bind_str(q, 2, id->name) != SQLITE_OK ||
	    bind_str(q, 3, rights) != SQLITE_OK)
		rc = db_error(s, "adding an identity", err);
	else if (sqlite3_step(q) == SQLITE_DONE)
		rc = PATROL_OK;
	else if (sqlite3_extended_errcode(s->db) ==
	    SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = patrol_error_set(err, PATROL_ERR_EXISTS, PATROL_NOPOS,
		    "identity %s already exists", id->id);
	else
		rc = db_error(s, "adding an identity", err);
	done(q);
	free(rights);
	return rc;
}

static enum patrol_err
sqlite_identity_get(struct patrol_store *st, const char *id,
    struct patrol_identity *out, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_IDENTITY_GET];
	int			 step, isnull;
	enum patrol_err		 rc;

	if (bind_str(q, 1, id) != SQLITE_OK) {
		rc = db_error(s, "reading an identity", err);
		goto out;
	}
	if ((step = sqlite3_step(q)) == SQLITE_DONE) {
		rc = patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "identity %s not found", id);
		goto out;
	}
	if (step != SQLITE_ROW) {
		rc = db_error(s, "reading an identity", err);
		goto out;
	}
	if ((rc = column_fixed(q, 0, out->id, PATROL_ID_LEN)) != PATROL_OK ||
	    (rc = column_dup(q, 1, &out->name)) != PATROL_OK ||
	    (rc = column_strv(q, 2, &out->rights, &out->nrights,
	    &isnull)) != PATROL_OK)
		rc = column_error(rc, "identity", id, err);
	else if (isnull || out->name == NULL)
		rc = column_error(PATROL_ERR_STORE, "identity", id, err);
out:
	done(q);
	if (rc != PATROL_OK)
		patrol_identity_clear(out);
	return rc;
}

/* Binds a PAT's scope (JSON text, or NULL for the null scope) at i; *json
 * is new and must outlive the statement's use. */
static int
bind_scope(sqlite3_stmt *q, int i, const struct patrol_pat *pat, char **json)
{
	*json = NULL;
	if (pat->scope_null)
		return sqlite3_bind_null(q, i);
	if (store_strv_encode(pat->scope, pat->nscope, json) != PATROL_OK)
		return SQLITE_NOMEM;
	return bind_str(q, i, *json);
}

static int
bind_expires(sqlite3_stmt *q, int i, int64_t expires)
{
	return expires < 0 ? sqlite3_bind_null(q, i) :
	    sqlite3_bind_int64(q, i, expires);
}

/* The error of a failed write of pat: a name taken, an owner missing.
 * `update`: pat->owner_id is not set, the owner is the stored one. */
static enum patrol_err
pat_write_error(struct sqlite_store *s, const struct patrol_pat *pat,
    int update, const char *what, struct patrol_error *err)
{
	switch (sqlite3_extended_errcode(s->db)) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return patrol_error_set(err, PATROL_ERR_EXISTS, PATROL_NOPOS,
		    "personal access token %s already exists", pat->id);
	case SQLITE_CONSTRAINT_UNIQUE:
		if (update)
			return patrol_error_set(err, PATROL_ERR_EXISTS,
			    PATROL_NOPOS, "the owner of personal access token "
			    "%s already has one named \"%s\"", pat->id,
			    pat->name);
		return patrol_error_set(err, PATROL_ERR_EXISTS, PATROL_NOPOS,
		    "identity %s already has a personal access token named "
		    "\"%s\"", pat->owner_id, pat->name);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "identity %s not found", pat->owner_id);
	default:
		return db_error(s, what, err);
	}
}

/* Fails with LIMIT when owner already holds max PATs. */
static enum patrol_err
check_owned(struct sqlite_store *s, const char *owner, long max,
    struct patrol_error *err)
{
	sqlite3_stmt	*q = s->stmt[ST_PAT_OWNED];
	enum patrol_err	 rc = PATROL_OK;

	if (bind_str(q, 1, owner) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_ROW)
		rc = db_error(s, "counting personal access tokens", err);
	else if (sqlite3_column_int64(q, 0) >= max)
		rc = patrol_error_set(err, PATROL_ERR_LIMIT, PATROL_NOPOS,
		    "the owner already holds %ld personal access tokens, the "
		    "most one identity may hold (pat.max_per_owner)", max);
	done(q);
	return rc;
}

static enum patrol_err
sqlite_pat_add(struct patrol_store *st, const struct patrol_pat *pat,
    long max_per_owner, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_PAT_ADD];
	char			*scope = NULL;
	int			 brc, own = 0;
	enum patrol_err		 rc;

	/* Count and insert in one transaction: the caller's, or our own,
	 * taking the write lock before the count. */
	if (max_per_owner > 0 && sqlite3_get_autocommit(s->db)) {
		if ((rc = exec(s, "BEGIN IMMEDIATE", "adding a personal access "
		    "token", err)) != PATROL_OK)
			return rc;
		own = 1;
	}
	if (max_per_owner > 0 && (rc = check_owned(s, pat->owner_id,
	    max_per_owner, err)) != PATROL_OK)
		goto out;
	brc = bind_str(q, 1, pat->id);
	if (brc == SQLITE_OK)
		brc = bind_str(q, 2, pat->name);
	if (brc == SQLITE_OK)
		brc = bind_scope(q, 3, pat, &scope);
	if (brc == SQLITE_OK)
		brc = bind_str(q, 4, pat->owner_id);
	if (brc == SQLITE_OK)
		brc = sqlite3_bind_int64(q, 5, pat->created);
	if (brc == SQLITE_OK)
		brc = pat->last_used < 0 ? sqlite3_bind_null(q, 6) :
		    sqlite3_bind_int64(q, 6, pat->last_used);
	if (brc == SQLITE_OK)
		brc = sqlite3_bind_int(q, 7, pat->managed != 0);
	if (brc == SQLITE_OK)
		brc = bind_str(q, 8, pat->secret_hash);
	if (brc == SQLITE_OK)
		brc = bind_expires(q, 9, pat->expires);
	if (brc == SQLITE_OK)
		brc = sqlite3_bind_int64(q, 10, pat->validity);
	if (brc == SQLITE_NOMEM)
		rc = nomem(err);
	else if (brc != SQLITE_OK)
		rc = db_error(s, "adding a personal access token", err);
	else if (sqlite3_step(q) == SQLITE_DONE)
		rc = PATROL_OK;
	else
		rc = pat_write_error(s, pat, 0, "adding a personal access "
		    "token", err);
	done(q);
out:
	if (own && rc == PATROL_OK)
		rc = exec(s, "COMMIT", "adding a personal access token", err);
	if (own && rc != PATROL_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	free(scope);
	return rc;
}

static enum patrol_err
sqlite_pat_update(struct patrol_store *st, const struct patrol_pat *pat,
    struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_PAT_UPDATE];
	char			*scope = NULL;
	int			 brc;
	enum patrol_err		 rc;

	brc = bind_str(q, 1, pat->id);
	if (brc == SQLITE_OK)
		brc = bind_str(q, 2, pat->name);
	if (brc == SQLITE_OK)
		brc = bind_scope(q, 3, pat, &scope);
	if (brc == SQLITE_OK)
		brc = bind_expires(q, 4, pat->expires);
	if (brc == SQLITE_OK)
		brc = sqlite3_bind_int64(q, 5, pat->validity);
	if (brc == SQLITE_NOMEM)
		rc = nomem(err);
	else if (brc != SQLITE_OK)
		rc = db_error(s, "updating a personal access token", err);
	else if (sqlite3_step(q) != SQLITE_DONE)
		rc = pat_write_error(s, pat, 1, "updating a personal access "
		    "token", err);
	else if (sqlite3_changes(s->db) == 0)
		rc = patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "personal access token %s not found", pat->id);
	else
		rc = PATROL_OK;
	done(q);
	free(scope);
	return rc;
}

static enum patrol_err
sqlite_pat_delete(struct patrol_store *st, const char *id,
    struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_PAT_DELETE];
	enum patrol_err		 rc = PATROL_OK;

	if (bind_str(q, 1, id) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_DONE)
		rc = db_error(s, "deleting a personal access token", err);
	else if (sqlite3_changes(s->db) == 0)
		rc = patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "personal access token %s not found", id);
	done(q);
	return rc;
}

static enum patrol_err
sqlite_identity_delete(struct patrol_store *st, const char *id,
    struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_IDENTITY_DELETE];
	enum patrol_err		 rc = PATROL_OK;
	int			 src;

	if (bind_str(q, 1, id) != SQLITE_OK)
		rc = db_error(s, "deleting an identity", err);
	else if (((src = sqlite3_step(q)) & 0xff) == SQLITE_CONSTRAINT)
		rc = patrol_error_set(err, PATROL_ERR_EXISTS, PATROL_NOPOS,
		    "identity %s still owns personal access tokens", id);
	else if (src != SQLITE_DONE)
		rc = db_error(s, "deleting an identity", err);
	else if (sqlite3_changes(s->db) == 0)
		rc = patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "identity %s not found", id);
	done(q);
	return rc;
}

static enum patrol_err
sqlite_begin(struct patrol_store *st, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);

	if (!sqlite3_get_autocommit(s->db))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "a transaction is already open");
	return exec(s, "BEGIN IMMEDIATE", "starting a transaction", err);
}

static enum patrol_err
sqlite_commit(struct patrol_store *st, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	enum patrol_err		 rc;

	if (sqlite3_get_autocommit(s->db))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "no transaction is open");
	if ((rc = exec(s, "COMMIT", "committing a transaction", err)) !=
	    PATROL_OK)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

static enum patrol_err
sqlite_read_begin(struct patrol_store *st, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_READ_BEGIN];
	enum patrol_err		 rc = PATROL_OK;

	if (!sqlite3_get_autocommit(s->db))
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "a transaction is already open");
	if (sqlite3_step(q) != SQLITE_DONE)
		rc = db_error(s, "starting a read transaction", err);
	done(q);
	return rc;
}

static void
sqlite_read_end(struct patrol_store *st)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_READ_END];

	if (sqlite3_get_autocommit(s->db))
		return;
	if (sqlite3_step(q) != SQLITE_DONE)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	done(q);
}

static void
sqlite_rollback(struct patrol_store *st)
{
	struct sqlite_store	*s = cast(st);

	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static enum patrol_err
sqlite_pat_get(struct patrol_store *st, const char *id,
    struct patrol_pat *out, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_PAT_GET];
	int			 step;
	enum patrol_err		 rc;

	if (bind_str(q, 1, id) != SQLITE_OK)
		rc = db_error(s, "reading a personal access token", err);
	else if ((step = sqlite3_step(q)) == SQLITE_DONE)
		rc = patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "personal access token %s not found", id);
	else if (step != SQLITE_ROW)
		rc = db_error(s, "reading a personal access token", err);
	else
		rc = fill_pat(q, out, 1, err);
	done(q);
	if (rc != PATROL_OK)
		patrol_pat_clear(out);
	return rc;
}

/* Binds the parameters of a compiled filter from position first on. */
static int
bind_params(sqlite3_stmt *st, int first, const struct patrol_sql *sql)
{
	const struct patrol_value	*v;
	size_t				 i;
	int				 n, rc;

	for (i = 0; i < sql->nparams; i++) {
		v = &sql->params[i];
		n = first + (int)i;
		switch (v->type) {
		case PATROL_VAL_NULL:
			rc = sqlite3_bind_null(st, n);
			break;
		case PATROL_VAL_STRING:
			/* Copied: the compiled filter dies before the
			 * statement does. */
			rc = sqlite3_bind_text64(st, n, v->u.str.s,
			    v->u.str.len, SQLITE_TRANSIENT, SQLITE_UTF8);
			break;
		case PATROL_VAL_NUMBER:
			rc = sqlite3_bind_double(st, n, v->u.num);
			break;
		case PATROL_VAL_BOOL:
			rc = sqlite3_bind_int64(st, n, v->u.b != 0);
			break;
		case PATROL_VAL_DATETIME:
			rc = sqlite3_bind_int64(st, n, v->u.ms);
			break;
		default:
			/* Lists are expanded by the compiler. */
			rc = SQLITE_MISMATCH;
			break;
		}
		if (rc != SQLITE_OK)
			return rc;
	}
	return SQLITE_OK;
}

/*
 * Sets *out to a new array of the SQL expressions of the fields of fs
 * (parallel to its fields).
 */
static enum patrol_err
filter_schema_columns(const struct patrol_filter_schema *fs,
    const char ***out, struct patrol_error *err)
{
	const char	**cols;
	size_t		 i, j, n;

	n = sizeof(filter_columns) / sizeof(filter_columns[0]);
	if ((cols = calloc(fs->nfields + 1, sizeof(*cols))) == NULL)
		return nomem(err);
	for (i = 0; i < fs->nfields; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(fs->fields[i].name,
			    filter_columns[j].field) == 0)
				cols[i] = filter_columns[j].column;
		if (cols[i] == NULL) {
			free(cols);
			return patrol_error_set(err, PATROL_ERR_UNSUPPORTED,
			    PATROL_NOPOS, "filtering on field '%s' is not "
			    "supported by the sqlite store",
			    fs->fields[i].name);
		}
	}
	*out = cols;
	return PATROL_OK;
}

/*
 * The prepared statement of the SQL text in b, from the cache or prepared
 * now and cached (b's text handed over). Release it with list_release. A
 * statement in use (a listing's callback that lists again) is neither
 * handed out twice nor evicted: the inner listing gets its own.
 */
static enum patrol_err
cached_stmt(struct sqlite_store *s, struct pbuf *b, sqlite3_stmt **stmt,
    struct patrol_error *err)
{
	size_t	 i, victim = LIST_CACHE;

	s->clock++;
	for (i = 0; i < LIST_CACHE; i++) {
		if (s->cache[i].busy)
			continue;
		if (s->cache[i].sql != NULL &&
		    strcmp(s->cache[i].sql, b->s) == 0) {
			s->cache[i].used = s->clock;
			s->cache[i].busy = 1;
			*stmt = s->cache[i].stmt;
			return PATROL_OK;
		}
		if (victim == LIST_CACHE ||
		    s->cache[i].used < s->cache[victim].used)
			victim = i;
	}
	if (sqlite3_prepare_v3(s->db, b->s, (int)b->len,
	    SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
		return db_error(s, "listing personal access tokens", err);
	if (victim == LIST_CACHE)	/* all busy: not cached */
		return PATROL_OK;
	sqlite3_finalize(s->cache[victim].stmt);
	free(s->cache[victim].sql);
	s->cache[victim].sql = pbuf_take(b);
	s->cache[victim].stmt = *stmt;
	s->cache[victim].used = s->clock;
	s->cache[victim].busy = 1;
	return PATROL_OK;
}

/* Gives back a statement of cached_stmt: reset for its next use. */
static void
list_release(struct sqlite_store *s, sqlite3_stmt *stmt)
{
	size_t	 i;

	if (stmt == NULL)
		return;
	for (i = 0; i < LIST_CACHE; i++)
		if (s->cache[i].stmt == stmt) {
			done(stmt);
			s->cache[i].busy = 0;
			return;
		}
	sqlite3_finalize(stmt);
}

/*
 * The text of a listing's statement, appended to b (check b->oom), and its
 * filter compiled into *fsql (clear it): the columns (or count(*) when
 * `count`), its WHERE and, unless counting, the index it walks, ORDER BY,
 * LIMIT and OFFSET. The owner id, when there is one, is parameter 1, the
 * filter's follow, then LIMIT's and OFFSET's: one text, and so one cached
 * statement, serves every page.
 *
 * A listing walks the index of its first sort key (or the owner's index)
 * and tests the filter on each row, never the other way round: the rows
 * stream in order with flat memory, and a page stops early. Left to
 * itself, SQLite takes a lastUsed filter's range from pat_last_used and
 * sorts all it finds in a temporary b-tree before the first row. Measured
 * with the sqlite3 shell on 1M PATs, `lastUsed le` the mid-point (450k
 * rows out): 1.74 s and 8.1 MiB that way, 0.76 s and 5.9 MiB through
 * pat_created; the first page of 250, 0.84 s against under 0.01 s; 90% of
 * the rows, 3.8 s against 1.2 s. Only a filter keeping about 1% is faster
 * the other way (0.03 s against 0.16 s). INDEXED BY makes the choice
 * explicit, whatever the table statistics say (tests/t_plan.c).
 */
static enum patrol_err
list_sql(struct sqlite_store *s, const struct patrol_pat_query *q, int count,
    struct pbuf *b, struct patrol_sql *fsql, struct patrol_error *err)
{
	const struct patrol_filter_schema *fs = q->schema != NULL ?
	    q->schema : &patrol_pat_filter_schema;
	const char		*glue = " WHERE ";
	size_t			 i;
	int			 nparam = 0, desc = 0;
	enum patrol_err		 rc;

	memset(fsql, 0, sizeof(*fsql));
	if (count)
		pbuf_adds(b, "SELECT count(*)" PAT_FROM);
	else
		pbuf_printf(b, "SELECT " PAT_COLUMNS "%s" PAT_TABLE
		    " INDEXED BY %s" PAT_JOIN,
		    q->with_hash ? ", p.secret_hash" : "",
		    q->owner_id != NULL ? "pat_owner_created" :
		    sort_keys[q->nsorters > 0 ? q->sorters[0].key :
		    PATROL_PAT_SORT_CREATED].index);
	if (q->owner_id != NULL) {
		pbuf_printf(b, "%sp.owner_id = ?", glue);
		glue = " AND ";
		nparam++;
	}
	if (!q->include_managed) {
		pbuf_printf(b, "%sp.managed = 0", glue);
		glue = " AND ";
	}
	if (q->filter != NULL) {
		if ((rc = patrol_filter_sql(q->filter, fs,
		    fs == &patrol_pat_filter_schema ? s->cols_api :
		    s->cols_admin, PATROL_SQL_QMARK, (size_t)nparam + 1,
		    fsql, err)) != PATROL_OK)
			return rc;
		pbuf_printf(b, "%s(%s)", glue, fsql->where);
	}
	if (count)
		return PATROL_OK;
	pbuf_adds(b, " ORDER BY ");
	for (i = 0; i < q->nsorters; i++) {
		desc = q->sorters[i].desc;
		pbuf_printf(b, "%s%s, ", sort_keys[q->sorters[i].key].column,
		    desc ? " DESC" : "");
	}
	if (q->nsorters == 0)
		pbuf_adds(b, "p.created, ");
	/* The tie-breaker runs the way of the last key, so one index
	 * (key, id) serves both directions. */
	pbuf_printf(b, "p.id%s", desc ? " DESC" : "");
	if (q->limit > 0 || q->offset > 0)
		pbuf_adds(b, " LIMIT ? OFFSET ?");
	return PATROL_OK;
}

/* A listing's statement (see list_sql) as *stmt, from cached_stmt (give it
 * back with list_release), with every parameter bound. */
static enum patrol_err
list_prepare(struct sqlite_store *s, const struct patrol_pat_query *q,
    int count, sqlite3_stmt **stmt, struct patrol_error *err)
{
	struct pbuf		 b = { 0 };
	struct patrol_sql	 fsql;
	enum patrol_err		 rc;

	*stmt = NULL;
	if ((rc = list_sql(s, q, count, &b, &fsql, err)) != PATROL_OK)
		goto out;
	if (b.oom) {
		rc = nomem(err);
		goto out;
	}
	if ((rc = cached_stmt(s, &b, stmt, err)) != PATROL_OK)
		goto out;
	if ((q->owner_id != NULL &&
	    bind_str(*stmt, 1, q->owner_id) != SQLITE_OK) ||
	    bind_params(*stmt, q->owner_id != NULL ? 2 : 1, &fsql) !=
	    SQLITE_OK ||
	    (!count && (q->limit > 0 || q->offset > 0) &&
	    (sqlite3_bind_int64(*stmt, (q->owner_id != NULL ? 2 : 1) +
	    (int)fsql.nparams, q->limit > 0 ? q->limit : -1) != SQLITE_OK ||
	    sqlite3_bind_int64(*stmt, (q->owner_id != NULL ? 3 : 2) +
	    (int)fsql.nparams, q->offset) != SQLITE_OK))) {
		rc = db_error(s, "listing personal access tokens", err);
		list_release(s, *stmt);
		*stmt = NULL;
	}
out:
	patrol_sql_clear(&fsql);
	pbuf_free(&b);
	return rc;
}

/*
 * What a listing reuses from row to row, so that after the first rows it
 * allocates nothing: the scope vector and a copy of the scope's text that
 * the vector points into.
 */
struct rowbuf {
	struct pbuf	  text;
	char		**v;
	size_t		  cap;
	char		**owned;	/* the general decoder's vector */
	size_t		  nowned;
};

static void
rowbuf_free(struct rowbuf *rb)
{
	pbuf_free(&rb->text);
	free(rb->v);
	store_strv_free(rb->owned, rb->nowned);
}

/* Borrowed text column i: NULL for SQL NULL; STORE if it holds a NUL. */
static enum patrol_err
column_borrow(sqlite3_stmt *st, int i, const char **out)
{
	const unsigned char	*t;

	*out = NULL;
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return PATROL_OK;
	if ((t = sqlite3_column_text(st, i)) == NULL)
		return PATROL_ERR_NOMEM;
	if (memchr(t, '\0', (size_t)sqlite3_column_bytes(st, i)) != NULL)
		return PATROL_ERR_STORE;
	*out = (const char *)t;
	return PATROL_OK;
}

/*
 * Splits the common form of a stored scope, ["a","b"] without a backslash
 * (scopes are scope-token characters, which JSON never escapes), in place
 * in a copy in rb. Returns 0, or -1 when t is not of that form (or on
 * ENOMEM, with rb->text.oom set).
 */
static int
split_scope(const char *t, size_t len, struct rowbuf *rb, size_t *n)
{
	char	*p, *q, *end, **nv;

	*n = 0;
	if (len < 2 || t[0] != '[' || t[len - 1] != ']' ||
	    memchr(t, '\\', len) != NULL || !utf8_valid(t, len))
		return -1;
	pbuf_reset(&rb->text);
	if (pbuf_add(&rb->text, t + 1, len - 2) == -1)
		return -1;
	p = rb->text.s;
	end = p + rb->text.len;
	while (p < end) {
		/* A string, then a comma and more, or the end. */
		if (*p != '"' || (q = memchr(p + 1, '"',
		    (size_t)(end - p - 1))) == NULL ||
		    (q + 1 < end && (q[1] != ',' || q + 2 == end)) ||
		    memchr(p + 1, '\0', (size_t)(q - p - 1)) != NULL)
			return -1;
		if (*n == rb->cap) {
			if ((nv = reallocarray(rb->v, rb->cap + 8,
			    sizeof(*nv))) == NULL)
				return -1;
			rb->v = nv;
			rb->cap += 8;
		}
		*q = '\0';
		rb->v[(*n)++] = p + 1;
		p = q + 2;
	}
	return 0;
}

/*
 * The scope of column i into pat, borrowing from rb: the common form split
 * in place, anything else through the general decoder, which decides what
 * is well formed.
 */
static enum patrol_err
column_scope(sqlite3_stmt *st, int i, struct rowbuf *rb,
    struct patrol_pat *pat)
{
	const char	*t;
	size_t		 n;
	enum patrol_err	 rc;

	pat->scope = NULL;
	pat->nscope = 0;
	if ((pat->scope_null = sqlite3_column_type(st, i) == SQLITE_NULL))
		return PATROL_OK;
	if ((t = (const char *)sqlite3_column_text(st, i)) == NULL)
		return PATROL_ERR_NOMEM;
	if (split_scope(t, (size_t)sqlite3_column_bytes(st, i), rb, &n) == 0) {
		pat->scope = rb->v;
		pat->nscope = n;
		return PATROL_OK;
	}
	store_strv_free(rb->owned, rb->nowned);
	rb->owned = NULL;
	rb->nowned = 0;
	if ((rc = column_strv(st, i, &rb->owned, &rb->nowned,
	    &pat->scope_null)) != PATROL_OK)
		return rc;
	pat->scope = rb->owned;
	pat->nscope = rb->nowned;
	return PATROL_OK;
}

/*
 * Fills *pat from a listing row, borrowing: the strings point into the
 * statement's row or into rb, valid until the next step. Nothing in *pat
 * is to be freed.
 */
static enum patrol_err
fill_pat_borrowed(sqlite3_stmt *st, struct patrol_pat *pat, int hash,
    struct rowbuf *rb, struct patrol_error *err)
{
	enum patrol_err	 rc;

	if ((rc = column_fixed(st, 0, pat->id, PATROL_ID_LEN)) != PATROL_OK)
		return column_error(rc, "personal access token", NULL, err);
	if ((rc = column_borrow(st, 1, (const char **)&pat->name)) !=
	    PATROL_OK ||
	    (rc = column_scope(st, 2, rb, pat)) != PATROL_OK ||
	    (rc = column_fixed(st, 3, pat->owner_id,
	    PATROL_ID_LEN)) != PATROL_OK ||
	    (rc = column_borrow(st, 4, (const char **)&pat->owner_name)) !=
	    PATROL_OK ||
	    (hash && (rc = column_fixed(st, PAT_HASH_COLUMN, pat->secret_hash,
	    PATROL_HASH_LEN)) != PATROL_OK))
		return column_error(rc, "personal access token", pat->id,
		    err);
	pat->created = sqlite3_column_int64(st, 5);
	pat->last_used = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 6);
	pat->managed = sqlite3_column_int(st, 7) != 0;
	pat->expires = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 :
	    sqlite3_column_int64(st, 8);
	pat->validity = (long)sqlite3_column_int64(st, 9);
	return PATROL_OK;
}

static enum patrol_err
sqlite_list_sql(struct patrol_store *st, const struct patrol_pat_query *q,
    int count, char **sql, struct patrol_error *err)
{
	struct pbuf		 b = { 0 };
	struct patrol_sql	 fsql;
	enum patrol_err		 rc;

	*sql = NULL;
	if ((rc = list_sql(cast(st), q, count, &b, &fsql, err)) ==
	    PATROL_OK && (b.oom || (*sql = pbuf_take(&b)) == NULL))
		rc = nomem(err);
	patrol_sql_clear(&fsql);
	pbuf_free(&b);
	return rc;
}

static enum patrol_err
sqlite_pat_list(struct patrol_store *st, const struct patrol_pat_query *q,
    patrol_pat_cb cb, void *arg, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	struct patrol_pat	 pat;
	struct rowbuf		 rb;
	sqlite3_stmt		*stmt = NULL;
	int			 step;
	enum patrol_err		 rc;

	memset(&pat, 0, sizeof(pat));
	memset(&rb, 0, sizeof(rb));
	if ((rc = list_prepare(s, q, 0, &stmt, err)) != PATROL_OK)
		return rc;
	/* One row at a time into one reused struct: memory stays flat. */
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if ((rc = fill_pat_borrowed(stmt, &pat, q->with_hash, &rb,
		    err)) != PATROL_OK)
			goto out;
		if (cb(arg, &pat) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = db_error(s, "listing personal access tokens", err);
out:
	list_release(s, stmt);
	rowbuf_free(&rb);
	return rc;
}

static enum patrol_err
sqlite_pat_count(struct patrol_store *st, const struct patrol_pat_query *q,
    int64_t *count, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*stmt = NULL;
	enum patrol_err		 rc;

	if ((rc = list_prepare(s, q, 1, &stmt, err)) != PATROL_OK)
		return rc;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		rc = db_error(s, "counting personal access tokens", err);
	else
		*count = sqlite3_column_int64(stmt, 0);
	list_release(s, stmt);
	return rc;
}

static enum patrol_err
sqlite_pat_touch(struct patrol_store *st, const char *id, int64_t now,
    int64_t interval_ms, int *updated, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_PAT_TOUCH];
	sqlite3_stmt		*x = s->stmt[ST_PAT_EXISTS];
	int			 step;
	enum patrol_err		 rc = PATROL_OK;

	if (sqlite3_bind_int64(q, 1, now) != SQLITE_OK ||
	    bind_str(q, 2, id) != SQLITE_OK ||
	    sqlite3_bind_int64(q, 3, now - interval_ms) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_DONE) {
		rc = db_error(s, "updating a personal access token", err);
		goto out;
	}
	if ((*updated = sqlite3_changes(s->db) > 0))
		goto out;
	/* Nothing written: recent enough, or no such PAT. */
	if (bind_str(x, 1, id) != SQLITE_OK) {
		rc = db_error(s, "reading a personal access token", err);
		goto out;
	}
	if ((step = sqlite3_step(x)) == SQLITE_DONE)
		rc = patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "personal access token %s not found", id);
	else if (step != SQLITE_ROW)
		rc = db_error(s, "reading a personal access token", err);
out:
	done(q);
	done(x);
	return rc;
}

static enum patrol_err
sqlite_duo_get(struct patrol_store *st, char **json, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_DUO_GET];
	int			 step;
	enum patrol_err		 rc;

	if ((step = sqlite3_step(q)) == SQLITE_DONE)
		rc = patrol_error_set(err, PATROL_ERR_NOTFOUND, PATROL_NOPOS,
		    "no Duo configuration stored");
	else if (step != SQLITE_ROW)
		rc = db_error(s, "reading the Duo configuration", err);
	else if ((rc = column_dup(q, 0, json)) != PATROL_OK ||
	    *json == NULL) {
		rc = column_error(rc, "the Duo configuration", NULL, err);
		free(*json);
		*json = NULL;
	}
	done(q);
	return rc;
}

static enum patrol_err
sqlite_duo_put(struct patrol_store *st, const char *json,
    struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_DUO_PUT];
	enum patrol_err		 rc = PATROL_OK;

	if (bind_str(q, 1, json) != SQLITE_OK ||
	    sqlite3_bind_int64(q, 2, patrol_time_now()) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_DONE)
		rc = db_error(s, "storing the Duo configuration", err);
	done(q);
	return rc;
}

/* Binds s, or NULL for a null s. */
static int
bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	return s == NULL ? sqlite3_bind_null(st, i) : bind_str(st, i, s);
}

static enum patrol_err
sqlite_audit_add(struct patrol_store *st, const struct patrol_audit *a,
    struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_AUDIT_ADD];
	int			 brc;
	enum patrol_err		 rc = PATROL_OK;

	brc = sqlite3_bind_int64(q, 1, a->time);
	if (brc == SQLITE_OK)
		brc = bind_opt(q, 2, a->actor);
	if (brc == SQLITE_OK)
		brc = bind_opt(q, 3, a->pat_id);
	if (brc == SQLITE_OK)
		brc = bind_opt(q, 4, a->client);
	if (brc == SQLITE_OK)
		brc = bind_opt(q, 5, a->tracking_id);
	if (brc == SQLITE_OK)
		brc = bind_str(q, 6, a->operation);
	if (brc == SQLITE_OK)
		brc = bind_opt(q, 7, a->target);
	if (brc == SQLITE_OK)
		brc = bind_str(q, 8, a->outcome);
	if (brc == SQLITE_NOMEM)
		rc = nomem(err);
	else if (brc != SQLITE_OK || sqlite3_step(q) != SQLITE_DONE)
		rc = db_error(s, "recording the audit trail", err);
	done(q);
	return rc;
}

/* Text column i into *out, borrowed until the next step; NULL for SQL
 * NULL. -1 when SQLite ran out of memory converting it. */
static int
column_text(sqlite3_stmt *st, int i, const char **out)
{
	*out = (const char *)sqlite3_column_text(st, i);
	return *out == NULL && sqlite3_column_type(st, i) != SQLITE_NULL ?
	    -1 : 0;
}

static enum patrol_err
sqlite_audit_list(struct patrol_store *st, int64_t since, patrol_audit_cb cb,
    void *arg, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_AUDIT_LIST];
	struct patrol_audit	 a;
	int			 step;
	enum patrol_err		 rc = PATROL_OK;

	if (sqlite3_bind_int64(q, 1, since) != SQLITE_OK) {
		rc = db_error(s, "reading the audit trail", err);
		goto out;
	}
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&a, 0, sizeof(a));
		a.id = sqlite3_column_int64(q, 0);
		a.time = sqlite3_column_int64(q, 1);
		if (column_text(q, 2, &a.actor) == -1 ||
		    column_text(q, 3, &a.pat_id) == -1 ||
		    column_text(q, 4, &a.client) == -1 ||
		    column_text(q, 5, &a.tracking_id) == -1 ||
		    column_text(q, 6, &a.operation) == -1 ||
		    column_text(q, 7, &a.target) == -1 ||
		    column_text(q, 8, &a.outcome) == -1 ||
		    a.operation == NULL || a.outcome == NULL) {
			rc = nomem(err);
			goto out;
		}
		if (cb(arg, &a) != 0)
			goto out;
	}
	if (step != SQLITE_DONE)
		rc = db_error(s, "reading the audit trail", err);
out:
	done(q);
	return rc;
}

static enum patrol_err
sqlite_audit_prune(struct patrol_store *st, int64_t before, int64_t max,
    int64_t *n, struct patrol_error *err)
{
	struct sqlite_store	*s = cast(st);
	sqlite3_stmt		*q = s->stmt[ST_AUDIT_PRUNE];
	enum patrol_err		 rc = PATROL_OK;

	if (sqlite3_bind_int64(q, 1, before) != SQLITE_OK ||
	    sqlite3_bind_int64(q, 2, max > 0 ? max : -1) != SQLITE_OK ||
	    sqlite3_step(q) != SQLITE_DONE)
		rc = db_error(s, "pruning the audit trail", err);
	else
		*n = sqlite3_changes(s->db);
	done(q);
	return rc;
}

const struct store_ops store_sqlite_ops = {
	.open = sqlite_open,
	.close = sqlite_close,
	.identity_add = sqlite_identity_add,
	.identity_delete = sqlite_identity_delete,
	.identity_get = sqlite_identity_get,
	.pat_add = sqlite_pat_add,
	.pat_update = sqlite_pat_update,
	.pat_delete = sqlite_pat_delete,
	.pat_get = sqlite_pat_get,
	.pat_list = sqlite_pat_list,
	.pat_count = sqlite_pat_count,
	.pat_touch = sqlite_pat_touch,
	.duo_get = sqlite_duo_get,
	.duo_put = sqlite_duo_put,
	.begin = sqlite_begin,
	.commit = sqlite_commit,
	.rollback = sqlite_rollback,
	.read_begin = sqlite_read_begin,
	.read_end = sqlite_read_end,
	.audit_add = sqlite_audit_add,
	.audit_list = sqlite_audit_list,
	.audit_prune = sqlite_audit_prune,
	.list_sql = sqlite_list_sql,
};
