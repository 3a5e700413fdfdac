/* Inside the load balancer's fast path: per-context state shared by its two files. */
#ifndef DK_DP_LB_PRIV_H
#define DK_DP_LB_PRIV_H

#include "dk_dp_lb.h"
#include "dk_dp_lb_rw.h"
#include "dk_lb_fnat.h"

struct dk_dp_lb_ctx {
	unsigned idx;
	struct dk_conn_table *ct;	/* NULL for the control context */
	struct dk_lb_load *load;
	struct dk_lb_stats *stats;
	struct dk_lb_fnat *fnat;
	struct dk_dp_lb_snap *snap;	/* inside a burst only */
	/* The other workers' load per slot, as last summed by the control lcore: two
	 * buffers, one published (others_pub), read only inside a burst (others). */
	struct dk_lb_load *others_buf[2];
	struct dk_lb_load *others_pub;
	const struct dk_lb_load *others;
	uint64_t now_us;
	uint64_t next_expire_us;
	uint64_t cnt[DK_DP_LB_C_MAX];
	struct dk_dp_lb_bucket icmp_bucket;	/* ICMP errors this worker makes up */
	/* Connection dump handshake with the control lcore: enum dump_state, and the
	 * request it is about. */
	uint32_t dump_state;
	struct dk_dp_lb_dump *dump;
	uint16_t n_tx[DK_DP_MAX_PORTS];
	struct rte_mbuf *tx[DK_DP_MAX_PORTS][DK_DP_BURST];
} __rte_cache_aligned;

enum {
	DK_DP_LB_KEEP,	/* not ours: for the control lcore */
	DK_DP_LB_DONE,	/* sent, redirected or dropped */
};

uint64_t dk_dp_lb_now_us(const struct dk_dp_lb *lb);
int dk_dp_lb_handle(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
		    uint16_t in_port);
uint16_t dk_dp_lb_burst(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf **pkts,
		       uint16_t n, uint16_t in_port);
void dk_dp_lb_tx_flush(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x);

#endif
