/* Template frames and per-flow patching for dpkeep-gen. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "dk_cksum.h"
#include "dk_common.h"
#include "dk_gen.h"
#include "dk_net.h"

static void
st16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
st32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
ld32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Checksums are stored in network order; the incremental helpers take and return that. */
static uint16_t
ld_raw16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static void
st_raw16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static uint64_t
range_size(const struct dk_gen_range *r)
{
	return (uint64_t)r->hi - r->lo + 1;
}

static int
check_spec(const struct dk_gen_spec *s)
{
	const struct dk_gen_range *r[] = { &s->src_ip, &s->dst_ip, &s->sport, &s->dport };

	if (s->proto != DK_IPPROTO_UDP && s->proto != DK_IPPROTO_TCP)
		return -EINVAL;
	if (s->size < DK_GEN_MIN_SIZE || s->size > DK_GEN_MAX_SIZE || s->flows == 0)
		return -EINVAL;
	for (unsigned i = 0; i < DK_ARRAY_SIZE(r); i++)
		if (r[i]->lo > r[i]->hi)
			return -EINVAL;
	if (s->sport.hi > 65535 || s->dport.hi > 65535)
		return -EINVAL;
	if (s->l2.has_vlan && (s->l2.vlan_tci & 0x0fff) == 0)
		return -EINVAL;
	return 0;
}

int
dk_gen_tmpl_init(struct dk_gen_tmpl *t, const struct dk_gen_spec *spec)
{
	static const uint8_t zeros[DK_GEN_MAX_SIZE];
	struct dk_ip_params ip = { .ttl = 64, .df = true };
	size_t hdrs, frame_len = spec->size - DK_GEN_FCS;
	int rc, n;

	rc = check_spec(spec);
	if (rc < 0)
		return rc;
	memset(t, 0, sizeof(*t));
	t->spec = *spec;
	t->n_sip = range_size(&spec->src_ip);
	t->n_sport = range_size(&spec->sport);
	t->n_dip = range_size(&spec->dst_ip);
	t->n_dport = range_size(&spec->dport);
	/* 2^32 * 2^16 fits 64 bits; the full product can overflow only past 2^32 flows,
	 * which flows (32 bits) never asks for, so stop multiplying once it is exceeded. */
	{
		uint64_t room = t->n_sip * t->n_sport;

		if (room < spec->flows)
			room *= t->n_dip;
		if (room < spec->flows)
			room *= t->n_dport;
		if (room < spec->flows)
			return -ERANGE;
	}
	t->l3_off = spec->l2.has_vlan ? 18 : 14;
	t->l4_off = (uint16_t)(t->l3_off + sizeof(struct dk_ipv4_hdr));
	hdrs = t->l4_off + (spec->proto == DK_IPPROTO_UDP ? sizeof(struct dk_udp_hdr) :
			    sizeof(struct dk_tcp_hdr));
	t->payload_len = (uint16_t)(frame_len - hdrs);
	dk_addr_set_v4(&ip.src, htonl(spec->src_ip.lo));
	dk_addr_set_v4(&ip.dst, htonl(spec->dst_ip.lo));
	if (spec->proto == DK_IPPROTO_UDP) {
		n = dk_build_udp(t->frame, sizeof(t->frame), &spec->l2, &ip,
				 (uint16_t)spec->sport.lo, (uint16_t)spec->dport.lo, zeros,
				 t->payload_len);
		t->l4_cksum_off = (uint16_t)(t->l4_off + offsetof(struct dk_udp_hdr, cksum));
	} else {
		struct dk_tcp_params tcp = {
			.sport = (uint16_t)spec->sport.lo,
			.dport = (uint16_t)spec->dport.lo,
			.window = 65535,
		};

		if (spec->tcp == DK_GEN_TCP_SYN) {
			/* A SYN carries no data: the frame is padded instead (zero-filled). */
			tcp.flags = DK_TCP_SYN;
			tcp.seq = 1;
			t->payload_len = 0;
		} else {
			tcp.flags = DK_TCP_ACK | DK_TCP_PSH;
			tcp.seq = 1;
			tcp.ack = 1;
			tcp.payload = zeros;
			tcp.payload_len = t->payload_len;
		}
		n = dk_build_tcp(t->frame, sizeof(t->frame), &spec->l2, &ip, &tcp);
		t->l4_cksum_off = (uint16_t)(t->l4_off + offsetof(struct dk_tcp_hdr, cksum));
	}
	if (n < 0)
		return n;
	if ((size_t)n < frame_len) {
		/* Builders pad to 60 bytes only; a SYN of a larger size gets zero padding. */
		memset(t->frame + n, 0, frame_len - (size_t)n);
	}
	t->len = (uint16_t)frame_len;
	return 0;
}

void
dk_gen_flow_tuple(const struct dk_gen_tmpl *t, uint32_t flow, struct dk_gen_tuple *out)
{
	uint64_t f = flow;

	out->sip = (uint32_t)(t->spec.src_ip.lo + f % t->n_sip);
	f /= t->n_sip;
	out->sport = (uint16_t)(t->spec.sport.lo + f % t->n_sport);
	f /= t->n_sport;
	out->dip = (uint32_t)(t->spec.dst_ip.lo + f % t->n_dip);
	f /= t->n_dip;
	out->dport = (uint16_t)(t->spec.dport.lo + f % t->n_dport);
}

void
dk_gen_apply_flow(const struct dk_gen_tmpl *t, uint8_t *frame, uint32_t flow)
{
	struct dk_gen_tuple tu;
	uint8_t *ip = frame + t->l3_off, *l4 = frame + t->l4_off;
	uint16_t ipck = ld_raw16(ip + offsetof(struct dk_ipv4_hdr, cksum));
	uint16_t l4ck = ld_raw16(frame + t->l4_cksum_off);
	uint32_t o_sip = ld_raw16(ip + 12) | (uint32_t)ld_raw16(ip + 14) << 16;
	uint32_t o_dip = ld_raw16(ip + 16) | (uint32_t)ld_raw16(ip + 18) << 16;
	uint16_t o_sp = ld_raw16(l4), o_dp = ld_raw16(l4 + 2);
	uint32_t n_sip, n_dip;

	dk_gen_flow_tuple(t, flow, &tu);
	st32(ip + 12, tu.sip);
	st32(ip + 16, tu.dip);
	st16(l4, tu.sport);
	st16(l4 + 2, tu.dport);
	n_sip = ld_raw16(ip + 12) | (uint32_t)ld_raw16(ip + 14) << 16;
	n_dip = ld_raw16(ip + 16) | (uint32_t)ld_raw16(ip + 18) << 16;
	ipck = dk_cksum_update32(ipck, o_sip, n_sip);
	ipck = dk_cksum_update32(ipck, o_dip, n_dip);
	st_raw16(ip + offsetof(struct dk_ipv4_hdr, cksum), ipck);
	/* The addresses are in the L4 pseudo-header too. */
	l4ck = dk_cksum_update32(l4ck, o_sip, n_sip);
	l4ck = dk_cksum_update32(l4ck, o_dip, n_dip);
	l4ck = dk_cksum_update16(l4ck, o_sp, ld_raw16(l4));
	l4ck = dk_cksum_update16(l4ck, o_dp, ld_raw16(l4 + 2));
	/* In UDP a computed zero is sent as all ones (zero means "no checksum"). */
	if (t->spec.proto == DK_IPPROTO_UDP && l4ck == 0)
		l4ck = 0xffff;
	st_raw16(frame + t->l4_cksum_off, l4ck);
}

int
dk_gen_stamp(const struct dk_gen_tmpl *t, uint8_t *frame, uint64_t tsc)
{
	uint8_t *p = frame + t->len - DK_GEN_STAMP_LEN;
	uint8_t old[DK_GEN_STAMP_LEN];
	uint16_t ck;

	if (t->payload_len < DK_GEN_STAMP_LEN)
		return -ENOSPC;
	memcpy(old, p, sizeof(old));
	st32(p, DK_GEN_STAMP_MAGIC);
	st32(p + 4, (uint32_t)(tsc >> 32));
	st32(p + 8, (uint32_t)tsc);
	/* The sum runs over 16-bit words counted from the L4 header; when the stamp starts
	 * at an odd offset, widen the span by the (unchanged) byte before it and a zero
	 * pad after it, which is how the checksum itself treats an odd-length tail. */
	if ((p - (frame + t->l4_off)) % 2 == 0) {
		ck = dk_cksum_update_bytes(ld_raw16(frame + t->l4_cksum_off), old, p,
					   DK_GEN_STAMP_LEN);
	} else {
		uint8_t o2[DK_GEN_STAMP_LEN + 2] = { 0 }, n2[DK_GEN_STAMP_LEN + 2] = { 0 };

		o2[0] = n2[0] = p[-1];
		memcpy(o2 + 1, old, DK_GEN_STAMP_LEN);
		memcpy(n2 + 1, p, DK_GEN_STAMP_LEN);
		ck = dk_cksum_update_bytes(ld_raw16(frame + t->l4_cksum_off), o2, n2, sizeof(o2));
	}
	if (t->spec.proto == DK_IPPROTO_UDP && ck == 0)
		ck = 0xffff;
	st_raw16(frame + t->l4_cksum_off, ck);
	return 0;
}

bool
dk_gen_stamp_read(const uint8_t *frame, size_t len, uint64_t *tsc)
{
	const uint8_t *p;

	if (len < DK_GEN_MIN_SIZE - DK_GEN_FCS)
		return false;
	p = frame + len - DK_GEN_STAMP_LEN;
	if (ld32(p) != DK_GEN_STAMP_MAGIC)
		return false;
	*tsc = (uint64_t)ld32(p + 4) << 32 | ld32(p + 8);
	return true;
}

bool
dk_gen_reflect(uint8_t *frame, size_t len, const struct dk_gen_range *servers)
{
	size_t l3 = 14, l4;
	uint8_t *ip, tmp[6];
	uint32_t dip;

	if (len >= 18 && frame[12] == 0x81 && frame[13] == 0x00)
		l3 = 18;
	if (len < l3 + 20 || frame[l3 - 2] != 0x08 || frame[l3 - 1] != 0x00)
		return false;
	ip = frame + l3;
	if (ip[0] >> 4 != 4 || (ip[0] & 0xf) < 5)
		return false;
	l4 = l3 + (size_t)(ip[0] & 0xf) * 4;
	/* A fragment past the first has no ports to swap. */
	if ((ip[6] & 0x1f) != 0 || ip[7] != 0 ||
	    (ip[9] != DK_IPPROTO_UDP && ip[9] != DK_IPPROTO_TCP) || len < l4 + 4)
		return false;
	dip = ld32(ip + 16);
	if (dip < servers->lo || dip > servers->hi)
		return false;
	memcpy(tmp, frame, 6);
	memcpy(frame, frame + 6, 6);
	memcpy(frame + 6, tmp, 6);
	memcpy(tmp, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, tmp, 4);
	memcpy(tmp, frame + l4, 2);
	memcpy(frame + l4, frame + l4 + 2, 2);
	memcpy(frame + l4 + 2, tmp, 2);
	return true;
}

void
dk_gen_flowseq_init(struct dk_gen_flowseq *s, enum dk_gen_dist dist, uint32_t flows,
		    uint64_t seed)
{
	s->dist = dist;
	s->flows = flows ? flows : 1;
	s->next = 0;
	s->rng = seed ? seed : 0x9e3779b97f4a7c15ULL; /* xorshift must not start at 0 */
}
