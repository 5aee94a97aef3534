/*
 * bench/hello.c: the FastCGI ceiling for bench/bench.sh. A libfcgi responder
 * that answers every request with the same 2400-byte text body and does
 * nothing else (the "libfcgi hello" of shared/FASTCGI-NOTES.md). Built by
 * bench.sh into its temporary directory:
 *   cc -O2 -o hello bench/hello.c -lfcgi
 */
#include <string.h>

#include <fcgiapp.h>

#define BODY_LEN	2400

int
main(void)
{
	static char	 body[BODY_LEN];
	static const char head[] = "Status: 200 OK\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n\r\n";
	FCGX_Request	 req;
	size_t		 i;

	for (i = 0; i < BODY_LEN; i++)
		body[i] = (i + 1) % 64 == 0 ? '\n' : 'a' + (char)(i % 26);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(head, (int)sizeof(head) - 1, req.out);
		FCGX_PutStr(body, BODY_LEN, req.out);
		FCGX_Finish_r(&req);
	}
	FCGX_Free(&req, 1);
	return 0;
}
