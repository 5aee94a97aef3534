/*
 * envelope.c: the one table that maps errors to HTTP statuses and SailPoint
 * detailCodes, and the ErrorResponseDto envelope built from it.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "patrol.h"
#include "extern.h"

struct status_row {
	int		 status;
	const char	*reason;	/* HTTP reason phrase */
	const char	*detail;	/* ErrorResponseDto.detailCode */
	const char	*generic;	/* text when there is nothing specific */
};

static const struct status_row statuses[] = {
	{ 200, "OK", NULL, NULL },
	{ 204, "No Content", NULL, NULL },
	{ 400, "Bad Request", "400.1 Bad Request Content",
	  "The request was syntactically correct but its content is semantically invalid." },
	{ 401, "Unauthorized", NULL, NULL },
	{ 403, "Forbidden", "403 Forbidden",
	  "The server understood the request but refuses to authorize it." },
	{ 404, "Not Found", "404 Not found",
	  "The server did not find a current representation for the target resource." },
	{ 408, "Request Timeout", "408 Request Timeout",
	  "The server timed out waiting for the request." },
	{ 405, "Method Not Allowed", "405 Method Not Allowed",
	  "The method is not allowed for the requested resource." },
	{ 411, "Length Required", "411 Length Required",
	  "The request has a body but no Content-Length." },
	{ 413, "Payload Too Large", "413 Payload Too Large",
	  "The request body is larger than the server is willing to process." },
	{ 414, "URI Too Long", "414 URI Too Long",
	  "The request URI is longer than the server is willing to interpret." },
	{ 415, "Unsupported Media Type", "415 Unsupported Media Type",
	  "The request body is in a format the resource does not support." },
	{ 429, "Too Many Requests", "429 Too Many Requests",
	  "Too many requests; try again after the time in Retry-After." },
	{ 431, "Request Header Fields Too Large",
	  "431 Request Header Fields Too Large",
	  "The request's header fields are too large." },
	{ 500, "Internal Server Error", "500.0 Internal Fault",
	  "An internal fault occurred." },
	{ 502, "Bad Gateway", "502 Bad Gateway",
	  "The service is not available; try again later." },
	{ 503, "Service Unavailable", "503 Service Unavailable",
	  "The service is not available; try again later." },
	{ 504, "Gateway Timeout", "504 Gateway Timeout",
	  "The service did not answer in time; try again later." },
};

/* Library error -> HTTP status. PATROL_ERR_AUTH (401) has its own body
 * shapes, written by the auth code and the token endpoint. */
static const int err_statuses[PATROL_ERR__MAX] = {
	[PATROL_OK] = 200,
	[PATROL_ERR_NOMEM] = 500,
	[PATROL_ERR_IO] = 500,
	[PATROL_ERR_SYNTAX] = 400,
	[PATROL_ERR_INVALID] = 400,
	[PATROL_ERR_UNSUPPORTED] = 400,
	[PATROL_ERR_TOOBIG] = 400,
	[PATROL_ERR_NOTFOUND] = 404,
	[PATROL_ERR_EXISTS] = 400,
	[PATROL_ERR_AUTH] = 401,
	[PATROL_ERR_FORBIDDEN] = 403,
	[PATROL_ERR_MEDIATYPE] = 415,
	[PATROL_ERR_STORE] = 500,
	[PATROL_ERR_SCHEMA] = 503,
	[PATROL_ERR_CONFIG] = 500,
	[PATROL_ERR_CRYPTO] = 500,
	[PATROL_ERR_LIMIT] = 400,
};

static const struct status_row *
row(int status)
{
	size_t	 i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (statuses[i].status == status)
			return &statuses[i];
	return status == 500 ? NULL : row(500);
}

int
err_status(enum patrol_err code)
{
	if ((unsigned)code >= PATROL_ERR__MAX || err_statuses[code] == 0)
		return 500;
	return err_statuses[code];
}

const char *
status_reason(int status)
{
	return row(status)->reason;
}

json_t *
envelope_new(int status, const char *tracking, const char *text)
{
	const struct status_row	*r = row(status);

	if (r->detail == NULL)
		r = row(500);
	/* 5xx never shows internals: the specific text goes to the log. */
	if (text == NULL || text[0] == '\0' || status >= 500)
		text = r->generic;
	return json_pack("{s:s, s:s, s:[{s:s, s:s, s:s}], s:[]}",
	    "detailCode", r->detail,
	    "trackingId", tracking,
	    "messages", "locale", "en-US", "localeOrigin", "DEFAULT",
	    "text", text,
	    "causes");
}

int
envelope_static(int status, const char *tracking, char *buf, size_t size)
{
	const struct status_row	*r = row(status < 500 ? 500 : status);
	int			 n;

	/* The table's texts need no JSON escaping; the id is hex. */
	n = snprintf(buf, size, "{\"detailCode\":\"%s\",\"trackingId\":\"%s\","
	    "\"messages\":[{\"locale\":\"en-US\",\"localeOrigin\":\"DEFAULT\","
	    "\"text\":\"%s\"}],\"causes\":[]}", r->detail, tracking,
	    r->generic);
	return n < 0 || (size_t)n >= size ? -1 : n;
}
