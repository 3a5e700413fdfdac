/*
 * dpkeep-micro: cycles per packet of the worker's packet function (dk_dp_poll_once: RX
 * burst, MAC filter, the fast-path hook, hand-off to control) on prepared bursts. The
 * port is a ring PMD over rings this program fills, so "RX" is a ring dequeue and no
 * device is involved; filling and draining happen outside the timed section.
 *
 * Scenarios are a table: a traffic spec for lib/gen and an attach() that installs the
 * fast path under test the way the daemon does (dp->fast). The load balancer's fast
 * path plugs in as one more entry. Prints one JSON object per scenario.
 *
 *   dpkeep-micro [--iters N] [--flows N] [-- EAL options]
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
#include "dk_gen.h"
#include "dk_net.h"

#define RING_SZ 1024
#define FILL (RING_SZ - 1)

struct micro {
	struct dk_dp *dp;
	struct rte_ring *rx[2], *tx[2];
	uint64_t to_control; /* packets that reached the control lcore's input */
};

struct scenario {
	const char *name;
	const char *note;
	bool to_us;          /* frames addressed to the port's MAC and address */
	/* Installs the fast path under test; NULL: the daemon's path without one. */
	int (*attach)(struct micro *m);
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
attach_drop_all(struct micro *m)
{
	m->dp->fast = fast_drop_all;
	m->dp->fast_arg = NULL;
	return 0;
}

static const struct scenario scenarios[] = {
	{ "micro-host", "UDP to dpkeep itself: MAC filter, worker->control ring", true, NULL },
	{ "micro-not-for-us", "frames to another MAC: dropped by the MAC filter", false, NULL },
	{ "micro-fast-hook", "fast-path hook that takes and frees every packet", true,
	  attach_drop_all },
};

/* Prepared burst: fresh mbufs with patched template copies, into the RX ring. */
static int
fill(struct micro *m, const struct dk_gen_tmpl *t, struct dk_gen_flowseq *seq)
{
	struct rte_mbuf *pk[FILL];
	struct rte_mempool *pool = m->dp->lctx[0].pool;

	if (rte_pktmbuf_alloc_bulk(pool, pk, FILL) < 0)
		return -ENOMEM;
	for (unsigned i = 0; i < FILL; i++) {
		uint8_t *d = rte_pktmbuf_mtod(pk[i], uint8_t *);

		memcpy(d, t->frame, t->len);
		dk_gen_apply_flow(t, d, dk_gen_flowseq_next(seq));
		pk[i]->data_len = pk[i]->pkt_len = t->len;
		pk[i]->port = m->dp->ports[0].port_id;
	}
	if (rte_ring_enqueue_bulk(m->rx[0], (void **)pk, FILL, NULL) != FILL) {
		rte_pktmbuf_free_bulk(pk, FILL);
		return -ENOBUFS;
	}
	return 0;
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

static int
run_one(struct micro *m, const struct scenario *s, uint64_t iters, uint32_t flows)
{
	static struct dk_gen_tmpl t;
	struct dk_gen_spec spec = { .proto = DK_IPPROTO_UDP, .size = 64, .flows = flows };
	struct dk_dp_lctx *lc = &m->dp->lctx[0];
	struct dk_gen_flowseq seq;
	uint64_t cycles = 0, pkts = 0;
	int rc;

	memcpy(spec.l2.dst.b, m->dp->ports[0].mac.addr_bytes, 6);
	if (!s->to_us)
		spec.l2.dst.b[5] ^= 0x55;
	dk_mac_parse("02:00:00:00:00:aa", &spec.l2.src);
	dk_gen_parse_ip_range("198.18.0.1-198.18.255.254", &spec.src_ip);
	dk_gen_parse_ip_range("192.0.2.1", &spec.dst_ip);
	dk_gen_parse_port_range("1024-65535", &spec.sport);
	dk_gen_parse_port_range("9", &spec.dport);
	rc = dk_gen_tmpl_init(&t, &spec);
	if (rc < 0)
		return rc;
	dk_gen_flowseq_init(&seq, DK_GEN_DIST_UNIFORM, flows, 12345);
	m->dp->fast = NULL;
	m->dp->fast_arg = NULL;
	if (s->attach && (rc = s->attach(m)) < 0)
		return rc;
	memset(lc->cnt, 0, sizeof(lc->cnt));
	m->to_control = 0;
	while (pkts < iters) {
		uint64_t t0;
		uint16_t n;

		rc = fill(m, &t, &seq);
		if (rc < 0)
			return rc;
		t0 = rte_rdtsc_precise();
		do {
			n = dk_dp_poll_once(m->dp, lc);
			pkts += n;
		} while (n);
		cycles += rte_rdtsc_precise() - t0;
		drain(m);
	}
	printf("{\"name\":\"%s\",\"packets\":%" PRIu64 ",\"cycles_per_packet\":%.1f,"
	       "\"mpps\":%.4f,\"fast_path\":%" PRIu64 ",\"to_control\":%" PRIu64 ","
	       "\"not_for_us\":%" PRIu64 ",\"note\":\"%s\"}\n", s->name, pkts,
	       (double)cycles / (double)pkts,
	       (double)rte_get_tsc_hz() / ((double)cycles / (double)pkts) / 1e6,
	       lc->cnt[DK_DPC_FAST], m->to_control, lc->cnt[DK_DPC_NOT_FOR_US], s->note);
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

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--iters") == 0 && i + 1 < argc) {
			iters = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--flows") == 0 && i + 1 < argc) {
			flows = (uint32_t)strtoul(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "--") == 0) {
			for (i++; i < argc && n_eal < 15; i++)
				eal[n_eal++] = argv[i];
		} else {
			fprintf(stderr, "usage: dpkeep-micro [--iters N] [--flows N] [-- EAL]\n");
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
		rc = run_one(&m, &scenarios[s], iters, flows);
		if (rc < 0)
			rte_exit(EXIT_FAILURE, "scenario %s: %s\n", scenarios[s].name,
				 strerror(-rc));
	}
	rte_eth_dev_stop(m.dp->ports[0].port_id);
	dk_dp_free(m.dp);
	rte_eal_cleanup();
	return 0;
}
