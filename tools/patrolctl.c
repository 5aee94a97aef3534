/*
 * patrolctl: administration of a patrol installation: the database and the
 * signing key, identities, personal access tokens (create, change, delete,
 * list, import, export) and the Duo MFA configuration. This file holds the
 * command table and its dispatcher; each command group is in its own file
 * (ctl_*.c) and the shared helpers in ctl_util.c.
 *
 * Exit status: 0 on success, 1 on failure (a message on stderr), 2 on a
 * usage error (a message and a one-line usage hint on stderr).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "ctl.h"

static const struct opt json_opt[] = {
	{ "json", NULL, 0, "print JSON" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt identity_add_opts[] = {
	{ "name", "NAME", 1, "display name, 1 to " STR(PATROL_NAME_MAX)
	  " bytes of UTF-8" },
	{ "rights", "R1,R2,...", 1, "comma-separated rights, \"\" for none "
	  "(see patrolctl(8))" },
	{ "id", "ID", 0, "this id (" STR(PATROL_ID_LEN) " lowercase hex) "
	  "instead of a random one" },
	{ "json", NULL, 0, "print {\"id\",\"name\",\"rights\"} as JSON" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt pat_create_opts[] = {
	{ "owner", "ID", 1, "the identity it belongs to" },
	{ "name", "NAME", 1, "its name, unique per owner, 1 to "
	  STR(PATROL_NAME_MAX) " bytes" },
	{ "scope", "S1,S2,...", 0, "its scopes (default: null, which means "
	  PATROL_SCOPE_ALL ")" },
	{ "validity", "SECONDS", 0, "accessTokenValiditySeconds, "
	  STR(PATROL_VALIDITY_MIN) " to " STR(PATROL_VALIDITY_MAX)
	  " (default " STR(PATROL_VALIDITY_DEFAULT) ")" },
	{ "expires", "DATE|never", 0, "expirationDate, RFC 3339 (default: "
	  "pat.default_expiry)" },
	{ "managed", NULL, 0, "mark it as managed" },
	{ "json", NULL, 0, "print the PAT and its secret as the API does" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt pat_scope_opts[] = {
	{ "all", NULL, 0, "a null scope instead of SCOPES: "
	  PATROL_SCOPE_ALL },
	{ "json", NULL, 0, "print the PAT as the API does" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt pat_list_opts[] = {
	{ "owner", "ID", 0, "only those of this identity" },
	{ "filters", "EXPR", 0, "only those matching EXPR "
	  "(patrol-filters(7))" },
	{ "sort", "KEYS", 0, "created, name, lastUsed, each with an "
	  "optional -" },
	{ "limit", "N", 0, "at most N of them" },
	{ "offset", "N", 0, "skip the first N" },
	{ "json", NULL, 0, "print a JSON array as the API does" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt pat_export_opts[] = {
	{ "owner", "ID", 0, "only those of this identity" },
	{ "filters", "EXPR", 0, "only those matching EXPR "
	  "(patrol-filters(7))" },
	{ "with-hashes", NULL, 0, "include each secret's hash (to move a "
	  "deployment; guard the file)" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt pat_import_opts[] = {
	{ "batch", "N", 0, "PATs per transaction (default 50000)" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt duo_set_opts[] = {
	{ "file", "FILE", 0, "read FILE instead of standard input (- for "
	  "it)" },
	{ "json", NULL, 0, "print compact JSON on one line" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt key_rotate_opts[] = {
	{ "secrets", NULL, 0, "the secrets key (secrets.key_file)" },
	{ "signing", NULL, 0, "the token signing key (token.signing_key_file)" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt audit_list_opts[] = {
	{ "since", "WHEN", 0, "only rows since WHEN: RFC 3339, or a duration "
	  "ago (90m, 24h, 7d)" },
	{ "json", NULL, 0, "print a JSON array, one row per line" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt audit_prune_opts[] = {
	{ "before", "WHEN", 0, "prune rows older than WHEN (default: "
	  "audit.retention_days ago)" },
	{ NULL, NULL, 0, NULL }
};

static const struct opt duo_show_opts[] = {
	{ "json", NULL, 0, "print compact JSON on one line" },
	{ NULL, NULL, 0, NULL }
};

static const struct cmd cmds[] = {
	{ "init", "", 0, 0, NULL,
	  "Creates the database (or its schema) and the signing key file named "
	  "in the\nconfiguration when they do not exist yet, checks an "
	  "existing key, and gives\nthe state files their modes (patrol.conf(5),"
	  " files.group). Running it again\nchanges nothing else.\n",
	  cmd_init },
	{ "identity add", "", 0, 0, identity_add_opts,
	  "Adds an identity and prints its id.\n", cmd_identity_add },
	{ "identity show", "ID", 1, 1, json_opt,
	  "Shows an identity: its id, name and rights.\n",
	  cmd_identity_show },
	{ "pat create", "", 0, 0, pat_create_opts,
	  "Creates a personal access token and prints its id and secret; the "
	  "secret is\nshown this once and stored only as a hash.\n",
	  cmd_pat_create },
	{ "pat list", "", 0, 0, pat_list_opts,
	  "Lists personal access tokens, managed ones included, by creation "
	  "time unless\n--sort says otherwise.\n", cmd_pat_list },
	{ "pat show", "ID", 1, 1, json_opt,
	  "Shows a personal access token (never its secret or hash).\n",
	  cmd_pat_show },
	{ "pat rename", "ID NAME", 2, 2, json_opt,
	  "Renames a personal access token (the name stays unique per "
	  "owner).\n", cmd_pat_rename },
	{ "pat scope", "ID [SCOPES]", 1, 2, pat_scope_opts,
	  "Replaces the scope of a personal access token with the "
	  "comma-separated SCOPES,\nor with null (" PATROL_SCOPE_ALL ") with "
	  "--all. Tokens already issued for it\nfollow at once.\n",
	  cmd_pat_scope },
	{ "pat expire", "ID WHEN", 2, 2, json_opt,
	  "Sets when a personal access token expires: an RFC 3339 date-time "
	  "in the future,\n\"never\", or \"now\" (it stops working at once, "
	  "with the tokens issued for it).\n", cmd_pat_expire },
	{ "pat validity", "ID SECONDS", 2, 2, json_opt,
	  "Sets accessTokenValiditySeconds: how long the tokens issued for it "
	  "live (" STR(PATROL_VALIDITY_MIN) " to\n" STR(PATROL_VALIDITY_MAX)
	  ").\n", cmd_pat_validity },
	{ "pat delete", "ID", 1, 1, NULL,
	  "Deletes a personal access token; the tokens issued for it stop "
	  "working at once.\n", cmd_pat_delete },
	{ "pat revoke", "ID", 1, 1, NULL,
	  "The same as pat delete.\n", cmd_pat_delete },
	{ "pat export", "", 0, 0, pat_export_opts,
	  "Writes personal access tokens as JSON Lines on standard output, "
	  "one object per\nline as the API shows them; never a secret. With "
	  "--with-hashes each line also\nholds \"secretHash\": whoever has the "
	  "file can import the PATs elsewhere.\n", cmd_pat_export },
	{ "pat import", "FILE|-", 1, 1, pat_import_opts,
	  "Adds the personal access tokens of a JSON Lines file (or standard "
	  "input) as\npat export --with-hashes writes them, all or nothing: "
	  "every line is checked\nfirst, then they are written a batch per "
	  "transaction. A missing owner is created\nfrom owner.id and "
	  "owner.name, with no rights.\n", cmd_pat_import },
	{ "mfa duo show", "", 0, 0, duo_show_opts,
	  "Shows the Duo MFA configuration as indented JSON, secrets masked.\n",
	  cmd_duo_show },
	{ "mfa duo set", "", 0, 0, duo_set_opts,
	  "Replaces the Duo MFA configuration with the JSON object read from "
	  "FILE or\nstandard input, then shows it as `mfa duo show` does. A "
	  "secret given in its\nmasked form keeps the stored secret.\n",
	  cmd_duo_set },
	{ "key rotate", "", 0, 0, key_rotate_opts,
	  "With --secrets: makes a new secrets key, seals every stored secret "
	  "again under\nit in one transaction, then puts it in place of the "
	  "old one. Run again after\nan interruption, it finishes. With "
	  "--signing: a new token signing key; the\nprevious one is kept as "
	  "FILE.<kid>, and the tokens it signed stay valid until\nthey expire "
	  "or it is pruned. Responders pick either up within a "
	  "second.\n", cmd_key_rotate },
	{ "key prune", "", 0, 0, NULL,
	  "Removes the signing keys kept by key rotate --signing once every "
	  "token they\nsigned has expired (token.lifetime after the "
	  "rotation).\n", cmd_key_prune },
	{ "audit list", "", 0, 0, audit_list_opts,
	  "Prints the audit trail, oldest first: every change made through "
	  "the API or\npatrolctl, every refused change and every refused "
	  "authentication, with its\ntime, actor, operation, target, outcome, "
	  "PAT, client address and trackingId.\n", cmd_audit_list },
	{ "audit prune", "", 0, 0, audit_prune_opts,
	  "Deletes the audit rows older than audit.retention_days (or "
	  "--before), and\nrecords that it did. Recording a row prunes a few "
	  "old ones already; this\nprunes them all at once.\n",
	  cmd_audit_prune },
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
	for (i = 0; i < NCMDS; i++) {
		fputs("  ", stdout);
		cmd_synopsis(&cmds[i], stdout);
		putchar('\n');
	}
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
	struct args		 a;
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
	if ((rc = args_parse(c, argc - nw + 1, argv + nw - 1, &a)) == -1)
		rc = c->run(&x, c, &a);

	patrol_store_close(x.st);
	patrol_conf_free(x.conf);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		msg("standard output: %s", strerror(errno != 0 ? errno : EIO));
		rc = EXIT_FAILURE;
	}
	return rc;
}
