/*
 * patrol-beta: FastCGI/CGI responder for /beta/personal-access-tokens and
 * /beta/mfa/duo-web/config; every other path gets a 404 envelope.
 */
#include "config.h"

#include "patrol.h"
#include "runtime.h"

int
main(int argc, char *argv[])
{
	return runtime_main(argc, argv, PATROL_ROUTES_BETA, "patrol-beta");
}
