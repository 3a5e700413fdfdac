/*
 * Health checks: one runtime per checker of keepalived.conf, scheduled on the control
 * timer wheel and spread over its delay_loop; verdicts go through lib/hc's checker,
 * real-server and quorum state, and the transitions they report are acted on here
 * (notify scripts, quorum scripts, the load balancer's view of the real server).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_random.h>

#include "dk_hc_http.h"
#include "dk_hc_probes.h"
#include "dk_log.h"
#include "hc_priv.h"
#include "lb.h"

/* Notify scripts that hang are killed after this; keepalived has no bound by default,
 * but a queue that runs them in order must not stall behind one. */
#define NOTIFY_TIMEOUT_US (60 * DK_USEC_PER_SEC)

const char *const hc_counter_names[HC_C_MAX] = { HC_COUNTERS(DK_XSTR) };

static const char *const proto_names[] = {
	[DK_CONF_PROTO_TCP] = "tcp", [DK_CONF_PROTO_UDP] = "udp", [DK_CONF_PROTO_SCTP] = "sctp",
};

/* "connect_refused" for DK_HC_CONNECT_REFUSED: a stable token for scripts. */
#define RESULT_TOKEN(name, str) #name,
static const char *const result_tokens[] = { DK_HC_RESULTS(RESULT_TOKEN) };
#undef RESULT_TOKEN

const char *
hc_result_token(enum dk_hc_result r, char *buf, size_t len)
{
	const char *s = (unsigned)r < DK_HC_RESULT_MAX ? result_tokens[r] + 6 : "unknown";
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	buf[i] = '\0';
	return buf;
}

const char *
hc_target_fmt(const struct dk_addr *a, uint16_t port, char *buf, size_t len)
{
	char ip[DK_ADDRSTRLEN];

	dk_addr_fmt(a, ip, sizeof(ip));
	if (port == 0)
		snprintf(buf, len, "%s", ip);
	else if (a->af == AF_INET6)
		snprintf(buf, len, "[%s]:%u", ip, port);
	else
		snprintf(buf, len, "%s:%u", ip, port);
	return buf;
}

const char *
hc_vs_fmt(const struct hc_vs *v, char *buf, size_t len)
{
	const struct dk_conf_vs *c = v->c;

	switch (c->key) {
	case DK_CONF_VS_GROUP:
		snprintf(buf, len, "group %s", c->group);
		break;
	case DK_CONF_VS_FWMARK:
		snprintf(buf, len, "fwmark %u", c->fwmark);
		break;
	default:
		hc_target_fmt(&c->vip, c->port, buf, len);
		break;
	}
	return buf;
}

/* keepalived's way of naming a service in its log: [ip]:proto:port */
static const char *
svc_fmt(const struct dk_addr *a, uint16_t port, enum dk_conf_proto proto, char *buf, size_t len)
{
	char ip[DK_ADDRSTRLEN];

	snprintf(buf, len, "[%s]:%s:%u", dk_addr_fmt(a, ip, sizeof(ip)), proto_names[proto], port);
	return buf;
}

const char *
hc_chk_target(const struct hc_chk *k, char *buf, size_t len)
{
	return hc_target_fmt(&k->dst, k->transport == DK_HC_TRANSPORT_ICMP ? 0 : k->dport, buf,
			     len);
}

/* A virtual server in log lines: [vip]:proto:port, or its group / fwmark. */
static const char *
vs_log_fmt(const struct hc_vs *v, char *buf, size_t len)
{
	if (v->c->key == DK_CONF_VS_ADDR)
		return svc_fmt(&v->c->vip, v->c->port, v->c->proto, buf, len);
	return hc_vs_fmt(v, buf, len);
}

static void
run_script(struct dk_app_hc *hc, const char *cmd)
{
	if (cmd[0] == '\0')
		return;
	if (dk_proc_queue_push(&hc->notify, cmd, hc->app->now_us) < 0)
		DK_LOG(HC, WARNING, "cannot queue script '%s'", cmd);
}

/* The load balancer's entry follows the health state; inhibit_on_failure keeps a dead
 * server in the table with weight 0 instead of taking it out. */
static void
lb_apply(struct hc_rs *r)
{
	struct dk_app *app = r->vs->hc->app;
	bool inhibit = !r->alive && r->c->inhibit_on_failure;
	int rc;

	if (app->lb == NULL)
		return;
	rc = dk_app_lb_rs_set(app, r->vs->idx, r->idx, r->alive || inhibit,
			      inhibit ? 0 : r->weight);
	if (rc < 0)
		DK_LOG(HC, DEBUG, "real server at line %d: load balancer not updated: %s",
		       r->c->line, strerror(-rc));
}

static void
vs_update(struct hc_vs *v)
{
	enum dk_hc_transition tr = dk_hc_vs_eval(v->st);
	uint64_t w = dk_hc_vs_alive_weight(v->st);
	char vs[80];

	if (tr == DK_HC_TR_NONE)
		return;
	v->quorum_up = tr == DK_HC_TR_UP;
	vs_log_fmt(v, vs, sizeof(vs));
	DK_LOG(HC, NOTICE, "%s quorum for VS %s: alive weight %" PRIu64 ", quorum %u, "
	       "hysteresis %u", v->quorum_up ? "Gained" : "Lost", vs, w, v->c->quorum,
	       v->c->hysteresis);
	run_script(v->hc, v->quorum_up ? v->c->quorum_up : v->c->quorum_down);
}

static void
rs_update(struct hc_rs *r)
{
	struct dk_app_hc *hc = r->vs->hc;
	struct dk_hc_rs_change chg;
	char svc[80], vs[80];

	dk_hc_rs_eval(r->st, &chg);
	if (chg.tr == DK_HC_TR_NONE && !chg.weight_changed)
		return;
	r->alive = dk_hc_rs_alive(r->st);
	r->weight = dk_hc_rs_weight(r->st);
	svc_fmt(&r->c->ip, r->port, r->vs->c->proto, svc, sizeof(svc));
	vs_log_fmt(r->vs, vs, sizeof(vs));
	if (chg.tr != DK_HC_TR_NONE) {
		r->last_change_us = hc->app->now_us;
		DK_LOG(HC, NOTICE, "%s service %s %s VS %s%s", r->alive ? "Adding" : "Removing",
		       svc, r->alive ? "to" : "from", vs,
		       !r->alive && r->c->inhibit_on_failure ? " (inhibit: weight 0)" : "");
		run_script(hc, r->alive ? r->c->notify_up : r->c->notify_down);
	} else {
		DK_LOG(HC, INFO, "Service %s of VS %s: weight now %u", svc, vs, r->weight);
	}
	lb_apply(r);
	vs_update(r->vs);
}

static void
chk_arm(struct hc_chk *k)
{
	uint64_t when = k->busy ? k->deadline_us : dk_hc_checker_next_due(k->st);

	if (when == UINT64_MAX)
		dk_timer_cancel(k->hc->app->wheel, &k->timer);
	else
		dk_timer_arm(k->hc->app->wheel, &k->timer, when);
}

static void
log_result(struct hc_chk *k, enum dk_hc_result r, enum dk_hc_transition tr)
{
	const struct dk_hc_checker_params *cp = dk_hc_checker_params(k->st);
	char svc[80];

	svc_fmt(&k->dst, k->dport, k->rs->vs->c->proto, svc, sizeof(svc));
	if (tr == DK_HC_TR_UP)
		DK_LOG(HC, NOTICE, "%s on service %s succeeded", dk_hc_kind_str(k->kind), svc);
	else if (tr == DK_HC_TR_DOWN)
		DK_LOG(HC, NOTICE, "%s on service %s failed after %u retries: %s",
		       dk_hc_kind_str(k->kind), svc, cp->retry, dk_hc_result_str(r));
	else if (r != DK_HC_OK && dk_hc_checker_up(k->st))
		DK_LOG(HC, INFO, "%s on service %s: %s, retry %u of %u", dk_hc_kind_str(k->kind),
		       svc, dk_hc_result_str(r), dk_hc_checker_retry_it(k->st), cp->retry);
}

void
hc_chk_done(struct hc_chk *k, enum dk_hc_result r)
{
	enum dk_hc_transition tr;
	uint64_t now = k->hc->app->now_us;

	if (!k->busy)
		return;
	hc_attempt_stop(k);
	/* HTTP_GET with several urls: every one must pass, each on its own connection */
	if (r == DK_HC_OK && k->cur + 1 < k->n_probe) {
		k->cur++;
		r = hc_attempt_start(k);
		if (r == DK_HC_PENDING) {
			chk_arm(k);
			return;
		}
		hc_attempt_stop(k);
	}
	k->busy = false;
	if (r == DK_HC_OK) {
		k->n_ok++;
		dk_hc_checker_set_weight(k->st, dk_hc_probe_weight(k->probe[k->cur]));
	} else {
		k->n_fail++;
	}
	k->last = r;
	dk_hc_checker_result(k->st, r, now, &tr);
	if (tr != DK_HC_TR_NONE) {
		k->last_change_us = now;
		if (tr == DK_HC_TR_UP)
			k->n_up++;
		else
			k->n_down++;
	}
	log_result(k, r, tr);
	rs_update(k->rs);
	chk_arm(k);
}

static void
chk_timer(struct dk_timer *t, void *arg, uint64_t now_us)
{
	struct hc_chk *k = arg;
	enum dk_hc_result r;

	(void)t;
	if (k->busy) {
		if (now_us < k->deadline_us) {
			chk_arm(k);
			return;
		}
		hc_chk_done(k, hc_attempt_timeout(k));
		return;
	}
	if (now_us < dk_hc_checker_next_due(k->st)) {
		chk_arm(k);
		return;
	}
	dk_hc_checker_begin(k->st, now_us);
	k->busy = true;
	k->cur = 0;
	k->n_run++;
	r = hc_attempt_start(k);
	if (r != DK_HC_PENDING) {
		hc_chk_done(k, r);
		return;
	}
	chk_arm(k);
}

/* Setup --------------------------------------------------------------------------------- */

static int
http_probes(struct hc_chk *k, const struct hc_vs *v)
{
	const struct dk_conf_checker *c = k->c;
	struct dk_conf_url root = { .path = "/" };
	unsigned n = c->n_urls ? c->n_urls : 1;
	char target[DK_ADDRSTRLEN + 8];
	int rc;

	hc_target_fmt(&k->dst, k->dport, target, sizeof(target));
	for (unsigned u = 0; u < n; u++) {
		const struct dk_conf_url *url = c->n_urls ? &c->urls[u] : &root;
		struct dk_hc_http_conf hp = {
			.path = url->path,
			.digest = url->digest[0] ? url->digest : NULL,
			.n_status = url->n_status,
		};

		/* Host: the url's virtualhost, the checker's, the virtual server's, or ip:port */
		hp.host = url->virtualhost[0] ? url->virtualhost :
			  c->virtualhost[0] ? c->virtualhost :
			  v->c->virtualhost[0] ? v->c->virtualhost : target;
		for (unsigned s = 0; s < url->n_status && s < DK_HC_HTTP_MAX_STATUS_RANGES; s++) {
			hp.status[s].lo = url->status_lo[s];
			hp.status[s].hi = url->status_hi[s];
		}
		rc = dk_hc_probe_create(k->kind, &hp, &k->probe[u]);
		if (rc < 0)
			return rc;
		k->n_probe++;
	}
	return 0;
}

static const char *
track_file_path(const struct dk_conf *conf, const char *name)
{
	for (unsigned i = 0; i < conf->n_track_files; i++)
		if (strcmp(conf->track_files[i].name, name) == 0)
			return conf->track_files[i].file;
	return NULL;
}

static int
make_probes(struct hc_chk *k, const struct hc_vs *v)
{
	const struct dk_conf_checker *c = k->c;
	const char *path;
	int type;

	switch (k->kind) {
	case DK_HC_KIND_HTTP:
	case DK_HC_KIND_SSL:
		return http_probes(k, v);
	case DK_HC_KIND_SMTP: {
		struct dk_hc_smtp_conf sc = { .helo_name = c->helo_name[0] ? c->helo_name : NULL };

		k->n_probe = 1;
		return dk_hc_probe_create(k->kind, &sc, &k->probe[0]);
	}
	case DK_HC_KIND_DNS: {
		struct dk_hc_dns_conf dc = { .name = c->dns_name[0] ? c->dns_name : NULL,
					     .seed = rte_rand() };

		type = c->dns_type[0] ? dk_hc_dns_type_from_name(c->dns_type) : 0;
		if (type < 0)
			return -EINVAL;
		dc.type = (uint16_t)type;
		k->n_probe = 1;
		return dk_hc_probe_create(k->kind, &dc, &k->probe[0]);
	}
	case DK_HC_KIND_UDP: {
		struct dk_hc_udp_conf uc = {
			.payload = c->udp_payload, .payload_len = c->udp_payload_len,
			.require_reply = c->require_reply, .reply = c->udp_reply,
			.reply_mask = c->udp_reply_mask, .reply_len = c->udp_reply_len,
			.min_reply_len = c->min_reply_len, .max_reply_len = c->max_reply_len,
		};

		k->n_probe = 1;
		return dk_hc_probe_create(k->kind, &uc, &k->probe[0]);
	}
	case DK_HC_KIND_PING: {
		struct dk_hc_ping_conf pc = { .id = k->icmp_id };

		k->n_probe = 1;
		return dk_hc_probe_create(k->kind, &pc, &k->probe[0]);
	}
	case DK_HC_KIND_MISC: {
		struct dk_hc_misc_conf mc = { .dynamic = c->misc_dynamic };

		k->n_probe = 1;
		return dk_hc_probe_create(k->kind, &mc, &k->probe[0]);
	}
	case DK_HC_KIND_FILE: {
		struct dk_hc_file_conf fc = { .weight = c->weight,
					      .base_weight = (uint32_t)k->rs->c->weight };

		path = track_file_path(k->hc->app->conf, c->track_file);
		if (path == NULL)
			return -ENOENT;
		snprintf(k->file_path, sizeof(k->file_path), "%s", path);
		k->n_probe = 1;
		return dk_hc_probe_create(k->kind, &fc, &k->probe[0]);
	}
	default:
		k->n_probe = 1;
		return dk_hc_probe_create(k->kind, NULL, &k->probe[0]);
	}
}

static int
chk_setup(struct dk_app_hc *hc, struct hc_chk *k, struct hc_rs *r,
	  const struct dk_conf_checker *c)
{
	const struct hc_vs *v = r->vs;
	struct dk_hc_checker_params cp = {
		.delay_loop_us = c->delay_loop_us ? c->delay_loop_us : v->c->delay_loop_us,
		.connect_timeout_us = c->connect_timeout_us,
		.delay_before_retry_us = c->delay_before_retry_us,
		.warmup_us = c->warmup_us,
		.retry = c->retry,
		.alpha = v->c->alpha,
		.seed = rte_rand(),
	};
	int kind = dk_hc_kind_from_name(dk_conf_checker_name(c->kind)), rc;

	if (kind < 0)
		return -EINVAL;
	k->hc = hc;
	k->rs = r;
	k->c = c;
	k->kind = (enum dk_hc_kind)kind;
	k->transport = dk_hc_probe_ops_get(k->kind)->transport;
	k->dst = dk_addr_is_unset(&c->connect_ip) ? r->c->ip : c->connect_ip;
	k->dport = c->connect_port ? c->connect_port : r->port;
	k->icmp_id = (uint16_t)(hc->icmp_base + k->idx);
	k->last = DK_HC_PENDING;
	dk_timer_init(&k->timer, chk_timer, k);
	if (c->bind_port)
		DK_LOG(HC, WARNING, "line %d: bind_port %u not used: probes take local ports "
		       "%u-%u", c->line, c->bind_port, DK_APP_HC_PORT_FIRST, DK_APP_HC_PORT_LAST);
	rc = dk_hc_checker_create(&cp, &k->st);
	if (rc < 0)
		return rc;
	rc = make_probes(k, v);
	if (rc < 0) {
		DK_LOG(HC, ERR, "line %d: %s: %s", c->line, dk_hc_kind_str(k->kind),
		       strerror(-rc));
		return rc;
	}
	return dk_hc_rs_add_checker(r->st, k->st);
}

static int
vs_setup(struct dk_app_hc *hc, struct hc_vs *v, unsigned *next_chk)
{
	struct dk_hc_vs_params vp = { .quorum = v->c->quorum, .hysteresis = v->c->hysteresis,
				      .omega = v->c->omega };
	int rc = dk_hc_vs_create(&vp, &v->st);

	if (rc < 0)
		return rc;
	v->rs = calloc(v->c->n_rs ? v->c->n_rs : 1, sizeof(*v->rs));
	if (v->rs == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < v->c->n_rs; i++) {
		struct hc_rs *r = &v->rs[i];
		const struct dk_conf_rs *rc_ = &v->c->rs[i];
		struct dk_hc_rs_params rp = { .weight = rc_->weight > 0 ? (uint32_t)rc_->weight : 0,
					      .omega = v->c->omega };

		r->vs = v;
		r->c = rc_;
		r->port = rc_->port ? rc_->port : v->c->port;
		r->idx = i;
		v->n_rs++;
		rc = dk_hc_rs_create(&rp, &r->st);
		if (rc == 0)
			rc = dk_hc_vs_add_rs(v->st, r->st);
		for (unsigned j = 0; rc == 0 && j < rc_->n_checkers; j++) {
			struct hc_chk *k = &hc->chk[(*next_chk)];

			k->idx = (*next_chk)++;
			rc = chk_setup(hc, k, r, &rc_->checkers[j]);
			r->n_chk++;
		}
		if (rc < 0)
			return rc;
		/* alpha: checkers start down, so does the server (no notify at startup) */
		dk_hc_rs_eval(r->st, &(struct dk_hc_rs_change){ 0 });
		r->alive = dk_hc_rs_alive(r->st);
		r->weight = dk_hc_rs_weight(r->st);
	}
	v->quorum_up = true;
	return 0;
}

int
dk_app_hc_init(struct dk_app *app)
{
	const struct dk_conf *conf = app->conf;
	struct dk_app_hc *hc = calloc(1, sizeof(*hc));
	unsigned n_chk = 0, next = 0;
	int rc;

	if (hc == NULL)
		return -ENOMEM;
	app->hc = hc;
	hc->app = app;
	rc = hc_io_init(hc);
	if (rc < 0 || conf == NULL)
		return rc;
	if (conf->global.script_user_set)
		hc->script_user = conf->global.script_user;
	hc->notify.user = hc->script_user;
	hc->notify.timeout_us = NOTIFY_TIMEOUT_US;
	for (unsigned i = 0; i < conf->n_vs; i++)
		for (unsigned j = 0; j < conf->vs[i].n_rs; j++)
			n_chk += conf->vs[i].rs[j].n_checkers;
	if (n_chk > UINT16_MAX)
		return -E2BIG;
	hc->chk = calloc(n_chk ? n_chk : 1, sizeof(*hc->chk));
	hc->vs = calloc(conf->n_vs ? conf->n_vs : 1, sizeof(*hc->vs));
	if (hc->chk == NULL || hc->vs == NULL)
		return -ENOMEM;
	for (unsigned i = 0; i < conf->n_vs; i++) {
		struct hc_vs *v = &hc->vs[i];

		v->hc = hc;
		v->c = &conf->vs[i];
		v->idx = i;
		hc->n_vs++;
		rc = vs_setup(hc, v, &next);
		hc->n_chk = next;
		if (rc < 0)
			return rc;
	}
	return 0;
}

void
dk_app_hc_start(struct dk_app *app)
{
	struct dk_app_hc *hc = app->hc;
	uint64_t now = app->now_us;

	if (hc == NULL)
		return;
	for (unsigned i = 0; i < hc->n_vs; i++) {
		for (unsigned j = 0; j < hc->vs[i].n_rs; j++)
			lb_apply(&hc->vs[i].rs[j]);
		/* starting short of quorum (alpha servers) is a transition to report */
		vs_update(&hc->vs[i]);
	}
	for (unsigned i = 0; i < hc->n_chk; i++) {
		struct hc_chk *k = &hc->chk[i];
		uint64_t loop = dk_hc_checker_params(k->st)->delay_loop_us;

		dk_hc_checker_arm(k->st, now, dk_hc_spread_offset(rte_rand(), i, hc->n_chk, loop));
		chk_arm(k);
	}
	if (hc->n_chk)
		DK_LOG(HC, NOTICE, "%u checker(s) on %u virtual server(s), local ports %u-%u",
		       hc->n_chk, hc->n_vs, DK_APP_HC_PORT_FIRST, DK_APP_HC_PORT_LAST);
}

/* omega: the scripts of servers and quorums that are up run once more, as they go. */
static void
spawn_now(struct dk_app_hc *hc, const char *cmd)
{
	struct dk_proc_params pp = { .cmd = cmd, .user = hc->script_user,
				     .timeout_us = NOTIFY_TIMEOUT_US };

	if (cmd[0] && dk_proc_spawn(&pp, hc->app->now_us, NULL) < 0)
		DK_LOG(HC, WARNING, "cannot run '%s'", cmd);
}

void
dk_app_hc_shutdown(struct dk_app *app)
{
	struct dk_app_hc *hc = app->hc;

	if (hc == NULL)
		return;
	for (unsigned i = 0; i < hc->n_chk; i++) {
		struct hc_chk *k = &hc->chk[i];

		dk_timer_cancel(app->wheel, &k->timer);
		hc_attempt_stop(k);
		k->busy = false;
	}
	for (unsigned i = 0; i < hc->n_vs; i++) {
		struct hc_vs *v = &hc->vs[i];

		for (unsigned j = 0; j < v->n_rs; j++)
			if (dk_hc_rs_shutdown(v->rs[j].st) == DK_HC_TR_DOWN)
				spawn_now(hc, v->rs[j].c->notify_down);
		if (dk_hc_vs_shutdown(v->st) == DK_HC_TR_DOWN)
			spawn_now(hc, v->c->quorum_down);
	}
}

void
dk_app_hc_fini(struct dk_app *app)
{
	struct dk_app_hc *hc = app->hc;

	if (hc == NULL)
		return;
	for (unsigned i = 0; i < hc->n_chk; i++) {
		struct hc_chk *k = &hc->chk[i];

		dk_timer_cancel(app->wheel, &k->timer);
		hc_attempt_stop(k);
		for (unsigned u = 0; u < k->n_probe; u++)
			dk_hc_probe_free(k->probe[u]);
		dk_hc_buf_free(&k->out);
	}
	hc_io_fini(hc);
	for (unsigned i = 0; i < hc->n_vs; i++) {
		struct hc_vs *v = &hc->vs[i];

		for (unsigned j = 0; j < v->n_rs; j++)
			dk_hc_rs_free(v->rs[j].st);
		free(v->rs);
		dk_hc_vs_free(v->st);
	}
	/* checkers after the real servers that point at them */
	for (unsigned i = 0; i < hc->n_chk; i++)
		dk_hc_checker_free(hc->chk[i].st);
	dk_proc_queue_free(&hc->notify);
	free(hc->chk);
	free(hc->vs);
	free(hc);
	app->hc = NULL;
}
