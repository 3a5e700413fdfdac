/*
 * Overflow connection: the heaviest available backend whose active connections are
 * still below its weight, so weight acts as a connection cap before spilling over.
 */
#include "dk_lb_sched.h"

static enum dk_lb_verdict
ovf_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	     uint32_t *idx)
{
	uint32_t best_w = 0, i;

	(void)ws;
	for (i = 0; i < svc->n_avail; i++) {
		const struct dk_lb_backend *b = &svc->backends[svc->avail[i]];

		if (b->weight > best_w && dk_lb_active(ctx, b->slot) < b->weight) {
			best_w = b->weight;
			*idx = svc->avail[i];
		}
	}
	return best_w ? DK_LB_SCHED_OK : DK_LB_SCHED_NO_BACKEND;
}

const struct dk_lb_sched_ops dk_lb_sched_ovf = {
	.name = "ovf",
	.schedule = ovf_schedule,
};
