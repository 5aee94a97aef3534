/*
 * ctl_key.c: patrolctl key rotate --signing: a new signing key in place,
 * the previous one kept as FILE.<kid> so that the tokens it signed verify
 * until they expire; patrolctl key prune removes the kept keys whose tokens
 * have all expired.
 *
 * patrolctl key rotate --secrets: a new secrets key, every
 * stored secret sealed again under it in one transaction, then the new key
 * renamed over the old one. The order makes every crash recoverable: until
 * the transaction commits the old key opens everything; once it has, the
 * new key waits as KEYFILE.new, and the next `key rotate` (or this one, run
 * again) sees that it opens the database and finishes the rename.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "patrol.h"
#include "ctl.h"

/* Renames from over to and syncs the directory. 0, or -1 after a message. */
static int
put_in_place(const struct cmd *c, const char *from, const char *to)
{
	char	*d;
	int	 fd;

	if (rename(from, to) == -1) {
		msg("%s: rename %s to %s: %s", c->name, from, to,
		    strerror(errno));
		return -1;
	}
	if ((d = strdup(to)) != NULL) {
		if ((fd = open(dirname(d), O_RDONLY | O_DIRECTORY)) != -1) {
			(void)fsync(fd);
			close(fd);
		}
		free(d);
	}
	return 0;
}

/* 1 when the stored Duo secrets open with seal (or there are none). */
static int
opens(struct patrol_store *st, const struct patrol_seal *seal,
    const char *const *props)
{
	struct patrol_error	 err = { 0 };
	json_t			*config = NULL;
	int			 ok;

	ok = patrol_duo_show(st, seal, props, &config, &err) == PATROL_OK;
	json_decref(config);
	return ok;
}

static int	rotate_secrets(struct ctx *, const struct cmd *);
static int	rotate_signing(struct ctx *, const struct cmd *);

int
cmd_key_rotate(struct ctx *x, const struct cmd *c, const struct args *a)
{
	int	 sec = opt_get(c, a, "secrets") != NULL;
	int	 sig = opt_get(c, a, "signing") != NULL;

	if (sec == sig)
		return usage_error(c, "give either --secrets or --signing");
	return sec ? rotate_secrets(x, c) : rotate_signing(x, c);
}

/* "FILE.new" for FILE, new (free()), NULL after a message. */
static char *
new_path(const struct cmd *c, const char *path, const char *suffix)
{
	size_t	 len = strlen(path) + strlen(suffix) + 2;
	char	*p;

	if ((p = malloc(len)) == NULL) {
		nomem(c);
		return NULL;
	}
	snprintf(p, len, "%s.%s", path, suffix);
	return p;
}

static int
rotate_signing(struct ctx *x, const struct cmd *c)
{
	struct patrol_error	 err = { 0 };
	struct patrol_key	*cur = NULL;
	const char		*path;
	char			 kid[PATROL_KID_LEN + 1], *newpath = NULL;
	char			*keep = NULL;
	int			 ret = EXIT_FAILURE;

	if (ctx_open(x, c, 1) == -1)
		return EXIT_FAILURE;
	path = x->conf->key_file;
	if (patrol_key_load(path, &cur, &err) != PATROL_OK) {
		msg("%s: %s (patrolctl init makes the first signing key)",
		    c->name, err.text);
		goto out;
	}
	patrol_key_id(cur, kid);
	if ((newpath = new_path(c, path, "new")) == NULL ||
	    (keep = new_path(c, path, kid)) == NULL)
		goto out;
	(void)unlink(newpath);
	if (patrol_key_generate(newpath, &err) != PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	/* The current key stays as FILE.<kid> (a second name for it), then
	 * the new one takes FILE in one rename: there is always a FILE. */
	if (link(path, keep) == -1 && errno != EEXIST) {
		msg("%s: %s: %s", c->name, keep, strerror(errno));
		unlink(newpath);
		goto out;
	}
	if (put_in_place(c, newpath, path) == -1) {
		unlink(newpath);
		goto out;
	}
	/* Its age, for key prune, counts from now. */
	(void)utimensat(AT_FDCWD, keep, NULL, 0);
	if (patrol_state_secure(x->conf, &err) != PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	if (chmod(keep, x->conf->files_group != NULL ? 0640 : 0600) == -1) {
		msg("%s: %s: %s", c->name, keep, strerror(errno));
		goto out;
	}
	printf("new signing key %s; the previous one is kept as %s until "
	    "its tokens expire (patrolctl key prune)\n", path, keep);
	/* Files are not in the database's transaction: the row follows. */
	if (ctl_audit(x, c, keep, "ok") == 0)
		ret = EXIT_SUCCESS;
out:
	patrol_key_free(cur);
	free(newpath);
	free(keep);
	return ret;
}

int
cmd_key_prune(struct ctx *x, const struct cmd *c, const struct args *a)
{
	const char	*path, *slash, *base;
	char		*dir = NULL, full[4096];
	DIR		*d;
	struct dirent	*e;
	struct stat	 sb;
	time_t		 now = time(NULL);
	size_t		 blen, i;
	int		 kept = 0, pruned = 0, ok, failed = 0;

	(void)a;
	if (ctx_open(x, c, 1) == -1)
		return EXIT_FAILURE;
	path = x->conf->key_file;
	if ((slash = strrchr(path, '/')) == NULL ||
	    (dir = strndup(path, (size_t)(slash - path) + 1)) == NULL)
		return nomem(c);
	base = slash + 1;
	blen = strlen(base);
	if ((d = opendir(dir)) == NULL) {
		msg("%s: %s: %s", c->name, dir, strerror(errno));
		free(dir);
		return EXIT_FAILURE;
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, base, blen) != 0 ||
		    e->d_name[blen] != '.' ||
		    strlen(e->d_name + blen + 1) != PATROL_KID_LEN)
			continue;
		for (ok = 1, i = blen + 1; e->d_name[i] != '\0'; i++)
			ok &= (e->d_name[i] >= '0' && e->d_name[i] <= '9') ||
			    (e->d_name[i] >= 'a' && e->d_name[i] <= 'f');
		snprintf(full, sizeof(full), "%s%s", dir, e->d_name);
		if (!ok || stat(full, &sb) == -1)
			continue;
		/* Its last token was issued just before the rotation and
		 * lives token.lifetime, plus the clock leeway. */
		if (sb.st_mtime + x->conf->token_lifetime +
		    PATROL_TOKEN_LEEWAY > now) {
			printf("kept %s: tokens it signed may still be valid\n",
			    full);
			kept++;
			continue;
		}
		if (unlink(full) == -1) {
			msg("%s: %s: %s", c->name, full, strerror(errno));
			continue;
		}
		printf("removed %s\n", full);
		pruned++;
		if (ctl_audit(x, c, full, "ok") == -1)
			failed = 1;
	}
	closedir(d);
	free(dir);
	printf("%d retired signing key%s removed, %d kept\n", pruned,
	    pruned == 1 ? "" : "s", kept);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int
rotate_secrets(struct ctx *x, const struct cmd *c)
{
	struct patrol_error	 err = { 0 };
	struct patrol_seal	*old = NULL, *new = NULL;
	const char		*path;
	const char *const	*props;
	char			*newpath = NULL;
	int			 n = 0, ret = EXIT_FAILURE;
	size_t			 len;

	if (ctx_open(x, c, 1) == -1)
		return EXIT_FAILURE;
	path = x->conf->secrets_key_file;
	props = (const char *const *)x->conf->secret_duo_properties;
	len = strlen(path) + sizeof(".new");
	if ((newpath = malloc(len)) == NULL)
		return nomem(c);
	snprintf(newpath, len, "%s.new", path);
	if (patrol_seal_load(path, &old, &err) != PATROL_OK) {
		msg("%s: %s (patrolctl init makes the first secrets key)",
		    c->name, err.text);
		goto out;
	}
	/* A rotation that committed but did not rename: finish it. */
	if (access(newpath, F_OK) == 0) {
		if (patrol_seal_load(newpath, &new, &err) == PATROL_OK &&
		    !opens(x->st, old, props) && opens(x->st, new, props)) {
			if (put_in_place(c, newpath, path) == -1)
				goto out;
			printf("finished an interrupted rotation: %s is the "
			    "secrets key\n", path);
			ret = EXIT_SUCCESS;
			goto out;
		}
		patrol_seal_free(new);
		new = NULL;
		if (unlink(newpath) == -1) {
			msg("%s: %s: %s", c->name, newpath, strerror(errno));
			goto out;
		}
	}
	if (patrol_seal_generate(newpath, &err) != PATROL_OK ||
	    patrol_seal_load(newpath, &new, &err) != PATROL_OK) {
		lib_error(c, &err);
		unlink(newpath);
		goto out;
	}
	if (ctl_begin(x, c) == -1) {
		unlink(newpath);
		goto out;
	}
	if (patrol_duo_reseal(x->st, old, new,
	    (const char *const *)x->conf->secret_duo_properties, &n, &err) != PATROL_OK) {
		patrol_store_rollback(x->st);
		lib_error(c, &err);
		unlink(newpath);
		msg("%s: nothing changed; %s is still the secrets key", c->name,
		    path);
		goto out;
	}
	if (ctl_commit(x, c, path) == -1) {
		unlink(newpath);
		msg("%s: nothing changed; %s is still the secrets key", c->name,
		    path);
		goto out;
	}
	if (put_in_place(c, newpath, path) == -1) {
		msg("%s: the secrets are sealed under %s: run `patrolctl key "
		    "rotate --secrets` again to finish", c->name, newpath);
		goto out;
	}
	if (patrol_state_secure(x->conf, &err) != PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	printf("sealed %d secret%s under a new secrets key %s\n", n,
	    n == 1 ? "" : "s", path);
	ret = EXIT_SUCCESS;
out:
	patrol_seal_free(old);
	patrol_seal_free(new);
	free(newpath);
	return ret;
}
