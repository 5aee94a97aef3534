/*
 * rights.c: what an identity's rights and a PAT's scope allow. The rights
 * are the owner's (ORG_ADMIN implies every right); the scope narrows what a
 * token made from the PAT may do to the operations that list it.
 */
#include "config.h"

#include <string.h>

#include "patrol.h"
#include "extern.h"

static const char *const known[] = {
	PATROL_RIGHT_ORG_ADMIN,
	PATROL_RIGHT_PAT_ALL_READ,
	PATROL_RIGHT_PAT_MY_READ,
	PATROL_RIGHT_PAT_MANAGED_READ,
	PATROL_RIGHT_PAT_ALL_MANAGE,
	PATROL_RIGHT_PAT_MY_MANAGE,
	PATROL_RIGHT_MFA_READ,
	PATROL_RIGHT_MFA_MANAGE,
	NULL
};

const char *const *
patrol_right_names(void)
{
	return known;
}

int
patrol_right_known(const char *name)
{
	size_t	 i;

	if (name == NULL)
		return 0;
	for (i = 0; known[i] != NULL; i++)
		if (strcmp(name, known[i]) == 0)
			return 1;
	return 0;
}

/* A right that grants another: managing tokens includes reading them. */
static const struct {
	const char	*right;
	const char	*implies;
} implied[] = {
	{ PATROL_RIGHT_PAT_ALL_MANAGE, PATROL_RIGHT_PAT_ALL_READ },
	{ PATROL_RIGHT_PAT_MY_MANAGE, PATROL_RIGHT_PAT_MY_READ },
	{ PATROL_RIGHT_MFA_MANAGE, PATROL_RIGHT_MFA_READ },
};

int
patrol_rights_have(char *const *rights, size_t n, const char *right)
{
	size_t	 i, k;

	if (rights == NULL || right == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		if (rights[i] == NULL)
			continue;
		if (strcmp(rights[i], PATROL_RIGHT_ORG_ADMIN) == 0 ||
		    strcmp(rights[i], right) == 0)
			return 1;
		for (k = 0; k < sizeof(implied) / sizeof(implied[0]); k++)
			if (strcmp(rights[i], implied[k].right) == 0 &&
			    strcmp(right, implied[k].implies) == 0)
				return 1;
	}
	return 0;
}

int
patrol_scope_allows(char *const *scope, size_t nscope, int scope_null,
    const char *const *op_scopes)
{
	size_t	 i, j;

	if (scope_null)
		return 1;
	if (scope == NULL)
		return 0;
	for (i = 0; i < nscope; i++) {
		if (scope[i] == NULL)
			continue;
		if (strcmp(scope[i], PATROL_SCOPE_ALL) == 0)
			return 1;
		for (j = 0; op_scopes != NULL && op_scopes[j] != NULL; j++)
			if (strcmp(scope[i], op_scopes[j]) == 0)
				return 1;
	}
	return 0;
}

/* Returns 1 if scope (not null) holds s. */
static int
holds(char *const *scope, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; scope != NULL && i < n; i++)
		if (scope[i] != NULL && strcmp(scope[i], s) == 0)
			return 1;
	return 0;
}

int
patrol_scope_covers(char *const *scope, size_t nscope, int scope_null,
    char *const *sub, size_t nsub, int sub_null)
{
	size_t	 i;

	if (scope_null || holds(scope, nscope, PATROL_SCOPE_ALL))
		return 1;
	if (sub_null)
		return 0;
	for (i = 0; i < nsub; i++)
		if (sub == NULL || sub[i] == NULL ||
		    !holds(scope, nscope, sub[i]))
			return 0;
	return 1;
}
