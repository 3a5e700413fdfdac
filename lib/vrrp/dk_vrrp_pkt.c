/* VRRP advertisement decoding and validation, from the IP header on. */
#include <errno.h>
#include <string.h>

#include "dk_cksum.h"
#include "vrrp_priv.h"

const uint8_t dk_vrrp_mcast6[16] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12 };

static const char *const verdict_names[] = { DK_VRRP_RX_VERDICTS(DK_XSTR) };

const char *
dk_vrrp_rx_verdict_name(enum dk_vrrp_rx_verdict v)
{
	if ((unsigned)v >= DK_VRRP_RX_VERDICT_MAX)
		return "unknown";
	return verdict_names[v];
}

uint16_t
dk_vrrp_checksum(uint8_t version, const struct dk_addr *src, const struct dk_addr *dst,
		 const uint8_t *vrrp, size_t len, bool as_v2)
{
	uint32_t sum = 0;

	if (version == 3 && src->af == AF_INET6)
		sum = dk_cksum_pseudo6(src->v6, dst->v6, DK_VRRP_PROTO, (uint32_t)len);
	else if (version == 3 && !as_v2)
		sum = dk_cksum_pseudo4(&src->v4, &dst->v4, DK_VRRP_PROTO, (uint32_t)len);
	return dk_cksum_finish(dk_cksum_add(sum, vrrp, len));
}

/* Where the VRRP message is, and what the IP layer said about it. */
struct ip_view {
	size_t ihl;	  /* IPv4 header length; 40 for IPv6 */
	size_t ip_len;	  /* datagram length from the IP header */
	size_t vrrp_off;
	bool has_ah;
};

static enum dk_vrrp_rx_verdict
parse_ipv4(const uint8_t *p, size_t len, struct ip_view *iv, struct dk_vrrp_advert *out)
{
	if (len < 20)
		return DK_VRRP_RX_TRUNCATED;
	iv->ihl = (size_t)(p[0] & 0x0f) * 4;
	iv->ip_len = vrrp_rd16(p + 2);
	if (iv->ihl < 20 || iv->ip_len < iv->ihl)
		return DK_VRRP_RX_BAD_IP;
	if (len < iv->ip_len)
		return DK_VRRP_RX_TRUNCATED;
	/* Adverts are small; a fragment is either an attack or a broken sender. */
	if (dk_cksum(p, iv->ihl) != 0 || (vrrp_rd16(p + 6) & 0x3fff) != 0)
		return DK_VRRP_RX_BAD_IP;
	out->ttl = p[8];
	memcpy(&out->src.v4, p + 12, 4);
	memcpy(&out->dst.v4, p + 16, 4);
	out->src.af = out->dst.af = AF_INET;
	iv->vrrp_off = iv->ihl;
	if (p[9] == DK_VRRP_PROTO_AH) {
		const uint8_t *ah = p + iv->ihl;

		if (iv->ip_len < iv->ihl + DK_VRRP_AH_LEN)
			return DK_VRRP_RX_TRUNCATED;
		if (ah[0] != DK_VRRP_PROTO)
			return DK_VRRP_RX_BAD_PROTO;
		if (ah[1] != DK_VRRP_AH_LEN / 4 - 2)
			return DK_VRRP_RX_BAD_AH;
		out->ah_seq = vrrp_rd32(ah + 8);
		iv->has_ah = true;
		iv->vrrp_off += DK_VRRP_AH_LEN;
	} else if (p[9] != DK_VRRP_PROTO) {
		return DK_VRRP_RX_BAD_PROTO;
	}
	return DK_VRRP_RX_OK;
}

static enum dk_vrrp_rx_verdict
parse_ipv6(const uint8_t *p, size_t len, struct ip_view *iv, struct dk_vrrp_advert *out)
{
	if (len < 40)
		return DK_VRRP_RX_TRUNCATED;
	iv->ihl = 40;
	iv->ip_len = 40 + (size_t)vrrp_rd16(p + 4);
	if (len < iv->ip_len)
		return DK_VRRP_RX_TRUNCATED;
	/* Extension headers are not expected on adverts (RFC 5798 section 5.1.2). */
	if (p[6] != DK_VRRP_PROTO)
		return DK_VRRP_RX_BAD_PROTO;
	out->ttl = p[7];
	dk_addr_set_v6(&out->src, p + 8);
	dk_addr_set_v6(&out->dst, p + 24);
	iv->vrrp_off = 40;
	return DK_VRRP_RX_OK;
}

static bool
ttl_ok(const struct dk_vrrp_rx_ctx *ctx, uint8_t ttl)
{
	if (!ctx->unicast || ctx->strict)
		return ttl == DK_VRRP_TTL;
	return ttl >= ctx->ttl_min && ttl <= (ctx->ttl_max ? ctx->ttl_max : DK_VRRP_TTL);
}

/* Constant time so a remote peer cannot learn the password a byte at a time. */
static bool
pass_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < DK_VRRP_AUTH_LEN; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff == 0;
}

static enum dk_vrrp_rx_verdict
check_auth(const struct dk_vrrp_rx_ctx *ctx, const uint8_t *ip_pkt, const struct ip_view *iv,
	   const uint8_t *auth, struct dk_vrrp_advert *out)
{
	uint8_t icv[DK_VRRP_AH_ICV_LEN];
	uint8_t diff = 0;

	if (out->auth_type > DK_VRRP_AUTH_AH)
		return DK_VRRP_RX_INVALID_AUTH_TYPE;
	if (out->auth_type != ctx->auth_type || iv->has_ah != (out->auth_type == DK_VRRP_AUTH_AH))
		return DK_VRRP_RX_BAD_AUTH_TYPE;
	if (out->auth_type == DK_VRRP_AUTH_PASS && !pass_equal(auth, ctx->auth_pass))
		return DK_VRRP_RX_BAD_AUTH;
	if (out->auth_type != DK_VRRP_AUTH_AH)
		return DK_VRRP_RX_OK;
	if (dk_vrrp_ah_icv(ip_pkt, iv->ip_len, iv->ihl, ctx->unicast, ctx->auth_pass, icv) != 0)
		return DK_VRRP_RX_BAD_AH;
	for (size_t i = 0; i < DK_VRRP_AH_ICV_LEN; i++)
		diff |= (uint8_t)(icv[i] ^ ip_pkt[iv->ihl + 12 + i]);
	if (diff != 0)
		return DK_VRRP_RX_BAD_AH;
	/* The SPI is the sender's address (keepalived's convention, which it enforces). */
	if (memcmp(ip_pkt + iv->ihl + 4, ip_pkt + 12, 4) != 0)
		return DK_VRRP_RX_BAD_AH;
	return DK_VRRP_RX_OK;
}

static bool
addr_in_packet(const struct dk_addr *a, const uint8_t *addrs, size_t n, size_t alen)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(a->b, addrs + i * alen, alen) == 0)
			return true;
	return false;
}

static enum dk_vrrp_rx_verdict
check_addrs(const struct dk_vrrp_rx_ctx *ctx, size_t alen, struct dk_vrrp_advert *out)
{
	enum dk_vrrp_rx_verdict v = DK_VRRP_RX_OK;

	if (ctx->vips == NULL)
		return DK_VRRP_RX_OK;
	if (out->naddr != ctx->n_vips) {
		v = DK_VRRP_RX_ADDR_COUNT;
	} else {
		for (size_t i = 0; i < ctx->n_vips; i++) {
			if (!addr_in_packet(&ctx->vips[i], out->addrs, out->naddr, alen)) {
				v = DK_VRRP_RX_ADDR_LIST;
				break;
			}
		}
	}
	if (v == DK_VRRP_RX_OK)
		return v;
	/* keepalived only drops these in strict mode; otherwise it reports and carries on. */
	out->addr_mismatch = true;
	return ctx->strict ? v : DK_VRRP_RX_OK;
}

enum dk_vrrp_rx_verdict
dk_vrrp_decode(const struct dk_vrrp_rx_ctx *ctx, const uint8_t *ip_pkt, size_t len,
	       struct dk_vrrp_advert *out)
{
	struct ip_view iv = { 0 };
	enum dk_vrrp_rx_verdict v;
	const uint8_t *vr;
	size_t vlen, alen, need;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return DK_VRRP_RX_TRUNCATED;
	if (ip_pkt[0] >> 4 == 4)
		v = parse_ipv4(ip_pkt, len, &iv, out);
	else if (ip_pkt[0] >> 4 == 6)
		v = parse_ipv6(ip_pkt, len, &iv, out);
	else
		v = DK_VRRP_RX_BAD_IP;
	if (v != DK_VRRP_RX_OK)
		return v;
	if (!ttl_ok(ctx, out->ttl))
		return DK_VRRP_RX_BAD_TTL;
	vr = ip_pkt + iv.vrrp_off;
	vlen = iv.ip_len - iv.vrrp_off;
	if (vlen < DK_VRRP_HDR_LEN)
		return DK_VRRP_RX_TRUNCATED;
	out->version = vr[0] >> 4;
	out->vrid = vr[1];
	out->priority = vr[2];
	out->naddr = vr[3];
	if (out->version != ctx->version || (out->version == 2 && out->src.af != AF_INET))
		return DK_VRRP_RX_BAD_VERSION;
	if ((vr[0] & 0x0f) != DK_VRRP_TYPE_ADVERT)
		return DK_VRRP_RX_BAD_TYPE;
	if (out->vrid != ctx->vrid)
		return DK_VRRP_RX_NOT_MINE;
	alen = out->src.af == AF_INET ? 4 : 16;
	need = DK_VRRP_HDR_LEN + out->naddr * alen + (out->version == 2 ? DK_VRRP_AUTH_LEN : 0);
	/* Trailing bytes are tolerated (some stacks pad) unless the instance is strict. */
	if (vlen < need || (ctx->strict && vlen != need))
		return DK_VRRP_RX_BAD_LENGTH;
	if (dk_vrrp_checksum(out->version, &out->src, &out->dst, vr, vlen,
			     ctx->v3_checksum_as_v2) != 0)
		return DK_VRRP_RX_BAD_CHECKSUM;
	out->addrs = vr + DK_VRRP_HDR_LEN;
	if (out->version == 2) {
		out->auth_type = vr[4];
		out->adver_int_cs = (uint16_t)(vr[5] * 100);
		v = check_auth(ctx, ip_pkt, &iv, vr + need - DK_VRRP_AUTH_LEN, out);
		if (v != DK_VRRP_RX_OK)
			return v;
		if (vr[5] != ctx->v2_adver_int_s)
			return DK_VRRP_RX_BAD_INTERVAL;
	} else {
		if (iv.has_ah)
			return DK_VRRP_RX_BAD_AUTH_TYPE;
		out->adver_int_cs = vrrp_rd16(vr + 4) & 0x0fff;
		if (out->adver_int_cs == 0)
			return DK_VRRP_RX_BAD_INTERVAL;
	}
	if (ctx->strict && out->naddr == 0)
		return DK_VRRP_RX_ADDR_COUNT;
	v = check_addrs(ctx, alen, out);
	if (v != DK_VRRP_RX_OK)
		return v;
	if (ctx->own_addr != NULL && dk_addr_eq(ctx->own_addr, &out->src))
		return DK_VRRP_RX_OWN;
	return DK_VRRP_RX_OK;
}
