/*
 * ctl_pat_io.c: patrolctl pat export and pat import: PATs as JSON Lines,
 * one object per line in the API's form (what a listing returns), plus
 * "secretHash" with export --with-hashes; import reads the same lines.
 *
 * Import is all or nothing. It reads the input twice: the first pass checks
 * every line (JSON, fields, the PAT rules) and writes nothing; the second
 * writes the PATs in batches, one transaction each (so the web server's
 * writes can interleave on a long import). When the second pass fails (a
 * duplicate id or name, a full disk), it rolls back its batch and deletes,
 * in one transaction, every PAT and identity the earlier batches added.
 * Only a crash in the middle of the second pass can leave committed
 * batches behind; the summary line is printed only when all is in.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "patrol.h"
#include "ctl.h"

#define IMPORT_LINE_MAX	(64 * 1024)	/* bytes of one input line */

/* ------------------------------------------------------------------ */
/* export                                                              */
/* ------------------------------------------------------------------ */

struct exporter {
	int		 hashes;
	size_t		 count;
	enum patrol_err	 rc;
};

static int
export_cb(void *arg, const struct patrol_pat *pat)
{
	struct exporter	*e = arg;
	json_t		*j;
	int		 rc;

	if ((j = patrol_pat_to_json(pat)) == NULL ||
	    (e->hashes && json_object_set_new(j, "secretHash",
	    json_string(pat->secret_hash)) == -1)) {
		json_decref(j);
		e->rc = PATROL_ERR_NOMEM;
		return 1;
	}
	rc = json_dumpf(j, stdout, JSON_COMPACT);
	json_decref(j);
	if (rc == -1 || putchar('\n') == EOF || ferror(stdout)) {
		e->rc = PATROL_ERR_IO;
		return 1;
	}
	e->count++;
	return 0;
}

int
cmd_pat_export(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_pat_query	 q;
	struct patrol_filter	*filter = NULL;
	struct exporter		 e;
	int			 ret = EXIT_FAILURE;

	memset(&e, 0, sizeof(e));
	e.hashes = opt_get(c, a, "with-hashes") != NULL;
	if (pat_query(x, c, a, &q, &filter) == -1)
		goto out;
	q.with_hash = e.hashes;
	if (patrol_store_pat_list(x->st, &q, export_cb, &e, &err) !=
	    PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	if (e.rc != PATROL_OK) {
		msg("%s: %s", c->name, e.rc == PATROL_ERR_IO ?
		    "writing the output failed" : patrol_strerror(e.rc));
		goto out;
	}
	if (isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO))
		fprintf(stderr, "exported %zu personal access tokens%s\n",
		    e.count, e.hashes ? " with their secret hashes" : "");
	ret = EXIT_SUCCESS;
out:
	patrol_filter_free(filter);
	return ret;
}

/* ------------------------------------------------------------------ */
/* import                                                              */
/* ------------------------------------------------------------------ */

/* One PAT read from a line: strings borrow from the line's JSON. */
struct item {
	struct patrol_pat	 pat;		/* name, scope: borrowed */
	int			 has_id;
	const char		*owner_name;	/* NULL when not given */
};

/* Reads an RFC 3339 time or null (-1) at key; absent gives dflt. */
static int
get_time(const json_t *o, const char *key, int nullable, int64_t dflt,
    int64_t *out, char *why, size_t whysz)
{
	const json_t	*v = json_object_get(o, key);
	const char	*s;

	if (v == NULL) {
		*out = dflt;
		return 0;
	}
	if (json_is_null(v) && nullable) {
		*out = -1;
		return 0;
	}
	if (!json_is_string(v) || (s = json_string_value(v),
	    patrol_time_parse(s, json_string_length(v), out) != PATROL_OK) ||
	    *out < 0) {
		snprintf(why, whysz, "%s: expected an RFC 3339 date-time%s",
		    key, nullable ? " or null" : "");
		return -1;
	}
	return 0;
}

static int
hexlow(const char *s, size_t n)
{
	size_t	 i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Reads one line's object into *it (scope array new in it->pat.scope, to
 * free; the rest borrowed from o). 0, or -1 with the reason in why.
 */
static int
item_read(const json_t *o, int64_t now, struct item *it, char *why,
    size_t whysz)
{
	static const char *const known[] = { "id", "name", "scope", "owner",
	    "created", "lastUsed", "managed", "expirationDate",
	    "accessTokenValiditySeconds", "secretHash", NULL };
	struct patrol_error	 err = { 0 };
	const json_t		*v, *owner, *e;
	const char		*key;
	json_t			*vv;
	size_t			 i, k;

	memset(it, 0, sizeof(*it));
	if (!json_is_object(o)) {
		snprintf(why, whysz, "expected a JSON object");
		return -1;
	}
	json_object_foreach((json_t *)o, key, vv) {
		for (k = 0; known[k] != NULL && strcmp(known[k], key) != 0; k++)
			continue;
		if (known[k] == NULL) {
			snprintf(why, whysz, "unknown key \"%.40s\"", key);
			return -1;
		}
	}
	if ((v = json_object_get(o, "id")) != NULL) {
		if (!json_is_string(v) || !patrol_id_valid(json_string_value(v))) {
			snprintf(why, whysz, "id: expected %d lowercase "
			    "hexadecimal characters", PATROL_ID_LEN);
			return -1;
		}
		memcpy(it->pat.id, json_string_value(v), PATROL_ID_LEN + 1);
		it->has_id = 1;
	}
	if (!json_is_string(v = json_object_get(o, "name"))) {
		snprintf(why, whysz, "name: %s", v == NULL ? "missing" :
		    "expected a string");
		return -1;
	}
	it->pat.name = (char *)json_string_value(v);
	if (strlen(it->pat.name) != json_string_length(v) ||
	    patrol_pat_check_name(it->pat.name, &err) != PATROL_OK) {
		snprintf(why, whysz, "%s", v != NULL && err.text[0] != '\0' ?
		    err.text : "name: contains a NUL character");
		return -1;
	}
	owner = json_object_get(o, "owner");
	if (!json_is_object(owner) || !json_is_string(v =
	    json_object_get(owner, "id")) ||
	    !patrol_id_valid(json_string_value(v))) {
		snprintf(why, whysz, "owner.id: missing or not an id");
		return -1;
	}
	memcpy(it->pat.owner_id, json_string_value(v), PATROL_ID_LEN + 1);
	if ((v = json_object_get(owner, "name")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || strlen(json_string_value(v)) !=
		    json_string_length(v) || patrol_pat_check_name(
		    json_string_value(v), &err) != PATROL_OK) {
			snprintf(why, whysz, "owner.name: not a valid name");
			return -1;
		}
		it->owner_name = json_string_value(v);
	}
	if ((v = json_object_get(owner, "type")) != NULL &&
	    (!json_is_string(v) || strcmp(json_string_value(v),
	    "IDENTITY") != 0)) {
		snprintf(why, whysz, "owner.type: expected \"IDENTITY\"");
		return -1;
	}
	v = json_object_get(o, "scope");
	if (v == NULL || json_is_null(v))
		it->pat.scope_null = 1;
	else if (!json_is_array(v)) {
		snprintf(why, whysz, "scope: expected an array of strings or "
		    "null");
		return -1;
	} else {
		it->pat.nscope = json_array_size(v);
		if ((it->pat.scope = calloc(it->pat.nscope + 1,
		    sizeof(char *))) == NULL) {
			snprintf(why, whysz, "out of memory");
			return -1;
		}
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || strlen(json_string_value(e))
			    != json_string_length(e)) {
				snprintf(why, whysz, "scope: expected an "
				    "array of strings");
				return -1;
			}
			it->pat.scope[i] = (char *)json_string_value(e);
		}
		if (patrol_pat_check_scope(it->pat.scope, it->pat.nscope,
		    &err) != PATROL_OK) {
			snprintf(why, whysz, "%s", err.text);
			return -1;
		}
	}
	if (get_time(o, "created", 0, now, &it->pat.created, why, whysz) == -1 ||
	    get_time(o, "lastUsed", 1, -1, &it->pat.last_used, why,
	    whysz) == -1 ||
	    get_time(o, "expirationDate", 1, -1, &it->pat.expires, why,
	    whysz) == -1)
		return -1;
	it->pat.validity = PATROL_VALIDITY_DEFAULT;
	if ((v = json_object_get(o, "accessTokenValiditySeconds")) != NULL) {
		if (!json_is_integer(v) || patrol_pat_check_validity(
		    (long)json_integer_value(v), &err) != PATROL_OK ||
		    json_integer_value(v) > PATROL_VALIDITY_MAX) {
			snprintf(why, whysz, "accessTokenValiditySeconds: "
			    "expected a whole number from %d to %d",
			    PATROL_VALIDITY_MIN, PATROL_VALIDITY_MAX);
			return -1;
		}
		it->pat.validity = (long)json_integer_value(v);
	}
	if ((v = json_object_get(o, "managed")) != NULL) {
		if (!json_is_boolean(v)) {
			snprintf(why, whysz, "managed: expected true or false");
			return -1;
		}
		it->pat.managed = json_is_true(v);
	}
	v = json_object_get(o, "secretHash");
	if (v == NULL) {
		snprintf(why, whysz, "secretHash is required (export with "
		    "--with-hashes)");
		return -1;
	}
	if (!json_is_string(v) || !hexlow(json_string_value(v),
	    PATROL_HASH_LEN)) {
		snprintf(why, whysz, "secretHash: expected %d lowercase "
		    "hexadecimal characters", PATROL_HASH_LEN);
		return -1;
	}
	memcpy(it->pat.secret_hash, json_string_value(v), PATROL_HASH_LEN + 1);
	return 0;
}

/* What one import did, to undo it. */
struct undo {
	char	(*pats)[PATROL_ID_LEN + 1];
	size_t	 npats, maxpats;
	char	(*ids)[PATROL_ID_LEN + 1];	/* identities created */
	size_t	 nids, maxids;
};

static int
undo_add(char (**v)[PATROL_ID_LEN + 1], size_t *n, size_t *max,
    const char *id)
{
	char	(*nv)[PATROL_ID_LEN + 1];
	size_t	 nmax;

	if (*n == *max) {
		nmax = *max == 0 ? 1024 : *max * 2;
		if ((nv = reallocarray(*v, nmax, sizeof(**v))) == NULL)
			return -1;
		*v = nv;
		*max = nmax;
	}
	memcpy((*v)[(*n)++], id, PATROL_ID_LEN + 1);
	return 0;
}

/* The input: a file, or standard input copied to a temporary file during
 * the first pass so that the second can read it again. */
struct input {
	const char	*name;
	FILE		*in;		/* what the first pass reads */
	FILE		*copy;		/* stdin's copy, or NULL */
	char		*line;
	size_t		 linesz;
};

static void
progress(int tty, size_t done, size_t total, size_t created, double t0)
{
	struct timespec	 ts;
	double		 now;
	int		 i, bar;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
	if (!tty) {
		fprintf(stderr, "imported %zu/%zu personal access tokens "
		    "(%zu new identities), %.1f s\n", done, total, created,
		    now - t0);
		return;
	}
	bar = total == 0 ? 40 : (int)(40.0 * (double)done / (double)total);
	fputs("\r[", stderr);
	for (i = 0; i < 40; i++)
		fputc(i < bar ? '#' : ' ', stderr);
	fprintf(stderr, "] %3d%% %zu/%zu", total == 0 ? 100 :
	    (int)(100.0 * (double)done / (double)total), done, total);
	if (done == total)
		fputc('\n', stderr);
	fflush(stderr);
}

static double
mono(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Reads the next line into in->line (without its newline). 1, 0 at end,
 * -1 on a read error or a line over IMPORT_LINE_MAX (errno EFBIG). */
static int
next_line(struct input *in, FILE *f, size_t *len)
{
	ssize_t	 n;

	errno = 0;
	if ((n = getline(&in->line, &in->linesz, f)) == -1)
		return ferror(f) ? -1 : 0;
	if (in->copy != NULL && f == in->in &&
	    fwrite(in->line, 1, (size_t)n, in->copy) != (size_t)n)
		return -1;
	if (n > 0 && in->line[n - 1] == '\n')
		in->line[--n] = '\0';
	if ((size_t)n > IMPORT_LINE_MAX) {
		errno = EFBIG;
		return -1;
	}
	*len = (size_t)n;
	return 1;
}

/* Blank lines (and a final newline) are skipped. */
static int
blank(const char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* The audit row of a batch, in its transaction. 0, or -1 after a
 * message. */
static int
batch_audit(struct ctx *x, const struct cmd *c, const struct input *in,
    size_t npats, size_t nids)
{
	char	 what[PATROL_AUDIT_FIELD_MAX + 1];

	snprintf(what, sizeof(what), "%zu personal access tokens and %zu new "
	    "identities from %s", npats, nids, in->name);
	return ctl_audit(x, c, what, "ok");
}

/* Deletes what the committed batches added, in one transaction. */
static void
undo_all(struct ctx *x, const struct cmd *c, const struct undo *u)
{
	struct patrol_error	 err = { 0 };
	char			 what[128];
	size_t			 i;

	if (u->npats == 0 && u->nids == 0)
		return;
	if (patrol_store_begin(x->st, &err) != PATROL_OK)
		goto fail;
	for (i = 0; i < u->npats; i++)
		if (patrol_store_pat_delete(x->st, u->pats[i], &err) !=
		    PATROL_OK)
			goto fail;
	for (i = 0; i < u->nids; i++)
		if (patrol_store_identity_delete(x->st, u->ids[i], &err) !=
		    PATROL_OK)
			goto fail;
	snprintf(what, sizeof(what), "%zu imported personal access tokens "
	    "and %zu identities removed again", u->npats, u->nids);
	if (ctl_audit(x, c, what, "undone") == -1) {
		err.text[0] = '\0';
		goto fail;
	}
	if (patrol_store_commit(x->st, &err) != PATROL_OK)
		goto fail;
	return;
fail:
	patrol_store_rollback(x->st);
	msg("%s: undoing the %zu PATs already imported failed: %s; delete "
	    "them with pat delete", c->name, u->npats, err.text);
}

int
cmd_pat_import(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_identity	 ident;
	struct input		 in;
	struct undo		 u;
	struct item		 it;
	json_t			*o;
	json_error_t		 jerr;
	FILE			*f;
	const char		*s;
	char			 why[PATROL_ERROR_TEXT_MAX + 64];
	char			 known[PATROL_ID_LEN + 1] = "";
	size_t			 len, lineno = 0, total = 0, done = 0, inbatch;
	size_t			 pats_in = 0, ids_in = 0;	/* committed */
	long long		 batch = 50000;
	int64_t			 now = patrol_time_now();
	double			 t0 = mono();
	int			 r, tty = isatty(STDERR_FILENO), ret = EXIT_FAILURE;
	int			 intxn = 0;
	enum patrol_err		 rc;

	memset(&in, 0, sizeof(in));
	memset(&u, 0, sizeof(u));
	if ((s = opt_get(c, a, "batch")) != NULL &&
	    (parse_count(c, "--batch", s, 10000000, &batch) == -1 ||
	    (batch == 0 && (msg("%s: --batch: must be at least 1", c->name),
	    1))))
		return EXIT_FAILURE;
	in.name = a->pos[0];
	if (strcmp(in.name, "-") == 0) {
		in.name = "standard input";
		in.in = stdin;
		if ((in.copy = tmpfile()) == NULL) {
			msg("%s: a temporary file: %s", c->name,
			    strerror(errno));
			return EXIT_FAILURE;
		}
	} else if ((in.in = fopen(in.name, "r")) == NULL) {
		msg("%s: %s: %s", c->name, in.name, strerror(errno));
		return EXIT_FAILURE;
	}
	if (ctx_open(x, c, 1) == -1)
		goto out;

	/* Pass 1: every line is checked; nothing is written. */
	while ((r = next_line(&in, in.in, &len)) == 1) {
		lineno++;
		if (blank(in.line, len))
			continue;
		if ((o = json_loadb(in.line, len, JSON_REJECT_DUPLICATES,
		    &jerr)) == NULL) {
			msg("%s: %s: line %zu: %s (column %d); nothing "
			    "imported", c->name, in.name, lineno, jerr.text,
			    jerr.column);
			goto out;
		}
		r = item_read(o, now, &it, why, sizeof(why));
		free(it.pat.scope);
		json_decref(o);
		if (r == -1) {
			msg("%s: %s: line %zu: %s; nothing imported", c->name,
			    in.name, lineno, why);
			goto out;
		}
		total++;
	}
	if (r == -1) {
		msg("%s: %s: line %zu: %s; nothing imported", c->name,
		    in.name, lineno + 1, errno == EFBIG ? "longer than 65536 "
		    "bytes" : strerror(errno));
		goto out;
	}

	/* Pass 2: batches of PATs, one transaction each. */
	f = in.copy != NULL ? in.copy : in.in;
	if (fflush(f) == EOF || fseek(f, 0, SEEK_SET) == -1) {
		msg("%s: %s: %s", c->name, in.name, strerror(errno));
		goto out;
	}
	lineno = 0;
	inbatch = 0;
	while ((r = next_line(&in, f, &len)) == 1) {
		lineno++;
		if (blank(in.line, len))
			continue;
		if ((o = json_loadb(in.line, len, JSON_REJECT_DUPLICATES,
		    &jerr)) == NULL || item_read(o, now, &it, why,
		    sizeof(why)) == -1) {
			/* The file changed between the passes. */
			json_decref(o);
			free(it.pat.scope);
			msg("%s: %s: line %zu changed while importing",
			    c->name, in.name, lineno);
			goto fail;
		}
		if (!intxn) {
			if (patrol_store_begin(x->st, &err) != PATROL_OK) {
				json_decref(o);
				free(it.pat.scope);
				lib_error(c, &err);
				goto fail;
			}
			intxn = 1;
		}
		rc = PATROL_OK;
		if (!it.has_id)
			rc = patrol_id_new(it.pat.id);
		/* The owner: known from the line before, found, or made. */
		if (rc == PATROL_OK && strcmp(known, it.pat.owner_id) != 0) {
			memset(&ident, 0, sizeof(ident));
			rc = patrol_store_identity_get(x->st, it.pat.owner_id,
			    &ident, &err);
			patrol_identity_clear(&ident);
			if (rc == PATROL_ERR_NOTFOUND && it.owner_name != NULL) {
				memcpy(ident.id, it.pat.owner_id,
				    PATROL_ID_LEN + 1);
				ident.name = (char *)it.owner_name;
				rc = patrol_store_identity_add(x->st, &ident,
				    &err);
				if (rc == PATROL_OK && undo_add(&u.ids, &u.nids,
				    &u.maxids, ident.id) == -1)
					rc = PATROL_ERR_NOMEM;
			} else if (rc == PATROL_ERR_NOTFOUND)
				snprintf(err.text, sizeof(err.text), "owner %s "
				    "does not exist and owner.name is not "
				    "given", it.pat.owner_id);
			if (rc == PATROL_OK)
				memcpy(known, it.pat.owner_id,
				    PATROL_ID_LEN + 1);
		}
		if (rc == PATROL_OK)
			rc = patrol_store_pat_add(x->st, &it.pat, 0, &err);
		if (rc == PATROL_ERR_EXISTS)
			snprintf(err.text, sizeof(err.text), "the id %s is "
			    "taken, or owner %s already has a personal access "
			    "token named \"%.60s\"", it.pat.id,
			    it.pat.owner_id, it.pat.name);
		if (rc == PATROL_OK && undo_add(&u.pats, &u.npats,
		    &u.maxpats, it.pat.id) == -1)
			rc = PATROL_ERR_NOMEM;
		json_decref(o);
		free(it.pat.scope);
		if (rc != PATROL_OK) {
			msg("%s: %s: line %zu: %s; nothing imported",
			    c->name, in.name, lineno, rc == PATROL_ERR_NOMEM ?
			    patrol_strerror(rc) : err.text);
			goto fail;
		}
		done++;
		if (++inbatch == (size_t)batch || done == total) {
			if (batch_audit(x, c, &in, inbatch, u.nids - ids_in) ==
			    -1)
				goto fail;
			if (patrol_store_commit(x->st, &err) != PATROL_OK) {
				lib_error(c, &err);
				goto fail;
			}
			intxn = 0;
			inbatch = 0;
			/* A later failure must undo this batch too. */
			pats_in = u.npats;
			ids_in = u.nids;
			progress(tty, done, total, u.nids, t0);
		}
	}
	if (r == -1) {
		msg("%s: %s: %s", c->name, in.name, strerror(errno));
		goto fail;
	}
	if (intxn) {
		if (batch_audit(x, c, &in, inbatch, u.nids - ids_in) == -1)
			goto fail;
		if (patrol_store_commit(x->st, &err) != PATROL_OK) {
			lib_error(c, &err);
			goto fail;
		}
		intxn = 0;
	}
	printf("imported %zu personal access tokens (%zu new identities) "
	    "from %s in %.1f s\n", done, u.nids, in.name, mono() - t0);
	ret = EXIT_SUCCESS;
	goto out;
fail:
	if (intxn) {
		patrol_store_rollback(x->st);
		intxn = 0;
	}
	/* What the rolled-back batch added is gone already: only the
	 * committed batches are undone. */
	u.npats = pats_in;
	u.nids = ids_in;
	undo_all(x, c, &u);
out:
	free(u.pats);
	free(u.ids);
	free(in.line);
	if (in.copy != NULL)
		fclose(in.copy);
	if (in.in != NULL && in.in != stdin)
		fclose(in.in);
	return ret;
}
