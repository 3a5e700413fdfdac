#include "net_test.h"

#include <sys/socket.h>

#include "dk_host.h"
#include "dk_pktbuild.h"

/* Port 10.0.0.1/24 + 2001:db8::1/64 at MY_MAC; VIP 10.0.0.100 and 2001:db8::100 at VMAC. */
#define MY_MAC "02:00:00:00:00:01"
#define VMAC "00:00:5e:00:01:07"
#define PEER_MAC "02:00:00:00:00:09"

static struct dk_prefix addrs[2];
static struct dk_host_vip vips[2];
static struct dk_host_port port;

static bool
owns_cb(void *ctx, const struct dk_addr *a, struct dk_mac *mac)
{
	struct dk_addr dyn = A("10.0.0.200");

	(void)ctx;
	if (!dk_addr_eq(a, &dyn))
		return false;
	*mac = M("02:00:00:00:02:00");
	return true;
}

static int
setup(void **state)
{
	(void)state;
	addrs[0] = P("10.0.0.1/24");
	addrs[1] = P("2001:db8::1/64");
	vips[0].addr = A("10.0.0.100");
	vips[0].mac = M(VMAC);
	vips[1].addr = A("2001:db8::100");
	vips[1].mac = M(VMAC);
	memset(&port, 0, sizeof(port));
	port.index = 3;
	port.mac = M(MY_MAC);
	port.addrs = addrs;
	port.n_addrs = 2;
	port.vips = vips;
	port.n_vips = 2;
	port.owns = owns_cb;
	return 0;
}

static struct dk_l2
peer_l2(const char *dst)
{
	struct dk_l2 l2 = { .src = M(PEER_MAC), .dst = M(dst) };

	return l2;
}

static size_t
arp(uint8_t *b, uint16_t op, const char *sha, const char *spa, const char *tpa)
{
	struct dk_l2 l2 = { .src = M(sha), .dst = M(MY_MAC) };
	struct dk_addr s = A(spa), t = A(tpa);
	int n = op == DK_ARP_OP_REQUEST ? dk_build_arp_request(b, 128, &l2, &s, &t)
					: dk_build_arp_reply(b, 128, &l2, &s, &t);

	assert_true(n > 0);
	return (size_t)n;
}

static void
test_arp_request_for_us(void **state)
{
	uint8_t b[128];
	struct dk_host_result r;
	size_t len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", "10.0.0.1");
	struct dk_pkt_info i;

	(void)state;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_int_equal(r.out_len, 60);
	assert_true(r.learn.valid);
	assert_true(r.learn.create);
	assert_false(r.learn.confirmed);
	assert_true(dk_addr_eq(&r.learn.addr, &(struct dk_addr){ .af = AF_INET,
								 .b = { 10, 0, 0, 9 } }));
	assert_memory_equal(r.learn.mac.b, M(PEER_MAC).b, 6);
	assert_int_equal(dk_pkt_parse(b, r.out_len, &i), DK_PKT_OK);
	assert_int_equal(i.arp_op, DK_ARP_OP_REPLY);
	assert_memory_equal(b, M(PEER_MAC).b, 6);
	assert_memory_equal(i.eth_src.b, M(MY_MAC).b, 6);
	assert_memory_equal(i.arp_sha.b, M(MY_MAC).b, 6);
	assert_memory_equal(i.arp_tha.b, M(PEER_MAC).b, 6);
	assert_true(addr_is(&i.arp_spa, "10.0.0.1"));
	assert_true(addr_is(&i.arp_tpa, "10.0.0.9"));
}

static void
test_arp_vip_and_dynamic(void **state)
{
	uint8_t b[128];
	struct dk_host_result r;
	struct dk_pkt_info i;
	size_t len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", "10.0.0.100");

	(void)state;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_int_equal(dk_pkt_parse(b, r.out_len, &i), DK_PKT_OK);
	assert_memory_equal(i.arp_sha.b, M(VMAC).b, 6);
	assert_memory_equal(i.eth_src.b, M(VMAC).b, 6);

	len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", "10.0.0.200");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_int_equal(dk_pkt_parse(b, r.out_len, &i), DK_PKT_OK);
	assert_memory_equal(i.arp_sha.b, M("02:00:00:00:02:00").b, 6);

	/* Once VRRP gives the VIP up, the same request is someone else's business. */
	port.n_vips = 0;
	len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", "10.0.0.100");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);
	assert_true(r.learn.valid);
	assert_false(r.learn.create);
}

static void
test_arp_not_for_us_and_garp(void **state)
{
	uint8_t b[128];
	struct dk_host_result r;
	size_t len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", "10.0.0.50");

	(void)state;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);
	assert_int_equal(r.out_len, 0);
	assert_false(r.learn.create);
	/* A gateway failing over announces itself: update only. */
	len = arp(b, DK_ARP_OP_REQUEST, "02:00:00:00:00:fe", "10.0.0.254", "10.0.0.254");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);
	assert_true(r.learn.valid);
	assert_false(r.learn.create);
	assert_true(r.learn.override);
	assert_memory_equal(r.learn.mac.b, M("02:00:00:00:00:fe").b, 6);
}

static void
test_arp_reply_conflict_probe_invalid(void **state)
{
	uint8_t b[128];
	struct dk_host_result r;
	size_t len = arp(b, DK_ARP_OP_REPLY, PEER_MAC, "10.0.0.9", "10.0.0.1");

	(void)state;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_CONSUMED);
	assert_true(r.learn.valid && r.learn.create && r.learn.confirmed);
	assert_int_equal(dk_host_learn_flags(&r.learn),
			 DK_NEIGH_F_CREATE | DK_NEIGH_F_CONFIRMED | DK_NEIGH_F_OVERRIDE);

	len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.100", "10.0.0.100");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r),
			 DK_HOST_DROP_ADDR_CONFLICT);
	len = arp(b, DK_ARP_OP_REQUEST, VMAC, "10.0.0.100", "10.0.0.100");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);

	/* RFC 5227 probe: answered, nothing learned from the zero sender. */
	len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "0.0.0.0", "10.0.0.1");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_false(r.learn.valid);

	len = arp(b, DK_ARP_OP_REQUEST, "01:00:5e:00:00:01", "10.0.0.9", "10.0.0.1");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ARP_INVALID);
	len = arp(b, DK_ARP_OP_REQUEST, PEER_MAC, "10.0.0.9", "10.0.0.1");
	wr16(b + 20, 3);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ARP_INVALID);
}

static size_t
echo(uint8_t *b, const char *src, const char *dst)
{
	struct dk_l2 l2 = peer_l2(MY_MAC);
	struct dk_ip_params ip = { .src = A(src), .dst = A(dst) };
	int n = dk_build_icmp_echo(b, 256, &l2, &ip, 9, 1, (const uint8_t *)"0123456789", 10);

	assert_true(n > 0);
	return (size_t)n;
}

static void
test_echo_v4(void **state)
{
	uint8_t b[256];
	struct dk_host_result r;
	struct dk_pkt_info i;
	size_t len = echo(b, "10.0.0.9", "10.0.0.100");

	(void)state;
	port.reply_ttl = 99;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_int_equal(dk_pkt_parse_ex(b, r.out_len, DK_PKT_F_IP_CKSUM | DK_PKT_F_L4_CKSUM, &i),
			 DK_PKT_OK);
	assert_int_equal(i.icmp_type, DK_ICMP_ECHO_REPLY);
	assert_int_equal(i.ttl, 99);
	assert_true(addr_is(&i.src, "10.0.0.100"));
	assert_true(addr_is(&i.dst, "10.0.0.9"));
	assert_memory_equal(i.eth_src.b, M(VMAC).b, 6);
	assert_memory_equal(i.eth_dst.b, M(PEER_MAC).b, 6);
	assert_false(r.learn.valid);

	len = echo(b, "10.0.0.9", "10.0.0.77");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);
	len = echo(b, "224.0.0.5", "10.0.0.1");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_BAD_SOURCE);
	len = echo(b, "10.0.0.9", "10.0.0.1");
	b[14 + 20 + 9] ^= 1;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_BAD_CKSUM);
	len = echo(b, "10.0.0.9", "10.0.0.1");
	b[14 + 20] = DK_ICMP_ECHO_REPLY;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ICMP_TYPE);
	/* Header checksum is only enforced when the port asks for it. */
	len = echo(b, "10.0.0.9", "10.0.0.1");
	b[14 + 1] = 4;
	port.flags = DK_HOST_F_IP_CKSUM;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_PARSE);
	assert_int_equal(r.pkt_verdict, DK_PKT_BAD_IP_CKSUM);
	port.flags = 0;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
}

static void
test_fragment_and_transport_drops(void **state)
{
	struct dk_l2 l2 = peer_l2(MY_MAC);
	struct dk_ip_params ip = { .src = A("10.0.0.9"), .dst = A("10.0.0.1") };
	struct dk_tcp_params syn = { .sport = 5555, .dport = 22, .flags = DK_TCP_SYN,
				     .window = 1024, .mss = 1460 };
	uint8_t b[256];
	struct dk_host_result r;
	size_t len;

	(void)state;
	len = (size_t)dk_build_tcp(b, sizeof(b), &l2, &ip, &syn);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_TCP);
	assert_int_equal(r.out_len, 0);
	assert_int_equal(r.info.dport, 22);
	len = (size_t)dk_build_udp(b, sizeof(b), &l2, &ip, 1, 161, NULL, 0);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_UDP);
	b[14 + 9] = DK_IPPROTO_VRRP;
	memset(b + 24, 0, 2);
	{
		uint16_t c = dk_cksum(b + 14, 20);

		memcpy(b + 24, &c, 2);
	}
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_PROTO);

	len = echo(b, "10.0.0.9", "10.0.0.1");
	wr16(b + 14 + 6, DK_IPV4_FLAG_MF);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_FRAGMENT);

	assert_int_equal(dk_host_input(&port, b, 20, sizeof(b), &r), DK_HOST_DROP_PARSE);
	assert_int_equal(r.pkt_verdict, DK_PKT_TRUNC_IP);
}

static void
test_echo_v6(void **state)
{
	uint8_t b[256];
	struct dk_host_result r;
	struct dk_pkt_info i;
	size_t len = echo(b, "2001:db8::9", "2001:db8::1");

	(void)state;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_int_equal(dk_pkt_parse_ex(b, r.out_len, DK_PKT_F_L4_CKSUM, &i), DK_PKT_OK);
	assert_int_equal(i.icmp_type, DK_ICMP6_ECHO_REPLY);
	assert_true(addr_is(&i.src, "2001:db8::1"));
	assert_memory_equal(i.eth_src.b, M(MY_MAC).b, 6);
	len = echo(b, "::", "2001:db8::1");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_BAD_SOURCE);
	len = echo(b, "2001:db8::9", "2001:db8::7");
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);
}

static size_t
ns(uint8_t *b, size_t room, const char *src, const char *target, bool multicast)
{
	struct dk_l2 l2 = peer_l2(MY_MAC);
	struct dk_addr s = A(src), t = A(target);
	int n = dk_build_ns(b, room, &l2, multicast, &s, &t);

	assert_true(n > 0);
	return (size_t)n;
}

/* Recomputes the ICMPv6 checksum after a test edits a message (frame without VLAN). */
static void
fix_icmp6(uint8_t *b, size_t len)
{
	size_t l4len = len - 54;
	uint16_t c;

	wr16(b + 18, (uint16_t)l4len);
	memset(b + 56, 0, 2);
	c = dk_cksum_finish(dk_cksum_add(dk_cksum_pseudo6(b + 22, b + 38, 58, (uint32_t)l4len),
					 b + 54, l4len));
	memcpy(b + 56, &c, 2);
}

static void
test_ns_for_us(void **state)
{
	uint8_t b[256];
	struct dk_host_result r;
	struct dk_pkt_info i;
	size_t len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::100", true);

	(void)state;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_true(r.learn.valid && r.learn.create && !r.learn.confirmed);
	assert_true(addr_is(&r.learn.addr, "2001:db8::9"));
	assert_memory_equal(r.learn.mac.b, M(PEER_MAC).b, 6);
	assert_int_equal(dk_pkt_parse_ex(b, r.out_len, DK_PKT_F_L4_CKSUM, &i), DK_PKT_OK);
	assert_int_equal(i.icmp_type, DK_ICMP6_NEIGH_ADVERT);
	assert_int_equal(i.ttl, 255);
	assert_true(addr_is(&i.src, "2001:db8::100"));
	assert_true(addr_is(&i.dst, "2001:db8::9"));
	assert_memory_equal(i.eth_dst.b, M(PEER_MAC).b, 6);
	assert_memory_equal(i.eth_src.b, M(VMAC).b, 6);
	assert_int_equal(b[i.l4_off + 4], DK_ND_NA_FLAG_SOLICITED | DK_ND_NA_FLAG_OVERRIDE);
	assert_memory_equal(b + i.l4_off + 8, A("2001:db8::100").v6, 16);
	assert_int_equal(b[i.l4_off + 24], DK_ND_OPT_TLLA);
	assert_memory_equal(b + i.l4_off + 26, M(VMAC).b, 6);

	/* Unicast NUD probe to our own address is answered too. */
	len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::1", false);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	/* Other targets are not ours to defend. */
	len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::55", true);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);
}

static void
test_ns_dad(void **state)
{
	uint8_t b[256];
	struct dk_host_result r;
	struct dk_pkt_info i;
	size_t len = ns(b, sizeof(b), "::", "2001:db8::1", true);

	(void)state;
	/* 78-byte NS, 86-byte NA: without room to grow there is no reply. */
	assert_int_equal(dk_host_input(&port, b, len, len, &r), DK_HOST_DROP_NO_ROOM);
	len = ns(b, sizeof(b), "::", "2001:db8::1", true);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_REPLY);
	assert_false(r.learn.valid);
	assert_int_equal(dk_pkt_parse_ex(b, r.out_len, DK_PKT_F_L4_CKSUM, &i), DK_PKT_OK);
	assert_true(addr_is(&i.dst, "ff02::1"));
	assert_memory_equal(i.eth_dst.b, "\x33\x33\0\0\0\x01", 6);
	assert_int_equal(b[i.l4_off + 4], DK_ND_NA_FLAG_OVERRIDE);

	/* A DAD probe must go to the solicited-node group. */
	len = ns(b, sizeof(b), "::", "2001:db8::1", false);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ND_INVALID);
}

static void
test_ns_invalid(void **state)
{
	uint8_t b[256];
	struct dk_host_result r;
	size_t len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::1", true);

	(void)state;
	b[14 + 7] = 64; /* forwarded: not on-link */
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ND_HOP_LIMIT);
	len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::1", true);
	b[54 + 25] = 0; /* zero-length option */
	fix_icmp6(b, len);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ND_INVALID);
	len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::1", true);
	b[54 + 25] = 2; /* option runs past the message */
	fix_icmp6(b, len);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ND_INVALID);
	len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::1", true);
	b[54 + 1] = 1; /* code 1 */
	fix_icmp6(b, len);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ND_INVALID);
	len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::1", true);
	b[54 + 30] ^= 0xff;
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_BAD_CKSUM);
	/* Truncated to 20 bytes of ICMPv6: shorter than an NS. */
	len = ns(b, sizeof(b), "2001:db8::9", "2001:db8::1", true);
	fix_icmp6(b, 54 + 20);
	assert_int_equal(dk_host_input(&port, b, 54 + 20, sizeof(b), &r), DK_HOST_DROP_ND_INVALID);
}

static size_t
na(uint8_t *b, const char *src, const char *dst, const char *target, const char *mac,
   uint8_t flags)
{
	struct dk_l2 l2 = { .src = M(mac), .dst = M(MY_MAC) };
	struct dk_addr s = A(src), d, t = A(target);
	int n;

	if (dst)
		d = A(dst);
	n = dk_build_na(b, 256, &l2, &s, dst ? &d : NULL, &t, flags);
	assert_true(n > 0);
	return (size_t)n;
}

static void
test_na(void **state)
{
	uint8_t b[256];
	struct dk_host_result r;
	size_t len;

	(void)state;
	len = na(b, "2001:db8::9", "2001:db8::1", "2001:db8::9", PEER_MAC,
		 DK_ND_NA_FLAG_SOLICITED | DK_ND_NA_FLAG_OVERRIDE);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_CONSUMED);
	assert_true(r.learn.valid && !r.learn.create && r.learn.confirmed && r.learn.override);
	assert_true(addr_is(&r.learn.addr, "2001:db8::9"));

	len = na(b, "2001:db8::9", NULL, "2001:db8::9", PEER_MAC, 0);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_CONSUMED);
	assert_true(r.learn.valid && !r.learn.confirmed && !r.learn.override);

	len = na(b, "2001:db8::9", NULL, "2001:db8::9", PEER_MAC, DK_ND_NA_FLAG_SOLICITED);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_DROP_ND_INVALID);

	/* Linux answers a unicast probe without TLLA: still a confirmation, of the MAC the
	 * entry already has (none is reported). */
	len = na(b, "2001:db8::9", "2001:db8::1", "2001:db8::9", PEER_MAC,
		 DK_ND_NA_FLAG_SOLICITED) - 8;
	{
		size_t l4 = 14 + 40;
		uint16_t ck;
		uint32_t sum;

		b[14 + 5] = (uint8_t)(len - l4);
		memset(b + l4 + 2, 0, 2);
		sum = dk_cksum_pseudo6(b + 14 + 8, b + 14 + 24, 58, (uint32_t)(len - l4));
		ck = dk_cksum_finish(dk_cksum_add(sum, b + l4, len - l4));
		memcpy(b + l4 + 2, &ck, 2);
	}
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_CONSUMED);
	assert_true(r.learn.valid && r.learn.no_lla && r.learn.confirmed && !r.learn.create);
	assert_true(addr_is(&r.learn.addr, "2001:db8::9"));
	assert_true(dk_host_learn_flags(&r.learn) & DK_NEIGH_F_NO_LLA);

	/* Someone else advertising our VIP: the split-brain signal. */
	len = na(b, "2001:db8::100", NULL, "2001:db8::100", PEER_MAC, DK_ND_NA_FLAG_OVERRIDE);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r),
			 DK_HOST_DROP_ADDR_CONFLICT);
	len = na(b, "2001:db8::100", NULL, "2001:db8::100", VMAC, DK_ND_NA_FLAG_OVERRIDE);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);

	len = na(b, "2001:db8::9", "2001:db8::77", "2001:db8::9", PEER_MAC, 0);
	assert_int_equal(dk_host_input(&port, b, len, sizeof(b), &r), DK_HOST_NOT_MINE);
}

static void
test_names(void **state)
{
	(void)state;
	for (int v = 0; v < DK_HOST_VERDICT_MAX; v++)
		for (int w = 0; w < v; w++)
			assert_string_not_equal(dk_host_verdict_name(v), dk_host_verdict_name(w));
	assert_string_equal(dk_host_verdict_name(DK_HOST_DROP_TCP), "tcp_to_host");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_arp_request_for_us, setup),
		cmocka_unit_test_setup(test_arp_vip_and_dynamic, setup),
		cmocka_unit_test_setup(test_arp_not_for_us_and_garp, setup),
		cmocka_unit_test_setup(test_arp_reply_conflict_probe_invalid, setup),
		cmocka_unit_test_setup(test_echo_v4, setup),
		cmocka_unit_test_setup(test_fragment_and_transport_drops, setup),
		cmocka_unit_test_setup(test_echo_v6, setup),
		cmocka_unit_test_setup(test_ns_for_us, setup),
		cmocka_unit_test_setup(test_ns_dad, setup),
		cmocka_unit_test_setup(test_ns_invalid, setup),
		cmocka_unit_test_setup(test_na, setup),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
