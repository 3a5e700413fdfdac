/* Console commands of the load balancer: virtual/real servers, their state and counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_app.h"
#include "dk_cmd.h"
#include "dk_out.h"
#include "lb.h"

static const char *
kind_name(enum dk_conf_lb_kind k)
{
	return dk_conf_lb_kind_name(k);
}

/* removed: a reload took it out of the configuration; it stays, out of scheduling, while
 * flows still point at it (weight, alive and drained as they were then). */
static void
rs_fields(struct dk_out *out, const struct dk_app_lb_rs *r, const struct dk_app_lb_totals *t,
	  bool removed)
{
	char buf[DK_ADDRSTRLEN];

	dk_out_str(out, "ip", dk_addr_fmt(&r->ip, buf, sizeof(buf)));
	dk_out_u64(out, "port", r->port);
	dk_out_u64(out, "weight", r->weight);
	dk_out_bool(out, "alive", r->alive);
	dk_out_bool(out, "drained", r->drained);
	dk_out_bool(out, "removed", removed);
	dk_out_u64(out, "active_conns", t->load[r->slot].active);
	dk_out_u64(out, "inactive_conns", t->load[r->slot].inactive);
	dk_out_u64(out, "pkts_in", t->stats[r->slot].pkts_in);
	dk_out_u64(out, "pkts_out", t->stats[r->slot].pkts_out);
	dk_out_u64(out, "bytes_in", t->stats[r->slot].bytes_in);
	dk_out_u64(out, "bytes_out", t->stats[r->slot].bytes_out);
}

/* "VIP", "VIP:PORT" or "VIP:PORT/udp" (IPv6 in brackets): does it name v? */
static bool
vs_match(const struct dk_app_lb_vs *v, const char *s)
{
	char name[DK_ADDRSTRLEN + 16], a[DK_ADDRSTRLEN];
	size_t n;

	dk_app_lb_vs_name(v, name, sizeof(name));
	if (strcmp(name, s) == 0)
		return true;
	n = strlen(s);
	if (strncmp(name, s, n) == 0 && name[n] == '/' && v->proto == DK_LB_PROTO_TCP)
		return true;
	if (v->c->key == DK_CONF_VS_GROUP && strcmp(v->c->group, s) == 0)
		return true;
	return strcmp(dk_addr_fmt(&v->vip, a, sizeof(a)), s) == 0;
}

static bool
rs_match(const struct dk_app_lb_rs *r, const char *s)
{
	char a[DK_ADDRSTRLEN], name[DK_ADDRSTRLEN + 8];

	dk_addr_fmt(&r->ip, a, sizeof(a));
	snprintf(name, sizeof(name), r->ip.af == AF_INET6 ? "[%s]:%u" : "%s:%u", a, r->port);
	return strcmp(a, s) == 0 || strcmp(name, s) == 0;
}

static struct dk_app_lb *
lb_of(struct dk_app *app, struct dk_out *out)
{
	if (app->lb == NULL)
		dk_out_error(out, "no virtual servers configured");
	return app->lb;
}

static int
cmd_show_vs(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	struct dk_app_lb *g = lb_of(app, out);
	struct dk_app_lb_totals t;
	char buf[DK_ADDRSTRLEN];
	unsigned shown = 0;

	if (g == NULL)
		return -ENOENT;
	if (dk_app_lb_totals_get(app, &t) < 0)
		return -ENOMEM;
	dk_out_arr_begin(out, "virtual_servers");
	for (unsigned i = 0; i < g->n_vs; i++) {
		const struct dk_app_lb_vs *v = &g->vs[i];

		if (argc > 0 && !vs_match(v, argv[0]))
			continue;
		shown++;
		dk_out_obj_begin(out, NULL);
		dk_out_str(out, "vip", dk_addr_fmt(&v->vip, buf, sizeof(buf)));
		dk_out_u64(out, "port", v->port);
		dk_out_str(out, "protocol", v->proto == DK_LB_PROTO_UDP ? "UDP" : "TCP");
		if (v->c->key == DK_CONF_VS_GROUP)
			dk_out_str(out, "group", v->c->group);
		dk_out_str(out, "sched", v->c->lb_algo);
		dk_out_str(out, "kind", kind_name(v->c->lb_kind));
		dk_out_str(out, "conn_full_policy",
			   v->c->conn_full_stateless ? "stateless" : "drop");
		dk_out_bool(out, "expire_nodest_conn", v->c->expire_nodest_conn);
		dk_out_bool(out, "quorum_up", v->quorum_up);
		dk_out_arr_begin(out, "real_servers");
		for (unsigned r = 0; r < v->n_rs + v->n_gone; r++) {
			dk_out_obj_begin(out, NULL);
			if (r < v->n_rs)
				rs_fields(out, &v->rs[r], &t, false);
			else
				rs_fields(out, &v->gone[r - v->n_rs], &t, true);
			dk_out_obj_end(out);
		}
		dk_out_arr_end(out);
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	dk_app_lb_totals_free(&t);
	if (argc > 0 && shown == 0) {
		dk_out_error(out, "no virtual server '%s'", argv[0]);
		return -ENOENT;
	}
	return 0;
}

static int
cmd_show_rs(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	struct dk_app_lb *g = lb_of(app, out);
	struct dk_app_lb_totals t;
	char name[DK_ADDRSTRLEN + 16];

	(void)argc;
	(void)argv;
	if (g == NULL)
		return -ENOENT;
	if (dk_app_lb_totals_get(app, &t) < 0)
		return -ENOMEM;
	dk_out_arr_begin(out, "real_servers");
	for (unsigned i = 0; i < g->n_vs; i++)
		for (unsigned r = 0; r < g->vs[i].n_rs + g->vs[i].n_gone; r++) {
			const struct dk_app_lb_vs *v = &g->vs[i];

			dk_out_obj_begin(out, NULL);
			dk_out_str(out, "vs", dk_app_lb_vs_name(v, name, sizeof(name)));
			if (r < v->n_rs)
				rs_fields(out, &v->rs[r], &t, false);
			else
				rs_fields(out, &v->gone[r - v->n_rs], &t, true);
			dk_out_obj_end(out);
		}
	dk_out_arr_end(out);
	dk_app_lb_totals_free(&t);
	return 0;
}

static int
cmd_show_stats(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	struct dk_app_lb *g = lb_of(app, out);

	(void)argc;
	(void)argv;
	if (g == NULL)
		return -ENOENT;
	dk_out_obj_begin(out, "counters");
	for (unsigned c = 0; c < DK_DP_LB_C_MAX; c++)
		dk_out_u64(out, dk_dp_lb_counter_name(c), dk_dp_lb_counter(g->dp, c));
	dk_out_obj_end(out);
	return 0;
}

/* The (vs, rs) indexes named by the first two arguments; -ENOENT with a reason. */
static int
find_pair(struct dk_app *app, const char *vs, const char *rs, struct dk_out *out,
	  unsigned *vi, unsigned *ri)
{
	struct dk_app_lb *g = lb_of(app, out);

	if (g == NULL)
		return -ENOENT;
	for (unsigned i = 0; i < g->n_vs; i++) {
		if (!vs_match(&g->vs[i], vs))
			continue;
		for (unsigned r = 0; r < g->vs[i].n_rs; r++)
			if (rs_match(&g->vs[i].rs[r], rs)) {
				/* The block's index: a group's services change together. */
				*vi = (unsigned)(g->vs[i].c - app->conf->vs);
				*ri = r;
				return 0;
			}
	}
	dk_out_error(out, "no real server '%s' in virtual server '%s'", rs, vs);
	return -ENOENT;
}

static int
cmd_set_weight(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	unsigned vi, ri;
	char *end;
	unsigned long w;
	int rc;

	(void)argc;
	rc = find_pair(app, argv[0], argv[1], out, &vi, &ri);
	if (rc < 0)
		return rc;
	w = strtoul(argv[2], &end, 10);
	if (*end || argv[2][0] == '-' || w > 65535) {
		dk_out_error(out, "weight must be 0..65535");
		return -EINVAL;
	}
	rc = dk_app_lb_rs_set(app, vi, ri, -1, (int64_t)w);
	if (rc < 0) {
		dk_out_error(out, "weight not applied: %s", strerror(-rc));
		return rc;
	}
	dk_out_text(out, "%s %s weight %lu\n", argv[0], argv[1], w);
	return 0;
}

static int
drain(void *arg, const char *const *argv, struct dk_out *out, bool on)
{
	struct dk_app *app = arg;
	unsigned vi, ri;
	int rc = find_pair(app, argv[0], argv[1], out, &vi, &ri);

	if (rc < 0)
		return rc;
	rc = dk_app_lb_rs_drain(app, vi, ri, on);
	if (rc < 0) {
		dk_out_error(out, "not applied: %s", strerror(-rc));
		return rc;
	}
	dk_out_text(out, "%s %s %s\n", argv[0], argv[1], on ? "drained" : "enabled");
	return 0;
}

static int
cmd_drain(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)argc;
	return drain(arg, argv, out, true);
}

static int
cmd_enable(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)argc;
	return drain(arg, argv, out, false);
}

static void
complete_vs(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	struct dk_app *app = arg;
	char name[DK_ADDRSTRLEN + 16];

	(void)placeholder;
	for (unsigned i = 0; app->lb && i < app->lb->n_vs; i++)
		dk_cmd_cands_add(c, dk_app_lb_vs_name(&app->lb->vs[i], name, sizeof(name)));
}

int
dk_cmd_lb_register(struct dk_app *app)
{
	const struct dk_cmd cmds[] = {
		{ "show vs [VS]", "virtual servers (VIP, VIP:PORT, VIP:PORT/udp or a "
		  "virtual_server_group's name) and their real servers with connections and "
		  "traffic", cmd_show_vs, app },
		{ "show rs", "every real server with its state and counters", cmd_show_rs, app },
		{ "show lb stats", "fast-path counters of the load balancer", cmd_show_stats,
		  app },
		{ "set rs VS RS weight N", "change a real server's weight (0 drains it); in a "
		  "group, on every address and port of the group",
		  cmd_set_weight, app },
		{ "rs VS RS drain", "no new connections to a real server; open ones finish",
		  cmd_drain, app },
		{ "rs VS RS enable", "undo drain", cmd_enable, app },
	};
	int rc = dk_cmd_register_many(app->cmds, cmds, DK_ARRAY_SIZE(cmds));

	if (rc == 0)
		rc = dk_cmd_set_completer(app->cmds, "VS", complete_vs, app);
	if (rc == 0)
		rc = dk_cmd_lb_conn_register(app);
	return rc;
}
