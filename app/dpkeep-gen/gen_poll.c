/* dpkeep-gen poll loops: paced TX of patched template copies, RX counting and stamps. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "dk_pkt.h"
#include "gen.h"

const char *const gen_counter_names[GEN_CNT_MAX] = { GEN_COUNTERS(DK_XSTR) };

static struct gen_state *state;

void
gen_set_state(struct gen_state *g)
{
	state = g;
}

static unsigned
tx_step(struct gen_ctx *c, uint64_t now)
{
	struct rte_mbuf *m[GEN_BURST];
	const struct dk_gen_tmpl *t = c->tmpl;
	uint32_t n = dk_gen_tb_take(&c->tb, now,
				    c->tx_left && c->tx_left < GEN_BURST ? (uint32_t)c->tx_left :
									  GEN_BURST);
	uint16_t sent;

	if (n == 0)
		return 0;
	if (c->tx_left) {
		/* Offered is offered, sent or not: the count ends the run either way. */
		c->tx_left -= n;
		if (c->tx_left == 0)
			state->tx_done = true;
	}
	if (rte_pktmbuf_alloc_bulk(c->pool, m, n) < 0) {
		/* Every mbuf is in flight: the pool, not the link, limits; give back the
		 * tokens' worth by simply not sending (the bucket does not refund). */
		c->cnt[GEN_TX_NOMBUF] += n;
		return 0;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);

		rte_memcpy(d, t->frame, t->len);
		if (t->spec.flows > 1)
			dk_gen_apply_flow(t, d, dk_gen_flowseq_next(&c->seq));
		if (c->lat_every && ++c->lat_ctr >= c->lat_every) {
			c->lat_ctr = 0;
			dk_gen_stamp(t, d, now);
		}
		m[i]->data_len = t->len;
		m[i]->pkt_len = t->len;
	}
	sent = rte_eth_tx_burst(c->tx_port, 0, m, (uint16_t)n);
	c->cnt[GEN_TX] += sent;
	c->cnt[GEN_TX_BYTES] += (uint64_t)sent * t->len;
	if (unlikely(sent < n)) {
		/* Offered load the device did not take: counted, not retried, so that the
		 * offered rate stays what was asked for. */
		c->cnt[GEN_TX_FAIL] += n - sent;
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	}
	return sent;
}

/* Stands in for the real servers behind a load balancer: answers ARP requests for the
 * configured range with the generator's MAC, so DR/NAT frames find their way back. */
static void
arp_answer(struct gen_ctx *c, struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct dk_pkt_info pi;
	struct rte_mbuf *r;
	struct dk_l2 l2;
	uint32_t tip;
	int n;

	if (m->data_len < 42 || f[12] != 0x08 || f[13] != 0x06)
		return;
	if (dk_pkt_parse(f, m->data_len, &pi) != DK_PKT_OK || pi.arp_op != 1)
		return;
	tip = ntohl(pi.arp_tpa.v4);
	if (tip < c->arp_range.lo || tip > c->arp_range.hi)
		return;
	r = rte_pktmbuf_alloc(c->pool);
	if (r == NULL)
		return;
	memset(&l2, 0, sizeof(l2));
	l2.src = c->mac;
	l2.dst = pi.arp_sha;
	n = dk_build_arp_reply(rte_pktmbuf_mtod(r, uint8_t *), rte_pktmbuf_tailroom(r), &l2,
			       &pi.arp_tpa, &pi.arp_spa);
	if (n < 0) {
		rte_pktmbuf_free(r);
		return;
	}
	r->data_len = r->pkt_len = (uint16_t)n;
	if (rte_eth_tx_burst(c->rx_port, 0, &r, 1) == 1)
		c->cnt[GEN_ARP_REPLIES]++;
	else
		rte_pktmbuf_free(r);
}

/* The stand-in servers' answers go back on queue 0 of the RX port in one burst. */
static void
reflect_flush(struct gen_ctx *c, struct rte_mbuf **m, uint16_t n)
{
	uint16_t sent;

	if (n == 0)
		return;
	sent = rte_eth_tx_burst(c->rx_port, 0, m, n);
	c->cnt[GEN_REFLECTED] += sent;
	if (unlikely(sent < n)) {
		c->cnt[GEN_REFLECT_FAIL] += n - sent;
		rte_pktmbuf_free_bulk(m + sent, n - sent);
	}
}

static unsigned
rx_queue(struct gen_state *g, struct gen_ctx *c, uint16_t q)
{
	struct rte_mbuf *m[GEN_BURST], *back[GEN_BURST], *done[GEN_BURST];
	uint16_t n = rte_eth_rx_burst(c->rx_port, q, m, GEN_BURST), n_back = 0, n_done = 0;
	uint64_t now = 0, tsc;

	if (n == 0)
		return 0;
	if (c->lat_every)
		now = rte_rdtsc();
	for (uint16_t i = 0; i < n; i++) {
		uint8_t *d = rte_pktmbuf_mtod(m[i], uint8_t *);

		/* What the device under test asks of the real servers is not a return. */
		if (unlikely(c->arp_reply) && d[12] == 0x08 && d[13] == 0x06) {
			arp_answer(c, m[i]);
			done[n_done++] = m[i];
			continue;
		}
		if (c->reflect && m[i]->nb_segs == 1 &&
		    dk_gen_reflect(d, m[i]->data_len, &c->reflect_range)) {
			back[n_back++] = m[i];
			continue;
		}
		c->cnt[GEN_RX]++;
		c->cnt[GEN_RX_BYTES] += m[i]->pkt_len;
		if (c->lat_every && m[i]->nb_segs == 1 &&
		    dk_gen_stamp_read(d, m[i]->data_len, &tsc) && tsc <= now && g->warm) {
			c->cnt[GEN_RX_STAMPED]++;
			dk_gen_hist_add(&c->hist, now - tsc);
		}
		done[n_done++] = m[i];
	}
	reflect_flush(c, back, n_back);
	if (n_done)
		rte_pktmbuf_free_bulk(done, n_done);
	return n;
}

static unsigned
rx_step(struct gen_state *g, struct gen_ctx *c)
{
	unsigned n = 0;

	for (uint16_t q = 0; q < c->n_rxq; q++)
		n += rx_queue(g, c, q);
	return n;
}

unsigned
gen_poll(struct gen_state *g, struct gen_ctx *c, uint64_t now)
{
	unsigned n = 0;

	if (c->tx && !g->tx_stop && !g->tx_done)
		n += tx_step(c, now);
	if (c->rx)
		n += rx_step(g, c);
	return n;
}

int
gen_lcore_main(void *arg)
{
	struct gen_ctx *c = arg;

	while (!state->rx_stop && !(state->tx_stop && !c->rx))
		gen_poll(state, c, rte_rdtsc());
	return 0;
}
