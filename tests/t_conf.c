/*
 * t_conf.c: the configuration file: every key, defaults, path resolution,
 * and every kind of error with its line and text. Fixtures are written
 * from the strings below into a temporary directory, removed at the end.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "tap.h"

static char tmpdir[] = "/tmp/t_conf.XXXXXX";
static char realdir[PATH_MAX];	/* realpath of tmpdir */

/* Writes len bytes of text to tmpdir/name; returns the path (static). */
static const char *
put(const char *name, const char *text, size_t len)
{
	static char	 path[PATH_MAX];
	FILE		*f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(text, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(99);
	}
	return path;
}

static const char *
puts_file(const char *name, const char *text)
{
	return put(name, text, strlen(text));
}

static int
rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* "realdir/rel" in a static buffer. */
static const char *
in_dir(const char *rel)
{
	static char	 buf[PATH_MAX + 64];

	snprintf(buf, sizeof(buf), "%s/%s", realdir, rel);
	return buf;
}

static void
test_defaults(void)
{
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err;
	const char		*p;
	char			 dbpath[PATH_MAX + 64];

	p = puts_file("empty.conf", "");
	is_int(patrol_conf_load(p, &c, &err), PATROL_OK, "empty file loads");
	if (c == NULL)
		return;
	is_str(c->path, p, "path is the file read");
	is_str(c->db_backend, "sqlite", "default backend");
	snprintf(dbpath, sizeof(dbpath), "%s", in_dir("patrol.db"));
	is_str(c->db_path, dbpath, "default db path beside the file");
	ok(c->db_conninfo == NULL, "no conninfo by default");
	is_int(c->db_busy_timeout_ms, 5000, "default busy timeout");
	is_str(c->key_file, in_dir("signing.key"), "default key file");
	is_str(c->issuer, "patrol", "default issuer");
	is_int(c->token_lifetime, 43199, "default lifetime");
	is_int(c->body_max, 65536, "default body max");
	is_int(c->last_used_interval, 86400, "default last_used interval");
	is_int(c->pat_default_expiry, 182, "default PAT expiry: 182 days");
	is_int(c->pat_max_per_owner, 10, "default PATs per owner: 10");
	patrol_conf_free(c);

	/* A group with one key leaves the others, and other groups, alone. */
	p = puts_file("partial.conf",
	    "# only the issuer\n"
	    "token = { issuer = \"https://idn.example\"; };\n"
	    "database = { };\n");
	is_int(patrol_conf_load(p, &c, &err), PATROL_OK, "partial file");
	if (c == NULL)
		return;
	is_str(c->issuer, "https://idn.example", "issuer set");
	is_int(c->token_lifetime, 43199, "lifetime still default");
	is_str(c->key_file, in_dir("signing.key"), "key file still default");
	is_str(c->db_backend, "sqlite", "backend still default");
	patrol_conf_free(c);
}

static void
test_all_keys(void)
{
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err;
	const char		*p;

	p = puts_file("all.conf",
	    "database = {\n"
	    "  backend = \"sqlite\";\n"
	    "  path = \"data/patrol.sqlite\";\n"
	    "  busy_timeout_ms = 250;\n"
	    "  conninfo = \"host=db dbname=patrol\";\n"
	    "};\n"
	    "token = {\n"
	    "  signing_key_file = \"/etc/patrol/hs256.key\";\n"
	    "  issuer = \"patrol-test\";\n"
	    "  lifetime = 3600;\n"
	    "};\n"
	    "limits = { request_body_max = 1048576; };\n"
	    "pat = {\n"
	    "  last_used_interval = 0;\n"
	    "  default_expiry = 30;\n"
	    "  max_per_owner = 0;\n"
	    "};\n");
	is_int(patrol_conf_load(p, &c, &err), PATROL_OK, "all keys load");
	if (c == NULL) {
		tap_diag("%s", err.text);
		return;
	}
	is_str(c->db_backend, "sqlite", "backend");
	is_str(c->db_path, in_dir("data/patrol.sqlite"),
	    "relative db path resolved against the file's directory");
	is_int(c->db_busy_timeout_ms, 250, "busy timeout");
	is_str(c->db_conninfo, "host=db dbname=patrol", "conninfo");
	is_str(c->key_file, "/etc/patrol/hs256.key", "absolute path kept");
	is_str(c->issuer, "patrol-test", "issuer");
	is_int(c->token_lifetime, 3600, "lifetime");
	is_int(c->body_max, 1048576, "body max");
	is_int(c->last_used_interval, 0, "interval 0 accepted");
	is_int(c->pat_default_expiry, 30, "default expiry");
	is_int(c->pat_max_per_owner, 0, "max per owner 0: no limit");
	patrol_conf_free(c);

	p = puts_file("pg.conf",
	    "database = {\n"
	    "  backend = \"postgresql\";\n"
	    "  conninfo = \"dbname=patrol\";\n"
	    "};\n");
	is_int(patrol_conf_load(p, &c, &err), PATROL_OK,
	    "postgresql with conninfo loads");
	if (c != NULL) {
		is_str(c->db_backend, "postgresql", "postgresql backend");
		is_str(c->db_conninfo, "dbname=patrol", "its conninfo");
	}
	patrol_conf_free(c);
}

/* Values at both ends of every range are accepted, 64-bit syntax too. */
static void
test_bounds(void)
{
	static const struct {
		const char	*text;
		long long	 want;
		int		 field;	/* 0 busy, 1 lifetime, 2 body,
					 * 3 interval, 4 expiry, 5 per owner */
	} cases[] = {
		{ "database = { busy_timeout_ms = 0; };", 0, 0 },
		{ "database = { busy_timeout_ms = 600000; };", 600000, 0 },
		{ "token = { lifetime = 60; };", 60, 1 },
		{ "token = { lifetime = 604800; };", 604800, 1 },
		{ "token = { lifetime = 3600L; };", 3600, 1 },
		{ "limits = { request_body_max = 1024; };", 1024, 2 },
		{ "limits = { request_body_max = 0x1000000; };", 16777216, 2 },
		{ "pat = { last_used_interval = 31536000; };", 31536000, 3 },
		{ "pat = { default_expiry = 1; };", 1, 4 },
		{ "pat = { default_expiry = 36500; };", 36500, 4 },
		{ "pat = { default_expiry = 182L; };", 182, 4 },
		{ "pat = { default_expiry = \"never\"; };", 0, 4 },
		{ "pat = { max_per_owner = 0; };", 0, 5 },
		{ "pat = { max_per_owner = 1; };", 1, 5 },
		{ "pat = { max_per_owner = 1000000; };", 1000000, 5 },
	};
	struct patrol_conf	*c;
	struct patrol_error	 err;
	const char		*p;
	long long		 got;
	size_t			 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = NULL;
		p = puts_file("bound.conf", cases[i].text);
		if (!ok(patrol_conf_load(p, &c, &err) == PATROL_OK,
		    "accepted: %s", cases[i].text)) {
			tap_diag("%s", err.text);
			continue;
		}
		switch (cases[i].field) {
		case 0:
			got = c->db_busy_timeout_ms;
			break;
		case 1:
			got = c->token_lifetime;
			break;
		case 2:
			got = (long long)c->body_max;
			break;
		case 3:
			got = c->last_used_interval;
			break;
		case 4:
			got = c->pat_default_expiry;
			break;
		default:
			got = c->pat_max_per_owner;
			break;
		}
		is_int(got, cases[i].want, "value of: %s", cases[i].text);
		patrol_conf_free(c);
	}
}

/* Relative paths go through symlinks to the real directory, and work
 * for a configuration path that is itself relative. */
static void
test_resolution(void)
{
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err;
	char			 link[PATH_MAX], cwd[PATH_MAX];

	if (mkdir(in_dir("real"), 0700) == -1) {
		perror("mkdir");
		exit(99);
	}
	snprintf(link, sizeof(link), "%s/link", tmpdir);
	if (symlink("real", link) == -1) {
		perror("symlink");
		exit(99);
	}
	puts_file("real/p.conf", "database = { path = \"../db/x.db\"; };\n");
	snprintf(link, sizeof(link), "%s/link/p.conf", tmpdir);
	is_int(patrol_conf_load(link, &c, &err), PATROL_OK,
	    "load through a symlinked directory");
	if (c != NULL) {
		is_str(c->db_path, in_dir("real/../db/x.db"),
		    "relative to the real directory");
		is_str(c->key_file, in_dir("real/signing.key"),
		    "default key file in the real directory");
	}
	patrol_conf_free(c);
	c = NULL;

	if (getcwd(cwd, sizeof(cwd)) == NULL || chdir(tmpdir) == -1) {
		perror("chdir");
		exit(99);
	}
	is_int(patrol_conf_load("real/p.conf", &c, &err), PATROL_OK,
	    "load by a relative path");
	if (c != NULL) {
		is_str(c->path, "real/p.conf", "path as given");
		is_str(c->db_path, in_dir("real/../db/x.db"),
		    "db path absolute anyway");
	}
	patrol_conf_free(c);
	c = NULL;
	puts_file("here.conf", "");
	is_int(patrol_conf_load("here.conf", &c, &err), PATROL_OK,
	    "load from the current directory");
	if (c != NULL)
		is_str(c->db_path, in_dir("patrol.db"),
		    "current directory made absolute");
	patrol_conf_free(c);
	if (chdir(cwd) == -1) {
		perror("chdir");
		exit(99);
	}
}

static void
test_include(void)
{
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err;
	const char		*p;

	puts_file("inc-token.conf", "token = { lifetime = 120; };\n");
	p = puts_file("inc.conf", "@include \"inc-token.conf\"\n"
	    "pat = { last_used_interval = 60; };\n");
	is_int(patrol_conf_load(p, &c, &err), PATROL_OK,
	    "@include relative to the file's directory");
	if (c != NULL) {
		is_int(c->token_lifetime, 120, "included setting applied");
		is_int(c->last_used_interval, 60, "own setting applied");
	}
	patrol_conf_free(c);
}

/* etc/patrol.conf sets every setting to its default: loaded from the same
 * directory as an empty file, it gives the same configuration. */
static void
test_sample(void)
{
	struct patrol_conf	*a = NULL, *b = NULL;
	struct patrol_error	 err;
	const char		*top;
	char			 path[PATH_MAX], *text, *text_sample = NULL;
	FILE			*f;
	long			 len;

	if ((top = getenv("top_srcdir")) == NULL) {
		tap_diag("top_srcdir not set: sample configuration not tested");
		return;
	}
	snprintf(path, sizeof(path), "%s/etc/patrol.conf", top);
	if ((f = fopen(path, "r")) == NULL || fseek(f, 0, SEEK_END) == -1 ||
	    (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) == -1 ||
	    (text = malloc((size_t)len + 1)) == NULL ||
	    fread(text, 1, (size_t)len, f) != (size_t)len) {
		perror(path);
		exit(99);
	}
	fclose(f);
	text[len] = '\0';
	ok(strstr(text, "conninfo") != NULL, "sample mentions conninfo");
	put("sample.conf", text, (size_t)len);
	text_sample = text;
	is_int(patrol_conf_load(in_dir("sample.conf"), &a, &err), PATROL_OK,
	    "etc/patrol.conf loads");
	if (a == NULL)
		tap_diag("%s", err.text);
	puts_file("empty.conf", "");
	is_int(patrol_conf_load(in_dir("empty.conf"), &b, &err), PATROL_OK,
	    "empty configuration loads");
	if (a == NULL || b == NULL)
		goto out;
	is_str(a->db_backend, b->db_backend, "sample: backend");
	is_str(a->db_path, b->db_path, "sample: path");
	ok(a->db_conninfo == NULL, "sample: no conninfo");
	is_int(a->db_busy_timeout_ms, b->db_busy_timeout_ms,
	    "sample: busy_timeout_ms");
	is_str(a->key_file, b->key_file, "sample: signing_key_file");
	is_str(a->issuer, b->issuer, "sample: issuer");
	is_int(a->token_lifetime, b->token_lifetime, "sample: lifetime");
	is_int(a->body_max, b->body_max, "sample: request_body_max");
	is_int(a->last_used_interval, b->last_used_interval,
	    "sample: last_used_interval");
	is_int(a->pat_default_expiry, b->pat_default_expiry,
	    "sample: default_expiry");
	is_int(a->pat_max_per_owner, b->pat_max_per_owner,
	    "sample: max_per_owner");
	is_str(a->secrets_key_file, b->secrets_key_file, "sample: key_file");
	is_int(a->requests_per_token, b->requests_per_token,
	    "sample: requests_per_token");
	is_int(a->window_seconds, b->window_seconds, "sample: window_seconds");
	is_int(a->auth_failures, b->auth_failures, "sample: auth_failures");
	is_int(a->auth_window_seconds, b->auth_window_seconds,
	    "sample: auth_window_seconds");
	is_str(a->limits_file, b->limits_file, "sample: state_file");
	is_int(a->audit_retention_days, b->audit_retention_days,
	    "sample: retention_days");
	is_int(b->audit_retention_days, 365, "retention_days: 365 by default");
	ok(strstr(text_sample, "retention_days") != NULL &&
	    strstr(text_sample, "requests_per_token") != NULL,
	    "the sample names the audit and rate limit settings");
out:
	free(text_sample);
	patrol_conf_free(a);
	patrol_conf_free(b);
}

struct bad {
	const char	*name;
	const char	*text;
	int		 line;
	const char	*message;	/* after "file:line: " */
};

static const struct bad bad[] = {
	{ "syntax error",
	  "database = {\n  backend = ;\n};\n", 2, "syntax error" },
	{ "two values",
	  "token = {\n  issuer = \"a\";\n  lifetime = 60 60;\n};\n", 3,
	  "syntax error" },
	{ "unterminated group",
	  "token = {\n  lifetime = 60;\n", 3, "syntax error" },
	{ "duplicate setting",
	  "token = {\n  lifetime = 60;\n  lifetime = 61;\n};\n", 3,
	  "duplicate setting name" },
	{ "duo_properties not a list",
	  "secrets = { duo_properties = \"akey\"; };\n", 1,
	  "secrets.duo_properties must be a list of strings, e.g. [ \"skey\" ]" },
	{ "duo_properties with a number",
	  "secrets = { duo_properties = ( \"akey\", 3 ); };\n", 1,
	  "secrets.duo_properties: name 2 is not a non-empty string" },
	{ "duo_properties with an empty name",
	  "secrets = { duo_properties = [ \"\" ]; };\n", 1,
	  "secrets.duo_properties: name 1 is not a non-empty string" },
	{ "duo_properties twice the same",
	  "secrets = { duo_properties = [ \"a\", \"a\" ]; };\n", 1,
	  "secrets.duo_properties: \"a\" is named twice" },
	{ "unknown group",
	  "database = { };\n\ntokens = { lifetime = 60; };\n", 3,
	  "unknown setting \"tokens\" (known groups: database, token, "
	  "secrets, limits, pat, files, audit)" },
	{ "unknown key",
	  "database = {\n  backend = \"sqlite\";\n  pth = \"x.db\";\n};\n",
	  3, "unknown setting \"database.pth\"" },
	{ "top-level scalar",
	  "limits = 5;\n", 1, "limits must be a group (limits = { ... };)" },
	{ "list instead of group",
	  "\npat = ( 1, 2 );\n", 2, "pat must be a group (pat = { ... };)" },
	{ "lifetime as string",
	  "token = {\n  lifetime = \"3600\";\n};\n", 2,
	  "token.lifetime must be an integer" },
	{ "lifetime as float",
	  "token = {\n  lifetime = 3600.0;\n};\n", 2,
	  "token.lifetime must be an integer" },
	{ "busy timeout as bool",
	  "database = { busy_timeout_ms = true; };\n", 1,
	  "database.busy_timeout_ms must be an integer" },
	{ "issuer as integer",
	  "token = {\n\n  issuer = 5;\n};\n", 3,
	  "token.issuer must be a string" },
	{ "path as group",
	  "database = { path = { }; };\n", 1,
	  "database.path must be a string" },
	{ "empty path",
	  "database = {\n  path = \"\";\n};\n", 2,
	  "database.path must not be empty" },
	{ "empty issuer",
	  "token = { issuer = \"\"; };\n", 1,
	  "token.issuer must not be empty" },
	{ "issuer not UTF-8",
	  "token = { issuer = \"a\\xffb\"; };\n", 1,
	  "token.issuer is not valid UTF-8" },
	{ "unknown backend",
	  "database = {\n  backend = \"mysql\";\n};\n", 2,
	  "database.backend must be \"sqlite\" or \"postgresql\"" },
	{ "backend case matters",
	  "database = { backend = \"SQLite\"; };\n", 1,
	  "database.backend must be \"sqlite\" or \"postgresql\"" },
	{ "postgresql without conninfo",
	  "database = {\n  path = \"x\";\n  backend = \"postgresql\";\n};\n",
	  3, "database.conninfo must be set when database.backend is "
	  "\"postgresql\"" },
	{ "lifetime too small",
	  "token = { lifetime = 59; };\n", 1,
	  "token.lifetime must be between 60 and 604800, not 59" },
	{ "lifetime too large",
	  "token = { lifetime = 604801; };\n", 1,
	  "token.lifetime must be between 60 and 604800, not 604801" },
	{ "lifetime beyond 32 bits",
	  "token = { lifetime = 99999999999L; };\n", 1,
	  "token.lifetime must be between 60 and 604800, not 99999999999" },
	{ "negative audit retention",
	  "audit = { retention_days = -1; };\n", 1,
	  "audit.retention_days must be between 0 and 36500, not -1" },
	{ "audit retention too long",
	  "audit = { retention_days = 36501; };\n", 1,
	  "audit.retention_days must be between 0 and 36500, not 36501" },
	{ "body max too small",
	  "limits = { request_body_max = 1023; };\n", 1,
	  "limits.request_body_max must be between 1024 and 16777216, "
	  "not 1023" },
	{ "body max too large",
	  "limits = { request_body_max = 16777217; };\n", 1,
	  "limits.request_body_max must be between 1024 and 16777216, "
	  "not 16777217" },
	{ "negative interval",
	  "pat = { last_used_interval = -1; };\n", 1,
	  "pat.last_used_interval must be between 0 and 31536000, not -1" },
	{ "interval too large",
	  "pat = { last_used_interval = 31536001; };\n", 1,
	  "pat.last_used_interval must be between 0 and 31536000, "
	  "not 31536001" },
	{ "negative busy timeout",
	  "database = { busy_timeout_ms = -1; };\n", 1,
	  "database.busy_timeout_ms must be between 0 and 600000, not -1" },
	{ "busy timeout too large",
	  "database = { busy_timeout_ms = 600001; };\n", 1,
	  "database.busy_timeout_ms must be between 0 and 600000, "
	  "not 600001" },
	{ "default expiry 0",
	  "pat = {\n  default_expiry = 0;\n};\n", 2,
	  "pat.default_expiry must be between 1 and 36500 days, or "
	  "\"never\", not 0" },
	{ "default expiry negative",
	  "pat = { default_expiry = -1; };\n", 1,
	  "pat.default_expiry must be between 1 and 36500 days, or "
	  "\"never\", not -1" },
	{ "default expiry too large",
	  "pat = { default_expiry = 36501; };\n", 1,
	  "pat.default_expiry must be between 1 and 36500 days, or "
	  "\"never\", not 36501" },
	{ "default expiry beyond 32 bits",
	  "pat = { default_expiry = 4294967478L; };\n", 1,
	  "pat.default_expiry must be between 1 and 36500 days, or "
	  "\"never\", not 4294967478" },
	{ "default expiry other string",
	  "pat = {\n\n  default_expiry = \"Never\";\n};\n", 3,
	  "pat.default_expiry must be a number of days or \"never\"" },
	{ "default expiry empty string",
	  "pat = { default_expiry = \"\"; };\n", 1,
	  "pat.default_expiry must be a number of days or \"never\"" },
	{ "default expiry digits as string",
	  "pat = { default_expiry = \"182\"; };\n", 1,
	  "pat.default_expiry must be a number of days or \"never\"" },
	{ "default expiry as float",
	  "pat = { default_expiry = 182.0; };\n", 1,
	  "pat.default_expiry must be a number of days or \"never\"" },
	{ "default expiry as bool",
	  "pat = { default_expiry = false; };\n", 1,
	  "pat.default_expiry must be a number of days or \"never\"" },
	{ "max per owner negative",
	  "pat = { max_per_owner = -1; };\n", 1,
	  "pat.max_per_owner must be between 0 and 1000000, not -1" },
	{ "max per owner too large",
	  "pat = { max_per_owner = 1000001; };\n", 1,
	  "pat.max_per_owner must be between 0 and 1000000, not 1000001" },
	{ "max per owner as string",
	  "pat = { max_per_owner = \"never\"; };\n", 1,
	  "pat.max_per_owner must be an integer" },
	{ "first error wins",
	  "token = { lifetime = 1; };\nlimits = { request_body_max = 1; };\n",
	  1, "token.lifetime must be between 60 and 604800, not 1" },
	{ "missing include",
	  "token = { };\n@include \"nonexistent.conf\"\n", 2,
	  "cannot open include file" },
};

static void
test_errors(void)
{
	struct patrol_conf	*c;
	struct patrol_error	 err;
	char			 want[1024];
	const char		*p;
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = (struct patrol_conf *)&err;	/* must be reset to NULL */
		memset(&err, 0, sizeof(err));
		p = puts_file("bad.conf", bad[i].text);
		is_int(patrol_conf_load(p, &c, &err), PATROL_ERR_CONFIG,
		    "%s: CONFIG", bad[i].name);
		ok(c == NULL, "%s: no configuration", bad[i].name);
		is_int(err.code, PATROL_ERR_CONFIG, "%s: err.code",
		    bad[i].name);
		is_int(err.line, bad[i].line, "%s: err.line", bad[i].name);
		snprintf(want, sizeof(want), "%s:%d: %s", p, bad[i].line,
		    bad[i].message);
		is_str(err.text, want, "%s: text", bad[i].name);
	}
}

/* Errors in an included file name that file and its line. */
static void
test_include_errors(void)
{
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err;
	char			 want[PATH_MAX + 128];
	const char		*p;

	puts_file("inc-bad.conf", "token = {\n  lifetime = ;\n};\n");
	p = puts_file("inc2.conf", "\n@include \"inc-bad.conf\"\n");
	is_int(patrol_conf_load(p, &c, &err), PATROL_ERR_CONFIG,
	    "syntax error in an included file");
	snprintf(want, sizeof(want), "%s:2: syntax error",
	    in_dir("inc-bad.conf"));
	is_str(err.text, want, "names the included file");
	is_int(err.line, 2, "and its line");

	puts_file("inc-bad.conf", "token = {\n\n\n  lifetime = 1;\n};\n");
	is_int(patrol_conf_load(p, &c, &err), PATROL_ERR_CONFIG,
	    "bad value in an included file");
	snprintf(want, sizeof(want), "%s:4: token.lifetime must be between "
	    "60 and 604800, not 1", in_dir("inc-bad.conf"));
	is_str(err.text, want, "names the included file");
	is_int(err.line, 4, "and its line");
}

/* libconfig would stop at a NUL byte; the loader refuses the file. */
static void
test_nul(void)
{
	static const char	 text[] = "token = {\n  issuer = \"a\0b\";\n};\n";
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err;
	char			 want[PATH_MAX + 64];
	const char		*p;

	p = put("nul.conf", text, sizeof(text) - 1);
	is_int(patrol_conf_load(p, &c, &err), PATROL_ERR_CONFIG,
	    "NUL byte refused");
	snprintf(want, sizeof(want), "%s:2: NUL byte in file", p);
	is_str(err.text, want, "NUL byte: file and line");
	is_int(err.line, 2, "NUL byte: err.line");
	ok(c == NULL, "NUL byte: no configuration");
}

static void
test_too_large(void)
{
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err;
	char			*big, want[PATH_MAX + 64];
	const char		*p;
	size_t			 len = 1024 * 1024 + 1;

	if ((big = malloc(len)) == NULL)
		exit(99);
	memset(big, '\n', len);
	p = put("big.conf", big, len);
	free(big);
	is_int(patrol_conf_load(p, &c, &err), PATROL_ERR_CONFIG,
	    "file over 1 MiB refused");
	snprintf(want, sizeof(want), "%s: file is larger than 1048576 bytes",
	    p);
	is_str(err.text, want, "size error text");
	ok(c == NULL, "size error: no configuration");

	/* Exactly the limit is fine. */
	if ((big = malloc(len - 1)) == NULL)
		exit(99);
	memset(big, '\n', len - 1);
	p = put("big.conf", big, len - 1);
	free(big);
	is_int(patrol_conf_load(p, &c, &err), PATROL_OK,
	    "file of exactly 1 MiB accepted");
	patrol_conf_free(c);
}

static void
test_io(void)
{
	struct patrol_conf	*c;
	struct patrol_error	 err;
	char			 path[PATH_MAX], want[PATH_MAX + 64];
	const char		*p;

	c = (struct patrol_conf *)&err;
	snprintf(path, sizeof(path), "%s/absent.conf", tmpdir);
	is_int(patrol_conf_load(path, &c, &err), PATROL_ERR_IO,
	    "missing file: IO");
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	is_str(err.text, want, "missing file: path: strerror");
	is_int(err.line, 0, "missing file: no line");
	ok(c == NULL, "missing file: no configuration");

	is_int(patrol_conf_load(path, &c, NULL), PATROL_ERR_IO,
	    "NULL err accepted");
	is_int(patrol_conf_load("/nonexistent-dir/x/patrol.conf", &c, &err),
	    PATROL_ERR_IO, "missing directory: IO");

	is_int(patrol_conf_load(tmpdir, &c, &err), PATROL_ERR_IO,
	    "directory: IO");
	snprintf(want, sizeof(want), "%s: Is a directory", tmpdir);
	is_str(err.text, want, "directory: path: strerror");

	p = puts_file("secret.conf", "");
	if (chmod(p, 0) == -1) {
		perror("chmod");
		exit(99);
	}
	if (access(p, R_OK) == 0) {
		/* root reads anything: the case cannot be produced. */
		tap_diag("running as root: unreadable file not tested");
		return;
	}
	is_int(patrol_conf_load(p, &c, &err), PATROL_ERR_IO,
	    "unreadable file: IO");
	snprintf(want, sizeof(want), "%s: Permission denied", p);
	is_str(err.text, want, "unreadable file: path: strerror");
	ok(c == NULL, "unreadable file: no configuration");
}

int
main(void)
{
	if (mkdtemp(tmpdir) == NULL || realpath(tmpdir, realdir) == NULL) {
		perror("mkdtemp");
		return 99;
	}
	is_str(patrol_conf_default_path(), SYSCONFDIR "/patrol/patrol.conf",
	    "default path under sysconfdir");
	patrol_conf_free(NULL);
	test_defaults();
	test_all_keys();
	test_bounds();
	test_resolution();
	test_include();
	test_sample();
	test_errors();
	test_include_errors();
	test_nul();
	test_too_large();
	test_io();
	nftw(tmpdir, rm, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
