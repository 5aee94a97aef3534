/*
 * jsonutil.c: JSON helpers shared by the core: loading a request body
 * strictly without quoting any of it, naming JSON types in messages.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
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
	if ((*out = jloadb(body, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		if (json_error_code(&jerr) == json_error_out_of_memory)
			return patrol_error_set(err, PATROL_ERR_NOMEM,
			    PATROL_NOPOS, "out of memory");
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

json_t *
jloadb(const char *s, size_t len, size_t flags, json_error_t *jerr)
{
	json_t		*j, *again;
	json_error_t	 e2;
	int		 saved = errno, same;

	/* Only a failed allocation sets ENOMEM (malloc does, POSIX), but
	 * the lexer resets errno for each number, so that is not enough:
	 * the text is parsed a second time, and the two must agree (the
	 * same value, or the same error at the same place). */
	errno = 0;
	j = json_loadb(s, len, flags, jerr);
	if (errno != ENOMEM) {
		again = json_loadb(s, len, flags, &e2);
		same = j != NULL ? again != NULL && json_equal(j, again) :
		    again == NULL && e2.position == jerr->position &&
		    strcmp(e2.text, jerr->text) == 0;
		json_decref(again);
		if (same) {
			errno = saved;
			return j;
		}
	}
	json_decref(j);
	memset(jerr, 0, sizeof(*jerr));
	jerr->line = jerr->column = -1;
	snprintf(jerr->text, JSON_ERROR_TEXT_LENGTH - 1, "out of memory");
	jerr->text[JSON_ERROR_TEXT_LENGTH - 1] =
	    (char)json_error_out_of_memory;
	return NULL;
}

/* json_dump_callback's sink: a pbuf, whose oom flag stays set. */
static int
dump_add(const char *s, size_t len, void *arg)
{
	return pbuf_add(arg, s, len);
}

char *
jdumps(const json_t *j, size_t flags)
{
	struct pbuf	 b = { 0 };

	if (json_dump_callback(j, dump_add, &b, flags) == -1 || b.oom) {
		if (b.s != NULL)
			wipe(b.s, b.len);	/* may hold a secret */
		pbuf_free(&b);
		return NULL;
	}
	return pbuf_take(&b);
}
