/*
 * Locality-based least connection with replication: a destination address maps to a
 * small set of backends. The least loaded member serves while it is not overloaded;
 * otherwise wlc picks a backend from the whole service and it joins the set. A set of
 * several members that has not changed for lblcr_set_expire loses its most loaded one.
 * Per-worker fixed-size cache as in lblc.
 */
#include "dk_lb_sched.h"

#define LBLCR_WAYS 4
#define LBLCR_SETS 256
#define LBLCR_MEMBERS 4
#define LBLCR_ACTIVE_MULT 50

struct lblcr_entry {
	struct dk_addr dst;
	uint16_t member[LBLCR_MEMBERS];
	uint8_t n;
	uint8_t valid;
	uint64_t last_us;
	uint64_t lastmod_us;
};

struct lblcr_ws {
	struct lblcr_entry e[LBLCR_SETS][LBLCR_WAYS];
};

static uint64_t
load(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx, uint16_t i)
{
	uint32_t slot = svc->backends[i].slot;

	return dk_lb_active(ctx, slot) * LBLCR_ACTIVE_MULT + dk_lb_inactive(ctx, slot);
}

/* The member with the lowest (want_min) or highest load per weight; -1 when none fits. */
static int
member_extreme(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
	       const struct lblcr_entry *e, bool want_min)
{
	unsigned __int128 best_l = 0, best_w = 1;
	int best = -1;
	unsigned k;

	for (k = 0; k < e->n; k++) {
		const struct dk_lb_backend *b = &svc->backends[e->member[k]];
		unsigned __int128 l = load(svc, ctx, e->member[k]);

		if (want_min && !dk_lb_backend_available(b))
			continue;
		if (best < 0 || (want_min ? l * best_w < best_l * b->weight
					  : l * best_w > best_l * b->weight)) {
			best = (int)k;
			best_l = l;
			best_w = b->weight ? b->weight : 1;
		}
	}
	return best;
}

static void
member_remove(struct lblcr_entry *e, unsigned k)
{
	e->member[k] = e->member[--e->n];
}

static void
member_add(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
	   struct lblcr_entry *e, uint16_t idx)
{
	unsigned k;

	for (k = 0; k < e->n; k++)
		if (e->member[k] == idx)
			return;
	/* A full set gives up its most loaded member to make room. */
	if (e->n == LBLCR_MEMBERS)
		member_remove(e, (unsigned)member_extreme(svc, ctx, e, false));
	e->member[e->n++] = idx;
	e->lastmod_us = ctx->now_us;
}

static enum dk_lb_verdict
lblcr_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	       uint32_t *idx)
{
	struct lblcr_ws *s = ws;
	struct lblcr_entry *set, *e = NULL, *victim;
	uint32_t w;
	int k;

	set = s->e[dk_lb_hash_addr(&ctx->dst, 0, 0) % LBLCR_SETS];
	victim = &set[0];
	for (w = 0; w < LBLCR_WAYS; w++) {
		struct lblcr_entry *x = &set[w];

		if (x->valid && ctx->now_us - x->last_us >= svc->lblc_expire_us)
			x->valid = 0;
		if (x->valid && dk_addr_eq(&x->dst, &ctx->dst))
			e = x;
		if (!x->valid || (victim->valid && x->last_us < victim->last_us))
			victim = x;
	}
	if (e) {
		e->last_us = ctx->now_us;
		k = member_extreme(svc, ctx, e, true);
		if (k >= 0)
			*idx = e->member[k];
		if (e->n > 1 && ctx->now_us - e->lastmod_us >= svc->lblcr_set_expire_us) {
			int m = member_extreme(svc, ctx, e, false);

			/* Never drop the member that is about to serve. */
			if (m >= 0 && (k < 0 || e->member[m] != *idx)) {
				member_remove(e, (unsigned)m);
				e->lastmod_us = ctx->now_us;
			}
		}
		if (k >= 0 && !dk_lb_is_overloaded(svc, ctx, *idx))
			return DK_LB_SCHED_OK;
	}
	if (dk_lb_pick_wlc(svc, ctx, LBLCR_ACTIVE_MULT, idx) < 0)
		return DK_LB_SCHED_NO_BACKEND;
	if (e == NULL) {
		e = victim;
		e->dst = ctx->dst;
		e->valid = 1;
		e->n = 0;
		e->last_us = ctx->now_us;
	}
	member_add(svc, ctx, e, (uint16_t)*idx);
	return DK_LB_SCHED_OK;
}

const struct dk_lb_sched_ops dk_lb_sched_lblcr = {
	.name = "lblcr",
	.wstate_size = sizeof(struct lblcr_ws),
	.schedule = lblcr_schedule,
};
