/*
 * jsonutil.c: JSON helpers shared by the core: loading a request body
 * strictly without quoting any of it, naming JSON types in messages.
 */
#include "config.h"

#include <string.h>

#include "patrol.h"
#include "extern.h"

const char *
jtype_name(const json_t *j)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "boolean";
	case JSON_NULL:
	default:
		return "null";
	}
}

enum patrol_err
jbody_load(const char *body, size_t len, json_t **out,
    struct patrol_error *err)
{
	json_error_t	 jerr;
	char		*p;

	*out = NULL;
	if (!utf8_valid(body, len))
		return patrol_error_set(err, PATROL_ERR_SYNTAX, PATROL_NOPOS,
		    "body: not valid UTF-8");
	if ((*out = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		/* jansson ends its text with " near '<token>'", which may
		 * be a secret: cut it, the line and column say where. */
		jerr.text[strcspn(jerr.text, "\n")] = '\0';
		if ((p = strstr(jerr.text, " near ")) != NULL)
			*p = '\0';
		return patrol_error_set(err, PATROL_ERR_SYNTAX, PATROL_NOPOS,
		    "body: not valid JSON: %s (line %d, column %d)",
		    jerr.text, jerr.line, jerr.column);
	}
	return PATROL_OK;
}
