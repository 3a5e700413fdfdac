/*
 * Shortest expected delay: lowest (active + 1) / weight. Inactive connections do not
 * count; the +1 is the flow being placed, which makes weight matter on idle servers.
 */
#include "dk_lb_sched.h"

enum dk_lb_verdict
dk_lb_sched_sed_pick(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
		     uint32_t *idx)
{
	unsigned __int128 best_oh = 0, best_w = 1;
	uint32_t i;
	bool found = false;

	for (i = 0; i < svc->n_avail; i++) {
		const struct dk_lb_backend *b = &svc->backends[svc->avail[i]];
		uint64_t oh = dk_lb_active(ctx, b->slot) + 1;

		if (!found || (unsigned __int128)oh * best_w < best_oh * b->weight) {
			found = true;
			best_oh = oh;
			best_w = b->weight;
			*idx = svc->avail[i];
		}
	}
	return found ? DK_LB_SCHED_OK : DK_LB_SCHED_NO_BACKEND;
}

static enum dk_lb_verdict
sed_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	     uint32_t *idx)
{
	(void)ws;
	return dk_lb_sched_sed_pick(svc, ctx, idx);
}

const struct dk_lb_sched_ops dk_lb_sched_sed = {
	.name = "sed",
	.schedule = sed_schedule,
};
