/* The daemon's state, owned by the control lcore and passed explicitly. */
#ifndef DK_APP_H
#define DK_APP_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "dk_dp.h"
#include "dk_host.h"
#include "dk_neigh.h"
#include "dk_profile.h"
#include "dk_route.h"
#include "dk_timer.h"

struct dk_cmd_table;
struct dk_ctl_server;
struct dk_console;
struct dk_app_vrrp;
struct dk_app_hc;
struct dk_app_lb;
struct dk_conf;
struct dk_ops;

/* Control-lcore counters per port, besides the host verdicts. */
#define DK_CTL_COUNTERS(X) \
	X(DK_CTLC_RX, "control_rx") \
	X(DK_CTLC_REPLIES, "replies_sent") \
	X(DK_CTLC_VRRP, "vrrp_rx") \
	X(DK_CTLC_NO_ROUTE, "drop_no_route") \
	X(DK_CTLC_NEIGH_QUEUED, "neigh_queued") \
	X(DK_CTLC_NEIGH_DROP, "neigh_drop") \
	X(DK_CTLC_ALLOC_FAIL, "alloc_fail")

enum dk_ctl_counter {
	DK_CTL_COUNTERS(DK_XENUM)
	DK_CTLC_MAX
};

struct dk_app_opts {
	const char *conf_file;
	const char *ports_file;
	const char *ctl_path;
	const char *pid_file;
	const char *instance_id;
	bool console;
	bool config_test;
	bool dump;
	bool debug;
	bool log_console;
	const char *syslog_facility; /* -S: log to syslog */
	const char *metrics_addr;    /* --metrics ADDR:PORT: Prometheus HTTP listener */
	int n_eal_extra;
	char **eal_extra;
};

struct dk_app {
	struct dk_app_opts opts;
	struct dk_profile prof;
	struct dk_dp *dp;
	struct dk_timer_wheel *wheel;
	struct dk_neigh_table *neigh;
	struct dk_route_table *routes;
	struct dk_host_port hport[DK_DP_MAX_PORTS];
	/* hport[p].addrs: the profile's addresses, then the port's fe80:: EUI-64 address */
	struct dk_prefix haddrs[DK_DP_MAX_PORTS][DK_PROFILE_MAX_ADDRS + 1];
	struct dk_cmd_table *cmds;
	struct dk_ctl_server *ctl;
	struct dk_console *con;
	struct dk_conf *conf;
	struct dk_app_vrrp *vrrp;
	struct dk_app_lb *lb;
	struct dk_app_hc *hc;
	struct dk_ops *ops;
	struct dk_timer neigh_timer;
	struct dk_timer proc_timer;
	uint64_t now_us;
	uint64_t start_us;
	unsigned rt_prio; /* the control lcore's SCHED_RR priority, 0: SCHED_OTHER */
	uint64_t host_cnt[DK_DP_MAX_PORTS][DK_HOST_VERDICT_MAX];
	uint64_t ctl_cnt[DK_DP_MAX_PORTS][DK_CTLC_MAX];
};

extern volatile sig_atomic_t dk_app_stop;
extern volatile sig_atomic_t dk_app_reload;

uint64_t dk_app_now_us(void);

/* control.c */
int dk_control_init(struct dk_app *app);
void dk_control_run(struct dk_app *app);
/* The control lcore's scheduling from global_defs vrrp_rt_priority (call on that lcore). */
void dk_control_sched(struct dk_app *app);
/* The port's IPv6 link-local address, fe80::/64 with the MAC's modified EUI-64. */
void dk_app_link_local(const struct dk_mac *mac, struct dk_prefix *out);
void dk_control_fini(struct dk_app *app);
/* Sends a frame built by fn into a fresh mbuf on port (control TX queue). */
int dk_control_send(struct dk_app *app, uint16_t port,
		    int (*fn)(uint8_t *buf, size_t room, void *arg), void *arg);
/* Routes an IP frame (Ethernet header present, dst MAC to be filled) and sends it,
 * resolving the next hop first when needed. Takes the mbuf. */
void dk_control_output_ip(struct dk_app *app, struct rte_mbuf *m, const struct dk_addr *dst);

/* cmd_port.c: show port / lcores / neigh / route commands */
int dk_cmd_port_register(struct dk_app *app);

/* cmd_ops.c: capture, metrics, telemetry, logging; init after the command table exists,
 * poll once per control-loop pass (returns work done), fini before the table goes. */
int dk_ops_init(struct dk_app *app);
unsigned dk_ops_poll(struct dk_app *app);
void dk_ops_fini(struct dk_app *app);

#endif
