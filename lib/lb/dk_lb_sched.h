/*
 * Scheduler interface. Each scheduler is one file defining one struct dk_lb_sched_ops,
 * listed once in dk_lb_sched.c. init runs in the control thread while a table is being
 * built (it may allocate); schedule runs on workers and must not allocate or log.
 *
 * Per-worker mutable state (rr cursor, lblc cache, PRNG) lives in the table: wstate_size
 * bytes per worker, cache-line separated, zeroed, then passed to wstate_init.
 */
#ifndef DK_LB_SCHED_H
#define DK_LB_SCHED_H

#include "dk_lb.h"

struct dk_lb_sched_ops {
	const char *name;
	/* Optional: builds svc->sched_data from the finished backend arrays. */
	int (*init)(struct dk_lb_service *svc);
	void (*fini)(struct dk_lb_service *svc);
	size_t wstate_size;
	/* Optional. */
	void (*wstate_init)(const struct dk_lb_service *svc, void *ws, unsigned worker,
			    uint64_t seed);
	/* On DK_LB_SCHED_OK, *idx is an index into svc->backends. */
	enum dk_lb_verdict (*schedule)(const struct dk_lb_service *svc, void *ws,
				       const struct dk_lb_sched_ctx *ctx, uint32_t *idx);
};

const struct dk_lb_sched_ops *dk_lb_sched_find(const char *name);

/* Helpers shared by the schedulers. */

/* IPVS's connection overhead: active connections weigh 256 times an inactive one. */
static inline uint64_t
dk_lb_overhead(const struct dk_lb_sched_ctx *ctx, uint32_t slot)
{
	uint64_t a = 0, i = 0;

	if (ctx->others) {
		a += ctx->others[slot].active;
		i += ctx->others[slot].inactive;
	}
	if (ctx->local) {
		a += ctx->local[slot].active;
		i += ctx->local[slot].inactive;
	}
	return (a << 8) + i;
}

static inline uint64_t
dk_lb_active(const struct dk_lb_sched_ctx *ctx, uint32_t slot)
{
	return (ctx->others ? ctx->others[slot].active : 0) +
	       (ctx->local ? ctx->local[slot].active : 0);
}

static inline uint64_t
dk_lb_inactive(const struct dk_lb_sched_ctx *ctx, uint32_t slot)
{
	return (ctx->others ? ctx->others[slot].inactive : 0) +
	       (ctx->local ? ctx->local[slot].inactive : 0);
}

/*
 * Weighted least-connection pick among the available backends with overhead
 * (active << 8) + inactive scaled by active_mult (IPVS's lblc uses 50 instead of 256):
 * the lowest overhead/weight wins, the first one on ties.
 */
int dk_lb_pick_wlc(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
		   uint64_t active_mult, uint32_t *idx);

/* sed's pick, which nq falls back to: lowest (active + 1) / weight, first on ties. */
enum dk_lb_verdict dk_lb_sched_sed_pick(const struct dk_lb_service *svc,
					const struct dk_lb_sched_ctx *ctx, uint32_t *idx);

/*
 * sh/dh bucket table: members in configuration order, each taking weight/gcd
 * consecutive buckets, cycling until all 1 << DK_LB_HASH_TAB_BITS are filled.
 * Returns -ENOMEM, or 0 (*out NULL when there is no member).
 */
int dk_lb_hashtab_build(const struct dk_lb_service *svc, uint16_t **out);
/* Bucket of (addr, port); under the fallback flag, rehashes past unavailable backends. */
enum dk_lb_verdict dk_lb_hashtab_pick(const struct dk_lb_service *svc, const uint16_t *tab,
				      const struct dk_addr *a, uint16_t port, uint32_t *idx);

/* IPVS lblc/lblcr: busy past its weight while some other backend is under half of its. */
bool dk_lb_is_overloaded(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
			 uint32_t idx);

/*
 * Hash schedulers (sh, dh, mh) map into backends with weight > 0 that are alive, plus
 * dead ones under the fallback flag so that a death moves only the dead backend's flows.
 */
static inline bool
dk_lb_hash_member(const struct dk_lb_service *svc, const struct dk_lb_backend *b)
{
	if (b->weight == 0)
		return false;
	return (b->flags & DK_LB_BACKEND_F_ALIVE) || (svc->flags & DK_LB_SVC_F_HASH_FALLBACK);
}

/* Maglev lookup table of an mh service (entries index svc->backends), else NULL. */
const uint16_t *dk_lb_mh_lookup(const struct dk_lb_service *svc, uint32_t *size);

/*
 * The stateless fallback: a Maglev table over svc's backends whatever its scheduler,
 * and a pick on (src, sport) that every packet of a flow repeats without state.
 */
int dk_lb_mh_stateless_init(struct dk_lb_service *svc);
void dk_lb_mh_stateless_fini(struct dk_lb_service *svc);
enum dk_lb_verdict dk_lb_mh_stateless_pick(const struct dk_lb_service *svc,
					   const struct dk_addr *src, uint16_t sport,
					   uint32_t *idx);

/* Hash of an address (and optionally a port) for the hashing schedulers. */
/* Greatest common divisor (wrr steps, Maglev skips, weighted hash tables). */
uint32_t dk_lb_gcd(uint32_t a, uint32_t b);
uint64_t dk_lb_hash_addr(const struct dk_addr *a, uint16_t port, uint64_t seed);

static inline uint64_t
dk_lb_rand_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

#endif
