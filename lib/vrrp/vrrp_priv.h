/* Shared between the codec files of lib/vrrp; not installed, not for the daemon. */
#ifndef DK_VRRP_PRIV_H
#define DK_VRRP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_vrrp_pkt.h"

/*
 * HMAC-MD5-96 (RFC 2403) over an IPv4 packet carrying AH (RFC 2402), keyed with the
 * 8-byte zero-padded auth_pass: TOS, flags/fragment offset, header checksum and the ICV
 * are taken as zero, and the TTL too for unicast peers only (what keepalived does).
 * ip_pkt holds the whole datagram, ihl is the IPv4 header length, AH follows it.
 */
int dk_vrrp_ah_icv(const uint8_t *ip_pkt, size_t len, size_t ihl, bool unicast,
		   const uint8_t key[DK_VRRP_AUTH_LEN], uint8_t icv[DK_VRRP_AH_ICV_LEN]);

static inline uint16_t
vrrp_rd16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
vrrp_rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void
vrrp_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
vrrp_wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

#endif
