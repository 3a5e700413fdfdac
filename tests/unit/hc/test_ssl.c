/*
 * SSL_GET against an in-process OpenSSL server: both ends on memory BIOs, with a
 * throwaway self-signed certificate made by the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "dk_hc_http.h"

#define MD5_ABC "900150983cd24fb0d6963f7d28e17f72"
#define NAME "hc.test"

static EVP_PKEY *key;
static X509 *cert;
static char ca_path[] = "/tmp/dk_hc_ssl_XXXXXX";

static int
setup(void **state)
{
	X509_NAME *n;
	FILE *f;
	int fd;

	(void)state;
	key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	cert = X509_new();
	if (!key || !cert)
		return -1;
	X509_set_version(cert, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
	X509_gmtime_adj(X509_getm_notBefore(cert), -60);
	X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
	X509_set_pubkey(cert, key);
	n = X509_get_subject_name(cert);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)NAME, -1, -1, 0);
	X509_set_issuer_name(cert, n);
	if (!X509_sign(cert, key, EVP_sha256()))
		return -1;
	fd = mkstemp(ca_path);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f || !PEM_write_X509(f, cert))
		return -1;
	fclose(f);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(ca_path);
	X509_free(cert);
	EVP_PKEY_free(key);
	return 0;
}

struct server {
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *in, *out;
	char req[4096];
	size_t req_len;
	const char *reply;
	bool replied;
	bool garbage; /* not TLS at all */
};

static void
server_init(struct server *s, const char *reply)
{
	memset(s, 0, sizeof(*s));
	s->reply = reply;
	s->ctx = SSL_CTX_new(TLS_server_method());
	assert_non_null(s->ctx);
	assert_int_equal(SSL_CTX_use_certificate(s->ctx, cert), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(s->ctx, key), 1);
	s->ssl = SSL_new(s->ctx);
	s->in = BIO_new(BIO_s_mem());
	s->out = BIO_new(BIO_s_mem());
	SSL_set_bio(s->ssl, s->in, s->out);
	SSL_set_accept_state(s->ssl);
}

static void
server_free(struct server *s)
{
	SSL_free(s->ssl);
	SSL_CTX_free(s->ctx);
}

/* Takes client bytes, returns server bytes in *out. */
static void
server_step(struct server *s, const uint8_t *data, size_t len, struct dk_hc_buf *out)
{
	uint8_t buf[4096];
	int n;

	if (s->garbage) {
		assert_int_equal(dk_hc_buf_append(out, "HTTP/1.0 400 Bad\r\n\r\n", 20), 0);
		return;
	}
	if (len)
		BIO_write(s->in, data, (int)len);
	while ((n = SSL_read(s->ssl, buf, sizeof(buf))) > 0) {
		memcpy(s->req + s->req_len, buf, (size_t)n);
		s->req_len += (size_t)n;
	}
	if (!s->replied && s->req_len >= 4 && !memcmp(s->req + s->req_len - 4, "\r\n\r\n", 4)) {
		SSL_write(s->ssl, s->reply, (int)strlen(s->reply));
		SSL_shutdown(s->ssl);
		s->replied = true;
	}
	while ((n = BIO_read(s->out, buf, sizeof(buf))) > 0)
		assert_int_equal(dk_hc_buf_append(out, buf, (size_t)n), 0);
}

static enum dk_hc_result
exchange(const struct dk_hc_http_conf *conf, struct server *srv)
{
	struct dk_hc_probe *p;
	struct dk_hc_buf to_srv = { 0 }, to_cli = { 0 };
	enum dk_hc_result res;
	int rounds = 0;

	assert_int_equal(dk_hc_probe_create(DK_HC_KIND_SSL, conf, &p), 0);
	res = dk_hc_probe_start(p, &to_srv);
	while (res == DK_HC_PENDING && rounds++ < 20) {
		server_step(srv, to_srv.data, to_srv.len, &to_cli);
		dk_hc_buf_reset(&to_srv);
		if (!to_cli.len) {
			res = dk_hc_probe_eof(p);
			break;
		}
		res = dk_hc_probe_input(p, to_cli.data, to_cli.len, &to_srv);
		dk_hc_buf_reset(&to_cli);
	}
	dk_hc_probe_free(p);
	dk_hc_buf_free(&to_srv);
	dk_hc_buf_free(&to_cli);
	return res;
}

static void
get_with_digest_and_sni(void **state)
{
	struct dk_hc_http_conf c = { .path = "/x", .host = NAME ":443", .digest = MD5_ABC };
	struct server s;

	(void)state;
	server_init(&s, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
	assert_int_equal(exchange(&c, &s), DK_HC_OK);
	assert_string_equal(SSL_get_servername(s.ssl, TLSEXT_NAMETYPE_host_name), NAME);
	assert_non_null(memmem(s.req, s.req_len, "GET /x HTTP/1.0\r\n", 17));
	assert_non_null(memmem(s.req, s.req_len, "Host: " NAME ":443\r\n", 19));
	server_free(&s);

	server_init(&s, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabd");
	assert_int_equal(exchange(&c, &s), DK_HC_BAD_DIGEST);
	server_free(&s);

	server_init(&s, "HTTP/1.1 503 Busy\r\n\r\n");
	assert_int_equal(exchange(&c, &s), DK_HC_BAD_STATUS);
	server_free(&s);
}

static void
verification(void **state)
{
	struct dk_hc_http_conf c = { .host = NAME, .verify = true, .ca_file = ca_path };
	struct server s;

	(void)state;
	server_init(&s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(exchange(&c, &s), DK_HC_OK);
	server_free(&s);
	/* a name the certificate does not carry */
	c.sni = "other.test";
	server_init(&s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(exchange(&c, &s), DK_HC_TLS_VERIFY);
	server_free(&s);
	/* an untrusted certificate (the system store does not know it) */
	c.sni = NULL;
	c.ca_file = NULL;
	server_init(&s, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	assert_int_equal(exchange(&c, &s), DK_HC_TLS_VERIFY);
	server_free(&s);
}

static void
not_tls(void **state)
{
	struct dk_hc_http_conf c = { .host = "10.0.0.1" };
	struct server s;

	(void)state;
	server_init(&s, "");
	s.garbage = true;
	assert_int_equal(exchange(&c, &s), DK_HC_TLS_HANDSHAKE);
	server_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(get_with_digest_and_sni),
		cmocka_unit_test(verification),
		cmocka_unit_test(not_tls),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
