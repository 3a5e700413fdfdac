/*
 * Per-worker connection table: single writer, no locks, no allocation after create.
 * Entries come from a fixed pool; each entry is reachable by its original key (client
 * -> VIP) and, for NAT/FNAT, by its reply key (backend -> client or local address), so
 * replies find the same entry. A coarse timer wheel reaps expired entries a bounded
 * number at a time; packets only store a new expiry (entries are re-filed lazily when
 * their slot comes round), so the per-packet cost is a store.
 *
 * Persistence templates live in the same table with kind = template.
 */
#ifndef DK_CONN_H
#define DK_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"
#include "dk_lb.h"

#define DK_TCP_FIN 0x01
#define DK_TCP_SYN 0x02
#define DK_TCP_RST 0x04
#define DK_TCP_ACK 0x10

/* State, name, default timeout in seconds (IPVS defaults). */
#define DK_CONN_STATES(X) \
	X(DK_CONN_S_NONE, "NONE", 2) \
	X(DK_CONN_S_SYN_RECV, "SYN_RECV", 60) \
	X(DK_CONN_S_ESTABLISHED, "ESTABLISHED", 900) \
	X(DK_CONN_S_FIN_WAIT, "FIN_WAIT", 120) \
	X(DK_CONN_S_CLOSE_WAIT, "CLOSE_WAIT", 60) \
	X(DK_CONN_S_LAST_ACK, "LAST_ACK", 30) \
	X(DK_CONN_S_TIME_WAIT, "TIME_WAIT", 120) \
	X(DK_CONN_S_CLOSE, "CLOSE", 10) \
	X(DK_CONN_S_UDP, "UDP", 300)

enum dk_conn_state {
#define X(n, s, t) n,
	DK_CONN_STATES(X)
#undef X
	DK_CONN_S_MAX
};

#define DK_CONN_COUNTERS(X) \
	X(DK_CONN_C_LOOKUPS, "lookups") \
	X(DK_CONN_C_HITS, "hits") \
	X(DK_CONN_C_INSERTS, "inserts") \
	X(DK_CONN_C_FULL, "full") \
	X(DK_CONN_C_EXISTS, "exists") \
	X(DK_CONN_C_EXPIRED, "expired") \
	X(DK_CONN_C_DELETED, "deleted") \
	X(DK_CONN_C_TMPL_INSERTS, "tmpl_inserts") \
	X(DK_CONN_C_TMPL_HITS, "tmpl_hits") \
	X(DK_CONN_C_STATE_CHANGES, "state_changes")

enum dk_conn_counter {
	DK_CONN_COUNTERS(DK_XENUM)
	DK_CONN_C_MAX
};

enum dk_conn_dir {
	DK_CONN_DIR_ORIG = 0,	/* client -> service */
	DK_CONN_DIR_REPLY = 1,	/* backend -> client (NAT) or -> local address (FNAT) */
};

#define DK_CONN_KIND_FLOW 0
#define DK_CONN_KIND_TMPL 1

/* Normalised (padding and unused address bytes zero): build with dk_conn_key_make. */
struct dk_conn_key {
	struct dk_addr src;
	struct dk_addr dst;
	uint16_t sport;
	uint16_t dport;
	uint8_t proto;
	uint8_t kind;
	uint8_t pad[2];
};

#define DK_CONN_F_REPLY 0x01	/* has a reply key (NAT/FNAT); else only ORIG is seen */
#define DK_CONN_F_TMPL 0x02
#define DK_CONN_F_COUNTED 0x04	/* contributes to the load counters */
#define DK_CONN_F_USED 0x08	/* a live entry, not on the free list (for walks) */

/*
 * The link-layer hop the flow's client side is reached through: the source MAC of its
 * requests (the client, or the router in front of it) and their in-port index. NAT and
 * FNAT replies go back this way; kept with the flow so that any number of clients works.
 */
struct dk_conn_hop {
	uint8_t mac[6];
	uint16_t port;
};

/*
 * Two cache lines (the pool is line-aligned): line 0 is all a lookup in the original
 * direction and a DR/TUN packet touch (expiry, the chain link, backend, state, the ORIG
 * key), line 1 the reply side (REPLY key and chain link, the client-side hop) and what
 * only templates use. The timer wheel's links live in a parallel array the packet path
 * never reads.
 */
struct dk_conn {
	uint64_t expire_us;
	uint32_t hnext_orig;	/* hash chains: node id + 1, node id = entry * 2 + dir */
	uint16_t backend_slot;	/* < DK_CONN_MAX_SLOTS */
	uint8_t state;		/* enum dk_conn_state */
	uint8_t flags;		/* DK_CONN_F_* */
	/* [ORIG] and [REPLY]; for FNAT the reply key's dst is the local address/port. */
	struct dk_conn_key key[2];
	uint32_t hnext_reply;
	uint32_t tmpl_timeout_s;
	struct dk_conn_hop hop;	/* set from dk_conn_new; the table never reads it */
};

/* Backend slots an entry can name (dk_conn_params.n_slots, dk_conn_new.backend_slot). */
#define DK_CONN_MAX_SLOTS 65536u

typedef void (*dk_conn_expire_cb_t)(void *arg, const struct dk_conn *c);

struct dk_conn_params {
	uint32_t max_conns;	/* pool size (entries); required */
	uint32_t n_buckets;	/* rounded up to a power of two; 0 means 2 * max_conns */
	uint32_t tick_us;	/* wheel resolution; 0 means 1 s */
	uint32_t wheel_slots;	/* rounded up to a power of two; 0 means 1024 */
	uint32_t timeout_s[DK_CONN_S_MAX];	/* 0 means the default */
	uint64_t seed;
	uint64_t now_us;
	/* Optional: this worker's load array (active = ESTABLISHED, the rest inactive). */
	struct dk_lb_load *load;
	uint32_t n_slots;	/* at most DK_CONN_MAX_SLOTS */
	/* Optional: told about each entry that expires or is deleted (e.g. free FNAT port). */
	dk_conn_expire_cb_t on_remove;
	void *arg;
};

struct dk_conn_new {
	const struct dk_conn_key *orig;
	const struct dk_conn_key *reply;	/* NULL for DR/TUN */
	uint32_t backend_slot;			/* < DK_CONN_MAX_SLOTS, else -EINVAL */
	uint8_t tcp_flags;			/* of the packet creating the entry */
	struct dk_conn_hop hop;			/* copied into the entry */
};

struct dk_conn_table;

int dk_conn_table_create(const struct dk_conn_params *p, struct dk_conn_table **out);
void dk_conn_table_free(struct dk_conn_table *t);

void dk_conn_key_make(struct dk_conn_key *k, uint8_t proto, const struct dk_addr *src,
		      uint16_t sport, const struct dk_addr *dst, uint16_t dport);
/* Template key: (masked client, service) with ports of the service only. */
void dk_conn_tmpl_key(struct dk_conn_key *k, uint8_t proto, const struct dk_addr *client,
		      const struct dk_addr *vip, uint16_t vport);

/* A live entry for k, or NULL; an entry found past its expiry is reaped here. */
struct dk_conn *dk_conn_lookup(struct dk_conn_table *t, const struct dk_conn_key *k,
			       uint64_t now_us, enum dk_conn_dir *dir);
/* -ENOSPC when the pool is full (counted), -EEXIST when a key is taken, -EINVAL for a
 * backend slot of DK_CONN_MAX_SLOTS or more. */
int dk_conn_insert(struct dk_conn_table *t, const struct dk_conn_new *n, uint64_t now_us,
		   struct dk_conn **out);

/*
 * The same in steps, for a burst of packets: hash every key first and prefetch its
 * bucket, then (a few packets later) prefetch the chain's first entry, then look up with
 * the hash already known, so the cache misses of a burst overlap instead of adding up.
 * hash is dk_conn_key_hash(t, k) of the very key looked up or inserted (orig for insert).
 */
uint64_t dk_conn_key_hash(const struct dk_conn_table *t, const struct dk_conn_key *k);
void dk_conn_prefetch_bucket(const struct dk_conn_table *t, uint64_t hash);
void dk_conn_prefetch_entry(const struct dk_conn_table *t, uint64_t hash);
struct dk_conn *dk_conn_lookup_hash(struct dk_conn_table *t, const struct dk_conn_key *k,
				    uint64_t hash, uint64_t now_us, enum dk_conn_dir *dir);
int dk_conn_insert_hash(struct dk_conn_table *t, const struct dk_conn_new *n, uint64_t hash,
			uint64_t now_us, struct dk_conn **out);
/* True when keys a and b (both from dk_conn_key_make/dk_conn_tmpl_key) are equal. */
bool dk_conn_key_eq(const struct dk_conn_key *a, const struct dk_conn_key *b);
/* Per packet: TCP state from the flags seen in dir, and a fresh expiry. */
void dk_conn_update(struct dk_conn_table *t, struct dk_conn *c, enum dk_conn_dir dir,
		    uint8_t tcp_flags, uint64_t now_us);
void dk_conn_delete(struct dk_conn_table *t, struct dk_conn *c);
/* Reaps due entries; does at most budget units of work. Returns how many expired. */
unsigned dk_conn_expire(struct dk_conn_table *t, uint64_t now_us, unsigned budget);

int dk_conn_tmpl_insert(struct dk_conn_table *t, const struct dk_conn_key *k,
			uint32_t backend_slot, uint32_t timeout_s, uint64_t now_us,
			struct dk_conn **out);
/* A live template, its expiry pushed out by its timeout (persistence restarts). */
struct dk_conn *dk_conn_tmpl_lookup(struct dk_conn_table *t, const struct dk_conn_key *k,
				    uint64_t now_us);

/*
 * Calls fn for each live entry (flows and templates; already expired ones that wait for
 * the reaper are skipped) in pool order, until fn returns non-zero, which is returned.
 * Only the table's writer may walk it: the entries are not copied.
 */
typedef int (*dk_conn_walk_cb_t)(void *arg, const struct dk_conn *c);
int dk_conn_walk(const struct dk_conn_table *t, uint64_t now_us, dk_conn_walk_cb_t fn,
		 void *arg);

uint32_t dk_conn_count(const struct dk_conn_table *t);
uint64_t dk_conn_counter(const struct dk_conn_table *t, enum dk_conn_counter c);
const char *dk_conn_counter_name(enum dk_conn_counter c);
const char *dk_conn_state_name(enum dk_conn_state s);
uint32_t dk_conn_timeout_s(const struct dk_conn_table *t, enum dk_conn_state s);
/* New timeouts (seconds per state; 0 or a NULL array: the default) for what is updated
 * from now on; safe to call from another thread than the table's writer. */
void dk_conn_set_timeouts(struct dk_conn_table *t, const uint32_t *timeout_s);

/*
 * dk_lb_schedule behind the service's persistence: reuses the client's template when
 * its backend is still alive in table t, else schedules and records a new template.
 * Services without persistence schedule directly.
 */
enum dk_lb_verdict dk_lb_schedule_persist(const struct dk_lb_table *t,
					  const struct dk_lb_service *svc,
					  struct dk_conn_table *ct,
					  const struct dk_lb_sched_ctx *ctx,
					  const struct dk_lb_backend **out);

/*
 * True when a client's bare SYN on entry c opens a new connection on a reused tuple
 * rather than retransmitting the old one's: the old connection is over (TIME_WAIT,
 * CLOSE) or, with only the client side seen (DR/TUN), the client already sent its FIN.
 * The caller drops the entry and schedules anew, so a reused source port is balanced
 * like any new connection and never sent to a backend that no longer takes new ones
 * (IPVS conn_reuse_mode 1, plus its FIN_WAIT bit for DR/TUN).
 */
bool dk_conn_syn_starts_anew(const struct dk_conn *c, enum dk_conn_dir dir, uint8_t tcp_flags);

/* The TCP state machine on its own; input_only when replies bypass us (DR/TUN). */
enum dk_conn_state dk_conn_tcp_next(enum dk_conn_state s, enum dk_conn_dir dir,
				    uint8_t tcp_flags, bool input_only);

#endif
