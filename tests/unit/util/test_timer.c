#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "dk_common.h"
#include "dk_timer.h"

struct rec {
	uint64_t fired_at[16];
	int order[16];
	int n;
};

static struct rec rec;

static void
cb(struct dk_timer *t, void *arg, uint64_t now)
{
	(void)t;
	rec.fired_at[rec.n] = now;
	rec.order[rec.n] = (int)(intptr_t)arg;
	rec.n++;
}

static struct dk_timer_wheel *
mkwheel(uint32_t slots)
{
	struct dk_timer_wheel_params p = { .tick_us = 100, .slots = slots, .now_us = 0 };
	struct dk_timer_wheel *w = NULL;

	assert_int_equal(dk_timer_wheel_create(&p, &w), 0);
	rec.n = 0;
	return w;
}

static void
test_fires_in_order_and_not_early(void **state)
{
	struct dk_timer_wheel *w = mkwheel(64);
	struct dk_timer a, b, c;

	(void)state;
	dk_timer_init(&a, cb, (void *)1);
	dk_timer_init(&b, cb, (void *)2);
	dk_timer_init(&c, cb, (void *)3);
	dk_timer_arm(w, &a, 1000);
	dk_timer_arm(w, &b, 250);
	dk_timer_arm(w, &c, 260);
	assert_int_equal(dk_timer_wheel_next(w), 250);
	assert_int_equal(dk_timer_wheel_run(w, 249), 0);
	assert_int_equal(dk_timer_wheel_run(w, 300), 2);
	assert_int_equal(rec.order[0], 2);
	assert_int_equal(rec.order[1], 3);
	assert_false(dk_timer_armed(&b));
	assert_true(dk_timer_armed(&a));
	assert_int_equal(dk_timer_wheel_next(w), 1000);
	assert_int_equal(dk_timer_wheel_run(w, 5000), 1);
	assert_int_equal(dk_timer_wheel_count(w), 0);
	assert_int_equal(dk_timer_wheel_next(w), UINT64_MAX);
	dk_timer_wheel_free(w);
}

static void
test_beyond_one_revolution(void **state)
{
	/* 16 slots x 100 us = 1.6 ms per revolution; a 10 ms timer goes round several times */
	struct dk_timer_wheel *w = mkwheel(16);
	struct dk_timer a;
	uint64_t t;

	(void)state;
	dk_timer_init(&a, cb, (void *)1);
	dk_timer_arm(w, &a, 10000);
	for (t = 0; t < 10000; t += 50)
		assert_int_equal(dk_timer_wheel_run(w, t), 0);
	assert_int_equal(dk_timer_wheel_next(w), 10000);
	assert_int_equal(dk_timer_wheel_run(w, 10000), 1);
	assert_int_equal(rec.fired_at[0], 10000);
	dk_timer_wheel_free(w);
}

static void
test_cancel_and_rearm(void **state)
{
	struct dk_timer_wheel *w = mkwheel(64);
	struct dk_timer a;

	(void)state;
	dk_timer_init(&a, cb, (void *)1);
	dk_timer_arm(w, &a, 500);
	dk_timer_cancel(w, &a);
	assert_false(dk_timer_armed(&a));
	assert_int_equal(dk_timer_wheel_run(w, 1000), 0);
	dk_timer_arm(w, &a, 1500);
	dk_timer_arm(w, &a, 1200); /* re-arming moves it */
	assert_int_equal(dk_timer_wheel_count(w), 1);
	assert_int_equal(dk_timer_wheel_run(w, 1250), 1);
	dk_timer_wheel_free(w);
}

static void
rearm_cb(struct dk_timer *t, void *arg, uint64_t now)
{
	struct dk_timer_wheel *w = arg;

	rec.fired_at[rec.n++] = now;
	if (rec.n < 3)
		dk_timer_arm(w, t, now + 100);
}

static void
test_periodic_rearm_from_callback(void **state)
{
	struct dk_timer_wheel *w = mkwheel(64);
	struct dk_timer a;
	uint64_t t;

	(void)state;
	dk_timer_init(&a, rearm_cb, w);
	dk_timer_arm(w, &a, 100);
	for (t = 0; t <= 1000; t += 10)
		dk_timer_wheel_run(w, t);
	assert_int_equal(rec.n, 3);
	assert_int_equal(rec.fired_at[0], 100);
	assert_int_equal(rec.fired_at[1], 200);
	assert_int_equal(rec.fired_at[2], 300);
	dk_timer_wheel_free(w);
}

static void
test_past_due_fires_on_next_run(void **state)
{
	struct dk_timer_wheel *w = mkwheel(64);
	struct dk_timer a;

	(void)state;
	dk_timer_wheel_run(w, 100000);
	dk_timer_init(&a, cb, (void *)1);
	dk_timer_arm(w, &a, 5);
	assert_int_equal(dk_timer_wheel_next(w), 5);
	assert_int_equal(dk_timer_wheel_run(w, 100001), 1);
	dk_timer_wheel_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fires_in_order_and_not_early),
		cmocka_unit_test(test_beyond_one_revolution),
		cmocka_unit_test(test_cancel_and_rearm),
		cmocka_unit_test(test_periodic_rearm_from_callback),
		cmocka_unit_test(test_past_due_fires_on_next_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
