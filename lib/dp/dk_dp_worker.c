/* Poll loops: RX bursts through the fast-path hook, the rest to the control lcore. */
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_pause.h>

#include "dk_dp.h"
#include "dk_dp_capture.h"

/* Idle back-off: spin first (lowest latency), then pause, then sleep in growing steps,
 * so that several dpkeep nodes can share two CPUs without starving each other. */
#define IDLE_SPIN 256
#define IDLE_PAUSE 2048
#define SLEEP_MIN_NS 20000
#define SLEEP_MAX_NS 500000

bool
dk_dp_mac_accept(const struct dk_dp_port *p, const struct rte_ether_hdr *eh)
{
	const struct rte_ether_addr *d = &eh->dst_addr;

	if (rte_is_same_ether_addr(d, &p->mac) || rte_is_multicast_ether_addr(d))
		return true;
	for (unsigned i = 0; i < p->n_extra_mac; i++)
		if (rte_is_same_ether_addr(d, &p->extra_mac[i]))
			return true;
	return false;
}

static uint16_t
filter_mac(const struct dk_dp_port *port, struct dk_dp_lctx *lc, struct rte_mbuf **pkts,
	   uint16_t n)
{
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (unlikely(m->nb_segs != 1)) {
			lc->cnt[DK_DPC_MULTISEG]++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (unlikely(m->data_len < sizeof(struct rte_ether_hdr) ||
			     !dk_dp_mac_accept(port, rte_pktmbuf_mtod(m, struct rte_ether_hdr *)))) {
			lc->cnt[DK_DPC_NOT_FOR_US]++;
			rte_pktmbuf_free(m);
			continue;
		}
		pkts[k++] = m;
	}
	return k;
}

static void
to_control(struct dk_dp *dp, struct dk_dp_lctx *lc, struct rte_mbuf **pkts, uint16_t n)
{
	unsigned sent;

	if (lc->is_control) {
		dp->ctl_rx(dp->ctl_arg, pkts, n);
		return;
	}
	sent = rte_ring_sp_enqueue_burst(lc->to_ctl, (void **)pkts, n, NULL);
	lc->cnt[DK_DPC_TO_CTL] += sent;
	if (unlikely(sent < n)) {
		lc->cnt[DK_DPC_TO_CTL_FULL] += n - sent;
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
}

uint16_t
dk_dp_poll_once(struct dk_dp *dp, struct dk_dp_lctx *lc)
{
	struct rte_mbuf *pkts[DK_DP_BURST];
	uint16_t total = 0;

	for (unsigned p = 0; p < dp->n_ports; p++) {
		struct dk_dp_port *port = &dp->ports[p];
		uint16_t n = rte_eth_rx_burst(port->port_id, (uint16_t)lc->idx, pkts, DK_DP_BURST);

		if (n == 0)
			continue;
		total += n;
		lc->cnt[DK_DPC_RX] += n;
		dk_dp_capture_tap(lc, (uint16_t)p, (uint16_t)lc->idx, DK_DP_CAP_RX, pkts, n);
		n = filter_mac(port, lc, pkts, n);
		if (dp->fast && n)
			n = dp->fast(dp, lc, (uint16_t)p, pkts, n, dp->fast_arg);
		if (n)
			to_control(dp, lc, pkts, n);
	}
	if (dp->fast_poll)
		total += dp->fast_poll(dp, lc, dp->fast_arg);
	return total;
}

unsigned
dk_dp_drain_rings(struct dk_dp *dp)
{
	struct rte_mbuf *pkts[DK_DP_BURST];
	unsigned total = 0;

	for (unsigned i = 0; i < dp->n_workers; i++) {
		unsigned n = rte_ring_sc_dequeue_burst(dp->lctx[i].to_ctl, (void **)pkts,
						       DK_DP_BURST, NULL);

		if (n) {
			dp->ctl_rx(dp->ctl_arg, pkts, (uint16_t)n);
			total += n;
		}
	}
	return total;
}

int
dk_dp_worker_loop(struct dk_dp *dp, struct dk_dp_lctx *lc)
{
	unsigned idle = 0;
	long sleep_ns = SLEEP_MIN_NS;

	while (!dp->stop) {
		uint64_t t0 = rte_rdtsc();
		uint16_t n = dk_dp_poll_once(dp, lc);

		lc->loops++;
		if (n) {
			lc->busy_tsc += rte_rdtsc() - t0;
			idle = 0;
			sleep_ns = SLEEP_MIN_NS;
			continue;
		}
		lc->idle_loops++;
		if (dp->busy_poll || ++idle < IDLE_SPIN)
			continue;
		if (idle < IDLE_PAUSE) {
			rte_pause();
			continue;
		}
		struct timespec ts = { 0, sleep_ns };

		nanosleep(&ts, NULL);
		if (sleep_ns < SLEEP_MAX_NS)
			sleep_ns *= 2;
	}
	return 0;
}

void
dk_dp_ctl_tx(struct dk_dp *dp, uint16_t port_idx, struct rte_mbuf *m)
{
	struct dk_dp_port *port = &dp->ports[port_idx];
	struct dk_dp_lctx *lc = dk_dp_ctl_ctx(dp);

	if (unlikely(!dp->started)) {
		/* Setup may resolve neighbours before the ports run; they retry later. */
		lc->cnt[DK_DPC_TX_FAIL]++;
		rte_pktmbuf_free(m);
		return;
	}
	dk_dp_capture_tap(lc, port_idx, port->ctl_q, DK_DP_CAP_TX, &m, 1);
	if (rte_eth_tx_burst(port->port_id, port->ctl_q, &m, 1) == 1) {
		lc->cnt[DK_DPC_TX]++;
		return;
	}
	lc->cnt[DK_DPC_TX_FAIL]++;
	rte_pktmbuf_free(m);
}
