/*
 * Virtual servers on the control lcore: configuration to lib/lb tables, next hops and
 * served VIPs refreshed on a timer, snapshots published to the workers under RCU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_app.h"
#include "dk_log.h"
#include "lb.h"
#include "vrrp.h"

#define REFRESH_US (200 * DK_USEC_PER_MSEC)
/* Real-server slots beyond the first configuration's (lb_slot_headroom): the workers'
 * per-slot load and stats arrays are sized once. A removed server's slot is handed out
 * again once its last connection is gone, so this bounds servers present (or draining)
 * at once, not how many reloads ever add. */
#define SLOT_HEADROOM 1024

/* The services a reload starts from: live ones and removed ones still draining. */
struct prev {
	const struct dk_app_lb_vs *vs;
	unsigned n;
	const struct dk_app_lb_vs *gone;
	unsigned n_gone;
};

/* Live services first (their index is the table's), then removed ones. */
static unsigned
n_all(const struct dk_app_lb *g)
{
	return g->n_vs + g->n_gone_vs;
}

static struct dk_app_lb_vs *
vs_at(struct dk_app_lb *g, unsigned i)
{
	return i < g->n_vs ? &g->vs[i] : &g->gone_vs[i - g->n_vs];
}

static uint8_t
proto_of(enum dk_conf_proto p)
{
	return p == DK_CONF_PROTO_UDP ? DK_LB_PROTO_UDP : DK_LB_PROTO_TCP;
}

static enum dk_lb_fwd
fwd_of(enum dk_conf_lb_kind k)
{
	switch (k) {
	case DK_CONF_LB_DR: return DK_LB_FWD_DR;
	case DK_CONF_LB_TUN: return DK_LB_FWD_TUN;
	case DK_CONF_LB_FNAT: return DK_LB_FWD_FNAT;
	case DK_CONF_LB_NAT: break;
	}
	return DK_LB_FWD_NAT;
}

static void
backend_params(const struct dk_app_lb_rs *r, struct dk_lb_backend_params *b)
{
	b->addr = r->ip;
	b->port = r->port;
	b->weight = r->weight;
	b->slot = r->slot;
	b->flags = (r->alive ? DK_LB_BACKEND_F_ALIVE : 0) |
		   (r->drained ? DK_LB_BACKEND_F_INHIBITED : 0);
}

static int
build_table(struct dk_app *app, struct dk_lb_table **out)
{
	struct dk_app_lb *g = app->lb;
	unsigned n = n_all(g);
	struct dk_lb_service_params *sp = calloc(n ? n : 1, sizeof(*sp));
	struct dk_lb_backend_params *bp = calloc(g->max_slots ? g->max_slots : 1, sizeof(*bp));
	struct dk_lb_table_params tp = { .services = sp, .n_services = n,
					 .n_workers = app->dp->n_workers,
					 .max_slots = g->max_slots ? g->max_slots : 1,
					 .seed = app->start_us };
	unsigned nb = 0;
	int rc = -ENOMEM;

	if (sp == NULL || bp == NULL)
		goto out;
	for (unsigned i = 0; i < n; i++) {
		const struct dk_app_lb_vs *v = vs_at(g, i);
		const struct dk_conf_vs *c = v->c;

		sp[i].vip = v->vip;
		sp[i].port = v->port;
		sp[i].proto = v->proto;
		sp[i].sched = c->lb_algo;
		sp[i].fwd = fwd_of(c->lb_kind);
		if (c->conn_full_stateless)
			sp[i].flags |= DK_LB_SVC_F_STATELESS;
		if (c->expire_nodest_conn)
			sp[i].flags |= DK_LB_SVC_F_EXPIRE_NODEST;
		/* Removed: no backend to schedule, so no Maglev table either. */
		if (v->own)
			sp[i].flags = (sp[i].flags & ~DK_LB_SVC_F_STATELESS) | DK_LB_SVC_F_GONE;
		sp[i].persist_timeout_s = (uint32_t)(c->persistence_timeout_us / DK_USEC_PER_SEC);
		if (c->persistence_granularity.addr.af)
			sp[i].persist_prefix_len = c->persistence_granularity.len;
		sp[i].quorum = c->quorum;
		sp[i].hysteresis = c->hysteresis;
		sp[i].quorum_was_up = v->quorum_up;
		sp[i].backends = &bp[nb];
		sp[i].n_backends = v->n_rs;
		for (unsigned r = 0; r < v->n_rs; r++)
			backend_params(&v->rs[r], &bp[nb++]);
		sp[i].removed = &bp[nb];
		sp[i].n_removed = v->n_gone;
		for (unsigned r = 0; r < v->n_gone; r++)
			backend_params(&v->gone[r], &bp[nb++]);
		if (v->sorry) {
			backend_params(v->sorry, &bp[nb]);
			sp[i].sorry = &bp[nb++];
		}
	}
	rc = dk_lb_table_build(&tp, out);
	for (unsigned i = 0; rc == 0 && i < g->n_vs; i++)
		g->vs[i].quorum_up = dk_lb_table_service(*out, i)->quorum_up;
out:
	free(sp);
	free(bp);
	return rc;
}

static void
resolve_hop(struct dk_app *app, const struct dk_addr *ip, struct dk_dp_lb_hop *h)
{
	struct dk_route_hop rh;
	struct dk_mac mac;
	const struct dk_host_port *hp;

	memset(h, 0, sizeof(*h));
	if (dk_route_lookup(app->routes, ip, &rh) < 0)
		return;
	h->port = rh.port;
	hp = &app->hport[rh.port];
	/* Outer sources of TUN: the port's first address of each family (IPv6: not a
	 * link-local one, the backend may be routed). */
	for (unsigned a = hp->n_addrs; a-- > 0;) {
		const struct dk_addr *pa = &hp->addrs[a].addr;

		if (pa->af == AF_INET)
			h->src4 = pa->v4;
		else if (pa->af == AF_INET6 && !(pa->v6[0] == 0xfe && (pa->v6[1] & 0xc0) == 0x80))
			memcpy(h->src6, pa->v6, 16);
	}
	/* A miss starts resolution; the next refresh publishes the answer. */
	if (dk_neigh_lookup(app->neigh, rh.port, &rh.next_hop, NULL, app->now_us, &mac) ==
	    DK_NEIGH_FOUND) {
		memcpy(h->dst.addr_bytes, mac.b, 6);
		h->valid = true;
	}
}

static bool
vip_served(const struct dk_app *app, const struct dk_addr *vip)
{
	bool listed, owned = dk_app_vrrp_vip_owned(app, vip, &listed);

	return !listed || owned;
}

static void
snap_free(struct dk_dp_lb_snap *s, bool with_table)
{
	if (s == NULL)
		return;
	if (with_table)
		dk_lb_table_free(s->lb);
	free(s->hops);
	free(s->served);
	free(s);
}

static void
slot_reset(void *arg, uint32_t slot)
{
	dk_dp_lb_slot_reset(arg, slot);
}

/*
 * A table built from the current services is published and no worker holds an older
 * one: every removed server in a gone list is out of scheduling everywhere, and the slots
 * prune_gone let go are in no table, so they are free (their counters zeroed) for reuse.
 */
static void
published(struct dk_app_lb *g)
{
	for (unsigned i = 0; i < n_all(g); i++) {
		struct dk_app_lb_vs *v = vs_at(g, i);

		for (unsigned r = 0; r < v->n_gone; r++)
			v->gone[r].gone_pub = true;
	}
	dk_lb_slots_published(g->slots, slot_reset, g->dp);
}

/* Builds the current view; publishes it when it differs from what workers have. */
static int
refresh(struct dk_app *app, bool force)
{
	struct dk_app_lb *g = app->lb;
	const struct dk_dp_lb_snap *cur = g->dp->cur;
	struct dk_dp_lb_snap *s = calloc(1, sizeof(*s)), *old;
	struct dk_lb_table *t = g->table;
	unsigned n = n_all(g);
	bool built = false;
	int rc = -ENOMEM;

	if (s == NULL)
		return -ENOMEM;
	s->hops = calloc(g->max_slots ? g->max_slots : 1, sizeof(*s->hops));
	s->served = calloc(n ? n : 1, 1);
	if (s->hops == NULL || s->served == NULL)
		goto fail;
	s->max_slots = g->max_slots;
	for (unsigned i = 0; i < n; i++) {
		const struct dk_app_lb_vs *v = vs_at(g, i);

		s->served[i] = vip_served(app, &v->vip);
		s->has_nat |= v->c->lb_kind == DK_CONF_LB_NAT;
		s->has_fnat |= v->c->lb_kind == DK_CONF_LB_FNAT;
		if (v->c->lb_kind == DK_CONF_LB_NAT && v->c->persistence_timeout_us) {
			uint8_t len = v->c->persistence_granularity.addr.af ?
				v->c->persistence_granularity.len : 32;

			if (s->nat_own_prefix == 0 || len < s->nat_own_prefix)
				s->nat_own_prefix = len;
		}
		for (unsigned r = 0; r < v->n_rs; r++)
			resolve_hop(app, &v->rs[r].ip, &s->hops[v->rs[r].slot]);
		for (unsigned r = 0; r < v->n_gone; r++)
			resolve_hop(app, &v->gone[r].ip, &s->hops[v->gone[r].slot]);
		if (v->sorry)
			resolve_hop(app, &v->sorry->ip, &s->hops[v->sorry->slot]);
	}
	memcpy(s->laddrs, g->laddrs, sizeof(s->laddrs));
	s->n_laddrs = g->n_laddrs;
	for (unsigned p = 0; p < app->dp->n_ports; p++)
		for (unsigned a = 0; a < app->hport[p].n_addrs && s->n_own < DK_DP_LB_MAX_ADDRS;
		     a++)
			s->own[s->n_own++] = app->hport[p].addrs[a].addr;
	if (g->rebuild || t == NULL) {
		rc = build_table(app, &t);
		if (rc < 0) {
			DK_LOG(LB, ERR, "service table not built: %s", strerror(-rc));
			goto fail;
		}
		force = true;
		built = true;
	}
	s->lb = t;
	if (!force && cur && memcmp(cur->served, s->served, n ? n : 1) == 0 &&
	    memcmp(cur->hops, s->hops, sizeof(*s->hops) * (g->max_slots ? g->max_slots : 1)) ==
		    0) {
		snap_free(s, false);
		return 0;
	}
	g->rebuild = false;
	g->table = t;
	old = dk_dp_lb_publish(g->dp, s);
	snap_free(old, old && old->lb != t);
	if (built)
		published(g);
	return 0;
fail:
	snap_free(s, false);
	return rc;
}

/*
 * Lets go of removed real servers whose last connection has ended. Only here, never in
 * the reload itself: the table that removed them is published (grace period over), so no
 * worker can still schedule a new flow to one, and a zero count stays zero.
 */
static void
prune_gone(struct dk_app *app)
{
	struct dk_app_lb *g = app->lb;
	struct dk_app_lb_totals t;
	char vn[DK_ADDRSTRLEN + 16], a[DK_ADDRSTRLEN];
	bool any = false;

	for (unsigned i = 0; i < n_all(g) && !any; i++)
		any = vs_at(g, i)->n_gone > 0;
	if (!any || dk_app_lb_totals_get(app, &t) < 0)
		return;
	for (unsigned i = 0; i < n_all(g); i++) {
		struct dk_app_lb_vs *v = vs_at(g, i);
		unsigned keep = 0;

		for (unsigned r = 0; r < v->n_gone; r++) {
			const struct dk_app_lb_rs *x = &v->gone[r];

			if (!x->gone_pub ||
			    t.load[x->slot].active + t.load[x->slot].inactive > 0) {
				v->gone[keep++] = *x;
				continue;
			}
			DK_LOG(LB, INFO, "%s: removed real server %s:%u has no connections left",
			       dk_app_lb_vs_name(v, vn, sizeof(vn)),
			       dk_addr_fmt(&x->ip, a, sizeof(a)), x->port);
			/* Free once the table built next (without it) is published. */
			dk_lb_slots_retire(g->slots, x->slot);
			g->rebuild = true;
		}
		v->n_gone = keep;
	}
	dk_app_lb_totals_free(&t);
	/* A removed service goes with its last removed server. */
	for (unsigned i = 0, keep = 0, n = g->n_gone_vs; i < n; i++) {
		struct dk_app_lb_vs *v = &g->gone_vs[i];

		if (v->n_gone) {
			g->gone_vs[keep++] = *v;
			continue;
		}
		DK_LOG(LB, INFO, "%s: removed virtual server has no connections left",
		       dk_app_lb_vs_name(v, vn, sizeof(vn)));
		free(v->gone);
		free(v->own);
		g->n_gone_vs--;
	}
}

static void
refresh_tick(struct dk_timer *t, void *arg, uint64_t now_us)
{
	struct dk_app *app = arg;

	prune_gone(app);
	refresh(app, false);
	dk_dp_lb_load_publish(app->lb->dp);
	dk_timer_arm(app->wheel, t, now_us + REFRESH_US);
}

/* ARP/echo for VIPs in no VRRP instance and for FNAT local addresses, on their link. */
static bool
lb_owns(void *ctx, const struct dk_addr *a, struct dk_mac *mac)
{
	const struct dk_app_lb_owns *o = ctx;
	struct dk_app *app = o->app;
	const struct dk_host_port *hp = &app->hport[o->port];
	bool mine = false, listed, on_link = false;

	for (unsigned i = 0; i < app->lb->n_laddrs && !mine; i++)
		mine = dk_addr_eq(&app->lb->laddrs[i], a);
	/* A removed service's VIP too while its flows finish: the router must still reach
	 * it. */
	for (unsigned i = 0; i < n_all(app->lb) && !mine; i++)
		mine = dk_addr_eq(&vs_at(app->lb, i)->vip, a) &&
		       !dk_app_vrrp_vip_owned(app, a, &listed) && !listed;
	if (!mine)
		return false;
	for (unsigned i = 0; i < hp->n_addrs && !on_link; i++)
		on_link = dk_prefix_contains(&hp->addrs[i], a);
	/* Off every subnet: answer everywhere, as a host holding it on lo would. */
	for (unsigned p = 0; !on_link && p < app->dp->n_ports; p++)
		for (unsigned i = 0; i < app->hport[p].n_addrs; i++)
			if (dk_prefix_contains(&app->hport[p].addrs[i], a))
				return false;
	*mac = hp->mac;
	return true;
}

static void
add_laddrs(struct dk_app_lb *g, const struct dk_conf *conf, const char *group)
{
	for (unsigned i = 0; i < conf->n_laddr_groups; i++) {
		const struct dk_conf_laddr_group *lg = &conf->laddr_groups[i];

		if (strcmp(lg->name, group) != 0)
			continue;
		for (unsigned a = 0; a < lg->n_addrs; a++) {
			bool dup = false;

			for (unsigned k = 0; k < g->n_laddrs; k++)
				dup |= dk_addr_eq(&g->laddrs[k], &lg->addrs[a]);
			if (!dup && g->n_laddrs < DK_DP_LB_MAX_ADDRS)
				g->laddrs[g->n_laddrs++] = lg->addrs[a];
		}
	}
}

static struct dk_app_lb_rs *
rs_new(const struct dk_conf_rs *c, const struct dk_addr *ip, uint16_t port, int weight,
       uint32_t slot)
{
	struct dk_app_lb_rs *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->c = c;
	r->ip = *ip;
	r->port = port;
	r->weight = weight > 0 ? (uint32_t)weight : 0;
	r->slot = slot;
	r->alive = true;
	return r;
}

static int
slot_new(struct dk_app_lb *g, uint32_t *slot)
{
	int rc = dk_lb_slots_alloc(g->slots, slot);

	if (rc == 0 && *slot >= g->max_slots)
		g->max_slots = *slot + 1;
	return rc;
}

static const struct dk_app_lb_vs *
vs_in(const struct dk_app_lb_vs *list, unsigned n, const struct dk_app_lb_vs *v)
{
	for (unsigned i = 0; i < n; i++)
		if (dk_addr_eq(&list[i].vip, &v->vip) && list[i].port == v->port &&
		    list[i].proto == v->proto)
			return &list[i];
	return NULL;
}

/* The same service in the previous generation (one removed but draining included). */
static const struct dk_app_lb_vs *
old_vs(const struct prev *pv, const struct dk_app_lb_vs *v)
{
	const struct dk_app_lb_vs *o;

	if (pv == NULL)
		return NULL;
	o = vs_in(pv->vs, pv->n, v);
	return o ? o : vs_in(pv->gone, pv->n_gone, v);
}

static const struct dk_app_lb_rs *
rs_in(const struct dk_app_lb_rs *list, unsigned n, const struct dk_addr *ip, uint16_t port)
{
	for (unsigned r = 0; r < n; r++)
		if (dk_addr_eq(&list[r].ip, ip) && list[r].port == port)
			return &list[r];
	return NULL;
}

/* The same real server in the previous generation (one still draining after an earlier
 * removal included): same service key and address. */
static const struct dk_app_lb_rs *
old_rs(const struct dk_app_lb_vs *o, const struct dk_app_lb_rs *x)
{
	const struct dk_app_lb_rs *r;

	if (o == NULL)
		return NULL;
	r = rs_in(o->rs, o->n_rs, &x->ip, x->port);
	return r ? r : rs_in(o->gone, o->n_gone, &x->ip, x->port);
}

static bool
slot_in(const struct dk_app_lb_vs *v, uint32_t slot)
{
	for (unsigned r = 0; r < v->n_rs; r++)
		if (v->rs[r].slot == slot)
			return true;
	return v->sorry && v->sorry->slot == slot;
}

/* Keeps the old generation's servers (real, removed or sorry) whose slot the new one does
 * not use, for their flows. */
static int
keep_gone(struct dk_app_lb_vs *v, const struct dk_app_lb_vs *o)
{
	unsigned n = o->n_rs + o->n_gone + (o->sorry != NULL);

	if (n == 0)
		return 0;
	v->gone = calloc(n, sizeof(*v->gone));
	if (v->gone == NULL)
		return -ENOMEM;
	for (unsigned r = 0; r < n; r++) {
		bool was_live = r < o->n_rs || r == o->n_rs + o->n_gone;
		const struct dk_app_lb_rs *x = r < o->n_rs ? &o->rs[r] :
					       !was_live ? &o->gone[r - o->n_rs] : o->sorry;

		if (slot_in(v, x->slot))
			continue;
		v->gone[v->n_gone] = *x;
		/* Its configuration block goes with the old configuration. */
		v->gone[v->n_gone].c = NULL;
		/* Tables the workers hold still schedule it until the next is published. */
		if (was_live)
			v->gone[v->n_gone].gone_pub = false;
		v->n_gone++;
	}
	return 0;
}

/* Keeps what a reload must not lose: the slot (so flows keep their backend), health and
 * drain state, and a weight set at run time while the configured weight is unchanged. */
static void
carry_over(struct dk_app_lb_rs *x, const struct dk_app_lb_rs *o)
{
	x->slot = o->slot;
	x->alive = o->alive;
	x->drained = o->drained;
	if (o->c && x->c && o->c->weight == x->c->weight)
		x->weight = o->weight;
}

/* One service for (vip, port) of block c: a virtual_server IP PORT, or one address and
 * port of its virtual_server_group (every one with the block's real servers). */
static int
add_service(struct dk_app *app, const struct dk_conf_vs *c, const struct dk_addr *vip,
	    uint16_t port, const struct prev *pv)
{
	struct dk_app_lb *g = app->lb;
	struct dk_app_lb_vs *v = &g->vs[g->n_vs];
	const struct dk_app_lb_vs *ov;
	char a[DK_ADDRSTRLEN];
	int rc;

	for (unsigned i = 0; i < g->n_vs; i++)
		if (dk_addr_eq(&g->vs[i].vip, vip) && g->vs[i].port == port &&
		    g->vs[i].proto == proto_of(c->proto)) {
			DK_LOG(LB, WARNING, "virtual_server at line %d: %s port %u is already "
			       "served by the one at line %d", c->line,
			       dk_addr_fmt(vip, a, sizeof(a)), port, g->vs[i].c->line);
			return 0;
		}
	v->c = c;
	v->vip = *vip;
	v->port = port;
	v->proto = proto_of(c->proto);
	v->quorum_up = true;
	ov = old_vs(pv, v);
	v->rs = calloc(c->n_rs ? c->n_rs : 1, sizeof(*v->rs));
	if (v->rs == NULL)
		return -ENOMEM;
	/* Counted now: a failure below leaves v for free_services. */
	g->n_vs++;
	for (unsigned r = 0; r < c->n_rs; r++) {
		struct dk_app_lb_rs *x = &v->rs[r];

		x->c = &c->rs[r];
		x->ip = c->rs[r].ip;
		x->port = c->rs[r].port ? c->rs[r].port : port;
		x->weight = c->rs[r].weight > 0 ? (uint32_t)c->rs[r].weight : 0;
		x->alive = true;
		const struct dk_app_lb_rs *o = old_rs(ov, x);

		if (o) {
			carry_over(x, o);
			continue;
		}
		rc = slot_new(g, &x->slot);
		if (rc < 0)
			return rc;
	}
	v->n_rs = c->n_rs;
	if (c->sorry_server.af) {
		uint16_t sp = c->sorry_server_port ? c->sorry_server_port : port;
		uint32_t slot;

		if (ov && ov->sorry && dk_addr_eq(&ov->sorry->ip, &c->sorry_server) &&
		    ov->sorry->port == sp) {
			slot = ov->sorry->slot;
		} else {
			rc = slot_new(g, &slot);
			if (rc < 0)
				return rc;
		}
		v->sorry = rs_new(NULL, &c->sorry_server, sp, 1, slot);
		if (v->sorry == NULL)
			return -ENOMEM;
	}
	/* After the sorry server: an old one not kept drains like a removed server. */
	if (ov && keep_gone(v, ov) < 0)
		return -ENOMEM;
	return 0;
}

static const struct dk_conf_vsg *
vsg_of(const struct dk_conf *conf, const struct dk_conf_vs *c)
{
	for (unsigned i = 0; i < conf->n_vsgs; i++)
		if (strcmp(conf->vsgs[i].name, c->group) == 0)
			return &conf->vsgs[i];
	return NULL;
}

/* Addresses in a group entry's range: the last octet (IPv4) or last 16 bits (IPv6). */
static unsigned
range_len(const struct dk_conf_vsg_entry *e)
{
	if (e->first.af == AF_INET6)
		return (unsigned)((e->last.b[14] << 8 | e->last.b[15]) -
				  (e->first.b[14] << 8 | e->first.b[15])) + 1;
	return (unsigned)(e->last.b[3] - e->first.b[3]) + 1;
}

static struct dk_addr
range_addr(const struct dk_conf_vsg_entry *e, unsigned k)
{
	struct dk_addr a = e->first;

	if (a.af == AF_INET6) {
		unsigned lo = (unsigned)(a.b[14] << 8 | a.b[15]) + k;

		a.b[14] = (uint8_t)(lo >> 8);
		a.b[15] = (uint8_t)lo;
	} else {
		a.b[3] = (uint8_t)(a.b[3] + k);
	}
	return a;
}

/* How many services block c stands for; 0 for what dpkeep cannot serve (said once). */
static unsigned
n_services(const struct dk_conf *conf, const struct dk_conf_vs *c, bool warn)
{
	const struct dk_conf_vsg *vg;
	unsigned n = 0;

	if (c->key == DK_CONF_VS_ADDR)
		return 1;
	if (c->key == DK_CONF_VS_FWMARK) {
		if (warn)
			DK_LOG(LB, WARNING, "virtual_server fwmark %u at line %d: not served "
			       "(dpkeep sees no netfilter marks)", c->fwmark, c->line);
		return 0;
	}
	vg = vsg_of(conf, c);
	for (unsigned e = 0; vg && e < vg->n_entries; e++) {
		if (vg->entries[e].fwmark) {
			if (warn)
				DK_LOG(LB, WARNING, "virtual_server_group %s at line %d: fwmark %u "
				       "not served (dpkeep sees no netfilter marks)", vg->name,
				       vg->line, vg->entries[e].fwmark);
			continue;
		}
		n += range_len(&vg->entries[e]);
	}
	return n;
}

static int
setup_services(struct dk_app *app, const struct prev *pv)
{
	const struct dk_conf *conf = app->conf;
	struct dk_app_lb *g = app->lb;
	size_t n = 0;
	int rc;

	for (unsigned i = 0; i < conf->n_vs; i++)
		n += n_services(conf, &conf->vs[i], true);
	g->vs = calloc(n ? n : 1, sizeof(*g->vs));
	if (g->vs == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < conf->n_vs; i++) {
		const struct dk_conf_vs *c = &conf->vs[i];
		const struct dk_conf_vsg *vg;

		if (n_services(conf, c, false) == 0)
			continue;
		if (c->key == DK_CONF_VS_ADDR) {
			rc = add_service(app, c, &c->vip, c->port, pv);
			if (rc < 0)
				return rc;
		}
		vg = c->key == DK_CONF_VS_GROUP ? vsg_of(conf, c) : NULL;
		for (unsigned e = 0; vg && e < vg->n_entries; e++) {
			const struct dk_conf_vsg_entry *ge = &vg->entries[e];

			for (unsigned k = 0; !ge->fwmark && k < range_len(ge); k++) {
				struct dk_addr a = range_addr(ge, k);

				rc = add_service(app, c, &a, ge->port, pv);
				if (rc < 0)
					return rc;
			}
		}
		if (c->lb_kind == DK_CONF_LB_FNAT)
			add_laddrs(g, conf, c->laddr_group);
	}
	return 0;
}

/* lvs_timeouts: tcp is ESTABLISHED and udp is UDP, as in IPVS; tcpfin, FIN_WAIT only in
 * IPVS, is every closing state here (FIN_WAIT, CLOSE_WAIT, LAST_ACK, TIME_WAIT), so
 * one knob says how long a finished connection lingers (CLOSE keeps its 10 s). */
static void
conn_timeouts(const struct dk_conf_global *gl, uint32_t *t)
{
	memset(t, 0, sizeof(uint32_t) * DK_CONN_S_MAX);
	t[DK_CONN_S_ESTABLISHED] = gl->lvs_timeout_tcp_s;
	t[DK_CONN_S_FIN_WAIT] = gl->lvs_timeout_tcpfin_s;
	t[DK_CONN_S_CLOSE_WAIT] = gl->lvs_timeout_tcpfin_s;
	t[DK_CONN_S_LAST_ACK] = gl->lvs_timeout_tcpfin_s;
	t[DK_CONN_S_TIME_WAIT] = gl->lvs_timeout_tcpfin_s;
	t[DK_CONN_S_UDP] = gl->lvs_timeout_udp_s;
}

int
dk_app_lb_init(struct dk_app *app)
{
	struct dk_dp_lb_params p = { .dp = app->dp };
	struct dk_app_lb *g;
	int rc;

	if (app->conf == NULL || app->conf->n_vs == 0)
		return 0;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	app->lb = g;
	/* As many as the first configuration could take, and the headroom. */
	g->slot_cap = app->conf->global.lb_slot_headroom ? app->conf->global.lb_slot_headroom :
							  SLOT_HEADROOM;
	for (unsigned i = 0; i < app->conf->n_vs; i++) {
		const struct dk_conf_vs *c = &app->conf->vs[i];

		g->slot_cap += n_services(app->conf, c, false) *
			       (c->n_rs + (c->sorry_server.af ? 1 : 0));
	}
	if (g->slot_cap > DK_CONN_MAX_SLOTS) {
		/* A connection entry names its real server in 16 bits. */
		DK_LOG(LB, ERR, "%u real server slots (the configured real servers and "
		       "lb_slot_headroom), at most %u supported", g->slot_cap, DK_CONN_MAX_SLOTS);
		return -EINVAL;
	}
	rc = dk_lb_slots_create(g->slot_cap, &g->slots);
	if (rc < 0)
		return rc;
	rc = setup_services(app, NULL);
	if (rc < 0)
		return rc;
	p.max_slots = g->slot_cap;
	p.laddrs = g->laddrs;
	p.n_laddrs = g->n_laddrs;
	p.seed = app->start_us;
	p.max_conns = app->conf->global.lb_conn_table_size;
	conn_timeouts(&app->conf->global, p.timeout_s);
	rc = dk_dp_lb_create(&p, &g->dp);
	if (rc < 0)
		return rc;
	rc = refresh(app, true);
	if (rc < 0)
		return rc;
	for (unsigned port = 0; port < app->dp->n_ports; port++) {
		g->owns[port].app = app;
		g->owns[port].port = (uint16_t)port;
		app->hport[port].owns = lb_owns;
		app->hport[port].owns_ctx = &g->owns[port];
	}
	dk_dp_lb_attach(g->dp);
	dk_timer_init(&g->timer, refresh_tick, app);
	dk_timer_arm(app->wheel, &g->timer, app->now_us + REFRESH_US);
	DK_LOG(LB, INFO, "%u virtual server(s), %u real server slot(s), %u worker(s)", g->n_vs,
	       g->max_slots, app->dp->n_workers);
	return 0;
}

static void
free_services(struct dk_app_lb_vs *vs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		free(vs[i].rs);
		free(vs[i].gone);
		free(vs[i].sorry);
		free(vs[i].own);
	}
	free(vs);
}

void
dk_app_lb_fini(struct dk_app *app)
{
	struct dk_app_lb *g = app->lb;

	if (g == NULL)
		return;
	if (dk_timer_armed(&g->timer))
		dk_timer_cancel(app->wheel, &g->timer);
	for (unsigned p = 0; p < app->dp->n_ports; p++)
		app->hport[p].owns = NULL;
	if (g->dp) {
		app->dp->fast = NULL;
		app->dp->fast_poll = NULL;
		snap_free(dk_dp_lb_free(g->dp), true);
	}
	free_services(g->vs, g->n_vs);
	free_services(g->gone_vs, g->n_gone_vs);
	dk_lb_slots_free(g->slots);
	free(g);
	app->lb = NULL;
}

/*
 * Services of the previous generation that the new one lacks, with flows that may still
 * run: kept, all their servers removed ones, on a copy of their block (the old
 * configuration is freed after the reload).
 */
static int
gone_services(struct dk_app_lb *g, const struct prev *pv)
{
	unsigned n = pv->n + pv->n_gone;

	g->gone_vs = calloc(n ? n : 1, sizeof(*g->gone_vs));
	if (g->gone_vs == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		const struct dk_app_lb_vs *o = i < pv->n ? &pv->vs[i] : &pv->gone[i - pv->n];
		struct dk_app_lb_vs *v = &g->gone_vs[g->n_gone_vs];
		char vn[DK_ADDRSTRLEN + 16];

		if (vs_in(g->vs, g->n_vs, o) || o->n_rs + o->n_gone + (o->sorry != NULL) == 0)
			continue;
		v->own = malloc(sizeof(*v->own));
		if (v->own == NULL)
			return -ENOMEM;
		g->n_gone_vs++;
		*v->own = *o->c;
		v->own->rs = NULL;
		v->own->n_rs = 0;
		v->c = v->own;
		v->vip = o->vip;
		v->port = o->port;
		v->proto = o->proto;
		v->quorum_up = o->quorum_up;
		if (keep_gone(v, o) < 0)
			return -ENOMEM;
		if (i < pv->n)
			DK_LOG(LB, INFO, "%s: removed virtual server kept while its connections "
			       "finish; no new ones", dk_app_lb_vs_name(v, vn, sizeof(vn)));
	}
	return 0;
}

int
dk_app_lb_reload(struct dk_app *app)
{
	struct dk_app_lb *g = app->lb;
	struct dk_app_lb_vs *old, *old_gone;
	struct dk_lb_slots *slots_was;
	struct dk_addr laddrs[DK_DP_LB_MAX_ADDRS];
	unsigned n_old, n_old_gone, n_laddrs;
	struct prev pv;
	uint32_t slots;
	int rc;

	if (g == NULL)
		return dk_app_lb_init(app);
	rc = dk_lb_slots_clone(g->slots, &slots_was);
	if (rc < 0)
		return rc;
	old = g->vs;
	n_old = g->n_vs;
	old_gone = g->gone_vs;
	n_old_gone = g->n_gone_vs;
	pv = (struct prev){ .vs = old, .n = n_old, .gone = old_gone, .n_gone = n_old_gone };
	slots = g->max_slots;
	memcpy(laddrs, g->laddrs, sizeof(laddrs));
	n_laddrs = g->n_laddrs;
	g->vs = NULL;
	g->n_vs = 0;
	g->gone_vs = NULL;
	g->n_gone_vs = 0;
	g->n_laddrs = 0;
	rc = setup_services(app, &pv);
	if (rc == 0 && (g->n_laddrs != n_laddrs ||
			memcmp(g->laddrs, laddrs, sizeof(laddrs[0]) * n_laddrs) != 0)) {
		/* Each worker's FNAT port pools are built once, for these addresses. */
		DK_LOG(LB, ERR, "reload: local_address_group changes need a restart");
		rc = -EBUSY;
	}
	if (rc == 0)
		rc = gone_services(g, &pv);
	if (rc < 0) {
		if (rc == -ENOSPC)
			DK_LOG(LB, ERR, "reload: no real server slot left (%u, lb_slot_headroom "
			       "included, are taken by present or draining servers): needs a "
			       "restart", dk_lb_slots_cap(g->slots));
		free_services(g->vs, g->n_vs);
		free_services(g->gone_vs, g->n_gone_vs);
		g->vs = old;
		g->n_vs = n_old;
		g->gone_vs = old_gone;
		g->n_gone_vs = n_old_gone;
		dk_lb_slots_free(g->slots);
		g->slots = slots_was;
		g->max_slots = slots;
		memcpy(g->laddrs, laddrs, sizeof(laddrs));
		g->n_laddrs = n_laddrs;
		return rc;
	}
	dk_lb_slots_free(slots_was);
	g->rebuild = true;
	{
		uint32_t t[DK_CONN_S_MAX];

		conn_timeouts(&app->conf->global, t);
		dk_dp_lb_set_timeouts(g->dp, t);
	}
	rc = refresh(app, true);
	/* Workers are past the old table now (refresh waits out the RCU grace period). */
	free_services(old, n_old);
	free_services(old_gone, n_old_gone);
	DK_LOG(LB, INFO, "reload: %u virtual server(s), %u real server slot(s)", g->n_vs,
	       g->max_slots);
	return rc;
}

/*
 * vs indexes the configuration's virtual_server blocks: a group's block stands for
 * several services, which share its real servers' state (health, weight, drain) as
 * they share the block. Calls fn on each of them; -EINVAL when there is none.
 */
static int
each_rs(struct dk_app *app, unsigned vs, unsigned rs, void (*fn)(struct dk_app_lb_rs *, void *),
	void *arg)
{
	unsigned n = 0;

	if (app->lb == NULL || vs >= app->conf->n_vs)
		return -EINVAL;
	for (unsigned i = 0; i < app->lb->n_vs; i++) {
		struct dk_app_lb_vs *v = &app->lb->vs[i];

		if (v->c == &app->conf->vs[vs] && rs < v->n_rs) {
			fn(&v->rs[rs], arg);
			n++;
		}
	}
	if (n == 0)
		return -EINVAL;
	app->lb->rebuild = true;
	return refresh(app, true);
}

struct rs_set {
	int alive;
	int64_t weight;
};

static void
rs_set(struct dk_app_lb_rs *r, void *arg)
{
	const struct rs_set *a = arg;

	if (a->alive >= 0)
		r->alive = a->alive != 0;
	if (a->weight >= 0)
		r->weight = (uint32_t)a->weight;
}

int
dk_app_lb_rs_set(struct dk_app *app, unsigned vs, unsigned rs, int alive, int64_t weight)
{
	struct rs_set a = { .alive = alive, .weight = weight };

	if (weight > UINT32_MAX)
		return -EINVAL;
	return each_rs(app, vs, rs, rs_set, &a);
}

static void
rs_drain(struct dk_app_lb_rs *r, void *arg)
{
	r->drained = *(const bool *)arg;
}

int
dk_app_lb_rs_drain(struct dk_app *app, unsigned vs, unsigned rs, bool drain)
{
	return each_rs(app, vs, rs, rs_drain, &drain);
}
