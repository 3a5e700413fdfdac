/*
 * One-pass parse and validation of an Ethernet frame into offsets and host-order
 * fields. A dropped frame's verdict is what the daemon counts, so every way a frame
 * can be wrong has its own name. The parser never reads past len.
 */
#ifndef DK_PKT_H
#define DK_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"
#include "dk_net.h"

#define DK_PKT_VERDICTS(X) \
	X(DK_PKT_OK, "ok") \
	X(DK_PKT_TRUNC_ETH, "trunc_eth") \
	X(DK_PKT_BAD_VLAN, "bad_vlan_stack") \
	X(DK_PKT_UNKNOWN_ETHERTYPE, "unknown_ethertype") \
	X(DK_PKT_TRUNC_ARP, "trunc_arp") \
	X(DK_PKT_BAD_ARP, "bad_arp_format") \
	X(DK_PKT_TRUNC_IP, "trunc_ip") \
	X(DK_PKT_BAD_IP_VERSION, "bad_ip_version") \
	X(DK_PKT_BAD_IHL, "bad_ihl") \
	X(DK_PKT_BAD_IP_LEN, "bad_ip_len") \
	X(DK_PKT_BAD_IP_CKSUM, "bad_ip_cksum") \
	X(DK_PKT_BAD_IP_FRAG, "bad_ip_frag") \
	X(DK_PKT_TRUNC_EXT, "trunc_ipv6_ext") \
	X(DK_PKT_BAD_EXT, "bad_ipv6_ext") \
	X(DK_PKT_TRUNC_L4, "trunc_l4") \
	X(DK_PKT_BAD_TCP_OFF, "bad_tcp_off") \
	X(DK_PKT_BAD_UDP_LEN, "bad_udp_len") \
	X(DK_PKT_BAD_L4_CKSUM, "bad_l4_cksum")

enum dk_pkt_verdict {
	DK_PKT_VERDICTS(DK_XENUM)
	DK_PKT_VERDICT_MAX
};

/* Flags for dk_pkt_parse_ex(). */
#define DK_PKT_F_IP_CKSUM 0x1 /* verify the IPv4 header checksum */
#define DK_PKT_F_L4_CKSUM 0x2 /* verify TCP/UDP/ICMP/ICMPv6 checksums (unfragmented only) */

/* IPv6 extension headers followed before giving up (a chain longer than this is hostile). */
#define DK_PKT_MAX_EXT_HDRS 8

/*
 * Offsets are from the start of the frame; numbers are host order. Fields that do not
 * apply to a frame are zero. For a non-first fragment, l4_off == payload_off is where
 * the fragment data starts and ports/TCP fields are zero.
 */
struct dk_pkt_info {
	uint16_t l2_len;      /* 14 or 18 */
	uint16_t l3_off;      /* == l2_len */
	uint16_t l4_off;      /* after IPv4 options / IPv6 extension headers */
	uint16_t payload_off; /* after the TCP/UDP/ICMP header */
	uint32_t payload_len;
	uint32_t l3_end;      /* end of the IP datagram; the frame may carry padding after it */

	struct dk_mac eth_dst;
	struct dk_mac eth_src;
	uint16_t ethertype; /* inner one when tagged */
	uint16_t vlan_tci;
	bool has_vlan;

	uint8_t family; /* AF_INET, AF_INET6, or 0 for ARP */
	struct dk_addr src;
	struct dk_addr dst;
	uint8_t ttl;   /* TTL or hop limit */
	uint8_t tos;   /* TOS or traffic class */
	uint8_t proto; /* upper-layer protocol after extension headers */
	bool ip_opts;  /* IPv4 options or IPv6 extension headers present */

	bool is_frag;
	bool frag_first;
	bool frag_more;
	uint16_t frag_off; /* in bytes */
	uint32_t frag_id;

	uint16_t sport;
	uint16_t dport;
	uint8_t tcp_flags;
	uint32_t tcp_seq;
	uint32_t tcp_ack;
	uint16_t tcp_window;
	uint8_t icmp_type; /* ICMP or ICMPv6 */
	uint8_t icmp_code;

	/* ARP (ethertype DK_ETHERTYPE_ARP): addresses are AF_INET. */
	uint16_t arp_op;
	struct dk_mac arp_sha;
	struct dk_mac arp_tha;
	struct dk_addr arp_spa;
	struct dk_addr arp_tpa;
};

enum dk_pkt_verdict dk_pkt_parse(const uint8_t *pkt, size_t len, struct dk_pkt_info *out);
enum dk_pkt_verdict dk_pkt_parse_ex(const uint8_t *pkt, size_t len, unsigned flags,
				    struct dk_pkt_info *out);
const char *dk_pkt_verdict_name(enum dk_pkt_verdict v);

/* Verifies an L4 checksum (TCP, UDP, ICMP, ICMPv6) of a parsed, unfragmented datagram. */
bool dk_pkt_l4_cksum_ok(const uint8_t *pkt, const struct dk_pkt_info *info);

#endif
