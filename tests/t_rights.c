/* t_rights.c: known rights, what a rights list grants, what a scope allows. */
#include "config.h"

#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*name;
	int		 known;
} names[] = {
	{ PATROL_RIGHT_ORG_ADMIN, 1 },
	{ PATROL_RIGHT_PAT_ALL_READ, 1 },
	{ PATROL_RIGHT_PAT_MY_READ, 1 },
	{ PATROL_RIGHT_PAT_MANAGED_READ, 1 },
	{ PATROL_RIGHT_MFA_READ, 1 },
	{ PATROL_RIGHT_MFA_MANAGE, 1 },
	{ "org_admin", 0 },
	{ "ORG_ADMIN ", 0 },
	{ "idn:mfa-configuration", 0 },
	{ PATROL_SCOPE_ALL, 0 },
	{ "", 0 },
};

static char admin[] = PATROL_RIGHT_ORG_ADMIN;
static char mfa_read[] = PATROL_RIGHT_MFA_READ;
static char my_read[] = PATROL_RIGHT_PAT_MY_READ;
static char prefix[] = "idn:mfa";
static char all_manage[] = PATROL_RIGHT_PAT_ALL_MANAGE;
static char my_manage[] = PATROL_RIGHT_PAT_MY_MANAGE;
static char mfa_manage[] = PATROL_RIGHT_MFA_MANAGE;

static char *const r_admin[] = { admin };
static char *const r_reader[] = { my_read, mfa_read };
static char *const r_prefix[] = { prefix };
static char *const r_hole[] = { NULL, mfa_read };
static char *const r_admin_late[] = { my_read, admin };
static char *const r_all_manage[] = { all_manage };
static char *const r_my_manage[] = { my_manage };
static char *const r_mfa_manage[] = { mfa_manage };

static const struct {
	char *const	*rights;
	size_t		 n;
	const char	*right;
	int		 have;
	const char	*name;
} have[] = {
	{ r_admin, 1, PATROL_RIGHT_MFA_MANAGE, 1, "ORG_ADMIN grants mfa manage" },
	{ r_admin, 1, PATROL_RIGHT_PAT_ALL_READ, 1, "ORG_ADMIN grants all read" },
	{ r_admin, 1, "anything:at:all", 1, "ORG_ADMIN grants any right" },
	{ r_admin_late, 2, PATROL_RIGHT_MFA_MANAGE, 1,
	  "ORG_ADMIN anywhere in the list" },
	{ r_admin, 0, PATROL_RIGHT_MFA_READ, 0, "n bounds the list" },
	{ r_reader, 2, PATROL_RIGHT_MFA_READ, 1, "listed right" },
	{ r_reader, 2, PATROL_RIGHT_PAT_MY_READ, 1, "first listed right" },
	{ r_reader, 1, PATROL_RIGHT_MFA_READ, 0, "right past n" },
	{ r_reader, 2, PATROL_RIGHT_MFA_MANAGE, 0, "read is not manage" },
	{ r_reader, 2, PATROL_RIGHT_ORG_ADMIN, 0, "not admin" },
	{ r_prefix, 1, PATROL_RIGHT_MFA_READ, 0, "a prefix is not the right" },
	{ r_hole, 2, PATROL_RIGHT_MFA_READ, 1, "NULL entries skipped" },
	{ NULL, 0, PATROL_RIGHT_MFA_READ, 0, "no rights" },
	{ r_admin, 1, NULL, 0, "NULL right" },
	{ r_all_manage, 1, PATROL_RIGHT_PAT_ALL_READ, 1,
	  "all-tokens manage grants all-tokens read" },
	{ r_all_manage, 1, PATROL_RIGHT_PAT_MY_READ, 0,
	  "all-tokens manage is not my-tokens read" },
	{ r_all_manage, 1, PATROL_RIGHT_PAT_MY_MANAGE, 0,
	  "all-tokens manage is not my-tokens manage" },
	{ r_all_manage, 1, PATROL_RIGHT_PAT_MANAGED_READ, 0,
	  "all-tokens manage does not show managed PATs" },
	{ r_my_manage, 1, PATROL_RIGHT_PAT_MY_READ, 1,
	  "my-tokens manage grants my-tokens read" },
	{ r_my_manage, 1, PATROL_RIGHT_PAT_ALL_READ, 0,
	  "my-tokens manage is not all-tokens read" },
	{ r_mfa_manage, 1, PATROL_RIGHT_MFA_READ, 1,
	  "MFA manage grants MFA read" },
	{ r_reader, 2, PATROL_RIGHT_PAT_MY_MANAGE, 0,
	  "read does not grant manage" },
};

static const char *const duo_get[] = {
	"idn:mfa-configuration:read", "idn:mfa-configuration:manage", NULL
};
static const char *const duo_put[] = { "idn:mfa-configuration:manage", NULL };
static const char *const none[] = { NULL };

static char s_all[] = PATROL_SCOPE_ALL;
static char s_read[] = "idn:mfa-configuration:read";
static char s_manage[] = "idn:mfa-configuration:manage";
static char s_pat[] = "sp:my-personal-access-tokens:read";
static char s_default[] = "sp:scopes:default";

static char *const sc_all[] = { s_pat, s_all };
static char *const sc_read[] = { s_read };
static char *const sc_manage[] = { s_pat, s_manage };
static char *const sc_other[] = { s_pat, s_default };
static char *const sc_hole[] = { NULL, s_read };

static const struct {
	char *const		*scope;
	size_t			 n;
	int			 null;
	const char *const	*ops;
	int			 allows;
	const char		*name;
} scopes[] = {
	{ NULL, 0, 1, duo_put, 1, "null scope allows everything" },
	{ NULL, 0, 1, none, 1, "null scope, operation without scopes" },
	{ sc_all, 2, 0, duo_put, 1, "sp:scopes:all allows everything" },
	{ sc_all, 2, 0, none, 1, "sp:scopes:all, operation without scopes" },
	{ sc_all, 1, 0, duo_put, 0, "sp:scopes:all past n" },
	{ sc_read, 1, 0, duo_get, 1, "read scope for GET" },
	{ sc_read, 1, 0, duo_put, 0, "read scope not for PUT" },
	{ sc_manage, 2, 0, duo_put, 1, "manage scope for PUT" },
	{ sc_manage, 2, 0, duo_get, 1, "manage scope for GET" },
	{ sc_other, 2, 0, duo_get, 0, "unrelated scopes" },
	{ sc_other, 2, 0, none, 0, "no listed scope, no grant" },
	{ sc_hole, 2, 0, duo_get, 1, "NULL entries skipped" },
	{ sc_read, 0, 0, duo_get, 0, "empty scope list" },
	{ NULL, 0, 0, duo_get, 0, "no scope, not null" },
	{ sc_read, 1, 0, NULL, 0, "NULL operation scopes" },
};

static char *const sc_one[] = { s_read };
static char *const sc_with_all[] = { s_all };

static const struct {
	char *const	*scope;
	size_t		 n;
	int		 null;
	char *const	*sub;
	size_t		 nsub;
	int		 subnull;
	int		 covers;
	const char	*name;
} covers[] = {
	{ NULL, 0, 1, NULL, 0, 1, 1, "null covers null" },
	{ NULL, 0, 1, sc_other, 2, 0, 1, "null covers a list" },
	{ sc_all, 2, 0, NULL, 0, 1, 1, "sp:scopes:all covers null" },
	{ sc_manage, 2, 0, NULL, 0, 1, 0, "a list does not cover null" },
	{ sc_manage, 2, 0, sc_manage, 2, 0, 1, "a list covers itself" },
	{ sc_manage, 2, 0, sc_manage, 1, 0, 1, "a list covers a part" },
	{ sc_manage, 2, 0, sc_other, 2, 0, 0, "one entry not covered" },
	{ sc_manage, 2, 0, sc_with_all, 1, 0, 0,
	  "a list does not cover sp:scopes:all" },
	{ sc_manage, 1, 0, sc_one, 1, 0, 0, "entries past n do not count" },
	{ sc_manage, 2, 0, sc_hole, 2, 0, 0, "a NULL entry is not covered" },
	{ sc_manage, 2, 0, sc_read, 0, 0, 1, "an empty list is covered" },
};

int
main(void)
{
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		is_int(patrol_right_known(names[i].name), names[i].known,
		    "right_known: '%s'", names[i].name);
	is_int(patrol_right_known(NULL), 0, "right_known: NULL");

	for (i = 0; i < sizeof(have) / sizeof(have[0]); i++)
		is_int(patrol_rights_have(have[i].rights, have[i].n,
		    have[i].right), have[i].have, "rights_have: %s",
		    have[i].name);

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		is_int(patrol_scope_allows(scopes[i].scope, scopes[i].n,
		    scopes[i].null, scopes[i].ops), scopes[i].allows,
		    "scope_allows: %s", scopes[i].name);
	for (i = 0; i < sizeof(covers) / sizeof(covers[0]); i++)
		is_int(patrol_scope_covers(covers[i].scope, covers[i].n,
		    covers[i].null, covers[i].sub, covers[i].nsub,
		    covers[i].subnull), covers[i].covers, "scope_covers: %s",
		    covers[i].name);
	{
		const char *const *listed = patrol_right_names();
		size_t n = 0;

		for (n = 0; listed[n] != NULL; n++)
			ok(patrol_right_known(listed[n]),
			    "listed right %s is known", listed[n]);
		is_int(n, 8, "eight rights are listed");
	}
	return done_testing();
}
