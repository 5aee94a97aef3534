/*
 * ctl_pat.c: patrolctl pat create, show, rename, scope, expire, validity
 * and delete (alias revoke). Every change goes through the library's PAT
 * rules: creation through patrol_pat_create, changes through the JSON Patch
 * that the API's PATCH would apply (patrol_pat_patch), so the CLI and the
 * API accept and refuse the same things.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "ctl.h"

/* A scope list given as WHAT (--scope, SCOPES): split, and the library's
 * rule. On success *l is the caller's (list_free); on error it is freed. */
static int
scope_arg(const struct cmd *c, const char *what, const char *s,
    struct list *l)
{
	struct patrol_error	 err = { 0 };

	if (list_split(s, l) == -1) {
		nomem(c);
		return -1;
	}
	if (patrol_pat_check_scope(l->v, l->n, &err) != PATROL_OK) {
		msg("%s: %s: %s", c->name, what, err.text);
		list_free(l);
		return -1;
	}
	return 0;
}

/* An expiry given on the command line: "never" (-1), or an RFC 3339
 * date-time (ms). */
static int
expiry_arg(const struct cmd *c, const char *what, const char *s,
    int64_t *out)
{
	if (strcmp(s, "never") == 0) {
		*out = -1;
		return 0;
	}
	if (patrol_time_parse(s, strlen(s), out) == PATROL_OK && *out >= 0)
		return 0;
	msg("%s: %s: '%s' is neither \"never\" nor an RFC 3339 date-time "
	    "(2030-01-31T00:00:00Z)", c->name, what, s);
	return -1;
}

static int
validity_arg(const struct cmd *c, const char *what, const char *s,
    long *out)
{
	struct patrol_error	 err = { 0 };
	long long		 v;

	if (parse_count(c, what, s, PATROL_VALIDITY_MAX * 10LL, &v) == -1)
		return -1;
	if (patrol_pat_check_validity((long)v, &err) != PATROL_OK) {
		msg("%s: %s: %s", c->name, what, err.text);
		return -1;
	}
	*out = (long)v;
	return 0;
}

/* Shows a PAT after a change: key: value lines, or its JSON. */
static int
pat_output(const struct cmd *c, const struct args *a,
    const struct patrol_pat *pat)
{
	if (opt_get(c, a, "json") != NULL)
		return print_json(c, patrol_pat_to_json(pat), 0);
	return pat_print(c, pat);
}

int
cmd_pat_create(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_pat	 pat;
	struct patrol_pat_spec	 spec;
	struct list		 scope = { 0 };
	char			 secret[PATROL_SECRET_LEN + 1];
	const char		*owner = opt_get(c, a, "owner");
	const char		*name = opt_get(c, a, "name");
	const char		*s;
	json_t			*j;
	enum patrol_err		 rc;
	int			 ret = EXIT_FAILURE;

	memset(&pat, 0, sizeof(pat));
	memset(&spec, 0, sizeof(spec));
	memset(secret, 0, sizeof(secret));
	if (check_id(c, "--owner", owner) == -1)
		goto out;
	if (patrol_pat_check_name(name, &err) != PATROL_OK) {
		msg("%s: --%s", c->name, err.text);
		goto out;
	}
	if ((s = opt_get(c, a, "scope")) != NULL) {
		if (scope_arg(c, "--scope", s, &scope) == -1)
			goto out;
		spec.scope = scope.v;
		spec.nscope = scope.n;
	} else
		spec.scope_null = 1;
	if ((s = opt_get(c, a, "validity")) != NULL &&
	    validity_arg(c, "--validity", s, &spec.validity) == -1)
		goto out;
	if ((s = opt_get(c, a, "expires")) != NULL &&
	    expiry_arg(c, "--expires", s, &spec.expires) == -1)
		goto out;
	if (ctx_open(x, c, 1) == -1 || ctl_begin(x, c) == -1)
		goto out;
	spec.owner_id = owner;
	spec.name = name;
	spec.managed = opt_get(c, a, "managed") != NULL;
	if ((rc = patrol_pat_create(x->st, x->conf, &spec, patrol_time_now(),
	    &pat, secret, &err)) != PATROL_OK)
		patrol_store_rollback(x->st);
	else if (ctl_commit(x, c, pat.id) == -1)
		goto out;
	if (rc == PATROL_ERR_NOTFOUND) {
		msg("%s: owner %s does not exist", c->name, owner);
		goto out;
	} else if (rc == PATROL_ERR_EXISTS) {
		msg("%s: owner %s already has a personal access token named "
		    "'%s'", c->name, owner, name);
		goto out;
	} else if (rc != PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	if (opt_get(c, a, "json") != NULL) {
		/* The API's creation response: the PAT and its secret. */
		if ((j = patrol_pat_to_json(&pat)) != NULL &&
		    json_object_set_new(j, "secret", json_string(secret)) ==
		    -1) {
			json_decref(j);
			j = NULL;
		}
		ret = print_json(c, j, 0);
	} else {
		printf("id: %s\nsecret: %s\n", pat.id, secret);
		ret = EXIT_SUCCESS;
	}
out:
	patrol_pat_clear(&pat);
	wipe(secret, sizeof(secret));
	list_free(&scope);
	return ret;
}

/* Loads PAT a->pos[0] into *pat. 0, or -1 after a message. */
static int
pat_load(struct ctx *x, const struct cmd *c, const struct args *a,
    struct patrol_pat *pat)
{
	struct patrol_error	 err = { 0 };
	enum patrol_err		 rc;

	memset(pat, 0, sizeof(*pat));
	if (check_id(c, "ID", a->pos[0]) == -1 || ctx_open(x, c, 1) == -1)
		return -1;
	rc = patrol_store_pat_get(x->st, a->pos[0], pat, &err);
	if (rc == PATROL_ERR_NOTFOUND) {
		msg("%s: personal access token %s does not exist", c->name,
		    a->pos[0]);
		return -1;
	} else if (rc != PATROL_OK) {
		lib_error(c, &err);
		return -1;
	}
	return 0;
}

int
cmd_pat_show(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_pat	 pat;
	int			 ret = EXIT_FAILURE;

	if (pat_load(x, c, a, &pat) == 0)
		ret = pat_output(c, a, &pat);
	patrol_pat_clear(&pat);
	return ret;
}

/*
 * Applies one JSON Patch operation (op at path, with value, stolen; NULL
 * for none) to PAT a->pos[0] with the API's rules, stores it and shows it.
 */
static int
pat_change(struct ctx *x, const struct cmd *c, const struct args *a,
    const char *op, const char *path, json_t *value)
{
	struct patrol_error	 err = { 0 };
	struct patrol_pat	 pat;
	json_t			*patch;
	enum patrol_err		 rc;
	int			 ret = EXIT_FAILURE;

	patch = value != NULL ?
	    json_pack("[{s:s, s:s, s:o}]", "op", op, "path", path, "value",
	    value) : json_pack("[{s:s, s:s}]", "op", op, "path", path);
	if (patch == NULL)
		return nomem(c);
	if (pat_load(x, c, a, &pat) == -1)
		goto out;
	if (patrol_pat_patch(&pat, patch, patrol_time_now(), &err) !=
	    PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	if (ctl_begin(x, c) == -1)
		goto out;
	if ((rc = patrol_store_pat_update(x->st, &pat, &err)) != PATROL_OK)
		patrol_store_rollback(x->st);
	else if (ctl_commit(x, c, pat.id) == -1)
		goto out;
	if (rc == PATROL_ERR_EXISTS)
		msg("%s: owner %s already has a personal access token named "
		    "'%s'", c->name, pat.owner_id, pat.name);
	else if (rc == PATROL_ERR_NOTFOUND)
		msg("%s: personal access token %s does not exist", c->name,
		    pat.id);
	else if (rc != PATROL_OK)
		lib_error(c, &err);
	else
		ret = pat_output(c, a, &pat);
out:
	patrol_pat_clear(&pat);
	json_decref(patch);
	return ret;
}

int
cmd_pat_rename(struct ctx *x, const struct cmd *c, const struct args *a)
{
	return pat_change(x, c, a, "replace", "/name", json_string(a->pos[1]));
}

int
cmd_pat_scope(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct list	 l = { 0 };
	json_t		*v;
	size_t		 i;
	int		 ret;

	if ((a->npos == 2) == (opt_get(c, a, "all") != NULL))
		return usage_error(c, "give either SCOPES or --all");
	if (a->npos == 1)
		return pat_change(x, c, a, "replace", "/scope", json_null());
	if (scope_arg(c, "SCOPES", a->pos[1], &l) == -1)
		return EXIT_FAILURE;
	if ((v = json_array()) == NULL) {
		list_free(&l);
		return nomem(c);
	}
	for (i = 0; i < l.n; i++)
		if (json_array_append_new(v, json_string(l.v[i])) == -1) {
			json_decref(v);
			list_free(&l);
			return nomem(c);
		}
	ret = pat_change(x, c, a, "replace", "/scope", v);
	list_free(&l);
	return ret;
}

int
cmd_pat_validity(struct ctx *x, const struct cmd *c, const struct args *a)
{
	long	 v;

	if (validity_arg(c, "SECONDS", a->pos[1], &v) == -1)
		return EXIT_FAILURE;
	return pat_change(x, c, a, "replace", "/accessTokenValiditySeconds",
	    json_integer(v));
}

/*
 * "now" expires the PAT at once: the API allows only a future expiry, but
 * an operator revoking the use of a PAT while keeping its record needs the
 * present; its tokens stop validating at once.
 */
int
cmd_pat_expire(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_pat	 pat;
	int64_t			 when;
	int			 ret = EXIT_FAILURE;

	if (strcmp(a->pos[1], "now") != 0) {
		if (expiry_arg(c, "WHEN", a->pos[1], &when) == -1)
			return EXIT_FAILURE;
		if (when < 0)
			return pat_change(x, c, a, "replace",
			    "/expirationDate", json_null());
		return pat_change(x, c, a, "replace", "/expirationDate",
		    json_string(a->pos[1]));
	}
	if (pat_load(x, c, a, &pat) == -1)
		goto out;
	pat.expires = patrol_time_now();
	if (ctl_begin(x, c) == -1)
		goto out;
	if (patrol_store_pat_update(x->st, &pat, &err) != PATROL_OK) {
		patrol_store_rollback(x->st);
		lib_error(c, &err);
	} else if (ctl_commit(x, c, pat.id) == 0)
		ret = pat_output(c, a, &pat);
out:
	patrol_pat_clear(&pat);
	return ret;
}

int
cmd_pat_delete(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	enum patrol_err		 rc;

	if (check_id(c, "ID", a->pos[0]) == -1 || ctx_open(x, c, 1) == -1 ||
	    ctl_begin(x, c) == -1)
		return EXIT_FAILURE;
	if ((rc = patrol_store_pat_delete(x->st, a->pos[0], &err)) !=
	    PATROL_OK)
		patrol_store_rollback(x->st);
	else if (ctl_commit(x, c, a->pos[0]) == -1)
		return EXIT_FAILURE;
	if (rc == PATROL_ERR_NOTFOUND) {
		msg("%s: personal access token %s does not exist", c->name,
		    a->pos[0]);
		return EXIT_FAILURE;
	} else if (rc != PATROL_OK) {
		lib_error(c, &err);
		return EXIT_FAILURE;
	}
	printf("deleted %s\n", a->pos[0]);
	return EXIT_SUCCESS;
}
