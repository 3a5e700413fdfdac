/*
 * Per-packet forwarding: find the flow's owner, the connection (or schedule a new
 * one), rewrite per forwarding method and queue for transmission on this worker's own
 * TX queue of the egress port.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dk_dp_capture.h"
#include "dk_dp_lb_priv.h"
#include "dk_dp_lb_rw.h"
#include "dk_lb_sched.h"
#include "dk_pkt.h"

#define ETH_HLEN 14
#define IPIP_HLEN 20
#define IP6IP6_HLEN 40
/* Errors a worker makes up (too big for the tunnel): per worker, as Linux's
 * icmp_msgs_per_sec and icmp_msgs_burst do per host. */
#define ICMP_RATE 1000
#define ICMP_BURST 50

static void
drop(struct dk_dp_lb_ctx *x, struct rte_mbuf *m, enum dk_dp_lb_counter why)
{
	x->cnt[why]++;
	rte_pktmbuf_free(m);
}

/* An IPv6 address as 32 bits for the hashes (its low words vary most between hosts). */
static inline uint32_t
fold6(const uint8_t *a)
{
	uint32_t w[4];

	memcpy(w, a, 16);
	return w[0] ^ w[1] ^ w[2] ^ w[3];
}

/* Both directions of a flow hash to the same worker: only the client end is used. */
static unsigned
flow_owner(const struct dk_addr *client, uint16_t port, unsigned n_workers)
{
	uint32_t a = client->v4;
	uint64_t h;

	if (n_workers == 1)
		return 0;
	if (unlikely(client->af == AF_INET6))
		a = fold6(client->v6);
	h = ((uint64_t)a << 16 | port) * 0x9e3779b97f4a7c15ULL;
	return (unsigned)((h >> 32) % n_workers);
}

/* The address with only its first len bits kept. */
static struct dk_addr
masked(const struct dk_addr *a, unsigned len)
{
	struct dk_addr m = *a;
	unsigned bits = a->af == AF_INET ? 32 : 128;

	for (unsigned i = len; i < bits; i++)
		m.b[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
	return m;
}

/*
 * The worker owning a new flow to svc. A persistent service's templates live per worker,
 * so all of a client's flows (masked to the granularity) must meet on one worker: own by
 * address alone. NAT replies carry no service, so while any NAT service is persistent
 * every NAT flow is owned by the client address under the snapshot's one prefix.
 */
static unsigned
client_owner(const struct dk_dp_lb_snap *s, const struct dk_lb_service *svc,
	     const struct dk_pkt_info *pi, unsigned n_workers)
{
	struct dk_addr c;

	if (svc->fwd == DK_LB_FWD_NAT && s->nat_own_prefix) {
		c = masked(&pi->src, s->nat_own_prefix);
		return flow_owner(&c, 0, n_workers);
	}
	if (svc->persist_timeout_s) {
		dk_lb_persist_client(svc, &pi->src, &c);
		return flow_owner(&c, 0, n_workers);
	}
	return flow_owner(&pi->src, pi->sport, n_workers);
}

static bool
addr_in(const struct dk_addr *set, unsigned n, const struct dk_addr *a)
{
	for (unsigned i = 0; i < n; i++)
		if (set[i].v4 == a->v4 && set[i].af == a->af &&
		    (a->af == AF_INET || memcmp(set[i].v6, a->v6, 16) == 0))
			return true;
	return false;
}

/* One end's address and port, in the packet's own family. */
static inline void
rw(uint8_t *d, const struct dk_pkt_info *pi, enum dk_dp_lb_end end, const struct dk_addr *a,
   uint16_t port)
{
	if (likely(pi->family == AF_INET))
		dk_dp_lb_rw4(d + pi->l3_off, d + pi->l4_off, pi->proto, end, a->v4, port);
	else
		dk_dp_lb_rw6(d + pi->l3_off, d + pi->l4_off, pi->proto, end, a->v6, port);
}

void
dk_dp_lb_tx_flush(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x)
{
	for (unsigned p = 0; p < lb->dp->n_ports; p++) {
		uint16_t n = x->n_tx[p], sent;

		if (n == 0)
			continue;
		/* Forwarded traffic is what "capture ... tx" most often wants to see. */
		dk_dp_capture_tap(&lb->dp->lctx[x->idx], (uint16_t)p, (uint16_t)x->idx,
				  DK_DP_CAP_TX, x->tx[p], n);
		sent = rte_eth_tx_burst(lb->dp->ports[p].port_id, (uint16_t)x->idx, x->tx[p], n);
		if (sent < n) {
			x->cnt[DK_DP_LB_C_TX_FULL] += n - sent;
			rte_pktmbuf_free_bulk(x->tx[p] + sent, n - sent);
		}
		x->n_tx[p] = 0;
	}
}

static void
tx(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, uint16_t port, const struct rte_ether_addr *dst,
   struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	eh->dst_addr = *dst;
	eh->src_addr = lb->dp->ports[port].mac;
	x->tx[port][x->n_tx[port]++] = m;
	if (x->n_tx[port] == DK_DP_BURST)
		dk_dp_lb_tx_flush(lb, x);
}

/* The client side's L2 hop, kept with a NAT/FNAT flow for its replies. */
static inline void
hop_of(struct dk_conn_hop *h, const struct dk_pkt_info *pi, uint16_t in_port)
{
	memcpy(h->mac, pi->eth_src.b, sizeof(h->mac));
	h->port = in_port;
}

static int
new_conn(struct dk_dp_lb_ctx *x, const struct dk_lb_service *svc, const struct dk_pkt_info *pi,
	 uint16_t in_port, const struct dk_conn_key *k, uint64_t hash, struct dk_conn **out)
{
	struct dk_lb_sched_ctx sc = { .src = pi->src, .dst = pi->dst, .sport = pi->sport,
				      .dport = pi->dport, .proto = pi->proto, .worker = x->idx,
				      .now_us = x->now_us, .others = x->others,
				      .local = x->load };
	struct dk_conn_new cn = { .orig = k, .tcp_flags = pi->tcp_flags };
	const struct dk_lb_backend *b;
	struct dk_conn_key rk;
	uint32_t li = 0;
	uint16_t lport = 0;
	int rc;

	/* As IPVS: only a SYN opens a TCP flow; a stray segment has nothing to join, unless
	 * it belongs to a flow the stateless policy forwarded without an entry. */
	if (pi->proto == DK_LB_PROTO_TCP &&
	    (pi->tcp_flags & (DK_TCP_SYN | DK_TCP_ACK | DK_TCP_RST | DK_TCP_FIN)) != DK_TCP_SYN)
		return svc->stateless_mh ? DK_DP_LB_C_STATELESS_NO_CONN : DK_DP_LB_C_NO_CONN;
	if (dk_lb_schedule_persist(x->snap->lb, svc, x->ct, &sc, &b) == DK_LB_SCHED_NO_BACKEND)
		return DK_DP_LB_C_NO_BACKEND;
	/* No translation between families (IPVS's mixed-family TUN is not done either). */
	if (unlikely(b->addr.af != pi->family))
		return DK_DP_LB_C_FAMILY;
	cn.backend_slot = b->slot;
	if (svc->fwd == DK_LB_FWD_NAT || svc->fwd == DK_LB_FWD_FNAT)
		hop_of(&cn.hop, pi, in_port);
	if (svc->fwd == DK_LB_FWD_NAT) {
		dk_conn_key_make(&rk, pi->proto, &b->addr, b->port, &pi->src, pi->sport);
		cn.reply = &rk;
	} else if (svc->fwd == DK_LB_FWD_FNAT) {
		if (x->fnat == NULL || dk_lb_fnat_alloc_af(x->fnat, pi->family, &li, &lport) < 0)
			return DK_DP_LB_C_FNAT_NO_PORT;
		dk_conn_key_make(&rk, pi->proto, &b->addr, b->port, dk_lb_fnat_laddr(x->fnat, li),
				 lport);
		cn.reply = &rk;
	}
	rc = dk_conn_insert_hash(x->ct, &cn, hash, x->now_us, out);
	if (rc < 0) {
		if (svc->fwd == DK_LB_FWD_FNAT)
			dk_lb_fnat_release(x->fnat, li, lport);
		return svc->stateless_mh && rc == -ENOSPC ? DK_DP_LB_C_STATELESS_FULL :
							    DK_DP_LB_C_CONN_FULL;
	}
	x->cnt[DK_DP_LB_C_NEW]++;
	return -1;
}

/* IPIP or IPv6-in-IPv6: the outer header goes between Ethernet and the client's
 * datagram, in the datagram's own family (the Ethernet type stays right). */
static int
encap(struct rte_mbuf *m, const struct dk_pkt_info *pi, const struct dk_dp_lb_hop *hop,
      const struct dk_addr *dst)
{
	uint16_t inner = (uint16_t)(pi->l3_end - pi->l3_off);
	uint16_t hlen = pi->family == AF_INET ? IPIP_HLEN : IP6IP6_HLEN;
	uint8_t *d;

	if (m->data_len > pi->l3_end)
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - pi->l3_end));
	d = (uint8_t *)rte_pktmbuf_prepend(m, hlen);
	if (d == NULL)
		return -1;
	memmove(d, d + hlen, pi->l2_len);
	if (pi->family == AF_INET)
		dk_dp_lb_ipip4(d + pi->l2_len, d + pi->l2_len + hlen, inner, hop->src4, dst->v4);
	else
		dk_dp_lb_ip6ip6(d + pi->l2_len, d + pi->l2_len + hlen, inner, hop->src6, dst->v6);
	return 0;
}

/*
 * A client's datagram that would not fit the egress port's MTU once encapsulated: as IPVS,
 * the client hears from the VIP that the path takes mtu bytes (ICMP fragmentation needed,
 * ICMPv6 Packet Too Big) quoting what it sent, and sends smaller. IPv4 without DF would
 * be fragmented by IPVS's stack; dpkeep builds no fragments: dropped and counted.
 */
static int
too_big(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
	const struct dk_pkt_info *pi, uint16_t in_port, uint16_t mtu)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	bool v4 = pi->family == AF_INET;
	uint16_t room = v4 ? 28 : 48, quoted = (uint16_t)(pi->l3_end - pi->l3_off);
	struct rte_ether_addr mac;

	if (v4 && !(d[pi->l3_off + 6] & 0x40)) {
		drop(x, m, DK_DP_LB_C_TUN_TOO_BIG_NO_DF);
		return DK_DP_LB_DONE;
	}
	if (!dk_dp_lb_bucket_take(&x->icmp_bucket, x->now_us, ICMP_RATE, ICMP_BURST)) {
		drop(x, m, DK_DP_LB_C_TUN_TOO_BIG_RL);
		return DK_DP_LB_DONE;
	}
	if (quoted > (v4 ? DK_DP_LB_ICMP4_MAX_QUOTE : DK_DP_LB_ICMP6_MAX_QUOTE))
		quoted = v4 ? DK_DP_LB_ICMP4_MAX_QUOTE : DK_DP_LB_ICMP6_MAX_QUOTE;
	if (m->nb_segs > 1 || rte_pktmbuf_trim(m, (uint16_t)(m->data_len - pi->l3_off -
							     quoted)) < 0) {
		drop(x, m, DK_DP_LB_C_NO_ROOM);
		return DK_DP_LB_DONE;
	}
	d = (uint8_t *)rte_pktmbuf_prepend(m, room);
	if (d == NULL) {
		drop(x, m, DK_DP_LB_C_NO_ROOM);
		return DK_DP_LB_DONE;
	}
	memmove(d, d + room, pi->l2_len);
	if (v4)
		dk_dp_lb_icmp4_frag_needed(d + pi->l2_len, quoted, mtu);
	else
		dk_dp_lb_icmp6_too_big(d + pi->l2_len, quoted, mtu);
	memcpy(mac.addr_bytes, pi->eth_src.b, sizeof(mac.addr_bytes));
	x->cnt[DK_DP_LB_C_TUN_TOO_BIG]++;
	tx(lb, x, in_port, &mac, m);
	return DK_DP_LB_DONE;
}

static int
to_backend(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m, uint16_t in_port,
	   const struct dk_pkt_info *pi, const struct dk_conn *c, const struct dk_lb_service *svc,
	   const struct dk_lb_backend *b)
{
	const struct dk_dp_lb_hop *hop = &x->snap->hops[b->slot];
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = m->pkt_len;
	/* No entry (stateless) only for DR and TUN, which never read the reply key. */
	const struct dk_conn_key *r = c ? &c->key[DK_CONN_DIR_REPLY] : NULL;
	uint16_t hlen, mtu;

	if (!hop->valid) {
		drop(x, m, DK_DP_LB_C_NO_HOP);
		return DK_DP_LB_DONE;
	}
	switch (svc->fwd) {
	case DK_LB_FWD_DR:
		break;
	case DK_LB_FWD_FNAT:
		rw(d, pi, DK_DP_LB_SRC, &r->dst, r->dport);
		/* The destination is rewritten as for NAT. */
		__attribute__((fallthrough));
	case DK_LB_FWD_NAT:
		rw(d, pi, DK_DP_LB_DST, &b->addr, b->port);
		break;
	case DK_LB_FWD_TUN:
		hlen = pi->family == AF_INET ? IPIP_HLEN : IP6IP6_HLEN;
		mtu = lb->dp->ports[hop->port].mtu;
		if (unlikely(pi->l3_end - pi->l3_off + hlen > mtu))
			return too_big(lb, x, m, pi, in_port, (uint16_t)(mtu - hlen));
		/* The outer header takes 20 (IPv6: 40) bytes of the egress MTU: ask the
		 * peers for segments that still fit once encapsulated. */
		if (pi->proto == DK_LB_PROTO_TCP && (pi->tcp_flags & DK_TCP_SYN) &&
		    dk_dp_lb_mss_clamp(d + pi->l4_off, pi->payload_off - pi->l4_off,
				       (uint16_t)(lb->dp->ports[hop->port].mtu -
						  (pi->family == AF_INET ? IPIP_HLEN + 40 :
									   IP6IP6_HLEN + 60))))
			x->cnt[DK_DP_LB_C_MSS_CLAMPED]++;
		if (encap(m, pi, hop, &b->addr) < 0) {
			drop(x, m, DK_DP_LB_C_NO_ROOM);
			return DK_DP_LB_DONE;
		}
		break;
	}
	dk_lb_stats_count(&x->stats[b->slot], false, len);
	x->cnt[DK_DP_LB_C_FWD]++;
	tx(lb, x, hop->port, &hop->dst, m);
	return DK_DP_LB_DONE;
}

/* A NAT/FNAT reply: back to the client as if the VIP had sent it. */
static int
to_client(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
	  const struct dk_pkt_info *pi, const struct dk_conn *c, const struct dk_lb_service *svc)
{
	const struct dk_conn_key *o = &c->key[DK_CONN_DIR_ORIG];
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	struct rte_ether_addr mac;

	memcpy(mac.addr_bytes, c->hop.mac, sizeof(mac.addr_bytes));
	dk_lb_stats_count(&x->stats[c->backend_slot], true, m->pkt_len);
	rw(d, pi, DK_DP_LB_SRC, &o->dst, o->dport);
	if (svc->fwd == DK_LB_FWD_FNAT)
		rw(d, pi, DK_DP_LB_DST, &o->src, o->sport);
	x->cnt[DK_DP_LB_C_REPLIES]++;
	tx(lb, x, c->hop.port, &mac, m);
	return DK_DP_LB_DONE;
}

/* Without an entry: the service's Maglev table names the backend, the same one for
 * every packet of the flow (DR and TUN only: nothing has to be translated back). */
static int
stateless(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m, uint16_t in_port,
	  const struct dk_pkt_info *pi, const struct dk_lb_service *svc,
	  enum dk_dp_lb_counter why)
{
	uint32_t idx;

	if (dk_lb_mh_stateless_pick(svc, &pi->src, pi->sport, &idx) != DK_LB_SCHED_OK) {
		drop(x, m, DK_DP_LB_C_NO_BACKEND);
		return DK_DP_LB_DONE;
	}
	if (svc->backends[idx].addr.af != pi->family) {
		drop(x, m, DK_DP_LB_C_FAMILY);
		return DK_DP_LB_DONE;
	}
	x->cnt[why]++;
	return to_backend(lb, x, m, in_port, pi, NULL, svc, &svc->backends[idx]);
}

/*
 * lb_expire_nodest_conn: the flow's real server was removed. A TCP client hears of it by
 * a RST made from its own segment, from the VIP, whose sequence number is exactly what
 * the client acknowledged, so it is accepted even with a closed window; then the entry
 * goes and the client's next SYN is scheduled afresh. The removed server's segments are
 * dropped and the entry kept until the client speaks: a RST built from them could carry
 * an old sequence number (a zero-window probe's), which the client would ignore. A SYN,
 * a RST, UDP and IPv6 (the RST builder is IPv4's) end the entry with no answer.
 */
static int
expire_nodest(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
	      uint16_t in_port, const struct dk_pkt_info *pi, struct dk_conn *c,
	      enum dk_conn_dir dir)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint16_t n;

	x->cnt[DK_DP_LB_C_EXPIRED_NODEST]++;
	if (dir == DK_CONN_DIR_REPLY && pi->proto == DK_LB_PROTO_TCP &&
	    pi->family == AF_INET && !(pi->tcp_flags & DK_TCP_RST)) {
		rte_pktmbuf_free(m);
		return DK_DP_LB_DONE;
	}
	if (dir == DK_CONN_DIR_REPLY || pi->proto != DK_LB_PROTO_TCP ||
	    pi->family != AF_INET || pi->ip_opts || (pi->tcp_flags & (DK_TCP_RST | DK_TCP_SYN))) {
		dk_conn_delete(x->ct, c);
		rte_pktmbuf_free(m);
		return DK_DP_LB_DONE;
	}
	n = dk_dp_lb_tcp_rst4(d + pi->l3_off, d + pi->l4_off, pi->payload_len, true);
	if (m->data_len > pi->l3_off + n)
		rte_pktmbuf_trim(m, (uint16_t)(m->data_len - pi->l3_off - n));
	tx(lb, x, in_port, (const struct rte_ether_addr *)pi->eth_src.b, m);
	dk_conn_delete(x->ct, c);
	return DK_DP_LB_DONE;
}

/* One packet of a burst between the stages of dk_dp_lb_burst. */
struct job {
	struct dk_pkt_info pi;
	const struct dk_lb_service *svc;
	struct dk_conn_key k;
	uint64_t hash;
};

static int
forward(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m, uint16_t in_port,
	struct job *j)
{
	const struct dk_pkt_info *pi = &j->pi;
	const struct dk_lb_service *svc = j->svc;
	const struct dk_lb_backend *b;
	enum dk_conn_dir dir = DK_CONN_DIR_ORIG;
	struct dk_conn *c;
	int why;

	c = dk_conn_lookup_hash(x->ct, &j->k, j->hash, x->now_us, &dir);
	if (c != NULL && svc != NULL && dk_conn_syn_starts_anew(c, dir, pi->tcp_flags)) {
		dk_conn_delete(x->ct, c);
		x->cnt[DK_DP_LB_C_REUSED]++;
		c = NULL;
	}
	/* Not a flow we know and not to a service (or to one removed while its flows
	 * finish): dpkeep's own traffic. */
	if (c == NULL && (svc == NULL || (svc->flags & DK_LB_SVC_F_GONE)))
		return DK_DP_LB_KEEP;
	/* Ours, but the rewrite handles the plain case only: with extension headers the
	 * upper header (or, with a routing header, the pseudo-header's address) is not
	 * simply where it would be. */
	if (unlikely(pi->ip_opts) && pi->family == AF_INET6) {
		drop(x, m, DK_DP_LB_C_IPV6_EXT);
		return DK_DP_LB_DONE;
	}
	if (c == NULL) {
		why = new_conn(x, svc, pi, in_port, &j->k, j->hash, &c);
		if (why == DK_DP_LB_C_STATELESS_FULL || why == DK_DP_LB_C_STATELESS_NO_CONN)
			return stateless(lb, x, m, in_port, pi, svc, (enum dk_dp_lb_counter)why);
		if (why >= 0) {
			drop(x, m, (enum dk_dp_lb_counter)why);
			return DK_DP_LB_DONE;
		}
	} else {
		dk_conn_update(x->ct, c, dir, pi->tcp_flags, x->now_us);
	}
	b = dk_lb_table_backend(x->snap->lb, c->backend_slot);
	if (b == NULL) {
		drop(x, m, DK_DP_LB_C_NO_BACKEND);
		return DK_DP_LB_DONE;
	}
	svc = dk_lb_table_service(x->snap->lb, b->svc_index);
	if (DK_UNLIKELY(b->flags & DK_LB_BACKEND_F_REMOVED) &&
	    (svc->flags & DK_LB_SVC_F_EXPIRE_NODEST))
		return expire_nodest(lb, x, m, in_port, pi, c, dir);
	if (dir == DK_CONN_DIR_REPLY)
		return to_client(lb, x, m, pi, c, svc);
	/* The client side may move (another router in front of it): replies follow. */
	if (svc->fwd == DK_LB_FWD_NAT || svc->fwd == DK_LB_FWD_FNAT)
		hop_of(&c->hop, pi, in_port);
	return to_backend(lb, x, m, in_port, pi, c, svc, b);
}

#define FORWARD 2	/* classify: ours, on this worker */

/*
 * The worker owning the flow a packet belongs to (by its destination: a service, an
 * FNAT local address, or a NAT client), or -1 when it is none of ours. *svc is the
 * service it is addressed to, if any; *ours whether its address alone says it is ours.
 */
static inline int
owner_of(const struct dk_dp_lb *lb, const struct dk_dp_lb_snap *s, const struct dk_pkt_info *pi,
	 const struct dk_lb_service **svc, bool *ours)
{
	*svc = dk_lb_table_lookup(s->lb, &pi->dst, pi->dport, pi->proto);
	*ours = true;
	if (*svc != NULL) {
		if (!s->served[(*svc)->index])
			return -1;
		return (int)client_owner(s, *svc, pi, lb->n_workers);
	}
	if (s->has_fnat && addr_in(s->laddrs, s->n_laddrs, &pi->dst)) {
		int owner = dk_lb_fnat_port_owner(pi->dport, lb->n_workers);

		return owner < 0 ? -1 : owner;
	}
	*ours = false;
	if (s->has_nat && !addr_in(s->own, s->n_own, &pi->dst)) {
		if (s->nat_own_prefix) {
			struct dk_addr c = masked(&pi->dst, s->nat_own_prefix);

			return (int)flow_owner(&c, 0, lb->n_workers);
		}
		return (int)flow_owner(&pi->dst, pi->dport, lb->n_workers);
	}
	return -1;
}

/* Hands m to the worker owning its flow; false when that is this one. */
static inline bool
redirect(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m, int owner)
{
	if ((unsigned)owner == x->idx)
		return false;
	if (rte_ring_sp_enqueue(lb->redir[owner][x->idx], m) != 0)
		drop(x, m, DK_DP_LB_C_REDIRECT_FULL);
	else
		x->cnt[DK_DP_LB_C_REDIRECT]++;
	return true;
}

/* One end of an ICMP error's quote, in the error's own family. */
static inline void
quote_rw(uint8_t *icmp, const struct dk_pkt_info *pi, const struct dk_dp_lb_quote *q,
	 enum dk_dp_lb_end end, const struct dk_addr *a, uint16_t port)
{
	if (pi->family == AF_INET)
		dk_dp_lb_icmp4_rw_quote(icmp, q, end, a->v4, port);
	else
		dk_dp_lb_icmp6_rw_quote(icmp, q, end, a->v6, port);
}

/* One address of the error's own IP header. */
static inline void
outer_rw(uint8_t *l3, const struct dk_pkt_info *pi, enum dk_dp_lb_end end,
	 const struct dk_addr *a)
{
	if (pi->family == AF_INET)
		dk_dp_lb_rw4_addr(l3, end, a->v4);
	else
		dk_dp_lb_rw6_addr(l3, end, a->v6);
}

/* Once every change is made (ICMPv6's covers the pseudo-header's new addresses too). */
static inline void
icmp_cksum(uint8_t *l3, uint8_t *icmp, size_t len, const struct dk_pkt_info *pi)
{
	if (pi->family == AF_INET)
		dk_dp_lb_icmp4_cksum(icmp, len);
	else
		dk_dp_lb_icmp6_cksum(l3, icmp, len);
}

/*
 * An ICMP error quoting a packet of a NAT/FNAT/DR/TUN flow goes to the flow's other end,
 * as IPVS does: with the quote turned back into what that end sent (or was sent) and
 * the outer addresses to match, so its stack finds the socket the error is about.
 */
static int
icmp_forward(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
	     const struct dk_pkt_info *pi, const struct dk_dp_lb_quote *q,
	     const struct dk_pkt_info *rev, bool ours)
{
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *l3 = d + pi->l3_off, *icmp = d + pi->l4_off;
	size_t ilen = pi->l3_end - pi->l4_off;
	enum dk_conn_dir dir = DK_CONN_DIR_ORIG;
	const struct dk_conn_key *o, *r;
	const struct dk_dp_lb_hop *hop;
	const struct dk_lb_backend *b;
	const struct dk_lb_service *svc;
	struct rte_ether_addr mac;
	struct dk_conn_key k;
	struct dk_conn *c;

	dk_conn_key_make(&k, rev->proto, &rev->src, rev->sport, &rev->dst, rev->dport);
	c = dk_conn_lookup(x->ct, &k, x->now_us, &dir);
	if (c == NULL) {
		if (!ours)
			return DK_DP_LB_KEEP;
		drop(x, m, DK_DP_LB_C_ICMP_NO_CONN);
		return DK_DP_LB_DONE;
	}
	b = dk_lb_table_backend(x->snap->lb, c->backend_slot);
	if (b == NULL) {
		drop(x, m, DK_DP_LB_C_NO_BACKEND);
		return DK_DP_LB_DONE;
	}
	svc = dk_lb_table_service(x->snap->lb, b->svc_index);
	o = &c->key[DK_CONN_DIR_ORIG];
	r = &c->key[DK_CONN_DIR_REPLY];
	if (dir == DK_CONN_DIR_REPLY) {
		/* About what we sent the backend: the client hears it from the VIP, about
		 * the packet it sent itself, over the hop its flow's replies take. */
		quote_rw(icmp, pi, q, DK_DP_LB_SRC, &o->src, o->sport);
		quote_rw(icmp, pi, q, DK_DP_LB_DST, &o->dst, o->dport);
		outer_rw(l3, pi, DK_DP_LB_SRC, &o->dst);
		outer_rw(l3, pi, DK_DP_LB_DST, &o->src);
		icmp_cksum(l3, icmp, ilen, pi);
		memcpy(mac.addr_bytes, c->hop.mac, sizeof(mac.addr_bytes));
		x->cnt[DK_DP_LB_C_ICMP_FWD]++;
		tx(lb, x, c->hop.port, &mac, m);
		return DK_DP_LB_DONE;
	}
	/* About what we (or, for DR/TUN, the backend) sent the client: to the backend. */
	hop = &x->snap->hops[b->slot];
	if (!hop->valid) {
		drop(x, m, DK_DP_LB_C_NO_HOP);
		return DK_DP_LB_DONE;
	}
	switch (svc->fwd) {
	case DK_LB_FWD_NAT:
	case DK_LB_FWD_FNAT:
		quote_rw(icmp, pi, q, DK_DP_LB_SRC, &r->src, r->sport);
		quote_rw(icmp, pi, q, DK_DP_LB_DST, &r->dst, r->dport);
		outer_rw(l3, pi, DK_DP_LB_DST, &r->src);
		/* The backend knows no route to the client: FNAT speaks from the local end. */
		if (svc->fwd == DK_LB_FWD_FNAT)
			outer_rw(l3, pi, DK_DP_LB_SRC, &r->dst);
		icmp_cksum(l3, icmp, ilen, pi);
		break;
	case DK_LB_FWD_DR:
		break;
	case DK_LB_FWD_TUN:
		if (encap(m, pi, hop, &b->addr) < 0) {
			drop(x, m, DK_DP_LB_C_NO_ROOM);
			return DK_DP_LB_DONE;
		}
		break;
	}
	x->cnt[DK_DP_LB_C_ICMP_FWD]++;
	tx(lb, x, hop->port, &hop->dst, m);
	return DK_DP_LB_DONE;
}

/*
 * An ICMP or ICMPv6 error: ours when what it quotes, turned around, is a packet of our
 * flow. An ICMPv6 one behind extension headers is left to the control lcore (its
 * pseudo-header's destination may not be the one in the fixed header).
 */
static int
icmp_error(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
	   const struct dk_pkt_info *pi)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const struct dk_lb_service *svc;
	struct dk_dp_lb_quote q;
	struct dk_pkt_info rev;
	bool ours;
	int owner;

	if (pi->family == AF_INET) {
		if (dk_dp_lb_icmp4_quote(d + pi->l4_off, pi->l3_end - pi->l4_off, &q) < 0)
			return DK_DP_LB_KEEP;
	} else if (pi->ip_opts ||
		   dk_dp_lb_icmp6_quote(d + pi->l4_off, pi->l3_end - pi->l4_off, &q) < 0) {
		return DK_DP_LB_KEEP;
	}
	memset(&rev, 0, sizeof(rev));
	rev.family = pi->family;
	rev.proto = q.proto;
	rev.src.af = rev.dst.af = pi->family;
	if (pi->family == AF_INET) {
		rev.src.v4 = q.dst;
		rev.dst.v4 = q.src;
	} else {
		memcpy(rev.src.v6, q.dst6, 16);
		memcpy(rev.dst.v6, q.src6, 16);
	}
	rev.sport = q.dport;
	rev.dport = q.sport;
	owner = owner_of(lb, x->snap, &rev, &svc, &ours);
	if (owner < 0)
		return DK_DP_LB_KEEP;
	if (redirect(lb, x, m, owner))
		return DK_DP_LB_DONE;
	return icmp_forward(lb, x, m, pi, &q, &rev, ours);
}

/*
 * Parses m and finds its owner: KEEP (not ours), DONE (redirected to its owner, or
 * dropped, or an ICMP error handled), or FORWARD with j->pi and j->svc (NULL: a reply or
 * other flow packet) set.
 */
static int
classify(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m, struct job *j)
{
	struct dk_pkt_info *pi = &j->pi;
	bool ours;
	int owner;

	if (dk_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, pi) != DK_PKT_OK ||
	    (pi->family != AF_INET && pi->family != AF_INET6) ||
	    (pi->is_frag && pi->family == AF_INET))
		return DK_DP_LB_KEEP;
	if (unlikely(pi->proto != DK_LB_PROTO_TCP && pi->proto != DK_LB_PROTO_UDP)) {
		if ((pi->proto == DK_IPPROTO_ICMP && pi->family == AF_INET &&
		     dk_dp_lb_icmp4_is_error(pi->icmp_type)) ||
		    (pi->proto == DK_IPPROTO_ICMPV6 && pi->family == AF_INET6 &&
		     dk_dp_lb_icmp6_is_error(pi->icmp_type)))
			return icmp_error(lb, x, m, pi);
		return DK_DP_LB_KEEP;
	}
	owner = owner_of(lb, x->snap, pi, &j->svc, &ours);
	if (owner < 0)
		return DK_DP_LB_KEEP;
	if (redirect(lb, x, m, owner))
		return DK_DP_LB_DONE;
	return FORWARD;
}

static inline void
job_key(struct dk_dp_lb_ctx *x, struct job *j)
{
	dk_conn_key_make(&j->k, j->pi.proto, &j->pi.src, j->pi.sport, &j->pi.dst, j->pi.dport);
	j->hash = dk_conn_key_hash(x->ct, &j->k);
}

int
dk_dp_lb_handle(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
		uint16_t in_port)
{
	struct job j;
	int v = classify(lb, x, m, &j);

	if (v != FORWARD)
		return v;
	job_key(x, &j);
	return forward(lb, x, m, in_port, &j);
}

/* Packets between a bucket's prefetch and the read of it that prefetches its first entry:
 * classifying this many takes about one memory latency (at 10 M flows the buckets are
 * out of cache too: 16 beat 8 there and tied at 1 M; 24 lost at 1 M). */
#define ENTRY_LAG 16

/*
 * A burst in two passes so that its cache misses overlap instead of adding up (one
 * packet at a time, each waits for its bucket and then its entry): parse, classify, hash
 * the key and prefetch its bucket, and prefetch the first entry of the bucket prefetched
 * ENTRY_LAG packets before (by now in cache); then look up and forward, by when the
 * entries have arrived. What is not ours stays in pkts, in order; returns how many.
 */
uint16_t
dk_dp_lb_burst(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf **pkts,
	       uint16_t n, uint16_t in_port)
{
	struct job jobs[DK_DP_BURST];
	int8_t v[DK_DP_BURST];
	uint16_t kept = 0;

	for (uint16_t base = 0; base < n; base += DK_DP_BURST) {
		uint16_t cnt = n - base < DK_DP_BURST ? n - base : DK_DP_BURST;
		struct rte_mbuf **p = pkts + base;

		for (uint16_t i = 0; i < cnt; i++) {
			if (i + 2 < cnt)
				rte_prefetch0(rte_pktmbuf_mtod(p[i + 2], void *));
			v[i] = (int8_t)classify(lb, x, p[i], &jobs[i]);
			if (v[i] == FORWARD) {
				job_key(x, &jobs[i]);
				dk_conn_prefetch_bucket(x->ct, jobs[i].hash);
			}
			if (i >= ENTRY_LAG && v[i - ENTRY_LAG] == FORWARD)
				dk_conn_prefetch_entry(x->ct, jobs[i - ENTRY_LAG].hash);
		}
		for (uint16_t i = cnt > ENTRY_LAG ? cnt - ENTRY_LAG : 0; i < cnt; i++)
			if (v[i] == FORWARD)
				dk_conn_prefetch_entry(x->ct, jobs[i].hash);
		for (uint16_t i = 0; i < cnt; i++) {
			if (v[i] == FORWARD)
				v[i] = (int8_t)forward(lb, x, p[i], in_port, &jobs[i]);
			if (v[i] == DK_DP_LB_KEEP)
				pkts[kept++] = p[i];
		}
	}
	return kept;
}
