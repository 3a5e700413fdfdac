/* Per-worker connection table: hash chains over a fixed pool, lazy timer wheel. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <sanitizer/asan_interface.h>

#include "dk_conn.h"
#include "dk_hash.h"

#define NIL 0u

/* The timer wheel's part of an entry, kept apart so the packet path never loads it. */
struct wlink {
	uint32_t wprev;		/* wheel list / free list links: entry index + 1 */
	uint32_t wnext;
	uint64_t wtick;		/* wheel tick the entry is filed under */
};

/* A large zeroed array: its own mapping, aligned to 2 MB and backed by transparent huge
 * pages where the kernel gives them (a 1 GB pool in 4 KB pages costs a TLB miss on top
 * of the cache miss of nearly every lookup). */
struct region {
	void *map;
	size_t len;
};

#define REGION_ALIGN ((size_t)2 << 20)

struct dk_conn_table {
	uint32_t bmask;
	uint32_t wmask;
	uint32_t max_conns;
	uint32_t n_used;
	uint32_t free_head;	/* entry index + 1 */
	uint32_t tick_us;
	uint64_t cur;		/* next wheel tick to process */
	uint64_t seed;
	uint64_t timeout_us[DK_CONN_S_MAX];
	struct dk_lb_load *load;
	uint32_t n_slots;
	dk_conn_expire_cb_t on_remove;
	void *arg;
	uint64_t cnt[DK_CONN_C_MAX];
	uint32_t *buckets;	/* node id + 1 */
	uint32_t *wheel;	/* entry index + 1 */
	struct dk_conn *e;	/* cache-line aligned */
	struct wlink *w;	/* parallel to e */
	struct region r_buckets, r_e, r_w;
};

_Static_assert(sizeof(struct dk_conn) == 128, "dk_conn is two cache lines");
_Static_assert(offsetof(struct dk_conn, key[1]) == 64, "line 0 holds the ORIG side");
_Static_assert(offsetof(struct dk_conn, flags) < 16, "line 0 holds state and flags");

static const char *const counter_names[] = { DK_CONN_COUNTERS(DK_XSTR) };

static const char *const state_names[] = {
#define X(n, s, t) s,
	DK_CONN_STATES(X)
#undef X
};

static const uint32_t default_timeout_s[] = {
#define X(n, s, t) t,
	DK_CONN_STATES(X)
#undef X
};

static inline uint64_t
timeout_us(const struct dk_conn_table *t, unsigned s)
{
	return __atomic_load_n(&t->timeout_us[s], __ATOMIC_RELAXED);
}

static uint32_t
pow2_at_least(uint32_t v)
{
	uint32_t p = 1;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

static void *
region_alloc(struct region *r, size_t n, size_t size)
{
	uintptr_t p;

	r->map = NULL;
	if (n > (SIZE_MAX - REGION_ALIGN) / size)
		return NULL;
	r->len = n * size + REGION_ALIGN;
	r->map = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->map == MAP_FAILED) {
		r->map = NULL;
		return NULL;
	}
	p = ((uintptr_t)r->map + REGION_ALIGN - 1) & ~(uintptr_t)(REGION_ALIGN - 1);
	/* Under ASan the slack either side is a red zone, as a heap block's would be. */
	ASAN_POISON_MEMORY_REGION(r->map, p - (uintptr_t)r->map);
	ASAN_POISON_MEMORY_REGION((void *)(p + n * size),
				  (uintptr_t)r->map + r->len - (p + n * size));
#ifdef MADV_HUGEPAGE
	/* Only a hint: without transparent huge pages this is the same memory. */
	(void)madvise((void *)p, n * size, MADV_HUGEPAGE);
#endif
	return (void *)p;
}

static void
region_free(struct region *r)
{
	if (r->map == NULL)
		return;
	ASAN_UNPOISON_MEMORY_REGION(r->map, r->len);
	munmap(r->map, r->len);
	r->map = NULL;
}

static void
addr_norm(struct dk_addr *dst, const struct dk_addr *src)
{
	dst->af = src->af;
	memcpy(dst->b, src->b, src->af == AF_INET ? 4 : 16);
}

void
dk_conn_key_make(struct dk_conn_key *k, uint8_t proto, const struct dk_addr *src,
		 uint16_t sport, const struct dk_addr *dst, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	addr_norm(&k->src, src);
	addr_norm(&k->dst, dst);
	k->sport = sport;
	k->dport = dport;
	k->proto = proto;
	k->kind = DK_CONN_KIND_FLOW;
}

void
dk_conn_tmpl_key(struct dk_conn_key *k, uint8_t proto, const struct dk_addr *client,
		 const struct dk_addr *vip, uint16_t vport)
{
	dk_conn_key_make(k, proto, client, 0, vip, vport);
	k->kind = DK_CONN_KIND_TMPL;
}

int
dk_conn_table_create(const struct dk_conn_params *p, struct dk_conn_table **out)
{
	struct dk_conn_table *t = NULL;
	uint32_t i, nb, ns;
	int rc = -EINVAL;

	*out = NULL;
	if (p->max_conns == 0 || p->max_conns >= (1u << 30) || (p->load && p->n_slots == 0) ||
	    p->n_slots > DK_CONN_MAX_SLOTS)
		goto fail;
	rc = -ENOMEM;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto fail;
	nb = pow2_at_least(p->n_buckets ? p->n_buckets : 2 * p->max_conns);
	ns = pow2_at_least(p->wheel_slots ? p->wheel_slots : 1024);
	if (ns < 2)
		ns = 2;
	t->bmask = nb - 1;
	t->wmask = ns - 1;
	t->max_conns = p->max_conns;
	t->tick_us = p->tick_us ? p->tick_us : (uint32_t)DK_USEC_PER_SEC;
	t->cur = p->now_us / t->tick_us;
	t->seed = p->seed;
	t->load = p->load;
	t->n_slots = p->n_slots;
	t->on_remove = p->on_remove;
	t->arg = p->arg;
	dk_conn_set_timeouts(t, p->timeout_s);
	t->buckets = region_alloc(&t->r_buckets, nb, sizeof(*t->buckets));
	t->wheel = calloc(ns, sizeof(*t->wheel));
	t->e = region_alloc(&t->r_e, p->max_conns, sizeof(*t->e));
	t->w = region_alloc(&t->r_w, p->max_conns, sizeof(*t->w));
	if (t->buckets == NULL || t->wheel == NULL || t->e == NULL || t->w == NULL)
		goto fail;
	/* Fault every page in now, not on the worker when a flood of new flows needs it. */
	memset(t->e, 0, (size_t)p->max_conns * sizeof(*t->e));
	memset(t->buckets, 0, (size_t)nb * sizeof(*t->buckets));
	for (i = 0; i < p->max_conns; i++)
		t->w[i].wnext = i + 2 <= p->max_conns ? i + 2 : NIL;
	t->free_head = 1;
	*out = t;
	return 0;
fail:
	dk_conn_table_free(t);
	return rc;
}

void
dk_conn_table_free(struct dk_conn_table *t)
{
	if (t == NULL)
		return;
	region_free(&t->r_w);
	region_free(&t->r_e);
	free(t->wheel);
	region_free(&t->r_buckets);
	free(t);
}

_Static_assert(sizeof(struct dk_conn_key) == 48, "dk_conn_key is six 64-bit words");

/* The high and low halves of a 64x64 product folded together. */
static inline uint64_t
fold_mul(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * Three independent multiplies over word pairs (each word offset by its own constant, so
 * zero words still count) and one final mix: a few cycles of latency instead of the
 * seven dependent rounds of dk_hash_bytes over 48 bytes. Not for hostile keys.
 */
static inline uint64_t
key_hash(const struct dk_conn_table *t, const struct dk_conn_key *k)
{
	uint64_t w[6];

	memcpy(w, k, sizeof(w));
	return dk_hash_mix64(t->seed ^ fold_mul(w[0] ^ 0xa0761d6478bd642fULL,
						w[1] ^ 0xe7037ed1a0b428dbULL) ^
			     fold_mul(w[2] ^ 0x8ebc6af09c88c6e3ULL, w[3] ^ 0x589965cc75374cc3ULL) ^
			     fold_mul(w[4] ^ 0x1d8e4e27c47d124fULL, w[5] ^ 0x9e3779b97f4a7c15ULL));
}

static inline bool
key_eq(const struct dk_conn_key *a, const struct dk_conn_key *b)
{
	uint64_t x[6], y[6], d = 0;

	memcpy(x, a, sizeof(x));
	memcpy(y, b, sizeof(y));
	for (unsigned i = 0; i < 6; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

uint64_t
dk_conn_key_hash(const struct dk_conn_table *t, const struct dk_conn_key *k)
{
	return key_hash(t, k);
}

bool
dk_conn_key_eq(const struct dk_conn_key *a, const struct dk_conn_key *b)
{
	return key_eq(a, b);
}

static uint32_t
bucket_of(const struct dk_conn_table *t, const struct dk_conn_key *k)
{
	return (uint32_t)key_hash(t, k) & t->bmask;
}

/* The chain link of node (id + 1): hnext_orig in line 0, hnext_reply in line 1. */
static inline uint32_t *
hlink(struct dk_conn *c, unsigned dir)
{
	return dir ? &c->hnext_reply : &c->hnext_orig;
}

void
dk_conn_prefetch_bucket(const struct dk_conn_table *t, uint64_t hash)
{
	__builtin_prefetch(&t->buckets[hash & t->bmask], 0, 3);
}

void
dk_conn_prefetch_entry(const struct dk_conn_table *t, uint64_t hash)
{
	uint32_t node = t->buckets[hash & t->bmask];
	const char *c;

	if (node == NIL)
		return;
	/* An ORIG node is one line; a REPLY node also needs line 0 (state, expiry). */
	c = (const char *)&t->e[(node - 1) / 2];
	__builtin_prefetch(c, 0, 3);
	if ((node - 1) % 2)
		__builtin_prefetch(c + 64, 0, 3);
}

static uint32_t
ent_idx(const struct dk_conn_table *t, const struct dk_conn *c)
{
	return (uint32_t)(c - t->e);
}

static void
hash_link(struct dk_conn_table *t, struct dk_conn *c, unsigned dir, uint64_t hash)
{
	uint32_t b = (uint32_t)hash & t->bmask;

	*hlink(c, dir) = t->buckets[b];
	t->buckets[b] = ent_idx(t, c) * 2 + dir + 1;
}

static void
hash_unlink(struct dk_conn_table *t, struct dk_conn *c, unsigned dir)
{
	uint32_t node = ent_idx(t, c) * 2 + dir + 1;
	uint32_t *pp = &t->buckets[bucket_of(t, &c->key[dir])];

	while (*pp != NIL) {
		if (*pp == node) {
			*pp = *hlink(c, dir);
			return;
		}
		pp = hlink(&t->e[(*pp - 1) / 2], (*pp - 1) % 2);
	}
}

static void
wheel_unlink(struct dk_conn_table *t, struct dk_conn *c)
{
	struct wlink *l = &t->w[ent_idx(t, c)];

	if (l->wprev != NIL)
		t->w[l->wprev - 1].wnext = l->wnext;
	else
		t->wheel[l->wtick & t->wmask] = l->wnext;
	if (l->wnext != NIL)
		t->w[l->wnext - 1].wprev = l->wprev;
}

static uint64_t
expire_tick(const struct dk_conn_table *t, uint64_t expire_us)
{
	return (expire_us + t->tick_us - 1) / t->tick_us;
}

/*
 * Files c under its expiry tick, clamped into the wheel's window from cur; an entry
 * clamped to the far end is simply re-filed when its slot comes round.
 */
static void
wheel_file(struct dk_conn_table *t, struct dk_conn *c)
{
	uint64_t tk = expire_tick(t, c->expire_us);
	struct wlink *l = &t->w[ent_idx(t, c)];
	uint32_t *head;

	if (tk < t->cur)
		tk = t->cur;
	if (tk > t->cur + t->wmask)
		tk = t->cur + t->wmask;
	l->wtick = tk;
	head = &t->wheel[tk & t->wmask];
	l->wprev = NIL;
	l->wnext = *head;
	if (*head != NIL)
		t->w[*head - 1].wprev = ent_idx(t, c) + 1;
	*head = ent_idx(t, c) + 1;
}

static void
load_adjust(struct dk_conn_table *t, const struct dk_conn *c, int32_t d)
{
	struct dk_lb_load *l;

	if (!(c->flags & DK_CONN_F_COUNTED))
		return;
	l = &t->load[c->backend_slot];
	if (c->state == DK_CONN_S_ESTABLISHED)
		dk_lb_load_add(&l->active, d);
	else
		dk_lb_load_add(&l->inactive, d);
}

static void
release(struct dk_conn_table *t, struct dk_conn *c, enum dk_conn_counter why)
{
	if (t->on_remove)
		t->on_remove(t->arg, c);
	hash_unlink(t, c, DK_CONN_DIR_ORIG);
	if (c->flags & DK_CONN_F_REPLY)
		hash_unlink(t, c, DK_CONN_DIR_REPLY);
	load_adjust(t, c, -1);
	c->flags = 0;
	t->w[ent_idx(t, c)].wnext = t->free_head;
	t->free_head = ent_idx(t, c) + 1;
	t->n_used--;
	t->cnt[why]++;
}

static struct dk_conn *
find(struct dk_conn_table *t, const struct dk_conn_key *k, uint64_t hash, unsigned *dir)
{
	uint32_t node = t->buckets[hash & t->bmask];

	while (node != NIL) {
		struct dk_conn *c = &t->e[(node - 1) / 2];
		unsigned d = (node - 1) % 2;

		if (key_eq(&c->key[d], k)) {
			*dir = d;
			return c;
		}
		node = *hlink(c, d);
	}
	return NULL;
}

/* A live entry for k; one that is past its expiry is reaped on the spot. */
static struct dk_conn *
find_live(struct dk_conn_table *t, const struct dk_conn_key *k, uint64_t hash, uint64_t now_us,
	  unsigned *dir)
{
	struct dk_conn *c = find(t, k, hash, dir);

	if (c != NULL && c->expire_us <= now_us) {
		wheel_unlink(t, c);
		release(t, c, DK_CONN_C_EXPIRED);
		c = NULL;
	}
	return c;
}

struct dk_conn *
dk_conn_lookup(struct dk_conn_table *t, const struct dk_conn_key *k, uint64_t now_us,
	       enum dk_conn_dir *dir)
{
	return dk_conn_lookup_hash(t, k, key_hash(t, k), now_us, dir);
}

struct dk_conn *
dk_conn_lookup_hash(struct dk_conn_table *t, const struct dk_conn_key *k, uint64_t hash,
		    uint64_t now_us, enum dk_conn_dir *dir)
{
	unsigned d = 0;
	struct dk_conn *c;

	t->cnt[DK_CONN_C_LOOKUPS]++;
	c = find_live(t, k, hash, now_us, &d);
	if (c != NULL) {
		t->cnt[DK_CONN_C_HITS]++;
		if (dir)
			*dir = (enum dk_conn_dir)d;
	}
	return c;
}

static void
set_expiry(struct dk_conn_table *t, struct dk_conn *c, uint64_t expire_us)
{
	bool earlier = expire_us < c->expire_us;

	c->expire_us = expire_us;
	/*
	 * The entry is filed no later than its old expiry, so a later one is found lazily
	 * when the slot comes round; only an earlier one may need re-filing (and a divide).
	 */
	if (earlier && expire_tick(t, expire_us) < t->w[ent_idx(t, c)].wtick) {
		wheel_unlink(t, c);
		wheel_file(t, c);
	}
}

static struct dk_conn *
alloc_entry(struct dk_conn_table *t)
{
	struct dk_conn *c;

	if (t->free_head == NIL) {
		t->cnt[DK_CONN_C_FULL]++;
		return NULL;
	}
	c = &t->e[t->free_head - 1];
	t->free_head = t->w[t->free_head - 1].wnext;
	t->n_used++;
	/* The next new flow writes that entry: have it in cache by then (SYN floods). */
	if (t->free_head != NIL) {
		const char *n = (const char *)&t->e[t->free_head - 1];

		__builtin_prefetch(n, 1, 3);
		__builtin_prefetch(n + 64, 1, 3);
		__builtin_prefetch(&t->w[t->free_head - 1], 1, 3);
	}
	return c;
}

int
dk_conn_insert(struct dk_conn_table *t, const struct dk_conn_new *n, uint64_t now_us,
	       struct dk_conn **out)
{
	return dk_conn_insert_hash(t, n, key_hash(t, n->orig), now_us, out);
}

int
dk_conn_insert_hash(struct dk_conn_table *t, const struct dk_conn_new *n, uint64_t hash,
		    uint64_t now_us, struct dk_conn **out)
{
	uint64_t rhash = n->reply ? key_hash(t, n->reply) : 0;
	struct dk_conn *c;
	unsigned d;

	*out = NULL;
	if (n->backend_slot >= DK_CONN_MAX_SLOTS)
		return -EINVAL;
	if (find_live(t, n->orig, hash, now_us, &d) != NULL ||
	    (n->reply && find_live(t, n->reply, rhash, now_us, &d) != NULL)) {
		t->cnt[DK_CONN_C_EXISTS]++;
		return -EEXIST;
	}
	c = alloc_entry(t);
	if (c == NULL)
		return -ENOSPC;
	c->key[DK_CONN_DIR_ORIG] = *n->orig;
	c->flags = DK_CONN_F_USED;
	if (n->reply) {
		c->key[DK_CONN_DIR_REPLY] = *n->reply;
		c->flags |= DK_CONN_F_REPLY;
	}
	c->backend_slot = (uint16_t)n->backend_slot;
	c->tmpl_timeout_s = 0;
	c->hop = n->hop;
	if (n->orig->proto == DK_LB_PROTO_TCP)
		c->state = (uint8_t)dk_conn_tcp_next(DK_CONN_S_NONE, DK_CONN_DIR_ORIG,
						     n->tcp_flags, n->reply == NULL);
	else
		c->state = DK_CONN_S_UDP;
	if (t->load && n->backend_slot < t->n_slots)
		c->flags |= DK_CONN_F_COUNTED;
	load_adjust(t, c, 1);
	hash_link(t, c, DK_CONN_DIR_ORIG, hash);
	if (n->reply)
		hash_link(t, c, DK_CONN_DIR_REPLY, rhash);
	c->expire_us = now_us + timeout_us(t, c->state);
	wheel_file(t, c);
	t->cnt[DK_CONN_C_INSERTS]++;
	*out = c;
	return 0;
}

void
dk_conn_update(struct dk_conn_table *t, struct dk_conn *c, enum dk_conn_dir dir,
	       uint8_t tcp_flags, uint64_t now_us)
{
	if (c->flags & DK_CONN_F_TMPL)
		return;
	if (c->key[DK_CONN_DIR_ORIG].proto == DK_LB_PROTO_TCP) {
		enum dk_conn_state s = dk_conn_tcp_next((enum dk_conn_state)c->state, dir,
							tcp_flags,
							!(c->flags & DK_CONN_F_REPLY));

		if (s != c->state) {
			load_adjust(t, c, -1);
			c->state = (uint8_t)s;
			load_adjust(t, c, 1);
			t->cnt[DK_CONN_C_STATE_CHANGES]++;
		}
	}
	set_expiry(t, c, now_us + timeout_us(t, c->state));
}

void
dk_conn_delete(struct dk_conn_table *t, struct dk_conn *c)
{
	wheel_unlink(t, c);
	release(t, c, DK_CONN_C_DELETED);
}

unsigned
dk_conn_expire(struct dk_conn_table *t, uint64_t now_us, unsigned budget)
{
	uint64_t target = now_us / t->tick_us;
	unsigned expired = 0, empty = 0;

	/* An idle gap longer than the wheel costs at most one revolution of empty slots. */
	while (t->cur <= target && budget > 0 && empty <= t->wmask) {
		uint32_t *head = &t->wheel[t->cur & t->wmask];

		if (*head == NIL) {
			t->cur++;
			empty++;
			continue;
		}
		empty = 0;
		while (*head != NIL && budget > 0) {
			struct dk_conn *c = &t->e[*head - 1];

			/* The wheel's own walk: the next entry's line 0 (expiry, keys to unlink). */
			if (t->w[*head - 1].wnext != NIL)
				__builtin_prefetch(&t->e[t->w[*head - 1].wnext - 1], 0, 3);

			budget--;
			wheel_unlink(t, c);
			if (c->expire_us <= now_us) {
				release(t, c, DK_CONN_C_EXPIRED);
				expired++;
			} else {
				wheel_file(t, c);
			}
		}
		if (*head == NIL)
			t->cur++;
	}
	/* A whole revolution of empty slots: nothing is filed, skip straight to now. */
	if (empty > t->wmask && t->cur <= target)
		t->cur = target + 1;
	return expired;
}

int
dk_conn_tmpl_insert(struct dk_conn_table *t, const struct dk_conn_key *k, uint32_t backend_slot,
		    uint32_t timeout_s, uint64_t now_us, struct dk_conn **out)
{
	struct dk_conn *c;
	uint64_t h;
	unsigned d;

	*out = NULL;
	if (k->kind != DK_CONN_KIND_TMPL || timeout_s == 0 || backend_slot >= DK_CONN_MAX_SLOTS)
		return -EINVAL;
	h = key_hash(t, k);
	if (find_live(t, k, h, now_us, &d) != NULL) {
		t->cnt[DK_CONN_C_EXISTS]++;
		return -EEXIST;
	}
	c = alloc_entry(t);
	if (c == NULL)
		return -ENOSPC;
	c->key[DK_CONN_DIR_ORIG] = *k;
	memset(&c->hop, 0, sizeof(c->hop));
	c->flags = DK_CONN_F_TMPL | DK_CONN_F_USED;
	c->state = DK_CONN_S_NONE;
	c->backend_slot = (uint16_t)backend_slot;
	c->tmpl_timeout_s = timeout_s;
	hash_link(t, c, DK_CONN_DIR_ORIG, h);
	c->expire_us = now_us + (uint64_t)timeout_s * DK_USEC_PER_SEC;
	wheel_file(t, c);
	t->cnt[DK_CONN_C_TMPL_INSERTS]++;
	*out = c;
	return 0;
}

struct dk_conn *
dk_conn_tmpl_lookup(struct dk_conn_table *t, const struct dk_conn_key *k, uint64_t now_us)
{
	struct dk_conn *c;
	unsigned d;

	t->cnt[DK_CONN_C_LOOKUPS]++;
	c = find_live(t, k, key_hash(t, k), now_us, &d);
	if (c == NULL || !(c->flags & DK_CONN_F_TMPL))
		return NULL;
	t->cnt[DK_CONN_C_TMPL_HITS]++;
	c->expire_us = now_us + (uint64_t)c->tmpl_timeout_s * DK_USEC_PER_SEC;
	return c;
}

int
dk_conn_walk(const struct dk_conn_table *t, uint64_t now_us, dk_conn_walk_cb_t fn, void *arg)
{
	for (uint32_t i = 0; i < t->max_conns; i++) {
		const struct dk_conn *c = &t->e[i];
		int rc;

		if (!(c->flags & DK_CONN_F_USED) || c->expire_us <= now_us)
			continue;
		rc = fn(arg, c);
		if (rc != 0)
			return rc;
	}
	return 0;
}

uint32_t
dk_conn_count(const struct dk_conn_table *t)
{
	return t->n_used;
}

uint64_t
dk_conn_counter(const struct dk_conn_table *t, enum dk_conn_counter c)
{
	return c < DK_CONN_C_MAX ? t->cnt[c] : 0;
}

const char *
dk_conn_counter_name(enum dk_conn_counter c)
{
	return c < DK_CONN_C_MAX ? counter_names[c] : "?";
}

const char *
dk_conn_state_name(enum dk_conn_state s)
{
	return s < DK_CONN_S_MAX ? state_names[s] : "?";
}

uint32_t
dk_conn_timeout_s(const struct dk_conn_table *t, enum dk_conn_state s)
{
	return s < DK_CONN_S_MAX ? (uint32_t)(timeout_us(t, s) / DK_USEC_PER_SEC) : 0;
}

/* The only field another thread writes: relaxed stores, read relaxed by the owner. */
void
dk_conn_set_timeouts(struct dk_conn_table *t, const uint32_t *timeout_s)
{
	for (unsigned i = 0; i < DK_CONN_S_MAX; i++) {
		uint32_t v = timeout_s && timeout_s[i] ? timeout_s[i] : default_timeout_s[i];

		__atomic_store_n(&t->timeout_us[i], (uint64_t)v * DK_USEC_PER_SEC,
				 __ATOMIC_RELAXED);
	}
}
