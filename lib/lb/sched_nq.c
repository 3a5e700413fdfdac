/* Never queue: the first idle backend (no active connections), else sed. */
#include "dk_lb_sched.h"

static enum dk_lb_verdict
nq_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	    uint32_t *idx)
{
	uint32_t i;

	(void)ws;
	for (i = 0; i < svc->n_avail; i++) {
		if (dk_lb_active(ctx, svc->backends[svc->avail[i]].slot) == 0) {
			*idx = svc->avail[i];
			return DK_LB_SCHED_OK;
		}
	}
	return dk_lb_sched_sed_pick(svc, ctx, idx);
}

const struct dk_lb_sched_ops dk_lb_sched_nq = {
	.name = "nq",
	.schedule = nq_schedule,
};
