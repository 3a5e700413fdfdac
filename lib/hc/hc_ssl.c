/*
 * SSL_GET: the HTTP exchange inside TLS. OpenSSL works on a pair of memory BIOs, so
 * the TLS records go through the same TCP client as plain HTTP: what arrives is
 * written to the read BIO, what OpenSSL wants to send is drained into out.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "hc_http_priv.h"
#include "hc_ops.h"

struct hc_ssl {
	struct hc_http http;
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *net_in;  /* records from the server */
	BIO *net_out; /* records for the server */
	struct dk_hc_buf req;
	bool handshake_done;
	bool request_sent;
};

static bool
is_ip_literal(const char *s)
{
	unsigned char b[16];

	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* SNI name: explicit sni, else the Host value without a port, if it is a name. */
static const char *
sni_name(const struct hc_http *h, char *buf, size_t cap)
{
	const char *src = h->conf.sni ? h->conf.sni : h->conf.host;
	const char *colon;
	size_t n;

	if (!src || !src[0] || src[0] == '[')
		return NULL;
	colon = strchr(src, ':');
	n = colon && !strchr(colon + 1, ':') ? (size_t)(colon - src) : strlen(src);
	if (n >= cap)
		return NULL;
	memcpy(buf, src, n);
	buf[n] = '\0';
	return is_ip_literal(buf) ? NULL : buf;
}

static void
ssl_destroy(void *priv)
{
	struct hc_ssl *s = priv;

	if (!s)
		return;
	SSL_free(s->ssl); /* frees both BIOs */
	SSL_CTX_free(s->ctx);
	dk_hc_buf_free(&s->req);
	hc_http_fini(&s->http);
	free(s);
}

static int
ssl_create(const void *conf_v, void **priv)
{
	const struct dk_hc_http_conf *conf = conf_v;
	struct hc_ssl *s;
	int rc;

	if (!conf)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	rc = hc_http_init(&s->http, conf);
	if (rc < 0)
		goto fail_http;
	rc = -ENOMEM;
	s->ctx = SSL_CTX_new(TLS_client_method());
	if (!s->ctx)
		goto fail_ctx;
	if (conf->verify) {
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_PEER, NULL);
		rc = -ENOENT;
		if (conf->ca_file ? SSL_CTX_load_verify_locations(s->ctx, conf->ca_file, NULL) != 1
				  : SSL_CTX_set_default_verify_paths(s->ctx) != 1)
			goto fail_ctx;
	} else {
		SSL_CTX_set_verify(s->ctx, SSL_VERIFY_NONE, NULL);
	}
	*priv = s;
	return 0;
fail_ctx:
	ERR_clear_error();
	ssl_destroy(s);
	return rc;
fail_http:
	free(s);
	return rc;
}

static int
drain(struct hc_ssl *s, struct dk_hc_buf *out)
{
	uint8_t buf[4096];
	int n;

	while ((n = BIO_read(s->net_out, buf, sizeof(buf))) > 0)
		if (dk_hc_buf_append(out, buf, (size_t)n) < 0)
			return -ENOBUFS;
	return 0;
}

static enum dk_hc_result
handshake_failure(struct hc_ssl *s)
{
	long v = SSL_get_verify_result(s->ssl);

	ERR_clear_error();
	return v != X509_V_OK ? DK_HC_TLS_VERIFY : DK_HC_TLS_HANDSHAKE;
}

/* Moves the TLS session as far as the bytes at hand allow. */
static enum dk_hc_result
step(struct hc_ssl *s, struct dk_hc_buf *out)
{
	enum dk_hc_result res = DK_HC_PENDING;
	uint8_t buf[4096];
	int n;

	if (!s->handshake_done) {
		n = SSL_do_handshake(s->ssl);
		if (n != 1) {
			int err = SSL_get_error(s->ssl, n);

			if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
				res = handshake_failure(s);
			goto out;
		}
		s->handshake_done = true;
	}
	if (!s->request_sent) {
		if (s->req.len > INT_MAX || SSL_write(s->ssl, s->req.data, (int)s->req.len) <= 0) {
			res = DK_HC_TLS_ERROR;
			goto out;
		}
		s->request_sent = true;
	}
	while (res == DK_HC_PENDING) {
		n = SSL_read(s->ssl, buf, sizeof(buf));
		if (n > 0) {
			res = hc_http_feed(&s->http, buf, (size_t)n);
			continue;
		}
		switch (SSL_get_error(s->ssl, n)) {
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
			goto out;
		case SSL_ERROR_ZERO_RETURN:
			res = hc_http_eof(&s->http);
			break;
		default:
			res = DK_HC_TLS_ERROR;
			break;
		}
	}
out:
	ERR_clear_error();
	if (drain(s, out) < 0 && res == DK_HC_PENDING)
		res = DK_HC_NO_RESOURCES;
	return res;
}

static enum dk_hc_result
ssl_start(void *priv, struct dk_hc_buf *out)
{
	struct hc_ssl *s = priv;
	char name[256];
	const char *sni;

	SSL_free(s->ssl);
	s->ssl = NULL;
	s->handshake_done = false;
	s->request_sent = false;
	dk_hc_buf_reset(&s->req);
	if (hc_http_begin(&s->http, &s->req) < 0)
		return DK_HC_NO_RESOURCES;
	s->ssl = SSL_new(s->ctx);
	if (!s->ssl)
		goto fail;
	s->net_in = BIO_new(BIO_s_mem());
	s->net_out = BIO_new(BIO_s_mem());
	if (!s->net_in || !s->net_out) {
		BIO_free(s->net_in);
		BIO_free(s->net_out);
		goto fail;
	}
	SSL_set_bio(s->ssl, s->net_in, s->net_out);
	SSL_set_connect_state(s->ssl);
	sni = sni_name(&s->http, name, sizeof(name));
	if (sni && SSL_set_tlsext_host_name(s->ssl, sni) != 1)
		goto fail;
	if (sni && s->http.conf.verify && SSL_set1_host(s->ssl, sni) != 1)
		goto fail;
	return step(s, out);
fail:
	ERR_clear_error();
	return DK_HC_NO_RESOURCES;
}

static enum dk_hc_result
ssl_input(void *priv, const uint8_t *data, size_t len, struct dk_hc_buf *out)
{
	struct hc_ssl *s = priv;

	if (!s->ssl)
		return DK_HC_TLS_ERROR;
	while (len) {
		int chunk = (int)DK_MIN(len, (size_t)65536);
		int n = BIO_write(s->net_in, data, chunk);

		if (n <= 0)
			return DK_HC_NO_RESOURCES;
		data += n;
		len -= (size_t)n;
	}
	return step(s, out);
}

static enum dk_hc_result
ssl_eof(void *priv)
{
	struct hc_ssl *s = priv;

	if (!s->handshake_done)
		return DK_HC_TLS_HANDSHAKE;
	/* many servers close without close_notify; the HTTP framing decides */
	return hc_http_eof(&s->http);
}

const struct dk_hc_probe_ops dk_hc_ssl_ops = {
	.kind = DK_HC_KIND_SSL,
	.transport = DK_HC_TRANSPORT_STREAM,
	.create = ssl_create,
	.destroy = ssl_destroy,
	.start = ssl_start,
	.input = ssl_input,
	.eof = ssl_eof,
};
