/*
 * t_envelope.c: the status table and the ErrorResponseDto envelope; the
 * error pages the web server recipes serve (etc/errors/NNN.json) are the
 * library's own envelopes, tracking id all zeros.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static const struct {
	int		 status;
	const char	*detail;
	const char	*reason;
} rows[] = {
	{ 400, "400.1 Bad Request Content", "Bad Request" },
	{ 403, "403 Forbidden", "Forbidden" },
	{ 404, "404 Not found", "Not Found" },
	{ 405, "405 Method Not Allowed", "Method Not Allowed" },
	{ 408, "408 Request Timeout", "Request Timeout" },
	{ 411, "411 Length Required", "Length Required" },
	{ 413, "413 Payload Too Large", "Payload Too Large" },
	{ 414, "414 URI Too Long", "URI Too Long" },
	{ 415, "415 Unsupported Media Type", "Unsupported Media Type" },
	{ 431, "431 Request Header Fields Too Large",
	  "Request Header Fields Too Large" },
	{ 500, "500.0 Internal Fault", "Internal Server Error" },
	{ 502, "502 Bad Gateway", "Bad Gateway" },
	{ 503, "503 Service Unavailable", "Service Unavailable" },
	{ 504, "504 Gateway Timeout", "Gateway Timeout" },
};

/* The statuses a web server answers itself, with a page in etc/errors/. */
static const int pages[] = {
	400, 403, 404, 405, 408, 411, 413, 414, 431, 500, 502, 503, 504
};

static const struct {
	enum patrol_err	 code;
	int		 status;
} map[] = {
	{ PATROL_ERR_NOMEM, 500 }, { PATROL_ERR_IO, 500 },
	{ PATROL_ERR_SYNTAX, 400 }, { PATROL_ERR_INVALID, 400 },
	{ PATROL_ERR_UNSUPPORTED, 400 }, { PATROL_ERR_TOOBIG, 400 },
	{ PATROL_ERR_NOTFOUND, 404 }, { PATROL_ERR_EXISTS, 400 },
	{ PATROL_ERR_AUTH, 401 }, { PATROL_ERR_FORBIDDEN, 403 },
	{ PATROL_ERR_MEDIATYPE, 415 }, { PATROL_ERR_STORE, 500 },
	{ PATROL_ERR_SCHEMA, 503 }, { PATROL_ERR_CONFIG, 500 },
	{ PATROL_ERR_CRYPTO, 500 }, { PATROL_ERR__MAX, 500 },
};

int
main(void)
{
	const char	*tid = "0123456789abcdef0123456789abcdef";
	json_t		*e, *m;
	size_t		 i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		e = envelope_new(rows[i].status, tid, "specific text");
		ok(e != NULL, "%d: envelope built", rows[i].status);
		is_str(json_string_value(json_object_get(e, "detailCode")),
		    rows[i].detail, "%d: detailCode", rows[i].status);
		is_str(json_string_value(json_object_get(e, "trackingId")),
		    tid, "%d: trackingId", rows[i].status);
		m = json_array_get(json_object_get(e, "messages"), 0);
		is_str(json_string_value(json_object_get(m, "locale")), "en-US",
		    "%d: locale", rows[i].status);
		is_str(json_string_value(json_object_get(m, "localeOrigin")),
		    "DEFAULT", "%d: localeOrigin", rows[i].status);
		if (rows[i].status < 500)
			is_str(json_string_value(json_object_get(m, "text")),
			    "specific text", "%d: specific text shown",
			    rows[i].status);
		else
			ok(strcmp(json_string_value(json_object_get(m, "text")),
			    "specific text") != 0,
			    "%d: internals are not shown", rows[i].status);
		ok(json_is_array(json_object_get(e, "causes")),
		    "%d: causes is an array", rows[i].status);
		is_int(json_object_size(e), 4, "%d: exactly four keys",
		    rows[i].status);
		is_str(status_reason(rows[i].status), rows[i].reason,
		    "%d: reason phrase", rows[i].status);
		json_decref(e);
	}
	e = envelope_new(400, tid, NULL);
	m = json_array_get(json_object_get(e, "messages"), 0);
	is_str(json_string_value(json_object_get(m, "text")),
	    "The request was syntactically correct but its content is "
	    "semantically invalid.", "no text: the generic message");
	json_decref(e);
	e = envelope_new(418, tid, "x");
	is_str(json_string_value(json_object_get(e, "detailCode")),
	    "500.0 Internal Fault", "a status not in the table: 500");
	json_decref(e);
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		char		 path[4096];
		json_t		*file;
		json_error_t	 jerr;

		snprintf(path, sizeof(path), "%s/etc/errors/%d.json",
		    SRCDIR, pages[i]);
		file = json_load_file(path, 0, &jerr);
		ok(file != NULL, "etc/errors/%d.json is JSON (%s)", pages[i],
		    file == NULL ? jerr.text : "ok");
		e = envelope_new(pages[i], "00000000000000000000000000000000",
		    NULL);
		ok(json_equal(file, e), "etc/errors/%d.json is the library's "
		    "envelope", pages[i]);
		json_decref(file);
		json_decref(e);
	}
	/* The one written without allocating, for when memory is short. */
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char	 buf[512], *s;

		if (rows[i].status < 500)
			continue;
		e = envelope_new(rows[i].status, tid, "specific text");
		s = json_dumps(e, JSON_COMPACT);
		ok(envelope_static(rows[i].status, tid, buf, sizeof(buf)) > 0 &&
		    s != NULL && strcmp(buf, s) == 0, "%d: the static "
		    "envelope is the same text", rows[i].status);
		free(s);
		json_decref(e);
	}
	{
		char	 small[32];

		is_int(envelope_static(500, tid, small, sizeof(small)), -1,
		    "the static envelope: -1 when it does not fit");
	}
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		is_int(err_status(map[i].code), map[i].status,
		    "error %s maps to %d", patrol_strerror(map[i].code),
		    map[i].status);
	return done_testing();
}
