/*
 * route.c: the one table of paths, methods, handlers and the PAT scopes each
 * operation accepts (the `security` section of its OpenAPI operation).
 */
#include "config.h"

#include <string.h>

#include "patrol.h"
#include "extern.h"

static const char *const pat_list_scopes[] = {
	"sp:my-personal-access-tokens:read",
	"sp:my-personal-access-tokens:manage",
	"sp:all-personal-access-tokens:read",
	"sp:all-personal-access-tokens:manage",
	NULL
};

static const char *const duo_get_scopes[] = {
	"idn:mfa-configuration:read",
	"idn:mfa-configuration:manage",
	NULL
};

static const char *const duo_put_scopes[] = {
	"idn:mfa-configuration:manage",
	NULL
};

static const struct route routes[] = {
	{ "/oauth/token", PATROL_ROUTES_OAUTH, 0, "POST",
	  { { "POST", h_oauth_token, NULL } } },
	{ "/beta/personal-access-tokens", PATROL_ROUTES_BETA, 1, "GET",
	  { { "GET", h_pat_list, pat_list_scopes } } },
	{ "/beta/mfa/duo-web/config", PATROL_ROUTES_BETA, 1, "GET, PUT",
	  { { "GET", h_duo_get, duo_get_scopes },
	    { "PUT", h_duo_put, duo_put_scopes } } },
};

const struct route *
route_find(const char *path)
{
	size_t	 i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, path) == 0)
			return &routes[i];
	return NULL;
}
