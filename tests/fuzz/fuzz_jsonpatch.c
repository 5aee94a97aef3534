/*
 * fuzz_jsonpatch.c: a PATCH /beta/personal-access-tokens/{id} body (RFC 6902)
 * applied to a PAT: first the generic JSON Patch engine on the PAT's JSON,
 * then patrol_pat_patch with its path rules.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		*scope[] = { "sp:scopes:all", "demo:a" };
	struct patrol_pat	 pat;
	struct patrol_error	 err = { 0 };
	json_t			*patch, *doc, *out = NULL;
	json_error_t		 jerr;

	patch = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (patch == NULL)
		return 0;
	memset(&pat, 0, sizeof(pat));
	strcpy(pat.id, "0123456789abcdef0123456789abcdef");
	strcpy(pat.owner_id, "fedcba9876543210fedcba9876543210");
	pat.name = strdup("fuzz");
	pat.scope = malloc(2 * sizeof(char *));
	if (pat.name == NULL || pat.scope == NULL)
		abort();
	pat.scope[0] = strdup(scope[0]);
	pat.scope[1] = strdup(scope[1]);
	pat.nscope = 2;
	pat.created = 1700000000000;
	pat.last_used = -1;
	pat.expires = 1800000000000;
	pat.validity = 43200;
	if ((doc = patrol_pat_to_json(&pat)) != NULL) {
		if (patrol_jsonpatch_apply(doc, patch, &out, &err) ==
		    PATROL_OK)
			json_decref(out);
		json_decref(doc);
	}
	(void)patrol_pat_patch(&pat, patch, 1750000000000, &err);
	patrol_pat_clear(&pat);
	json_decref(patch);
	return 0;
}
