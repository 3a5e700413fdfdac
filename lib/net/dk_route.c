#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dk_route.h"

/*
 * Routes are few (port subnets, a handful of statics) and lookups happen on the control
 * lcore, so a sorted array scanned in order is the whole LPM: the first match wins.
 */
struct dk_route_table {
	uint32_t max;
	uint32_t n;
	struct dk_route *r;
};

#define DEFAULT_MAX_ROUTES 1024

int
dk_route_table_create(const struct dk_route_params *p, struct dk_route_table **out)
{
	struct dk_route_table *t;
	int rc = -ENOMEM;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto fail;
	t->max = p && p->max_routes ? p->max_routes : DEFAULT_MAX_ROUTES;
	t->r = calloc(t->max, sizeof(*t->r));
	if (t->r == NULL)
		goto fail_routes;
	*out = t;
	return 0;

fail_routes:
	free(t);
fail:
	return rc;
}

void
dk_route_table_free(struct dk_route_table *t)
{
	if (t == NULL)
		return;
	free(t->r);
	free(t);
}

static void
clear_host_bits(struct dk_prefix *p)
{
	unsigned bits = p->len, n = p->addr.af == AF_INET ? 4 : 16;

	for (unsigned i = 0; i < n; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		p->addr.b[i] &= (uint8_t)(0xff00 >> bits);
		bits = 0;
	}
}

/* Lookup order: longer prefix, then lower metric, then connected before static. */
static int
route_before(const struct dk_route *a, const struct dk_route *b)
{
	if (a->prefix.addr.af != b->prefix.addr.af)
		return a->prefix.addr.af < b->prefix.addr.af;
	if (a->prefix.len != b->prefix.len)
		return a->prefix.len > b->prefix.len;
	if (a->metric != b->metric)
		return a->metric < b->metric;
	return a->kind < b->kind;
}

static bool
same_route(const struct dk_route *a, const struct dk_prefix *p, enum dk_route_kind kind,
	   uint32_t metric)
{
	return a->kind == kind && a->metric == metric && a->prefix.len == p->len &&
	       dk_addr_eq(&a->prefix.addr, &p->addr);
}

int
dk_route_add(struct dk_route_table *t, const struct dk_route *r)
{
	struct dk_route nr = *r;
	uint8_t af = r->prefix.addr.af;
	uint32_t i;

	if ((af != AF_INET && af != AF_INET6) || r->prefix.len > (af == AF_INET ? 32 : 128) ||
	    (unsigned)r->kind >= DK_ROUTE_KIND_MAX)
		return -EINVAL;
	if (!dk_addr_is_unset(&r->gateway) && r->gateway.af != af)
		return -EINVAL;
	/* Without a device the gateway is what finds the port; without either, nothing does. */
	if (r->port == DK_ROUTE_PORT_ANY && dk_addr_is_unset(&r->gateway))
		return -EINVAL;
	clear_host_bits(&nr.prefix);
	for (i = 0; i < t->n; i++)
		if (same_route(&t->r[i], &nr.prefix, nr.kind, nr.metric))
			return -EEXIST;
	if (t->n == t->max)
		return -ENOSPC;
	for (i = 0; i < t->n && !route_before(&nr, &t->r[i]); i++)
		;
	memmove(&t->r[i + 1], &t->r[i], (t->n - i) * sizeof(*t->r));
	t->r[i] = nr;
	t->n++;
	return 0;
}

int
dk_route_add_connected(struct dk_route_table *t, uint16_t port, const struct dk_prefix *a)
{
	struct dk_route r = { .prefix = *a, .port = port, .kind = DK_ROUTE_CONNECTED };

	if (port == DK_ROUTE_PORT_ANY)
		return -EINVAL;
	return dk_route_add(t, &r);
}

static void
remove_at(struct dk_route_table *t, uint32_t i)
{
	memmove(&t->r[i], &t->r[i + 1], (t->n - i - 1) * sizeof(*t->r));
	t->n--;
}

int
dk_route_del(struct dk_route_table *t, const struct dk_prefix *p, enum dk_route_kind kind,
	     uint32_t metric)
{
	struct dk_prefix key = *p;

	if (key.addr.af != AF_INET && key.addr.af != AF_INET6)
		return -EINVAL;
	clear_host_bits(&key);
	for (uint32_t i = 0; i < t->n; i++) {
		if (same_route(&t->r[i], &key, kind, metric)) {
			remove_at(t, i);
			return 0;
		}
	}
	return -ENOENT;
}

void
dk_route_flush_port(struct dk_route_table *t, uint16_t port)
{
	uint32_t i = 0;

	while (i < t->n) {
		if (t->r[i].port == port)
			remove_at(t, i);
		else
			i++;
	}
}

static const struct dk_route *
match(const struct dk_route_table *t, const struct dk_addr *dst, bool on_link_only)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct dk_route *r = &t->r[i];

		if (on_link_only && (r->port == DK_ROUTE_PORT_ANY ||
				     !dk_addr_is_unset(&r->gateway)))
			continue;
		if (dk_prefix_contains(&r->prefix, dst))
			return r;
	}
	return NULL;
}

int
dk_route_lookup(const struct dk_route_table *t, const struct dk_addr *dst,
		struct dk_route_hop *out)
{
	const struct dk_route *r = match(t, dst, false);

	if (r == NULL)
		return -ENETUNREACH;
	out->route = r;
	if (dk_addr_is_unset(&r->gateway)) {
		out->port = r->port;
		out->next_hop = *dst;
		return 0;
	}
	out->next_hop = r->gateway;
	out->port = r->port;
	if (r->port == DK_ROUTE_PORT_ANY) {
		/* One level only: a gateway must be on a connected (or on-link) prefix. */
		const struct dk_route *via = match(t, &r->gateway, true);

		if (via == NULL)
			return -ENETUNREACH;
		out->port = via->port;
	}
	return 0;
}

int
dk_route_walk(const struct dk_route_table *t, int (*cb)(void *ctx, const struct dk_route *r),
	      void *ctx)
{
	for (uint32_t i = 0; i < t->n; i++) {
		int rc = cb(ctx, &t->r[i]);

		if (rc)
			return rc;
	}
	return 0;
}

unsigned
dk_route_count(const struct dk_route_table *t)
{
	return t->n;
}
