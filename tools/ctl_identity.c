/*
 * ctl_identity.c: patrolctl identity add and identity show.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "ctl.h"

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

/* An identity's display name: the PAT name rule (1 to PATROL_NAME_MAX
 * bytes of UTF-8, no control characters). */
static int
check_display_name(const struct cmd *c, const char *name)
{
	struct patrol_error	 err = { 0 };

	if (patrol_pat_check_name(name, &err) == PATROL_OK)
		return 0;
	msg("%s: --%s", c->name, err.text);
	return -1;
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

int
cmd_identity_add(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_identity	 ident;
	struct list		 rights = { 0 };
	const char		*name = opt_get(c, a, "name");
	const char		*id = opt_get(c, a, "id");
	enum patrol_err		 rc;
	int			 ret = EXIT_FAILURE;

	memset(&ident, 0, sizeof(ident));
	if (check_display_name(c, name) == -1)
		goto out;
	if (id != NULL) {
		if (check_id(c, "--id", id) == -1)
			goto out;
		memcpy(ident.id, id, PATROL_ID_LEN + 1);
	} else if ((rc = patrol_id_new(ident.id)) != PATROL_OK) {
		msg("%s: %s", c->name, patrol_strerror(rc));
		goto out;
	}
	if (list_split(opt_get(c, a, "rights"), &rights) == -1) {
		ret = nomem(c);
		goto out;
	}
	if (check_rights(c, &rights) == -1)
		goto out;
	ident.name = (char *)name;
	ident.rights = rights.v;
	ident.nrights = rights.n;

	if (ctx_open(x, c, 1) == -1 || ctl_begin(x, c) == -1)
		goto out;
	if ((rc = patrol_store_identity_add(x->st, &ident, &err)) !=
	    PATROL_OK)
		patrol_store_rollback(x->st);
	else if (ctl_commit(x, c, ident.id) == -1)
		goto out;
	if (rc == PATROL_ERR_EXISTS) {
		msg("%s: identity %s already exists", c->name, ident.id);
		goto out;
	} else if (rc != PATROL_OK) {
		lib_error(c, &err);
		goto out;
	}
	if (opt_get(c, a, "json") != NULL)
		ret = print_json(c, identity_json(&ident), 0);
	else {
		puts(ident.id);
		ret = EXIT_SUCCESS;
	}
out:
	list_free(&rights);
	return ret;
}

int
cmd_identity_show(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_identity	 ident;
	enum patrol_err		 rc;
	size_t			 i;
	int			 ret = EXIT_FAILURE;

	if (check_id(c, "ID", a->pos[0]) == -1 || ctx_open(x, c, 1) == -1)
		return EXIT_FAILURE;
	memset(&ident, 0, sizeof(ident));
	rc = patrol_store_identity_get(x->st, a->pos[0], &ident, &err);
	if (rc == PATROL_ERR_NOTFOUND)
		msg("%s: identity %s does not exist", c->name, a->pos[0]);
	else if (rc != PATROL_OK)
		lib_error(c, &err);
	else if (opt_get(c, a, "json") != NULL)
		ret = print_json(c, identity_json(&ident), 0);
	else {
		printf("id: %s\nname: %s\nrights:", ident.id, ident.name);
		if (ident.nrights == 0)
			fputs(" (none)", stdout);
		for (i = 0; i < ident.nrights; i++)
			printf("%s%s", i > 0 ? "," : " ", ident.rights[i]);
		putchar('\n');
		ret = EXIT_SUCCESS;
	}
	patrol_identity_clear(&ident);
	return ret;
}
