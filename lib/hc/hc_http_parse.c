/* Incremental HTTP/1.x response parser with a streaming MD5 of the body. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "dk_hc_http.h"

#define CHUNK_LINE_MAX 256

enum pstate {
	P_STATUS,
	P_HEADERS,
	P_BODY_LEN,
	P_BODY_CLOSE,
	P_CHUNK_SIZE,
	P_CHUNK_DATA,
	P_CHUNK_CR,
	P_CHUNK_LF,
	P_TRAILER,
	P_DONE,
	P_FAILED,
};

struct dk_hc_http_resp {
	struct dk_hc_http_resp_params p;
	enum pstate st;
	enum dk_hc_result fail;
	char *line;
	uint32_t line_len;
	uint32_t line_cap;
	uint32_t header_bytes;
	unsigned status;
	bool hdr_done;
	bool chunked;
	bool have_len;
	uint64_t content_len;
	uint64_t remaining;
	uint64_t body_len;
	EVP_MD_CTX *md;
	uint8_t md5[DK_HC_MD5_LEN];
};

int
dk_hc_http_resp_create(const struct dk_hc_http_resp_params *p, struct dk_hc_http_resp **out)
{
	struct dk_hc_http_resp *r;

	if (!p || !out)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->p = *p;
	if (!r->p.max_header_bytes)
		r->p.max_header_bytes = 8192;
	if (!r->p.max_body_bytes)
		r->p.max_body_bytes = 1024 * 1024;
	r->line_cap = DK_MAX(r->p.max_header_bytes, (uint32_t)CHUNK_LINE_MAX);
	r->line = malloc(r->line_cap);
	if (!r->line)
		goto fail_line;
	r->md = EVP_MD_CTX_new();
	if (!r->md)
		goto fail_md;
	dk_hc_http_resp_reset(r);
	*out = r;
	return 0;
fail_md:
	free(r->line);
fail_line:
	free(r);
	return -ENOMEM;
}

void
dk_hc_http_resp_free(struct dk_hc_http_resp *r)
{
	if (!r)
		return;
	EVP_MD_CTX_free(r->md);
	free(r->line);
	free(r);
}

void
dk_hc_http_resp_reset(struct dk_hc_http_resp *r)
{
	r->st = P_STATUS;
	r->fail = DK_HC_OK;
	r->line_len = 0;
	r->header_bytes = 0;
	r->status = 0;
	r->hdr_done = false;
	r->chunked = false;
	r->have_len = false;
	r->content_len = 0;
	r->remaining = 0;
	r->body_len = 0;
	memset(r->md5, 0, sizeof(r->md5));
	if (EVP_DigestInit_ex(r->md, EVP_md5(), NULL) != 1) {
		r->st = P_FAILED;
		r->fail = DK_HC_NO_RESOURCES;
	}
}

static enum dk_hc_result
fail(struct dk_hc_http_resp *r, enum dk_hc_result why)
{
	r->st = P_FAILED;
	r->fail = why;
	return why;
}

static void
finish(struct dk_hc_http_resp *r)
{
	unsigned int n = 0;

	r->st = P_DONE;
	EVP_DigestFinal_ex(r->md, r->md5, &n);
}

static bool
parse_status_line(struct dk_hc_http_resp *r, const char *s, uint32_t len)
{
	if (len < 12 || memcmp(s, "HTTP/1.", 7) != 0 || s[7] < '0' || s[7] > '9' ||
	    s[8] != ' ')
		return false;
	for (int i = 9; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	if (len > 12 && s[12] != ' ')
		return false;
	r->status = (unsigned)(s[9] - '0') * 100 + (unsigned)(s[10] - '0') * 10 +
		    (unsigned)(s[11] - '0');
	return r->status >= 100;
}

static bool
is_ows(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Case-insensitive: does the comma list end in the token "chunked"? */
static bool
ends_with_chunked(const char *v, uint32_t len)
{
	while (len && is_ows(v[len - 1]))
		len--;
	if (len < 7 || strncasecmp(v + len - 7, "chunked", 7) != 0)
		return false;
	return len == 7 || v[len - 8] == ',' || is_ows(v[len - 8]);
}

static bool
parse_header(struct dk_hc_http_resp *r, const char *s, uint32_t len)
{
	const char *colon = memchr(s, ':', len);
	uint32_t nlen, vlen;
	const char *v;

	if (is_ows(s[0]))
		return true; /* obsolete line folding: nothing we need lives there */
	if (!colon || colon == s)
		return false;
	nlen = (uint32_t)(colon - s);
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen && is_ows(*v))
		v++, vlen--;
	while (vlen && is_ows(v[vlen - 1]))
		vlen--;
	if (nlen == 14 && strncasecmp(s, "Content-Length", 14) == 0) {
		uint64_t n = 0;

		if (!vlen)
			return false;
		for (uint32_t i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9' || n > (UINT64_MAX - 9) / 10)
				return false;
			n = n * 10 + (uint64_t)(v[i] - '0');
		}
		if (r->have_len && r->content_len != n)
			return false;
		r->have_len = true;
		r->content_len = n;
	} else if (nlen == 17 && strncasecmp(s, "Transfer-Encoding", 17) == 0) {
		r->chunked = ends_with_chunked(v, vlen);
	}
	return true;
}

static enum dk_hc_result
end_of_headers(struct dk_hc_http_resp *r)
{
	if (r->status < 200) {
		/* an interim 1xx answer: the real one follows */
		r->status = 0;
		r->have_len = false;
		r->chunked = false;
		r->content_len = 0;
		r->st = P_STATUS;
		return DK_HC_PENDING;
	}
	r->hdr_done = true;
	if (r->p.no_body || r->status == 204 || r->status == 304) {
		finish(r);
		return DK_HC_OK;
	}
	if (r->chunked) {
		r->st = P_CHUNK_SIZE;
	} else if (r->have_len) {
		if (r->content_len > r->p.max_body_bytes)
			return fail(r, DK_HC_REPLY_TOO_LONG);
		r->remaining = r->content_len;
		r->st = P_BODY_LEN;
		if (!r->remaining) {
			finish(r);
			return DK_HC_OK;
		}
	} else {
		r->st = P_BODY_CLOSE;
	}
	return DK_HC_PENDING;
}

static bool
parse_chunk_size(struct dk_hc_http_resp *r, const char *s, uint32_t len)
{
	uint64_t n = 0;
	uint32_t i = 0;

	while (i < len && is_ows(s[i]))
		i++;
	if (i == len)
		return false;
	for (; i < len; i++) {
		char ch = s[i];
		unsigned d;

		if (ch >= '0' && ch <= '9')
			d = (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (unsigned)(ch - 'A' + 10);
		else
			break;
		if (n >> 60)
			return false;
		n = n * 16 + d;
	}
	if (i < len && s[i] != ';' && !is_ows(s[i]))
		return false;
	r->remaining = n;
	return true;
}

/* A complete line (without CR LF) in the state that collects lines. */
static enum dk_hc_result
on_line(struct dk_hc_http_resp *r, const char *s, uint32_t len)
{
	switch (r->st) {
	case P_STATUS:
		if (!parse_status_line(r, s, len))
			return fail(r, DK_HC_BAD_REPLY);
		r->st = P_HEADERS;
		return DK_HC_PENDING;
	case P_HEADERS:
		if (!len)
			return end_of_headers(r);
		if (!parse_header(r, s, len))
			return fail(r, DK_HC_BAD_REPLY);
		return DK_HC_PENDING;
	case P_CHUNK_SIZE:
		if (!parse_chunk_size(r, s, len))
			return fail(r, DK_HC_BAD_REPLY);
		r->st = r->remaining ? P_CHUNK_DATA : P_TRAILER;
		return DK_HC_PENDING;
	case P_TRAILER:
		if (!len) {
			finish(r);
			return DK_HC_OK;
		}
		return DK_HC_PENDING;
	default:
		return fail(r, DK_HC_BAD_REPLY);
	}
}

static bool
counts_as_header(enum pstate st)
{
	return st == P_STATUS || st == P_HEADERS || st == P_TRAILER;
}

/* Collects one line; returns the bytes consumed and sets *done once LF is seen. */
static size_t
take_line(struct dk_hc_http_resp *r, const uint8_t *d, size_t len, bool *done,
	  enum dk_hc_result *res)
{
	uint32_t limit = counts_as_header(r->st) ? r->p.max_header_bytes : CHUNK_LINE_MAX;
	const uint8_t *lf = memchr(d, '\n', len);
	size_t n = lf ? (size_t)(lf - d) + 1 : len;

	*done = false;
	*res = DK_HC_PENDING;
	if (counts_as_header(r->st)) {
		if (n > r->p.max_header_bytes - r->header_bytes) {
			*res = fail(r, DK_HC_HEADERS_TOO_LONG);
			return len;
		}
		r->header_bytes += (uint32_t)n;
	}
	if (n > limit - r->line_len) {
		*res = fail(r, DK_HC_BAD_REPLY);
		return len;
	}
	memcpy(r->line + r->line_len, d, n);
	r->line_len += (uint32_t)n;
	if (lf) {
		uint32_t l = r->line_len - 1;

		if (l && r->line[l - 1] == '\r')
			l--;
		*done = true;
		r->line_len = 0;
		*res = on_line(r, r->line, l);
	}
	return n;
}

static enum dk_hc_result
body_bytes(struct dk_hc_http_resp *r, const uint8_t *d, size_t n)
{
	if (n > r->p.max_body_bytes - r->body_len)
		return fail(r, DK_HC_REPLY_TOO_LONG);
	r->body_len += n;
	if (EVP_DigestUpdate(r->md, d, n) != 1)
		return fail(r, DK_HC_NO_RESOURCES);
	return DK_HC_PENDING;
}

enum dk_hc_result
dk_hc_http_resp_feed(struct dk_hc_http_resp *r, const uint8_t *data, size_t len)
{
	enum dk_hc_result res = DK_HC_PENDING;
	size_t off = 0;

	while (off < len && res == DK_HC_PENDING) {
		const uint8_t *d = data + off;
		size_t left = len - off, n;
		bool line_done;

		switch (r->st) {
		case P_STATUS:
		case P_HEADERS:
		case P_CHUNK_SIZE:
		case P_TRAILER:
			off += take_line(r, d, left, &line_done, &res);
			break;
		case P_BODY_LEN:
		case P_CHUNK_DATA:
			n = (size_t)DK_MIN((uint64_t)left, r->remaining);
			res = body_bytes(r, d, n);
			off += n;
			r->remaining -= n;
			if (res == DK_HC_PENDING && !r->remaining) {
				if (r->st == P_CHUNK_DATA) {
					r->st = P_CHUNK_CR;
				} else {
					finish(r);
					res = DK_HC_OK;
				}
			}
			break;
		case P_BODY_CLOSE:
			res = body_bytes(r, d, left);
			off = len;
			break;
		case P_CHUNK_CR:
			if (*d == '\r') {
				r->st = P_CHUNK_LF;
				off++;
				break;
			}
			r->st = P_CHUNK_LF;
			/* a bare LF is tolerated */
			/* fall through */
		case P_CHUNK_LF:
			if (*d != '\n')
				return fail(r, DK_HC_BAD_REPLY);
			r->st = P_CHUNK_SIZE;
			off++;
			break;
		case P_DONE:
			return DK_HC_OK;
		case P_FAILED:
			return r->fail;
		}
	}
	if (r->st == P_DONE)
		return DK_HC_OK;
	if (r->st == P_FAILED)
		return r->fail;
	return res;
}

enum dk_hc_result
dk_hc_http_resp_eof(struct dk_hc_http_resp *r)
{
	switch (r->st) {
	case P_BODY_CLOSE:
		finish(r);
		return DK_HC_OK;
	case P_DONE:
		return DK_HC_OK;
	case P_FAILED:
		return r->fail;
	default:
		return fail(r, DK_HC_CLOSED_EARLY);
	}
}

bool
dk_hc_http_resp_headers_done(const struct dk_hc_http_resp *r)
{
	return r->hdr_done;
}

unsigned
dk_hc_http_resp_status(const struct dk_hc_http_resp *r)
{
	return r->status;
}

uint64_t
dk_hc_http_resp_body_len(const struct dk_hc_http_resp *r)
{
	return r->body_len;
}

void
dk_hc_http_resp_md5(const struct dk_hc_http_resp *r, uint8_t out[DK_HC_MD5_LEN])
{
	memcpy(out, r->md5, DK_HC_MD5_LEN);
}
