/*
 * Header rewrites of the load balancer on raw bytes, so that cmocka can check them
 * against full checksum recomputation without EAL. IPv4 or IPv6 with TCP or UDP;
 * checksums are patched incrementally (RFC 1624) because the payload is never read.
 */
#ifndef DK_DP_LB_RW_H
#define DK_DP_LB_RW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which end of the datagram a rewrite changes. */
enum dk_dp_lb_end {
	DK_DP_LB_SRC,
	DK_DP_LB_DST,
};

/*
 * Sets the source or destination address (network order) and port (host order) of an
 * IPv4 datagram whose header starts at l3 and whose TCP/UDP header starts at l4, fixing
 * the IP header checksum and the L4 checksum (a zero UDP checksum stays "none").
 */
void dk_dp_lb_rw4(uint8_t *l3, uint8_t *l4, uint8_t proto, enum dk_dp_lb_end end,
		  uint32_t addr_be, uint16_t port);

/*
 * The same for IPv6 (l3: the fixed header; l4 after any extension headers): only the
 * L4 checksum changes, over the pseudo-header's 16-byte address.
 */
void dk_dp_lb_rw6(uint8_t *l3, uint8_t *l4, uint8_t proto, enum dk_dp_lb_end end,
		  const uint8_t addr[16], uint16_t port);

/*
 * What an ICMP or ICMPv6 error (destination unreachable, packet too big, time exceeded,
 * parameter problem) quotes: the start of a TCP/UDP datagram. Offsets are from the
 * ICMP header.
 */
struct dk_dp_lb_quote {
	uint16_t l3;		/* the quoted IP header */
	uint16_t l4;		/* its TCP/UDP header */
	uint16_t len;		/* the ICMP message's length */
	uint8_t proto;
	uint32_t src;		/* network order (IPv4) */
	uint32_t dst;
	uint8_t src6[16];	/* IPv6 */
	uint8_t dst6[16];
	uint16_t sport;		/* host order */
	uint16_t dport;
};

/* Is this ICMPv4 type an error that quotes a datagram? */
static inline bool
dk_dp_lb_icmp4_is_error(uint8_t type)
{
	return type == 3 || type == 11 || type == 12;
}

/*
 * Parses the datagram an ICMPv4 error of len bytes quotes: -1 unless it is an IPv4
 * TCP/UDP first fragment with its ports (8 bytes of L4) present.
 */
int dk_dp_lb_icmp4_quote(const uint8_t *icmp, size_t len, struct dk_dp_lb_quote *q);

/*
 * Sets one end (address, network order; port, host order) of the quoted datagram: its
 * IP header checksum, and its L4 checksum when the quote reaches it, stay right. The
 * ICMP checksum is left to dk_dp_lb_icmp4_cksum once every change is made.
 */
void dk_dp_lb_icmp4_rw_quote(uint8_t *icmp, const struct dk_dp_lb_quote *q,
			     enum dk_dp_lb_end end, uint32_t addr_be, uint16_t port);
/* Sets an address of an IPv4 header, fixing its checksum (no L4 involved). */
void dk_dp_lb_rw4_addr(uint8_t *l3, enum dk_dp_lb_end end, uint32_t addr_be);
/* Recomputes the checksum of an ICMP message of len bytes. */
void dk_dp_lb_icmp4_cksum(uint8_t *icmp, size_t len);

/* Is this ICMPv6 type an error that quotes a datagram (RFC 4443: types 1 to 4)? */
static inline bool
dk_dp_lb_icmp6_is_error(uint8_t type)
{
	return type >= 1 && type <= 4;
}

/*
 * Parses the datagram an ICMPv6 error of len bytes quotes: -1 unless it is an IPv6
 * header followed directly by TCP/UDP with its ports present (a quote with extension
 * headers names no flow of ours: such packets are never forwarded).
 */
int dk_dp_lb_icmp6_quote(const uint8_t *icmp, size_t len, struct dk_dp_lb_quote *q);
/* Sets one end of the quoted IPv6 datagram, its L4 checksum too when quoted. */
void dk_dp_lb_icmp6_rw_quote(uint8_t *icmp, const struct dk_dp_lb_quote *q,
			     enum dk_dp_lb_end end, const uint8_t addr[16], uint16_t port);
/* Sets an address of an IPv6 header (no checksum of its own). */
void dk_dp_lb_rw6_addr(uint8_t *l3, enum dk_dp_lb_end end, const uint8_t addr[16]);
/* Recomputes the checksum of an ICMPv6 message of len bytes at icmp, whose IPv6 header
 * (the pseudo-header's addresses) is at l3. */
void dk_dp_lb_icmp6_cksum(const uint8_t *l3, uint8_t *icmp, size_t len);

/* The most of a datagram a too-big answer quotes: the answer stays within the minimum
 * MTU every link carries (576 bytes for IPv4, RFC 1812 4.3.2.3; 1280 for IPv6, RFC 4443). */
#define DK_DP_LB_ICMP4_MAX_QUOTE (576 - 28)
#define DK_DP_LB_ICMP6_MAX_QUOTE (1280 - 48)

/*
 * Answers a datagram that cannot leave whole: at l3 are 28 free bytes followed by the
 * first quoted bytes of an IPv4 datagram. Writes there an IPv4 header from that
 * datagram's destination to its source and an ICMP "fragmentation needed" (type 3
 * code 4) carrying next_mtu, checksums set; returns the answer's length (28 + quoted).
 */
uint16_t dk_dp_lb_icmp4_frag_needed(uint8_t *l3, uint16_t quoted, uint16_t next_mtu);
/* The same for IPv6: 48 free bytes, an ICMPv6 Packet Too Big (type 2) with mtu. */
uint16_t dk_dp_lb_icmp6_too_big(uint8_t *l3, uint16_t quoted, uint32_t mtu);

/*
 * A token bucket for answers a worker makes up (ICMP errors): rate per second, at most
 * burst saved up. Starts full.
 */
struct dk_dp_lb_bucket {
	uint64_t last_us;
	uint32_t tokens;
	bool started;
};
/* Takes a token if one is there at now_us; false: the answer is to be suppressed. */
bool dk_dp_lb_bucket_take(struct dk_dp_lb_bucket *b, uint64_t now_us, uint32_t rate,
			  uint32_t burst);

/*
 * Writes an outer IPv4 header (IPIP, protocol 4) at hdr for an inner datagram of
 * inner_len bytes: 20 bytes, TTL 64, DF copied from the inner header, checksum set.
 */
void dk_dp_lb_ipip4(uint8_t *hdr, const uint8_t *inner, uint16_t inner_len, uint32_t src_be,
		    uint32_t dst_be);

/*
 * Writes an outer IPv6 header (IPv6-in-IPv6, next header 41, RFC 2473) at hdr for an
 * inner IPv6 datagram of inner_len bytes: 40 bytes, hop limit 64, the inner traffic
 * class, no extension headers.
 */
void dk_dp_lb_ip6ip6(uint8_t *hdr, const uint8_t *inner, uint16_t inner_len,
		     const uint8_t src[16], const uint8_t dst[16]);

/*
 * Lowers the MSS option of a TCP segment whose header (hlen bytes with options) starts
 * at l4 to max_mss when it is larger, patching the checksum. Returns whether it did.
 * Used on SYNs that leave encapsulated, so the far end sends segments that still fit.
 */
bool dk_dp_lb_mss_clamp(uint8_t *l4, size_t hlen, uint16_t max_mss);

/*
 * Turns the TCP segment of an IPv4 datagram (header at l3, without options; TCP header
 * at l4 == l3 + 20) carrying payload_len bytes into a bare RST, options and payload
 * dropped, checksums recomputed; returns the datagram's new length (40).
 * reflect: addressed back to its sender, as its peer would answer it (RFC 793: seq from
 * its ACK, else RST|ACK acking what it carried); otherwise onward to its receiver with
 * its own seq, which in-order traffic makes exactly the receiver's next expected byte.
 */
uint16_t dk_dp_lb_tcp_rst4(uint8_t *l3, uint8_t *l4, uint32_t payload_len, bool reflect);

#endif
