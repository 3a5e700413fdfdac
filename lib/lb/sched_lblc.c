/*
 * Locality-based least connection: a destination address sticks to the backend it was
 * last given while that backend is available and not overloaded; otherwise wlc picks
 * a new one. The destination -> backend map is a per-worker set-associative cache of
 * fixed size (no allocation on the fast path); idle entries expire after lblc_expire.
 */
#include "dk_lb_sched.h"

#define LBLC_WAYS 4
#define LBLC_SETS 256
/* IPVS weighs active connections 50 times an inactive one in lblc's wlc. */
#define LBLC_ACTIVE_MULT 50

struct lblc_entry {
	struct dk_addr dst;
	uint16_t idx;
	uint8_t valid;
	uint64_t last_us;
};

struct lblc_ws {
	struct lblc_entry e[LBLC_SETS][LBLC_WAYS];
};

static enum dk_lb_verdict
lblc_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	      uint32_t *idx)
{
	struct lblc_ws *s = ws;
	struct lblc_entry *set, *e = NULL, *victim;
	uint32_t w;

	set = s->e[dk_lb_hash_addr(&ctx->dst, 0, 0) % LBLC_SETS];
	victim = &set[0];
	for (w = 0; w < LBLC_WAYS; w++) {
		struct lblc_entry *x = &set[w];

		if (x->valid && ctx->now_us - x->last_us >= svc->lblc_expire_us)
			x->valid = 0;
		if (x->valid && dk_addr_eq(&x->dst, &ctx->dst))
			e = x;
		if (!x->valid || (victim->valid && x->last_us < victim->last_us))
			victim = x;
	}
	if (e && dk_lb_backend_available(&svc->backends[e->idx]) &&
	    !dk_lb_is_overloaded(svc, ctx, e->idx)) {
		e->last_us = ctx->now_us;
		*idx = e->idx;
		return DK_LB_SCHED_OK;
	}
	if (dk_lb_pick_wlc(svc, ctx, LBLC_ACTIVE_MULT, idx) < 0)
		return DK_LB_SCHED_NO_BACKEND;
	if (e == NULL) {
		e = victim;
		e->dst = ctx->dst;
		e->valid = 1;
	}
	e->idx = (uint16_t)*idx;
	e->last_us = ctx->now_us;
	return DK_LB_SCHED_OK;
}

const struct dk_lb_sched_ops dk_lb_sched_lblc = {
	.name = "lblc",
	.wstate_size = sizeof(struct lblc_ws),
	.schedule = lblc_schedule,
};
