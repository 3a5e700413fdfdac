/* LB header rewrites: incremental checksums must equal a full recomputation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dk_cksum.h"
#include "dk_dp_lb_rw.h"
#include "dk_pkt.h"

#define L3 14
#define L4 34
#define TCPOPT_NOP_BYTE 1

/* A random IPv4 frame with valid checksums; returns its length. */
static size_t
make(uint8_t *f, uint8_t proto, unsigned seed)
{
	size_t l4len = (proto == 6 ? 20 : 8) + (size_t)(rand_r(&seed) % 200);
	uint16_t ck, tot = (uint16_t)(20 + l4len);
	uint32_t sum;

	memset(f, 0, L4 + l4len);
	f[12] = 0x08;
	f[L3] = 0x45;
	f[L3 + 2] = (uint8_t)(tot >> 8);
	f[L3 + 3] = (uint8_t)tot;
	f[L3 + 8] = 64;
	f[L3 + 9] = proto;
	for (size_t i = L3 + 12; i < L3 + 20; i++)
		f[i] = (uint8_t)rand_r(&seed);
	for (size_t i = L4; i < L4 + l4len; i++)
		f[i] = (uint8_t)rand_r(&seed);
	if (proto == 6) {
		f[L4 + 12] = 0x50;
		f[L4 + 16] = f[L4 + 17] = 0;
	} else {
		f[L4 + 4] = (uint8_t)(l4len >> 8);
		f[L4 + 5] = (uint8_t)l4len;
		f[L4 + 6] = f[L4 + 7] = 0;
	}
	ck = dk_cksum(f + L3, 20);
	memcpy(f + L3 + 10, &ck, 2);
	sum = dk_cksum_pseudo4(f + L3 + 12, f + L3 + 16, proto, (uint32_t)l4len);
	ck = dk_cksum_finish(dk_cksum_add(sum, f + L4, l4len));
	if (proto == 17 && ck == 0)
		ck = 0xffff;
	memcpy(f + L4 + (proto == 6 ? 16 : 6), &ck, 2);
	return L4 + l4len;
}

static void
check_valid(const uint8_t *f, size_t len, uint32_t addr, uint16_t port, bool src)
{
	struct dk_pkt_info pi;

	assert_int_equal(dk_pkt_parse_ex(f, len, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM, &pi),
			 DK_PKT_OK);
	assert_memory_equal(src ? &pi.src.v4 : &pi.dst.v4, &addr, 4);
	assert_int_equal(src ? pi.sport : pi.dport, port);
}

static void
test_random_rewrites(void **state)
{
	uint8_t f[256];

	(void)state;
	for (unsigned i = 0; i < 2000; i++) {
		uint8_t proto = i % 2 ? 6 : 17;
		size_t len = make(f, proto, i);
		unsigned s = i * 7 + 1;
		uint32_t a = (uint32_t)rand_r(&s);
		uint16_t p = (uint16_t)rand_r(&s);
		bool src = i % 4 < 2;

		dk_dp_lb_rw4(f + L3, f + L4, proto, src ? DK_DP_LB_SRC : DK_DP_LB_DST, a, p);
		check_valid(f, len, a, p, src);
	}
}

#define L4_6 54

/* A random IPv6 frame (no extension headers) with a valid L4 checksum. */
static size_t
make6(uint8_t *f, uint8_t proto, unsigned seed)
{
	size_t l4len = (proto == 6 ? 20 : 8) + (size_t)(rand_r(&seed) % 200);
	uint16_t ck;
	uint32_t sum;

	memset(f, 0, L4_6 + l4len);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[L3] = 0x60;
	f[L3 + 4] = (uint8_t)(l4len >> 8);
	f[L3 + 5] = (uint8_t)l4len;
	f[L3 + 6] = proto;
	f[L3 + 7] = 64;
	for (size_t i = L3 + 8; i < L3 + 40; i++)
		f[i] = (uint8_t)rand_r(&seed);
	for (size_t i = L4_6; i < L4_6 + l4len; i++)
		f[i] = (uint8_t)rand_r(&seed);
	if (proto == 6) {
		f[L4_6 + 12] = 0x50;
		f[L4_6 + 16] = f[L4_6 + 17] = 0;
	} else {
		f[L4_6 + 4] = (uint8_t)(l4len >> 8);
		f[L4_6 + 5] = (uint8_t)l4len;
		f[L4_6 + 6] = f[L4_6 + 7] = 0;
	}
	sum = dk_cksum_pseudo6(f + L3 + 8, f + L3 + 24, proto, (uint32_t)l4len);
	ck = dk_cksum_finish(dk_cksum_add(sum, f + L4_6, l4len));
	if (proto == 17 && ck == 0)
		ck = 0xffff;
	memcpy(f + L4_6 + (proto == 6 ? 16 : 6), &ck, 2);
	return L4_6 + l4len;
}

static void
test_random_rewrites6(void **state)
{
	uint8_t f[300];
	struct dk_pkt_info pi;

	(void)state;
	for (unsigned i = 0; i < 2000; i++) {
		uint8_t proto = i % 2 ? 6 : 17, a[16];
		size_t len = make6(f, proto, i);
		unsigned s = i * 13 + 5;
		uint16_t p = (uint16_t)rand_r(&s);
		bool src = i % 4 < 2;

		for (unsigned k = 0; k < 16; k++)
			a[k] = (uint8_t)rand_r(&s);
		dk_dp_lb_rw6(f + L3, f + L4_6, proto, src ? DK_DP_LB_SRC : DK_DP_LB_DST, a, p);
		assert_int_equal(dk_pkt_parse_ex(f, len, DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
		assert_int_equal(pi.family, AF_INET6);
		assert_memory_equal(src ? pi.src.v6 : pi.dst.v6, a, 16);
		assert_int_equal(src ? pi.sport : pi.dport, p);
		/* UDP over IPv6 never carries zero: a computed zero is sent as 0xffff. */
		if (proto == 17)
			assert_int_not_equal(f[L4_6 + 6] | f[L4_6 + 7], 0);
	}
}

static void
test_udp_without_checksum_stays_without(void **state)
{
	uint8_t f[256];
	size_t len = make(f, 17, 42);

	(void)state;
	memset(f + L4 + 6, 0, 2);
	dk_dp_lb_rw4(f + L3, f + L4, 17, DK_DP_LB_DST, 0x0b6433c6, 80);
	assert_int_equal(f[L4 + 6] | f[L4 + 7], 0);
	check_valid(f, len, 0x0b6433c6, 80, false);
}

static void
test_ipip_header(void **state)
{
	uint8_t f[256], out[300];
	size_t len = make(f, 6, 7);
	struct dk_pkt_info pi;

	(void)state;
	f[L3 + 6] = 0x40;	/* DF */
	memcpy(out, f, L3);
	dk_dp_lb_ipip4(out + L3, f + L3, (uint16_t)(len - L3), 0x0164330c, 0x0b6433c6);
	memcpy(out + L3 + 20, f + L3, len - L3);
	assert_int_equal(dk_pkt_parse_ex(out, len + 20, DK_PKT_F_IP_CKSUM, &pi), DK_PKT_OK);
	assert_int_equal(pi.proto, 4);
	assert_int_equal(pi.l3_end, len + 20);
	assert_int_equal(out[L3 + 6] & 0x40, 0x40);
}

static void
test_ip6ip6_header(void **state)
{
	uint8_t f[300], out[360], src[16] = { 0x20, 1, 0xd, 0xb8 }, dst[16] = { 0x20, 1, 0xd, 0xb8 };
	size_t len = make6(f, 6, 9);
	struct dk_pkt_info pi;

	(void)state;
	src[15] = 1;
	dst[15] = 0x11;
	f[L3] = 0x6b;	/* traffic class 0xb8: kept on the outer header */
	f[L3 + 1] = 0x80;
	memcpy(out, f, L3);
	dk_dp_lb_ip6ip6(out + L3, f + L3, (uint16_t)(len - L3), src, dst);
	memcpy(out + L3 + 40, f + L3, len - L3);
	assert_int_equal(dk_pkt_parse(out, len + 40, &pi), DK_PKT_OK);
	assert_int_equal(pi.family, AF_INET6);
	assert_int_equal(pi.proto, 41);
	assert_int_equal(pi.l3_end, len + 40);
	assert_int_equal(pi.tos, 0xb8);
	assert_int_equal(pi.ttl, 64);
	assert_memory_equal(pi.src.v6, src, 16);
	assert_memory_equal(pi.dst.v6, dst, 16);
	/* The inner datagram follows unchanged: behind an Ethernet header it parses as sent. */
	memcpy(out + 40, f, L3);
	assert_memory_equal(out + 40, f, len);
	assert_int_equal(dk_pkt_parse_ex(out + 40, len, DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
}

/* An ICMP error (type 3 code 3) from 10.9.9.9 quoting qlen bytes of the frame f. */
static size_t
make_icmp(uint8_t *out, const uint8_t *f, size_t qlen)
{
	size_t len = L4 + 8 + qlen;
	uint16_t ck;

	memset(out, 0, L4 + 8);
	out[12] = 0x08;
	out[L3] = 0x45;
	out[L3 + 2] = (uint8_t)((len - L3) >> 8);
	out[L3 + 3] = (uint8_t)(len - L3);
	out[L3 + 8] = 64;
	out[L3 + 9] = 1;
	memcpy(out + L3 + 12, (uint8_t[]){ 10, 9, 9, 9 }, 4);
	memcpy(out + L3 + 16, f + L3 + 16, 4);	/* to the quoted datagram's source */
	ck = dk_cksum(out + L3, 20);
	memcpy(out + L3 + 10, &ck, 2);
	out[L4] = 3;
	out[L4 + 1] = 3;
	memcpy(out + L4 + 8, f + L3, qlen);
	ck = dk_cksum(out + L4, 8 + qlen);
	memcpy(out + L4 + 2, &ck, 2);
	return len;
}

/* Both ends of the quote and of the outer header rewritten (a NAT flow's error turned
 * around): every checksum still equals a full recomputation. */
static void
test_icmp_error_rewrite(void **state)
{
	uint8_t f[256], e[320], g[256];
	struct dk_dp_lb_quote q;
	struct dk_pkt_info pi;

	(void)state;
	for (unsigned i = 0; i < 2000; i++) {
		uint8_t proto = i % 2 ? 6 : 17;
		size_t len = make(f, proto, i), qlen, elen;
		unsigned s = i * 11 + 3;
		uint32_t a1 = (uint32_t)rand_r(&s), a2 = (uint32_t)rand_r(&s);
		uint32_t o1 = (uint32_t)rand_r(&s), o2 = (uint32_t)rand_r(&s);
		uint16_t p1 = (uint16_t)rand_r(&s), p2 = (uint16_t)rand_r(&s);
		bool whole = i % 3 == 0;

		/* The whole datagram, or RFC 792's header and 8 bytes, or in between. */
		qlen = whole ? len - L3 : 28 + (size_t)rand_r(&s) % (len - L3 - 28 + 1);
		elen = make_icmp(e, f, qlen);
		assert_int_equal(dk_pkt_parse_ex(e, elen, DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
		assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), 0);
		assert_int_equal(q.proto, proto);
		assert_memory_equal(&q.src, f + L3 + 12, 4);
		assert_int_equal(q.sport, f[L4] << 8 | f[L4 + 1]);
		dk_dp_lb_icmp4_rw_quote(e + L4, &q, DK_DP_LB_SRC, a1, p1);
		dk_dp_lb_icmp4_rw_quote(e + L4, &q, DK_DP_LB_DST, a2, p2);
		dk_dp_lb_rw4_addr(e + L3, DK_DP_LB_SRC, o1);
		dk_dp_lb_rw4_addr(e + L3, DK_DP_LB_DST, o2);
		dk_dp_lb_icmp4_cksum(e + L4, elen - L4);
		assert_int_equal(dk_pkt_parse_ex(e, elen, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM,
						 &pi), DK_PKT_OK);
		assert_memory_equal(&pi.src.v4, &o1, 4);
		assert_memory_equal(&pi.dst.v4, &o2, 4);
		assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), 0);
		assert_memory_equal(&q.src, &a1, 4);
		assert_memory_equal(&q.dst, &a2, 4);
		assert_int_equal(q.sport, p1);
		assert_int_equal(q.dport, p2);
		assert_int_equal(dk_cksum(e + L4 + 8, 20), 0);
		if (whole) {
			/* The quoted datagram itself is still valid, L4 checksum included. */
			memcpy(g, f, L3);
			memcpy(g + L3, e + L4 + 8, qlen);
			assert_int_equal(dk_pkt_parse_ex(g, len, DK_PKT_F_IP_CKSUM |
							 DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
		}
	}
}

static void
test_icmp_quote_rejects(void **state)
{
	uint8_t f[256], e[320];
	size_t len = make(f, 17, 5), elen;
	struct dk_dp_lb_quote q;

	(void)state;
	elen = make_icmp(e, f, 28);
	assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), 0);
	/* Seven bytes of UDP: no whole pair of ports. */
	assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4 - 1, &q), -1);
	e[L4] = 8;	/* an echo request is no error */
	assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), -1);
	e[L4] = 11;
	assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), 0);
	e[L4 + 8 + 7] = 1;	/* a later fragment */
	assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), -1);
	e[L4 + 8 + 7] = 0;
	e[L4 + 8 + 9] = 1;	/* ICMP quoted in ICMP */
	assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), -1);
	e[L4 + 8 + 9] = 17;
	e[L4 + 8] = 0x46;	/* options claimed but not quoted */
	assert_int_equal(dk_dp_lb_icmp4_quote(e + L4, elen - L4, &q), -1);
	(void)len;
}

/* A SYN with MSS 1460 after pad NOPs (odd and even offsets) and random other options. */
static size_t
make_syn(uint8_t *f, unsigned seed, unsigned pad, size_t *mss_off)
{
	size_t len = make(f, 6, seed), o = L4 + 20;
	uint16_t ck;
	uint32_t sum;

	memset(f + L4 + 20, TCPOPT_NOP_BYTE, 20);
	o += pad;
	f[o] = 8;	/* timestamps: something to step over */
	f[o + 1] = 10;
	o += 10;
	f[o] = 2;
	f[o + 1] = 4;
	f[o + 2] = 1460 >> 8;
	f[o + 3] = 1460 & 0xff;
	*mss_off = o + 2;
	f[L4 + 12] = 0xa0;	/* 40 bytes of header */
	f[L4 + 13] = 0x02;
	if (len < L4 + 40)
		len = L4 + 40;
	f[L3 + 2] = (uint8_t)((len - L3) >> 8);
	f[L3 + 3] = (uint8_t)(len - L3);
	memset(f + L3 + 10, 0, 2);
	ck = dk_cksum(f + L3, 20);
	memcpy(f + L3 + 10, &ck, 2);
	memset(f + L4 + 16, 0, 2);
	sum = dk_cksum_pseudo4(f + L3 + 12, f + L3 + 16, 6, (uint32_t)(len - L4));
	ck = dk_cksum_finish(dk_cksum_add(sum, f + L4, len - L4));
	memcpy(f + L4 + 16, &ck, 2);
	return len;
}

static void
test_mss_clamp(void **state)
{
	uint8_t f[256];
	struct dk_pkt_info pi;

	(void)state;
	for (unsigned i = 0; i < 200; i++) {
		size_t off, len = make_syn(f, i, i % 7, &off);

		assert_true(dk_dp_lb_mss_clamp(f + L4, 40, 1440));
		assert_int_equal(f[off] << 8 | f[off + 1], 1440);
		assert_int_equal(dk_pkt_parse_ex(f, len, DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
		/* Already small enough: left alone. */
		assert_false(dk_dp_lb_mss_clamp(f + L4, 40, 1460));
		assert_int_equal(f[off] << 8 | f[off + 1], 1440);
	}
	/* No MSS option (NOPs only, then end): nothing to do. */
	make_syn(f, 1, 0, &(size_t){ 0 });
	memset(f + L4 + 20, 1, 19);
	f[L4 + 39] = 0;
	assert_false(dk_dp_lb_mss_clamp(f + L4, 40, 536));
	/* An option claiming to run past the header stops the walk. */
	f[L4 + 20] = 2;
	f[L4 + 21] = 40;
	assert_false(dk_dp_lb_mss_clamp(f + L4, 40, 536));
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A segment made a RST: valid checksums, right ends, a seq its receiver accepts. */
static void
test_tcp_rst(void **state)
{
	uint8_t f[256], o[256];
	struct dk_pkt_info pi, op;

	(void)state;
	for (unsigned i = 0; i < 300; i++) {
		size_t len = make(f, 6, i);
		uint32_t plen = (uint32_t)(len - L4 - 20), ck;
		bool reflect = i % 2, acked = i % 3 != 0;
		uint16_t n;

		put32(f + L4 + 4, 0xfffffff0u + i);
		put32(f + L4 + 8, 0x12345678u * i);
		f[L4 + 13] = acked ? 0x18 : 0x02;
		/* Fix the TCP checksum for the new seq/ack/flags. */
		f[L4 + 16] = f[L4 + 17] = 0;
		ck = dk_cksum_finish(dk_cksum_add(dk_cksum_pseudo4(f + L3 + 12, f + L3 + 16, 6,
								   (uint32_t)(len - L4)),
						  f + L4, len - L4));
		memcpy(f + L4 + 16, &ck, 2);
		memcpy(o, f, len);
		assert_int_equal(dk_pkt_parse(o, len, &op), DK_PKT_OK);
		n = dk_dp_lb_tcp_rst4(f + L3, f + L4, plen, reflect);
		assert_int_equal(n, 40);
		assert_int_equal(dk_pkt_parse_ex(f, L3 + n,
						 DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM, &pi),
				 DK_PKT_OK);
		assert_int_equal(pi.payload_len, 0);
		assert_true(pi.tcp_flags & 0x04);
		if (!reflect) {
			assert_int_equal(pi.tcp_flags, 0x04);
			assert_true(dk_addr_eq(&pi.src, &op.src) && dk_addr_eq(&pi.dst, &op.dst));
			assert_int_equal(pi.sport, op.sport);
			assert_int_equal(get32(f + L4 + 4), 0xfffffff0u + i);
			continue;
		}
		assert_true(dk_addr_eq(&pi.src, &op.dst) && dk_addr_eq(&pi.dst, &op.src));
		assert_int_equal(pi.sport, op.dport);
		assert_int_equal(pi.dport, op.sport);
		if (acked) {
			assert_int_equal(pi.tcp_flags, 0x04);
			assert_int_equal(get32(f + L4 + 4), 0x12345678u * i);
		} else {
			/* A SYN: nothing to take seq from; ack its sequence number and data. */
			assert_int_equal(pi.tcp_flags, 0x14);
			assert_int_equal(get32(f + L4 + 4), 0);
			assert_int_equal(get32(f + L4 + 8), 0xfffffff0u + i + plen + 1);
		}
	}
}

/* An ICMPv6 error (type, code 4) from 2001:db8::9 quoting qlen bytes of the IPv6 frame f,
 * its checksum computed here in full. */
static size_t
make_icmp6(uint8_t *out, const uint8_t *f, size_t qlen, uint8_t type)
{
	size_t plen = 8 + qlen;
	uint16_t ck;
	uint32_t sum;

	memset(out, 0, L4_6 + 8);
	out[12] = 0x86;
	out[13] = 0xdd;
	out[L3] = 0x60;
	out[L3 + 4] = (uint8_t)(plen >> 8);
	out[L3 + 5] = (uint8_t)plen;
	out[L3 + 6] = 58;
	out[L3 + 7] = 64;
	out[L3 + 8] = 0x20;
	out[L3 + 9] = 0x01;
	out[L3 + 10] = 0x0d;
	out[L3 + 11] = 0xb8;
	out[L3 + 23] = 9;
	memcpy(out + L3 + 24, f + L3 + 8, 16);	/* to the quoted datagram's source */
	out[L4_6] = type;
	out[L4_6 + 1] = 4;
	memcpy(out + L4_6 + 8, f + L3, qlen);
	sum = dk_cksum_pseudo6(out + L3 + 8, out + L3 + 24, 58, (uint32_t)plen);
	ck = dk_cksum_finish(dk_cksum_add(sum, out + L4_6, plen));
	memcpy(out + L4_6 + 2, &ck, 2);
	return L4_6 + plen;
}

/* The IPv6 counterpart of test_icmp_error_rewrite: the ICMPv6 checksum covers the
 * pseudo-header, so rewriting the outer addresses must be folded in as well. */
static void
test_icmp6_error_rewrite(void **state)
{
	uint8_t f[300], e[400], g[300];
	struct dk_dp_lb_quote q;
	struct dk_pkt_info pi;

	(void)state;
	for (unsigned i = 0; i < 2000; i++) {
		uint8_t proto = i % 2 ? 6 : 17, a1[16], a2[16], o1[16], o2[16];
		size_t len = make6(f, proto, i), qlen, elen;
		unsigned s = i * 17 + 7;
		uint16_t p1 = (uint16_t)rand_r(&s), p2 = (uint16_t)rand_r(&s);
		bool whole = i % 3 == 0;

		for (unsigned k = 0; k < 16; k++) {
			a1[k] = (uint8_t)rand_r(&s);
			a2[k] = (uint8_t)rand_r(&s);
			o1[k] = (uint8_t)rand_r(&s);
			o2[k] = (uint8_t)rand_r(&s);
		}
		qlen = whole ? len - L3 : 48 + (size_t)rand_r(&s) % (len - L3 - 48 + 1);
		elen = make_icmp6(e, f, qlen, (uint8_t)(1 + i % 4));
		assert_int_equal(dk_pkt_parse_ex(e, elen, DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
		assert_true(dk_dp_lb_icmp6_is_error(pi.icmp_type));
		assert_int_equal(dk_dp_lb_icmp6_quote(e + L4_6, elen - L4_6, &q), 0);
		assert_int_equal(q.proto, proto);
		assert_memory_equal(q.src6, f + L3 + 8, 16);
		assert_memory_equal(q.dst6, f + L3 + 24, 16);
		assert_int_equal(q.sport, f[L4_6] << 8 | f[L4_6 + 1]);
		assert_int_equal(q.dport, f[L4_6 + 2] << 8 | f[L4_6 + 3]);
		dk_dp_lb_icmp6_rw_quote(e + L4_6, &q, DK_DP_LB_SRC, a1, p1);
		dk_dp_lb_icmp6_rw_quote(e + L4_6, &q, DK_DP_LB_DST, a2, p2);
		dk_dp_lb_rw6_addr(e + L3, DK_DP_LB_SRC, o1);
		dk_dp_lb_rw6_addr(e + L3, DK_DP_LB_DST, o2);
		dk_dp_lb_icmp6_cksum(e + L3, e + L4_6, elen - L4_6);
		assert_int_equal(dk_pkt_parse_ex(e, elen, DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
		assert_memory_equal(pi.src.v6, o1, 16);
		assert_memory_equal(pi.dst.v6, o2, 16);
		assert_int_equal(dk_dp_lb_icmp6_quote(e + L4_6, elen - L4_6, &q), 0);
		assert_memory_equal(q.src6, a1, 16);
		assert_memory_equal(q.dst6, a2, 16);
		assert_int_equal(q.sport, p1);
		assert_int_equal(q.dport, p2);
		if (whole) {
			memcpy(g, f, L3);
			memcpy(g + L3, e + L4_6 + 8, qlen);
			assert_int_equal(dk_pkt_parse_ex(g, len, DK_PKT_F_L4_CKSUM, &pi),
					 DK_PKT_OK);
		}
	}
}

static void
test_icmp6_quote_rejects(void **state)
{
	uint8_t f[300], e[400];
	size_t len = make6(f, 17, 5), elen;
	struct dk_dp_lb_quote q;

	(void)state;
	(void)len;
	elen = make_icmp6(e, f, 48, 1);
	assert_int_equal(dk_dp_lb_icmp6_quote(e + L4_6, elen - L4_6, &q), 0);
	/* Seven bytes of UDP: no whole pair of ports. */
	assert_int_equal(dk_dp_lb_icmp6_quote(e + L4_6, elen - L4_6 - 1, &q), -1);
	/* An echo request (informational, 128) quotes nothing. */
	e[L4_6] = 128;
	assert_int_equal(dk_dp_lb_icmp6_quote(e + L4_6, elen - L4_6, &q), -1);
	assert_false(dk_dp_lb_icmp6_is_error(128));
	assert_false(dk_dp_lb_icmp6_is_error(0));
	e[L4_6] = 2;
	/* Quoted behind a hop-by-hop header: not a datagram of ours. */
	e[L4_6 + 8 + 6] = 0;
	assert_int_equal(dk_dp_lb_icmp6_quote(e + L4_6, elen - L4_6, &q), -1);
	e[L4_6 + 8 + 6] = 17;
	/* Not IPv6 inside. */
	e[L4_6 + 8] = 0x45;
	assert_int_equal(dk_dp_lb_icmp6_quote(e + L4_6, elen - L4_6, &q), -1);
}

/* Fragmentation needed: from the quoted datagram's destination to its source, every
 * checksum right, the quote exactly what was sent, cut at 576 bytes in all. */
static void
test_icmp4_frag_needed(void **state)
{
	uint8_t f[2000], b[2100];
	struct dk_pkt_info pi;
	size_t flen = make(f, 17, 21), dlen;
	uint16_t n, quoted;

	(void)state;
	for (unsigned big = 0; big < 2; big++) {
		if (big) {
			/* A 1500-byte UDP datagram with DF: quoted only in part. */
			uint16_t tot = 1500, ck;
			uint32_t sum;

			memset(f + L4, 0xab, 1480);
			f[L3 + 2] = (uint8_t)(tot >> 8);
			f[L3 + 3] = (uint8_t)tot;
			f[L3 + 6] = 0x40;
			f[L3 + 10] = f[L3 + 11] = 0;
			ck = dk_cksum(f + L3, 20);
			memcpy(f + L3 + 10, &ck, 2);
			f[L4 + 4] = (uint8_t)(1480 >> 8);
			f[L4 + 5] = (uint8_t)1480;
			f[L4 + 6] = f[L4 + 7] = 0;
			sum = dk_cksum_pseudo4(f + L3 + 12, f + L3 + 16, 17, 1480);
			ck = dk_cksum_finish(dk_cksum_add(sum, f + L4, 1480));
			memcpy(f + L4 + 6, &ck, 2);
			flen = L3 + 1500;
		}
		dlen = flen - L3;
		quoted = (uint16_t)(dlen > DK_DP_LB_ICMP4_MAX_QUOTE ? DK_DP_LB_ICMP4_MAX_QUOTE :
								       dlen);
		memcpy(b, f, L3);
		memcpy(b + L3 + 28, f + L3, quoted);
		n = dk_dp_lb_icmp4_frag_needed(b + L3, quoted, 1480);
		assert_int_equal(n, 28 + quoted);
		assert_true(n <= 576);
		assert_int_equal(dk_pkt_parse_ex(b, L3 + n, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM,
						 &pi), DK_PKT_OK);
		assert_int_equal(pi.proto, 1);
		assert_int_equal(pi.icmp_type, 3);
		assert_int_equal(pi.icmp_code, 4);
		assert_memory_equal(&pi.src.v4, f + L3 + 16, 4);
		assert_memory_equal(&pi.dst.v4, f + L3 + 12, 4);
		assert_int_equal(b[L4 + 6] << 8 | b[L4 + 7], 1480);
		assert_memory_equal(b + L4 + 8, f + L3, quoted);
	}
}

static void
test_icmp6_too_big(void **state)
{
	uint8_t f[2000], b[2100];
	struct dk_pkt_info pi;
	size_t flen = make6(f, 17, 23);

	(void)state;
	for (unsigned big = 0; big < 2; big++) {
		uint16_t n, quoted;

		if (big) {
			memset(f + L4_6 + 8, 0xcd, 1452);
			flen = L3 + 1500;
		}
		quoted = (uint16_t)(flen - L3 > DK_DP_LB_ICMP6_MAX_QUOTE ?
					    DK_DP_LB_ICMP6_MAX_QUOTE : flen - L3);
		memcpy(b, f, L3);
		memcpy(b + L3 + 48, f + L3, quoted);
		n = dk_dp_lb_icmp6_too_big(b + L3, quoted, 1460);
		assert_int_equal(n, 48 + quoted);
		assert_true(n <= 1280);
		assert_int_equal(dk_pkt_parse_ex(b, L3 + n, DK_PKT_F_L4_CKSUM, &pi), DK_PKT_OK);
		assert_int_equal(pi.proto, 58);
		assert_int_equal(pi.icmp_type, 2);
		assert_int_equal(pi.icmp_code, 0);
		assert_memory_equal(pi.src.v6, f + L3 + 24, 16);
		assert_memory_equal(pi.dst.v6, f + L3 + 8, 16);
		assert_int_equal(get32(b + L4_6 + 4), 1460);
		assert_memory_equal(b + L4_6 + 8, f + L3, quoted);
	}
}

/* 1000 a second, 50 saved up: the 51st at once is refused, one more per millisecond,
 * fractions of a token carried over, never more than the burst saved. */
static void
test_bucket(void **state)
{
	struct dk_dp_lb_bucket b = { 0 };
	uint64_t t = 5000000;
	unsigned ok = 0;

	(void)state;
	for (unsigned i = 0; i < 60; i++)
		ok += dk_dp_lb_bucket_take(&b, t, 1000, 50);
	assert_int_equal(ok, 50);
	assert_false(dk_dp_lb_bucket_take(&b, t + 999, 1000, 50));
	assert_true(dk_dp_lb_bucket_take(&b, t + 1000, 1000, 50));
	assert_false(dk_dp_lb_bucket_take(&b, t + 1500, 1000, 50));
	/* 1.5 ms and 0.5 ms more: the half token left over is not lost. */
	assert_true(dk_dp_lb_bucket_take(&b, t + 2500, 1000, 50));
	assert_false(dk_dp_lb_bucket_take(&b, t + 2500, 1000, 50));
	assert_true(dk_dp_lb_bucket_take(&b, t + 3000, 1000, 50));
	/* An hour idle saves up the burst, not more. */
	t += 3600ULL * 1000000;
	for (ok = 0; ok < 100 && dk_dp_lb_bucket_take(&b, t, 1000, 50); ok++)
		;
	assert_int_equal(ok, 50);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_rewrites),
		cmocka_unit_test(test_random_rewrites6),
		cmocka_unit_test(test_udp_without_checksum_stays_without),
		cmocka_unit_test(test_ipip_header),
		cmocka_unit_test(test_ip6ip6_header),
		cmocka_unit_test(test_icmp_error_rewrite),
		cmocka_unit_test(test_icmp_quote_rejects),
		cmocka_unit_test(test_mss_clamp),
		cmocka_unit_test(test_tcp_rst),
		cmocka_unit_test(test_icmp6_error_rewrite),
		cmocka_unit_test(test_icmp6_quote_rejects),
		cmocka_unit_test(test_icmp4_frag_needed),
		cmocka_unit_test(test_icmp6_too_big),
		cmocka_unit_test(test_bucket),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
