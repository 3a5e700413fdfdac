/*
 * dpkeep-micro: cycles per packet of the worker's packet function (dk_dp_poll_once: RX
 * burst, MAC filter, the fast-path hook, hand-off to control) on prepared bursts. The
 * port is a ring PMD over rings this program fills, so "RX" is a ring dequeue and no
 * device is involved; filling and draining happen outside the timed section.
 *
 * Scenarios are a table: a traffic spec for lib/gen and an attach() that installs the
 * fast path under test the way the daemon does (dp->fast). The load balancer's run with
 * one virtual server (192.0.2.100:80, Maglev, two real servers) per forwarding method;
 * their flows are opened before the clock starts unless every packet is a new one
 * (SYN). For NAT and FNAT the frames the worker sent are turned into the real server's
 * answers (lib/gen's reflect) and fed back, so both directions are timed. Prints one
 * JSON object per scenario.
 *
 *   dpkeep-micro [--iters N] [--flows N] [--only NAME] [-- EAL options]
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include "dk_dp.h"
#include "dk_dp_lb.h"
#include "dk_gen.h"
#include "dk_lb.h"
#include "dk_net.h"

#define RING_SZ 1024
#define FILL (RING_SZ - 1)
#define VIP "192.0.2.100"
#define SERVERS "192.0.2.11-192.0.2.12"
#define LADDR "192.0.2.50"

struct micro {
	struct dk_dp *dp;
	struct rte_ring *rx[2], *tx[2];
	uint64_t to_control; /* packets that reached the control lcore's input */
	/* The load balancer of the scenario running, if any. */
	struct dk_dp_lb *lb;
	struct dk_lb_table *table;
	struct dk_dp_lb_snap *snap;
};

enum { LB_NONE = -1 };

struct scenario {
	const char *name;
	const char *note;
	bool to_us;          /* frames addressed to the port's MAC and address */
	/* Installs the fast path under test; NULL: the daemon's path without one. */
	int (*attach)(struct micro *m, const struct scenario *s, uint32_t conns);
	/* Load-balancer scenarios: */
	int fwd;             /* enum dk_lb_fwd, or LB_NONE */
	uint8_t proto;
	bool syn;            /* every packet a new connection */
	uint32_t flows;      /* 0: the --flows option */
	bool reflect;        /* the real servers answer (NAT, FNAT) */
};

static void
ctl_sink(void *arg, struct rte_mbuf **pkts, uint16_t n)
{
	struct micro *m = arg;

	m->to_control += n;
	rte_pktmbuf_free_bulk(pkts, n);
}

/* The cheapest possible fast path: takes every packet and frees it. What it costs over
 * "micro-host" is the hook's own overhead, the floor any forwarding method starts from. */
static uint16_t
fast_drop_all(struct dk_dp *dp, struct dk_dp_lctx *lc, uint16_t port, struct rte_mbuf **pkts,
	      uint16_t n, void *arg)
{
	(void)dp;
	(void)port;
	(void)arg;
	lc->cnt[DK_DPC_FAST] += n;
	rte_pktmbuf_free_bulk(pkts, n);
	return 0;
}

static int
attach_drop_all(struct micro *m, const struct scenario *s, uint32_t conns)
{
	(void)s;
	(void)conns;
	m->dp->fast = fast_drop_all;
	m->dp->fast_arg = NULL;
	return 0;
}

static void
lb_detach(struct micro *m)
{
	struct dk_dp_lb_snap *s;

	if (m->lb == NULL)
		return;
	m->dp->fast = NULL;
	m->dp->fast_poll = NULL;
	m->dp->fast_arg = NULL;
	s = dk_dp_lb_free(m->lb);
	if (s) {
		free(s->hops);
		free(s->served);
		free(s);
	}
	dk_lb_table_free(m->table);
	m->lb = NULL;
	m->table = NULL;
}

/* The daemon's set-up in miniature: a table of one service, a snapshot whose next hops
 * are resolved (to the generator's MAC), published to a fresh load balancer. */
static int
attach_lb(struct micro *m, const struct scenario *sc, uint32_t conns)
{
	struct dk_lb_backend_params bp[2] = { 0 };
	struct dk_lb_service_params sp = { .port = 80, .proto = sc->proto, .sched = "mh",
					   .fwd = (enum dk_lb_fwd)sc->fwd, .backends = bp,
					   .n_backends = 2 };
	struct dk_lb_table_params tp = { .services = &sp, .n_services = 1, .n_workers = 1,
					 .max_slots = 2, .seed = 1 };
	struct dk_dp_lb_params lp = { .dp = m->dp, .max_slots = 2, .max_conns = conns,
				      .seed = 7 };
	struct dk_dp_lb_snap *s;
	struct dk_addr laddr;
	int rc;

	if (dk_addr_parse(VIP, &sp.vip) < 0 || dk_addr_parse("192.0.2.11", &bp[0].addr) < 0 ||
	    dk_addr_parse("192.0.2.12", &bp[1].addr) < 0 || dk_addr_parse(LADDR, &laddr) < 0)
		return -EINVAL;
	for (unsigned i = 0; i < 2; i++) {
		bp[i].port = 80;
		bp[i].weight = 1;
		bp[i].flags = DK_LB_BACKEND_F_ALIVE;
		bp[i].slot = i;
	}
	if (sc->fwd == DK_LB_FWD_FNAT) {
		lp.laddrs = &laddr;
		lp.n_laddrs = 1;
	}
	rc = dk_lb_table_build(&tp, &m->table);
	if (rc < 0)
		return rc;
	rc = dk_dp_lb_create(&lp, &m->lb);
	if (rc < 0)
		return rc;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->hops = calloc(2, sizeof(*s->hops));
	s->served = calloc(1, 1);
	if (s->hops == NULL || s->served == NULL)
		return -ENOMEM;
	s->lb = m->table;
	s->max_slots = 2;
	s->served[0] = 1;
	s->has_nat = sc->fwd == DK_LB_FWD_NAT;
	s->has_fnat = sc->fwd == DK_LB_FWD_FNAT;
	s->laddrs[0] = laddr;
	s->n_laddrs = 1;
	dk_addr_parse("192.0.2.1", &s->own[0]);
	s->n_own = 1;
	for (unsigned i = 0; i < 2; i++) {
		struct dk_mac mac;

		dk_mac_parse("02:00:00:00:00:aa", &mac);
		memcpy(s->hops[i].dst.addr_bytes, mac.b, 6);
		s->hops[i].port = 0;
		s->hops[i].valid = true;
		s->hops[i].src4 = s->own[0].v4;
	}
	dk_dp_lb_publish(m->lb, s);
	dk_dp_lb_attach(m->lb);
	return 0;
}

#define LB(name, note, fwd, proto, syn, flows, reflect) \
	{ name, note, true, attach_lb, fwd, proto, syn, flows, reflect }

static const struct scenario scenarios[] = {
	{ "micro-host", "UDP to dpkeep itself: MAC filter, worker->control ring", true, NULL,
	  LB_NONE, DK_IPPROTO_UDP, false, 0, false },
	{ "micro-not-for-us", "frames to another MAC: dropped by the MAC filter", false, NULL,
	  LB_NONE, DK_IPPROTO_UDP, false, 0, false },
	{ "micro-fast-hook", "fast-path hook that takes and frees every packet", true,
	  attach_drop_all, LB_NONE, DK_IPPROTO_UDP, false, 0, false },
	LB("micro-dr-1k", "DR, 1000 established UDP flows", DK_LB_FWD_DR, DK_IPPROTO_UDP,
	   false, 1000, false),
	LB("micro-dr-1m", "DR, 1 M established UDP flows", DK_LB_FWD_DR, DK_IPPROTO_UDP,
	   false, 1000000, false),
	LB("micro-dr-10m", "DR, 10 M established UDP flows", DK_LB_FWD_DR, DK_IPPROTO_UDP,
	   false, 10000000, false),
	LB("micro-nat", "NAT, 1000 UDP flows, requests and replies", DK_LB_FWD_NAT,
	   DK_IPPROTO_UDP, false, 1000, true),
	LB("micro-fnat", "FNAT, 1000 UDP flows, requests and replies", DK_LB_FWD_FNAT,
	   DK_IPPROTO_UDP, false, 1000, true),
	LB("micro-nat-50k", "NAT, 50000 UDP flows from 50000 clients, requests and replies",
	   DK_LB_FWD_NAT, DK_IPPROTO_UDP, false, 50000, true),
	LB("micro-fnat-50k", "FNAT, 50000 UDP flows from 50000 clients, requests and replies",
	   DK_LB_FWD_FNAT, DK_IPPROTO_UDP, false, 50000, true),
	LB("micro-tun", "TUN (IPIP), 1000 established UDP flows", DK_LB_FWD_TUN, DK_IPPROTO_UDP,
	   false, 1000, false),
	LB("micro-syn", "DR, TCP SYN: every packet a new connection", DK_LB_FWD_DR,
	   DK_IPPROTO_TCP, true, 0, false),
};

/* Prepared burst: fresh mbufs with patched template copies, into the RX ring. */
static int
fill(struct micro *m, const struct dk_gen_tmpl *t, struct dk_gen_flowseq *seq, unsigned n)
{
	struct rte_mbuf *pk[FILL];
	struct rte_mempool *pool = m->dp->lctx[0].pool;

	if (rte_pktmbuf_alloc_bulk(pool, pk, n) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		uint8_t *d = rte_pktmbuf_mtod(pk[i], uint8_t *);

		memcpy(d, t->frame, t->len);
		dk_gen_apply_flow(t, d, dk_gen_flowseq_next(seq));
		pk[i]->data_len = pk[i]->pkt_len = t->len;
		pk[i]->port = m->dp->ports[0].port_id;
	}
	if (rte_ring_enqueue_bulk(m->rx[0], (void **)pk, n, NULL) != n) {
		rte_pktmbuf_free_bulk(pk, n);
		return -ENOBUFS;
	}
	return 0;
}

/* What the worker sent, answered by the real servers and queued as received. */
static unsigned
reflect_back(struct micro *m, const struct dk_gen_range *servers)
{
	struct rte_mbuf *pk[FILL];
	unsigned n, k = 0;

	n = rte_ring_dequeue_burst(m->tx[0], (void **)pk, FILL, NULL);
	for (unsigned i = 0; i < n; i++) {
		if (pk[i]->nb_segs == 1 &&
		    dk_gen_reflect(rte_pktmbuf_mtod(pk[i], uint8_t *), pk[i]->data_len, servers)) {
			pk[i]->port = m->dp->ports[0].port_id;
			pk[k++] = pk[i];
		} else {
			rte_pktmbuf_free(pk[i]);
		}
	}
	if (k && rte_ring_enqueue_bulk(m->rx[0], (void **)pk, k, NULL) != k) {
		rte_pktmbuf_free_bulk(pk, k);
		return 0;
	}
	return k;
}

static void
drain(struct micro *m)
{
	struct rte_mbuf *pk[64];
	unsigned n;

	while (dk_dp_drain_rings(m->dp))
		;
	while ((n = rte_ring_dequeue_burst(m->tx[0], (void **)pk, 64, NULL)) > 0)
		rte_pktmbuf_free_bulk(pk, n);
}

/* Polls until the RX ring is empty; returns the cycles it took, adds packets to *pkts. */
static uint64_t
timed_poll(struct micro *m, uint64_t *pkts)
{
	struct dk_dp_lctx *lc = &m->dp->lctx[0];
	uint64_t t0 = rte_rdtsc_precise();
	uint16_t n;

	do {
		n = dk_dp_poll_once(m->dp, lc);
		*pkts += n;
	} while (n);
	return rte_rdtsc_precise() - t0;
}

/* Rows that forwarded fewer packets than they must: the exit status says so. */
static unsigned short_rows;

static int
run_one(struct micro *m, const struct scenario *s, uint64_t iters, uint32_t flows)
{
	static struct dk_gen_tmpl t;
	struct dk_gen_spec spec = { .proto = s->proto, .size = 64, .flows = flows };
	struct dk_dp_lctx *lc = &m->dp->lctx[0];
	struct dk_gen_flowseq seq;
	struct dk_gen_range servers;
	uint64_t cycles = 0, pkts = 0, fwd = 0, expect;
	bool lb = s->fwd != LB_NONE;
	char note[256];
	int rc;

	if (s->flows)
		flows = spec.flows = s->flows;
	if (s->syn) {
		/* Sources vary fastest: no tuple comes twice in 4.2 G packets. */
		spec.tcp = DK_GEN_TCP_SYN;
		flows = spec.flows = 4000000000u;
	}
	memcpy(spec.l2.dst.b, m->dp->ports[0].mac.addr_bytes, 6);
	if (!s->to_us)
		spec.l2.dst.b[5] ^= 0x55;
	dk_mac_parse("02:00:00:00:00:aa", &spec.l2.src);
	dk_gen_parse_ip_range("198.18.0.1-198.18.255.254", &spec.src_ip);
	dk_gen_parse_ip_range(lb ? VIP : "192.0.2.1", &spec.dst_ip);
	dk_gen_parse_port_range("1024-65535", &spec.sport);
	dk_gen_parse_port_range(lb ? "80" : "9", &spec.dport);
	dk_gen_parse_ip_range(SERVERS, &servers);
	rc = dk_gen_tmpl_init(&t, &spec);
	if (rc < 0)
		return rc;
	m->dp->fast = NULL;
	m->dp->fast_arg = NULL;
	/* A SYN run keeps every connection it opens; the others hold their flows. */
	if (s->attach && (rc = s->attach(m, s, s->syn ? (uint32_t)iters + FILL : flows + 1024)) < 0)
		return rc;
	if (lb && !s->syn) {
		/* Established: every flow opened once, in turn, before the clock starts. */
		dk_gen_flowseq_init(&seq, DK_GEN_DIST_SEQ, flows, 1);
		for (uint64_t done = 0; done < flows; done += FILL) {
			unsigned n = flows - done < FILL ? (unsigned)(flows - done) : FILL;

			if ((rc = fill(m, &t, &seq, n)) < 0)
				return rc;
			timed_poll(m, &pkts);
			if (s->reflect) {
				reflect_back(m, &servers);
				timed_poll(m, &pkts);
			}
			drain(m);
		}
		pkts = 0;
	}
	dk_gen_flowseq_init(&seq, s->syn ? DK_GEN_DIST_SEQ : DK_GEN_DIST_UNIFORM, flows, 12345);
	memset(lc->cnt, 0, sizeof(lc->cnt));
	m->to_control = 0;
	if (lb)
		fwd = dk_dp_lb_counter(m->lb, DK_DP_LB_C_FWD) +
		      dk_dp_lb_counter(m->lb, DK_DP_LB_C_REPLIES);
	while (pkts < iters) {
		rc = fill(m, &t, &seq, FILL);
		if (rc < 0)
			return rc;
		cycles += timed_poll(m, &pkts);
		if (s->reflect) {
			reflect_back(m, &servers);
			cycles += timed_poll(m, &pkts);
		}
		drain(m);
	}
	snprintf(note, sizeof(note), "%s", s->note);
	if (lb) {
		fwd = dk_dp_lb_counter(m->lb, DK_DP_LB_C_FWD) +
		      dk_dp_lb_counter(m->lb, DK_DP_LB_C_REPLIES) - fwd;
		/* A drop is cheaper than a forward: a figure made of drops would flatter.
		 * Every reply must find its client, however many clients there are. */
		expect = s->reflect ? pkts : pkts - pkts / 1000;
		if (fwd < expect) {
			short_rows++;
			size_t l = (size_t)snprintf(note, sizeof(note), "%s; ONLY %" PRIu64 " of %"
						    PRIu64 " forwarded:", s->note, fwd, pkts);

			for (unsigned c = DK_DP_LB_C_REDIRECT_FULL; c < DK_DP_LB_C_MAX; c++) {
				uint64_t v = dk_dp_lb_counter(m->lb, (enum dk_dp_lb_counter)c);

				if (v && l < sizeof(note))
					l += (size_t)snprintf(note + l, sizeof(note) - l, " %s %" PRIu64,
							      dk_dp_lb_counter_name(c), v);
			}
		}
	}
	printf("{\"name\":\"%s\",\"packets\":%" PRIu64 ",\"cycles_per_packet\":%.1f,"
	       "\"mpps\":%.4f,\"fast_path\":%" PRIu64 ",\"forwarded\":%" PRIu64 ","
	       "\"to_control\":%" PRIu64 ",\"not_for_us\":%" PRIu64 ",\"note\":\"%s\"}\n",
	       s->name, pkts, (double)cycles / (double)pkts,
	       (double)rte_get_tsc_hz() / ((double)cycles / (double)pkts) / 1e6,
	       lc->cnt[DK_DPC_FAST], fwd, m->to_control, lc->cnt[DK_DPC_NOT_FOR_US], note);
	fflush(stdout);
	lb_detach(m);
	return 0;
}

static int
make_port(struct micro *m, char *name, size_t len)
{
	char rn[RTE_RING_NAMESIZE];
	int port;

	for (unsigned i = 0; i < 2; i++) {
		snprintf(rn, sizeof(rn), "micro_rx%u", i);
		m->rx[i] = rte_ring_create(rn, RING_SZ, (int)rte_socket_id(),
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(rn, sizeof(rn), "micro_tx%u", i);
		m->tx[i] = rte_ring_create(rn, RING_SZ, (int)rte_socket_id(),
					   RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (m->rx[i] == NULL || m->tx[i] == NULL)
			return -ENOMEM;
	}
	port = rte_eth_from_rings("micro0", m->rx, 2, m->tx, 2, rte_socket_id());
	if (port < 0)
		return -ENODEV;
	return rte_eth_dev_get_name_by_port((uint16_t)port, name) == 0 && strlen(name) < len ?
	       0 : -ENODEV;
}

int
main(int argc, char **argv)
{
	static struct dk_profile prof;
	static struct micro m;
	char name[RTE_ETH_NAME_MAX_LEN], text[512], lc_arg[64];
	char *eal[16] = { argv[0], lc_arg, "--no-huge", "-m", "256", "--no-pci",
			  "--file-prefix=dpkeep-micro", "--log-level=lib.eal:warning" };
	int n_eal = 8, rc, i;
	struct dk_diag diag = { 0 };
	uint64_t iters = 2000000;
	uint32_t flows = 1000;
	const char *only = NULL;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc) {
			iters = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--flows") == 0 && i + 1 < argc) {
			flows = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			only = argv[++i];
		} else if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc && n_eal < 15; i++)
				eal[n_eal++] = argv[i];
		} else {
			fprintf(stderr, "usage: dpkeep-micro [--iters N] [--flows N] [--only NAME] "
				"[-- EAL]\n");
			return 2;
		}
	}
	if (iters == 0 || flows == 0)
		return 2;
	/* Both lcores (control and the one worker) on the CPU we were started on: only
	 * the worker's context runs, from this thread. */
	snprintf(lc_arg, sizeof(lc_arg), "--lcores=(0,1)@%d", sched_getcpu());
	if (rte_eal_init(n_eal, eal) < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n", rte_strerror(rte_errno));
	if (make_port(&m, name, sizeof(name)) < 0)
		rte_exit(EXIT_FAILURE, "ring port: %s\n", rte_strerror(rte_errno));
	snprintf(text, sizeof(text),
		 "eal {\n mbufs 8191\n}\nport p0 {\n device %s\n address 192.0.2.1/24\n}\n", name);
	if (dk_profile_parse_string(text, "dpkeep-micro", &prof, &diag) < 0)
		rte_exit(EXIT_FAILURE, "profile step failed\n");
	rc = dk_dp_create(&prof, &m.dp);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "data plane setup failed: %s\n", strerror(-rc));
	m.dp->ctl_rx = ctl_sink;
	m.dp->ctl_arg = &m;
	rc = rte_eth_dev_start(m.dp->ports[0].port_id);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "port start failed: %s\n", rte_strerror(-rc));
	for (unsigned s = 0; s < DK_ARRAY_SIZE(scenarios); s++) {
		if (only && strcmp(only, scenarios[s].name) != 0)
			continue;
		rc = run_one(&m, &scenarios[s], iters, flows);
		if (rc < 0)
			rte_exit(EXIT_FAILURE, "scenario %s: %s\n", scenarios[s].name,
				 strerror(-rc));
	}
	rte_eth_dev_stop(m.dp->ports[0].port_id);
	dk_dp_free(m.dp);
	rte_eal_cleanup();
	if (short_rows)
		fprintf(stderr, "dpkeep-micro: %u row(s) forwarded fewer packets than sent\n",
			short_rows);
	return short_rows ? 1 : 0;
}
