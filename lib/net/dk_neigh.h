/*
 * Neighbour table for ARP and ND, keyed by (port index, address), bounded, driven by an
 * injected clock. The table never builds or sends frames: it tells the caller through
 * a callback which solicitations to send, and hands back the packets that were waiting
 * for an address once it is learned. Single-threaded (control lcore).
 */
#ifndef DK_NEIGH_H
#define DK_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"

#define DK_NEIGH_STATES(X) \
	X(DK_NEIGH_INCOMPLETE, "INCOMPLETE") \
	X(DK_NEIGH_REACHABLE, "REACHABLE") \
	X(DK_NEIGH_STALE, "STALE") \
	X(DK_NEIGH_PROBE, "PROBE") \
	X(DK_NEIGH_FAILED, "FAILED") \
	X(DK_NEIGH_PERMANENT, "PERMANENT")

enum dk_neigh_state {
	DK_NEIGH_STATES(DK_XENUM)
	DK_NEIGH_STATE_MAX
};

#define DK_NEIGH_COUNTERS(X) \
	X(DK_NEIGH_CNT_LOOKUP_HIT, "lookup_hit") \
	X(DK_NEIGH_CNT_LOOKUP_MISS, "lookup_miss") \
	X(DK_NEIGH_CNT_QUEUED, "queued") \
	X(DK_NEIGH_CNT_QUEUE_OVERFLOW, "queue_overflow_drop") \
	X(DK_NEIGH_CNT_FAILED_DROP, "failed_drop") \
	X(DK_NEIGH_CNT_TABLE_FULL, "table_full") \
	X(DK_NEIGH_CNT_EVICTED, "evicted") \
	X(DK_NEIGH_CNT_SOLICIT, "solicit_sent") \
	X(DK_NEIGH_CNT_RESOLVED, "resolved") \
	X(DK_NEIGH_CNT_RESOLVE_FAILED, "resolve_failed") \
	X(DK_NEIGH_CNT_MAC_CHANGED, "mac_changed") \
	X(DK_NEIGH_CNT_GC, "gc_removed") \
	X(DK_NEIGH_CNT_RELEASED_OVERFLOW, "released_overflow_drop")

enum dk_neigh_counter {
	DK_NEIGH_COUNTERS(DK_XENUM)
	DK_NEIGH_CNT_MAX
};

/*
 * Asks the caller to send an ARP request / NS for addr on port. unicast NULL: broadcast /
 * solicited-node multicast (resolution); otherwise a unicast probe to that MAC (RFC 4861
 * 7.3.3 PROBE, or ARP's equivalent).
 */
typedef void (*dk_neigh_solicit_fn)(void *ctx, uint16_t port, const struct dk_addr *addr,
				    const struct dk_mac *unicast);
/* Frees a queued packet the table drops (overflow, resolution failed, flush). */
typedef void (*dk_neigh_free_fn)(void *ctx, void *pkt);

struct dk_neigh_params {
	uint32_t max_entries;   /* 0 means 1024 */
	uint32_t queue_max;     /* packets queued per unresolved entry; 0 means 8 */
	uint32_t max_probes;    /* solicitations before FAILED; 0 means 3 */
	uint64_t retrans_us;    /* between solicitations; 0 means 1 s */
	uint64_t reachable_us;  /* REACHABLE -> STALE; 0 means 30 s */
	uint64_t failed_hold_us; /* FAILED entries drop packets this long; 0 means 3 s */
	uint64_t stale_gc_us;   /* STALE entries unused this long are removed; 0 means 60 s */
	dk_neigh_solicit_fn solicit;
	dk_neigh_free_fn free_pkt; /* NULL: queued packets are not owned (tests) */
	void *ctx;
};

enum dk_neigh_result {
	DK_NEIGH_FOUND,   /* *mac set; pkt was NOT taken, the caller sends it */
	DK_NEIGH_QUEUED,  /* resolution in progress; pkt (if any) now belongs to the table */
	DK_NEIGH_DROPPED, /* FAILED or table full; pkt (if any) was freed and counted */
};

/* Update flags for dk_neigh_learn(). */
#define DK_NEIGH_F_CREATE 0x1    /* create the entry when missing */
#define DK_NEIGH_F_CONFIRMED 0x2 /* proof of reachability (ARP reply, solicited NA) */
#define DK_NEIGH_F_OVERRIDE 0x4  /* may replace a known MAC (ARP, NA with O flag) */
/* No link-layer address came with it (an NA without TLLA, as Linux answers a unicast
 * probe): mac is ignored; a known entry is confirmed, an unresolved one learns nothing. */
#define DK_NEIGH_F_NO_LLA 0x8

struct dk_neigh_entry_info {
	uint16_t port;
	struct dk_addr addr;
	struct dk_mac mac; /* zero while INCOMPLETE */
	enum dk_neigh_state state;
	uint64_t age_us;   /* since the state last changed / MAC last confirmed */
	unsigned queued;
	unsigned probes;
};

struct dk_neigh_table;

int dk_neigh_create(const struct dk_neigh_params *p, struct dk_neigh_table **out);
/* Frees queued packets through free_pkt. */
void dk_neigh_free(struct dk_neigh_table *t);

/*
 * Resolves (port, addr) for sending pkt (pkt may be NULL to only start resolution). A
 * miss creates an INCOMPLETE entry and solicits at once; a STALE hit is used and probed.
 */
enum dk_neigh_result dk_neigh_lookup(struct dk_neigh_table *t, uint16_t port,
				     const struct dk_addr *addr, void *pkt, uint64_t now_us,
				     struct dk_mac *mac);
/*
 * Records that addr is at mac on port (flags DK_NEIGH_F_*). Packets that were waiting
 * on the entry are moved to pkts (up to max_pkts; the rest are freed and counted) and
 * their number stored in *n_pkts: the caller sends them to mac. Returns 0, -ENOENT
 * (missing and not CREATE), -ENOSPC (table full), -EINVAL, -EPERM (PERMANENT entry).
 */
int dk_neigh_learn(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *addr,
		   const struct dk_mac *mac, unsigned flags, uint64_t now_us, void **pkts,
		   unsigned max_pkts, unsigned *n_pkts);
/* A static entry that never expires and is never overwritten by learning. */
int dk_neigh_add_permanent(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *addr,
			   const struct dk_mac *mac, uint64_t now_us);
int dk_neigh_delete(struct dk_neigh_table *t, uint16_t port, const struct dk_addr *addr);
/* Drops every entry of a port (link down, port removed); queued packets are freed. */
void dk_neigh_flush_port(struct dk_neigh_table *t, uint16_t port);

/* Retransmits solicitations, ages REACHABLE to STALE, fails and collects entries. */
void dk_neigh_tick(struct dk_neigh_table *t, uint64_t now_us);
/* Earliest time dk_neigh_tick has something to do, UINT64_MAX when nothing. */
uint64_t dk_neigh_next_event(const struct dk_neigh_table *t);

/* Calls cb for every entry until it returns non-zero (which is returned). */
int dk_neigh_walk(const struct dk_neigh_table *t, uint64_t now_us,
		  int (*cb)(void *ctx, const struct dk_neigh_entry_info *e), void *ctx);
unsigned dk_neigh_count(const struct dk_neigh_table *t);
uint64_t dk_neigh_counter(const struct dk_neigh_table *t, enum dk_neigh_counter c);
const char *dk_neigh_counter_name(enum dk_neigh_counter c);
const char *dk_neigh_state_name(enum dk_neigh_state s);

#endif
