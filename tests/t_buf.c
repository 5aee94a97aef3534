/* t_buf.c: growable buffers, UTF-8 validation, error names. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"
#include "tap.h"

static const struct {
	const char	*s;
	size_t		 len;
	int		 valid;
	const char	*name;
} utf8[] = {
	{ "", 0, 1, "empty" },
	{ "plain ascii", 11, 1, "ascii" },
	{ "caf\xc3\xa9", 5, 1, "two-byte" },
	{ "\xe2\x82\xac", 3, 1, "three-byte (euro)" },
	{ "\xf0\x9f\x98\x80", 4, 1, "four-byte (emoji)" },
	{ "\xf4\x8f\xbf\xbf", 4, 1, "U+10FFFF" },
	{ "a\0b", 3, 1, "NUL is valid UTF-8" },
	{ "\xff", 1, 0, "0xff" },
	{ "\xc3", 1, 0, "truncated two-byte" },
	{ "\xe2\x82", 2, 0, "truncated three-byte" },
	{ "\xc0\xaf", 2, 0, "overlong slash" },
	{ "\xc1\xbf", 2, 0, "overlong two-byte" },
	{ "\xe0\x80\xaf", 3, 0, "overlong three-byte" },
	{ "\xf0\x80\x80\xaf", 4, 0, "overlong four-byte" },
	{ "\xed\xa0\x80", 3, 0, "surrogate D800" },
	{ "\xf4\x90\x80\x80", 4, 0, "above U+10FFFF" },
	{ "\xf5\x80\x80\x80", 4, 0, "lead byte f5" },
	{ "\x80", 1, 0, "lone continuation" },
	{ "\xc3\x28", 2, 0, "bad continuation" },
};

int
main(void)
{
	struct pbuf		 b = { 0 };
	struct patrol_error	 err;
	char			*s, big[3000];
	size_t			 i;

	ok(pbuf_adds(&b, "abc") == 0 && b.len == 3, "adds");
	ok(pbuf_addc(&b, 'd') == 0 && strcmp(b.s, "abcd") == 0, "addc");
	ok(pbuf_printf(&b, "-%d-%s", 42, "x") == 0 &&
	    strcmp(b.s, "abcd-42-x") == 0, "printf");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	ok(pbuf_adds(&b, big) == 0 && b.len == 9 + sizeof(big) - 1 &&
	    b.s[b.len] == '\0', "grows past its first capacity");
	pbuf_reset(&b);
	is_int(b.len, 0, "reset empties");
	pbuf_adds(&b, "kept");
	s = pbuf_take(&b);
	is_str(s, "kept", "take hands the string over");
	ok(b.s == NULL && b.len == 0, "take zeroes the buffer");
	free(s);
	ok(pbuf_take(&b) == NULL, "take of an empty buffer is NULL");
	b.oom = 1;
	ok(pbuf_adds(&b, "x") == -1, "appends fail once oom is set");
	ok(pbuf_take(&b) == NULL, "take after oom is NULL");
	pbuf_free(&b);
	pbuf_free(NULL);

	s = xstrndup("hello world", 5);
	is_str(s, "hello", "xstrndup");
	free(s);

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		is_int(utf8_valid(utf8[i].s, utf8[i].len), utf8[i].valid,
		    "utf8_valid: %s", utf8[i].name);

	for (i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++)
		is_int(patrol_utf8_valid(utf8[i].s, utf8[i].len), utf8[i].valid,
		    "patrol_utf8_valid: %s", utf8[i].name);
	is_int(utf8_seqlen("a", 1, 0), 0, "seqlen: ASCII is 0");
	is_int(utf8_seqlen("\xc3\xa9", 2, 0), 2, "seqlen: two bytes");
	is_int(utf8_seqlen("x\xe2\x82\xac", 4, 1), 3, "seqlen: three bytes at i");
	is_int(utf8_seqlen("\xf0\x9f\x98\x80", 4, 0), 4, "seqlen: four bytes");
	is_int(utf8_seqlen("\xf0\x9f\x98", 3, 0), 0, "seqlen: truncated");
	is_int(utf8_seqlen("\xc0\xaf", 2, 0), 0, "seqlen: overlong");
	is_int(utf8_seqlen("\x80", 1, 0), 0, "seqlen: stray continuation");
	is_int(hexval('0'), 0, "hexval 0");
	is_int(hexval('9'), 9, "hexval 9");
	is_int(hexval('a'), 10, "hexval a");
	is_int(hexval('F'), 15, "hexval F");
	is_int(hexval('g'), -1, "hexval g");
	is_int(hexval('\0'), -1, "hexval NUL");

	for (i = 0; i < PATROL_ERR__MAX; i++)
		ok(strcmp(patrol_strerror(i), "unknown error") != 0,
		    "strerror names error %zu", i);
	is_str(patrol_strerror(PATROL_ERR__MAX), "unknown error",
	    "strerror of an unknown code");
	is_int(patrol_error_set(&err, PATROL_ERR_SYNTAX, 7, "at %d", 7),
	    PATROL_ERR_SYNTAX, "error_set returns the code");
	ok(err.code == PATROL_ERR_SYNTAX && err.position == 7 &&
	    err.line == 0 && strcmp(err.text, "at 7") == 0,
	    "error_set fills the struct");
	is_int(patrol_error_set(NULL, PATROL_ERR_IO, 0, "x"), PATROL_ERR_IO,
	    "error_set accepts NULL");
	return done_testing();
}
