/* Source hashing: a client address (and port under sh-port) always maps to one backend. */
#include <stdlib.h>

#include "dk_lb_sched.h"

static int
sh_init(struct dk_lb_service *svc)
{
	uint16_t *tab;
	int rc = dk_lb_hashtab_build(svc, &tab);

	svc->sched_data = tab;
	return rc;
}

static void
sh_fini(struct dk_lb_service *svc)
{
	free((void *)svc->sched_data);
	svc->sched_data = NULL;
}

static enum dk_lb_verdict
sh_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	    uint32_t *idx)
{
	(void)ws;
	return dk_lb_hashtab_pick(svc, svc->sched_data, &ctx->src,
				  (svc->flags & DK_LB_SVC_F_HASH_PORT) ? ctx->sport : 0, idx);
}

const struct dk_lb_sched_ops dk_lb_sched_sh = {
	.name = "sh",
	.init = sh_init,
	.fini = sh_fini,
	.schedule = sh_schedule,
};
