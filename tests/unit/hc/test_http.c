/* HTTP_GET: request, response parser (all framings, limits), status ranges, digest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "dk_hc_http.h"

#define MD5_ABC "900150983cd24fb0d6963f7d28e17f72"
#define MD5_EMPTY "d41d8cd98f00b204e9800998ecf8427e"

static struct dk_hc_http_resp *
mkresp(uint32_t max_hdr, uint64_t max_body)
{
	struct dk_hc_http_resp_params p = { .max_header_bytes = max_hdr,
					    .max_body_bytes = max_body };
	struct dk_hc_http_resp *r;

	assert_int_equal(dk_hc_http_resp_create(&p, &r), 0);
	return r;
}

static enum dk_hc_result
feed_str(struct dk_hc_http_resp *r, const char *s)
{
	return dk_hc_http_resp_feed(r, (const uint8_t *)s, strlen(s));
}

/* Feeds one byte at a time: the parser must not care how TCP cut the stream. */
static enum dk_hc_result
feed_bytewise(struct dk_hc_http_resp *r, const char *s)
{
	enum dk_hc_result res = DK_HC_PENDING;

	for (size_t i = 0; s[i]; i++) {
		res = dk_hc_http_resp_feed(r, (const uint8_t *)s + i, 1);
		if (res != DK_HC_PENDING)
			break;
	}
	return res;
}

static void
md5_is(struct dk_hc_http_resp *r, const char *hex)
{
	uint8_t md5[DK_HC_MD5_LEN];
	char got[DK_HC_MD5_HEX_LEN + 1];

	dk_hc_http_resp_md5(r, md5);
	dk_hc_md5_hex(md5, got);
	assert_string_equal(got, hex);
}

static void
request(void **state)
{
	struct dk_hc_http_conf c = { .path = "/health", .host = "www.example.com", .http11 = true };
	struct dk_hc_buf b = { 0 };

	(void)state;
	assert_int_equal(dk_hc_http_build_request(&c, &b), 0);
	assert_int_equal(dk_hc_buf_append(&b, "", 1), 0);
	assert_non_null(strstr((char *)b.data, "GET /health HTTP/1.1\r\n"));
	assert_non_null(strstr((char *)b.data, "\r\nHost: www.example.com\r\n"));
	assert_non_null(strstr((char *)b.data, "\r\nConnection: close\r\n\r\n"));
	dk_hc_buf_reset(&b);
	c.http11 = false;
	c.path = NULL;
	assert_int_equal(dk_hc_http_build_request(&c, &b), 0);
	assert_memory_equal(b.data, "GET / HTTP/1.0\r\n", 16);
	c.host = "evil\r\nX: y";
	assert_int_equal(dk_hc_http_build_request(&c, &b), -EINVAL);
	dk_hc_buf_free(&b);
}

static void
status_ranges(void **state)
{
	struct dk_hc_http_conf c = { 0 };
	int n;

	(void)state;
	assert_true(dk_hc_http_status_ok(&c, 200));
	assert_true(dk_hc_http_status_ok(&c, 299));
	assert_false(dk_hc_http_status_ok(&c, 301));
	n = dk_hc_http_parse_status("200, 301-302", c.status, DK_HC_HTTP_MAX_STATUS_RANGES);
	assert_int_equal(n, 2);
	c.n_status = (unsigned)n;
	assert_true(dk_hc_http_status_ok(&c, 302));
	assert_false(dk_hc_http_status_ok(&c, 201));
	assert_false(dk_hc_http_status_ok(&c, 303));
	assert_int_equal(dk_hc_http_parse_status("302-301", c.status, 8), -EINVAL);
	assert_int_equal(dk_hc_http_parse_status("20", c.status, 8), -EINVAL);
	assert_int_equal(dk_hc_http_parse_status("200x", c.status, 8), -EINVAL);
	assert_int_equal(dk_hc_http_parse_status("200,201", c.status, 1), -ENOSPC);
}

static void
content_length(void **state)
{
	struct dk_hc_http_resp *r = mkresp(0, 0);

	(void)state;
	assert_int_equal(feed_bytewise(r, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
					  "Server: x\r\n\r\nabcTRAILING"),
			 DK_HC_OK);
	assert_int_equal(dk_hc_http_resp_status(r), 200);
	assert_int_equal(dk_hc_http_resp_body_len(r), 3);
	md5_is(r, MD5_ABC);
	/* reusable after reset */
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, "HTTP/1.0 404 Not Found\ncontent-length:  0 \n\n"),
			 DK_HC_OK);
	assert_int_equal(dk_hc_http_resp_status(r), 404);
	md5_is(r, MD5_EMPTY);
	dk_hc_http_resp_free(r);
}

static void
chunked(void **state)
{
	struct dk_hc_http_resp *r = mkresp(0, 0);
	const char *resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n"
			   "1;ext=1\r\na\r\n2\r\nbc\r\n0\r\nX-Trailer: 1\r\n\r\n";

	(void)state;
	assert_int_equal(feed_bytewise(r, resp), DK_HC_OK);
	md5_is(r, MD5_ABC);
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, resp), DK_HC_OK);
	md5_is(r, MD5_ABC);
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				     "zz\r\n"),
			 DK_HC_BAD_REPLY);
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				     "3\r\nabcX\r\n"),
			 DK_HC_BAD_REPLY);
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				     "fffffffffffffffffff\r\n"),
			 DK_HC_BAD_REPLY);
	dk_hc_http_resp_reset(r);
	/* a connection closing inside the chunks is early */
	assert_int_equal(feed_str(r, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				     "3\r\nab"),
			 DK_HC_PENDING);
	assert_int_equal(dk_hc_http_resp_eof(r), DK_HC_CLOSED_EARLY);
	dk_hc_http_resp_free(r);
}

static void
close_delimited_and_interim(void **state)
{
	struct dk_hc_http_resp *r = mkresp(0, 0);

	(void)state;
	assert_int_equal(feed_str(r, "HTTP/1.1 100 Continue\r\n\r\n"
				     "HTTP/1.0 200 OK\r\nX: y\r\n\r\nab"),
			 DK_HC_PENDING);
	assert_true(dk_hc_http_resp_headers_done(r));
	assert_int_equal(feed_str(r, "c"), DK_HC_PENDING);
	assert_int_equal(dk_hc_http_resp_eof(r), DK_HC_OK);
	md5_is(r, MD5_ABC);
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, "HTTP/1.1 204 No Content\r\n\r\n"), DK_HC_OK);
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, "HTTP/1.1 200 OK\r\nX: y\r\n"), DK_HC_PENDING);
	assert_false(dk_hc_http_resp_headers_done(r));
	assert_int_equal(dk_hc_http_resp_eof(r), DK_HC_CLOSED_EARLY);
	dk_hc_http_resp_free(r);
}

static void
malformed(void **state)
{
	static const char *const bad[] = {
		"SSH-2.0-OpenSSH\r\n",
		"HTTP/1.1 20 OK\r\n",
		"HTTP/1.1 2000 OK\r\n",
		"HTTP/2 200\r\n",
		"HTTP/1.1 200 OK\r\nno colon here\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct dk_hc_http_resp *r = mkresp(0, 0);

		assert_int_equal(feed_str(r, bad[i]), DK_HC_BAD_REPLY);
		/* stays failed */
		assert_int_equal(feed_str(r, "\r\n\r\n"), DK_HC_BAD_REPLY);
		assert_int_equal(dk_hc_http_resp_eof(r), DK_HC_BAD_REPLY);
		dk_hc_http_resp_free(r);
	}
}

static void
oversized_headers(void **state)
{
	struct dk_hc_http_resp *r = mkresp(64, 0);
	char line[100];

	(void)state;
	assert_int_equal(feed_str(r, "HTTP/1.1 200 OK\r\n"), DK_HC_PENDING);
	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(feed_str(r, line), DK_HC_HEADERS_TOO_LONG);
	dk_hc_http_resp_reset(r);
	/* many small header lines add up too */
	assert_int_equal(feed_str(r, "HTTP/1.1 200 OK\r\n"), DK_HC_PENDING);
	enum dk_hc_result res = DK_HC_PENDING;

	for (int i = 0; i < 20 && res == DK_HC_PENDING; i++)
		res = feed_str(r, "A: b\r\n");
	assert_int_equal(res, DK_HC_HEADERS_TOO_LONG);
	dk_hc_http_resp_free(r);
}

static void
never_ending_body(void **state)
{
	struct dk_hc_http_resp *r = mkresp(0, 1000);
	char chunk[300];
	enum dk_hc_result res = DK_HC_PENDING;
	int rounds = 0;

	(void)state;
	memset(chunk, 'z', sizeof(chunk) - 1);
	chunk[sizeof(chunk) - 1] = '\0';
	assert_int_equal(feed_str(r, "HTTP/1.0 200 OK\r\n\r\n"), DK_HC_PENDING);
	while (res == DK_HC_PENDING && rounds++ < 100)
		res = feed_str(r, chunk);
	assert_int_equal(res, DK_HC_REPLY_TOO_LONG);
	assert_int_equal(rounds, 4);
	dk_hc_http_resp_reset(r);
	assert_int_equal(feed_str(r, "HTTP/1.0 200 OK\r\nContent-Length: 1001\r\n\r\n"),
			 DK_HC_REPLY_TOO_LONG);
	dk_hc_http_resp_free(r);
}

/* The HTTP_GET probe: request out, verdict in. */
static enum dk_hc_result
probe_run(const struct dk_hc_http_conf *conf, const char *reply, bool eof)
{
	struct dk_hc_probe *p;
	struct dk_hc_buf out = { 0 };
	enum dk_hc_result res;

	assert_int_equal(dk_hc_probe_create(DK_HC_KIND_HTTP, conf, &p), 0);
	assert_int_equal(dk_hc_probe_start(p, &out), DK_HC_PENDING);
	assert_true(out.len > 0);
	res = dk_hc_probe_input(p, (const uint8_t *)reply, strlen(reply), &out);
	if (res == DK_HC_PENDING && eof)
		res = dk_hc_probe_eof(p);
	dk_hc_probe_free(p);
	dk_hc_buf_free(&out);
	return res;
}

static void
probe_digest_and_status(void **state)
{
	struct dk_hc_http_conf c = { .host = "h", .digest = MD5_ABC };
	struct dk_hc_probe *p;

	(void)state;
	assert_int_equal(probe_run(&c, "HTTP/1.0 200 OK\r\n\r\nabc", true), DK_HC_OK);
	assert_int_equal(probe_run(&c, "HTTP/1.0 200 OK\r\n\r\nabd", true), DK_HC_BAD_DIGEST);
	assert_int_equal(probe_run(&c, "HTTP/1.0 200 OK\r\n\r\nab", false), DK_HC_PENDING);
	assert_int_equal(probe_run(&c, "HTTP/1.0 500 Oops\r\n\r\nabc", true), DK_HC_BAD_STATUS);
	assert_int_equal(probe_run(&c, "garbage\r\n", true), DK_HC_BAD_REPLY);
	assert_int_equal(probe_run(&c, "", true), DK_HC_CLOSED_EARLY);
	/* without a digest the status line and headers decide */
	c.digest = NULL;
	assert_int_equal(probe_run(&c, "HTTP/1.1 200 OK\r\n\r\n", false), DK_HC_OK);
	c.n_status = 1;
	c.status[0].lo = c.status[0].hi = 302;
	assert_int_equal(probe_run(&c, "HTTP/1.1 200 OK\r\n\r\n", false), DK_HC_BAD_STATUS);
	assert_int_equal(probe_run(&c, "HTTP/1.1 302 Found\r\n\r\n", false), DK_HC_OK);
	c.digest = "not-hex";
	assert_int_equal(dk_hc_probe_create(DK_HC_KIND_HTTP, &c, &p), -EINVAL);
}

static void
genhash(void **state)
{
	const char *resp = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
	char hex[DK_HC_MD5_HEX_LEN + 1];
	char line[64];

	(void)state;
	assert_int_equal(dk_hc_genhash((const uint8_t *)"abc", 3, hex), 0);
	assert_string_equal(hex, MD5_ABC);
	assert_int_equal(dk_hc_genhash((const uint8_t *)"", 0, hex), 0);
	assert_string_equal(hex, MD5_EMPTY);
	assert_int_equal(dk_hc_genhash_response((const uint8_t *)resp, strlen(resp), line,
						sizeof(line)),
			 (int)strlen("MD5SUM = " MD5_ABC "\n"));
	assert_string_equal(line, "MD5SUM = " MD5_ABC "\n");
	assert_int_equal(dk_hc_genhash_response((const uint8_t *)resp, 20, line, sizeof(line)),
			 -EBADMSG);
	assert_int_equal(dk_hc_genhash_response((const uint8_t *)resp, strlen(resp), line, 10),
			 -ENOSPC);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(request),
		cmocka_unit_test(status_ranges),
		cmocka_unit_test(content_length),
		cmocka_unit_test(chunked),
		cmocka_unit_test(close_delimited_and_interim),
		cmocka_unit_test(malformed),
		cmocka_unit_test(oversized_headers),
		cmocka_unit_test(never_ending_body),
		cmocka_unit_test(probe_digest_and_status),
		cmocka_unit_test(genhash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
