/* DNS_CHECK: one query; the reply must be ours, succeed, and carry an answer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dk_hash.h"
#include "dk_hc_probes.h"
#include "hc_ops.h"

#define DNS_HDR_LEN 12
#define DNS_NAME_MAX 255
#define DNS_QR 0x80
#define DNS_RD 0x01
#define DNS_CLASS_IN 1

static const struct {
	const char *name;
	uint16_t type;
} dns_types[] = {
	{ "A", 1 }, { "NS", 2 }, { "CNAME", 5 }, { "SOA", 6 }, { "PTR", 12 },
	{ "MX", 15 }, { "TXT", 16 }, { "AAAA", 28 }, { "SRV", 33 },
};

struct hc_dns {
	uint16_t type;
	uint8_t qname[DNS_NAME_MAX];
	int qname_len;
	uint64_t seed;
	uint32_t attempt;
	uint16_t id;
};

int
dk_hc_dns_type_from_name(const char *name)
{
	for (size_t i = 0; i < DK_ARRAY_SIZE(dns_types); i++)
		if (strcasecmp(name, dns_types[i].name) == 0)
			return dns_types[i].type;
	return -1;
}

int
dk_hc_dns_encode_name(const char *name, uint8_t *out, size_t cap)
{
	size_t o = 0;
	const char *p = name;

	if (!strcmp(name, ".") || !name[0])
		goto root;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63 || o + 1 + l + 1 > cap || o + 1 + l + 1 > DNS_NAME_MAX)
			return -EINVAL;
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
root:
	if (o + 1 > cap)
		return -EINVAL;
	out[o++] = 0;
	return (int)o;
}

static int
dns_create(const void *conf_v, void **priv)
{
	const struct dk_hc_dns_conf *conf = conf_v;
	struct hc_dns *d;

	if (!conf)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->type = conf->type ? conf->type : 6;
	d->seed = conf->seed;
	d->qname_len = dk_hc_dns_encode_name(conf->name ? conf->name : ".", d->qname,
					     sizeof(d->qname));
	if (d->qname_len < 0) {
		free(d);
		return -EINVAL;
	}
	*priv = d;
	return 0;
}

static void
dns_destroy(void *priv)
{
	free(priv);
}

static enum dk_hc_result
dns_start(void *priv, struct dk_hc_buf *out)
{
	struct hc_dns *d = priv;
	uint8_t q[DNS_HDR_LEN + DNS_NAME_MAX + 4] = { 0 };
	size_t n = DNS_HDR_LEN;

	/* a fresh id per attempt so a late reply to the last one does not count */
	d->id = (uint16_t)dk_hash_mix64(d->seed + ++d->attempt);
	q[0] = (uint8_t)(d->id >> 8);
	q[1] = (uint8_t)d->id;
	q[2] = DNS_RD;
	q[5] = 1; /* QDCOUNT */
	memcpy(q + n, d->qname, (size_t)d->qname_len);
	n += (size_t)d->qname_len;
	q[n++] = (uint8_t)(d->type >> 8);
	q[n++] = (uint8_t)d->type;
	q[n++] = 0;
	q[n++] = DNS_CLASS_IN;
	if (dk_hc_buf_append(out, q, n) < 0)
		return DK_HC_NO_RESOURCES;
	return DK_HC_PENDING;
}

static bool
same_question(const struct hc_dns *d, const uint8_t *p, size_t len)
{
	size_t ql = (size_t)d->qname_len;

	if (len < DNS_HDR_LEN + ql + 4)
		return false;
	p += DNS_HDR_LEN;
	/* names compare case-insensitively; label length bytes (< 64) never differ by 0x20 */
	for (size_t i = 0; i < ql; i++)
		if ((p[i] | 0x20) != (d->qname[i] | 0x20))
			return false;
	p += ql;
	return p[0] == (uint8_t)(d->type >> 8) && p[1] == (uint8_t)d->type && p[2] == 0 &&
	       p[3] == DNS_CLASS_IN;
}

static enum dk_hc_result
dns_input(void *priv, const uint8_t *p, size_t len, struct dk_hc_buf *out)
{
	struct hc_dns *d = priv;
	uint16_t id, qd, an;

	(void)out;
	if (len < DNS_HDR_LEN)
		return DK_HC_REPLY_TOO_SHORT;
	id = (uint16_t)(p[0] << 8 | p[1]);
	if (id != d->id)
		return DK_HC_PENDING; /* not ours: keep waiting */
	if (!(p[2] & DNS_QR))
		return DK_HC_BAD_REPLY;
	if (p[3] & 0x0f)
		return DK_HC_DNS_RCODE;
	qd = (uint16_t)(p[4] << 8 | p[5]);
	an = (uint16_t)(p[6] << 8 | p[7]);
	if (qd != 1 || !same_question(d, p, len))
		return DK_HC_BAD_REPLY;
	if (!an)
		return DK_HC_DNS_NO_ANSWER;
	return DK_HC_OK;
}

static enum dk_hc_result
dns_timeout(void *priv)
{
	(void)priv;
	return DK_HC_NO_REPLY;
}

const struct dk_hc_probe_ops dk_hc_dns_ops = {
	.kind = DK_HC_KIND_DNS,
	.transport = DK_HC_TRANSPORT_DGRAM,
	.create = dns_create,
	.destroy = dns_destroy,
	.start = dns_start,
	.input = dns_input,
	.eof = dns_timeout,
};
