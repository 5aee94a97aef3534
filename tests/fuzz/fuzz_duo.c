/*
 * fuzz_duo.c: a PUT /beta/mfa/duo-web/config body: parsed as the handler
 * does (depth-bounded), validated, merged over a stored configuration with
 * secrets, and masked: each secret comes out as exactly its masked form.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "fuzz.h"

/* A secret leaves masked: a string comes out as its masked form. */
static void
check(const json_t *secret, const json_t *shown)
{
	char	*want;

	if (!json_is_string(secret))
		return;
	if ((want = patrol_mask_secret(json_string_value(secret))) == NULL)
		return;
	if (!json_is_string(shown) || strcmp(json_string_value(shown),
	    want) != 0)
		abort();	/* a secret not masked as it should be */
	free(want);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t			*body, *stored, *merged, *masked;
	struct patrol_error	 err = { 0 };
	json_error_t		 jerr;

	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (body == NULL)
		return 0;
	stored = json_pack("{s:s, s:b, s:s, s:s, s:s, s:{s:s, s:s}}",
	    "mfaMethod", "duo-web", "enabled", 1, "host", "h.example.com",
	    "accessKey", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y",
	    "identityAttribute", "email", "configProperties", "skey",
	    "12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B", "ikey", "Q123");
	if (patrol_duo_validate(body, &err) == PATROL_OK &&
	    (merged = patrol_duo_merge(body, stored, NULL)) != NULL) {
		if ((masked = patrol_duo_mask(merged, NULL)) != NULL) {
			check(json_object_get(merged, "accessKey"),
			    json_object_get(masked, "accessKey"));
			check(json_object_get(json_object_get(merged,
			    "configProperties"), "skey"),
			    json_object_get(json_object_get(masked,
			    "configProperties"), "skey"));
			json_decref(masked);
		}
		json_decref(merged);
	}
	json_decref(stored);
	json_decref(body);
	return 0;
}
