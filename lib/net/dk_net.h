/*
 * Wire formats dpkeep parses and builds. Every struct is packed and every multi-byte
 * field is in network byte order, so a struct can be laid over a frame at any offset
 * (frames inside mbufs are not guaranteed to be aligned). No DPDK types on purpose:
 * the pure libraries and their tests build without EAL.
 */
#ifndef DK_NET_H
#define DK_NET_H

#include <stdint.h>

#include "dk_addr.h"

#define DK_PACKED __attribute__((packed))

/* Ethertypes (host order; compare against ntohs of the wire field). */
#define DK_ETHERTYPE_IPV4 0x0800
#define DK_ETHERTYPE_ARP 0x0806
#define DK_ETHERTYPE_VLAN 0x8100
#define DK_ETHERTYPE_QINQ 0x88a8
#define DK_ETHERTYPE_IPV6 0x86dd

#define DK_ETH_ALEN 6
#define DK_ETH_HLEN 14
#define DK_VLAN_HLEN 4
#define DK_ETH_MIN_FRAME 60 /* without FCS: shorter frames are padded by the builders */

/* IP protocol / IPv6 next-header numbers. */
#define DK_IPPROTO_HOPOPTS 0
#define DK_IPPROTO_ICMP 1
#define DK_IPPROTO_TCP 6
#define DK_IPPROTO_UDP 17
#define DK_IPPROTO_ROUTING 43
#define DK_IPPROTO_FRAGMENT 44
#define DK_IPPROTO_AH 51
#define DK_IPPROTO_ICMPV6 58
#define DK_IPPROTO_NONE 59
#define DK_IPPROTO_DSTOPTS 60
#define DK_IPPROTO_VRRP 112

/* ICMP (v4) types. */
#define DK_ICMP_ECHO_REPLY 0
#define DK_ICMP_DEST_UNREACH 3
#define DK_ICMP_REDIRECT 5
#define DK_ICMP_ECHO_REQUEST 8
#define DK_ICMP_TIME_EXCEEDED 11
#define DK_ICMP_PARAM_PROBLEM 12

/* ICMPv6 types. */
#define DK_ICMP6_DEST_UNREACH 1
#define DK_ICMP6_PKT_TOO_BIG 2
#define DK_ICMP6_TIME_EXCEEDED 3
#define DK_ICMP6_PARAM_PROBLEM 4
#define DK_ICMP6_ECHO_REQUEST 128
#define DK_ICMP6_ECHO_REPLY 129
#define DK_ICMP6_ROUTER_SOLICIT 133
#define DK_ICMP6_ROUTER_ADVERT 134
#define DK_ICMP6_NEIGH_SOLICIT 135
#define DK_ICMP6_NEIGH_ADVERT 136
#define DK_ICMP6_REDIRECT 137

/* Neighbor Discovery option types and NA flags (first byte of the reserved word). */
#define DK_ND_OPT_SLLA 1
#define DK_ND_OPT_TLLA 2
#define DK_ND_NA_FLAG_ROUTER 0x80
#define DK_ND_NA_FLAG_SOLICITED 0x40
#define DK_ND_NA_FLAG_OVERRIDE 0x20
#define DK_ND_HOP_LIMIT 255 /* RFC 4861: anything else was forwarded and is rejected */

/* ARP (RFC 826) values for Ethernet/IPv4. */
#define DK_ARP_HRD_ETHER 1
#define DK_ARP_OP_REQUEST 1
#define DK_ARP_OP_REPLY 2

/* IPv4 fragment field (host order after ntohs). */
#define DK_IPV4_FLAG_DF 0x4000
#define DK_IPV4_FLAG_MF 0x2000
#define DK_IPV4_FRAG_MASK 0x1fff /* in units of 8 bytes */

/* TCP flags (the byte after data offset). */
#define DK_TCP_FIN 0x01
#define DK_TCP_SYN 0x02
#define DK_TCP_RST 0x04
#define DK_TCP_PSH 0x08
#define DK_TCP_ACK 0x10
#define DK_TCP_URG 0x20
#define DK_TCP_ECE 0x40
#define DK_TCP_CWR 0x80
#define DK_TCP_OPT_EOL 0
#define DK_TCP_OPT_NOP 1
#define DK_TCP_OPT_MSS 2

struct dk_eth_hdr {
	struct dk_mac dst;
	struct dk_mac src;
	uint16_t type;
} DK_PACKED;

/* Sits between the MAC addresses and the real ethertype when a frame is tagged. */
struct dk_vlan_hdr {
	uint16_t tci; /* PCP(3) DEI(1) VID(12) */
	uint16_t type;
} DK_PACKED;

struct dk_arp_hdr {
	uint16_t hrd;
	uint16_t pro;
	uint8_t hln;
	uint8_t pln;
	uint16_t op;
	struct dk_mac sha;
	uint32_t spa;
	struct dk_mac tha;
	uint32_t tpa;
} DK_PACKED;

struct dk_ipv4_hdr {
	uint8_t ver_ihl; /* version << 4 | header length in 32-bit words */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	uint16_t frag_off; /* DF, MF, offset in 8-byte units */
	uint8_t ttl;
	uint8_t proto;
	uint16_t cksum;
	uint32_t src;
	uint32_t dst;
} DK_PACKED;

struct dk_ipv6_hdr {
	uint32_t vtc_flow; /* version(4) traffic class(8) flow label(20) */
	uint16_t payload_len;
	uint8_t nxt;
	uint8_t hop_limit;
	uint8_t src[16];
	uint8_t dst[16];
} DK_PACKED;

/* Hop-by-hop, destination options and routing headers share this prefix. */
struct dk_ipv6_ext_hdr {
	uint8_t nxt;
	uint8_t len; /* in 8-byte units, not counting the first 8 bytes */
} DK_PACKED;

struct dk_ipv6_frag_hdr {
	uint8_t nxt;
	uint8_t reserved;
	uint16_t frag_off; /* offset << 3 | M */
	uint32_t id;
} DK_PACKED;

struct dk_icmp_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	uint16_t id;  /* echo only */
	uint16_t seq; /* echo only */
} DK_PACKED;

struct dk_icmp6_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t cksum;
	union {
		uint32_t data;
		struct {
			uint16_t id;
			uint16_t seq;
		} echo;
		uint8_t na_flags; /* first byte of the reserved word of an NA */
	};
} DK_PACKED;

/* Neighbor Solicitation and Advertisement have the same layout (RFC 4861 4.3, 4.4). */
struct dk_nd_msg {
	struct dk_icmp6_hdr icmp;
	uint8_t target[16];
} DK_PACKED;

struct dk_nd_opt_hdr {
	uint8_t type;
	uint8_t len; /* in 8-byte units; 0 is invalid */
} DK_PACKED;

struct dk_nd_opt_lla {
	uint8_t type;
	uint8_t len; /* 1 on Ethernet */
	struct dk_mac mac;
} DK_PACKED;

struct dk_tcp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t data_off; /* header length in 32-bit words << 4 */
	uint8_t flags;
	uint16_t window;
	uint16_t cksum;
	uint16_t urg;
} DK_PACKED;

struct dk_udp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t cksum;
} DK_PACKED;

_Static_assert(sizeof(struct dk_eth_hdr) == 14, "ethernet header");
_Static_assert(sizeof(struct dk_arp_hdr) == 28, "arp header");
_Static_assert(sizeof(struct dk_ipv4_hdr) == 20, "ipv4 header");
_Static_assert(sizeof(struct dk_ipv6_hdr) == 40, "ipv6 header");
_Static_assert(sizeof(struct dk_icmp6_hdr) == 8, "icmpv6 header");
_Static_assert(sizeof(struct dk_nd_msg) == 24, "nd message");
_Static_assert(sizeof(struct dk_nd_opt_lla) == 8, "nd lla option");
_Static_assert(sizeof(struct dk_tcp_hdr) == 20, "tcp header");
_Static_assert(sizeof(struct dk_udp_hdr) == 8, "udp header");

#endif
