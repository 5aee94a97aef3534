/*
 * t_stream.c: GET /beta/personal-access-tokens streams its array. The heap
 * high-water mark while listing 40000 PATs must be about the same as while
 * listing 1000: a server that collected the list (or the JSON) first would
 * need several more megabytes for the larger one.
 */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

#define SMALL	1000
#define LARGE	40000
/* Allowed growth of the peak: SQLite's page cache (2 MB by default) fills
 * up with a larger database; the JSON of LARGE PATs is about 9 MB. */
#define SLACK	(3 * 1024 * 1024)

struct sink {
	const char	*authz;
	size_t		 bytes;
	size_t		 peak;		/* highest heap use seen while writing */
	int		 status;
};

/* Bytes the program has allocated: small blocks plus mmap()ed ones. */
static size_t
heap_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static const char *
s_param(void *arg, const char *name)
{
	struct sink	*s = arg;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "GET";
	if (strcmp(name, "REQUEST_URI") == 0)
		return "/beta/personal-access-tokens";
	if (strcmp(name, "HTTP_AUTHORIZATION") == 0)
		return s->authz;
	return NULL;
}

static long
s_read(void *arg, char *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static int
s_write(void *arg, const char *buf, size_t len)
{
	struct sink	*s = arg;
	size_t		 used = heap_used();

	if (s->bytes == 0)
		sscanf(buf, "Status: %d", &s->status);
	s->bytes += len;
	if (used > s->peak)
		s->peak = used;
	return 0;
}

/* Lists everything; returns the growth of the heap's high-water mark over
 * its level before the request. */
static size_t
measure(struct patrol_server *srv, const char *authz, size_t *bytes)
{
	struct sink		 s = { authz, 0, 0, 0 };
	struct patrol_io	 io = { &s, s_param, s_read, s_write, NULL };
	size_t			 base;

	malloc_trim(0);
	base = heap_used();
	if (patrol_server_handle(srv, &io) != 0 || s.status != 200) {
		tap_diag("listing failed (status %d)", s.status);
		return (size_t)-1;
	}
	*bytes = s.bytes;
	return s.peak > base ? s.peak - base : 0;
}

/* Adds PATs from..to-1 of owner; the first id is written to first if not
 * NULL. Returns 0 or -1. */
static int
add_pats(struct patrol_store *st, const char *owner, size_t from, size_t to,
    char *first)
{
	struct patrol_pat	 p;
	struct patrol_error	 err;
	char			 name[32];
	size_t			 i;

	memset(&p, 0, sizeof(p));
	strcpy(p.owner_id, owner);
	p.scope_null = 1;
	p.last_used = -1;
	p.expires = -1;
	p.validity = PATROL_VALIDITY_DEFAULT;
	memset(p.secret_hash, 'a', PATROL_HASH_LEN);
	for (i = from; i < to; i++) {
		patrol_id_new(p.id);
		if (i == from && first != NULL)
			strcpy(first, p.id);
		snprintf(name, sizeof(name), "pat %zu", i);
		p.name = name;
		p.created = 1700000000000LL + (int64_t)i;
		if (patrol_store_pat_add(st, &p, 0, &err) != PATROL_OK) {
			tap_diag("pat_add %zu: %s", i, err.text);
			return -1;
		}
	}
	return 0;
}

int
main(void)
{
	char			 dir[] = "/tmp/patrol-t_stream-XXXXXX";
	char			 path[300], cmd[350], authz[9000];
	struct patrol_conf	*conf = NULL;
	struct patrol_store	*st = NULL;
	struct patrol_server	*srv = NULL;
	struct patrol_key	*key = NULL;
	struct patrol_identity	 id;
	struct patrol_error	 err;
	char			*rights[] = { "idn:all-personal-access-tokens:read" };
	char			 pat[PATROL_ID_LEN + 1], *jwt = NULL;
	size_t			 small, large, bsmall = 0, blarge = 0;
	void *volatile		 probe;
	FILE			*f;

	/* mallinfo2 only sees glibc's allocator: under ASan or valgrind it
	 * reports nothing, and there is nothing to measure. */
	probe = malloc(1 << 20);
	memset((void *)probe, 1, 1 << 20);
	if (heap_used() < (1 << 20)) {
		free((void *)probe);
		printf("1..0 # SKIP heap statistics unavailable (instrumented "
		    "allocator)\n");
		return 0;
	}
	free((void *)probe);

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/patrol.conf", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fputs("database = { path = \"patrol.db\"; };\n"
	    "token = { signing_key_file = \"k\"; };\n", f);
	fclose(f);
	if (patrol_conf_load(path, &conf, &err) != PATROL_OK ||
	    patrol_key_generate(conf->key_file, &err) != PATROL_OK ||
	    patrol_key_load(conf->key_file, &key, &err) != PATROL_OK ||
	    patrol_store_open(conf, 1, &st, &err) != PATROL_OK ||
	    patrol_server_new(conf, PATROL_ROUTES_BETA, &srv, &err) != PATROL_OK) {
		printf("Bail out! setup: %s\n", err.text);
		return 1;
	}
	memset(&id, 0, sizeof(id));
	patrol_id_new(id.id);
	id.name = "Lister";
	id.rights = rights;
	id.nrights = 1;
	patrol_store_identity_add(st, &id, &err);
	if (add_pats(st, id.id, 0, SMALL, pat) == -1 ||
	    patrol_token_issue(key, conf->issuer, pat, id.id, NULL, 0,
	    patrol_time_now() / 1000, 600, &jwt, &err) != PATROL_OK) {
		printf("Bail out! fixtures: %s\n", err.text);
		return 1;
	}
	snprintf(authz, sizeof(authz), "Bearer %s", jwt);

	small = measure(srv, authz, &bsmall);
	ok(small != (size_t)-1, "list %d PATs", SMALL);
	ok(add_pats(st, id.id, SMALL, LARGE, NULL) == 0, "add up to %d PATs",
	    LARGE);
	large = measure(srv, authz, &blarge);
	ok(large != (size_t)-1, "list %d PATs", LARGE);
	ok(blarge > bsmall * 20, "the large listing is %zu bytes of JSON "
	    "(small: %zu)", blarge, bsmall);
	tap_diag("heap peak growth: %zu bytes for %d PATs, %zu for %d",
	    small, SMALL, large, LARGE);
	ok(large < small + SLACK, "heap peak does not grow with the number of "
	    "PATs (%zu vs %zu bytes)", large, small);

	free(jwt);
	patrol_server_free(srv);
	patrol_store_close(st);
	patrol_key_free(key);
	patrol_conf_free(conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return done_testing();
}
