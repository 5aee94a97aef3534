/*
 * ctl_audit.c: the audit trail from patrolctl's side: the row each
 * changing command writes in the transaction of its change (ctl_begin,
 * ctl_commit, ctl_audit), and the commands that read and prune the trail
 * (audit list, audit prune).
 */
#include "config.h"

#include <sys/types.h>

#include <ctype.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "patrol.h"
#include "ctl.h"

/* "patrolctl:<user>", with the invoking user under sudo. */
static void
actor(char *buf, size_t size)
{
	struct passwd	*pw = getpwuid(geteuid());
	const char	*sudo = getenv("SUDO_USER");
	char		 uid[32];
	const char	*name;

	snprintf(uid, sizeof(uid), "uid %ld", (long)geteuid());
	name = pw != NULL && pw->pw_name != NULL ? pw->pw_name : uid;
	if (sudo != NULL && sudo[0] != '\0' && strlen(sudo) < 64 &&
	    strcmp(sudo, name) != 0)
		snprintf(buf, size, "patrolctl:%s (sudo by %s)", name, sudo);
	else
		snprintf(buf, size, "patrolctl:%s", name);
}

int
ctl_audit(struct ctx *x, const struct cmd *c, const char *target,
    const char *outcome)
{
	struct patrol_audit	 a;
	struct patrol_error	 err = { 0 };
	char			 who[128], op[64], tracking[PATROL_ID_LEN + 1];
	char			 t[PATROL_AUDIT_FIELD_MAX + 1];

	actor(who, sizeof(who));
	snprintf(op, sizeof(op), "patrolctl %s", c->name);
	if (patrol_id_new(tracking) != PATROL_OK)
		tracking[0] = '\0';
	memset(&a, 0, sizeof(a));
	a.actor = who;
	a.client = "local";
	a.tracking_id = tracking[0] != '\0' ? tracking : NULL;
	a.operation = op;
	if (target != NULL) {
		/* A file name can be long or not UTF-8: cut, or left out. */
		snprintf(t, sizeof(t), "%s", target);
		a.target = patrol_utf8_valid(t, strlen(t)) ? t : NULL;
	}
	a.outcome = outcome;
	if (patrol_audit_record(x->st, x->conf, &a, &err) != PATROL_OK) {
		msg("%s: recording the audit trail: %s", c->name, err.text);
		return -1;
	}
	return 0;
}

int
ctl_begin(struct ctx *x, const struct cmd *c)
{
	struct patrol_error	 err = { 0 };

	if (patrol_store_begin(x->st, &err) != PATROL_OK) {
		lib_error(c, &err);
		return -1;
	}
	return 0;
}

int
ctl_commit(struct ctx *x, const struct cmd *c, const char *target)
{
	struct patrol_error	 err = { 0 };

	if (ctl_audit(x, c, target, "ok") == -1) {
		patrol_store_rollback(x->st);
		msg("%s: nothing changed", c->name);
		return -1;
	}
	if (patrol_store_commit(x->st, &err) != PATROL_OK) {
		lib_error(c, &err);
		return -1;
	}
	return 0;
}

/*
 * A time for --since and --before: RFC 3339, or a duration ago: a number
 * and s, m, h or d ("90m", "7d"). 0, or -1 after a usage message.
 */
static int
time_arg(const struct cmd *c, const char *opt, const char *s, int64_t *ms)
{
	char		*end;
	long long	 n;
	int64_t		 unit;

	if (patrol_time_parse(s, strlen(s), ms) == PATROL_OK)
		return 0;
	if (isdigit((unsigned char)s[0])) {
		n = strtoll(s, &end, 10);
		unit = end[0] == 's' ? 1000 : end[0] == 'm' ? 60000 :
		    end[0] == 'h' ? 3600000 : end[0] == 'd' ? 86400000 : 0;
		if (unit != 0 && end[1] == '\0' && n >= 0 &&
		    n <= 36500LL * 86400) {
			*ms = patrol_time_now() - (int64_t)n * unit;
			return 0;
		}
	}
	return usage_error(c, "%s: '%s' is neither an RFC 3339 date-time "
	    "nor a duration ago such as 90m, 24h or 7d", opt, s), -1;
}

struct listing {
	const struct cmd	*c;
	int			 json;
	size_t			 n;
	int			 failed;
};

/* "-" for a missing field in the text form. */
static const char *
dash(const char *s)
{
	return s != NULL ? s : "-";
}

static int
print_row(void *arg, const struct patrol_audit *a)
{
	struct listing	*l = arg;
	char		 when[PATROL_TIME_BUFSZ];
	json_t		*o;
	char		*s;

	if (l->json) {
		o = json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, "
		    "s:s}", "id", (json_int_t)a->id, "time",
		    fmt_time(a->time, when), "actor", a->actor, "patId",
		    a->pat_id, "client", a->client, "trackingId",
		    a->tracking_id, "operation", a->operation, "target",
		    a->target, "outcome", a->outcome);
		if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL) {
			json_decref(o);
			l->failed = 1;
			return 1;
		}
		json_decref(o);
		printf("%s%s", l->n == 0 ? "[" : ",\n", s);
		free(s);
	} else
		printf("%s  %s  %s  %s  %s  pat=%s  client=%s  "
		    "trackingId=%s\n", fmt_time(a->time, when),
		    dash(a->actor), a->operation, dash(a->target), a->outcome,
		    dash(a->pat_id), dash(a->client), dash(a->tracking_id));
	l->n++;
	return ferror(stdout) ? (l->failed = 1) : 0;
}

int
cmd_audit_list(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct listing		 l;
	const char		*s;
	int64_t			 since = 0;

	memset(&l, 0, sizeof(l));
	l.c = c;
	l.json = opt_get(c, a, "json") != NULL;
	if ((s = opt_get(c, a, "since")) != NULL &&
	    time_arg(c, "--since", s, &since) == -1)
		return EXIT_USAGE;
	if (ctx_open(x, c, 1) == -1)
		return EXIT_FAILURE;
	if (patrol_store_audit_list(x->st, since, print_row, &l, &err) !=
	    PATROL_OK) {
		if (l.json && l.n > 0)
			printf("]\n");
		lib_error(c, &err);
		return EXIT_FAILURE;
	}
	if (l.json)
		printf("%s]\n", l.n == 0 ? "[" : "");
	if (l.failed || fflush(stdout) == EOF || ferror(stdout)) {
		msg("%s: writing the output failed", c->name);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int
cmd_audit_prune(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	const char		*s;
	char			 when[PATROL_TIME_BUFSZ], what[128];
	const char		*bs;
	int64_t			 before = 0, n = 0;

	if ((s = opt_get(c, a, "before")) != NULL) {
		if (time_arg(c, "--before", s, &before) == -1)
			return EXIT_USAGE;
	}
	if (ctx_open(x, c, 1) == -1)
		return EXIT_FAILURE;
	if (s == NULL) {
		if (x->conf->audit_retention_days == 0) {
			msg("%s: audit.retention_days is 0 (keep forever): "
			    "give --before to prune anyway", c->name);
			return EXIT_FAILURE;
		}
		before = patrol_time_now() -
		    (int64_t)x->conf->audit_retention_days * 86400 * 1000;
	}
	/* The pruning itself is on the record, in the same transaction. */
	if (ctl_begin(x, c) == -1)
		return EXIT_FAILURE;
	if (patrol_store_audit_prune(x->st, before, 0, &n, &err) !=
	    PATROL_OK) {
		patrol_store_rollback(x->st);
		lib_error(c, &err);
		return EXIT_FAILURE;
	}
	bs = fmt_time(before, when);
	snprintf(what, sizeof(what), "%" PRId64 " rows before %s", n, bs);
	if (ctl_commit(x, c, what) == -1)
		return EXIT_FAILURE;
	printf("pruned %" PRId64 " audit row%s older than %s\n", n,
	    n == 1 ? "" : "s", bs);
	return EXIT_SUCCESS;
}
