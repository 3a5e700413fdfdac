#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "dk_lb_slots.h"

static void
seen(void *arg, uint32_t slot)
{
	uint32_t *mask = arg;

	*mask |= 1u << slot;
}

static void
test_fill_and_exhaust(void **state)
{
	struct dk_lb_slots *s;
	uint32_t slot;

	(void)state;
	assert_int_equal(dk_lb_slots_create(0, &s), -EINVAL);
	assert_int_equal(dk_lb_slots_create(3, &s), 0);
	for (uint32_t i = 0; i < 3; i++) {
		assert_int_equal(dk_lb_slots_alloc(s, &slot), 0);
		assert_int_equal(slot, i);
	}
	assert_int_equal(dk_lb_slots_alloc(s, &slot), -ENOSPC);
	assert_int_equal(dk_lb_slots_hwm(s), 3);
	assert_int_equal(dk_lb_slots_taken(s), 3);
	dk_lb_slots_free(s);
}

/* A retired slot is not handed out until a table without it is published. */
static void
test_retire_then_publish(void **state)
{
	struct dk_lb_slots *s;
	uint32_t slot, mask = 0;

	(void)state;
	assert_int_equal(dk_lb_slots_create(4, &s), 0);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(dk_lb_slots_alloc(s, &slot), 0);
	assert_int_equal(dk_lb_slots_retire(s, 2), 0);
	assert_int_equal(dk_lb_slots_retire(s, 2), -EINVAL);
	assert_int_equal(dk_lb_slots_retire(s, 9), -EINVAL);
	assert_int_equal(dk_lb_slots_retire(s, 0), 0);
	assert_int_equal(dk_lb_slots_taken(s), 4);
	assert_int_equal(dk_lb_slots_alloc(s, &slot), -ENOSPC);
	assert_int_equal(dk_lb_slots_published(s, seen, &mask), 2);
	assert_int_equal(mask, (1u << 0) | (1u << 2));
	assert_int_equal(dk_lb_slots_taken(s), 2);
	/* Lowest free first, and the high-water mark stays. */
	assert_int_equal(dk_lb_slots_alloc(s, &slot), 0);
	assert_int_equal(slot, 0);
	assert_int_equal(dk_lb_slots_alloc(s, &slot), 0);
	assert_int_equal(slot, 2);
	assert_int_equal(dk_lb_slots_alloc(s, &slot), -ENOSPC);
	assert_int_equal(dk_lb_slots_hwm(s), 4);
	/* Nothing retired: publishing frees nothing. */
	mask = 0;
	assert_int_equal(dk_lb_slots_published(s, seen, &mask), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(dk_lb_slots_retire(s, 3), 0);
	assert_int_equal(dk_lb_slots_published(s, NULL, NULL), 1);
	dk_lb_slots_free(s);
}

/* Many more add/remove cycles than slots: the one server added each time never runs out. */
static void
test_churn_stays_bounded(void **state)
{
	struct dk_lb_slots *s;
	uint32_t keep, cur, next;

	(void)state;
	assert_int_equal(dk_lb_slots_create(3, &s), 0);
	assert_int_equal(dk_lb_slots_alloc(s, &keep), 0);
	assert_int_equal(dk_lb_slots_alloc(s, &cur), 0);
	for (unsigned i = 0; i < 5000; i++) {
		assert_int_equal(dk_lb_slots_alloc(s, &next), 0);
		assert_int_not_equal(next, cur);
		assert_int_not_equal(next, keep);
		assert_int_equal(dk_lb_slots_retire(s, cur), 0);
		dk_lb_slots_published(s, NULL, NULL);
		cur = next;
	}
	assert_int_equal(dk_lb_slots_hwm(s), 3);
	assert_int_equal(dk_lb_slots_taken(s), 2);
	dk_lb_slots_free(s);
}

/* A clone is what a failed reload rolls back to: changes to either stay apart. */
static void
test_clone(void **state)
{
	struct dk_lb_slots *s, *c;
	uint32_t slot;

	(void)state;
	assert_int_equal(dk_lb_slots_create(4, &s), 0);
	assert_int_equal(dk_lb_slots_alloc(s, &slot), 0);
	assert_int_equal(dk_lb_slots_clone(s, &c), 0);
	assert_int_equal(dk_lb_slots_alloc(s, &slot), 0);
	assert_int_equal(dk_lb_slots_alloc(s, &slot), 0);
	assert_int_equal(dk_lb_slots_hwm(s), 3);
	assert_int_equal(dk_lb_slots_hwm(c), 1);
	assert_int_equal(dk_lb_slots_taken(c), 1);
	assert_int_equal(dk_lb_slots_alloc(c, &slot), 0);
	assert_int_equal(slot, 1);
	assert_int_equal(dk_lb_slots_cap(c), 4);
	dk_lb_slots_free(s);
	dk_lb_slots_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_and_exhaust),
		cmocka_unit_test(test_retire_then_publish),
		cmocka_unit_test(test_churn_stays_bounded),
		cmocka_unit_test(test_clone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
