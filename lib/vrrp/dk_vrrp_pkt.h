/*
 * VRRP advertisement codec: RFC 3768 (v2, IPv4, optional PASS or IPsec AH auth) and
 * RFC 5798 (v3, IPv4 and IPv6). Decoding starts at the IP header because the checks
 * that matter for security (TTL/hop limit 255, AH ICV, the v3 pseudo-header) need it.
 */
#ifndef DK_VRRP_PKT_H
#define DK_VRRP_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"

#define DK_VRRP_PROTO 112
#define DK_VRRP_PROTO_AH 51
#define DK_VRRP_TTL 255
#define DK_VRRP_TYPE_ADVERT 1
#define DK_VRRP_HDR_LEN 8
#define DK_VRRP_AUTH_LEN 8 /* v2 authentication data */
#define DK_VRRP_AH_LEN 24  /* next hdr, len, rsvd, SPI, seq, 96-bit ICV */
#define DK_VRRP_AH_ICV_LEN 12
#define DK_VRRP_MAX_ADDRS 255
/* 224.0.0.18 and ff02::12 */
#define DK_VRRP_MCAST4 0xe0000012u
extern const uint8_t dk_vrrp_mcast6[16];

enum dk_vrrp_auth_type {
	DK_VRRP_AUTH_NONE = 0,
	DK_VRRP_AUTH_PASS = 1,
	DK_VRRP_AUTH_AH = 2,
};

/*
 * Receive verdicts; the string is the counter name shown by `show vrrp stats` (keepalived's
 * names where keepalived has one). Only DK_VRRP_RX_OK hands an advert to the state machine.
 */
#define DK_VRRP_RX_VERDICTS(X) \
	X(DK_VRRP_RX_OK, "ok") \
	X(DK_VRRP_RX_TRUNCATED, "truncated") \
	X(DK_VRRP_RX_BAD_IP, "ip_header_err") \
	X(DK_VRRP_RX_BAD_PROTO, "ip_proto_err") \
	X(DK_VRRP_RX_BAD_TTL, "ip_ttl_err") \
	X(DK_VRRP_RX_BAD_LENGTH, "packet_len_err") \
	X(DK_VRRP_RX_BAD_VERSION, "version_err") \
	X(DK_VRRP_RX_BAD_TYPE, "invalid_type_rcvd") \
	X(DK_VRRP_RX_NOT_MINE, "wrong_vrid") \
	X(DK_VRRP_RX_BAD_CHECKSUM, "checksum_err") \
	X(DK_VRRP_RX_BAD_AUTH_TYPE, "authtype_mismatch") \
	X(DK_VRRP_RX_INVALID_AUTH_TYPE, "invalid_authtype") \
	X(DK_VRRP_RX_BAD_AUTH, "auth_failure") \
	X(DK_VRRP_RX_BAD_AH, "ah_failure") \
	X(DK_VRRP_RX_BAD_AH_SEQ, "ah_seq_err") /* dk_vrrp_rx() only */ \
	X(DK_VRRP_RX_BAD_INTERVAL, "advert_interval_err") \
	X(DK_VRRP_RX_ADDR_COUNT, "addr_count_err") \
	X(DK_VRRP_RX_ADDR_LIST, "addr_list_err") \
	X(DK_VRRP_RX_OWN, "own_advert")

enum dk_vrrp_rx_verdict {
	DK_VRRP_RX_VERDICTS(DK_XENUM) DK_VRRP_RX_VERDICT_MAX
};

const char *dk_vrrp_rx_verdict_name(enum dk_vrrp_rx_verdict v);

/* What the receiving instance expects. Pointers are borrowed for the call. */
struct dk_vrrp_rx_ctx {
	uint8_t version; /* 2 or 3 */
	uint8_t vrid;
	uint8_t auth_type; /* enum dk_vrrp_auth_type; v2 only */
	uint8_t auth_pass[DK_VRRP_AUTH_LEN]; /* PASS password, also the AH HMAC key */
	uint8_t v2_adver_int_s; /* v2 adverts must carry exactly this interval */
	bool unicast;	       /* multicast requires TTL 255; unicast uses ttl_min..ttl_max */
	uint8_t ttl_min, ttl_max;
	bool v3_checksum_as_v2; /* IPv4 v3 checksum without the pseudo-header (old peers) */
	bool strict;		/* RFC strict: address list must match, no auth accepted */
	const struct dk_addr *own_addr; /* our source address: own adverts are reported */
	/* Configured VIPs, all of the instance's family; NULL skips the address checks. */
	const struct dk_addr *vips;
	size_t n_vips;
};

struct dk_vrrp_advert {
	uint8_t version;
	uint8_t vrid;
	uint8_t priority;
	uint8_t naddr;
	uint8_t ttl;
	uint8_t auth_type;	/* v2 */
	uint16_t adver_int_cs; /* v2 seconds are converted to centiseconds */
	uint32_t ah_seq;	/* valid when auth_type is AH */
	bool addr_mismatch;	/* non-strict: address list differs from ctx->vips */
	struct dk_addr src;
	struct dk_addr dst;
	const uint8_t *addrs; /* naddr addresses inside the decoded packet (4 or 16 bytes) */
};

enum dk_vrrp_rx_verdict dk_vrrp_decode(const struct dk_vrrp_rx_ctx *ctx, const uint8_t *ip_pkt,
				       size_t len, struct dk_vrrp_advert *out);

struct dk_vrrp_tx_params {
	uint8_t version;
	uint8_t vrid;
	uint8_t priority;
	uint8_t auth_type; /* v2 IPv4 only */
	uint8_t auth_pass[DK_VRRP_AUTH_LEN];
	uint16_t adver_int_cs; /* v2: must be a whole number of seconds */
	uint32_t ah_seq;       /* sequence number put in the AH header */
	bool unicast;	       /* AH: the TTL is a mutable field (keepalived's rule) */
	uint16_t ip_id;
	bool v3_checksum_as_v2;
	bool payload_only;     /* write the VRRP message only (no IP header, no AH) */
	struct dk_addr src;    /* selects the family */
	struct dk_addr dst;    /* multicast group or unicast peer */
	const struct dk_addr *vips;
	size_t n_vips;
};

/* Writes the advert into buf; returns 0 and the length, or -EINVAL / -ENOSPC. */
int dk_vrrp_encode(const struct dk_vrrp_tx_params *p, uint8_t *buf, size_t cap, size_t *len_out);

/* VRRP message checksum (v3 IPv4/IPv6 with pseudo-header unless as_v2). */
uint16_t dk_vrrp_checksum(uint8_t version, const struct dk_addr *src, const struct dk_addr *dst,
			  const uint8_t *vrrp, size_t len, bool as_v2);

#endif
