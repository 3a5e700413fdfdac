/*
 * Packet building for dpkeep-gen, on byte buffers (no DPDK): a traffic spec becomes one
 * template frame; each packet is a copy of it with one flow's addresses and ports
 * patched in (checksums updated incrementally, so the cost per packet does not depend
 * on the frame size). Also the pieces around it that deserve tests of their own: flow
 * sequences, latency stamps, a latency histogram, a token bucket, argument parsers.
 * IPv4 only.
 */
#ifndef DK_GEN_H
#define DK_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_pktbuild.h"

#define DK_GEN_MIN_SIZE 64     /* on the wire, FCS included, like pktgen */
#define DK_GEN_MAX_SIZE 1518
#define DK_GEN_FCS 4
#define DK_GEN_STAMP_LEN 12    /* magic (4) + TSC (8), in the last bytes of the frame */
#define DK_GEN_STAMP_MAGIC 0x64b7a11eU

enum dk_gen_dist {
	DK_GEN_DIST_SEQ,     /* flows in turn: 0, 1, ..., N-1, 0, ... */
	DK_GEN_DIST_UNIFORM, /* each packet picks a flow at random */
};

enum dk_gen_tcp_mode {
	DK_GEN_TCP_EST, /* ACK with data: an established connection */
	DK_GEN_TCP_SYN, /* bare SYN: every packet opens a connection */
};

/* An inclusive range of host-order values (IPv4 addresses or ports). */
struct dk_gen_range {
	uint32_t lo;
	uint32_t hi;
};

struct dk_gen_spec {
	struct dk_l2 l2;
	uint8_t proto;              /* DK_IPPROTO_UDP or DK_IPPROTO_TCP */
	enum dk_gen_tcp_mode tcp;
	struct dk_gen_range src_ip;
	struct dk_gen_range dst_ip;
	struct dk_gen_range sport;
	struct dk_gen_range dport;
	uint16_t size;              /* wire size with FCS; the frame built is size - 4 */
	uint32_t flows;             /* distinct 5-tuples, at most the product of the ranges */
};

/* The template frame and where its fields are. */
struct dk_gen_tmpl {
	uint8_t frame[DK_GEN_MAX_SIZE];
	uint16_t len;
	uint16_t l3_off;
	uint16_t l4_off;
	uint16_t l4_cksum_off;
	uint16_t payload_len;
	struct dk_gen_spec spec;
	uint64_t n_sip, n_sport, n_dip, n_dport; /* range sizes, for the flow -> tuple map */
};

/* One flow's tuple, host order. */
struct dk_gen_tuple {
	uint32_t sip, dip;
	uint16_t sport, dport;
};

/* Validates spec and builds the template (flow 0). -EINVAL with a wrong spec, -ERANGE
 * when flows exceeds the distinct tuples the ranges allow. */
int dk_gen_tmpl_init(struct dk_gen_tmpl *t, const struct dk_gen_spec *spec);
/* Flow index (< spec.flows) -> tuple: source address varies fastest, then source port,
 * destination address, destination port. */
void dk_gen_flow_tuple(const struct dk_gen_tmpl *t, uint32_t flow, struct dk_gen_tuple *out);
/* Writes flow's tuple into frame, a copy of t->frame, with checksums kept valid. */
void dk_gen_apply_flow(const struct dk_gen_tmpl *t, uint8_t *frame, uint32_t flow);

/* Latency stamp in the frame's last DK_GEN_STAMP_LEN bytes (payload, which every
 * forwarding method keeps): the L4 checksum is updated so the frame stays valid.
 * Returns -ENOSPC when the payload is too small (TCP below 70 bytes). */
int dk_gen_stamp(const struct dk_gen_tmpl *t, uint8_t *frame, uint64_t tsc);
/* Reads a stamp back from a received frame of len bytes; false when there is none. */
bool dk_gen_stamp_read(const uint8_t *frame, size_t len, uint64_t *tsc);

/*
 * Stands in for the real servers behind a NAT or FNAT load balancer: a frame of IPv4
 * UDP or TCP (VLAN tag allowed) to an address in servers becomes, in place, that
 * server's answer: Ethernet addresses, IPv4 addresses and L4 ports swapped, so it goes
 * back to whoever sent it (the balancer) and the payload (the latency stamp) rides
 * along. The checksums hold as they are: a one's-complement sum does not depend on the
 * order of its terms. Returns false, with the frame untouched, for anything else.
 */
bool dk_gen_reflect(uint8_t *frame, size_t len, const struct dk_gen_range *servers);

/* Flow sequence. */
struct dk_gen_flowseq {
	enum dk_gen_dist dist;
	uint32_t flows;
	uint32_t next;
	uint64_t rng;
};
void dk_gen_flowseq_init(struct dk_gen_flowseq *s, enum dk_gen_dist dist, uint32_t flows,
			 uint64_t seed);
static inline uint32_t
dk_gen_flowseq_next(struct dk_gen_flowseq *s)
{
	uint32_t f;

	if (s->dist == DK_GEN_DIST_SEQ) {
		f = s->next;
		s->next = f + 1 == s->flows ? 0 : f + 1;
		return f;
	}
	/* xorshift64*, then a multiply-shift into [0, flows) (no modulo bias worth noting
	 * for flow counts far below 2^32). */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (uint32_t)(((s->rng * 0x2545f4914f6cdd1dULL) >> 32) * s->flows >> 32);
}

/*
 * Latency histogram in log-linear buckets (8 sub-buckets per power of two) of any unit
 * (the app records TSC cycles): relative error under 12.5% from 8 units up, exact below.
 */
#define DK_GEN_HIST_SUB 8
#define DK_GEN_HIST_BUCKETS (64 * DK_GEN_HIST_SUB)
struct dk_gen_hist {
	uint64_t count[DK_GEN_HIST_BUCKETS];
	uint64_t n;
	uint64_t min, max;
	long double sum;
};
void dk_gen_hist_reset(struct dk_gen_hist *h);
void dk_gen_hist_add(struct dk_gen_hist *h, uint64_t v);
void dk_gen_hist_merge(struct dk_gen_hist *into, const struct dk_gen_hist *from);
/* The value under which a fraction q (0..1) of the samples lie (the upper edge of the
 * bucket holding that rank, capped at max); 0 when empty. */
uint64_t dk_gen_hist_quantile(const struct dk_gen_hist *h, double q);

/*
 * Token bucket on an injected clock of hz ticks per second (the TSC in the app). Credit
 * is kept in packet*tick units so that no rounding drifts the long-run rate. rate 0
 * means unlimited.
 */
struct dk_gen_tb {
	uint64_t rate;   /* packets per second */
	uint64_t hz;
	uint64_t burst;  /* most packets granted at once after idling */
	uint64_t last;
	unsigned __int128 credit;
};
void dk_gen_tb_init(struct dk_gen_tb *tb, uint64_t rate, uint64_t hz, uint64_t burst,
		    uint64_t now);
/* How many of want packets may go now (and takes them). */
uint32_t dk_gen_tb_take(struct dk_gen_tb *tb, uint64_t now, uint32_t want);

/* "A" or "A-B" of IPv4 addresses. */
int dk_gen_parse_ip_range(const char *s, struct dk_gen_range *out);
/* "P" or "P-Q" of ports. */
int dk_gen_parse_port_range(const char *s, struct dk_gen_range *out);
/* "N%" (0 < N <= 100) -> *pct, *pps 0; "N", "N.NK", "N.NM" (packets per second) -> *pps. */
int dk_gen_parse_rate(const char *s, double *pct, uint64_t *pps);
/* Packets per second at pct of a link of mbps for frames of size (FCS included) plus the
 * 20 bytes of preamble and inter-frame gap each one costs on the wire. */
uint64_t dk_gen_line_rate(uint32_t mbps, uint16_t size, double pct);

#endif
