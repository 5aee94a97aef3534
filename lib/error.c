/* error.c: error codes, their names, and filling struct patrol_error. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "patrol.h"
#include "extern.h"

static const char *const names[PATROL_ERR__MAX] = {
	[PATROL_OK] = "success",
	[PATROL_ERR_NOMEM] = "out of memory",
	[PATROL_ERR_IO] = "input/output error",
	[PATROL_ERR_SYNTAX] = "syntax error",
	[PATROL_ERR_INVALID] = "invalid value",
	[PATROL_ERR_UNSUPPORTED] = "not supported",
	[PATROL_ERR_TOOBIG] = "input too large",
	[PATROL_ERR_NOTFOUND] = "not found",
	[PATROL_ERR_EXISTS] = "already exists",
	[PATROL_ERR_AUTH] = "authentication failed",
	[PATROL_ERR_FORBIDDEN] = "forbidden",
	[PATROL_ERR_MEDIATYPE] = "unsupported media type",
	[PATROL_ERR_STORE] = "storage failure",
	[PATROL_ERR_SCHEMA] = "database not initialised or wrong version",
	[PATROL_ERR_CONFIG] = "configuration error",
	[PATROL_ERR_CRYPTO] = "cryptographic failure",
	[PATROL_ERR_LIMIT] = "limit reached",
};

const char *
patrol_strerror(enum patrol_err e)
{
	if ((unsigned)e >= PATROL_ERR__MAX || names[e] == NULL)
		return "unknown error";
	return names[e];
}

enum patrol_err
patrol_error_set(struct patrol_error *err, enum patrol_err code,
    size_t position, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL)
		return code;
	err->code = code;
	err->line = 0;
	err->position = position;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return code;
}
