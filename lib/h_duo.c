/*
 * h_duo.c: GET and PUT /beta/mfa/duo-web/config: rights, media type and
 * body bounds; the operations themselves are in duo_store.c.
 */
#include "config.h"

#include <stdlib.h>

#include "patrol.h"
#include "extern.h"

static int
has(const struct req *r, const char *right)
{
	return patrol_rights_have(r->caller.rights, r->caller.nrights, right);
}

int
h_duo_get(struct req *r)
{
	struct patrol_error	 err = { 0 };
	struct patrol_store	*st = r->store;
	enum patrol_err		 rc;
	json_t			*config;

	if (!has(r, PATROL_RIGHT_MFA_READ) && !has(r, PATROL_RIGHT_MFA_MANAGE))
		return req_error(r, 403, NULL, "reading the Duo MFA "
		    "configuration requires %s or %s",
		    PATROL_RIGHT_ORG_ADMIN, PATROL_RIGHT_MFA_READ);
	if ((rc = patrol_duo_show(st, r->seal,
	    (const char *const *)r->conf->secret_duo_properties, &config, &err)) != PATROL_OK)
		return req_fail(r, rc, err.text);
	return req_json(r, 200, config, NULL);
}

int
h_duo_put(struct req *r)
{
	struct patrol_error	 err = { 0 };
	struct patrol_store	*st = r->store;
	enum patrol_err		 rc;
	json_t			*config;
	char			*body = NULL;
	size_t			 len = 0;

	if (!has(r, PATROL_RIGHT_MFA_MANAGE))
		return req_error(r, 403, NULL, "changing the Duo MFA "
		    "configuration requires %s or %s", PATROL_RIGHT_ORG_ADMIN,
		    PATROL_RIGHT_MFA_MANAGE);
	if (!ctype_is(req_param(r, "CONTENT_TYPE"), "application/json"))
		return req_error(r, 415, NULL, "Content-Type must be "
		    "application/json");
	if (req_body(r, &body, &len) == -1)
		return -1;
	/* Read, merge and write in one transaction, with its audit row. */
	config = NULL;
	if ((rc = patrol_store_begin(st, &err)) == PATROL_OK) {
		rc = patrol_duo_update(st, r->seal,
		    (const char *const *)r->conf->secret_duo_properties, body,
		    len, &config, &err);
		if (rc == PATROL_OK)
			rc = req_commit_audited(r, AUDIT_DUO, &err);
		else
			patrol_store_rollback(st);
	}
	wipe(body, len);
	free(body);
	if (rc != PATROL_OK) {
		json_decref(config);
		return req_fail(r, rc, err.text);
	}
	return req_json(r, 200, config, NULL);
}
