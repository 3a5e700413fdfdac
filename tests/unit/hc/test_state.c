/* Checker retry/up/down timing, real-server aggregation, quorum and spreading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>

#include "dk_hc_state.h"

#define S DK_USEC_PER_SEC

static struct dk_hc_checker *
mk(uint32_t retry, bool alpha)
{
	struct dk_hc_checker_params p = {
		.delay_loop_us = 10 * S,
		.connect_timeout_us = 3 * S,
		.delay_before_retry_us = 2 * S,
		.retry = retry,
		.alpha = alpha,
	};
	struct dk_hc_checker *c;

	assert_int_equal(dk_hc_checker_create(&p, &c), 0);
	dk_hc_checker_arm(c, 0, 0);
	return c;
}

/* Runs one probe at its due time with result r; returns the transition. */
static enum dk_hc_transition
run(struct dk_hc_checker *c, enum dk_hc_result r, uint64_t *now)
{
	enum dk_hc_transition tr;

	*now = dk_hc_checker_next_due(c);
	assert_int_equal(dk_hc_checker_begin(c, *now), *now + 3 * S);
	assert_int_equal(dk_hc_checker_next_due(c), UINT64_MAX);
	assert_int_equal(dk_hc_checker_result(c, r, *now + S, &tr), 0);
	*now += S;
	return tr;
}

static void
down_after_retry_plus_one(void **state)
{
	struct dk_hc_checker *c = mk(3, false);
	uint64_t now = 0;

	(void)state;
	assert_true(dk_hc_checker_up(c));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(run(c, DK_HC_CONNECT_TIMEOUT, &now), DK_HC_TR_NONE);
		assert_true(dk_hc_checker_up(c));
		assert_int_equal(dk_hc_checker_retry_it(c), i + 1);
		/* each retry comes delay_before_retry after the failure */
		assert_int_equal(dk_hc_checker_next_due(c), now + 2 * S);
	}
	assert_int_equal(run(c, DK_HC_CONNECT_TIMEOUT, &now), DK_HC_TR_DOWN);
	assert_false(dk_hc_checker_up(c));
	assert_int_equal(dk_hc_checker_retry_it(c), 0);
	assert_int_equal(dk_hc_checker_next_due(c), now + 10 * S);
	/* once down, failures wait delay_loop and report nothing more */
	assert_int_equal(run(c, DK_HC_RESET, &now), DK_HC_TR_NONE);
	assert_int_equal(dk_hc_checker_next_due(c), now + 10 * S);
	/* one success brings it back */
	assert_int_equal(run(c, DK_HC_OK, &now), DK_HC_TR_UP);
	assert_true(dk_hc_checker_up(c));
	assert_int_equal(run(c, DK_HC_OK, &now), DK_HC_TR_NONE);
	dk_hc_checker_free(c);
}

static void
success_resets_retries(void **state)
{
	struct dk_hc_checker *c = mk(1, false);
	uint64_t now = 0;

	(void)state;
	assert_int_equal(run(c, DK_HC_RESET, &now), DK_HC_TR_NONE);
	assert_int_equal(run(c, DK_HC_OK, &now), DK_HC_TR_NONE);
	assert_int_equal(dk_hc_checker_retry_it(c), 0);
	assert_int_equal(run(c, DK_HC_RESET, &now), DK_HC_TR_NONE);
	assert_int_equal(run(c, DK_HC_RESET, &now), DK_HC_TR_DOWN);
	dk_hc_checker_free(c);
}

static void
retry_zero_goes_down_at_once(void **state)
{
	struct dk_hc_checker *c = mk(0, false);
	uint64_t now = 0;

	(void)state;
	assert_int_equal(run(c, DK_HC_BAD_STATUS, &now), DK_HC_TR_DOWN);
	assert_int_equal(dk_hc_checker_last_result(c), DK_HC_BAD_STATUS);
	dk_hc_checker_free(c);
}

static void
alpha_starts_down(void **state)
{
	struct dk_hc_checker *c = mk(2, true);
	uint64_t now = 0;
	enum dk_hc_transition tr;

	(void)state;
	assert_false(dk_hc_checker_up(c));
	/* before its first verdict an alpha checker still retries, then stays down */
	assert_int_equal(run(c, DK_HC_RESET, &now), DK_HC_TR_NONE);
	assert_int_equal(dk_hc_checker_next_due(c), now + 2 * S);
	assert_int_equal(run(c, DK_HC_RESET, &now), DK_HC_TR_NONE);
	assert_int_equal(run(c, DK_HC_RESET, &now), DK_HC_TR_NONE);
	assert_int_equal(dk_hc_checker_next_due(c), now + 10 * S);
	assert_int_equal(run(c, DK_HC_OK, &now), DK_HC_TR_UP);
	assert_int_equal(dk_hc_checker_result(c, DK_HC_PENDING, now, &tr), -EINVAL);
	dk_hc_checker_free(c);
}

static void
warmup_is_seeded_and_bounded(void **state)
{
	struct dk_hc_checker_params p = { .warmup_us = 5 * S, .seed = 42 };
	struct dk_hc_checker *a, *b;
	uint64_t due;

	(void)state;
	assert_int_equal(dk_hc_checker_create(&p, &a), 0);
	assert_int_equal(dk_hc_checker_create(&p, &b), 0);
	dk_hc_checker_arm(a, 100, 0);
	dk_hc_checker_arm(b, 100, 0);
	due = dk_hc_checker_next_due(a);
	assert_true(due >= 100 && due <= 100 + 5 * S);
	assert_int_equal(due, dk_hc_checker_next_due(b));
	dk_hc_checker_free(a);
	dk_hc_checker_free(b);
}

static void
spread_over_interval(void **state)
{
	uint64_t iv = 6 * S, prev = 0;

	(void)state;
	for (uint32_t i = 0; i < 6; i++) {
		uint64_t o = dk_hc_spread_offset(7, i, 6, iv);

		assert_true(o >= i * S && o < i * S + S / 2);
		assert_true(i == 0 || o > prev);
		assert_int_equal(o, dk_hc_spread_offset(7, i, 6, iv));
		prev = o;
	}
	assert_int_equal(dk_hc_spread_offset(1, 0, 0, iv), 0);
}

static void
rs_needs_all_checkers(void **state)
{
	struct dk_hc_rs_params rp = { .weight = 5, .omega = true };
	struct dk_hc_checker *a = mk(0, false), *b = mk(0, false);
	struct dk_hc_rs_change chg;
	struct dk_hc_rs *rs;
	uint64_t now = 0;

	(void)state;
	assert_int_equal(dk_hc_rs_create(&rp, &rs), 0);
	assert_int_equal(dk_hc_rs_add_checker(rs, a), 0);
	assert_int_equal(dk_hc_rs_add_checker(rs, b), 0);
	assert_true(dk_hc_rs_alive(rs));
	assert_int_equal(run(a, DK_HC_RESET, &now), DK_HC_TR_DOWN);
	dk_hc_rs_eval(rs, &chg);
	assert_int_equal(chg.tr, DK_HC_TR_DOWN);
	assert_int_equal(run(b, DK_HC_RESET, &now), DK_HC_TR_DOWN);
	dk_hc_rs_eval(rs, &chg);
	assert_int_equal(chg.tr, DK_HC_TR_NONE); /* notify_down only once */
	assert_int_equal(run(a, DK_HC_OK, &now), DK_HC_TR_UP);
	dk_hc_rs_eval(rs, &chg);
	assert_int_equal(chg.tr, DK_HC_TR_NONE);
	assert_false(dk_hc_rs_alive(rs));
	assert_int_equal(run(b, DK_HC_OK, &now), DK_HC_TR_UP);
	dk_hc_rs_eval(rs, &chg);
	assert_int_equal(chg.tr, DK_HC_TR_UP);
	/* misc_dynamic weight */
	dk_hc_checker_set_weight(b, 3);
	dk_hc_rs_eval(rs, &chg);
	assert_true(chg.weight_changed);
	assert_int_equal(dk_hc_rs_weight(rs), 3);
	dk_hc_checker_set_weight(b, -1);
	dk_hc_rs_eval(rs, &chg);
	assert_int_equal(dk_hc_rs_weight(rs), 5);
	assert_int_equal(dk_hc_rs_shutdown(rs), DK_HC_TR_DOWN);
	dk_hc_rs_free(rs);
	dk_hc_checker_free(a);
	dk_hc_checker_free(b);
}

static void
alpha_rs_starts_dead_without_transition(void **state)
{
	struct dk_hc_rs_params rp = { .weight = 1 };
	struct dk_hc_checker *a = mk(0, true);
	struct dk_hc_rs *rs;

	(void)state;
	assert_int_equal(dk_hc_rs_create(&rp, &rs), 0);
	assert_int_equal(dk_hc_rs_add_checker(rs, a), 0);
	assert_false(dk_hc_rs_alive(rs));
	assert_int_equal(dk_hc_rs_shutdown(rs), DK_HC_TR_NONE);
	dk_hc_rs_free(rs);
	dk_hc_checker_free(a);
}

static void
quorum_with_hysteresis(void **state)
{
	struct dk_hc_vs_params vp = { .quorum = 4, .hysteresis = 1, .omega = true };
	struct dk_hc_rs_params rp = { .weight = 1 };
	struct dk_hc_checker *c[6];
	struct dk_hc_rs *rs[6];
	struct dk_hc_rs_change chg;
	struct dk_hc_vs *vs;
	uint64_t now = 0;

	(void)state;
	assert_int_equal(dk_hc_vs_create(&vp, &vs), 0);
	for (int i = 0; i < 6; i++) {
		c[i] = mk(0, false);
		assert_int_equal(dk_hc_rs_create(&rp, &rs[i]), 0);
		assert_int_equal(dk_hc_rs_add_checker(rs[i], c[i]), 0);
		assert_int_equal(dk_hc_vs_add_rs(vs, rs[i]), 0);
	}
	assert_int_equal(dk_hc_vs_eval(vs), DK_HC_TR_NONE);
	assert_int_equal(dk_hc_vs_alive_weight(vs), 6);
	/* 6 -> 3: still >= quorum - hysteresis */
	for (int i = 0; i < 3; i++) {
		run(c[i], DK_HC_RESET, &now);
		dk_hc_rs_eval(rs[i], &chg);
		assert_int_equal(dk_hc_vs_eval(vs), DK_HC_TR_NONE);
	}
	assert_true(dk_hc_vs_quorum_up(vs));
	run(c[3], DK_HC_RESET, &now);
	dk_hc_rs_eval(rs[3], &chg);
	assert_int_equal(dk_hc_vs_alive_weight(vs), 2);
	assert_int_equal(dk_hc_vs_eval(vs), DK_HC_TR_DOWN);
	/* back to 4 is not enough: up needs quorum + hysteresis = 5 */
	for (int i = 0; i < 2; i++) {
		run(c[i], DK_HC_OK, &now);
		dk_hc_rs_eval(rs[i], &chg);
		assert_int_equal(dk_hc_vs_eval(vs), DK_HC_TR_NONE);
	}
	assert_false(dk_hc_vs_quorum_up(vs));
	run(c[2], DK_HC_OK, &now);
	dk_hc_rs_eval(rs[2], &chg);
	assert_int_equal(dk_hc_vs_eval(vs), DK_HC_TR_UP);
	assert_int_equal(dk_hc_vs_shutdown(vs), DK_HC_TR_DOWN);
	dk_hc_vs_free(vs);
	for (int i = 0; i < 6; i++) {
		dk_hc_rs_free(rs[i]);
		dk_hc_checker_free(c[i]);
	}
}

static void
quorum_starts_short_with_alpha(void **state)
{
	struct dk_hc_vs_params vp = { .quorum = 1 };
	struct dk_hc_rs_params rp = { .weight = 1 };
	struct dk_hc_checker *c = mk(0, true);
	struct dk_hc_rs *rs;
	struct dk_hc_vs *vs;

	(void)state;
	assert_int_equal(dk_hc_vs_create(&vp, &vs), 0);
	assert_int_equal(dk_hc_rs_create(&rp, &rs), 0);
	assert_int_equal(dk_hc_rs_add_checker(rs, c), 0);
	assert_int_equal(dk_hc_vs_add_rs(vs, rs), 0);
	assert_int_equal(dk_hc_vs_eval(vs), DK_HC_TR_DOWN);
	assert_int_equal(dk_hc_vs_eval(vs), DK_HC_TR_NONE);
	assert_int_equal(dk_hc_vs_shutdown(vs), DK_HC_TR_NONE);
	dk_hc_vs_free(vs);
	dk_hc_rs_free(rs);
	dk_hc_checker_free(c);
}

static void
names(void **state)
{
	(void)state;
	assert_string_equal(dk_hc_result_str(DK_HC_CONNECT_REFUSED), "connection refused");
	assert_string_equal(dk_hc_result_str(DK_HC_RESULT_MAX), "unknown");
	assert_int_equal(dk_hc_kind_from_name("SSL_GET"), DK_HC_KIND_SSL);
	assert_int_equal(dk_hc_kind_from_name("NOPE"), -1);
	for (int k = 0; k < DK_HC_KIND_MAX; k++)
		assert_non_null(dk_hc_probe_ops_get(k));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(down_after_retry_plus_one),
		cmocka_unit_test(success_resets_retries),
		cmocka_unit_test(retry_zero_goes_down_at_once),
		cmocka_unit_test(alpha_starts_down),
		cmocka_unit_test(warmup_is_seeded_and_bounded),
		cmocka_unit_test(spread_over_interval),
		cmocka_unit_test(rs_needs_all_checkers),
		cmocka_unit_test(alpha_rs_starts_dead_without_transition),
		cmocka_unit_test(quorum_with_hysteresis),
		cmocka_unit_test(quorum_starts_short_with_alpha),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
