/* MISC_CHECK: the script's exit status is the verdict. */
#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "dk_hc_probes.h"
#include "hc_ops.h"

struct hc_misc {
	bool dynamic;
	int weight;
};

enum dk_hc_result
dk_hc_misc_map(int wait_status, bool dynamic, int *weight)
{
	int code;

	*weight = -1;
	if (!WIFEXITED(wait_status))
		return DK_HC_SCRIPT_FAILED;
	code = WEXITSTATUS(wait_status);
	if (code == 0)
		return DK_HC_OK;
	if (code >= 2 && dynamic) {
		*weight = code - 2;
		return DK_HC_OK;
	}
	return DK_HC_SCRIPT_FAILED;
}

static int
misc_create(const void *conf_v, void **priv)
{
	const struct dk_hc_misc_conf *conf = conf_v;
	struct hc_misc *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->dynamic = conf && conf->dynamic;
	m->weight = -1;
	*priv = m;
	return 0;
}

static void
misc_destroy(void *priv)
{
	free(priv);
}

static enum dk_hc_result
misc_start(void *priv, struct dk_hc_buf *out)
{
	struct hc_misc *m = priv;

	(void)out;
	m->weight = -1;
	return DK_HC_PENDING;
}

static enum dk_hc_result
misc_timeout(void *priv)
{
	(void)priv;
	return DK_HC_SCRIPT_TIMEOUT;
}

static enum dk_hc_result
misc_exited(void *priv, int wait_status)
{
	struct hc_misc *m = priv;

	return dk_hc_misc_map(wait_status, m->dynamic, &m->weight);
}

static int
misc_weight(const void *priv)
{
	const struct hc_misc *m = priv;

	return m->weight;
}

const struct dk_hc_probe_ops dk_hc_misc_ops = {
	.kind = DK_HC_KIND_MISC,
	.transport = DK_HC_TRANSPORT_PROCESS,
	.create = misc_create,
	.destroy = misc_destroy,
	.start = misc_start,
	.eof = misc_timeout,
	.exited = misc_exited,
	.weight = misc_weight,
};
