/* SMTP_CHECK: wait for the 220 banner, say HELO, expect 250, say QUIT. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_hc_probes.h"
#include "hc_ops.h"

#define SMTP_LINE_MAX 1024
#define SMTP_REPLY_MAX 8192 /* a multi-line reply longer than this is hostile */

enum smtp_step {
	SMTP_BANNER,
	SMTP_HELO,
	SMTP_DONE,
};

struct hc_smtp {
	char *helo;
	enum smtp_step step;
	char line[SMTP_LINE_MAX];
	size_t line_len;
	size_t reply_bytes;
	enum dk_hc_result verdict;
};

static int
smtp_create(const void *conf_v, void **priv)
{
	const struct dk_hc_smtp_conf *conf = conf_v;
	const char *name = conf && conf->helo_name ? conf->helo_name : "localhost";
	struct hc_smtp *s;

	if (strpbrk(name, "\r\n") || strlen(name) > 255)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->helo = strdup(name);
	if (!s->helo) {
		free(s);
		return -ENOMEM;
	}
	*priv = s;
	return 0;
}

static void
smtp_destroy(void *priv)
{
	struct hc_smtp *s = priv;

	if (!s)
		return;
	free(s->helo);
	free(s);
}

static enum dk_hc_result
smtp_start(void *priv, struct dk_hc_buf *out)
{
	struct hc_smtp *s = priv;

	(void)out;
	s->step = SMTP_BANNER;
	s->line_len = 0;
	s->reply_bytes = 0;
	s->verdict = DK_HC_PENDING;
	return DK_HC_PENDING;
}

static enum dk_hc_result
send_text(struct dk_hc_buf *out, const char *a, const char *b)
{
	if (dk_hc_buf_append(out, a, strlen(a)) < 0 || dk_hc_buf_append(out, b, strlen(b)) < 0 ||
	    dk_hc_buf_append(out, "\r\n", 2) < 0)
		return DK_HC_NO_RESOURCES;
	return DK_HC_PENDING;
}

/* One reply line "NNN-text" (more follow) or "NNN text" (last). */
static enum dk_hc_result
on_line(struct hc_smtp *s, const char *l, size_t len, struct dk_hc_buf *out)
{
	unsigned code, want = s->step == SMTP_BANNER ? 220 : 250;

	if (len < 3 || l[0] < '0' || l[0] > '9' || l[1] < '0' || l[1] > '9' || l[2] < '0' ||
	    l[2] > '9' || (len > 3 && l[3] != ' ' && l[3] != '-'))
		return DK_HC_BAD_REPLY;
	code = (unsigned)(l[0] - '0') * 100 + (unsigned)(l[1] - '0') * 10 + (unsigned)(l[2] - '0');
	if (code != want)
		return DK_HC_BAD_STATUS;
	if (len > 3 && l[3] == '-')
		return DK_HC_PENDING;
	s->reply_bytes = 0;
	if (s->step == SMTP_BANNER) {
		s->step = SMTP_HELO;
		return send_text(out, "HELO ", s->helo);
	}
	s->step = SMTP_DONE;
	if (send_text(out, "QUIT", "") != DK_HC_PENDING)
		return DK_HC_NO_RESOURCES;
	return DK_HC_OK;
}

static enum dk_hc_result
smtp_input(void *priv, const uint8_t *data, size_t len, struct dk_hc_buf *out)
{
	struct hc_smtp *s = priv;
	enum dk_hc_result res = DK_HC_PENDING;

	if (s->verdict != DK_HC_PENDING)
		return s->verdict;
	for (size_t i = 0; i < len && res == DK_HC_PENDING; i++) {
		if (++s->reply_bytes > SMTP_REPLY_MAX) {
			res = DK_HC_REPLY_TOO_LONG;
			break;
		}
		if (data[i] != '\n') {
			if (s->line_len >= SMTP_LINE_MAX) {
				res = DK_HC_REPLY_TOO_LONG;
				break;
			}
			s->line[s->line_len++] = (char)data[i];
			continue;
		}
		if (s->line_len && s->line[s->line_len - 1] == '\r')
			s->line_len--;
		res = on_line(s, s->line, s->line_len, out);
		s->line_len = 0;
	}
	s->verdict = res;
	return res;
}

static enum dk_hc_result
smtp_eof(void *priv)
{
	struct hc_smtp *s = priv;

	return s->verdict != DK_HC_PENDING ? s->verdict : DK_HC_CLOSED_EARLY;
}

const struct dk_hc_probe_ops dk_hc_smtp_ops = {
	.kind = DK_HC_KIND_SMTP,
	.transport = DK_HC_TRANSPORT_STREAM,
	.create = smtp_create,
	.destroy = smtp_destroy,
	.start = smtp_start,
	.input = smtp_input,
	.eof = smtp_eof,
};
