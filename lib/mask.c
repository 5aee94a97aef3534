/*
 * mask.c: the masked form under which secrets are shown (Duo accessKey and
 * skey): first code point, six '*', last code point; "********" for short
 * secrets, so their length and content stay hidden. Bytes that do not form
 * valid UTF-8 count as one character each.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

#define MASK_STARS "******"

/* Length of the character at s[i]: its UTF-8 sequence if well formed, else
 * the single byte. */
static size_t
charlen(const char *s, size_t len, size_t i)
{
	size_t	 n = utf8_seqlen(s, len, i);

	return n == 0 ? 1 : n;
}

/* What masking needs to know of a string of len bytes: it has nchars
 * characters, the first firstlen bytes form the first one, the last one
 * starts at byte last. */
struct shape {
	size_t	 nchars;
	size_t	 firstlen;
	size_t	 last;
	size_t	 len;
};

static void
shape(const char *s, struct shape *sh)
{
	size_t	 i, n;

	memset(sh, 0, sizeof(*sh));
	sh->len = strlen(s);
	for (i = 0; i < sh->len; i += n) {
		n = charlen(s, sh->len, i);
		if (i == 0)
			sh->firstlen = n;
		sh->last = i;
		sh->nchars++;
	}
}

char *
patrol_mask_secret(const char *s)
{
	struct shape	 sh;
	struct pbuf	 b = { 0 };

	if (s == NULL)
		s = "";
	shape(s, &sh);
	if (sh.nchars == 0)
		return xstrndup("", 0);
	if (sh.nchars < PATROL_MASK_MIN_LEN)
		return xstrndup(PATROL_MASK_ALL, strlen(PATROL_MASK_ALL));
	pbuf_add(&b, s, sh.firstlen);
	pbuf_adds(&b, MASK_STARS);
	pbuf_add(&b, s + sh.last, sh.len - sh.last);
	return pbuf_take(&b);
}

int
patrol_mask_matches(const char *candidate, const char *secret)
{
	struct shape	 sh;
	size_t		 clen, stars = strlen(MASK_STARS);

	if (candidate == NULL || secret == NULL)
		return 0;
	shape(secret, &sh);
	clen = strlen(candidate);
	if (sh.nchars == 0)
		return clen == 0;
	if (sh.nchars < PATROL_MASK_MIN_LEN)
		return strcmp(candidate, PATROL_MASK_ALL) == 0;
	/* Compared in place: first character, the stars, last character. */
	return clen == sh.firstlen + stars + (sh.len - sh.last) &&
	    memcmp(candidate, secret, sh.firstlen) == 0 &&
	    memcmp(candidate + sh.firstlen, MASK_STARS, stars) == 0 &&
	    memcmp(candidate + sh.firstlen + stars, secret + sh.last,
	    sh.len - sh.last) == 0;
}
