#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "dk_host.h"
#include "dk_pktbuild.h"
#include "net_bytes.h"

bool
dk_host_owns(const struct dk_host_port *port, const struct dk_addr *a, struct dk_mac *mac)
{
	for (unsigned i = 0; i < port->n_addrs; i++) {
		if (dk_addr_eq(&port->addrs[i].addr, a)) {
			*mac = port->mac;
			return true;
		}
	}
	for (unsigned i = 0; i < port->n_vips; i++) {
		if (dk_addr_eq(&port->vips[i].addr, a)) {
			*mac = port->vips[i].mac;
			return true;
		}
	}
	return port->owns != NULL && port->owns(port->owns_ctx, a, mac);
}

static bool
mac_is_group(const struct dk_mac *m)
{
	return m->b[0] & 1;
}

static bool
mac_eq(const struct dk_mac *a, const struct dk_mac *b)
{
	return memcmp(a->b, b->b, sizeof(a->b)) == 0;
}

static void
set_learn(struct dk_host_result *res, const struct dk_addr *a, const struct dk_mac *m,
	  bool create, bool confirmed, bool override)
{
	res->learn.valid = true;
	res->learn.create = create;
	res->learn.confirmed = confirmed;
	res->learn.override = override;
	res->learn.no_lla = false;
	res->learn.addr = *a;
	res->learn.mac = *m;
}

static struct dk_l2
reply_l2(const struct dk_pkt_info *info, const struct dk_mac *src, const struct dk_mac *dst)
{
	struct dk_l2 l2 = { .src = *src, .dst = *dst, .vlan_tci = info->vlan_tci,
			    .has_vlan = info->has_vlan };

	return l2;
}

static enum dk_host_verdict
arp_input(const struct dk_host_port *port, uint8_t *pkt, size_t room,
	  struct dk_host_result *res)
{
	const struct dk_pkt_info *info = &res->info;
	bool probe = info->arp_spa.v4 == 0; /* RFC 5227 probe: sender not yet configured */
	struct dk_mac mine;
	struct dk_l2 l2;
	int n;

	if ((info->arp_op != DK_ARP_OP_REQUEST && info->arp_op != DK_ARP_OP_REPLY) ||
	    mac_is_group(&info->arp_sha))
		return DK_HOST_DROP_ARP_INVALID;
	if (!probe && dk_host_owns(port, &info->arp_spa, &mine)) {
		/* Our own GARP coming back is harmless; anyone else using our address is not. */
		if (mac_eq(&mine, &info->arp_sha) || mac_eq(&port->mac, &info->arp_sha))
			return DK_HOST_NOT_MINE;
		return DK_HOST_DROP_ADDR_CONFLICT;
	}
	if (!dk_host_owns(port, &info->arp_tpa, &mine)) {
		/* Gratuitous ARP or chatter between others: refresh what we already know only. */
		if (!probe)
			set_learn(res, &info->arp_spa, &info->arp_sha, false, false, true);
		return DK_HOST_NOT_MINE;
	}
	if (!probe)
		set_learn(res, &info->arp_spa, &info->arp_sha, true,
			  info->arp_op == DK_ARP_OP_REPLY, true);
	if (info->arp_op == DK_ARP_OP_REPLY)
		return DK_HOST_CONSUMED;
	l2 = reply_l2(info, &mine, &info->arp_sha);
	n = dk_build_arp_reply(pkt, room, &l2, &info->arp_tpa, &info->arp_spa);
	if (n < 0)
		return DK_HOST_DROP_NO_ROOM;
	res->out_len = (size_t)n;
	return DK_HOST_REPLY;
}

static bool
v4_bad_source(uint32_t src_be)
{
	uint32_t s = ntohl(src_be);

	return s == 0 || s == 0xffffffffu || (s >> 28) == 0xe || (s >> 24) == 127;
}

/* Anything for an owned address that is not an echo request ends here, by protocol. */
static enum dk_host_verdict
refuse(uint8_t proto, bool is_icmp)
{
	if (is_icmp)
		return DK_HOST_DROP_ICMP_TYPE;
	if (proto == DK_IPPROTO_TCP)
		return DK_HOST_DROP_TCP;
	if (proto == DK_IPPROTO_UDP)
		return DK_HOST_DROP_UDP;
	return DK_HOST_DROP_PROTO;
}

static enum dk_host_verdict
echo_reply(const struct dk_host_port *port, uint8_t *pkt, size_t len, size_t room,
	   const struct dk_mac *mine, struct dk_host_result *res)
{
	int n;

	if (!dk_pkt_l4_cksum_ok(pkt, &res->info))
		return DK_HOST_DROP_BAD_CKSUM;
	n = dk_build_echo_reply(pkt, room, pkt, len, &res->info, mine, port->reply_ttl);
	if (n < 0)
		return DK_HOST_DROP_NO_ROOM;
	res->out_len = (size_t)n;
	return DK_HOST_REPLY;
}

static enum dk_host_verdict
ipv4_input(const struct dk_host_port *port, uint8_t *pkt, size_t len, size_t room,
	   struct dk_host_result *res)
{
	const struct dk_pkt_info *info = &res->info;
	bool icmp = info->proto == DK_IPPROTO_ICMP;
	struct dk_mac mine;

	if (!dk_host_owns(port, &info->dst, &mine))
		return DK_HOST_NOT_MINE;
	if (v4_bad_source(info->src.v4))
		return DK_HOST_DROP_BAD_SOURCE;
	if (info->is_frag)
		return DK_HOST_DROP_FRAGMENT;
	if (icmp && info->icmp_type == DK_ICMP_ECHO_REQUEST && info->icmp_code == 0)
		return echo_reply(port, pkt, len, room, &mine, res);
	return refuse(info->proto, icmp);
}

static bool
v6_is_mcast(const struct dk_addr *a)
{
	return a->v6[0] == 0xff;
}

static bool
v6_is_unspec(const struct dk_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->v6, zero, sizeof(zero)) == 0;
}

struct nd_opts {
	bool has_slla;
	bool has_tlla;
	struct dk_mac slla;
	struct dk_mac tlla;
};

/* RFC 4861 7.1.1/7.1.2 checks shared by NS and NA; fills the link-layer options. */
static enum dk_host_verdict
nd_validate(const uint8_t *pkt, const struct dk_pkt_info *info, struct nd_opts *o)
{
	size_t off = info->l4_off + sizeof(struct dk_nd_msg);

	memset(o, 0, sizeof(*o));
	if (info->ttl != DK_ND_HOP_LIMIT)
		return DK_HOST_DROP_ND_HOP_LIMIT;
	if (info->is_frag)
		return DK_HOST_DROP_FRAGMENT;
	if (!dk_pkt_l4_cksum_ok(pkt, info))
		return DK_HOST_DROP_BAD_CKSUM;
	if (info->icmp_code != 0 || off > info->l3_end || pkt[info->l4_off + 8] == 0xff)
		return DK_HOST_DROP_ND_INVALID;
	while (off < info->l3_end) {
		size_t olen;

		if (off + 2 > info->l3_end)
			return DK_HOST_DROP_ND_INVALID;
		olen = (size_t)pkt[off + 1] * 8;
		if (olen == 0 || off + olen > info->l3_end)
			return DK_HOST_DROP_ND_INVALID;
		if (pkt[off] == DK_ND_OPT_SLLA) {
			o->has_slla = true;
			memcpy(o->slla.b, pkt + off + 2, 6);
		} else if (pkt[off] == DK_ND_OPT_TLLA) {
			o->has_tlla = true;
			memcpy(o->tlla.b, pkt + off + 2, 6);
		}
		off += olen;
	}
	return DK_HOST_CONSUMED;
}

static enum dk_host_verdict
ns_input(const struct dk_host_port *port, uint8_t *pkt, size_t room,
	 struct dk_host_result *res)
{
	const struct dk_pkt_info *info = &res->info;
	bool dad = v6_is_unspec(&info->src);
	struct dk_addr target, snm;
	struct dk_mac mine, dst_mac;
	struct nd_opts o;
	enum dk_host_verdict v;
	struct dk_l2 l2;
	int n;

	v = nd_validate(pkt, info, &o);
	if (v != DK_HOST_CONSUMED)
		return v;
	dk_addr_set_v6(&target, pkt + info->l4_off + 8);
	dk_ipv6_solicited_node(&target, &snm);
	/* RFC 4861 7.1.1: a DAD probe goes to the solicited-node group and carries no SLLA. */
	if (dad && (!dk_addr_eq(&info->dst, &snm) || o.has_slla))
		return DK_HOST_DROP_ND_INVALID;
	if (v6_is_mcast(&info->src))
		return DK_HOST_DROP_BAD_SOURCE;
	if (v6_is_mcast(&info->dst) ? !dk_addr_eq(&info->dst, &snm)
				    : !dk_host_owns(port, &info->dst, &mine))
		return DK_HOST_NOT_MINE;
	if (!dk_host_owns(port, &target, &mine))
		return DK_HOST_NOT_MINE;
	if (o.has_slla && !dad)
		set_learn(res, &info->src, &o.slla, true, false, true);
	dst_mac = o.has_slla ? o.slla : info->eth_src;
	l2 = reply_l2(info, &mine, &dst_mac);
	if (dad)
		n = dk_build_na(pkt, room, &l2, &target, NULL, &target, DK_ND_NA_FLAG_OVERRIDE);
	else
		n = dk_build_na(pkt, room, &l2, &target, &info->src, &target,
				DK_ND_NA_FLAG_SOLICITED | DK_ND_NA_FLAG_OVERRIDE);
	if (n < 0)
		return DK_HOST_DROP_NO_ROOM;
	res->out_len = (size_t)n;
	return DK_HOST_REPLY;
}

static enum dk_host_verdict
na_input(const struct dk_host_port *port, uint8_t *pkt, struct dk_host_result *res)
{
	const struct dk_pkt_info *info = &res->info;
	uint8_t flags = pkt[info->l4_off + 4];
	struct dk_addr target;
	struct dk_mac mine;
	struct nd_opts o;
	enum dk_host_verdict v;

	v = nd_validate(pkt, info, &o);
	if (v != DK_HOST_CONSUMED)
		return v;
	if (v6_is_mcast(&info->dst) && (flags & DK_ND_NA_FLAG_SOLICITED))
		return DK_HOST_DROP_ND_INVALID;
	dk_addr_set_v6(&target, pkt + info->l4_off + 8);
	if (dk_host_owns(port, &target, &mine)) {
		if (o.has_tlla && !mac_eq(&o.tlla, &mine) && !mac_eq(&o.tlla, &port->mac))
			return DK_HOST_DROP_ADDR_CONFLICT;
		return DK_HOST_NOT_MINE;
	}
	if (!v6_is_mcast(&info->dst) && !dk_host_owns(port, &info->dst, &mine))
		return DK_HOST_NOT_MINE;
	/* RFC 4861 7.2.5: an NA never creates an entry, it completes or updates one. Without
	 * TLLA (Linux's answer to a unicast probe) it can only confirm the known address. */
	set_learn(res, &target, o.has_tlla ? &o.tlla : &info->eth_src, false,
		  (flags & DK_ND_NA_FLAG_SOLICITED) != 0, (flags & DK_ND_NA_FLAG_OVERRIDE) != 0);
	res->learn.no_lla = !o.has_tlla;
	return DK_HOST_CONSUMED;
}

static enum dk_host_verdict
ipv6_input(const struct dk_host_port *port, uint8_t *pkt, size_t len, size_t room,
	   struct dk_host_result *res)
{
	const struct dk_pkt_info *info = &res->info;
	bool icmp = info->proto == DK_IPPROTO_ICMPV6;
	struct dk_mac mine;

	if (icmp && !info->is_frag && info->icmp_type == DK_ICMP6_NEIGH_SOLICIT)
		return ns_input(port, pkt, room, res);
	if (icmp && !info->is_frag && info->icmp_type == DK_ICMP6_NEIGH_ADVERT)
		return na_input(port, pkt, res);
	if (!dk_host_owns(port, &info->dst, &mine))
		return DK_HOST_NOT_MINE;
	if (v6_is_mcast(&info->src) || v6_is_unspec(&info->src))
		return DK_HOST_DROP_BAD_SOURCE;
	if (info->is_frag)
		return DK_HOST_DROP_FRAGMENT;
	if (icmp && info->icmp_type == DK_ICMP6_ECHO_REQUEST && info->icmp_code == 0)
		return echo_reply(port, pkt, len, room, &mine, res);
	return refuse(info->proto, icmp);
}

enum dk_host_verdict
dk_host_input(const struct dk_host_port *port, uint8_t *pkt, size_t len, size_t room,
	      struct dk_host_result *res)
{
	unsigned flags = (port->flags & DK_HOST_F_IP_CKSUM) ? DK_PKT_F_IP_CKSUM : 0;
	enum dk_pkt_verdict pv;

	memset(res, 0, sizeof(*res));
	if (room < len)
		room = len;
	pv = dk_pkt_parse_ex(pkt, len, flags, &res->info);
	res->pkt_verdict = pv;
	if (pv != DK_PKT_OK)
		return DK_HOST_DROP_PARSE;
	switch (res->info.ethertype) {
	case DK_ETHERTYPE_ARP:
		return arp_input(port, pkt, room, res);
	case DK_ETHERTYPE_IPV4:
		return ipv4_input(port, pkt, len, room, res);
	case DK_ETHERTYPE_IPV6:
		return ipv6_input(port, pkt, len, room, res);
	default:
		return DK_HOST_NOT_MINE;
	}
}
