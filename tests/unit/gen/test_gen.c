/*
 * dpkeep-gen's packet building: every patched frame must parse as the flow it claims to
 * be and carry checksums that a from-scratch sum (written here, not lib/util's) accepts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dk_gen.h"
#include "dk_net.h"
#include "dk_pkt.h"

/* RFC 1071 over a buffer plus an initial partial sum, no folding tricks. */
static uint16_t
ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* True when the IPv4 header and the L4 checksum verify from scratch. */
static int
frame_valid(const uint8_t *f, size_t len, const struct dk_pkt_info *pi)
{
	const uint8_t *ip = f + pi->l3_off;
	size_t l4len = pi->l3_end - pi->l4_off;
	uint32_t ps;

	if (ref_sum(0, ip, 20) != 0xffff)
		return 0;
	ps = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
	     (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) + pi->proto +
	     (uint32_t)l4len;
	(void)len;
	return ref_sum(ps, f + pi->l4_off, l4len) == 0xffff;
}

static struct dk_gen_spec
spec_udp(uint16_t size, uint32_t flows)
{
	struct dk_gen_spec s = {
		.proto = DK_IPPROTO_UDP,
		.size = size,
		.flows = flows,
	};

	dk_mac_parse("02:00:00:00:00:01", &s.l2.src);
	dk_mac_parse("02:00:00:00:00:02", &s.l2.dst);
	assert_int_equal(dk_gen_parse_ip_range("10.0.0.1-10.0.0.100", &s.src_ip), 0);
	assert_int_equal(dk_gen_parse_ip_range("192.0.2.1", &s.dst_ip), 0);
	assert_int_equal(dk_gen_parse_port_range("1024-65535", &s.sport), 0);
	assert_int_equal(dk_gen_parse_port_range("80", &s.dport), 0);
	return s;
}

static void
check_flow(const struct dk_gen_tmpl *t, uint32_t flow, int stamp)
{
	uint8_t f[DK_GEN_MAX_SIZE];
	struct dk_pkt_info pi;
	struct dk_gen_tuple tu;
	uint64_t tsc = 0;

	memcpy(f, t->frame, t->len);
	dk_gen_apply_flow(t, f, flow);
	if (stamp)
		assert_int_equal(dk_gen_stamp(t, f, 0x0123456789abcdefULL + flow), 0);
	assert_int_equal(dk_pkt_parse(f, t->len, &pi), DK_PKT_OK);
	dk_gen_flow_tuple(t, flow, &tu);
	assert_int_equal(ntohl(pi.src.v4), tu.sip);
	assert_int_equal(ntohl(pi.dst.v4), tu.dip);
	assert_int_equal(pi.sport, tu.sport);
	assert_int_equal(pi.dport, tu.dport);
	assert_int_equal(pi.proto, t->spec.proto);
	/* A SYN carries no data: its frame is padded past the datagram. */
	assert_int_equal(pi.l3_end, t->payload_len ? t->len : t->l4_off + 20);
	assert_true(frame_valid(f, t->len, &pi));
	assert_true(dk_pkt_l4_cksum_ok(f, &pi));
	assert_int_equal(dk_gen_stamp_read(f, t->len, &tsc), stamp);
	if (stamp)
		assert_true(tsc == 0x0123456789abcdefULL + flow);
}

/* The stand-in server's answer: the request with both ends swapped, still valid, and
 * nothing else changed; frames to other addresses, or not UDP/TCP, are left alone. */
static void
test_reflect(void **state)
{
	static const uint16_t sizes[] = { 64, 65, 128 };
	struct dk_gen_range servers, other, clients;
	struct dk_pkt_info req, ans;
	struct dk_gen_tmpl t;
	uint8_t f[DK_GEN_MAX_SIZE], orig[DK_GEN_MAX_SIZE];

	(void)state;
	assert_int_equal(dk_gen_parse_ip_range("192.0.2.1-192.0.2.9", &servers), 0);
	assert_int_equal(dk_gen_parse_ip_range("192.0.2.2-192.0.2.9", &other), 0);
	for (unsigned i = 0; i < 2 * sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct dk_gen_spec s = spec_udp(sizes[i / 2], 1000);

		if (i & 1) {
			s.proto = DK_IPPROTO_TCP;
			s.size = (uint16_t)(s.size + 20);
			s.l2.has_vlan = true;
			s.l2.vlan_tci = 7;
		}
		assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
		memcpy(f, t.frame, t.len);
		dk_gen_apply_flow(&t, f, 321);
		assert_int_equal(dk_gen_stamp(&t, f, 42), 0);
		memcpy(orig, f, t.len);
		assert_int_equal(dk_pkt_parse(orig, t.len, &req), DK_PKT_OK);
		/* 192.0.2.1 is not in "other": untouched. */
		assert_false(dk_gen_reflect(f, t.len, &other));
		assert_memory_equal(f, orig, t.len);
		assert_true(dk_gen_reflect(f, t.len, &servers));
		assert_int_equal(dk_pkt_parse(f, t.len, &ans), DK_PKT_OK);
		assert_memory_equal(ans.eth_dst.b, req.eth_src.b, 6);
		assert_memory_equal(ans.eth_src.b, req.eth_dst.b, 6);
		assert_int_equal(ans.has_vlan, req.has_vlan);
		assert_true(ans.src.v4 == req.dst.v4 && ans.dst.v4 == req.src.v4);
		assert_int_equal(ans.sport, req.dport);
		assert_int_equal(ans.dport, req.sport);
		assert_int_equal(ans.proto, req.proto);
		assert_true(frame_valid(f, t.len, &ans));
		assert_true(dk_pkt_l4_cksum_ok(f, &ans));
		/* The payload (and its stamp) is the request's. */
		assert_memory_equal(f + ans.payload_off, orig + req.payload_off, req.payload_len);
		/* The answer is to the client, not a server; reflected by the client's range
		 * it is the request again. */
		assert_false(dk_gen_reflect(f, t.len, &servers));
		clients.lo = clients.hi = ntohl(req.src.v4);
		assert_true(dk_gen_reflect(f, t.len, &clients));
		assert_memory_equal(f, orig, t.len);
	}
	/* Not IPv4 UDP/TCP: an ARP frame, a truncated one, a non-first fragment. */
	memset(f, 0, sizeof(f));
	f[12] = 0x08;
	f[13] = 0x06;
	assert_false(dk_gen_reflect(f, 60, &servers));
	{
		struct dk_gen_spec s = spec_udp(64, 1);

		assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
		memcpy(f, t.frame, t.len);
		assert_false(dk_gen_reflect(f, 14 + 20 + 3, &servers));
		f[14 + 6] = 0x00;
		f[14 + 7] = 0x10;
		assert_false(dk_gen_reflect(f, t.len, &servers));
		assert_memory_equal(f + 14 + 12, t.frame + 14 + 12, 8);
	}
}

static void
test_udp_sizes_and_flows(void **state)
{
	static const uint16_t sizes[] = { 64, 65, 66, 67, 128, 511, 1024, 1518 };
	struct dk_gen_tmpl t;

	(void)state;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct dk_gen_spec s = spec_udp(sizes[i], 100000);

		assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
		assert_int_equal(t.len, sizes[i] - 4);
		for (uint32_t f = 0; f < 100000; f += 997) {
			check_flow(&t, f, 0);
			check_flow(&t, f, 1);
		}
	}
}

static void
test_tcp_modes_and_vlan(void **state)
{
	struct dk_gen_spec s = spec_udp(64, 5000);
	struct dk_gen_tmpl t;
	struct dk_pkt_info pi;
	uint8_t f[DK_GEN_MAX_SIZE];

	(void)state;
	s.proto = DK_IPPROTO_TCP;
	s.tcp = DK_GEN_TCP_SYN;
	assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
	check_flow(&t, 4999, 0);
	assert_int_equal(dk_pkt_parse(t.frame, t.len, &pi), DK_PKT_OK);
	assert_int_equal(pi.tcp_flags, DK_TCP_SYN);
	/* No payload room in a 64-byte TCP frame: no stamp, and the frame is untouched. */
	memcpy(f, t.frame, t.len);
	assert_int_equal(dk_gen_stamp(&t, f, 1), -ENOSPC);
	assert_memory_equal(f, t.frame, t.len);

	s.tcp = DK_GEN_TCP_EST;
	s.size = 200;
	s.l2.has_vlan = true;
	s.l2.vlan_tci = 100;
	assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
	assert_int_equal(dk_pkt_parse(t.frame, t.len, &pi), DK_PKT_OK);
	assert_true(pi.has_vlan);
	assert_int_equal(pi.vlan_tci & 0xfff, 100);
	assert_int_equal(pi.tcp_flags, DK_TCP_ACK | DK_TCP_PSH);
	for (uint32_t fl = 0; fl < 5000; fl += 7) {
		check_flow(&t, fl, 1);
	}
	/* A stamp at an odd offset from the L4 header (odd payload length) too. */
	s.size = 201;
	assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
	check_flow(&t, 3, 1);
}

static void
test_spec_errors(void **state)
{
	struct dk_gen_tmpl t;
	struct dk_gen_spec s;

	(void)state;
	s = spec_udp(63, 1);
	assert_int_equal(dk_gen_tmpl_init(&t, &s), -EINVAL);
	s = spec_udp(1519, 1);
	assert_int_equal(dk_gen_tmpl_init(&t, &s), -EINVAL);
	s = spec_udp(64, 0);
	assert_int_equal(dk_gen_tmpl_init(&t, &s), -EINVAL);
	s = spec_udp(64, 1);
	s.proto = DK_IPPROTO_ICMP;
	assert_int_equal(dk_gen_tmpl_init(&t, &s), -EINVAL);
	/* 100 sources x 64512 ports x 1 x 1 tuples exist, one more is an error. */
	s = spec_udp(64, 100u * 64512u);
	assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
	s = spec_udp(64, 100u * 64512u + 1);
	assert_int_equal(dk_gen_tmpl_init(&t, &s), -ERANGE);
	s = spec_udp(64, 1);
	s.l2.has_vlan = true;
	s.l2.vlan_tci = 0;
	assert_int_equal(dk_gen_tmpl_init(&t, &s), -EINVAL);
}

static void
test_tuples_distinct(void **state)
{
	struct dk_gen_spec s = spec_udp(64, 6000);
	struct dk_gen_tmpl t;
	static uint8_t seen[100][256];

	(void)state;
	s.sport.hi = s.sport.lo + 59;
	assert_int_equal(dk_gen_tmpl_init(&t, &s), 0);
	memset(seen, 0, sizeof(seen));
	for (uint32_t f = 0; f < 6000; f++) {
		struct dk_gen_tuple tu;

		dk_gen_flow_tuple(&t, f, &tu);
		assert_true(tu.sip >= s.src_ip.lo && tu.sip <= s.src_ip.hi);
		assert_true(tu.sport >= s.sport.lo && tu.sport <= s.sport.hi);
		assert_int_equal(seen[tu.sip - s.src_ip.lo][tu.sport - s.sport.lo], 0);
		seen[tu.sip - s.src_ip.lo][tu.sport - s.sport.lo] = 1;
	}
}

static void
test_flowseq(void **state)
{
	struct dk_gen_flowseq q;
	static uint32_t hits[1000];

	(void)state;
	dk_gen_flowseq_init(&q, DK_GEN_DIST_SEQ, 3, 0);
	assert_int_equal(dk_gen_flowseq_next(&q), 0);
	assert_int_equal(dk_gen_flowseq_next(&q), 1);
	assert_int_equal(dk_gen_flowseq_next(&q), 2);
	assert_int_equal(dk_gen_flowseq_next(&q), 0);
	/* Uniform: every flow hit, none wildly over (1000 flows, 1000 draws each). */
	dk_gen_flowseq_init(&q, DK_GEN_DIST_UNIFORM, 1000, 42);
	memset(hits, 0, sizeof(hits));
	for (unsigned i = 0; i < 1000000; i++) {
		uint32_t f = dk_gen_flowseq_next(&q);

		assert_true(f < 1000);
		hits[f]++;
	}
	for (unsigned i = 0; i < 1000; i++)
		assert_true(hits[i] > 800 && hits[i] < 1200);
}

static void
test_hist(void **state)
{
	static struct dk_gen_hist h, h2;

	(void)state;
	dk_gen_hist_reset(&h);
	assert_int_equal(dk_gen_hist_quantile(&h, 0.5), 0);
	for (uint64_t v = 1; v <= 1000; v++)
		dk_gen_hist_add(&h, v);
	/* Within the 12.5% bucket width, never below the true quantile. */
	assert_true(dk_gen_hist_quantile(&h, 0.5) >= 500);
	assert_true(dk_gen_hist_quantile(&h, 0.5) <= 500 * 9 / 8);
	assert_true(dk_gen_hist_quantile(&h, 0.99) >= 990);
	assert_int_equal(dk_gen_hist_quantile(&h, 1.0), 1000);
	assert_int_equal(dk_gen_hist_quantile(&h, 0), 1);
	/* Small values are exact. */
	dk_gen_hist_reset(&h2);
	dk_gen_hist_add(&h2, 3);
	dk_gen_hist_add(&h2, 5);
	assert_int_equal(dk_gen_hist_quantile(&h2, 0.5), 3);
	dk_gen_hist_merge(&h2, &h);
	assert_int_equal(h2.n, 1002);
	assert_int_equal(h2.max, 1000);
	/* Huge values land in the last buckets without overflow. */
	dk_gen_hist_reset(&h2);
	dk_gen_hist_add(&h2, UINT64_MAX);
	assert_true(dk_gen_hist_quantile(&h2, 0.5) == UINT64_MAX);
}

static void
test_token_bucket(void **state)
{
	struct dk_gen_tb tb;
	uint64_t sent = 0, now;

	(void)state;
	/* 1000 pps on a 1 MHz clock for 10 s, asking every 7 us: exactly 10000 sent. */
	dk_gen_tb_init(&tb, 1000, 1000000, 32, 0);
	for (now = 0; now <= 10000000; now += 7)
		sent += dk_gen_tb_take(&tb, now, 32);
	assert_true(sent >= 9999 && sent <= 10001);
	/* After idling, no more than one burst at once. */
	assert_int_equal(dk_gen_tb_take(&tb, now + 5000000, 1000), 32);
	/* Rate 0: unlimited. */
	dk_gen_tb_init(&tb, 0, 1000000, 32, 0);
	assert_int_equal(dk_gen_tb_take(&tb, 0, 500), 500);
	/* A rate that does not divide the clock does not drift: 3 pps at 1 GHz. */
	dk_gen_tb_init(&tb, 3, 1000000000, 1, 0);
	sent = 0;
	for (now = 0; now <= 100000000000ULL; now += 999983)
		sent += dk_gen_tb_take(&tb, now, 1);
	assert_true(sent >= 299 && sent <= 301);
}

static void
test_parsers(void **state)
{
	struct dk_gen_range r;
	double pct;
	uint64_t pps;

	(void)state;
	assert_int_equal(dk_gen_parse_ip_range("10.0.0.1-10.0.1.0", &r), 0);
	assert_int_equal(r.hi - r.lo, 255);
	assert_int_equal(dk_gen_parse_ip_range("10.0.0.2-10.0.0.1", &r), -EINVAL);
	assert_int_equal(dk_gen_parse_ip_range("10.0.0", &r), -EINVAL);
	assert_int_equal(dk_gen_parse_port_range("1-65535", &r), 0);
	assert_int_equal(r.lo, 1);
	assert_int_equal(r.hi, 65535);
	assert_int_equal(dk_gen_parse_port_range("65536", &r), -EINVAL);
	assert_int_equal(dk_gen_parse_port_range("80-", &r), -EINVAL);
	assert_int_equal(dk_gen_parse_port_range("x", &r), -EINVAL);
	assert_int_equal(dk_gen_parse_rate("50%", &pct, &pps), 0);
	assert_true(pct == 50 && pps == 0);
	assert_int_equal(dk_gen_parse_rate("2.5M", &pct, &pps), 0);
	assert_true(pct == 0 && pps == 2500000);
	assert_int_equal(dk_gen_parse_rate("1000pps", &pct, &pps), 0);
	assert_int_equal(pps, 1000);
	assert_int_equal(dk_gen_parse_rate("101%", &pct, &pps), -EINVAL);
	assert_int_equal(dk_gen_parse_rate("0", &pct, &pps), -EINVAL);
	assert_int_equal(dk_gen_parse_rate("fast", &pct, &pps), -EINVAL);
	/* 10 Gb/s of 64-byte frames is 14.88 Mpps. */
	assert_int_equal(dk_gen_line_rate(10000, 64, 100) / 1000, 14880);
	assert_int_equal(dk_gen_line_rate(10000, 64, 50) / 1000, 7440);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_sizes_and_flows),
		cmocka_unit_test(test_tcp_modes_and_vlan),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_tuples_distinct),
		cmocka_unit_test(test_flowseq),
		cmocka_unit_test(test_hist),
		cmocka_unit_test(test_token_bucket),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_reflect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
