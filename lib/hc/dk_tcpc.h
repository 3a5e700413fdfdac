/*
 * A small active-open TCP endpoint for health probes, on abstract segments.
 *
 * It knows nothing of frames, checksums or addresses: the glue turns received TCP
 * segments into struct dk_tcp_seg, calls dk_tcpc_input(), and serialises the segments
 * handed to the tx callback. Time is injected; the glue calls dk_tcpc_on_timer() once
 * dk_tcpc_next_timeout() has passed. No window scaling, SACK or timestamps: a probe
 * moves a few kilobytes, and peers fall back to plain RFC 793 behaviour without them.
 *
 * Instead of lingering in TIME_WAIT for 2*MSL, an endpoint stays in TIME_WAIT briefly
 * (to re-ACK a retransmitted FIN) and the port allocator holds the port in quarantine.
 */
#ifndef DK_TCPC_H
#define DK_TCPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_common.h"
#include "dk_hc.h"

#define DK_TCP_F_FIN 0x01
#define DK_TCP_F_SYN 0x02
#define DK_TCP_F_RST 0x04
#define DK_TCP_F_PSH 0x08
#define DK_TCP_F_ACK 0x10

/* One segment as seen by the endpoint; payload is borrowed for the call only. */
struct dk_tcp_seg {
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;   /* DK_TCP_F_* */
	uint16_t window; /* unscaled */
	uint16_t mss;    /* MSS option value; 0 when absent */
	const uint8_t *payload;
	uint32_t len;
};

typedef void (*dk_tcpc_tx_t)(void *arg, const struct dk_tcp_seg *seg);

struct dk_tcpc_params {
	uint32_t iss;             /* initial send sequence; the glue draws it at random */
	uint16_t mss;             /* advertised; 0 means 1460 */
	uint32_t rcvbuf;          /* receive buffer and max window, <= 65535; 0 means 16384 */
	uint32_t sndbuf;          /* 0 means 16384 */
	uint64_t rto_us;          /* initial retransmission timeout; 0 means 1 s */
	uint64_t rto_max_us;      /* 0 means 8 s */
	uint32_t syn_retries;     /* 0 means 3 */
	uint32_t data_retries;    /* 0 means 5 */
	uint64_t time_wait_us;    /* 0 means 1 s */
	dk_tcpc_tx_t tx;
	void *tx_arg;
};

#define DK_TCPC_STATES(X) \
	X(DK_TCPC_CLOSED, "CLOSED") \
	X(DK_TCPC_SYN_SENT, "SYN_SENT") \
	X(DK_TCPC_ESTABLISHED, "ESTABLISHED") \
	X(DK_TCPC_FIN_WAIT_1, "FIN_WAIT_1") \
	X(DK_TCPC_FIN_WAIT_2, "FIN_WAIT_2") \
	X(DK_TCPC_CLOSING, "CLOSING") \
	X(DK_TCPC_TIME_WAIT, "TIME_WAIT") \
	X(DK_TCPC_CLOSE_WAIT, "CLOSE_WAIT") \
	X(DK_TCPC_LAST_ACK, "LAST_ACK")

enum dk_tcpc_state {
	DK_TCPC_STATES(DK_XENUM)
	DK_TCPC_STATE_MAX
};

#define DK_TCPC_COUNTERS(X) \
	X(DK_TCPC_C_SEGS_IN, "segs_in") \
	X(DK_TCPC_C_SEGS_OUT, "segs_out") \
	X(DK_TCPC_C_RETRANSMITS, "retransmits") \
	X(DK_TCPC_C_DUP_SEGS, "dup_segs") \
	X(DK_TCPC_C_OOO_SEGS, "ooo_segs") \
	X(DK_TCPC_C_OOO_DROPPED, "ooo_dropped") \
	X(DK_TCPC_C_WINDOW_PROBES, "window_probes") \
	X(DK_TCPC_C_UNACCEPTABLE, "unacceptable_segs") \
	X(DK_TCPC_C_CHALLENGE_ACKS, "challenge_acks")

enum dk_tcpc_counter {
	DK_TCPC_COUNTERS(DK_XENUM)
	DK_TCPC_C_MAX
};

const char *dk_tcpc_state_str(enum dk_tcpc_state s);
const char *dk_tcpc_counter_str(enum dk_tcpc_counter c);

struct dk_tcpc;

int dk_tcpc_create(const struct dk_tcpc_params *p, struct dk_tcpc **out);
void dk_tcpc_free(struct dk_tcpc *c);
/* Sends the SYN. -EISCONN unless CLOSED and never used. */
int dk_tcpc_connect(struct dk_tcpc *c, uint64_t now_us);
/* Feeds one received segment. Bad segments are counted and answered, never fatal. */
void dk_tcpc_input(struct dk_tcpc *c, const struct dk_tcp_seg *seg, uint64_t now_us);
/* Queues data (before or after the handshake); returns bytes taken or -ENOTCONN/-EPIPE. */
int dk_tcpc_send(struct dk_tcpc *c, const void *data, size_t len, uint64_t now_us);
/* Copies received in-order bytes out; returns the count (0 when none). */
size_t dk_tcpc_recv(struct dk_tcpc *c, void *buf, size_t cap);
size_t dk_tcpc_readable(const struct dk_tcpc *c);
/* Sends FIN once queued data is out (half close); the peer may go on sending. */
int dk_tcpc_shutdown(struct dk_tcpc *c, uint64_t now_us);
/* Sends RST (when synchronised) and closes at once. */
void dk_tcpc_abort(struct dk_tcpc *c);
/*
 * An ICMP destination unreachable quoting our segment with sequence number seq: the
 * connection ends at once with DK_HC_ICMP_UNREACH. A quoted seq outside what is in flight
 * [snd_una, snd_nxt) is not ours (RFC 5927) and returns false, changing nothing.
 */
bool dk_tcpc_icmp_unreach(struct dk_tcpc *c, uint32_t seq);
uint64_t dk_tcpc_next_timeout(const struct dk_tcpc *c);
void dk_tcpc_on_timer(struct dk_tcpc *c, uint64_t now_us);

enum dk_tcpc_state dk_tcpc_state(const struct dk_tcpc *c);
/* DK_HC_OK, or why the connection died: refused, connect timeout, reset, write timeout. */
enum dk_hc_result dk_tcpc_error(const struct dk_tcpc *c);
bool dk_tcpc_connected(const struct dk_tcpc *c);
/* The peer's FIN arrived (all data before it is in the receive buffer). */
bool dk_tcpc_peer_closed(const struct dk_tcpc *c);
/* Nothing more will happen on this connection; the glue may free it. */
bool dk_tcpc_finished(const struct dk_tcpc *c);
uint64_t dk_tcpc_counter(const struct dk_tcpc *c, enum dk_tcpc_counter which);

/* Ephemeral source ports from a range dpkeep owns, with reuse held off for a while. */
struct dk_tcpc_ports_params {
	uint16_t first;
	uint16_t last;
	uint64_t quarantine_us; /* a freed port is not reused before this; 0 means 60 s */
	uint64_t seed;          /* where the search starts */
};

struct dk_tcpc_ports;

int dk_tcpc_ports_create(const struct dk_tcpc_ports_params *p, struct dk_tcpc_ports **out);
void dk_tcpc_ports_free(struct dk_tcpc_ports *pa);
/* Returns a port, or -EADDRNOTAVAIL when all are busy or in quarantine. */
int dk_tcpc_port_alloc(struct dk_tcpc_ports *pa, uint64_t now_us);
void dk_tcpc_port_release(struct dk_tcpc_ports *pa, uint16_t port, uint64_t now_us);

#endif
