/* dpkeep-gen: shared state of the option parser, the poll loops and the reporter. */
#ifndef DK_GEN_APP_H
#define DK_GEN_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mempool.h>

#include "dk_gen.h"
#include "dk_profile.h"

#define GEN_BURST 32

/* Counters of one poll context (name, description). */
#define GEN_COUNTERS(X) \
	X(GEN_TX, "tx_pkts") \
	X(GEN_TX_BYTES, "tx_bytes") \
	X(GEN_TX_FAIL, "tx_fail") \
	X(GEN_TX_NOMBUF, "tx_nombuf") \
	X(GEN_RX, "rx_pkts") \
	X(GEN_RX_BYTES, "rx_bytes") \
	X(GEN_RX_STAMPED, "rx_stamped") \
	X(GEN_ARP_REPLIES, "arp_replies") \
	X(GEN_REFLECTED, "reflected") \
	X(GEN_REFLECT_FAIL, "reflect_fail")

enum gen_counter {
	GEN_COUNTERS(DK_XENUM)
	GEN_CNT_MAX
};

struct gen_opts {
	const char *ports_file;
	struct dk_profile prof;
	bool have_prof;
	const char *tx_port;       /* id or profile name; NULL: 0 */
	const char *rx_port;       /* NULL: the tx port */
	int rx_lcore, tx_lcore;    /* -1: the main lcore */
	double rate_pct;           /* percent of the link; 0 when rate_pps is set */
	uint64_t rate_pps;
	struct dk_gen_spec spec;
	enum dk_gen_dist dist;
	bool have_dst_mac, have_src_mac;
	double duration_s;         /* 0: until SIGINT */
	uint64_t count;            /* packets to offer, warm-up included; 0: no limit */
	double warmup_s;           /* excluded from the summary */
	unsigned lat_every;        /* stamp every Nth packet; 0: off */
	bool arp_reply;
	struct dk_gen_range arp_range;
	bool reflect;
	struct dk_gen_range reflect_range;
	uint16_t queues;           /* queue pairs per port; RX polls them all */
	unsigned mbufs;
	unsigned link_wait_s;
	bool quiet;
	int n_eal;
	char **eal;
};

/* One poll context: TX and/or RX on one lcore. */
struct gen_ctx {
	unsigned lcore;
	bool tx, rx;
	uint16_t tx_port, rx_port;
	uint16_t n_rxq;
	struct rte_mempool *pool;
	const struct dk_gen_tmpl *tmpl;
	struct dk_gen_flowseq seq;
	struct dk_gen_tb tb;
	uint64_t tx_left;             /* with a packet count: what is left to offer */
	unsigned lat_every, lat_ctr;
	bool arp_reply;               /* RX: answer ARP for arp_range (on the RX port) */
	struct dk_gen_range arp_range;
	bool reflect;                 /* RX: answer as the servers of reflect_range */
	struct dk_gen_range reflect_range;
	struct dk_mac mac;
	uint64_t cnt[GEN_CNT_MAX];
	struct dk_gen_hist hist; /* RX: TSC cycles from stamp to receipt, after warm-up */
} __rte_cache_aligned;

struct gen_state {
	volatile bool tx_stop;
	volatile bool tx_done;    /* the packet count is offered */
	volatile bool rx_stop;
	volatile bool quit;       /* SIGINT */
	volatile bool warm;       /* warm-up is over: start the latency histogram afresh */
	struct gen_ctx ctx[2];
	unsigned n_ctx;
	uint64_t hz;
};

extern const char *const gen_counter_names[GEN_CNT_MAX];

/* One poll pass of ctx; returns packets moved. */
unsigned gen_poll(struct gen_state *g, struct gen_ctx *c, uint64_t now);
/* The loop of a context launched on its own lcore. */
int gen_lcore_main(void *arg);
void gen_set_state(struct gen_state *g);

#endif
