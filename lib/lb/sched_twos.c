/*
 * Weighted power of two choices: draw two backends at random in proportion to weight,
 * keep the one with the lower connection overhead per weight. Cumulative weights are
 * built once per table so each draw is a binary search; each worker has its own PRNG.
 */
#include <errno.h>
#include <stdlib.h>

#include "dk_lb_sched.h"

struct twos_ws {
	uint64_t rng;
};

static int
twos_init(struct dk_lb_service *svc)
{
	uint64_t *cum = NULL, sum = 0;
	uint32_t i;

	svc->sched_data = NULL;
	if (svc->n_avail == 0)
		return 0;
	cum = malloc(svc->n_avail * sizeof(*cum));
	if (cum == NULL)
		return -ENOMEM;
	for (i = 0; i < svc->n_avail; i++) {
		sum += svc->backends[svc->avail[i]].weight;
		cum[i] = sum;
	}
	svc->sched_data = cum;
	return 0;
}

static void
twos_fini(struct dk_lb_service *svc)
{
	free((void *)svc->sched_data);
	svc->sched_data = NULL;
}

static void
twos_wstate_init(const struct dk_lb_service *svc, void *ws, unsigned worker, uint64_t seed)
{
	struct twos_ws *s = ws;

	(void)svc;
	s->rng = seed + worker * 0x632be59bd9b4e019ULL;
}

static uint32_t
draw(const struct dk_lb_service *svc, const uint64_t *cum, uint64_t r)
{
	uint64_t x = r % cum[svc->n_avail - 1];
	uint32_t lo = 0, hi = svc->n_avail - 1;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (cum[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	return svc->avail[lo];
}

static enum dk_lb_verdict
twos_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	      uint32_t *idx)
{
	const uint64_t *cum = svc->sched_data;
	struct twos_ws *s = ws;
	uint32_t a, b;
	unsigned __int128 la, lb;

	if (cum == NULL)
		return DK_LB_SCHED_NO_BACKEND;
	a = draw(svc, cum, dk_lb_rand_next(&s->rng));
	b = draw(svc, cum, dk_lb_rand_next(&s->rng));
	la = dk_lb_overhead(ctx, svc->backends[a].slot);
	lb = dk_lb_overhead(ctx, svc->backends[b].slot);
	*idx = la * svc->backends[b].weight <= lb * svc->backends[a].weight ? a : b;
	return DK_LB_SCHED_OK;
}

const struct dk_lb_sched_ops dk_lb_sched_twos = {
	.name = "twos",
	.init = twos_init,
	.fini = twos_fini,
	.wstate_size = sizeof(struct twos_ws),
	.wstate_init = twos_wstate_init,
	.schedule = twos_schedule,
};
