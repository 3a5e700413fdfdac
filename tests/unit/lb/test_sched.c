#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dk_common.h"
#include "dk_lb.h"
#include "dk_lb_sched.h"
#include "lb_test_util.h"

static const char *const all_scheds[] = {
	"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "sh", "dh", "mh", "lblc", "lblcr",
	"twos",
};

static struct dk_lb_load local[T_MAX_BACKENDS + 1];
static struct dk_lb_load others[T_MAX_BACKENDS + 1];

static void
pick_counts(struct t_svc *x, unsigned flows, unsigned *count, unsigned n)
{
	struct dk_lb_sched_ctx c;
	unsigned i;

	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < flows; i++) {
		int k;

		t_ctx(&c, 0x64000000u + i * 7919u, (uint16_t)(1024 + i));
		c.dst = t_v4(0xc6000000u + i * 104729u);
		c.now_us = i;
		k = t_pick(x, &c);
		assert_true(k >= 0 && (unsigned)k < n);
		count[k]++;
	}
}

/* Every scheduler: weight 0, dead and drained backends get nothing; empty -> no backend. */
static void
test_all_skip_unavailable(void **state)
{
	struct t_svc x = { 0 };
	unsigned count[6], s;

	(void)state;
	for (s = 0; s < DK_ARRAY_SIZE(all_scheds); s++) {
		t_svc_init(&x, all_scheds[s], 6);
		x.sp.flags = DK_LB_SVC_F_HASH_FALLBACK;
		x.be[1].weight = 0;
		x.be[2].flags = 0;
		x.be[4].flags |= DK_LB_BACKEND_F_INHIBITED;
		assert_int_equal(t_svc_build(&x), 0);
		pick_counts(&x, 600, count, 6);
		assert_int_equal(count[1], 0);
		assert_int_equal(count[2], 0);
		assert_int_equal(count[4], 0);
		assert_int_equal(count[0] + count[3] + count[5], 600);

		t_svc_init(&x, all_scheds[s], 0);
		assert_int_equal(t_svc_build(&x), 0);
		{
			struct dk_lb_sched_ctx c;
			const struct dk_lb_backend *b;

			t_ctx(&c, 1, 1);
			assert_int_equal(dk_lb_schedule(x.s, &c, &b), DK_LB_SCHED_NO_BACKEND);
			assert_null(b);
		}
		t_svc_init(&x, all_scheds[s], 3);
		x.be[0].flags = x.be[1].flags = x.be[2].flags = 0;
		assert_int_equal(t_svc_build(&x), 0);
		{
			struct dk_lb_sched_ctx c;

			t_ctx(&c, 1, 1);
			assert_int_equal(t_pick(&x, &c), -1);
		}
		t_svc_fini(&x);
	}
}

static void
test_sorry_server(void **state)
{
	struct dk_lb_backend_params sorry = { .port = 80, .weight = 1, .slot = 100 };
	struct dk_lb_sched_ctx c;
	const struct dk_lb_backend *b;
	struct t_svc x = { 0 };

	(void)state;
	sorry.addr = t_v4(0x0a0000feu);
	t_svc_init(&x, "rr", 2);
	x.sp.sorry = &sorry;
	x.be[0].flags = x.be[1].flags = 0;
	x.sp.quorum_was_up = true;
	assert_int_equal(t_svc_build(&x), 0);
	assert_false(x.s->quorum_up);
	t_ctx(&c, 1, 1);
	assert_int_equal(dk_lb_schedule(x.s, &c, &b), DK_LB_SCHED_SORRY);
	assert_int_equal(b->slot, 100);
	assert_ptr_equal(dk_lb_table_backend(x.t, 100), b);

	x.be[0].flags = DK_LB_BACKEND_F_ALIVE;
	assert_int_equal(t_svc_build(&x), 0);
	assert_true(x.s->quorum_up);
	assert_int_equal(dk_lb_schedule(x.s, &c, &b), DK_LB_SCHED_OK);
	assert_int_equal(b->slot, 0);
	t_svc_fini(&x);
}

static void
test_rr_exact(void **state)
{
	struct t_svc x = { 0 };
	unsigned count[3], i;
	struct dk_lb_sched_ctx c;

	(void)state;
	t_svc_init(&x, "rr", 3);
	assert_int_equal(t_svc_build(&x), 0);
	pick_counts(&x, 3000, count, 3);
	for (i = 0; i < 3; i++) {
		assert_true(count[i] >= 990 && count[i] <= 1010);
		assert_int_equal(count[i], 1000);
	}
	/* Strict rotation; worker 1 starts one step later but rotates the same way. */
	t_ctx(&c, 1, 1);
	c.worker = 1;
	assert_int_equal(t_pick(&x, &c), 1);
	assert_int_equal(t_pick(&x, &c), 2);
	assert_int_equal(t_pick(&x, &c), 0);
	t_svc_fini(&x);
}

static void
test_wrr_weights(void **state)
{
	static const uint32_t w[4] = { 1, 2, 3, 4 };
	struct t_svc x = { 0 };
	unsigned count[4], i;
	int seq[9];
	struct dk_lb_sched_ctx c;

	(void)state;
	t_svc_init(&x, "wrr", 4);
	for (i = 0; i < 4; i++)
		x.be[i].weight = w[i];
	assert_int_equal(t_svc_build(&x), 0);
	pick_counts(&x, 10000, count, 4);
	for (i = 0; i < 4; i++) {
		double want = 10000.0 * w[i] / 10;

		assert_true(count[i] >= want * 0.95 && count[i] <= want * 1.05);
	}
	/* Interleaving for weights 4,3,2: a a b a b c a b c (IPVS's documented example). */
	t_svc_init(&x, "wrr", 3);
	x.be[0].weight = 4;
	x.be[1].weight = 3;
	x.be[2].weight = 2;
	assert_int_equal(t_svc_build(&x), 0);
	t_ctx(&c, 1, 1);
	for (i = 0; i < 9; i++)
		seq[i] = t_pick(&x, &c);
	assert_int_equal(seq[0], 0);
	assert_int_equal(seq[1], 0);
	assert_int_equal(seq[2], 1);
	assert_int_equal(seq[3], 0);
	assert_int_equal(seq[4], 1);
	assert_int_equal(seq[5], 2);
	assert_int_equal(seq[6], 0);
	assert_int_equal(seq[7], 1);
	assert_int_equal(seq[8], 2);
	t_svc_fini(&x);
}

static void
ctx_loads(struct dk_lb_sched_ctx *c)
{
	t_ctx(c, 1, 1);
	c->local = local;
	c->others = others;
}

static void
test_lc_wlc_aggregated(void **state)
{
	struct dk_lb_sched_ctx c;
	struct t_svc x = { 0 };

	(void)state;
	memset(local, 0, sizeof(local));
	memset(others, 0, sizeof(others));
	ctx_loads(&c);
	t_svc_init(&x, "lc", 3);
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(t_pick(&x, &c), 0); /* all idle: first */
	others[0].active = 1;
	local[1].inactive = 100;
	local[2].inactive = 50;
	others[2].inactive = 49;
	/* 0: 256, 1: 100, 2: 99 -> 2 */
	assert_int_equal(t_pick(&x, &c), 2);
	local[2].inactive++;	/* tie 1 and 2 at 100 -> first */
	assert_int_equal(t_pick(&x, &c), 1);

	t_svc_init(&x, "wlc", 3);
	x.be[0].weight = 1;
	x.be[1].weight = 3;
	x.be[2].weight = 2;
	assert_int_equal(t_svc_build(&x), 0);
	memset(local, 0, sizeof(local));
	memset(others, 0, sizeof(others));
	assert_int_equal(t_pick(&x, &c), 0); /* all zero: first */
	others[0].active = 1;		/* 256/1 */
	local[1].active = 2;		/* 512/3 = 170 */
	others[2].active = 1;		/* 256/2 = 128 */
	assert_int_equal(t_pick(&x, &c), 2);
	local[2].inactive = 200;	/* 456/2 = 228 */
	assert_int_equal(t_pick(&x, &c), 1);
	t_svc_fini(&x);
}

static void
test_sed_nq(void **state)
{
	struct dk_lb_sched_ctx c;
	struct t_svc x = { 0 };

	(void)state;
	memset(local, 0, sizeof(local));
	memset(others, 0, sizeof(others));
	ctx_loads(&c);
	t_svc_init(&x, "sed", 2);
	x.be[1].weight = 2;
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(t_pick(&x, &c), 1);	/* 1/1 vs 1/2 */
	local[1].active = 1;			/* 1/1 vs 2/2: tie -> first */
	assert_int_equal(t_pick(&x, &c), 0);
	local[0].inactive = 1000;		/* sed ignores inactive */
	assert_int_equal(t_pick(&x, &c), 0);

	t_svc_init(&x, "nq", 3);
	x.be[2].weight = 5;
	assert_int_equal(t_svc_build(&x), 0);
	memset(local, 0, sizeof(local));
	local[0].active = 1;
	/* sed would pick 2 (1/5); nq prefers the first idle one */
	assert_int_equal(t_pick(&x, &c), 1);
	local[1].active = 1;
	local[2].active = 1;			/* none idle: sed, 2/5 */
	assert_int_equal(t_pick(&x, &c), 2);
	t_svc_fini(&x);
}

static void
test_fo_ovf(void **state)
{
	struct dk_lb_sched_ctx c;
	struct t_svc x = { 0 };

	(void)state;
	memset(local, 0, sizeof(local));
	memset(others, 0, sizeof(others));
	ctx_loads(&c);
	t_svc_init(&x, "fo", 4);
	x.be[1].weight = 5;
	x.be[2].weight = 5;
	x.be[3].weight = 9;
	x.be[3].flags = 0;
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(t_pick(&x, &c), 1);	/* 3 dead; tie 1/2 -> first */
	local[1].active = 1000;			/* fo ignores load */
	assert_int_equal(t_pick(&x, &c), 1);

	t_svc_init(&x, "ovf", 3);
	x.be[0].weight = 2;
	x.be[1].weight = 3;
	x.be[2].weight = 1;
	assert_int_equal(t_svc_build(&x), 0);
	memset(local, 0, sizeof(local));
	assert_int_equal(t_pick(&x, &c), 1);
	local[1].active = 3;			/* full: spill to next heaviest */
	assert_int_equal(t_pick(&x, &c), 0);
	others[0].active = 2;
	assert_int_equal(t_pick(&x, &c), 2);
	local[2].active = 1;
	assert_int_equal(t_pick(&x, &c), -1);
	t_svc_fini(&x);
}

static void
test_sh_dh(void **state)
{
	struct dk_lb_sched_ctx c;
	struct t_svc x = { 0 };
	unsigned count[4], i;
	int first, k;

	(void)state;
	t_svc_init(&x, "sh", 4);
	assert_int_equal(t_svc_build(&x), 0);
	pick_counts(&x, 4000, count, 4);
	for (i = 0; i < 4; i++)
		assert_true(count[i] > 700 && count[i] < 1300);
	t_ctx(&c, 0x0b0b0b0bu, 1000);
	first = t_pick(&x, &c);
	for (i = 0; i < 50; i++) {
		c.sport = (uint16_t)(2000 + i);
		assert_int_equal(t_pick(&x, &c), first);	/* port ignored */
	}
	/* sh-port: the same client spreads over backends by port */
	x.sp.flags = DK_LB_SVC_F_HASH_PORT;
	assert_int_equal(t_svc_build(&x), 0);
	memset(count, 0, sizeof(count));
	for (i = 0; i < 400; i++) {
		c.sport = (uint16_t)(2000 + i);
		count[t_pick(&x, &c)]++;
	}
	for (i = 0; i < 4; i++)
		assert_true(count[i] > 50);

	/* A drained backend: no fallback -> no backend; fallback -> another one */
	x.sp.flags = 0;
	x.be[first].flags |= DK_LB_BACKEND_F_INHIBITED;
	assert_int_equal(t_svc_build(&x), 0);
	c.sport = 1000;
	assert_int_equal(t_pick(&x, &c), -1);
	x.sp.flags = DK_LB_SVC_F_HASH_FALLBACK;
	assert_int_equal(t_svc_build(&x), 0);
	k = t_pick(&x, &c);
	assert_true(k >= 0 && k != first);

	t_svc_init(&x, "dh", 4);
	assert_int_equal(t_svc_build(&x), 0);
	t_ctx(&c, 1, 1);
	c.dst = t_v4(0x08080808u);
	first = t_pick(&x, &c);
	for (i = 0; i < 50; i++) {
		c.src = t_v4(0x0c000000u + i);
		assert_int_equal(t_pick(&x, &c), first);
	}
	t_svc_fini(&x);
}

static void
test_lblc(void **state)
{
	struct dk_lb_sched_ctx c;
	struct t_svc x = { 0 };
	int first, k;

	(void)state;
	memset(local, 0, sizeof(local));
	memset(others, 0, sizeof(others));
	t_svc_init(&x, "lblc", 3);
	x.be[0].weight = x.be[1].weight = x.be[2].weight = 10;
	x.sp.lblc_expire_s = 60;
	assert_int_equal(t_svc_build(&x), 0);
	ctx_loads(&c);
	c.dst = t_v4(0x08080808u);
	first = t_pick(&x, &c);
	assert_int_equal(first, 0);
	/* sticks even when it is no longer the least loaded */
	local[0].active = 5;
	assert_int_equal(t_pick(&x, &c), 0);
	/* another destination goes to the least loaded */
	c.dst = t_v4(0x08080404u);
	assert_int_equal(t_pick(&x, &c), 1);
	/* overloaded (active > weight while another is under half) -> moves and re-sticks */
	c.dst = t_v4(0x08080808u);
	local[0].active = 11;
	local[1].active = 6;
	k = t_pick(&x, &c);
	assert_int_equal(k, 2);
	local[0].active = 0;
	assert_int_equal(t_pick(&x, &c), 2);
	/* idle entries expire: then the least loaded wins again */
	local[2].active = 3;
	c.now_us += 61 * DK_USEC_PER_SEC;
	assert_int_equal(t_pick(&x, &c), 0);
	t_svc_fini(&x);
}

static void
test_lblcr(void **state)
{
	struct dk_lb_sched_ctx c;
	struct t_svc x = { 0 };

	(void)state;
	memset(local, 0, sizeof(local));
	memset(others, 0, sizeof(others));
	t_svc_init(&x, "lblcr", 3);
	x.be[0].weight = x.be[1].weight = x.be[2].weight = 10;
	x.sp.lblcr_set_expire_s = 100;
	assert_int_equal(t_svc_build(&x), 0);
	ctx_loads(&c);
	c.dst = t_v4(0x08080808u);
	assert_int_equal(t_pick(&x, &c), 0);
	local[0].active = 8;
	assert_int_equal(t_pick(&x, &c), 0);	/* set {0}, not overloaded */
	local[0].active = 11;			/* overloaded: 1 joins the set */
	assert_int_equal(t_pick(&x, &c), 1);
	local[1].active = 9;			/* set {0,1}: least loaded member is 1 */
	assert_int_equal(t_pick(&x, &c), 1);
	local[0].active = 2;			/* now 0 is the least loaded member */
	assert_int_equal(t_pick(&x, &c), 0);
	/* after the set expiry the most loaded member (1) leaves; 2 is never in it */
	c.now_us += 101 * DK_USEC_PER_SEC;
	assert_int_equal(t_pick(&x, &c), 0);
	local[0].active = 9;
	local[1].active = 0;
	assert_int_equal(t_pick(&x, &c), 0);	/* set is {0} again */
	t_svc_fini(&x);
}

static void
test_twos(void **state)
{
	struct dk_lb_sched_ctx c;
	struct t_svc x = { 0 };
	unsigned count[3], i;
	int seq[20];

	(void)state;
	memset(local, 0, sizeof(local));
	memset(others, 0, sizeof(others));
	t_svc_init(&x, "twos", 3);
	x.be[2].weight = 2;
	assert_int_equal(t_svc_build(&x), 0);
	/* Idle: the first draw wins ties, so picks follow weight (1:1:2). */
	pick_counts(&x, 8000, count, 3);
	assert_true(count[0] > 1800 && count[0] < 2200);
	assert_true(count[2] > 3600 && count[2] < 4400);
	/* A loaded backend is picked only when drawn twice. */
	ctx_loads(&c);
	local[2].active = 100;
	memset(count, 0, sizeof(count));
	for (i = 0; i < 4000; i++)
		count[t_pick(&x, &c)]++;
	assert_true(count[2] > 700 && count[2] < 1300);	/* (1/2)^2 = 1/4 */
	/* Deterministic: same seed, same sequence */
	assert_int_equal(t_svc_build(&x), 0);
	for (i = 0; i < 20; i++)
		seq[i] = t_pick(&x, &c);
	assert_int_equal(t_svc_build(&x), 0);
	for (i = 0; i < 20; i++)
		assert_int_equal(t_pick(&x, &c), seq[i]);
	t_svc_fini(&x);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_skip_unavailable),
		cmocka_unit_test(test_sorry_server),
		cmocka_unit_test(test_rr_exact),
		cmocka_unit_test(test_wrr_weights),
		cmocka_unit_test(test_lc_wlc_aggregated),
		cmocka_unit_test(test_sed_nq),
		cmocka_unit_test(test_fo_ovf),
		cmocka_unit_test(test_sh_dh),
		cmocka_unit_test(test_lblc),
		cmocka_unit_test(test_lblcr),
		cmocka_unit_test(test_twos),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
