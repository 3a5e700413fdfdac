#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dk_hash.h"
#include "dk_neigh.h"

#define NIL UINT32_MAX

struct entry {
	uint32_t next; /* hash chain, or the free list */
	bool used;
	uint16_t port;
	struct dk_addr addr;
	struct dk_mac mac;
	enum dk_neigh_state state;
	uint32_t probes;
	uint64_t changed_us; /* state entered or reachability last confirmed */
	uint64_t used_us;    /* last lookup */
	uint64_t next_us;    /* when the tick has to look at this entry */
	uint32_t qhead;
	uint32_t qlen;
};

struct dk_neigh_table {
	struct dk_neigh_params p;
	uint32_t nbuckets; /* power of two */
	uint32_t *buckets;
	struct entry *e;
	void **q; /* queue_max slots per entry, a ring each */
	uint32_t free_head;
	uint32_t n;
	uint64_t cnt[DK_NEIGH_CNT_MAX];
};

int
dk_neigh_create(const struct dk_neigh_params *p, struct dk_neigh_table **out)
{
	struct dk_neigh_table *t;
	int rc = -ENOMEM;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto fail;
	t->p = *p;
	if (!t->p.max_entries)
		t->p.max_entries = 1024;
	if (!t->p.queue_max)
		t->p.queue_max = 8;
	if (!t->p.max_probes)
		t->p.max_probes = 3;
	if (!t->p.retrans_us)
		t->p.retrans_us = DK_USEC_PER_SEC;
	if (!t->p.reachable_us)
		t->p.reachable_us = 30 * DK_USEC_PER_SEC;
	if (!t->p.failed_hold_us)
		t->p.failed_hold_us = 3 * DK_USEC_PER_SEC;
	if (!t->p.stale_gc_us)
		t->p.stale_gc_us = 60 * DK_USEC_PER_SEC;
	if (t->p.max_entries > (1u << 24) || t->p.queue_max > 1024) {
		rc = -EINVAL;
		goto fail_table;
	}
	for (t->nbuckets = 16; t->nbuckets < t->p.max_entries; t->nbuckets <<= 1)
		;
	t->buckets = malloc(t->nbuckets * sizeof(*t->buckets));
	if (t->buckets == NULL)
		goto fail_table;
	t->e = calloc(t->p.max_entries, sizeof(*t->e));
	if (t->e == NULL)
		goto fail_buckets;
	t->q = calloc((size_t)t->p.max_entries * t->p.queue_max, sizeof(*t->q));
	if (t->q == NULL)
		goto fail_entries;
	for (uint32_t i = 0; i < t->nbuckets; i++)
		t->buckets[i] = NIL;
	for (uint32_t i = 0; i < t->p.max_entries; i++)
		t->e[i].next = i + 1 < t->p.max_entries ? i + 1 : NIL;
	t->free_head = 0;
	*out = t;
	return 0;

fail_entries:
	free(t->e);
fail_buckets:
	free(t->buckets);
fail_table:
	free(t);
fail:
	return rc;
}

static void
drop_pkt(struct dk_neigh_table *t, void *pkt, enum dk_neigh_counter c)
{
	t->cnt[c]++;
	if (t->p.free_pkt != NULL)
		t->p.free_pkt(t->p.ctx, pkt);
}

static void **
qslot(struct dk_neigh_table *t, uint32_t idx, uint32_t i)
{
	struct entry *e = &t->e[idx];

	return &t->q[(size_t)idx * t->p.queue_max + (e->qhead + i) % t->p.queue_max];
}

static void
queue_drop_all(struct dk_neigh_table *t, uint32_t idx, enum dk_neigh_counter c)
{
	struct entry *e = &t->e[idx];

	for (uint32_t i = 0; i < e->qlen; i++)
		drop_pkt(t, *qslot(t, idx, i), c);
	e->qhead = e->qlen = 0;
}

static void
enqueue(struct dk_neigh_table *t, uint32_t idx, void *pkt)
{
	struct entry *e = &t->e[idx];

	if (pkt == NULL)
		return;
	/* The newest packet is the one most worth sending (retransmits supersede). */
	if (e->qlen == t->p.queue_max) {
		drop_pkt(t, *qslot(t, idx, 0), DK_NEIGH_CNT_QUEUE_OVERFLOW);
		e->qhead = (e->qhead + 1) % t->p.queue_max;
		e->qlen--;
	}
	*qslot(t, idx, e->qlen) = pkt;
	e->qlen++;
	t->cnt[DK_NEIGH_CNT_QUEUED]++;
}

void
dk_neigh_free(struct dk_neigh_table *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < t->p.max_entries; i++)
		if (t->e[i].used)
			queue_drop_all(t, i, DK_NEIGH_CNT_GC);
	free(t->q);
	free(t->e);
	free(t->buckets);
	free(t);
}

static uint32_t
bucket(const struct dk_neigh_table *t, uint16_t port, const struct dk_addr *a)
{
	uint64_t h = dk_hash_bytes(a->b, a->af == AF_INET ? 4 : 16, (uint64_t)port << 8 | a->af);

	return (uint32_t)h & (t->nbuckets - 1);
}

static uint32_t
find(const struct dk_neigh_table *t, uint16_t port, const struct dk_addr *a)
{
	for (uint32_t i = t->buckets[bucket(t, port, a)]; i != NIL; i = t->e[i].next)
		if (t->e[i].port == port && dk_addr_eq(&t->e[i].addr, a))
			return i;
	return NIL;
}

static void
remove_entry(struct dk_neigh_table *t, uint32_t idx, enum dk_neigh_counter why)
{
	struct entry *e = &t->e[idx];
	uint32_t *pp = &t->buckets[bucket(t, e->port, &e->addr)];

	while (*pp != idx)
		pp = &t->e[*pp].next;
	*pp = e->next;
	queue_drop_all(t, idx, why);
	memset(e, 0, sizeof(*e));
	e->next = t->free_head;
	t->free_head = idx;
	t->n--;
}

/* When full, a FAILED entry goes first, then the least recently used STALE one. */
static bool
evict_one(struct dk_neigh_table *t)
{
	uint32_t victim = NIL;

	for (uint32_t i = 0; i < t->p.max_entries; i++) {
		const struct entry *e = &t->e[i];

		if (!e->used)
			continue;
		if (e->state == DK_NEIGH_FAILED) {
			victim = i;
			break;
		}
		if (e->state == DK_NEIGH_STALE &&
		    (victim == NIL || e->used_us < t->e[victim].used_us))
			victim = i;
	}
	if (victim == NIL)
		return false;
	remove_entry(t, victim, DK_NEIGH_CNT_FAILED_DROP);
	t->cnt[DK_NEIGH_CNT_EVICTED]++;
	return true;
}

static uint32_t
alloc_entry(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *a, uint64_t now_us)
{
	uint32_t idx, b;
	struct entry *e;

	if (t->free_head == NIL && !evict_one(t)) {
		t->cnt[DK_NEIGH_CNT_TABLE_FULL]++;
		return NIL;
	}
	idx = t->free_head;
	e = &t->e[idx];
	t->free_head = e->next;
	memset(e, 0, sizeof(*e));
	e->used = true;
	e->port = port;
	e->addr = *a;
	e->changed_us = e->used_us = now_us;
	b = bucket(t, port, a);
	e->next = t->buckets[b];
	t->buckets[b] = idx;
	t->n++;
	return idx;
}

static void
set_state(struct dk_neigh_table *t, struct entry *e, enum dk_neigh_state s, uint64_t now_us)
{
	e->state = s;
	e->changed_us = now_us;
	switch (s) {
	case DK_NEIGH_INCOMPLETE:
	case DK_NEIGH_PROBE:
		e->probes = 0;
		e->next_us = now_us;
		break;
	case DK_NEIGH_REACHABLE:
		e->next_us = now_us + t->p.reachable_us;
		break;
	case DK_NEIGH_STALE:
		e->next_us = e->used_us + t->p.stale_gc_us;
		break;
	case DK_NEIGH_FAILED:
		e->next_us = now_us + t->p.failed_hold_us;
		break;
	default:
		e->next_us = UINT64_MAX;
		break;
	}
}

/* Sends the next solicitation of an INCOMPLETE or PROBE entry, or gives up on it. */
static void
solicit_or_fail(struct dk_neigh_table *t, uint32_t idx, uint64_t now_us)
{
	struct entry *e = &t->e[idx];

	if (e->probes >= t->p.max_probes) {
		queue_drop_all(t, idx, DK_NEIGH_CNT_FAILED_DROP);
		t->cnt[DK_NEIGH_CNT_RESOLVE_FAILED]++;
		set_state(t, e, DK_NEIGH_FAILED, now_us);
		return;
	}
	e->probes++;
	e->next_us = now_us + t->p.retrans_us;
	t->cnt[DK_NEIGH_CNT_SOLICIT]++;
	if (t->p.solicit != NULL)
		t->p.solicit(t->p.ctx, e->port, &e->addr,
			     e->state == DK_NEIGH_PROBE ? &e->mac : NULL);
}

static bool
addr_ok(const struct dk_addr *a)
{
	return a != NULL && (a->af == AF_INET || a->af == AF_INET6);
}

enum dk_neigh_result
dk_neigh_lookup(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *addr,
		void *pkt, uint64_t now_us, struct dk_mac *mac)
{
	uint32_t idx;
	struct entry *e;

	if (!addr_ok(addr)) {
		if (pkt != NULL)
			drop_pkt(t, pkt, DK_NEIGH_CNT_FAILED_DROP);
		return DK_NEIGH_DROPPED;
	}
	idx = find(t, port, addr);
	if (idx == NIL) {
		t->cnt[DK_NEIGH_CNT_LOOKUP_MISS]++;
		idx = alloc_entry(t, port, addr, now_us);
		if (idx == NIL) {
			if (pkt != NULL)
				drop_pkt(t, pkt, DK_NEIGH_CNT_FAILED_DROP);
			return DK_NEIGH_DROPPED;
		}
		set_state(t, &t->e[idx], DK_NEIGH_INCOMPLETE, now_us);
		enqueue(t, idx, pkt);
		solicit_or_fail(t, idx, now_us);
		return DK_NEIGH_QUEUED;
	}
	e = &t->e[idx];
	switch (e->state) {
	case DK_NEIGH_INCOMPLETE:
		t->cnt[DK_NEIGH_CNT_LOOKUP_MISS]++;
		enqueue(t, idx, pkt);
		return DK_NEIGH_QUEUED;
	case DK_NEIGH_FAILED:
		t->cnt[DK_NEIGH_CNT_LOOKUP_MISS]++;
		if (pkt != NULL)
			drop_pkt(t, pkt, DK_NEIGH_CNT_FAILED_DROP);
		return DK_NEIGH_DROPPED;
	case DK_NEIGH_STALE:
		/* Still usable, but only until a probe says otherwise (RFC 4861 7.3.3). */
		e->used_us = now_us;
		set_state(t, e, DK_NEIGH_PROBE, now_us);
		solicit_or_fail(t, idx, now_us);
		break;
	default:
		e->used_us = now_us;
		break;
	}
	t->cnt[DK_NEIGH_CNT_LOOKUP_HIT]++;
	*mac = e->mac;
	return DK_NEIGH_FOUND;
}

static void
release(struct dk_neigh_table *t, uint32_t idx, void **pkts, unsigned max_pkts,
	unsigned *n_pkts)
{
	struct entry *e = &t->e[idx];
	uint32_t i;

	for (i = 0; i < e->qlen && i < max_pkts && pkts != NULL; i++)
		pkts[i] = *qslot(t, idx, i);
	*n_pkts = i;
	for (; i < e->qlen; i++)
		drop_pkt(t, *qslot(t, idx, i), DK_NEIGH_CNT_RELEASED_OVERFLOW);
	e->qhead = e->qlen = 0;
}

static bool
mac_eq(const struct dk_mac *a, const struct dk_mac *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

int
dk_neigh_learn(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *addr,
	       const struct dk_mac *mac, unsigned flags, uint64_t now_us, void **pkts,
	       unsigned max_pkts, unsigned *n_pkts)
{
	bool confirmed = flags & DK_NEIGH_F_CONFIRMED;
	enum dk_neigh_state fresh = confirmed ? DK_NEIGH_REACHABLE : DK_NEIGH_STALE;
	uint32_t idx;
	struct entry *e;
	unsigned dummy;

	if (n_pkts == NULL)
		n_pkts = &dummy;
	*n_pkts = 0;
	if (!addr_ok(addr) || (mac == NULL && !(flags & DK_NEIGH_F_NO_LLA)))
		return -EINVAL;
	idx = find(t, port, addr);
	if (flags & DK_NEIGH_F_NO_LLA) {
		/* RFC 4861 7.2.5: the entry keeps its address; a solicited NA confirms it. */
		if (idx == NIL)
			return -ENOENT;
		e = &t->e[idx];
		if (e->state == DK_NEIGH_PERMANENT)
			return -EPERM;
		if (e->state == DK_NEIGH_INCOMPLETE || e->state == DK_NEIGH_FAILED)
			return -ENOENT;
		if (confirmed)
			set_state(t, e, DK_NEIGH_REACHABLE, now_us);
		return 0;
	}
	if (idx == NIL) {
		if (!(flags & DK_NEIGH_F_CREATE))
			return -ENOENT;
		idx = alloc_entry(t, port, addr, now_us);
		if (idx == NIL)
			return -ENOSPC;
		t->e[idx].mac = *mac;
		set_state(t, &t->e[idx], fresh, now_us);
		return 0;
	}
	e = &t->e[idx];
	switch (e->state) {
	case DK_NEIGH_PERMANENT:
		return -EPERM;
	case DK_NEIGH_INCOMPLETE:
	case DK_NEIGH_FAILED:
		e->mac = *mac;
		set_state(t, e, fresh, now_us);
		t->cnt[DK_NEIGH_CNT_RESOLVED]++;
		release(t, idx, pkts, max_pkts, n_pkts);
		break;
	default:
		if (!mac_eq(&e->mac, mac)) {
			/* RFC 4861 7.2.5: without override a different address only casts
			 * doubt on the entry; with it the new address wins. */
			if (!(flags & DK_NEIGH_F_OVERRIDE)) {
				if (e->state == DK_NEIGH_REACHABLE)
					set_state(t, e, DK_NEIGH_STALE, now_us);
				break;
			}
			e->mac = *mac;
			t->cnt[DK_NEIGH_CNT_MAC_CHANGED]++;
			set_state(t, e, fresh, now_us);
		} else if (confirmed) {
			set_state(t, e, DK_NEIGH_REACHABLE, now_us);
		}
		break;
	}
	return 0;
}

int
dk_neigh_add_permanent(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *addr,
		       const struct dk_mac *mac, uint64_t now_us)
{
	uint32_t idx;
	unsigned n;

	if (!addr_ok(addr) || mac == NULL)
		return -EINVAL;
	idx = find(t, port, addr);
	if (idx == NIL)
		idx = alloc_entry(t, port, addr, now_us);
	if (idx == NIL)
		return -ENOSPC;
	/* Anything that was waiting can go now: the caller is told nothing, so free it. */
	release(t, idx, NULL, 0, &n);
	t->e[idx].mac = *mac;
	set_state(t, &t->e[idx], DK_NEIGH_PERMANENT, now_us);
	return 0;
}

int
dk_neigh_delete(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *addr)
{
	uint32_t idx;

	if (!addr_ok(addr))
		return -EINVAL;
	idx = find(t, port, addr);
	if (idx == NIL)
		return -ENOENT;
	remove_entry(t, idx, DK_NEIGH_CNT_FAILED_DROP);
	return 0;
}

void
dk_neigh_flush_port(struct dk_neigh_table *t, uint16_t port)
{
	for (uint32_t i = 0; i < t->p.max_entries; i++)
		if (t->e[i].used && t->e[i].port == port)
			remove_entry(t, i, DK_NEIGH_CNT_FAILED_DROP);
}

void
dk_neigh_tick(struct dk_neigh_table *t, uint64_t now_us)
{
	for (uint32_t i = 0; i < t->p.max_entries; i++) {
		struct entry *e = &t->e[i];

		if (!e->used || now_us < e->next_us)
			continue;
		switch (e->state) {
		case DK_NEIGH_INCOMPLETE:
		case DK_NEIGH_PROBE:
			solicit_or_fail(t, i, now_us);
			break;
		case DK_NEIGH_REACHABLE:
			set_state(t, e, DK_NEIGH_STALE, now_us);
			break;
		case DK_NEIGH_STALE:
		case DK_NEIGH_FAILED:
			remove_entry(t, i, DK_NEIGH_CNT_FAILED_DROP);
			t->cnt[DK_NEIGH_CNT_GC]++;
			break;
		default:
			break;
		}
	}
}

uint64_t
dk_neigh_next_event(const struct dk_neigh_table *t)
{
	uint64_t next = UINT64_MAX;

	for (uint32_t i = 0; i < t->p.max_entries; i++)
		if (t->e[i].used && t->e[i].next_us < next)
			next = t->e[i].next_us;
	return next;
}

int
dk_neigh_walk(const struct dk_neigh_table *t, uint64_t now_us,
	      int (*cb)(void *ctx, const struct dk_neigh_entry_info *e), void *ctx)
{
	for (uint32_t i = 0; i < t->p.max_entries; i++) {
		const struct entry *e = &t->e[i];
		struct dk_neigh_entry_info info;
		int rc;

		if (!e->used)
			continue;
		info.port = e->port;
		info.addr = e->addr;
		info.mac = e->mac;
		info.state = e->state;
		info.age_us = now_us > e->changed_us ? now_us - e->changed_us : 0;
		info.queued = e->qlen;
		info.probes = e->probes;
		rc = cb(ctx, &info);
		if (rc)
			return rc;
	}
	return 0;
}

unsigned
dk_neigh_count(const struct dk_neigh_table *t)
{
	return t->n;
}

uint64_t
dk_neigh_counter(const struct dk_neigh_table *t, enum dk_neigh_counter c)
{
	return (unsigned)c < DK_NEIGH_CNT_MAX ? t->cnt[c] : 0;
}
