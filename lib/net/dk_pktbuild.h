/*
 * Frame builders writing into a caller's buffer. Each returns the frame length or
 * -ENOSPC when room is too small (nothing useful is left in buf then), -EINVAL on a
 * wrong address family, -EMSGSIZE when the payload does not fit an IP datagram. Frames
 * shorter than the Ethernet minimum are zero-padded to DK_ETH_MIN_FRAME when room allows,
 * as a NIC without auto-padding would need. Checksums are complete.
 */
#ifndef DK_PKTBUILD_H
#define DK_PKTBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_net.h"
#include "dk_pkt.h"

/* Layer-2 framing of a built frame. */
struct dk_l2 {
	struct dk_mac src;
	struct dk_mac dst;  /* ignored by builders that imply it (broadcast, multicast) */
	uint16_t vlan_tci;  /* host order; used when has_vlan */
	bool has_vlan;
};

/* The IP header of a built frame; family from src.af (src and dst must agree). */
struct dk_ip_params {
	struct dk_addr src;
	struct dk_addr dst;
	uint8_t ttl;         /* TTL or hop limit; 0 means 64 */
	uint8_t tos;         /* TOS or traffic class */
	uint16_t id;         /* IPv4 identification */
	bool df;             /* IPv4 don't-fragment */
	uint32_t flow_label; /* IPv6, low 20 bits */
};

struct dk_tcp_params {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags; /* DK_TCP_* */
	uint16_t window;
	uint16_t mss; /* 0: no MSS option */
	const uint8_t *payload;
	size_t payload_len;
};

/* Ethernet header (+ tag); returns its length (14 or 18). */
int dk_build_eth(uint8_t *buf, size_t room, const struct dk_l2 *l2, uint16_t ethertype);

/* ARP request for tip from (l2->src, sip), broadcast. */
int dk_build_arp_request(uint8_t *buf, size_t room, const struct dk_l2 *l2,
			 const struct dk_addr *sip, const struct dk_addr *tip);
/* ARP reply (l2->src is at sip) unicast to (l2->dst, tip). */
int dk_build_arp_reply(uint8_t *buf, size_t room, const struct dk_l2 *l2,
		       const struct dk_addr *sip, const struct dk_addr *tip);
/* Gratuitous ARP in request form (spa == tpa == vip, tha zero, broadcast), as keepalived. */
int dk_build_garp(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_addr *vip);

/* IPv4 (20 bytes, checksum set) or IPv6 (40 bytes) header for payload_len bytes of proto. */
int dk_build_ip_hdr(uint8_t *buf, size_t room, const struct dk_ip_params *ip, uint8_t proto,
		    size_t payload_len);

/* ICMP / ICMPv6 echo request (the PING checker), family from ip->src. */
int dk_build_icmp_echo(uint8_t *buf, size_t room, const struct dk_l2 *l2,
		       const struct dk_ip_params *ip, uint16_t id, uint16_t seq,
		       const uint8_t *data, size_t data_len);
/*
 * Echo reply (v4 or v6) to the echo request req[0..req_len) whose parse is info: MACs
 * and addresses swapped, IPv4 options / IPv6 extension headers dropped, id, seq and data
 * kept, VLAN tag kept, sent from src_mac. buf may equal req (in-place rewrite), other
 * overlaps are not allowed. ttl 0 means 64.
 */
int dk_build_echo_reply(uint8_t *buf, size_t room, const uint8_t *req, size_t req_len,
			const struct dk_pkt_info *info, const struct dk_mac *src_mac, uint8_t ttl);

/* 33:33:xx:xx:xx:xx for an IPv6 multicast group (RFC 2464 7). */
void dk_ipv6_mcast_mac(const uint8_t v6[16], struct dk_mac *out);
/* ff02::1:ffXX:XXXX for an IPv6 unicast address (RFC 4291 2.7.1). */
void dk_ipv6_solicited_node(const struct dk_addr *a, struct dk_addr *out);

/*
 * Neighbor Solicitation for target. multicast: to the solicited-node group and its MAC
 * (resolution); otherwise unicast to target at l2->dst (unreachability probe). src may
 * be :: (DAD), in which case no source link-layer option is sent (RFC 4861 4.3).
 */
int dk_build_ns(uint8_t *buf, size_t room, const struct dk_l2 *l2, bool multicast,
		const struct dk_addr *src, const struct dk_addr *target);
/*
 * Neighbor Advertisement for target with the target link-layer option l2->src. dst NULL
 * means unsolicited to ff02::1 (MAC 33:33:00:00:00:01); otherwise to dst at l2->dst.
 * flags: DK_ND_NA_FLAG_*.
 */
int dk_build_na(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_addr *src,
		const struct dk_addr *dst, const struct dk_addr *target, uint8_t flags);

int dk_build_udp(uint8_t *buf, size_t room, const struct dk_l2 *l2,
		 const struct dk_ip_params *ip, uint16_t sport, uint16_t dport,
		 const uint8_t *payload, size_t payload_len);
int dk_build_tcp(uint8_t *buf, size_t room, const struct dk_l2 *l2,
		 const struct dk_ip_params *ip, const struct dk_tcp_params *tcp);

#endif
