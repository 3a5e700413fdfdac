/*
 * IPsec AH ICV for VRRPv2 "auth_type AH" (RFC 2338 section 5.3.6.3), computed the way stock
 * keepalived 2.2.7 does, checked against its adverts (tests/unit/vrrp/test_vrrp_ah.c):
 * RFC 4302 section 3.3.3.1.1.1 would zero the TTL too, but keepalived keeps it in the
 * ICV for multicast (where it must be 255 anyway) and zeroes it only for unicast peers.
 * The identification field is covered as sent.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "vrrp_priv.h"

/* Largest v2 advert with AH: 60 B IPv4 header, AH, 8 + 255 * 4 + 8 B of VRRP. */
#define AH_SCRATCH 1200

int
dk_vrrp_ah_icv(const uint8_t *ip_pkt, size_t len, size_t ihl,
	       bool unicast, const uint8_t key[DK_VRRP_AUTH_LEN], uint8_t icv[DK_VRRP_AH_ICV_LEN])
{
	uint8_t buf[AH_SCRATCH];
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (ihl < 20 || len < ihl + DK_VRRP_AH_LEN || len > sizeof(buf))
		return -EINVAL;
	memcpy(buf, ip_pkt, len);
	buf[1] = 0;			/* TOS */
	buf[6] = buf[7] = 0;		/* flags, fragment offset */
	if (unicast)
		buf[8] = 0;		/* TTL */
	buf[10] = buf[11] = 0;		/* header checksum */
	memset(buf + ihl + 12, 0, DK_VRRP_AH_ICV_LEN);
	if (HMAC(EVP_md5(), key, DK_VRRP_AUTH_LEN, buf, len, md, &md_len) == NULL ||
	    md_len < DK_VRRP_AH_ICV_LEN)
		return -EIO;
	memcpy(icv, md, DK_VRRP_AH_ICV_LEN);
	return 0;
}
