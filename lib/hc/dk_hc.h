/*
 * Health checks: probe outcomes and the one interface every probe kind implements.
 *
 * A probe is a byte-level state machine. It never touches a socket, a packet or the
 * clock: the glue opens the transport (the mini TCP client, a UDP or ICMP exchange, a
 * child process), hands the probe what arrived, and sends what the probe queued.
 */
#ifndef DK_HC_H
#define DK_HC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_common.h"

#define DK_HC_RESULTS(X) \
	X(DK_HC_OK, "ok") \
	X(DK_HC_PENDING, "in progress") \
	X(DK_HC_CONNECT_REFUSED, "connection refused") \
	X(DK_HC_CONNECT_TIMEOUT, "connection timed out") \
	X(DK_HC_RESET, "connection reset by peer") \
	X(DK_HC_READ_TIMEOUT, "read timed out") \
	X(DK_HC_WRITE_TIMEOUT, "write timed out") \
	X(DK_HC_CLOSED_EARLY, "connection closed before a complete reply") \
	X(DK_HC_BAD_STATUS, "unexpected status code") \
	X(DK_HC_BAD_DIGEST, "digest mismatch") \
	X(DK_HC_BAD_REPLY, "malformed reply") \
	X(DK_HC_REPLY_TOO_SHORT, "reply too short") \
	X(DK_HC_REPLY_TOO_LONG, "reply too long") \
	X(DK_HC_REPLY_MISMATCH, "reply does not match the expected data") \
	X(DK_HC_HEADERS_TOO_LONG, "reply headers too long") \
	X(DK_HC_NO_REPLY, "no reply") \
	X(DK_HC_DNS_RCODE, "DNS error response code") \
	X(DK_HC_DNS_NO_ANSWER, "DNS reply without answer") \
	X(DK_HC_ICMP_UNREACH, "destination unreachable") \
	X(DK_HC_NO_ROUTE, "no route to host") \
	X(DK_HC_NO_NEIGH, "neighbour unresolved") \
	X(DK_HC_SCRIPT_FAILED, "script failed") \
	X(DK_HC_SCRIPT_TIMEOUT, "script timed out") \
	X(DK_HC_FILE_ERROR, "tracked file unreadable or invalid") \
	X(DK_HC_FILE_DOWN, "tracked file reports down") \
	X(DK_HC_TLS_HANDSHAKE, "TLS handshake failed") \
	X(DK_HC_TLS_VERIFY, "TLS certificate verification failed") \
	X(DK_HC_TLS_ERROR, "TLS error") \
	X(DK_HC_NO_RESOURCES, "out of resources")

enum dk_hc_result {
	DK_HC_RESULTS(DK_XENUM)
	DK_HC_RESULT_MAX
};

const char *dk_hc_result_str(enum dk_hc_result r);

/* Probe kinds, named with keepalived's keywords. */
#define DK_HC_KINDS(X) \
	X(DK_HC_KIND_TCP, "TCP_CHECK") \
	X(DK_HC_KIND_HTTP, "HTTP_GET") \
	X(DK_HC_KIND_SSL, "SSL_GET") \
	X(DK_HC_KIND_SMTP, "SMTP_CHECK") \
	X(DK_HC_KIND_DNS, "DNS_CHECK") \
	X(DK_HC_KIND_UDP, "UDP_CHECK") \
	X(DK_HC_KIND_PING, "PING_CHECK") \
	X(DK_HC_KIND_MISC, "MISC_CHECK") \
	X(DK_HC_KIND_FILE, "FILE_CHECK")

enum dk_hc_kind {
	DK_HC_KINDS(DK_XENUM)
	DK_HC_KIND_MAX
};

const char *dk_hc_kind_str(enum dk_hc_kind k);
/* Returns the kind for a keyword ("HTTP_GET"), or -1. */
int dk_hc_kind_from_name(const char *name);

/* What the glue has to open for a probe kind. */
enum dk_hc_transport {
	DK_HC_TRANSPORT_STREAM,  /* a TCP connection (dk_tcpc) */
	DK_HC_TRANSPORT_DGRAM,   /* one UDP request, one reply */
	DK_HC_TRANSPORT_ICMP,    /* an ICMP/ICMPv6 echo */
	DK_HC_TRANSPORT_PROCESS, /* a child process; the outcome is its exit status */
	DK_HC_TRANSPORT_FILE,    /* a file's text */
};

/* Growable byte buffer with a hard cap, used for what a probe wants sent. */
struct dk_hc_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max; /* 0 means 64 KiB */
};

int dk_hc_buf_append(struct dk_hc_buf *b, const void *p, size_t n);
/* Drops the first n bytes (the glue sent them). */
void dk_hc_buf_consume(struct dk_hc_buf *b, size_t n);
void dk_hc_buf_reset(struct dk_hc_buf *b);
void dk_hc_buf_free(struct dk_hc_buf *b);

/*
 * The operations of one probe kind. conf points at the kind's own config struct
 * (struct dk_hc_http_conf, ...). Every hook returns DK_HC_PENDING while the attempt
 * goes on and a final result otherwise; after a final result the attempt is over and
 * only start() or destroy() may follow. Hooks a kind has no use for are NULL.
 */
struct dk_hc_probe_ops {
	enum dk_hc_kind kind;
	enum dk_hc_transport transport;
	int (*create)(const void *conf, void **priv);
	void (*destroy)(void *priv);
	/* A new attempt: stream probes are started once connected; others at once. */
	enum dk_hc_result (*start)(void *priv, struct dk_hc_buf *out);
	/* Stream bytes, one datagram, one ICMP payload, or a tracked file's text. */
	enum dk_hc_result (*input)(void *priv, const uint8_t *data, size_t len,
				   struct dk_hc_buf *out);
	/*
	 * Stream: the peer closed its side. Datagram, ICMP, process: the deadline passed
	 * without a reply (or exit); the kind decides what that means.
	 */
	enum dk_hc_result (*eof)(void *priv);
	/* The child process exited (status as from waitpid). */
	enum dk_hc_result (*exited)(void *priv, int wait_status);
	/* Dynamic weight the last final result carried, or -1 for none. */
	int (*weight)(const void *priv);
};

const struct dk_hc_probe_ops *dk_hc_probe_ops_get(enum dk_hc_kind kind);

/* A probe instance: ops plus private state. */
struct dk_hc_probe;

int dk_hc_probe_create(enum dk_hc_kind kind, const void *conf, struct dk_hc_probe **out);
void dk_hc_probe_free(struct dk_hc_probe *p);
enum dk_hc_result dk_hc_probe_start(struct dk_hc_probe *p, struct dk_hc_buf *out);
enum dk_hc_result dk_hc_probe_input(struct dk_hc_probe *p, const uint8_t *data, size_t len,
				    struct dk_hc_buf *out);
enum dk_hc_result dk_hc_probe_eof(struct dk_hc_probe *p);
enum dk_hc_result dk_hc_probe_exited(struct dk_hc_probe *p, int wait_status);
int dk_hc_probe_weight(const struct dk_hc_probe *p);
const struct dk_hc_probe_ops *dk_hc_probe_ops(const struct dk_hc_probe *p);

#endif
