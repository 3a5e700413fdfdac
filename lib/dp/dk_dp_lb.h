/*
 * The load balancer's fast path on the poll-mode contexts. The control lcore builds a
 * snapshot (service table, next hop of every backend slot, which VIPs are served) and
 * publishes it by pointer swap; readers hold it only inside one burst, between RCU
 * online and offline, so the writer's grace period lasts at most one burst.
 *
 * Flows belong to workers: a flow's owner is a hash of its client end (source of a
 * request, destination of a NAT reply), or for FNAT replies the worker named by the
 * local port's low bits. A context that receives a packet of a flow it does not own
 * hands it over an SP/SC ring to the owner, so each worker's connection table has a
 * single writer whatever the PMD's RSS did. The control context owns no flow.
 */
#ifndef DK_DP_LB_H
#define DK_DP_LB_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ring.h>

#include "dk_addr.h"
#include "dk_common.h"
#include "dk_conn.h"
#include "dk_dp.h"
#include "dk_lb.h"

#define DK_DP_LB_MAX_ADDRS 16

#define DK_DP_LB_COUNTERS(X) \
	X(DK_DP_LB_C_FWD, "forwarded") \
	X(DK_DP_LB_C_REPLIES, "replies_forwarded") \
	X(DK_DP_LB_C_MSS_CLAMPED, "tun_mss_clamped") \
	X(DK_DP_LB_C_TUN_TOO_BIG, "tun_too_big_icmp_sent") \
	X(DK_DP_LB_C_TUN_TOO_BIG_RL, "tun_too_big_icmp_suppressed") \
	X(DK_DP_LB_C_TUN_TOO_BIG_NO_DF, "drop_tun_too_big_no_df") \
	X(DK_DP_LB_C_NEW, "new_conns") \
	X(DK_DP_LB_C_REUSED, "reused_tuple") \
	X(DK_DP_LB_C_REDIRECT, "redirected") \
	X(DK_DP_LB_C_REDIRECT_FULL, "drop_redirect_ring_full") \
	X(DK_DP_LB_C_NO_BACKEND, "drop_no_backend") \
	X(DK_DP_LB_C_NO_CONN, "drop_no_conn") \
	X(DK_DP_LB_C_CONN_FULL, "drop_conn_table_full") \
	X(DK_DP_LB_C_STATELESS_FULL, "stateless_conn_table_full") \
	X(DK_DP_LB_C_STATELESS_NO_CONN, "stateless_no_conn") \
	X(DK_DP_LB_C_NO_HOP, "drop_no_next_hop") \
	X(DK_DP_LB_C_FNAT_NO_PORT, "drop_fnat_no_port") \
	X(DK_DP_LB_C_NO_ROOM, "drop_no_headroom") \
	X(DK_DP_LB_C_IPV6_EXT, "drop_ipv6_ext_hdr") \
	X(DK_DP_LB_C_FAMILY, "drop_family_mismatch") \
	X(DK_DP_LB_C_ICMP_FWD, "icmp_errors_forwarded") \
	X(DK_DP_LB_C_ICMP_NO_CONN, "drop_icmp_no_conn") \
	X(DK_DP_LB_C_TX_FULL, "drop_tx_full") \
	X(DK_DP_LB_C_EXPIRED_NODEST, "expired_nodest")

enum dk_dp_lb_counter {
	DK_DP_LB_COUNTERS(DK_XENUM)
	DK_DP_LB_C_MAX
};

/* Where packets to a backend slot leave: port index and the next hop's MAC. */
struct dk_dp_lb_hop {
	struct rte_ether_addr dst;
	uint16_t port;
	bool valid;
	uint32_t src4;		/* the port's IPv4 address: outer source of IPIP (TUN) */
	uint8_t src6[16];	/* its IPv6 address: outer source of IPv6-in-IPv6 */
};

/* Immutable once published. */
struct dk_dp_lb_snap {
	struct dk_lb_table *lb;
	struct dk_dp_lb_hop *hops;	/* max_slots entries */
	uint8_t *served;		/* per service index: 1 while its VIP is ours */
	uint32_t max_slots;
	bool has_nat;			/* look for NAT replies */
	bool has_fnat;
	/* Non-zero while a NAT service has persistence: NAT flows are owned by the client
	 * address masked to this many bits (the coarsest granularity), not address and port. */
	uint8_t nat_own_prefix;
	struct dk_addr laddrs[DK_DP_LB_MAX_ADDRS];	/* FNAT local addresses */
	unsigned n_laddrs;
	struct dk_addr own[DK_DP_LB_MAX_ADDRS];	/* dpkeep's own: never a NAT reply */
	unsigned n_own;
};

struct dk_dp_lb_params {
	struct dk_dp *dp;
	uint32_t max_slots;
	uint32_t max_conns;	/* per worker; 0 means 65536 */
	const struct dk_addr *laddrs;	/* FNAT pool, same for every worker */
	uint32_t n_laddrs;
	uint64_t seed;
	uint32_t timeout_s[DK_CONN_S_MAX];	/* per state; 0 means the IPVS default */
};

/*
 * A copy of one worker's live connections. The worker makes it itself, on its next
 * pass, so its table keeps a single writer and is never read while it changes.
 */
struct dk_dp_lb_dump {
	struct dk_conn *conns;	/* cap entries, owned by the caller */
	uint32_t cap;
	uint32_t n;		/* entries copied */
	uint32_t total;		/* live entries seen; more than n when cap was reached */
	uint64_t now_us;	/* the worker's clock at the copy (expiry is relative to it) */
};

struct dk_dp_lb_ctx;

struct dk_dp_lb {
	struct dk_dp *dp;
	unsigned n_workers;
	uint32_t max_conns;	/* per worker */
	uint32_t max_slots;
	struct dk_lb_load *load_total;	/* scratch of dk_dp_lb_load_publish */
	struct dk_dp_lb_snap *cur;
	struct rte_rcu_qsbr *qs;
	uint64_t tsc_hz;
	/* redir[to][from]: single producer (context from), single consumer (worker to). */
	struct rte_ring *redir[DK_DP_MAX_WORKERS][DK_DP_MAX_WORKERS + 1];
	struct dk_dp_lb_ctx *ctx[DK_DP_MAX_WORKERS + 1];
};

int dk_dp_lb_create(const struct dk_dp_lb_params *p, struct dk_dp_lb **out);
/* After the workers stopped; returns the last published snapshot for the caller. */
struct dk_dp_lb_snap *dk_dp_lb_free(struct dk_dp_lb *lb);
/* Installs the fast-path hooks on the data plane (before dk_dp_start). */
void dk_dp_lb_attach(struct dk_dp_lb *lb);
/*
 * Makes snap current and waits until no context still reads the previous one, which
 * is returned for the caller to free (NULL the first time).
 */
struct dk_dp_lb_snap *dk_dp_lb_publish(struct dk_dp_lb *lb, struct dk_dp_lb_snap *snap);

/* New connection timeouts (seconds per state, 0: default) for every worker's table. */
void dk_dp_lb_set_timeouts(struct dk_dp_lb *lb, const uint32_t *timeout_s);

/* Per-worker arrays indexed by slot, for the control lcore to sum (relaxed reads). */
const struct dk_lb_load *dk_dp_lb_load(const struct dk_dp_lb *lb, unsigned worker);
const struct dk_lb_stats *dk_dp_lb_stats(const struct dk_dp_lb *lb, unsigned worker);
/*
 * Sums the workers' loads and gives each worker the sum of the others', so lc/wlc and
 * friends see every worker's connections (lagging by the call period). Waits for an RCU
 * grace period (one burst) before it returns; control lcore only.
 */
void dk_dp_lb_load_publish(struct dk_dp_lb *lb);
/*
 * Asks a worker for a copy of its connections and waits up to timeout_us for it (the
 * control lcore's caller blocks that long at most). -ETIMEDOUT: the worker did not
 * answer (not polling); the request is withdrawn and d is the caller's again.
 */
int dk_dp_lb_conn_dump(struct dk_dp_lb *lb, unsigned worker, struct dk_dp_lb_dump *d,
		       uint64_t timeout_us);
/*
 * Zeroes every worker's counters of a slot about to be handed to a new backend, so its
 * numbers start from nothing. Control lcore only, and only for a slot no connection and
 * no published snapshot names (after the grace period): then no worker writes it.
 */
void dk_dp_lb_slot_reset(struct dk_dp_lb *lb, uint32_t slot);
/* A counter summed over every context. */
uint64_t dk_dp_lb_counter(const struct dk_dp_lb *lb, enum dk_dp_lb_counter c);
const char *dk_dp_lb_counter_name(enum dk_dp_lb_counter c);

/* The fast-path hook (dp->fast) and the per-pass hook (dp->fast_poll); arg is the lb. */
uint16_t dk_dp_lb_fast(struct dk_dp *dp, struct dk_dp_lctx *lc, uint16_t port,
		       struct rte_mbuf **pkts, uint16_t n, void *arg);
uint16_t dk_dp_lb_poll(struct dk_dp *dp, struct dk_dp_lctx *lc, void *arg);

#endif
