/* Address/port rewrites with incremental checksums, and the IPIP outer header. */
#include <arpa/inet.h>
#include <string.h>

#include "dk_cksum.h"
#include "dk_dp_lb_rw.h"

#define IP4_CKSUM_OFF 10
#define IP4_SRC_OFF 12
#define IP4_DST_OFF 16
#define TCP_CKSUM_OFF 16
#define UDP_CKSUM_OFF 6
#define PROTO_TCP 6
#define PROTO_IPIP 4

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
