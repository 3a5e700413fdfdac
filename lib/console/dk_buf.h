/* Growable byte buffer with a hard cap, shared by the output renderer and the ctl socket. */
#ifndef DK_BUF_H
#define DK_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct dk_buf {
	char *p;	/* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;
	size_t max;	/* len never exceeds this */
	bool trunc;	/* an add did not fit */
};

void dk_buf_init(struct dk_buf *b, size_t max);
void dk_buf_free(struct dk_buf *b);
void dk_buf_clear(struct dk_buf *b);
/* Returns 0, -ENOBUFS when it does not fit under max (nothing added), -ENOMEM. */
int dk_buf_add(struct dk_buf *b, const void *d, size_t n);
int dk_buf_addc(struct dk_buf *b, char c, size_t count);
int dk_buf_printf(struct dk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int dk_buf_vprintf(struct dk_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Removes the first n bytes (a partially written reply). */
void dk_buf_consume(struct dk_buf *b, size_t n);

#endif
