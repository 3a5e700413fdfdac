/* Destination hashing: one destination address always maps to one backend (cache farms). */
#include <stdlib.h>

#include "dk_lb_sched.h"

static int
dh_init(struct dk_lb_service *svc)
{
	uint16_t *tab;
	int rc = dk_lb_hashtab_build(svc, &tab);

	svc->sched_data = tab;
	return rc;
}

static void
dh_fini(struct dk_lb_service *svc)
{
	free((void *)svc->sched_data);
	svc->sched_data = NULL;
}

static enum dk_lb_verdict
dh_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	    uint32_t *idx)
{
	(void)ws;
	return dk_lb_hashtab_pick(svc, svc->sched_data, &ctx->dst, 0, idx);
}

const struct dk_lb_sched_ops dk_lb_sched_dh = {
	.name = "dh",
	.init = dh_init,
	.fini = dh_fini,
	.schedule = dh_schedule,
};
