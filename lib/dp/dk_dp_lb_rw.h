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
