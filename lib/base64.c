/*
 * base64.c: base64 (RFC 4648 section 4, padded: HTTP Basic credentials)
 * and base64url (section 5, unpadded: the parts of a JWT), both ways. Only
 * the canonical spelling decodes: a value has exactly one encoding.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "patrol.h"
#include "extern.h"

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
b64val(unsigned char c, int url)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == (url ? '-' : '+'))
		return 62;
	if (c == (url ? '_' : '/'))
		return 63;
	return -1;
}

unsigned char *
b64_decode(const char *s, size_t len, int url, size_t *outlen)
{
	unsigned char	*d;
	size_t		 i, n = 0, pad = 0;
	unsigned long	 acc = 0;
	int		 v, bits = 0;

	/* Standard base64 is padded to a multiple of 4; base64url is not. */
	while (!url && len > 0 && s[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if ((!url && (len + pad) % 4 != 0) || len % 4 == 1)
		return NULL;
	if ((d = malloc(len / 4 * 3 + 3)) == NULL)
		return NULL;
	for (i = 0; i < len; i++) {
		if ((v = b64val((unsigned char)s[i], url)) < 0) {
			free(d);
			return NULL;
		}
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			d[n++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	if (acc != 0) {		/* non-canonical trailing bits */
		free(d);
		return NULL;
	}
	d[n] = '\0';
	*outlen = n;
	return d;
}

int
b64url_encode(struct pbuf *b, const void *data, size_t len)
{
	const unsigned char	*p = data;
	char			 out[4];
	size_t			 i;
	unsigned long		 v;

	for (i = 0; i + 3 <= len; i += 3) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8 |
		    p[i + 2];
		out[0] = b64url_alphabet[v >> 18];
		out[1] = b64url_alphabet[(v >> 12) & 63];
		out[2] = b64url_alphabet[(v >> 6) & 63];
		out[3] = b64url_alphabet[v & 63];
		if (pbuf_add(b, out, 4) == -1)
			return -1;
	}
	if (len - i == 1) {
		v = (unsigned long)p[i] << 16;
		out[0] = b64url_alphabet[v >> 18];
		out[1] = b64url_alphabet[(v >> 12) & 63];
		return pbuf_add(b, out, 2);
	}
	if (len - i == 2) {
		v = (unsigned long)p[i] << 16 | (unsigned long)p[i + 1] << 8;
		out[0] = b64url_alphabet[v >> 18];
		out[1] = b64url_alphabet[(v >> 12) & 63];
		out[2] = b64url_alphabet[(v >> 6) & 63];
		return pbuf_add(b, out, 3);
	}
	return 0;
}
