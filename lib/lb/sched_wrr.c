/*
 * Weighted round robin, IPVS style: the current weight steps down from the maximum by
 * the gcd of the weights, and each pass over the backends picks those at or above it.
 */
#include "dk_lb_sched.h"

struct wrr_ws {
	uint32_t cl;	/* last position in svc->avail */
	uint32_t cw;	/* current weight; 0 before the first pick */
	uint32_t mw;
	uint32_t di;
};

static void
wrr_wstate_init(const struct dk_lb_service *svc, void *ws, unsigned worker, uint64_t seed)
{
	struct wrr_ws *s = ws;
	uint32_t i;

	(void)worker;
	(void)seed;
	s->mw = 0;
	s->di = 0;
	for (i = 0; i < svc->n_avail; i++) {
		uint32_t w = svc->backends[svc->avail[i]].weight;

		s->mw = w > s->mw ? w : s->mw;
		s->di = dk_lb_gcd(w, s->di);
	}
	s->cl = svc->n_avail ? svc->n_avail - 1 : 0;
	s->cw = 0;
}

static enum dk_lb_verdict
wrr_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	     uint32_t *idx)
{
	struct wrr_ws *s = ws;
	uint32_t n = svc->n_avail, step;

	(void)ctx;
	if (n == 0)
		return DK_LB_SCHED_NO_BACKEND;
	/* The heaviest backend qualifies at every level, so one pass plus one always hits. */
	for (step = 0; step <= 2 * n; step++) {
		s->cl = s->cl + 1 < n ? s->cl + 1 : 0;
		if (s->cl == 0)
			s->cw = s->cw <= s->di ? s->mw : s->cw - s->di;
		if (svc->backends[svc->avail[s->cl]].weight >= s->cw) {
			*idx = svc->avail[s->cl];
			return DK_LB_SCHED_OK;
		}
	}
	return DK_LB_SCHED_NO_BACKEND;
}

const struct dk_lb_sched_ops dk_lb_sched_wrr = {
	.name = "wrr",
	.wstate_size = sizeof(struct wrr_ws),
	.wstate_init = wrr_wstate_init,
	.schedule = wrr_schedule,
};
