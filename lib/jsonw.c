/*
 * jsonw.c: JSON written straight into a pbuf, for the hot paths (a listing
 * writes thousands of PATs; building a jansson tree per item and dumping it
 * costs ten times more). The output is byte for byte what jansson's
 * json_dumps(JSON_COMPACT) writes for the same values, which the tests
 * check: UTF-8 kept as is, '/' not escaped, the short escapes of RFC 8259
 * and \u00XX for the other control characters.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

int
pbuf_json_str(struct pbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t		 i, run = 0;
	unsigned char	 c;
	char		 esc[6] = { '\\', 'u', '0', '0', 0, 0 };

	/* Most strings need no escape: one append with their quotes. */
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == '"' || s[i] == '\\')
			break;
	if (i == len && len < b->cap - b->len && b->cap - b->len - len > 2 &&
	    !b->oom) {
		b->s[b->len++] = '"';
		memcpy(b->s + b->len, s, len);
		b->len += len;
		b->s[b->len++] = '"';
		b->s[b->len] = '\0';
		return 0;
	}
	pbuf_addc(b, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* Flush the plain run before s[i], then its escape. */
		pbuf_add(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"':
			PBUF_LIT(b, "\\\"");
			break;
		case '\\':
			PBUF_LIT(b, "\\\\");
			break;
		case '\b':
			PBUF_LIT(b, "\\b");
			break;
		case '\f':
			PBUF_LIT(b, "\\f");
			break;
		case '\n':
			PBUF_LIT(b, "\\n");
			break;
		case '\r':
			PBUF_LIT(b, "\\r");
			break;
		case '\t':
			PBUF_LIT(b, "\\t");
			break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			pbuf_add(b, esc, sizeof(esc));
			break;
		}
	}
	pbuf_add(b, s + run, len - run);
	return pbuf_addc(b, '"');
}

int
pbuf_json_time(struct pbuf *b, int64_t ms)
{
	char	 t[PATROL_TIME_BUFSZ + 2];

	if (ms < 0 || patrol_time_format(ms, t + 1) == -1)
		return PBUF_LIT(b, "null");
	t[0] = '"';
	t[25] = '"';
	return pbuf_add(b, t, 26);
}

int
pbuf_json_int(struct pbuf *b, int64_t v)
{
	char		 d[24], *p = d + sizeof(d);
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	return pbuf_add(b, p, (size_t)(d + sizeof(d) - p));
}
