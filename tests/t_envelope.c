/* t_envelope.c: the status table and the ErrorResponseDto envelope. */
#include "config.h"

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
	{ 413, "413 Payload Too Large", "Payload Too Large" },
	{ 414, "414 URI Too Long", "URI Too Long" },
	{ 415, "415 Unsupported Media Type", "Unsupported Media Type" },
	{ 500, "500.0 Internal Fault", "Internal Server Error" },
	{ 503, "503 Service Unavailable", "Service Unavailable" },
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
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		is_int(err_status(map[i].code), map[i].status,
		    "error %s maps to %d", patrol_strerror(map[i].code),
		    map[i].status);
	return done_testing();
}
