/*
 * conf.c: the configuration file (libconfig syntax), see patrol.conf(5).
 *
 * The file is read into memory here, not by libconfig, so that an I/O
 * failure is reported as "path: strerror" and never confused with a parse
 * error.  Every setting patrol knows is described once, in the `keys` table:
 * its defaults are applied first, then the settings present in the file are
 * checked (known name, type, range) in file order, so the first mistake in
 * the file is the one reported, with its line.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libconfig.h>

#include "patrol.h"
#include "extern.h"

#define CONF_SIZE_MAX	(1024 * 1024)	/* bytes of configuration file */

enum ktype {
	K_STRING,	/* char *, non-empty */
	K_PATH,		/* char *, non-empty, relative to the file's directory */
	K_INT,		/* int */
	K_LONG,		/* long */
	K_SIZE,		/* size_t */
	K_DAYS,		/* long: days, or the string "never" for 0 */
	K_NAMES		/* char **, NULL-terminated: a list of names */
};

struct key {
	const char		*group;
	const char		*name;
	enum ktype		 type;
	size_t			 off;	/* offset in struct patrol_conf */
	const char		*defstr;	/* K_STRING, K_PATH (NULL: none) */
	long long		 defnum;	/* K_INT, K_LONG, K_SIZE, K_DAYS */
	long long		 min, max;	/* K_INT, K_LONG, K_SIZE, K_DAYS */
	const char *const	*choices;	/* K_STRING: allowed values */
};

static const char *const backends[] = { "sqlite", "postgresql", NULL };

#define OFF(f)	offsetof(struct patrol_conf, f)

/* Keep in step with etc/patrol.conf and docs/patrol.conf.5. */
static const struct key keys[] = {
	{ "database", "backend", K_STRING, OFF(db_backend), "sqlite", 0,
	  0, 0, backends },
	{ "database", "path", K_PATH, OFF(db_path), "patrol.db", 0,
	  0, 0, NULL },
	{ "database", "busy_timeout_ms", K_INT, OFF(db_busy_timeout_ms),
	  NULL, 5000, 0, 600000, NULL },
	{ "database", "conninfo", K_STRING, OFF(db_conninfo), NULL, 0,
	  0, 0, NULL },
	{ "token", "signing_key_file", K_PATH, OFF(key_file), "signing.key",
	  0, 0, 0, NULL },
	{ "token", "issuer", K_STRING, OFF(issuer), "patrol", 0, 0, 0, NULL },
	{ "secrets", "key_file", K_PATH, OFF(secrets_key_file), "secrets.key",
	  0, 0, 0, NULL },
	{ "secrets", "duo_properties", K_NAMES, OFF(secret_duo_properties),
	  NULL, 0, 0, 0, NULL },
	{ "token", "lifetime", K_LONG, OFF(token_lifetime), NULL, 43199,
	  60, 604800, NULL },
	{ "limits", "request_body_max", K_SIZE, OFF(body_max), NULL, 65536,
	  1024, 16777216, NULL },
	{ "limits", "requests_per_token", K_LONG, OFF(requests_per_token),
	  NULL, 100, 0, 1000000000, NULL },
	{ "limits", "window_seconds", K_LONG, OFF(window_seconds), NULL, 10,
	  1, 86400, NULL },
	{ "limits", "auth_failures", K_LONG, OFF(auth_failures), NULL, 10,
	  0, 1000000000, NULL },
	{ "limits", "auth_window_seconds", K_LONG, OFF(auth_window_seconds),
	  NULL, 60, 1, 86400, NULL },
	{ "limits", "state_file", K_PATH, OFF(limits_file), "ratelimit.state",
	  0, 0, 0, NULL },
	{ "pat", "last_used_interval", K_LONG, OFF(last_used_interval),
	  NULL, 86400, 0, 31536000, NULL },
	{ "pat", "default_expiry", K_DAYS, OFF(pat_default_expiry), NULL,
	  182, 1, 36500, NULL },
	{ "pat", "max_per_owner", K_LONG, OFF(pat_max_per_owner), NULL, 10,
	  0, 1000000, NULL },
	{ "files", "group", K_STRING, OFF(files_group), NULL, 0, 0, 0, NULL },
	{ "audit", "retention_days", K_LONG, OFF(audit_retention_days), NULL,
	  365, 0, 36500, NULL },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static const char *const groups[] = {
	"database", "token", "secrets", "limits", "pat", "files", "audit",
	NULL
};

/* What one load works on; all pointers borrowed. */
struct loading {
	const char		*path;	/* as given by the caller */
	const char		*dir;	/* absolute directory of path */
	struct patrol_conf	*conf;
	struct patrol_error	*err;
};

const char *
patrol_conf_default_path(void)
{
	return SYSCONFDIR "/patrol/patrol.conf";
}

static void
names_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void
patrol_conf_free(struct patrol_conf *conf)
{
	if (conf == NULL)
		return;
	free(conf->path);
	free(conf->db_backend);
	free(conf->db_path);
	free(conf->db_conninfo);
	free(conf->key_file);
	free(conf->secrets_key_file);
	free(conf->limits_file);
	names_free(conf->secret_duo_properties);
	free(conf->issuer);
	free(conf->files_group);
	free(conf);
}

static enum patrol_err
oom(struct patrol_error *err)
{
	return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
	    "out of memory");
}

/*
 * Fills err with PATROL_ERR_CONFIG, err->line and "file:line: message".
 * `file` is the file the setting came from: NULL for the main file, or the
 * name of an @include'd file as written (relative to the directory).
 */
static enum patrol_err
conf_error(struct loading *c, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static enum patrol_err
conf_error(struct loading *c, const char *file, int line, const char *fmt, ...)
{
	char	 text[PATROL_ERROR_TEXT_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (file == NULL)
		patrol_error_set(c->err, PATROL_ERR_CONFIG, PATROL_NOPOS,
		    "%s:%d: %s", c->path, line, text);
	else if (file[0] == '/')
		patrol_error_set(c->err, PATROL_ERR_CONFIG, PATROL_NOPOS,
		    "%s:%d: %s", file, line, text);
	else
		patrol_error_set(c->err, PATROL_ERR_CONFIG, PATROL_NOPOS,
		    "%s/%s:%d: %s", c->dir, file, line, text);
	if (c->err != NULL)
		c->err->line = line;
	return PATROL_ERR_CONFIG;
}

/* conf_error() located at setting s. */
#define SETTING_ERROR(c, s, ...) \
	conf_error((c), config_setting_source_file(s), \
	    (int)config_setting_source_line(s), __VA_ARGS__)

/*
 * Reads the whole file at path into a new NUL-terminated string (*out,
 * *len). PATROL_ERR_IO "path: strerror" on failure.
 */
static enum patrol_err
slurp(const char *path, char **out, size_t *len, struct patrol_error *err)
{
	struct pbuf	 b = { 0 };
	char		 chunk[8192];
	ssize_t		 n;
	int		 fd, saved;
	enum patrol_err	 rc = PATROL_OK;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
		    "%s: %s", path, strerror(errno));
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			rc = patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
			    "%s: %s", path, strerror(saved));
			goto out;
		}
		if (n == 0)
			break;
		if (b.len + (size_t)n > CONF_SIZE_MAX) {
			rc = patrol_error_set(err, PATROL_ERR_CONFIG,
			    PATROL_NOPOS, "%s: file is larger than %d bytes",
			    path, CONF_SIZE_MAX);
			goto out;
		}
		if (pbuf_add(&b, chunk, (size_t)n) == -1) {
			rc = oom(err);
			goto out;
		}
	}
	/* An empty file is a valid, empty configuration. */
	if (b.len == 0 && pbuf_add(&b, "", 0) == -1) {
		rc = oom(err);
		goto out;
	}
	*len = b.len;
	*out = pbuf_take(&b);
out:
	close(fd);
	pbuf_free(&b);
	return rc;
}

/* Sets *out to the absolute, symlink-free directory of path (new). */
static enum patrol_err
file_dir(const char *path, char **out, struct patrol_error *err)
{
	const char	*slash;
	char		*dir;
	enum patrol_err	 rc = PATROL_OK;

	if ((slash = strrchr(path, '/')) == NULL)
		dir = xstrndup(".", 1);
	else if (slash == path)
		dir = xstrndup("/", 1);
	else
		dir = xstrndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return oom(err);
	if ((*out = realpath(dir, NULL)) == NULL)
		rc = errno == ENOMEM ? oom(err) : patrol_error_set(err,
		    PATROL_ERR_IO, PATROL_NOPOS, "%s: %s", dir,
		    strerror(errno));
	free(dir);
	return rc;
}

/* Stores a new copy of s (a path resolved against c->dir when `path` is
 * set) into the string member at `off`, freeing the previous value. */
static enum patrol_err
set_string(struct loading *c, size_t off, const char *s, int path)
{
	char	**dst = (char **)(void *)((char *)c->conf + off);
	char	 *v;
	size_t	  dlen, slen = strlen(s);

	if (!path || s[0] == '/')
		v = xstrndup(s, slen);
	else {
		dlen = strlen(c->dir);
		if ((v = malloc(dlen + 1 + slen + 1)) != NULL) {
			memcpy(v, c->dir, dlen);
			/* The root directory already ends in a slash. */
			if (dlen == 0 || c->dir[dlen - 1] != '/')
				v[dlen++] = '/';
			memcpy(v + dlen, s, slen + 1);
		}
	}
	if (v == NULL)
		return oom(c->err);
	free(*dst);
	*dst = v;
	return PATROL_OK;
}

static void
set_number(struct loading *c, const struct key *k, long long v)
{
	void	*dst = (char *)c->conf + k->off;

	switch (k->type) {
	case K_INT:
		*(int *)dst = (int)v;
		break;
	case K_LONG:
	case K_DAYS:
		*(long *)dst = (long)v;
		break;
	case K_SIZE:
		*(size_t *)dst = (size_t)v;
		break;
	default:
		break;
	}
}

/* A list of names: an array (or list) of non-empty UTF-8 strings without
 * duplicates, at most 64 of them, as a NULL-terminated array. */
static enum patrol_err
set_names(struct loading *c, const struct key *k, const config_setting_t *s)
{
	char		***dst = (char ***)(void *)((char *)c->conf + k->off);
	const config_setting_t *e;
	const char	*str;
	char		**v;
	int		 i, j, n;

	if (!config_setting_is_aggregate(s) || config_setting_is_group(s))
		return SETTING_ERROR(c, s, "%s.%s must be a list of strings, "
		    "e.g. [ \"skey\" ]", k->group, k->name);
	if ((n = config_setting_length(s)) > 64)
		return SETTING_ERROR(c, s, "%s.%s has more than 64 names",
		    k->group, k->name);
	if ((v = calloc((size_t)n + 1, sizeof(*v))) == NULL)
		return patrol_error_set(c->err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	for (i = 0; i < n; i++) {
		e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    (str = config_setting_get_string(e))[0] == '\0' ||
		    !utf8_valid(str, strlen(str))) {
			names_free(v);
			return SETTING_ERROR(c, s, "%s.%s: name %d is not a "
			    "non-empty string", k->group, k->name, i + 1);
		}
		for (j = 0; j < i; j++)
			if (strcmp(v[j], str) == 0) {
				names_free(v);
				return SETTING_ERROR(c, s, "%s.%s: \"%s\" is "
				    "named twice", k->group, k->name, str);
			}
		if ((v[i] = xstrndup(str, strlen(str))) == NULL) {
			names_free(v);
			return patrol_error_set(c->err, PATROL_ERR_NOMEM,
			    PATROL_NOPOS, "out of memory");
		}
	}
	names_free(*dst);
	*dst = v;
	return PATROL_OK;
}

static enum patrol_err
apply_defaults(struct loading *c)
{
	size_t		 i;
	enum patrol_err	 rc;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type == K_STRING || keys[i].type == K_PATH) {
			if (keys[i].defstr == NULL)
				continue;
			rc = set_string(c, keys[i].off, keys[i].defstr,
			    keys[i].type == K_PATH);
			if (rc != PATROL_OK)
				return rc;
		} else if (keys[i].type != K_NAMES)
			set_number(c, &keys[i], keys[i].defnum);
	}
	return PATROL_OK;
}

static const struct key *
key_find(const char *group, const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].group, group) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static int
in_list(const char *const *list, const char *s)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* "group.name must be "a", "b" or "c"" at setting s. */
static enum patrol_err
bad_choice(struct loading *c, const struct key *k, const config_setting_t *s)
{
	struct pbuf	 b = { 0 };
	size_t		 i;
	enum patrol_err	 rc;

	for (i = 0; k->choices[i] != NULL; i++) {
		if (i > 0)
			pbuf_adds(&b, k->choices[i + 1] == NULL ?
			    " or " : ", ");
		pbuf_printf(&b, "\"%s\"", k->choices[i]);
	}
	if (b.oom)
		rc = oom(c->err);
	else
		rc = SETTING_ERROR(c, s, "%s.%s must be %s", k->group,
		    k->name, b.s);
	pbuf_free(&b);
	return rc;
}

/* Checks one setting `s` of a group against its table entry k and stores
 * its value. */
static enum patrol_err
apply_setting(struct loading *c, const struct key *k, const config_setting_t *s)
{
	const char	*str;
	long long	 v;
	int		 type = config_setting_type(s);

	if (k->type == K_STRING || k->type == K_PATH) {
		if (type != CONFIG_TYPE_STRING)
			return SETTING_ERROR(c, s, "%s.%s must be a string",
			    k->group, k->name);
		str = config_setting_get_string(s);
		if (str[0] == '\0')
			return SETTING_ERROR(c, s, "%s.%s must not be empty",
			    k->group, k->name);
		/* File names are bytes; other strings are text. */
		if (k->type == K_STRING && !utf8_valid(str, strlen(str)))
			return SETTING_ERROR(c, s, "%s.%s is not valid UTF-8",
			    k->group, k->name);
		if (k->choices != NULL && !in_list(k->choices, str))
			return bad_choice(c, k, s);
		return set_string(c, k->off, str, k->type == K_PATH);
	}
	if (k->type == K_NAMES)
		return set_names(c, k, s);
	if (k->type == K_DAYS && type == CONFIG_TYPE_STRING) {
		if (strcmp(config_setting_get_string(s), "never") != 0)
			return SETTING_ERROR(c, s, "%s.%s must be a number "
			    "of days or \"never\"", k->group, k->name);
		set_number(c, k, 0);
		return PATROL_OK;
	}
	if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
		return SETTING_ERROR(c, s, k->type == K_DAYS ?
		    "%s.%s must be a number of days or \"never\"" :
		    "%s.%s must be an integer", k->group, k->name);
	v = config_setting_get_int64(s);
	if (v < k->min || v > k->max)
		return SETTING_ERROR(c, s, k->type == K_DAYS ?
		    "%s.%s must be between %lld and %lld days, or \"never\", "
		    "not %lld" :
		    "%s.%s must be between %lld and %lld, not %lld",
		    k->group, k->name, k->min, k->max, v);
	set_number(c, k, v);
	return PATROL_OK;
}

/* Walks the settings in file order: known groups, known keys, types,
 * ranges; then the checks that involve several settings. */
static enum patrol_err
apply_file(struct loading *c, config_t *cfg)
{
	config_setting_t	*root, *g, *s, *backend = NULL;
	const struct key	*k;
	const char		*gname;
	int			 i, j, ng, ns;
	enum patrol_err		 rc;

	root = config_root_setting(cfg);
	ng = config_setting_length(root);
	for (i = 0; i < ng; i++) {
		g = config_setting_get_elem(root, (unsigned)i);
		gname = config_setting_name(g);
		if (!in_list(groups, gname))
			return SETTING_ERROR(c, g, "unknown setting \"%s\" "
			    "(known groups: database, token, secrets, limits, "
			    "pat, files, audit)",
			    gname);
		if (!config_setting_is_group(g))
			return SETTING_ERROR(c, g, "%s must be a group "
			    "(%s = { ... };)", gname, gname);
		ns = config_setting_length(g);
		for (j = 0; j < ns; j++) {
			s = config_setting_get_elem(g, (unsigned)j);
			k = key_find(gname, config_setting_name(s));
			if (k == NULL)
				return SETTING_ERROR(c, s,
				    "unknown setting \"%s.%s\"", gname,
				    config_setting_name(s));
			if ((rc = apply_setting(c, k, s)) != PATROL_OK)
				return rc;
			if (k->off == OFF(db_backend))
				backend = s;
		}
	}
	if (backend != NULL && c->conf->db_conninfo == NULL &&
	    strcmp(c->conf->db_backend, "postgresql") == 0)
		return SETTING_ERROR(c, backend, "database.conninfo must be "
		    "set when database.backend is \"postgresql\"");
	return PATROL_OK;
}

/* A NUL byte would silently end the text libconfig parses: refuse it. */
static enum patrol_err
check_nul(struct loading *c, const char *text, size_t len)
{
	const char	*nul, *p;
	int		 line = 1;

	if ((nul = memchr(text, '\0', len)) == NULL)
		return PATROL_OK;
	for (p = text; p < nul; p++)
		if (*p == '\n')
			line++;
	return conf_error(c, NULL, line, "NUL byte in file");
}

enum patrol_err
patrol_conf_load(const char *path, struct patrol_conf **out,
    struct patrol_error *err)
{
	struct patrol_conf	*conf = NULL;
	struct loading		 c;
	config_t		 cfg;
	char			*text = NULL, *dir = NULL;
	size_t			 len;
	enum patrol_err		 rc;

	config_init(&cfg);
	*out = NULL;
	if ((rc = slurp(path, &text, &len, err)) != PATROL_OK)
		goto out;
	if ((rc = file_dir(path, &dir, err)) != PATROL_OK)
		goto out;
	if ((conf = calloc(1, sizeof(*conf))) == NULL) {
		rc = oom(err);
		goto out;
	}
	c.path = path;
	c.dir = dir;
	c.conf = conf;
	c.err = err;
	if ((conf->path = xstrndup(path, strlen(path))) == NULL) {
		rc = oom(err);
		goto out;
	}
	if ((rc = apply_defaults(&c)) != PATROL_OK)
		goto out;
	if ((rc = check_nul(&c, text, len)) != PATROL_OK)
		goto out;
	/* @include "file" is relative to the directory, like the paths. */
	config_set_include_dir(&cfg, dir);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		rc = conf_error(&c, config_error_file(&cfg),
		    config_error_line(&cfg), "%s", config_error_text(&cfg));
		goto out;
	}
	if ((rc = apply_file(&c, &cfg)) != PATROL_OK)
		goto out;
	*out = conf;
	conf = NULL;
out:
	config_destroy(&cfg);
	patrol_conf_free(conf);
	free(text);
	free(dir);
	return rc;
}
