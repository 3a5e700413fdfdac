/* Least connection: lowest (active << 8) + inactive; weight only gates availability. */
#include "dk_lb_sched.h"

static enum dk_lb_verdict
lc_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	    uint32_t *idx)
{
	uint64_t best_oh = UINT64_MAX;
	uint32_t i;

	(void)ws;
	for (i = 0; i < svc->n_avail; i++) {
		uint64_t oh = dk_lb_overhead(ctx, svc->backends[svc->avail[i]].slot);

		if (oh < best_oh) {
			best_oh = oh;
			*idx = svc->avail[i];
		}
	}
	return best_oh == UINT64_MAX ? DK_LB_SCHED_NO_BACKEND : DK_LB_SCHED_OK;
}

const struct dk_lb_sched_ops dk_lb_sched_lc = {
	.name = "lc",
	.schedule = lc_schedule,
};
