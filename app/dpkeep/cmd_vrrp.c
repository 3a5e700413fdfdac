/* Console commands for VRRP: show vrrp, show vrrp stats, vrrp NAME priority|fault|resume. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_cmd.h"
#include "dk_out.h"
#include "vrrp.h"
#include "vrrp_priv.h"

static struct vrrp_inst *
find(struct dk_app *app, const char *name, struct dk_out *out)
{
	struct dk_app_vrrp *g = app->vrrp;

	for (unsigned i = 0; g && i < g->n; i++)
		if (strcmp(g->inst[i].c->name, name) == 0)
			return &g->inst[i];
	dk_out_error(out, "no vrrp_instance '%s'", name);
	return NULL;
}

static void
timing(struct dk_out *out, const char *key, const struct dk_lat *l)
{
	struct dk_lat_summary s;

	dk_lat_summarize(l, &s);
	dk_out_obj_begin(out, key);
	dk_out_u64(out, "count", s.count);
	dk_out_u64(out, "mean", s.mean_us);
	dk_out_u64(out, "p50", s.p50_us);
	dk_out_u64(out, "p99", s.p99_us);
	dk_out_u64(out, "max", s.max_us);
	dk_out_u64(out, "window", s.window);
	dk_out_obj_end(out);
}

static void
one(struct dk_app *app, struct vrrp_inst *vi, struct dk_out *out, bool stats)
{
	const struct dk_vrrp *vr = vi->vr;
	const struct dk_conf_vrrp_instance *c = vi->c;
	char buf[DK_ADDRSTRLEN];

	dk_out_obj_begin(out, NULL);
	dk_out_str(out, "name", c->name);
	dk_out_str(out, "state", dk_vrrp_state_name(vr->state));
	dk_out_u64(out, "vrid", c->vrid);
	dk_out_str(out, "interface", c->interface);
	dk_out_u64(out, "priority", vi->base_prio);
	dk_out_u64(out, "effective_priority", vr->eff_prio);
	dk_out_str(out, "master_ip", dk_addr_is_unset(&vr->master_addr) ? NULL :
		   dk_addr_fmt(&vr->master_addr, buf, sizeof(buf)));
	dk_out_u64(out, "master_priority", vr->master_prio);
	dk_out_arr_begin(out, "vips");
	for (unsigned k = 0; k < c->n_vips; k++)
		dk_out_str(out, NULL, dk_prefix_fmt(&c->vips[k].pfx, buf, sizeof(buf)));
	dk_out_arr_end(out);
	dk_out_u64(out, "version", c->version);
	dk_out_double(out, "advert_int_s", (double)c->advert_int_us / 1e6);
	dk_out_double(out, "master_down_s", (double)dk_vrrp_master_down_us(vr) / 1e6);
	dk_out_bool(out, "nopreempt", c->nopreempt);
	dk_out_str(out, "mode", c->n_unicast_peers ? "unicast" : "multicast");
	dk_out_bool(out, "owns_vips", vi->owns);
	dk_out_u64(out, "transitions", vi->transitions);
	dk_out_double(out, "in_state_s", (double)(app->now_us - vi->since_us) / 1e6);
	dk_out_obj_begin(out, "split_brain");
	dk_out_bool(out, "active", vr->sb.active);
	dk_out_str(out, "peer", vr->sb.active ? dk_addr_fmt(&vr->sb.peer, buf, sizeof(buf)) : NULL);
	dk_out_u64(out, "count", vr->stats[DK_VRRP_ST_SPLIT_BRAIN]);
	dk_out_obj_end(out);
	if (stats) {
		dk_out_obj_begin(out, "stats");
		for (unsigned s = 0; s < DK_VRRP_ST_MAX; s++)
			dk_out_u64(out, dk_vrrp_stat_name(s), vr->stats[s]);
		dk_out_obj_end(out);
		dk_out_obj_begin(out, "rx");
		for (unsigned v = 0; v < DK_VRRP_RX_VERDICT_MAX; v++)
			dk_out_u64(out, dk_vrrp_rx_verdict_name(v), vr->rx[v]);
		dk_out_obj_end(out);
		/* Percentiles are over the last "window" adverts; count and max since start
		 * or clear stats. */
		dk_out_obj_begin(out, "advert_timing");
		timing(out, "late_us", &vi->adv_late);
		timing(out, "interval_us", &vi->adv_gap);
		dk_out_obj_end(out);
	}
	dk_out_obj_end(out);
}

static int
show(struct dk_app *app, int argc, const char *const *argv, struct dk_out *out, bool stats)
{
	struct dk_app_vrrp *g = app->vrrp;
	struct vrrp_inst *only = NULL;

	if (argc > 0 && (only = find(app, argv[0], out)) == NULL)
		return -ENOENT;
	dk_out_arr_begin(out, "instances");
	for (unsigned i = 0; g && i < g->n; i++)
		if (only == NULL || only == &g->inst[i])
			one(app, &g->inst[i], out, stats);
	dk_out_arr_end(out);
	if (stats && g) {
		const uint64_t *fs = dk_app_vrrp_fifo_stats(app);

		dk_out_u64(out, "unknown_vrid", g->unknown_vrid);
		if (fs) {
			dk_out_obj_begin(out, "notify_fifo");
			for (unsigned s = 0; s < DK_APP_VRRP_FIFO_ST_MAX; s++)
				dk_out_u64(out, dk_app_vrrp_fifo_stat_name(s), fs[s]);
			dk_out_obj_end(out);
		}
	}
	return 0;
}

static int
cmd_show(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	return show(arg, argc, argv, out, false);
}

static int
cmd_stats(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	return show(arg, argc, argv, out, true);
}

static int
cmd_priority(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct vrrp_inst *vi = find(arg, argv[0], out);
	char *end;
	unsigned long p;

	(void)argc;
	if (vi == NULL)
		return -ENOENT;
	p = strtoul(argv[1], &end, 10);
	if (*end || p < 1 || p > 254) {
		dk_out_error(out, "priority must be 1..254");
		return -EINVAL;
	}
	vi->base_prio = (uint8_t)p;
	dk_app_vrrp_reeval(vi);
	dk_out_text(out, "(%s) priority %lu, state %s\n", vi->c->name, p,
		    dk_vrrp_state_name(vi->vr->state));
	return 0;
}

static int
cmd_fault(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct vrrp_inst *vi = find(arg, argv[0], out);

	(void)argc;
	if (vi == NULL)
		return -ENOENT;
	vi->admin_fault = true;
	dk_app_vrrp_fault_update(vi);
	dk_out_text(out, "(%s) state %s\n", vi->c->name, dk_vrrp_state_name(vi->vr->state));
	return 0;
}

static int
cmd_resume(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct vrrp_inst *vi = find(arg, argv[0], out);

	(void)argc;
	if (vi == NULL)
		return -ENOENT;
	vi->admin_fault = false;
	dk_app_vrrp_fault_update(vi);
	dk_out_text(out, "(%s) state %s\n", vi->c->name, dk_vrrp_state_name(vi->vr->state));
	return 0;
}

static void
complete_instance(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	struct dk_app *app = arg;

	(void)placeholder;
	for (unsigned i = 0; app->vrrp && i < app->vrrp->n; i++)
		dk_cmd_cands_add(c, app->vrrp->inst[i].c->name);
}

int
dk_cmd_vrrp_register(struct dk_app *app)
{
	const struct dk_cmd cmds[] = {
		{ "show vrrp [INSTANCE]", "VRRP instances: state, priorities, master, VIPs",
		  cmd_show, app },
		{ "show vrrp stats [INSTANCE]", "VRRP counters and rejected adverts by reason",
		  cmd_stats, app },
		{ "vrrp INSTANCE priority N", "set an instance's priority (1..254)", cmd_priority,
		  app },
		{ "vrrp INSTANCE fault", "force an instance to FAULT (maintenance)", cmd_fault, app },
		{ "vrrp INSTANCE resume", "leave a forced FAULT", cmd_resume, app },
	};
	int rc = dk_cmd_register_many(app->cmds, cmds, DK_ARRAY_SIZE(cmds));

	if (rc == 0)
		rc = dk_cmd_set_completer(app->cmds, "INSTANCE", complete_instance, app);
	return rc;
}
