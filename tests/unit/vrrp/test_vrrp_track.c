/* Tracking weights, sync group decisions and vrrp_script rise/fall. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dk_vrrp_script.h"
#include "dk_vrrp_sync.h"
#include "dk_vrrp_track.h"

struct track_case {
	const char *what;
	uint8_t base;
	struct dk_vrrp_track_obj obj;	/* one interface */
	struct dk_vrrp_track_obj script;
	struct dk_vrrp_track_file file;
	uint8_t want_prio;
	bool want_fault;
};

#define OBJ(ok, w, rev) { ok, w, rev }
#define NOFILE { 0, 1, false }

static const struct track_case track_cases[] = {
	{ "all good, no weights", 100, OBJ(true, 0, false), OBJ(true, 0, false), NOFILE,
	  100, false },
	{ "if down weight 0 is fault", 100, OBJ(false, 0, false), OBJ(true, 0, false), NOFILE,
	  100, true },
	{ "script fail weight 0 is fault", 100, OBJ(true, 0, false), OBJ(false, 0, false),
	  NOFILE, 100, true },
	{ "positive weight added when up", 100, OBJ(true, 10, false), OBJ(true, 5, false),
	  NOFILE, 115, false },
	{ "positive weight not added when down", 100, OBJ(false, 10, false),
	  OBJ(false, 5, false), NOFILE, 100, false },
	{ "negative weight when failing", 100, OBJ(false, -20, false), OBJ(false, -30, false),
	  NOFILE, 50, false },
	{ "negative weight not when ok", 100, OBJ(true, -20, false), OBJ(true, -30, false),
	  NOFILE, 100, false },
	{ "reverse positive applies when down", 100, OBJ(false, 10, true), OBJ(true, 0, false),
	  NOFILE, 110, false },
	{ "reverse negative applies when ok", 100, OBJ(true, -10, true), OBJ(true, 0, false),
	  NOFILE, 90, false },
	{ "clamped to 1", 100, OBJ(false, -200, false), OBJ(true, 0, false), NOFILE, 1, false },
	{ "clamped to 254", 250, OBJ(true, 100, false), OBJ(true, 0, false), NOFILE, 254, false },
	{ "owner stays 255", 255, OBJ(false, -50, false), OBJ(true, 0, false), NOFILE, 255,
	  false },
	{ "file value x weight", 100, OBJ(true, 0, false), OBJ(true, 0, false), { 3, -10, false },
	  70, false },
	{ "file reverse", 100, OBJ(true, 0, false), OBJ(true, 0, false), { 3, -10, true },
	  130, false },
	{ "file weight 0 non-zero is fault", 100, OBJ(true, 0, false), OBJ(true, 0, false),
	  { 1, 0, false }, 100, true },
	{ "file -254 is fault", 100, OBJ(true, 0, false), OBJ(true, 0, false),
	  { -254, 1, false }, 1, true },
	{ "file huge value clamped, no overflow", 100, OBJ(true, 0, false), OBJ(true, 0, false),
	  { INT64_MAX, 254, false }, 254, false },
};

static void
test_track_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(track_cases) / sizeof(track_cases[0]); i++) {
		const struct track_case *tc = &track_cases[i];
		struct dk_vrrp_track_input in = {
			.base_priority = tc->base,
			.ifs = &tc->obj, .n_ifs = 1,
			.scripts = &tc->script, .n_scripts = 1,
			.files = &tc->file, .n_files = 1,
		};
		struct dk_vrrp_track_result r;

		assert_int_equal(dk_vrrp_track_eval(&in, &r), 0);
		if (r.priority != tc->want_prio || r.fault != tc->want_fault)
			fail_msg("%s: got %u/%d, want %u/%d", tc->what, r.priority, r.fault,
				 tc->want_prio, tc->want_fault);
	}
}

static void
test_track_rejects(void **state)
{
	struct dk_vrrp_track_obj bad = { true, 300, false };
	struct dk_vrrp_track_input in = { .base_priority = 100, .ifs = &bad, .n_ifs = 1 };
	struct dk_vrrp_track_result r;

	(void)state;
	assert_int_equal(dk_vrrp_track_eval(&in, &r), -EINVAL);
	in.ifs = NULL;
	assert_int_equal(dk_vrrp_track_eval(&in, &r), -EINVAL);
	in.n_ifs = 0;
	in.base_priority = 0;
	assert_int_equal(dk_vrrp_track_eval(&in, &r), -EINVAL);
}

#define B DK_VRRP_STATE_BACKUP
#define M DK_VRRP_STATE_MASTER
#define F DK_VRRP_STATE_FAULT
#define NONE DK_VRRP_EV_MAX

struct sync_case {
	const char *what;
	struct dk_vrrp_sync_member m[3];
	size_t changed;
	enum dk_vrrp_state old;
	enum dk_vrrp_event_type want[3];
};

static const struct sync_case sync_cases[] = {
	{ "one becomes master", { { M, false }, { B, false }, { B, false } }, 0, B,
	  { NONE, DK_VRRP_EV_SYNC_MASTER, DK_VRRP_EV_SYNC_MASTER } },
	{ "one steps down", { { M, false }, { B, false }, { M, false } }, 1, M,
	  { DK_VRRP_EV_SYNC_BACKUP, NONE, DK_VRRP_EV_SYNC_BACKUP } },
	{ "fault in one is fault in all", { { M, false }, { F, true }, { B, false } }, 1, M,
	  { DK_VRRP_EV_FAULT, NONE, DK_VRRP_EV_FAULT } },
	{ "synced faults resume when the last own fault clears",
	  { { F, false }, { B, false }, { F, false } }, 1, F,
	  { DK_VRRP_EV_RESUME, NONE, DK_VRRP_EV_RESUME } },
	{ "no resume while another member has its own fault",
	  { { F, true }, { F, false }, { F, false } }, 1, B, { NONE, NONE, NONE } },
	{ "backup to backup moves nobody", { { B, false }, { M, false }, { B, false } }, 0, B,
	  { NONE, NONE, NONE } },
};

static void
test_sync_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sync_cases) / sizeof(sync_cases[0]); i++) {
		const struct sync_case *sc = &sync_cases[i];
		enum dk_vrrp_event_type req[3];

		assert_int_equal(dk_vrrp_sync_compute(sc->m, 3, sc->changed, sc->old, req), 0);
		for (size_t j = 0; j < 3; j++)
			if (req[j] != sc->want[j])
				fail_msg("%s: member %zu got %s, want %s", sc->what, j,
					 dk_vrrp_event_name(req[j]),
					 dk_vrrp_event_name(sc->want[j]));
	}
	assert_int_equal(dk_vrrp_sync_compute(sync_cases[0].m, 3, 3, B, NULL), -EINVAL);
}

static void
test_script_rise_fall(void **state)
{
	struct dk_vrrp_script_params p = { .interval_us = 2000000, .timeout_us = 500000,
					   .rise = 2, .fall = 3 };
	struct dk_vrrp_script s;
	uint64_t t = 0;

	(void)state;
	assert_int_equal(dk_vrrp_script_init(&s, &p, 0), 0);
	assert_int_equal(s.status, DK_VRRP_SCRIPT_UNKNOWN);
	assert_true(dk_vrrp_script_ok(&s));
	assert_true(dk_vrrp_script_due(&s, 0));
	assert_int_equal(dk_vrrp_script_started(&s, 0), 500000);
	assert_false(dk_vrrp_script_due(&s, 3000000)); /* still running */
	/* First result decides at once. */
	assert_true(dk_vrrp_script_result(&s, DK_VRRP_SCRIPT_EXITED, 0, 100));
	assert_int_equal(s.status, DK_VRRP_SCRIPT_OK);
	assert_false(dk_vrrp_script_due(&s, 1999999));
	assert_true(dk_vrrp_script_due(&s, 2000000));
	/* fall 3: two failures, a success resets, then three failures. */
	const struct { enum dk_vrrp_script_end end; int code; bool changed;
		       enum dk_vrrp_script_status st; } seq[] = {
		{ DK_VRRP_SCRIPT_EXITED, 1, false, DK_VRRP_SCRIPT_OK },
		{ DK_VRRP_SCRIPT_TIMED_OUT, 0, false, DK_VRRP_SCRIPT_OK },
		{ DK_VRRP_SCRIPT_EXITED, 0, false, DK_VRRP_SCRIPT_OK },
		{ DK_VRRP_SCRIPT_EXITED, 2, false, DK_VRRP_SCRIPT_OK },
		{ DK_VRRP_SCRIPT_SIGNALLED, 0, false, DK_VRRP_SCRIPT_OK },
		{ DK_VRRP_SCRIPT_TIMED_OUT, 0, true, DK_VRRP_SCRIPT_FAILED },
		{ DK_VRRP_SCRIPT_EXITED, 0, false, DK_VRRP_SCRIPT_FAILED },
		{ DK_VRRP_SCRIPT_EXITED, 1, false, DK_VRRP_SCRIPT_FAILED },
		{ DK_VRRP_SCRIPT_EXITED, 0, false, DK_VRRP_SCRIPT_FAILED },
		{ DK_VRRP_SCRIPT_EXITED, 0, true, DK_VRRP_SCRIPT_OK },
	};
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		t += 2000000;
		assert_true(dk_vrrp_script_due(&s, t));
		dk_vrrp_script_started(&s, t);
		if (dk_vrrp_script_result(&s, seq[i].end, seq[i].code, t + 10) != seq[i].changed ||
		    s.status != seq[i].st)
			fail_msg("step %zu: status %s", i, dk_vrrp_script_status_name(s.status));
	}
}

static void
test_script_init_fail_and_defaults(void **state)
{
	struct dk_vrrp_script_params p = { .interval_us = 1000000, .init_fail = true };
	struct dk_vrrp_script s;

	(void)state;
	assert_int_equal(dk_vrrp_script_init(&s, &p, 5), 0);
	assert_false(dk_vrrp_script_ok(&s));
	assert_int_equal(dk_vrrp_script_started(&s, 5), 1000005); /* timeout = interval */
	/* rise 0 is taken as 1 */
	assert_true(dk_vrrp_script_result(&s, DK_VRRP_SCRIPT_EXITED, 0, 10));
	assert_true(dk_vrrp_script_ok(&s));
	p.interval_us = 0;
	assert_int_equal(dk_vrrp_script_init(&s, &p, 0), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_track_table),
		cmocka_unit_test(test_track_rejects),
		cmocka_unit_test(test_sync_table),
		cmocka_unit_test(test_script_rise_fall),
		cmocka_unit_test(test_script_init_fail_and_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
