/* UDP_CHECK: send one datagram; judge the reply, or the silence. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_hc_probes.h"
#include "hc_ops.h"

#define UDP_MAX_PAYLOAD 65507

struct hc_udp {
	struct dk_hc_udp_conf conf;
	uint8_t *payload;
	uint8_t *reply; /* reply_len bytes of pattern, then reply_len bytes of mask */
};

static void
udp_destroy(void *priv)
{
	struct hc_udp *u = priv;

	if (!u)
		return;
	free(u->payload);
	free(u->reply);
	free(u);
}

static int
udp_create(const void *conf_v, void **priv)
{
	const struct dk_hc_udp_conf *conf = conf_v;
	struct hc_udp *u;

	if (!conf || (conf->payload_len && !conf->payload) || conf->payload_len > UDP_MAX_PAYLOAD ||
	    (conf->reply_len && !conf->reply) || conf->reply_len > UDP_MAX_PAYLOAD ||
	    (conf->max_reply_len && conf->max_reply_len < conf->min_reply_len))
		return -EINVAL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	u->conf = *conf;
	if (conf->payload_len) {
		u->payload = malloc(conf->payload_len);
		if (!u->payload)
			goto fail;
		memcpy(u->payload, conf->payload, conf->payload_len);
	}
	if (conf->reply_len) {
		u->reply = malloc(2 * conf->reply_len);
		if (!u->reply)
			goto fail;
		memcpy(u->reply, conf->reply, conf->reply_len);
		if (conf->reply_mask)
			memcpy(u->reply + conf->reply_len, conf->reply_mask, conf->reply_len);
		else
			memset(u->reply + conf->reply_len, 0xff, conf->reply_len);
	}
	u->conf.payload = u->payload;
	u->conf.reply = u->reply;
	u->conf.reply_mask = u->reply ? u->reply + conf->reply_len : NULL;
	*priv = u;
	return 0;
fail:
	udp_destroy(u);
	return -ENOMEM;
}

static enum dk_hc_result
udp_start(void *priv, struct dk_hc_buf *out)
{
	struct hc_udp *u = priv;

	if (dk_hc_buf_append(out, u->payload, u->conf.payload_len) < 0)
		return DK_HC_NO_RESOURCES;
	return DK_HC_PENDING;
}

static enum dk_hc_result
udp_input(void *priv, const uint8_t *data, size_t len, struct dk_hc_buf *out)
{
	const struct dk_hc_udp_conf *c = &((struct hc_udp *)priv)->conf;
	size_t n = len < c->reply_len ? len : c->reply_len;

	(void)out;
	if (!c->require_reply)
		return DK_HC_OK;
	if (len < c->min_reply_len)
		return DK_HC_REPLY_TOO_SHORT;
	if (c->max_reply_len && len > c->max_reply_len)
		return DK_HC_REPLY_TOO_LONG;
	for (size_t i = 0; i < n; i++)
		if ((data[i] ^ c->reply[i]) & c->reply_mask[i])
			return DK_HC_REPLY_MISMATCH;
	return DK_HC_OK;
}

/* Silence is fine unless a reply is required: an ICMP error is reported by the glue. */
static enum dk_hc_result
udp_timeout(void *priv)
{
	struct hc_udp *u = priv;

	return u->conf.require_reply ? DK_HC_NO_REPLY : DK_HC_OK;
}

const struct dk_hc_probe_ops dk_hc_udp_ops = {
	.kind = DK_HC_KIND_UDP,
	.transport = DK_HC_TRANSPORT_DGRAM,
	.create = udp_create,
	.destroy = udp_destroy,
	.start = udp_start,
	.input = udp_input,
	.eof = udp_timeout,
};
