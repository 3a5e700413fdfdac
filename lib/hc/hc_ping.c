/* PING_CHECK: an ICMP echo whose reply must carry our identifier and sequence. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_hc_probes.h"
#include "hc_ops.h"

#define PING_MAX_PAYLOAD 1400

struct hc_ping {
	uint16_t id;
	uint16_t seq;
	uint16_t payload_len;
};

static int
ping_create(const void *conf_v, void **priv)
{
	const struct dk_hc_ping_conf *conf = conf_v;
	struct hc_ping *p;

	if (!conf || conf->payload_len > PING_MAX_PAYLOAD)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->id = conf->id;
	p->payload_len = conf->payload_len ? conf->payload_len : 56;
	*priv = p;
	return 0;
}

static void
ping_destroy(void *priv)
{
	free(priv);
}

static uint8_t
pattern(const struct hc_ping *p, size_t i)
{
	return (uint8_t)(i + p->seq);
}

static enum dk_hc_result
ping_start(void *priv, struct dk_hc_buf *out)
{
	struct hc_ping *p = priv;
	uint8_t body[4 + PING_MAX_PAYLOAD];

	p->seq++;
	body[0] = (uint8_t)(p->id >> 8);
	body[1] = (uint8_t)p->id;
	body[2] = (uint8_t)(p->seq >> 8);
	body[3] = (uint8_t)p->seq;
	for (size_t i = 0; i < p->payload_len; i++)
		body[4 + i] = pattern(p, i);
	if (dk_hc_buf_append(out, body, 4u + p->payload_len) < 0)
		return DK_HC_NO_RESOURCES;
	return DK_HC_PENDING;
}

static enum dk_hc_result
ping_input(void *priv, const uint8_t *d, size_t len, struct dk_hc_buf *out)
{
	struct hc_ping *p = priv;

	(void)out;
	if (len < 4)
		return DK_HC_PENDING;
	if ((uint16_t)(d[0] << 8 | d[1]) != p->id || (uint16_t)(d[2] << 8 | d[3]) != p->seq)
		return DK_HC_PENDING; /* another probe's echo, or a late one */
	if (len - 4 < p->payload_len)
		return DK_HC_REPLY_TOO_SHORT;
	for (size_t i = 0; i < p->payload_len; i++)
		if (d[4 + i] != pattern(p, i))
			return DK_HC_BAD_REPLY;
	return DK_HC_OK;
}

static enum dk_hc_result
ping_timeout(void *priv)
{
	(void)priv;
	return DK_HC_NO_REPLY;
}

const struct dk_hc_probe_ops dk_hc_ping_ops = {
	.kind = DK_HC_KIND_PING,
	.transport = DK_HC_TRANSPORT_ICMP,
	.create = ping_create,
	.destroy = ping_destroy,
	.start = ping_start,
	.input = ping_input,
	.eof = ping_timeout,
};
