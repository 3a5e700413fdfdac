/*
 * The DPDK glue: EAL arguments from a profile, mempools, ports and their queues, and
 * the poll loops. Every port gets one RX/TX queue pair per worker plus one pair for
 * the control lcore: the control lcore transmits on its own queue (no locks), and it
 * polls the extra RX queue because some PMDs (af_packet's fanout) spread traffic over
 * every queue they have.
 */
#ifndef DK_DP_H
#define DK_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dk_common.h"
#include "dk_profile.h"

#define DK_DP_MAX_PORTS DK_PROFILE_MAX_PORTS
#define DK_DP_MAX_WORKERS 32
#define DK_DP_BURST 32

/* Per polling-context counters (name, description). */
#define DK_DP_COUNTERS(X) \
	X(DK_DPC_RX, "rx") \
	X(DK_DPC_TX, "tx") \
	X(DK_DPC_TX_FAIL, "tx_fail") \
	X(DK_DPC_TO_CTL, "to_control") \
	X(DK_DPC_TO_CTL_FULL, "to_control_ring_full") \
	X(DK_DPC_NOT_FOR_US, "drop_not_for_us") \
	X(DK_DPC_MULTISEG, "drop_multiseg") \
	X(DK_DPC_FAST, "fast_path")

enum dk_dp_counter {
	DK_DP_COUNTERS(DK_XENUM)
	DK_DPC_MAX
};
extern const char *const dk_dp_counter_names[DK_DPC_MAX];

struct dk_dp;
struct dk_dp_lctx;

/*
 * Fast-path hook, run by every polling context on each RX burst before anything goes
 * to the control lcore. It takes the packets it handles (forwarded or freed) out of
 * pkts[] by compacting the array and returns how many are left for the control lcore.
 */
typedef uint16_t (*dk_dp_fast_fn)(struct dk_dp *dp, struct dk_dp_lctx *lc, uint16_t port,
				  struct rte_mbuf **pkts, uint16_t n, void *arg);

#define DK_DP_MAX_VMACS 8

struct dk_dp_port {
	uint16_t port_id;
	char name[DK_PORT_NAMESIZ];
	struct rte_ether_addr mac;
	int socket;
	uint16_t nb_q;      /* queue pairs: workers + 1 */
	uint16_t ctl_q;     /* the control lcore's queue pair */
	uint16_t mtu;
	const struct dk_profile_port *cfg;
	/* Extra unicast MACs the port accepts (VRRP virtual MACs), published by control. */
	struct rte_ether_addr extra_mac[DK_DP_MAX_VMACS];
	volatile uint8_t n_extra_mac;
};

struct dk_dp_lctx {
	struct dk_dp *dp;
	unsigned idx;       /* 0..n_workers-1 workers, n_workers: control */
	unsigned lcore_id;
	bool is_control;
	struct rte_ring *to_ctl;  /* worker -> control (SP/SC); NULL for the control ctx */
	struct rte_mempool *pool; /* the pool of this lcore's socket */
	void *user;               /* per-context state of the fast path (conn table, ...) */
	uint64_t cnt[DK_DPC_MAX];
	uint64_t busy_tsc;        /* cycles spent on bursts that carried packets */
	uint64_t loops;
	uint64_t idle_loops;
} __rte_cache_aligned;

struct dk_dp {
	const struct dk_profile *prof;
	struct dk_dp_port ports[DK_DP_MAX_PORTS];
	unsigned n_ports;
	unsigned n_workers;
	struct dk_dp_lctx *lctx;  /* n_workers + 1 entries; the last is the control lcore's */
	struct rte_mempool *pools[RTE_MAX_NUMA_NODES];
	bool busy_poll;
	bool started;             /* ports started: the control lcore may transmit */
	volatile bool stop;
	dk_dp_fast_fn fast;
	void *fast_arg;
	/* Optional, once per poll pass of every context, with fast_arg: work that no RX
	 * burst triggers (packets redirected from other contexts). Returns packets handled. */
	uint16_t (*fast_poll)(struct dk_dp *dp, struct dk_dp_lctx *lc, void *arg);
	/* The control lcore's input: packets for it, mbuf->port is the DPDK port id. */
	void (*ctl_rx)(void *arg, struct rte_mbuf **pkts, uint16_t n);
	void *ctl_arg;
	int8_t port_idx[RTE_MAX_ETHPORTS]; /* DPDK port id -> index in ports[], -1 */
	uint64_t start_tsc;
};

/* Builds EAL argv from the profile followed by the user's overrides. *argv_out is
 * allocated (free with dk_dp_eal_args_free); returns argc or -errno. */
int dk_dp_eal_args(const struct dk_profile *prof, int n_extra, char **extra, char ***argv_out);
void dk_dp_eal_args_free(int argc, char **argv);
/* Whether free hugepages cover memory_mb (for hugepages auto). */
bool dk_dp_hugepages_available(unsigned memory_mb);

/* After rte_eal_init: mempools, ports, queues, rings. Logs the step that failed. */
int dk_dp_create(const struct dk_profile *prof, struct dk_dp **out);
int dk_dp_start(struct dk_dp *dp);          /* starts ports and launches workers */
void dk_dp_stop(struct dk_dp *dp);          /* stops workers and ports */
void dk_dp_free(struct dk_dp *dp);
int dk_dp_port_by_name(const struct dk_dp *dp, const char *name);

static inline struct dk_dp_lctx *
dk_dp_ctl_ctx(struct dk_dp *dp)
{
	return &dp->lctx[dp->n_workers];
}

/* One poll pass of a context over its RX queues; returns packets received. What the
 * fast path leaves goes to the control lcore: over the ring from a worker, straight to
 * dp->ctl_rx from the control context. */
uint16_t dk_dp_poll_once(struct dk_dp *dp, struct dk_dp_lctx *lc);
/* Drains the workers' rings into dp->ctl_rx; returns packets handed over. */
unsigned dk_dp_drain_rings(struct dk_dp *dp);

/* The poll loop of a worker lcore, until dp->stop. */
int dk_dp_worker_loop(struct dk_dp *dp, struct dk_dp_lctx *lc);

/* Whether a frame's destination MAC is one this port accepts. */
bool dk_dp_mac_accept(const struct dk_dp_port *p, const struct rte_ether_hdr *eh);

/* Control lcore transmit on its own queue (frees what the PMD refuses). */
void dk_dp_ctl_tx(struct dk_dp *dp, uint16_t port_idx, struct rte_mbuf *m);

#endif
