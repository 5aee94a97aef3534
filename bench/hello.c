/*
 * bench/hello.c: the FastCGI ceiling for bench/bench.sh. A libfcgi responder
 * that answers every request with the same 2400-byte body and does nothing
 * else (the "libfcgi hello" of shared/FASTCGI-NOTES.md). Built by bench.sh
 * into its temporary directory:
 *   cc -O2 -o hello bench/hello.c -lfcgi
 *
 * So that it can stand in for patrol's responders in every web server setup
 * (bench.sh --server), it also takes the listening socket from systemd
 * (LISTEN_FDS=1: fd 3) as well as fd 0, answers once as plain CGI when fd 0
 * is no socket, runs N processes on the socket with --workers N (other
 * arguments are ignored), and its body is JSON holding a "trackingId", as
 * the harness waits for patrol's error envelope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define BODY_LEN	2400

int
main(int argc, char *argv[])
{
	static char	 body[BODY_LEN];
	static const char head[] = "Status: 200 OK\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n";
	static const char start[] = "{\"trackingId\":"
	    "\"00000000000000000000000000000000\",\"pad\":\"";
	FCGX_Request	 req;
	const char	*fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	size_t		 i;
	int		 sock = 0, workers = 1;

	memcpy(body, start, sizeof(start) - 1);
	for (i = sizeof(start) - 1; i < BODY_LEN - 3; i++)
		body[i] = 'a' + (char)(i % 26);
	memcpy(body + BODY_LEN - 3, "\"}\n", 3);
	for (i = 1; i + 1 < (size_t)argc; i++)
		if (strcmp(argv[i], "--workers") == 0)
			workers = atoi(argv[i + 1]);
	if (fds != NULL && pid != NULL && strcmp(fds, "1") == 0 &&
	    atol(pid) == (long)getpid())
		sock = 3;
	else if (FCGX_IsCGI()) {
		fwrite(head, 1, sizeof(head) - 1, stdout);
		fwrite(body, 1, BODY_LEN, stdout);
		return 0;
	}
	while (--workers > 0)
		if (fork() == 0)
			break;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, sock, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(head, (int)sizeof(head) - 1, req.out);
		FCGX_PutStr(body, BODY_LEN, req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}
