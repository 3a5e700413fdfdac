#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_buf.h"

void
dk_buf_init(struct dk_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void
dk_buf_free(struct dk_buf *b)
{
	free(b->p);
	dk_buf_init(b, b->max);
}

void
dk_buf_clear(struct dk_buf *b)
{
	b->len = 0;
	b->trunc = false;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static int
reserve(struct dk_buf *b, size_t n)
{
	size_t cap;
	char *p;

	if (n > b->max || b->len + n > b->max) {
		b->trunc = true;
		return -ENOBUFS;
	}
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->trunc = true;
		return -ENOMEM;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

int
dk_buf_add(struct dk_buf *b, const void *d, size_t n)
{
	int rc = reserve(b, n);

	if (rc < 0)
		return rc;
	if (n > 0)
		memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

int
dk_buf_addc(struct dk_buf *b, char c, size_t count)
{
	int rc = reserve(b, count);

	if (rc < 0)
		return rc;
	memset(b->p + b->len, c, count);
	b->len += count;
	b->p[b->len] = '\0';
	return 0;
}

int
dk_buf_vprintf(struct dk_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return -EINVAL;
	rc = reserve(b, (size_t)n);
	if (rc < 0)
		return rc;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int
dk_buf_printf(struct dk_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = dk_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void
dk_buf_consume(struct dk_buf *b, size_t n)
{
	if (n >= b->len) {
		dk_buf_clear(b);
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	b->p[b->len] = '\0';
}
