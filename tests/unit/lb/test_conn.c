#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "dk_common.h"
#include "dk_conn.h"
#include "lb_test_util.h"

#define SEC DK_USEC_PER_SEC

static struct dk_lb_load load[8];
static unsigned removed;
static uint32_t removed_slot;

static void
on_remove(void *arg, const struct dk_conn *c)
{
	(void)arg;
	removed++;
	removed_slot = c->backend_slot;
}

static struct dk_conn_table *
mk(uint32_t max, uint32_t est_timeout)
{
	struct dk_conn_params p = { .max_conns = max, .seed = 1, .load = load, .n_slots = 8,
				    .on_remove = on_remove };
	struct dk_conn_table *t = NULL;

	p.timeout_s[DK_CONN_S_ESTABLISHED] = est_timeout;
	memset(load, 0, sizeof(load));
	removed = 0;
	assert_int_equal(dk_conn_table_create(&p, &t), 0);
	return t;
}

/* Client c:cport -> VIP:80 forwarded to backend 10.0.0.1:8080 (NAT keys). */
static void
keys(uint32_t c, uint16_t cport, struct dk_conn_key *orig, struct dk_conn_key *reply)
{
	struct dk_addr cl = t_v4(c), vip = t_v4(0xc0000201u), be = t_v4(0x0a000001u);

	dk_conn_key_make(orig, DK_LB_PROTO_TCP, &cl, cport, &vip, 80);
	dk_conn_key_make(reply, DK_LB_PROTO_TCP, &be, 8080, &cl, cport);
}

static struct dk_conn *
add(struct dk_conn_table *t, uint32_t c, uint16_t port, bool nat, uint8_t flags,
    uint64_t now)
{
	struct dk_conn_key o, r;
	struct dk_conn_new n = { .orig = &o, .backend_slot = 3, .tcp_flags = flags };
	struct dk_conn *e;

	keys(c, port, &o, &r);
	if (nat)
		n.reply = &r;
	assert_int_equal(dk_conn_insert(t, &n, now, &e), 0);
	return e;
}

static void
test_insert_lookup_both_dirs(void **state)
{
	struct dk_conn_table *t = mk(16, 0);
	struct dk_conn_key o, r;
	struct dk_conn_new n = { .orig = &o, .reply = &r, .backend_slot = 3 };
	struct dk_conn *e, *f;
	enum dk_conn_dir dir;

	(void)state;
	keys(0x01020304u, 5000, &o, &r);
	e = add(t, 0x01020304u, 5000, true, DK_TCP_SYN, 0);
	assert_ptr_equal(dk_conn_lookup(t, &o, 1, &dir), e);
	assert_int_equal(dir, DK_CONN_DIR_ORIG);
	assert_ptr_equal(dk_conn_lookup(t, &r, 1, &dir), e);
	assert_int_equal(dir, DK_CONN_DIR_REPLY);
	assert_int_equal(e->backend_slot, 3);
	assert_int_equal(e->state, DK_CONN_S_SYN_RECV);
	/* Either key taken -> -EEXIST, counted */
	assert_int_equal(dk_conn_insert(t, &n, 1, &f), -EEXIST);
	/* a new client whose reply key collides with the first entry's (FNAT port reuse) */
	{
		struct dk_conn_key r0 = r;

		keys(0x01020305u, 5000, &o, &r);
		r = r0;
	}
	assert_int_equal(dk_conn_insert(t, &n, 1, &f), -EEXIST);
	assert_int_equal(dk_conn_counter(t, DK_CONN_C_EXISTS), 2);
	/* DR: only the orig key is indexed */
	e = add(t, 0x01020306u, 6000, false, DK_TCP_SYN, 0);
	keys(0x01020306u, 6000, &o, &r);
	assert_ptr_equal(dk_conn_lookup(t, &o, 1, &dir), e);
	assert_null(dk_conn_lookup(t, &r, 1, &dir));
	/* other ports, protocols and a UDP flow */
	keys(0x01020304u, 5001, &o, &r);
	assert_null(dk_conn_lookup(t, &o, 1, &dir));
	o.proto = DK_LB_PROTO_UDP;
	n.orig = &o;
	n.reply = NULL;
	assert_int_equal(dk_conn_insert(t, &n, 0, &f), 0);
	assert_int_equal(f->state, DK_CONN_S_UDP);
	assert_int_equal(dk_conn_count(t), 3);
	assert_int_equal(dk_conn_counter(t, DK_CONN_C_INSERTS), 3);
	assert_int_equal(dk_conn_counter(t, DK_CONN_C_HITS), 3);
	assert_string_equal(dk_conn_counter_name(DK_CONN_C_FULL), "full");
	dk_conn_table_free(t);
}

static void
test_tcp_states(void **state)
{
	enum dk_conn_dir O = DK_CONN_DIR_ORIG, R = DK_CONN_DIR_REPLY;
	enum dk_conn_state s;

	(void)state;
	/* handshake, client closes first */
	s = dk_conn_tcp_next(DK_CONN_S_NONE, O, DK_TCP_SYN, false);
	assert_int_equal(s, DK_CONN_S_SYN_RECV);
	s = dk_conn_tcp_next(s, R, DK_TCP_SYN | DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_SYN_RECV);
	s = dk_conn_tcp_next(s, O, DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_ESTABLISHED);
	s = dk_conn_tcp_next(s, O, DK_TCP_FIN | DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_CLOSE_WAIT);
	s = dk_conn_tcp_next(s, R, DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_CLOSE_WAIT);
	s = dk_conn_tcp_next(s, R, DK_TCP_FIN | DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_LAST_ACK);
	s = dk_conn_tcp_next(s, O, DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_TIME_WAIT);
	/* a SYN reuses a TIME_WAIT tuple */
	assert_int_equal(dk_conn_tcp_next(s, O, DK_TCP_SYN, false), DK_CONN_S_SYN_RECV);
	/* server closes first */
	s = dk_conn_tcp_next(DK_CONN_S_ESTABLISHED, R, DK_TCP_FIN | DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_FIN_WAIT);
	s = dk_conn_tcp_next(s, O, DK_TCP_FIN | DK_TCP_ACK, false);
	assert_int_equal(s, DK_CONN_S_LAST_ACK);
	assert_int_equal(dk_conn_tcp_next(s, R, DK_TCP_ACK, false), DK_CONN_S_TIME_WAIT);
	/* resets, from either side, in any state */
	assert_int_equal(dk_conn_tcp_next(DK_CONN_S_ESTABLISHED, R, DK_TCP_RST, false),
			 DK_CONN_S_CLOSE);
	assert_int_equal(dk_conn_tcp_next(DK_CONN_S_SYN_RECV, O, DK_TCP_RST | DK_TCP_ACK, true),
			 DK_CONN_S_CLOSE);
	/* SYN retransmit on an established flow changes nothing */
	assert_int_equal(dk_conn_tcp_next(DK_CONN_S_ESTABLISHED, O, DK_TCP_SYN, false),
			 DK_CONN_S_ESTABLISHED);
	/* input only (DR/TUN): client FIN -> FIN_WAIT, which its ACKs do not leave */
	s = dk_conn_tcp_next(DK_CONN_S_ESTABLISHED, O, DK_TCP_FIN | DK_TCP_ACK, true);
	assert_int_equal(s, DK_CONN_S_FIN_WAIT);
	assert_int_equal(dk_conn_tcp_next(s, O, DK_TCP_ACK, true), DK_CONN_S_FIN_WAIT);
	/* mid-stream pickup */
	assert_int_equal(dk_conn_tcp_next(DK_CONN_S_NONE, O, DK_TCP_ACK, true),
			 DK_CONN_S_ESTABLISHED);
	assert_string_equal(dk_conn_state_name(DK_CONN_S_LAST_ACK), "LAST_ACK");
}

static void
test_syn_reuse(void **state)
{
	struct dk_conn_table *t = mk(16, 0);
	struct dk_conn *nat, *dr;
	uint64_t now = 1000 * SEC;

	(void)state;
	nat = add(t, 0x01020304u, 5000, true, DK_TCP_SYN, now);
	dr = add(t, 0x01020305u, 5000, false, DK_TCP_SYN, now);
	/* open connections: a SYN is a retransmit, whatever the state */
	assert_false(dk_conn_syn_starts_anew(nat, DK_CONN_DIR_ORIG, DK_TCP_SYN));
	dk_conn_update(t, nat, DK_CONN_DIR_ORIG, DK_TCP_ACK, now);
	dk_conn_update(t, dr, DK_CONN_DIR_ORIG, DK_TCP_ACK, now);
	assert_false(dk_conn_syn_starts_anew(nat, DK_CONN_DIR_ORIG, DK_TCP_SYN));
	assert_false(dk_conn_syn_starts_anew(dr, DK_CONN_DIR_ORIG, DK_TCP_SYN));
	/* the client closed: only input-only entries know nothing more will come */
	dk_conn_update(t, nat, DK_CONN_DIR_REPLY, DK_TCP_FIN | DK_TCP_ACK, now);
	dk_conn_update(t, dr, DK_CONN_DIR_ORIG, DK_TCP_FIN | DK_TCP_ACK, now);
	assert_int_equal(nat->state, DK_CONN_S_FIN_WAIT);
	assert_int_equal(dr->state, DK_CONN_S_FIN_WAIT);
	assert_false(dk_conn_syn_starts_anew(nat, DK_CONN_DIR_ORIG, DK_TCP_SYN));
	assert_true(dk_conn_syn_starts_anew(dr, DK_CONN_DIR_ORIG, DK_TCP_SYN));
	/* not a bare SYN from the client: never */
	assert_false(dk_conn_syn_starts_anew(dr, DK_CONN_DIR_ORIG, DK_TCP_SYN | DK_TCP_ACK));
	assert_false(dk_conn_syn_starts_anew(dr, DK_CONN_DIR_REPLY, DK_TCP_SYN));
	assert_false(dk_conn_syn_starts_anew(dr, DK_CONN_DIR_ORIG, DK_TCP_ACK));
	/* both sides closed */
	dk_conn_update(t, nat, DK_CONN_DIR_ORIG, DK_TCP_FIN | DK_TCP_ACK, now);
	dk_conn_update(t, nat, DK_CONN_DIR_REPLY, DK_TCP_ACK, now);
	assert_int_equal(nat->state, DK_CONN_S_TIME_WAIT);
	assert_true(dk_conn_syn_starts_anew(nat, DK_CONN_DIR_ORIG, DK_TCP_SYN));
	dk_conn_update(t, nat, DK_CONN_DIR_ORIG, DK_TCP_RST, now);
	assert_true(dk_conn_syn_starts_anew(nat, DK_CONN_DIR_ORIG, DK_TCP_SYN));
	dk_conn_table_free(t);
}

static void
test_timeouts_and_load(void **state)
{
	struct dk_conn_table *t = mk(16, 0);
	struct dk_conn_key o, r;
	struct dk_conn *e;
	uint64_t now = 1000 * SEC;

	(void)state;
	assert_int_equal(dk_conn_timeout_s(t, DK_CONN_S_ESTABLISHED), 900);
	assert_int_equal(dk_conn_timeout_s(t, DK_CONN_S_SYN_RECV), 60);
	assert_int_equal(dk_conn_timeout_s(t, DK_CONN_S_UDP), 300);
	keys(0x01020304u, 5000, &o, &r);
	e = add(t, 0x01020304u, 5000, true, DK_TCP_SYN, now);
	assert_int_equal(load[3].inactive, 1);
	assert_int_equal(load[3].active, 0);
	/* SYN_RECV lives 60 s */
	assert_int_equal(dk_conn_expire(t, now + 59 * SEC, 100), 0);
	assert_non_null(dk_conn_lookup(t, &o, now + 59 * SEC, NULL));
	now += 59 * SEC;
	dk_conn_update(t, e, DK_CONN_DIR_ORIG, DK_TCP_ACK, now);
	assert_int_equal(e->state, DK_CONN_S_ESTABLISHED);
	assert_int_equal(load[3].active, 1);
	assert_int_equal(load[3].inactive, 0);
	/* established: 900 s from the last packet */
	assert_int_equal(dk_conn_expire(t, now + 899 * SEC, 100), 0);
	assert_int_equal(dk_conn_count(t), 1);
	/* RST: CLOSE, 10 s, even though the entry was filed 900 s out */
	now += 899 * SEC;
	dk_conn_update(t, e, DK_CONN_DIR_REPLY, DK_TCP_RST, now);
	assert_int_equal(load[3].active, 0);
	assert_int_equal(load[3].inactive, 1);
	assert_int_equal(dk_conn_expire(t, now + 9 * SEC, 100), 0);
	assert_int_equal(dk_conn_expire(t, now + 11 * SEC, 100), 1);
	assert_int_equal(dk_conn_count(t), 0);
	assert_int_equal(load[3].inactive, 0);
	assert_int_equal(removed, 1);
	assert_int_equal(removed_slot, 3);
	assert_null(dk_conn_lookup(t, &o, now + 11 * SEC, NULL));
	assert_int_equal(dk_conn_counter(t, DK_CONN_C_EXPIRED), 1);
	dk_conn_table_free(t);

	/* configured timeout; lookup past expiry reaps without the wheel */
	t = mk(16, 5);
	now = 0;
	e = add(t, 0x01020304u, 5000, false, DK_TCP_ACK, now);
	assert_int_equal(e->state, DK_CONN_S_ESTABLISHED);
	assert_non_null(dk_conn_lookup(t, &o, 4 * SEC, NULL));
	assert_null(dk_conn_lookup(t, &o, 5 * SEC, NULL));
	assert_int_equal(dk_conn_count(t), 0);
	assert_int_equal(load[3].active, 0);

	/* changed at run time (lvs_timeouts on reload): the next update uses it; zero
	 * entries and a NULL array give the defaults back */
	{
		uint32_t ts[DK_CONN_S_MAX] = { 0 };

		ts[DK_CONN_S_ESTABLISHED] = 30;
		dk_conn_set_timeouts(t, ts);
		assert_int_equal(dk_conn_timeout_s(t, DK_CONN_S_ESTABLISHED), 30);
		assert_int_equal(dk_conn_timeout_s(t, DK_CONN_S_UDP), 300);
		e = add(t, 0x01020304u, 5000, false, DK_TCP_ACK, 10 * SEC);
		assert_non_null(dk_conn_lookup(t, &o, 39 * SEC, NULL));
		assert_null(dk_conn_lookup(t, &o, 40 * SEC, NULL));
		dk_conn_set_timeouts(t, NULL);
		assert_int_equal(dk_conn_timeout_s(t, DK_CONN_S_ESTABLISHED), 900);
	}
	dk_conn_table_free(t);
}

static void
test_full_and_reclaim(void **state)
{
	struct dk_conn_table *t = mk(4, 0);
	struct dk_conn_key o, r;
	struct dk_conn_new n = { .orig = &o, .reply = &r, .backend_slot = 1,
				 .tcp_flags = DK_TCP_SYN };
	struct dk_conn *e;
	unsigned i;

	(void)state;
	for (i = 0; i < 4; i++)
		add(t, 0x01000000u + i, 1000, true, DK_TCP_SYN, 0);
	keys(0x02000000u, 1000, &o, &r);
	assert_int_equal(dk_conn_insert(t, &n, 1, &e), -ENOSPC);
	assert_null(e);
	assert_int_equal(dk_conn_counter(t, DK_CONN_C_FULL), 1);
	/* SYN_RECV expires after 60 s, which frees the pool */
	assert_int_equal(dk_conn_expire(t, 61 * SEC, 1000), 4);
	assert_int_equal(dk_conn_insert(t, &n, 61 * SEC, &e), 0);
	dk_conn_delete(t, e);
	assert_int_equal(dk_conn_count(t), 0);
	assert_int_equal(dk_conn_counter(t, DK_CONN_C_DELETED), 1);
	dk_conn_table_free(t);
}

static void
test_expire_budget_and_gaps(void **state)
{
	struct dk_conn_table *t = mk(20000, 0);
	struct dk_conn_key o, r;
	unsigned i, total = 0, calls = 0;

	(void)state;
	for (i = 0; i < 10000; i++)
		add(t, 0x01000000u + i, (uint16_t)(1000 + i % 7), true,
		    i % 2 ? DK_TCP_SYN : DK_TCP_ACK, (i % 100) * SEC);
	/* nothing due yet: SYN_RECV 60 s after up to 99 s */
	assert_int_equal(dk_conn_expire(t, 59 * SEC, 100000), 0);
	/* each call does bounded work */
	while (dk_conn_count(t) > 5000) {
		unsigned n = dk_conn_expire(t, 200 * SEC, 64);

		assert_true(n <= 64);
		total += n;
		calls++;
		assert_true(calls < 1000);
	}
	assert_int_equal(total, 5000);
	/* the ESTABLISHED half stays until 900 s after creation */
	assert_int_equal(dk_conn_expire(t, 899 * SEC, 100000), 0);
	/* a ten hour gap: everything goes and the wheel catches up */
	while (dk_conn_expire(t, 36000 * SEC, 4096) > 0)
		;
	assert_int_equal(dk_conn_count(t), 0);
	keys(0x01000001u, 1001, &o, &r);
	add(t, 0x01000001u, 1001, true, DK_TCP_ACK, 36000 * SEC);
	assert_int_equal(dk_conn_expire(t, 36000 * SEC + 899 * SEC, 100), 0);
	assert_non_null(dk_conn_lookup(t, &o, 36000 * SEC + 899 * SEC, NULL));
	assert_int_equal(dk_conn_expire(t, 36000 * SEC + 901 * SEC, 100), 1);
	dk_conn_table_free(t);
}

static void
test_templates(void **state)
{
	struct dk_conn_table *t = mk(8, 0);
	struct dk_conn_key k, o, r;
	struct dk_addr cl = t_v4(0xc0a80a00u), vip = t_v4(0xc0000201u);
	struct dk_conn *c, *d;

	(void)state;
	dk_conn_tmpl_key(&k, DK_LB_PROTO_TCP, &cl, &vip, 80);
	assert_null(dk_conn_tmpl_lookup(t, &k, 0));
	assert_int_equal(dk_conn_tmpl_insert(t, &k, 5, 300, 0, &c), 0);
	assert_int_equal(dk_conn_tmpl_insert(t, &k, 6, 300, 0, &d), -EEXIST);
	assert_int_equal(load[5].active + load[5].inactive, 0);	/* templates are not load */
	/* a flow key with the same addresses is a different key */
	dk_conn_key_make(&o, DK_LB_PROTO_TCP, &cl, 0, &vip, 80);
	assert_null(dk_conn_lookup(t, &o, 0, NULL));
	assert_null(dk_conn_tmpl_lookup(t, &o, 0));
	/* each use restarts the persistence timeout */
	assert_ptr_equal(dk_conn_tmpl_lookup(t, &k, 200 * SEC), c);
	assert_int_equal(c->backend_slot, 5);
	assert_int_equal(dk_conn_expire(t, 499 * SEC, 100), 0);
	assert_ptr_equal(dk_conn_tmpl_lookup(t, &k, 499 * SEC), c);
	assert_int_equal(dk_conn_expire(t, 800 * SEC, 100), 1);
	assert_null(dk_conn_tmpl_lookup(t, &k, 800 * SEC));
	assert_int_equal(dk_conn_counter(t, DK_CONN_C_TMPL_HITS), 2);
	dk_conn_key_make(&r, DK_LB_PROTO_TCP, &cl, 0, &vip, 80);
	assert_int_equal(dk_conn_tmpl_insert(t, &r, 5, 300, 0, &c), -EINVAL);
	dk_conn_table_free(t);
}

static void
test_persistence(void **state)
{
	struct dk_conn_table *t = mk(64, 0);
	struct dk_lb_sched_ctx c;
	const struct dk_lb_backend *b;
	struct t_svc x = { 0 };
	uint32_t first;

	(void)state;
	t_svc_init(&x, "rr", 3);
	x.sp.persist_timeout_s = 300;
	x.sp.persist_prefix_len = 24;
	assert_int_equal(t_svc_build(&x), 0);
	t_ctx(&c, 0x01020304u, 1000);
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, t, &c, &b), DK_LB_SCHED_OK);
	first = b->slot;
	/* same /24, other port: the template wins over rr */
	c.src = t_v4(0x01020363u);
	c.sport = 2000;
	c.now_us = 100 * SEC;
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, t, &c, &b), DK_LB_SCHED_OK);
	assert_int_equal(b->slot, first);
	/* another client goes through rr */
	c.src = t_v4(0x05060708u);
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, t, &c, &b), DK_LB_SCHED_OK);
	assert_int_not_equal(b->slot, first);
	assert_int_equal(dk_conn_count(t), 2);
	/* drained but alive: persistent clients keep it */
	x.be[first].flags |= DK_LB_BACKEND_F_INHIBITED;
	assert_int_equal(t_svc_build(&x), 0);
	c.src = t_v4(0x01020304u);
	c.now_us = 200 * SEC;
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, t, &c, &b), DK_LB_SCHED_OK);
	assert_int_equal(b->slot, first);
	/* dead: scheduled anew and the template follows */
	x.be[first].flags = 0;
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, t, &c, &b), DK_LB_SCHED_OK);
	assert_int_not_equal(b->slot, first);
	first = b->slot;
	c.src = t_v4(0x01020305u);
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, t, &c, &b), DK_LB_SCHED_OK);
	assert_int_equal(b->slot, first);
	/* idle past the timeout: the template is gone and rr moves on */
	c.now_us = 501 * SEC;
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, t, &c, &b), DK_LB_SCHED_OK);
	assert_int_not_equal(b->slot, first);
	/* out-of-range worker ids never touch scheduler state */
	c.worker = 2;
	assert_int_equal(dk_lb_schedule(x.s, &c, &b), DK_LB_SCHED_NO_BACKEND);
	t_svc_fini(&x);
	dk_conn_table_free(t);
}

/* Random operations against a plain model: membership, states, expiry and load agree. */
#define M_KEYS 96

struct model {
	bool live;
	bool nat;
	enum dk_conn_state st;
	uint64_t expire;
};

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
model_check(struct dk_conn_table *t, struct model *m, uint64_t now)
{
	unsigned k, live = 0, est = 0;

	for (k = 0; k < M_KEYS; k++) {
		struct dk_conn_key o, r;
		struct dk_conn *c;

		if (m[k].live && m[k].expire <= now)
			m[k].live = false;
		keys(0x01000000u + k / 2, (uint16_t)(1000 + k % 2), &o, &r);
		c = dk_conn_lookup(t, &o, now, NULL);
		assert_int_equal(c != NULL, m[k].live);
		if (c == NULL)
			continue;
		assert_int_equal(c->state, m[k].st);
		assert_int_equal(c->expire_us, m[k].expire);
		assert_int_equal(dk_conn_lookup(t, &r, now, NULL) == c, m[k].nat);
		live++;
		est += m[k].st == DK_CONN_S_ESTABLISHED;
	}
	assert_int_equal(dk_conn_count(t), live);
	assert_int_equal(load[3].active, est);
	assert_int_equal(load[3].inactive, live - est);
}

static void
test_random_model(void **state)
{
	static const uint8_t flags[] = { DK_TCP_SYN, DK_TCP_ACK, DK_TCP_FIN | DK_TCP_ACK,
					 DK_TCP_RST, DK_TCP_SYN | DK_TCP_ACK };
	struct dk_conn_table *t = mk(24, 0);
	struct model m[M_KEYS];
	uint64_t seed = 0x9e3779b97f4a7c15ULL, now = 0;
	unsigned step, n_live = 0, k;

	(void)state;
	memset(m, 0, sizeof(m));
	for (step = 0; step < 20000; step++) {
		uint64_t r = rnd(&seed);
		struct dk_conn_key o, rk;
		struct dk_conn *c;

		k = (unsigned)(r % M_KEYS);
		keys(0x01000000u + k / 2, (uint16_t)(1000 + k % 2), &o, &rk);
		switch ((r >> 16) % 8) {
		case 0:
		case 1: {
			struct dk_conn_new n = { .orig = &o, .backend_slot = 3,
						 .tcp_flags = flags[(r >> 24) % 5] };
			int rc;

			n.reply = (r >> 32) & 1 ? &rk : NULL;
			if (m[k].live && m[k].expire <= now)
				m[k].live = false;
			for (n_live = 0, k = 0; k < M_KEYS; k++)
				n_live += m[k].live && m[k].expire > now;
			k = (unsigned)(r % M_KEYS);
			rc = dk_conn_insert(t, &n, now, &c);
			if (m[k].live) {
				assert_int_equal(rc, -EEXIST);
			} else if (rc == -ENOSPC) {
				/* a full pool, though some entries may be past expiry */
				assert_int_equal(dk_conn_count(t), 24);
			} else {
				assert_int_equal(rc, 0);
				assert_true(n_live < 24);
				m[k].live = true;
				m[k].nat = n.reply != NULL;
				m[k].st = dk_conn_tcp_next(DK_CONN_S_NONE, DK_CONN_DIR_ORIG,
							   n.tcp_flags, !m[k].nat);
				m[k].expire = now + dk_conn_timeout_s(t, m[k].st) * SEC;
			}
			break;
		}
		case 2:
		case 3:
		case 4: {
			enum dk_conn_dir dir = (r >> 40) & 1 ? DK_CONN_DIR_REPLY : DK_CONN_DIR_ORIG;
			uint8_t f = flags[(r >> 24) % 5];

			c = dk_conn_lookup(t, &o, now, NULL);
			if (c == NULL)
				break;
			if (!m[k].nat)
				dir = DK_CONN_DIR_ORIG;
			dk_conn_update(t, c, dir, f, now);
			m[k].st = dk_conn_tcp_next(m[k].st, dir, f, !m[k].nat);
			m[k].expire = now + dk_conn_timeout_s(t, m[k].st) * SEC;
			break;
		}
		case 5:
			c = dk_conn_lookup(t, &o, now, NULL);
			if (c != NULL) {
				dk_conn_delete(t, c);
				m[k].live = false;
			}
			break;
		default:
			now += ((r >> 24) % 8) * SEC;
			dk_conn_expire(t, now, (unsigned)((r >> 32) % 16));
			break;
		}
		if (step % 64 == 0) {
			while (dk_conn_expire(t, now, 8) > 0)
				;
			model_check(t, m, now);
		}
	}
	/* the run went through every path */
	assert_true(dk_conn_counter(t, DK_CONN_C_FULL) > 0);
	assert_true(dk_conn_counter(t, DK_CONN_C_EXISTS) > 0);
	assert_true(dk_conn_counter(t, DK_CONN_C_EXPIRED) > 100);
	assert_true(dk_conn_counter(t, DK_CONN_C_DELETED) > 100);
	assert_true(dk_conn_counter(t, DK_CONN_C_STATE_CHANGES) > 100);
	dk_conn_table_free(t);
}

struct walk_seen {
	unsigned flows;
	unsigned tmpls;
	uint32_t last_client;
	unsigned stop_after;
};

static int
walk_count(void *arg, const struct dk_conn *c)
{
	struct walk_seen *w = arg;

	if (c->flags & DK_CONN_F_TMPL) {
		w->tmpls++;
	} else {
		w->flows++;
		w->last_client = c->key[DK_CONN_DIR_ORIG].src.v4;
	}
	return w->stop_after && w->flows + w->tmpls == w->stop_after ? 7 : 0;
}

/* The walk sees live flows and templates; deleted, expired and reaped entries never. */
static void
test_walk(void **state)
{
	struct dk_conn_table *t = mk(16, 10);
	struct dk_addr cl = t_v4(0x0a0a0a0au), vip = t_v4(0xc0000201u);
	struct walk_seen w = { 0 };
	struct dk_conn_key k;
	struct dk_conn *e, *tm;

	(void)state;
	assert_int_equal(dk_conn_walk(t, 0, walk_count, &w), 0);
	assert_int_equal(w.flows + w.tmpls, 0);
	add(t, 0x01000001u, 1000, true, DK_TCP_SYN, 0);
	e = add(t, 0x01000002u, 1000, true, DK_TCP_SYN, 0);
	add(t, 0x01000003u, 1000, false, DK_TCP_SYN, 0);
	dk_conn_tmpl_key(&k, DK_LB_PROTO_TCP, &cl, &vip, 80);
	assert_int_equal(dk_conn_tmpl_insert(t, &k, 5, 300, 0, &tm), 0);
	dk_conn_delete(t, e);
	assert_int_equal(dk_conn_walk(t, 1, walk_count, &w), 0);
	assert_int_equal(w.flows, 2);
	assert_int_equal(w.tmpls, 1);
	/* SYN_RECV times out after 60 s: past it only the template is left, reaped or not. */
	memset(&w, 0, sizeof(w));
	assert_int_equal(dk_conn_walk(t, 61 * SEC, walk_count, &w), 0);
	assert_int_equal(w.flows, 0);
	assert_int_equal(w.tmpls, 1);
	dk_conn_expire(t, 61 * SEC, 1000);
	memset(&w, 0, sizeof(w));
	assert_int_equal(dk_conn_walk(t, 61 * SEC, walk_count, &w), 0);
	assert_int_equal(w.flows + w.tmpls, 1);
	/* A non-zero return stops the walk and is handed back. */
	add(t, 0x01000004u, 1000, true, DK_TCP_SYN, 61 * SEC);
	memset(&w, 0, sizeof(w));
	w.stop_after = 1;
	assert_int_equal(dk_conn_walk(t, 62 * SEC, walk_count, &w), 7);
	assert_int_equal(w.flows + w.tmpls, 1);
	dk_conn_table_free(t);
}

/* The burst API: a precomputed hash finds and inserts exactly what the plain calls do. */
static void
test_hash_api(void **state)
{
	struct dk_conn_table *t = mk(64, 0);
	struct dk_conn_key o, r, o2, r2;
	struct dk_conn_new n = { .orig = &o, .reply = &r, .backend_slot = 3,
				 .tcp_flags = DK_TCP_SYN,
				 .hop = { .mac = { 2, 0, 0, 0, 0, 7 }, .port = 5 } };
	enum dk_conn_dir dir = DK_CONN_DIR_ORIG;
	struct dk_conn *c, *e;
	uint64_t h;

	(void)state;
	keys(0x0b000001u, 4000, &o, &r);
	h = dk_conn_key_hash(t, &o);
	assert_int_equal(h, dk_conn_key_hash(t, &o));
	dk_conn_prefetch_bucket(t, h);
	dk_conn_prefetch_entry(t, h);	/* empty bucket */
	assert_null(dk_conn_lookup_hash(t, &o, h, 0, &dir));
	assert_int_equal(dk_conn_insert_hash(t, &n, h, 0, &c), 0);
	dk_conn_prefetch_entry(t, h);
	assert_ptr_equal(dk_conn_lookup_hash(t, &o, h, 1, &dir), c);
	assert_int_equal(dir, DK_CONN_DIR_ORIG);
	assert_ptr_equal(dk_conn_lookup(t, &o, 1, &dir), c);
	assert_ptr_equal(dk_conn_lookup_hash(t, &r, dk_conn_key_hash(t, &r), 1, &dir), c);
	assert_int_equal(dir, DK_CONN_DIR_REPLY);
	/* The hop is the flow's: a reply finds the client side it came from. */
	assert_memory_equal(c->hop.mac, n.hop.mac, 6);
	assert_int_equal(c->hop.port, 5);
	/* Same key again: taken, whichever way it is inserted. */
	assert_int_equal(dk_conn_insert_hash(t, &n, h, 1, &e), -EEXIST);
	assert_int_equal(dk_conn_insert(t, &n, 1, &e), -EEXIST);
	/* A plain insert is found through the hash API. */
	keys(0x0b000002u, 4000, &o2, &r2);
	n.orig = &o2;
	n.reply = &r2;
	assert_int_equal(dk_conn_insert(t, &n, 1, &e), 0);
	assert_ptr_equal(dk_conn_lookup_hash(t, &o2, dk_conn_key_hash(t, &o2), 1, &dir), e);
	/* A template carries no hop, even in an entry a flow with one used before. */
	assert_int_equal(dk_conn_lookup(t, &o2, 1, &dir), e);
	dk_conn_delete(t, e);
	dk_conn_tmpl_key(&o2, DK_LB_PROTO_TCP, &(struct dk_addr){ .af = AF_INET, .v4 = 1 },
			 &o.dst, 80);
	assert_int_equal(dk_conn_tmpl_insert(t, &o2, 3, 10, 1, &e), 0);
	assert_int_equal(e->hop.port, 0);
	assert_int_equal(e->hop.mac[0] | e->hop.mac[5], 0);
	dk_conn_table_free(t);
}

/* Every byte of a key counts, in equality and in the hash. */
static void
test_key_eq_hash(void **state)
{
	struct dk_conn_table *t = mk(8, 0);
	struct dk_conn_key a, b;

	(void)state;
	keys(0x0b000001u, 4000, &a, &b);
	assert_true(dk_conn_key_eq(&a, &a));
	for (size_t i = 0; i < sizeof(a); i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			b = a;
			((uint8_t *)&b)[i] ^= (uint8_t)(1u << bit);
			assert_false(dk_conn_key_eq(&a, &b));
			assert_int_not_equal(dk_conn_key_hash(t, &a), dk_conn_key_hash(t, &b));
		}
	dk_conn_table_free(t);
}

/*
 * The bench's flows (clients in a /16, sequential ports, one VIP) spread over the
 * buckets like random keys: no long chains, few more empty buckets than chance.
 */
static void
test_hash_spread(void **state)
{
	enum { N = 1 << 17, B = 1 << 17 };
	struct dk_conn_table *t = mk(8, 0);
	static uint16_t cnt[B];
	unsigned maxc = 0, empty = 0;

	(void)state;
	memset(cnt, 0, sizeof(cnt));
	for (unsigned i = 0; i < N; i++) {
		struct dk_conn_key o, r;

		keys(0x0a000000u + i / 64, (uint16_t)(1024 + i % 64), &o, &r);
		cnt[dk_conn_key_hash(t, &o) & (B - 1)]++;
	}
	for (unsigned i = 0; i < B; i++) {
		empty += cnt[i] == 0;
		if (cnt[i] > maxc)
			maxc = cnt[i];
	}
	/* Random: 1/e of the buckets empty (36.8%), longest chain ~9 for 2^17 keys. */
	assert_true(empty < B * 0.38);
	assert_true(maxc <= 12);
	dk_conn_table_free(t);
}

/* Two cache lines: what a lookup in the original direction reads is in the first. */
static void
test_entry_size(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct dk_conn), 128);
	assert_true(offsetof(struct dk_conn, key[1]) == 64);
	assert_true(offsetof(struct dk_conn, backend_slot) < 64);
	assert_true(offsetof(struct dk_conn, expire_us) < 64);
	assert_true(offsetof(struct dk_conn, hnext_orig) < 64);
}

/* Entries name their backend in 16 bits: larger slots are refused, never truncated. */
static void
test_slot_bounds(void **state)
{
	struct dk_conn_params p = { .max_conns = 4, .load = load, .n_slots = 65537 };
	struct dk_conn_table *t = NULL;
	struct dk_conn_key o, r, k;
	struct dk_addr cl = t_v4(0x0a000009u), vip = t_v4(0xc0000201u);
	struct dk_conn_new n = { .orig = &o, .backend_slot = 65536 };
	struct dk_conn *e;

	(void)state;
	assert_int_equal(dk_conn_table_create(&p, &t), -EINVAL);
	assert_null(t);
	p.load = NULL;
	p.n_slots = 0;
	assert_int_equal(dk_conn_table_create(&p, &t), 0);
	keys(0x0a000009u, 1000, &o, &r);
	assert_int_equal(dk_conn_insert(t, &n, SEC, &e), -EINVAL);
	assert_null(e);
	dk_conn_tmpl_key(&k, DK_LB_PROTO_TCP, &cl, &vip, 80);
	assert_int_equal(dk_conn_tmpl_insert(t, &k, 65536, 60, SEC, &e), -EINVAL);
	assert_int_equal(dk_conn_count(t), 0);
	n.backend_slot = 65535;
	assert_int_equal(dk_conn_insert(t, &n, SEC, &e), 0);
	assert_int_equal(e->backend_slot, 65535);
	assert_ptr_equal(dk_conn_lookup(t, &o, 2 * SEC, NULL), e);
	assert_int_equal(dk_conn_tmpl_insert(t, &k, 65535, 60, SEC, &e), 0);
	assert_int_equal(dk_conn_tmpl_lookup(t, &k, 2 * SEC)->backend_slot, 65535);
	dk_conn_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_insert_lookup_both_dirs),
		cmocka_unit_test(test_tcp_states),
		cmocka_unit_test(test_timeouts_and_load),
		cmocka_unit_test(test_full_and_reclaim),
		cmocka_unit_test(test_expire_budget_and_gaps),
		cmocka_unit_test(test_templates),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_syn_reuse),
		cmocka_unit_test(test_hash_api),
		cmocka_unit_test(test_key_eq_hash),
		cmocka_unit_test(test_hash_spread),
		cmocka_unit_test(test_entry_size),
		cmocka_unit_test(test_slot_bounds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
