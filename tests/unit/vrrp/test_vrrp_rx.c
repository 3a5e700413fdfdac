/* Two instances talking through real packets: dk_vrrp_build_advert -> dk_vrrp_rx. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dk_vrrp.h"

#define SEC DK_USEC_PER_SEC

static struct dk_addr vip, group;

static struct dk_vrrp *
mk(const char *name, const char *ip, uint8_t prio, uint8_t auth, bool strict)
{
	struct dk_vrrp_params p = { .version = 2, .vrid = 7, .priority = prio,
				    .advert_int_us = SEC, .auth_type = auth, .strict = strict };
	struct dk_vrrp *vr = NULL;

	strcpy(p.name, name);
	memcpy(p.auth_pass, "pw", 2);
	assert_int_equal(dk_addr_parse(ip, &p.primary), 0);
	assert_int_equal(dk_addr_parse("192.0.2.100", &vip), 0);
	assert_int_equal(dk_addr_parse("224.0.0.18", &group), 0);
	p.vips = &vip;
	p.n_vips = 1;
	assert_int_equal(dk_vrrp_create(&p, &vr), 0);
	return vr;
}

static void
start(struct dk_vrrp *vr, uint64_t now)
{
	struct dk_vrrp_event e = { .type = DK_VRRP_EV_START };
	struct dk_vrrp_actions out;

	assert_int_equal(dk_vrrp_handle(vr, &e, now, &out), 0);
}

static void
to_master(struct dk_vrrp *vr, uint64_t now)
{
	struct dk_vrrp_event e = { .type = DK_VRRP_EV_MASTER_DOWN_TIMER };
	struct dk_vrrp_actions out;

	assert_int_equal(dk_vrrp_handle(vr, &e, now, &out), 0);
	assert_int_equal(vr->state, DK_VRRP_STATE_MASTER);
}

static void
test_higher_peer_takes_over(void **state)
{
	struct dk_vrrp *a = mk("VI_A", "192.0.2.1", 100, DK_VRRP_AUTH_PASS, false);
	struct dk_vrrp *b = mk("VI_B", "192.0.2.2", 200, DK_VRRP_AUTH_PASS, false);
	struct dk_vrrp_actions out;
	enum dk_vrrp_rx_verdict v;
	uint8_t pkt[256];
	size_t len;

	(void)state;
	start(a, 0);
	start(b, 0);
	to_master(a, 4 * SEC);
	to_master(b, 4 * SEC);
	assert_int_equal(dk_vrrp_build_advert(b, b->eff_prio, &group, pkt, sizeof(pkt), &len), 0);
	assert_int_equal(dk_vrrp_rx(a, pkt, len, 5 * SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_OK);
	assert_int_equal(a->state, DK_VRRP_STATE_BACKUP);
	assert_int_equal(a->rx[DK_VRRP_RX_OK], 1);
	assert_int_equal(a->stats[DK_VRRP_ST_ADVERT_RX], 1);
	/* A's own advert looped back is recognised, not treated as a peer. */
	assert_int_equal(dk_vrrp_build_advert(a, 100, &group, pkt, sizeof(pkt), &len), 0);
	assert_int_equal(dk_vrrp_rx(a, pkt, len, 5 * SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_OWN);
	assert_int_equal(out.n, 0);
	/* B, MASTER, hears A's lower advert and re-asserts. */
	assert_int_equal(dk_vrrp_rx(b, pkt, len, 5 * SEC, &out, &v), 0);
	assert_int_equal(b->state, DK_VRRP_STATE_MASTER);
	assert_int_equal(out.a[out.n - 1].type, DK_VRRP_ACT_TIMER_ARM);
	dk_vrrp_free(a);
	dk_vrrp_free(b);
}

static void
test_bad_packets_are_counted_not_handled(void **state)
{
	struct dk_vrrp *a = mk("VI_A", "192.0.2.1", 100, DK_VRRP_AUTH_PASS, false);
	struct dk_vrrp *b = mk("VI_B", "192.0.2.2", 200, DK_VRRP_AUTH_NONE, false);
	struct dk_vrrp_actions out;
	enum dk_vrrp_rx_verdict v;
	uint8_t pkt[256];
	size_t len;

	(void)state;
	start(a, 0);
	assert_int_equal(dk_vrrp_build_advert(b, 200, &group, pkt, sizeof(pkt), &len), 0);
	assert_int_equal(dk_vrrp_rx(a, pkt, len, SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_BAD_AUTH_TYPE);
	assert_int_equal(out.n, 0);
	assert_int_equal(dk_vrrp_rx(a, pkt, 3, SEC, &out, NULL), 0);
	assert_int_equal(a->rx[DK_VRRP_RX_BAD_AUTH_TYPE], 1);
	assert_int_equal(a->rx[DK_VRRP_RX_TRUNCATED], 1);
	assert_int_equal(a->stats[DK_VRRP_ST_ADVERT_RX], 0);
	dk_vrrp_free(a);
	dk_vrrp_free(b);
}

static void
test_ah_sequence_replay(void **state)
{
	struct dk_vrrp *a = mk("VI_A", "192.0.2.1", 100, DK_VRRP_AUTH_AH, false);
	struct dk_vrrp *b = mk("VI_B", "192.0.2.2", 200, DK_VRRP_AUTH_AH, false);
	struct dk_vrrp_actions out;
	enum dk_vrrp_rx_verdict v;
	uint8_t old[256], pkt[256];
	size_t old_len, len;

	(void)state;
	start(a, 0);
	assert_int_equal(dk_vrrp_build_advert(b, 200, &group, old, sizeof(old), &old_len), 0);
	assert_int_equal(dk_vrrp_build_advert(b, 200, &group, pkt, sizeof(pkt), &len), 0);
	assert_int_equal(dk_vrrp_rx(a, pkt, len, SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_OK);
	assert_int_equal(dk_vrrp_rx(a, pkt, len, 2 * SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_BAD_AH_SEQ);
	assert_int_equal(dk_vrrp_rx(a, old, old_len, 2 * SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_BAD_AH_SEQ);
	assert_int_equal(out.n, 0);
	assert_int_equal(dk_vrrp_build_advert(b, 200, &group, pkt, sizeof(pkt), &len), 0);
	assert_int_equal(dk_vrrp_rx(a, pkt, len, 3 * SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_OK);
	dk_vrrp_free(a);
	dk_vrrp_free(b);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(dk_vrrp_state_name(DK_VRRP_STATE_MASTER), "MASTER");
	assert_string_equal(dk_vrrp_stat_name(DK_VRRP_ST_PRI_ZERO_TX), "pri_zero_sent");
	assert_string_equal(dk_vrrp_reason_name(DK_VRRP_REASON_MASTER_DOWN),
			    "master down timer expired");
	assert_string_equal(dk_vrrp_action_name(DK_VRRP_ACT_TAKE_VIPS), "take_vips");
	assert_string_equal(dk_vrrp_state_name(DK_VRRP_STATE_MAX), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_higher_peer_takes_over),
		cmocka_unit_test(test_bad_packets_are_counted_not_handled),
		cmocka_unit_test(test_ah_sequence_replay),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
