/* Advert codec: exact bytes, checksums recomputed here independently, every verdict. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "dk_vrrp_pkt.h"

/* Plain RFC 1071 sum, written out here so the tests do not trust dk_cksum. */
static uint32_t
sum16(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static uint16_t
pseudo_sum(const uint8_t *ip, size_t vlen)
{
	uint32_t s;

	if ((ip[0] >> 4) == 4)
		s = sum16(0, ip + 12, 8);
	else
		s = sum16(0, ip + 8, 32);
	return fold(s + 112 + (uint32_t)vlen);
}

/* Re-seal a mutated packet: IPv4 header checksum and the VRRP checksum at off. */
static void
reseal_at(uint8_t *ip, size_t len, size_t off, bool pseudo)
{
	uint16_t c;

	if ((ip[0] >> 4) == 4) {
		ip[10] = ip[11] = 0;
		c = (uint16_t)~fold(sum16(0, ip, (size_t)(ip[0] & 15) * 4));
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	}
	ip[off + 6] = ip[off + 7] = 0;
	c = (uint16_t)~fold(sum16(pseudo ? pseudo_sum(ip, len - off) : 0, ip + off, len - off));
	ip[off + 6] = (uint8_t)(c >> 8);
	ip[off + 7] = (uint8_t)c;
}

static void
reseal(uint8_t *ip, size_t len, bool pseudo)
{
	reseal_at(ip, len, (ip[0] >> 4) == 4 ? (size_t)(ip[0] & 15) * 4 : 40, pseudo);
}

static struct dk_addr
v4(const char *s)
{
	struct dk_addr a;

	assert_int_equal(dk_addr_parse(s, &a), 0);
	return a;
}

static struct dk_addr vip_a, vip_b;

static void
v2_params(struct dk_vrrp_tx_params *p)
{
	memset(p, 0, sizeof(*p));
	p->version = 2;
	p->vrid = 51;
	p->priority = 100;
	p->auth_type = DK_VRRP_AUTH_PASS;
	memcpy(p->auth_pass, "secret\0\0", 8);
	p->adver_int_cs = 100;
	p->ip_id = 1;
	p->src = v4("10.0.0.1");
	p->dst = v4("224.0.0.18");
	vip_a = v4("10.0.0.100");
	p->vips = &vip_a;
	p->n_vips = 1;
}

static void
v2_ctx(struct dk_vrrp_rx_ctx *c)
{
	memset(c, 0, sizeof(*c));
	c->version = 2;
	c->vrid = 51;
	c->auth_type = DK_VRRP_AUTH_PASS;
	memcpy(c->auth_pass, "secret\0\0", 8);
	c->v2_adver_int_s = 1;
	c->vips = &vip_a;
	c->n_vips = 1;
}

static void
test_v2_pass_exact_bytes(void **state)
{
	static const uint8_t want[40] = {
		0x45, 0xc0, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0xff, 0x70, 0x00, 0x00,
		10, 0, 0, 1, 224, 0, 0, 18,
		0x21, 51, 100, 1, 1, 1, 0x00, 0x00, 10, 0, 0, 100,
		's', 'e', 'c', 'r', 'e', 't', 0, 0,
	};
	struct dk_vrrp_tx_params p;
	struct dk_vrrp_rx_ctx c;
	struct dk_vrrp_advert adv;
	uint8_t buf[128];
	size_t len = 0;

	(void)state;
	v2_params(&p);
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 40);
	/* Everything but the two checksums is fixed; those are verified by summing. */
	assert_memory_equal(buf, want, 10);
	assert_memory_equal(buf + 12, want + 12, 14);
	assert_memory_equal(buf + 28, want + 28, 12);
	assert_int_equal(fold(sum16(0, buf, 20)), 0xffff);
	assert_int_equal(fold(sum16(0, buf + 20, 20)), 0xffff);
	v2_ctx(&c);
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
	assert_int_equal(adv.version, 2);
	assert_int_equal(adv.vrid, 51);
	assert_int_equal(adv.priority, 100);
	assert_int_equal(adv.naddr, 1);
	assert_int_equal(adv.ttl, 255);
	assert_int_equal(adv.adver_int_cs, 100);
	assert_int_equal(adv.auth_type, DK_VRRP_AUTH_PASS);
	assert_false(adv.addr_mismatch);
	assert_true(dk_addr_eq(&adv.src, &p.src));
	assert_memory_equal(adv.addrs, want + 28, 4);
}

static void
test_v3_ipv4_pseudo_header(void **state)
{
	struct dk_vrrp_tx_params p;
	struct dk_vrrp_rx_ctx c = { .version = 3, .vrid = 7 };
	struct dk_vrrp_advert adv;
	uint8_t buf[128];
	size_t len = 0;

	(void)state;
	v2_params(&p);
	p.version = 3;
	p.vrid = 7;
	p.auth_type = DK_VRRP_AUTH_NONE;
	p.adver_int_cs = 0x123;
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 20 + 12);
	assert_int_equal(buf[9], 112);
	assert_int_equal(buf[20], 0x31);
	assert_int_equal(buf[24], 0x01);
	assert_int_equal(buf[25], 0x23);
	assert_int_equal(fold(sum16(pseudo_sum(buf, 12), buf + 20, 12)), 0xffff);
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
	assert_int_equal(adv.adver_int_cs, 0x123);
	/* Read as an old keepalived would (no pseudo-header), the same packet is bad. */
	c.v3_checksum_as_v2 = true;
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_BAD_CHECKSUM);
	p.v3_checksum_as_v2 = true;
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_int_equal(fold(sum16(0, buf + 20, 12)), 0xffff);
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
}

static void
test_v3_ipv6(void **state)
{
	struct dk_vrrp_tx_params p = { .version = 3, .vrid = 9, .priority = 200,
				       .adver_int_cs = 1 };
	struct dk_vrrp_rx_ctx c = { .version = 3, .vrid = 9 };
	struct dk_vrrp_advert adv;
	struct dk_addr vips[2];
	uint8_t buf[256];
	size_t len = 0;

	(void)state;
	assert_int_equal(dk_addr_parse("fe80::1", &p.src), 0);
	assert_int_equal(dk_addr_parse("ff02::12", &p.dst), 0);
	assert_int_equal(dk_addr_parse("2001:db8::10", &vips[0]), 0);
	assert_int_equal(dk_addr_parse("2001:db8::11", &vips[1]), 0);
	p.vips = vips;
	p.n_vips = 2;
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 40 + 8 + 32);
	assert_int_equal(buf[0] >> 4, 6);
	assert_int_equal(buf[4] << 8 | buf[5], 40);
	assert_int_equal(buf[6], 112);
	assert_int_equal(buf[7], 255);
	assert_memory_equal(buf + 24, dk_vrrp_mcast6, 16);
	assert_int_equal(fold(sum16(pseudo_sum(buf, 40), buf + 40, 40)), 0xffff);
	c.vips = vips;
	c.n_vips = 2;
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
	assert_int_equal(adv.priority, 200);
	assert_int_equal(adv.src.af, AF_INET6);
	/* v2 is IPv4 only, on both sides. */
	c.version = 2;
	buf[40] = 0x21;
	reseal(buf, len, true);
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_BAD_VERSION);
	p.version = 2;
	p.adver_int_cs = 100;
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), -EINVAL);
}

static void
test_encode_rejects(void **state)
{
	struct dk_vrrp_tx_params p;
	uint8_t buf[128];
	size_t len;

	(void)state;
	v2_params(&p);
	assert_int_equal(dk_vrrp_encode(&p, buf, 39, &len), -ENOSPC);
	p.adver_int_cs = 150; /* v2 carries whole seconds */
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), -EINVAL);
	v2_params(&p);
	p.version = 3; /* v3 has no authentication */
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), -EINVAL);
	p.auth_type = DK_VRRP_AUTH_NONE;
	p.adver_int_cs = 4096;
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), -EINVAL);
}

/* One mutation of a good v2 PASS packet (or of the context) and the verdict it must get. */
struct bad_case {
	const char *what;
	int off;	 /* byte to set, -1: none */
	uint8_t val;
	bool reseal;
	size_t cut;	 /* bytes removed from the end of the buffer given */
	void (*ctx_fn)(struct dk_vrrp_rx_ctx *c);
	enum dk_vrrp_rx_verdict want;
};

static void ctx_int2(struct dk_vrrp_rx_ctx *c) { c->v2_adver_int_s = 2; }
static void ctx_none(struct dk_vrrp_rx_ctx *c) { c->auth_type = DK_VRRP_AUTH_NONE; }
static void ctx_pass(struct dk_vrrp_rx_ctx *c) { c->auth_pass[5] = 'T'; }
static void ctx_vid(struct dk_vrrp_rx_ctx *c) { c->vrid = 52; }
static void ctx_strict2(struct dk_vrrp_rx_ctx *c) { c->strict = true; c->n_vips = 2; }
static void ctx_strictb(struct dk_vrrp_rx_ctx *c) { c->strict = true; c->vips = &vip_b; }
static void ctx_own(struct dk_vrrp_rx_ctx *c) { static struct dk_addr o; o = v4("10.0.0.1");
						c->own_addr = &o; }
static void ctx_uni(struct dk_vrrp_rx_ctx *c) { c->unicast = true; c->ttl_min = 60;
						c->ttl_max = 70; }
static void ctx_strict(struct dk_vrrp_rx_ctx *c) { c->strict = true; }

static const struct bad_case bad_cases[] = {
	{ "empty", -1, 0, false, 40, NULL, DK_VRRP_RX_TRUNCATED },
	{ "short ip", -1, 0, false, 25, NULL, DK_VRRP_RX_TRUNCATED },
	{ "short datagram", -1, 0, false, 1, NULL, DK_VRRP_RX_TRUNCATED },
	{ "ip version 5", 0, 0x55, false, 0, NULL, DK_VRRP_RX_BAD_IP },
	{ "ihl 4", 0, 0x44, false, 0, NULL, DK_VRRP_RX_BAD_IP },
	{ "ip checksum", 10, 0x12, false, 0, NULL, DK_VRRP_RX_BAD_IP },
	{ "fragment", 6, 0x20, true, 0, NULL, DK_VRRP_RX_BAD_IP },
	{ "udp", 9, 17, true, 0, NULL, DK_VRRP_RX_BAD_PROTO },
	{ "ttl 254", 8, 254, true, 0, NULL, DK_VRRP_RX_BAD_TTL },
	{ "unicast ttl out of range", -1, 0, false, 0, ctx_uni, DK_VRRP_RX_BAD_TTL },
	{ "vrrp version 3", 20, 0x31, true, 0, NULL, DK_VRRP_RX_BAD_VERSION },
	{ "type 2", 20, 0x22, true, 0, NULL, DK_VRRP_RX_BAD_TYPE },
	{ "other vrid", -1, 0, false, 0, ctx_vid, DK_VRRP_RX_NOT_MINE },
	{ "two addrs, one sent", 23, 2, true, 0, NULL, DK_VRRP_RX_BAD_LENGTH },
	{ "vrrp checksum", 26, 0x5a, false, 0, NULL, DK_VRRP_RX_BAD_CHECKSUM },
	{ "auth type expected none", -1, 0, false, 0, ctx_none, DK_VRRP_RX_BAD_AUTH_TYPE },
	{ "auth type 3", 24, 3, true, 0, NULL, DK_VRRP_RX_INVALID_AUTH_TYPE },
	{ "AH type without AH header", 24, 2, true, 0, NULL, DK_VRRP_RX_BAD_AUTH_TYPE },
	{ "password", -1, 0, false, 0, ctx_pass, DK_VRRP_RX_BAD_AUTH },
	{ "password byte 8", 39, 'x', true, 0, NULL, DK_VRRP_RX_BAD_AUTH },
	{ "interval", -1, 0, false, 0, ctx_int2, DK_VRRP_RX_BAD_INTERVAL },
	{ "strict count", -1, 0, false, 0, ctx_strict2, DK_VRRP_RX_ADDR_COUNT },
	{ "strict list", -1, 0, false, 0, ctx_strictb, DK_VRRP_RX_ADDR_LIST },
	{ "own advert", -1, 0, false, 0, ctx_own, DK_VRRP_RX_OWN },
	{ "ttl 255 good", -1, 0, false, 0, ctx_strict, DK_VRRP_RX_OK },
};

static void
test_bad_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		struct dk_vrrp_tx_params p;
		struct dk_vrrp_rx_ctx c;
		struct dk_vrrp_advert adv;
		uint8_t buf[128];
		size_t len = 0;
		enum dk_vrrp_rx_verdict v;

		v2_params(&p);
		vip_b = v4("10.0.0.200");
		assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
		if (bc->off >= 0)
			buf[bc->off] = bc->val;
		if (bc->reseal)
			reseal(buf, len, false);
		v2_ctx(&c);
		if (bc->ctx_fn != NULL)
			bc->ctx_fn(&c);
		v = dk_vrrp_decode(&c, buf, len - bc->cut, &adv);
		if (v != bc->want)
			fail_msg("%s: got %s, want %s", bc->what, dk_vrrp_rx_verdict_name(v),
				 dk_vrrp_rx_verdict_name(bc->want));
	}
}

static void
test_addr_mismatch_non_strict(void **state)
{
	struct dk_vrrp_tx_params p;
	struct dk_vrrp_rx_ctx c;
	struct dk_vrrp_advert adv;
	uint8_t buf[128];
	size_t len;

	(void)state;
	v2_params(&p);
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	v2_ctx(&c);
	vip_b = v4("10.0.0.200");
	c.vips = &vip_b;
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
	assert_true(adv.addr_mismatch);
	/* Trailing padding is tolerated unless strict. */
	buf[len] = 0;
	buf[2] = 0;
	buf[3] = (uint8_t)(len + 1);
	reseal(buf, len + 1, false);
	c.vips = &vip_a;
	assert_int_equal(dk_vrrp_decode(&c, buf, len + 1, &adv), DK_VRRP_RX_OK);
	c.strict = true;
	assert_int_equal(dk_vrrp_decode(&c, buf, len + 1, &adv), DK_VRRP_RX_BAD_LENGTH);
}

static void
test_v3_zero_interval_and_unicast_ttl(void **state)
{
	struct dk_vrrp_tx_params p;
	struct dk_vrrp_rx_ctx c = { .version = 3, .vrid = 51 };
	struct dk_vrrp_advert adv;
	uint8_t buf[128];
	size_t len;

	(void)state;
	v2_params(&p);
	p.version = 3;
	p.auth_type = DK_VRRP_AUTH_NONE;
	p.adver_int_cs = 100;
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	buf[8] = 64;
	reseal(buf, len, true);
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_BAD_TTL);
	c.unicast = true; /* no range configured: any TTL */
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
	c.ttl_min = 64;
	c.ttl_max = 64;
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
	c.strict = true; /* strict always wants 255 */
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_BAD_TTL);
	c.strict = false;
	buf[24] = 0xf0;
	buf[25] = 0;
	reseal(buf, len, true);
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_BAD_INTERVAL);
}

static void
test_ah_round_trip(void **state)
{
	struct dk_vrrp_tx_params p;
	struct dk_vrrp_rx_ctx c;
	struct dk_vrrp_advert adv;
	uint8_t buf[128], copy[128], md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	size_t len = 0;

	(void)state;
	v2_params(&p);
	p.auth_type = DK_VRRP_AUTH_AH;
	p.ah_seq = 0x01020304;
	assert_int_equal(dk_vrrp_encode(&p, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, 20 + 24 + 20);
	assert_int_equal(buf[9], 51);
	assert_int_equal(buf[2] << 8 | buf[3], 64);
	assert_int_equal(buf[20], 112);
	assert_int_equal(buf[21], 4);
	assert_memory_equal(buf + 24, buf + 12, 4); /* SPI: the source address */
	assert_int_equal(buf[28], 1);
	assert_int_equal(buf[31], 4);
	assert_int_equal(buf[44 + 4], 2);
	assert_int_equal(fold(sum16(0, buf, 20)), 0xffff);
	assert_int_equal(fold(sum16(0, buf + 44, 20)), 0xffff);
	/* The ICV recomputed here with mutable fields and the ICV itself zeroed; multicast
	 * keeps the TTL in (keepalived's rule, see test_vrrp_ah.c). */
	memcpy(copy, buf, len);
	copy[1] = 0;
	copy[6] = copy[7] = 0;
	copy[10] = copy[11] = 0;
	memset(copy + 32, 0, 12);
	HMAC(EVP_md5(), "secret\0\0", 8, copy, len, md, &md_len);
	assert_memory_equal(buf + 32, md, 12);

	v2_ctx(&c);
	c.auth_type = DK_VRRP_AUTH_AH;
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_OK);
	assert_int_equal(adv.ah_seq, 0x01020304);
	/* TOS is mutable: changing it does not break the ICV. */
	memcpy(copy, buf, len);
	copy[1] = 0;
	reseal_at(copy, len, 44, false);
	assert_int_equal(dk_vrrp_decode(&c, copy, len, &adv), DK_VRRP_RX_OK);
	/* Payload and key are protected. */
	copy[46] = 99;
	reseal_at(copy, len, 44, false);
	assert_int_equal(dk_vrrp_decode(&c, copy, len, &adv), DK_VRRP_RX_BAD_AH);
	c.auth_pass[0] = 'S';
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_BAD_AH);
	c.auth_type = DK_VRRP_AUTH_PASS;
	assert_int_equal(dk_vrrp_decode(&c, buf, len, &adv), DK_VRRP_RX_BAD_AUTH_TYPE);
	/* Bad AH header fields. */
	c.auth_type = DK_VRRP_AUTH_AH;
	memcpy(copy, buf, len);
	copy[20] = 6;
	assert_int_equal(dk_vrrp_decode(&c, copy, len, &adv), DK_VRRP_RX_BAD_PROTO);
	copy[20] = 112;
	copy[21] = 5;
	assert_int_equal(dk_vrrp_decode(&c, copy, len, &adv), DK_VRRP_RX_BAD_AH);
	assert_int_equal(dk_vrrp_decode(&c, copy, 30, &adv), DK_VRRP_RX_TRUNCATED);
}

static void
test_verdict_names(void **state)
{
	(void)state;
	assert_string_equal(dk_vrrp_rx_verdict_name(DK_VRRP_RX_BAD_TTL), "ip_ttl_err");
	assert_string_equal(dk_vrrp_rx_verdict_name(DK_VRRP_RX_BAD_AUTH), "auth_failure");
	assert_string_equal(dk_vrrp_rx_verdict_name(DK_VRRP_RX_VERDICT_MAX), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2_pass_exact_bytes),
		cmocka_unit_test(test_v3_ipv4_pseudo_header),
		cmocka_unit_test(test_v3_ipv6),
		cmocka_unit_test(test_encode_rejects),
		cmocka_unit_test(test_bad_table),
		cmocka_unit_test(test_addr_mismatch_non_strict),
		cmocka_unit_test(test_v3_zero_interval_and_unicast_ttl),
		cmocka_unit_test(test_ah_round_trip),
		cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
