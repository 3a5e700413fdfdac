/* virtual_server_group, virtual_server, real_server, local_address_group, checkers. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_confutil.h"
#include "dk_kw.h"

#define VSS struct dk_conf_vs
#define RS struct dk_conf_rs
#define CK struct dk_conf_checker

bool
dk_conf_parse_port(const char *s, uint16_t *port)
{
	unsigned long v;

	if (dk_conf_parse_ulong(s, &v) < 0 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

void
dk_conf_port_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	uint16_t *p = (uint16_t *)((char *)obj + c->kw->off);

	if (!dk_conf_parse_port(n->args[0], p))
		dk_kw_error(c, n, "'%s' must be a port number, not '%s'", n->kw, n->args[0]);
}


static void
url_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	CK *k = obj;
	struct dk_conf_url *u;

	if (k->n_urls == DK_CONF_MAX_URLS) {
		dk_kw_error(c, n, "too many urls (at most %d)", DK_CONF_MAX_URLS);
		return;
	}
	u = &k->urls[k->n_urls++];
	memset(u, 0, sizeof(*u));
	for (const struct dk_cnode *e = n->child; e; e = e->next) {
		if (strcmp(e->kw, "path") == 0) {
			dk_kw_str(c, e, 0, u->path, sizeof(u->path));
		} else if (strcmp(e->kw, "digest") == 0) {
			if (!e->n_args || strlen(e->args[0]) != 32 ||
			    strspn(e->args[0], "0123456789abcdefABCDEF") != 32)
				dk_kw_error(c, e, "digest must be 32 hex digits");
			else
				strcpy(u->digest, e->args[0]);
		} else if (strcmp(e->kw, "status_code") == 0) {
			for (unsigned i = 0; i < e->n_args; i++) {
				unsigned lo, hi;
				char tail;
				int m = sscanf(e->args[i], "%u-%u%c", &lo, &hi, &tail);

				if (m == 1)
					hi = lo;
				if ((m != 1 && m != 2) || lo < 100 || hi > 599 || lo > hi ||
				    u->n_status == DK_CONF_MAX_STATUS) {
					dk_kw_error(c, e, "bad status_code '%s'", e->args[i]);
					break;
				}
				u->status_lo[u->n_status] = (uint16_t)lo;
				u->status_hi[u->n_status++] = (uint16_t)hi;
			}
		} else if (strcmp(e->kw, "virtualhost") == 0) {
			dk_kw_str(c, e, 0, u->virtualhost, sizeof(u->virtualhost));
		} else if (strcmp(e->kw, "regex") == 0 || strcmp(e->kw, "regex_no_match") == 0 ||
			   strcmp(e->kw, "regex_options") == 0) {
			dk_diag_warn(c->diag, e->file, e->line,
				     "'%s' is not supported by dpkeep, ignored", e->kw);
		} else {
			dk_kw_problem(c, e, "Unknown keyword '%s'", e->kw);
		}
	}
	if (!u->path[0])
		dk_kw_error(c, n, "url without path");
}

static void
nb_get_retry_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	unsigned long v;

	if (dk_kw_uint(c, n, 0, 0, 1000000, &v))
		((CK *)obj)->retry = (unsigned)v;
}

static void
misc_dyn_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	(void)c;
	(void)n;
	((CK *)obj)->misc_dynamic = true;
}

static void
file_weight_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	long v;

	if (dk_kw_int(c, n, 0, -254, 254, &v))
		((CK *)obj)->weight = (int)v;
}

static void
dns_type_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	static const char *const types[] = { "A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA" };

	for (unsigned i = 0; i < DK_ARRAY_SIZE(types); i++)
		if (strcmp(n->args[0], types[i]) == 0) {
			strcpy(((CK *)obj)->dns_type, types[i]);
			return;
		}
	dk_kw_error(c, n, "unknown DNS_CHECK type '%s'", n->args[0]);
}

/* A hex digit's value; 16 for X (any value), -1 for anything else. */
static int
nibble(char ch, bool wild)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
		return (ch | 0x20) - 'a' + 10;
	return wild && (ch | 0x20) == 'x' ? 16 : -1;
}

/*
 * keepalived's free-format HEX_STR over all arguments: each argument's digits in pairs,
 * an odd last digit a byte of its own ("Ab12f 3" is AB 12 0F 03). With wild, X stands for
 * a nibble whose value is not checked: its bits are clear in mask. Returns the length.
 */
static int
hex_str(struct dk_kwctx *c, const struct dk_cnode *n, bool wild, uint8_t *val, uint8_t *mask)
{
	unsigned len = 0;

	for (unsigned a = 0; a < n->n_args; a++) {
		const char *s = n->args[a];
		size_t m = strlen(s);

		for (size_t i = 0; i < m; i += 2) {
			int hi = i + 1 < m ? nibble(s[i], wild) : 0;
			int lo = nibble(s[i + 1 < m ? i + 1 : i], wild);

			if (hi < 0 || lo < 0) {
				dk_kw_error(c, n, "'%s': '%s' is not a hex string", n->kw, s);
				return -1;
			}
			if (len == DK_CONF_UDP_DATA_MAX) {
				dk_kw_error(c, n, "'%s' longer than %d bytes", n->kw,
					    DK_CONF_UDP_DATA_MAX);
				return -1;
			}
			val[len] = (uint8_t)((hi & 0xf) << 4 | (lo & 0xf));
			if (mask)
				mask[len] = (uint8_t)((hi == 16 ? 0 : 0xf0) | (lo == 16 ? 0 : 0x0f));
			len++;
		}
	}
	return (int)len;
}

static void
payload_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	CK *k = obj;
	int len = hex_str(c, n, false, k->udp_payload, NULL);

	if (len >= 0)
		k->udp_payload_len = (unsigned)len;
}

/* require_reply [HEX_STR]: a reply must come; with the string, its start must match. */
static void
require_reply_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	CK *k = obj;
	int len = hex_str(c, n, true, k->udp_reply, k->udp_reply_mask);

	k->require_reply = true;
	if (len >= 0)
		k->udp_reply_len = (unsigned)len;
}

static void
host_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	if (((CK *)obj)->kind != DK_CONF_CHECK_SMTP)
		dk_kw_problem(c, n, "Unknown keyword '%s'", n->kw);
}

static const struct dk_kw check_common_kws[] = {
	KW_ADDR("connect_ip", CK, connect_ip),
	KW_PORT("connect_port", CK, connect_port),
	KW_ADDR("bindto", CK, bindto),
	KW_PORT("bind_port", CK, bind_port),
	KW_TIME("connect_timeout", CK, connect_timeout_us, 1000, DK_SEC(3600)),
	KW_UINT("retry", CK, retry, 0, 1000000),
	KW_FN("nb_get_retry", nb_get_retry_kw, 1),
	KW_TIME("delay_before_retry", CK, delay_before_retry_us, 0, DK_SEC(86400)),
	KW_TIME("delay_loop", CK, delay_loop_us, 1000, DK_SEC(86400)),
	KW_TIME("warmup", CK, warmup_us, 0, DK_SEC(86400)),
	KW_BLOCK("url", url_kw, 0),
	KW_STR("virtualhost", CK, virtualhost),
	KW_FLAG("enable_sni", CK, enable_sni),
	KW_STR("helo_name", CK, helo_name),
	KW_FN("type", dns_type_kw, 1),
	KW_STR("name", CK, dns_name),
	KW_FN("require_reply", require_reply_kw, 0),
	KW_FN("payload", payload_kw, 1),
	KW_UINT("min_reply_length", CK, min_reply_len, 0, 65507),
	KW_UINT("max_reply_length", CK, max_reply_len, 0, 65507),
	KW_SCRIPT("misc_path", CK, misc_path),
	KW_TIME("misc_timeout", CK, misc_timeout_us, 1000, DK_SEC(86400)),
	KW_FN("misc_dynamic", misc_dyn_kw, 0),
	KW_STR("track_file", CK, track_file),
	KW_FN("weight", file_weight_kw, 1),
	KW_IGNORED("fwmark"),
	KW_IGNORED("log_all_failures"),
	KW_IGNORED("user"),
	KW_IGNORED("http_protocol"),
	KW_IGNORED("alpha"),
	{ "host", host_kw, 0, DK_KW_BLOCK, 0, 0, 0, 0 },
	KW_END,
};

void
dk_conf_checker_defaults(CK *k, enum dk_conf_check_kind kind, const VSS *vs)
{
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->connect_timeout_us = vs ? vs->connect_timeout_us : DK_SEC(5);
	k->retry = kind == DK_CONF_CHECK_MISC ? 0 : 1;
	if (vs && vs->retry)
		k->retry = vs->retry;
	k->delay_before_retry_us = vs && vs->delay_before_retry_us ? vs->delay_before_retry_us :
				   DK_SEC(1);
	k->delay_loop_us = vs ? vs->delay_loop_us : DK_SEC(60);
	if (kind == DK_CONF_CHECK_UDP)
		k->max_reply_len = 255;
	if (kind == DK_CONF_CHECK_DNS) {
		strcpy(k->dns_type, "SOA");
		strcpy(k->dns_name, ".");
	}
}

static void
checker_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	RS *rs = obj;
	enum dk_conf_check_kind kind = DK_CONF_CHECK_TCP;
	unsigned idx;
	CK *k;

	for (int i = 0; i < DK_CONF_CHECK_MAX; i++)
		if (strcmp(n->kw, dk_conf_checker_name((enum dk_conf_check_kind)i)) == 0)
			kind = (enum dk_conf_check_kind)i;
	k = dk_kw_push(c, &rs->checkers, &rs->n_checkers, sizeof(*k));
	if (!k)
		return;
	/* The parent virtual server is the one being parsed: the last one. */
	dk_conf_checker_defaults(k, kind, &c->conf->vs[c->conf->n_vs - 1]);
	k->line = n->line;
	idx = rs->n_checkers - 1;
	dk_kw_dispatch(c, check_common_kws, n->child, k);
	/* SMTP_CHECK's legacy "host { }" blocks: one more checker per host. */
	for (const struct dk_cnode *h = n->child; h && !c->oom; h = h->next) {
		CK *hk;

		if (strcmp(h->kw, "host") != 0 || kind != DK_CONF_CHECK_SMTP)
			continue;
		hk = dk_kw_push(c, &rs->checkers, &rs->n_checkers, sizeof(*hk));
		if (!hk)
			return;
		*hk = rs->checkers[idx];
		hk->line = h->line;
		dk_kw_dispatch(c, check_common_kws, h->child, hk);
	}
	k = &rs->checkers[idx];
	if (kind == DK_CONF_CHECK_MISC && !k->misc_path[0])
		dk_kw_error(c, n, "MISC_CHECK without misc_path");
	if (kind == DK_CONF_CHECK_FILE && !k->track_file[0])
		dk_kw_error(c, n, "FILE_CHECK without track_file");
	if (k->min_reply_len > k->max_reply_len)
		dk_kw_error(c, n, "min_reply_length %u above max_reply_length %u",
			    k->min_reply_len, k->max_reply_len);
	if ((kind == DK_CONF_CHECK_HTTP || kind == DK_CONF_CHECK_SSL) && !k->n_urls)
		dk_kw_error(c, n, "%s without url", n->kw);
}

const struct dk_kw dk_conf_checker_kws[] = {
	KW_BLOCK("TCP_CHECK", checker_kw, 0),
	KW_BLOCK("HTTP_GET", checker_kw, 0),
	KW_BLOCK("SSL_GET", checker_kw, 0),
	KW_BLOCK("UDP_CHECK", checker_kw, 0),
	KW_BLOCK("PING_CHECK", checker_kw, 0),
	KW_BLOCK("DNS_CHECK", checker_kw, 0),
	KW_BLOCK("SMTP_CHECK", checker_kw, 0),
	KW_BLOCK("MISC_CHECK", checker_kw, 0),
	KW_BLOCK("FILE_CHECK", checker_kw, 0),
	KW_END,
};
