/* buf.c: growable buffers, UTF-8 validation and small string helpers. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "patrol.h"
#include "extern.h"

static int
grow(struct pbuf *b, size_t need)
{
	size_t	 ncap;
	char	*ns;

	if (b->oom)
		return -1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need) {
		if (ncap > ((size_t)-1) / 2)
			goto fail;
		ncap *= 2;
	}
	if ((ns = realloc(b->s, ncap)) == NULL)
		goto fail;
	b->s = ns;
	b->cap = ncap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

int
pbuf_add(struct pbuf *b, const char *s, size_t len)
{
	/* The common case first: it fits (cap > 0 implies s != NULL). */
	if (len < b->cap - b->len && !b->oom) {
		memcpy(b->s + b->len, s, len);
		b->len += len;
		b->s[b->len] = '\0';
		return 0;
	}
	if (len > ((size_t)-1) - b->len - 1) {
		b->oom = 1;
		return -1;
	}
	if (grow(b, b->len + len + 1) == -1)
		return -1;
	if (len)
		memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
	return 0;
}

int
pbuf_adds(struct pbuf *b, const char *s)
{
	return pbuf_add(b, s, strlen(s));
}

int
pbuf_addc(struct pbuf *b, char c)
{
	return pbuf_add(b, &c, 1);
}

int
pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;

	if (b->oom)
		return -1;
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || grow(b, b->len + (size_t)n + 1) == -1) {
		b->oom = 1;
		return -1;
	}
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
pbuf_printf(struct pbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = pbuf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
pbuf_reset(struct pbuf *b)
{
	b->len = 0;
	if (b->s != NULL)
		b->s[0] = '\0';
}

void
pbuf_free(struct pbuf *b)
{
	if (b == NULL)
		return;
	free(b->s);
	memset(b, 0, sizeof(*b));
}

char *
pbuf_take(struct pbuf *b)
{
	char	*s;

	if (b->oom) {
		pbuf_free(b);
		return NULL;
	}
	s = b->s;
	memset(b, 0, sizeof(*b));
	return s;
}

char *
xstrndup(const char *s, size_t len)
{
	char	*p;

	if (len == (size_t)-1 || (p = malloc(len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int
utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned long		 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (len - i - 1 < n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
utf8_seqlen(const char *s, size_t len, size_t i)
{
	unsigned char	 c = (unsigned char)s[i];
	size_t		 n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (len - i < n || !utf8_valid(s + i, n))
		return 0;
	return n;
}

int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
patrol_utf8_valid(const char *s, size_t len)
{
	return utf8_valid(s, len);
}

void
wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}
