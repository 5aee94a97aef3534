/*
 * h_pat.c: GET /beta/personal-access-tokens, streamed item by item.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

struct list_state {
	struct req	*r;
	size_t		 count;
	int		 failed;
};

/* Writes one PAT as an array element; the headers and "[" go out with the
 * first one, so an error before any row still gets a proper envelope. */
static int
list_item(void *arg, const struct patrol_pat *pat)
{
	struct list_state	*ls = arg;
	json_t			*j;
	char			*s;
	int			 rc;

	if ((j = patrol_pat_to_json(pat)) == NULL)
		goto fail;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (s == NULL)
		goto fail;
	if (ls->count == 0)
		rc = req_begin(ls->r, 200, NULL) == -1 ||
		    req_write(ls->r, "[", 1) == -1 ? -1 : 0;
	else
		rc = req_write(ls->r, ",", 1);
	if (rc == 0)
		rc = req_write(ls->r, s, strlen(s));
	free(s);
	if (rc == -1)
		goto fail;
	ls->count++;
	return 0;
fail:
	ls->failed = 1;
	return 1;
}

int
h_pat_list(struct req *r)
{
	struct kvlist		 q = { 0 };
	const struct kv		*owner, *filters;
	struct patrol_filter	*f = NULL;
	struct patrol_pat_query	 pq;
	struct patrol_error	 err = { 0 };
	struct patrol_store	*st = r->store;
	struct list_state	 ls;
	enum patrol_err		 rc;
	const char		*dup, *owner_id = NULL;
	char *const		*rights = r->caller.rights;
	size_t			 nrights = r->caller.nrights;

	memset(&pq, 0, sizeof(pq));
	memset(&ls, 0, sizeof(ls));
	if ((rc = kv_parse_urlencoded(r->query, strlen(r->query), &q,
	    &err)) != PATROL_OK) {
		req_fail(r, rc, err.text);
		goto out;
	}
	if ((dup = kv_dup(&q)) != NULL) {
		req_error(r, 400, NULL, "query parameter %s is given more "
		    "than once", dup);
		goto out;
	}
	if ((owner = kv_get(&q, "owner-id")) != NULL) {
		if (strcmp(owner->val, "me") == 0 ||
		    strcmp(owner->val, r->caller.id) == 0)
			owner_id = r->caller.id;
		else if (patrol_id_valid(owner->val))
			owner_id = owner->val;
		else {
			req_error(r, 400, NULL, "owner-id must be \"me\" or an "
			    "identity id (32 lowercase hexadecimal "
			    "characters)");
			goto out;
		}
	}
	if (owner_id == r->caller.id) {
		if (!patrol_rights_have(rights, nrights,
		    PATROL_RIGHT_PAT_MY_READ) &&
		    !patrol_rights_have(rights, nrights,
		    PATROL_RIGHT_PAT_ALL_READ)) {
			req_error(r, 403, NULL, "listing your own personal "
			    "access tokens requires the right %s",
			    PATROL_RIGHT_PAT_MY_READ);
			goto out;
		}
	} else if (!patrol_rights_have(rights, nrights,
	    PATROL_RIGHT_PAT_ALL_READ)) {
		req_error(r, 403, NULL, "listing %s requires the right %s",
		    owner_id == NULL ? "all personal access tokens" :
		    "the personal access tokens of another identity",
		    PATROL_RIGHT_PAT_ALL_READ);
		goto out;
	}
	if ((filters = kv_get(&q, "filters")) != NULL) {
		rc = patrol_filter_parse(filters->val, filters->vallen, &f,
		    &err);
		if (rc == PATROL_OK)
			rc = patrol_filter_bind(f, &patrol_pat_filter_schema,
			    &err);
		if (rc != PATROL_OK) {
			req_error(r, err_status(rc) == 500 ? 500 : 400, NULL,
			    "filters: %s", err.text);
			goto out;
		}
	}
	pq.owner_id = owner_id;
	pq.include_managed = patrol_rights_have(rights, nrights,
	    PATROL_RIGHT_PAT_MANAGED_READ);
	pq.filter = f;
	ls.r = r;
	rc = patrol_store_pat_list(st, &pq, list_item, &ls, &err);
	if (rc != PATROL_OK || ls.failed) {
		if (ls.count == 0 && !r->sent)
			req_fail(r, rc != PATROL_OK ? rc : PATROL_ERR_NOMEM,
			    err.text);
		else {
			/* Mid-stream: cut the response short, visibly. */
			req_log(r, "listing failed after %zu items: %s",
			    ls.count, rc != PATROL_OK ? err.text :
			    "output error");
			r->failed = 1;
		}
		goto out;
	}
	if (ls.count == 0)
		req_json(r, 200, json_array(), NULL);
	else
		req_write(r, "]", 1);
out:
	patrol_filter_free(f);
	kv_free(&q);
	return r->failed ? -1 : 0;
}
