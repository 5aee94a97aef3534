/*
 * ctl_util.c: what every patrolctl command uses: messages and usage errors,
 * the option-table parser, opening the configuration and the store, checks
 * of ids and counts, comma-separated lists, and output helpers.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "ctl.h"

void
msg(const char *fmt, ...)
{
	va_list	 ap;

	fputs("patrolctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
warn_line(const char *fmt, ...)
{
	va_list	 ap;

	fputs("patrolctl: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
cmd_synopsis(const struct cmd *c, FILE *f)
{
	const struct opt	*o;

	fputs(c->name, f);
	if (c->pos != NULL && c->pos[0] != '\0')
		fprintf(f, " %s", c->pos);
	for (o = c->opts; o != NULL && o->name != NULL; o++)
		fprintf(f, " %s--%s%s%s%s", o->required ? "" : "[", o->name,
		    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "",
		    o->required ? "" : "]");
}

void
usage_line(const struct cmd *c, FILE *f)
{
	fputs("usage: patrolctl ", f);
	cmd_synopsis(c, f);
	fputc('\n', f);
}

void
cmd_help(const struct cmd *c)
{
	const struct opt	*o;
	char			 left[64];

	usage_line(c, stdout);
	fputs(c->help, stdout);
	for (o = c->opts; o != NULL && o->name != NULL; o++) {
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
		    o->arg != NULL ? " " : "", o->arg != NULL ? o->arg : "");
		printf("  %-20s %s\n", left, o->help);
	}
}

int
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

int
nomem(const struct cmd *c)
{
	msg("%s: %s", c->name, strerror(ENOMEM));
	return EXIT_FAILURE;
}

void
wipe(void *p, size_t n)
{
	volatile unsigned char	*v = p;

	while (n-- > 0)
		*v++ = 0;
}

void
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

int
args_parse(const struct cmd *c, int argc, char **argv, struct args *a)
{
	struct option	 lo[CTL_OPTS_MAX + 2];
	size_t		 i, n = 0;
	int		 ch;

	memset(a, 0, sizeof(*a));
	for (n = 0; c->opts != NULL && c->opts[n].name != NULL; n++) {
		lo[n].name = c->opts[n].name;
		lo[n].has_arg = c->opts[n].arg != NULL ? required_argument :
		    no_argument;
		lo[n].flag = NULL;
		lo[n].val = 256 + (int)n;
	}
	lo[n].name = "help";
	lo[n].has_arg = no_argument;
	lo[n].flag = NULL;
	lo[n].val = 'h';
	memset(&lo[n + 1], 0, sizeof(lo[n + 1]));

	while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (ch == 'h') {
			cmd_help(c);
			return EXIT_SUCCESS;
		}
		if (ch < 256) {
			badopt(c->name, ch, argc, argv);
			usage_line(c, stderr);
			return EXIT_USAGE;
		}
		i = (size_t)(ch - 256);
		if (a->val[i] != NULL)
			return usage_error(c, "option --%s given more than "
			    "once", c->opts[i].name);
		a->val[i] = c->opts[i].arg != NULL ? optarg : "";
	}
	a->pos = argv + optind;
	a->npos = argc - optind;
	if (a->npos < c->minpos)
		return usage_error(c, "missing %s", c->pos);
	if (a->npos > c->maxpos)
		return usage_error(c, "unexpected argument '%s'",
		    a->pos[c->maxpos]);
	for (i = 0; i < n; i++)
		if (c->opts[i].required && a->val[i] == NULL)
			return usage_error(c, "missing --%s",
			    c->opts[i].name);
	return -1;
}

const char *
opt_get(const struct cmd *c, const struct args *a, const char *name)
{
	size_t	 i;

	for (i = 0; c->opts != NULL && c->opts[i].name != NULL; i++)
		if (strcmp(c->opts[i].name, name) == 0)
			return a->val[i];
	return NULL;
}

int
ctx_open(struct ctx *x, const struct cmd *c, int store)
{
	struct patrol_error	 err = { 0 };
	char			*w, *line, *save = NULL;

	if (x->conf == NULL) {
		if (patrol_conf_load(x->confpath, &x->conf, &err) !=
		    PATROL_OK) {
			if (err.code == PATROL_ERR_IO && access(x->confpath,
			    F_OK) == -1 && errno == ENOENT)
				msg("%s (use --config FILE or set "
				    "PATROL_CONFIG)", err.text);
			else
				msg("%s", err.text);
			return -1;
		}
		if (patrol_state_check(x->conf, &w) == PATROL_OK && w != NULL) {
			for (line = strtok_r(w, "\n", &save); line != NULL;
			    line = strtok_r(NULL, "\n", &save))
				warn_line("%s", line);
			free(w);
		}
	}
	if (store && x->st == NULL &&
	    patrol_store_open(x->conf, 0, &x->st, &err) != PATROL_OK) {
		msg("%s: %s", c->name, err.text);
		return -1;
	}
	return 0;
}

int
check_id(const struct cmd *c, const char *what, const char *s)
{
	if (patrol_id_valid(s))
		return 0;
	msg("%s: %s: '%s' is not a valid id (%d lowercase hexadecimal "
	    "characters)", c->name, what, s, PATROL_ID_LEN);
	return -1;
}

int
parse_count(const struct cmd *c, const char *what, const char *s,
    long long max, long long *out)
{
	char		*end;
	long long	 v;

	errno = 0;
	if (*s < '0' || *s > '9' || (v = strtoll(s, &end, 10), errno != 0) ||
	    *end != '\0' || v > max) {
		msg("%s: %s: '%s' is not a whole number from 0 to %lld",
		    c->name, what, s, max);
		return -1;
	}
	*out = v;
	return 0;
}

void
lib_error(const struct cmd *c, const struct patrol_error *err)
{
	msg("%s: %s", c->name, err->text[0] != '\0' ? err->text :
	    patrol_strerror(err->code));
}

void
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

int
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

void
list_free(struct list *l)
{
	free(l->buf);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

long
list_dup(const struct list *l)
{
	size_t	 i, j;

	for (i = 1; i < l->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(l->v[i], l->v[j]) == 0)
				return (long)i;
	return -1;
}

int
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

const char *
fmt_time(int64_t ms, char *buf)
{
	if (ms < 0)
		return "-";
	if (patrol_time_format(ms, buf) == -1)
		snprintf(buf, PATROL_TIME_BUFSZ, "%" PRId64, ms);
	return buf;
}

char *
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

size_t
utf8_width(const char *s)
{
	size_t	 w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

int
pat_print(const struct cmd *c, const struct patrol_pat *pat)
{
	char	 buf[PATROL_TIME_BUFSZ], *scope;

	if ((scope = fmt_scope(pat)) == NULL)
		return nomem(c);
	printf("id: %s\n", pat->id);
	printf("name: %s\n", pat->name);
	printf("scope: %s\n", scope);
	printf("owner.id: %s\n", pat->owner_id);
	printf("owner.name: %s\n", pat->owner_name != NULL ?
	    pat->owner_name : "-");
	printf("created: %s\n", fmt_time(pat->created, buf));
	printf("lastUsed: %s\n", fmt_time(pat->last_used, buf));
	printf("expirationDate: %s\n", pat->expires < 0 ? "never" :
	    fmt_time(pat->expires, buf));
	printf("accessTokenValiditySeconds: %ld\n", pat->validity);
	printf("managed: %s\n", pat->managed ? "true" : "false");
	free(scope);
	return EXIT_SUCCESS;
}
