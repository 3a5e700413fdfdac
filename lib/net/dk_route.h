/*
 * Routing table for the control plane's own traffic (probes, adverts, replies) and for
 * forwarding decisions that need a next hop: connected prefixes from port addresses,
 * static routes and defaults, longest-prefix match for IPv4 and IPv6.
 */
#ifndef DK_ROUTE_H
#define DK_ROUTE_H

#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"

#define DK_ROUTE_KINDS(X) \
	X(DK_ROUTE_CONNECTED, "connected") \
	X(DK_ROUTE_STATIC, "static")

enum dk_route_kind {
	DK_ROUTE_KINDS(DK_XENUM)
	DK_ROUTE_KIND_MAX
};

/* A static route without a device: the port is found from the gateway at lookup. */
#define DK_ROUTE_PORT_ANY UINT16_MAX

struct dk_route {
	struct dk_prefix prefix; /* host bits are cleared when added */
	struct dk_addr gateway;  /* unset (af 0): on-link */
	uint16_t port;           /* or DK_ROUTE_PORT_ANY (static with a gateway only) */
	enum dk_route_kind kind;
	uint32_t metric;         /* lower wins among equal prefixes */
};

struct dk_route_hop {
	uint16_t port;
	struct dk_addr next_hop; /* the gateway, or the destination itself when on-link */
	const struct dk_route *route;
};

struct dk_route_params {
	uint32_t max_routes; /* 0 means 1024 */
};

struct dk_route_table;

int dk_route_table_create(const struct dk_route_params *p, struct dk_route_table **out);
void dk_route_table_free(struct dk_route_table *t);

/* -EEXIST for the same prefix, metric and kind; -ENOSPC when full; -EINVAL when bad. */
int dk_route_add(struct dk_route_table *t, const struct dk_route *r);
/* The connected route of a port address (10.0.0.5/24 -> 10.0.0.0/24 on port). */
int dk_route_add_connected(struct dk_route_table *t, uint16_t port, const struct dk_prefix *a);
/* Removes the route with this prefix, kind and metric; -ENOENT when missing. */
int dk_route_del(struct dk_route_table *t, const struct dk_prefix *p, enum dk_route_kind kind,
		 uint32_t metric);
/* Removes every route through port (connected and static). */
void dk_route_flush_port(struct dk_route_table *t, uint16_t port);

/* Longest prefix match; -ENETUNREACH when no route (or the gateway is not on-link). */
int dk_route_lookup(const struct dk_route_table *t, const struct dk_addr *dst,
		    struct dk_route_hop *out);

/* Routes in lookup order (longest prefix first); stops at cb's first non-zero return. */
int dk_route_walk(const struct dk_route_table *t,
		  int (*cb)(void *ctx, const struct dk_route *r), void *ctx);
unsigned dk_route_count(const struct dk_route_table *t);
const char *dk_route_kind_name(enum dk_route_kind k);

#endif
