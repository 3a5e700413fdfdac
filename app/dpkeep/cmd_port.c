/* Console commands about ports, lcores, neighbours and routes. */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dk_app.h"
#include "dk_cmd.h"
#include "dk_out.h"

static const char *const host_names[DK_HOST_VERDICT_MAX] = { DK_HOST_VERDICTS(DK_XSTR) };
static const char *const ctl_names[DK_CTLC_MAX] = { DK_CTL_COUNTERS(DK_XSTR) };

/* Ports named by the optional argument (all when absent); -ENODEV with a reason. */
static int
select_ports(struct dk_app *app, int argc, const char *const *argv, struct dk_out *out,
	     unsigned *first, unsigned *last)
{
	int p;

	*first = 0;
	*last = app->dp->n_ports;
	if (argc < 1)
		return 0;
	p = dk_dp_port_by_name(app->dp, argv[0]);
	if (p < 0) {
		char *end;
		unsigned long id = strtoul(argv[0], &end, 10);

		if (*end == '\0' && id < app->dp->n_ports)
			p = (int)id;
	}
	if (p < 0) {
		dk_out_error(out, "no port '%s'", argv[0]);
		return -ENODEV;
	}
	*first = (unsigned)p;
	*last = (unsigned)p + 1;
	return 0;
}

/* Runs one per-port writer over the selected ports inside a "ports" array. */
static int
each_port(void *arg, int argc, const char *const *argv, struct dk_out *out,
	  void (*row)(struct dk_app *app, unsigned p, struct dk_out *out))
{
	struct dk_app *app = arg;
	unsigned first, last;
	int rc = select_ports(app, argc, argv, out, &first, &last);

	if (rc < 0)
		return rc;
	dk_out_arr_begin(out, "ports");
	for (unsigned p = first; p < last; p++) {
		dk_out_obj_begin(out, NULL);
		dk_out_str(out, "name", app->dp->ports[p].name);
		row(app, p, out);
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	return 0;
}

static void
info_row(struct dk_app *app, unsigned p, struct dk_out *out)
{
	const struct dk_dp_port *dpp = &app->dp->ports[p];
	struct rte_eth_dev_info info;
	struct rte_eth_link link;
	char buf[DK_ADDRSTRLEN];

	rte_eth_dev_info_get(dpp->port_id, &info);
	rte_eth_link_get_nowait(dpp->port_id, &link);
	dk_out_u64(out, "port_id", dpp->port_id);
	dk_out_str(out, "driver", info.driver_name);
	dk_out_str(out, "device", dpp->cfg->device);
	dk_out_strf(out, "mac", RTE_ETHER_ADDR_PRT_FMT, RTE_ETHER_ADDR_BYTES(&dpp->mac));
	dk_out_i64(out, "socket", dpp->socket);
	dk_out_str(out, "link", link.link_status ? "up" : "down");
	dk_out_u64(out, "speed_mbps", link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ?
		   0 : link.link_speed);
	dk_out_u64(out, "mtu", dpp->mtu);
	dk_out_u64(out, "queues", dpp->nb_q);
	dk_out_u64(out, "control_queue", dpp->ctl_q);
	dk_out_arr_begin(out, "addresses");
	for (unsigned a = 0; a < dpp->cfg->n_addrs; a++)
		dk_out_str(out, NULL, dk_prefix_fmt(&dpp->cfg->addrs[a], buf, sizeof(buf)));
	dk_out_arr_end(out);
}

static int
cmd_port_info(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	return each_port(arg, argc, argv, out, info_row);
}

static void
stats_row(struct dk_app *app, unsigned p, struct dk_out *out)
{
	const struct dk_dp_port *dpp = &app->dp->ports[p];
	struct rte_eth_stats st;

	memset(&st, 0, sizeof(st));
	rte_eth_stats_get(dpp->port_id, &st);
	dk_out_u64(out, "rx_packets", st.ipackets);
	dk_out_u64(out, "rx_bytes", st.ibytes);
	dk_out_u64(out, "rx_missed", st.imissed);
	dk_out_u64(out, "rx_errors", st.ierrors);
	dk_out_u64(out, "rx_nombuf", st.rx_nombuf);
	dk_out_u64(out, "tx_packets", st.opackets);
	dk_out_u64(out, "tx_bytes", st.obytes);
	dk_out_u64(out, "tx_errors", st.oerrors);
	dk_out_arr_begin(out, "queues");
	for (unsigned q = 0; q < dpp->nb_q && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++) {
		dk_out_obj_begin(out, NULL);
		dk_out_u64(out, "queue", q);
		dk_out_str(out, "owner", q == dpp->ctl_q ? "control" : "worker");
		dk_out_u64(out, "rx_packets", st.q_ipackets[q]);
		dk_out_u64(out, "tx_packets", st.q_opackets[q]);
		dk_out_u64(out, "rx_errors", st.q_errors[q]);
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	/* Why packets addressed to dpkeep itself were not answered. */
	dk_out_obj_begin(out, "host");
	for (unsigned v = 0; v < DK_HOST_VERDICT_MAX; v++)
		dk_out_u64(out, host_names[v], app->host_cnt[p][v]);
	for (unsigned c = 0; c < DK_CTLC_MAX; c++)
		dk_out_u64(out, ctl_names[c], app->ctl_cnt[p][c]);
	dk_out_obj_end(out);
}

static int
cmd_port_stats(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	return each_port(arg, argc, argv, out, stats_row);
}

static void
xstats_row(struct dk_app *app, unsigned p, struct dk_out *out)
{
	uint16_t id = app->dp->ports[p].port_id;
	int n = rte_eth_xstats_get(id, NULL, 0);
	struct rte_eth_xstat xs[n > 0 ? n : 1];
	struct rte_eth_xstat_name names[n > 0 ? n : 1];

	dk_out_obj_begin(out, "xstats");
	if (n > 0 && rte_eth_xstats_get(id, xs, (unsigned)n) == n &&
	    rte_eth_xstats_get_names(id, names, (unsigned)n) == n)
		for (int i = 0; i < n; i++)
			dk_out_u64(out, names[xs[i].id].name, xs[i].value);
	dk_out_obj_end(out);
}

static int
cmd_port_xstats(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	return each_port(arg, argc, argv, out, xstats_row);
}

static int
cmd_port_clear(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	unsigned first, last;
	int rc = select_ports(app, argc, argv, out, &first, &last);

	if (rc < 0)
		return rc;
	for (unsigned p = first; p < last; p++) {
		rte_eth_stats_reset(app->dp->ports[p].port_id);
		rte_eth_xstats_reset(app->dp->ports[p].port_id);
		memset(app->host_cnt[p], 0, sizeof(app->host_cnt[p]));
		memset(app->ctl_cnt[p], 0, sizeof(app->ctl_cnt[p]));
	}
	dk_out_text(out, "cleared statistics of %u port(s)\n", last - first);
	return 0;
}

static int
cmd_lcores(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	uint64_t elapsed = rte_rdtsc() - app->dp->start_tsc;

	(void)argc;
	(void)argv;
	dk_out_arr_begin(out, "lcores");
	for (unsigned i = 0; i <= app->dp->n_workers; i++) {
		const struct dk_dp_lctx *lc = &app->dp->lctx[i];

		dk_out_obj_begin(out, NULL);
		dk_out_u64(out, "lcore", lc->lcore_id);
		dk_out_str(out, "role", lc->is_control ? "control" : "worker");
		dk_out_u64(out, "queue", lc->idx);
		for (unsigned c = 0; c < DK_DPC_MAX; c++)
			dk_out_u64(out, dk_dp_counter_names[c], lc->cnt[c]);
		dk_out_u64(out, "loops", lc->loops);
		dk_out_double(out, "busy_pct", elapsed ? 100.0 * (double)lc->busy_tsc /
						(double)elapsed : 0.0);
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	return 0;
}

static int
neigh_row(void *ctx, const struct dk_neigh_entry_info *e)
{
	struct dk_out *out = ((void **)ctx)[0];
	struct dk_app *app = ((void **)ctx)[1];
	char a[DK_ADDRSTRLEN], m[DK_MACSTRLEN];

	dk_out_obj_begin(out, NULL);
	dk_out_str(out, "address", dk_addr_fmt(&e->addr, a, sizeof(a)));
	dk_out_str(out, "mac", e->state == DK_NEIGH_INCOMPLETE || e->state == DK_NEIGH_FAILED ?
		   "-" : dk_mac_fmt(&e->mac, m, sizeof(m)));
	dk_out_str(out, "port", app->dp->ports[e->port].name);
	dk_out_str(out, "state", dk_neigh_state_name(e->state));
	dk_out_double(out, "age_s", (double)e->age_us / 1e6);
	dk_out_u64(out, "queued", e->queued);
	dk_out_obj_end(out);
	return 0;
}

static int
cmd_neigh(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	void *ctx[2] = { out, app };

	(void)argc;
	(void)argv;
	dk_out_arr_begin(out, "neighbours");
	dk_neigh_walk(app->neigh, app->now_us, neigh_row, ctx);
	dk_out_arr_end(out);
	dk_out_obj_begin(out, "counters");
	for (unsigned c = 0; c < DK_NEIGH_CNT_MAX; c++)
		dk_out_u64(out, dk_neigh_counter_name(c), dk_neigh_counter(app->neigh, c));
	dk_out_obj_end(out);
	return 0;
}

static int
route_row(void *ctx, const struct dk_route *r)
{
	struct dk_out *out = ((void **)ctx)[0];
	struct dk_app *app = ((void **)ctx)[1];
	char a[DK_ADDRSTRLEN];

	dk_out_obj_begin(out, NULL);
	dk_out_str(out, "prefix", dk_prefix_fmt(&r->prefix, a, sizeof(a)));
	dk_out_str(out, "via", dk_addr_is_unset(&r->gateway) ? "on-link" :
		   dk_addr_fmt(&r->gateway, a, sizeof(a)));
	dk_out_str(out, "port", r->port == DK_ROUTE_PORT_ANY ? "-" : app->dp->ports[r->port].name);
	dk_out_str(out, "kind", dk_route_kind_name(r->kind));
	dk_out_u64(out, "metric", r->metric);
	dk_out_obj_end(out);
	return 0;
}

static int
cmd_route(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	void *ctx[2] = { out, app };

	(void)argc;
	(void)argv;
	dk_out_arr_begin(out, "routes");
	dk_route_walk(app->routes, route_row, ctx);
	dk_out_arr_end(out);
	return 0;
}

static void
complete_port(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	struct dk_app *app = arg;

	(void)placeholder;
	for (unsigned p = 0; p < app->dp->n_ports; p++)
		dk_cmd_cands_add(c, app->dp->ports[p].name);
}

int
dk_cmd_port_register(struct dk_app *app)
{
	const struct dk_cmd cmds[] = {
		{ "show port info [PORT]", "ports: driver, MAC, link, queues, addresses",
		  cmd_port_info, app },
		{ "show port stats [PORT]", "per port and per queue packet counters, host drops",
		  cmd_port_stats, app },
		{ "show port xstats [PORT]", "the driver's extended statistics", cmd_port_xstats,
		  app },
		{ "clear port stats [PORT]", "reset port counters", cmd_port_clear, app },
		{ "show lcores", "per-lcore packets and busy %", cmd_lcores, app },
		{ "show neigh", "the ARP/ND neighbour table", cmd_neigh, app },
		{ "show route", "connected and static routes", cmd_route, app },
	};
	int rc = dk_cmd_register_many(app->cmds, cmds, DK_ARRAY_SIZE(cmds));

	if (rc == 0)
		rc = dk_cmd_set_completer(app->cmds, "PORT", complete_port, app);
	return rc;
}
