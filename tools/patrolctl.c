/*
 * patrolctl: administration of a patrol installation. Creates the database
 * and the signing key, adds identities and personal access tokens, lists
 * and shows them, and shows or replaces the Duo MFA configuration.
 *
 * Exit status: 0 on success, 1 on failure (a message on stderr), 2 on a
 * usage error (a message and a one-line usage hint on stderr).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"

#define EXIT_USAGE	2
#define DUO_INPUT_MAX	(1024 * 1024)	/* bytes of a `mfa duo set` body */

#define STR1(x)		#x
#define STR(x)		STR1(x)

/* Returned by nextopt() besides getopt_long's values. */
#define OPT_HELP	(-2)	/* --help was printed: exit 0 */
#define OPT_BAD		(-3)	/* a usage error was printed: exit 2 */

struct ctx {
	const char		*confpath;
	struct patrol_conf	*conf;
	struct patrol_store	*st;
};

struct cmd {
	const char	*name;	/* its words, e.g. "pat create" */
	const char	*args;	/* synopsis of its arguments */
	const char	*help;	/* what --help prints after the synopsis */
	int		(*run)(struct ctx *, const struct cmd *, int, char **);
};

static void
msg(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static void
msg(const char *fmt, ...)
{
	va_list	 ap;

	fputs("patrolctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage_line(const struct cmd *c, FILE *f)
{
	fprintf(f, "usage: patrolctl %s%s%s\n", c->name,
	    c->args[0] != '\0' ? " " : "", c->args);
}

static int
usage_error(const struct cmd *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
usage_error(const struct cmd *c, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "patrolctl: %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage_line(c, stderr);
	return EXIT_USAGE;
}

static int
nomem(const struct cmd *c)
{
	msg("%s: %s", c->name, strerror(ENOMEM));
	return EXIT_FAILURE;
}

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
static void
wipe(void *p, size_t n)
{
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
}

/*
 * Says why getopt_long returned ch (':' or '?'); `cmd` is the command's name
 * or NULL for the global options.
 */
static void
badopt(const char *cmd, int ch, int argc, char **argv)
{
	const char	*arg, *eq;

	arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	fprintf(stderr, "patrolctl: %s%s", cmd != NULL ? cmd : "",
	    cmd != NULL ? ": " : "");
	if (ch == ':')
		fprintf(stderr, "option '%s' needs an argument\n", arg);
	else if (strncmp(arg, "--", 2) == 0 && (eq = strchr(arg, '=')) != NULL)
		fprintf(stderr, "option '%.*s' is unknown or takes no "
		    "argument\n", (int)(eq - arg), arg);
	else if (strncmp(arg, "--", 2) == 0 || optopt == 0)
		fprintf(stderr, "unknown option '%s'\n", arg);
	else
		fprintf(stderr, "unknown option '-%c'\n", optopt);
}

/*
 * getopt_long over a command's options, which all carry --help (-h). Returns
 * the option's value, -1 at the end, OPT_HELP after printing the help, or
 * OPT_BAD after printing a usage error.
 */
static int
nextopt(const struct cmd *c, int argc, char **argv,
    const struct option *opts)
{
	int	 ch;

	ch = getopt_long(argc, argv, ":h", opts, NULL);
	switch (ch) {
	case 'h':
		usage_line(c, stdout);
		fputs(c->help, stdout);
		return OPT_HELP;
	case ':':
	case '?':
		badopt(c->name, ch, argc, argv);
		usage_line(c, stderr);
		return OPT_BAD;
	default:
		return ch;
	}
}

/* Records a string option given once; a usage error when repeated. */
static int
setopt(const struct cmd *c, const char **slot, const char *name)
{
	if (*slot != NULL) {
		usage_error(c, "option --%s given more than once", name);
		return -1;
	}
	*slot = optarg;
	return 0;
}

/* Width of a UTF-8 string in code points. */
static size_t
utf8_width(const char *s)
{
	size_t	 w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Checks an identity or PAT name given as option `opt`: 1 to
 * PATROL_NAME_MAX bytes of UTF-8 without control characters. */
static int
check_name(const struct cmd *c, const char *opt, const char *s)
{
	size_t	 i, len = strlen(s);

	if (len == 0) {
		msg("%s: --%s: must not be empty", c->name, opt);
		return -1;
	}
	if (len > PATROL_NAME_MAX) {
		msg("%s: --%s: longer than %d bytes", c->name, opt,
		    PATROL_NAME_MAX);
		return -1;
	}
	if (!patrol_utf8_valid(s, len)) {
		msg("%s: --%s: not valid UTF-8", c->name, opt);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
			msg("%s: --%s: control characters are not allowed",
			    c->name, opt);
			return -1;
		}
	return 0;
}

/* Checks an id given as `what` (an option or "ID"). */
static int
check_id(const struct cmd *c, const char *what, const char *s)
{
	if (patrol_id_valid(s))
		return 0;
	msg("%s: %s: '%s' is not a valid id (%d lowercase hexadecimal "
	    "characters)", c->name, what, s, PATROL_ID_LEN);
	return -1;
}

/*
 * A comma-separated list, split in place in a private copy: an empty string
 * is an empty list, every other string has (commas + 1) items, some of which
 * may be empty.
 */
struct list {
	char	*buf;
	char	**v;
	size_t	 n;
};

static int
list_split(const char *s, struct list *l)
{
	const char	*q;
	char		*p;
	size_t		 n = 1;

	memset(l, 0, sizeof(*l));
	if (*s == '\0')
		return 0;
	for (q = s; *q != '\0'; q++)
		if (*q == ',')
			n++;
	if ((l->buf = strdup(s)) == NULL ||
	    (l->v = calloc(n, sizeof(*l->v))) == NULL) {
		free(l->buf);
		l->buf = NULL;
		return -1;
	}
	for (p = l->buf; l->n < n; p++) {
		l->v[l->n++] = p;
		if ((p = strchr(p, ',')) == NULL)
			break;
		*p = '\0';
	}
	return 0;
}

static void
list_free(struct list *l)
{
	free(l->buf);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Returns the index of the first item that occurs twice, or -1. */
static long
list_dup(const struct list *l)
{
	size_t	 i, j;

	for (i = 1; i < l->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(l->v[i], l->v[j]) == 0)
				return (long)i;
	return -1;
}

/* Checks --rights: known rights, no empty item, none twice. */
static int
check_rights(const struct cmd *c, const struct list *l)
{
	size_t	 i, k;
	long	 d;

	for (i = 0; i < l->n; i++) {
		if (l->v[i][0] == '\0') {
			msg("%s: --rights: empty right in the list", c->name);
			return -1;
		}
		if (patrol_right_known(l->v[i]))
			continue;
		fprintf(stderr, "patrolctl: %s: --rights: unknown right '%s' "
		    "(known rights:", c->name, l->v[i]);
		for (k = 0; patrol_right_names()[k] != NULL; k++)
			fprintf(stderr, "%s %s", k > 0 ? "," : "",
			    patrol_right_names()[k]);
		fputs(")\n", stderr);
		return -1;
	}
	if ((d = list_dup(l)) != -1) {
		msg("%s: --rights: '%s' given more than once", c->name,
		    l->v[d]);
		return -1;
	}
	return 0;
}

/* A scope-token of RFC 6749 section 3.3: %x21 / %x23-5B / %x5D-7E. */
static int
scope_char(unsigned char ch)
{
	return ch == 0x21 || (ch >= 0x23 && ch <= 0x5b) ||
	    (ch >= 0x5d && ch <= 0x7e);
}

/* Checks --scope: 1 to PATROL_SCOPE_MAX scopes, each 1 to
 * PATROL_SCOPE_LEN_MAX scope-token characters, none twice. */
static int
check_scope(const struct cmd *c, const struct list *l)
{
	size_t	 i, j, len;
	long	 d;

	if (l->n == 0) {
		msg("%s: --scope: empty list (leave --scope out for the "
		    "default, " PATROL_SCOPE_ALL ")", c->name);
		return -1;
	}
	if (l->n > PATROL_SCOPE_MAX) {
		msg("%s: --scope: more than %d scopes", c->name,
		    PATROL_SCOPE_MAX);
		return -1;
	}
	for (i = 0; i < l->n; i++) {
		if ((len = strlen(l->v[i])) == 0) {
			msg("%s: --scope: empty scope in the list", c->name);
			return -1;
		}
		if (len > PATROL_SCOPE_LEN_MAX) {
			msg("%s: --scope: scope %zu is longer than %d bytes",
			    c->name, i + 1, PATROL_SCOPE_LEN_MAX);
			return -1;
		}
		for (j = 0; j < len; j++)
			if (!scope_char((unsigned char)l->v[i][j])) {
				msg("%s: --scope: scope %zu has a character "
				    "not allowed in a scope (byte %zu; see "
				    "RFC 6749, section 3.3)", c->name, i + 1,
				    j + 1);
				return -1;
			}
	}
	if ((d = list_dup(l)) != -1) {
		msg("%s: --scope: '%s' given more than once", c->name,
		    l->v[d]);
		return -1;
	}
	return 0;
}

/* Loads the configuration and opens the store (created when `create`). */
static int
ctx_open(struct ctx *x, const struct cmd *c, int create)
{
	struct patrol_error	 err = { 0 };

	if (x->conf == NULL &&
	    patrol_conf_load(x->confpath, &x->conf, &err) != PATROL_OK) {
		msg("%s", err.text);
		return -1;
	}
	if (patrol_store_open(x->conf, create, &x->st, &err) != PATROL_OK) {
		msg("%s: %s", c->name, err.text);
		return -1;
	}
	return 0;
}

/* Prints j (a new reference, stolen; NULL means out of memory) and a
 * newline on stdout, indented or compact. */
static int
print_json(const struct cmd *c, json_t *j, int indent)
{
	int	 rc = EXIT_SUCCESS;

	if (j == NULL)
		return nomem(c);
	if (json_dumpf(j, stdout, indent ? JSON_INDENT(2) : JSON_COMPACT) ||
	    putchar('\n') == EOF) {
		msg("%s: writing the output failed", c->name);
		rc = EXIT_FAILURE;
	}
	json_decref(j);
	return rc;
}

/* Writes ms as an API time into buf (PATROL_TIME_BUFSZ), "-" when < 0. */
static const char *
fmt_time(int64_t ms, char *buf)
{
	if (ms < 0)
		return "-";
	if (patrol_time_format(ms, buf) == -1)
		snprintf(buf, PATROL_TIME_BUFSZ, "%" PRId64, ms);
	return buf;
}

/* The scope of a PAT as text: comma-separated, "(default)" for null,
 * "(none)" for an empty list. New string, NULL on ENOMEM. */
static char *
fmt_scope(const struct patrol_pat *pat)
{
	char	*s, *p;
	size_t	 i, len = 1;

	if (pat->scope_null)
		return strdup("(default)");
	if (pat->nscope == 0)
		return strdup("(none)");
	for (i = 0; i < pat->nscope; i++)
		len += strlen(pat->scope[i]) + 1;
	if ((p = s = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < pat->nscope; i++) {
		if (i > 0)
			*p++ = ',';
		len = strlen(pat->scope[i]);
		memcpy(p, pat->scope[i], len);
		p += len;
	}
	*p = '\0';
	return s;
}

static json_t *
identity_json(const struct patrol_identity *id)
{
	json_t	*rights;
	size_t	 i;

	if ((rights = json_array()) == NULL)
		return NULL;
	for (i = 0; i < id->nrights; i++)
		if (json_array_append_new(rights,
		    json_string(id->rights[i])) == -1) {
			json_decref(rights);
			return NULL;
		}
	/* "o" steals rights, also on failure. */
	return json_pack("{s:s, s:s, s:o}", "id", id->id, "name", id->name,
	    "rights", rights);
}

static void
identity_print(const struct patrol_identity *id)
{
	size_t	 i;

	printf("id: %s\nname: %s\nrights:", id->id, id->name);
	if (id->nrights == 0)
		fputs(" (none)", stdout);
	for (i = 0; i < id->nrights; i++)
		printf("%s%s", i > 0 ? "," : " ", id->rights[i]);
	putchar('\n');
}

/* ------------------------------------------------------------------ */
/* init                                                                */
/* ------------------------------------------------------------------ */

static int
cmd_init(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	struct patrol_key	*key = NULL;
	struct stat		 sb;
	char			 what[64];
	const char		*db;
	enum patrol_err		 rc;
	int			 ch, existed = 1;

	if ((ch = nextopt(c, argc, argv, opts)) != -1)
		return ch == OPT_HELP ? EXIT_SUCCESS : EXIT_USAGE;
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind]);

	if (patrol_conf_load(x->confpath, &x->conf, &err) != PATROL_OK) {
		msg("%s", err.text);
		return EXIT_FAILURE;
	}

	/*
	 * A database that exists is first opened as it is, to tell an
	 * initialised one from one that needs its schema created.
	 */
	if (strcmp(x->conf->db_backend, "sqlite") == 0 &&
	    x->conf->db_path != NULL) {
		db = x->conf->db_path;
		existed = stat(db, &sb) == 0;
	} else {
		snprintf(what, sizeof(what), "%s database",
		    x->conf->db_backend);
		db = what;
	}
	if (existed) {
		rc = patrol_store_open(x->conf, 0, &x->st, &err);
		if (rc == PATROL_OK)
			printf("database %s already initialised (schema %d)\n",
			    db, PATROL_SCHEMA_VERSION);
		else if (rc != PATROL_ERR_SCHEMA) {
			msg("%s: %s", c->name, err.text);
			return EXIT_FAILURE;
		}
	}
	if (x->st == NULL) {
		if (patrol_store_open(x->conf, 1, &x->st, &err) != PATROL_OK) {
			msg("%s: %s", c->name, err.text);
			return EXIT_FAILURE;
		}
		printf("%s database %s (schema %d)\n",
		    existed ? "initialised" : "created", db,
		    PATROL_SCHEMA_VERSION);
	}

	rc = patrol_key_generate(x->conf->key_file, &err);
	if (rc == PATROL_OK) {
		printf("created signing key %s\n", x->conf->key_file);
		return EXIT_SUCCESS;
	}
	if (rc != PATROL_ERR_EXISTS) {
		msg("%s: %s", c->name, err.text);
		return EXIT_FAILURE;
	}
	if (patrol_key_load(x->conf->key_file, &key, &err) != PATROL_OK) {
		msg("%s: %s", c->name, err.text);
		return EXIT_FAILURE;
	}
	patrol_key_free(key);
	printf("signing key %s already exists\n", x->conf->key_file);
	return EXIT_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* identity                                                            */
/* ------------------------------------------------------------------ */

static int
cmd_identity_add(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "rights", required_argument, NULL, 'r' },
		{ "id", required_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	struct patrol_identity	 ident;
	struct list		 rights = { 0 };
	const char		*name = NULL, *rlist = NULL, *id = NULL;
	enum patrol_err		 rc;
	int			 ch, json = 0, ret = EXIT_FAILURE;

	while ((ch = nextopt(c, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'n':
			if (setopt(c, &name, "name") == -1)
				return EXIT_USAGE;
			break;
		case 'r':
			if (setopt(c, &rlist, "rights") == -1)
				return EXIT_USAGE;
			break;
		case 'i':
			if (setopt(c, &id, "id") == -1)
				return EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		case OPT_HELP:
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind]);
	if (name == NULL)
		return usage_error(c, "missing --name");
	if (rlist == NULL)
		return usage_error(c, "missing --rights (\"\" for none)");

	memset(&ident, 0, sizeof(ident));
	if (check_name(c, "name", name) == -1)
		goto out;
	if (id != NULL) {
		if (check_id(c, "--id", id) == -1)
			goto out;
		memcpy(ident.id, id, PATROL_ID_LEN + 1);
	} else if ((rc = patrol_id_new(ident.id)) != PATROL_OK) {
		msg("%s: %s", c->name, patrol_strerror(rc));
		goto out;
	}
	if (list_split(rlist, &rights) == -1) {
		ret = nomem(c);
		goto out;
	}
	if (check_rights(c, &rights) == -1)
		goto out;
	ident.name = (char *)name;
	ident.rights = rights.v;
	ident.nrights = rights.n;

	if (ctx_open(x, c, 0) == -1)
		goto out;
	rc = patrol_store_identity_add(x->st, &ident, &err);
	if (rc == PATROL_ERR_EXISTS) {
		msg("%s: identity %s already exists", c->name, ident.id);
		goto out;
	} else if (rc != PATROL_OK) {
		msg("%s: %s", c->name, err.text);
		goto out;
	}
	if (json)
		ret = print_json(c, identity_json(&ident), 0);
	else {
		puts(ident.id);
		ret = EXIT_SUCCESS;
	}
out:
	list_free(&rights);
	return ret;
}

static int
cmd_identity_show(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	struct patrol_identity	 ident;
	enum patrol_err		 rc;
	int			 ch, json = 0, ret = EXIT_FAILURE;

	while ((ch = nextopt(c, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case OPT_HELP:
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind == argc)
		return usage_error(c, "missing ID");
	if (optind + 1 < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind + 1]);
	if (check_id(c, "ID", argv[optind]) == -1)
		return EXIT_FAILURE;
	if (ctx_open(x, c, 0) == -1)
		return EXIT_FAILURE;

	memset(&ident, 0, sizeof(ident));
	rc = patrol_store_identity_get(x->st, argv[optind], &ident, &err);
	if (rc == PATROL_ERR_NOTFOUND)
		msg("%s: identity %s does not exist", c->name, argv[optind]);
	else if (rc != PATROL_OK)
		msg("%s: %s", c->name, err.text);
	else if (json)
		ret = print_json(c, identity_json(&ident), 0);
	else {
		identity_print(&ident);
		ret = EXIT_SUCCESS;
	}
	patrol_identity_clear(&ident);
	return ret;
}

/* ------------------------------------------------------------------ */
/* pat                                                                 */
/* ------------------------------------------------------------------ */

static int
cmd_pat_create(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "owner", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "scope", required_argument, NULL, 's' },
		{ "managed", no_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	struct patrol_pat	 pat;
	struct patrol_pat_spec	 spec;
	struct list		 scope = { 0 };
	char			 secret[PATROL_SECRET_LEN + 1];
	const char		*owner = NULL, *name = NULL, *slist = NULL;
	enum patrol_err		 rc;
	int			 ch, json = 0, managed = 0;
	int			 ret = EXIT_FAILURE;

	while ((ch = nextopt(c, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'o':
			if (setopt(c, &owner, "owner") == -1)
				return EXIT_USAGE;
			break;
		case 'n':
			if (setopt(c, &name, "name") == -1)
				return EXIT_USAGE;
			break;
		case 's':
			if (setopt(c, &slist, "scope") == -1)
				return EXIT_USAGE;
			break;
		case 'm':
			managed = 1;
			break;
		case 'j':
			json = 1;
			break;
		case OPT_HELP:
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind]);
	if (owner == NULL)
		return usage_error(c, "missing --owner");
	if (name == NULL)
		return usage_error(c, "missing --name");

	memset(&pat, 0, sizeof(pat));
	memset(&spec, 0, sizeof(spec));
	memset(secret, 0, sizeof(secret));
	if (check_id(c, "--owner", owner) == -1 ||
	    check_name(c, "name", name) == -1)
		goto out;
	if (slist != NULL) {
		if (list_split(slist, &scope) == -1) {
			ret = nomem(c);
			goto out;
		}
		if (check_scope(c, &scope) == -1)
			goto out;
		spec.scope = scope.v;
		spec.nscope = scope.n;
	} else
		spec.scope_null = 1;
	if (ctx_open(x, c, 0) == -1)
		goto out;
	spec.owner_id = owner;
	spec.name = name;
	spec.managed = managed;
	rc = patrol_pat_create(x->st, x->conf, &spec, patrol_time_now(), &pat,
	    secret, &err);
	if (rc == PATROL_ERR_NOTFOUND) {
		msg("%s: owner %s does not exist", c->name, owner);
		goto out;
	} else if (rc == PATROL_ERR_EXISTS) {
		msg("%s: owner %s already has a personal access token named "
		    "'%s'", c->name, owner, name);
		goto out;
	} else if (rc != PATROL_OK) {
		msg("%s: %s", c->name, err.text);
		goto out;
	}
	if (json)
		ret = print_json(c, json_pack("{s:s, s:s}", "id", pat.id,
		    "secret", secret), 0);
	else {
		printf("id: %s\nsecret: %s\n", pat.id, secret);
		ret = EXIT_SUCCESS;
	}
out:
	patrol_pat_clear(&pat);
	wipe(secret, sizeof(secret));
	list_free(&scope);
	return ret;
}

#define NCOLS 7

static const char *const pat_columns[NCOLS] = {
	"ID", "NAME", "OWNER", "CREATED", "LAST USED", "MANAGED", "SCOPE"
};

struct row {
	char	*cell[NCOLS];
};

/* State of `pat list` across the store's callbacks. */
struct listing {
	const struct patrol_filter	*filter;	/* or NULL */
	int				 json;
	size_t				 count;		/* PATs shown */
	struct row			*rows;		/* table output */
	size_t				 nrows, maxrows;
	enum patrol_err			 rc;		/* why it stopped */
};

static int
row_add(struct listing *l, const struct patrol_pat *pat)
{
	struct row	*r;
	char		 buf[PATROL_TIME_BUFSZ];
	size_t		 i, n;

	if (l->nrows == l->maxrows) {
		n = l->maxrows == 0 ? 64 : l->maxrows * 2;
		if ((r = reallocarray(l->rows, n, sizeof(*r))) == NULL)
			return -1;
		l->rows = r;
		l->maxrows = n;
	}
	r = &l->rows[l->nrows];
	memset(r, 0, sizeof(*r));
	r->cell[0] = strdup(pat->id);
	r->cell[1] = strdup(pat->name != NULL ? pat->name : "");
	r->cell[2] = strdup(pat->owner_name != NULL ? pat->owner_name :
	    pat->owner_id);
	r->cell[3] = strdup(fmt_time(pat->created, buf));
	r->cell[4] = strdup(fmt_time(pat->last_used, buf));
	r->cell[5] = strdup(pat->managed ? "true" : "false");
	r->cell[6] = fmt_scope(pat);
	l->nrows++;
	for (i = 0; i < NCOLS; i++)
		if (r->cell[i] == NULL)
			return -1;
	return 0;
}

static void
rows_print(const struct listing *l)
{
	size_t	 w[NCOLS], i, j, k, cw;

	for (i = 0; i < NCOLS; i++) {
		w[i] = utf8_width(pat_columns[i]);
		for (j = 0; j < l->nrows; j++)
			if ((cw = utf8_width(l->rows[j].cell[i])) > w[i])
				w[i] = cw;
	}
	for (j = 0; j <= l->nrows; j++)
		for (i = 0; i < NCOLS; i++) {
			const char *s = j == 0 ? pat_columns[i] :
			    l->rows[j - 1].cell[i];

			fputs(s, stdout);
			if (i == NCOLS - 1) {
				putchar('\n');
				continue;
			}
			for (k = utf8_width(s); k < w[i] + 2; k++)
				putchar(' ');
		}
}

static void
rows_free(struct listing *l)
{
	size_t	 i, j;

	for (j = 0; j < l->nrows; j++)
		for (i = 0; i < NCOLS; i++)
			free(l->rows[j].cell[i]);
	free(l->rows);
	l->rows = NULL;
	l->nrows = l->maxrows = 0;
}

static int
list_cb(void *arg, const struct patrol_pat *pat)
{
	struct listing	*l = arg;
	json_t		*j;
	int		 match = 1, rc;

	if (l->filter != NULL && (l->rc = patrol_filter_eval(l->filter,
	    patrol_pat_filter_value, (void *)pat, &match)) != PATROL_OK)
		return 1;
	if (!match)
		return 0;
	if (!l->json) {
		if (row_add(l, pat) == -1) {
			l->rc = PATROL_ERR_NOMEM;
			return 1;
		}
		l->count++;
		return 0;
	}
	if ((j = patrol_pat_to_json(pat)) == NULL) {
		l->rc = PATROL_ERR_NOMEM;
		return 1;
	}
	fputs(l->count == 0 ? "[\n" : ",\n", stdout);
	rc = json_dumpf(j, stdout, JSON_COMPACT);
	json_decref(j);
	if (rc == -1 || ferror(stdout)) {
		l->rc = PATROL_ERR_IO;
		return 1;
	}
	l->count++;
	return 0;
}

/* Shows a filter error: the text, then the expression with a caret under
 * the offending byte when there is one. */
static void
filter_error(const struct cmd *c, const char *expr,
    const struct patrol_error *err)
{
	size_t	 i, len = strlen(expr);

	msg("%s: --filters: %s", c->name, err->text);
	if (err->position == PATROL_NOPOS || err->position > len)
		return;
	fputs("    ", stderr);
	for (i = 0; i < len; i++)
		fputc((unsigned char)expr[i] < 0x20 || expr[i] == 0x7f ?
		    ' ' : expr[i], stderr);
	fputs("\n    ", stderr);
	for (i = 0; i < err->position; i++)
		if (((unsigned char)expr[i] & 0xc0) != 0x80)
			fputc(' ', stderr);
	fputs("^\n", stderr);
}

static int
cmd_pat_list(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "owner", required_argument, NULL, 'o' },
		{ "filters", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	struct patrol_pat_query	 q;
	struct patrol_identity	 ident;
	struct patrol_filter	*filter = NULL;
	struct listing		 l;
	const char		*owner = NULL, *expr = NULL;
	enum patrol_err		 rc;
	int			 ch, json = 0, ret = EXIT_FAILURE;

	while ((ch = nextopt(c, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'o':
			if (setopt(c, &owner, "owner") == -1)
				return EXIT_USAGE;
			break;
		case 'f':
			if (setopt(c, &expr, "filters") == -1)
				return EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		case OPT_HELP:
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind]);

	memset(&l, 0, sizeof(l));
	memset(&ident, 0, sizeof(ident));
	if (owner != NULL && check_id(c, "--owner", owner) == -1)
		goto out;
	if (expr != NULL) {
		if (patrol_filter_parse(expr, strlen(expr), &filter,
		    &err) != PATROL_OK ||
		    patrol_filter_bind(filter, &patrol_pat_admin_filter_schema,
		    &err) != PATROL_OK) {
			filter_error(c, expr, &err);
			goto out;
		}
	}
	if (ctx_open(x, c, 0) == -1)
		goto out;
	if (owner != NULL) {
		rc = patrol_store_identity_get(x->st, owner, &ident, &err);
		if (rc == PATROL_ERR_NOTFOUND) {
			msg("%s: owner %s does not exist", c->name, owner);
			goto out;
		} else if (rc != PATROL_OK) {
			msg("%s: %s", c->name, err.text);
			goto out;
		}
	}

	memset(&q, 0, sizeof(q));
	q.owner_id = owner;
	q.include_managed = 1;
	q.filter = NULL;
	l.filter = filter;
	l.json = json;
	if ((rc = patrol_store_pat_list(x->st, &q, list_cb, &l,
	    &err)) != PATROL_OK) {
		msg("%s: %s", c->name, err.text);
		goto out;
	}
	if (l.rc != PATROL_OK) {
		msg("%s: %s", c->name, l.rc == PATROL_ERR_IO ?
		    "writing the output failed" : patrol_strerror(l.rc));
		goto out;
	}
	if (json)
		fputs(l.count == 0 ? "[]\n" : "\n]\n", stdout);
	else
		rows_print(&l);
	ret = EXIT_SUCCESS;
out:
	rows_free(&l);
	patrol_identity_clear(&ident);
	patrol_filter_free(filter);
	return ret;
}

static void
pat_print(const struct patrol_pat *pat, const char *scope)
{
	char	 buf[PATROL_TIME_BUFSZ];

	printf("id: %s\n", pat->id);
	printf("name: %s\n", pat->name);
	printf("scope: %s\n", scope);
	printf("owner.id: %s\n", pat->owner_id);
	printf("owner.name: %s\n", pat->owner_name != NULL ?
	    pat->owner_name : "-");
	printf("created: %s\n", fmt_time(pat->created, buf));
	printf("lastUsed: %s\n", fmt_time(pat->last_used, buf));
	printf("managed: %s\n", pat->managed ? "true" : "false");
}

static int
cmd_pat_show(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	struct patrol_pat	 pat;
	enum patrol_err		 rc;
	char			*scope;
	int			 ch, json = 0, ret = EXIT_FAILURE;

	while ((ch = nextopt(c, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case OPT_HELP:
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind == argc)
		return usage_error(c, "missing ID");
	if (optind + 1 < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind + 1]);
	if (check_id(c, "ID", argv[optind]) == -1)
		return EXIT_FAILURE;
	if (ctx_open(x, c, 0) == -1)
		return EXIT_FAILURE;

	memset(&pat, 0, sizeof(pat));
	rc = patrol_store_pat_get(x->st, argv[optind], &pat, &err);
	if (rc == PATROL_ERR_NOTFOUND)
		msg("%s: personal access token %s does not exist", c->name,
		    argv[optind]);
	else if (rc != PATROL_OK)
		msg("%s: %s", c->name, err.text);
	else if (json)
		ret = print_json(c, patrol_pat_to_json(&pat), 0);
	else if ((scope = fmt_scope(&pat)) == NULL)
		ret = nomem(c);
	else {
		pat_print(&pat, scope);
		free(scope);
		ret = EXIT_SUCCESS;
	}
	patrol_pat_clear(&pat);
	return ret;
}

/* ------------------------------------------------------------------ */
/* mfa duo                                                             */
/* ------------------------------------------------------------------ */

static int
cmd_duo_show(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	json_t			*config = NULL;
	int			 ch, json = 0;

	while ((ch = nextopt(c, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case OPT_HELP:
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind]);
	if (ctx_open(x, c, 0) == -1)
		return EXIT_FAILURE;
	if (patrol_duo_show(x->st, &config, &err) != PATROL_OK) {
		msg("%s: %s", c->name, err.text);
		return EXIT_FAILURE;
	}
	return print_json(c, config, !json);
}

/* Reads all of fd into *buf (new, DUO_INPUT_MAX + 1 bytes, NUL-terminated)
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

static int
cmd_duo_set(struct ctx *x, const struct cmd *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "file", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct patrol_error	 err = { 0 };
	json_t			*config = NULL;
	const char		*file = NULL, *src;
	char			*raw = NULL;
	size_t			 len = 0;
	int			 ch, fd = -1, json = 0, rd;
	int			 ret = EXIT_FAILURE;

	while ((ch = nextopt(c, argc, argv, opts)) != -1) {
		switch (ch) {
		case 'f':
			if (setopt(c, &file, "file") == -1)
				return EXIT_USAGE;
			break;
		case 'j':
			json = 1;
			break;
		case OPT_HELP:
			return EXIT_SUCCESS;
		default:
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return usage_error(c, "unexpected argument '%s'",
		    argv[optind]);

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
	if (ctx_open(x, c, 0) == -1)
		goto out;
	if (patrol_duo_update(x->st, raw, len, &config, &err) != PATROL_OK) {
		msg("%s: %s: %s", c->name, src, err.text);
		goto out;
	}
	ret = print_json(c, config, !json);
out:
	if (fd > STDIN_FILENO)
		close(fd);
	if (raw != NULL) {
		wipe(raw, len);
		free(raw);
	}
	return ret;
}

/* ------------------------------------------------------------------ */
/* Commands and main                                                   */
/* ------------------------------------------------------------------ */

static const struct cmd cmds[] = {
	{ "init", "",
	  "Creates the database (or its schema) and the signing key file named "
	  "in the\nconfiguration, when they do not exist yet; checks an "
	  "existing key. Running it\nagain changes nothing.\n",
	  cmd_init },
	{ "identity add", "--name NAME --rights R1,R2,... [--id ID] [--json]",
	  "Adds an identity and prints its id.\n"
	  "  --name NAME          display name, 1 to " STR(PATROL_NAME_MAX)
	  " bytes of UTF-8\n"
	  "  --rights R1,R2,...   comma-separated rights, \"\" for none; "
	  "known rights:\n"
	  "                       " PATROL_RIGHT_ORG_ADMIN ",\n"
	  "                       " PATROL_RIGHT_PAT_ALL_READ ",\n"
	  "                       " PATROL_RIGHT_PAT_MY_READ ",\n"
	  "                       " PATROL_RIGHT_PAT_MANAGED_READ ",\n"
	  "                       " PATROL_RIGHT_MFA_READ ",\n"
	  "                       " PATROL_RIGHT_MFA_MANAGE "\n"
	  "  --id ID              this id (" STR(PATROL_ID_LEN) " lowercase "
	  "hexadecimal characters)\n"
	  "                       instead of a random one\n"
	  "  --json               print {\"id\",\"name\",\"rights\"} as JSON\n",
	  cmd_identity_add },
	{ "identity show", "ID [--json]",
	  "Shows an identity: its id, name and rights.\n"
	  "  --json               print {\"id\",\"name\",\"rights\"} as JSON\n",
	  cmd_identity_show },
	{ "pat create",
	  "--owner ID --name NAME [--scope S1,S2,...] [--managed] [--json]",
	  "Creates a personal access token and prints its id and secret; the "
	  "secret is\nshown this once and stored only as a hash.\n"
	  "  --owner ID           the identity it belongs to\n"
	  "  --name NAME          its name, unique per owner, 1 to "
	  STR(PATROL_NAME_MAX) " bytes\n"
	  "  --scope S1,S2,...    its scopes (at most " STR(PATROL_SCOPE_MAX)
	  "); without it the scope is\n"
	  "                       null, which means " PATROL_SCOPE_ALL "\n"
	  "  --managed            mark it as managed\n"
	  "  --json               print {\"id\",\"secret\"} as JSON\n",
	  cmd_pat_create },
	{ "pat list", "[--owner ID] [--filters EXPR] [--json]",
	  "Lists personal access tokens, managed ones included, in creation "
	  "order.\n"
	  "  --owner ID           only those of this identity\n"
	  "  --filters EXPR       only those matching EXPR (patrol-filters(7));"
	  " fields: id,\n"
	  "                       name, owner.id, owner.name, created, lastUsed,"
	  " managed\n"
	  "  --json               print a JSON array as the API does\n",
	  cmd_pat_list },
	{ "pat show", "ID [--json]",
	  "Shows a personal access token (never its secret or hash).\n"
	  "  --json               print it as the API does\n",
	  cmd_pat_show },
	{ "mfa duo show", "[--json]",
	  "Shows the Duo MFA configuration as indented JSON, secrets masked.\n"
	  "  --json               print compact JSON on one line\n",
	  cmd_duo_show },
	{ "mfa duo set", "[--file FILE | --file -] [--json]",
	  "Replaces the Duo MFA configuration with the JSON object read from "
	  "FILE or\nstandard input, then shows it as `mfa duo show` does. A "
	  "secret given in its\nmasked form keeps the stored secret.\n"
	  "  --file FILE          read FILE instead of standard input\n"
	  "  --json               print compact JSON on one line\n",
	  cmd_duo_set },
};
#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void
usage(FILE *f)
{
	fputs("usage: patrolctl [--config FILE] [--help] [--version] COMMAND "
	    "[ARG ...]\n", f);
}

static void
help(void)
{
	size_t	 i;

	usage(stdout);
	puts("\nCommands:");
	for (i = 0; i < NCMDS; i++)
		printf("  %s%s%s\n", cmds[i].name,
		    cmds[i].args[0] != '\0' ? " " : "", cmds[i].args);
	printf("\nOptions:\n"
	    "  -c, --config FILE    configuration file (default: "
	    "$PATROL_CONFIG, else\n"
	    "                       %s)\n"
	    "  -h, --help           this help (COMMAND --help: a command's "
	    "options)\n"
	    "  -V, --version        the version\n"
	    "See patrolctl(8).\n", patrol_conf_default_path());
}

/* Number of leading words of `name` equal to argv[0..argc), and in
 * *nwords the number of words of `name`. */
static int
name_match(const char *name, int argc, char **argv, int *nwords)
{
	const char	*p = name, *sp;
	size_t		 len;
	int		 m = 0, matching = 1;

	*nwords = 0;
	while (*p != '\0') {
		len = (sp = strchr(p, ' ')) != NULL ? (size_t)(sp - p) :
		    strlen(p);
		if (matching && *nwords < argc &&
		    strncmp(argv[*nwords], p, len) == 0 &&
		    argv[*nwords][len] == '\0')
			m++;
		else
			matching = 0;
		(*nwords)++;
		p += len;
		if (*p == ' ')
			p++;
	}
	return m;
}

/* The word at index m of a command name and its length in *len, or NULL. */
static const char *
name_word(const char *name, int m, size_t *len)
{
	const char	*p = name;
	int		 i;

	for (i = 0; i < m && p != NULL; i++)
		if ((p = strchr(p, ' ')) != NULL)
			p++;
	if (p == NULL)
		return NULL;
	*len = strcspn(p, " ");
	return p;
}

/*
 * The first m words name a group of commands ("pat", "mfa duo") but no
 * command: --help lists the group's commands, anything else is a usage
 * error that names them.
 */
static int
group(int m, int argc, char **argv)
{
	const char	*w, *prev = NULL;
	size_t		 i, len, prevlen = 0;
	int		 k, nw;

	if (m < argc && (strcmp(argv[m], "--help") == 0 ||
	    strcmp(argv[m], "-h") == 0)) {
		for (i = 0; i < NCMDS; i++)
			if (name_match(cmds[i].name, m, argv, &nw) == m)
				usage_line(&cmds[i], stdout);
		return EXIT_SUCCESS;
	}
	fputs("patrolctl:", stderr);
	for (k = 0; k < m; k++)
		fprintf(stderr, " %s", argv[k]);
	if (m < argc)
		fprintf(stderr, ": unknown command '%s' (one of:", argv[m]);
	else
		fputs(": missing command (one of:", stderr);
	for (i = 0; i < NCMDS; i++) {
		if (name_match(cmds[i].name, m, argv, &nw) != m ||
		    (w = name_word(cmds[i].name, m, &len)) == NULL)
			continue;
		/* The commands of a group are adjacent in cmds[]. */
		if (prev != NULL && len == prevlen &&
		    strncmp(w, prev, len) == 0)
			continue;
		fprintf(stderr, "%s%.*s", prev == NULL ? " " : ", ", (int)len,
		    w);
		prev = w;
		prevlen = len;
	}
	fputs(")\n", stderr);
	usage(stderr);
	return EXIT_USAGE;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctx		 x;
	const struct cmd	*c = NULL;
	size_t			 i;
	int			 ch, m, nw, best = 0, rc;

	memset(&x, 0, sizeof(x));
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+:c:hV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			x.confpath = optarg;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		case 'V':
			printf("patrolctl %s\n", PATROL_VERSION);
			return EXIT_SUCCESS;
		default:
			badopt(NULL, ch, argc, argv);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		msg("missing command");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (x.confpath == NULL && (x.confpath = getenv("PATROL_CONFIG")) !=
	    NULL && x.confpath[0] == '\0')
		x.confpath = NULL;
	if (x.confpath == NULL)
		x.confpath = patrol_conf_default_path();

	for (i = 0; i < NCMDS && c == NULL; i++) {
		m = name_match(cmds[i].name, argc, argv, &nw);
		if (m == nw)
			c = &cmds[i];
		else if (m > best)
			best = m;
	}
	if (c == NULL && best == 0) {
		msg("unknown command '%s'", argv[0]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (c == NULL)
		return group(best, argc, argv);

	/* The command sees its last word as argv[0]; optind 0 restarts
	 * getopt_long (glibc, musl and the BSDs). */
	name_match(c->name, argc, argv, &nw);
	optind = 0;
	rc = c->run(&x, c, argc - nw + 1, argv + nw - 1);

	patrol_store_close(x.st);
	patrol_conf_free(x.conf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		msg("standard output: %s", strerror(errno != 0 ? errno : EIO));
		rc = EXIT_FAILURE;
	}
	return rc;
}
