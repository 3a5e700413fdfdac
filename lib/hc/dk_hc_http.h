/*
 * HTTP_GET / SSL_GET: the request a probe sends and an incremental response parser.
 *
 * The parser takes the response in whatever pieces the TCP client delivers: status
 * line, headers (bounded), then a Content-Length, chunked or close-delimited body whose
 * MD5 is computed as it streams by. A body longer than the cap is a failure, so a
 * server that never stops sending cannot keep a probe busy.
 */
#ifndef DK_HC_HTTP_H
#define DK_HC_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_hc.h"

#define DK_HC_HTTP_MAX_STATUS_RANGES 8
#define DK_HC_MD5_LEN 16
#define DK_HC_MD5_HEX_LEN 32

struct dk_hc_status_range {
	uint16_t lo;
	uint16_t hi;
};

struct dk_hc_http_conf {
	const char *path;        /* NULL means "/" */
	const char *host;        /* Host header: virtualhost, else the server's address */
	bool http11;             /* http_protocol 1.1 (sends Connection: close) */
	const char *digest;      /* 32 hex digits of the body's MD5, or NULL */
	/* status_code ranges; none means any 2xx */
	struct dk_hc_status_range status[DK_HC_HTTP_MAX_STATUS_RANGES];
	unsigned n_status;
	uint32_t max_header_bytes; /* 0 means 8 KiB */
	uint64_t max_body_bytes;   /* 0 means 1 MiB */
	/* SSL_GET only */
	const char *sni;           /* NULL means host when it is a name */
	bool verify;               /* verify the server certificate (off, like keepalived) */
	const char *ca_file;       /* with verify; NULL means the system's store */
};

/* Writes the request into out. -EINVAL on a path/host with CR, LF or NUL. */
int dk_hc_http_build_request(const struct dk_hc_http_conf *conf, struct dk_hc_buf *out);

/* Parses "200", "200-299" or "200,301-302" style lists; returns the count or -EINVAL. */
int dk_hc_http_parse_status(const char *text, struct dk_hc_status_range *out, unsigned max);
bool dk_hc_http_status_ok(const struct dk_hc_http_conf *conf, unsigned status);

struct dk_hc_http_resp_params {
	uint32_t max_header_bytes; /* 0 means 8 KiB */
	uint64_t max_body_bytes;   /* 0 means 1 MiB */
	bool no_body;              /* the answer to HEAD */
};

struct dk_hc_http_resp;

int dk_hc_http_resp_create(const struct dk_hc_http_resp_params *p,
			   struct dk_hc_http_resp **out);
void dk_hc_http_resp_free(struct dk_hc_http_resp *r);
void dk_hc_http_resp_reset(struct dk_hc_http_resp *r);
/*
 * Feeds bytes. Returns DK_HC_PENDING for more, DK_HC_OK once the response is complete
 * (bytes after it are ignored), or DK_HC_BAD_REPLY, DK_HC_HEADERS_TOO_LONG,
 * DK_HC_REPLY_TOO_LONG. After a final result further input returns the same result.
 */
enum dk_hc_result dk_hc_http_resp_feed(struct dk_hc_http_resp *r, const uint8_t *data,
				       size_t len);
/* The connection closed: completes a close-delimited body, else DK_HC_CLOSED_EARLY. */
enum dk_hc_result dk_hc_http_resp_eof(struct dk_hc_http_resp *r);
bool dk_hc_http_resp_headers_done(const struct dk_hc_http_resp *r);
unsigned dk_hc_http_resp_status(const struct dk_hc_http_resp *r);
uint64_t dk_hc_http_resp_body_len(const struct dk_hc_http_resp *r);
/* The body's MD5; valid once the response is complete. */
void dk_hc_http_resp_md5(const struct dk_hc_http_resp *r, uint8_t out[DK_HC_MD5_LEN]);

/* Lowercase hex of a digest, NUL terminated (out has DK_HC_MD5_HEX_LEN + 1 bytes). */
void dk_hc_md5_hex(const uint8_t md5[DK_HC_MD5_LEN], char *out);
/* MD5 of a buffer, as hex: what `genhash` prints for a page body. */
int dk_hc_genhash(const uint8_t *body, size_t len, char *hex_out);
/*
 * The genhash line for a complete HTTP response (status, headers and body, as read
 * from the wire): "MD5SUM = <hex>\n". Returns the length written, or a negative
 * errno (-EBADMSG when the text is not a complete response, -ENOSPC).
 */
int dk_hc_genhash_response(const uint8_t *resp, size_t len, char *out, size_t cap);

#endif
