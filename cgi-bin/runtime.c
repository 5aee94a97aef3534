/*
 * runtime.c: arguments, configuration and the request loop shared by the
 * responders. FastCGI when fd 0 is a listening socket (spawned by lighttpd,
 * spawn-fcgi or systemd), plain CGI otherwise (FCGX_IsCGI()).
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "patrol.h"
#include "runtime.h"

/* CGI mode: the environment, stdin and stdout. */
static const char *
cgi_param(void *arg, const char *name)
{
	(void)arg;
	return getenv(name);
}

static long
cgi_read(void *arg, char *buf, size_t len)
{
	size_t	 n;

	(void)arg;
	n = fread(buf, 1, len, stdin);
	if (n == 0 && ferror(stdin))
		return -1;
	return (long)n;
}

static int
cgi_write(void *arg, const char *buf, size_t len)
{
	(void)arg;
	return fwrite(buf, 1, len, stdout) == len ? 0 : -1;
}

static void
cgi_log(void *arg, const char *line)
{
	(void)arg;
	fprintf(stderr, "%s\n", line);
}

/* FastCGI mode: libfcgi's request streams. Params die at the next
 * FCGX_Accept_r/FCGX_Finish_r, which the library never outlives. */
static const char *
fcgi_param(void *arg, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)arg)->envp);
}

static long
fcgi_read(void *arg, char *buf, size_t len)
{
	int	 n;

	if (len > (1U << 30))
		len = 1U << 30;
	n = FCGX_GetStr(buf, (int)len, ((FCGX_Request *)arg)->in);
	if (n < 0 || (n == 0 && FCGX_GetError(((FCGX_Request *)arg)->in)))
		return -1;
	return n;
}

static int
fcgi_write(void *arg, const char *buf, size_t len)
{
	FCGX_Stream	*out = ((FCGX_Request *)arg)->out;
	int		 n;

	while (len > 0) {
		n = len > (1U << 30) ? 1 << 30 : (int)len;
		if (FCGX_PutStr(buf, n, out) != n)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
fcgi_log(void *arg, const char *line)
{
	FCGX_Stream	*err = ((FCGX_Request *)arg)->err;

	FCGX_PutStr(line, (int)strlen(line), err);
	FCGX_PutStr("\n", 1, err);
}

static void
usage(const char *name, FILE *f)
{
	fprintf(f, "usage: %s [--config FILE]\n"
	    "Serves patrol requests as a FastCGI responder (listening socket "
	    "on fd 0)\nor, when started as a CGI program, serves one "
	    "request.\nConfiguration: --config, else $PATROL_CONFIG, else "
	    "%s.\n", name, patrol_conf_default_path());
}

static int
serve_cgi(struct patrol_server *srv)
{
	struct patrol_io	 io = { NULL, cgi_param, cgi_read, cgi_write,
	    cgi_log };
	int			 rc;

	rc = patrol_server_handle(srv, &io);
	if (fflush(stdout) == EOF)
		rc = -1;
	return rc == 0 ? 0 : 1;
}

static int
serve_fcgi(struct patrol_server *srv)
{
	FCGX_Request		 req;
	struct patrol_io	 io = { &req, fcgi_param, fcgi_read,
	    fcgi_write, fcgi_log };

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		/*
		 * -1: the response was cut short (the client went away, or
		 * the listing failed after its first items were sent). Close
		 * the connection without ending the request properly, so the
		 * web server aborts the client's response instead of passing
		 * a truncated body off as a whole one.
		 */
		if (patrol_server_handle(srv, &io) == -1)
			FCGX_Free(&req, 1);
		else
			FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}

int
runtime_main(int argc, char *argv[], int routes, const char *name)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*path = NULL;
	struct patrol_conf	*conf = NULL;
	struct patrol_server	*srv = NULL;
	struct patrol_error	 err = { 0 };
	int			 c, rc = 1;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			usage(name, stdout);
			return 0;
		case 'V':
			printf("%s %s\n", name, PATROL_VERSION);
			return 0;
		default:
			usage(name, stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(name, stderr);
		return 2;
	}
	if (path == NULL && (path = getenv("PATROL_CONFIG")) != NULL &&
	    path[0] == '\0')
		path = NULL;
	if (path == NULL)
		path = patrol_conf_default_path();
	signal(SIGPIPE, SIG_IGN);
	if (patrol_conf_load(path, &conf, &err) != PATROL_OK) {
		fprintf(stderr, "%s: %s\n", name, err.text);
		goto out;
	}
	if (patrol_server_new(conf, (enum patrol_routes)routes, &srv,
	    &err) != PATROL_OK) {
		fprintf(stderr, "%s: %s\n", name, err.text);
		goto out;
	}
	rc = FCGX_IsCGI() ? serve_cgi(srv) : serve_fcgi(srv);
out:
	patrol_server_free(srv);
	patrol_conf_free(conf);
	return rc;
}
