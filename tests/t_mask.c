/* t_mask.c: the masked form of secrets and recognising it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*secret;
	const char	*masked;
	const char	*name;
} masks[] = {
	{ "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", "q******y", "spec accessKey" },
	{ "12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B", "1******B",
	  "spec skey" },
	{ "", "", "empty stays empty" },
	{ "a", PATROL_MASK_ALL, "one character" },
	{ "abcdefghi", PATROL_MASK_ALL, "nine characters" },
	{ "abcdefghij", "a******j", "ten characters" },
	{ "********", PATROL_MASK_ALL, "the mask itself" },
	{ "a******j", PATROL_MASK_ALL, "a masked form (8 characters)" },
	/* Code points, not bytes: 9 two-byte characters are short. */
	{ "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9", PATROL_MASK_ALL, "nine e-acute (18 bytes)" },
	{ "\xc3\xa9" "bcdefghi\xe2\x82\xac", "\xc3\xa9******\xe2\x82\xac",
	  "multi-byte first and last kept whole" },
	{ "\xf0\x9f\x98\x80" "12345678\xf0\x9f\x98\x81",
	  "\xf0\x9f\x98\x80******\xf0\x9f\x98\x81", "four-byte emoji ends" },
	/* Invalid UTF-8: each stray byte is one character. */
	{ "\xff" "bcdefghi\xfe", "\xff******\xfe", "stray bytes at both ends" },
	{ "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", PATROL_MASK_ALL,
	  "nine stray bytes" },
	{ "abcdefghi\xe2\x82", "a******\x82", "truncated sequence at the end" },
	{ "\xe2\x82" "bcdefghij", "\xe2******j",
	  "truncated sequence at the start" },
	{ "\xc0\xaf" "cdefghijk", "\xc0******k", "overlong lead" },
};

static const struct {
	const char	*candidate;
	const char	*secret;
	int		 match;
	const char	*name;
} matches[] = {
	{ "q******y", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 1, "spec accessKey" },
	{ "1******B", "12q3WERlcUHWJmiMqyCXI3uOF7EaDJTbdeOp6E2B", 1,
	  "spec skey" },
	{ "********", "short", 1, "short secret" },
	{ "", "", 1, "empty and empty" },
	{ "q******Y", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 0, "case counts" },
	{ "q*****y", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 0, "five stars" },
	{ "q*******y", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 0, "seven stars" },
	{ "q******yx", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 0, "trailing byte" },
	{ "x******y", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 0, "wrong first" },
	{ "qw123Y3QlA5UqocYpdU3rEkzrK2D497y",
	  "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 0,
	  "the secret itself is not its mask" },
	{ "********", "qw123Y3QlA5UqocYpdU3rEkzrK2D497y", 0,
	  "short mask of a long secret" },
	{ "s******t", "short", 0, "long mask of a short secret" },
	{ "", "short", 0, "empty candidate" },
	{ "********", "", 0, "mask of nothing" },
	{ "\xc3\xa9******\xe2\x82\xac", "\xc3\xa9" "bcdefghi\xe2\x82\xac", 1,
	  "multi-byte" },
	{ "\xc3******\xe2\x82\xac", "\xc3\xa9" "bcdefghi\xe2\x82\xac", 0,
	  "half a character" },
};

int
main(void)
{
	char	*m;
	size_t	 i;

	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		m = patrol_mask_secret(masks[i].secret);
		is_str(m, masks[i].masked, "mask: %s", masks[i].name);
		is_int(patrol_mask_matches(masks[i].masked, masks[i].secret),
		    1, "mask matches its secret: %s", masks[i].name);
		free(m);
	}
	m = patrol_mask_secret(NULL);
	is_str(m, "", "mask of NULL is empty");
	free(m);

	for (i = 0; i < sizeof(matches) / sizeof(matches[0]); i++)
		is_int(patrol_mask_matches(matches[i].candidate,
		    matches[i].secret), matches[i].match, "matches: %s",
		    matches[i].name);
	is_int(patrol_mask_matches(NULL, "x"), 0, "NULL candidate");
	is_int(patrol_mask_matches("x", NULL), 0, "NULL secret");
	return done_testing();
}
