/*
 * Load balancer model: services (VIP, port, protocol) with real servers, built whole
 * by the control thread and published as one immutable table; workers look services
 * up by (vip, port, proto) and schedule new flows through the service's scheduler.
 *
 * Backends carry a stable "slot" chosen by the control thread (< max_slots). Slots
 * survive reloads, so connection entries, per-worker counters and persistence
 * templates keep meaning the same backend across table swaps.
 *
 * Ports are in host byte order throughout lib/lb.
 */
#ifndef DK_LB_H
#define DK_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"

#define DK_LB_PROTO_TCP 6
#define DK_LB_PROTO_UDP 17

#define DK_LB_MH_TABLE_SIZE_DEFAULT 65537
/* Hash buckets of sh/dh, as IPVS's default CONFIG_IP_VS_SH_TAB_BITS. */
#define DK_LB_HASH_TAB_BITS 8

enum dk_lb_fwd {
	DK_LB_FWD_DR,
	DK_LB_FWD_NAT,
	DK_LB_FWD_TUN,
	DK_LB_FWD_FNAT,
};

/* Backend flags. A backend takes new flows only when ALIVE, not INHIBITED, weight > 0. */
#define DK_LB_BACKEND_F_ALIVE 0x1u
/* Drain: existing flows continue (they are in the conn table), no new ones. */
#define DK_LB_BACKEND_F_INHIBITED 0x2u
/*
 * Removed from the configuration while flows still point at its slot: kept out of
 * scheduling (not in backends[], so no scheduler ever sees it), found only by slot so
 * those flows keep their backend, or are expired under DK_LB_SVC_F_EXPIRE_NODEST.
 */
#define DK_LB_BACKEND_F_REMOVED 0x4u

/* Service flags; the hash flags are keepalived's sh-port/mh-port, sh-fallback/mh-fallback. */
#define DK_LB_SVC_F_HASH_PORT 0x1u
#define DK_LB_SVC_F_HASH_FALLBACK 0x2u
/* dpkeep: a full conn table forwards new flows by a Maglev table, without an entry. */
#define DK_LB_SVC_F_STATELESS 0x4u
/* dpkeep (IPVS's expire_nodest_conn): flows of a removed backend end at their next packet. */
#define DK_LB_SVC_F_EXPIRE_NODEST 0x8u
/*
 * dpkeep: the service was removed from the configuration while flows were still on it.
 * Kept (its servers all in removed[]) so those flows finish; a packet that is no flow's
 * is not the service's either, as if its VIP:port were unknown.
 */
#define DK_LB_SVC_F_GONE 0x10u

enum dk_lb_verdict {
	DK_LB_SCHED_OK,
	DK_LB_SCHED_SORRY,	/* quorum is down and a sorry server is configured */
	DK_LB_SCHED_NO_BACKEND,
};

struct dk_lb_backend_params {
	struct dk_addr addr;
	uint16_t port;
	uint32_t weight;
	uint32_t flags;	/* DK_LB_BACKEND_F_* */
	uint32_t slot;	/* stable id < dk_lb_table_params.max_slots, unique in the table */
};

struct dk_lb_service_params {
	struct dk_addr vip;
	uint16_t port;
	uint8_t proto;			/* DK_LB_PROTO_* */
	const char *sched;		/* "rr", "wlc", "mh", ... */
	enum dk_lb_fwd fwd;
	uint32_t flags;			/* DK_LB_SVC_F_* */
	uint32_t persist_timeout_s;	/* 0: no persistence */
	uint8_t persist_prefix_len;	/* granularity; 0 means a host (/32 or /128) */
	uint32_t quorum;		/* alive weight needed for quorum; 0 means 1 */
	uint32_t hysteresis;
	bool quorum_was_up;		/* state from the previous table, for hysteresis */
	const struct dk_lb_backend_params *sorry;	/* NULL: none */
	const struct dk_lb_backend_params *backends;
	uint32_t n_backends;
	/* Removed backends that still have flows: by slot only (DK_LB_BACKEND_F_REMOVED). */
	const struct dk_lb_backend_params *removed;
	uint32_t n_removed;
	uint32_t mh_table_size;		/* prime; 0 means DK_LB_MH_TABLE_SIZE_DEFAULT */
	uint32_t lblc_expire_s;		/* lblc/lblcr entry idle expiry; 0 means 86400 */
	uint32_t lblcr_set_expire_s;	/* lblcr set shrink period; 0 means 360 */
};

struct dk_lb_table_params {
	const struct dk_lb_service_params *services;
	uint32_t n_services;
	uint32_t n_workers;	/* schedulers keep one private state block per worker */
	uint32_t max_slots;
	uint64_t seed;		/* for twos and per-worker starting points */
};

struct dk_lb_backend {
	struct dk_addr addr;
	uint16_t port;
	uint16_t svc_index;
	uint32_t weight;
	uint32_t flags;
	uint32_t slot;
};

struct dk_lb_sched_ops;

struct dk_lb_service {
	struct dk_addr vip;
	uint16_t port;
	uint8_t proto;
	uint8_t persist_prefix_len;
	enum dk_lb_fwd fwd;
	uint32_t flags;
	uint32_t persist_timeout_s;
	uint32_t index;
	bool quorum_up;
	uint64_t alive_weight;
	const struct dk_lb_backend *sorry;
	const struct dk_lb_sched_ops *sched;
	const void *sched_data;	/* immutable, built by ops->init */
	uint8_t *wstate;	/* n_workers blocks of wstate_stride bytes, one per worker */
	size_t wstate_stride;
	uint32_t n_workers;
	struct dk_lb_backend *backends;
	uint32_t n_backends;
	/* Indexes into backends[] of those that take new flows, in configuration order. */
	uint16_t *avail;
	uint32_t n_avail;
	struct dk_lb_backend *removed;	/* never scheduled; see DK_LB_BACKEND_F_REMOVED */
	uint32_t n_removed;
	uint32_t mh_table_size;
	const void *stateless_mh;	/* under DK_LB_SVC_F_STATELESS: a Maglev table */
	uint64_t lblc_expire_us;
	uint64_t lblcr_set_expire_us;
};

struct dk_lb_table;

/*
 * Connection load per backend slot. Each worker owns one array (single writer); the
 * control thread sums them with dk_lb_load_aggregate().
 */
struct dk_lb_load {
	uint32_t active;
	uint32_t inactive;
};

/* Per-slot traffic statistics, one array per worker, summed for "show vs". */
struct dk_lb_stats {
	uint64_t pkts_in;
	uint64_t pkts_out;
	uint64_t bytes_in;
	uint64_t bytes_out;
};

/*
 * What a scheduler sees of a new flow. Load of a slot is others[slot] + local[slot]:
 * the aggregate of the other workers (published by the control thread, lagging) plus
 * this worker's own live counters, so a worker's own burst is seen at once. Either may
 * be NULL (then counts as zero); arrays are indexed by slot.
 */
struct dk_lb_sched_ctx {
	struct dk_addr src;
	struct dk_addr dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	unsigned worker;
	uint64_t now_us;
	const struct dk_lb_load *others;
	const struct dk_lb_load *local;
};

int dk_lb_table_build(const struct dk_lb_table_params *p, struct dk_lb_table **out);
void dk_lb_table_free(struct dk_lb_table *t);

/* Fast path: the service for a destination, or NULL. */
const struct dk_lb_service *dk_lb_table_lookup(const struct dk_lb_table *t,
					       const struct dk_addr *vip, uint16_t port,
					       uint8_t proto);
/* The backend with this slot in this table (real, sorry or removed server), or NULL. */
const struct dk_lb_backend *dk_lb_table_backend(const struct dk_lb_table *t, uint32_t slot);
uint32_t dk_lb_table_n_services(const struct dk_lb_table *t);
const struct dk_lb_service *dk_lb_table_service(const struct dk_lb_table *t, uint32_t i);
uint32_t dk_lb_table_max_slots(const struct dk_lb_table *t);

/*
 * Picks a backend for a new flow. Writes only the calling worker's (ctx->worker)
 * scheduler state inside the table, so workers never share a written cache line.
 */
enum dk_lb_verdict dk_lb_schedule(const struct dk_lb_service *svc,
				  const struct dk_lb_sched_ctx *ctx,
				  const struct dk_lb_backend **out);

static inline bool
dk_lb_backend_available(const struct dk_lb_backend *b)
{
	return b->weight > 0 &&
	       (b->flags & (DK_LB_BACKEND_F_ALIVE | DK_LB_BACKEND_F_INHIBITED)) ==
		       DK_LB_BACKEND_F_ALIVE;
}

/* keepalived's quorum with hysteresis: up at >= quorum + h, down below quorum - h. */
bool dk_lb_quorum_eval(bool was_up, uint64_t alive_weight, uint32_t quorum,
		       uint32_t hysteresis);

/* The client address masked to the service's persistence granularity. */
void dk_lb_persist_client(const struct dk_lb_service *svc, const struct dk_addr *client,
			  struct dk_addr *out);

/*
 * Sums per-worker loads: total[s] = sum over workers; others[w][s] = total[s] minus
 * worker w's own. others may be NULL when only the total is wanted.
 */
void dk_lb_load_aggregate(const struct dk_lb_load *const *per_worker, unsigned n_workers,
			  uint32_t n_slots, struct dk_lb_load *total,
			  struct dk_lb_load *const *others);
void dk_lb_stats_aggregate(const struct dk_lb_stats *const *per_worker, unsigned n_workers,
			   uint32_t n_slots, struct dk_lb_stats *total);

/* Single-writer updates that the control thread may read concurrently without tearing. */
static inline void
dk_lb_load_add(uint32_t *c, int32_t d)
{
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + (uint32_t)d,
			 __ATOMIC_RELAXED);
}

static inline void
dk_lb_stats_count(struct dk_lb_stats *s, bool reply, uint32_t bytes)
{
	uint64_t *p = reply ? &s->pkts_out : &s->pkts_in;
	uint64_t *b = reply ? &s->bytes_out : &s->bytes_in;

	__atomic_store_n(p, __atomic_load_n(p, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
	__atomic_store_n(b, __atomic_load_n(b, __ATOMIC_RELAXED) + bytes, __ATOMIC_RELAXED);
}

/* Whether a scheduler of this name is registered; for config checks. */
bool dk_lb_sched_exists(const char *name);

#endif
