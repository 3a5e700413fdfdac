/* The scheduler registry and the helpers several schedulers share. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_hash.h"
#include "dk_lb_sched.h"

/* Adding a scheduler: one file defining dk_lb_sched_<name>, one line here. */
#define DK_LB_SCHEDULERS(X) \
	X(rr) \
	X(wrr) \
	X(lc) \
	X(wlc) \
	X(sed) \
	X(nq) \
	X(fo) \
	X(ovf) \
	X(sh) \
	X(dh) \
	X(mh) \
	X(lblc) \
	X(lblcr) \
	X(twos)

#define X(n) extern const struct dk_lb_sched_ops dk_lb_sched_##n;
DK_LB_SCHEDULERS(X)
#undef X

static const struct dk_lb_sched_ops *const schedulers[] = {
#define X(n) &dk_lb_sched_##n,
	DK_LB_SCHEDULERS(X)
#undef X
};

const struct dk_lb_sched_ops *
dk_lb_sched_find(const char *name)
{
	size_t i;

	for (i = 0; i < DK_ARRAY_SIZE(schedulers); i++)
		if (strcmp(schedulers[i]->name, name) == 0)
			return schedulers[i];
	return NULL;
}

bool
dk_lb_sched_exists(const char *name)
{
	return name != NULL && dk_lb_sched_find(name) != NULL;
}

int
dk_lb_pick_wlc(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
	       uint64_t active_mult, uint32_t *idx)
{
	uint32_t best = UINT32_MAX, i;
	unsigned __int128 best_oh = 0, best_w = 1;

	for (i = 0; i < svc->n_avail; i++) {
		const struct dk_lb_backend *b = &svc->backends[svc->avail[i]];
		uint64_t oh = dk_lb_active(ctx, b->slot) * active_mult +
			      dk_lb_inactive(ctx, b->slot);

		/* oh / w < best_oh / best_w without division; ties keep the first. */
		if (best == UINT32_MAX || (unsigned __int128)oh * best_w < best_oh * b->weight) {
			best = svc->avail[i];
			best_oh = oh;
			best_w = b->weight;
		}
	}
	if (best == UINT32_MAX)
		return -ENOENT;
	*idx = best;
	return 0;
}

bool
dk_lb_is_overloaded(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
		    uint32_t idx)
{
	const struct dk_lb_backend *b = &svc->backends[idx];
	uint32_t i;

	if (dk_lb_active(ctx, b->slot) <= b->weight)
		return false;
	for (i = 0; i < svc->n_avail; i++) {
		const struct dk_lb_backend *d = &svc->backends[svc->avail[i]];

		if (dk_lb_active(ctx, d->slot) * 2 < d->weight)
			return true;
	}
	return false;
}

uint64_t
dk_lb_hash_addr(const struct dk_addr *a, uint16_t port, uint64_t seed)
{
	return dk_hash_bytes(a->b, a->af == AF_INET ? 4 : 16,
			     seed ^ ((uint64_t)port << 8) ^ a->af);
}

uint32_t
dk_lb_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int
dk_lb_hashtab_build(const struct dk_lb_service *svc, uint16_t **out)
{
	const uint32_t size = 1u << DK_LB_HASH_TAB_BITS;
	uint32_t g = 0, i, b = 0, taken = 0;
	uint16_t *tab;

	*out = NULL;
	for (i = 0; i < svc->n_backends; i++)
		if (dk_lb_hash_member(svc, &svc->backends[i]))
			g = dk_lb_gcd(svc->backends[i].weight, g);
	if (g == 0)
		return 0;
	tab = malloc(size * sizeof(*tab));
	if (tab == NULL)
		return -ENOMEM;
	for (i = 0; i < size; i++) {
		while (!dk_lb_hash_member(svc, &svc->backends[b])) {
			b = b + 1 < svc->n_backends ? b + 1 : 0;
			taken = 0;
		}
		tab[i] = (uint16_t)b;
		if (++taken >= svc->backends[b].weight / g) {
			b = b + 1 < svc->n_backends ? b + 1 : 0;
			taken = 0;
		}
	}
	*out = tab;
	return 0;
}

enum dk_lb_verdict
dk_lb_hashtab_pick(const struct dk_lb_service *svc, const uint16_t *tab,
		   const struct dk_addr *a, uint16_t port, uint32_t *idx)
{
	const uint32_t mask = (1u << DK_LB_HASH_TAB_BITS) - 1;
	uint32_t r;

	if (tab == NULL)
		return DK_LB_SCHED_NO_BACKEND;
	*idx = tab[dk_lb_hash_addr(a, port, 0) & mask];
	if (dk_lb_backend_available(&svc->backends[*idx]))
		return DK_LB_SCHED_OK;
	if (!(svc->flags & DK_LB_SVC_F_HASH_FALLBACK))
		return DK_LB_SCHED_NO_BACKEND;
	for (r = 1; r <= mask; r++) {
		*idx = tab[dk_lb_hash_addr(a, port, r) & mask];
		if (dk_lb_backend_available(&svc->backends[*idx]))
			return DK_LB_SCHED_OK;
	}
	return DK_LB_SCHED_NO_BACKEND;
}
