/*
 * Reload. The new configuration is parsed and validated whole first; only a usable one
 * is applied. Each subsystem then moves from the old configuration to the new one:
 *   - the load balancer diffs its services (lb.c);
 *   - VRRP: when its part of the configuration is unchanged, the running instances are
 *     re-pointed at the new structures (no event at all: no flap, no GARP); otherwise it
 *     is rebuilt, and instances whose configuration is equal carry their state machine,
 *     timers and VIP ownership across; removed ones resign with a priority-0 advert;
 *   - health checks: unchanged virtual servers -> re-pointed, else restarted (the load
 *     balancer keeps each real server's last health state meanwhile).
 * The old configuration is freed only when nothing points into it any more.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dk_cmd.h"
#include "dk_log.h"
#include "dk_out.h"
#include "hc.h"
#include "hc_priv.h"
#include "lb.h"
#include "proc.h"
#include "reload.h"
#include "vrrp.h"
#include "vrrp_priv.h"

struct diag_buf {
	char text[1024];
	size_t len;
};

static void
collect(void *ctx, enum dk_diag_sev sev, const char *file, int line, const char *msg)
{
	struct diag_buf *b = ctx;
	int n;

	dk_log(DK_LOGC_CONF, sev == DK_DIAG_ERROR ? DK_LOG_ERR : DK_LOG_WARNING, "%s:%d: %s%s",
	       file, line, sev == DK_DIAG_WARNING ? "warning: " : "", msg);
	if (sev != DK_DIAG_ERROR || b->len >= sizeof(b->text) - 1)
		return;
	n = snprintf(b->text + b->len, sizeof(b->text) - b->len, "%s%s:%d: %s",
		     b->len ? "; " : "", file, line, msg);
	if (n > 0)
		b->len = DK_MIN(b->len + (size_t)n, sizeof(b->text) - 1);
}

/* --- VRRP ----------------------------------------------------------------------------- */

static const struct dk_conf_vrrp_instance *
find_instance(const struct dk_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_vrrp; i++)
		if (strcmp(c->vrrp[i].name, name) == 0)
			return &c->vrrp[i];
	return NULL;
}

static bool
sync_equal(const struct dk_conf_sync_group *a, const struct dk_conf_sync_group *b)
{
	if (strcmp(a->name, b->name) || strcmp(a->notify_master, b->notify_master) ||
	    strcmp(a->notify_backup, b->notify_backup) || strcmp(a->notify_fault, b->notify_fault) ||
	    strcmp(a->notify, b->notify) || a->smtp_alert != b->smtp_alert ||
	    a->n_members != b->n_members)
		return false;
	for (unsigned i = 0; i < a->n_members; i++)
		if (strcmp(a->members[i], b->members[i]))
			return false;
	return true;
}

/* Structs without pointers compare as bytes once the line number is set aside. */
#define EQ_NO_LINE(a, b) \
	({ __typeof__(*(a)) _x = *(a), _y = *(b); \
	   _x.line = _y.line = 0; memcmp(&_x, &_y, sizeof(_x)) == 0; })

static bool
vrrp_section_equal(const struct dk_conf *o, const struct dk_conf *n)
{
	if (o->n_vrrp != n->n_vrrp || o->n_scripts != n->n_scripts ||
	    o->n_track_files != n->n_track_files || o->n_sync_groups != n->n_sync_groups ||
	    o->global.script_user_set != n->global.script_user_set ||
	    strcmp(o->global.script_user, n->global.script_user))
		return false;
	for (unsigned i = 0; i < o->n_vrrp; i++)
		if (!dk_conf_vrrp_instance_equal(&o->vrrp[i], &n->vrrp[i]))
			return false;
	for (unsigned i = 0; i < o->n_scripts; i++)
		if (!EQ_NO_LINE(&o->scripts[i], &n->scripts[i]))
			return false;
	for (unsigned i = 0; i < o->n_track_files; i++)
		if (!EQ_NO_LINE(&o->track_files[i], &n->track_files[i]))
			return false;
	for (unsigned i = 0; i < o->n_sync_groups; i++)
		if (!sync_equal(&o->sync_groups[i], &n->sync_groups[i]))
			return false;
	return true;
}

/* Same configuration, new structures: re-point everything that points into the old. */
static void
vrrp_rebind(struct dk_app *app, const struct dk_conf *o, const struct dk_conf *n)
{
	struct dk_app_vrrp *g = app->vrrp;
	const char *user = n->global.script_user_set ? n->global.script_user : NULL;

	g->script_user = user;
	for (unsigned i = 0; i < g->n; i++) {
		g->inst[i].c = &n->vrrp[g->inst[i].c - o->vrrp];
		g->inst[i].notify_q.user = user;
	}
	for (unsigned i = 0; i < g->n_scripts; i++)
		g->scripts[i].c = &n->scripts[g->scripts[i].c - o->scripts];
	for (unsigned i = 0; i < g->n_files; i++)
		g->files[i].c = &n->track_files[g->files[i].c - o->track_files];
	for (unsigned i = 0; i < g->n_syncs; i++) {
		g->syncs[i].c = &n->sync_groups[g->syncs[i].c - o->sync_groups];
		g->syncs[i].notify_q.user = user;
	}
}

static void
move_timer(struct dk_app *app, struct dk_timer *from, struct dk_timer *to)
{
	if (!dk_timer_armed(from))
		return;
	dk_timer_arm(app->wheel, to, from->expire_us);
	dk_timer_cancel(app->wheel, from);
}

/* The running state of an unchanged instance moves into its new incarnation. */
static void
transplant(struct dk_app *app, struct vrrp_inst *from, struct vrrp_inst *to)
{
	struct dk_vrrp *fresh = to->vr;

	to->vr = from->vr;
	from->vr = fresh;
	for (unsigned t = 0; t < DK_VRRP_TIMER_MAX; t++)
		move_timer(app, &from->t[t], &to->t[t]);
	move_timer(app, &from->garp_t, &to->garp_t);
	to->garp = from->garp;
	to->garp_second_done = from->garp_second_done;
	to->owns = from->owns;
	from->owns = false;
	to->base_prio = from->base_prio;
	to->transitions = from->transitions;
	to->since_us = from->since_us;
	to->admin_fault = from->admin_fault;
	to->own_fault = from->own_fault;
	to->adv_late = from->adv_late;
	to->adv_gap = from->adv_gap;
	to->adv_last_us = from->adv_last_us;
}

static int
vrrp_rebuild(struct dk_app *app, const struct dk_conf *o, const struct dk_conf *n)
{
	struct dk_app_vrrp *old = app->vrrp, *g;
	bool *kept;
	int rc;

	app->vrrp = NULL;
	rc = dk_app_vrrp_init(app, n);
	if (rc < 0) {
		dk_app_vrrp_fini(app);
		app->vrrp = old;
		return rc;
	}
	g = app->vrrp;
	kept = calloc(g->n ? g->n : 1, sizeof(*kept));
	if (kept == NULL) {
		dk_app_vrrp_fini(app);
		app->vrrp = old;
		return -ENOMEM;
	}
	for (unsigned i = 0; old && i < old->n; i++) {
		struct vrrp_inst *ov = &old->inst[i];
		const struct dk_conf_vrrp_instance *nc = find_instance(n, ov->c->name);

		for (unsigned k = 0; nc && k < g->n; k++)
			if (g->inst[k].c == nc && dk_conf_vrrp_instance_equal(ov->c, nc)) {
				transplant(app, ov, &g->inst[k]);
				kept[k] = true;
				goto next;
			}
		/* Removed or changed: resign as keepalived does when an instance goes. */
		DK_LOG(VRRP, INFO, "(%s) reload: instance %s", ov->c->name,
		       nc ? "changed, restarting" : "removed");
		dk_app_vrrp_handle(ov, DK_VRRP_EV_SHUTDOWN, 0);
next:;
	}
	if (old) {
		app->vrrp = old;
		dk_app_vrrp_fini(app);
		app->vrrp = g;
	}
	dk_app_vrrp_track_start(app);
	for (unsigned k = 0; k < g->n; k++)
		if (!kept[k]) {
			g->inst[k].since_us = app->now_us;
			dk_app_vrrp_handle(&g->inst[k], DK_VRRP_EV_START, 0);
		}
	dk_app_vrrp_publish(app);
	free(kept);
	(void)o;
	return 0;
}

static int
vrrp_reload(struct dk_app *app, const struct dk_conf *o, const struct dk_conf *n)
{
	if (app->vrrp && vrrp_section_equal(o, n)) {
		vrrp_rebind(app, o, n);
		return 0;
	}
	if (app->vrrp == NULL && n->n_vrrp == 0)
		return 0;
	return vrrp_rebuild(app, o, n);
}

/* --- health checks ------------------------------------------------------------------- */

static bool
vs_section_equal(const struct dk_conf *o, const struct dk_conf *n)
{
	if (o->n_vs != n->n_vs || o->global.script_user_set != n->global.script_user_set ||
	    strcmp(o->global.script_user, n->global.script_user))
		return false;
	for (unsigned i = 0; i < o->n_vs; i++)
		if (!dk_conf_vs_equal(&o->vs[i], &n->vs[i]))
			return false;
	return true;
}

static void
hc_rebind(struct dk_app *app, const struct dk_conf *o, const struct dk_conf *n)
{
	struct dk_app_hc *hc = app->hc;
	const char *user = n->global.script_user_set ? n->global.script_user : NULL;

	/* Checkers first: their index is found through their real server's old block. */
	for (unsigned i = 0; i < hc->n_chk; i++) {
		struct hc_chk *k = &hc->chk[i];
		const struct dk_conf_rs *orc = k->rs->c;
		const struct dk_conf_vs *ovc = k->rs->vs->c;
		const struct dk_conf_rs *nrc = &n->vs[ovc - o->vs].rs[orc - ovc->rs];

		k->c = &nrc->checkers[k->c - orc->checkers];
	}
	for (unsigned v = 0; v < hc->n_vs; v++) {
		struct hc_vs *hv = &hc->vs[v];
		const struct dk_conf_vs *nvc = &n->vs[hv->c - o->vs];

		for (unsigned r = 0; r < hv->n_rs; r++)
			hv->rs[r].c = &nvc->rs[hv->rs[r].c - hv->c->rs];
		hv->c = nvc;
	}
	hc->script_user = user;
	hc->notify.user = user;
}

static int
hc_reload(struct dk_app *app, const struct dk_conf *o, const struct dk_conf *n)
{
	int rc;

	if (app->hc && vs_section_equal(o, n)) {
		hc_rebind(app, o, n);
		return 0;
	}
	dk_app_hc_fini(app);
	rc = dk_app_hc_init(app);
	if (rc == 0)
		dk_app_hc_start(app);
	return rc;
}

/* --- the whole --------------------------------------------------------------------------- */

int
dk_app_reload_config(struct dk_app *app, struct dk_out *out)
{
	struct diag_buf msgs = { .len = 0 };
	struct dk_diag diag = { .emit = collect, .ctx = &msgs };
	struct dk_conf_load_params p = { .path = app->opts.conf_file,
					 .instance_id = app->opts.instance_id,
					 .ports = &app->prof };
	struct dk_conf *nc = NULL, *oc = app->conf;
	int rc;

	if (app->opts.conf_file == NULL) {
		if (out)
			dk_out_error(out, "dpkeep was started without -f: nothing to reload");
		return -ENOENT;
	}
	DK_LOG(MAIN, NOTICE, "reloading %s", app->opts.conf_file);
	rc = dk_conf_load_ex(&p, &nc, &diag, NULL);
	if (rc < 0 || diag.errors) {
		DK_LOG(MAIN, ERR, "reload refused: %u error(s); the running configuration stays",
		       diag.errors);
		if (out)
			dk_out_error(out, "reload refused, running configuration kept: %s",
				     msgs.len ? msgs.text : strerror(-rc));
		dk_conf_free(nc);
		return rc < 0 ? rc : -EINVAL;
	}
	app->conf = nc;
	rc = dk_app_lb_reload(app);
	if (rc < 0)
		goto undo_conf;
	rc = vrrp_reload(app, oc, nc);
	if (rc < 0)
		goto undo_lb;
	rc = hc_reload(app, oc, nc);
	if (rc < 0) {
		/* Checkers are gone; bring back the old ones with the old configuration. */
		app->conf = oc;
		vrrp_reload(app, nc, oc);
		dk_app_lb_reload(app);
		hc_reload(app, nc, oc);
		dk_conf_free(nc);
		goto refused;
	}
	dk_conf_free(oc);
	dk_proc_set_script_security(nc->global.enable_script_security);
	dk_control_sched(app);
	DK_LOG(MAIN, NOTICE, "reload done");
	if (out)
		dk_out_text(out, "reloaded %s\n", app->opts.conf_file);
	return 0;
undo_lb:
	app->conf = oc;
	dk_app_lb_reload(app);
	dk_conf_free(nc);
	goto refused;
undo_conf:
	app->conf = oc;
	dk_conf_free(nc);
refused:
	DK_LOG(MAIN, ERR, "reload not applied: %s", strerror(-rc));
	if (out)
		dk_out_error(out, "reload not applied (%s); the running configuration stays",
			     strerror(-rc));
	return rc;
}

static int
cmd_reload(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)argc;
	(void)argv;
	return dk_app_reload_config(arg, out);
}

int
dk_cmd_reload_register(struct dk_app *app)
{
	const struct dk_cmd cmd = { "reload", "re-read keepalived.conf and apply the difference",
				    cmd_reload, app };

	return dk_cmd_register(app->cmds, &cmd);
}
