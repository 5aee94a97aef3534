/*
 * ctl.h: what the files of patrolctl share: the command table's types, the
 * option tables and their parser, and the helpers every command uses to
 * check its arguments and print. One file per command group (ctl_init.c,
 * ctl_identity.c, ctl_pat.c, ctl_pat_list.c, ctl_pat_io.c, ctl_duo.c); the
 * table and main() are in patrolctl.c.
 *
 * Exit status of every command: EXIT_SUCCESS, EXIT_FAILURE (a message on
 * stderr), EXIT_USAGE (a message and the command's usage line on stderr).
 */
#ifndef PATROL_CTL_H
#define PATROL_CTL_H

#include <stdio.h>

#include "patrol.h"

#define EXIT_USAGE	2

#define STR1(x)		#x
#define STR(x)		STR1(x)

/* What a command works on: the configuration and the store, opened on
 * demand (ctx_open) and closed by main(). */
struct ctx {
	const char		*confpath;
	struct patrol_conf	*conf;
	struct patrol_store	*st;
};

/* One option of a command: --name, a flag or taking an argument. */
struct opt {
	const char	*name;		/* without "--"; NULL ends a table */
	const char	*arg;		/* its argument's name, NULL: a flag */
	int		 required;
	const char	*help;		/* one line for --help */
};

#define CTL_OPTS_MAX	12

/* A parsed command line: the value of each option of the table, in table
 * order (NULL: not given; a given flag is ""), and the positional
 * arguments. All borrowed from argv. */
struct args {
	const char	*val[CTL_OPTS_MAX];
	char		**pos;
	int		 npos;
};

struct cmd;
typedef int (*ctl_run)(struct ctx *, const struct cmd *,
    const struct args *);

struct cmd {
	const char		*name;	/* its words, e.g. "pat create" */
	const char		*pos;	/* its positional arguments, e.g. "ID" */
	int			 minpos, maxpos;
	const struct opt	*opts;	/* NULL or a table ended by NULL */
	const char		*help;	/* what it does, for --help */
	ctl_run			 run;
};

/* ctl_util.c */
void	 msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	 warn_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int	 usage_error(const struct cmd *c, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* "pat create --owner ID --name NAME [--json]": name and arguments. */
void	 cmd_synopsis(const struct cmd *c, FILE *f);
void	 usage_line(const struct cmd *c, FILE *f);
void	 cmd_help(const struct cmd *c);
int	 nomem(const struct cmd *c);
void	 wipe(void *p, size_t n);
void	 badopt(const char *cmd, int ch, int argc, char **argv);

/* Parses a command's arguments (argv[0] is its last word) by its option
 * table into *a. Returns -1 to go on, EXIT_SUCCESS after printing --help,
 * EXIT_USAGE after printing a usage error (unknown, repeated or missing
 * option, wrong number of positional arguments). */
int	 args_parse(const struct cmd *c, int argc, char **argv, struct args *a);
/* The value of option `name` (which must be in c's table), or NULL. */
const char *opt_get(const struct cmd *c, const struct args *a,
	    const char *name);

/* Loads the configuration (a missing file says how to name another) and,
 * unless store is 0, opens the store; warns once about state files open to
 * others. 0 or -1 (message printed). */
int	 ctx_open(struct ctx *x, const struct cmd *c, int store);

int	 check_id(const struct cmd *c, const char *what, const char *s);
/* Parses a non-negative decimal integer of at most max into *out. */
int	 parse_count(const struct cmd *c, const char *what, const char *s,
	    long long max, long long *out);
/* Prints the library's error for `what`, prefixed by the command. */
void	 lib_error(const struct cmd *c, const struct patrol_error *err);
/* A filter error with a caret under the offending byte. */
void	 filter_error(const struct cmd *c, const char *expr,
	    const struct patrol_error *err);

/* A comma-separated list, split in a private copy: "" is an empty list,
 * any other string has (commas + 1) items, some of which may be empty. */
struct list {
	char	*buf;
	char	**v;
	size_t	 n;
};
int	 list_split(const char *s, struct list *l);
void	 list_free(struct list *l);
long	 list_dup(const struct list *l);

/* Prints j (new reference, stolen; NULL means out of memory) and a newline
 * on stdout, indented or compact. */
int	 print_json(const struct cmd *c, json_t *j, int indent);
const char *fmt_time(int64_t ms, char *buf);
char	*fmt_scope(const struct patrol_pat *pat);
size_t	 utf8_width(const char *s);
/* Prints a PAT as "key: value" lines (never a secret or hash). */
int	 pat_print(const struct cmd *c, const struct patrol_pat *pat);

/* Fills the query of `pat list` and `pat export` from their options
 * (--owner, --filters, --sort, --limit, --offset, those the command has)
 * and opens the store. The filter is new in *filter (patrol_filter_free).
 * 0, or -1 after a message. */
int	 pat_query(struct ctx *x, const struct cmd *c, const struct args *a,
	    struct patrol_pat_query *q, struct patrol_filter **filter);

/* The commands. */
int	 cmd_init(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_identity_add(struct ctx *, const struct cmd *,
	    const struct args *);
int	 cmd_identity_show(struct ctx *, const struct cmd *,
	    const struct args *);
int	 cmd_pat_create(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_show(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_rename(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_scope(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_expire(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_validity(struct ctx *, const struct cmd *,
	    const struct args *);
int	 cmd_pat_delete(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_list(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_import(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_pat_export(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_duo_show(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_duo_set(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_key_rotate(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_key_prune(struct ctx *, const struct cmd *, const struct args *);

/* ctl_audit.c: the audit row of a change (patrol_audit): actor
 * "patrolctl:<user>", client "local", operation "patrolctl <command>".
 * ctl_audit writes one (into the open transaction, if any); ctl_begin
 * opens the change's transaction; ctl_commit writes its row ("ok",
 * target borrowed, may be NULL) and commits, or rolls everything back.
 * Each returns 0, or -1 after a message. */
int	 ctl_audit(struct ctx *x, const struct cmd *c, const char *target,
	    const char *outcome);
int	 ctl_begin(struct ctx *x, const struct cmd *c);
int	 ctl_commit(struct ctx *x, const struct cmd *c, const char *target);
int	 cmd_audit_list(struct ctx *, const struct cmd *, const struct args *);
int	 cmd_audit_prune(struct ctx *, const struct cmd *, const struct args *);

#endif /* PATROL_CTL_H */
