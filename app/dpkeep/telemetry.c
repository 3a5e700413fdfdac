/* DPDK telemetry endpoints answered by the control lcore; see telemetry.h. */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include "dk_app.h"
#include "hc_priv.h"
#include "lb.h"
#include "telemetry.h"
#include "vrrp_priv.h"

#define WAIT_MS 1000

struct tel_req {
	const char *cmd;
	const char *params;
	struct rte_tel_data *d;
	int rc;
	bool done;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct tel_req *pending;
	int waiting;           /* a hint read without the lock by the control loop */
	struct dk_app *app;    /* NULL: not answering */
	bool registered;
} tel = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* Telemetry keys may only hold alphanumerics, '_' and '/'. */
static void
key(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < size && src[i]; i++)
		dst[i] = isalnum((unsigned char)src[i]) || src[i] == '/' ? src[i] : '_';
	dst[i] = '\0';
}

static int
vrrp_one(struct dk_app *app, const struct vrrp_inst *vi, struct rte_tel_data *d)
{
	const struct dk_conf_vrrp_instance *c = vi->c;
	const struct dk_vrrp *vr = vi->vr;
	struct rte_tel_data *vips = rte_tel_data_alloc();
	struct dk_lat_summary late;
	char buf[DK_ADDRSTRLEN];

	if (vips == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", c->name);
	rte_tel_data_add_dict_string(d, "state", dk_vrrp_state_name(vr->state));
	rte_tel_data_add_dict_u64(d, "vrid", c->vrid);
	rte_tel_data_add_dict_string(d, "interface", c->interface);
	rte_tel_data_add_dict_u64(d, "priority", vi->base_prio);
	rte_tel_data_add_dict_u64(d, "effective_priority", vr->eff_prio);
	rte_tel_data_add_dict_string(d, "master_ip", dk_addr_is_unset(&vr->master_addr) ? "" :
				     dk_addr_fmt(&vr->master_addr, buf, sizeof(buf)));
	rte_tel_data_add_dict_u64(d, "transitions", vi->transitions);
	rte_tel_data_add_dict_u64(d, "split_brain_count", vr->stats[DK_VRRP_ST_SPLIT_BRAIN]);
	rte_tel_data_add_dict_u64(d, "in_state_ms", (app->now_us - vi->since_us) / 1000);
	dk_lat_summarize(&vi->adv_late, &late);
	rte_tel_data_add_dict_u64(d, "advert_late_p99_us", late.p99_us);
	rte_tel_data_add_dict_u64(d, "advert_late_max_us", late.max_us);
	rte_tel_data_start_array(vips, RTE_TEL_STRING_VAL);
	for (unsigned k = 0; k < c->n_vips; k++)
		rte_tel_data_add_array_string(vips, dk_prefix_fmt(&c->vips[k].pfx, buf,
								   sizeof(buf)));
	rte_tel_data_add_dict_container(d, "vips", vips, 0);
	return 0;
}

/* Without a parameter: instance name -> state; with one: that instance in full. */
static int
fill_vrrp(struct dk_app *app, const char *params, struct rte_tel_data *d)
{
	const struct dk_app_vrrp *g = app->vrrp;
	unsigned n = g ? g->n : 0;
	char k[RTE_TEL_MAX_STRING_LEN];

	if (params && params[0]) {
		for (unsigned i = 0; i < n; i++)
			if (strcmp(g->inst[i].c->name, params) == 0)
				return vrrp_one(app, &g->inst[i], d);
		return -ENOENT;
	}
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < n; i++) {
		struct rte_tel_data *one = rte_tel_data_alloc();

		key(k, sizeof(k), g->inst[i].c->name);
		if (one && vrrp_one(app, &g->inst[i], one) == 0 &&
		    rte_tel_data_add_dict_container(d, k, one, 0) == 0)
			continue;
		/* DPDK releases that cannot nest a dict get the state alone. */
		rte_tel_data_free(one);
		rte_tel_data_add_dict_string(d, k, dk_vrrp_state_name(g->inst[i].vr->state));
	}
	return 0;
}

static int
fill_lcores(struct dk_app *app, const char *params, struct rte_tel_data *d)
{
	uint64_t elapsed = rte_rdtsc() - app->dp->start_tsc;
	char k[32];

	(void)params;
	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i <= app->dp->n_workers; i++) {
		const struct dk_dp_lctx *lc = &app->dp->lctx[i];
		struct rte_tel_data *one = rte_tel_data_alloc();

		if (one == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(one);
		rte_tel_data_add_dict_string(one, "role", lc->is_control ? "control" : "worker");
		rte_tel_data_add_dict_u64(one, "queue", lc->idx);
		for (unsigned c = 0; c < DK_DPC_MAX; c++)
			rte_tel_data_add_dict_u64(one, dk_dp_counter_names[c], lc->cnt[c]);
		rte_tel_data_add_dict_u64(one, "loops", lc->loops);
		/* Telemetry has no floating point: busy share in parts per million. */
		rte_tel_data_add_dict_u64(one, "busy_ppm",
					  elapsed ? lc->busy_tsc * 1000000 / elapsed : 0);
		snprintf(k, sizeof(k), "lcore_%u", lc->lcore_id);
		if (rte_tel_data_add_dict_container(d, k, one, 0) < 0) {
			rte_tel_data_free(one);
			return -ENOSPC;
		}
	}
	return 0;
}

static int
fill_vs(struct dk_app *app, const char *params, struct rte_tel_data *d)
{
	return dk_app_lb_tel_vs(app, params, d);
}

static void
hc_one(const struct hc_chk *k, struct rte_tel_data *d)
{
	char buf[DK_ADDRSTRLEN + 8], tok[HC_TOKEN_LEN];

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "vs", hc_vs_fmt(k->rs->vs, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(d, "rs", hc_target_fmt(&k->rs->c->ip, k->rs->port, buf,
							   sizeof(buf)));
	rte_tel_data_add_dict_string(d, "kind", dk_hc_kind_str(k->kind));
	rte_tel_data_add_dict_string(d, "target", hc_chk_target(k, buf, sizeof(buf)));
	rte_tel_data_add_dict_string(d, "state", dk_hc_checker_up(k->st) ? "UP" : "DOWN");
	rte_tel_data_add_dict_string(d, "result", hc_result_token(k->last, tok, sizeof(tok)));
	rte_tel_data_add_dict_string(d, "reason", dk_hc_result_str(k->last));
	rte_tel_data_add_dict_u64(d, "probes", k->n_run);
	rte_tel_data_add_dict_u64(d, "ok", k->n_ok);
	rte_tel_data_add_dict_u64(d, "failed", k->n_fail);
	rte_tel_data_add_dict_u64(d, "went_up", k->n_up);
	rte_tel_data_add_dict_u64(d, "went_down", k->n_down);
}

/*
 * checkers: one line per checker ("KIND target STATE result"), and checker_<n> with its
 * details (telemetry can put dicts in a dict, not in an array). A parameter (a real
 * server's IP) keeps only that server's checkers.
 */
static int
fill_hc(struct dk_app *app, const char *params, struct rte_tel_data *d)
{
	const struct dk_app_hc *hc = app->hc;
	struct rte_tel_data *a = rte_tel_data_alloc();
	char ip[DK_ADDRSTRLEN], tg[DK_ADDRSTRLEN + 8], tok[HC_TOKEN_LEN];
	char line[RTE_TEL_MAX_STRING_LEN], k[32];
	unsigned n = 0;

	if (a == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(d);
	rte_tel_data_start_array(a, RTE_TEL_STRING_VAL);
	for (unsigned i = 0; hc && i < hc->n_chk; i++) {
		const struct hc_chk *c = &hc->chk[i];
		struct rte_tel_data *one;

		dk_addr_fmt(&c->rs->c->ip, ip, sizeof(ip));
		if (params && params[0] && strcmp(params, ip) != 0)
			continue;
		snprintf(line, sizeof(line), "%s %s %s %s", dk_hc_kind_str(c->kind),
			 hc_chk_target(c, tg, sizeof(tg)), dk_hc_checker_up(c->st) ? "UP" : "DOWN",
			 hc_result_token(c->last, tok, sizeof(tok)));
		rte_tel_data_add_array_string(a, line);
		n++;
		one = rte_tel_data_alloc();
		if (one == NULL)
			continue;
		hc_one(c, one);
		snprintf(k, sizeof(k), "checker_%u", i);
		if (rte_tel_data_add_dict_container(d, k, one, 0) < 0)
			rte_tel_data_free(one);
	}
	rte_tel_data_add_dict_container(d, "checkers", a, 0);
	rte_tel_data_add_dict_u64(d, "count", n);
	return 0;
}

static const struct {
	const char *cmd;
	int (*fill)(struct dk_app *app, const char *params, struct rte_tel_data *d);
	const char *help;
} endpoints[] = {
	{ "/dpkeep/vrrp", fill_vrrp,
	  "VRRP instances and their state. Parameters: instance name for its details" },
	{ "/dpkeep/lcores", fill_lcores, "Per-lcore packet counters and busy share" },
	{ "/dpkeep/vs", fill_vs,
	  "Virtual servers of the load balancer. Parameters: VIP:PORT/proto for its real servers" },
	{ "/dpkeep/hc", fill_hc, "Health checkers of the real servers" },
};

static int
timed_wait(const struct timespec *until)
{
	return pthread_cond_timedwait(&tel.cv, &tel.mu, until);
}

static int
request(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct tel_req req = { .cmd = cmd, .params = params, .d = d, .rc = -EBUSY };
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&tel.mu);
	while (tel.app && tel.pending && timed_wait(&until) == 0)
		;
	if (tel.app == NULL || tel.pending) {
		req.rc = tel.app ? -EBUSY : -ESHUTDOWN;
		goto out;
	}
	tel.pending = &req;
	__atomic_store_n(&tel.waiting, 1, __ATOMIC_RELEASE);
	while (!req.done && timed_wait(&until) == 0)
		;
	if (!req.done) {
		/* Withdrawn under the lock: the control lcore can no longer touch d. */
		tel.pending = NULL;
		req.rc = -EBUSY;
	}
	pthread_cond_broadcast(&tel.cv);
out:
	pthread_mutex_unlock(&tel.mu);
	return req.rc;
}

unsigned
dk_telemetry_serve(void)
{
	struct tel_req *r;

	if (!__atomic_load_n(&tel.waiting, __ATOMIC_ACQUIRE) || pthread_mutex_trylock(&tel.mu))
		return 0;
	r = tel.pending;
	if (r && tel.app) {
		r->rc = -ENOENT;
		for (unsigned i = 0; i < DK_ARRAY_SIZE(endpoints); i++)
			if (strcmp(endpoints[i].cmd, r->cmd) == 0)
				r->rc = endpoints[i].fill(tel.app, r->params, r->d);
		r->done = true;
		tel.pending = NULL;
		pthread_cond_broadcast(&tel.cv);
	}
	__atomic_store_n(&tel.waiting, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&tel.mu);
	return r != NULL;
}

int
dk_telemetry_init(struct dk_app *app)
{
	if (!tel.registered) {
		for (unsigned i = 0; i < DK_ARRAY_SIZE(endpoints); i++) {
			int rc = rte_telemetry_register_cmd(endpoints[i].cmd, request,
							    endpoints[i].help);

			if (rc < 0)
				return rc;
		}
		tel.registered = true;
	}
	pthread_mutex_lock(&tel.mu);
	tel.app = app;
	pthread_mutex_unlock(&tel.mu);
	return 0;
}

void
dk_telemetry_fini(void)
{
	pthread_mutex_lock(&tel.mu);
	tel.app = NULL;
	if (tel.pending) {
		tel.pending->rc = -ESHUTDOWN;
		tel.pending->done = true;
		tel.pending = NULL;
	}
	pthread_cond_broadcast(&tel.cv);
	pthread_mutex_unlock(&tel.mu);
}
