/*
 * The load balancer on the control lcore: keepalived.conf's virtual servers become
 * lib/lb tables, published with each backend's next hop (resolved here, never on a
 * worker) and which VIPs are served now (a VIP of a VRRP instance only while MASTER).
 */
#ifndef DK_APP_LB_H
#define DK_APP_LB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_conf.h"
#include "dk_dp_lb.h"
#include "dk_lb_slots.h"
#include "dk_timer.h"

struct dk_app;
struct rte_tel_data;

struct dk_app_lb_rs {
	const struct dk_conf_rs *c;	/* NULL for a sorry server */
	struct dk_addr ip;
	uint16_t port;
	uint32_t slot;
	uint32_t weight;
	bool alive;
	bool drained;
	/* In a gone list: a table without it in scheduling is published, so no worker
	 * can open a flow to it any more and a zero count stays zero. */
	bool gone_pub;
};

/* One (VIP, port, protocol) served. A virtual_server_group's block becomes one per
 * address and port of the group, all with the same c and the same real servers (each
 * with its own slot, so its own counts, as IPVS has a service per group entry). */
struct dk_app_lb_vs {
	const struct dk_conf_vs *c;
	struct dk_addr vip;
	uint16_t port;
	uint8_t proto;
	bool quorum_up;
	struct dk_app_lb_rs *rs;
	unsigned n_rs;
	struct dk_app_lb_rs *sorry;	/* NULL: none */
	/* Real servers a reload removed while flows still pointed at them: out of
	 * scheduling, kept (slot, next hop) until their last connection ends (c NULL). */
	struct dk_app_lb_rs *gone;
	unsigned n_gone;
	/* A service a reload removed (in dk_app_lb.gone_vs): its own copy of the block, which
	 * c points to, and all its servers in gone; freed when their last flow ends. */
	struct dk_conf_vs *own;
};

struct dk_app_lb_owns {
	struct dk_app *app;
	uint16_t port;
};

struct dk_app_lb {
	struct dk_dp_lb *dp;
	struct dk_app_lb_vs *vs;
	unsigned n_vs;
	uint32_t max_slots;		/* one more than the highest slot handed out */
	uint32_t slot_cap;		/* what the workers' arrays hold */
	struct dk_lb_slots *slots;	/* which slots are free for a new real server */
	/* Removed services whose flows still run: in the table, serving only those. */
	struct dk_app_lb_vs *gone_vs;
	unsigned n_gone_vs;
	struct dk_lb_table *table;	/* the one being served */
	bool rebuild;
	struct dk_addr laddrs[DK_DP_LB_MAX_ADDRS];
	unsigned n_laddrs;
	struct dk_timer timer;
	struct dk_app_lb_owns owns[DK_DP_MAX_PORTS];
};

/* After the control plane and VRRP are set up, before the data plane starts. */
int dk_app_lb_init(struct dk_app *app);
/*
 * Applies app->conf (already the new configuration) to the running balancer: unchanged
 * real servers keep their slot, health and drain state, so their flows keep flowing;
 * removed ones stay, out of scheduling, until their last connection ends (or, under
 * lb_expire_nodest_conn, their flows are ended at their next packet); re-added before
 * that, they resume with the same slot. A removed virtual server likewise stays for its
 * flows only, taking no new ones. Once a removed server's last connection is gone its
 * slot is free for a later one. -EBUSY/-ENOSPC: the change
 * needs a restart, and the running services are left as they were.
 */
int dk_app_lb_reload(struct dk_app *app);
/* After the workers stopped. */
void dk_app_lb_fini(struct dk_app *app);

/*
 * Real-server state from health checks and operators: vs and rs index the
 * configuration's virtual_server and real_server blocks (a group's block: every service
 * it expands to). alive < 0 and weight < 0 keep the current value. The new table is live
 * when this returns.
 */
int dk_app_lb_rs_set(struct dk_app *app, unsigned vs, unsigned rs, int alive, int64_t weight);
/* Drain: no new flows to the server, existing ones finish (weight kept). */
int dk_app_lb_rs_drain(struct dk_app *app, unsigned vs, unsigned rs, bool drain);

/* Per-slot connection counts and traffic summed over the workers (relaxed reads of
 * counters they keep writing). lb_tel.c */
struct dk_app_lb_totals {
	struct dk_lb_load *load;
	struct dk_lb_stats *stats;
};

int dk_app_lb_totals_get(const struct dk_app *app, struct dk_app_lb_totals *t);
void dk_app_lb_totals_free(struct dk_app_lb_totals *t);
/* "VIP:PORT/proto" ("[VIP6]:PORT/proto"), the name show vs and the exports use. */
const char *dk_app_lb_vs_name(const struct dk_app_lb_vs *v, char *buf, size_t len);
/* The /dpkeep/vs telemetry endpoint; params: a VS name for its real servers too. */
int dk_app_lb_tel_vs(struct dk_app *app, const char *params, struct rte_tel_data *d);

/* cmd_lb.c */
int dk_cmd_lb_register(struct dk_app *app);
/* lb_conn.c: "show conn" */
int dk_cmd_lb_conn_register(struct dk_app *app);

#endif
