/*
 * ctl_duo.c: patrolctl mfa duo show and mfa duo set.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "ctl.h"

#define DUO_INPUT_MAX	(1024 * 1024)	/* bytes of a `mfa duo set` body */

/* The secrets key in *out: NULL when secrets.key_file does not exist (the
 * library then refuses to store or open a secret, saying why). 0, or -1
 * after a message (a key file that is there but unusable). */
static int
load_seal(struct ctx *x, const struct cmd *c, struct patrol_seal **out)
{
	struct patrol_error	 err = { 0 };

	*out = NULL;
	if (access(x->conf->secrets_key_file, F_OK) == -1 && errno == ENOENT)
		return 0;
	if (patrol_seal_load(x->conf->secrets_key_file, out, &err) !=
	    PATROL_OK) {
		lib_error(c, &err);
		return -1;
	}
	return 0;
}

int
cmd_duo_show(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_seal	*seal = NULL;
	json_t			*config = NULL;
	enum patrol_err		 rc;

	if (ctx_open(x, c, 1) == -1 || load_seal(x, c, &seal) == -1)
		return EXIT_FAILURE;
	rc = patrol_duo_show(x->st, seal,
	    (const char *const *)x->conf->secret_duo_properties, &config, &err);
	patrol_seal_free(seal);
	if (rc != PATROL_OK) {
		lib_error(c, &err);
		return EXIT_FAILURE;
	}
	return print_json(c, config, opt_get(c, a, "json") == NULL);
}

/* Reads all of fd into *buf (new, DUO_INPUT_MAX + 2 bytes, NUL-terminated)
 * and *len. Returns 0, -1 with errno set, or 1 when the input is larger
 * than DUO_INPUT_MAX. */
static int
read_input(int fd, char **buf, size_t *len)
{
	ssize_t	 n;

	*len = 0;
	if ((*buf = malloc(DUO_INPUT_MAX + 2)) == NULL)
		return -1;
	while (*len <= DUO_INPUT_MAX) {
		n = read(fd, *buf + *len, DUO_INPUT_MAX + 1 - *len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	(*buf)[*len] = '\0';
	return *len > DUO_INPUT_MAX ? 1 : 0;
}

int
cmd_duo_set(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_seal	*seal = NULL;
	json_t			*config = NULL;
	const char		*file = opt_get(c, a, "file"), *src;
	char			*raw = NULL;
	size_t			 len = 0;
	int			 fd = -1, rd, ret = EXIT_FAILURE;

	if (file == NULL || strcmp(file, "-") == 0) {
		src = "standard input";
		fd = STDIN_FILENO;
	} else if ((fd = open(file, O_RDONLY)) == -1) {
		msg("%s: %s: %s", c->name, file, strerror(errno));
		goto out;
	} else
		src = file;
	if ((rd = read_input(fd, &raw, &len)) == -1) {
		msg("%s: %s: %s", c->name, src, strerror(errno));
		goto out;
	} else if (rd == 1) {
		msg("%s: %s: larger than %d bytes", c->name, src,
		    DUO_INPUT_MAX);
		goto out;
	}
	if (ctx_open(x, c, 1) == -1 || load_seal(x, c, &seal) == -1 ||
	    ctl_begin(x, c) == -1)
		goto out;
	if (patrol_duo_update(x->st, seal,
	    (const char *const *)x->conf->secret_duo_properties, raw, len,
	    &config, &err) !=
	    PATROL_OK) {
		patrol_store_rollback(x->st);
		msg("%s: %s: %s", c->name, src, err.text);
		goto out;
	}
	if (ctl_commit(x, c, "duo-web") == -1) {
		json_decref(config);
		goto out;
	}
	ret = print_json(c, config, opt_get(c, a, "json") == NULL);
out:
	patrol_seal_free(seal);
	if (fd > STDIN_FILENO)
		close(fd);
	if (raw != NULL) {
		wipe(raw, len);
		free(raw);
	}
	return ret;
}
