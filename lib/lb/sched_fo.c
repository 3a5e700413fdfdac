/* Weighted failover: every new flow goes to the heaviest available backend (first on ties). */
#include "dk_lb_sched.h"

static enum dk_lb_verdict
fo_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	    uint32_t *idx)
{
	uint32_t best_w = 0, i;

	(void)ws;
	(void)ctx;
	for (i = 0; i < svc->n_avail; i++) {
		uint32_t w = svc->backends[svc->avail[i]].weight;

		if (w > best_w) {
			best_w = w;
			*idx = svc->avail[i];
		}
	}
	return best_w ? DK_LB_SCHED_OK : DK_LB_SCHED_NO_BACKEND;
}

const struct dk_lb_sched_ops dk_lb_sched_fo = {
	.name = "fo",
	.schedule = fo_schedule,
};
