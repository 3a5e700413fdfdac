/* vrrp_instance and the checks that need the whole configuration. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_confutil.h"
#include "dk_kw.h"

#define VI struct dk_conf_vrrp_instance
#define UNSET_US UINT64_MAX
#define UNSET_N UINT_MAX
#define MAX_RANGE 256

static void
state_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;

	if (strcmp(n->args[0], "MASTER") == 0)
		v->state = DK_CONF_STATE_MASTER;
	else if (strcmp(n->args[0], "BACKUP") == 0)
		v->state = DK_CONF_STATE_BACKUP;
	else
		dk_kw_error(c, n, "(%s) state must be MASTER or BACKUP, not '%s'", v->name,
			    n->args[0]);
}

static void
interface_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;

	if (dk_kw_str(c, n, 0, v->interface, sizeof(v->interface)))
		dk_kw_check_ifname(c, n, v->interface);
}

static void
auth_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;

	for (const struct dk_cnode *k = n->child; k; k = k->next) {
		if (strcmp(k->kw, "auth_type") == 0 && k->n_args == 1) {
			if (strcmp(k->args[0], "PASS") == 0)
				v->auth_type = DK_CONF_AUTH_PASS;
			else if (strcmp(k->args[0], "AH") == 0)
				v->auth_type = DK_CONF_AUTH_AH;
			else
				dk_kw_error(c, k, "auth_type must be PASS or AH, not '%s'",
					    k->args[0]);
		} else if (strcmp(k->kw, "auth_pass") == 0 && k->n_args >= 1) {
			size_t l = strlen(k->args[0]);

			if (l > 8)
				dk_kw_problem(c, k, "(%s) auth_pass is longer than 8 characters, "
					      "truncated", v->name);
			memcpy(v->auth_pass, k->args[0], DK_MIN(l, (size_t)8));
			v->auth_pass[DK_MIN(l, (size_t)8)] = '\0';
		} else if (strcmp(k->kw, "auth_type") == 0 || strcmp(k->kw, "auth_pass") == 0) {
			dk_kw_error(c, k, "'%s' needs one argument", k->kw);
		} else {
			dk_kw_problem(c, k, "Unknown keyword '%s'", k->kw);
		}
	}
}

static int
scope_of(const char *s)
{
	static const struct { const char *n; int v; } names[] = {
		{ "global", 0 }, { "site", 200 }, { "link", 253 }, { "host", 254 },
		{ "nowhere", 255 },
	};
	unsigned long v;

	for (unsigned i = 0; i < DK_ARRAY_SIZE(names); i++)
		if (strcmp(s, names[i].n) == 0)
			return names[i].v;
	if (dk_conf_parse_ulong(s, &v) == 0 && v <= 255)
		return (int)v;
	return -1;
}

/* "A-B" in the last byte (v4) or last 16 bits (v6): keepalived's address ranges. */
static int
split_range(char *s, unsigned long *hi)
{
	char *dash = strrchr(s, '-');
	char *slash = strchr(s, '/');
	char tail[8] = "";
	int v6 = strchr(s, ':') != NULL;

	if (!dash)
		return 0;
	if (slash && slash > dash) {
		snprintf(tail, sizeof(tail), "%s", slash);
		*slash = '\0';
	}
	*dash = '\0';
	*hi = strtoul(dash + 1, NULL, v6 ? 16 : 10);
	if (strlen(dash + 1) == 0 || strspn(dash + 1, v6 ? "0123456789abcdefABCDEF" :
					    "0123456789") != strlen(dash + 1))
		return -1;
	strcat(s, tail);
	return 1;
}

static void
vip_line(struct dk_kwctx *c, VI *v, const struct dk_cnode *k, struct dk_conf_vip **arr,
	 unsigned *cnt)
{
	struct dk_conf_vip vip;
	char buf[DK_ADDRSTRLEN + 16];
	unsigned long hi = 0;
	unsigned lo, last;
	int r;

	memset(&vip, 0, sizeof(vip));
	if (strlen(k->kw) >= sizeof(buf)) {
		dk_kw_error(c, k, "(%s) bad virtual address '%s'", v->name, k->kw);
		return;
	}
	strcpy(buf, k->kw);
	r = split_range(buf, &hi);
	if (r < 0 || dk_prefix_parse(buf, &vip.pfx) < 0) {
		dk_kw_error(c, k, "(%s) bad virtual address '%s'", v->name, k->kw);
		return;
	}
	for (unsigned i = 0; i < k->n_args; i++) {
		const char *o = k->args[i], *val = i + 1 < k->n_args ? k->args[i + 1] : NULL;

		if (strcmp(o, "no_track") == 0 || strcmp(o, "home") == 0 ||
		    strcmp(o, "nodad") == 0 || strcmp(o, "noprefixroute") == 0 ||
		    strcmp(o, "autojoin") == 0)
			continue;
		if (!val) {
			dk_kw_error(c, k, "(%s) '%s' needs a value", v->name, o);
			return;
		}
		i++;
		if (strcmp(o, "dev") == 0) {
			if (strlen(val) >= sizeof(vip.dev)) {
				dk_kw_error(c, k, "(%s) interface name too long", v->name);
				return;
			}
			strcpy(vip.dev, val);
			dk_kw_check_ifname(c, k, val);
		} else if (strcmp(o, "label") == 0) {
			snprintf(vip.label, sizeof(vip.label), "%s", val);
		} else if (strcmp(o, "scope") == 0) {
			int s = scope_of(val);

			if (s < 0) {
				dk_kw_error(c, k, "(%s) bad scope '%s'", v->name, val);
				return;
			}
			vip.scope = (uint8_t)s;
		} else if (strcmp(o, "brd") != 0 && strcmp(o, "broadcast") != 0 &&
			   strcmp(o, "preferred_lft") != 0 && strcmp(o, "track_group") != 0) {
			dk_kw_error(c, k, "(%s) unknown virtual address option '%s'", v->name, o);
			return;
		}
	}
	lo = vip.pfx.addr.af == AF_INET ? vip.pfx.addr.b[3] :
	     (unsigned)(vip.pfx.addr.b[14] << 8 | vip.pfx.addr.b[15]);
	last = r ? (unsigned)hi : lo;
	if (last < lo || last - lo >= MAX_RANGE ||
	    (vip.pfx.addr.af == AF_INET && last > 255) || last > 0xffff) {
		dk_kw_error(c, k, "(%s) bad address range '%s'", v->name, k->kw);
		return;
	}
	for (unsigned a = lo; a <= last; a++) {
		struct dk_conf_vip *e = dk_kw_push(c, arr, cnt, sizeof(*e));

		if (!e)
			return;
		*e = vip;
		if (vip.pfx.addr.af == AF_INET) {
			e->pfx.addr.b[3] = (uint8_t)a;
		} else {
			e->pfx.addr.b[14] = (uint8_t)(a >> 8);
			e->pfx.addr.b[15] = (uint8_t)a;
		}
	}
}

static void
vips_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;
	bool excl = strcmp(n->kw, "virtual_ipaddress_excluded") == 0;

	for (const struct dk_cnode *k = n->child; k && !c->oom; k = k->next)
		vip_line(c, v, k, excl ? &v->vips_excluded : &v->vips,
			 excl ? &v->n_vips_excluded : &v->n_vips);
}

static void
peers_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;
	bool hb = n->kw[0] == 'h';

	for (const struct dk_cnode *k = n->child; k && !c->oom; k = k->next) {
		struct dk_addr a, *e;

		if (dk_addr_parse(k->kw, &a) < 0) {
			dk_kw_error(c, k, "(%s) bad peer address '%s'", v->name, k->kw);
			continue;
		}
		if (hb)
			e = dk_kw_push(c, &v->heartbeat_peers, &v->n_heartbeat_peers, sizeof(*e));
		else
			e = dk_kw_push(c, &v->unicast_peers, &v->n_unicast_peers, sizeof(*e));
		if (e)
			*e = a;
	}
}

static void
track_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;
	struct dk_conf_track **arr;
	unsigned *cnt;

	if (strcmp(n->kw, "track_interface") == 0) {
		arr = &v->track_interfaces;
		cnt = &v->n_track_interfaces;
	} else if (strcmp(n->kw, "track_script") == 0) {
		arr = &v->track_scripts;
		cnt = &v->n_track_scripts;
	} else {
		arr = &v->track_files;
		cnt = &v->n_track_files;
	}
	for (const struct dk_cnode *k = n->child; k && !c->oom; k = k->next) {
		struct dk_conf_track t = { 0 }, *e;
		bool dup = false;
		long w;

		if (strlen(k->kw) >= sizeof(t.name)) {
			dk_kw_error(c, k, "(%s) name too long in %s", v->name, n->kw);
			continue;
		}
		strcpy(t.name, k->kw);
		for (unsigned i = 0; i < k->n_args; i++) {
			if (strcmp(k->args[i], "weight") == 0 &&
			    dk_kw_int(c, k, i + 1, -254, 254, &w)) {
				t.weight = (int)w;
				i++;
			} else if (strcmp(k->args[i], "reverse") == 0) {
				t.reverse = true;
			} else {
				dk_kw_error(c, k, "(%s) unexpected '%s' in %s", v->name, k->args[i],
					    n->kw);
				break;
			}
		}
		for (unsigned i = 0; i < *cnt; i++)
			dup |= strcmp((*arr)[i].name, t.name) == 0;
		if (dup) {
			dk_kw_problem(c, k, "(%s) duplicate %s %s - ignoring", v->name, n->kw,
				      t.name);
			continue;
		}
		if (arr == &v->track_interfaces)
			dk_kw_check_ifname(c, k, t.name);
		e = dk_kw_push(c, arr, cnt, sizeof(*e));
		if (e)
			*e = t;
	}
}

static void
vmac_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;

	v->use_vmac = true;
	if (n->n_args)
		dk_kw_str(c, n, 0, v->vmac_name, sizeof(v->vmac_name));
}

/* keepalived reads mcast_src_ip and unicast_src_ip as one setting, the advert's source
 * address whether it goes to the group or to unicast peers: the last one given wins. */
static void
srcip_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	VI *v = obj;
	bool mcast = strcmp(n->kw, "mcast_src_ip") == 0;
	struct dk_addr a;

	if (!dk_kw_addr(c, n, 0, &a))
		return;
	memset(mcast ? &v->unicast_src_ip : &v->mcast_src_ip, 0, sizeof(a));
	*(mcast ? &v->mcast_src_ip : &v->unicast_src_ip) = a;
}

static void
lvs_syncd_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	dk_kw_problem(c, n, "(%s) Specifying lvs_sync_daemon_interface against a vrrp is "
		      "deprecated", ((VI *)obj)->name);
}

static void
advert_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	dk_kw_time(c, n, 0, 10000, DK_SEC(255), &((VI *)obj)->advert_int_us);
}

static const struct dk_kw vi_kws[] = {
	KW_FN("state", state_kw, 1),
	KW_FN("interface", interface_kw, 1),
	KW_UINT("virtual_router_id", VI, vrid, 1, 255),
	KW_UINT("priority", VI, priority, 1, 255),
	KW_UINT("version", VI, version, 2, 3),
	KW_FN("advert_int", advert_kw, 1),
	KW_BLOCK("authentication", auth_kw, 0),
	KW_BLOCK("virtual_ipaddress", vips_kw, 0),
	KW_BLOCK("virtual_ipaddress_excluded", vips_kw, 0),
	KW_FN("unicast_src_ip", srcip_kw, 1),
	KW_FN("mcast_src_ip", srcip_kw, 1),
	KW_BLOCK("unicast_peer", peers_kw, 0),
	KW_BLOCK("heartbeat_unicast_peer", peers_kw, 0),
	KW_FLAG("nopreempt", VI, nopreempt),
	KW_CLEAR("preempt", VI, nopreempt),
	KW_TIME("preempt_delay", VI, preempt_delay_us, 0, DK_SEC(1000)),
	KW_TIME("garp_master_delay", VI, garp_master_delay_us, 0, DK_SEC(1000)),
	KW_UINT("garp_master_repeat", VI, garp_master_repeat, 1, 10000),
	KW_TIME("garp_master_refresh", VI, garp_master_refresh_us, 0, DK_SEC(86400)),
	KW_UINT("garp_master_refresh_repeat", VI, garp_master_refresh_repeat, 1, 10000),
	KW_TIME("garp_lower_prio_delay", VI, garp_lower_prio_delay_us, 0, DK_SEC(1000)),
	KW_UINT("garp_lower_prio_repeat", VI, garp_lower_prio_repeat, 1, 10000),
	KW_FN("use_vmac", vmac_kw, 0),
	KW_FLAG("vmac_xmit_base", VI, vmac_xmit_base),
	KW_FLAG("accept", VI, accept),
	KW_CLEAR("no_accept", VI, accept),
	KW_FLAG("dont_track_primary", VI, dont_track_primary),
	KW_FLAG("skip_check_adv_addr", VI, skip_check_adv_addr),
	KW_FLAG("strict_mode", VI, strict_mode),
	KW_FLAG("smtp_alert", VI, smtp_alert),
	KW_FLAG("lower_prio_no_advert", VI, lower_prio_no_advert),
	KW_FLAG("higher_prio_send_advert", VI, higher_prio_send_advert),
	KW_SCRIPT("notify_master", VI, notify_master),
	KW_SCRIPT("notify_backup", VI, notify_backup),
	KW_SCRIPT("notify_fault", VI, notify_fault),
	KW_SCRIPT("notify_stop", VI, notify_stop),
	KW_SCRIPT("notify", VI, notify),
	KW_SCRIPT("notify_split_brain", VI, notify_split_brain),
	KW_BLOCK("track_interface", track_kw, 0),
	KW_BLOCK("track_script", track_kw, 0),
	KW_BLOCK("track_file", track_kw, 0),
	KW_BLOCK("virtual_routes", dk_conf_vrrp_routes_kw, 0),
	KW_BLOCK("virtual_rules", dk_conf_vrrp_rules_kw, 0),
	KW_FN("lvs_sync_daemon_interface", lvs_syncd_kw, 0),
	KW_IGNORED("debug"),
	KW_IGNORED("native_ipv6"),
	KW_IGNORED("garp_extra_if"),
	KW_IGNORED("kernel_rx_buf_size"),
	KW_IGNORED("track_process"),
	KW_IGNORED("track_bfd"),
	KW_IGNORED("unicast_ttl"),
	KW_IGNORED("check_unicast_src"),
	KW_END,
};

void
dk_conf_vrrp_instance_kw(struct dk_kwctx *c, const struct dk_cnode *n, void *obj)
{
	struct dk_conf *conf = obj;
	VI *v;

	for (unsigned i = 0; i < conf->n_vrrp; i++)
		if (strcmp(conf->vrrp[i].name, n->args[0]) == 0) {
			dk_kw_error(c, n, "vrrp_instance %s is defined twice", n->args[0]);
			return;
		}
	v = dk_kw_push(c, &conf->vrrp, &conf->n_vrrp, sizeof(*v));
	if (!v)
		return;
	if (!dk_kw_str(c, n, 0, v->name, sizeof(v->name))) {
		conf->n_vrrp--;
		return;
	}
	v->line = n->line;
	v->priority = 100;
	v->advert_int_us = DK_SEC(1);
	v->garp_master_delay_us = UNSET_US;
	v->garp_master_repeat = UNSET_N;
	v->garp_master_refresh_us = UNSET_US;
	v->garp_master_refresh_repeat = UNSET_N;
	dk_kw_dispatch(c, vi_kws, n->child, v);
	if (!v->interface[0])
		dk_kw_error(c, n, "(%s) no interface specified", v->name);
	if (!v->vrid)
		dk_kw_error(c, n, "(%s) the virtual router id must be set", v->name);
	if (v->state == DK_CONF_STATE_MASTER && v->auth_type == DK_CONF_AUTH_AH) {
		dk_kw_problem(c, n, "(%s) Initial state master is incompatible with AH "
			      "authentication - clearing", v->name);
		v->state = DK_CONF_STATE_BACKUP;
	}
	if (v->auth_type != DK_CONF_AUTH_NONE && !v->auth_pass[0])
		dk_kw_error(c, n, "(%s) authentication without auth_pass", v->name);
	/* keepalived sends unicast adverts from the base interface, never the VMAC. */
	if (v->n_unicast_peers && v->use_vmac && !v->vmac_xmit_base) {
		dk_kw_problem(c, n, "(%s) unicast with use_vmac requires vmac_xmit_base - setting",
			      v->name);
		v->vmac_xmit_base = true;
	}
}

static void
fill_version(struct dk_kwctx *c, VI *v, const char *file)
{
	const struct dk_conf_global *g = &c->conf->global;

	if (!v->version)
		v->version = g->vrrp_version;
	if (v->version == 2 && v->advert_int_us % DK_SEC(1)) {
		dk_diag_warn(c->diag, file, v->line, "(%s) VRRPv2 adverts are whole seconds, "
			     "advert_int rounded up", v->name);
		v->advert_int_us = (v->advert_int_us / DK_SEC(1) + 1) * DK_SEC(1);
	}
	if (v->version == 3 && v->advert_int_us % 10000) {
		dk_diag_warn(c->diag, file, v->line, "(%s) VRRPv3 adverts are in centiseconds, "
			     "advert_int rounded down", v->name);
		v->advert_int_us -= v->advert_int_us % 10000;
	}
	if (v->garp_master_delay_us == UNSET_US)
		v->garp_master_delay_us = g->vrrp_garp_master_delay_us;
	if (v->garp_master_repeat == UNSET_N)
		v->garp_master_repeat = g->vrrp_garp_master_repeat;
	if (v->garp_master_refresh_us == UNSET_US)
		v->garp_master_refresh_us = g->vrrp_garp_master_refresh_us;
	if (v->garp_master_refresh_repeat == UNSET_N)
		v->garp_master_refresh_repeat = g->vrrp_garp_master_refresh_repeat;
	if (g->vrrp_strict)
		v->strict_mode = true;
	if (g->vrrp_skip_check_adv_addr)
		v->skip_check_adv_addr = true;
}

/* What keepalived clears or resets for VRRPv3 and for vrrp_strict (RFC conformance),
 * reported in its words; like keepalived -t, a configuration that needed it is not OK. */
static void
version_rules(struct dk_kwctx *c, VI *v, const char *file)
{
	if (v->auth_type != DK_CONF_AUTH_NONE && (v->strict_mode || v->version == 3)) {
		c->problems++;
		dk_diag_warn(c->diag, file, v->line, v->strict_mode ?
			     "(%s) Strict mode does not support authentication. Ignoring." :
			     "(%s) VRRP version 3 does not support authentication. Ignoring.",
			     v->name);
		v->auth_type = DK_CONF_AUTH_NONE;
		memset(v->auth_pass, 0, sizeof(v->auth_pass));
	}
	if (!v->strict_mode)
		return;
	if (v->version == 2 && v->accept) {
		c->problems++;
		dk_diag_warn(c->diag, file, v->line, "(%s) warning - accept mode for VRRP version 2 "
			     "does not comply with RFC3768 - resetting", v->name);
		v->accept = false;
	}
	/* RFC 5798 6.4.1: only the address owner (priority 255) starts as master. */
	if ((v->state == DK_CONF_STATE_MASTER) != (v->priority == 255)) {
		c->problems++;
		dk_diag_warn(c->diag, file, v->line,
			     "(%s) State MASTER must match being address owner", v->name);
		v->state = v->priority == 255 ? DK_CONF_STATE_MASTER : DK_CONF_STATE_BACKUP;
	}
	if (v->garp_lower_prio_repeat) {
		c->problems++;
		dk_diag_warn(c->diag, file, v->line,
			     "(%s) Strict mode requires no repeat garps. resetting", v->name);
		v->garp_lower_prio_repeat = 0;
	}
	/* RFC 5798 5.2.9: the first IPv6 address is the router's link-local one. */
	if (v->n_vips && v->vips[0].pfx.addr.af == AF_INET6 &&
	    !(v->vips[0].pfx.addr.b[0] == 0xfe && (v->vips[0].pfx.addr.b[1] & 0xc0) == 0x80)) {
		c->problems++;
		dk_diag_warn(c->diag, file, v->line,
			     "(%s) the first IPv6 VIP address must be link local", v->name);
	}
}

static bool
named(const struct dk_conf *conf, bool script, const char *name)
{
	if (script) {
		for (unsigned i = 0; i < conf->n_scripts; i++)
			if (strcmp(conf->scripts[i].name, name) == 0)
				return true;
		return false;
	}
	for (unsigned i = 0; i < conf->n_track_files; i++)
		if (strcmp(conf->track_files[i].name, name) == 0)
			return true;
	return false;
}

static void
drop_missing(struct dk_kwctx *c, VI *v, bool script, const char *file)
{
	struct dk_conf_track *t = script ? v->track_scripts : v->track_files;
	unsigned *cnt = script ? &v->n_track_scripts : &v->n_track_files;

	for (unsigned i = 0; i < *cnt;) {
		if (named(c->conf, script, t[i].name)) {
			i++;
			continue;
		}
		c->problems++;
		dk_diag_warn(c->diag, file, v->line, "(%s) track %s %s not found, ignoring...",
			     v->name, script ? "script" : "file", t[i].name);
		memmove(&t[i], &t[i + 1], (*cnt - i - 1) * sizeof(*t));
		(*cnt)--;
	}
}

static int
vip_family(const VI *v)
{
	return v->n_vips ? v->vips[0].pfx.addr.af : AF_INET;
}

const struct dk_addr *
dk_conf_vrrp_src_ip(const struct dk_conf_vrrp_instance *v)
{
	return v->mcast_src_ip.af ? &v->mcast_src_ip : &v->unicast_src_ip;
}

/* keepalived skips a source address of the other family than the instance's. */
static void
src_family(struct dk_kwctx *c, VI *v, const char *file)
{
	struct dk_addr *src = v->mcast_src_ip.af ? &v->mcast_src_ip : &v->unicast_src_ip;
	char buf[DK_ADDRSTRLEN];

	if (!src->af || !v->n_vips || src->af == vip_family(v))
		return;
	c->problems++;
	dk_addr_fmt(src, buf, sizeof(buf));
	dk_diag_warn(c->diag, file, v->line, "Configuration error: VRRP instance[%s] and src "
		     "address[%s] MUST be of the same family !!! Skipping...", v->name, buf);
	memset(src, 0, sizeof(*src));
}

void
dk_conf_vrrp_finish(struct dk_kwctx *c, const char *file)
{
	struct dk_conf *conf = c->conf;

	for (unsigned i = 0; i < conf->n_vrrp; i++) {
		VI *v = &conf->vrrp[i];

		fill_version(c, v, file);
		version_rules(c, v, file);
		drop_missing(c, v, true, file);
		drop_missing(c, v, false, file);
		src_family(c, v, file);
		for (unsigned j = 0; j < i; j++) {
			const VI *w = &conf->vrrp[j];

			if (w->vrid && w->vrid == v->vrid && strcmp(w->interface, v->interface) == 0 &&
			    vip_family(w) == vip_family(v))
				dk_diag_error(c->diag, file, v->line,
					      "(%s) virtual_router_id %u is already used by %s on %s",
					      v->name, v->vrid, w->name, v->interface);
		}
		for (unsigned j = 1; j < v->n_vips; j++)
			if (v->vips[j].pfx.addr.af != v->vips[0].pfx.addr.af)
				dk_diag_error(c->diag, file, v->line,
					      "(%s) virtual addresses of both IPv4 and IPv6; "
					      "use virtual_ipaddress_excluded", v->name);
	}
	for (unsigned i = 0; i < conf->n_sync_groups; i++) {
		struct dk_conf_sync_group *g = &conf->sync_groups[i];

		for (unsigned m = 0; m < g->n_members;) {
			if (dk_conf_find_vrrp(conf, g->members[m])) {
				m++;
				continue;
			}
			c->problems++;
			dk_diag_warn(c->diag, file, g->line, "Virtual router %s specified in sync "
				     "group %s doesn't exist - ignoring", g->members[m], g->name);
			memmove(&g->members[m], &g->members[m + 1],
				(g->n_members - m - 1) * sizeof(g->members[0]));
			g->n_members--;
		}
	}
}
