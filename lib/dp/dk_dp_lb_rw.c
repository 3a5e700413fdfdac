/* Address/port rewrites with incremental checksums, and the IPIP outer header. */
#include <arpa/inet.h>
#include <string.h>

#include "dk_cksum.h"
#include "dk_dp_lb_rw.h"

#define IP4_CKSUM_OFF 10
#define IP4_SRC_OFF 12
#define IP4_DST_OFF 16
#define IP6_SRC_OFF 8
#define IP6_DST_OFF 24
#define TCP_CKSUM_OFF 16
#define UDP_CKSUM_OFF 6
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_IPIP 4
#define PROTO_IPV6 41
#define PROTO_ICMP 1
#define PROTO_ICMPV6 58
#define TCPOPT_END 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2

void
dk_dp_lb_rw4(uint8_t *l3, uint8_t *l4, uint8_t proto, enum dk_dp_lb_end end,
	     uint32_t addr_be, uint16_t port)
{
	size_t aoff = end == DK_DP_LB_SRC ? IP4_SRC_OFF : IP4_DST_OFF;
	size_t poff = end == DK_DP_LB_SRC ? 0 : 2;
	size_t coff = proto == PROTO_TCP ? TCP_CKSUM_OFF : UDP_CKSUM_OFF;
	uint16_t ipck, l4ck, oldp, newp = htons(port);
	uint32_t olda;

	memcpy(&olda, l3 + aoff, 4);
	memcpy(&oldp, l4 + poff, 2);
	memcpy(&ipck, l3 + IP4_CKSUM_OFF, 2);
	memcpy(&l4ck, l4 + coff, 2);
	ipck = dk_cksum_update32(ipck, olda, addr_be);
	/* UDP over IPv4 may carry no checksum at all; a computed zero is sent as 0xffff. */
	if (proto == PROTO_TCP || l4ck != 0) {
		l4ck = dk_cksum_update32(l4ck, olda, addr_be);
		l4ck = dk_cksum_update16(l4ck, oldp, newp);
		if (proto != PROTO_TCP && l4ck == 0)
			l4ck = 0xffff;
	}
	memcpy(l3 + aoff, &addr_be, 4);
	memcpy(l4 + poff, &newp, 2);
	memcpy(l3 + IP4_CKSUM_OFF, &ipck, 2);
	memcpy(l4 + coff, &l4ck, 2);
}

void
dk_dp_lb_rw6(uint8_t *l3, uint8_t *l4, uint8_t proto, enum dk_dp_lb_end end,
	     const uint8_t addr[16], uint16_t port)
{
	size_t aoff = end == DK_DP_LB_SRC ? IP6_SRC_OFF : IP6_DST_OFF;
	size_t poff = end == DK_DP_LB_SRC ? 0 : 2;
	size_t coff = proto == PROTO_TCP ? TCP_CKSUM_OFF : UDP_CKSUM_OFF;
	uint16_t l4ck, oldp, newp = htons(port);

	memcpy(&oldp, l4 + poff, 2);
	memcpy(&l4ck, l4 + coff, 2);
	/* No header checksum in IPv6; the address is in the L4 pseudo-header only. A zero
	 * UDP checksum is invalid over IPv6 (RFC 8200 8.1): left as it came, the receiver
	 * drops it as it would have without us. */
	if (proto == PROTO_TCP || l4ck != 0) {
		l4ck = dk_cksum_update_bytes(l4ck, l3 + aoff, addr, 16);
		l4ck = dk_cksum_update16(l4ck, oldp, newp);
		if (proto != PROTO_TCP && l4ck == 0)
			l4ck = 0xffff;
	}
	memcpy(l3 + aoff, addr, 16);
	memcpy(l4 + poff, &newp, 2);
	memcpy(l4 + coff, &l4ck, 2);
}

void
dk_dp_lb_ipip4(uint8_t *hdr, const uint8_t *inner, uint16_t inner_len, uint32_t src_be,
	       uint32_t dst_be)
{
	uint16_t tot = (uint16_t)(inner_len + 20), ck;

	memset(hdr, 0, 20);
	hdr[0] = 0x45;
	hdr[1] = inner[1];
	hdr[2] = (uint8_t)(tot >> 8);
	hdr[3] = (uint8_t)tot;
	/* Keep DF: the real server's path MTU discovery depends on it. */
	hdr[6] = inner[6] & 0x40;
	hdr[8] = 64;
	hdr[9] = PROTO_IPIP;
	memcpy(hdr + IP4_SRC_OFF, &src_be, 4);
	memcpy(hdr + IP4_DST_OFF, &dst_be, 4);
	ck = dk_cksum(hdr, 20);
	memcpy(hdr + IP4_CKSUM_OFF, &ck, 2);
}

void
dk_dp_lb_ip6ip6(uint8_t *hdr, const uint8_t *inner, uint16_t inner_len, const uint8_t src[16],
		const uint8_t dst[16])
{
	memset(hdr, 0, 40);
	/* Version 6, the inner traffic class (RFC 2473 6.5), no flow label. */
	hdr[0] = (uint8_t)(0x60 | (inner[0] & 0x0f));
	hdr[1] = inner[1] & 0xf0;
	hdr[4] = (uint8_t)(inner_len >> 8);
	hdr[5] = (uint8_t)inner_len;
	hdr[6] = PROTO_IPV6;
	hdr[7] = 64;
	memcpy(hdr + IP6_SRC_OFF, src, 16);
	memcpy(hdr + IP6_DST_OFF, dst, 16);
}

int
dk_dp_lb_icmp4_quote(const uint8_t *icmp, size_t len, struct dk_dp_lb_quote *q)
{
	const uint8_t *ip = icmp + 8;
	size_t ihl;

	if (len < 8 + 20 + 8 || len > UINT16_MAX || !dk_dp_lb_icmp4_is_error(icmp[0]) ||
	    ip[0] >> 4 != 4)
		return -1;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	/* A later fragment quotes no ports: no flow to name. */
	if (ihl < 20 || 8 + ihl + 8 > len || ((ip[6] & 0x1f) | ip[7]) != 0 ||
	    (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP))
		return -1;
	q->l3 = 8;
	q->l4 = (uint16_t)(8 + ihl);
	q->len = (uint16_t)len;
	q->proto = ip[9];
	memcpy(&q->src, ip + IP4_SRC_OFF, 4);
	memcpy(&q->dst, ip + IP4_DST_OFF, 4);
	q->sport = (uint16_t)(icmp[q->l4] << 8 | icmp[q->l4 + 1]);
	q->dport = (uint16_t)(icmp[q->l4 + 2] << 8 | icmp[q->l4 + 3]);
	return 0;
}

void
dk_dp_lb_icmp4_rw_quote(uint8_t *icmp, const struct dk_dp_lb_quote *q, enum dk_dp_lb_end end,
			uint32_t addr_be, uint16_t port)
{
	size_t coff = q->proto == PROTO_TCP ? TCP_CKSUM_OFF : UDP_CKSUM_OFF;

	/* Quoted whole enough to carry its L4 checksum: patch that too, as for a datagram. */
	if ((size_t)q->l4 + coff + 2 <= q->len) {
		dk_dp_lb_rw4(icmp + q->l3, icmp + q->l4, q->proto, end, addr_be, port);
		return;
	}
	dk_dp_lb_rw4_addr(icmp + q->l3, end, addr_be);
	port = htons(port);
	memcpy(icmp + q->l4 + (end == DK_DP_LB_SRC ? 0 : 2), &port, 2);
}

void
dk_dp_lb_rw4_addr(uint8_t *l3, enum dk_dp_lb_end end, uint32_t addr_be)
{
	size_t aoff = end == DK_DP_LB_SRC ? IP4_SRC_OFF : IP4_DST_OFF;
	uint32_t olda;
	uint16_t ck;

	memcpy(&olda, l3 + aoff, 4);
	memcpy(&ck, l3 + IP4_CKSUM_OFF, 2);
	ck = dk_cksum_update32(ck, olda, addr_be);
	memcpy(l3 + aoff, &addr_be, 4);
	memcpy(l3 + IP4_CKSUM_OFF, &ck, 2);
}

void
dk_dp_lb_icmp4_cksum(uint8_t *icmp, size_t len)
{
	uint16_t ck;

	memset(icmp + 2, 0, 2);
	ck = dk_cksum(icmp, len);
	memcpy(icmp + 2, &ck, 2);
}

/* The checksum covers 16-bit words from the header's start: a value at an odd offset
 * straddles two of them. */
static uint16_t
patch16(uint8_t *l4, size_t off, uint16_t val_be, uint16_t ck)
{
	size_t w = off & ~(size_t)1;
	size_t n = off & 1 ? 4 : 2;
	uint16_t old[2], new[2];

	memcpy(old, l4 + w, n);
	memcpy(l4 + off, &val_be, 2);
	memcpy(new, l4 + w, n);
	for (size_t i = 0; i < n / 2; i++)
		ck = dk_cksum_update16(ck, old[i], new[i]);
	return ck;
}

bool
dk_dp_lb_mss_clamp(uint8_t *l4, size_t hlen, uint16_t max_mss)
{
	size_t o = 20;

	while (o < hlen) {
		uint8_t kind = l4[o], len;

		if (kind == TCPOPT_END)
			break;
		if (kind == TCPOPT_NOP) {
			o++;
			continue;
		}
		if (o + 1 >= hlen)
			break;
		len = l4[o + 1];
		if (len < 2 || o + len > hlen)
			break;
		if (kind == TCPOPT_MSS && len == 4) {
			uint16_t mss = (uint16_t)(l4[o + 2] << 8 | l4[o + 3]), ck;

			if (mss <= max_mss)
				return false;
			memcpy(&ck, l4 + TCP_CKSUM_OFF, 2);
			ck = patch16(l4, o + 2, htons(max_mss), ck);
			memcpy(l4 + TCP_CKSUM_OFF, &ck, 2);
			return true;
		}
		o += len;
	}
	return false;
}

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_ACK 0x10

uint16_t
dk_dp_lb_tcp_rst4(uint8_t *l3, uint8_t *l4, uint32_t payload_len, bool reflect)
{
	uint32_t seq, ack, nseq, nack = 0, sum;
	uint8_t flags = l4[13], nflags = TCP_FLAG_RST, tmp[4];
	uint16_t ck;

	memcpy(&seq, l4 + 4, 4);
	memcpy(&ack, l4 + 8, 4);
	nseq = seq;
	if (reflect) {
		memcpy(tmp, l3 + IP4_SRC_OFF, 4);
		memcpy(l3 + IP4_SRC_OFF, l3 + IP4_DST_OFF, 4);
		memcpy(l3 + IP4_DST_OFF, tmp, 4);
		memcpy(tmp, l4, 2);
		memcpy(l4, l4 + 2, 2);
		memcpy(l4 + 2, tmp, 2);
		l3[8] = 64;
		if (flags & TCP_FLAG_ACK) {
			nseq = ack;
		} else {
			nseq = 0;
			nack = htonl(ntohl(seq) + payload_len + !!(flags & TCP_FLAG_SYN) +
				     !!(flags & TCP_FLAG_FIN));
			nflags |= TCP_FLAG_ACK;
		}
	}
	memcpy(l4 + 4, &nseq, 4);
	memcpy(l4 + 8, &nack, 4);
	l4[12] = 0x50;
	l4[13] = nflags;
	memset(l4 + 14, 0, 6);	/* window, checksum, urgent pointer */
	l3[2] = 0;
	l3[3] = 40;
	memset(l3 + IP4_CKSUM_OFF, 0, 2);
	ck = dk_cksum(l3, 20);
	memcpy(l3 + IP4_CKSUM_OFF, &ck, 2);
	sum = dk_cksum_pseudo4(l3 + IP4_SRC_OFF, l3 + IP4_DST_OFF, PROTO_TCP, 20);
	ck = dk_cksum_finish(dk_cksum_add(sum, l4, 20));
	memcpy(l4 + TCP_CKSUM_OFF, &ck, 2);
	return 40;
}

int
dk_dp_lb_icmp6_quote(const uint8_t *icmp, size_t len, struct dk_dp_lb_quote *q)
{
	const uint8_t *ip = icmp + 8;

	if (len < 8 + 40 + 8 || len > UINT16_MAX || !dk_dp_lb_icmp6_is_error(icmp[0]) ||
	    ip[0] >> 4 != 6 || (ip[6] != PROTO_TCP && ip[6] != PROTO_UDP))
		return -1;
	q->l3 = 8;
	q->l4 = 8 + 40;
	q->len = (uint16_t)len;
	q->proto = ip[6];
	q->src = q->dst = 0;
	memcpy(q->src6, ip + IP6_SRC_OFF, 16);
	memcpy(q->dst6, ip + IP6_DST_OFF, 16);
	q->sport = (uint16_t)(icmp[q->l4] << 8 | icmp[q->l4 + 1]);
	q->dport = (uint16_t)(icmp[q->l4 + 2] << 8 | icmp[q->l4 + 3]);
	return 0;
}

void
dk_dp_lb_icmp6_rw_quote(uint8_t *icmp, const struct dk_dp_lb_quote *q, enum dk_dp_lb_end end,
			const uint8_t addr[16], uint16_t port)
{
	size_t coff = q->proto == PROTO_TCP ? TCP_CKSUM_OFF : UDP_CKSUM_OFF;

	if ((size_t)q->l4 + coff + 2 <= q->len) {
		dk_dp_lb_rw6(icmp + q->l3, icmp + q->l4, q->proto, end, addr, port);
		return;
	}
	dk_dp_lb_rw6_addr(icmp + q->l3, end, addr);
	port = htons(port);
	memcpy(icmp + q->l4 + (end == DK_DP_LB_SRC ? 0 : 2), &port, 2);
}

void
dk_dp_lb_rw6_addr(uint8_t *l3, enum dk_dp_lb_end end, const uint8_t addr[16])
{
	memcpy(l3 + (end == DK_DP_LB_SRC ? IP6_SRC_OFF : IP6_DST_OFF), addr, 16);
}

void
dk_dp_lb_icmp6_cksum(const uint8_t *l3, uint8_t *icmp, size_t len)
{
	uint32_t sum;
	uint16_t ck;

	memset(icmp + 2, 0, 2);
	sum = dk_cksum_pseudo6(l3 + IP6_SRC_OFF, l3 + IP6_DST_OFF, PROTO_ICMPV6, (uint32_t)len);
	ck = dk_cksum_finish(dk_cksum_add(sum, icmp, len));
	memcpy(icmp + 2, &ck, 2);
}

uint16_t
dk_dp_lb_icmp4_frag_needed(uint8_t *l3, uint16_t quoted, uint16_t next_mtu)
{
	const uint8_t *orig = l3 + 28;
	uint8_t *icmp = l3 + 20;
	uint16_t tot = (uint16_t)(28 + quoted), ck;

	memset(l3, 0, 28);
	l3[0] = 0x45;
	l3[1] = 0xc0;	/* internetwork control, as routers send their errors */
	l3[2] = (uint8_t)(tot >> 8);
	l3[3] = (uint8_t)tot;
	l3[8] = 64;
	l3[9] = PROTO_ICMP;
	memcpy(l3 + IP4_SRC_OFF, orig + IP4_DST_OFF, 4);
	memcpy(l3 + IP4_DST_OFF, orig + IP4_SRC_OFF, 4);
	ck = dk_cksum(l3, 20);
	memcpy(l3 + IP4_CKSUM_OFF, &ck, 2);
	icmp[0] = 3;
	icmp[1] = 4;
	icmp[6] = (uint8_t)(next_mtu >> 8);
	icmp[7] = (uint8_t)next_mtu;
	dk_dp_lb_icmp4_cksum(icmp, (size_t)8 + quoted);
	return tot;
}

uint16_t
dk_dp_lb_icmp6_too_big(uint8_t *l3, uint16_t quoted, uint32_t mtu)
{
	const uint8_t *orig = l3 + 48;
	uint8_t *icmp = l3 + 40;
	uint16_t plen = (uint16_t)(8 + quoted);

	memset(l3, 0, 48);
	l3[0] = 0x60;
	l3[4] = (uint8_t)(plen >> 8);
	l3[5] = (uint8_t)plen;
	l3[6] = PROTO_ICMPV6;
	l3[7] = 64;
	memcpy(l3 + IP6_SRC_OFF, orig + IP6_DST_OFF, 16);
	memcpy(l3 + IP6_DST_OFF, orig + IP6_SRC_OFF, 16);
	icmp[0] = 2;
	mtu = htonl(mtu);
	memcpy(icmp + 4, &mtu, 4);
	dk_dp_lb_icmp6_cksum(l3, icmp, plen);
	return (uint16_t)(40 + plen);
}

bool
dk_dp_lb_bucket_take(struct dk_dp_lb_bucket *b, uint64_t now_us, uint32_t rate, uint32_t burst)
{
	uint64_t add;

	if (!b->started) {
		b->started = true;
		b->tokens = burst;
		b->last_us = now_us;
	}
	if (now_us > b->last_us && rate) {
		add = (now_us - b->last_us) * rate / 1000000;
		if (b->tokens + add >= burst) {
			b->tokens = burst;
			b->last_us = now_us;
		} else if (add) {
			b->tokens += (uint32_t)add;
			/* Only the time the tokens stand for is spent: no fraction is lost. */
			b->last_us += add * 1000000 / rate;
		}
	}
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}
