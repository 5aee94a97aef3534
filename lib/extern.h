/*
 * extern.h: internals shared between libpatrol's source files. Not
 * installed; nothing here is part of the public interface. Every .c file
 * includes config.h first, then patrol.h, then this file.
 */
#ifndef PATROL_EXTERN_H
#define PATROL_EXTERN_H

#include <stdarg.h>
#include <stddef.h>

/* A growable byte buffer, always NUL-terminated once anything was added.
 * Zero-initialise it (struct pbuf b = {0}) and release with pbuf_free. */
struct pbuf {
	char *s;
	size_t len;
	size_t cap;
	int oom;	/* sticky: an append failed; s holds what fit before */
};

/* Append functions return 0 or -1 (ENOMEM, then b->oom is set and later
 * appends are no-ops). */
int pbuf_add(struct pbuf *b, const char *s, size_t len);
int pbuf_adds(struct pbuf *b, const char *s);
int pbuf_addc(struct pbuf *b, char c);
int pbuf_printf(struct pbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int pbuf_vprintf(struct pbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void pbuf_reset(struct pbuf *b);	/* len = 0, keeps memory */
void pbuf_free(struct pbuf *b);		/* frees and zeroes */
/* Hands the string over (new, caller frees); b is zeroed. NULL if oom or
 * nothing was added. */
char *pbuf_take(struct pbuf *b);

/* Copy of s[0..len) plus NUL; NULL on ENOMEM. */
char *xstrndup(const char *s, size_t len);

/* Returns 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates, no
 * code points above U+10FFFF), else 0. NUL bytes are valid here. */
int utf8_valid(const char *s, size_t len);

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
void wipe(void *p, size_t n);

#endif /* PATROL_EXTERN_H */
