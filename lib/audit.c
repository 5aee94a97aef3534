/*
 * audit.c: recording the audit trail: a row per change, refused change and
 * refused authentication (struct patrol_audit), kept for
 * audit.retention_days. The rows themselves are the store's.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

/* Rows pruned at most per row recorded: more than one, so that the trail
 * shrinks back to its retention after the retention is shortened, and few,
 * so that a request never waits on a long delete. */
#define PRUNE_STEP	16

enum patrol_err
patrol_audit_record(struct patrol_store *st, const struct patrol_conf *conf,
    const struct patrol_audit *a, struct patrol_error *err)
{
	struct patrol_audit	 row = *a;
	enum patrol_err		 rc;
	int64_t			 keep;

	if (row.time == 0)
		row.time = patrol_time_now();
	if ((rc = patrol_store_audit_add(st, &row, err)) != PATROL_OK)
		return rc;
	if (conf == NULL || conf->audit_retention_days <= 0)
		return PATROL_OK;
	keep = (int64_t)conf->audit_retention_days * 86400 * 1000;
	if (row.time < keep)
		return PATROL_OK;
	return patrol_store_audit_prune(st, row.time - keep, PRUNE_STEP, NULL,
	    err);
}

char *
patrol_audit_outcome(char *buf, size_t size, int status, const char *text)
{
	size_t	 len, max;
	int	 n;

	if (size == 0)
		return buf;
	if (size > PATROL_AUDIT_FIELD_MAX + 1)
		size = PATROL_AUDIT_FIELD_MAX + 1;
	n = snprintf(buf, size, "%d%s%s", status, text != NULL ? " " : "",
	    text != NULL ? text : "");
	if (n < 0) {
		buf[0] = '\0';
		return buf;
	}
	/* Cut back to the last whole UTF-8 sequence. */
	max = (size_t)n < size ? (size_t)n : size - 1;
	len = 0;
	while (len < max) {
		size_t	 l = (unsigned char)buf[len] < 0x80 ? 1 :
		    utf8_seqlen(buf, max, len);

		if (l == 0)
			break;
		len += l;
	}
	buf[len] = '\0';
	return buf;
}
