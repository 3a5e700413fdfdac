/* Per-worker FNAT local port allocator: a FIFO of free ports and a bitmap per address. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_lb_fnat.h"

#define MAX_WORKERS 32768

struct fnat_laddr {
	struct dk_addr addr;
	uint32_t head;		/* FIFO of free ports: oldest at head */
	uint32_t count;
	uint16_t *ring;		/* capacity: the allocator's n_ports */
	uint64_t inuse[65536 / 64];
};

struct dk_lb_fnat {
	uint32_t n_laddrs;
	uint32_t n_ports;	/* ports this worker owns in the range */
	uint32_t next;		/* round-robin over addresses */
	unsigned worker;
	unsigned n_workers;
	uint64_t cnt[DK_LB_FNAT_C_MAX];
	struct fnat_laddr *la;
};

static const char *const counter_names[] = { DK_LB_FNAT_COUNTERS(DK_XSTR) };

uint16_t
dk_lb_fnat_port_mask(unsigned n_workers)
{
	unsigned p = 1;

	while (p < n_workers && p < MAX_WORKERS)
		p <<= 1;
	return (uint16_t)(p - 1);
}

int
dk_lb_fnat_port_owner(uint16_t port, unsigned n_workers)
{
	unsigned w;

	if (n_workers == 0 || n_workers > MAX_WORKERS)
		return -EINVAL;
	w = port & dk_lb_fnat_port_mask(n_workers);
	return w < n_workers ? (int)w : -ENOENT;
}

int
dk_lb_fnat_create(const struct dk_lb_fnat_params *p, struct dk_lb_fnat **out)
{
	uint32_t lo = p->port_min ? p->port_min : 1024, hi = p->port_max ? p->port_max : 65535;
	struct dk_lb_fnat *f = NULL;
	uint32_t i, port, n = 0;
	int rc = -EINVAL;

	*out = NULL;
	if (p->n_laddrs == 0 || p->laddrs == NULL || p->n_workers == 0 ||
	    p->n_workers > MAX_WORKERS || p->worker >= p->n_workers || lo > hi)
		goto fail;
	for (port = lo; port <= hi; port++)
		if (dk_lb_fnat_port_owner((uint16_t)port, p->n_workers) == (int)p->worker)
			n++;
	if (n == 0)
		goto fail;
	rc = -ENOMEM;
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		goto fail;
	f->la = calloc(p->n_laddrs, sizeof(*f->la));
	if (f->la == NULL)
		goto fail;
	f->n_laddrs = p->n_laddrs;
	f->n_ports = n;
	f->worker = p->worker;
	f->n_workers = p->n_workers;
	for (i = 0; i < p->n_laddrs; i++) {
		struct fnat_laddr *l = &f->la[i];

		rc = -EINVAL;
		if (p->laddrs[i].af != AF_INET && p->laddrs[i].af != AF_INET6)
			goto fail;
		l->addr.af = p->laddrs[i].af;
		memcpy(l->addr.b, p->laddrs[i].b, l->addr.af == AF_INET ? 4 : 16);
		rc = -ENOMEM;
		l->ring = malloc(n * sizeof(*l->ring));
		if (l->ring == NULL)
			goto fail;
		for (port = lo; port <= hi; port++)
			if (dk_lb_fnat_port_owner((uint16_t)port, p->n_workers) == (int)p->worker)
				l->ring[l->count++] = (uint16_t)port;
	}
	*out = f;
	return 0;
fail:
	dk_lb_fnat_free(f);
	return rc;
}

void
dk_lb_fnat_free(struct dk_lb_fnat *f)
{
	uint32_t i;

	if (f == NULL)
		return;
	for (i = 0; f->la && i < f->n_laddrs; i++)
		free(f->la[i].ring);
	free(f->la);
	free(f);
}

int
dk_lb_fnat_alloc(struct dk_lb_fnat *f, uint32_t *laddr_idx, uint16_t *port)
{
	return dk_lb_fnat_alloc_af(f, 0, laddr_idx, port);
}

int
dk_lb_fnat_alloc_af(struct dk_lb_fnat *f, uint8_t af, uint32_t *laddr_idx, uint16_t *port)
{
	uint32_t k;

	for (k = 0; k < f->n_laddrs; k++) {
		uint32_t i = f->next;
		struct fnat_laddr *l = &f->la[i];

		f->next = i + 1 < f->n_laddrs ? i + 1 : 0;
		if (l->count == 0 || (af != 0 && l->addr.af != af))
			continue;
		*port = l->ring[l->head];
		l->head = l->head + 1 < f->n_ports ? l->head + 1 : 0;
		l->count--;
		l->inuse[*port / 64] |= 1ULL << (*port % 64);
		*laddr_idx = i;
		f->cnt[DK_LB_FNAT_C_ALLOCS]++;
		return 0;
	}
	f->cnt[DK_LB_FNAT_C_EXHAUSTED]++;
	return -ENOSPC;
}

int
dk_lb_fnat_release(struct dk_lb_fnat *f, uint32_t laddr_idx, uint16_t port)
{
	struct fnat_laddr *l;
	uint32_t tail;

	if (laddr_idx >= f->n_laddrs ||
	    !(f->la[laddr_idx].inuse[port / 64] & (1ULL << (port % 64)))) {
		f->cnt[DK_LB_FNAT_C_BAD_RELEASES]++;
		return -EINVAL;
	}
	l = &f->la[laddr_idx];
	l->inuse[port / 64] &= ~(1ULL << (port % 64));
	/* FIFO: a port just freed is reused last, giving the peer's TIME_WAIT time to end. */
	tail = l->head + l->count;
	if (tail >= f->n_ports)
		tail -= f->n_ports;
	l->ring[tail] = port;
	l->count++;
	f->cnt[DK_LB_FNAT_C_RELEASES]++;
	return 0;
}

int
dk_lb_fnat_laddr_index(const struct dk_lb_fnat *f, const struct dk_addr *a)
{
	uint32_t i;

	for (i = 0; i < f->n_laddrs; i++) {
		const struct dk_addr *x = &f->la[i].addr;

		if (x->af == a->af && memcmp(x->b, a->b, a->af == AF_INET ? 4 : 16) == 0)
			return (int)i;
	}
	return -ENOENT;
}

const struct dk_addr *
dk_lb_fnat_laddr(const struct dk_lb_fnat *f, uint32_t idx)
{
	return idx < f->n_laddrs ? &f->la[idx].addr : NULL;
}

uint64_t
dk_lb_fnat_available(const struct dk_lb_fnat *f)
{
	uint64_t n = 0;
	uint32_t i;

	for (i = 0; i < f->n_laddrs; i++)
		n += f->la[i].count;
	return n;
}

uint64_t
dk_lb_fnat_counter(const struct dk_lb_fnat *f, enum dk_lb_fnat_counter c)
{
	return c < DK_LB_FNAT_C_MAX ? f->cnt[c] : 0;
}

const char *
dk_lb_fnat_counter_name(enum dk_lb_fnat_counter c)
{
	return c < DK_LB_FNAT_C_MAX ? counter_names[c] : "?";
}
