/*
 * runtime.c: arguments, configuration and the request loop shared by the
 * responders. FastCGI when systemd hands over a listening socket (LISTEN_FDS,
 * fd 3) or fd 0 is one (spawned by lighttpd, mod_fcgid or spawn-fcgi), plain
 * CGI otherwise (FCGX_IsCGI()).
 *
 * With --workers N (FastCGI), the process that got the socket supervises N
 * workers that accept on it (see supervise()).
 *
 * Signals (FastCGI): SIGTERM, SIGINT and SIGHUP let the request in flight
 * finish, then the process exits 0; one that arrives while it waits for a
 * connection ends it at once (exit 0). Web servers stop their responders
 * with SIGTERM; a terminal's Ctrl-C or hang-up reaches them too when they
 * share its process group. SIGPIPE is ignored: a client that goes away only
 * ends its own request.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "patrol.h"
#include "runtime.h"

/* The first fd of sd_listen_fds(3). */
#define LISTEN_FDS_START	3

/* The most workers --workers may ask for. */
#define WORKERS_MAX		256

/* Bytes of unread request body a CGI program reads and discards before it
 * exits, so that a web server still writing the body (Apache mod_cgid) is
 * not cut off with a reset connection. */
#define CGI_DRAIN_MAX		(16L * 1024 * 1024)

/*
 * Signal state, the program's own (never the library's): `idle` while the
 * loop waits for a connection, `stopping` once a stop signal arrived.
 */
static volatile sig_atomic_t	 idle, stopping;

/* The supervisor's: the stop signal that arrived (0: none). */
static volatile sig_atomic_t	 sup_stop;

static void
on_stop(int sig)
{
	(void)sig;
	if (idle)
		_exit(0);
	stopping = 1;
}

static void
on_sup_stop(int sig)
{
	sup_stop = sig;
}

/* SIGCHLD and SIGALRM only need to end the supervisor's sigsuspend(). */
static void
on_wake(int sig)
{
	(void)sig;
}

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
	fprintf(f, "usage: %s [--config FILE] [--workers N]\n"
	    "Serves patrol requests as a FastCGI responder (listening socket "
	    "on fd 0,\nor fd 3 from systemd) or, when started as a CGI "
	    "program, serves one\nrequest. --workers N: N processes accept "
	    "on the socket (default 1).\nConfiguration: --config, else "
	    "$PATROL_CONFIG, else %s.\n", name,
	    patrol_conf_default_path());
}

/* Reads and drops what is left of a CGI request's body, at most
 * CGI_DRAIN_MAX bytes. */
static void
cgi_drain(void)
{
	char	 buf[16384];
	long	 left = CGI_DRAIN_MAX;
	size_t	 n;

	while (left > 0 && (n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		left -= (long)n;
}

/* One line on stderr (the web server's error log) for each state file that
 * others may read or write. */
static void
warn_state(const struct patrol_conf *conf, const char *name)
{
	char	*w, *line, *save = NULL;

	if (patrol_state_check(conf, &w) != PATROL_OK || w == NULL)
		return;
	for (line = strtok_r(w, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "%s: warning: %s\n", name, line);
	free(w);
}

/* What a responder serves with: its configuration and server, or why they
 * could not be loaded. */
struct start {
	const char		*name;		/* the program's */
	const char		*path;		/* the configuration file */
	int			 routes;
	struct patrol_conf	*conf;
	struct patrol_server	*srv;		/* NULL: could not start */
	struct patrol_error	 err;		/* why, when srv is NULL */
};

/* Loads the configuration and the server when they are not loaded (at
 * start, and again before each request while they could not be: a fault
 * fixed meanwhile heals). The first failure is printed on stderr. 0 or
 * -1. */
static int
try_start(struct start *s, int first)
{
	if (s->srv != NULL)
		return 0;
	patrol_conf_free(s->conf);
	s->conf = NULL;
	memset(&s->err, 0, sizeof(s->err));
	if (patrol_conf_load(s->path, &s->conf, &s->err) == PATROL_OK) {
		if (first)
			warn_state(s->conf, s->name);
		if (patrol_server_new(s->conf, (enum patrol_routes)s->routes,
		    &s->srv, &s->err) == PATROL_OK)
			return 0;
	}
	if (first)
		fprintf(stderr, "%s: %s\n", s->name, s->err.text);
	return -1;
}

/* Serves one request with the server or, when the responder could not
 * start (srv NULL), with a 500 envelope that logs why. 0 or -1. */
static int
serve_one(struct start *s, const struct patrol_io *io)
{
	if (s->srv == NULL)
		return patrol_server_refuse(io, s->err.text);
	return patrol_server_handle(s->srv, io);
}

static int
serve_cgi(struct start *s)
{
	struct patrol_io	 io = { NULL, cgi_param, cgi_read, cgi_write,
	    cgi_log };
	int			 rc;

	rc = serve_one(s, &io);
	if (fflush(stdout) == EOF)
		rc = -1;
	cgi_drain();
	return rc == 0 && s->srv != NULL ? 0 : 1;
}

/*
 * The FastCGI listening socket: the one systemd passed (LISTEN_PID is this
 * process, LISTEN_FDS is 1: fd 3), else fd 0 when it is a socket. Returns
 * the fd, -1 for plain CGI, -2 after printing an error.
 */
static int
listen_socket(const char *name)
{
	const char	*pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char		*end;
	long		 n;
	struct stat	 sb;

	if (pid == NULL || fds == NULL)
		return FCGX_IsCGI() ? -1 : 0;
	errno = 0;
	n = strtol(pid, &end, 10);
	if (errno != 0 || *end != '\0' || n != (long)getpid())
		return FCGX_IsCGI() ? -1 : 0;
	n = strtol(fds, &end, 10);
	/* Not for the processes this one might start. */
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (*end != '\0' || n != 1) {
		fprintf(stderr, "%s: LISTEN_FDS=%s: expected exactly one "
		    "listening socket from systemd\n", name, fds);
		return -2;
	}
	if (fstat(LISTEN_FDS_START, &sb) == -1 || !S_ISSOCK(sb.st_mode)) {
		fprintf(stderr, "%s: LISTEN_FDS=1 but fd %d is not a socket\n",
		    name, LISTEN_FDS_START);
		return -2;
	}
	return LISTEN_FDS_START;
}

/*
 * The FastCGI request loop. A responder that could not start tries again
 * when a request comes (the database may be writable by now, the key in
 * place); if it still cannot, it answers that request with a 500 envelope,
 * so that the reason reaches the web server's error log through the
 * FastCGI error stream (a web server that spawns responders may send their
 * stderr nowhere), then returns 1: the web server or the supervisor starts
 * it again.
 */
static int
serve_fcgi(struct start *s, int sock)
{
	FCGX_Request		 req;
	struct patrol_io	 io = { &req, fcgi_param, fcgi_read,
	    fcgi_write, fcgi_log };
	struct sigaction	 sa;
	int			 ok;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1)
		return 1;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, sock, 0) != 0)
		return 1;
	for (;;) {
		idle = 1;
		if (stopping)
			break;
		ok = FCGX_Accept_r(&req) >= 0;
		idle = 0;
		if (!ok)
			break;
		(void)try_start(s, 0);
		/*
		 * -1: the response was cut short (the client went away, or
		 * the listing failed after its first items were sent). Close
		 * the connection without ending the request properly, so the
		 * web server aborts the client's response instead of passing
		 * a truncated body off as a whole one.
		 */
		if (serve_one(s, &io) == -1)
			FCGX_Free(&req, 1);
		else
			FCGX_Finish_r(&req);
		if (stopping || s->srv == NULL)
			break;
	}
	FCGX_Free(&req, 1);
	return s->srv != NULL ? 0 : 1;
}

/* Starts a worker in slot i: 0 in the worker, 1 in the supervisor, -1. */
static int
spawn(const char *name, pid_t *kids, time_t *born, int i,
    const sigset_t *old)
{
	struct sigaction	 sa;
	pid_t			 pid;

	if ((pid = fork()) == -1) {
		fprintf(stderr, "%s: fork: %s\n", name, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		sigaction(SIGCHLD, &sa, NULL);
		sigaction(SIGALRM, &sa, NULL);
		sigprocmask(SIG_SETMASK, old, NULL);
		return 0;
	}
	kids[i] = pid;
	born[i] = time(NULL);
	return 1;
}

/*
 * --workers N: this process keeps the listening socket and runs N workers
 * that accept on it, each loading its own configuration, key and database
 * connection after the fork (an SQLite connection must not cross one). A
 * worker that exits or dies is started again, at most once a second per
 * slot, with one line on stderr. SIGTERM, SIGINT or SIGHUP is passed on to
 * the workers (each finishes its request in flight); the supervisor exits 0
 * once they are gone. Returns 0 in a worker, which goes on to serve, or the
 * supervisor's exit status plus one (1: exit 0).
 */
static int
supervise(const char *name, int n)
{
	pid_t			 kids[WORKERS_MAX], pid;
	time_t			 born[WORKERS_MAX], now;
	struct sigaction	 sa;
	sigset_t		 block, old;
	int			 i, st, live = 0, told = 0, wait_alarm;

	memset(kids, 0, sizeof(kids));
	memset(born, 0, sizeof(born));
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &block, &old) == -1)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_sup_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_wake;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	for (;;) {
		while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
			for (i = 0; i < n; i++) {
				if (kids[i] != pid)
					continue;
				kids[i] = 0;
				live--;
				if (sup_stop)
					break;
				if (WIFSIGNALED(st))
					fprintf(stderr, "%s: worker %ld killed "
					    "by signal %d; starting another\n",
					    name, (long)pid, WTERMSIG(st));
				else
					fprintf(stderr, "%s: worker %ld exited "
					    "%d; starting another\n", name,
					    (long)pid, WEXITSTATUS(st));
				break;
			}
		if (sup_stop) {
			if (live == 0)
				return 1;
			if (!told)
				for (i = 0; i < n; i++)
					if (kids[i] != 0)
						kill(kids[i], SIGTERM);
			told = 1;
		} else {
			now = time(NULL);
			wait_alarm = 0;
			for (i = 0; i < n; i++) {
				if (kids[i] != 0)
					continue;
				if (born[i] != 0 && now - born[i] < 1) {
					wait_alarm = 1;
					continue;
				}
				switch (spawn(name, kids, born, i, &old)) {
				case 0:
					return 0;
				case 1:
					live++;
					break;
				default:
					wait_alarm = 1;
					break;
				}
			}
			if (wait_alarm)
				alarm(1);
		}
		sigsuspend(&old);
	}
}

int
runtime_main(int argc, char *argv[], int routes, const char *name)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "workers", required_argument, NULL, 'w' },
		{ NULL, 0, NULL, 0 }
	};
	const char		*path = NULL;
	struct start		 st;
	char			*end;
	long			 workers = 1;
	int			 c, sock, rc = 1;

	while ((c = getopt_long(argc, argv, "c:hVw:", opts, NULL)) != -1) {
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
		case 'w':
			errno = 0;
			workers = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    workers < 1 || workers > WORKERS_MAX) {
				fprintf(stderr, "%s: --workers: '%s' is not a "
				    "number from 1 to %d\n", name, optarg,
				    WORKERS_MAX);
				return 2;
			}
			break;
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
	if ((sock = listen_socket(name)) == -2)
		return 1;
	if (sock >= 0 && workers > 1 && (rc = supervise(name, (int)workers)) != 0)
		return rc - 1;
	/*
	 * A configuration, key or database that cannot be loaded: one line
	 * on stderr now, and one in the web server's error log with the 500
	 * that the next request gets unless the fault has gone by then
	 * (serve_cgi, serve_fcgi); exit 1.
	 */
	memset(&st, 0, sizeof(st));
	st.name = name;
	st.path = path;
	st.routes = routes;
	(void)try_start(&st, 1);
	rc = sock == -1 ? serve_cgi(&st) : serve_fcgi(&st, sock);
	patrol_server_free(st.srv);
	patrol_conf_free(st.conf);
	return rc;
}
