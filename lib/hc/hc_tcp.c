/* TCP_CHECK: the completed handshake is the whole check. */
#include <errno.h>

#include "hc_ops.h"

static int
tcp_create(const void *conf, void **priv)
{
	(void)conf;
	*priv = NULL;
	return 0;
}

static void
tcp_destroy(void *priv)
{
	(void)priv;
}

static enum dk_hc_result
tcp_start(void *priv, struct dk_hc_buf *out)
{
	(void)priv;
	(void)out;
	return DK_HC_OK;
}

const struct dk_hc_probe_ops dk_hc_tcp_ops = {
	.kind = DK_HC_KIND_TCP,
	.transport = DK_HC_TRANSPORT_STREAM,
	.create = tcp_create,
	.destroy = tcp_destroy,
	.start = tcp_start,
};
