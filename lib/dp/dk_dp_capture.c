/* Capture taps: copies of matching mbufs to the control lcore, see dk_dp_capture.h. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "dk_dp_capture.h"
#include "dk_log.h"

/* Enough for a burst from every context between two control-loop passes (the control
 * lcore may sleep up to half a millisecond when idle). */
#define CAP_RING_SIZE 4096
#define CAP_POOL_SIZE (CAP_RING_SIZE + 1023)

const char *const dk_dp_cap_counter_names[DK_DP_CAPC_MAX] = { DK_DP_CAP_COUNTERS(DK_XSTR) };

volatile uint8_t dk_dp_capture_dirs[DK_DP_MAX_PORTS];

struct cap_cnt {
	uint64_t v[DK_DP_CAPC_MAX];
} __rte_cache_aligned;

/* One capture per process: the state is the tap itself, shared by every context. */
static struct {
	struct rte_mempool *pool;
	struct rte_ring *ring;
	int tsc_off;           /* mbuf dynfield holding the copy's TSC */
	volatile int queue;    /* DK_DP_CAP_ANY_QUEUE or the one queue captured */
	struct cap_cnt cnt[DK_DP_MAX_WORKERS + 1];
} cap = { .tsc_off = -1 };

static int
cap_create(void)
{
	static const struct rte_mbuf_dynfield desc = {
		.name = "dk_capture_tsc",
		.size = sizeof(uint64_t),
		.align = __alignof__(uint64_t),
	};

	if (cap.ring)
		return 0;
	cap.tsc_off = rte_mbuf_dynfield_register(&desc);
	if (cap.tsc_off < 0)
		return -rte_errno;
	/* A pool of its own, so that a busy capture can never starve the data path. */
	cap.pool = rte_pktmbuf_pool_create("dk_capture", CAP_POOL_SIZE, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (cap.pool == NULL)
		return -rte_errno;
	cap.ring = rte_ring_create("dk_capture", CAP_RING_SIZE, SOCKET_ID_ANY, RING_F_SC_DEQ);
	if (cap.ring == NULL) {
		int rc = -rte_errno;

		rte_mempool_free(cap.pool);
		cap.pool = NULL;
		return rc;
	}
	return 0;
}

int
dk_dp_capture_start(struct dk_dp *dp, const struct dk_dp_capture_params *p)
{
	struct rte_mbuf *stale[DK_DP_BURST];
	unsigned n;
	int rc;

	if (p->port >= dp->n_ports || p->dirs == 0 || (p->dirs & ~(DK_DP_CAP_RX | DK_DP_CAP_TX)) ||
	    (p->queue != DK_DP_CAP_ANY_QUEUE &&
	     (p->queue < 0 || p->queue >= dp->ports[p->port].nb_q)))
		return -EINVAL;
	for (unsigned i = 0; i < dp->n_ports; i++)
		if (dk_dp_capture_dirs[i])
			return -EBUSY;
	rc = cap_create();
	if (rc < 0) {
		DK_LOG(DP, ERR, "capture pool/ring: %s", rte_strerror(-rc));
		return rc;
	}
	/* Copies left from an earlier capture must not land in this one. */
	while ((n = dk_dp_capture_dequeue(stale, DK_ARRAY_SIZE(stale))) > 0)
		rte_pktmbuf_free_bulk(stale, n);
	cap.queue = p->queue;
	rte_smp_wmb();
	dk_dp_capture_dirs[p->port] = (uint8_t)p->dirs;
	return 0;
}

void
dk_dp_capture_stop(struct dk_dp *dp)
{
	for (unsigned i = 0; i < dp->n_ports; i++)
		dk_dp_capture_dirs[i] = 0;
}

void
dk_dp_capture_copy(const struct dk_dp_lctx *lc, uint16_t port, uint16_t queue,
		   struct rte_mbuf *const *pkts, uint16_t n)
{
	struct rte_mbuf *copies[DK_DP_BURST];
	uint64_t *cnt = cap.cnt[lc->idx].v;
	uint64_t tsc = rte_rdtsc();
	unsigned k = 0, sent;

	(void)port;
	if (cap.queue != DK_DP_CAP_ANY_QUEUE && cap.queue != queue)
		return;
	for (uint16_t i = 0; i < n && k < DK_ARRAY_SIZE(copies); i++) {
		struct rte_mbuf *c = rte_pktmbuf_copy(pkts[i], cap.pool, 0, UINT32_MAX);

		if (unlikely(c == NULL)) {
			cnt[DK_DP_CAPC_NOMBUF]++;
			continue;
		}
		*RTE_MBUF_DYNFIELD(c, cap.tsc_off, uint64_t *) = tsc;
		copies[k++] = c;
	}
	if (k == 0)
		return;
	sent = rte_ring_mp_enqueue_burst(cap.ring, (void **)copies, k, NULL);
	cnt[DK_DP_CAPC_COPIED] += sent;
	if (unlikely(sent < k)) {
		cnt[DK_DP_CAPC_RING_FULL] += k - sent;
		rte_pktmbuf_free_bulk(copies + sent, k - sent);
	}
}

unsigned
dk_dp_capture_dequeue(struct rte_mbuf **pkts, unsigned n)
{
	if (cap.ring == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst(cap.ring, (void **)pkts, n, NULL);
}

uint64_t
dk_dp_capture_tsc(const struct rte_mbuf *m)
{
	return cap.tsc_off < 0 ? 0 : *RTE_MBUF_DYNFIELD(m, cap.tsc_off, const uint64_t *);
}

uint64_t
dk_dp_capture_counter(enum dk_dp_cap_counter c)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < DK_ARRAY_SIZE(cap.cnt); i++)
		sum += cap.cnt[i].v[c];
	return sum;
}

void
dk_dp_capture_clear_counters(void)
{
	memset(cap.cnt, 0, sizeof(cap.cnt));
}

void
dk_dp_capture_fini(void)
{
	struct rte_mbuf *pkts[DK_DP_BURST];
	unsigned n;

	while ((n = dk_dp_capture_dequeue(pkts, DK_ARRAY_SIZE(pkts))) > 0)
		rte_pktmbuf_free_bulk(pkts, n);
	rte_ring_free(cap.ring);
	rte_mempool_free(cap.pool);
	cap.ring = NULL;
	cap.pool = NULL;
}
