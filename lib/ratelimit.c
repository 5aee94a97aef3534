/*
 * ratelimit.c: request counting shared by every responder process on the
 * host. A small file (limits.state_file, in the state directory) mapped
 * MAP_SHARED holds a table of fixed-window counters; each process updates
 * it with atomic compare-and-swap, so no lock is ever held and a process
 * killed mid-request leaves nothing locked. The database is not used: a
 * write transaction per request would serialise every responder on
 * SQLite's lock for a number nobody needs to keep.
 *
 * A counter is the key's 64-bit hash and one 64-bit word: the window
 * number (time / window) in the high half, the count in the low half. A
 * key goes to one of PROBE slots from its hash; a slot whose window has
 * passed is free for any key. When all are taken by live windows of other
 * keys, the request is counted in the least used of them: a limit may then
 * come early for a few keys at once, never late.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "patrol.h"
#include "extern.h"

#define RL_MAGIC	0x70617472726c3031ULL	/* "patrrl01" */
#define RL_SLOTS	16384
#define RL_PROBE	8

struct rl_slot {
	uint64_t	 key;
	uint64_t	 state;		/* window << 32 | count */
};

struct rl_file {
	uint64_t	 magic;
	uint64_t	 pad;
	struct rl_slot	 slot[RL_SLOTS];
};

struct patrol_ratelimit {
	struct rl_file	*map;
};

/* FNV-1a, 64 bits, of kind then key: which counter. Never 0. */
static uint64_t
rl_hash(const char *kind, const char *key)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	const char	*s;

	for (s = kind; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	h = (h ^ 0xff) * 0x100000001b3ULL;
	for (s = key; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h == 0 ? 1 : h;
}

enum patrol_err
patrol_ratelimit_open(const char *path, struct patrol_ratelimit **out,
    struct patrol_error *err)
{
	struct patrol_ratelimit	*rl;
	struct stat		 sb;
	void			*p;
	int			 fd;

	*out = NULL;
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1)
		return patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
		    "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) == -1 || (sb.st_size != sizeof(struct rl_file) &&
	    ftruncate(fd, sizeof(struct rl_file)) == -1)) {
		close(fd);
		return patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
		    "%s: %s", path, strerror(errno));
	}
	p = mmap(NULL, sizeof(struct rl_file), PROT_READ | PROT_WRITE,
	    MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return patrol_error_set(err, PATROL_ERR_IO, PATROL_NOPOS,
		    "%s: mmap: %s", path, strerror(errno));
	if ((rl = calloc(1, sizeof(*rl))) == NULL) {
		munmap(p, sizeof(struct rl_file));
		return patrol_error_set(err, PATROL_ERR_NOMEM, PATROL_NOPOS,
		    "out of memory");
	}
	rl->map = p;
	/* A new (zero) file, or another layout: start from empty counters.
	 * Two processes doing this at once both write zeros: harmless. */
	if (__atomic_load_n(&rl->map->magic, __ATOMIC_ACQUIRE) != RL_MAGIC) {
		memset(rl->map->slot, 0, sizeof(rl->map->slot));
		__atomic_store_n(&rl->map->magic, RL_MAGIC, __ATOMIC_RELEASE);
	}
	*out = rl;
	return PATROL_OK;
}

void
patrol_ratelimit_close(struct patrol_ratelimit *rl)
{
	if (rl == NULL)
		return;
	munmap(rl->map, sizeof(struct rl_file));
	free(rl);
}

/* The slot of key h in window w: its own, a free one (claimed), or the
 * least used live one. */
static struct rl_slot *
rl_find(struct rl_file *f, uint64_t h, uint64_t w)
{
	struct rl_slot	*s, *least = NULL;
	uint64_t	 k, st, leastn = UINT64_MAX;
	size_t		 i, at;

	for (i = 0; i < RL_PROBE; i++) {
		at = (size_t)((h + i) % RL_SLOTS);
		s = &f->slot[at];
		k = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);
		if (k == h)
			return s;
		st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (k == 0 || (st >> 32) != w) {
			/* Free, or its window has passed: take it. */
			if (__atomic_compare_exchange_n(&s->key, &k, h, 0,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
				return s;
			if (k == h)
				return s;
			continue;
		}
		if ((st & 0xffffffffULL) < leastn) {
			leastn = st & 0xffffffffULL;
			least = s;
		}
	}
	return least != NULL ? least : &f->slot[h % RL_SLOTS];
}

long
patrol_ratelimit_hit(struct patrol_ratelimit *rl, const char *kind,
    const char *key, long limit, long window, int64_t now, int count)
{
	struct rl_slot	*s;
	uint64_t	 h, w, st, nst, n;

	if (rl == NULL || limit <= 0 || window <= 0 || now < 0)
		return 0;
	h = rl_hash(kind, key);
	w = (uint64_t)(now / window) & 0xffffffffULL;
	s = rl_find(rl->map, h, w);
	st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	for (;;) {
		n = (st >> 32) == w ? st & 0xffffffffULL : 0;
		if (!count)
			break;
		if (n < 0xffffffffULL)
			n++;
		nst = w << 32 | n;
		if (__atomic_compare_exchange_n(&s->state, &st, nst, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			break;
	}
	if (n <= (uint64_t)limit - (count ? 0 : 1))
		return 0;
	/* Seconds until the window ends, at least 1. */
	return (long)(window - now % window);
}
