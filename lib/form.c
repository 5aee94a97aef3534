/*
 * form.c: multipart/form-data bodies (RFC 7578), Content-Type values and
 * base64 (HTTP Basic credentials) and base64url (JWTs).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "patrol.h"
#include "extern.h"

#define BOUNDARY_MAX	70	/* RFC 2046 */
#define PART_HEADER_MAX	1024	/* bytes of one part header line */

int
ctype_is(const char *ctype, const char *mime)
{
	size_t	 n = strlen(mime);

	if (ctype == NULL)
		return 0;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	if (strncasecmp(ctype, mime, n) != 0)
		return 0;
	ctype += n;
	while (*ctype == ' ' || *ctype == '\t')
		ctype++;
	return *ctype == '\0' || *ctype == ';';
}

char *
ctype_param(const char *ctype, const char *name)
{
	const char	*p, *v;
	size_t		 n = strlen(name);
	struct pbuf	 b = { 0 };

	if (ctype == NULL || (p = strchr(ctype, ';')) == NULL)
		return NULL;
	while (*p == ';') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		v = p;
		while (*p != '\0' && *p != '=' && *p != ';')
			p++;
		if (*p != '=')
			continue;
		if ((size_t)(p - v) == n && strncasecmp(v, name, n) == 0) {
			p++;
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++) {
					if (*p == '\\' && p[1] != '\0')
						p++;
					pbuf_addc(&b, *p);
				}
				if (*p != '"') {
					pbuf_free(&b);
					return NULL;
				}
			} else {
				for (; *p != '\0' && *p != ';' && *p != ' ' &&
				    *p != '\t'; p++)
					pbuf_addc(&b, *p);
			}
			if (b.len == 0)
				pbuf_adds(&b, "");
			return pbuf_take(&b);
		}
		/* Skip this parameter's value, quoted or not. */
		p++;
		if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '"')
				p++;
		}
		while (*p != '\0' && *p != ';')
			p++;
	}
	return NULL;
}

static const char *
memmem_(const char *h, size_t hl, const char *n, size_t nl)
{
	return memmem(h, hl, n, nl);
}

/* Extracts the name="..." of a Content-Disposition header value
 * v[0..len): new string, or NULL (malformed, not form-data, ENOMEM). */
static char *
disposition_name(const char *v, size_t len)
{
	char	*line, *name = NULL;

	if ((line = xstrndup(v, len)) == NULL)
		return NULL;
	if (ctype_is(line, "form-data"))
		name = ctype_param(line, "name");
	free(line);
	return name;
}

enum patrol_err
form_parse_multipart(const char *body, size_t len, const char *ctype,
    struct kvlist *out, struct patrol_error *err)
{
	char		*boundary = NULL, *name = NULL, *delim = NULL;
	const char	*p, *end = body + len, *eol, *content, *next;
	size_t		 dl;
	enum patrol_err	 rc = PATROL_OK;

	errno = 0;
	boundary = ctype_param(ctype, "boundary");
	if (boundary == NULL && errno == ENOMEM) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto out;
	}
	if (boundary == NULL || boundary[0] == '\0' ||
	    strlen(boundary) > BOUNDARY_MAX) {
		rc = patrol_error_set(err, PATROL_ERR_SYNTAX, PATROL_NOPOS,
		    "multipart body: missing or bad boundary parameter");
		goto out;
	}
	/* delim is CRLF "--" boundary; the first one may lack the CRLF. */
	dl = strlen(boundary) + 4;
	if ((delim = malloc(dl + 1)) == NULL) {
		rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
		goto out;
	}
	memcpy(delim, "\r\n--", 4);
	memcpy(delim + 4, boundary, dl - 4);
	delim[dl] = '\0';

	if (len >= dl - 2 && memcmp(body, delim + 2, dl - 2) == 0)
		p = body + dl - 2;
	else if ((p = memmem_(body, len, delim, dl)) != NULL)
		p += dl;
	else {
		rc = patrol_error_set(err, PATROL_ERR_SYNTAX, PATROL_NOPOS,
		    "multipart body: no boundary delimiter found");
		goto out;
	}

	for (;;) {
		/* After a delimiter: "--" closes, else padding and CRLF. */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
			goto malformed;
		p += 2;
		/* Part headers up to an empty line. */
		for (;;) {
			eol = memmem_(p, (size_t)(end - p), "\r\n", 2);
			if (eol == NULL || eol - p > PART_HEADER_MAX)
				goto malformed;
			if (eol == p) {
				p += 2;
				break;
			}
			if ((size_t)(eol - p) > 20 &&
			    strncasecmp(p, "Content-Disposition:", 20) == 0) {
				free(name);
				errno = 0;
				name = disposition_name(p + 20,
				    (size_t)(eol - p - 20));
				if (name == NULL && errno == ENOMEM) {
					rc = patrol_error_set(err,
					    PATROL_ERR_NOMEM, PATROL_NOPOS,
					    "out of memory");
					goto out;
				}
				if (name == NULL)
					goto malformed;
			}
			p = eol + 2;
		}
		if (name == NULL)
			goto malformed;
		content = p;
		if ((next = memmem_(p, (size_t)(end - p), delim, dl)) == NULL)
			goto malformed;
		if (out->n >= FORM_FIELDS_MAX) {
			rc = patrol_error_set(err, PATROL_ERR_TOOBIG, PATROL_NOPOS,
			    "more than %d form fields", FORM_FIELDS_MAX);
			goto out;
		}
		if (memchr(content, '\0', (size_t)(next - content)) != NULL ||
		    !utf8_valid(content, (size_t)(next - content))) {
			rc = patrol_error_set(err, PATROL_ERR_INVALID,
			    PATROL_NOPOS, "form field %s: not valid UTF-8 text",
			    name);
			goto out;
		}
		if (kv_add(out, name, strlen(name), content,
		    (size_t)(next - content)) == -1) {
			rc = patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
			    "out of memory");
			goto out;
		}
		free(name);
		name = NULL;
		p = next + dl;
	}
	goto out;
malformed:
	rc = patrol_error_set(err, PATROL_ERR_SYNTAX, (size_t)(p - body),
	    "multipart body: malformed part at byte %zu", (size_t)(p - body));
out:
	free(boundary);
	free(name);
	free(delim);
	return rc;
}
