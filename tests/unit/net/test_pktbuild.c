#include "net_test.h"

#include <errno.h>
#include <sys/socket.h>

#include "dk_pkt.h"
#include "dk_pktbuild.h"

static struct dk_l2
l2_of(const char *src, const char *dst, int vlan)
{
	struct dk_l2 l2 = { .src = M(src), .dst = M(dst) };

	if (vlan >= 0) {
		l2.has_vlan = true;
		l2.vlan_tci = (uint16_t)vlan;
	}
	return l2;
}

static void
test_arp_builders(void **state)
{
	struct dk_l2 l2 = l2_of("02:00:00:00:00:01", "02:00:00:00:00:02", -1);
	struct dk_addr sip = A("10.0.0.1"), tip = A("10.0.0.2");
	uint8_t b[128];
	int n;

	(void)state;
	n = dk_build_arp_request(b, sizeof(b), &l2, &sip, &tip);
	assert_int_equal(n, 60);
	assert_memory_equal(b, "\xff\xff\xff\xff\xff\xff", 6);
	assert_memory_equal(b + 6, l2.src.b, 6);
	assert_int_equal(rd16(b + 12), 0x0806);
	assert_int_equal(rd16(b + 14), 1);
	assert_int_equal(rd16(b + 16), 0x0800);
	assert_int_equal(b[18], 6);
	assert_int_equal(b[19], 4);
	assert_int_equal(rd16(b + 20), 1);
	assert_memory_equal(b + 22, l2.src.b, 6);
	assert_memory_equal(b + 28, &sip.v4, 4);
	assert_memory_equal(b + 32, "\0\0\0\0\0\0", 6);
	assert_memory_equal(b + 38, &tip.v4, 4);
	for (int k = 42; k < 60; k++)
		assert_int_equal(b[k], 0);

	n = dk_build_arp_reply(b, sizeof(b), &l2, &sip, &tip);
	assert_int_equal(n, 60);
	assert_memory_equal(b, l2.dst.b, 6);
	assert_int_equal(rd16(b + 20), 2);
	assert_memory_equal(b + 32, l2.dst.b, 6);
	assert_memory_equal(b + 38, &tip.v4, 4);

	/* GARP as keepalived sends it: a broadcast request for the VIP itself. */
	l2 = l2_of("00:00:5e:00:01:07", "00:00:00:00:00:00", 20);
	n = dk_build_garp(b, sizeof(b), &l2, &sip);
	assert_int_equal(n, 60);
	assert_int_equal(rd16(b + 12), 0x8100);
	assert_int_equal(rd16(b + 14), 20);
	assert_int_equal(rd16(b + 16), 0x0806);
	assert_int_equal(rd16(b + 24), 1);
	assert_memory_equal(b + 32, &sip.v4, 4);
	assert_memory_equal(b + 42, &sip.v4, 4);
	assert_memory_equal(b + 26, l2.src.b, 6);

	/* Room: the exact frame fits without padding, one byte less does not. */
	l2.has_vlan = false;
	assert_int_equal(dk_build_garp(b, 42, &l2, &sip), 42);
	assert_int_equal(dk_build_garp(b, 41, &l2, &sip), -ENOSPC);
	tip = A("::1");
	assert_int_equal(dk_build_arp_request(b, sizeof(b), &l2, &sip, &tip), -EINVAL);
}

static void
test_ip_headers(void **state)
{
	struct dk_ip_params ip = { .src = A("192.168.1.1"), .dst = A("192.168.1.2"), .tos = 0xb8,
				   .id = 77, .df = true, .ttl = 0 };
	uint8_t b[64];

	(void)state;
	assert_int_equal(dk_build_ip_hdr(b, sizeof(b), &ip, 17, 100), 20);
	assert_int_equal(b[0], 0x45);
	assert_int_equal(b[1], 0xb8);
	assert_int_equal(rd16(b + 2), 120);
	assert_int_equal(rd16(b + 4), 77);
	assert_int_equal(rd16(b + 6), 0x4000);
	assert_int_equal(b[8], 64);
	assert_int_equal(b[9], 17);
	assert_int_equal(dk_cksum(b, 20), 0);
	assert_memory_equal(b + 12, &ip.src.v4, 4);
	assert_memory_equal(b + 16, &ip.dst.v4, 4);
	assert_int_equal(dk_build_ip_hdr(b, 19, &ip, 17, 100), -ENOSPC);
	assert_int_equal(dk_build_ip_hdr(b, sizeof(b), &ip, 17, 65535 - 19), -EMSGSIZE);

	ip.src = A("2001:db8::1");
	ip.dst = A("2001:db8::2");
	ip.ttl = 9;
	ip.flow_label = 0x12345;
	assert_int_equal(dk_build_ip_hdr(b, sizeof(b), &ip, 6, 300), 40);
	assert_int_equal(rd32(b), 0x6b812345);
	assert_int_equal(rd16(b + 4), 300);
	assert_int_equal(b[6], 6);
	assert_int_equal(b[7], 9);
	assert_memory_equal(b + 8, ip.src.v6, 16);
	assert_memory_equal(b + 24, ip.dst.v6, 16);
	ip.dst = A("1.2.3.4");
	assert_int_equal(dk_build_ip_hdr(b, sizeof(b), &ip, 6, 0), -EINVAL);
}

static void
test_mcast_helpers(void **state)
{
	struct dk_addr a = A("2001:db8::12:3456:789a"), sn;
	struct dk_mac m;

	(void)state;
	dk_ipv6_solicited_node(&a, &sn);
	assert_true(dk_addr_eq(&sn, &(struct dk_addr){ .af = 0 }) == false);
	assert_true(dk_addr_eq(&sn, &(struct dk_addr){ .af = AF_INET6,
		.b = { 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x56, 0x78, 0x9a } }));
	dk_ipv6_mcast_mac(sn.v6, &m);
	assert_memory_equal(m.b, "\x33\x33\xff\x56\x78\x9a", 6);
}

static void
check_ns(const uint8_t *b, int n, const struct dk_l2 *l2, bool slla)
{
	const uint8_t *ip = b + 14, *icmp = b + 54;
	size_t l4len = slla ? 32 : 24;

	assert_int_equal(n, 14 + 40 + (int)l4len);
	assert_int_equal(rd16(b + 12), 0x86dd);
	assert_int_equal(ip[6], 58);
	assert_int_equal(ip[7], 255);
	assert_int_equal(rd16(ip + 4), l4len);
	assert_int_equal(icmp[0], 135);
	assert_int_equal(icmp[1], 0);
	assert_true(l4_sum_ok(ip, icmp, l4len, 58));
	if (slla) {
		assert_int_equal(icmp[24], 1);
		assert_int_equal(icmp[25], 1);
		assert_memory_equal(icmp + 26, l2->src.b, 6);
	}
}

static void
test_ns(void **state)
{
	struct dk_l2 l2 = l2_of("02:00:00:00:00:01", "02:aa:bb:cc:dd:ee", -1);
	struct dk_addr src = A("2001:db8::1"), tgt = A("2001:db8::aa:bb:ccdd"), any = A("::");
	uint8_t b[128];
	int n;

	(void)state;
	n = dk_build_ns(b, sizeof(b), &l2, true, &src, &tgt);
	check_ns(b, n, &l2, true);
	assert_memory_equal(b, "\x33\x33\xff\xbb\xcc\xdd", 6);
	assert_memory_equal(b + 14 + 24, "\xff\x02\0\0\0\0\0\0\0\0\0\x01\xff\xbb\xcc\xdd", 16);
	assert_memory_equal(b + 54 + 8, tgt.v6, 16);
	assert_memory_equal(b + 14 + 8, src.v6, 16);

	/* Unicast probe: to the target at its known MAC. */
	n = dk_build_ns(b, sizeof(b), &l2, false, &src, &tgt);
	check_ns(b, n, &l2, true);
	assert_memory_equal(b, l2.dst.b, 6);
	assert_memory_equal(b + 14 + 24, tgt.v6, 16);

	/* DAD: from :: and without a source link-layer option. */
	n = dk_build_ns(b, sizeof(b), &l2, true, &any, &tgt);
	check_ns(b, n, &l2, false);
	assert_int_equal(dk_build_ns(b, 85, &l2, true, &src, &tgt), -ENOSPC);
}

static void
test_na(void **state)
{
	struct dk_l2 l2 = l2_of("00:00:5e:00:02:07", "02:aa:bb:cc:dd:ee", 3);
	struct dk_addr vip = A("2001:db8::100"), peer = A("2001:db8::5");
	uint8_t b[128];
	const uint8_t *ip = b + 18, *icmp = b + 58;
	int n;

	(void)state;
	n = dk_build_na(b, sizeof(b), &l2, &vip, NULL, &vip, DK_ND_NA_FLAG_OVERRIDE);
	assert_int_equal(n, 18 + 40 + 32);
	assert_memory_equal(b, "\x33\x33\0\0\0\x01", 6);
	assert_int_equal(rd16(b + 14), 3);
	assert_memory_equal(ip + 24, "\xff\x02\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	assert_memory_equal(ip + 8, vip.v6, 16);
	assert_int_equal(ip[7], 255);
	assert_int_equal(icmp[0], 136);
	assert_int_equal(icmp[4], 0x20);
	assert_memory_equal(icmp + 8, vip.v6, 16);
	assert_int_equal(icmp[24], 2);
	assert_int_equal(icmp[25], 1);
	assert_memory_equal(icmp + 26, l2.src.b, 6);
	assert_true(l4_sum_ok(ip, icmp, 32, 58));

	n = dk_build_na(b, sizeof(b), &l2, &vip, &peer, &vip,
			DK_ND_NA_FLAG_SOLICITED | DK_ND_NA_FLAG_OVERRIDE);
	assert_int_equal(n, 90);
	assert_memory_equal(b, l2.dst.b, 6);
	assert_memory_equal(ip + 24, peer.v6, 16);
	assert_int_equal(icmp[4], 0x60);
	assert_true(l4_sum_ok(ip, icmp, 32, 58));
}

static void
test_udp_tcp(void **state)
{
	struct dk_l2 l2 = l2_of("02:00:00:00:00:01", "02:00:00:00:00:02", -1);
	struct dk_ip_params ip = { .src = A("10.1.1.1"), .dst = A("10.1.1.2"), .ttl = 33 };
	struct dk_tcp_params tcp = { .sport = 1234, .dport = 80, .seq = 0x01020304,
				     .ack = 0x0a0b0c0d, .flags = DK_TCP_SYN | DK_TCP_ACK,
				     .window = 65535, .mss = 1460,
				     .payload = (const uint8_t *)"GET", .payload_len = 3 };
	struct dk_pkt_info i;
	uint8_t b[256];
	int n;

	(void)state;
	n = dk_build_udp(b, sizeof(b), &l2, &ip, 5353, 53, (const uint8_t *)"hello", 5);
	assert_int_equal(n, 60); /* 47 bytes padded */
	assert_int_equal(rd16(b + 34), 5353);
	assert_int_equal(rd16(b + 36), 53);
	assert_int_equal(rd16(b + 38), 13);
	assert_memory_equal(b + 42, "hello", 5);
	assert_int_equal(b[14 + 8], 33);
	assert_true(l4_sum_ok(b + 14, b + 34, 13, 17));
	assert_int_equal(dk_pkt_parse_ex(b, (size_t)n, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM, &i),
			 DK_PKT_OK);
	assert_int_equal(i.l3_end, 47);
	assert_int_equal(dk_build_udp(b, 46, &l2, &ip, 1, 2, (const uint8_t *)"hello", 5),
			 -ENOSPC);

	n = dk_build_tcp(b, sizeof(b), &l2, &ip, &tcp);
	assert_int_equal(n, 14 + 20 + 24 + 3);
	assert_int_equal(rd16(b + 34), 1234);
	assert_int_equal(rd16(b + 36), 80);
	assert_int_equal(rd32(b + 38), 0x01020304);
	assert_int_equal(rd32(b + 42), 0x0a0b0c0d);
	assert_int_equal(b[46], 6 << 4);
	assert_int_equal(b[47], DK_TCP_SYN | DK_TCP_ACK);
	assert_int_equal(rd16(b + 48), 65535);
	assert_memory_equal(b + 54, "\x02\x04\x05\xb4", 4);
	assert_memory_equal(b + 58, "GET", 3);
	assert_true(l4_sum_ok(b + 14, b + 34, 27, 6));
	assert_int_equal(rd16(b + 16), 20 + 27);

	ip.src = A("2001:db8::1");
	ip.dst = A("2001:db8::2");
	tcp.mss = 0;
	tcp.payload_len = 0;
	n = dk_build_tcp(b, sizeof(b), &l2, &ip, &tcp);
	assert_int_equal(n, 14 + 40 + 20);
	assert_int_equal(b[54 + 12], 5 << 4);
	assert_true(l4_sum_ok(b + 14, b + 54, 20, 6));
	assert_int_equal(dk_pkt_parse_ex(b, (size_t)n, DK_PKT_F_L4_CKSUM, &i), DK_PKT_OK);
	assert_int_equal(i.tcp_seq, 0x01020304);
	n = dk_build_udp(b, sizeof(b), &l2, &ip, 9, 10, NULL, 0);
	assert_int_equal(n, 62);
	assert_true(l4_sum_ok(b + 14, b + 54, 8, 17));
	assert_int_not_equal(rd16(b + 54 + 6), 0);
}

static void
test_echo_roundtrip_v4(void **state)
{
	struct dk_l2 l2 = l2_of("02:00:00:00:00:09", "02:00:00:00:00:01", 42);
	struct dk_ip_params ip = { .src = A("10.0.0.9"), .dst = A("10.0.0.1") };
	struct dk_mac me = M("02:00:00:00:00:01");
	uint8_t b[256], req[256];
	struct dk_pkt_info i;
	int n, len;

	(void)state;
	len = dk_build_icmp_echo(b, sizeof(b), &l2, &ip, 0x55, 7, (const uint8_t *)"ping!", 5);
	assert_true(len > 0);
	assert_int_equal(b[18 + 20], 8);
	assert_true(l4_sum_ok(b + 18, b + 38, 13, 1));
	/* Grow an IP option into the request so the reply has to drop it in place. */
	memmove(b + 42, b + 38, 13);
	memset(b + 38, 1, 4);
	b[18] = 0x46;
	wr16(b + 20, 20 + 4 + 13);
	memset(b + 28, 0, 2);
	{
		uint16_t c = dk_cksum(b + 18, 24);

		memcpy(b + 28, &c, 2);
	}
	len = 18 + 24 + 13;
	assert_int_equal(dk_pkt_parse_ex(b, (size_t)len, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM,
					 &i), DK_PKT_OK);
	memcpy(req, b, (size_t)len);
	n = dk_build_echo_reply(b, sizeof(b), b, (size_t)len, &i, &me, 0);
	assert_int_equal(n, 60);
	assert_memory_equal(b, l2.src.b, 6);
	assert_memory_equal(b + 6, me.b, 6);
	assert_int_equal(rd16(b + 14), 42);
	assert_int_equal(b[18], 0x45);
	assert_int_equal(b[18 + 8], 64);
	assert_memory_equal(b + 18 + 12, &ip.dst.v4, 4);
	assert_memory_equal(b + 18 + 16, &ip.src.v4, 4);
	assert_int_equal(dk_cksum(b + 18, 20), 0);
	assert_int_equal(b[38], 0);
	assert_int_equal(rd16(b + 42), 0x55);
	assert_int_equal(rd16(b + 44), 7);
	assert_memory_equal(b + 46, "ping!", 5);
	assert_memory_equal(b + 46, req + 50, 5);
	assert_true(l4_sum_ok(b + 18, b + 38, 13, 1));
	assert_int_equal(dk_build_echo_reply(b, 50, req, (size_t)len, &i, &me, 0), -ENOSPC);
}

static void
test_echo_roundtrip_v6(void **state)
{
	struct dk_l2 l2 = l2_of("02:00:00:00:00:09", "02:00:00:00:00:01", -1);
	struct dk_ip_params ip = { .src = A("2001:db8::9"), .dst = A("2001:db8::1"), .ttl = 5 };
	struct dk_mac me = M("02:00:00:00:00:01");
	uint8_t b[256];
	struct dk_pkt_info i;
	int n, len;

	(void)state;
	len = dk_build_icmp_echo(b, sizeof(b), &l2, &ip, 1, 2, (const uint8_t *)"abc", 3);
	assert_int_equal(len, 14 + 40 + 11);
	assert_int_equal(b[54], 128);
	assert_true(l4_sum_ok(b + 14, b + 54, 11, 58));
	assert_int_equal(dk_pkt_parse_ex(b, (size_t)len, DK_PKT_F_L4_CKSUM, &i), DK_PKT_OK);
	n = dk_build_echo_reply(b, sizeof(b), b, (size_t)len, &i, &me, 200);
	assert_int_equal(n, len);
	assert_int_equal(b[54], 129);
	assert_int_equal(b[14 + 7], 200);
	assert_memory_equal(b + 14 + 8, ip.dst.v6, 16);
	assert_memory_equal(b + 14 + 24, ip.src.v6, 16);
	assert_memory_equal(b + 62, "abc", 3);
	assert_true(l4_sum_ok(b + 14, b + 54, 11, 58));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_builders),
		cmocka_unit_test(test_ip_headers),
		cmocka_unit_test(test_mcast_helpers),
		cmocka_unit_test(test_ns),
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_udp_tcp),
		cmocka_unit_test(test_echo_roundtrip_v4),
		cmocka_unit_test(test_echo_roundtrip_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
