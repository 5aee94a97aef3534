/*
 * ctl_key.c: patrolctl key rotate --secrets: a new secrets key, every
 * stored secret sealed again under it in one transaction, then the new key
 * renamed over the old one. The order makes every crash recoverable: until
 * the transaction commits the old key opens everything; once it has, the
 * new key waits as KEYFILE.new, and the next `key rotate` (or this one, run
 * again) sees that it opens the database and finishes the rename.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int
cmd_key_rotate(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_seal	*old = NULL, *new = NULL;
	const char		*path;
	const char *const	*props;
	char			*newpath = NULL;
	int			 n = 0, ret = EXIT_FAILURE;
	size_t			 len;

	(void)a;
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
	if (patrol_duo_reseal(x->st, old, new,
	    (const char *const *)x->conf->secret_duo_properties, &n, &err) != PATROL_OK) {
		lib_error(c, &err);
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
