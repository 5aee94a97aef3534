/*
 * state.c: the modes and group of patrol's state files (the database with
 * its -wal and -shm, the signing key, the secrets key): setting them, and saying when one is
 * open to others.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "extern.h"

/* One state file: its path (borrowed or built) and the group's access. */
struct sfile {
	char	*path;
	mode_t	 grouped;	/* mode with files.group set */
};

/* The state files of conf that may exist; *n receives their count. Paths
 * are new (sfiles_free). NULL on ENOMEM. */
static struct sfile *
sfiles(const struct patrol_conf *conf, size_t *n)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct sfile	*f;
	struct pbuf	 b;
	size_t		 i, k = 0;

	*n = 0;
	if ((f = calloc(5, sizeof(*f))) == NULL)
		return NULL;
	if (conf->db_path != NULL && strcmp(conf->db_backend, "sqlite") == 0)
		for (i = 0; i < 3; i++) {
			memset(&b, 0, sizeof(b));
			pbuf_adds(&b, conf->db_path);
			pbuf_adds(&b, suffix[i]);
			if ((f[k].path = pbuf_take(&b)) == NULL)
				goto fail;
			f[k++].grouped = 0660;
		}
	if (conf->key_file != NULL) {
		if ((f[k].path = xstrndup(conf->key_file,
		    strlen(conf->key_file))) == NULL)
			goto fail;
		f[k++].grouped = 0640;
	}
	if (conf->secrets_key_file != NULL) {
		if ((f[k].path = xstrndup(conf->secrets_key_file,
		    strlen(conf->secrets_key_file))) == NULL)
			goto fail;
		f[k++].grouped = 0640;
	}
	*n = k;
	return f;
fail:
	while (k > 0)
		free(f[--k].path);
	free(f);
	return NULL;
}

static void
sfiles_free(struct sfile *f, size_t n)
{
	while (n > 0)
		free(f[--n].path);
	free(f);
}

/* The gid of `name` into *gid. */
static enum patrol_err
group_id(const char *name, gid_t *gid, struct patrol_error *err)
{
	struct group	 gr, *res = NULL;
	char		 buf[16384];
	int		 e;

	e = getgrnam_r(name, &gr, buf, sizeof(buf), &res);
	if (res == NULL && e != 0)
		return patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
		    "files.group %s: %s", name, strerror(e));
	if (res == NULL)
		return patrol_error_set(err, PATROL_ERR_INVALID, PATROL_NOPOS,
		    "files.group: no group named \"%s\"", name);
	*gid = gr.gr_gid;
	return PATROL_OK;
}

enum patrol_err
patrol_state_secure(const struct patrol_conf *conf, struct patrol_error *err)
{
	struct sfile	*f;
	size_t		 i, n;
	gid_t		 gid = (gid_t)-1;
	mode_t		 mode;
	enum patrol_err	 rc = PATROL_OK;

	if (conf->files_group != NULL && (rc = group_id(conf->files_group,
	    &gid, err)) != PATROL_OK)
		return rc;
	if ((f = sfiles(conf, &n)) == NULL)
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	for (i = 0; i < n && rc == PATROL_OK; i++) {
		mode = gid != (gid_t)-1 ? f[i].grouped : 0600;
		if (gid != (gid_t)-1 && chown(f[i].path, (uid_t)-1, gid) == -1) {
			if (errno == ENOENT)
				continue;
			rc = patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
			    "%s: chgrp %s: %s", f[i].path, conf->files_group,
			    strerror(errno));
		} else if (chmod(f[i].path, mode) == -1 && errno != ENOENT)
			rc = patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
			    "%s: chmod %03o: %s", f[i].path, (unsigned)mode,
			    strerror(errno));
	}
	sfiles_free(f, n);
	return rc;
}

enum patrol_err
patrol_state_check(const struct patrol_conf *conf, char **warnings)
{
	struct sfile	*f;
	struct stat	 sb;
	struct pbuf	 b = { 0 };
	size_t		 i, n;
	char		 line[64];

	*warnings = NULL;
	if ((f = sfiles(conf, &n)) == NULL)
		return PATROL_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (stat(f[i].path, &sb) == -1 || (sb.st_mode & 0007) == 0)
			continue;
		if (b.len > 0)
			pbuf_adds(&b, "\n");
		pbuf_adds(&b, f[i].path);
		snprintf(line, sizeof(line), ": %s by others (mode %04o); ",
		    (sb.st_mode & 0006) == 0006 ? "readable and writable" :
		    (sb.st_mode & 0004) ? "readable" : (sb.st_mode & 0002) ?
		    "writable" : "open", (unsigned)(sb.st_mode & 07777));
		pbuf_adds(&b, line);
		pbuf_adds(&b, "run patrolctl init to make it private");
	}
	sfiles_free(f, n);
	if (b.oom) {
		pbuf_free(&b);
		return PATROL_ERR_NOMEM;
	}
	*warnings = pbuf_take(&b);
	return PATROL_OK;
}
