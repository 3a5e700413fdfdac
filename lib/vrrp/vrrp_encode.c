/* VRRP advertisement building: the VRRP message, and around it IPv4 (+AH) or IPv6. */
#include <errno.h>
#include <string.h>

#include "dk_cksum.h"
#include "vrrp_priv.h"

/* RFC 2474 class selector 6 (internetwork control), what routers put on VRRP. */
#define VRRP_TOS 0xc0

static int
check_params(const struct dk_vrrp_tx_params *p, size_t *alen)
{
	int af = p->src.af;

	if ((af != AF_INET && af != AF_INET6) || p->dst.af != af || p->n_vips > DK_VRRP_MAX_ADDRS)
		return -EINVAL;
	if (p->n_vips > 0 && p->vips == NULL)
		return -EINVAL;
	for (size_t i = 0; i < p->n_vips; i++)
		if (p->vips[i].af != af)
			return -EINVAL;
	*alen = af == AF_INET ? 4 : 16;
	if (p->version == 2) {
		if (af != AF_INET || p->auth_type > DK_VRRP_AUTH_AH)
			return -EINVAL;
		if (p->adver_int_cs == 0 || p->adver_int_cs % 100 != 0 ||
		    p->adver_int_cs / 100 > 255)
			return -EINVAL;
		return 0;
	}
	if (p->version != 3 || p->auth_type != DK_VRRP_AUTH_NONE || p->adver_int_cs == 0 ||
	    p->adver_int_cs > 0x0fff)
		return -EINVAL;
	return 0;
}

static void
write_vrrp(const struct dk_vrrp_tx_params *p, uint8_t *vr, size_t vlen, size_t alen)
{
	uint16_t ck;

	memset(vr, 0, vlen);
	vr[0] = (uint8_t)(p->version << 4 | DK_VRRP_TYPE_ADVERT);
	vr[1] = p->vrid;
	vr[2] = p->priority;
	vr[3] = (uint8_t)p->n_vips;
	if (p->version == 2) {
		vr[4] = p->auth_type;
		vr[5] = (uint8_t)(p->adver_int_cs / 100);
		/* With AH the VRRP authentication data stays zero; the ICV protects the packet. */
		if (p->auth_type == DK_VRRP_AUTH_PASS)
			memcpy(vr + vlen - DK_VRRP_AUTH_LEN, p->auth_pass, DK_VRRP_AUTH_LEN);
	} else {
		vrrp_wr16(vr + 4, p->adver_int_cs);
	}
	for (size_t i = 0; i < p->n_vips; i++)
		memcpy(vr + DK_VRRP_HDR_LEN + i * alen, p->vips[i].b, alen);
	ck = dk_vrrp_checksum(p->version, &p->src, &p->dst, vr, vlen, p->v3_checksum_as_v2);
	memcpy(vr + 6, &ck, 2);
}

static void
write_ipv4(const struct dk_vrrp_tx_params *p, uint8_t *ip, size_t total, bool ah)
{
	uint16_t ck;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[1] = VRRP_TOS;
	vrrp_wr16(ip + 2, (uint16_t)total);
	vrrp_wr16(ip + 4, p->ip_id);
	ip[8] = DK_VRRP_TTL;
	ip[9] = ah ? DK_VRRP_PROTO_AH : DK_VRRP_PROTO;
	memcpy(ip + 12, &p->src.v4, 4);
	memcpy(ip + 16, &p->dst.v4, 4);
	ck = dk_cksum(ip, 20);
	memcpy(ip + 10, &ck, 2);
}

static void
write_ipv6(const struct dk_vrrp_tx_params *p, uint8_t *ip, size_t vlen)
{
	memset(ip, 0, 40);
	ip[0] = 0x60;
	vrrp_wr16(ip + 4, (uint16_t)vlen);
	ip[6] = DK_VRRP_PROTO;
	ip[7] = DK_VRRP_TTL;
	memcpy(ip + 8, p->src.v6, 16);
	memcpy(ip + 24, p->dst.v6, 16);
}

int
dk_vrrp_encode(const struct dk_vrrp_tx_params *p, uint8_t *buf, size_t cap, size_t *len_out)
{
	bool ah = p->version == 2 && p->auth_type == DK_VRRP_AUTH_AH && !p->payload_only;
	size_t alen, vlen, hlen, total;
	int rc;

	rc = check_params(p, &alen);
	if (rc != 0)
		goto out;
	vlen = DK_VRRP_HDR_LEN + p->n_vips * alen + (p->version == 2 ? DK_VRRP_AUTH_LEN : 0);
	hlen = p->payload_only ? 0 : p->src.af == AF_INET ? 20 : 40;
	if (ah)
		hlen += DK_VRRP_AH_LEN;
	total = hlen + vlen;
	if (total > cap) {
		rc = -ENOSPC;
		goto out;
	}
	write_vrrp(p, buf + hlen, vlen, alen);
	if (!p->payload_only && p->src.af == AF_INET6)
		write_ipv6(p, buf, vlen);
	else if (!p->payload_only)
		write_ipv4(p, buf, total, ah);
	if (ah) {
		uint8_t *h = buf + 20;

		memset(h, 0, DK_VRRP_AH_LEN);
		h[0] = DK_VRRP_PROTO;
		h[1] = DK_VRRP_AH_LEN / 4 - 2;
		/* keepalived uses the sender's address as SPI and rejects any other. */
		memcpy(h + 4, &p->src.v4, 4);
		vrrp_wr32(h + 8, p->ah_seq);
		rc = dk_vrrp_ah_icv(buf, total, 20, p->unicast, p->auth_pass, h + 12);
		if (rc != 0)
			goto out;
	}
	*len_out = total;
out:
	return rc;
}
