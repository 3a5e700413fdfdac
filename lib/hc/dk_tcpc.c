/* The TCP endpoint: handshake, send with retransmission, ordered receive, close. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_tcpc.h"

#define OOO_MAX 8
#define DEFAULT_PEER_MSS 536

/* Sequence arithmetic modulo 2^32. */
#define SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)
#define SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

struct ooo_range {
	uint32_t start;
	uint32_t end;
};

struct dk_tcpc {
	struct dk_tcpc_params p;
	enum dk_tcpc_state state;
	enum dk_hc_result error;
	bool used;

	uint32_t iss, snd_una, snd_nxt, snd_wnd, snd_wl1, snd_wl2;
	uint16_t peer_mss;
	bool fin_pending; /* shutdown asked */
	bool fin_sent;    /* FIN is within [snd_una, snd_nxt) */
	uint8_t *sbuf;    /* sbuf[0] is the byte at snd_una (after the SYN) */
	uint32_t slen;

	uint32_t irs, rcv_nxt;
	bool fin_rcvd;
	bool ooo_fin;
	uint32_t ooo_fin_seq;
	uint8_t *rbuf; /* rbuf[rlen] is the byte at rcv_nxt */
	uint32_t rlen;
	struct ooo_range ooo[OOO_MAX];
	unsigned n_ooo;

	uint64_t rto_us;
	uint32_t retries;
	uint64_t rtx_at;     /* retransmission or persist timer; UINT64_MAX when idle */
	bool persist;        /* rtx_at is the zero-window probe timer */
	uint64_t tw_until;   /* TIME_WAIT end */
	uint64_t counters[DK_TCPC_C_MAX];
};

static const char *const state_names[] = { DK_TCPC_STATES(DK_XSTR) };
static const char *const counter_names[] = { DK_TCPC_COUNTERS(DK_XSTR) };

const char *
dk_tcpc_state_str(enum dk_tcpc_state s)
{
	return (unsigned)s < DK_TCPC_STATE_MAX ? state_names[s] : "unknown";
}

const char *
dk_tcpc_counter_str(enum dk_tcpc_counter c)
{
	return (unsigned)c < DK_TCPC_C_MAX ? counter_names[c] : "unknown";
}

int
dk_tcpc_create(const struct dk_tcpc_params *p, struct dk_tcpc **out)
{
	struct dk_tcpc *c;

	if (!p || !out || !p->tx || p->rcvbuf > 65535)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = *p;
	if (!c->p.mss)
		c->p.mss = 1460;
	if (!c->p.rcvbuf)
		c->p.rcvbuf = 16384;
	if (!c->p.sndbuf)
		c->p.sndbuf = 16384;
	if (!c->p.rto_us)
		c->p.rto_us = DK_USEC_PER_SEC;
	if (!c->p.rto_max_us)
		c->p.rto_max_us = 8 * DK_USEC_PER_SEC;
	if (!c->p.syn_retries)
		c->p.syn_retries = 3;
	if (!c->p.data_retries)
		c->p.data_retries = 5;
	if (!c->p.time_wait_us)
		c->p.time_wait_us = DK_USEC_PER_SEC;
	c->sbuf = malloc(c->p.sndbuf);
	if (!c->sbuf)
		goto fail_sbuf;
	c->rbuf = malloc(c->p.rcvbuf);
	if (!c->rbuf)
		goto fail_rbuf;
	c->state = DK_TCPC_CLOSED;
	c->error = DK_HC_OK;
	c->rtx_at = UINT64_MAX;
	c->tw_until = UINT64_MAX;
	c->rto_us = c->p.rto_us;
	*out = c;
	return 0;
fail_rbuf:
	free(c->sbuf);
fail_sbuf:
	free(c);
	return -ENOMEM;
}

void
dk_tcpc_free(struct dk_tcpc *c)
{
	if (!c)
		return;
	free(c->sbuf);
	free(c->rbuf);
	free(c);
}

static uint16_t
rcv_wnd(const struct dk_tcpc *c)
{
	return (uint16_t)(c->p.rcvbuf - c->rlen);
}

static void
emit(struct dk_tcpc *c, uint32_t seq, uint8_t flags, const uint8_t *data, uint32_t len)
{
	struct dk_tcp_seg s = {
		.seq = seq,
		.flags = flags,
		.payload = data,
		.len = len,
	};

	if (flags & DK_TCP_F_ACK) {
		s.ack = c->rcv_nxt;
		s.window = rcv_wnd(c);
	}
	if (flags & DK_TCP_F_SYN) {
		s.mss = c->p.mss;
		s.window = rcv_wnd(c);
	}
	c->counters[DK_TCPC_C_SEGS_OUT]++;
	c->p.tx(c->p.tx_arg, &s);
}

static void
send_ack(struct dk_tcpc *c)
{
	emit(c, c->snd_nxt, DK_TCP_F_ACK, NULL, 0);
}

static void
enter_closed(struct dk_tcpc *c, enum dk_hc_result err)
{
	c->state = DK_TCPC_CLOSED;
	if (err != DK_HC_OK && c->error == DK_HC_OK)
		c->error = err;
	c->rtx_at = UINT64_MAX;
	c->tw_until = UINT64_MAX;
}

static void
enter_time_wait(struct dk_tcpc *c, uint64_t now_us)
{
	c->state = DK_TCPC_TIME_WAIT;
	c->rtx_at = UINT64_MAX;
	c->tw_until = now_us + c->p.time_wait_us;
}

static bool
can_send_data(const struct dk_tcpc *c)
{
	return c->state == DK_TCPC_ESTABLISHED || c->state == DK_TCPC_CLOSE_WAIT;
}

/* States in which unacknowledged data or our FIN may still have to go out. */
static bool
can_transmit(const struct dk_tcpc *c)
{
	return can_send_data(c) || c->state == DK_TCPC_FIN_WAIT_1 ||
	       c->state == DK_TCPC_CLOSING || c->state == DK_TCPC_LAST_ACK;
}

/* Sends what the peer's window allows, then the FIN once all data is out. */
static void
flush(struct dk_tcpc *c, uint64_t now_us)
{
	uint32_t in_flight = c->snd_nxt - c->snd_una;
	uint32_t sent_data = c->fin_sent ? in_flight - 1 : in_flight;
	uint16_t mss = DK_MIN(c->peer_mss, c->p.mss);

	if (!can_transmit(c))
		return;
	while (!c->fin_sent && sent_data < c->slen && in_flight < c->snd_wnd) {
		uint32_t n = DK_MIN(c->slen - sent_data, (uint32_t)mss);

		n = DK_MIN(n, c->snd_wnd - in_flight);
		emit(c, c->snd_nxt, DK_TCP_F_ACK | DK_TCP_F_PSH, c->sbuf + sent_data, n);
		c->snd_nxt += n;
		sent_data += n;
		in_flight += n;
	}
	if (c->fin_pending && !c->fin_sent && sent_data == c->slen) {
		emit(c, c->snd_nxt, DK_TCP_F_ACK | DK_TCP_F_FIN, NULL, 0);
		c->snd_nxt++;
		c->fin_sent = true;
		in_flight++;
		if (c->state == DK_TCPC_ESTABLISHED)
			c->state = DK_TCPC_FIN_WAIT_1;
		else if (c->state == DK_TCPC_CLOSE_WAIT)
			c->state = DK_TCPC_LAST_ACK;
	}
	if (in_flight) {
		if (c->rtx_at == UINT64_MAX || c->persist)
			c->rtx_at = now_us + c->rto_us;
		c->persist = false;
	} else if (sent_data < c->slen && c->snd_wnd == 0) {
		if (c->rtx_at == UINT64_MAX) {
			c->rtx_at = now_us + c->rto_us;
			c->persist = true;
		}
	} else {
		c->rtx_at = UINT64_MAX;
		c->persist = false;
	}
}

int
dk_tcpc_connect(struct dk_tcpc *c, uint64_t now_us)
{
	if (c->used)
		return -EISCONN;
	c->used = true;
	c->iss = c->p.iss;
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->state = DK_TCPC_SYN_SENT;
	emit(c, c->iss, DK_TCP_F_SYN, NULL, 0);
	c->rtx_at = now_us + c->rto_us;
	return 0;
}

static void
backoff(struct dk_tcpc *c)
{
	c->rto_us = DK_MIN(c->rto_us * 2, c->p.rto_max_us);
}

void
dk_tcpc_on_timer(struct dk_tcpc *c, uint64_t now_us)
{
	if (c->state == DK_TCPC_TIME_WAIT && now_us >= c->tw_until) {
		enter_closed(c, DK_HC_OK);
		return;
	}
	if (c->rtx_at == UINT64_MAX || now_us < c->rtx_at)
		return;
	c->rtx_at = UINT64_MAX;
	if (c->state == DK_TCPC_SYN_SENT) {
		if (++c->retries > c->p.syn_retries) {
			enter_closed(c, DK_HC_CONNECT_TIMEOUT);
			return;
		}
		backoff(c);
		c->counters[DK_TCPC_C_RETRANSMITS]++;
		emit(c, c->iss, DK_TCP_F_SYN, NULL, 0);
		c->rtx_at = now_us + c->rto_us;
		return;
	}
	if (c->persist) {
		/* a byte-less probe below the window makes the peer re-advertise it */
		c->persist = false;
		backoff(c);
		c->counters[DK_TCPC_C_WINDOW_PROBES]++;
		emit(c, c->snd_una - 1, DK_TCP_F_ACK, NULL, 0);
		c->rtx_at = now_us + c->rto_us;
		c->persist = true;
		return;
	}
	if (c->snd_nxt == c->snd_una)
		return;
	if (++c->retries > c->p.data_retries) {
		emit(c, c->snd_nxt, DK_TCP_F_RST | DK_TCP_F_ACK, NULL, 0);
		enter_closed(c, DK_HC_WRITE_TIMEOUT);
		return;
	}
	backoff(c);
	c->counters[DK_TCPC_C_RETRANSMITS]++;
	/* go back N: resend everything unacknowledged, the FIN included */
	c->snd_nxt = c->snd_una;
	c->fin_sent = false;
	flush(c, now_us);
}

uint64_t
dk_tcpc_next_timeout(const struct dk_tcpc *c)
{
	if (c->state == DK_TCPC_TIME_WAIT)
		return c->tw_until;
	if (c->state == DK_TCPC_CLOSED)
		return UINT64_MAX;
	return c->rtx_at;
}

static void
syn_sent_input(struct dk_tcpc *c, const struct dk_tcp_seg *s, uint64_t now_us)
{
	bool ack_ok = (s->flags & DK_TCP_F_ACK) && s->ack == c->iss + 1;

	if ((s->flags & DK_TCP_F_ACK) && !ack_ok) {
		c->counters[DK_TCPC_C_UNACCEPTABLE]++;
		if (!(s->flags & DK_TCP_F_RST))
			emit(c, s->ack, DK_TCP_F_RST, NULL, 0);
		return;
	}
	if (s->flags & DK_TCP_F_RST) {
		if (ack_ok)
			enter_closed(c, DK_HC_CONNECT_REFUSED);
		else
			c->counters[DK_TCPC_C_UNACCEPTABLE]++;
		return;
	}
	/* a SYN without ACK would be a simultaneous open, which a probe never wants */
	if (!(s->flags & DK_TCP_F_SYN) || !ack_ok) {
		c->counters[DK_TCPC_C_UNACCEPTABLE]++;
		return;
	}
	c->irs = s->seq;
	c->rcv_nxt = s->seq + 1;
	c->snd_una = c->iss + 1;
	c->snd_wnd = s->window;
	c->snd_wl1 = s->seq;
	c->snd_wl2 = s->ack;
	c->peer_mss = s->mss ? s->mss : DEFAULT_PEER_MSS;
	c->state = DK_TCPC_ESTABLISHED;
	c->retries = 0;
	c->rto_us = c->p.rto_us;
	c->rtx_at = UINT64_MAX;
	/* data on a SYN-ACK is not taken: the peer will send it again */
	send_ack(c);
	flush(c, now_us);
}

static bool
acceptable(const struct dk_tcpc *c, uint32_t seq, uint32_t seglen)
{
	uint32_t wnd = rcv_wnd(c);

	if (seglen == 0) {
		if (wnd == 0)
			return seq == c->rcv_nxt;
		return SEQ_GEQ(seq, c->rcv_nxt) && SEQ_LT(seq, c->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	/* any overlap with [rcv_nxt, rcv_nxt + wnd) */
	return SEQ_LT(seq, c->rcv_nxt + wnd) && SEQ_GT(seq + seglen, c->rcv_nxt);
}

static void
process_ack(struct dk_tcpc *c, const struct dk_tcp_seg *s, uint64_t now_us)
{
	uint32_t acked, data_acked;

	if (SEQ_GT(s->ack, c->snd_nxt)) {
		c->counters[DK_TCPC_C_UNACCEPTABLE]++;
		send_ack(c);
		return;
	}
	if (SEQ_GEQ(s->ack, c->snd_una) &&
	    (SEQ_LT(c->snd_wl1, s->seq) ||
	     (c->snd_wl1 == s->seq && SEQ_LEQ(c->snd_wl2, s->ack)))) {
		c->snd_wnd = s->window;
		c->snd_wl1 = s->seq;
		c->snd_wl2 = s->ack;
		if (c->persist && c->snd_wnd) {
			/* the window reopened: the probe backoff says nothing about the path */
			c->persist = false;
			c->rtx_at = UINT64_MAX;
			c->rto_us = c->p.rto_us;
		}
	}
	if (!SEQ_GT(s->ack, c->snd_una))
		goto out;
	acked = s->ack - c->snd_una;
	data_acked = acked;
	if (c->fin_sent && s->ack == c->snd_nxt)
		data_acked--;
	data_acked = DK_MIN(data_acked, c->slen);
	memmove(c->sbuf, c->sbuf + data_acked, c->slen - data_acked);
	c->slen -= data_acked;
	c->snd_una = s->ack;
	c->retries = 0;
	c->rto_us = c->p.rto_us;
	c->rtx_at = UINT64_MAX;
	if (c->fin_sent && c->snd_una == c->snd_nxt) {
		if (c->state == DK_TCPC_FIN_WAIT_1)
			c->state = DK_TCPC_FIN_WAIT_2;
		else if (c->state == DK_TCPC_CLOSING)
			enter_time_wait(c, now_us);
		else if (c->state == DK_TCPC_LAST_ACK)
			enter_closed(c, DK_HC_OK);
	}
out:
	if (c->state != DK_TCPC_CLOSED && c->state != DK_TCPC_TIME_WAIT)
		flush(c, now_us);
}

static void
ooo_insert(struct dk_tcpc *c, uint32_t start, uint32_t end)
{
	unsigned i;

	for (i = 0; i < c->n_ooo; i++) {
		struct ooo_range *r = &c->ooo[i];

		if (SEQ_LEQ(start, r->end) && SEQ_GEQ(end, r->start)) {
			if (SEQ_LT(start, r->start))
				r->start = start;
			if (SEQ_GT(end, r->end))
				r->end = end;
			return;
		}
	}
	c->ooo[c->n_ooo].start = start;
	c->ooo[c->n_ooo].end = end;
	c->n_ooo++;
}

/* Moves rcv_nxt over out-of-order ranges that have become contiguous. */
static void
ooo_merge(struct dk_tcpc *c)
{
	bool again = true;

	while (again) {
		again = false;
		for (unsigned i = 0; i < c->n_ooo; i++) {
			struct ooo_range r = c->ooo[i];

			if (SEQ_GT(r.start, c->rcv_nxt))
				continue;
			if (SEQ_GT(r.end, c->rcv_nxt)) {
				c->rlen += r.end - c->rcv_nxt;
				c->rcv_nxt = r.end;
			}
			c->ooo[i] = c->ooo[--c->n_ooo];
			again = true;
			break;
		}
	}
}

static void
accept_fin(struct dk_tcpc *c, uint64_t now_us)
{
	c->rcv_nxt++;
	c->fin_rcvd = true;
	c->ooo_fin = false;
	switch (c->state) {
	case DK_TCPC_ESTABLISHED:
		c->state = DK_TCPC_CLOSE_WAIT;
		break;
	case DK_TCPC_FIN_WAIT_1:
		c->state = DK_TCPC_CLOSING;
		break;
	case DK_TCPC_FIN_WAIT_2:
		enter_time_wait(c, now_us);
		break;
	default:
		break;
	}
}

/* Takes payload and FIN of an acceptable segment; returns whether to ACK. */
static bool
process_data(struct dk_tcpc *c, const struct dk_tcp_seg *s, uint64_t now_us)
{
	uint32_t seq = s->seq, len = s->len;
	const uint8_t *data = s->payload;
	bool fin = s->flags & DK_TCP_F_FIN;
	uint32_t wnd, off, n;

	if (c->fin_rcvd) {
		if (len || fin)
			c->counters[DK_TCPC_C_DUP_SEGS]++;
		return len || fin;
	}
	if (SEQ_LT(seq, c->rcv_nxt)) {
		uint32_t skip = c->rcv_nxt - seq;

		if (skip >= len) {
			/* only old bytes, perhaps followed by the FIN at rcv_nxt */
			if (skip == len && fin)
				goto take_fin;
			c->counters[DK_TCPC_C_DUP_SEGS]++;
			return true;
		}
		seq += skip;
		data += skip;
		len -= skip;
	}
	wnd = rcv_wnd(c);
	off = seq - c->rcv_nxt;
	if (off >= wnd) {
		if (len)
			c->counters[DK_TCPC_C_OOO_DROPPED]++;
		return len || fin;
	}
	n = DK_MIN(len, wnd - off);
	if (n < len)
		fin = false; /* the FIN lies beyond what fits */
	if (off) {
		if (n && c->n_ooo >= OOO_MAX) {
			c->counters[DK_TCPC_C_OOO_DROPPED]++;
			return true;
		}
		c->counters[DK_TCPC_C_OOO_SEGS]++;
		/* A bare FIN may come with data == NULL, and memcpy from NULL is undefined
		 * even for zero bytes (UBSan reports it). */
		if (n) {
			memcpy(c->rbuf + c->rlen + off, data, n);
			ooo_insert(c, seq, seq + n);
		}
		if (fin) {
			c->ooo_fin = true;
			c->ooo_fin_seq = seq + n;
		}
		return true;
	}
	if (n)
		memcpy(c->rbuf + c->rlen, data, n);
	c->rlen += n;
	c->rcv_nxt += n;
	ooo_merge(c);
	if (fin)
		goto take_fin;
	if (c->ooo_fin && c->ooo_fin_seq == c->rcv_nxt)
		goto take_fin;
	/* a bare ACK is never acknowledged */
	return len > 0;
take_fin:
	accept_fin(c, now_us);
	return true;
}

void
dk_tcpc_input(struct dk_tcpc *c, const struct dk_tcp_seg *s, uint64_t now_us)
{
	uint32_t seglen;

	c->counters[DK_TCPC_C_SEGS_IN]++;
	if (!s || (s->len && !s->payload)) {
		c->counters[DK_TCPC_C_UNACCEPTABLE]++;
		return;
	}
	switch (c->state) {
	case DK_TCPC_CLOSED:
		return;
	case DK_TCPC_SYN_SENT:
		syn_sent_input(c, s, now_us);
		return;
	default:
		break;
	}
	seglen = s->len + ((s->flags & DK_TCP_F_FIN) ? 1 : 0);
	if (s->flags & DK_TCP_F_SYN) {
		/* our ACK of the SYN-ACK got lost: say it again; anything else is odd */
		if (s->seq != c->irs || (s->flags & DK_TCP_F_RST))
			c->counters[DK_TCPC_C_CHALLENGE_ACKS]++;
		send_ack(c);
		return;
	}
	if (!acceptable(c, s->seq, seglen)) {
		if (seglen && SEQ_LEQ(s->seq + seglen, c->rcv_nxt))
			c->counters[DK_TCPC_C_DUP_SEGS]++;
		else
			c->counters[DK_TCPC_C_UNACCEPTABLE]++;
		if (!(s->flags & DK_TCP_F_RST))
			send_ack(c);
		return;
	}
	if (s->flags & DK_TCP_F_RST) {
		/* RFC 5961: only an exact RST kills; one merely in window gets a challenge */
		if (s->seq == c->rcv_nxt) {
			enter_closed(c, c->state == DK_TCPC_TIME_WAIT ? DK_HC_OK : DK_HC_RESET);
		} else {
			c->counters[DK_TCPC_C_CHALLENGE_ACKS]++;
			send_ack(c);
		}
		return;
	}
	if (!(s->flags & DK_TCP_F_ACK)) {
		c->counters[DK_TCPC_C_UNACCEPTABLE]++;
		return;
	}
	process_ack(c, s, now_us);
	if (c->state == DK_TCPC_CLOSED)
		return;
	if (process_data(c, s, now_us))
		send_ack(c);
}

int
dk_tcpc_send(struct dk_tcpc *c, const void *data, size_t len, uint64_t now_us)
{
	uint32_t n;

	if (c->state != DK_TCPC_SYN_SENT && !can_send_data(c))
		return c->state == DK_TCPC_CLOSED ? -ENOTCONN : -EPIPE;
	if (c->fin_pending)
		return -EPIPE;
	n = (uint32_t)DK_MIN(len, (size_t)(c->p.sndbuf - c->slen));
	if (n > INT32_MAX)
		n = INT32_MAX;
	memcpy(c->sbuf + c->slen, data, n);
	c->slen += n;
	flush(c, now_us);
	return (int)n;
}

size_t
dk_tcpc_readable(const struct dk_tcpc *c)
{
	return c->rlen;
}

static uint32_t
ooo_extent(const struct dk_tcpc *c)
{
	uint32_t ext = 0;

	for (unsigned i = 0; i < c->n_ooo; i++)
		ext = DK_MAX(ext, c->ooo[i].end - c->rcv_nxt);
	return ext;
}

size_t
dk_tcpc_recv(struct dk_tcpc *c, void *buf, size_t cap)
{
	uint32_t n = (uint32_t)DK_MIN(cap, (size_t)c->rlen);
	uint32_t before = rcv_wnd(c);
	uint32_t thresh = DK_MIN((uint32_t)c->p.mss, c->p.rcvbuf / 2);

	if (!n)
		return 0;
	memcpy(buf, c->rbuf, n);
	memmove(c->rbuf, c->rbuf + n, c->rlen - n + ooo_extent(c));
	c->rlen -= n;
	/* tell a peer we stalled that there is room again */
	if (before < thresh && rcv_wnd(c) >= thresh && !c->fin_rcvd &&
	    (c->state == DK_TCPC_ESTABLISHED || c->state == DK_TCPC_FIN_WAIT_1 ||
	     c->state == DK_TCPC_FIN_WAIT_2))
		send_ack(c);
	return n;
}

int
dk_tcpc_shutdown(struct dk_tcpc *c, uint64_t now_us)
{
	if (c->state != DK_TCPC_SYN_SENT && !can_send_data(c))
		return c->state == DK_TCPC_CLOSED ? -ENOTCONN : 0;
	if (c->fin_pending)
		return 0;
	c->fin_pending = true;
	flush(c, now_us);
	return 0;
}

void
dk_tcpc_abort(struct dk_tcpc *c)
{
	if (c->state != DK_TCPC_CLOSED && c->state != DK_TCPC_SYN_SENT &&
	    c->state != DK_TCPC_TIME_WAIT)
		emit(c, c->snd_nxt, DK_TCP_F_RST | DK_TCP_F_ACK, NULL, 0);
	enter_closed(c, DK_HC_OK);
}

/* No RST: the path to the peer is gone, and a probe wants its verdict now rather than
 * after the retransmissions a kernel would spend on a soft error. */
bool
dk_tcpc_icmp_unreach(struct dk_tcpc *c, uint32_t seq)
{
	if (c->state == DK_TCPC_CLOSED || c->state == DK_TCPC_TIME_WAIT ||
	    SEQ_LT(seq, c->snd_una) || SEQ_GEQ(seq, c->snd_nxt))
		return false;
	enter_closed(c, DK_HC_ICMP_UNREACH);
	return true;
}

enum dk_tcpc_state
dk_tcpc_state(const struct dk_tcpc *c)
{
	return c->state;
}

enum dk_hc_result
dk_tcpc_error(const struct dk_tcpc *c)
{
	return c->error;
}

bool
dk_tcpc_connected(const struct dk_tcpc *c)
{
	return c->state != DK_TCPC_CLOSED && c->state != DK_TCPC_SYN_SENT;
}

bool
dk_tcpc_peer_closed(const struct dk_tcpc *c)
{
	return c->fin_rcvd;
}

bool
dk_tcpc_finished(const struct dk_tcpc *c)
{
	return c->used && (c->state == DK_TCPC_CLOSED || c->state == DK_TCPC_TIME_WAIT);
}

uint64_t
dk_tcpc_counter(const struct dk_tcpc *c, enum dk_tcpc_counter which)
{
	return (unsigned)which < DK_TCPC_C_MAX ? c->counters[which] : 0;
}
