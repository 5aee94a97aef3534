/*
 * pat.c: personal access tokens as the API shows them: their filter schemas,
 * field values for the filter evaluator, and their JSON representation.
 */
#include "config.h"

#include <string.h>

#include "patrol.h"
#include "extern.h"

#define CMP_OPS	(PATROL_FOP_BIT(PATROL_FOP_EQ) | PATROL_FOP_BIT(PATROL_FOP_NE) | \
	PATROL_FOP_BIT(PATROL_FOP_GT) | PATROL_FOP_BIT(PATROL_FOP_GE) | \
	PATROL_FOP_BIT(PATROL_FOP_LT) | PATROL_FOP_BIT(PATROL_FOP_LE) | \
	PATROL_FOP_BIT(PATROL_FOP_IN) | PATROL_FOP_BIT(PATROL_FOP_PR) | \
	PATROL_FOP_BIT(PATROL_FOP_ISNULL))
#define STR_OPS	(CMP_OPS | PATROL_FOP_BIT(PATROL_FOP_CO) | \
	PATROL_FOP_BIT(PATROL_FOP_SW))
#define BOOL_OPS (PATROL_FOP_BIT(PATROL_FOP_EQ) | PATROL_FOP_BIT(PATROL_FOP_NE))

/* GET /beta/personal-access-tokens: "lastUsed: le, isnull" (the spec). */
static const struct patrol_filter_field pat_fields[] = {
	{ "lastUsed", PATROL_FIELD_DATETIME, 1,
	  PATROL_FOP_BIT(PATROL_FOP_LE) | PATROL_FOP_BIT(PATROL_FOP_ISNULL) },
};

const struct patrol_filter_schema patrol_pat_filter_schema = {
	pat_fields, sizeof(pat_fields) / sizeof(pat_fields[0])
};

static const struct patrol_filter_field admin_fields[] = {
	{ "id", PATROL_FIELD_STRING, 0, STR_OPS },
	{ "name", PATROL_FIELD_STRING, 0, STR_OPS },
	{ "owner.id", PATROL_FIELD_STRING, 0, STR_OPS },
	{ "owner.name", PATROL_FIELD_STRING, 0, STR_OPS },
	{ "created", PATROL_FIELD_DATETIME, 0, CMP_OPS },
	{ "lastUsed", PATROL_FIELD_DATETIME, 1, CMP_OPS },
	{ "managed", PATROL_FIELD_BOOL, 0, BOOL_OPS },
};

const struct patrol_filter_schema patrol_pat_admin_filter_schema = {
	admin_fields, sizeof(admin_fields) / sizeof(admin_fields[0])
};

static void
str_value(struct patrol_value *out, const char *s)
{
	if (s == NULL) {
		out->type = PATROL_VAL_NULL;
		return;
	}
	out->type = PATROL_VAL_STRING;
	out->u.str.s = (char *)s;	/* borrowed; the evaluator never frees */
	out->u.str.len = strlen(s);
}

enum patrol_err
patrol_pat_filter_value(void *arg, const struct patrol_filter_field *field,
    struct patrol_value *out)
{
	const struct patrol_pat	*pat = arg;
	const char		*n = field->name;

	memset(out, 0, sizeof(*out));
	if (strcmp(n, "id") == 0)
		str_value(out, pat->id);
	else if (strcmp(n, "name") == 0)
		str_value(out, pat->name);
	else if (strcmp(n, "owner.id") == 0)
		str_value(out, pat->owner_id);
	else if (strcmp(n, "owner.name") == 0)
		str_value(out, pat->owner_name);
	else if (strcmp(n, "created") == 0) {
		out->type = PATROL_VAL_DATETIME;
		out->u.ms = pat->created;
	} else if (strcmp(n, "lastUsed") == 0) {
		if (pat->last_used < 0)
			out->type = PATROL_VAL_NULL;
		else {
			out->type = PATROL_VAL_DATETIME;
			out->u.ms = pat->last_used;
		}
	} else if (strcmp(n, "managed") == 0) {
		out->type = PATROL_VAL_BOOL;
		out->u.b = pat->managed != 0;
	} else
		return PATROL_ERR_UNSUPPORTED;
	return PATROL_OK;
}

/* New reference to a JSON time string, json null for ms < 0. */
static json_t *
time_json(int64_t ms)
{
	char	 buf[PATROL_TIME_BUFSZ];

	if (ms < 0 || patrol_time_format(ms, buf) == -1)
		return json_null();
	return json_string(buf);
}

json_t *
patrol_pat_to_json(const struct patrol_pat *pat)
{
	json_t	*o = NULL, *scope = NULL, *owner = NULL;
	size_t	 i;

	if (pat->scope_null)
		scope = json_null();
	else {
		if ((scope = json_array()) == NULL)
			goto fail;
		for (i = 0; i < pat->nscope; i++)
			if (json_array_append_new(scope,
			    json_string(pat->scope[i])) == -1)
				goto fail;
	}
	owner = json_pack("{s:s, s:s, s:s?}", "type", "IDENTITY",
	    "id", pat->owner_id, "name", pat->owner_name);
	if (owner == NULL)
		goto fail;
	o = json_pack("{s:s, s:s?, s:o, s:o, s:o, s:o, s:b}",
	    "id", pat->id,
	    "name", pat->name,
	    "scope", scope,
	    "owner", owner,
	    "created", time_json(pat->created),
	    "lastUsed", time_json(pat->last_used),
	    "managed", pat->managed != 0);
	/* json_pack's "o" steals scope and owner, even on failure. */
	return o;
fail:
	json_decref(scope);
	json_decref(owner);
	return NULL;
}
