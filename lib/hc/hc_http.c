/* HTTP_GET: request, status ranges, digest, and the probe built from them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hc_http_priv.h"
#include "hc_ops.h"

static bool
safe_text(const char *s)
{
	for (; *s; s++)
		if (*s == '\r' || *s == '\n' || (unsigned char)*s < 0x20)
			return false;
	return true;
}

int
dk_hc_http_build_request(const struct dk_hc_http_conf *conf, struct dk_hc_buf *out)
{
	const char *path = conf->path && conf->path[0] ? conf->path : "/";
	const char *host = conf->host ? conf->host : "";
	char *req = NULL;
	int n, rc;

	if (!safe_text(path) || !safe_text(host) || strchr(path, ' '))
		return -EINVAL;
	/* Connection: close even on 1.0: some servers default to keep-alive anyway */
	n = asprintf(&req,
		     "GET %s HTTP/1.%c\r\n"
		     "User-Agent: dpkeep-healthcheck\r\n"
		     "Host: %s\r\n"
		     "Accept: */*\r\n"
		     "Connection: close\r\n"
		     "\r\n",
		     path, conf->http11 ? '1' : '0', host);
	if (n < 0)
		return -ENOMEM;
	rc = dk_hc_buf_append(out, req, (size_t)n);
	free(req);
	return rc;
}

int
dk_hc_http_parse_status(const char *text, struct dk_hc_status_range *out, unsigned max)
{
	unsigned n = 0;
	const char *p = text;

	while (*p) {
		char *end;
		unsigned long lo, hi;

		while (*p == ' ' || *p == ',')
			p++;
		if (!*p)
			break;
		lo = strtoul(p, &end, 10);
		if (end == p || lo < 100 || lo > 999)
			return -EINVAL;
		hi = lo;
		p = end;
		if (*p == '-') {
			p++;
			hi = strtoul(p, &end, 10);
			if (end == p || hi < lo || hi > 999)
				return -EINVAL;
			p = end;
		}
		if (*p && *p != ',' && *p != ' ')
			return -EINVAL;
		if (n >= max)
			return -ENOSPC;
		out[n].lo = (uint16_t)lo;
		out[n].hi = (uint16_t)hi;
		n++;
	}
	return (int)n;
}

bool
dk_hc_http_status_ok(const struct dk_hc_http_conf *conf, unsigned status)
{
	if (!conf->n_status)
		return status >= 200 && status <= 299;
	for (unsigned i = 0; i < conf->n_status && i < DK_HC_HTTP_MAX_STATUS_RANGES; i++)
		if (status >= conf->status[i].lo && status <= conf->status[i].hi)
			return true;
	return false;
}

static int
hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
parse_digest(const char *hex, uint8_t out[DK_HC_MD5_LEN])
{
	if (strlen(hex) != DK_HC_MD5_HEX_LEN)
		return -EINVAL;
	for (int i = 0; i < DK_HC_MD5_LEN; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

char *
hc_strdup_opt(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void
free_conf_strings(struct dk_hc_http_conf *c)
{
	free((char *)c->path);
	free((char *)c->host);
	free((char *)c->digest);
	free((char *)c->sni);
	free((char *)c->ca_file);
}

int
hc_http_init(struct hc_http *h, const struct dk_hc_http_conf *conf)
{
	struct dk_hc_http_resp_params rp = {
		.max_header_bytes = conf->max_header_bytes,
		.max_body_bytes = conf->max_body_bytes,
	};
	int rc;

	memset(h, 0, sizeof(*h));
	h->conf = *conf;
	if (conf->n_status > DK_HC_HTTP_MAX_STATUS_RANGES)
		return -EINVAL;
	if (conf->digest) {
		rc = parse_digest(conf->digest, h->want_md5);
		if (rc < 0)
			return rc;
		h->has_digest = true;
	}
	h->conf.path = hc_strdup_opt(conf->path);
	h->conf.host = hc_strdup_opt(conf->host);
	h->conf.digest = hc_strdup_opt(conf->digest);
	h->conf.sni = hc_strdup_opt(conf->sni);
	h->conf.ca_file = hc_strdup_opt(conf->ca_file);
	rc = -ENOMEM;
	if ((conf->path && !h->conf.path) || (conf->host && !h->conf.host) ||
	    (conf->digest && !h->conf.digest) || (conf->sni && !h->conf.sni) ||
	    (conf->ca_file && !h->conf.ca_file))
		goto fail_strings;
	rc = dk_hc_http_resp_create(&rp, &h->resp);
	if (rc < 0)
		goto fail_strings;
	h->verdict = DK_HC_PENDING;
	return 0;
fail_strings:
	free_conf_strings(&h->conf);
	return rc;
}

void
hc_http_fini(struct hc_http *h)
{
	dk_hc_http_resp_free(h->resp);
	free_conf_strings(&h->conf);
	h->resp = NULL;
}

int
hc_http_begin(struct hc_http *h, struct dk_hc_buf *out)
{
	dk_hc_http_resp_reset(h->resp);
	h->verdict = DK_HC_PENDING;
	return dk_hc_http_build_request(&h->conf, out);
}

/* Decides once enough is known: the status alone without a digest, else the body. */
static enum dk_hc_result
decide(struct hc_http *h, enum dk_hc_result parsed)
{
	uint8_t md5[DK_HC_MD5_LEN];

	if (h->verdict != DK_HC_PENDING)
		return h->verdict;
	if (parsed != DK_HC_PENDING && parsed != DK_HC_OK) {
		h->verdict = parsed;
		return parsed;
	}
	if (!dk_hc_http_resp_headers_done(h->resp))
		return DK_HC_PENDING;
	if (!dk_hc_http_status_ok(&h->conf, dk_hc_http_resp_status(h->resp))) {
		h->verdict = DK_HC_BAD_STATUS;
		return h->verdict;
	}
	if (!h->has_digest) {
		h->verdict = DK_HC_OK;
		return h->verdict;
	}
	if (parsed != DK_HC_OK)
		return DK_HC_PENDING;
	dk_hc_http_resp_md5(h->resp, md5);
	h->verdict = memcmp(md5, h->want_md5, sizeof(md5)) == 0 ? DK_HC_OK : DK_HC_BAD_DIGEST;
	return h->verdict;
}

enum dk_hc_result
hc_http_feed(struct hc_http *h, const uint8_t *data, size_t len)
{
	if (h->verdict != DK_HC_PENDING)
		return h->verdict;
	return decide(h, dk_hc_http_resp_feed(h->resp, data, len));
}

enum dk_hc_result
hc_http_eof(struct hc_http *h)
{
	if (h->verdict != DK_HC_PENDING)
		return h->verdict;
	return decide(h, dk_hc_http_resp_eof(h->resp));
}

static int
http_create(const void *conf, void **priv)
{
	struct hc_http *h;
	int rc;

	if (!conf)
		return -EINVAL;
	h = malloc(sizeof(*h));
	if (!h)
		return -ENOMEM;
	rc = hc_http_init(h, conf);
	if (rc < 0) {
		free(h);
		return rc;
	}
	*priv = h;
	return 0;
}

static void
http_destroy(void *priv)
{
	if (!priv)
		return;
	hc_http_fini(priv);
	free(priv);
}

static enum dk_hc_result
http_start(void *priv, struct dk_hc_buf *out)
{
	return hc_http_begin(priv, out) < 0 ? DK_HC_NO_RESOURCES : DK_HC_PENDING;
}

static enum dk_hc_result
http_input(void *priv, const uint8_t *data, size_t len, struct dk_hc_buf *out)
{
	(void)out;
	return hc_http_feed(priv, data, len);
}

static enum dk_hc_result
http_eof(void *priv)
{
	return hc_http_eof(priv);
}

const struct dk_hc_probe_ops dk_hc_http_ops = {
	.kind = DK_HC_KIND_HTTP,
	.transport = DK_HC_TRANSPORT_STREAM,
	.create = http_create,
	.destroy = http_destroy,
	.start = http_start,
	.input = http_input,
	.eof = http_eof,
};
