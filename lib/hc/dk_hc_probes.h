/* Configuration of the probe kinds other than HTTP_GET/SSL_GET (see dk_hc_http.h). */
#ifndef DK_HC_PROBES_H
#define DK_HC_PROBES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_hc.h"

/* TCP_CHECK: success is the handshake; create() takes NULL. */

/* SMTP_CHECK: banner 220, HELO, 250, QUIT. */
struct dk_hc_smtp_conf {
	const char *helo_name; /* NULL means "localhost" */
};

/* DNS_CHECK: one query over UDP; the reply must match, have RCODE 0 and an answer. */
struct dk_hc_dns_conf {
	uint16_t type;    /* 0 means SOA, keepalived's default */
	const char *name; /* NULL means "." */
	uint64_t seed;    /* query ids are drawn from it */
};

/* Returns the RR type for "A", "AAAA", "SOA", ..., or -1. */
int dk_hc_dns_type_from_name(const char *name);
/* The DNS name in wire format; returns its length or -EINVAL. */
int dk_hc_dns_encode_name(const char *name, uint8_t *out, size_t cap);

/*
 * UDP_CHECK: one datagram out. With require_reply a reply must come, its length within
 * the bounds and its first bytes equal to reply where reply_mask has bits set (as far as
 * both go); without, any reply or silence passes.
 */
struct dk_hc_udp_conf {
	const uint8_t *payload; /* copied; NULL/0 sends an empty datagram */
	size_t payload_len;
	bool require_reply;
	const uint8_t *reply;      /* copied; NULL/0: content not checked */
	const uint8_t *reply_mask; /* reply_len bytes; NULL: every bit counts */
	size_t reply_len;
	uint32_t min_reply_len;
	uint32_t max_reply_len; /* 0 means no upper bound */
};

/*
 * PING_CHECK: start() queues the echo body (identifier, sequence, payload) without the
 * ICMP type/code/checksum the glue adds; input() takes a reply's body the same way.
 */
struct dk_hc_ping_conf {
	uint16_t id;
	uint16_t payload_len; /* 0 means 56 */
};

/* MISC_CHECK: the glue runs the script; exited() maps its status. */
struct dk_hc_misc_conf {
	bool dynamic; /* misc_dynamic: exit 2..255 is success with weight code - 2 */
};

/* The MISC_CHECK mapping on its own; *weight is -1 when the status sets none. */
enum dk_hc_result dk_hc_misc_map(int wait_status, bool dynamic, int *weight);

/* FILE_CHECK: a number in a file; 0 is up. With a weight, value * weight adjusts it. */
struct dk_hc_file_conf {
	int32_t weight;       /* 0: a non-zero value means down */
	uint32_t base_weight; /* the real server's configured weight */
};

#endif
