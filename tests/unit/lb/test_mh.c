#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdlib.h>
#include <cmocka.h>

#include "dk_common.h"
#include "dk_lb.h"
#include "dk_lb_sched.h"
#include "lb_test_util.h"

static void
slot_counts(const struct t_svc *x, unsigned *count, unsigned n)
{
	const uint16_t *lk;
	uint32_t m = 0, i;

	lk = dk_lb_mh_lookup(x->s, &m);
	assert_non_null(lk);
	memset(count, 0, n * sizeof(*count));
	for (i = 0; i < m; i++) {
		assert_true(lk[i] < x->s->n_backends);
		count[x->s->backends[lk[i]].slot]++;
	}
}

static void
test_balance_65537(void **state)
{
	struct t_svc x = { 0 };
	unsigned count[100], i;
	double ideal = 65537.0 / 100;

	(void)state;
	t_svc_init(&x, "mh", 100);
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(x.s->mh_table_size, 65537);
	slot_counts(&x, count, 100);
	for (i = 0; i < 100; i++)
		assert_true(count[i] >= ideal * 0.99 && count[i] <= ideal * 1.01);
	t_svc_fini(&x);
}

static void
test_weights(void **state)
{
	struct t_svc x = { 0 };
	unsigned count[3];

	(void)state;
	t_svc_init(&x, "mh", 3);
	x.be[0].weight = 10;
	x.be[1].weight = 20;
	x.be[2].weight = 30;
	assert_int_equal(t_svc_build(&x), 0);
	slot_counts(&x, count, 3);
	assert_true(abs((int)count[0] * 6 - 65537) < 65537 / 100);
	assert_true(abs((int)count[1] * 3 - 65537) < 65537 / 100);
	assert_true(abs((int)count[2] * 2 - 65537) < 65537 / 100);
	t_svc_fini(&x);
}

/* Fraction of entries whose backend slot differs between two tables. */
static double
changed(const struct t_svc *a, const struct t_svc *b, unsigned *moved_from_kept)
{
	const uint16_t *la, *lb;
	uint32_t ma, mb, i, diff = 0;

	la = dk_lb_mh_lookup(a->s, &ma);
	lb = dk_lb_mh_lookup(b->s, &mb);
	assert_int_equal(ma, mb);
	*moved_from_kept = 0;
	for (i = 0; i < ma; i++) {
		uint32_t sa = a->s->backends[la[i]].slot, sb = b->s->backends[lb[i]].slot;

		if (sa == sb)
			continue;
		diff++;
		if (dk_lb_table_backend(b->t, sa) != NULL)
			(*moved_from_kept)++;
	}
	return (double)diff / ma;
}

static void
test_disruption_on_removal(void **state)
{
	struct t_svc a = { 0 }, b = { 0 };
	unsigned kept_moved;
	double f;

	(void)state;
	t_svc_init(&a, "mh", 100);
	assert_int_equal(t_svc_build(&a), 0);
	/* Remove backend 37: the rest keep their slots but shift in the array. */
	t_svc_init(&b, "mh", 100);
	memmove(&b.be[37], &b.be[38], 62 * sizeof(b.be[0]));
	b.sp.n_backends = 99;
	assert_int_equal(t_svc_build(&b), 0);
	f = changed(&a, &b, &kept_moved);
	/* The removed backend's 1% must move; Maglev moves little else. */
	assert_true(f >= 0.0099);
	assert_true(f < 0.02);
	assert_true(kept_moved < 65537 / 100);

	/* A dead backend without mh-fallback is left out of the table: the same result. */
	t_svc_init(&b, "mh", 100);
	b.be[37].flags = 0;
	assert_int_equal(t_svc_build(&b), 0);
	f = changed(&a, &b, &kept_moved);
	assert_true(f >= 0.0099 && f < 0.02);

	/* With mh-fallback the table keeps it and only its own flows move, at lookup. */
	t_svc_init(&b, "mh", 100);
	b.sp.flags = DK_LB_SVC_F_HASH_FALLBACK;
	b.be[37].flags = 0;
	assert_int_equal(t_svc_build(&b), 0);
	assert_true(changed(&a, &b, &kept_moved) == 0.0);
	{
		struct dk_lb_sched_ctx c;
		unsigned i, moved = 0, on37 = 0;

		for (i = 0; i < 20000; i++) {
			int pa, pb;

			t_ctx(&c, 0x30000000u + i * 2654435761u, 1);
			pa = t_pick(&a, &c);
			pb = t_pick(&b, &c);
			assert_true(pa >= 0 && pb >= 0);
			assert_int_not_equal(pb, 37);
			if (pa == 37)
				on37++;
			else if (pa != pb)
				moved++;
		}
		assert_int_equal(moved, 0);
		assert_true(on37 > 100 && on37 < 300);
	}
	t_svc_fini(&a);
	t_svc_fini(&b);
}

static void
test_size_port_and_consistency(void **state)
{
	struct t_svc x = { 0 }, y = { 0 };
	struct dk_lb_sched_ctx c;
	unsigned i, count[4] = { 0 };
	int first;

	(void)state;
	t_svc_init(&x, "mh", 4);
	x.sp.mh_table_size = 65536;
	assert_int_equal(t_svc_build(&x), -EINVAL);
	x.sp.mh_table_size = 251;
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(x.s->mh_table_size, 251);
	/* Without mh-port the source port does not matter. */
	t_ctx(&c, 0x0b0b0b0bu, 1);
	first = t_pick(&x, &c);
	for (i = 0; i < 100; i++) {
		c.sport = (uint16_t)(1000 + i);
		assert_int_equal(t_pick(&x, &c), first);
	}
	x.sp.flags = DK_LB_SVC_F_HASH_PORT;
	assert_int_equal(t_svc_build(&x), 0);
	for (i = 0; i < 400; i++) {
		c.sport = (uint16_t)(1000 + i);
		count[t_pick(&x, &c)]++;
	}
	for (i = 0; i < 4; i++)
		assert_true(count[i] > 50);
	/* Another worker, another table seed: the same flow lands on the same backend. */
	t_svc_init(&y, "mh", 4);
	y.sp.mh_table_size = 251;
	y.sp.flags = DK_LB_SVC_F_HASH_PORT;
	y.tp.seed = 7;
	assert_int_equal(t_svc_build(&y), 0);
	for (i = 0; i < 400; i++) {
		c.sport = (uint16_t)(1000 + i);
		c.worker = 0;
		first = t_pick(&x, &c);
		c.worker = 1;
		assert_int_equal(t_pick(&y, &c), first);
	}
	/* Drained backend without fallback: its flows get no backend. */
	x.be[first].flags |= DK_LB_BACKEND_F_INHIBITED;
	assert_int_equal(t_svc_build(&x), 0);
	assert_int_equal(t_pick(&x, &c), -1);
	t_svc_fini(&x);
	t_svc_fini(&y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_balance_65537),
		cmocka_unit_test(test_weights),
		cmocka_unit_test(test_disruption_on_removal),
		cmocka_unit_test(test_size_port_and_consistency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
