#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "dk_common.h"
#include "dk_lat.h"

static struct dk_lat lat;

static void
test_empty(void **state)
{
	(void)state;
	dk_lat_reset(&lat);
	assert_int_equal(dk_lat_window_n(&lat), 0);
	assert_int_equal(dk_lat_pct(&lat, 99), 0);
	assert_int_equal(lat.max_us, 0);
}

static void
test_buckets_inclusive_upper_bounds(void **state)
{
	(void)state;
	dk_lat_reset(&lat);
	dk_lat_add(&lat, 0);
	dk_lat_add(&lat, 10);	  /* le 10 */
	dk_lat_add(&lat, 11);	  /* le 20 */
	dk_lat_add(&lat, 1000);	  /* le 1000 */
	dk_lat_add(&lat, 100001); /* +Inf */
	assert_int_equal(lat.bucket[0], 2);
	assert_int_equal(lat.bucket[1], 1);
	assert_int_equal(lat.bucket[6], 1);
	assert_int_equal(lat.bucket[DK_LAT_NBOUNDS], 1);
	assert_int_equal(lat.count, 5);
	assert_int_equal(lat.sum_us, 0 + 10 + 11 + 1000 + 100001);
	assert_int_equal(lat.max_us, 100001);
}

static void
test_percentiles_nearest_rank(void **state)
{
	(void)state;
	dk_lat_reset(&lat);
	/* 1..100 in a scrambled order */
	for (unsigned i = 0; i < 100; i++)
		dk_lat_add(&lat, (i * 37) % 100 + 1);
	assert_int_equal(dk_lat_pct(&lat, 50), 50);
	assert_int_equal(dk_lat_pct(&lat, 99), 99);
	assert_int_equal(dk_lat_pct(&lat, 100), 100);
	assert_int_equal(dk_lat_pct(&lat, 1), 1);
	/* One outlier among 100 samples is the 100th percentile, not the 99th. */
	dk_lat_reset(&lat);
	for (unsigned i = 0; i < 99; i++)
		dk_lat_add(&lat, 5);
	dk_lat_add(&lat, 9000);
	assert_int_equal(dk_lat_pct(&lat, 99), 5);
	assert_int_equal(dk_lat_pct(&lat, 100), 9000);
}

static void
test_summary(void **state)
{
	struct dk_lat_summary s;

	(void)state;
	dk_lat_reset(&lat);
	for (unsigned i = 1; i <= 200; i++)
		dk_lat_add(&lat, i * 10);
	dk_lat_summarize(&lat, &s);
	assert_int_equal(s.count, 200);
	assert_int_equal(s.window, 200);
	assert_int_equal(s.mean_us, 1005);
	assert_int_equal(s.p50_us, 1000);
	assert_int_equal(s.p99_us, 1980);
	assert_int_equal(s.max_us, 2000);
}

static void
test_window_keeps_the_recent_samples(void **state)
{
	(void)state;
	dk_lat_reset(&lat);
	for (unsigned i = 0; i < DK_LAT_WINDOW; i++)
		dk_lat_add(&lat, 50000);
	for (unsigned i = 0; i < DK_LAT_WINDOW; i++)
		dk_lat_add(&lat, 7);
	assert_int_equal(dk_lat_window_n(&lat), DK_LAT_WINDOW);
	assert_int_equal(dk_lat_pct(&lat, 100), 7);
	/* The lifetime figures still remember the old ones. */
	assert_int_equal(lat.max_us, 50000);
	assert_int_equal(lat.count, 2 * DK_LAT_WINDOW);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_buckets_inclusive_upper_bounds),
		cmocka_unit_test(test_percentiles_nearest_rank),
		cmocka_unit_test(test_window_keeps_the_recent_samples),
		cmocka_unit_test(test_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
