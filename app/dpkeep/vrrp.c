/*
 * VRRP instances on DPDK ports. lib/vrrp decides; this file carries its actions out:
 * adverts (multicast or unicast), GARP/unsolicited NA bursts, VIP ownership (which
 * the host layer answers ARP/ND/echo for), timers on the control wheel, notify scripts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dk_app.h"
#include "dk_conf.h"
#include "dk_log.h"
#include "dk_pktbuild.h"
#include "dk_vrrp.h"
#include "proc.h"
#include "vrrp.h"
#include "vrrp_priv.h"

#define NOTIFY_TIMEOUT_US (30 * DK_USEC_PER_SEC)

static void apply(struct vrrp_inst *vi, const struct dk_vrrp_actions *acts);


/* --- sending ------------------------------------------------------------------------ */

struct advert_arg {
	struct vrrp_inst *vi;
	uint8_t prio;
	const struct dk_addr *dst;
	struct dk_mac src_mac;
	struct dk_mac dst_mac;
};

static int
build_advert(uint8_t *buf, size_t room, void *arg)
{
	struct advert_arg *a = arg;
	struct dk_l2 l2 = { .src = a->src_mac, .dst = a->dst_mac };
	int hl = dk_build_eth(buf, room, &l2, a->dst->af == AF_INET ? DK_ETHERTYPE_IPV4 :
							       DK_ETHERTYPE_IPV6);
	size_t len;

	if (hl < 0)
		return hl;
	if (dk_vrrp_build_advert(a->vi->vr, a->prio, a->dst, buf + hl, room - (size_t)hl, &len) < 0)
		return -ENOSPC;
	return hl + (int)len;
}

/* Unicast peers are reached like any host's traffic: routed, next hop resolved. */
static void
send_unicast(struct vrrp_inst *vi, struct advert_arg *a, const struct dk_addr *peers,
	     unsigned n)
{
	struct dk_app *app = vi->app;

	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(dk_dp_ctl_ctx(app->dp)->pool);
		int len;

		if (m == NULL)
			return;
		a->dst = &peers[i];
		len = build_advert(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m), a);
		if (len < 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		m->data_len = (uint16_t)len;
		m->pkt_len = (uint32_t)len;
		m->port = app->dp->ports[vi->port].port_id;
		dk_control_output_ip(app, m, a->dst);
	}
}

/* Stamped just before the frame is built: what the timing shows is when the advert left
 * this lcore against when the timer wanted it, whatever delayed the loop. */
static void
advert_timing(struct vrrp_inst *vi, uint8_t prio)
{
	uint64_t now = dk_app_now_us();

	if (vi->adv_due_us) {
		dk_lat_add(&vi->adv_late, now > vi->adv_due_us ? now - vi->adv_due_us : 0);
		vi->adv_due_us = 0;
	}
	if (prio == 0)
		return;
	if (vi->adv_last_us)
		dk_lat_add(&vi->adv_gap, now - vi->adv_last_us);
	vi->adv_last_us = now;
}

void
dk_app_vrrp_timing_clear(struct dk_app *app)
{
	struct dk_app_vrrp *g = app->vrrp;

	for (unsigned i = 0; g && i < g->n; i++) {
		dk_lat_reset(&g->inst[i].adv_late);
		dk_lat_reset(&g->inst[i].adv_gap);
	}
}

static void
send_advert(struct vrrp_inst *vi, uint8_t prio)
{
	struct dk_app *app = vi->app;
	struct advert_arg a = { .vi = vi, .prio = prio, .dst = &vi->group };

	advert_timing(vi, prio);
	/* keepalived's vmac_xmit_base: adverts leave from the base interface's MAC. */
	a.src_mac = vi->c->use_vmac && !vi->c->vmac_xmit_base ? vi->src_mac :
							       app->hport[vi->port].mac;
	if (vi->c->n_unicast_peers == 0) {
		if (vi->group.af == AF_INET) {
			static const uint8_t m4[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 };

			memcpy(a.dst_mac.b, m4, 6);
			a.dst_mac.b[3] = vi->group.b[1] & 0x7f;
			a.dst_mac.b[4] = vi->group.b[2];
			a.dst_mac.b[5] = vi->group.b[3];
		} else {
			dk_ipv6_mcast_mac(vi->group.v6, &a.dst_mac);
		}
		dk_control_send(app, vi->port, build_advert, &a);
		/* dpkeep's second heartbeat path: the same advert, unicast over another link. */
		send_unicast(vi, &a, vi->c->heartbeat_peers, vi->c->n_heartbeat_peers);
		return;
	}
	send_unicast(vi, &a, vi->c->unicast_peers, vi->c->n_unicast_peers);
}

struct garp_arg {
	struct dk_l2 l2;
	const struct dk_addr *vip;
};

static int
build_garp(uint8_t *buf, size_t room, void *arg)
{
	struct garp_arg *g = arg;

	if (g->vip->af == AF_INET)
		return dk_build_garp(buf, room, &g->l2, g->vip);
	return dk_build_na(buf, room, &g->l2, g->vip, NULL, g->vip, DK_ND_NA_FLAG_OVERRIDE);
}

static void
garp_burst(struct vrrp_inst *vi, unsigned repeat)
{
	for (unsigned r = 0; r < repeat; r++) {
		for (unsigned i = 0; i < vi->c->n_vips; i++) {
			const struct dk_conf_vip *v = &vi->c->vips[i];
			int port = v->dev[0] ? dk_dp_port_by_name(vi->app->dp, v->dev) : vi->port;
			struct garp_arg g = { .vip = &v->pfx.addr };

			if (port < 0)
				continue;
			g.l2.src = vi->c->use_vmac ? vi->src_mac : vi->app->hport[port].mac;
			dk_control_send(vi->app, (uint16_t)port, build_garp, &g);
		}
	}
}

static void
garp_timer(struct dk_timer *t, void *arg, uint64_t now_us)
{
	struct vrrp_inst *vi = arg;

	if (!vi->garp_second_done && vi->garp.delay_us) {
		vi->garp_second_done = true;
		garp_burst(vi, vi->garp.repeat);
	} else {
		garp_burst(vi, vi->garp.refresh_repeat ? vi->garp.refresh_repeat : 1);
	}
	if (vi->garp.refresh_us)
		dk_timer_arm(vi->app->wheel, t, now_us + vi->garp.refresh_us);
}

static void
garp_start(struct vrrp_inst *vi, const struct dk_vrrp_garp *g)
{
	struct dk_app *app = vi->app;

	vi->garp = *g;
	vi->garp_second_done = false;
	garp_burst(vi, g->repeat ? g->repeat : 1);
	if (g->delay_us)
		dk_timer_arm(app->wheel, &vi->garp_t, app->now_us + g->delay_us);
	else if (g->refresh_us)
		dk_timer_arm(app->wheel, &vi->garp_t, app->now_us + g->refresh_us);
}

/* --- VIP ownership -------------------------------------------------------------------- */

static void
vmac_add(struct rte_ether_addr *list, unsigned *n, unsigned max, const struct dk_mac *mac)
{
	for (unsigned i = 0; i < *n; i++)
		if (memcmp(list[i].addr_bytes, mac->b, 6) == 0)
			return;
	if (*n < max)
		memcpy(list[(*n)++].addr_bytes, mac->b, 6);
}

/*
 * A port takes frames to a virtual MAC only while an instance using it is master there:
 * otherwise the MAC is the master's on the other side of the switch. Workers read the
 * list without a lock; the count drops to zero while entries are rewritten, so at worst
 * a frame racing a state change is judged by the old or the new list.
 */
static void
publish_vmacs(struct dk_app *app, struct rte_ether_addr want[][DK_DP_MAX_VMACS],
	      const unsigned *n_want)
{
	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		struct dk_dp_port *dpp = &app->dp->ports[p];

		if (dpp->n_extra_mac == n_want[p] &&
		    memcmp(dpp->extra_mac, want[p], n_want[p] * sizeof(want[p][0])) == 0)
			continue;
		dpp->n_extra_mac = 0;
		rte_wmb();
		memcpy(dpp->extra_mac, want[p], n_want[p] * sizeof(want[p][0]));
		rte_wmb();
		dpp->n_extra_mac = (uint8_t)n_want[p];
	}
}

void
dk_app_vrrp_publish(struct dk_app *app)
{
	struct dk_app_vrrp *g = app->vrrp;
	unsigned n[DK_DP_MAX_PORTS] = { 0 }, n_vmac[DK_DP_MAX_PORTS] = { 0 };
	struct rte_ether_addr vmacs[DK_DP_MAX_PORTS][DK_DP_MAX_VMACS];

	for (unsigned i = 0; i < g->n; i++) {
		struct vrrp_inst *vi = &g->inst[i];

		if (!vi->owns)
			continue;
		if (vi->c->use_vmac)
			vmac_add(vmacs[vi->port], &n_vmac[vi->port], DK_DP_MAX_VMACS, &vi->src_mac);
		for (unsigned k = 0; k < vi->c->n_vips; k++) {
			const struct dk_conf_vip *v = &vi->c->vips[k];
			int port = v->dev[0] ? dk_dp_port_by_name(app->dp, v->dev) : vi->port;

			if (port < 0 || n[port] >= MAX_PORT_VIPS)
				continue;
			if (vi->c->use_vmac)
				vmac_add(vmacs[port], &n_vmac[port], DK_DP_MAX_VMACS, &vi->src_mac);
			g->vips[port][n[port]].addr = v->pfx.addr;
			g->vips[port][n[port]].mac = vi->c->use_vmac ? vi->src_mac :
							app->hport[port].mac;
			n[port]++;
		}
	}
	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		app->hport[p].vips = g->vips[p];
		app->hport[p].n_vips = n[p];
	}
	publish_vmacs(app, vmacs, n_vmac);
}

bool
dk_app_vrrp_vip_owned(const struct dk_app *app, const struct dk_addr *addr, bool *listed)
{
	const struct dk_app_vrrp *g = app->vrrp;

	*listed = false;
	if (g == NULL)
		return false;
	for (unsigned i = 0; i < g->n; i++)
		for (unsigned k = 0; k < g->inst[i].c->n_vips; k++)
			if (dk_addr_eq(&g->inst[i].c->vips[k].pfx.addr, addr)) {
				*listed = true;
				if (g->inst[i].owns)
					return true;
			}
	return false;
}

/* --- notify --------------------------------------------------------------------------- */

static void
notify(struct vrrp_inst *vi, enum dk_vrrp_state st)
{
	const struct dk_conf_vrrp_instance *c = vi->c;
	const char *specific = st == DK_VRRP_STATE_MASTER ? c->notify_master :
			       st == DK_VRRP_STATE_BACKUP ? c->notify_backup :
			       st == DK_VRRP_STATE_FAULT ? c->notify_fault : "";
	char cmd[DK_CONF_PATHSIZ + 128];

	dk_app_vrrp_fifo_instance(vi->app, c->name, st, vi->vr->eff_prio);
	if (specific[0])
		dk_proc_queue_push(&vi->notify_q, specific, vi->app->now_us);
	if (c->notify[0]) {
		/* keepalived's four arguments: type, name, state, priority. */
		snprintf(cmd, sizeof(cmd), "%s INSTANCE %s %s %u", c->notify, c->name,
			 dk_vrrp_state_name(st), vi->vr->eff_prio);
		dk_proc_queue_push(&vi->notify_q, cmd, vi->app->now_us);
	}
}

static void
split_brain(struct vrrp_inst *vi, const struct dk_vrrp_action *a, bool resolved)
{
	char peer[DK_ADDRSTRLEN], cmd[DK_CONF_PATHSIZ + 128];

	dk_addr_fmt(&a->split.peer, peer, sizeof(peer));
	if (resolved) {
		DK_LOG(VRRP, NOTICE, "(%s) split brain resolved: one master remains", vi->c->name);
		return;
	}
	DK_LOG(VRRP, ERR, "(%s) SPLIT BRAIN: %s is also master for VRID %u", vi->c->name, peer,
	       vi->c->vrid);
	if (vi->c->notify_split_brain[0]) {
		snprintf(cmd, sizeof(cmd), "%s %s %s", vi->c->notify_split_brain, vi->c->name, peer);
		dk_proc_queue_push(&vi->notify_q, cmd, vi->app->now_us);
	}
}

/* --- actions --------------------------------------------------------------------------- */

static void
vrrp_timer(struct dk_timer *t, void *arg, uint64_t now_us)
{
	static const enum dk_vrrp_event_type ev_of[DK_VRRP_TIMER_MAX] = {
		[DK_VRRP_TIMER_MASTER_DOWN] = DK_VRRP_EV_MASTER_DOWN_TIMER,
		[DK_VRRP_TIMER_ADVER] = DK_VRRP_EV_ADVER_TIMER,
		[DK_VRRP_TIMER_PREEMPT] = DK_VRRP_EV_PREEMPT_DELAY_TIMER,
	};
	struct vrrp_inst *vi = arg;
	struct dk_vrrp_event ev = { .type = ev_of[t - vi->t] };
	struct dk_vrrp_actions acts;

	vi->app->now_us = now_us;
	if (ev.type == DK_VRRP_EV_ADVER_TIMER)
		vi->adv_due_us = t->expire_us;
	if (dk_vrrp_handle(vi->vr, &ev, now_us, &acts) == 0)
		apply(vi, &acts);
	vi->adv_due_us = 0;
}

static void
apply(struct vrrp_inst *vi, const struct dk_vrrp_actions *acts)
{
	struct dk_app *app = vi->app;
	enum dk_vrrp_state old_state = DK_VRRP_STATE_MAX;

	for (unsigned i = 0; i < acts->n; i++) {
		const struct dk_vrrp_action *a = &acts->a[i];

		switch (a->type) {
		case DK_VRRP_ACT_SEND_ADVERT:
			send_advert(vi, a->advert_priority);
			break;
		case DK_VRRP_ACT_GARP_START:
			garp_start(vi, &a->garp);
			break;
		case DK_VRRP_ACT_GARP_STOP:
			dk_timer_cancel(app->wheel, &vi->garp_t);
			break;
		case DK_VRRP_ACT_TAKE_VIPS:
		case DK_VRRP_ACT_RELEASE_VIPS:
			vi->owns = a->type == DK_VRRP_ACT_TAKE_VIPS;
			dk_app_vrrp_publish(app);
			break;
		case DK_VRRP_ACT_TIMER_ARM:
			dk_timer_arm(app->wheel, &vi->t[a->timer.which], a->timer.expire_us);
			break;
		case DK_VRRP_ACT_TIMER_CANCEL:
			dk_timer_cancel(app->wheel, &vi->t[a->timer.which]);
			break;
		case DK_VRRP_ACT_NOTIFY:
			vi->adv_last_us = 0; /* a new state: no gap from the last term */
			vi->transitions++;
			vi->since_us = app->now_us;
			if (old_state == DK_VRRP_STATE_MAX)
				old_state = a->notify.old_state;
			notify(vi, a->notify.new_state);
			break;
		case DK_VRRP_ACT_LOG:
			dk_log(DK_LOGC_VRRP, (enum dk_log_level)a->log.level, "%s", a->log.msg);
			break;
		case DK_VRRP_ACT_SPLIT_BRAIN:
		case DK_VRRP_ACT_SPLIT_BRAIN_RESOLVED:
			split_brain(vi, a, a->type == DK_VRRP_ACT_SPLIT_BRAIN_RESOLVED);
			break;
		default:
			break;
		}
	}
	if (old_state != DK_VRRP_STATE_MAX)
		dk_app_vrrp_sync_changed(vi, old_state);
}

void
dk_app_vrrp_handle(struct vrrp_inst *vi, enum dk_vrrp_event_type type, uint8_t prio)
{
	struct dk_vrrp_event ev = { .type = type };
	struct dk_vrrp_actions acts;

	if (type == DK_VRRP_EV_PRIORITY_CHANGE)
		ev.priority = prio;
	if (dk_vrrp_handle(vi->vr, &ev, vi->app->now_us, &acts) == 0)
		apply(vi, &acts);
}

/* --- input ----------------------------------------------------------------------------- */

void
dk_app_vrrp_input(struct dk_app *app, uint16_t port, struct rte_mbuf *m,
		  const struct dk_pkt_info *info)
{
	struct dk_app_vrrp *g = app->vrrp;
	const uint8_t *frame = rte_pktmbuf_mtod(m, const uint8_t *);
	size_t off = info->l4_off;
	uint8_t vrid;

	/* Under AH (dk_app_is_vrrp checked its next header) the VRRP message follows it;
	 * its length is in 32-bit words, minus 2 (RFC 4302 section 2.2). */
	if (info->proto == DK_IPPROTO_AH && off + 2 <= m->data_len)
		off += ((size_t)frame[off + 1] + 2) * 4;
	if (g == NULL || off + 2 > m->data_len) {
		if (g)
			g->no_instance_port++;
		return;
	}
	vrid = frame[off + 1];
	for (unsigned i = 0; i < g->n; i++) {
		struct vrrp_inst *vi = &g->inst[i];
		struct dk_vrrp_actions acts;
		enum dk_vrrp_rx_verdict verdict;

		if ((vi->port != port && vi->c->n_heartbeat_peers == 0) ||
		    vi->c->vrid != vrid || vi->group.af != info->family)
			continue;
		if (dk_vrrp_rx(vi->vr, frame + info->l3_off, info->l3_end - info->l3_off,
			       app->now_us, &acts, &verdict) == 0)
			apply(vi, &acts);
		if (verdict != DK_VRRP_RX_OK && verdict != DK_VRRP_RX_OWN)
			DK_LOG(VRRP, DEBUG, "(%s) advert dropped: %s", vi->c->name,
			       dk_vrrp_rx_verdict_name(verdict));
		return;
	}
	g->unknown_vrid++;
}

/* --- setup ----------------------------------------------------------------------------- */

static int
inst_init(struct dk_app *app, struct vrrp_inst *vi, const struct dk_conf *conf,
	  const struct dk_conf_vrrp_instance *c)
{
	struct dk_vrrp_params p = { 0 };
	struct dk_addr *vips;
	int port = dk_dp_port_by_name(app->dp, c->interface), rc;
	uint8_t af = c->n_vips ? c->vips[0].pfx.addr.af : AF_INET;

	if (port < 0) {
		DK_LOG(VRRP, ERR, "(%s) interface %s is not a dpkeep port", c->name, c->interface);
		return -ENODEV;
	}
	vi->app = app;
	vi->c = c;
	vi->port = (uint16_t)port;
	vi->base_prio = c->priority;
	vi->group = af == AF_INET ? conf->global.vrrp_mcast_group4 : conf->global.vrrp_mcast_group6;
	snprintf(p.name, sizeof(p.name), "%.*s", (int)sizeof(p.name) - 1, c->name);
	p.version = c->version;
	p.vrid = c->vrid;
	p.priority = c->priority;
	p.advert_int_us = c->advert_int_us;
	p.nopreempt = c->nopreempt;
	p.preempt_delay_us = c->preempt_delay_us;
	p.init_state = c->state == DK_CONF_STATE_MASTER ? DK_VRRP_STATE_MASTER : DK_VRRP_STATE_BACKUP;
	if (!dk_addr_is_unset(dk_conf_vrrp_src_ip(c))) {
		/* mcast_src_ip / unicast_src_ip: the adverts' source and our address in
		 * equal-priority elections (RFC 5798 6.4.3). */
		p.primary = *dk_conf_vrrp_src_ip(c);
	} else if (af == AF_INET6) {
		struct dk_prefix ll;

		/* RFC 5798 5.1.2.1: IPv6 adverts come from the link-local address. */
		dk_app_link_local(&app->hport[port].mac, &ll);
		p.primary = ll.addr;
	} else {
		const struct dk_profile_port *pp = app->dp->ports[port].cfg;

		for (unsigned a = 0; a < pp->n_addrs; a++)
			if (pp->addrs[a].addr.af == af) {
				p.primary = pp->addrs[a].addr;
				break;
			}
	}
	if (dk_addr_is_unset(&p.primary)) {
		DK_LOG(VRRP, ERR, "(%s) port %s has no %s address to send adverts from", c->name,
		       c->interface, af == AF_INET ? "IPv4" : "IPv6");
		return -EADDRNOTAVAIL;
	}
	p.accept = c->accept;
	p.strict = c->strict_mode || conf->global.vrrp_strict;
	p.unicast = c->n_unicast_peers > 0;
	p.ttl_min = 1;
	p.ttl_max = 255;
	p.auth_type = (uint8_t)(c->auth_type == DK_CONF_AUTH_PASS ? DK_VRRP_AUTH_PASS :
				c->auth_type == DK_CONF_AUTH_AH ? DK_VRRP_AUTH_AH : DK_VRRP_AUTH_NONE);
	memcpy(p.auth_pass, c->auth_pass, strnlen(c->auth_pass, sizeof(p.auth_pass)));
	vips = calloc(c->n_vips ? c->n_vips : 1, sizeof(*vips));
	if (vips == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n_vips; i++)
		vips[i] = c->vips[i].pfx.addr;
	p.vips = vips;
	p.n_vips = c->n_vips;
	p.garp_master.repeat = c->garp_master_repeat;
	p.garp_master.delay_us = c->garp_master_delay_us;
	p.garp_master.refresh_us = c->garp_master_refresh_us;
	p.garp_master.refresh_repeat = c->garp_master_refresh_repeat;
	p.garp_lower_prio_repeat = c->garp_lower_prio_repeat;
	rc = dk_vrrp_create(&p, &vi->vr);
	free(vips);
	if (rc < 0) {
		DK_LOG(VRRP, ERR, "(%s) cannot create the instance: %s", c->name, strerror(-rc));
		return rc;
	}
	vi->src_mac = app->hport[port].mac;
	if (c->use_vmac) {
		/* RFC 5798 7.3; the port accepts it while we are master (publish_vmacs). */
		uint8_t vmac[6] = { 0x00, 0x00, 0x5e, 0x00, af == AF_INET ? 0x01 : 0x02, c->vrid };

		memcpy(vi->src_mac.b, vmac, 6);
	}
	for (unsigned t = 0; t < DK_VRRP_TIMER_MAX; t++)
		dk_timer_init(&vi->t[t], vrrp_timer, vi);
	dk_timer_init(&vi->garp_t, garp_timer, vi);
	vi->notify_q.user = conf->global.script_user_set ? conf->global.script_user : NULL;
	vi->notify_q.timeout_us = NOTIFY_TIMEOUT_US;
	return 0;
}

int
dk_app_vrrp_init(struct dk_app *app, const struct dk_conf *conf)
{
	struct dk_app_vrrp *g = calloc(1, sizeof(*g));
	int rc;

	if (g == NULL)
		return -ENOMEM;
	app->vrrp = g;
	g->script_user = conf->global.script_user_set ? conf->global.script_user : NULL;
	g->inst = calloc(conf->n_vrrp ? conf->n_vrrp : 1, sizeof(*g->inst));
	if (g->inst == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < conf->n_vrrp; i++) {
		rc = inst_init(app, &g->inst[i], conf, &conf->vrrp[i]);
		if (rc < 0)
			return rc;
		g->n++;
	}
	rc = dk_app_vrrp_fifo_init(app, conf);
	if (rc < 0)
		return rc;
	return dk_app_vrrp_track_init(app, conf);
}

void
dk_app_vrrp_start(struct dk_app *app)
{
	struct dk_app_vrrp *g = app->vrrp;

	if (g == NULL)
		return;
	dk_app_vrrp_track_start(app);
	for (unsigned i = 0; i < g->n; i++) {
		g->inst[i].since_us = app->now_us;
		dk_app_vrrp_handle(&g->inst[i], DK_VRRP_EV_START, 0);
	}
}

void
dk_app_vrrp_shutdown(struct dk_app *app)
{
	struct dk_app_vrrp *g = app->vrrp;

	app->now_us = dk_app_now_us();
	for (unsigned i = 0; g && i < g->n; i++) {
		struct vrrp_inst *vi = &g->inst[i];

		dk_app_vrrp_handle(vi, DK_VRRP_EV_SHUTDOWN, 0);
		if (vi->c->notify_stop[0])
			dk_proc_queue_push(&vi->notify_q, vi->c->notify_stop, app->now_us);
	}
}

void
dk_app_vrrp_fini(struct dk_app *app)
{
	struct dk_app_vrrp *g = app->vrrp;

	if (g == NULL)
		return;
	if (g->scripts)
		dk_app_vrrp_track_fini(app);
	dk_app_vrrp_fifo_fini(app);
	for (unsigned i = 0; i < g->n; i++) {
		struct vrrp_inst *vi = &g->inst[i];

		for (unsigned t = 0; t < DK_VRRP_TIMER_MAX; t++)
			dk_timer_cancel(app->wheel, &vi->t[t]);
		dk_timer_cancel(app->wheel, &vi->garp_t);
		dk_proc_queue_free(&vi->notify_q);
		dk_vrrp_free(vi->vr);
	}
	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		app->hport[p].n_vips = 0;
		app->dp->ports[p].n_extra_mac = 0;
	}
	free(g->inst);
	free(g);
	app->vrrp = NULL;
}
