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

static struct dk_dp_lb_client *
client_slot(struct dk_dp_lb_ctx *x, uint32_t ip)
{
	uint32_t h = (uint32_t)(((uint64_t)ip * 0x9e3779b97f4a7c15ULL) >> 40);

	return &x->l2[h & (DK_DP_LB_CLIENT_L2_SIZE - 1)];
}

static struct dk_dp_lb_client6 *
client_slot6(struct dk_dp_lb_ctx *x, const uint8_t *ip)
{
	uint32_t h = (uint32_t)(((uint64_t)fold6(ip) * 0x9e3779b97f4a7c15ULL) >> 40);

	return &x->l2_6[h & (DK_DP_LB_CLIENT_L2_SIZE - 1)];
}

/* Remembers where a NAT/FNAT client is, for its replies. */
static void
client_learn(struct dk_dp_lb_ctx *x, const struct dk_pkt_info *pi, uint16_t in_port)
{
	if (likely(pi->family == AF_INET)) {
		struct dk_dp_lb_client *cl = client_slot(x, pi->src.v4);

		cl->ip = pi->src.v4;
		cl->port = in_port;
		cl->valid = 1;
		memcpy(&cl->mac, pi->eth_src.b, sizeof(cl->mac));
	} else {
		struct dk_dp_lb_client6 *cl = client_slot6(x, pi->src.v6);

		memcpy(cl->ip, pi->src.v6, 16);
		cl->port = in_port;
		cl->valid = 1;
		memcpy(&cl->mac, pi->eth_src.b, sizeof(cl->mac));
	}
}

/* Where the client was last seen: false when it is not known (any more). */
static bool
client_find(struct dk_dp_lb_ctx *x, const struct dk_addr *a, uint16_t *port,
	    const struct rte_ether_addr **mac)
{
	if (likely(a->af == AF_INET)) {
		struct dk_dp_lb_client *cl = client_slot(x, a->v4);

		if (!cl->valid || cl->ip != a->v4)
			return false;
		*port = cl->port;
		*mac = &cl->mac;
	} else {
		struct dk_dp_lb_client6 *cl = client_slot6(x, a->v6);

		if (!cl->valid || memcmp(cl->ip, a->v6, 16) != 0)
			return false;
		*port = cl->port;
		*mac = &cl->mac;
	}
	return true;
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

static int
new_conn(struct dk_dp_lb_ctx *x, const struct dk_lb_service *svc, const struct dk_pkt_info *pi,
	 const struct dk_conn_key *k, struct dk_conn **out)
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
	rc = dk_conn_insert(x->ct, &cn, x->now_us, out);
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

static int
to_backend(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
	   const struct dk_pkt_info *pi, const struct dk_conn *c, const struct dk_lb_service *svc,
	   const struct dk_lb_backend *b)
{
	const struct dk_dp_lb_hop *hop = &x->snap->hops[b->slot];
	uint8_t *d = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t len = m->pkt_len;
	/* No entry (stateless) only for DR and TUN, which never read the reply key. */
	const struct dk_conn_key *r = c ? &c->key[DK_CONN_DIR_REPLY] : NULL;

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
	const struct rte_ether_addr *mac;
	uint16_t port;

	if (!client_find(x, &o->src, &port, &mac)) {
		drop(x, m, DK_DP_LB_C_NO_CLIENT_L2);
		return DK_DP_LB_DONE;
	}
	dk_lb_stats_count(&x->stats[c->backend_slot], true, m->pkt_len);
	rw(d, pi, DK_DP_LB_SRC, &o->dst, o->dport);
	if (svc->fwd == DK_LB_FWD_FNAT)
		rw(d, pi, DK_DP_LB_DST, &o->src, o->sport);
	x->cnt[DK_DP_LB_C_REPLIES]++;
	tx(lb, x, port, mac, m);
	return DK_DP_LB_DONE;
}

/* Without an entry: the service's Maglev table names the backend, the same one for
 * every packet of the flow (DR and TUN only: nothing has to be translated back). */
static int
stateless(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
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
	return to_backend(lb, x, m, pi, NULL, svc, &svc->backends[idx]);
}

static int
forward(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m, uint16_t in_port,
	const struct dk_pkt_info *pi, const struct dk_lb_service *svc)
{
	const struct dk_lb_backend *b;
	enum dk_conn_dir dir = DK_CONN_DIR_ORIG;
	struct dk_conn_key k;
	struct dk_conn *c;
	int why;

	dk_conn_key_make(&k, pi->proto, &pi->src, pi->sport, &pi->dst, pi->dport);
	c = dk_conn_lookup(x->ct, &k, x->now_us, &dir);
	if (c != NULL && svc != NULL && dk_conn_syn_starts_anew(c, dir, pi->tcp_flags)) {
		dk_conn_delete(x->ct, c);
		x->cnt[DK_DP_LB_C_REUSED]++;
		c = NULL;
	}
	/* Not a flow we know and not to a service: dpkeep's own traffic. */
	if (c == NULL && svc == NULL)
		return DK_DP_LB_KEEP;
	/* Ours, but the rewrite handles the plain case only: with extension headers the
	 * upper header (or, with a routing header, the pseudo-header's address) is not
	 * simply where it would be. */
	if (unlikely(pi->ip_opts) && pi->family == AF_INET6) {
		drop(x, m, DK_DP_LB_C_IPV6_EXT);
		return DK_DP_LB_DONE;
	}
	if (c == NULL) {
		why = new_conn(x, svc, pi, &k, &c);
		if (why == DK_DP_LB_C_STATELESS_FULL || why == DK_DP_LB_C_STATELESS_NO_CONN)
			return stateless(lb, x, m, pi, svc, (enum dk_dp_lb_counter)why);
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
	if (dir == DK_CONN_DIR_REPLY)
		return to_client(lb, x, m, pi, c, svc);
	if (svc->fwd == DK_LB_FWD_NAT || svc->fwd == DK_LB_FWD_FNAT)
		client_learn(x, pi, in_port);
	return to_backend(lb, x, m, pi, c, svc, b);
}

int
dk_dp_lb_handle(struct dk_dp_lb *lb, struct dk_dp_lb_ctx *x, struct rte_mbuf *m,
		uint16_t in_port)
{
	const struct dk_dp_lb_snap *s = x->snap;
	const struct dk_lb_service *svc;
	struct dk_pkt_info pi;
	int owner;

	if (dk_pkt_parse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &pi) != DK_PKT_OK ||
	    (pi.family != AF_INET && pi.family != AF_INET6) ||
	    (pi.is_frag && pi.family == AF_INET) ||
	    (pi.proto != DK_LB_PROTO_TCP && pi.proto != DK_LB_PROTO_UDP))
		return DK_DP_LB_KEEP;
	svc = dk_lb_table_lookup(s->lb, &pi.dst, pi.dport, pi.proto);
	if (svc != NULL) {
		if (!s->served[svc->index])
			return DK_DP_LB_KEEP;
		owner = (int)client_owner(s, svc, &pi, lb->n_workers);
	} else if (s->has_fnat && addr_in(s->laddrs, s->n_laddrs, &pi.dst)) {
		owner = dk_lb_fnat_port_owner(pi.dport, lb->n_workers);
		if (owner < 0)
			return DK_DP_LB_KEEP;
	} else if (s->has_nat && !addr_in(s->own, s->n_own, &pi.dst)) {
		if (s->nat_own_prefix) {
			struct dk_addr c = masked(&pi.dst, s->nat_own_prefix);

			owner = (int)flow_owner(&c, 0, lb->n_workers);
		} else {
			owner = (int)flow_owner(&pi.dst, pi.dport, lb->n_workers);
		}
	} else {
		return DK_DP_LB_KEEP;
	}
	if ((unsigned)owner != x->idx) {
		if (rte_ring_sp_enqueue(lb->redir[owner][x->idx], m) != 0)
			drop(x, m, DK_DP_LB_C_REDIRECT_FULL);
		else
			x->cnt[DK_DP_LB_C_REDIRECT]++;
		return DK_DP_LB_DONE;
	}
	return forward(lb, x, m, in_port, &pi, svc);
}
