/*
 * IPsec AH (VRRPv2 auth_type AH) against stock keepalived 2.2.7: adverts it sent in the lab
 * (tests/integ/vrrp_ah.sh topology, captured with tshark) are data here. keepalived
 * 192.0.2.3, vrid 51, priority 200, advert_int 1, VIP 192.0.2.50, auth_pass "s3cret";
 * multicast to 224.0.0.18, and unicast to the peer 192.0.2.1.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dk_cksum.h"
#include "dk_vrrp.h"
#include "dk_vrrp_pkt.h"

#define SEC DK_USEC_PER_SEC

static const uint8_t ka_mcast_seq1[] = {
	0x45, 0xc0, 0x00, 0x40, 0x00, 0x01, 0x00, 0x00, 0xff, 0x33, 0x18, 0xb4,
	0xc0, 0x00, 0x02, 0x03, 0xe0, 0x00, 0x00, 0x12, 0x70, 0x04, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x01, 0xf4, 0xcb, 0x0c, 0xad,
	0x01, 0xd8, 0xff, 0x0f, 0x15, 0x17, 0xcb, 0x07, 0x21, 0x33, 0xc8, 0x01,
	0x02, 0x01, 0x52, 0x97, 0xc0, 0x00, 0x02, 0x32, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const uint8_t ka_mcast_seq2[] = {
	0x45, 0xc0, 0x00, 0x40, 0x00, 0x02, 0x00, 0x00, 0xff, 0x33, 0x18, 0xb3,
	0xc0, 0x00, 0x02, 0x03, 0xe0, 0x00, 0x00, 0x12, 0x70, 0x04, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x02, 0x1c, 0x75, 0x6e, 0x0e,
	0x85, 0xa9, 0xa2, 0x7f, 0x51, 0x98, 0x0d, 0x23, 0x21, 0x33, 0xc8, 0x01,
	0x02, 0x01, 0x52, 0x97, 0xc0, 0x00, 0x02, 0x32, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static const uint8_t ka_unicast_seq1[] = {
	0x45, 0xc0, 0x00, 0x40, 0x00, 0x01, 0x00, 0x00, 0xff, 0x33, 0x36, 0xc5,
	0xc0, 0x00, 0x02, 0x03, 0xc0, 0x00, 0x02, 0x01, 0x70, 0x04, 0x00, 0x00,
	0xc0, 0x00, 0x02, 0x03, 0x00, 0x00, 0x00, 0x01, 0xef, 0x23, 0xf5, 0x94,
	0x9f, 0x15, 0x08, 0x9b, 0x06, 0xe5, 0x0a, 0x4d, 0x21, 0x33, 0xc8, 0x01,
	0x02, 0x01, 0x52, 0x97, 0xc0, 0x00, 0x02, 0x32, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00,
};

static struct dk_addr ka_addr, dk_addr_, group, vip;

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(dk_addr_parse("192.0.2.3", &ka_addr), 0);
	assert_int_equal(dk_addr_parse("192.0.2.1", &dk_addr_), 0);
	assert_int_equal(dk_addr_parse("224.0.0.18", &group), 0);
	assert_int_equal(dk_addr_parse("192.0.2.50", &vip), 0);
	return 0;
}

static void
ctx_for(struct dk_vrrp_rx_ctx *c, const char *pass, bool unicast)
{
	memset(c, 0, sizeof(*c));
	c->version = 2;
	c->vrid = 51;
	c->auth_type = DK_VRRP_AUTH_AH;
	strncpy((char *)c->auth_pass, pass, sizeof(c->auth_pass));
	c->v2_adver_int_s = 1;
	c->unicast = unicast;
	c->ttl_min = 1;
	c->ttl_max = 255;
	c->own_addr = &dk_addr_;
	c->vips = &vip;
	c->n_vips = 1;
}

/* What dpkeep would send in keepalived's place. */
static void
tx_for(struct dk_vrrp_tx_params *p, uint32_t seq, bool unicast)
{
	memset(p, 0, sizeof(*p));
	p->version = 2;
	p->vrid = 51;
	p->priority = 200;
	p->auth_type = DK_VRRP_AUTH_AH;
	memcpy(p->auth_pass, "s3cret", 6);
	p->adver_int_cs = 100;
	p->ah_seq = seq;
	p->ip_id = (uint16_t)seq;
	p->unicast = unicast;
	p->src = ka_addr;
	p->dst = unicast ? dk_addr_ : group;
	p->vips = &vip;
	p->n_vips = 1;
}

static void
test_decode_keepalived(void **state)
{
	struct dk_vrrp_rx_ctx c;
	struct dk_vrrp_advert adv;

	(void)state;
	ctx_for(&c, "s3cret", false);
	assert_int_equal(dk_vrrp_decode(&c, ka_mcast_seq1, sizeof(ka_mcast_seq1), &adv),
			 DK_VRRP_RX_OK);
	assert_int_equal(adv.ah_seq, 1);
	assert_int_equal(adv.priority, 200);
	assert_true(dk_addr_eq(&adv.src, &ka_addr));
	assert_int_equal(dk_vrrp_decode(&c, ka_mcast_seq2, sizeof(ka_mcast_seq2), &adv),
			 DK_VRRP_RX_OK);
	assert_int_equal(adv.ah_seq, 2);
	ctx_for(&c, "s3cret", true);
	assert_int_equal(dk_vrrp_decode(&c, ka_unicast_seq1, sizeof(ka_unicast_seq1), &adv),
			 DK_VRRP_RX_OK);
	/* The TTL is in keepalived's multicast ICV and out of its unicast one. */
	assert_int_equal(dk_vrrp_decode(&c, ka_mcast_seq1, sizeof(ka_mcast_seq1), &adv),
			 DK_VRRP_RX_BAD_AH);
	ctx_for(&c, "s3cret", false);
	assert_int_equal(dk_vrrp_decode(&c, ka_unicast_seq1, sizeof(ka_unicast_seq1), &adv),
			 DK_VRRP_RX_BAD_AH);
}

static void
test_encode_matches_keepalived(void **state)
{
	struct dk_vrrp_tx_params p;
	uint8_t buf[128];
	size_t len = 0;

	(void)state;
	/* Byte for byte, IP header checksum (the kernel's on keepalived's side) included. */
	tx_for(&p, 1, false);
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(ka_mcast_seq1));
	assert_memory_equal(buf, ka_mcast_seq1, len);
	tx_for(&p, 2, false);
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, ka_mcast_seq2, len);
	tx_for(&p, 1, true);
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, ka_unicast_seq1, len);
}

static void
test_tampered_or_wrong_spi(void **state)
{
	struct dk_vrrp_rx_ctx c;
	struct dk_vrrp_advert adv;
	uint8_t pkt[sizeof(ka_mcast_seq1)];
	uint16_t ck;

	(void)state;
	ctx_for(&c, "s3cret", false);
	/* TOS and the header checksum are outside the ICV: rewriting TOS (and resealing the
	 * header as a router would) keeps the advert valid. */
	memcpy(pkt, ka_mcast_seq1, sizeof(pkt));
	pkt[1] = 0;
	pkt[10] = pkt[11] = 0;
	ck = dk_cksum(pkt, 20);
	memcpy(pkt + 10, &ck, 2);
	assert_int_equal(dk_vrrp_decode(&c, pkt, sizeof(pkt), &adv), DK_VRRP_RX_OK);
	/* The identification field is covered. */
	memcpy(pkt, ka_mcast_seq1, sizeof(pkt));
	pkt[5] = 9;
	pkt[10] = pkt[11] = 0;
	ck = dk_cksum(pkt, 20);
	memcpy(pkt + 10, &ck, 2);
	assert_int_equal(dk_vrrp_decode(&c, pkt, sizeof(pkt), &adv), DK_VRRP_RX_BAD_AH);
	/* A valid ICV over an SPI that is not the sender's address: keepalived refuses it. */
	{
		struct dk_vrrp_tx_params p;
		size_t len = 0;

		tx_for(&p, 1, false);
		assert_int_equal(dk_vrrp_encode(&p, pkt, sizeof(pkt), &len), 0);
		pkt[27] ^= 1;
		assert_int_equal(dk_vrrp_decode(&c, pkt, len, &adv), DK_VRRP_RX_BAD_AH);
	}
}

static struct dk_vrrp *
mk(const char *pass)
{
	struct dk_vrrp_params p = { .version = 2, .vrid = 51, .priority = 150,
				    .advert_int_us = SEC, .auth_type = DK_VRRP_AUTH_AH };
	struct dk_vrrp *vr = NULL;

	strcpy(p.name, "VI_1");
	strncpy((char *)p.auth_pass, pass, sizeof(p.auth_pass));
	p.primary = dk_addr_;
	p.vips = &vip;
	p.n_vips = 1;
	assert_int_equal(dk_vrrp_create(&p, &vr), 0);
	return vr;
}

static void
start(struct dk_vrrp *vr)
{
	struct dk_vrrp_event e = { .type = DK_VRRP_EV_START };
	struct dk_vrrp_actions out;

	assert_int_equal(dk_vrrp_handle(vr, &e, 0, &out), 0);
}

static void
test_wrong_password_counted(void **state)
{
	struct dk_vrrp *vr = mk("wrong");
	struct dk_vrrp_actions out;
	enum dk_vrrp_rx_verdict v;

	(void)state;
	start(vr);
	assert_int_equal(dk_vrrp_rx(vr, ka_mcast_seq1, sizeof(ka_mcast_seq1), SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_BAD_AH);
	assert_int_equal(out.n, 0);
	assert_int_equal(vr->rx[DK_VRRP_RX_BAD_AH], 1);
	assert_int_equal(vr->rx[DK_VRRP_RX_OK], 0);
	assert_int_equal(vr->stats[DK_VRRP_ST_ADVERT_RX], 0);
	assert_string_equal(dk_vrrp_rx_verdict_name(v), "ah_failure");
	dk_vrrp_free(vr);
}

static void
test_sequence_follows_keepalived(void **state)
{
	struct dk_vrrp *vr = mk("s3cret");
	struct dk_vrrp_actions out;
	struct dk_vrrp_advert adv;
	struct dk_vrrp_rx_ctx c;
	enum dk_vrrp_rx_verdict v;
	uint8_t pkt[128];
	size_t len;

	(void)state;
	start(vr);
	assert_int_equal(dk_vrrp_rx(vr, ka_mcast_seq2, sizeof(ka_mcast_seq2), SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_OK);
	assert_int_equal(vr->rx[DK_VRRP_RX_OK], 1);
	assert_true(dk_addr_eq(&vr->master_addr, &ka_addr));
	/* keepalived drops sequence numbers it has seen; ours continue above its own. */
	assert_int_equal(dk_vrrp_build_advert(vr, 150, &group, pkt, sizeof(pkt), &len), 0);
	ctx_for(&c, "s3cret", false);
	c.own_addr = &ka_addr;
	assert_int_equal(dk_vrrp_decode(&c, pkt, len, &adv), DK_VRRP_RX_OK);
	assert_int_equal(adv.ah_seq, 3);
	/* An older advert from the master is a replay. */
	assert_int_equal(dk_vrrp_rx(vr, ka_mcast_seq1, sizeof(ka_mcast_seq1), SEC, &out, &v), 0);
	assert_int_equal(v, DK_VRRP_RX_BAD_AH_SEQ);
	dk_vrrp_free(vr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_keepalived),
		cmocka_unit_test(test_encode_matches_keepalived),
		cmocka_unit_test(test_tampered_or_wrong_spi),
		cmocka_unit_test(test_wrong_password_counted),
		cmocka_unit_test(test_sequence_follows_keepalived),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
