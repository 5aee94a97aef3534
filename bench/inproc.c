/*
 * bench/inproc.c: the responder's own work, without a web server. Serves
 * the same request N times through patrol_server_handle with an in-memory
 * struct patrol_io, so that `valgrind --tool=callgrind` (instructions, which
 * do not depend on what else the machine does) or `perf` can profile one
 * request kind. Not a test; bench/profile.sh builds and runs it.
 *
 * usage: inproc CONFIG N METHOD URI [BEARER [BODY [CONTENT-TYPE]]]
 *   Writes the last response (CGI headers and body) to standard output.
 *   BEARER "-" means none; BODY "-" means none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"

struct fake {
	const char	*method, *uri, *query, *auth, *body, *ctype;
	char		 clen[32];
	size_t		 off, bodylen;
	char		*out;
	size_t		 outlen, outcap;
};

static const char *
f_param(void *arg, const char *name)
{
	struct fake	*f = arg;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return f->method;
	if (strcmp(name, "REQUEST_URI") == 0)
		return f->uri;
	if (strcmp(name, "QUERY_STRING") == 0)
		return f->query;
	if (strcmp(name, "HTTP_AUTHORIZATION") == 0)
		return f->auth;
	if (strcmp(name, "CONTENT_TYPE") == 0)
		return f->ctype;
	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return f->body != NULL ? f->clen : NULL;
	return NULL;
}

static long
f_read(void *arg, char *buf, size_t len)
{
	struct fake	*f = arg;
	size_t		 n = f->bodylen - f->off;

	if (n > len)
		n = len;
	if (n > 0)
		memcpy(buf, f->body + f->off, n);
	f->off += n;
	return (long)n;
}

static int
f_write(void *arg, const char *buf, size_t len)
{
	struct fake	*f = arg;
	char		*p;

	if (f->outlen + len > f->outcap) {
		f->outcap = (f->outlen + len) * 2;
		if ((p = realloc(f->out, f->outcap)) == NULL)
			return -1;
		f->out = p;
	}
	memcpy(f->out + f->outlen, buf, len);
	f->outlen += len;
	return 0;
}

static void
f_log(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "log: %s\n", line);
}

int
main(int argc, char *argv[])
{
	struct patrol_conf	*conf = NULL;
	struct patrol_server	*srv = NULL;
	struct patrol_error	 err = { 0 };
	struct patrol_io	 io = { NULL, f_param, f_read, f_write, f_log };
	struct fake		 f;
	char			 bearer[9000];
	const char		*q;
	long			 i, n;

	if (argc < 5 || argc > 8) {
		fprintf(stderr, "usage: inproc CONFIG N METHOD URI [BEARER "
		    "[BODY [CONTENT-TYPE]]]\n");
		return 2;
	}
	memset(&f, 0, sizeof(f));
	n = strtol(argv[2], NULL, 10);
	f.method = argv[3];
	f.uri = argv[4];
	f.query = (q = strchr(argv[4], '?')) != NULL ? q + 1 : "";
	if (argc > 5 && strcmp(argv[5], "-") != 0) {
		snprintf(bearer, sizeof(bearer), "Bearer %s", argv[5]);
		f.auth = bearer;
	}
	if (argc > 6 && strcmp(argv[6], "-") != 0) {
		f.body = argv[6];
		f.bodylen = strlen(argv[6]);
		snprintf(f.clen, sizeof(f.clen), "%zu", f.bodylen);
	}
	if (argc > 7)
		f.ctype = argv[7];
	io.arg = &f;
	if (patrol_conf_load(argv[1], &conf, &err) != PATROL_OK ||
	    patrol_server_new(conf, PATROL_ROUTES_ALL, &srv, &err) !=
	    PATROL_OK) {
		fprintf(stderr, "inproc: %s\n", err.text);
		patrol_conf_free(conf);
		return 1;
	}
	for (i = 0; i < n; i++) {
		f.off = 0;
		f.outlen = 0;
		patrol_server_handle(srv, &io);
	}
	if (f.outlen > 0)
		fwrite(f.out, 1, f.outlen, stdout);
	free(f.out);
	patrol_server_free(srv);
	patrol_conf_free(conf);
	return 0;
}
