/* virtual_server, real_server, virtual_server_group and local_address_group (dpkeep). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_confutil.h"
#include "dk_kw.h"

#define VSS struct dk_conf_vs
#define RS struct dk_conf_rs

static const char *const schedulers[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh",
};

static void
rs_weight(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	long v;

	if (dk_kw_int(c, n, 0, 0, 65535, &v))
		((RS *)obj)->weight = (int)v;
}

static void
rs_checker(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	const struct dk_kw *k = dk_kw_lookup(dk_conf_checker_kws, n->kw);

	dk_kw_run(c, k, n, obj);
}

static const struct dk_kw rs_kws[] = {
	{ "weight", rs_weight, 1, 0, 0, 0, 0, 0 },
	KW_FLAG("inhibit_on_failure", RS, inhibit_on_failure),
	KW_SCRIPT("notify_up", RS, notify_up),
	KW_SCRIPT("notify_down", RS, notify_down),
	KW_UINT("uthreshold", RS, uthreshold, 0, 1000000000),
	KW_UINT("lthreshold", RS, lthreshold, 0, 1000000000),
	KW_FN("TCP_CHECK", rs_checker, 0), KW_FN("HTTP_GET", rs_checker, 0),
	KW_FN("SSL_GET", rs_checker, 0), KW_FN("UDP_CHECK", rs_checker, 0),
	KW_FN("PING_CHECK", rs_checker, 0), KW_FN("DNS_CHECK", rs_checker, 0),
	KW_FN("SMTP_CHECK", rs_checker, 0), KW_FN("MISC_CHECK", rs_checker, 0),
	KW_FN("FILE_CHECK", rs_checker, 0),
	KW_IGNORED("smtp_alert"),
	KW_IGNORED("virtualhost"),
	KW_IGNORED("delay_loop"),
	KW_END,
};

static void
real_server(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VSS *vs = obj;
	RS *rs = dk_kw_push(c, &vs->rs, &vs->n_rs, sizeof(*rs));

	if (!rs)
		return;
	rs->line = n->line;
	rs->weight = 1;
	rs->inhibit_on_failure = vs->inhibit_on_failure;
	rs->port = vs->port;
	if (!dk_kw_addr(c, n, 0, &rs->ip) ||
	    (n->n_args > 1 && !dk_conf_parse_port(n->args[1], &rs->port))) {
		if (n->n_args > 1)
			dk_kw_error(c, n, "bad real_server port '%s'", n->args[1]);
		vs->n_rs--;
		return;
	}
	dk_kw_dispatch(c, rs_kws, n->child, rs);
	for (unsigned i = 0; i + 1 < vs->n_rs; i++)
		if (dk_addr_eq(&vs->rs[i].ip, &rs->ip) && vs->rs[i].port == rs->port) {
			dk_kw_problem(c, n, "real server %s port %u is defined twice - ignoring",
				      n->args[0], rs->port);
			free(rs->checkers);
			vs->n_rs--;
			return;
		}
}

static void
lb_algo(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	for (unsigned i = 0; i < DK_ARRAY_SIZE(schedulers); i++)
		if (strcmp(n->args[0], schedulers[i]) == 0) {
			strcpy(((VSS *)obj)->lb_algo, schedulers[i]);
			return;
		}
	dk_kw_error(c, n, "unknown scheduler '%s'", n->args[0]);
}

static void
lb_kind(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VSS *vs = obj;

	if (strcmp(n->args[0], "NAT") == 0)
		vs->lb_kind = DK_CONF_LB_NAT;
	else if (strcmp(n->args[0], "DR") == 0)
		vs->lb_kind = DK_CONF_LB_DR;
	else if (strcmp(n->args[0], "TUN") == 0)
		vs->lb_kind = DK_CONF_LB_TUN;
	else if (strcmp(n->args[0], "FNAT") == 0)
		vs->lb_kind = DK_CONF_LB_FNAT;
	else
		dk_kw_error(c, n, "lb_kind must be NAT, DR, TUN or FNAT, not '%s'", n->args[0]);
}

static void
protocol(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VSS *vs = obj;

	if (vs->key == DK_CONF_VS_FWMARK)
		dk_kw_problem(c, n, "Virtual server FWM %u: protocol specified for fwmark - "
			      "protocol will be ignored", vs->fwmark);
	if (strcmp(n->args[0], "TCP") == 0)
		vs->proto = DK_CONF_PROTO_TCP;
	else if (strcmp(n->args[0], "UDP") == 0)
		vs->proto = DK_CONF_PROTO_UDP;
	else if (strcmp(n->args[0], "SCTP") == 0)
		vs->proto = DK_CONF_PROTO_SCTP;
	else
		dk_kw_error(c, n, "protocol must be TCP, UDP or SCTP, not '%s'", n->args[0]);
}

static void
persistence(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VSS *vs = obj;

	if (n->n_args == 0)
		vs->persistence_timeout_us = DK_SEC(360);
	else
		dk_kw_time(c, n, 0, DK_SEC(1), DK_SEC(2678400), &vs->persistence_timeout_us);
}

static void
granularity(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VSS *vs = obj;
	struct dk_addr m;
	unsigned long len;

	if (dk_conf_parse_ulong(n->args[0], &len) == 0 && len <= 128) {
		vs->persistence_granularity.len = (uint8_t)len;
		return;
	}
	if (dk_addr_parse(n->args[0], &m) == 0 && m.af == AF_INET) {
		uint32_t v = ntohl(m.v4);
		unsigned l = (unsigned)__builtin_popcount(v);

		if (v == 0 || (v << l) == 0) {
			vs->persistence_granularity.len = (uint8_t)l;
			return;
		}
	}
	dk_kw_error(c, n, "bad persistence_granularity '%s'", n->args[0]);
}

static void
sorry(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VSS *vs = obj;

	if (dk_kw_addr(c, n, 0, &vs->sorry_server) && n->n_args > 1 &&
	    !dk_conf_parse_port(n->args[1], &vs->sorry_server_port))
		dk_kw_error(c, n, "bad sorry_server port '%s'", n->args[1]);
}

/* dpkeep: what a new flow gets when its worker's connection table is full. */
static void
conn_full(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VSS *vs = obj;

	if (strcmp(n->args[0], "stateless") == 0)
		vs->conn_full_stateless = true;
	else if (strcmp(n->args[0], "drop") == 0)
		vs->conn_full_stateless = false;
	else
		dk_kw_error(c, n, "conn_full_policy is stateless or drop, not '%s'", n->args[0]);
}

static const struct dk_kw vs_kws[] = {
	KW_FN("lb_algo", lb_algo, 1),
	KW_FN("lvs_sched", lb_algo, 1),
	KW_FN("lb_kind", lb_kind, 1),
	KW_FN("lvs_method", lb_kind, 1),
	KW_STR("laddr_group", VSS, laddr_group),
	KW_FN("conn_full_policy", conn_full, 1),
	KW_FLAG("lb_expire_nodest_conn", VSS, expire_nodest_conn),
	KW_FN("protocol", protocol, 1),
	KW_FN("persistence_timeout", persistence, 0),
	KW_FN("persistence_granularity", granularity, 1),
	KW_UINT("quorum", VSS, quorum, 1, 1000000),
	KW_UINT("hysteresis", VSS, hysteresis, 0, 1000000),
	KW_SCRIPT("quorum_up", VSS, quorum_up),
	KW_SCRIPT("quorum_down", VSS, quorum_down),
	KW_FN("sorry_server", sorry, 1),
	KW_FLAG("sorry_server_inhibit", VSS, sorry_server_inhibit),
	KW_TIME("delay_loop", VSS, delay_loop_us, 1000, DK_SEC(86400)),
	KW_FLAG("ha_suspend", VSS, ha_suspend),
	KW_FLAG("inhibit_on_failure", VSS, inhibit_on_failure),
	KW_FLAG("alpha", VSS, alpha),
	KW_FLAG("omega", VSS, omega),
	KW_STR("virtualhost", VSS, virtualhost),
	KW_TIME("connect_timeout", VSS, connect_timeout_us, 1000, DK_SEC(3600)),
	KW_UINT("retry", VSS, retry, 1, 1000000),
	KW_TIME("delay_before_retry", VSS, delay_before_retry_us, 0, DK_SEC(86400)),
	KW_BLOCK("real_server", real_server, 1),
	KW_IGNORED("ops"),
	KW_IGNORED("one_packet_scheduling"),
	KW_IGNORED("smtp_alert"),
	KW_IGNORED("lvs_flags"),
	KW_IGNORED("flag-1"), KW_IGNORED("flag-2"), KW_IGNORED("flag-3"),
	KW_END,
};

/* The inheritable defaults must be known before real servers copy them, wherever
 * they stand in the block. */
static void
vs_prepass(struct dk_kwctx *c, const struct dk_cnode *n, VSS *vs)
{
	static const char *const early[] = {
		"delay_loop", "inhibit_on_failure", "connect_timeout", "retry",
		"delay_before_retry",
	};
	unsigned save = c->diag->errors;
	int quiet = c->diag->quiet;

	c->diag->quiet = 1;
	for (const struct dk_cnode *k = n->child; k; k = k->next)
		for (unsigned i = 0; i < DK_ARRAY_SIZE(early); i++)
			if (strcmp(k->kw, early[i]) == 0)
				dk_kw_run(c, dk_kw_lookup(vs_kws, k->kw), k, vs);
	c->diag->quiet = quiet;
	c->diag->errors = save;
}

static void
virtual_server(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	struct dk_conf *conf = obj;
	VSS *vs = dk_kw_push(c, &conf->vs, &conf->n_vs, sizeof(*vs));
	unsigned long v;
	unsigned np = 1;

	if (!vs)
		return;
	vs->line = n->line;
	strcpy(vs->lb_algo, "wlc");
	vs->quorum = 1;
	vs->delay_loop_us = DK_SEC(60);
	vs->connect_timeout_us = DK_SEC(5);
	if (strcmp(n->args[0], "group") == 0 && n->n_args == 2) {
		vs->key = DK_CONF_VS_GROUP;
		np = 2;
		if (!dk_kw_str(c, n, 1, vs->group, sizeof(vs->group)))
			goto bad;
	} else if (strcmp(n->args[0], "fwmark") == 0 && n->n_args == 2) {
		vs->key = DK_CONF_VS_FWMARK;
		np = 2;
		if (!dk_kw_uint(c, n, 1, 1, 0xffffffffUL, &v))
			goto bad;
		vs->fwmark = (uint32_t)v;
	} else {
		vs->key = DK_CONF_VS_ADDR;
		if (!dk_kw_addr(c, n, 0, &vs->vip))
			goto bad;
		if (n->n_args > 1 && !dk_conf_parse_port(n->args[1], &vs->port)) {
			dk_kw_error(c, n, "bad virtual_server port '%s'", n->args[1]);
			goto bad;
		}
		np = n->n_args > 1 ? 2 : 1;
	}
	if (n->n_args > np) {
		dk_kw_error(c, n, "unexpected '%s' after virtual_server", n->args[np]);
		goto bad;
	}
	vs_prepass(c, n, vs);
	dk_kw_dispatch(c, vs_kws, n->child, vs);
	if (vs->lb_kind == DK_CONF_LB_FNAT && !vs->laddr_group[0])
		dk_kw_error(c, n, "lb_kind FNAT needs laddr_group");
	if (vs->laddr_group[0] && vs->lb_kind != DK_CONF_LB_FNAT)
		dk_kw_error(c, n, "laddr_group is only for lb_kind FNAT");
	/* NAT and FNAT replies need the entry to be translated back. */
	if (vs->conn_full_stateless && vs->lb_kind != DK_CONF_LB_DR &&
	    vs->lb_kind != DK_CONF_LB_TUN)
		dk_kw_error(c, n, "conn_full_policy stateless needs lb_kind DR or TUN");
	return;
bad:
	conf->n_vs--;
}

static bool
vsg_addr_range(const char *s, struct dk_conf_vsg_entry *e)
{
	char buf[DK_ADDRSTRLEN];
	const char *dash = strrchr(s, '-');
	size_t l = dash ? (size_t)(dash - s) : strlen(s);
	unsigned long hi;
	bool v6;

	if (l >= sizeof(buf))
		return false;
	memcpy(buf, s, l);
	buf[l] = '\0';
	if (dk_addr_parse(buf, &e->first) < 0)
		return false;
	e->last = e->first;
	if (!dash)
		return true;
	v6 = e->first.af == AF_INET6;
	if (!dash[1] || strspn(dash + 1, v6 ? "0123456789abcdefABCDEF" : "0123456789") !=
	    strlen(dash + 1))
		return false;
	hi = strtoul(dash + 1, NULL, v6 ? 16 : 10);
	if (v6) {
		if (hi > 0xffff || hi < (unsigned long)(e->first.b[14] << 8 | e->first.b[15]))
			return false;
		e->last.b[14] = (uint8_t)(hi >> 8);
		e->last.b[15] = (uint8_t)hi;
	} else {
		if (hi > 255 || hi < e->first.b[3])
			return false;
		e->last.b[3] = (uint8_t)hi;
	}
	return true;
}

static void
vsg(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	struct dk_conf *conf = obj;
	struct dk_conf_vsg *g = dk_kw_push(c, &conf->vsgs, &conf->n_vsgs, sizeof(*g));

	if (!g)
		return;
	g->line = n->line;
	if (!dk_kw_str(c, n, 0, g->name, sizeof(g->name))) {
		conf->n_vsgs--;
		return;
	}
	for (const struct dk_cnode *k = n->child; k && !c->oom; k = k->next) {
		struct dk_conf_vsg_entry e = { 0 }, *p;
		unsigned long v;

		if (strcmp(k->kw, "fwmark") == 0) {
			if (!dk_kw_uint(c, k, 0, 1, 0xffffffffUL, &v))
				continue;
			e.fwmark = (uint32_t)v;
		} else if (!vsg_addr_range(k->kw, &e) ||
			   (k->n_args && !dk_conf_parse_port(k->args[0], &e.port)) ||
			   k->n_args > 1) {
			dk_kw_error(c, k, "bad virtual_server_group entry '%s'", k->kw);
			continue;
		}
		p = dk_kw_push(c, &g->entries, &g->n_entries, sizeof(*p));
		if (p)
			*p = e;
	}
}

static void
laddr_group(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	struct dk_conf *conf = obj;
	struct dk_conf_laddr_group *g = dk_kw_push(c, &conf->laddr_groups, &conf->n_laddr_groups,
						   sizeof(*g));

	if (!g)
		return;
	g->line = n->line;
	if (!dk_kw_str(c, n, 0, g->name, sizeof(g->name))) {
		conf->n_laddr_groups--;
		return;
	}
	for (const struct dk_cnode *k = n->child; k && !c->oom; k = k->next) {
		struct dk_addr a, *p;

		if (dk_addr_parse(k->kw, &a) < 0 || k->n_args) {
			dk_kw_error(c, k, "bad local address '%s'", k->kw);
			continue;
		}
		p = dk_kw_push(c, &g->addrs, &g->n_addrs, sizeof(*p));
		if (p)
			*p = a;
	}
}

const struct dk_kw dk_conf_vs_root_kws[] = {
	KW_BLOCK("virtual_server", virtual_server, 1),
	KW_BLOCK("virtual_server_group", vsg, 1),
	KW_BLOCK("local_address_group", laddr_group, 1),
	KW_END,
};

void
dk_conf_vs_finish(struct dk_kwctx *c, const char *file)
{
	struct dk_conf *conf = c->conf;

	for (unsigned i = 0; i < conf->n_vs; i++) {
		const VSS *vs = &conf->vs[i];
		bool found = false;

		if (vs->key == DK_CONF_VS_GROUP) {
			for (unsigned j = 0; j < conf->n_vsgs; j++)
				found |= strcmp(conf->vsgs[j].name, vs->group) == 0;
			if (!found)
				dk_diag_error(c->diag, file, vs->line,
					      "virtual_server_group %s does not exist", vs->group);
		}
		if (vs->laddr_group[0]) {
			found = false;
			for (unsigned j = 0; j < conf->n_laddr_groups; j++)
				found |= strcmp(conf->laddr_groups[j].name, vs->laddr_group) == 0;
			if (!found)
				dk_diag_error(c->diag, file, vs->line,
					      "local_address_group %s does not exist",
					      vs->laddr_group);
		}
	}
}
