/* Building, publishing-ready layout and fast-path lookup of the service table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_hash.h"
#include "dk_lb.h"
#include "dk_lb_sched.h"

#define CACHE_LINE 64

struct dk_lb_table {
	uint32_t n_services;
	uint32_t n_workers;
	uint32_t max_slots;
	uint32_t hmask;
	uint32_t *hash;		/* service index + 1; 0 is empty */
	struct dk_lb_service *services;
	const struct dk_lb_backend **by_slot;
};

static uint64_t
svc_hash(const struct dk_addr *vip, uint16_t port, uint8_t proto)
{
	size_t alen = vip->af == AF_INET ? 4 : 16;

	return dk_hash_bytes(vip->b, alen, ((uint64_t)port << 16) | ((uint64_t)proto << 8) |
						   vip->af);
}

static bool
addr_same(const struct dk_addr *a, const struct dk_addr *b)
{
	if (a->af != b->af)
		return false;
	if (a->af == AF_INET)
		return a->v4 == b->v4;
	return memcmp(a->v6, b->v6, 16) == 0;
}

const struct dk_lb_service *
dk_lb_table_lookup(const struct dk_lb_table *t, const struct dk_addr *vip, uint16_t port,
		   uint8_t proto)
{
	uint32_t i = (uint32_t)svc_hash(vip, port, proto) & t->hmask;

	for (;;) {
		uint32_t v = t->hash[i];
		const struct dk_lb_service *s;

		if (v == 0)
			return NULL;
		s = &t->services[v - 1];
		if (s->port == port && s->proto == proto && addr_same(&s->vip, vip))
			return s;
		i = (i + 1) & t->hmask;
	}
}

const struct dk_lb_backend *
dk_lb_table_backend(const struct dk_lb_table *t, uint32_t slot)
{
	return slot < t->max_slots ? t->by_slot[slot] : NULL;
}

uint32_t
dk_lb_table_n_services(const struct dk_lb_table *t)
{
	return t->n_services;
}

const struct dk_lb_service *
dk_lb_table_service(const struct dk_lb_table *t, uint32_t i)
{
	return i < t->n_services ? &t->services[i] : NULL;
}

uint32_t
dk_lb_table_max_slots(const struct dk_lb_table *t)
{
	return t->max_slots;
}

bool
dk_lb_quorum_eval(bool was_up, uint64_t alive_weight, uint32_t quorum, uint32_t hysteresis)
{
	if (quorum == 0)
		quorum = 1;
	if (!was_up)
		return alive_weight >= (uint64_t)quorum + hysteresis;
	if (alive_weight == 0)
		return false;
	return !(quorum > hysteresis && alive_weight < (uint64_t)(quorum - hysteresis));
}

void
dk_lb_persist_client(const struct dk_lb_service *svc, const struct dk_addr *client,
		     struct dk_addr *out)
{
	unsigned bits = client->af == AF_INET ? 32 : 128;
	unsigned len = svc->persist_prefix_len ? svc->persist_prefix_len : bits;
	unsigned i;

	memset(out, 0, sizeof(*out));
	out->af = client->af;
	memcpy(out->b, client->b, bits / 8);
	for (i = len; i < bits; i++)
		out->b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

static int
claim_slot(struct dk_lb_table *t, const struct dk_lb_backend *b)
{
	if (b->slot >= t->max_slots)
		return -ERANGE;
	if (t->by_slot[b->slot] != NULL)
		return -EEXIST;
	t->by_slot[b->slot] = b;
	return 0;
}

static void
copy_backend(struct dk_lb_backend *b, const struct dk_lb_backend_params *p, uint32_t svc)
{
	memset(b, 0, sizeof(*b));
	b->addr.af = p->addr.af;
	memcpy(b->addr.b, p->addr.b, p->addr.af == AF_INET ? 4 : 16);
	b->port = p->port;
	b->svc_index = (uint16_t)svc;
	b->weight = p->weight;
	b->flags = p->flags;
	b->slot = p->slot;
}

static bool
addr_valid(const struct dk_addr *a)
{
	return a->af == AF_INET || a->af == AF_INET6;
}

static int
build_service(struct dk_lb_table *t, const struct dk_lb_service_params *p, uint32_t idx,
	      uint64_t seed)
{
	struct dk_lb_service *s = &t->services[idx];
	const struct dk_lb_sched_ops *ops = dk_lb_sched_find(p->sched ? p->sched : "wlc");
	uint32_t i;
	int rc;

	s->index = idx;
	s->vip.af = p->vip.af;
	memcpy(s->vip.b, p->vip.b, p->vip.af == AF_INET ? 4 : 16);
	s->port = p->port;
	s->proto = p->proto;
	s->fwd = p->fwd;
	s->flags = p->flags;
	s->persist_timeout_s = p->persist_timeout_s;
	s->persist_prefix_len = p->persist_prefix_len;
	s->mh_table_size = p->mh_table_size ? p->mh_table_size : DK_LB_MH_TABLE_SIZE_DEFAULT;
	s->lblc_expire_us = (p->lblc_expire_s ? p->lblc_expire_s : 86400) * DK_USEC_PER_SEC;
	s->lblcr_set_expire_us =
		(p->lblcr_set_expire_s ? p->lblcr_set_expire_s : 360) * DK_USEC_PER_SEC;
	if (ops == NULL || !addr_valid(&p->vip) ||
	    (p->proto != DK_LB_PROTO_TCP && p->proto != DK_LB_PROTO_UDP) ||
	    p->persist_prefix_len > (p->vip.af == AF_INET ? 32 : 128) ||
	    p->n_backends > UINT16_MAX || (p->n_backends && p->backends == NULL))
		return -EINVAL;

	if (p->n_backends) {
		s->backends = calloc(p->n_backends, sizeof(*s->backends));
		s->avail = calloc(p->n_backends, sizeof(*s->avail));
		if (s->backends == NULL || s->avail == NULL)
			return -ENOMEM;
	}
	s->n_backends = p->n_backends;
	for (i = 0; i < p->n_backends; i++) {
		struct dk_lb_backend *b = &s->backends[i];

		if (!addr_valid(&p->backends[i].addr))
			return -EINVAL;
		copy_backend(b, &p->backends[i], idx);
		rc = claim_slot(t, b);
		if (rc < 0)
			return rc;
		if (dk_lb_backend_available(b))
			s->avail[s->n_avail++] = (uint16_t)i;
		if (b->flags & DK_LB_BACKEND_F_ALIVE)
			s->alive_weight += b->weight;
	}
	if (p->n_removed) {
		if (p->removed == NULL || p->n_removed > UINT16_MAX)
			return -EINVAL;
		s->removed = calloc(p->n_removed, sizeof(*s->removed));
		if (s->removed == NULL)
			return -ENOMEM;
	}
	s->n_removed = p->n_removed;
	for (i = 0; i < p->n_removed; i++) {
		struct dk_lb_backend *b = &s->removed[i];

		if (!addr_valid(&p->removed[i].addr))
			return -EINVAL;
		copy_backend(b, &p->removed[i], idx);
		b->flags |= DK_LB_BACKEND_F_REMOVED;
		rc = claim_slot(t, b);
		if (rc < 0)
			return rc;
	}
	if (p->sorry) {
		struct dk_lb_backend *b = calloc(1, sizeof(*b));

		if (b == NULL)
			return -ENOMEM;
		s->sorry = b;
		if (!addr_valid(&p->sorry->addr))
			return -EINVAL;
		copy_backend(b, p->sorry, idx);
		rc = claim_slot(t, b);
		if (rc < 0)
			return rc;
	}
	s->quorum_up = dk_lb_quorum_eval(p->quorum_was_up, s->alive_weight, p->quorum,
					 p->hysteresis);

	if (ops->init) {
		rc = ops->init(s);
		if (rc < 0)
			return rc;
	}
	/* Only now may dk_lb_table_free call fini: init has run and succeeded. */
	s->sched = ops;
	if (s->flags & DK_LB_SVC_F_STATELESS) {
		rc = dk_lb_mh_stateless_init(s);
		if (rc < 0)
			return rc;
	}
	s->n_workers = t->n_workers;
	if (ops->wstate_size) {
		s->wstate_stride = (ops->wstate_size + CACHE_LINE - 1) & ~(size_t)(CACHE_LINE - 1);
		s->wstate = aligned_alloc(CACHE_LINE, s->wstate_stride * t->n_workers);
		if (s->wstate == NULL)
			return -ENOMEM;
		memset(s->wstate, 0, s->wstate_stride * t->n_workers);
		for (i = 0; ops->wstate_init && i < t->n_workers; i++)
			ops->wstate_init(s, s->wstate + (size_t)i * s->wstate_stride, i,
					 seed ^ dk_hash_mix64(idx + 1));
	}
	return 0;
}

static int
hash_insert(struct dk_lb_table *t, uint32_t idx)
{
	const struct dk_lb_service *s = &t->services[idx];
	uint32_t i = (uint32_t)svc_hash(&s->vip, s->port, s->proto) & t->hmask;

	while (t->hash[i] != 0) {
		const struct dk_lb_service *o = &t->services[t->hash[i] - 1];

		if (o->port == s->port && o->proto == s->proto && addr_same(&o->vip, &s->vip))
			return -EEXIST;
		i = (i + 1) & t->hmask;
	}
	t->hash[i] = idx + 1;
	return 0;
}

int
dk_lb_table_build(const struct dk_lb_table_params *p, struct dk_lb_table **out)
{
	struct dk_lb_table *t = NULL;
	uint32_t hsize = 16, i;
	int rc = -EINVAL;

	*out = NULL;
	if (p->n_workers == 0 || p->max_slots == 0 || (p->n_services && p->services == NULL) ||
	    p->n_services > UINT16_MAX)
		goto fail;
	rc = -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto fail;
	t->n_workers = p->n_workers;
	t->max_slots = p->max_slots;
	/* Load factor at most 1/2 keeps linear-probe misses short. */
	while (hsize < 2 * p->n_services)
		hsize <<= 1;
	t->hmask = hsize - 1;
	t->hash = calloc(hsize, sizeof(*t->hash));
	t->by_slot = calloc(p->max_slots, sizeof(*t->by_slot));
	if (t->hash == NULL || t->by_slot == NULL)
		goto fail;
	if (p->n_services) {
		t->services = calloc(p->n_services, sizeof(*t->services));
		if (t->services == NULL)
			goto fail;
	}
	for (i = 0; i < p->n_services; i++) {
		t->n_services = i + 1;
		rc = build_service(t, &p->services[i], i, p->seed);
		if (rc < 0)
			goto fail;
		rc = hash_insert(t, i);
		if (rc < 0)
			goto fail;
	}
	*out = t;
	return 0;
fail:
	dk_lb_table_free(t);
	return rc;
}

void
dk_lb_table_free(struct dk_lb_table *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n_services; i++) {
		struct dk_lb_service *s = &t->services[i];

		if (s->sched && s->sched->fini)
			s->sched->fini(s);
		dk_lb_mh_stateless_fini(s);
		free(s->wstate);
		free((void *)s->sorry);
		free(s->avail);
		free(s->backends);
		free(s->removed);
	}
	free(t->services);
	free(t->by_slot);
	free(t->hash);
	free(t);
}

enum dk_lb_verdict
dk_lb_schedule(const struct dk_lb_service *svc, const struct dk_lb_sched_ctx *ctx,
	       const struct dk_lb_backend **out)
{
	enum dk_lb_verdict v;
	void *ws = NULL;
	uint32_t idx = 0;

	*out = NULL;
	if (DK_UNLIKELY(ctx->worker >= svc->n_workers))
		return DK_LB_SCHED_NO_BACKEND;
	if (!svc->quorum_up && svc->sorry)
		goto sorry;
	if (svc->wstate)
		ws = svc->wstate + (size_t)ctx->worker * svc->wstate_stride;
	v = svc->sched->schedule(svc, ws, ctx, &idx);
	if (v == DK_LB_SCHED_OK) {
		*out = &svc->backends[idx];
		return v;
	}
	/* Every real server refused (dead, drained or weight 0): the sorry server serves. */
	if (svc->sorry)
		goto sorry;
	return DK_LB_SCHED_NO_BACKEND;
sorry:
	*out = svc->sorry;
	return DK_LB_SCHED_SORRY;
}

void
dk_lb_load_aggregate(const struct dk_lb_load *const *per_worker, unsigned n_workers,
		     uint32_t n_slots, struct dk_lb_load *total, struct dk_lb_load *const *others)
{
	unsigned w;
	uint32_t s;

	memset(total, 0, sizeof(*total) * n_slots);
	for (w = 0; w < n_workers; w++) {
		for (s = 0; s < n_slots; s++) {
			total[s].active += __atomic_load_n(&per_worker[w][s].active,
							   __ATOMIC_RELAXED);
			total[s].inactive += __atomic_load_n(&per_worker[w][s].inactive,
							     __ATOMIC_RELAXED);
		}
	}
	for (w = 0; others && w < n_workers; w++) {
		for (s = 0; s < n_slots; s++) {
			uint32_t a = __atomic_load_n(&per_worker[w][s].active, __ATOMIC_RELAXED);
			uint32_t in = __atomic_load_n(&per_worker[w][s].inactive,
						      __ATOMIC_RELAXED);

			/* The worker may have moved on since the sum; never wrap below zero. */
			__atomic_store_n(&others[w][s].active,
					 total[s].active > a ? total[s].active - a : 0,
					 __ATOMIC_RELAXED);
			__atomic_store_n(&others[w][s].inactive,
					 total[s].inactive > in ? total[s].inactive - in : 0,
					 __ATOMIC_RELAXED);
		}
	}
}

void
dk_lb_stats_aggregate(const struct dk_lb_stats *const *per_worker, unsigned n_workers,
		      uint32_t n_slots, struct dk_lb_stats *total)
{
	unsigned w;
	uint32_t s;

	memset(total, 0, sizeof(*total) * n_slots);
	for (w = 0; w < n_workers; w++) {
		for (s = 0; s < n_slots; s++) {
			const struct dk_lb_stats *x = &per_worker[w][s];

			total[s].pkts_in += __atomic_load_n(&x->pkts_in, __ATOMIC_RELAXED);
			total[s].pkts_out += __atomic_load_n(&x->pkts_out, __ATOMIC_RELAXED);
			total[s].bytes_in += __atomic_load_n(&x->bytes_in, __ATOMIC_RELAXED);
			total[s].bytes_out += __atomic_load_n(&x->bytes_out, __ATOMIC_RELAXED);
		}
	}
}
