/* The TCP client against scripted peers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <errno.h>

#include "dk_tcpc.h"

#define S DK_USEC_PER_SEC
#define ISS 1000u
#define IRS 5000u
#define MAXSEG 64

struct seen {
	struct dk_tcp_seg seg;
	uint8_t data[2048];
};

static struct seen out[MAXSEG];
static unsigned n_out;

static void
tx(void *arg, const struct dk_tcp_seg *s)
{
	(void)arg;
	assert_true(n_out < MAXSEG);
	out[n_out].seg = *s;
	assert_true(s->len <= sizeof(out[n_out].data));
	if (s->len)
		memcpy(out[n_out].data, s->payload, s->len);
	out[n_out].seg.payload = out[n_out].data;
	n_out++;
}

static const struct dk_tcp_seg *
last(void)
{
	assert_true(n_out > 0);
	return &out[n_out - 1].seg;
}

static struct dk_tcpc *
mk(uint32_t rcvbuf)
{
	struct dk_tcpc_params p = { .iss = ISS, .rcvbuf = rcvbuf, .tx = tx };
	struct dk_tcpc *c;

	n_out = 0;
	assert_int_equal(dk_tcpc_create(&p, &c), 0);
	return c;
}

static void
peer(struct dk_tcpc *c, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t win,
     const char *data, uint64_t now)
{
	struct dk_tcp_seg s = {
		.seq = seq,
		.ack = ack,
		.flags = flags,
		.window = win,
		.payload = (const uint8_t *)data,
		.len = data ? (uint32_t)strlen(data) : 0,
	};

	dk_tcpc_input(c, &s, now);
}

/* Connected endpoint: our next seq is ISS+1, the peer's IRS+1. */
static struct dk_tcpc *
established(uint32_t rcvbuf, uint16_t peer_win)
{
	struct dk_tcpc *c = mk(rcvbuf);
	struct dk_tcp_seg s = { .seq = IRS, .ack = ISS + 1, .window = peer_win, .mss = 1000,
				.flags = DK_TCP_F_SYN | DK_TCP_F_ACK };

	assert_int_equal(dk_tcpc_connect(c, 0), 0);
	dk_tcpc_input(c, &s, 10);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_ESTABLISHED);
	n_out = 0;
	return c;
}

static void
handshake(void **state)
{
	struct dk_tcpc *c = mk(0);
	struct dk_tcp_seg s = { .seq = IRS, .ack = ISS + 1, .window = 8192, .mss = 1400,
				.flags = DK_TCP_F_SYN | DK_TCP_F_ACK };

	(void)state;
	assert_int_equal(dk_tcpc_connect(c, 0), 0);
	assert_int_equal(dk_tcpc_connect(c, 0), -EISCONN);
	assert_int_equal(n_out, 1);
	assert_int_equal(out[0].seg.flags, DK_TCP_F_SYN);
	assert_int_equal(out[0].seg.seq, ISS);
	assert_int_equal(out[0].seg.mss, 1460);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_SYN_SENT);
	dk_tcpc_input(c, &s, 100);
	assert_true(dk_tcpc_connected(c));
	assert_int_equal(last()->flags, DK_TCP_F_ACK);
	assert_int_equal(last()->seq, ISS + 1);
	assert_int_equal(last()->ack, IRS + 1);
	assert_int_equal(dk_tcpc_next_timeout(c), UINT64_MAX);
	/* the SYN-ACK again (our ACK was lost): answered with the same ACK */
	n_out = 0;
	dk_tcpc_input(c, &s, 200);
	assert_int_equal(n_out, 1);
	assert_int_equal(last()->ack, IRS + 1);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_ESTABLISHED);
	dk_tcpc_free(c);
}

static void
lost_synack_retransmits_with_backoff(void **state)
{
	struct dk_tcpc *c = mk(0);

	(void)state;
	dk_tcpc_connect(c, 0);
	assert_int_equal(dk_tcpc_next_timeout(c), 1 * S);
	dk_tcpc_on_timer(c, S - 1);
	assert_int_equal(n_out, 1);
	dk_tcpc_on_timer(c, 1 * S);
	assert_int_equal(n_out, 2);
	assert_int_equal(out[1].seg.flags, DK_TCP_F_SYN);
	assert_int_equal(out[1].seg.seq, ISS);
	assert_int_equal(dk_tcpc_next_timeout(c), 3 * S);
	dk_tcpc_on_timer(c, 3 * S);
	assert_int_equal(dk_tcpc_next_timeout(c), 7 * S);
	dk_tcpc_on_timer(c, 7 * S);
	assert_int_equal(n_out, 4);
	assert_int_equal(dk_tcpc_counter(c, DK_TCPC_C_RETRANSMITS), 3);
	dk_tcpc_on_timer(c, 15 * S);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSED);
	assert_int_equal(dk_tcpc_error(c), DK_HC_CONNECT_TIMEOUT);
	assert_true(dk_tcpc_finished(c));
	dk_tcpc_free(c);
}

static void
late_synack_after_retransmit(void **state)
{
	struct dk_tcpc *c = mk(0);

	(void)state;
	dk_tcpc_connect(c, 0);
	dk_tcpc_on_timer(c, S);
	peer(c, IRS, ISS + 1, DK_TCP_F_SYN | DK_TCP_F_ACK, 1000, NULL, S + 5);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_ESTABLISHED);
	assert_int_equal(dk_tcpc_error(c), DK_HC_OK);
	dk_tcpc_free(c);
}

static void
rst_to_syn_is_refused(void **state)
{
	struct dk_tcpc *c = mk(0);

	(void)state;
	dk_tcpc_connect(c, 0);
	/* a RST that does not acknowledge our SYN is ignored */
	peer(c, 0, ISS + 7, DK_TCP_F_RST | DK_TCP_F_ACK, 0, NULL, 1);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_SYN_SENT);
	peer(c, 0, ISS + 1, DK_TCP_F_RST | DK_TCP_F_ACK, 0, NULL, 2);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSED);
	assert_int_equal(dk_tcpc_error(c), DK_HC_CONNECT_REFUSED);
	assert_int_equal(dk_tcpc_send(c, "x", 1, 3), -ENOTCONN);
	dk_tcpc_free(c);
}

static void
icmp_unreach_ends_at_once(void **state)
{
	struct dk_tcpc *c = mk(0);

	(void)state;
	dk_tcpc_connect(c, 0);
	/* a quoted sequence number that is not in flight is someone else's */
	assert_false(dk_tcpc_icmp_unreach(c, ISS + 1));
	assert_false(dk_tcpc_icmp_unreach(c, ISS - 1));
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_SYN_SENT);
	n_out = 0;
	assert_true(dk_tcpc_icmp_unreach(c, ISS));
	assert_int_equal(n_out, 0);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSED);
	assert_int_equal(dk_tcpc_error(c), DK_HC_ICMP_UNREACH);
	assert_true(dk_tcpc_finished(c));
	assert_int_equal(dk_tcpc_next_timeout(c), UINT64_MAX);
	assert_false(dk_tcpc_icmp_unreach(c, ISS));
	dk_tcpc_free(c);

	/* established with data in flight: the quote must fall within it */
	c = established(0, 1000);
	assert_int_equal(dk_tcpc_send(c, "GET /", 5, 20), 5);
	assert_false(dk_tcpc_icmp_unreach(c, ISS + 6));
	assert_true(dk_tcpc_icmp_unreach(c, ISS + 3));
	assert_int_equal(dk_tcpc_error(c), DK_HC_ICMP_UNREACH);
	dk_tcpc_free(c);
}

static void
bad_ack_in_syn_sent_gets_rst(void **state)
{
	struct dk_tcpc *c = mk(0);

	(void)state;
	dk_tcpc_connect(c, 0);
	peer(c, IRS, ISS + 50, DK_TCP_F_SYN | DK_TCP_F_ACK, 1000, NULL, 1);
	assert_int_equal(last()->flags, DK_TCP_F_RST);
	assert_int_equal(last()->seq, ISS + 50);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_SYN_SENT);
	dk_tcpc_free(c);
}

static void
send_data_and_retransmit(void **state)
{
	struct dk_tcpc *c = mk(0);

	(void)state;
	dk_tcpc_connect(c, 0);
	/* queued before the handshake, sent once established */
	assert_int_equal(dk_tcpc_send(c, "GET / HTTP/1.0\r\n\r\n", 18, 0), 18);
	assert_int_equal(n_out, 1);
	peer(c, IRS, ISS + 1, DK_TCP_F_SYN | DK_TCP_F_ACK, 1000, NULL, 10);
	assert_int_equal(n_out, 3);
	assert_int_equal(out[2].seg.len, 18);
	assert_int_equal(out[2].seg.seq, ISS + 1);
	assert_memory_equal(out[2].data, "GET /", 5);
	assert_int_equal(dk_tcpc_next_timeout(c), 10 + S);
	dk_tcpc_on_timer(c, 10 + S);
	assert_int_equal(n_out, 4);
	assert_int_equal(last()->seq, ISS + 1);
	assert_int_equal(last()->len, 18);
	/* partial ACK, then full */
	peer(c, IRS + 1, ISS + 11, DK_TCP_F_ACK, 1000, NULL, 2 * S);
	assert_int_not_equal(dk_tcpc_next_timeout(c), UINT64_MAX);
	peer(c, IRS + 1, ISS + 19, DK_TCP_F_ACK, 1000, NULL, 2 * S);
	assert_int_equal(dk_tcpc_next_timeout(c), UINT64_MAX);
	dk_tcpc_free(c);
}

static void
data_retries_exhausted(void **state)
{
	struct dk_tcpc *c = established(0, 1000);
	uint64_t now = 0;

	(void)state;
	dk_tcpc_send(c, "hello", 5, 20);
	for (int i = 0; i < 5; i++) {
		now = dk_tcpc_next_timeout(c);
		dk_tcpc_on_timer(c, now);
		assert_int_equal(last()->len, 5);
	}
	dk_tcpc_on_timer(c, dk_tcpc_next_timeout(c));
	assert_int_equal(last()->flags & DK_TCP_F_RST, DK_TCP_F_RST);
	assert_int_equal(dk_tcpc_error(c), DK_HC_WRITE_TIMEOUT);
	dk_tcpc_free(c);
}

static void
segments_respect_mss_and_window(void **state)
{
	struct dk_tcpc *c = established(0, 1500);
	static char big[3000];

	(void)state;
	memset(big, 'a', sizeof(big));
	assert_int_equal(dk_tcpc_send(c, big, sizeof(big), 20), 3000);
	/* peer MSS 1000, window 1500: 1000 + 500 */
	assert_int_equal(n_out, 2);
	assert_int_equal(out[0].seg.len, 1000);
	assert_int_equal(out[1].seg.len, 500);
	peer(c, IRS + 1, ISS + 1 + 1500, DK_TCP_F_ACK, 1500, NULL, 30);
	assert_int_equal(n_out, 4);
	assert_int_equal(out[3].seg.seq, ISS + 1 + 2500);
	dk_tcpc_free(c);
}

static void
out_of_order_and_duplicates(void **state)
{
	struct dk_tcpc *c = established(0, 1000);
	char buf[64] = { 0 };

	(void)state;
	peer(c, IRS + 1 + 6, ISS + 1, DK_TCP_F_ACK, 1000, "world", 20);
	assert_int_equal(dk_tcpc_readable(c), 0);
	assert_int_equal(last()->ack, IRS + 1); /* duplicate ACK for the hole */
	assert_int_equal(dk_tcpc_counter(c, DK_TCPC_C_OOO_SEGS), 1);
	peer(c, IRS + 1, ISS + 1, DK_TCP_F_ACK, 1000, "hello ", 21);
	assert_int_equal(last()->ack, IRS + 12);
	assert_int_equal(dk_tcpc_readable(c), 11);
	/* the same bytes again, and a segment overlapping old and new */
	peer(c, IRS + 1, ISS + 1, DK_TCP_F_ACK, 1000, "hello ", 22);
	assert_int_equal(dk_tcpc_counter(c, DK_TCPC_C_DUP_SEGS), 1);
	assert_int_equal(last()->ack, IRS + 12);
	peer(c, IRS + 7, ISS + 1, DK_TCP_F_ACK, 1000, "world!", 23);
	assert_int_equal(dk_tcpc_recv(c, buf, sizeof(buf)), 12);
	assert_string_equal(buf, "hello world!");
	dk_tcpc_free(c);
}

static void
ooo_fin_waits_for_the_gap(void **state)
{
	struct dk_tcpc *c = established(0, 1000);
	char buf[16] = { 0 };

	(void)state;
	peer(c, IRS + 4, ISS + 1, DK_TCP_F_ACK | DK_TCP_F_FIN, 1000, "def", 20);
	assert_false(dk_tcpc_peer_closed(c));
	peer(c, IRS + 1, ISS + 1, DK_TCP_F_ACK, 1000, "abc", 21);
	assert_true(dk_tcpc_peer_closed(c));
	assert_int_equal(last()->ack, IRS + 8);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSE_WAIT);
	assert_int_equal(dk_tcpc_recv(c, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "abcdef");
	dk_tcpc_free(c);
}

static void
our_zero_window(void **state)
{
	struct dk_tcpc *c = established(10, 1000);
	char buf[16];

	(void)state;
	peer(c, IRS + 1, ISS + 1, DK_TCP_F_ACK, 1000, "0123456789AB", 20);
	assert_int_equal(dk_tcpc_readable(c), 10);
	assert_int_equal(last()->ack, IRS + 11);
	assert_int_equal(last()->window, 0);
	/* more data into a closed window is not taken */
	peer(c, IRS + 11, ISS + 1, DK_TCP_F_ACK, 1000, "CD", 21);
	assert_int_equal(dk_tcpc_readable(c), 10);
	assert_int_equal(last()->ack, IRS + 11);
	n_out = 0;
	assert_int_equal(dk_tcpc_recv(c, buf, sizeof(buf)), 10);
	assert_int_equal(n_out, 1); /* window update */
	assert_int_equal(last()->window, 10);
	dk_tcpc_free(c);
}

static void
peer_zero_window_probes(void **state)
{
	struct dk_tcpc *c = established(0, 0);
	uint64_t t;

	(void)state;
	assert_int_equal(dk_tcpc_send(c, "abc", 3, 20), 3);
	assert_int_equal(n_out, 0);
	t = dk_tcpc_next_timeout(c);
	assert_int_equal(t, 20 + S);
	dk_tcpc_on_timer(c, t);
	assert_int_equal(n_out, 1);
	assert_int_equal(last()->len, 0);
	assert_int_equal(last()->seq, ISS);
	assert_int_equal(dk_tcpc_counter(c, DK_TCPC_C_WINDOW_PROBES), 1);
	assert_int_equal(dk_tcpc_next_timeout(c), t + 2 * S);
	/* the window opens: the data goes and the probe timer becomes a rtx timer */
	peer(c, IRS + 1, ISS + 1, DK_TCP_F_ACK, 100, NULL, t + 10);
	assert_int_equal(last()->len, 3);
	assert_int_equal(dk_tcpc_next_timeout(c), t + 10 + S);
	assert_int_equal(dk_tcpc_error(c), DK_HC_OK);
	dk_tcpc_free(c);
}

static void
peer_closes_first(void **state)
{
	struct dk_tcpc *c = established(0, 1000);

	(void)state;
	peer(c, IRS + 1, ISS + 1, DK_TCP_F_ACK | DK_TCP_F_FIN, 1000, "bye", 20);
	assert_true(dk_tcpc_peer_closed(c));
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSE_WAIT);
	assert_int_equal(last()->ack, IRS + 5);
	assert_int_equal(dk_tcpc_shutdown(c, 30), 0);
	assert_int_equal(last()->flags, DK_TCP_F_ACK | DK_TCP_F_FIN);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_LAST_ACK);
	/* FIN lost: retransmitted */
	dk_tcpc_on_timer(c, 30 + S);
	assert_int_equal(last()->flags, DK_TCP_F_ACK | DK_TCP_F_FIN);
	assert_int_equal(last()->seq, ISS + 1);
	peer(c, IRS + 5, ISS + 2, DK_TCP_F_ACK, 1000, NULL, 40 + S);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSED);
	assert_int_equal(dk_tcpc_error(c), DK_HC_OK);
	assert_true(dk_tcpc_finished(c));
	dk_tcpc_free(c);
}

static void
we_close_first(void **state)
{
	struct dk_tcpc *c = established(0, 1000);

	(void)state;
	dk_tcpc_send(c, "q", 1, 20);
	dk_tcpc_shutdown(c, 20);
	assert_int_equal(dk_tcpc_send(c, "x", 1, 20), -EPIPE);
	assert_int_equal(last()->flags, DK_TCP_F_ACK | DK_TCP_F_FIN);
	assert_int_equal(last()->seq, ISS + 2);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_FIN_WAIT_1);
	peer(c, IRS + 1, ISS + 3, DK_TCP_F_ACK, 1000, NULL, 30);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_FIN_WAIT_2);
	peer(c, IRS + 1, ISS + 3, DK_TCP_F_ACK | DK_TCP_F_FIN, 1000, "reply", 40);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_TIME_WAIT);
	assert_int_equal(last()->ack, IRS + 7);
	assert_true(dk_tcpc_finished(c));
	/* a retransmitted FIN is re-acknowledged in TIME_WAIT */
	n_out = 0;
	peer(c, IRS + 1, ISS + 3, DK_TCP_F_ACK | DK_TCP_F_FIN, 1000, "reply", 50);
	assert_int_equal(n_out, 1);
	assert_int_equal(last()->ack, IRS + 7);
	assert_int_equal(dk_tcpc_readable(c), 5);
	dk_tcpc_on_timer(c, 40 + S);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSED);
	dk_tcpc_free(c);
}

static void
rst_handling(void **state)
{
	struct dk_tcpc *c = established(0, 1000);

	(void)state;
	/* in window but not exact: challenge ACK, connection lives */
	peer(c, IRS + 100, 0, DK_TCP_F_RST, 0, NULL, 20);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_ESTABLISHED);
	assert_int_equal(last()->flags, DK_TCP_F_ACK);
	assert_int_equal(dk_tcpc_counter(c, DK_TCPC_C_CHALLENGE_ACKS), 1);
	/* out of window: ignored without answer */
	n_out = 0;
	peer(c, IRS - 100, 0, DK_TCP_F_RST, 0, NULL, 21);
	assert_int_equal(n_out, 0);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_ESTABLISHED);
	peer(c, IRS + 1, 0, DK_TCP_F_RST, 0, NULL, 22);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSED);
	assert_int_equal(dk_tcpc_error(c), DK_HC_RESET);
	dk_tcpc_free(c);
}

static void
garbage_is_answered_not_fatal(void **state)
{
	struct dk_tcpc *c = established(0, 1000);
	struct dk_tcp_seg bad = { .seq = IRS + 1, .flags = DK_TCP_F_ACK, .len = 10 };

	(void)state;
	dk_tcpc_input(c, &bad, 20); /* payload NULL with a length */
	dk_tcpc_input(c, NULL, 20);
	/* acks data never sent */
	peer(c, IRS + 1, ISS + 500, DK_TCP_F_ACK, 1000, NULL, 21);
	/* no ACK flag */
	peer(c, IRS + 1, 0, 0, 1000, "zz", 22);
	/* old data far outside the window */
	peer(c, IRS - 40000, ISS + 1, DK_TCP_F_ACK, 1000, "zz", 23);
	assert_int_equal(dk_tcpc_readable(c), 0);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_ESTABLISHED);
	assert_true(dk_tcpc_counter(c, DK_TCPC_C_UNACCEPTABLE) >= 4);
	dk_tcpc_abort(c);
	assert_int_equal(last()->flags, DK_TCP_F_RST | DK_TCP_F_ACK);
	assert_int_equal(dk_tcpc_state(c), DK_TCPC_CLOSED);
	dk_tcpc_free(c);
}

static void
never_ending_stream_is_bounded(void **state)
{
	struct dk_tcpc *c = established(4096, 1000);
	static char chunk[1001];
	uint32_t seq = IRS + 1;

	(void)state;
	memset(chunk, 'x', 1000);
	/* the reader stops reading: the window closes and memory stays bounded */
	for (int i = 0; i < 20; i++) {
		peer(c, seq, ISS + 1, DK_TCP_F_ACK, 1000, chunk, 20 + i);
		seq = last()->ack;
	}
	assert_int_equal(dk_tcpc_readable(c), 4096);
	assert_int_equal(last()->window, 0);
	dk_tcpc_free(c);
}

static void
ports(void **state)
{
	struct dk_tcpc_ports_params p = { .first = 40000, .last = 40002, .quarantine_us = S };
	struct dk_tcpc_ports *pa;
	int a, b, c2;

	(void)state;
	assert_int_equal(dk_tcpc_ports_create(&p, &pa), 0);
	a = dk_tcpc_port_alloc(pa, 0);
	b = dk_tcpc_port_alloc(pa, 0);
	c2 = dk_tcpc_port_alloc(pa, 0);
	assert_true(a >= 40000 && a <= 40002 && b != a && c2 != a && c2 != b);
	assert_int_equal(dk_tcpc_port_alloc(pa, 0), -EADDRNOTAVAIL);
	dk_tcpc_port_release(pa, (uint16_t)b, 10);
	assert_int_equal(dk_tcpc_port_alloc(pa, 10 + S - 1), -EADDRNOTAVAIL);
	assert_int_equal(dk_tcpc_port_alloc(pa, 10 + S), b);
	dk_tcpc_port_release(pa, 1, 0); /* outside the range: ignored */
	dk_tcpc_ports_free(pa);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake),
		cmocka_unit_test(lost_synack_retransmits_with_backoff),
		cmocka_unit_test(late_synack_after_retransmit),
		cmocka_unit_test(rst_to_syn_is_refused),
		cmocka_unit_test(icmp_unreach_ends_at_once),
		cmocka_unit_test(bad_ack_in_syn_sent_gets_rst),
		cmocka_unit_test(send_data_and_retransmit),
		cmocka_unit_test(data_retries_exhausted),
		cmocka_unit_test(segments_respect_mss_and_window),
		cmocka_unit_test(out_of_order_and_duplicates),
		cmocka_unit_test(ooo_fin_waits_for_the_gap),
		cmocka_unit_test(our_zero_window),
		cmocka_unit_test(peer_zero_window_probes),
		cmocka_unit_test(peer_closes_first),
		cmocka_unit_test(we_close_first),
		cmocka_unit_test(rst_handling),
		cmocka_unit_test(garbage_is_answered_not_fatal),
		cmocka_unit_test(never_ending_stream_is_bounded),
		cmocka_unit_test(ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
