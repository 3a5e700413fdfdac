/* Round robin over the backends that take new flows; each worker keeps its own cursor. */
#include "dk_lb_sched.h"

struct rr_ws {
	uint32_t next;
};

static void
rr_wstate_init(const struct dk_lb_service *svc, void *ws, unsigned worker, uint64_t seed)
{
	struct rr_ws *s = ws;

	(void)seed;
	/* Staggered starts keep light per-worker traffic from all landing on backend 0. */
	s->next = svc->n_avail ? worker % svc->n_avail : 0;
}

static enum dk_lb_verdict
rr_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	    uint32_t *idx)
{
	struct rr_ws *s = ws;
	uint32_t i;

	(void)ctx;
	if (svc->n_avail == 0)
		return DK_LB_SCHED_NO_BACKEND;
	i = s->next < svc->n_avail ? s->next : 0;
	s->next = i + 1;
	*idx = svc->avail[i];
	return DK_LB_SCHED_OK;
}

const struct dk_lb_sched_ops dk_lb_sched_rr = {
	.name = "rr",
	.wstate_size = sizeof(struct rr_ws),
	.wstate_init = rr_wstate_init,
	.schedule = rr_schedule,
};
