/*
 * h_pat.c: GET /beta/personal-access-tokens, streamed item by item, with
 * the standard collection parameters (limit, offset, count, sorters).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

/* Bytes of JSON collected before they are written: one write for a short
 * listing, bounded memory for a long one. */
#define LIST_FLUSH	(64 * 1024)

struct list_state {
	struct req	*r;
	const char	*extra;		/* more headers, or NULL */
	struct pbuf	 out;		/* JSON not yet written */
	size_t		 count;
	int		 failed;
};

/* Parses s as a count: decimal digits only (no sign, no space), at most
 * max. Returns 0 and *out, or -1. */
static int
count_param(const char *s, int64_t max, int64_t *out)
{
	int64_t	 v = 0;
	int	 d;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		d = *s - '0';
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Reads limit, offset, count and sorters into *pq, *count and *none
 * (limit=0: no rows wanted), all optional. Replies with a 400 naming the
 * parameter and returns -1 on a bad value. */
static int
paging(struct req *r, const struct kvlist *q, struct patrol_pat_query *pq,
    int *count, int *none)
{
	const struct kv		*p;
	struct patrol_error	 err = { 0 };

	*count = *none = 0;
	if ((p = kv_get(q, "limit")) != NULL) {
		if (count_param(p->val, PATROL_PAT_LIMIT_MAX, &pq->limit) ==
		    -1)
			return req_error(r, 400, NULL, "limit must be an "
			    "integer from 0 to %d", PATROL_PAT_LIMIT_MAX), -1;
		*none = pq->limit == 0;	/* for the store, 0 is no limit */
	}
	if ((p = kv_get(q, "offset")) != NULL && count_param(p->val,
	    INT64_MAX, &pq->offset) == -1)
		return req_error(r, 400, NULL, "offset must be an integer "
		    "from 0 to %lld", (long long)INT64_MAX), -1;
	if ((p = kv_get(q, "count")) != NULL) {
		if (strcmp(p->val, "true") == 0)
			*count = 1;
		else if (strcmp(p->val, "false") != 0)
			return req_error(r, 400, NULL, "count must be true or "
			    "false"), -1;
	}
	if ((p = kv_get(q, "sorters")) != NULL &&
	    patrol_pat_sorters_parse(p->val, p->vallen, pq, &err) !=
	    PATROL_OK)
		return req_fail(r, err.code, err.text), -1;
	return 0;
}

/* Writes what was collected; the headers go out with the first write, so
 * an error before anything was written still gets a proper envelope. */
static int
list_flush(struct list_state *ls)
{
	int	 rc = 0;

	if (ls->out.oom)
		return -1;
	if (!ls->r->sent)
		rc = req_begin(ls->r, 200, ls->extra);
	if (rc == 0)
		rc = req_write(ls->r, ls->out.s, ls->out.len);
	pbuf_reset(&ls->out);
	return rc;
}

/* Appends one PAT as an array element. */
static int
list_item(void *arg, const struct patrol_pat *pat)
{
	struct list_state	*ls = arg;

	pbuf_addc(&ls->out, ls->count == 0 ? '[' : ',');
	if (pat_json_write(&ls->out, pat) == -1 ||
	    (ls->out.len >= LIST_FLUSH && list_flush(ls) == -1)) {
		ls->failed = 1;
		return 1;
	}
	ls->count++;
	return 0;
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
	int64_t			 total;
	int			 count, none;
	char			 extra[64];
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
	if (paging(r, &q, &pq, &count, &none) == -1)
		goto out;
	pq.owner_id = owner_id;
	pq.include_managed = patrol_rights_have(rights, nrights,
	    PATROL_RIGHT_PAT_MANAGED_READ);
	pq.filter = f;
	ls.r = r;
	if (count) {
		if ((rc = patrol_store_pat_count(st, &pq, &total, &err)) !=
		    PATROL_OK) {
			req_fail(r, rc, err.text);
			goto out;
		}
		snprintf(extra, sizeof(extra), "X-Total-Count: %lld\r\n",
		    (long long)total);
		ls.extra = extra;
	}
	if (none) {		/* the count alone */
		req_json(r, 200, json_array(), ls.extra);
		goto out;
	}
	rc = patrol_store_pat_list(st, &pq, list_item, &ls, &err);
	if (rc != PATROL_OK || ls.failed) {
		if (!r->sent)
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
		pbuf_addc(&ls.out, '[');
	pbuf_addc(&ls.out, ']');
	if (list_flush(&ls) == -1)
		r->failed = 1;
out:
	pbuf_free(&ls.out);
	patrol_filter_free(f);
	kv_free(&q);
	return r->failed ? -1 : 0;
}
