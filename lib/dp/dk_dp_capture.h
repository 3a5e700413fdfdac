/*
 * Packet capture taps. A capture is one port, optionally one queue, in one or both
 * directions. The polling contexts copy matching mbufs into a capture pool and hand the
 * copies over a lock-free ring (multi-producer: every worker and the control lcore) to
 * the control lcore, which filters and writes them. When the capture is off, the cost
 * on the fast path is one byte read per port and burst; when the ring or the pool runs
 * out, copies are dropped and counted, never waited for.
 */
#ifndef DK_DP_CAPTURE_H
#define DK_DP_CAPTURE_H

#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_mbuf.h>

#include "dk_dp.h"

#define DK_DP_CAP_RX 1u
#define DK_DP_CAP_TX 2u
#define DK_DP_CAP_ANY_QUEUE (-1)

#define DK_DP_CAP_COUNTERS(X) \
	X(DK_DP_CAPC_COPIED, "copied") \
	X(DK_DP_CAPC_RING_FULL, "drop_ring_full") \
	X(DK_DP_CAPC_NOMBUF, "drop_no_mbuf")

enum dk_dp_cap_counter {
	DK_DP_CAP_COUNTERS(DK_XENUM)
	DK_DP_CAPC_MAX
};
extern const char *const dk_dp_cap_counter_names[DK_DP_CAPC_MAX];

/* Per port: the directions being captured (DK_DP_CAP_RX | DK_DP_CAP_TX), 0 when off. */
extern volatile uint8_t dk_dp_capture_dirs[DK_DP_MAX_PORTS];

struct dk_dp_capture_params {
	uint16_t port;   /* index in dp->ports[] */
	int queue;       /* DK_DP_CAP_ANY_QUEUE or a queue number */
	unsigned dirs;   /* DK_DP_CAP_RX | DK_DP_CAP_TX */
};

/* Turns the tap on (creating its pool and ring the first time). -EBUSY when a capture
 * is already on, -EINVAL for a bad port/queue/direction, -ENOMEM. Control lcore only. */
int dk_dp_capture_start(struct dk_dp *dp, const struct dk_dp_capture_params *p);
/* Turns the tap off; copies already in flight still arrive through dequeue. */
void dk_dp_capture_stop(struct dk_dp *dp);
/* Copies handed over so far (the caller frees them); returns how many. */
unsigned dk_dp_capture_dequeue(struct rte_mbuf **pkts, unsigned n);
/* The TSC when the copy was taken. */
uint64_t dk_dp_capture_tsc(const struct rte_mbuf *m);
/* Sum over every polling context of a capture counter. */
uint64_t dk_dp_capture_counter(enum dk_dp_cap_counter c);
void dk_dp_capture_clear_counters(void);
/* Frees the pool and ring; after the workers have stopped. */
void dk_dp_capture_fini(void);

/* Slow half of the tap (only called while this port captures in this direction). */
void dk_dp_capture_copy(const struct dk_dp_lctx *lc, uint16_t port, uint16_t queue,
			struct rte_mbuf *const *pkts, uint16_t n);

/* The tap: a burst just received (dir RX) or about to be sent (dir TX) on port/queue. */
static inline void
dk_dp_capture_tap(const struct dk_dp_lctx *lc, uint16_t port, uint16_t queue, unsigned dir,
		  struct rte_mbuf *const *pkts, uint16_t n)
{
	if (likely(!(dk_dp_capture_dirs[port] & dir)))
		return;
	dk_dp_capture_copy(lc, port, queue, pkts, n);
}

#endif
