/* Names of the X-macro enums of lib/net, kept together so counters print consistently. */
#include "dk_host.h"
#include "dk_neigh.h"
#include "dk_pkt.h"
#include "dk_route.h"

static const char *const pkt_verdict_names[] = { DK_PKT_VERDICTS(DK_XSTR) };
static const char *const host_verdict_names[] = { DK_HOST_VERDICTS(DK_XSTR) };
static const char *const neigh_state_names[] = { DK_NEIGH_STATES(DK_XSTR) };
static const char *const neigh_counter_names[] = { DK_NEIGH_COUNTERS(DK_XSTR) };
static const char *const route_kind_names[] = { DK_ROUTE_KINDS(DK_XSTR) };

const char *
dk_pkt_verdict_name(enum dk_pkt_verdict v)
{
	return (unsigned)v < DK_PKT_VERDICT_MAX ? pkt_verdict_names[v] : "?";
}

const char *
dk_host_verdict_name(enum dk_host_verdict v)
{
	return (unsigned)v < DK_HOST_VERDICT_MAX ? host_verdict_names[v] : "?";
}

const char *
dk_neigh_state_name(enum dk_neigh_state s)
{
	return (unsigned)s < DK_NEIGH_STATE_MAX ? neigh_state_names[s] : "?";
}

const char *
dk_neigh_counter_name(enum dk_neigh_counter c)
{
	return (unsigned)c < DK_NEIGH_CNT_MAX ? neigh_counter_names[c] : "?";
}

const char *
dk_route_kind_name(enum dk_route_kind k)
{
	return (unsigned)k < DK_ROUTE_KIND_MAX ? route_kind_names[k] : "?";
}
