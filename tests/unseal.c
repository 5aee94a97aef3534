/*
 * unseal.c: a test helper, never installed: opens one sealed value (the
 * first line of standard input) with the secrets key KEYFILE and the
 * context CONTEXT, and prints the plaintext, so that shell tests can check
 * what the database holds without the library ever showing a secret.
 * usage: tests/unseal KEYFILE CONTEXT < value; exit 1 with the library's
 * message when it does not open.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"

int
main(int argc, char *argv[])
{
	struct patrol_seal	*seal = NULL;
	struct patrol_error	 err = { 0 };
	char			 line[65536 * 2], *text = NULL;
	int			 rc = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: unseal KEYFILE CONTEXT < value\n");
		return 2;
	}
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 2;
	line[strcspn(line, "\r\n")] = '\0';
	if (patrol_seal_load(argv[1], &seal, &err) == PATROL_OK &&
	    patrol_seal_decrypt(seal, argv[2], line, &text, &err) ==
	    PATROL_OK) {
		printf("%s\n", text);
		rc = 0;
	} else
		fprintf(stderr, "unseal: %s\n", err.text);
	free(text);
	patrol_seal_free(seal);
	return rc;
}
