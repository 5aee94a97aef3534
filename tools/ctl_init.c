/*
 * ctl_init.c: patrolctl init: the database (or its schema) and the signing
 * key, when they do not exist yet, and the modes of the state files.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "ctl.h"

int
cmd_init(struct ctx *x, const struct cmd *c, const struct args *a)
{
	struct patrol_error	 err = { 0 };
	struct patrol_key	*key = NULL;
	struct patrol_seal	*seal = NULL;
	struct stat		 sb;
	char			 what[64];
	const char		*db;
	enum patrol_err		 rc;
	int			 existed = 1;

	(void)a;
	if (ctx_open(x, c, 0) == -1)
		return EXIT_FAILURE;

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
			lib_error(c, &err);
			return EXIT_FAILURE;
		}
	}
	if (x->st == NULL) {
		if (patrol_store_open(x->conf, 1, &x->st, &err) != PATROL_OK) {
			lib_error(c, &err);
			return EXIT_FAILURE;
		}
		printf("%s database %s (schema %d)\n",
		    existed ? "initialised" : "created", db,
		    PATROL_SCHEMA_VERSION);
	}

	rc = patrol_key_generate(x->conf->key_file, &err);
	if (rc == PATROL_OK)
		printf("created signing key %s\n", x->conf->key_file);
	else if (rc != PATROL_ERR_EXISTS) {
		lib_error(c, &err);
		return EXIT_FAILURE;
	} else if (patrol_key_load(x->conf->key_file, &key, &err) !=
	    PATROL_OK) {
		lib_error(c, &err);
		return EXIT_FAILURE;
	} else {
		patrol_key_free(key);
		printf("signing key %s already exists\n", x->conf->key_file);
	}

	rc = patrol_seal_generate(x->conf->secrets_key_file, &err);
	if (rc == PATROL_OK)
		printf("created secrets key %s\n", x->conf->secrets_key_file);
	else if (rc != PATROL_ERR_EXISTS) {
		lib_error(c, &err);
		return EXIT_FAILURE;
	} else if (patrol_seal_load(x->conf->secrets_key_file, &seal, &err) !=
	    PATROL_OK) {
		lib_error(c, &err);
		return EXIT_FAILURE;
	} else {
		patrol_seal_free(seal);
		printf("secrets key %s already exists\n",
		    x->conf->secrets_key_file);
	}

	if (patrol_state_secure(x->conf, &err) != PATROL_OK) {
		lib_error(c, &err);
		return EXIT_FAILURE;
	}
	if (x->conf->files_group != NULL)
		printf("state files: database 0660, key 0640, group %s\n",
		    x->conf->files_group);
	else
		printf("state files: 0600 (owner only)\n");
	return EXIT_SUCCESS;
}
