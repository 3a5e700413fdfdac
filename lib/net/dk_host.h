/*
 * Being a host without a kernel: answer ARP, ICMP/ICMPv6 echo and Neighbor Solicitation
 * for the addresses a port owns (its own plus the VIPs VRRP says are ours right now),
 * report neighbours to learn, and refuse everything else addressed to us with a named
 * reason. Replies are written over the request frame in place.
 */
#ifndef DK_HOST_H
#define DK_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"
#include "dk_neigh.h"
#include "dk_pkt.h"

/* An address owned for now (a VIP), answered with its own MAC (e.g. a VRRP virtual MAC). */
struct dk_host_vip {
	struct dk_addr addr;
	struct dk_mac mac;
};

/*
 * Optional dynamic ownership check, asked after addrs and vips: return true and set *mac
 * when a is owned. Runs on the control lcore, so it may read VRRP state directly.
 */
typedef bool (*dk_host_owns_fn)(void *ctx, const struct dk_addr *a, struct dk_mac *mac);

#define DK_HOST_F_IP_CKSUM 0x1 /* drop IPv4 frames whose header checksum is wrong */

struct dk_host_port {
	uint16_t index;
	struct dk_mac mac;
	const struct dk_prefix *addrs; /* the port's own addresses (answered with mac) */
	unsigned n_addrs;
	const struct dk_host_vip *vips;
	unsigned n_vips;
	dk_host_owns_fn owns; /* may be NULL */
	void *owns_ctx;
	unsigned flags;    /* DK_HOST_F_* */
	uint8_t reply_ttl; /* TTL / hop limit of echo replies; 0 means 64 */
};

#define DK_HOST_VERDICTS(X) \
	X(DK_HOST_REPLY, "reply") \
	X(DK_HOST_CONSUMED, "consumed") \
	X(DK_HOST_NOT_MINE, "not_mine") \
	X(DK_HOST_DROP_PARSE, "parse_error") \
	X(DK_HOST_DROP_ARP_INVALID, "arp_invalid") \
	X(DK_HOST_DROP_ADDR_CONFLICT, "address_conflict") \
	X(DK_HOST_DROP_BAD_SOURCE, "bad_source_address") \
	X(DK_HOST_DROP_FRAGMENT, "fragment_to_host") \
	X(DK_HOST_DROP_BAD_CKSUM, "bad_icmp_cksum") \
	X(DK_HOST_DROP_ICMP_TYPE, "icmp_type_unhandled") \
	X(DK_HOST_DROP_ND_HOP_LIMIT, "nd_hop_limit_not_255") \
	X(DK_HOST_DROP_ND_INVALID, "nd_invalid") \
	X(DK_HOST_DROP_TCP, "tcp_to_host") \
	X(DK_HOST_DROP_UDP, "udp_to_host") \
	X(DK_HOST_DROP_PROTO, "protocol_unhandled") \
	X(DK_HOST_DROP_NO_ROOM, "no_room_for_reply")

enum dk_host_verdict {
	DK_HOST_VERDICTS(DK_XENUM)
	DK_HOST_VERDICT_MAX
};

/*
 * A neighbour seen in the frame. create: the frame was addressed to us (ARP request or
 * reply to an owned address, NS with SLLA to an owned target), so an entry may be made;
 * otherwise (a gratuitous ARP, an unsolicited NA) only an existing entry is updated.
 * confirmed: a solicited NA or an ARP reply, i.e. proof of reachability.
 */
struct dk_host_learn {
	bool valid;
	bool create;
	bool confirmed;
	bool override; /* NA O flag (ARP: always) */
	bool no_lla;   /* an NA without TLLA: mac is unknown, the known one is confirmed */
	struct dk_addr addr;
	struct dk_mac mac;
};

/* The dk_neigh_learn() flags that carry out what a learn report means. */
static inline unsigned
dk_host_learn_flags(const struct dk_host_learn *l)
{
	return (l->create ? DK_NEIGH_F_CREATE : 0) | (l->confirmed ? DK_NEIGH_F_CONFIRMED : 0) |
	       (l->override ? DK_NEIGH_F_OVERRIDE : 0) | (l->no_lla ? DK_NEIGH_F_NO_LLA : 0);
}

struct dk_host_result {
	size_t out_len;                  /* DK_HOST_REPLY: bytes to send from the frame start */
	enum dk_pkt_verdict pkt_verdict; /* DK_HOST_DROP_PARSE: why */
	struct dk_pkt_info info;         /* parse of the input frame (before rewrite) */
	struct dk_host_learn learn;
};

/*
 * Decides what to do with one received frame. room is the writable size at pkt (the
 * reply may be longer than the request, e.g. an NA to an NS without SLLA). learn is
 * reported with any verdict, including drops and NOT_MINE (gratuitous ARP).
 */
enum dk_host_verdict dk_host_input(const struct dk_host_port *port, uint8_t *pkt, size_t len,
				   size_t room, struct dk_host_result *res);
const char *dk_host_verdict_name(enum dk_host_verdict v);

/* True when a is one of the port's own addresses or a VIP it owns now; sets *mac. */
bool dk_host_owns(const struct dk_host_port *port, const struct dk_addr *a,
		  struct dk_mac *mac);

#endif
