/* Result and kind names, the output buffer, and the probe-kind table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_hc.h"
#include "hc_ops.h"

static const char *const result_names[] = { DK_HC_RESULTS(DK_XSTR) };
static const char *const kind_names[] = { DK_HC_KINDS(DK_XSTR) };

static const struct dk_hc_probe_ops *const kind_ops[DK_HC_KIND_MAX] = {
	[DK_HC_KIND_TCP] = &dk_hc_tcp_ops,
	[DK_HC_KIND_HTTP] = &dk_hc_http_ops,
	[DK_HC_KIND_SSL] = &dk_hc_ssl_ops,
	[DK_HC_KIND_SMTP] = &dk_hc_smtp_ops,
	[DK_HC_KIND_DNS] = &dk_hc_dns_ops,
	[DK_HC_KIND_UDP] = &dk_hc_udp_ops,
	[DK_HC_KIND_PING] = &dk_hc_ping_ops,
	[DK_HC_KIND_MISC] = &dk_hc_misc_ops,
	[DK_HC_KIND_FILE] = &dk_hc_file_ops,
};

struct dk_hc_probe {
	const struct dk_hc_probe_ops *ops;
	void *priv;
};

const char *
dk_hc_result_str(enum dk_hc_result r)
{
	if ((unsigned)r >= DK_HC_RESULT_MAX)
		return "unknown";
	return result_names[r];
}

const char *
dk_hc_kind_str(enum dk_hc_kind k)
{
	if ((unsigned)k >= DK_HC_KIND_MAX)
		return "unknown";
	return kind_names[k];
}

int
dk_hc_kind_from_name(const char *name)
{
	for (unsigned i = 0; i < DK_HC_KIND_MAX; i++)
		if (strcmp(name, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

int
dk_hc_buf_append(struct dk_hc_buf *b, const void *p, size_t n)
{
	size_t max = b->max ? b->max : 65536;
	size_t cap;
	uint8_t *d;

	if (n > max || b->len > max - n)
		return -ENOBUFS;
	if (b->len + n <= b->cap)
		goto copy;
	cap = b->cap ? b->cap : 256;
	while (cap < b->len + n)
		cap *= 2;
	if (cap > max)
		cap = max;
	d = realloc(b->data, cap);
	if (!d)
		return -ENOMEM;
	b->data = d;
	b->cap = cap;
copy:
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

void
dk_hc_buf_consume(struct dk_hc_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

void
dk_hc_buf_reset(struct dk_hc_buf *b)
{
	b->len = 0;
}

void
dk_hc_buf_free(struct dk_hc_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

const struct dk_hc_probe_ops *
dk_hc_probe_ops_get(enum dk_hc_kind kind)
{
	if ((unsigned)kind >= DK_HC_KIND_MAX)
		return NULL;
	return kind_ops[kind];
}

int
dk_hc_probe_create(enum dk_hc_kind kind, const void *conf, struct dk_hc_probe **out)
{
	const struct dk_hc_probe_ops *ops = dk_hc_probe_ops_get(kind);
	struct dk_hc_probe *p;
	int rc;

	if (!ops || !out)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->ops = ops;
	rc = ops->create(conf, &p->priv);
	if (rc < 0)
		goto fail_priv;
	*out = p;
	return 0;
fail_priv:
	free(p);
	return rc;
}

void
dk_hc_probe_free(struct dk_hc_probe *p)
{
	if (!p)
		return;
	p->ops->destroy(p->priv);
	free(p);
}

enum dk_hc_result
dk_hc_probe_start(struct dk_hc_probe *p, struct dk_hc_buf *out)
{
	return p->ops->start(p->priv, out);
}

enum dk_hc_result
dk_hc_probe_input(struct dk_hc_probe *p, const uint8_t *data, size_t len,
		  struct dk_hc_buf *out)
{
	if (!p->ops->input)
		return DK_HC_BAD_REPLY;
	return p->ops->input(p->priv, data, len, out);
}

enum dk_hc_result
dk_hc_probe_eof(struct dk_hc_probe *p)
{
	if (!p->ops->eof)
		return DK_HC_CLOSED_EARLY;
	return p->ops->eof(p->priv);
}

enum dk_hc_result
dk_hc_probe_exited(struct dk_hc_probe *p, int wait_status)
{
	if (!p->ops->exited)
		return DK_HC_SCRIPT_FAILED;
	return p->ops->exited(p->priv, wait_status);
}

int
dk_hc_probe_weight(const struct dk_hc_probe *p)
{
	if (!p->ops->weight)
		return -1;
	return p->ops->weight(p->priv);
}

const struct dk_hc_probe_ops *
dk_hc_probe_ops(const struct dk_hc_probe *p)
{
	return p->ops;
}
