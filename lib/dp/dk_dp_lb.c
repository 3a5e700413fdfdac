/*
 * Load balancer contexts: per-worker state, snapshot publishing under RCU, redirect
 * rings between contexts, and the hooks the poll loops call. Per-packet forwarding is
 * in dk_dp_lb_fwd.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>

#include "dk_dp_lb.h"
#include "dk_dp_lb_priv.h"

#define REDIR_RING_SIZE 1024
#define EXPIRE_EVERY_US 1000
#define EXPIRE_BUDGET 256

/* The dump handshake: only the control lcore moves IDLE->ASKED and DONE/ASKED->IDLE,
 * only the worker ASKED->COPYING->DONE, so a withdrawn request is never half copied. */
enum dump_state {
	DUMP_IDLE,
	DUMP_ASKED,
	DUMP_COPYING,
	DUMP_DONE,
};

static const char *const counter_names[DK_DP_LB_C_MAX] = { DK_DP_LB_COUNTERS(DK_XSTR) };

const char *
dk_dp_lb_counter_name(enum dk_dp_lb_counter c)
{
	return c < DK_DP_LB_C_MAX ? counter_names[c] : "?";
}

uint64_t
dk_dp_lb_now_us(const struct dk_dp_lb *lb)
{
	uint64_t t = rte_get_tsc_cycles();

	return t / lb->tsc_hz * DK_USEC_PER_SEC + t % lb->tsc_hz * DK_USEC_PER_SEC / lb->tsc_hz;
}

/* An FNAT entry going away gives its local port back to this worker's pool. */
static void
conn_removed(void *arg, const struct dk_conn *c)
{
	struct dk_dp_lb_ctx *x = arg;
	const struct dk_conn_key *r = &c->key[DK_CONN_DIR_REPLY];
	int i;

	if (x->fnat == NULL || !(c->flags & DK_CONN_F_REPLY) || (c->flags & DK_CONN_F_TMPL))
		return;
	/* A NAT entry's reply goes to the client, not to a local address. */
	if (dk_addr_eq(&r->dst, &c->key[DK_CONN_DIR_ORIG].src))
		return;
	i = dk_lb_fnat_laddr_index(x->fnat, &r->dst);
	if (i >= 0)
		dk_lb_fnat_release(x->fnat, (uint32_t)i, r->dport);
}

static void
ctx_free(struct dk_dp_lb_ctx *x)
{
	if (x == NULL)
		return;
	if (x->ct)
		dk_conn_table_free(x->ct);
	if (x->fnat)
		dk_lb_fnat_free(x->fnat);
	free(x->load);
	free(x->others_buf[0]);
	free(x->others_buf[1]);
	free(x->stats);
	free(x);
}

static int
ctx_create(const struct dk_dp_lb_params *p, struct dk_dp_lb *lb, unsigned idx,
	   struct dk_dp_lb_ctx **out)
{
	struct dk_dp_lb_ctx *x = calloc(1, sizeof(*x));
	struct dk_conn_params cp = { 0 };
	int rc = -ENOMEM;

	if (x == NULL)
		return -ENOMEM;
	x->idx = idx;
	/* The control context owns no flow: it only hands packets to their owners. */
	if (idx >= lb->n_workers)
		goto done;
	x->load = calloc(p->max_slots ? p->max_slots : 1, sizeof(*x->load));
	x->stats = calloc(p->max_slots ? p->max_slots : 1, sizeof(*x->stats));
	for (unsigned i = 0; i < 2; i++)
		x->others_buf[i] = calloc(p->max_slots ? p->max_slots : 1,
					  sizeof(*x->others_buf[i]));
	if (x->load == NULL || x->stats == NULL || x->others_buf[0] == NULL ||
	    x->others_buf[1] == NULL)
		goto fail;
	x->others_pub = x->others_buf[0];
	if (p->n_laddrs) {
		struct dk_lb_fnat_params fp = { .laddrs = p->laddrs, .n_laddrs = p->n_laddrs,
						.worker = idx, .n_workers = lb->n_workers };

		rc = dk_lb_fnat_create(&fp, &x->fnat);
		if (rc < 0)
			goto fail;
	}
	cp.max_conns = lb->max_conns;
	cp.seed = p->seed + idx;
	cp.now_us = dk_dp_lb_now_us(lb);
	cp.load = x->load;
	cp.n_slots = p->max_slots;
	cp.on_remove = conn_removed;
	memcpy(cp.timeout_s, p->timeout_s, sizeof(cp.timeout_s));
	cp.arg = x;
	rc = dk_conn_table_create(&cp, &x->ct);
	if (rc < 0)
		goto fail;
done:
	*out = x;
	return 0;
fail:
	ctx_free(x);
	return rc;
}

int
dk_dp_lb_create(const struct dk_dp_lb_params *p, struct dk_dp_lb **out)
{
	struct dk_dp_lb *lb;
	unsigned n_ctx = p->dp->n_workers + 1;
	size_t qsz;
	int rc = -EINVAL;

	if (p->dp->n_workers == 0 || p->dp->n_workers > DK_DP_MAX_WORKERS)
		return -EINVAL;
	lb = calloc(1, sizeof(*lb));
	if (lb == NULL)
		return -ENOMEM;
	lb->dp = p->dp;
	lb->n_workers = p->dp->n_workers;
	lb->max_conns = p->max_conns ? p->max_conns : 65536;
	lb->max_slots = p->max_slots ? p->max_slots : 1;
	lb->tsc_hz = rte_get_tsc_hz();
	rc = -ENOMEM;
	lb->load_total = calloc(lb->max_slots, sizeof(*lb->load_total));
	if (lb->load_total == NULL)
		goto fail;
	qsz = rte_rcu_qsbr_get_memsize(n_ctx);
	lb->qs = rte_zmalloc("dk_lb_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (lb->qs == NULL)
		goto fail;
	rc = rte_rcu_qsbr_init(lb->qs, n_ctx);
	for (unsigned i = 0; rc == 0 && i < n_ctx; i++)
		rc = rte_rcu_qsbr_thread_register(lb->qs, i);
	if (rc != 0) {
		rc = -EINVAL;
		goto fail;
	}
	for (unsigned i = 0; i < n_ctx; i++) {
		rc = ctx_create(p, lb, i, &lb->ctx[i]);
		if (rc < 0)
			goto fail;
	}
	rc = -ENOMEM;
	for (unsigned to = 0; to < lb->n_workers; to++)
		for (unsigned from = 0; from < n_ctx; from++) {
			char name[RTE_RING_NAMESIZE];

			if (to == from)
				continue;
			snprintf(name, sizeof(name), "dk_lb_r%u_%u", to, from);
			lb->redir[to][from] = rte_ring_create(name, REDIR_RING_SIZE,
							      (int)rte_socket_id(),
							      RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (lb->redir[to][from] == NULL)
				goto fail;
		}
	*out = lb;
	return 0;
fail:
	dk_dp_lb_free(lb);
	return rc;
}

struct dk_dp_lb_snap *
dk_dp_lb_free(struct dk_dp_lb *lb)
{
	struct dk_dp_lb_snap *s;

	if (lb == NULL)
		return NULL;
	s = lb->cur;
	for (unsigned to = 0; to < DK_DP_MAX_WORKERS; to++)
		for (unsigned from = 0; from <= DK_DP_MAX_WORKERS; from++) {
			struct rte_ring *r = lb->redir[to][from];
			struct rte_mbuf *m;

			if (r == NULL)
				continue;
			while (rte_ring_sc_dequeue(r, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(r);
		}
	for (unsigned i = 0; i <= DK_DP_MAX_WORKERS; i++)
		ctx_free(lb->ctx[i]);
	rte_free(lb->qs);
	free(lb->load_total);
	free(lb);
	return s;
}

void
dk_dp_lb_attach(struct dk_dp_lb *lb)
{
	lb->dp->fast_arg = lb;
	lb->dp->fast_poll = dk_dp_lb_poll;
	lb->dp->fast = dk_dp_lb_fast;
}

struct dk_dp_lb_snap *
dk_dp_lb_publish(struct dk_dp_lb *lb, struct dk_dp_lb_snap *snap)
{
	struct dk_dp_lb_snap *old = lb->cur;

	__atomic_store_n(&lb->cur, snap, __ATOMIC_RELEASE);
	/* Contexts hold a snapshot only inside a burst, so this waits one burst at most. */
	rte_rcu_qsbr_synchronize(lb->qs, RTE_QSBR_THRID_INVALID);
	return old;
}

void
dk_dp_lb_load_publish(struct dk_dp_lb *lb)
{
	const struct dk_lb_load *mine[DK_DP_MAX_WORKERS];
	struct dk_lb_load *spare[DK_DP_MAX_WORKERS];

	/* One worker has no others: its own live counters are the whole story. */
	if (lb->n_workers < 2)
		return;
	for (unsigned w = 0; w < lb->n_workers; w++) {
		struct dk_dp_lb_ctx *x = lb->ctx[w];

		mine[w] = x->load;
		spare[w] = x->others_pub == x->others_buf[0] ? x->others_buf[1] : x->others_buf[0];
	}
	dk_lb_load_aggregate(mine, lb->n_workers, lb->max_slots, lb->load_total, spare);
	for (unsigned w = 0; w < lb->n_workers; w++)
		__atomic_store_n(&lb->ctx[w]->others_pub, spare[w], __ATOMIC_RELEASE);
	/* The buffers just retired are written next time: no burst may still read them. */
	rte_rcu_qsbr_synchronize(lb->qs, RTE_QSBR_THRID_INVALID);
}

void
dk_dp_lb_slot_reset(struct dk_dp_lb *lb, uint32_t slot)
{
	static const struct dk_lb_stats zs;
	static const struct dk_lb_load zl;

	if (slot >= lb->max_slots)
		return;
	for (unsigned w = 0; w < lb->n_workers; w++) {
		struct dk_dp_lb_ctx *x = lb->ctx[w];

		/* Plain stores: the next snapshot's release publishes them to the worker. */
		x->stats[slot] = zs;
		x->load[slot] = zl;
		/* The control lcore is the only writer of these; a stale sum would bias the
		 * new server's first schedules until the next load publish. */
		for (unsigned b = 0; b < 2; b++) {
			__atomic_store_n(&x->others_buf[b][slot].active, 0, __ATOMIC_RELAXED);
			__atomic_store_n(&x->others_buf[b][slot].inactive, 0, __ATOMIC_RELAXED);
		}
	}
}

void
dk_dp_lb_set_timeouts(struct dk_dp_lb *lb, const uint32_t *timeout_s)
{
	for (unsigned w = 0; w < lb->n_workers; w++)
		dk_conn_set_timeouts(lb->ctx[w]->ct, timeout_s);
}

const struct dk_lb_load *
dk_dp_lb_load(const struct dk_dp_lb *lb, unsigned worker)
{
	return worker < lb->n_workers ? lb->ctx[worker]->load : NULL;
}

const struct dk_lb_stats *
dk_dp_lb_stats(const struct dk_dp_lb *lb, unsigned worker)
{
	return worker < lb->n_workers ? lb->ctx[worker]->stats : NULL;
}

static int
dump_one(void *arg, const struct dk_conn *c)
{
	struct dk_dp_lb_dump *d = arg;

	if (d->n < d->cap)
		d->conns[d->n++] = *c;
	d->total++;
	return 0;
}

/* On the worker: answers a pending dump request (a walk of its own table). */
static void
dump_serve(struct dk_dp_lb_ctx *x, uint64_t now_us)
{
	uint32_t asked = DUMP_ASKED;
	struct dk_dp_lb_dump *d;

	if (__atomic_load_n(&x->dump_state, __ATOMIC_RELAXED) != DUMP_ASKED ||
	    !__atomic_compare_exchange_n(&x->dump_state, &asked, DUMP_COPYING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return;
	d = x->dump;
	d->n = 0;
	d->total = 0;
	d->now_us = now_us;
	dk_conn_walk(x->ct, now_us, dump_one, d);
	__atomic_store_n(&x->dump_state, DUMP_DONE, __ATOMIC_RELEASE);
}

int
dk_dp_lb_conn_dump(struct dk_dp_lb *lb, unsigned worker, struct dk_dp_lb_dump *d,
		   uint64_t timeout_us)
{
	struct dk_dp_lb_ctx *x;
	uint64_t until = dk_dp_lb_now_us(lb) + timeout_us;
	uint32_t asked = DUMP_ASKED;

	if (worker >= lb->n_workers)
		return -EINVAL;
	x = lb->ctx[worker];
	if (__atomic_load_n(&x->dump_state, __ATOMIC_ACQUIRE) != DUMP_IDLE)
		return -EBUSY;
	x->dump = d;
	__atomic_store_n(&x->dump_state, DUMP_ASKED, __ATOMIC_RELEASE);
	while (__atomic_load_n(&x->dump_state, __ATOMIC_ACQUIRE) != DUMP_DONE) {
		if (dk_dp_lb_now_us(lb) < until) {
			rte_delay_us_sleep(50);
			continue;
		}
		if (__atomic_compare_exchange_n(&x->dump_state, &asked, DUMP_IDLE, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return -ETIMEDOUT;
		/* The worker took it just now: a walk is bounded, wait for its end. */
		until = UINT64_MAX;
	}
	x->dump = NULL;
	__atomic_store_n(&x->dump_state, DUMP_IDLE, __ATOMIC_RELEASE);
	return 0;
}

uint64_t
dk_dp_lb_counter(const struct dk_dp_lb *lb, enum dk_dp_lb_counter c)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i <= lb->n_workers; i++)
		sum += __atomic_load_n(&lb->ctx[i]->cnt[c], __ATOMIC_RELAXED);
	return sum;
}

/* Enters a burst: online first, then the snapshot, so the writer waits for us. */
static void
burst_begin(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x)
{
	rte_rcu_qsbr_thread_online(lb->qs, x->idx);
	x->snap = __atomic_load_n(&lb->cur, __ATOMIC_ACQUIRE);
	x->others = __atomic_load_n(&x->others_pub, __ATOMIC_ACQUIRE);
	x->now_us = dk_dp_lb_now_us(lb);
}

static void
burst_end(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x)
{
	dk_dp_lb_tx_flush(lb, x);
	x->snap = NULL;
	x->others = NULL;
	rte_rcu_qsbr_thread_offline(lb->qs, x->idx);
}

uint16_t
dk_dp_lb_fast(struct dk_dp *dp, struct dk_dp_lctx *lc, uint16_t port, struct rte_mbuf **pkts,
	      uint16_t n, void *arg)
{
	struct dk_dp_lb *lb = arg;
	struct dk_dp_lb_ctx *x = lb->ctx[lc->idx];
	uint16_t k = 0;

	(void)dp;
	burst_begin(lb, x);
	if (x->snap == NULL) {
		burst_end(lb, x);
		return n;
	}
	k = dk_dp_lb_burst(lb, x, pkts, n, port);
	burst_end(lb, x);
	lc->cnt[DK_DPC_FAST] += (uint64_t)(n - k);
	return k;
}

/*
 * Once per pass: packets other contexts redirected here, and connection expiry. What
 * the fast path declines goes to the control lcore like any unhandled packet.
 */
uint16_t
dk_dp_lb_poll(struct dk_dp *dp, struct dk_dp_lctx *lc, void *arg)
{
	struct dk_dp_lb *lb = arg;
	struct dk_dp_lb_ctx *x = lb->ctx[lc->idx];
	struct rte_mbuf *pkts[DK_DP_BURST], *keep[DK_DP_BURST];
	uint16_t total = 0;
	uint64_t now;

	if (lc->idx >= lb->n_workers)
		return 0;
	for (unsigned from = 0; from <= lb->n_workers; from++) {
		struct rte_ring *r = lb->redir[lc->idx][from];
		unsigned n, k = 0;

		if (r == NULL || rte_ring_empty(r))
			continue;
		n = rte_ring_sc_dequeue_burst(r, (void **)pkts, DK_DP_BURST, NULL);
		burst_begin(lb, x);
		for (unsigned i = 0; i < n; i++) {
			int8_t pi = dp->port_idx[pkts[i]->port];

			if (x->snap == NULL || pi < 0 ||
			    dk_dp_lb_handle(lb, x, pkts[i], (uint16_t)pi) == DK_DP_LB_KEEP)
				keep[k++] = pkts[i];
		}
		burst_end(lb, x);
		if (k) {
			unsigned sent = rte_ring_sp_enqueue_burst(lc->to_ctl, (void **)keep, k,
								  NULL);

			lc->cnt[DK_DPC_TO_CTL] += sent;
			if (sent < k) {
				lc->cnt[DK_DPC_TO_CTL_FULL] += k - sent;
				rte_pktmbuf_free_bulk(keep + sent, k - sent);
			}
		}
		lc->cnt[DK_DPC_FAST] += n - k;
		total = (uint16_t)(total + n);
	}
	now = dk_dp_lb_now_us(lb);
	dump_serve(x, now);
	if (now >= x->next_expire_us) {
		dk_conn_expire(x->ct, now, EXPIRE_BUDGET);
		x->next_expire_us = now + EXPIRE_EVERY_US;
	}
	return total;
}
