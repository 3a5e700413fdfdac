/*
 * dpkeep-gen: a pktgen-style traffic generator. Transmits template frames (one flow's
 * tuple patched in per packet) at a token-bucket rate on one port and counts what comes
 * back on another (or the same), with TSC stamps in every Nth packet for latency.
 * Prints a line per second and, last, one JSON object with the run's totals.
 *
 *   dpkeep-gen [options] [-- EAL options]
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>

#include "dk_dp.h"
#include "dk_net.h"
#include "gen.h"
#include "gen_opts.h"

static struct gen_state g;

static void
on_signal(int sig)
{
	(void)sig;
	g.quit = true;
}

/* Port id from a number or a profile port name (its device's ethdev name). */
static int
resolve_port(const struct gen_opts *o, const char *s, uint16_t *out)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	char *end;
	unsigned long v;
	int i;

	if (s == NULL)
		s = "0";
	v = strtoul(s, &end, 10);
	if (*s && *end == '\0') {
		if (v >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)v))
			return -ENODEV;
		*out = (uint16_t)v;
		return 0;
	}
	i = o->have_prof ? dk_profile_port_index(&o->prof, s) : -1;
	if (i < 0)
		return -ENODEV;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(o->prof.ports[i].device, ","),
		 o->prof.ports[i].device);
	return rte_eth_dev_get_port_by_name(name, out) == 0 ? 0 : -ENODEV;
}

static int
port_setup(uint16_t port, struct rte_mempool *pool, uint16_t nq, uint16_t rxd, uint16_t txd)
{
	struct rte_eth_conf conf = { 0 };
	int rc;

	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc < 0)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc < 0)
		return rc;
	for (uint16_t q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rxd, (unsigned)rte_eth_dev_socket_id(port),
					    NULL, pool);
		if (rc < 0)
			return rc;
		rc = rte_eth_tx_queue_setup(port, q, txd, (unsigned)rte_eth_dev_socket_id(port),
					    NULL);
		if (rc < 0)
			return rc;
	}
	rc = rte_eth_dev_start(port);
	if (rc < 0)
		return rc;
	/* Returns to the generator carry whatever MAC the device under test chose. */
	rte_eth_promiscuous_enable(port);
	return 0;
}

/* memif links come up only once the peer is there; wait for it rather than send into
 * a link that is down. */
static int
wait_link(uint16_t port, unsigned seconds, struct rte_eth_link *link)
{
	for (unsigned i = 0; i <= seconds * 10 && !g.quit; i++) {
		if (rte_eth_link_get_nowait(port, link) == 0 && link->link_status)
			return 0;
		rte_delay_us_sleep(100000);
	}
	return -ENOLINK;
}

static void
sum_counters(uint64_t out[GEN_CNT_MAX])
{
	memset(out, 0, sizeof(uint64_t) * GEN_CNT_MAX);
	for (unsigned i = 0; i < g.n_ctx; i++)
		for (unsigned k = 0; k < GEN_CNT_MAX; k++)
			out[k] += g.ctx[i].cnt[k];
}

static double
cycles_to_us(uint64_t c)
{
	return (double)c * 1e6 / (double)g.hz;
}

/* The reporter: per-second lines and the stop decisions; returns true once done. */
struct timeline {
	uint64_t t0, t_warm, t_end, t_tx_stop, next_print;
	uint64_t prev[GEN_CNT_MAX], warm[GEN_CNT_MAX];
	unsigned sec;
	bool warm_done;
};

static bool
tick(const struct gen_opts *o, struct timeline *tl, uint64_t now)
{
	uint64_t cur[GEN_CNT_MAX];

	if (now >= tl->next_print && !g.tx_stop) {
		sum_counters(cur);
		tl->sec++;
		if (!o->quiet)
			printf("[%3us] tx %9.3f Mpps  rx %9.3f Mpps  tx_fail %" PRIu64
			       "  stamped %" PRIu64 "\n", tl->sec,
			       (double)(cur[GEN_TX] - tl->prev[GEN_TX]) / 1e6,
			       (double)(cur[GEN_RX] - tl->prev[GEN_RX]) / 1e6,
			       cur[GEN_TX_FAIL] - tl->prev[GEN_TX_FAIL],
			       cur[GEN_RX_STAMPED] - tl->prev[GEN_RX_STAMPED]);
		fflush(stdout);
		memcpy(tl->prev, cur, sizeof(cur));
		tl->next_print += g.hz;
	}
	if (!tl->warm_done && now >= tl->t_warm) {
		sum_counters(tl->warm);
		tl->t_warm = now;
		tl->warm_done = true;
		g.warm = true;
	}
	if (!g.tx_stop && (g.quit || g.tx_done || (tl->t_end && now >= tl->t_end))) {
		g.tx_stop = true;
		tl->t_tx_stop = now;
	}
	/* What is in flight when TX stops still counts: let it drain for 100 ms. */
	if (g.tx_stop && now >= tl->t_tx_stop + g.hz / 10) {
		g.rx_stop = true;
		return true;
	}
	return false;
}

static void
summary(const struct gen_opts *o, const struct timeline *tl)
{
	uint64_t cur[GEN_CNT_MAX], d[GEN_CNT_MAX];
	struct dk_gen_hist h;
	double secs = (double)(tl->t_tx_stop - tl->t_warm) / (double)g.hz;
	double loss;

	sum_counters(cur);
	for (unsigned k = 0; k < GEN_CNT_MAX; k++)
		d[k] = cur[k] - tl->warm[k];
	dk_gen_hist_reset(&h);
	for (unsigned i = 0; i < g.n_ctx; i++)
		dk_gen_hist_merge(&h, &g.ctx[i].hist);
	loss = d[GEN_TX] ? 100.0 * ((double)d[GEN_TX] - (double)d[GEN_RX]) / (double)d[GEN_TX] : 0;
	if (loss < 0)
		loss = 0; /* more back than sent: a device that duplicates, or a warm-up edge */
	printf("{\"duration_s\":%.3f,\"tsc_hz\":%" PRIu64 ",\"size\":%u,\"flows\":%u", secs, g.hz,
	       o->spec.size,
	       o->spec.flows);
	for (unsigned k = 0; k < GEN_CNT_MAX; k++)
		printf(",\"%s\":%" PRIu64, gen_counter_names[k], d[k]);
	printf(",\"tx_mpps\":%.4f,\"rx_mpps\":%.4f,\"loss_pct\":%.4f", secs > 0 ?
	       (double)d[GEN_TX] / secs / 1e6 : 0, secs > 0 ? (double)d[GEN_RX] / secs / 1e6 : 0,
	       loss);
	if (h.n)
		printf(",\"lat_samples\":%" PRIu64 ",\"p50_us\":%.2f,\"p99_us\":%.2f,"
		       "\"max_us\":%.2f", h.n, cycles_to_us(dk_gen_hist_quantile(&h, 0.5)),
		       cycles_to_us(dk_gen_hist_quantile(&h, 0.99)), cycles_to_us(h.max));
	else
		printf(",\"lat_samples\":0,\"p50_us\":null,\"p99_us\":null,\"max_us\":null");
	printf("}\n");
}

static void
run(const struct gen_opts *o)
{
	struct gen_ctx *main_ctx = NULL;
	struct timeline tl = { 0 };
	uint64_t now;
	unsigned i, spins = 0;

	gen_set_state(&g);
	now = rte_rdtsc();
	tl.t0 = now;
	tl.t_warm = now + (uint64_t)(o->warmup_s * (double)g.hz);
	tl.t_end = o->duration_s > 0 ? tl.t_warm + (uint64_t)(o->duration_s * (double)g.hz) : 0;
	tl.next_print = now + g.hz;
	g.warm = o->warmup_s <= 0;
	for (i = 0; i < g.n_ctx; i++) {
		struct gen_ctx *c = &g.ctx[i];

		dk_gen_tb_init(&c->tb, c->tb.rate, g.hz, GEN_BURST, now);
		if (c->lcore == rte_get_main_lcore())
			main_ctx = c;
		else if (rte_eal_remote_launch(gen_lcore_main, c, c->lcore) < 0)
			rte_exit(EXIT_FAILURE, "cannot launch lcore %u\n", c->lcore);
	}
	for (;;) {
		now = rte_rdtsc();
		if (main_ctx)
			gen_poll(&g, main_ctx, now);
		else
			rte_delay_us_sleep(1000);
		/* The clock is read every pass anyway; the reporter is cheap but not free. */
		if ((++spins & 63) == 0 || !main_ctx)
			if (tick(o, &tl, now))
				break;
	}
	rte_eal_mp_wait_lcore();
	summary(o, &tl);
}

int
main(int argc, char **argv)
{
	static struct gen_opts o;
	static struct dk_gen_tmpl tmpl;
	struct rte_mempool *pool;
	struct rte_eth_link link;
	struct rte_ether_addr mac;
	uint16_t txp, rxp;
	char **eal_argv, **eal_copy;
	int eal_argc, rc;

	rc = gen_parse_opts(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? 2 : 0;
	eal_argc = gen_eal_args(&o, &eal_argv);
	if (eal_argc < 0) {
		fprintf(stderr, "dpkeep-gen: EAL arguments: %s\n", strerror(-eal_argc));
		return 1;
	}
	/* rte_eal_init may permute its argv; hand it a copy and keep ours to free. */
	eal_copy = calloc((size_t)eal_argc + 1, sizeof(char *));
	if (eal_copy == NULL)
		return 1;
	memcpy(eal_copy, eal_argv, sizeof(char *) * (size_t)eal_argc);
	if (rte_eal_init(eal_argc, eal_copy) < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n", rte_strerror(rte_errno));
	free(eal_copy);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	g.hz = rte_get_tsc_hz();
	if (resolve_port(&o, o.tx_port, &txp) < 0)
		rte_exit(EXIT_FAILURE, "tx port %s: no such port\n", o.tx_port ? o.tx_port : "0");
	if (resolve_port(&o, o.rx_port ? o.rx_port : o.tx_port, &rxp) < 0)
		rte_exit(EXIT_FAILURE, "rx port %s: no such port\n", o.rx_port);
	pool = rte_pktmbuf_pool_create("gen_mbuf", o.mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL)
		rte_exit(EXIT_FAILURE, "mbuf pool of %u: %s\n", o.mbufs, rte_strerror(rte_errno));
	if ((rc = port_setup(txp, pool, o.queues, 1024, 1024)) < 0)
		rte_exit(EXIT_FAILURE, "port %u setup: %s\n", txp, rte_strerror(-rc));
	if (rxp != txp && (rc = port_setup(rxp, pool, o.queues, 1024, 1024)) < 0)
		rte_exit(EXIT_FAILURE, "port %u setup: %s\n", rxp, rte_strerror(-rc));
	if (!o.have_src_mac) {
		rte_eth_macaddr_get(txp, &mac);
		memcpy(o.spec.l2.src.b, mac.addr_bytes, 6);
	}
	if (wait_link(txp, o.link_wait_s, &link) < 0 || wait_link(rxp, o.link_wait_s, &link) < 0)
		rte_exit(EXIT_FAILURE, "link of port %u or %u not up after %u s\n", txp, rxp,
			 o.link_wait_s);
	rte_eth_link_get_nowait(txp, &link);
	if (o.rate_pct > 0 && o.rate_pct < 100) {
		if (link.link_speed == 0 || link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN)
			rte_exit(EXIT_FAILURE, "port %u reports no link speed: give the rate "
				 "in pps\n", txp);
		o.rate_pps = dk_gen_line_rate(link.link_speed, o.spec.size, o.rate_pct);
	}
	if ((rc = dk_gen_tmpl_init(&tmpl, &o.spec)) < 0)
		rte_exit(EXIT_FAILURE, "traffic spec: %s\n", rc == -ERANGE ?
			 "more flows than the address and port ranges hold" : strerror(-rc));
	if (o.lat_every && tmpl.payload_len < DK_GEN_STAMP_LEN)
		fprintf(stderr, "dpkeep-gen: %u-byte %s frames have no room for a latency "
			"stamp: latency is not measured\n", o.spec.size,
			o.spec.proto == DK_IPPROTO_TCP ? "TCP" : "UDP");
	gen_make_contexts(&o, &g, &tmpl, pool, txp, rxp);
	if (!o.quiet)
		printf("dpkeep-gen: port %u -> port %u, %u-byte %s%s, %u flow(s) %s, rate %s%"
		       PRIu64 " pps, link %u Mb/s\n", txp, rxp, o.spec.size,
		       o.spec.proto == DK_IPPROTO_TCP ? "TCP" : "UDP",
		       o.spec.proto != DK_IPPROTO_TCP ? "" :
		       o.spec.tcp == DK_GEN_TCP_SYN ? " SYN" : " established", o.spec.flows,
		       o.dist == DK_GEN_DIST_SEQ ? "sequential" : "uniform",
		       o.rate_pps ? "" : "unlimited ", o.rate_pps, link.link_speed);
	run(&o);
	rte_eth_dev_stop(txp);
	if (rxp != txp)
		rte_eth_dev_stop(rxp);
	rte_eal_cleanup();
	gen_eal_args_free(eal_argc, eal_argv);
	return 0;
}
