#include "net_test.h"

#include <sys/socket.h>

#include "dk_pkt.h"

/*
 * Frames here are assembled byte by byte (not with dk_pktbuild) so the parser is checked
 * against an independent idea of the wire format.
 */

static size_t
put_eth(uint8_t *b, uint16_t type, int vlan)
{
	static const uint8_t macs[12] = { 0, 1, 2, 3, 4, 5, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15 };
	size_t off = 12;

	memcpy(b, macs, 12);
	if (vlan >= 0) {
		wr16(b + 12, 0x8100);
		wr16(b + 14, (uint16_t)vlan);
		off = 16;
	}
	wr16(b + off, type);
	return off + 2;
}

/* IPv4 header with opt_words of NOP options, checksum filled. */
static size_t
put_v4(uint8_t *b, uint8_t proto, size_t l4len, unsigned opt_words, uint16_t frag)
{
	size_t hl = 20 + opt_words * 4;
	uint16_t c;

	memset(b, 0, hl);
	b[0] = (uint8_t)(0x40 | (hl / 4));
	wr16(b + 2, (uint16_t)(hl + l4len));
	wr16(b + 4, 0x1234);
	wr16(b + 6, frag);
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, (uint8_t[]){ 10, 0, 0, 1 }, 4);
	memcpy(b + 16, (uint8_t[]){ 10, 0, 0, 2 }, 4);
	memset(b + 20, 1, opt_words * 4);
	c = dk_cksum(b, hl);
	memcpy(b + 10, &c, 2);
	return hl;
}

static size_t
put_v6(uint8_t *b, uint8_t nxt, size_t plen)
{
	memset(b, 0, 40);
	b[0] = 0x60;
	wr16(b + 4, (uint16_t)plen);
	b[6] = nxt;
	b[7] = 255;
	b[8] = 0x20;
	b[9] = 0x01;
	b[23] = 1;
	b[24] = 0x20;
	b[25] = 0x01;
	b[39] = 2;
	return 40;
}

static size_t
put_tcp(uint8_t *b, const uint8_t *ip, size_t payload)
{
	uint32_t l4len = (uint32_t)(24 + payload), s;
	uint16_t c;

	memset(b, 0, 24 + payload);
	wr16(b, 40000);
	wr16(b + 2, 80);
	memcpy(b + 4, (uint8_t[]){ 0, 0, 0x10, 0 }, 4);
	memcpy(b + 8, (uint8_t[]){ 0, 0, 0, 7 }, 4);
	b[12] = 6 << 4;
	b[13] = 0x02;
	wr16(b + 14, 29200);
	memcpy(b + 20, (uint8_t[]){ 2, 4, 0x05, 0xb4 }, 4);
	memset(b + 24, 'x', payload);
	memset(b + 16, 0, 2);
	s = (ip[0] >> 4) == 4 ? dk_cksum_pseudo4(ip + 12, ip + 16, 6, l4len)
			      : dk_cksum_pseudo6(ip + 8, ip + 24, 6, l4len);
	c = dk_cksum_finish(dk_cksum_add(s, b, l4len));
	memcpy(b + 16, &c, 2);
	return 24 + payload;
}

/* 10.0.0.1:40000 -> 10.0.0.2:80 SYN with MSS and 5 bytes of data; optional VLAN 100. */
static size_t
tcp4_frame(uint8_t *b, int vlan, unsigned opt_words)
{
	size_t off = put_eth(b, 0x0800, vlan);
	size_t ip = off;

	off += put_v4(b + off, 6, 29, opt_words, 0x4000);
	off += put_tcp(b + off, b + ip, 5);
	return off;
}

/* 2001::1 -> 2001::2 UDP behind hop-by-hop and destination options headers. */
static size_t
udp6_ext_frame(uint8_t *b)
{
	size_t off = put_eth(b, 0x86dd, -1);
	uint8_t *ip = b + off;
	uint8_t *u;

	off += put_v6(ip, 0, 8 + 16 + 12);
	memset(b + off, 0, 8);
	b[off] = 60; /* hop-by-hop -> dest opts */
	off += 8;
	memset(b + off, 0, 16);
	b[off] = 17;
	b[off + 1] = 1; /* 16 bytes */
	off += 16;
	u = b + off;
	wr16(u, 5000);
	wr16(u + 2, 53);
	wr16(u + 4, 12);
	memset(u + 6, 0, 2);
	memcpy(u + 8, "abcd", 4);
	{
		uint16_t c = dk_cksum_finish(
			dk_cksum_add(dk_cksum_pseudo6(ip + 8, ip + 24, 17, 12), u, 12));

		memcpy(u + 6, &c, 2);
	}
	return off + 12;
}

static size_t
arp_frame(uint8_t *b)
{
	size_t off = put_eth(b, 0x0806, -1);
	static const uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1, 0x10, 0x11, 0x12, 0x13, 0x14,
					 0x15, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 9 };

	memcpy(b + off, arp, sizeof(arp));
	return off + sizeof(arp);
}

static enum dk_pkt_verdict
parse_exact(const uint8_t *b, size_t len, unsigned flags, struct dk_pkt_info *info)
{
	/* An exact-size heap copy lets a sanitizer build see any read past len. */
	uint8_t *copy = malloc(len ? len : 1);
	enum dk_pkt_verdict v;

	assert_non_null(copy);
	memcpy(copy, b, len);
	v = dk_pkt_parse_ex(copy, len, flags, info);
	free(copy);
	return v;
}

static void
test_tcp4(void **state)
{
	uint8_t b[128];
	struct dk_pkt_info i;
	size_t len = tcp4_frame(b, -1, 0);

	(void)state;
	assert_int_equal(dk_pkt_parse_ex(b, len, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM, &i),
			 DK_PKT_OK);
	assert_int_equal(i.l2_len, 14);
	assert_int_equal(i.l3_off, 14);
	assert_int_equal(i.l4_off, 34);
	assert_int_equal(i.payload_off, 58);
	assert_int_equal(i.payload_len, 5);
	assert_int_equal(i.l3_end, len);
	assert_int_equal(i.ethertype, 0x0800);
	assert_false(i.has_vlan);
	assert_int_equal(i.family, AF_INET);
	assert_true(dk_addr_eq(&i.src, &(struct dk_addr){ .af = AF_INET, .b = { 10, 0, 0, 1 } }));
	assert_true(dk_addr_eq(&i.dst, &(struct dk_addr){ .af = AF_INET, .b = { 10, 0, 0, 2 } }));
	assert_int_equal(i.ttl, 64);
	assert_int_equal(i.proto, 6);
	assert_int_equal(i.sport, 40000);
	assert_int_equal(i.dport, 80);
	assert_int_equal(i.tcp_flags, 0x02);
	assert_int_equal(i.tcp_seq, 0x1000);
	assert_int_equal(i.tcp_ack, 7);
	assert_int_equal(i.tcp_window, 29200);
	assert_false(i.is_frag);
	assert_false(i.ip_opts);
	assert_int_equal(i.eth_src.b[0], 0x10);
	assert_int_equal(i.eth_dst.b[5], 5);
}

static void
test_tcp4_vlan_options_padding(void **state)
{
	uint8_t b[128];
	struct dk_pkt_info i;
	size_t len = tcp4_frame(b, 100, 2);

	(void)state;
	memset(b + len, 0xee, 6); /* Ethernet trailer after the datagram */
	assert_int_equal(dk_pkt_parse_ex(b, len + 6, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM, &i),
			 DK_PKT_OK);
	assert_true(i.has_vlan);
	assert_int_equal(i.vlan_tci, 100);
	assert_int_equal(i.l2_len, 18);
	assert_int_equal(i.l4_off, 18 + 28);
	assert_true(i.ip_opts);
	assert_int_equal(i.l3_end, len);
	assert_int_equal(i.payload_len, 5);
}

static void
test_udp6_ext(void **state)
{
	uint8_t b[128];
	struct dk_pkt_info i;
	size_t len = udp6_ext_frame(b);

	(void)state;
	assert_int_equal(dk_pkt_parse_ex(b, len, DK_PKT_F_L4_CKSUM, &i), DK_PKT_OK);
	assert_int_equal(i.family, AF_INET6);
	assert_int_equal(i.proto, 17);
	assert_true(i.ip_opts);
	assert_int_equal(i.l4_off, 14 + 40 + 24);
	assert_int_equal(i.payload_off, i.l4_off + 8);
	assert_int_equal(i.payload_len, 4);
	assert_int_equal(i.sport, 5000);
	assert_int_equal(i.dport, 53);
	assert_int_equal(i.ttl, 255);
	assert_int_equal(i.src.v6[15], 1);
	assert_int_equal(i.dst.v6[15], 2);
	/* A corrupted byte must fail the checksum check, and only when asked. */
	b[len - 1] ^= 0x40;
	assert_int_equal(dk_pkt_parse_ex(b, len, DK_PKT_F_L4_CKSUM, &i), DK_PKT_BAD_L4_CKSUM);
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_OK);
}

static void
test_arp(void **state)
{
	uint8_t b[64];
	struct dk_pkt_info i;
	size_t len = arp_frame(b);

	(void)state;
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_OK);
	assert_int_equal(i.ethertype, 0x0806);
	assert_int_equal(i.family, 0);
	assert_int_equal(i.arp_op, 1);
	assert_int_equal(i.arp_sha.b[0], 0x10);
	assert_int_equal(i.arp_spa.af, AF_INET);
	assert_int_equal(i.arp_spa.b[3], 1);
	assert_int_equal(i.arp_tpa.b[3], 9);
	b[18] = 8; /* hln 8 is not Ethernet */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_ARP);
}

static void
test_truncated_everywhere(void **state)
{
	uint8_t b[128];
	size_t lens[4];
	uint8_t frames[4][128];
	struct dk_pkt_info i;

	(void)state;
	lens[0] = tcp4_frame(frames[0], -1, 0);
	lens[1] = tcp4_frame(frames[1], 7, 3);
	lens[2] = udp6_ext_frame(frames[2]);
	lens[3] = arp_frame(frames[3]);
	for (unsigned f = 0; f < 4; f++) {
		memcpy(b, frames[f], lens[f]);
		for (size_t n = 0; n < lens[f]; n++)
			assert_int_not_equal(parse_exact(b, n, 0, &i), DK_PKT_OK);
		assert_int_equal(parse_exact(b, lens[f], 0, &i), DK_PKT_OK);
	}
	assert_int_equal(parse_exact(b, 5, 0, &i), DK_PKT_TRUNC_ETH);
}

static void
test_ipv4_malformed(void **state)
{
	uint8_t b[128], g[128];
	struct dk_pkt_info i;
	size_t len = tcp4_frame(g, -1, 0);

	(void)state;
	memcpy(b, g, len);
	b[14] = 0x44; /* IHL 4 */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_IHL);
	memcpy(b, g, len);
	b[14] = 0x65; /* version 6 in an IPv4 ethertype */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_IP_VERSION);
	memcpy(b, g, len);
	wr16(b + 16, (uint16_t)(len - 14 + 1)); /* total length beyond the frame */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_IP_LEN);
	wr16(b + 16, 19); /* shorter than the header */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_IP_LEN);
	memcpy(b, g, len);
	b[14 + 8] = 1; /* TTL change without a checksum update */
	assert_int_equal(dk_pkt_parse_ex(b, len, DK_PKT_F_IP_CKSUM, &i), DK_PKT_BAD_IP_CKSUM);
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_OK);
	memcpy(b, g, len);
	b[14 + 20 + 12] = 4 << 4; /* TCP data offset 4 */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_TCP_OFF);
	b[14 + 20 + 12] = 15 << 4; /* 60-byte header in a 29-byte segment */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_TCP_OFF);
	memcpy(b, g, len);
	b[12] = 0x12; /* unknown ethertype */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_UNKNOWN_ETHERTYPE);
}

static void
test_double_vlan(void **state)
{
	uint8_t b[128];
	struct dk_pkt_info i;
	size_t len = tcp4_frame(b, 5, 0);

	(void)state;
	wr16(b + 16, 0x8100);
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_VLAN);
}

static void
test_ipv4_fragments(void **state)
{
	uint8_t b[128];
	struct dk_pkt_info i;
	size_t off = put_eth(b, 0x0800, -1);

	(void)state;
	off += put_v4(b + off, 17, 16, 0, 0x2000 | 185); /* MF, offset 1480 */
	memset(b + off, 0xab, 16);
	off += 16;
	assert_int_equal(dk_pkt_parse_ex(b, off, DK_PKT_F_IP_CKSUM, &i), DK_PKT_OK);
	assert_true(i.is_frag);
	assert_false(i.frag_first);
	assert_true(i.frag_more);
	assert_int_equal(i.frag_off, 1480);
	assert_int_equal(i.frag_id, 0x1234);
	assert_int_equal(i.sport, 0);
	assert_int_equal(i.payload_off, 34);
	assert_int_equal(i.payload_len, 16);

	/* Offset 65528 plus 16 bytes would reassemble past 64 KiB. */
	off = put_eth(b, 0x0800, -1);
	off += put_v4(b + off, 17, 16, 0, 0x1fff);
	assert_int_equal(dk_pkt_parse(b, off + 16, &i), DK_PKT_BAD_IP_FRAG);
}

static void
test_ipv6_malformed(void **state)
{
	uint8_t b[256], g[128];
	struct dk_pkt_info i;
	size_t len = udp6_ext_frame(g), off;

	(void)state;
	memcpy(b, g, len);
	wr16(b + 14 + 4, (uint16_t)(len - 54 + 1)); /* payload length lies */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_IP_LEN);
	memcpy(b, g, len);
	b[14] = 0x40;
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_IP_VERSION);
	memcpy(b, g, len);
	b[54 + 8] = 0; /* second header claims to be hop-by-hop again */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_EXT);
	memcpy(b, g, len);
	b[54 + 9] = 9; /* dest opts longer than the datagram */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_TRUNC_EXT);
	memcpy(b, g, len);
	wr16(b + 54 + 24 + 4, 13); /* UDP length past the datagram */
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_UDP_LEN);
	wr16(b + 54 + 24 + 4, 7);
	assert_int_equal(dk_pkt_parse(b, len, &i), DK_PKT_BAD_UDP_LEN);

	/* A chain of destination options longer than DK_PKT_MAX_EXT_HDRS. */
	off = put_eth(b, 0x86dd, -1);
	off += put_v6(b + off, 60, (DK_PKT_MAX_EXT_HDRS + 1) * 8);
	for (unsigned k = 0; k <= DK_PKT_MAX_EXT_HDRS; k++, off += 8) {
		memset(b + off, 0, 8);
		b[off] = k == DK_PKT_MAX_EXT_HDRS ? 59 : 60;
	}
	assert_int_equal(dk_pkt_parse(b, off, &i), DK_PKT_BAD_EXT);
	/* One fewer is fine and ends in "no next header". */
	off = put_eth(b, 0x86dd, -1);
	off += put_v6(b + off, 60, DK_PKT_MAX_EXT_HDRS * 8);
	for (unsigned k = 0; k < DK_PKT_MAX_EXT_HDRS; k++, off += 8) {
		memset(b + off, 0, 8);
		b[off] = k == DK_PKT_MAX_EXT_HDRS - 1 ? 59 : 60;
	}
	assert_int_equal(dk_pkt_parse(b, off, &i), DK_PKT_OK);
	assert_int_equal(i.proto, 59);
	assert_int_equal(i.payload_len, 0);
}

static void
test_ipv6_fragment(void **state)
{
	uint8_t b[128];
	struct dk_pkt_info i;
	size_t off = put_eth(b, 0x86dd, -1);

	(void)state;
	off += put_v6(b + off, 44, 8 + 16);
	b[off] = 6;
	b[off + 1] = 0;
	wr16(b + off + 2, 1232 | 1);
	memcpy(b + off + 4, (uint8_t[]){ 0xde, 0xad, 0xbe, 0xef }, 4);
	off += 8;
	memset(b + off, 0, 16);
	off += 16;
	assert_int_equal(dk_pkt_parse(b, off, &i), DK_PKT_OK);
	assert_true(i.is_frag);
	assert_false(i.frag_first);
	assert_true(i.frag_more);
	assert_int_equal(i.frag_off, 1232);
	assert_int_equal(i.frag_id, 0xdeadbeef);
	assert_int_equal(i.proto, 6);
	assert_int_equal(i.l4_off, 14 + 48);
	assert_int_equal(i.tcp_flags, 0);

	/* First fragment: the TCP header must be there and is parsed. */
	wr16(b + 54 + 2, 1);
	assert_int_equal(dk_pkt_parse(b, off, &i), DK_PKT_TRUNC_L4);
}

static void
test_names(void **state)
{
	(void)state;
	for (int v = 0; v < DK_PKT_VERDICT_MAX; v++) {
		assert_non_null(dk_pkt_verdict_name(v));
		for (int w = 0; w < v; w++)
			assert_string_not_equal(dk_pkt_verdict_name(v), dk_pkt_verdict_name(w));
	}
	assert_string_equal(dk_pkt_verdict_name(DK_PKT_BAD_IHL), "bad_ihl");
	assert_string_equal(dk_pkt_verdict_name(DK_PKT_VERDICT_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp4),
		cmocka_unit_test(test_tcp4_vlan_options_padding),
		cmocka_unit_test(test_udp6_ext),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_ipv4_malformed),
		cmocka_unit_test(test_double_vlan),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv6_malformed),
		cmocka_unit_test(test_ipv6_fragment),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
