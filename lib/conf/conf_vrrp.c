/* global_defs, vrrp_script, track_file, vrrp_sync_group and vrrp_instance. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_kw.h"

#define GL struct dk_conf_global
#define VI struct dk_conf_vrrp_instance
#define VS_ struct dk_conf_vrrp_script
#define TF struct dk_conf_track_file
#define SG struct dk_conf_sync_group

/* Keepalived keywords whose job the kernel or other daemons do; dpkeep accepts them. */
#define IGNORED_GLOBALS \
	KW_IGNORED("enable_snmp_vrrp"), KW_IGNORED("enable_snmp_checker"), \
	KW_IGNORED("enable_snmp_rfc"), KW_IGNORED("enable_snmp_rfcv2"), \
	KW_IGNORED("enable_snmp_rfcv3"), KW_IGNORED("enable_snmp_keepalived"), \
	KW_IGNORED("enable_traps"), KW_IGNORED("snmp_socket"), KW_IGNORED("net_namespace"), \
	KW_IGNORED("lvs_sync_daemon"), KW_IGNORED("vrrp_garp_interval"), \
	KW_IGNORED("vrrp_gna_interval"), KW_IGNORED("lvs_flush"), \
	KW_IGNORED("dynamic_interfaces"), KW_IGNORED("vrrp_iptables"), \
	KW_IGNORED("vrrp_ipsets"), KW_IGNORED("max_auto_priority"), \
	KW_IGNORED("vrrp_no_swap"), KW_IGNORED("checker_no_swap"), \
	KW_IGNORED("vrrp_priority"), KW_IGNORED("checker_priority"), \
	KW_IGNORED("checker_rt_priority"), \
	KW_IGNORED("process_names"), KW_IGNORED("linkbeat_use_polling"), \
	KW_IGNORED("vrrp_notify_fifo"), \
	KW_IGNORED("lvs_notify_fifo"), KW_IGNORED("smtp_helo_name"), \
	KW_IGNORED("default_interface"), KW_IGNORED("vrrp_check_unicast_src"), \
	KW_IGNORED("router_id_hostname"), KW_IGNORED("script_security")

static void
g_email(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	GL *g = obj;

	for (const struct dk_cnode *k = n->child; k; k = k->next) {
		char (*e)[256] = dk_kw_push(c, &g->notification_email, &g->n_notification_email,
					     sizeof(*e));

		if (!e)
			return;
		if (strlen(k->kw) >= sizeof(*e) || k->n_args) {
			dk_kw_error(c, k, "bad notification_email address '%s'", k->kw);
			g->n_notification_email--;
			continue;
		}
		strcpy(*e, k->kw);
	}
}

static void
g_user(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	GL *g = obj;

	if (dk_kw_str(c, n, 0, g->script_user, sizeof(g->script_user)))
		g->script_user_set = true;
}

/* keepalived's optional owner (user [group]) after the path is accepted: dpkeep creates
 * the FIFO as the user it runs as. */
static void
g_fifo(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	GL *g = obj;

	if (n->n_args > 3)
		dk_kw_error(c, n, "notify_fifo takes a path and at most a user and a group");
	else
		dk_kw_str(c, n, 0, g->notify_fifo, sizeof(g->notify_fifo));
}

/* lvs_timeouts [tcp N] [tcpfin N] [udp N]: as ipvsadm --set, in seconds. */
static void
g_lvs_timeouts(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	GL *g = obj;

	for (unsigned i = 0; i < n->n_args; i += 2) {
		const char *k = n->args[i];
		uint32_t *f = !strcmp(k, "tcp") ? &g->lvs_timeout_tcp_s :
			      !strcmp(k, "tcpfin") ? &g->lvs_timeout_tcpfin_s :
			      !strcmp(k, "udp") ? &g->lvs_timeout_udp_s : NULL;
		char *end;
		unsigned long v;

		if (f == NULL) {
			dk_kw_error(c, n, "lvs_timeouts: unknown timeout '%s' (tcp, tcpfin, udp)", k);
			return;
		}
		if (i + 1 >= n->n_args) {
			dk_kw_error(c, n, "lvs_timeouts: %s needs a number of seconds", k);
			return;
		}
		v = strtoul(n->args[i + 1], &end, 10);
		if (*end || end == n->args[i + 1] || v < 1 || v > DK_LVS_TIMEOUT_MAX_S) {
			dk_kw_error(c, n, "lvs_timeouts: %s '%s' is not 1..%u seconds", k,
				    n->args[i + 1], DK_LVS_TIMEOUT_MAX_S);
			return;
		}
		*f = (uint32_t)v;
	}
}

static void
g_smtp(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	GL *g = obj;
	struct dk_addr a;

	if (dk_addr_parse(n->args[0], &a) < 0 && strchr(n->args[0], '.') == NULL)
		dk_kw_problem(c, n, "smtp_server '%s' is neither an address nor a host name",
			      n->args[0]);
	dk_kw_script(c, n, g->smtp_server, sizeof(g->smtp_server));
}

static void
g_mcast(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	GL *g = obj;
	bool six = n->kw[16] == '6';
	struct dk_addr *a = six ? &g->vrrp_mcast_group6 : &g->vrrp_mcast_group4;

	if (!dk_kw_addr(c, n, 0, a))
		return;
	if (a->af != (six ? AF_INET6 : AF_INET))
		dk_kw_error(c, n, "%s must be an IPv%c address", n->kw, six ? '6' : '4');
}

static const struct dk_kw global_kws[] = {
	KW_STR("router_id", GL, router_id),
	KW_BLOCK("notification_email", g_email, 0),
	KW_STR("notification_email_from", GL, notification_email_from),
	KW_FN("smtp_server", g_smtp, 1),
	KW_TIME("smtp_connect_timeout", GL, smtp_connect_timeout_us, 1, DK_SEC(3600)),
	KW_UINT("vrrp_version", GL, vrrp_version, 2, 3),
	KW_FLAG("vrrp_strict", GL, vrrp_strict),
	KW_FLAG("vrrp_skip_check_adv_addr", GL, vrrp_skip_check_adv_addr),
	KW_TIME("vrrp_garp_master_delay", GL, vrrp_garp_master_delay_us, 0, DK_SEC(1000)),
	KW_UINT("vrrp_garp_master_repeat", GL, vrrp_garp_master_repeat, 1, 10000),
	KW_TIME("vrrp_garp_master_refresh", GL, vrrp_garp_master_refresh_us, 0, DK_SEC(86400)),
	KW_UINT("vrrp_garp_master_refresh_repeat", GL, vrrp_garp_master_refresh_repeat, 1,
		10000),
	KW_FN("vrrp_mcast_group4", g_mcast, 1),
	KW_FN("vrrp_mcast_group6", g_mcast, 1),
	KW_FN("script_user", g_user, 1),
	KW_FLAG("enable_script_security", GL, enable_script_security),
	KW_UINT("lb_conn_table_size", GL, lb_conn_table_size, 16, 1u << 26),
	KW_UINT("lb_slot_headroom", GL, lb_slot_headroom, 1, 1u << 20),
	KW_FN("lvs_timeouts", g_lvs_timeouts, 1),
	KW_FN("notify_fifo", g_fifo, 1),
	KW_SCRIPT("notify_fifo_script", GL, notify_fifo_script),
	KW_UINT("vrrp_rt_priority", GL, vrrp_rt_priority, 1, 99),
	IGNORED_GLOBALS,
	KW_END,
};

static void
global_defs(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	dk_kw_dispatch(c, global_kws, n->child, &((struct dk_conf *)obj)->global);
}

static void
vs_weight(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VS_ *s = obj;
	long v;

	if (dk_kw_int(c, n, 0, -254, 254, &v))
		s->weight = (int)v;
	if (n->n_args == 2 && strcmp(n->args[1], "reverse") == 0)
		s->weight_reverse = true;
	else if (n->n_args >= 2)
		dk_kw_error(c, n, "unexpected '%s' after weight", n->args[1]);
}

static const struct dk_kw script_kws[] = {
	KW_SCRIPT("script", VS_, script),
	KW_TIME("interval", VS_, interval_us, 1, DK_SEC(86400)),
	KW_TIME("timeout", VS_, timeout_us, 1, DK_SEC(86400)),
	KW_FN("weight", vs_weight, 1),
	KW_UINT("rise", VS_, rise, 1, 1000000),
	KW_UINT("fall", VS_, fall, 1, 1000000),
	KW_STR("user", VS_, user),
	KW_IGNORED("init_fail"),
	KW_END,
};

static void
vrrp_script(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	struct dk_conf *conf = obj;
	VS_ *s;

	for (unsigned i = 0; i < conf->n_scripts; i++)
		if (strcmp(conf->scripts[i].name, n->args[0]) == 0) {
			dk_kw_error(c, n, "vrrp_script %s is defined twice", n->args[0]);
			return;
		}
	s = dk_kw_push(c, &conf->scripts, &conf->n_scripts, sizeof(*s));
	if (!s)
		return;
	if (!dk_kw_str(c, n, 0, s->name, sizeof(s->name))) {
		conf->n_scripts--;
		return;
	}
	s->interval_us = DK_SEC(1);
	s->rise = 1;
	s->fall = 1;
	s->line = n->line;
	dk_kw_dispatch(c, script_kws, n->child, s);
	if (!s->script[0]) {
		dk_kw_problem(c, n, "No script set for vrrp_script %s - removing", s->name);
		conf->n_scripts--;
	}
}

static const struct dk_kw track_file_kws[] = {
	KW_STR("file", TF, file),
	KW_FN("weight", vs_weight, 1),
	KW_FLAG("init_file", TF, init_file),
	KW_END,
};

static void
track_file(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	struct dk_conf *conf = obj;
	TF *t = dk_kw_push(c, &conf->track_files, &conf->n_track_files, sizeof(*t));

	if (!t)
		return;
	if (!dk_kw_str(c, n, 0, t->name, sizeof(t->name))) {
		conf->n_track_files--;
		return;
	}
	t->line = n->line;
	/* The weight setter writes through a vrrp_script layout; keep the two apart. */
	{
		VS_ tmp = { 0 };

		for (const struct dk_cnode *k = n->child; k; k = k->next) {
			const struct dk_kw *e = dk_kw_lookup(track_file_kws, k->kw);

			if (!e) {
				dk_kw_problem(c, k, "Unknown keyword '%s'", k->kw);
				continue;
			}
			dk_kw_run(c, e, k, e->fn == vs_weight ? (void *)&tmp : (void *)t);
		}
		t->weight = tmp.weight;
		t->weight_reverse = tmp.weight_reverse;
	}
	if (!t->file[0]) {
		dk_kw_problem(c, n, "No file set for track_file %s - removing", t->name);
		conf->n_track_files--;
	}
}

static void
sg_group(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	SG *g = obj;

	for (const struct dk_cnode *k = n->child; k; k = k->next) {
		char (*m)[DK_CONF_NAMESIZ];

		if (k->n_args || k->block || strlen(k->kw) >= DK_CONF_NAMESIZ) {
			dk_kw_error(c, k, "bad vrrp_sync_group member '%s'", k->kw);
			continue;
		}
		m = dk_kw_push(c, &g->members, &g->n_members, sizeof(*m));
		if (!m)
			return;
		strcpy(*m, k->kw);
	}
}

static const struct dk_kw sg_kws[] = {
	KW_BLOCK("group", sg_group, 0),
	KW_SCRIPT("notify_master", SG, notify_master),
	KW_SCRIPT("notify_backup", SG, notify_backup),
	KW_SCRIPT("notify_fault", SG, notify_fault),
	KW_SCRIPT("notify", SG, notify),
	KW_FLAG("smtp_alert", SG, smtp_alert),
	KW_IGNORED("global_tracking"),
	KW_IGNORED("sync_group_tracking_weight"),
	KW_IGNORED("notify_stop"),
	KW_IGNORED("track_interface"),
	KW_IGNORED("track_script"),
	KW_IGNORED("track_file"),
	KW_END,
};

static void
sync_group(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	struct dk_conf *conf = obj;
	SG *g = dk_kw_push(c, &conf->sync_groups, &conf->n_sync_groups, sizeof(*g));

	if (!g)
		return;
	if (!dk_kw_str(c, n, 0, g->name, sizeof(g->name))) {
		conf->n_sync_groups--;
		return;
	}
	g->line = n->line;
	for (const struct dk_cnode *k = n->child; k && !c->oom; k = k->next) {
		const struct dk_kw *e = dk_kw_lookup(sg_kws, k->kw);
		char (*m)[DK_CONF_NAMESIZ];

		if (e) {
			dk_kw_run(c, e, k, g);
			continue;
		}
		/* Legacy flat syntax: members listed directly in the block. */
		if (k->n_args || k->block || strlen(k->kw) >= DK_CONF_NAMESIZ) {
			dk_kw_problem(c, k, "Unknown keyword '%s'", k->kw);
			continue;
		}
		dk_diag_warn(c->diag, k->file, k->line,
			     "vrrp_sync_group member %s outside 'group { }' (legacy syntax)", k->kw);
		m = dk_kw_push(c, &g->members, &g->n_members, sizeof(*m));
		if (m)
			strcpy(*m, k->kw);
	}
}

static void
unsupported(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	(void)obj;
	dk_diag_warn(c->diag, n->file, n->line, "'%s' is not supported by dpkeep, ignored",
		     n->kw);
}

/* static_routes / virtual_routes: dpkeep routes through the profile, not these, but
 * they are checked the way keepalived checks them so that verdicts agree. */
static void
routes_block(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	bool tracked = strcmp(n->kw, "virtual_routes") == 0;

	unsupported(c, n, obj);
	for (const struct dk_cnode *k = n->child; k; k = k->next) {
		bool dev = false;
		const char *dst = k->kw;
		unsigned i = 0;
		struct dk_prefix p;

		if (strcmp(k->kw, "src") == 0 && k->n_args >= 2) {
			dst = k->args[1];
			i = 2;
		} else if ((strcmp(k->kw, "blackhole") == 0 || strcmp(k->kw, "unreachable") == 0 ||
			    strcmp(k->kw, "prohibit") == 0) && k->n_args >= 1) {
			dst = k->args[0];
			i = 1;
		}
		if (dk_prefix_parse(dst, &p) < 0) {
			dk_kw_error(c, k, "bad route destination '%s'", dst);
			continue;
		}
		for (; i < k->n_args; i++) {
			if (strcmp(k->args[i], "dev") == 0)
				dev = true;
			else if (strcmp(k->args[i], "or") == 0)
				dk_kw_problem(c, k, "\"or\" for routes is deprecated");
			else if (strcmp(k->args[i], "gw") == 0)
				dk_kw_problem(c, k, "\"gw\" for routes is deprecated");
		}
		if (tracked && !dev)
			dk_kw_problem(c, k, "cannot track route %s with no interface specified",
				      dst);
	}
}

static void
rules_block(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	unsupported(c, n, obj);
	for (const struct dk_cnode *k = n->child; k; k = k->next) {
		const char *w[DK_CTREE_MAX_ARGS + 1];
		unsigned nw = 0;
		struct dk_prefix p;

		w[nw++] = k->kw;
		for (unsigned i = 0; i < k->n_args; i++)
			w[nw++] = k->args[i];
		for (unsigned i = 0; i + 1 < nw; i++)
			if ((strcmp(w[i], "from") == 0 || strcmp(w[i], "to") == 0) &&
			    strcmp(w[i + 1], "all") != 0 && dk_prefix_parse(w[i + 1], &p) < 0)
				dk_kw_error(c, k, "invalid rule %s address %s", w[i], w[i + 1]);
	}
}

static void
static_ipaddress(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	unsupported(c, n, obj);
	for (const struct dk_cnode *k = n->child; k; k = k->next) {
		struct dk_prefix p;

		if (dk_prefix_parse(k->kw, &p) < 0)
			dk_kw_error(c, k, "bad address '%s'", k->kw);
	}
}

void
dk_conf_vrrp_routes_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	routes_block(c, n, obj);
}

void
dk_conf_vrrp_rules_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	rules_block(c, n, obj);
}

const struct dk_kw dk_conf_global_kws[] = {
	KW_BLOCK("global_defs", global_defs, 0),
	KW_IGNORED("net_namespace"),
	KW_IGNORED("linkbeat_interfaces"),
	KW_IGNORED("vrrp_track_process"),
	KW_IGNORED("garp_group"),
	KW_IGNORED("bfd_instance"),
	KW_BLOCK("static_ipaddress", static_ipaddress, 0),
	KW_BLOCK("static_routes", routes_block, 0),
	KW_BLOCK("static_rules", rules_block, 0),
	KW_END,
};

const struct dk_kw dk_conf_vrrp_root_kws[] = {
	KW_BLOCK("vrrp_script", vrrp_script, 1),
	KW_BLOCK("track_file", track_file, 1),
	KW_BLOCK("vrrp_track_file", track_file, 1),
	KW_BLOCK("vrrp_sync_group", sync_group, 1),
	KW_BLOCK("vrrp_instance", dk_conf_vrrp_instance_kw, 1),
	KW_END,
};
