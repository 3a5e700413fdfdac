/*
 * The control lcore: packets the fast path did not take (ARP, ND, ICMP and anything
 * else addressed to dpkeep), the neighbour and route tables, timers, the console and
 * the control socket — one event loop, never blocking.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "console_cmdline.h"
#include "dk_app.h"
#include "dk_cmd.h"
#include "dk_conf.h"
#include "dk_ctl.h"
#include "dk_log.h"
#include "dk_pktbuild.h"
#include "hc.h"
#include "proc.h"
#include "reload.h"
#include "vrrp.h"

#define NEIGH_TICK_US (100 * DK_USEC_PER_MSEC)
#define PROC_TICK_US (20 * DK_USEC_PER_MSEC)
#define SLEEP_MIN_US 20
#define SLEEP_MAX_US 500
/* A real-time control lcore that has work pass after pass still sleeps this long every
 * RT_BUSY_MAX_US, so the normal tasks sharing its CPU (a worker, a peer) keep running. */
#define RT_BUSY_MAX_US 2000
#define RT_BREATHE_US 100

volatile sig_atomic_t dk_app_stop;
volatile sig_atomic_t dk_app_reload;

uint64_t
dk_app_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * DK_USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000;
}

static struct rte_mbuf *
alloc_frame(struct dk_app *app)
{
	return rte_pktmbuf_alloc(dk_dp_ctl_ctx(app->dp)->pool);
}

int
dk_control_send(struct dk_app *app, uint16_t port,
		int (*fn)(uint8_t *buf, size_t room, void *arg), void *arg)
{
	struct rte_mbuf *m = alloc_frame(app);
	int len;

	if (m == NULL) {
		app->ctl_cnt[port][DK_CTLC_ALLOC_FAIL]++;
		return -ENOMEM;
	}
	len = fn(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m), arg);
	if (len < 0) {
		rte_pktmbuf_free(m);
		return len;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	dk_dp_ctl_tx(app->dp, port, m);
	return 0;
}

/* The port's own address of this family that is on the same subnet as peer (else the
 * first of the family): the source of our ARP requests and solicitations. */
static const struct dk_addr *
port_source(const struct dk_app *app, uint16_t port, const struct dk_addr *peer)
{
	const struct dk_host_port *hp = &app->hport[port];
	const struct dk_addr *first = NULL;

	for (unsigned i = 0; i < hp->n_addrs; i++) {
		if (hp->addrs[i].addr.af != peer->af)
			continue;
		if (dk_prefix_contains(&hp->addrs[i], peer))
			return &hp->addrs[i].addr;
		if (first == NULL)
			first = &hp->addrs[i].addr;
	}
	return first;
}

struct solicit_arg {
	struct dk_l2 l2;
	const struct dk_addr *src;
	const struct dk_addr *target;
	bool multicast;
};

static int
build_solicit(uint8_t *buf, size_t room, void *arg)
{
	struct solicit_arg *s = arg;

	if (s->target->af == AF_INET)
		return dk_build_arp_request(buf, room, &s->l2, s->src, s->target);
	return dk_build_ns(buf, room, &s->l2, s->multicast, s->src, s->target);
}

static void
neigh_solicit(void *ctx, uint16_t port, const struct dk_addr *addr, const struct dk_mac *unicast)
{
	struct dk_app *app = ctx;
	struct solicit_arg s = { .target = addr, .multicast = unicast == NULL };

	s.src = port_source(app, port, addr);
	if (s.src == NULL)
		return;
	s.l2.src = app->hport[port].mac;
	if (unicast)
		s.l2.dst = *unicast;
	else
		memset(s.l2.dst.b, 0xff, sizeof(s.l2.dst.b));
	dk_control_send(app, port, build_solicit, &s);
}

static void
neigh_free(void *ctx, void *pkt)
{
	(void)ctx;
	rte_pktmbuf_free(pkt);
}

static void
send_resolved(struct dk_app *app, uint16_t port, const struct dk_mac *mac, void **pkts,
	      unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		memcpy(rte_pktmbuf_mtod(m, uint8_t *), mac->b, 6);
		dk_dp_ctl_tx(app->dp, port, m);
	}
}

void
dk_control_output_ip(struct dk_app *app, struct rte_mbuf *m, const struct dk_addr *dst)
{
	struct dk_route_hop hop;
	struct dk_mac mac;
	uint16_t in = (uint16_t)app->dp->port_idx[m->port];
	uint8_t *eth = rte_pktmbuf_mtod(m, uint8_t *);

	if (dk_route_lookup(app->routes, dst, &hop) < 0) {
		app->ctl_cnt[in][DK_CTLC_NO_ROUTE]++;
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(eth + 6, app->hport[hop.port].mac.b, 6);
	m->port = app->dp->ports[hop.port].port_id;
	switch (dk_neigh_lookup(app->neigh, hop.port, &hop.next_hop, m, app->now_us, &mac)) {
	case DK_NEIGH_FOUND:
		memcpy(eth, mac.b, 6);
		dk_dp_ctl_tx(app->dp, hop.port, m);
		break;
	case DK_NEIGH_QUEUED:
		app->ctl_cnt[hop.port][DK_CTLC_NEIGH_QUEUED]++;
		break;
	case DK_NEIGH_DROPPED:
		app->ctl_cnt[hop.port][DK_CTLC_NEIGH_DROP]++;
		break;
	}
}

static void
learn(struct dk_app *app, uint16_t port, const struct dk_host_learn *l)
{
	void *pkts[16];
	unsigned n = 0, flags = 0;

	if (l->create)
		flags |= DK_NEIGH_F_CREATE;
	if (l->confirmed)
		flags |= DK_NEIGH_F_CONFIRMED;
	if (l->override)
		flags |= DK_NEIGH_F_OVERRIDE;
	if (l->no_lla)
		flags |= DK_NEIGH_F_NO_LLA;
	if (dk_neigh_learn(app->neigh, port, &l->addr, &l->mac, flags, app->now_us, pkts,
			   DK_ARRAY_SIZE(pkts), &n) == 0 && n)
		send_resolved(app, port, &l->mac, pkts, n);
}

static void
ctl_input_one(struct dk_app *app, struct rte_mbuf *m)
{
	int8_t port = app->dp->port_idx[m->port];
	struct dk_host_result res;
	enum dk_host_verdict v;
	bool parsed;

	if (port < 0) {
		rte_pktmbuf_free(m);
		return;
	}
	app->ctl_cnt[port][DK_CTLC_RX]++;
	parsed = dk_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &res.info) ==
		 DK_PKT_OK;
	if (parsed && dk_app_is_vrrp(m, &res.info)) {
		app->ctl_cnt[port][DK_CTLC_VRRP]++;
		dk_app_vrrp_input(app, (uint16_t)port, m, &res.info);
		rte_pktmbuf_free(m);
		return;
	}
	/* Replies to health probes (their local ports, echo replies, unreachables). */
	if (parsed && dk_app_hc_input(app, (uint16_t)port, m, &res.info)) {
		rte_pktmbuf_free(m);
		return;
	}
	v = dk_host_input(&app->hport[port], rte_pktmbuf_mtod(m, uint8_t *), m->data_len,
			  m->data_len + rte_pktmbuf_tailroom(m), &res);
	app->host_cnt[port][v]++;
	if (res.learn.valid)
		learn(app, (uint16_t)port, &res.learn);
	if (v != DK_HOST_REPLY) {
		rte_pktmbuf_free(m);
		return;
	}
	app->ctl_cnt[port][DK_CTLC_REPLIES]++;
	m->data_len = (uint16_t)res.out_len;
	m->pkt_len = (uint32_t)res.out_len;
	if (res.info.ethertype == DK_ETHERTYPE_ARP || res.info.proto == DK_IPPROTO_ICMPV6) {
		/* ARP replies and neighbour advertisements answer on the link they came from. */
		dk_dp_ctl_tx(app->dp, (uint16_t)port, m);
		return;
	}
	/* Everything else leaves like any host's traffic: routed, next hop resolved. */
	dk_control_output_ip(app, m, &res.info.src);
}

static void
ctl_rx(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct dk_app *app = arg;

	for (uint16_t i = 0; i < n; i++)
		ctl_input_one(app, pkts[i]);
}

static void
neigh_tick(struct dk_timer *t, void *arg, uint64_t now_us)
{
	struct dk_app *app = arg;

	dk_neigh_tick(app->neigh, now_us);
	dk_timer_arm(app->wheel, t, now_us + NEIGH_TICK_US);
}

static void
proc_tick(struct dk_timer *t, void *arg, uint64_t now_us)
{
	struct dk_app *app = arg;

	dk_proc_poll(now_us);
	dk_timer_arm(app->wheel, t, now_us + PROC_TICK_US);
}

/* Like the kernel's secondary addresses: a second address in a subnet the port already
 * has adds no second connected route. */
static bool
same_subnet_before(const struct dk_profile_port *pp, unsigned a)
{
	for (unsigned b = 0; b < a; b++)
		if (pp->addrs[b].len == pp->addrs[a].len &&
		    dk_prefix_contains(&pp->addrs[b], &pp->addrs[a].addr))
			return true;
	return false;
}

static int
init_routes(struct dk_app *app)
{
	const struct dk_profile *prof = &app->prof;
	struct dk_route_params rp = { 0 };
	int rc = dk_route_table_create(&rp, &app->routes);

	if (rc < 0)
		return rc;
	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		const struct dk_profile_port *pp = app->dp->ports[p].cfg;

		for (unsigned a = 0; a < pp->n_addrs; a++) {
			if (same_subnet_before(pp, a))
				continue; /* a secondary address: its subnet is routed already */
			rc = dk_route_add_connected(app->routes, (uint16_t)p, &pp->addrs[a]);
			if (rc < 0)
				return rc;
		}
	}
	for (unsigned r = 0; r < prof->n_routes; r++) {
		const struct dk_profile_route *pr = &prof->routes[r];
		struct dk_route route = { .prefix = pr->dst, .gateway = pr->via,
					  .kind = DK_ROUTE_STATIC };
		int port = dk_dp_port_by_name(app->dp, pr->dev);

		route.port = port < 0 ? DK_ROUTE_PORT_ANY : (uint16_t)port;
		rc = dk_route_add(app->routes, &route);
		if (rc < 0) {
			DK_LOG(MAIN, ERR, "%s:%d: route not added: %s", prof->file, pr->line,
			       strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int
dk_control_init(struct dk_app *app)
{
	struct dk_timer_wheel_params wp = { .tick_us = 100, .slots = 4096 };
	struct dk_neigh_params np = { .solicit = neigh_solicit, .free_pkt = neigh_free,
				      .ctx = app };
	int rc;

	app->now_us = app->start_us = wp.now_us = dk_app_now_us();
	rc = dk_timer_wheel_create(&wp, &app->wheel);
	if (rc == 0)
		rc = dk_neigh_create(&np, &app->neigh);
	if (rc == 0)
		rc = init_routes(app);
	if (rc < 0)
		return rc;
	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		struct dk_host_port *hp = &app->hport[p];
		const struct dk_dp_port *dpp = &app->dp->ports[p];

		hp->index = (uint16_t)p;
		memcpy(hp->mac.b, dpp->mac.addr_bytes, 6);
		/* VRRPv3 over IPv6 sends from the link-local address (RFC 5798 5.1.2.1), so
		 * every port has one and answers NS and echo for it like for its own. */
		memcpy(app->haddrs[p], dpp->cfg->addrs, dpp->cfg->n_addrs * sizeof(struct dk_prefix));
		dk_app_link_local(&hp->mac, &app->haddrs[p][dpp->cfg->n_addrs]);
		hp->addrs = app->haddrs[p];
		hp->n_addrs = dpp->cfg->n_addrs + 1;
		hp->flags = DK_HOST_F_IP_CKSUM;
	}
	app->dp->ctl_rx = ctl_rx;
	app->dp->ctl_arg = app;
	dk_timer_init(&app->neigh_timer, neigh_tick, app);
	dk_timer_arm(app->wheel, &app->neigh_timer, app->now_us + NEIGH_TICK_US);
	dk_timer_init(&app->proc_timer, proc_tick, app);
	dk_timer_arm(app->wheel, &app->proc_timer, app->now_us + PROC_TICK_US);
	return 0;
}

void
dk_app_link_local(const struct dk_mac *mac, struct dk_prefix *out)
{
	memset(out, 0, sizeof(*out));
	out->addr.af = AF_INET6;
	out->addr.b[0] = 0xfe;
	out->addr.b[1] = 0x80;
	out->addr.b[8] = mac->b[0] ^ 0x02; /* EUI-64: universal/local bit inverted */
	out->addr.b[9] = mac->b[1];
	out->addr.b[10] = mac->b[2];
	out->addr.b[11] = 0xff;
	out->addr.b[12] = 0xfe;
	out->addr.b[13] = mac->b[3];
	out->addr.b[14] = mac->b[4];
	out->addr.b[15] = mac->b[5];
	out->len = 64;
}

/* Sleeps until a descriptor is readable, the next timer is due or the cap passes. */
static void
idle_wait(struct dk_app *app, unsigned sleep_us)
{
	struct pollfd fds[2];
	nfds_t n = 0;
	uint64_t next = dk_timer_wheel_next(app->wheel), now = dk_app_now_us();
	struct timespec ts;

	if (next <= now)
		return;
	if (next - now < sleep_us)
		sleep_us = (unsigned)(next - now);
	if (app->ctl) {
		fds[n].fd = dk_ctl_server_fd(app->ctl);
		fds[n++].events = POLLIN;
	}
	if (app->con) {
		fds[n].fd = STDIN_FILENO;
		fds[n++].events = POLLIN;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)sleep_us * 1000;
	ppoll(fds, n, &ts, NULL);
}

/*
 * Fires the timers due by now. A pass of the loop does several pieces of work, each
 * bounded (a burst per port and per worker ring, one telemetry request, the control
 * socket's ready clients); the timers run after each piece that can take a while, so an
 * advert due in the middle of a pass waits for one piece, not for the rest of the pass.
 */
static void
run_timers(struct dk_app *app)
{
	app->now_us = dk_app_now_us();
	dk_timer_wheel_run(app->wheel, app->now_us);
}

/*
 * keepalived's vrrp_rt_priority: the control lcore runs SCHED_RR at that priority, so no
 * task of normal priority on its CPU can hold an advert back (a worker of another node, a
 * build). Applied at start and after each reload (from the control lcore); 0 puts it back
 * to SCHED_OTHER.
 */
void
dk_control_sched(struct dk_app *app)
{
	unsigned prio = app->conf ? app->conf->global.vrrp_rt_priority : 0;
	struct sched_param sp = { .sched_priority = (int)prio };
	int rc;

	if (prio == app->rt_prio)
		return;
	rc = pthread_setschedparam(pthread_self(), prio ? SCHED_RR : SCHED_OTHER, &sp);
	/* Remembered even when refused: one warning, not one per pass. */
	app->rt_prio = prio;
	if (rc != 0) {
		DK_LOG(MAIN, WARNING, "vrrp_rt_priority %u: control lcore keeps its scheduling: %s",
		       prio, strerror(rc));
		return;
	}
	DK_LOG(MAIN, INFO, "control lcore scheduling: %s", prio ? "SCHED_RR" : "SCHED_OTHER");
}

void
dk_control_run(struct dk_app *app)
{
	struct dk_dp *dp = app->dp;
	struct dk_dp_lctx *lc = dk_dp_ctl_ctx(dp);
	unsigned sleep_us = SLEEP_MIN_US;
	uint64_t slept_us = dk_app_now_us();

	/* The sleeps below end at the next timer's deadline: wake then, not up to 50 us
	 * later (the default slack), so a 10 ms advert leaves on time from an idle loop. */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	dk_control_sched(app);
	while (!dk_app_stop && !dk_cmd_table_stop_requested(app->cmds)) {
		uint64_t t0 = rte_rdtsc();
		unsigned n;

		app->now_us = dk_app_now_us();
		if (dk_app_reload) {
			dk_app_reload = 0;
			dk_app_reload_config(app, NULL);
			run_timers(app);
		}
		if (app->rt_prio && app->now_us - slept_us >= RT_BUSY_MAX_US) {
			idle_wait(app, RT_BREATHE_US);
			slept_us = app->now_us = dk_app_now_us();
		}
		n = dk_dp_drain_rings(dp) + dk_dp_poll_once(dp, lc);
		run_timers(app);
		n += dk_ops_poll(app);
		if (app->ctl)
			dk_ctl_server_poll(app->ctl);
		if (app->con && dk_console_poll(app->con) < 0)
			break;
		run_timers(app);
		lc->loops++;
		if (n) {
			lc->busy_tsc += rte_rdtsc() - t0;
			sleep_us = SLEEP_MIN_US;
			continue;
		}
		lc->idle_loops++;
		if (dp->busy_poll)
			continue;
		idle_wait(app, sleep_us);
		slept_us = app->now_us;
		if (sleep_us < SLEEP_MAX_US)
			sleep_us *= 2;
	}
}

void
dk_control_fini(struct dk_app *app)
{
	if (app->neigh)
		dk_neigh_free(app->neigh);
	if (app->routes)
		dk_route_table_free(app->routes);
	if (app->wheel)
		dk_timer_wheel_free(app->wheel);
}
