#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "dk_common.h"
#include "dk_conn.h"
#include "dk_lb.h"
#include "lb_test_util.h"

static void
test_lookup(void **state)
{
	struct dk_lb_backend_params be[3];
	struct dk_lb_service_params sp[40];
	struct dk_lb_table_params tp = { .services = sp, .n_services = 40, .n_workers = 1,
					 .max_slots = 8 };
	struct dk_lb_table *t = NULL;
	struct dk_addr v6, v6b;
	unsigned i;

	(void)state;
	memset(be, 0, sizeof(be));
	memset(sp, 0, sizeof(sp));
	for (i = 0; i < 3; i++) {
		be[i].addr = t_v4(0x0a000001u + i);
		be[i].weight = 1;
		be[i].flags = DK_LB_BACKEND_F_ALIVE;
		be[i].slot = i + 2;
	}
	assert_int_equal(dk_addr_parse("2001:db8::1", &v6), 0);
	assert_int_equal(dk_addr_parse("2001:db8::2", &v6b), 0);
	for (i = 0; i < 40; i++) {
		sp[i].vip = i < 20 ? t_v4(0xc0000200u + i) : v6;
		sp[i].port = (uint16_t)(i < 20 ? 80 : 1000 + i);
		sp[i].proto = DK_LB_PROTO_TCP;
		sp[i].sched = "rr";
	}
	sp[3].backends = be;
	sp[3].n_backends = 3;
	sp[39].proto = DK_LB_PROTO_UDP;
	assert_int_equal(dk_lb_table_build(&tp, &t), 0);
	assert_int_equal(dk_lb_table_n_services(t), 40);
	for (i = 0; i < 40; i++) {
		const struct dk_lb_service *s = dk_lb_table_lookup(t, &sp[i].vip, sp[i].port,
								   sp[i].proto);

		assert_ptr_equal(s, dk_lb_table_service(t, i));
	}
	{
		struct dk_addr a = t_v4(0xc0000203u);

		assert_null(dk_lb_table_lookup(t, &a, 81, DK_LB_PROTO_TCP));
		assert_null(dk_lb_table_lookup(t, &a, 80, DK_LB_PROTO_UDP));
	}
	assert_null(dk_lb_table_lookup(t, &v6b, 1039, DK_LB_PROTO_UDP));
	assert_null(dk_lb_table_lookup(t, &v6, 1039, DK_LB_PROTO_TCP));
	assert_non_null(dk_lb_table_lookup(t, &v6, 1039, DK_LB_PROTO_UDP));
	assert_ptr_equal(dk_lb_table_backend(t, 3), &dk_lb_table_service(t, 3)->backends[1]);
	assert_null(dk_lb_table_backend(t, 0));
	assert_null(dk_lb_table_backend(t, 100));
	dk_lb_table_free(t);

	/* Rejections leave *out NULL and leak nothing. */
	sp[5].vip = sp[4].vip;
	assert_int_equal(dk_lb_table_build(&tp, &t), -EEXIST);
	assert_null(t);
	sp[5].vip = t_v4(0xc0000205u);
	sp[4].backends = be;
	sp[4].n_backends = 1;	/* slot 2 already used by service 3 */
	assert_int_equal(dk_lb_table_build(&tp, &t), -EEXIST);
	sp[4].n_backends = 0;
	be[2].slot = 8;
	assert_int_equal(dk_lb_table_build(&tp, &t), -ERANGE);
	be[2].slot = 4;
	sp[7].sched = "nope";
	assert_int_equal(dk_lb_table_build(&tp, &t), -EINVAL);
	sp[7].sched = "mh";
	assert_int_equal(dk_lb_table_build(&tp, &t), 0);
	dk_lb_table_free(t);
	assert_true(dk_lb_sched_exists("lblcr"));
	assert_false(dk_lb_sched_exists("xyz"));
}

static void
test_quorum(void **state)
{
	(void)state;
	/* quorum 10, hysteresis 2: up at >= 12, down below 8 */
	assert_false(dk_lb_quorum_eval(false, 11, 10, 2));
	assert_true(dk_lb_quorum_eval(false, 12, 10, 2));
	assert_true(dk_lb_quorum_eval(true, 8, 10, 2));
	assert_false(dk_lb_quorum_eval(true, 7, 10, 2));
	/* default quorum 1; any live weight keeps it up, none takes it down */
	assert_true(dk_lb_quorum_eval(false, 1, 0, 0));
	assert_false(dk_lb_quorum_eval(false, 0, 0, 0));
	assert_true(dk_lb_quorum_eval(true, 1, 3, 5));
	assert_false(dk_lb_quorum_eval(true, 0, 3, 5));
}

static void
test_persist_mask(void **state)
{
	struct t_svc x = { 0 };
	struct dk_addr c = t_v4(0xc0a80a85u), m, v6, v6m;
	char buf[DK_ADDRSTRLEN];

	(void)state;
	t_svc_init(&x, "rr", 1);
	x.sp.persist_timeout_s = 300;
	x.sp.persist_prefix_len = 24;
	assert_int_equal(t_svc_build(&x), 0);
	dk_lb_persist_client(x.s, &c, &m);
	assert_string_equal(dk_addr_fmt(&m, buf, sizeof(buf)), "192.168.10.0");
	assert_int_equal(dk_addr_parse("2001:db8:1:2:3:4:5:6", &v6), 0);
	x.sp.vip = v6;
	x.sp.persist_prefix_len = 52;
	assert_int_equal(t_svc_build(&x), 0);
	dk_lb_persist_client(x.s, &v6, &v6m);
	assert_string_equal(dk_addr_fmt(&v6m, buf, sizeof(buf)), "2001:db8:1::");
	x.sp.persist_prefix_len = 0;
	assert_int_equal(t_svc_build(&x), 0);
	dk_lb_persist_client(x.s, &v6, &v6m);
	assert_true(dk_addr_eq(&v6, &v6m));
	x.sp.persist_prefix_len = 129;
	assert_int_equal(t_svc_build(&x), -EINVAL);
	t_svc_fini(&x);
}

static void
test_aggregate(void **state)
{
	struct dk_lb_load w0[2] = { { 1, 2 }, { 3, 4 } }, w1[2] = { { 10, 20 }, { 30, 40 } };
	struct dk_lb_load o0[2], o1[2], total[2];
	const struct dk_lb_load *per[2] = { w0, w1 };
	struct dk_lb_load *oth[2] = { o0, o1 };
	struct dk_lb_stats s0[1] = { { 1, 2, 3, 4 } }, s1[1] = { { 5, 6, 7, 8 } }, st[1];
	const struct dk_lb_stats *sp[2] = { s0, s1 };

	(void)state;
	dk_lb_load_aggregate(per, 2, 2, total, oth);
	assert_int_equal(total[1].active, 33);
	assert_int_equal(total[0].inactive, 22);
	assert_int_equal(o0[0].active, 10);
	assert_int_equal(o0[1].inactive, 40);
	assert_int_equal(o1[1].active, 3);
	dk_lb_load_add(&w0[0].active, -1);
	assert_int_equal(w0[0].active, 0);
	dk_lb_stats_count(&s1[0], true, 100);
	dk_lb_stats_aggregate(sp, 2, 1, st);
	assert_int_equal(st[0].pkts_out, 9);
	assert_int_equal(st[0].bytes_out, 112);
	dk_lb_stats_count(&s1[0], false, 1);
	assert_int_equal(st[0].pkts_in, 6);
	assert_int_equal(s1[0].pkts_in, 6);
}

/*
 * A removed backend is found by its slot (its flows keep their backend) but is never
 * scheduled, counts for no quorum, and a persistence template naming it is replaced.
 */
static void
test_removed_backend(void **state)
{
	static const char *const scheds[] = { "rr", "wrr", "wlc", "lc", "mh", "sh", "dh",
					      "sed", "nq", "fo", "ovf", "twos", "lblc", "lblcr" };
	struct dk_lb_backend_params gone = { .addr = t_v4(0x0a000063u), .port = 8080,
					     .weight = 100, .slot = 7,
					     .flags = DK_LB_BACKEND_F_ALIVE };
	struct dk_conn_params cp = { .max_conns = 64 };
	struct dk_lb_sched_ctx sc = { .dport = 80, .proto = DK_LB_PROTO_TCP };
	const struct dk_lb_backend *b;
	struct dk_conn_table *ct;
	struct dk_conn *tm;
	struct dk_conn_key k;
	struct dk_addr cl;
	struct t_svc x = { 0 };

	(void)state;
	for (unsigned i = 0; i < sizeof(scheds) / sizeof(scheds[0]); i++) {
		t_svc_init(&x, scheds[i], 2);
		x.sp.removed = &gone;
		x.sp.n_removed = 1;
		assert_int_equal(t_svc_build(&x), 0);
		b = dk_lb_table_backend(x.t, 7);
		assert_non_null(b);
		assert_true(b->flags & DK_LB_BACKEND_F_REMOVED);
		assert_int_equal(b->svc_index, 0);
		assert_int_equal(x.s->alive_weight, 2);
		for (unsigned n = 0; n < 200; n++) {
			sc.src = t_v4(0x0b000000u + n * 7919u);
			sc.sport = (uint16_t)(1024 + n);
			sc.worker = n & 1;
			assert_int_equal(dk_lb_schedule(x.s, &sc, &b), DK_LB_SCHED_OK);
			assert_int_not_equal(b->slot, 7);
		}
	}
	/* Only a removed backend left: nothing to schedule. */
	t_svc_init(&x, "rr", 0);
	x.sp.removed = &gone;
	x.sp.n_removed = 1;
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(dk_lb_schedule(x.s, &sc, &b), DK_LB_SCHED_NO_BACKEND);

	t_svc_init(&x, "rr", 2);
	x.sp.removed = &gone;
	x.sp.n_removed = 1;
	x.sp.persist_timeout_s = 300;
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(dk_conn_table_create(&cp, &ct), 0);
	sc.src = t_v4(0x0b000001u);
	dk_lb_persist_client(x.s, &sc.src, &cl);
	dk_conn_tmpl_key(&k, DK_LB_PROTO_TCP, &cl, &x.sp.vip, 80);
	assert_int_equal(dk_conn_tmpl_insert(ct, &k, 7, 300, 0, &tm), 0);
	assert_int_equal(dk_lb_schedule_persist(x.t, x.s, ct, &sc, &b), DK_LB_SCHED_OK);
	assert_int_not_equal(b->slot, 7);
	tm = dk_conn_tmpl_lookup(ct, &k, 0);
	assert_non_null(tm);
	assert_int_equal(tm->backend_slot, b->slot);

	/* Its slot is claimed like any other. */
	gone.slot = 1;
	assert_int_equal(t_svc_build(&x), -EEXIST);
	dk_conn_table_free(ct);
	t_svc_fini(&x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_persist_mask),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_removed_backend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
