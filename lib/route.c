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

static const char *const pat_manage_scopes[] = {
	"sp:my-personal-access-tokens:manage",
	"sp:all-personal-access-tokens:manage",
	NULL
};

/* The spec lists only the my-tokens scope: only the owner may patch. */
static const char *const pat_patch_scopes[] = {
	"sp:my-personal-access-tokens:manage",
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
	{ "/oauth/token", PATROL_ROUTES_OAUTH, 0, "POST", NULL,
	  { { "POST", h_oauth_token, NULL, "createOauthToken",
	      AUDIT_REFUSED } } },
	{ "/beta/personal-access-tokens", PATROL_ROUTES_BETA, 1, "GET, POST",
	  NULL,
	  { { "GET", h_pat_list, pat_list_scopes, "listPersonalAccessTokens",
	      AUDIT_REFUSED },
	    { "POST", h_pat_create, pat_manage_scopes,
	      "createPersonalAccessToken", AUDIT_CHANGE } } },
	{ "/beta/personal-access-tokens/{id}", PATROL_ROUTES_BETA, 1,
	  "PATCH, DELETE", NULL,
	  { { "PATCH", h_pat_patch, pat_patch_scopes,
	      "patchPersonalAccessToken", AUDIT_CHANGE },
	    { "DELETE", h_pat_delete, pat_manage_scopes,
	      "deletePersonalAccessToken", AUDIT_CHANGE } } },
	{ "/beta/mfa/duo-web/config", PATROL_ROUTES_BETA, 1, "GET, PUT",
	  AUDIT_DUO,
	  { { "GET", h_duo_get, duo_get_scopes, "getMFADuoConfig",
	      AUDIT_REFUSED },
	    { "PUT", h_duo_put, duo_put_scopes, "setMFADuoConfig",
	      AUDIT_CHANGE } } },
};

/* Matches path against the template tmpl, where "{id}" stands for one
 * non-empty path segment; see route_find. */
static int
match(const char *tmpl, const char *path, const char **id, size_t *idlen)
{
	const char	*brace;
	size_t		 n, len;

	if ((brace = strstr(tmpl, "{id}")) == NULL)
		return strcmp(tmpl, path) == 0;
	n = (size_t)(brace - tmpl);
	if (strncmp(tmpl, path, n) != 0)
		return 0;
	path += n;
	if ((len = strcspn(path, "/")) == 0 ||
	    strcmp(brace + 4, path + len) != 0)
		return 0;
	*id = path;
	*idlen = len;
	return 1;
}

const struct route *
route_find(const char *path, const char **id, size_t *idlen)
{
	size_t	 i;

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		*id = NULL;
		*idlen = 0;
		if (match(routes[i].path, path, id, idlen))
			return &routes[i];
	}
	*id = NULL;
	return NULL;
}
