/*
 * What moves an instance besides adverts: track_interface (link state), vrrp_script /
 * track_script (children via proc.c, rise/fall in lib/vrrp), track_file, and
 * vrrp_sync_group (lib/vrrp decides, this file delivers). Everything is polled from one
 * control timer; nothing here blocks the control loop longer than a sysfs or file read.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dk_log.h"
#include "dk_vrrp_sync.h"
#include "vrrp_priv.h"

#define TRACK_TICK_US (100 * DK_USEC_PER_MSEC)

/* --- link state -------------------------------------------------------------------------- */

/*
 * af_packet reports the link it had at start forever, so its kernel interface's carrier
 * is read instead; every other PMD is asked through ethdev (never waiting).
 */
static bool
link_up(const struct dk_app *app, uint16_t port)
{
	const struct dk_dp_port *dpp = &app->dp->ports[port];
	const char *ifa = strstr(dpp->cfg->device, "iface=");
	struct rte_eth_link link;

	if (strncmp(dpp->cfg->device, "net_af_packet", 13) == 0 && ifa != NULL) {
		char path[128], ifname[64], c = '0';
		size_t n = strcspn(ifa + 6, ",");
		FILE *f;

		if (n >= sizeof(ifname))
			return false;
		memcpy(ifname, ifa + 6, n);
		ifname[n] = '\0';
		snprintf(path, sizeof(path), "/sys/class/net/%s/carrier", ifname);
		f = fopen(path, "r");
		if (f == NULL)
			return false;
		/* An administratively down interface fails the read: that is down too. */
		if (fread(&c, 1, 1, f) != 1)
			c = '0';
		fclose(f);
		return c == '1';
	}
	if (rte_eth_link_get_nowait(dpp->port_id, &link) < 0)
		return false;
	return link.link_status == RTE_ETH_LINK_UP;
}

/* --- track_file ---------------------------------------------------------------------------- */

/* keepalived: the first number in the file; a missing or unreadable file counts as 0. */
static int64_t
read_track_file(const char *path)
{
	long long v = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%lld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* --- vrrp_script --------------------------------------------------------------------------- */

static void
script_done(void *arg, int status)
{
	struct vrrp_script_rt *rt = arg;
	struct dk_app *app = rt->app;
	enum dk_vrrp_script_end end = status == DK_PROC_TIMED_OUT ? DK_VRRP_SCRIPT_TIMED_OUT :
				      status < 0 ? DK_VRRP_SCRIPT_SIGNALLED :
						   DK_VRRP_SCRIPT_EXITED;
	struct dk_app_vrrp *g = app->vrrp;

	app->now_us = dk_app_now_us();
	if (!dk_vrrp_script_result(&rt->s, end, status, app->now_us))
		return;
	if (end == DK_VRRP_SCRIPT_TIMED_OUT)
		DK_LOG(VRRP, WARNING, "Script `%s` timed out", rt->c->name);
	DK_LOG(VRRP, INFO, "VRRP_Script(%s) %s", rt->c->name,
	       dk_vrrp_script_ok(&rt->s) ? "succeeded" : "failed");
	for (unsigned i = 0; i < g->n; i++)
		if (g->inst[i].trk.n_scripts)
			dk_app_vrrp_reeval(&g->inst[i]);
}

static void
script_run(struct dk_app *app, struct vrrp_script_rt *rt)
{
	struct dk_app_vrrp *g = app->vrrp;
	uint64_t deadline = dk_vrrp_script_started(&rt->s, app->now_us);
	struct dk_proc_params p = {
		.cmd = rt->c->script,
		.user = rt->c->user[0] ? rt->c->user : g->script_user,
		.timeout_us = deadline > app->now_us ? deadline - app->now_us : 1,
		.done = script_done,
		.arg = rt,
	};

	if (dk_proc_spawn(&p, app->now_us, NULL) < 0)
		script_done(rt, 127);
}

/* --- evaluation ---------------------------------------------------------------------------- */

void
dk_app_vrrp_fault_update(struct vrrp_inst *vi)
{
	bool want = vi->admin_fault || vi->track_fault;

	if (want == vi->own_fault)
		return;
	vi->own_fault = want;
	dk_app_vrrp_handle(vi, want ? DK_VRRP_EV_FAULT : DK_VRRP_EV_RESUME, 0);
}

void
dk_app_vrrp_reeval(struct vrrp_inst *vi)
{
	struct dk_app_vrrp *g = vi->app->vrrp;
	struct vrrp_tracking *t = &vi->trk;
	struct dk_vrrp_track_input in = {
		.base_priority = vi->base_prio,
		.ifs = t->ifs, .n_ifs = t->n_ifs,
		.scripts = t->scripts, .n_scripts = t->n_scripts,
		.files = t->files, .n_files = t->n_files,
	};
	struct dk_vrrp_track_result res;

	for (unsigned i = 0; i < t->n_ifs; i++)
		t->ifs[i].ok = g->link_up[t->if_port[i]];
	for (unsigned i = 0; i < t->n_scripts; i++)
		t->scripts[i].ok = dk_vrrp_script_ok(&g->scripts[t->script_idx[i]].s);
	for (unsigned i = 0; i < t->n_files; i++)
		t->files[i].value = g->files[t->file_idx[i]].value;
	if (dk_vrrp_track_eval(&in, &res) < 0)
		return;
	if (res.priority != vi->vr->eff_prio)
		dk_app_vrrp_handle(vi, DK_VRRP_EV_PRIORITY_CHANGE, res.priority);
	if (res.fault != vi->track_fault) {
		vi->track_fault = res.fault;
		dk_app_vrrp_fault_update(vi);
	}
}

static void
track_tick(struct dk_timer *tm, void *arg, uint64_t now_us)
{
	struct dk_app *app = arg;
	struct dk_app_vrrp *g = app->vrrp;
	bool changed = false;

	app->now_us = now_us;
	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		bool up;

		if (!g->link_tracked[p])
			continue;
		up = link_up(app, (uint16_t)p);
		if (up != g->link_up[p]) {
			DK_LOG(VRRP, INFO, "Netlink reports %s %s", app->dp->ports[p].name,
			       up ? "up" : "down");
			g->link_up[p] = up;
			changed = true;
		}
	}
	for (unsigned f = 0; f < g->n_files; f++) {
		int64_t v = read_track_file(g->files[f].c->file);

		if (v != g->files[f].value) {
			DK_LOG(VRRP, INFO, "track_file %s is now %" PRId64, g->files[f].c->name, v);
			g->files[f].value = v;
			changed = true;
		}
	}
	for (unsigned s = 0; s < g->n_scripts; s++)
		if (dk_vrrp_script_due(&g->scripts[s].s, now_us))
			script_run(app, &g->scripts[s]);
	if (changed)
		for (unsigned i = 0; i < g->n; i++)
			dk_app_vrrp_reeval(&g->inst[i]);
	if (tm)
		dk_timer_arm(app->wheel, tm, now_us + TRACK_TICK_US);
}

/* --- sync groups ----------------------------------------------------------------------------- */

static void
sync_notify(struct dk_app *app, struct vrrp_sync *s, enum dk_vrrp_state st, uint64_t now_us)
{
	const struct dk_conf_sync_group *c = s->c;
	const char *specific = st == DK_VRRP_STATE_MASTER ? c->notify_master :
			       st == DK_VRRP_STATE_BACKUP ? c->notify_backup :
			       st == DK_VRRP_STATE_FAULT ? c->notify_fault : "";
	char cmd[DK_CONF_PATHSIZ + 128];

	DK_LOG(VRRP, INFO, "VRRP_Group(%s) Syncing instances to %s state", c->name,
	       dk_vrrp_state_name(st));
	dk_app_vrrp_fifo_group(app, c->name, st);
	if (specific[0])
		dk_proc_queue_push(&s->notify_q, specific, now_us);
	if (c->notify[0]) {
		snprintf(cmd, sizeof(cmd), "%s GROUP %s %s 0", c->notify, c->name,
			 dk_vrrp_state_name(st));
		dk_proc_queue_push(&s->notify_q, cmd, now_us);
	}
}

void
dk_app_vrrp_sync_changed(struct vrrp_inst *vi, enum dk_vrrp_state old_state)
{
	struct vrrp_sync *s = vi->sync;
	struct dk_vrrp_sync_member m[64] = { 0 };
	enum dk_vrrp_event_type req[64];
	unsigned n;
	bool same = true;

	if (s == NULL || s->busy)
		return;
	n = s->n < DK_ARRAY_SIZE(m) ? s->n : (unsigned)DK_ARRAY_SIZE(m);
	for (unsigned i = 0; i < n; i++) {
		m[i].state = s->members[i]->vr->state;
		m[i].own_fault = s->members[i]->own_fault;
	}
	if (dk_vrrp_sync_compute(m, n, vi->sync_idx, old_state, req) < 0)
		return;
	s->busy = true;
	for (unsigned i = 0; i < n; i++)
		if (req[i] != DK_VRRP_EV_MAX)
			dk_app_vrrp_handle(s->members[i], req[i], 0);
	s->busy = false;
	for (unsigned i = 1; i < n; i++)
		same = same && s->members[i]->vr->state == s->members[0]->vr->state;
	if (n && same && s->members[0]->vr->state != s->state &&
	    s->members[0]->vr->state != DK_VRRP_STATE_INIT) {
		s->state = s->members[0]->vr->state;
		sync_notify(vi->app, s, s->state, vi->app->now_us);
	}
}

/* --- setup ------------------------------------------------------------------------------------ */

static int
add_tracking(struct dk_app *app, struct vrrp_inst *vi, const struct dk_conf *conf)
{
	const struct dk_conf_vrrp_instance *c = vi->c;
	struct dk_app_vrrp *g = app->vrrp;
	struct vrrp_tracking *t = &vi->trk;
	unsigned nif = c->n_track_interfaces + (c->dont_track_primary ? 0 : 1);

	t->ifs = calloc(nif ? nif : 1, sizeof(*t->ifs));
	t->if_port = calloc(nif ? nif : 1, sizeof(*t->if_port));
	t->scripts = calloc(c->n_track_scripts + 1, sizeof(*t->scripts));
	t->script_idx = calloc(c->n_track_scripts + 1, sizeof(*t->script_idx));
	t->files = calloc(c->n_track_files + 1, sizeof(*t->files));
	t->file_idx = calloc(c->n_track_files + 1, sizeof(*t->file_idx));
	if (!t->ifs || !t->if_port || !t->scripts || !t->script_idx || !t->files || !t->file_idx)
		return -ENOMEM;
	/* keepalived: the instance's own interface going down is a FAULT. */
	if (!c->dont_track_primary) {
		t->if_port[t->n_ifs] = vi->port;
		t->ifs[t->n_ifs++].weight = 0;
	}
	for (unsigned i = 0; i < c->n_track_interfaces; i++) {
		const struct dk_conf_track *tr = &c->track_interfaces[i];
		int port = dk_dp_port_by_name(app->dp, tr->name);

		if (port < 0) {
			DK_LOG(VRRP, ERR, "(%s) track_interface %s is not a dpkeep port", c->name,
			       tr->name);
			return -ENODEV;
		}
		t->if_port[t->n_ifs] = (uint16_t)port;
		t->ifs[t->n_ifs].weight = tr->weight;
		t->ifs[t->n_ifs++].reverse = tr->reverse;
	}
	for (unsigned i = 0; i < t->n_ifs; i++)
		g->link_tracked[t->if_port[i]] = true;
	for (unsigned i = 0; i < c->n_track_scripts; i++) {
		const struct dk_conf_track *tr = &c->track_scripts[i];
		unsigned k;

		for (k = 0; k < conf->n_scripts && strcmp(conf->scripts[k].name, tr->name); k++)
			;
		if (k == conf->n_scripts) {
			DK_LOG(VRRP, WARNING, "(%s) track_script %s: no such vrrp_script", c->name,
			       tr->name);
			continue;
		}
		t->script_idx[t->n_scripts] = k;
		/* The instance's weight, else the script's own (keepalived). */
		t->scripts[t->n_scripts].weight = tr->weight ? tr->weight : conf->scripts[k].weight;
		t->scripts[t->n_scripts++].reverse = tr->weight ? tr->reverse :
							conf->scripts[k].weight_reverse;
	}
	for (unsigned i = 0; i < c->n_track_files; i++) {
		const struct dk_conf_track *tr = &c->track_files[i];
		unsigned k;

		for (k = 0; k < conf->n_track_files && strcmp(conf->track_files[k].name, tr->name);
		     k++)
			;
		if (k == conf->n_track_files) {
			DK_LOG(VRRP, WARNING, "(%s) track_file %s: no such track_file", c->name,
			       tr->name);
			continue;
		}
		t->file_idx[t->n_files] = k;
		t->files[t->n_files].weight = tr->weight ? tr->weight : conf->track_files[k].weight;
		t->files[t->n_files++].reverse = tr->weight ? tr->reverse :
						     conf->track_files[k].weight_reverse;
	}
	return 0;
}

static int
add_syncs(struct dk_app *app, const struct dk_conf *conf)
{
	struct dk_app_vrrp *g = app->vrrp;

	g->syncs = calloc(conf->n_sync_groups + 1, sizeof(*g->syncs));
	if (g->syncs == NULL)
		return -ENOMEM;
	for (unsigned k = 0; k < conf->n_sync_groups; k++) {
		const struct dk_conf_sync_group *c = &conf->sync_groups[k];
		struct vrrp_sync *s = &g->syncs[g->n_syncs++];

		s->c = c;
		s->state = DK_VRRP_STATE_INIT;
		s->notify_q.user = g->script_user;
		s->notify_q.timeout_us = 30 * DK_USEC_PER_SEC;
		s->members = calloc(c->n_members + 1, sizeof(*s->members));
		if (s->members == NULL)
			return -ENOMEM;
		for (unsigned m = 0; m < c->n_members; m++)
			for (unsigned i = 0; i < g->n; i++)
				if (strcmp(g->inst[i].c->name, c->members[m]) == 0 &&
				    g->inst[i].sync == NULL) {
					g->inst[i].sync = s;
					g->inst[i].sync_idx = s->n;
					s->members[s->n++] = &g->inst[i];
				}
	}
	return 0;
}

int
dk_app_vrrp_track_init(struct dk_app *app, const struct dk_conf *conf)
{
	struct dk_app_vrrp *g = app->vrrp;
	int rc;

	dk_timer_init(&g->track_t, track_tick, app);
	g->scripts = calloc(conf->n_scripts + 1, sizeof(*g->scripts));
	g->files = calloc(conf->n_track_files + 1, sizeof(*g->files));
	if (g->scripts == NULL || g->files == NULL)
		return -ENOMEM;
	for (unsigned k = 0; k < conf->n_scripts; k++) {
		const struct dk_conf_vrrp_script *c = &conf->scripts[k];
		struct dk_vrrp_script_params p = { .interval_us = c->interval_us,
						   .timeout_us = c->timeout_us,
						   .rise = c->rise, .fall = c->fall };
		struct vrrp_script_rt *rt = &g->scripts[g->n_scripts];

		rt->app = app;
		rt->c = c;
		rc = dk_vrrp_script_init(&rt->s, &p, app->now_us);
		if (rc < 0) {
			DK_LOG(VRRP, ERR, "vrrp_script %s: bad parameters", c->name);
			return rc;
		}
		g->n_scripts++;
	}
	for (unsigned k = 0; k < conf->n_track_files; k++)
		g->files[g->n_files++].c = &conf->track_files[k];
	for (unsigned i = 0; i < g->n; i++) {
		rc = add_tracking(app, &g->inst[i], conf);
		if (rc < 0)
			return rc;
	}
	return add_syncs(app, conf);
}

void
dk_app_vrrp_track_start(struct dk_app *app)
{
	struct dk_app_vrrp *g = app->vrrp;

	/* Everything starts "changed" so the first tick evaluates every instance. */
	for (unsigned p = 0; p < app->dp->n_ports; p++)
		g->link_up[p] = !link_up(app, (uint16_t)p);
	for (unsigned f = 0; f < g->n_files; f++)
		g->files[f].value = INT64_MIN;
	track_tick(NULL, app, app->now_us);
	for (unsigned i = 0; i < g->n; i++)
		dk_app_vrrp_reeval(&g->inst[i]);
	dk_timer_arm(app->wheel, &g->track_t, app->now_us + TRACK_TICK_US);
}

void
dk_app_vrrp_track_fini(struct dk_app *app)
{
	struct dk_app_vrrp *g = app->vrrp;

	dk_timer_cancel(app->wheel, &g->track_t);
	for (unsigned s = 0; s < g->n_scripts; s++)
		dk_proc_forget(&g->scripts[s]);
	for (unsigned i = 0; i < g->n; i++) {
		struct vrrp_tracking *t = &g->inst[i].trk;

		free(t->ifs);
		free(t->if_port);
		free(t->scripts);
		free(t->script_idx);
		free(t->files);
		free(t->file_idx);
	}
	for (unsigned k = 0; k < g->n_syncs; k++) {
		dk_proc_queue_free(&g->syncs[k].notify_q);
		free(g->syncs[k].members);
	}
	free(g->syncs);
	free(g->scripts);
	free(g->files);
}
