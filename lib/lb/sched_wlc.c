/* Weighted least connection: lowest ((active << 8) + inactive) / weight. */
#include "dk_lb_sched.h"

static enum dk_lb_verdict
wlc_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	     uint32_t *idx)
{
	(void)ws;
	if (dk_lb_pick_wlc(svc, ctx, 256, idx) < 0)
		return DK_LB_SCHED_NO_BACKEND;
	return DK_LB_SCHED_OK;
}

const struct dk_lb_sched_ops dk_lb_sched_wlc = {
	.name = "wlc",
	.schedule = wlc_schedule,
};
