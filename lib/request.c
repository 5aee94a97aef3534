/*
 * request.c: reading a request and writing responses through struct
 * patrol_io. Every response, success or error, goes through req_begin.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

const char *
req_param(const struct req *r, const char *name)
{
	const char	*v;

	if (r->io->param == NULL || (v = r->io->param(r->io->arg, name)) == NULL)
		return NULL;
	return v[0] == '\0' ? NULL : v;
}

void
req_log(struct req *r, const char *fmt, ...)
{
	char	 msg[1024], line[1200];
	va_list	 ap;

	if (r->io->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "patrol[%s]: %s %s: %s", r->tracking,
	    r->method != NULL ? r->method : "-",
	    r->path != NULL ? r->path : "-", msg);
	r->io->log(r->io->arg, line);
}

int
req_write(struct req *r, const char *s, size_t len)
{
	if (r->failed)
		return -1;
	if (len > 0 && r->io->write(r->io->arg, s, len) == -1) {
		r->failed = 1;
		return -1;
	}
	return 0;
}

void
req_why(struct req *r, int status, const char *text)
{
	patrol_audit_outcome(r->why, sizeof(r->why), status, text);
}

int
req_begin(struct req *r, int status, const char *extra)
{
	char	 head[256];
	int	 n;

	if (r->sent)
		return -1;
	r->sent = 1;
	r->status = status;
	/* 204 has no body, so no Content-Type (RFC 9110, section 8.3). */
	n = snprintf(head, sizeof(head), "Status: %d %s\r\n%s"
	    "Cache-Control: no-store\r\n", status, status_reason(status),
	    status == 204 ? "" :
	    "Content-Type: application/json; charset=utf-8\r\n");
	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (req_write(r, head, (size_t)n) == -1)
		return -1;
	if (extra != NULL && req_write(r, extra, strlen(extra)) == -1)
		return -1;
	return req_write(r, "\r\n", 2);
}

int
req_json(struct req *r, int status, json_t *j, const char *extra)
{
	char	*s, last[512];
	int	 rc, n;

	if (j == NULL || (s = jdumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		if (status == 500) {	/* the last resort: no allocation */
			if (req_begin(r, 500, NULL) == -1)
				return -1;
			if ((n = envelope_static(500, r->tracking, last,
			    sizeof(last))) == -1)
				return req_write(r, "{}", 2);
			return req_write(r, last, (size_t)n);
		}
		req_log(r, "out of memory building a %d response", status);
		return req_error(r, 500, NULL, "out of memory");
	}
	json_decref(j);
	rc = req_begin(r, status, extra);
	if (rc == 0)
		rc = req_write(r, s, strlen(s));
	free(s);
	return rc;
}

int
req_json_text(struct req *r, int status, const struct pbuf *b,
    const char *extra)
{
	if (b->oom || b->s == NULL) {
		req_log(r, "out of memory building a %d response", status);
		return req_error(r, 500, NULL, "out of memory");
	}
	if (req_begin(r, status, extra) == -1)
		return -1;
	return req_write(r, b->s, b->len);
}

int
req_error(struct req *r, int status, const char *extra, const char *fmt, ...)
{
	char	 text[PATROL_ERROR_TEXT_MAX + 128];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	req_log(r, "%d %s", status, text);
	req_why(r, status, text);
	if (r->sent) {
		/* Headers are out: the response cannot change any more. */
		r->failed = 1;
		return -1;
	}
	return req_json(r, status, envelope_new(status, r->tracking, text),
	    extra);
}

int
req_fail(struct req *r, enum patrol_err code, const char *text)
{
	return req_error(r, err_status(code), NULL, "%s",
	    text != NULL && text[0] != '\0' ? text : patrol_strerror(code));
}

int
req_body(struct req *r, char **body, size_t *len)
{
	const char	*cl = req_param(r, "CONTENT_LENGTH");
	size_t		 max = r->conf->body_max, want = max + 1;
	unsigned long long v;
	char		*end, *buf = NULL;
	size_t		 n = 0;
	long		 got;

	*body = NULL;
	*len = 0;
	if (cl != NULL) {
		errno = 0;
		v = strtoull(cl, &end, 10);
		if (cl[0] < '0' || cl[0] > '9' || *end != '\0' || errno != 0)
			return req_error(r, 400, NULL,
			    "Content-Length is not a number"), -1;
		if (v > max)
			return req_error(r, 413, NULL,
			    "request body of %llu bytes is over the limit of "
			    "%zu bytes", v, max), -1;
		want = (size_t)v;
	}
	if ((buf = malloc(want + 1)) == NULL)
		return req_error(r, 500, NULL, "out of memory"), -1;
	while (n < want) {
		got = r->io->read(r->io->arg, buf + n, want - n);
		if (got < 0) {
			free(buf);
			return req_error(r, 400, NULL,
			    "could not read the request body"), -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (cl != NULL && n < want) {
		free(buf);
		return req_error(r, 400, NULL, "request body shorter than "
		    "Content-Length (%zu of %zu bytes)", n, want), -1;
	}
	if (n > max) {
		free(buf);
		return req_error(r, 413, NULL, "request body is over the "
		    "limit of %zu bytes", max), -1;
	}
	buf[n] = '\0';
	*body = buf;
	*len = n;
	return 0;
}

int
req_too_many(struct req *r, long retry, const char *why)
{
	char	 extra[64];

	snprintf(extra, sizeof(extra), "Retry-After: %ld\r\n", retry);
	req_log(r, "429 %s; retry after %ld s", why, retry);
	req_why(r, 429, why);
	return req_json(r, 429, json_pack("{s:s}", "message",
	    " Rate Limit Exceeded "), extra);
}
