#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "dk_cksum.h"
#include "dk_pkt.h"
#include "net_bytes.h"

/* Every bound below is checked against len (or l3_end <= len) before a byte is read. */

static enum dk_pkt_verdict
parse_arp(const uint8_t *pkt, size_t len, struct dk_pkt_info *out)
{
	const uint8_t *a = pkt + out->l3_off;

	if (len - out->l3_off < sizeof(struct dk_arp_hdr))
		return DK_PKT_TRUNC_ARP;
	/* Only Ethernet/IPv4 ARP exists for us; anything else would misplace the fields. */
	if (ld16(a) != DK_ARP_HRD_ETHER || ld16(a + 2) != DK_ETHERTYPE_IPV4 || a[4] != 6 ||
	    a[5] != 4)
		return DK_PKT_BAD_ARP;
	out->arp_op = ld16(a + 6);
	memcpy(out->arp_sha.b, a + 8, 6);
	out->arp_spa.af = AF_INET;
	memcpy(&out->arp_spa.v4, a + 14, 4);
	memcpy(out->arp_tha.b, a + 18, 6);
	out->arp_tpa.af = AF_INET;
	memcpy(&out->arp_tpa.v4, a + 24, 4);
	out->l4_off = out->payload_off = (uint16_t)(out->l3_off + sizeof(struct dk_arp_hdr));
	out->l3_end = out->l4_off;
	return DK_PKT_OK;
}

static enum dk_pkt_verdict
parse_ipv4(const uint8_t *pkt, size_t len, unsigned flags, struct dk_pkt_info *out)
{
	const uint8_t *ip = pkt + out->l3_off;
	size_t avail = len - out->l3_off;
	unsigned ihl, total;
	uint16_t fo;

	if (avail < sizeof(struct dk_ipv4_hdr))
		return DK_PKT_TRUNC_IP;
	if (ip[0] >> 4 != 4)
		return DK_PKT_BAD_IP_VERSION;
	ihl = (ip[0] & 0xfu) * 4;
	if (ihl < sizeof(struct dk_ipv4_hdr))
		return DK_PKT_BAD_IHL;
	if (ihl > avail)
		return DK_PKT_TRUNC_IP;
	total = ld16(ip + 2);
	if (total < ihl || total > avail)
		return DK_PKT_BAD_IP_LEN;
	if ((flags & DK_PKT_F_IP_CKSUM) && dk_cksum(ip, ihl) != 0)
		return DK_PKT_BAD_IP_CKSUM;

	out->family = AF_INET;
	out->tos = ip[1];
	out->ttl = ip[8];
	out->proto = ip[9];
	out->src.af = out->dst.af = AF_INET;
	memcpy(&out->src.v4, ip + 12, 4);
	memcpy(&out->dst.v4, ip + 16, 4);
	out->ip_opts = ihl > sizeof(struct dk_ipv4_hdr);
	out->l3_end = out->l3_off + total;
	out->l4_off = (uint16_t)(out->l3_off + ihl);

	fo = ld16(ip + 6);
	out->frag_off = (uint16_t)((fo & DK_IPV4_FRAG_MASK) * 8);
	out->frag_more = (fo & DK_IPV4_FLAG_MF) != 0;
	out->is_frag = out->frag_more || out->frag_off != 0;
	out->frag_first = out->is_frag && out->frag_off == 0;
	out->frag_id = ld16(ip + 4);
	/* A reassembled datagram may not exceed 65535 bytes (RFC 791 / teardrop-style). */
	if (out->is_frag && (size_t)out->frag_off + (total - ihl) > 65535)
		return DK_PKT_BAD_IP_FRAG;
	return DK_PKT_OK;
}

static bool
is_ext_hdr(uint8_t nxt)
{
	return nxt == DK_IPPROTO_HOPOPTS || nxt == DK_IPPROTO_ROUTING ||
	       nxt == DK_IPPROTO_FRAGMENT || nxt == DK_IPPROTO_DSTOPTS;
}

static enum dk_pkt_verdict
parse_ipv6_ext(const uint8_t *pkt, uint8_t nxt, struct dk_pkt_info *out)
{
	size_t off = out->l3_off + sizeof(struct dk_ipv6_hdr);
	unsigned n = 0;
	bool seen_frag = false;

	while (is_ext_hdr(nxt)) {
		const uint8_t *h = pkt + off;
		size_t hlen;

		/* RFC 8200 4.1: hop-by-hop only right after the IPv6 header; a chain longer
		 * than a handful of headers is an attack on parsers, not traffic. */
		if ((nxt == DK_IPPROTO_HOPOPTS && n > 0) || ++n > DK_PKT_MAX_EXT_HDRS)
			return DK_PKT_BAD_EXT;
		if (off + 8 > out->l3_end)
			return DK_PKT_TRUNC_EXT;
		out->ip_opts = true;
		if (nxt == DK_IPPROTO_FRAGMENT) {
			uint16_t fo = ld16(h + 2);

			if (seen_frag)
				return DK_PKT_BAD_EXT;
			seen_frag = true;
			out->frag_off = fo & 0xfff8;
			out->frag_more = fo & 1;
			out->frag_id = ld32(h + 4);
			out->is_frag = out->frag_more || out->frag_off != 0;
			out->frag_first = out->is_frag && out->frag_off == 0;
			hlen = 8;
		} else {
			hlen = ((size_t)h[1] + 1) * 8;
		}
		if (off + hlen > out->l3_end)
			return DK_PKT_TRUNC_EXT;
		nxt = h[0];
		off += hlen;
		if (out->is_frag && !out->frag_first)
			break;
	}
	if (out->is_frag &&
	    (size_t)out->frag_off + (out->l3_end - off) > 65535)
		return DK_PKT_BAD_IP_FRAG;
	out->proto = nxt;
	out->l4_off = (uint16_t)off;
	return DK_PKT_OK;
}

static enum dk_pkt_verdict
parse_ipv6(const uint8_t *pkt, size_t len, struct dk_pkt_info *out)
{
	const uint8_t *ip = pkt + out->l3_off;
	size_t avail = len - out->l3_off;
	uint32_t vtc;
	size_t plen;

	if (avail < sizeof(struct dk_ipv6_hdr))
		return DK_PKT_TRUNC_IP;
	vtc = ld32(ip);
	if (vtc >> 28 != 6)
		return DK_PKT_BAD_IP_VERSION;
	plen = ld16(ip + 4);
	if (plen + sizeof(struct dk_ipv6_hdr) > avail)
		return DK_PKT_BAD_IP_LEN;
	out->family = AF_INET6;
	out->tos = (uint8_t)(vtc >> 20);
	out->ttl = ip[7];
	out->src.af = out->dst.af = AF_INET6;
	memcpy(out->src.v6, ip + 8, 16);
	memcpy(out->dst.v6, ip + 24, 16);
	out->l3_end = (uint32_t)(out->l3_off + sizeof(struct dk_ipv6_hdr) + plen);
	return parse_ipv6_ext(pkt, ip[6], out);
}

static enum dk_pkt_verdict
parse_l4(const uint8_t *pkt, struct dk_pkt_info *out)
{
	const uint8_t *l4 = pkt + out->l4_off;
	size_t avail = out->l3_end - out->l4_off;
	size_t hlen;

	switch (out->proto) {
	case DK_IPPROTO_TCP:
		if (avail < sizeof(struct dk_tcp_hdr))
			return DK_PKT_TRUNC_L4;
		hlen = (size_t)(l4[12] >> 4) * 4;
		if (hlen < sizeof(struct dk_tcp_hdr) || hlen > avail)
			return DK_PKT_BAD_TCP_OFF;
		out->sport = ld16(l4);
		out->dport = ld16(l4 + 2);
		out->tcp_seq = ld32(l4 + 4);
		out->tcp_ack = ld32(l4 + 8);
		out->tcp_flags = l4[13];
		out->tcp_window = ld16(l4 + 14);
		out->payload_len = (uint32_t)(avail - hlen);
		break;
	case DK_IPPROTO_UDP: {
		size_t ulen;

		if (avail < sizeof(struct dk_udp_hdr))
			return DK_PKT_TRUNC_L4;
		ulen = ld16(l4 + 4);
		/* A first fragment carries only part of the datagram the UDP length covers. */
		if (ulen < sizeof(struct dk_udp_hdr) || (!out->is_frag && ulen > avail))
			return DK_PKT_BAD_UDP_LEN;
		out->sport = ld16(l4);
		out->dport = ld16(l4 + 2);
		hlen = sizeof(struct dk_udp_hdr);
		out->payload_len = (uint32_t)(DK_MIN(ulen, avail) - hlen);
		break;
	}
	case DK_IPPROTO_ICMP:
	case DK_IPPROTO_ICMPV6:
		if (avail < sizeof(struct dk_icmp_hdr))
			return DK_PKT_TRUNC_L4;
		out->icmp_type = l4[0];
		out->icmp_code = l4[1];
		hlen = sizeof(struct dk_icmp_hdr);
		out->payload_len = (uint32_t)(avail - hlen);
		break;
	default:
		hlen = 0;
		out->payload_len = (uint32_t)avail;
		break;
	}
	out->payload_off = (uint16_t)(out->l4_off + hlen);
	return DK_PKT_OK;
}

bool
dk_pkt_l4_cksum_ok(const uint8_t *pkt, const struct dk_pkt_info *info)
{
	const uint8_t *l4 = pkt + info->l4_off;
	uint32_t l4len = info->l3_end - info->l4_off;
	uint32_t sum;

	if (info->is_frag || (info->family != AF_INET && info->family != AF_INET6))
		return true;
	switch (info->proto) {
	case DK_IPPROTO_UDP:
		/* Zero means "no checksum" for UDP over IPv4 only (RFC 768 / RFC 8200 8.1). */
		l4len = ld16(l4 + 4);
		if (info->family == AF_INET && ld16(l4 + 6) == 0)
			return true;
		break;
	case DK_IPPROTO_TCP:
	case DK_IPPROTO_ICMPV6:
		break;
	case DK_IPPROTO_ICMP:
		return dk_cksum(l4, l4len) == 0;
	default:
		return true;
	}
	if (info->family == AF_INET)
		sum = dk_cksum_pseudo4(&info->src.v4, &info->dst.v4, info->proto, l4len);
	else
		sum = dk_cksum_pseudo6(info->src.v6, info->dst.v6, info->proto, l4len);
	return dk_cksum_finish(dk_cksum_add(sum, l4, l4len)) == 0;
}

enum dk_pkt_verdict
dk_pkt_parse_ex(const uint8_t *pkt, size_t len, unsigned flags, struct dk_pkt_info *out)
{
	enum dk_pkt_verdict v;
	size_t off = sizeof(struct dk_eth_hdr);
	uint16_t type;

	memset(out, 0, sizeof(*out));
	/* Offsets are 16-bit; a frame beyond that is not Ethernet and not for us. */
	if (len < sizeof(struct dk_eth_hdr))
		return DK_PKT_TRUNC_ETH;
	if (len > UINT16_MAX)
		len = UINT16_MAX;
	memcpy(out->eth_dst.b, pkt, 6);
	memcpy(out->eth_src.b, pkt + 6, 6);
	type = ld16(pkt + 12);
	if (type == DK_ETHERTYPE_VLAN || type == DK_ETHERTYPE_QINQ) {
		if (len < off + DK_VLAN_HLEN)
			return DK_PKT_TRUNC_ETH;
		out->has_vlan = true;
		out->vlan_tci = ld16(pkt + off);
		type = ld16(pkt + off + 2);
		off += DK_VLAN_HLEN;
		if (type == DK_ETHERTYPE_VLAN || type == DK_ETHERTYPE_QINQ)
			return DK_PKT_BAD_VLAN;
	}
	out->ethertype = type;
	out->l2_len = out->l3_off = (uint16_t)off;

	switch (type) {
	case DK_ETHERTYPE_ARP:
		return parse_arp(pkt, len, out);
	case DK_ETHERTYPE_IPV4:
		v = parse_ipv4(pkt, len, flags, out);
		break;
	case DK_ETHERTYPE_IPV6:
		v = parse_ipv6(pkt, len, out);
		break;
	default:
		return DK_PKT_UNKNOWN_ETHERTYPE;
	}
	if (v != DK_PKT_OK)
		return v;
	if (out->is_frag && !out->frag_first) {
		out->payload_off = out->l4_off;
		out->payload_len = out->l3_end - out->l4_off;
		return DK_PKT_OK;
	}
	v = parse_l4(pkt, out);
	if (v != DK_PKT_OK)
		return v;
	if ((flags & DK_PKT_F_L4_CKSUM) && !dk_pkt_l4_cksum_ok(pkt, out))
		return DK_PKT_BAD_L4_CKSUM;
	return DK_PKT_OK;
}

enum dk_pkt_verdict
dk_pkt_parse(const uint8_t *pkt, size_t len, struct dk_pkt_info *out)
{
	return dk_pkt_parse_ex(pkt, len, 0, out);
}
