#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "dk_cksum.h"
#include "dk_pktbuild.h"
#include "net_bytes.h"

#define IPV4_HLEN sizeof(struct dk_ipv4_hdr)
#define IPV6_HLEN sizeof(struct dk_ipv6_hdr)
#define DEFAULT_TTL 64

static const struct dk_mac mac_bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

static size_t
ip_hlen(const struct dk_addr *a)
{
	return a->af == AF_INET ? IPV4_HLEN : IPV6_HLEN;
}

static bool
ip_ok(const struct dk_ip_params *ip)
{
	return (ip->src.af == AF_INET || ip->src.af == AF_INET6) && ip->src.af == ip->dst.af;
}

/* Pads short frames so a NIC that does not pad still sends a legal frame. */
static int
finish(uint8_t *buf, size_t room, size_t len)
{
	if (len < DK_ETH_MIN_FRAME && room >= DK_ETH_MIN_FRAME) {
		memset(buf + len, 0, DK_ETH_MIN_FRAME - len);
		len = DK_ETH_MIN_FRAME;
	}
	return (int)len;
}

static size_t
eth_len(const struct dk_l2 *l2)
{
	return sizeof(struct dk_eth_hdr) + (l2->has_vlan ? DK_VLAN_HLEN : 0);
}

static size_t
write_eth(uint8_t *buf, const struct dk_mac *dst, const struct dk_mac *src, bool has_vlan,
	  uint16_t tci, uint16_t type)
{
	size_t off = 12;

	memmove(buf, dst->b, 6);
	memmove(buf + 6, src->b, 6);
	if (has_vlan) {
		st16(buf + off, DK_ETHERTYPE_VLAN);
		st16(buf + off + 2, tci);
		off += DK_VLAN_HLEN;
	}
	st16(buf + off, type);
	return off + 2;
}

int
dk_build_eth(uint8_t *buf, size_t room, const struct dk_l2 *l2, uint16_t ethertype)
{
	if (room < eth_len(l2))
		return -ENOSPC;
	return (int)write_eth(buf, &l2->dst, &l2->src, l2->has_vlan, l2->vlan_tci, ethertype);
}

static int
build_arp(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_mac *eth_dst,
	  uint16_t op, const struct dk_addr *sip, const struct dk_mac *tha,
	  const struct dk_addr *tip)
{
	size_t off = eth_len(l2);
	uint8_t *a;

	if (sip->af != AF_INET || tip->af != AF_INET)
		return -EINVAL;
	if (room < off + sizeof(struct dk_arp_hdr))
		return -ENOSPC;
	write_eth(buf, eth_dst, &l2->src, l2->has_vlan, l2->vlan_tci, DK_ETHERTYPE_ARP);
	a = buf + off;
	st16(a, DK_ARP_HRD_ETHER);
	st16(a + 2, DK_ETHERTYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	st16(a + 6, op);
	memcpy(a + 8, l2->src.b, 6);
	memcpy(a + 14, &sip->v4, 4);
	memcpy(a + 18, tha->b, 6);
	memcpy(a + 24, &tip->v4, 4);
	return finish(buf, room, off + sizeof(struct dk_arp_hdr));
}

int
dk_build_arp_request(uint8_t *buf, size_t room, const struct dk_l2 *l2,
		     const struct dk_addr *sip, const struct dk_addr *tip)
{
	static const struct dk_mac zero;

	return build_arp(buf, room, l2, &mac_bcast, DK_ARP_OP_REQUEST, sip, &zero, tip);
}

int
dk_build_arp_reply(uint8_t *buf, size_t room, const struct dk_l2 *l2,
		   const struct dk_addr *sip, const struct dk_addr *tip)
{
	return build_arp(buf, room, l2, &l2->dst, DK_ARP_OP_REPLY, sip, &l2->dst, tip);
}

int
dk_build_garp(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_addr *vip)
{
	return dk_build_arp_request(buf, room, l2, vip, vip);
}

static int
write_ip(uint8_t *buf, const struct dk_ip_params *ip, uint8_t proto, size_t payload_len)
{
	uint8_t ttl = ip->ttl ? ip->ttl : DEFAULT_TTL;

	if (ip->src.af == AF_INET) {
		uint16_t c;

		if (payload_len > 65535 - IPV4_HLEN)
			return -EMSGSIZE;
		buf[0] = 0x45;
		buf[1] = ip->tos;
		st16(buf + 2, (uint16_t)(IPV4_HLEN + payload_len));
		st16(buf + 4, ip->id);
		st16(buf + 6, ip->df ? DK_IPV4_FLAG_DF : 0);
		buf[8] = ttl;
		buf[9] = proto;
		memset(buf + 10, 0, 2);
		memcpy(buf + 12, &ip->src.v4, 4);
		memcpy(buf + 16, &ip->dst.v4, 4);
		c = dk_cksum(buf, IPV4_HLEN);
		memcpy(buf + 10, &c, 2);
		return (int)IPV4_HLEN;
	}
	if (payload_len > 65535)
		return -EMSGSIZE;
	st32(buf, 6u << 28 | (uint32_t)ip->tos << 20 | (ip->flow_label & 0xfffff));
	st16(buf + 4, (uint16_t)payload_len);
	buf[6] = proto;
	buf[7] = ttl;
	memcpy(buf + 8, ip->src.v6, 16);
	memcpy(buf + 24, ip->dst.v6, 16);
	return (int)IPV6_HLEN;
}

int
dk_build_ip_hdr(uint8_t *buf, size_t room, const struct dk_ip_params *ip, uint8_t proto,
		size_t payload_len)
{
	if (!ip_ok(ip))
		return -EINVAL;
	if (room < ip_hlen(&ip->src))
		return -ENOSPC;
	return write_ip(buf, ip, proto, payload_len);
}

/* The checksum to store in a TCP/UDP/ICMPv6 header (ICMPv4 has no pseudo-header). */
static uint16_t
l4_cksum(const struct dk_addr *src, const struct dk_addr *dst, uint8_t proto,
	 const uint8_t *l4, size_t l4len)
{
	uint32_t sum = 0;
	uint16_t c;

	if (proto != DK_IPPROTO_ICMP) {
		if (src->af == AF_INET)
			sum = dk_cksum_pseudo4(&src->v4, &dst->v4, proto, (uint32_t)l4len);
		else
			sum = dk_cksum_pseudo6(src->v6, dst->v6, proto, (uint32_t)l4len);
	}
	c = dk_cksum_finish(dk_cksum_add(sum, l4, l4len));
	/* UDP sends a computed zero as all ones: zero means "no checksum" (RFC 768). */
	if (proto == DK_IPPROTO_UDP && c == 0)
		c = 0xffff;
	return c;
}

/* Ethernet + IP headers of a frame whose L4 part is l4len bytes; returns the L4 offset. */
static int
ip_frame(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_ip_params *ip,
	 uint8_t proto, size_t l4len, const struct dk_mac *eth_dst)
{
	size_t off = eth_len(l2);
	int n;

	if (!ip_ok(ip))
		return -EINVAL;
	if (l4len > 65535 || room < off + ip_hlen(&ip->src) + l4len)
		return l4len > 65535 ? -EMSGSIZE : -ENOSPC;
	write_eth(buf, eth_dst, &l2->src, l2->has_vlan, l2->vlan_tci,
		  ip->src.af == AF_INET ? DK_ETHERTYPE_IPV4 : DK_ETHERTYPE_IPV6);
	n = write_ip(buf + off, ip, proto, l4len);
	if (n < 0)
		return n;
	return (int)off + n;
}

int
dk_build_icmp_echo(uint8_t *buf, size_t room, const struct dk_l2 *l2,
		   const struct dk_ip_params *ip, uint16_t id, uint16_t seq,
		   const uint8_t *data, size_t data_len)
{
	size_t l4len = sizeof(struct dk_icmp_hdr) + data_len;
	uint8_t proto = ip->src.af == AF_INET6 ? DK_IPPROTO_ICMPV6 : DK_IPPROTO_ICMP;
	int off = ip_frame(buf, room, l2, ip, proto, l4len, &l2->dst);
	uint8_t *m;
	uint16_t c;

	if (off < 0)
		return off;
	m = buf + off;
	m[0] = proto == DK_IPPROTO_ICMP ? DK_ICMP_ECHO_REQUEST : DK_ICMP6_ECHO_REQUEST;
	m[1] = 0;
	memset(m + 2, 0, 2);
	st16(m + 4, id);
	st16(m + 6, seq);
	if (data_len)
		memcpy(m + 8, data, data_len);
	c = l4_cksum(&ip->src, &ip->dst, proto, m, l4len);
	memcpy(m + 2, &c, 2);
	return finish(buf, room, (size_t)off + l4len);
}

int
dk_build_echo_reply(uint8_t *buf, size_t room, const uint8_t *req, size_t req_len,
		    const struct dk_pkt_info *info, const struct dk_mac *src_mac, uint8_t ttl)
{
	struct dk_ip_params ip = { .ttl = ttl };
	struct dk_mac eth_dst;
	size_t icmp_len, l4_new, total;
	uint8_t proto;
	uint8_t *m;
	uint16_t c;
	int n;

	if (info->family != AF_INET && info->family != AF_INET6)
		return -EINVAL;
	if (info->l3_end > req_len || info->l4_off + sizeof(struct dk_icmp_hdr) > info->l3_end)
		return -EINVAL;
	proto = info->family == AF_INET ? DK_IPPROTO_ICMP : DK_IPPROTO_ICMPV6;
	icmp_len = info->l3_end - info->l4_off;
	l4_new = info->l2_len + ip_hlen(&info->src);
	total = l4_new + icmp_len;
	if (total > room)
		return -ENOSPC;
	ip.src = info->dst;
	ip.dst = info->src;
	ip.tos = info->tos;
	eth_dst = info->eth_src;
	/* The options are gone, so the message only moves towards the front (in place). */
	memmove(buf + l4_new, req + info->l4_off, icmp_len);
	write_eth(buf, &eth_dst, src_mac, info->has_vlan, info->vlan_tci, info->ethertype);
	n = write_ip(buf + info->l2_len, &ip, proto, icmp_len);
	if (n < 0)
		return n;
	m = buf + l4_new;
	m[0] = proto == DK_IPPROTO_ICMP ? DK_ICMP_ECHO_REPLY : DK_ICMP6_ECHO_REPLY;
	m[1] = 0;
	memset(m + 2, 0, 2);
	c = l4_cksum(&ip.src, &ip.dst, proto, m, icmp_len);
	memcpy(m + 2, &c, 2);
	return finish(buf, room, total);
}

void
dk_ipv6_mcast_mac(const uint8_t v6[16], struct dk_mac *out)
{
	out->b[0] = 0x33;
	out->b[1] = 0x33;
	memcpy(out->b + 2, v6 + 12, 4);
}

void
dk_ipv6_solicited_node(const struct dk_addr *a, struct dk_addr *out)
{
	static const uint8_t prefix[13] = { 0xff, 0x02, [11] = 0x01, [12] = 0xff };
	uint8_t v6[16];

	memcpy(v6, prefix, 13);
	memcpy(v6 + 13, a->v6 + 13, 3);
	dk_addr_set_v6(out, v6);
}

static int
build_nd(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_mac *eth_dst,
	 const struct dk_addr *src, const struct dk_addr *dst, uint8_t type, uint8_t flags,
	 const struct dk_addr *target, uint8_t opt_type)
{
	struct dk_ip_params ip = { .ttl = DK_ND_HOP_LIMIT };
	size_t l4len = sizeof(struct dk_nd_msg) + (opt_type ? sizeof(struct dk_nd_opt_lla) : 0);
	uint8_t *m;
	uint16_t c;
	int off;

	if (src->af != AF_INET6 || dst->af != AF_INET6 || target->af != AF_INET6)
		return -EINVAL;
	ip.src = *src;
	ip.dst = *dst;
	off = ip_frame(buf, room, l2, &ip, DK_IPPROTO_ICMPV6, l4len, eth_dst);
	if (off < 0)
		return off;
	m = buf + off;
	memset(m, 0, l4len);
	m[0] = type;
	m[4] = flags;
	memcpy(m + 8, target->v6, 16);
	if (opt_type) {
		m[24] = opt_type;
		m[25] = 1;
		memcpy(m + 26, l2->src.b, 6);
	}
	c = l4_cksum(&ip.src, &ip.dst, DK_IPPROTO_ICMPV6, m, l4len);
	memcpy(m + 2, &c, 2);
	return finish(buf, room, (size_t)off + l4len);
}

int
dk_build_ns(uint8_t *buf, size_t room, const struct dk_l2 *l2, bool multicast,
	    const struct dk_addr *src, const struct dk_addr *target)
{
	struct dk_addr dst = *target;
	struct dk_mac eth_dst = l2->dst;

	if (target->af != AF_INET6 || src->af != AF_INET6)
		return -EINVAL;
	if (multicast) {
		dk_ipv6_solicited_node(target, &dst);
		dk_ipv6_mcast_mac(dst.v6, &eth_dst);
	}
	static const uint8_t unspec[16];
	bool dad = memcmp(src->v6, unspec, sizeof(unspec)) == 0;

	return build_nd(buf, room, l2, &eth_dst, src, &dst, DK_ICMP6_NEIGH_SOLICIT, 0, target,
			dad ? 0 : DK_ND_OPT_SLLA);
}

int
dk_build_na(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_addr *src,
	    const struct dk_addr *dst, const struct dk_addr *target, uint8_t flags)
{
	struct dk_addr to;
	struct dk_mac eth_dst = l2->dst;

	if (dst) {
		to = *dst;
	} else {
		dk_addr_set_v6(&to, all_nodes);
		dk_ipv6_mcast_mac(all_nodes, &eth_dst);
	}
	return build_nd(buf, room, l2, &eth_dst, src, &to, DK_ICMP6_NEIGH_ADVERT, flags, target,
			DK_ND_OPT_TLLA);
}

int
dk_build_udp(uint8_t *buf, size_t room, const struct dk_l2 *l2,
	     const struct dk_ip_params *ip, uint16_t sport, uint16_t dport,
	     const uint8_t *payload, size_t payload_len)
{
	size_t l4len = sizeof(struct dk_udp_hdr) + payload_len;
	uint8_t *u;
	uint16_t c;
	int off;

	if (l4len > 65535 - IPV4_HLEN)
		return -EMSGSIZE;
	off = ip_frame(buf, room, l2, ip, DK_IPPROTO_UDP, l4len, &l2->dst);
	if (off < 0)
		return off;
	u = buf + off;
	st16(u, sport);
	st16(u + 2, dport);
	st16(u + 4, (uint16_t)l4len);
	memset(u + 6, 0, 2);
	if (payload_len)
		memcpy(u + 8, payload, payload_len);
	c = l4_cksum(&ip->src, &ip->dst, DK_IPPROTO_UDP, u, l4len);
	memcpy(u + 6, &c, 2);
	return finish(buf, room, (size_t)off + l4len);
}

int
dk_build_tcp(uint8_t *buf, size_t room, const struct dk_l2 *l2,
	     const struct dk_ip_params *ip, const struct dk_tcp_params *tcp)
{
	size_t hlen = sizeof(struct dk_tcp_hdr) + (tcp->mss ? 4 : 0);
	size_t l4len = hlen + tcp->payload_len;
	uint8_t *t;
	uint16_t c;
	int off;

	if (l4len > 65535 - IPV4_HLEN)
		return -EMSGSIZE;
	off = ip_frame(buf, room, l2, ip, DK_IPPROTO_TCP, l4len, &l2->dst);
	if (off < 0)
		return off;
	t = buf + off;
	st16(t, tcp->sport);
	st16(t + 2, tcp->dport);
	st32(t + 4, tcp->seq);
	st32(t + 8, tcp->ack);
	t[12] = (uint8_t)(hlen / 4 << 4);
	t[13] = tcp->flags;
	st16(t + 14, tcp->window);
	memset(t + 16, 0, 4);
	if (tcp->mss) {
		t[20] = DK_TCP_OPT_MSS;
		t[21] = 4;
		st16(t + 22, tcp->mss);
	}
	if (tcp->payload_len)
		memcpy(t + hlen, tcp->payload, tcp->payload_len);
	c = l4_cksum(&ip->src, &ip->dst, DK_IPPROTO_TCP, t, l4len);
	memcpy(t + 16, &c, 2);
	return finish(buf, room, (size_t)off + l4len);
}
