/* State machine: RFC 5798 transitions and keepalived behaviours with exact timer values. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dk_vrrp.h"

#define SEC DK_USEC_PER_SEC

static struct dk_addr vip;

static void
base_params(struct dk_vrrp_params *p, uint8_t ver, uint8_t prio, uint64_t adv_us)
{
	memset(p, 0, sizeof(*p));
	strcpy(p->name, "VI_1");
	p->version = ver;
	p->vrid = 51;
	p->priority = prio;
	p->advert_int_us = adv_us;
	p->init_state = DK_VRRP_STATE_BACKUP;
	assert_int_equal(dk_addr_parse("10.0.0.1", &p->primary), 0);
	assert_int_equal(dk_addr_parse("10.0.0.100", &vip), 0);
	p->vips = &vip;
	p->n_vips = 1;
	p->garp_master.repeat = 5;
	p->garp_master.delay_us = 5 * SEC;
	p->garp_lower_prio_repeat = 2;
}

static struct dk_vrrp *
mk(const struct dk_vrrp_params *p)
{
	struct dk_vrrp *vr = NULL;

	assert_int_equal(dk_vrrp_create(p, &vr), 0);
	return vr;
}

static struct dk_vrrp *
mk_simple(uint8_t ver, uint8_t prio, uint64_t adv_us)
{
	struct dk_vrrp_params p;

	base_params(&p, ver, prio, adv_us);
	return mk(&p);
}

static void
ev(struct dk_vrrp *vr, enum dk_vrrp_event_type t, uint64_t now, struct dk_vrrp_actions *out)
{
	struct dk_vrrp_event e = { .type = t };

	assert_int_equal(dk_vrrp_handle(vr, &e, now, out), 0);
}

static void
rx(struct dk_vrrp *vr, const char *src, uint8_t prio, uint16_t int_cs, uint64_t now,
   struct dk_vrrp_actions *out)
{
	struct dk_vrrp_advert a = { .version = vr->p.version, .vrid = vr->p.vrid,
				    .priority = prio, .adver_int_cs = int_cs, .naddr = 1 };
	struct dk_vrrp_event e = { .type = DK_VRRP_EV_ADVERT_RX, .advert = &a };

	assert_int_equal(dk_addr_parse(src, &a.src), 0);
	assert_int_equal(dk_vrrp_handle(vr, &e, now, out), 0);
}

static const struct dk_vrrp_action *
find(const struct dk_vrrp_actions *out, enum dk_vrrp_action_type t)
{
	for (unsigned i = 0; i < out->n; i++)
		if (out->a[i].type == t)
			return &out->a[i];
	return NULL;
}

static bool
has(const struct dk_vrrp_actions *out, enum dk_vrrp_action_type t)
{
	return find(out, t) != NULL;
}

/* Expiry of the last arm of `which` in out; fails if it was not armed. */
static uint64_t
armed_at(const struct dk_vrrp_actions *out, enum dk_vrrp_timer which)
{
	const struct dk_vrrp_action *hit = NULL;

	for (unsigned i = 0; i < out->n; i++)
		if (out->a[i].type == DK_VRRP_ACT_TIMER_ARM && out->a[i].timer.which == which)
			hit = &out->a[i];
	if (hit == NULL)
		fail_msg("timer %s not armed", dk_vrrp_timer_name(which));
	return hit->timer.expire_us;
}

static bool
cancelled(const struct dk_vrrp_actions *out, enum dk_vrrp_timer which)
{
	for (unsigned i = 0; i < out->n; i++)
		if (out->a[i].type == DK_VRRP_ACT_TIMER_CANCEL && out->a[i].timer.which == which)
			return true;
	return false;
}

static bool
logged(const struct dk_vrrp_actions *out, const char *text)
{
	for (unsigned i = 0; i < out->n; i++)
		if (out->a[i].type == DK_VRRP_ACT_LOG && strcmp(out->a[i].log.msg, text) == 0)
			return true;
	return false;
}

static void
assert_notify(const struct dk_vrrp_actions *out, enum dk_vrrp_state from,
	      enum dk_vrrp_state to, enum dk_vrrp_reason why)
{
	const struct dk_vrrp_action *a = find(out, DK_VRRP_ACT_NOTIFY);

	assert_non_null(a);
	assert_int_equal(a->notify.old_state, from);
	assert_int_equal(a->notify.new_state, to);
	assert_int_equal(a->notify.reason, why);
}

struct down_case {
	uint8_t version, prio;
	uint64_t adv_us, want_down_us;
};

static const struct down_case down_cases[] = {
	{ 2, 100, 1 * SEC, 3 * SEC + 609375 }, /* skew 156/256 s */
	{ 2, 254, 1 * SEC, 3 * SEC + 7812 },
	{ 2, 1, 1 * SEC, 3 * SEC + 996093 },
	{ 2, 100, 3 * SEC, 9 * SEC + 609375 }, /* v2 skew does not scale with the interval */
	{ 3, 100, 10000, 30000 + 6093 },       /* 10 ms: skew 156 * 10000 / 256 us */
	{ 3, 100, 1 * SEC, 3 * SEC + 609375 },
	{ 3, 200, 1 * SEC, 3 * SEC + 218750 },
	{ 3, 100, 40950000, 3 * 40950000ULL + 24953906 },
};

static void
test_master_down_interval_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(down_cases) / sizeof(down_cases[0]); i++) {
		const struct down_case *dc = &down_cases[i];
		struct dk_vrrp *vr = mk_simple(dc->version, dc->prio, dc->adv_us);
		struct dk_vrrp_actions out;

		ev(vr, DK_VRRP_EV_START, 1000, &out);
		assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
		assert_int_equal(dk_vrrp_master_down_us(vr), dc->want_down_us);
		assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN),
				 1000 + dc->want_down_us);
		assert_true(logged(&out, "(VI_1) Entering BACKUP STATE"));
		assert_notify(&out, DK_VRRP_STATE_INIT, DK_VRRP_STATE_BACKUP,
			      DK_VRRP_REASON_STARTUP);
		dk_vrrp_free(vr);
	}
}

static void
test_owner_is_master_at_once(void **state)
{
	struct dk_vrrp *vr = mk_simple(2, 255, SEC);
	struct dk_vrrp_actions out;

	(void)state;
	ev(vr, DK_VRRP_EV_START, 0, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
	assert_true(has(&out, DK_VRRP_ACT_TAKE_VIPS));
	assert_int_equal(find(&out, DK_VRRP_ACT_SEND_ADVERT)->advert_priority, 255);
	assert_int_equal(find(&out, DK_VRRP_ACT_GARP_START)->garp.repeat, 5);
	assert_int_equal(find(&out, DK_VRRP_ACT_GARP_START)->garp.delay_us, 5 * SEC);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_ADVER), SEC);
	assert_true(logged(&out, "(VI_1) Entering MASTER STATE"));
	assert_notify(&out, DK_VRRP_STATE_INIT, DK_VRRP_STATE_MASTER, DK_VRRP_REASON_OWNER);
	/* Tracking never lowers the owner. */
	struct dk_vrrp_event e = { .type = DK_VRRP_EV_PRIORITY_CHANGE, .priority = 50 };
	assert_int_equal(dk_vrrp_handle(vr, &e, 10, &out), 0);
	assert_int_equal(out.n, 0);
	assert_int_equal(vr->eff_prio, 255);
	dk_vrrp_free(vr);
}

static void
test_backup_times_out_to_master(void **state)
{
	struct dk_vrrp *vr = mk_simple(2, 100, SEC);
	struct dk_vrrp_actions out;

	(void)state;
	ev(vr, DK_VRRP_EV_START, 0, &out);
	ev(vr, DK_VRRP_EV_MASTER_DOWN_TIMER, 3609375, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
	assert_true(logged(&out, "(VI_1) Receive advertisement timeout"));
	assert_true(cancelled(&out, DK_VRRP_TIMER_MASTER_DOWN));
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_ADVER), 4609375);
	assert_int_equal(find(&out, DK_VRRP_ACT_SEND_ADVERT)->advert_priority, 100);
	assert_notify(&out, DK_VRRP_STATE_BACKUP, DK_VRRP_STATE_MASTER,
		      DK_VRRP_REASON_MASTER_DOWN);
	assert_int_equal(vr->stats[DK_VRRP_ST_BECOME_MASTER], 1);
	/* Adverts every interval; stale timers of other states are ignored. */
	ev(vr, DK_VRRP_EV_ADVER_TIMER, 4609375, &out);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_ADVER), 5609375);
	ev(vr, DK_VRRP_EV_MASTER_DOWN_TIMER, 5000000, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(vr->stats[DK_VRRP_ST_ADVERT_TX], 2);
	dk_vrrp_free(vr);
}

static void
test_backup_follows_master_and_v3_adopts_interval(void **state)
{
	struct dk_vrrp *vr = mk_simple(3, 100, SEC);
	struct dk_vrrp_actions out;

	(void)state;
	ev(vr, DK_VRRP_EV_START, 0, &out);
	rx(vr, "10.0.0.2", 150, 50, 1000, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	/* 3 x 500 ms + 156 x 500 ms / 256 */
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 1000 + 1500000 + 304687);
	assert_int_equal(vr->master_prio, 150);
	/* Equal priority is a valid master too, whatever the addresses. */
	rx(vr, "10.0.0.0", 100, 50, 2000, &out);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 2000 + 1804687);
	dk_vrrp_free(vr);
}

static void
test_backup_lower_prio_preempt_and_nopreempt(void **state)
{
	struct dk_vrrp_params p;
	struct dk_vrrp *vr = mk_simple(2, 100, SEC);
	struct dk_vrrp_actions out;

	(void)state;
	ev(vr, DK_VRRP_EV_START, 0, &out);
	rx(vr, "10.0.0.2", 50, 100, 1000, &out);
	assert_true(logged(&out, "(VI_1) received lower priority (50) advert from 10.0.0.2 - "
				 "discarding"));
	assert_false(has(&out, DK_VRRP_ACT_TIMER_ARM));
	dk_vrrp_free(vr);

	base_params(&p, 2, 100, SEC);
	p.nopreempt = true;
	vr = mk(&p);
	ev(vr, DK_VRRP_EV_START, 0, &out);
	rx(vr, "10.0.0.2", 50, 100, 1000, &out);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 1000 + 3609375);
	dk_vrrp_free(vr);
}

static void
test_preempt_delay(void **state)
{
	struct dk_vrrp_params p;
	struct dk_vrrp *vr;
	struct dk_vrrp_actions out;

	(void)state;
	base_params(&p, 2, 100, SEC);
	p.preempt_delay_us = 5 * SEC;
	vr = mk(&p);
	ev(vr, DK_VRRP_EV_START, 0, &out);
	/* A higher master first: the startup window closes, nothing pending. */
	rx(vr, "10.0.0.2", 150, 100, SEC, &out);
	/* It drops below us: tolerated for preempt_delay, then preempted. */
	rx(vr, "10.0.0.2", 90, 100, 20 * SEC, &out);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_PREEMPT), 25 * SEC);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 20 * SEC + 3609375);
	rx(vr, "10.0.0.2", 90, 100, 21 * SEC, &out);
	assert_false(has(&out, DK_VRRP_ACT_TIMER_ARM) &&
		     find(&out, DK_VRRP_ACT_TIMER_ARM)->timer.which == DK_VRRP_TIMER_PREEMPT);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 21 * SEC + 3609375);
	ev(vr, DK_VRRP_EV_PREEMPT_DELAY_TIMER, 25 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
	assert_notify(&out, DK_VRRP_STATE_BACKUP, DK_VRRP_STATE_MASTER, DK_VRRP_REASON_PREEMPT);
	dk_vrrp_free(vr);

	/* Startup window: a lower master seen 1 s after start is preempted at 5 s. */
	vr = mk(&p);
	ev(vr, DK_VRRP_EV_START, 0, &out);
	rx(vr, "10.0.0.2", 90, 100, SEC, &out);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_PREEMPT), 5 * SEC);
	/* The master rises above us: the pending preemption is cancelled. */
	rx(vr, "10.0.0.2", 120, 100, 2 * SEC, &out);
	assert_true(cancelled(&out, DK_VRRP_TIMER_PREEMPT));
	ev(vr, DK_VRRP_EV_PREEMPT_DELAY_TIMER, 5 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	dk_vrrp_free(vr);
}

static void
test_priority_zero(void **state)
{
	struct dk_vrrp *vr = mk_simple(2, 100, SEC);
	struct dk_vrrp *m = mk_simple(2, 200, SEC);
	struct dk_vrrp_actions out;

	(void)state;
	ev(vr, DK_VRRP_EV_START, 0, &out);
	rx(vr, "10.0.0.2", 0, 100, 7000, &out);
	assert_true(logged(&out, "(VI_1) Backup received priority 0 advertisement"));
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 7000 + 609375);
	assert_int_equal(vr->stats[DK_VRRP_ST_PRI_ZERO_RX], 1);

	/* A master hearing priority 0 answers at once. */
	ev(m, DK_VRRP_EV_START, 0, &out);
	ev(m, DK_VRRP_EV_MASTER_DOWN_TIMER, 4 * SEC, &out);
	rx(m, "10.0.0.2", 0, 100, 4 * SEC + 10, &out);
	assert_int_equal(m->state, DK_VRRP_STATE_MASTER);
	assert_int_equal(find(&out, DK_VRRP_ACT_SEND_ADVERT)->advert_priority, 200);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_ADVER), 5 * SEC + 10);
	dk_vrrp_free(vr);
	dk_vrrp_free(m);
}

static struct dk_vrrp *
started_master(uint8_t prio)
{
	struct dk_vrrp *vr = mk_simple(2, prio, SEC);
	struct dk_vrrp_actions out;

	ev(vr, DK_VRRP_EV_START, 0, &out);
	ev(vr, DK_VRRP_EV_MASTER_DOWN_TIMER, 4 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
	return vr;
}

static void
test_master_steps_down(void **state)
{
	struct dk_vrrp *vr = started_master(100);
	struct dk_vrrp_actions out;

	(void)state;
	rx(vr, "10.0.0.2", 150, 100, 5 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	assert_true(logged(&out, "(VI_1) Master received advert from 10.0.0.2 with higher "
				 "priority 150, ours 100"));
	assert_true(cancelled(&out, DK_VRRP_TIMER_ADVER));
	assert_true(has(&out, DK_VRRP_ACT_RELEASE_VIPS));
	assert_true(has(&out, DK_VRRP_ACT_GARP_STOP));
	assert_false(has(&out, DK_VRRP_ACT_SEND_ADVERT));
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 5 * SEC + 3609375);
	assert_notify(&out, DK_VRRP_STATE_MASTER, DK_VRRP_STATE_BACKUP,
		      DK_VRRP_REASON_HIGHER_PRIO);
	assert_int_equal(vr->stats[DK_VRRP_ST_RELEASE_MASTER], 1);
	dk_vrrp_free(vr);

	/* Equal priority: the higher primary address wins. */
	vr = started_master(100);
	rx(vr, "10.0.0.0", 100, 100, 5 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
	rx(vr, "10.0.0.9", 100, 100, 5 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	assert_true(logged(&out, "(VI_1) Master received advert from 10.0.0.9 with same "
				 "priority 100 but higher IP address than ours"));
	dk_vrrp_free(vr);
}

static void
test_master_reasserts_against_lower(void **state)
{
	struct dk_vrrp *vr = started_master(100);
	struct dk_vrrp_actions out;
	const struct dk_vrrp_action *g;

	(void)state;
	rx(vr, "10.0.0.2", 90, 100, 5 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
	assert_true(logged(&out, "(VI_1) Received advert from 10.0.0.2 with lower priority 90, "
				 "ours 100, forcing new election"));
	assert_int_equal(find(&out, DK_VRRP_ACT_SEND_ADVERT)->advert_priority, 100);
	g = find(&out, DK_VRRP_ACT_GARP_START);
	assert_non_null(g);
	assert_int_equal(g->garp.repeat, 2);
	assert_int_equal(g->garp.delay_us, 0);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_ADVER), 6 * SEC);
	assert_true(vr->sb.suspect);
	assert_false(vr->sb.active);
	dk_vrrp_free(vr);
}

static void
test_split_brain_detect_and_resolve(void **state)
{
	struct dk_vrrp *vr = started_master(100);
	struct dk_vrrp_actions out;
	const struct dk_vrrp_action *a;

	(void)state;
	/* The other master keeps talking: reported once it outlives Master_Down_Interval. */
	for (uint64_t t = 10; t <= 13; t++) {
		rx(vr, "10.0.0.2", 90, 100, t * SEC, &out);
		assert_false(has(&out, DK_VRRP_ACT_SPLIT_BRAIN));
	}
	rx(vr, "10.0.0.2", 90, 100, 14 * SEC, &out);
	a = find(&out, DK_VRRP_ACT_SPLIT_BRAIN);
	assert_non_null(a);
	assert_int_equal(a->split.since_us, 10 * SEC);
	assert_true(logged(&out, "(VI_1) split brain: 10.0.0.2 is also MASTER"));
	assert_int_equal(vr->stats[DK_VRRP_ST_SPLIT_BRAIN], 1);
	assert_true(vr->sb.active);
	rx(vr, "10.0.0.2", 90, 100, 15 * SEC, &out);
	assert_false(has(&out, DK_VRRP_ACT_SPLIT_BRAIN));
	assert_int_equal(vr->stats[DK_VRRP_ST_SPLIT_BRAIN], 1);
	/* Silence from it for a Master_Down_Interval: only one master is left. */
	ev(vr, DK_VRRP_EV_ADVER_TIMER, 18 * SEC, &out);
	assert_false(has(&out, DK_VRRP_ACT_SPLIT_BRAIN_RESOLVED));
	ev(vr, DK_VRRP_EV_ADVER_TIMER, 19 * SEC, &out);
	a = find(&out, DK_VRRP_ACT_SPLIT_BRAIN_RESOLVED);
	assert_non_null(a);
	assert_false(vr->sb.active);
	dk_vrrp_free(vr);

	/* Resolved also when we give way to a better master. */
	vr = started_master(100);
	for (uint64_t t = 10; t <= 14; t++)
		rx(vr, "10.0.0.2", 90, 100, t * SEC, &out);
	assert_true(vr->sb.active);
	rx(vr, "10.0.0.3", 200, 100, 15 * SEC, &out);
	assert_true(has(&out, DK_VRRP_ACT_SPLIT_BRAIN_RESOLVED));
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	dk_vrrp_free(vr);
}

static void
test_shutdown_and_fault(void **state)
{
	struct dk_vrrp *vr = started_master(100);
	struct dk_vrrp_actions out;

	(void)state;
	ev(vr, DK_VRRP_EV_SHUTDOWN, 5 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_INIT);
	assert_int_equal(find(&out, DK_VRRP_ACT_SEND_ADVERT)->advert_priority, 0);
	assert_true(has(&out, DK_VRRP_ACT_RELEASE_VIPS));
	assert_true(cancelled(&out, DK_VRRP_TIMER_ADVER));
	assert_notify(&out, DK_VRRP_STATE_MASTER, DK_VRRP_STATE_INIT, DK_VRRP_REASON_SHUTDOWN);
	assert_int_equal(vr->stats[DK_VRRP_ST_PRI_ZERO_TX], 1);
	dk_vrrp_free(vr);

	vr = started_master(100);
	ev(vr, DK_VRRP_EV_FAULT, 5 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_FAULT);
	assert_int_equal(find(&out, DK_VRRP_ACT_SEND_ADVERT)->advert_priority, 0);
	assert_true(logged(&out, "(VI_1) Entering FAULT STATE"));
	rx(vr, "10.0.0.2", 90, 100, 6 * SEC, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(vr->stats[DK_VRRP_ST_RX_IGNORED], 1);
	ev(vr, DK_VRRP_EV_RESUME, 7 * SEC, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 7 * SEC + 3609375);
	assert_notify(&out, DK_VRRP_STATE_FAULT, DK_VRRP_STATE_BACKUP, DK_VRRP_REASON_RESUME);
	/* A backup going to FAULT stops listening, sends nothing. */
	ev(vr, DK_VRRP_EV_FAULT, 8 * SEC, &out);
	assert_true(cancelled(&out, DK_VRRP_TIMER_MASTER_DOWN));
	assert_false(has(&out, DK_VRRP_ACT_SEND_ADVERT));
	dk_vrrp_free(vr);

	/* Fault known before start: start straight into FAULT. */
	vr = mk_simple(2, 100, SEC);
	ev(vr, DK_VRRP_EV_FAULT, 0, &out);
	assert_int_equal(out.n, 0);
	ev(vr, DK_VRRP_EV_START, 0, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_FAULT);
	dk_vrrp_free(vr);
}

static void
test_state_master_config(void **state)
{
	struct dk_vrrp_params p;
	struct dk_vrrp *vr;
	struct dk_vrrp_actions out;

	(void)state;
	base_params(&p, 2, 100, SEC);
	p.init_state = DK_VRRP_STATE_MASTER;
	vr = mk(&p);
	ev(vr, DK_VRRP_EV_START, 0, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), SEC + 609375);
	dk_vrrp_free(vr);
	/* With nopreempt it is a plain BACKUP. */
	p.nopreempt = true;
	vr = mk(&p);
	ev(vr, DK_VRRP_EV_START, 0, &out);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 3609375);
	dk_vrrp_free(vr);
}

static void
test_priority_change(void **state)
{
	struct dk_vrrp *vr = started_master(100);
	struct dk_vrrp_event e = { .type = DK_VRRP_EV_PRIORITY_CHANGE, .priority = 0 };
	struct dk_vrrp_actions out;

	(void)state;
	assert_int_equal(dk_vrrp_handle(vr, &e, 5 * SEC, &out), 0);
	assert_int_equal(vr->eff_prio, 1); /* clamped */
	assert_int_equal(find(&out, DK_VRRP_ACT_SEND_ADVERT)->advert_priority, 1);
	assert_true(logged(&out, "(VI_1) Changing effective priority from 100 to 1"));
	e.priority = 255;
	assert_int_equal(dk_vrrp_handle(vr, &e, 5 * SEC, &out), 0);
	assert_int_equal(vr->eff_prio, 254);
	assert_int_equal(dk_vrrp_handle(vr, &e, 5 * SEC, &out), 0);
	assert_int_equal(out.n, 0);
	dk_vrrp_free(vr);
}

static void
test_sync_events(void **state)
{
	struct dk_vrrp *vr = mk_simple(2, 100, SEC);
	struct dk_vrrp_actions out;

	(void)state;
	ev(vr, DK_VRRP_EV_START, 0, &out);
	ev(vr, DK_VRRP_EV_SYNC_MASTER, 10, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
	assert_notify(&out, DK_VRRP_STATE_BACKUP, DK_VRRP_STATE_MASTER, DK_VRRP_REASON_SYNC);
	ev(vr, DK_VRRP_EV_SYNC_BACKUP, 20, &out);
	assert_int_equal(vr->state, DK_VRRP_STATE_BACKUP);
	assert_int_equal(armed_at(&out, DK_VRRP_TIMER_MASTER_DOWN), 20 + 3609375);
	dk_vrrp_free(vr);
}

static void
test_create_rejects(void **state)
{
	struct dk_vrrp_params p;
	struct dk_vrrp *vr = NULL;

	(void)state;
	base_params(&p, 2, 100, 1500000);
	assert_int_equal(dk_vrrp_create(&p, &vr), -EINVAL);
	base_params(&p, 3, 100, 15000);
	assert_int_equal(dk_vrrp_create(&p, &vr), -EINVAL);
	base_params(&p, 3, 100, SEC);
	p.auth_type = DK_VRRP_AUTH_PASS;
	assert_int_equal(dk_vrrp_create(&p, &vr), -EINVAL);
	base_params(&p, 2, 0, SEC);
	assert_int_equal(dk_vrrp_create(&p, &vr), -EINVAL);
	base_params(&p, 4, 100, SEC);
	assert_int_equal(dk_vrrp_create(&p, &vr), -EINVAL);
	base_params(&p, 2, 100, SEC);
	assert_int_equal(dk_addr_parse("2001:db8::1", &p.primary), 0);
	assert_int_equal(dk_vrrp_create(&p, &vr), -EINVAL);
	assert_null(vr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_master_down_interval_table),
		cmocka_unit_test(test_owner_is_master_at_once),
		cmocka_unit_test(test_backup_times_out_to_master),
		cmocka_unit_test(test_backup_follows_master_and_v3_adopts_interval),
		cmocka_unit_test(test_backup_lower_prio_preempt_and_nopreempt),
		cmocka_unit_test(test_preempt_delay),
		cmocka_unit_test(test_priority_zero),
		cmocka_unit_test(test_master_steps_down),
		cmocka_unit_test(test_master_reasserts_against_lower),
		cmocka_unit_test(test_split_brain_detect_and_resolve),
		cmocka_unit_test(test_shutdown_and_fault),
		cmocka_unit_test(test_state_master_config),
		cmocka_unit_test(test_priority_change),
		cmocka_unit_test(test_sync_events),
		cmocka_unit_test(test_create_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
