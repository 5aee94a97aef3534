/*
 * t_state.c: the state files' modes. A database created by the store is
 * born 0600 whatever the umask; patrol_state_secure() gives the database,
 * its -wal and -shm and the key their modes (0600, or 0660/0640 of
 * files.group) and refuses an unknown group; patrol_state_check() names each
 * file open to others and nothing else.
 */
#include "config.h"

#include <sys/stat.h>

#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "tap.h"

static char dir[] = "/tmp/t_state.XXXXXX";
static char conffile[256], db[256], wal[256], shm[256], key[256];

static void
conf_write(const char *group)
{
	FILE	*f;

	if ((f = fopen(conffile, "w")) == NULL) {
		perror(conffile);
		exit(99);
	}
	fprintf(f, "database = { path = \"state.db\"; };\n"
	    "token = { signing_key_file = \"state.key\"; };\n");
	if (group != NULL)
		fprintf(f, "files = { group = \"%s\"; };\n", group);
	fclose(f);
}

static struct patrol_conf *
load(const char *group)
{
	struct patrol_conf	*c = NULL;
	struct patrol_error	 err = { 0 };

	conf_write(group);
	if (patrol_conf_load(conffile, &c, &err) != PATROL_OK) {
		printf("# %s\n", err.text);
		exit(99);
	}
	return c;
}

static unsigned
mode(const char *path)
{
	struct stat	 sb;

	if (stat(path, &sb) == -1)
		return 01000;	/* absent */
	return (unsigned)(sb.st_mode & 07777);
}

static void
touch(const char *path, unsigned m)
{
	FILE	*f;

	if ((f = fopen(path, "a")) == NULL) {
		perror(path);
		exit(99);
	}
	fclose(f);
	chmod(path, m);
}

int
main(void)
{
	static const struct {
		unsigned	 db, wal, key;	/* modes before the check */
		const char	*want;		/* substrings, '|' apart; "" none */
	} checks[] = {
		{ 0600, 0600, 0600, "" },
		{ 0640, 0660, 0640, "" },
		{ 0644, 0600, 0600, "state.db: readable by others (mode 0644)" },
		{ 0600, 0606, 0600, "state.db-wal: readable and writable by others" },
		{ 0600, 0600, 0602, "state.key: writable by others (mode 0602)" },
		{ 0604, 0600, 0604, "state.db: readable|state.key: readable" },
	};
	struct patrol_conf	*c;
	struct patrol_store	*st;
	struct patrol_error	 err = { 0 };
	struct group		*gr;
	char			*w, *want, *tok, *save;
	size_t			 i;
	int			 good;

	if (mkdtemp(dir) == NULL)
		return 99;
	snprintf(conffile, sizeof(conffile), "%s/patrol.conf", dir);
	snprintf(db, sizeof(db), "%s/state.db", dir);
	snprintf(wal, sizeof(wal), "%s/state.db-wal", dir);
	snprintf(shm, sizeof(shm), "%s/state.db-shm", dir);
	snprintf(key, sizeof(key), "%s/state.key", dir);

	/* Born private, whatever the umask. */
	umask(0);
	c = load(NULL);
	ok(patrol_store_open(c, 1, &st, &err) == PATROL_OK, "store created");
	patrol_store_close(st);
	is_int(mode(db), 0600, "a new database is 0600 under umask 0");
	ok(patrol_key_generate(key, &err) == PATROL_OK, "key generated");
	is_int(mode(key), 0600, "a new key is 0600 under umask 0");
	umask(022);

	/* Secure: owner only. */
	chmod(db, 0644);
	touch(wal, 0666);
	chmod(key, 0644);
	ok(patrol_state_secure(c, &err) == PATROL_OK, "secure, no group");
	is_int(mode(db), 0600, "database 0600");
	is_int(mode(wal), 0600, "-wal 0600");
	is_int(mode(key), 0600, "key 0600");
	is_int(mode(shm), 01000, "an absent -shm is not created");
	patrol_conf_free(c);

	/* Secure with a group: this process's own group, which it may set. */
	if ((gr = getgrgid(getgid())) == NULL)
		return 99;
	c = load(gr->gr_name);
	is_str(c->files_group, gr->gr_name, "files.group is read");
	ok(patrol_state_secure(c, &err) == PATROL_OK, "secure, group %s",
	    gr->gr_name);
	is_int(mode(db), 0660, "database 0660 with a group");
	is_int(mode(wal), 0660, "-wal 0660 with a group");
	is_int(mode(key), 0640, "key 0640 with a group");
	patrol_conf_free(c);

	c = load("no-such-group-patrol");
	ok(patrol_state_secure(c, &err) == PATROL_ERR_INVALID,
	    "an unknown group is refused");
	is_str(err.text, "files.group: no group named \"no-such-group-patrol\"",
	    "and named");
	is_int(mode(db), 0660, "nothing changed on that error");
	patrol_conf_free(c);

	/* Check. */
	c = load(NULL);
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		chmod(db, checks[i].db);
		chmod(wal, checks[i].wal);
		chmod(key, checks[i].key);
		ok(patrol_state_check(c, &w) == PATROL_OK, "check %zu runs", i);
		if (checks[i].want[0] == '\0') {
			ok(w == NULL, "check %zu: no warning", i);
			if (w != NULL)
				printf("# %s\n", w);
		} else {
			good = w != NULL;
			want = strdup(checks[i].want);
			for (tok = strtok_r(want, "|", &save); good &&
			    tok != NULL; tok = strtok_r(NULL, "|", &save))
				good = strstr(w, tok) != NULL;
			ok(good, "check %zu: %s", i, checks[i].want);
			if (!good)
				printf("# got: %s\n", w != NULL ? w : "NULL");
			free(want);
		}
		free(w);
	}
	patrol_conf_free(c);

	unlink(db);
	unlink(wal);
	unlink(shm);
	unlink(key);
	unlink(conffile);
	rmdir(dir);
	return done_testing();
}
