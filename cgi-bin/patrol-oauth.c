/*
 * patrol-oauth: FastCGI/CGI responder for POST /oauth/token.
 */
#include "config.h"

#include "patrol.h"
#include "runtime.h"

int
main(int argc, char *argv[])
{
	return runtime_main(argc, argv, PATROL_ROUTES_OAUTH, "patrol-oauth");
}
