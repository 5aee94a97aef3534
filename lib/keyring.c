/*
 * keyring.c: the signing keys a responder verifies tokens with: the current
 * key (token.signing_key_file), which also signs, and the keys retained by
 * `patrolctl key rotate --signing` as FILE.<kid> until `patrolctl key
 * prune` removes them. The current file and its directory are looked at
 * (stat) at most once a second, at a request, and everything reloaded when
 * either changed (a key replaced, rotated, or a retained one pruned), so
 * that every responder follows within a second, without a restart.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "key_int.h"

/* 1 when name is base "." and 16 lowercase hex digits. */
static int
retained_name(const char *name, const char *base, size_t blen)
{
	size_t	 i;

	if (strncmp(name, base, blen) != 0 || name[blen] != '.' ||
	    strlen(name + blen + 1) != PATROL_KID_LEN)
		return 0;
	for (i = blen + 1; name[i] != '\0'; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return 1;
}

/* Loads the retained keys next to path into kr->old (at most
 * KEYRING_OLD_MAX; unreadable ones are skipped: they only widen what
 * verifies). */
static void
load_retained(struct keyring *kr, const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir, full[4096];
	const char	*base;
	DIR		*d;
	struct dirent	*e;
	struct patrol_key *k;

	if (slash == NULL)
		return;
	if ((dir = xstrndup(path, (size_t)(slash - path) + 1)) == NULL)
		return;
	base = slash + 1;
	if ((d = opendir(dir)) != NULL) {
		while ((e = readdir(d)) != NULL && kr->nold < KEYRING_OLD_MAX) {
			if (!retained_name(e->d_name, base, strlen(base)))
				continue;
			snprintf(full, sizeof(full), "%s%s", dir, e->d_name);
			if (patrol_key_load(full, &k, NULL) == PATROL_OK)
				kr->old[kr->nold++] = k;
		}
		closedir(d);
	}
	free(dir);
}

/* The directory of path, stat'ed into *sb; zeroed when that fails. */
static void
stat_dir(const char *path, struct stat *sb)
{
	const char	*slash = strrchr(path, '/');
	char		*dir;

	memset(sb, 0, sizeof(*sb));
	if (slash == NULL ||
	    (dir = xstrndup(path, (size_t)(slash - path) + 1)) == NULL)
		return;
	if (stat(dir, sb) == -1)
		memset(sb, 0, sizeof(*sb));
	free(dir);
}

static int
same(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void
drop(struct keyring *kr)
{
	size_t	 i;

	patrol_key_free(kr->cur);
	for (i = 0; i < kr->nold; i++)
		patrol_key_free(kr->old[i]);
	kr->cur = NULL;
	kr->nold = 0;
}

enum patrol_err
keyring_load(struct keyring *kr, const char *path, struct patrol_error *err)
{
	struct keyring	 n;
	enum patrol_err	 rc;

	memset(&n, 0, sizeof(n));
	if (stat(path, &n.st) == -1)
		memset(&n.st, 0, sizeof(n.st));
	stat_dir(path, &n.dirst);
	if ((rc = patrol_key_load(path, &n.cur, err)) != PATROL_OK)
		return rc;
	load_retained(&n, path);
	drop(kr);
	*kr = n;
	return PATROL_OK;
}

void
keyring_refresh(struct keyring *kr, const char *path, int64_t now)
{
	struct stat	 sb, db;

	/* At most one look a second: a change is followed within that. */
	if (now == kr->checked)
		return;
	kr->checked = now;
	if (stat(path, &sb) == -1)
		return;
	stat_dir(path, &db);
	if (same(&sb, &kr->st) && same(&db, &kr->dirst))
		return;
	/* A file that does not load (being written?) keeps the keys. */
	(void)keyring_load(kr, path, NULL);
}

void
keyring_free(struct keyring *kr)
{
	drop(kr);
}

const struct patrol_key *
keyring_pick(const struct keyring *kr, const char *jwt, int *tryall)
{
	char	 kid[PATROL_KID_LEN + 1];
	size_t	 i;

	*tryall = 0;
	if (kr->cur == NULL)
		return NULL;
	/* The common case, a token of the current key, without parsing. */
	if (strncmp(jwt, kr->cur->header, kr->cur->headerlen) == 0 &&
	    jwt[kr->cur->headerlen] == '.')
		return kr->cur;
	switch (token_kid(jwt, kid)) {
	case 0:
		*tryall = 1;
		return kr->cur;
	case -1:
		return NULL;
	default:
		break;
	}
	if (strcmp(kid, kr->cur->kid) == 0)
		return kr->cur;
	for (i = 0; i < kr->nold; i++)
		if (strcmp(kid, kr->old[i]->kid) == 0)
			return kr->old[i];
	return NULL;
}
