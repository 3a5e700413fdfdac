/* Builders shared by the lb unit tests. */
#ifndef LB_TEST_UTIL_H
#define LB_TEST_UTIL_H

#include <arpa/inet.h>
#include <string.h>

#include "dk_lb.h"

#define T_MAX_BACKENDS 128

struct t_svc {
	struct dk_lb_backend_params be[T_MAX_BACKENDS];
	struct dk_lb_service_params sp;
	struct dk_lb_table_params tp;
	struct dk_lb_table *t;
	const struct dk_lb_service *s;
};

static inline struct dk_addr
t_v4(uint32_t host_order)
{
	struct dk_addr a;

	memset(&a, 0, sizeof(a));
	dk_addr_set_v4(&a, htonl(host_order));
	return a;
}

/*
 * n backends 10.0.0.1.., weight 1, alive, slots 0..n-1, service 192.0.2.1:80/tcp.
 * x must start zeroed; re-initialising frees the table built before.
 */
static inline void
t_svc_init(struct t_svc *x, const char *sched, unsigned n)
{
	unsigned i;

	dk_lb_table_free(x->t);
	memset(x, 0, sizeof(*x));
	for (i = 0; i < n; i++) {
		x->be[i].addr = t_v4(0x0a000001u + i);
		x->be[i].port = 8080;
		x->be[i].weight = 1;
		x->be[i].flags = DK_LB_BACKEND_F_ALIVE;
		x->be[i].slot = i;
	}
	x->sp.vip = t_v4(0xc0000201u);
	x->sp.port = 80;
	x->sp.proto = DK_LB_PROTO_TCP;
	x->sp.sched = sched;
	x->sp.backends = x->be;
	x->sp.n_backends = n;
	x->sp.quorum_was_up = true;
	x->tp.services = &x->sp;
	x->tp.n_services = 1;
	x->tp.n_workers = 2;
	x->tp.max_slots = T_MAX_BACKENDS + 1;
	x->tp.seed = 42;
}

static inline int
t_svc_build(struct t_svc *x)
{
	int rc;

	dk_lb_table_free(x->t);
	x->t = NULL;
	rc = dk_lb_table_build(&x->tp, &x->t);
	x->s = rc == 0 ? dk_lb_table_service(x->t, 0) : NULL;
	return rc;
}

static inline void
t_svc_fini(struct t_svc *x)
{
	dk_lb_table_free(x->t);
	x->t = NULL;
}

static inline void
t_ctx(struct dk_lb_sched_ctx *c, uint32_t src, uint16_t sport)
{
	memset(c, 0, sizeof(*c));
	c->src = t_v4(src);
	c->dst = t_v4(0xc0000201u);
	c->sport = sport;
	c->dport = 80;
	c->proto = DK_LB_PROTO_TCP;
}

/* Index in backends[] of the scheduled backend, or -1 for any other verdict. */
static inline int
t_pick(const struct t_svc *x, const struct dk_lb_sched_ctx *c)
{
	const struct dk_lb_backend *b;

	if (dk_lb_schedule(x->s, c, &b) != DK_LB_SCHED_OK)
		return -1;
	return (int)(b - x->s->backends);
}

#endif
