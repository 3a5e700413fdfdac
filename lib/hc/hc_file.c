/* FILE_CHECK: an agent writes a number to a file; 0 is healthy. */
#include <errno.h>
#include <stdlib.h>

#include "dk_hc_probes.h"
#include "hc_ops.h"

#define FILE_READ_MAX 127 /* like keepalived, only the start of the file matters */
#define WEIGHT_MAX 65535

struct hc_file {
	struct dk_hc_file_conf conf;
	int weight;
};

static int
file_create(const void *conf_v, void **priv)
{
	const struct dk_hc_file_conf *conf = conf_v;
	struct hc_file *f;

	if (!conf)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->conf = *conf;
	f->weight = -1;
	*priv = f;
	return 0;
}

static void
file_destroy(void *priv)
{
	free(priv);
}

static enum dk_hc_result
file_start(void *priv, struct dk_hc_buf *out)
{
	struct hc_file *f = priv;

	(void)out;
	f->weight = -1;
	return DK_HC_PENDING;
}

static bool
is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static enum dk_hc_result
file_input(void *priv, const uint8_t *data, size_t len, struct dk_hc_buf *out)
{
	struct hc_file *f = priv;
	size_t i = 0;
	bool neg = false;
	int64_t v = 0, w;

	(void)out;
	f->weight = -1;
	len = DK_MIN(len, (size_t)FILE_READ_MAX);
	while (i < len && is_space(data[i]))
		i++;
	if (i < len && (data[i] == '-' || data[i] == '+'))
		neg = data[i++] == '-';
	if (i == len || data[i] < '0' || data[i] > '9')
		return DK_HC_FILE_ERROR;
	for (; i < len && data[i] >= '0' && data[i] <= '9'; i++) {
		v = v * 10 + (data[i] - '0');
		if (v > INT32_MAX)
			return DK_HC_FILE_ERROR;
	}
	if (i < len && !is_space(data[i]))
		return DK_HC_FILE_ERROR;
	if (neg)
		v = -v;
	if (!f->conf.weight)
		return v == 0 ? DK_HC_OK : DK_HC_FILE_DOWN;
	w = (int64_t)f->conf.base_weight + v * f->conf.weight;
	if (w < 0)
		return DK_HC_FILE_DOWN;
	f->weight = (int)DK_MIN(w, (int64_t)WEIGHT_MAX);
	return DK_HC_OK;
}

static enum dk_hc_result
file_missing(void *priv)
{
	(void)priv;
	return DK_HC_FILE_ERROR;
}

static int
file_weight(const void *priv)
{
	const struct hc_file *f = priv;

	return f->weight;
}

const struct dk_hc_probe_ops dk_hc_file_ops = {
	.kind = DK_HC_KIND_FILE,
	.transport = DK_HC_TRANSPORT_FILE,
	.create = file_create,
	.destroy = file_destroy,
	.start = file_start,
	.input = file_input,
	.eof = file_missing,
	.weight = file_weight,
};
