/*
 * The load balancer's numbers for exporters: per-slot totals over the workers and the
 * /dpkeep/vs telemetry endpoint (the same fields as "show vs --json").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "dk_app.h"
#include "lb.h"

int
dk_app_lb_totals_get(const struct dk_app *app, struct dk_app_lb_totals *t)
{
	const struct dk_app_lb *g = app->lb;
	const struct dk_lb_load *lw[DK_DP_MAX_WORKERS];
	const struct dk_lb_stats *sw[DK_DP_MAX_WORKERS];
	unsigned nw = app->dp->n_workers;
	uint32_t n = g->max_slots ? g->max_slots : 1;

	t->load = calloc(n, sizeof(*t->load));
	t->stats = calloc(n, sizeof(*t->stats));
	if (t->load == NULL || t->stats == NULL) {
		dk_app_lb_totals_free(t);
		return -ENOMEM;
	}
	for (unsigned w = 0; w < nw; w++) {
		lw[w] = dk_dp_lb_load(g->dp, w);
		sw[w] = dk_dp_lb_stats(g->dp, w);
	}
	dk_lb_load_aggregate(lw, nw, n, t->load, NULL);
	dk_lb_stats_aggregate(sw, nw, n, t->stats);
	return 0;
}

void
dk_app_lb_totals_free(struct dk_app_lb_totals *t)
{
	free(t->load);
	free(t->stats);
	t->load = NULL;
	t->stats = NULL;
}

const char *
dk_app_lb_vs_name(const struct dk_app_lb_vs *v, char *buf, size_t len)
{
	char a[DK_ADDRSTRLEN];

	snprintf(buf, len, v->vip.af == AF_INET6 ? "[%s]:%u/%s" : "%s:%u/%s",
		 dk_addr_fmt(&v->vip, a, sizeof(a)), v->port,
		 v->proto == DK_LB_PROTO_UDP ? "udp" : "tcp");
	return buf;
}

static void
traffic(struct rte_tel_data *d, const struct dk_lb_load *l, const struct dk_lb_stats *s)
{
	rte_tel_data_add_dict_u64(d, "active_conns", l->active);
	rte_tel_data_add_dict_u64(d, "inactive_conns", l->inactive);
	rte_tel_data_add_dict_u64(d, "pkts_in", s->pkts_in);
	rte_tel_data_add_dict_u64(d, "pkts_out", s->pkts_out);
	rte_tel_data_add_dict_u64(d, "bytes_in", s->bytes_in);
	rte_tel_data_add_dict_u64(d, "bytes_out", s->bytes_out);
}

/* A virtual server's own fields and its real servers' sums. */
static void
vs_fields(struct rte_tel_data *d, const struct dk_app_lb_vs *v, const struct dk_app_lb_totals *t)
{
	struct dk_lb_load l = { 0 };
	struct dk_lb_stats s = { 0 };
	char buf[DK_ADDRSTRLEN];

	for (unsigned r = 0; r < v->n_rs; r++) {
		uint32_t k = v->rs[r].slot;

		l.active += t->load[k].active;
		l.inactive += t->load[k].inactive;
		s.pkts_in += t->stats[k].pkts_in;
		s.pkts_out += t->stats[k].pkts_out;
		s.bytes_in += t->stats[k].bytes_in;
		s.bytes_out += t->stats[k].bytes_out;
	}
	rte_tel_data_add_dict_string(d, "vip", dk_addr_fmt(&v->vip, buf, sizeof(buf)));
	rte_tel_data_add_dict_u64(d, "port", v->port);
	rte_tel_data_add_dict_string(d, "protocol", v->proto == DK_LB_PROTO_UDP ? "UDP" : "TCP");
	rte_tel_data_add_dict_string(d, "sched", v->c->lb_algo);
	rte_tel_data_add_dict_string(d, "kind", dk_conf_lb_kind_name(v->c->lb_kind));
	rte_tel_data_add_dict_u64(d, "quorum_up", v->quorum_up);
	rte_tel_data_add_dict_u64(d, "real_servers", v->n_rs);
	traffic(d, &l, &s);
}

static int
rs_one(struct rte_tel_data *d, const struct dk_app_lb_rs *r, const struct dk_app_lb_totals *t)
{
	char buf[DK_ADDRSTRLEN];

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "ip", dk_addr_fmt(&r->ip, buf, sizeof(buf)));
	rte_tel_data_add_dict_u64(d, "port", r->port);
	rte_tel_data_add_dict_u64(d, "weight", r->weight);
	rte_tel_data_add_dict_u64(d, "alive", r->alive);
	rte_tel_data_add_dict_u64(d, "drained", r->drained);
	traffic(d, &t->load[r->slot], &t->stats[r->slot]);
	return 0;
}

/* One virtual server in full: its fields, then rs_0.. as nested dicts. */
static int
vs_detail(struct rte_tel_data *d, const struct dk_app_lb_vs *v, const struct dk_app_lb_totals *t)
{
	char k[32];

	rte_tel_data_start_dict(d);
	vs_fields(d, v, t);
	for (unsigned r = 0; r < v->n_rs; r++) {
		struct rte_tel_data *one = rte_tel_data_alloc();

		snprintf(k, sizeof(k), "rs_%u", r);
		if (one == NULL || rs_one(one, &v->rs[r], t) < 0 ||
		    rte_tel_data_add_dict_container(d, k, one, 0) < 0) {
			rte_tel_data_free(one);
			return -ENOMEM;
		}
	}
	return 0;
}

/*
 * Without a parameter: the names in "virtual_servers", "count", and vs_0.. with each
 * one's fields and sums; with a name (as in the list): that one with its real servers.
 */
int
dk_app_lb_tel_vs(struct dk_app *app, const char *params, struct rte_tel_data *d)
{
	const struct dk_app_lb *g = app->lb;
	unsigned n = g ? g->n_vs : 0;
	struct dk_app_lb_totals t = { 0 };
	struct rte_tel_data *names = NULL;
	char name[DK_ADDRSTRLEN + 16], k[32];
	int rc = -ENOMEM;

	if (n && dk_app_lb_totals_get(app, &t) < 0)
		return -ENOMEM;
	if (params && params[0]) {
		rc = -ENOENT;
		for (unsigned i = 0; i < n; i++)
			if (strcmp(dk_app_lb_vs_name(&g->vs[i], name, sizeof(name)), params) == 0)
				rc = vs_detail(d, &g->vs[i], &t);
		goto out;
	}
	names = rte_tel_data_alloc();
	if (names == NULL)
		goto out;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_array(names, RTE_TEL_STRING_VAL);
	for (unsigned i = 0; i < n; i++) {
		struct rte_tel_data *one = rte_tel_data_alloc();

		rte_tel_data_add_array_string(names, dk_app_lb_vs_name(&g->vs[i], name,
								       sizeof(name)));
		snprintf(k, sizeof(k), "vs_%u", i);
		if (one == NULL)
			goto out;
		rte_tel_data_start_dict(one);
		vs_fields(one, &g->vs[i], &t);
		if (rte_tel_data_add_dict_container(d, k, one, 0) < 0) {
			rte_tel_data_free(one);
			goto out;
		}
	}
	rte_tel_data_add_dict_container(d, "virtual_servers", names, 0);
	names = NULL;
	rte_tel_data_add_dict_u64(d, "count", n);
	rc = 0;
out:
	rte_tel_data_free(names);
	dk_app_lb_totals_free(&t);
	return rc;
}
