/*
 * Maglev hashing (Eisenbud et al., NSDI 2016). Each member backend walks its own
 * permutation of a prime-sized table (offset + j * skip mod M) and, taking turns,
 * claims the next free entry; weights give weight/gcd turns per round. Lookup is one
 * table read, and changing one backend moves about 1/N of the entries.
 *
 * Permutations hash only the backend's address and port with fixed seeds, so every
 * worker and every dpkeep node with the same backends builds the same table.
 */
#include <errno.h>
#include <stdlib.h>

#include "dk_lb_sched.h"

#define MH_EMPTY UINT16_MAX
#define MH_SEED_OFFSET 0x6d61676c65763031ULL
#define MH_SEED_SKIP 0x6d61676c65763032ULL
#define MH_SEED_FLOW 0x6d61676c65763033ULL
#define MH_MAX_SIZE (1u << 24)
/* Rehash attempts under mh-fallback before falling back to the available list. */
#define MH_FALLBACK_TRIES 16

extern const struct dk_lb_sched_ops dk_lb_sched_mh;

struct mh_data {
	uint32_t size;
	uint16_t lookup[];
};

static bool
is_prime(uint32_t n)
{
	uint32_t d;

	if (n < 2)
		return false;
	for (d = 2; (uint64_t)d * d <= n; d++)
		if (n % d == 0)
			return false;
	return true;
}

struct mh_perm {
	uint32_t pos;
	uint32_t skip;
	uint32_t turns;
};

static void
mh_fill(const struct dk_lb_service *svc, struct mh_data *d, struct mh_perm *perm, uint32_t g)
{
	const uint32_t m = d->size;
	uint32_t filled = 0, i, t;

	for (i = 0; i < m; i++)
		d->lookup[i] = MH_EMPTY;
	for (i = 0; i < svc->n_backends; i++) {
		const struct dk_lb_backend *b = &svc->backends[i];

		if (!dk_lb_hash_member(svc, b))
			continue;
		perm[i].pos = (uint32_t)(dk_lb_hash_addr(&b->addr, b->port, MH_SEED_OFFSET) % m);
		perm[i].skip =
			(uint32_t)(dk_lb_hash_addr(&b->addr, b->port, MH_SEED_SKIP) % (m - 1)) + 1;
		perm[i].turns = b->weight / g;
	}
	/* The inner walk ends: the table is not full and a permutation visits all of it. */
	for (;;) {
		for (i = 0; i < svc->n_backends; i++) {
			for (t = 0; t < perm[i].turns; t++) {
				uint32_t c;

				do {
					c = perm[i].pos;
					perm[i].pos += perm[i].skip;
					if (perm[i].pos >= m)
						perm[i].pos -= m;
				} while (d->lookup[c] != MH_EMPTY);
				d->lookup[c] = (uint16_t)i;
				if (++filled == m)
					return;
			}
		}
	}
}

static int
mh_build(const struct dk_lb_service *svc, const void **out)
{
	struct mh_perm *perm = NULL;
	struct mh_data *d = NULL;
	uint32_t g = 0, i;
	int rc = -EINVAL;

	*out = NULL;
	if (svc->mh_table_size > MH_MAX_SIZE || !is_prime(svc->mh_table_size) ||
	    svc->mh_table_size < 3)
		goto out;
	for (i = 0; i < svc->n_backends; i++)
		if (dk_lb_hash_member(svc, &svc->backends[i]))
			g = dk_lb_gcd(svc->backends[i].weight, g);
	rc = 0;
	if (g == 0)
		goto out;
	rc = -ENOMEM;
	perm = calloc(svc->n_backends, sizeof(*perm));
	d = malloc(sizeof(*d) + (size_t)svc->mh_table_size * sizeof(d->lookup[0]));
	if (perm == NULL || d == NULL)
		goto out;
	d->size = svc->mh_table_size;
	mh_fill(svc, d, perm, g);
	*out = d;
	d = NULL;
	rc = 0;
out:
	free(d);
	free(perm);
	return rc;
}

static int
mh_init(struct dk_lb_service *svc)
{
	return mh_build(svc, &svc->sched_data);
}

static void
mh_fini(struct dk_lb_service *svc)
{
	free((void *)svc->sched_data);
	svc->sched_data = NULL;
}

static enum dk_lb_verdict
mh_pick(const struct dk_lb_service *svc, const struct mh_data *d, const struct dk_addr *src,
	uint16_t port, uint32_t *idx)
{
	uint64_t h;
	uint32_t r;

	if (d == NULL)
		return DK_LB_SCHED_NO_BACKEND;
	h = dk_lb_hash_addr(src, port, MH_SEED_FLOW);
	*idx = d->lookup[h % d->size];
	if (dk_lb_backend_available(&svc->backends[*idx]))
		return DK_LB_SCHED_OK;
	if (!(svc->flags & DK_LB_SVC_F_HASH_FALLBACK) || svc->n_avail == 0)
		return DK_LB_SCHED_NO_BACKEND;
	for (r = 1; r <= MH_FALLBACK_TRIES; r++) {
		*idx = d->lookup[dk_lb_hash_addr(src, port, MH_SEED_FLOW + r) % d->size];
		if (dk_lb_backend_available(&svc->backends[*idx]))
			return DK_LB_SCHED_OK;
	}
	*idx = svc->avail[h % svc->n_avail];
	return DK_LB_SCHED_OK;
}

static enum dk_lb_verdict
mh_schedule(const struct dk_lb_service *svc, void *ws, const struct dk_lb_sched_ctx *ctx,
	    uint32_t *idx)
{
	(void)ws;
	return mh_pick(svc, svc->sched_data, &ctx->src,
		       (svc->flags & DK_LB_SVC_F_HASH_PORT) ? ctx->sport : 0, idx);
}

int
dk_lb_mh_stateless_init(struct dk_lb_service *svc)
{
	return mh_build(svc, &svc->stateless_mh);
}

void
dk_lb_mh_stateless_fini(struct dk_lb_service *svc)
{
	free((void *)svc->stateless_mh);
	svc->stateless_mh = NULL;
}

/* The client's port is always hashed: without it one client's flows would all pile on
 * one backend, and without an entry there is no persistence to keep anyway. */
enum dk_lb_verdict
dk_lb_mh_stateless_pick(const struct dk_lb_service *svc, const struct dk_addr *src,
			uint16_t sport, uint32_t *idx)
{
	return mh_pick(svc, svc->stateless_mh, src, sport, idx);
}

const struct dk_lb_sched_ops dk_lb_sched_mh = {
	.name = "mh",
	.init = mh_init,
	.fini = mh_fini,
	.schedule = mh_schedule,
};

const uint16_t *
dk_lb_mh_lookup(const struct dk_lb_service *svc, uint32_t *size)
{
	const struct mh_data *d = svc->sched_data;

	if (svc->sched != &dk_lb_sched_mh || d == NULL)
		return NULL;
	*size = d->size;
	return d->lookup;
}
