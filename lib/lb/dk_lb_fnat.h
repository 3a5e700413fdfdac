/*
 * FNAT local ports. Replies to a full-NAT flow are addressed to (local address, local
 * port), and only the worker that created the flow has its entry. Each worker therefore
 * allocates from its own disjoint share of the port space: the low bits of the port
 * name the owning worker, so one rte_flow rule per worker (dst port & mask == worker ->
 * queue) or a software check on any RX queue steers a reply to its owner.
 */
#ifndef DK_LB_FNAT_H
#define DK_LB_FNAT_H

#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"

#define DK_LB_FNAT_COUNTERS(X) \
	X(DK_LB_FNAT_C_ALLOCS, "allocs") \
	X(DK_LB_FNAT_C_EXHAUSTED, "exhausted") \
	X(DK_LB_FNAT_C_RELEASES, "releases") \
	X(DK_LB_FNAT_C_BAD_RELEASES, "bad_releases")

enum dk_lb_fnat_counter {
	DK_LB_FNAT_COUNTERS(DK_XENUM)
	DK_LB_FNAT_C_MAX
};

struct dk_lb_fnat_params {
	const struct dk_addr *laddrs;
	uint32_t n_laddrs;
	unsigned worker;
	unsigned n_workers;
	uint16_t port_min;	/* 0 means 1024 */
	uint16_t port_max;	/* 0 means 65535 */
};

struct dk_lb_fnat;

/* The mask whose bits of a local port name its owner: next power of two of n, minus 1. */
uint16_t dk_lb_fnat_port_mask(unsigned n_workers);
/* The worker owning a local port; -ENOENT when no worker hands that port out. */
int dk_lb_fnat_port_owner(uint16_t port, unsigned n_workers);

int dk_lb_fnat_create(const struct dk_lb_fnat_params *p, struct dk_lb_fnat **out);
void dk_lb_fnat_free(struct dk_lb_fnat *f);
/*
 * Takes the least recently freed port, local addresses in turn; -ENOSPC (counted)
 * when every address is out of ports.
 */
int dk_lb_fnat_alloc(struct dk_lb_fnat *f, uint32_t *laddr_idx, uint16_t *port);
/* The same among the local addresses of one family (AF_INET, AF_INET6; 0: any): a flow
 * is translated within its own family. */
int dk_lb_fnat_alloc_af(struct dk_lb_fnat *f, uint8_t af, uint32_t *laddr_idx,
			uint16_t *port);
/* -EINVAL (counted) for a port this allocator does not have out. */
int dk_lb_fnat_release(struct dk_lb_fnat *f, uint32_t laddr_idx, uint16_t port);
/* Index of a local address (e.g. from a conn's reply key), or -ENOENT. */
int dk_lb_fnat_laddr_index(const struct dk_lb_fnat *f, const struct dk_addr *a);
const struct dk_addr *dk_lb_fnat_laddr(const struct dk_lb_fnat *f, uint32_t idx);
/* Ports still free over all local addresses. */
uint64_t dk_lb_fnat_available(const struct dk_lb_fnat *f);
uint64_t dk_lb_fnat_counter(const struct dk_lb_fnat *f, enum dk_lb_fnat_counter c);
const char *dk_lb_fnat_counter_name(enum dk_lb_fnat_counter c);

#endif
