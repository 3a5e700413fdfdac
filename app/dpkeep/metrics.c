/* Prometheus exposition of the daemon's counters; see metrics.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dk_app.h"
#include "dk_buf.h"
#include "dk_dp_capture.h"
#include "dk_out.h"
#include "hc_priv.h"
#include "lb.h"
#include "metrics.h"
#include "vrrp_priv.h"

#define MAX_LABELS 4

/* One emitter for both renderings: text into buf, or JSON through out. */
struct mx {
	struct dk_buf *b;
	struct dk_out *o;
	const char *fam;
	bool open;
	int rc;
};

static const char *const host_names[DK_HOST_VERDICT_MAX] = { DK_HOST_VERDICTS(DK_XSTR) };
static const char *const ctl_names[DK_CTLC_MAX] = { DK_CTL_COUNTERS(DK_XSTR) };

static void
family_end(struct mx *m)
{
	if (m->o && m->open) {
		dk_out_arr_end(m->o);
		dk_out_obj_end(m->o);
	}
	m->open = false;
}

static void
family(struct mx *m, const char *name, const char *type, const char *help)
{
	family_end(m);
	m->fam = name;
	m->open = true;
	if (m->b) {
		m->rc |= dk_buf_printf(m->b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
				       type);
		return;
	}
	dk_out_obj_begin(m->o, NULL);
	dk_out_str(m->o, "name", name);
	dk_out_str(m->o, "type", type);
	dk_out_str(m->o, "help", help);
	dk_out_arr_begin(m->o, "samples");
}

/* Label values may be user-chosen (instance names): escaped as the format requires. */
static void
label_value(struct dk_buf *b, const char *v, int *rc)
{
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			*rc |= dk_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			*rc |= dk_buf_printf(b, "\\n");
		else
			*rc |= dk_buf_addc(b, *v, 1);
	}
}

/* labels: n_labels pairs of name and value. value_str is the sample already formatted. */
static void
sample_str(struct mx *m, const char *value_str, double value, unsigned n_labels,
	   const char *const *labels)
{
	if (m->b) {
		m->rc |= dk_buf_printf(m->b, "%s", m->fam);
		for (unsigned i = 0; i < n_labels; i++) {
			m->rc |= dk_buf_printf(m->b, "%s%s=\"", i ? "," : "{", labels[2 * i]);
			label_value(m->b, labels[2 * i + 1], &m->rc);
			m->rc |= dk_buf_addc(m->b, '"', 1);
		}
		m->rc |= dk_buf_printf(m->b, "%s %s\n", n_labels ? "}" : "", value_str);
		return;
	}
	dk_out_obj_begin(m->o, NULL);
	dk_out_obj_begin(m->o, "labels");
	for (unsigned i = 0; i < n_labels; i++)
		dk_out_str(m->o, labels[2 * i], labels[2 * i + 1]);
	dk_out_obj_end(m->o);
	dk_out_double(m->o, "value", value);
	dk_out_obj_end(m->o);
}

static void
su(struct mx *m, uint64_t v, unsigned n_labels, const char *const *labels)
{
	char s[32];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	sample_str(m, s, (double)v, n_labels, labels);
}

static void
sd(struct mx *m, double v, unsigned n_labels, const char *const *labels)
{
	char s[32];

	snprintf(s, sizeof(s), "%.9g", v);
	sample_str(m, s, v, n_labels, labels);
}

#define L(...) (sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(char *) / 2), \
	(const char *const[]){ __VA_ARGS__ }

struct port_stat {
	const char *name;
	const char *help;
	size_t off;
};

static const struct port_stat port_stats[] = {
	{ "dpkeep_port_rx_packets_total", "Packets received by the port.",
	  offsetof(struct rte_eth_stats, ipackets) },
	{ "dpkeep_port_rx_bytes_total", "Bytes received by the port.",
	  offsetof(struct rte_eth_stats, ibytes) },
	{ "dpkeep_port_rx_missed_total", "Packets dropped by the port for lack of RX room.",
	  offsetof(struct rte_eth_stats, imissed) },
	{ "dpkeep_port_rx_errors_total", "Erroneous packets received.",
	  offsetof(struct rte_eth_stats, ierrors) },
	{ "dpkeep_port_rx_nombuf_total", "RX mbuf allocation failures.",
	  offsetof(struct rte_eth_stats, rx_nombuf) },
	{ "dpkeep_port_tx_packets_total", "Packets sent by the port.",
	  offsetof(struct rte_eth_stats, opackets) },
	{ "dpkeep_port_tx_bytes_total", "Bytes sent by the port.",
	  offsetof(struct rte_eth_stats, obytes) },
	{ "dpkeep_port_tx_errors_total", "Packets the port failed to send.",
	  offsetof(struct rte_eth_stats, oerrors) },
};

static void
ports(struct dk_app *app, struct mx *m)
{
	struct rte_eth_stats st[DK_DP_MAX_PORTS];

	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		memset(&st[p], 0, sizeof(st[p]));
		rte_eth_stats_get(app->dp->ports[p].port_id, &st[p]);
	}
	for (unsigned s = 0; s < DK_ARRAY_SIZE(port_stats); s++) {
		family(m, port_stats[s].name, "counter", port_stats[s].help);
		for (unsigned p = 0; p < app->dp->n_ports; p++)
			su(m, *(const uint64_t *)((const char *)&st[p] + port_stats[s].off),
			   L("port", app->dp->ports[p].name));
	}
	family(m, "dpkeep_host_packets_total", "counter",
	       "Packets addressed to dpkeep itself, by verdict (replies and drop reasons).");
	for (unsigned p = 0; p < app->dp->n_ports; p++)
		for (unsigned v = 0; v < DK_HOST_VERDICT_MAX; v++)
			su(m, app->host_cnt[p][v], L("port", app->dp->ports[p].name,
						     "verdict", host_names[v]));
	family(m, "dpkeep_control_packets_total", "counter",
	       "Control-lcore packet counters per port.");
	for (unsigned p = 0; p < app->dp->n_ports; p++)
		for (unsigned c = 0; c < DK_CTLC_MAX; c++)
			su(m, app->ctl_cnt[p][c], L("port", app->dp->ports[p].name,
						    "counter", ctl_names[c]));
}

static void
lcores(struct dk_app *app, struct mx *m)
{
	uint64_t hz = rte_get_tsc_hz(), elapsed = rte_rdtsc() - app->dp->start_tsc;
	char id[DK_DP_MAX_WORKERS + 1][12];

	for (unsigned i = 0; i <= app->dp->n_workers; i++)
		snprintf(id[i], sizeof(id[i]), "%u", app->dp->lctx[i].lcore_id);
#define ROLE(i) (app->dp->lctx[i].is_control ? "control" : "worker")
	family(m, "dpkeep_lcore_packets_total", "counter",
	       "Per-lcore packet counters (rx, tx, handed to control, drops).");
	for (unsigned i = 0; i <= app->dp->n_workers; i++)
		for (unsigned c = 0; c < DK_DPC_MAX; c++)
			su(m, app->dp->lctx[i].cnt[c], L("lcore", id[i], "role", ROLE(i),
							 "counter", dk_dp_counter_names[c]));
	family(m, "dpkeep_lcore_busy_seconds_total", "counter",
	       "Time the lcore spent on bursts that carried packets.");
	for (unsigned i = 0; i <= app->dp->n_workers; i++)
		sd(m, hz ? (double)app->dp->lctx[i].busy_tsc / (double)hz : 0.0,
		   L("lcore", id[i], "role", ROLE(i)));
	family(m, "dpkeep_lcore_busy_ratio", "gauge",
	       "Share of time busy since start or since clear stats (0..1).");
	for (unsigned i = 0; i <= app->dp->n_workers; i++)
		sd(m, elapsed ? (double)app->dp->lctx[i].busy_tsc / (double)elapsed : 0.0,
		   L("lcore", id[i], "role", ROLE(i)));
#undef ROLE
}

/* Quantiles of the last adverts (one sort per instance and figure), max since the start. */
static void
advert_timing(struct mx *m, const struct dk_app_vrrp *g, unsigned n)
{
	static const char *const what[] = { "late", "interval" };

	for (unsigned w = 0; w < DK_ARRAY_SIZE(what); w++) {
		family(m, w ? "dpkeep_vrrp_advert_interval_seconds" :
			      "dpkeep_vrrp_advert_late_seconds", "gauge",
		       w ? "Time between two adverts sent as master (p50, p99 of the last ones; max)." :
			   "How late adverts left after their timer's deadline "
			   "(p50, p99 of the last ones; max).");
		for (unsigned i = 0; i < n; i++) {
			const struct vrrp_inst *vi = &g->inst[i];
			struct dk_lat_summary s;

			dk_lat_summarize(w ? &vi->adv_gap : &vi->adv_late, &s);
			sd(m, (double)s.p50_us / 1e6, L("instance", vi->c->name, "stat", "p50"));
			sd(m, (double)s.p99_us / 1e6, L("instance", vi->c->name, "stat", "p99"));
			sd(m, (double)s.max_us / 1e6, L("instance", vi->c->name, "stat", "max"));
		}
	}
	family(m, "dpkeep_vrrp_adverts_timed_total", "counter",
	       "Adverts sent by the advert timer (the samples of the lateness).");
	for (unsigned i = 0; i < n; i++)
		su(m, g->inst[i].adv_late.count, L("instance", g->inst[i].c->name));
}

static void
vrrp(struct dk_app *app, struct mx *m)
{
	const struct dk_app_vrrp *g = app->vrrp;
	unsigned n = g ? g->n : 0;

	family(m, "dpkeep_vrrp_state", "gauge",
	       "1 for the state a VRRP instance is in, 0 for the others.");
	for (unsigned i = 0; i < n; i++)
		for (unsigned s = 0; s < DK_VRRP_STATE_MAX; s++)
			su(m, g->inst[i].vr->state == s, L("instance", g->inst[i].c->name,
							   "state", dk_vrrp_state_name(s)));
	family(m, "dpkeep_vrrp_priority", "gauge", "Configured (or set) priority.");
	for (unsigned i = 0; i < n; i++)
		su(m, g->inst[i].base_prio, L("instance", g->inst[i].c->name));
	family(m, "dpkeep_vrrp_effective_priority", "gauge", "Priority after tracking.");
	for (unsigned i = 0; i < n; i++)
		su(m, g->inst[i].vr->eff_prio, L("instance", g->inst[i].c->name));
	family(m, "dpkeep_vrrp_transitions_total", "counter", "State changes of the instance.");
	for (unsigned i = 0; i < n; i++)
		su(m, g->inst[i].transitions, L("instance", g->inst[i].c->name));
	family(m, "dpkeep_vrrp_split_brain_total", "counter",
	       "Times another master was seen while master.");
	for (unsigned i = 0; i < n; i++)
		su(m, g->inst[i].vr->stats[DK_VRRP_ST_SPLIT_BRAIN],
		   L("instance", g->inst[i].c->name));
	family(m, "dpkeep_vrrp_split_brain_active", "gauge", "1 while split brain is detected.");
	for (unsigned i = 0; i < n; i++)
		su(m, g->inst[i].vr->sb.active, L("instance", g->inst[i].c->name));
	family(m, "dpkeep_vrrp_events_total", "counter", "VRRP counters per instance.");
	for (unsigned i = 0; i < n; i++)
		for (unsigned s = 0; s < DK_VRRP_ST_MAX; s++)
			su(m, g->inst[i].vr->stats[s], L("instance", g->inst[i].c->name,
							 "counter", dk_vrrp_stat_name(s)));
	advert_timing(m, g, n);
	family(m, "dpkeep_vrrp_rx_total", "counter", "Received adverts by verdict.");
	for (unsigned i = 0; i < n; i++)
		for (unsigned v = 0; v < DK_VRRP_RX_VERDICT_MAX; v++)
			su(m, g->inst[i].vr->rx[v], L("instance", g->inst[i].c->name,
						      "verdict", dk_vrrp_rx_verdict_name(v)));
}

/* One series per checker, named by its virtual and real server, kind and target. */
static void
hc(struct dk_app *app, struct mx *m)
{
	const struct dk_app_hc *h = app->hc;
	unsigned n = h ? h->n_chk : 0;
	struct { char vs[80], rs[DK_ADDRSTRLEN + 8], tg[DK_ADDRSTRLEN + 8]; } *lb = NULL;
	char tok[HC_TOKEN_LEN];

	if (n && (lb = calloc(n, sizeof(*lb))) == NULL) {
		m->rc |= -ENOMEM;
		n = 0;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct hc_chk *k = &h->chk[i];

		hc_vs_fmt(k->rs->vs, lb[i].vs, sizeof(lb[i].vs));
		hc_target_fmt(&k->rs->c->ip, k->rs->port, lb[i].rs, sizeof(lb[i].rs));
		hc_chk_target(k, lb[i].tg, sizeof(lb[i].tg));
	}
#define CHK(i) "vs", lb[i].vs, "rs", lb[i].rs, "kind", dk_hc_kind_str(h->chk[i].kind), \
	"target", lb[i].tg
	family(m, "dpkeep_hc_checker_up", "gauge", "1 while the health checker is UP, 0 DOWN.");
	for (unsigned i = 0; i < n; i++)
		su(m, dk_hc_checker_up(h->chk[i].st), L(CHK(i)));
	family(m, "dpkeep_hc_checker_last_result", "gauge",
	       "1, labelled with the result of the checker's last finished probe.");
	for (unsigned i = 0; i < n; i++)
		su(m, 1, L(CHK(i), "result", hc_result_token(h->chk[i].last, tok, sizeof(tok))));
	family(m, "dpkeep_hc_checker_probes_total", "counter",
	       "Probes the checker finished, by outcome.");
	for (unsigned i = 0; i < n; i++) {
		su(m, h->chk[i].n_ok, L(CHK(i), "outcome", "ok"));
		su(m, h->chk[i].n_fail, L(CHK(i), "outcome", "failed"));
	}
	family(m, "dpkeep_hc_checker_transitions_total", "counter",
	       "Times the checker went UP or DOWN.");
	for (unsigned i = 0; i < n; i++) {
		su(m, h->chk[i].n_up, L(CHK(i), "to", "up"));
		su(m, h->chk[i].n_down, L(CHK(i), "to", "down"));
	}
#undef CHK
	family(m, "dpkeep_hc_real_server_alive", "gauge",
	       "1 while every checker of the real server passes (as the load balancer sees it).");
	for (unsigned i = 0; h && i < h->n_vs; i++) {
		char vs[80], r[DK_ADDRSTRLEN + 8];

		hc_vs_fmt(&h->vs[i], vs, sizeof(vs));
		for (unsigned j = 0; j < h->vs[i].n_rs; j++)
			su(m, h->vs[i].rs[j].alive, L("vs", vs, "rs", hc_target_fmt(
				&h->vs[i].rs[j].c->ip, h->vs[i].rs[j].port, r, sizeof(r))));
	}
	free(lb);
}

/* One series per real server, labelled by its virtual server and address, as show vs. */
struct lb_row {
	char vs[DK_ADDRSTRLEN + 16];
	char rs[DK_ADDRSTRLEN + 8];
	const struct dk_app_lb_rs *x;
	struct dk_lb_load ld;
	struct dk_lb_stats st;
};

static unsigned
lb_rows(struct dk_app *app, struct lb_row **out)
{
	const struct dk_app_lb *g = app->lb;
	struct dk_app_lb_totals t = { 0 };
	struct lb_row *row;
	char ip[DK_ADDRSTRLEN];
	unsigned n = 0;

	*out = NULL;
	for (unsigned i = 0; g && i < g->n_vs; i++)
		n += g->vs[i].n_rs;
	if (n == 0)
		return 0;
	row = calloc(n, sizeof(*row));
	if (row == NULL || dk_app_lb_totals_get(app, &t) < 0) {
		free(row);
		return 0;
	}
	n = 0;
	for (unsigned i = 0; i < g->n_vs; i++)
		for (unsigned r = 0; r < g->vs[i].n_rs; r++, n++) {
			row[n].x = &g->vs[i].rs[r];
			dk_app_lb_vs_name(&g->vs[i], row[n].vs, sizeof(row[n].vs));
			snprintf(row[n].rs, sizeof(row[n].rs), "%s:%u",
				 dk_addr_fmt(&row[n].x->ip, ip, sizeof(ip)), row[n].x->port);
			row[n].ld = t.load[row[n].x->slot];
			row[n].st = t.stats[row[n].x->slot];
		}
	dk_app_lb_totals_free(&t);
	*out = row;
	return n;
}

static void
lb(struct dk_app *app, struct mx *m)
{
	const struct dk_app_lb *g = app->lb;
	struct lb_row *row;
	unsigned n = lb_rows(app, &row);
	char vs[DK_ADDRSTRLEN + 16];

	family(m, "dpkeep_lb_vs_quorum_up", "gauge", "1 while the virtual server has quorum.");
	for (unsigned i = 0; g && i < g->n_vs; i++)
		su(m, g->vs[i].quorum_up, L("vs", dk_app_lb_vs_name(&g->vs[i], vs, sizeof(vs))));
#define RS(i) "vs", row[i].vs, "rs", row[i].rs
	family(m, "dpkeep_lb_rs_alive", "gauge", "1 while the real server is alive.");
	for (unsigned i = 0; i < n; i++)
		su(m, row[i].x->alive, L(RS(i)));
	family(m, "dpkeep_lb_rs_weight", "gauge", "Current weight of the real server.");
	for (unsigned i = 0; i < n; i++)
		su(m, row[i].x->weight, L(RS(i)));
	family(m, "dpkeep_lb_rs_drained", "gauge", "1 while the real server is drained.");
	for (unsigned i = 0; i < n; i++)
		su(m, row[i].x->drained, L(RS(i)));
	family(m, "dpkeep_lb_rs_conns", "gauge",
	       "Connections to the real server: active (established) and inactive.");
	for (unsigned i = 0; i < n; i++) {
		su(m, row[i].ld.active, L(RS(i), "state", "active"));
		su(m, row[i].ld.inactive, L(RS(i), "state", "inactive"));
	}
	family(m, "dpkeep_lb_rs_packets_total", "counter",
	       "Packets to the real server (in) and replies from it through dpkeep (out).");
	for (unsigned i = 0; i < n; i++) {
		su(m, row[i].st.pkts_in, L(RS(i), "dir", "in"));
		su(m, row[i].st.pkts_out, L(RS(i), "dir", "out"));
	}
	family(m, "dpkeep_lb_rs_bytes_total", "counter",
	       "Bytes to the real server (in) and from it through dpkeep (out).");
	for (unsigned i = 0; i < n; i++) {
		su(m, row[i].st.bytes_in, L(RS(i), "dir", "in"));
		su(m, row[i].st.bytes_out, L(RS(i), "dir", "out"));
	}
#undef RS
	family(m, "dpkeep_lb_fast_path_total", "counter", "Load-balancer fast-path counters.");
	for (unsigned c = 0; g && c < DK_DP_LB_C_MAX; c++)
		su(m, dk_dp_lb_counter(g->dp, c), L("counter", dk_dp_lb_counter_name(c)));
	free(row);
}

static void
emit_all(struct dk_app *app, struct mx *m)
{
	family(m, "dpkeep_uptime_seconds", "gauge", "Seconds since dpkeep started.");
	sd(m, (double)(dk_app_now_us() - app->start_us) / 1e6, 0, NULL);
	ports(app, m);
	lcores(app, m);
	vrrp(app, m);
	hc(app, m);
	lb(app, m);
	family(m, "dpkeep_capture_packets_total", "counter",
	       "Packet copies handed to the capture, and copies dropped.");
	for (unsigned c = 0; c < DK_DP_CAPC_MAX; c++)
		su(m, dk_dp_capture_counter(c), L("counter", dk_dp_cap_counter_names[c]));
	family_end(m);
}

int
dk_metrics_text(struct dk_app *app, struct dk_buf *b)
{
	struct mx m = { .b = b };

	emit_all(app, &m);
	return m.rc ? (b->trunc ? -ENOBUFS : -ENOMEM) : 0;
}

int
dk_metrics_render(struct dk_app *app, struct dk_out *out)
{
	struct mx m = { .o = out };

	if (dk_out_format(out) == DK_OUT_TEXT) {
		struct dk_buf b;
		int rc;

		dk_buf_init(&b, DK_OUT_DEFAULT_MAX / 2);
		rc = dk_metrics_text(app, &b);
		if (rc == 0)
			dk_out_text(out, "%s", b.p);
		else
			dk_out_error(out, "metrics: %s", strerror(-rc));
		dk_buf_free(&b);
		return rc;
	}
	dk_out_arr_begin(out, "metrics");
	emit_all(app, &m);
	dk_out_arr_end(out);
	return 0;
}

/* HTTP listener ----------------------------------------------------------------------- */

#define HTTP_MAX_CLIENTS 8
#define HTTP_REQ_MAX 2048
#define HTTP_TIMEOUT_US (5 * DK_USEC_PER_SEC)

struct http_client {
	int fd;                 /* -1: slot free */
	uint64_t deadline_us;
	size_t req_len;
	char req[HTTP_REQ_MAX];
	bool answering;
	struct dk_buf resp;
};

struct dk_metrics_http {
	struct dk_app *app;
	int fd;
	struct http_client cl[HTTP_MAX_CLIENTS];
};

static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;
	size_t hl;

	if (colon == NULL || colon == s)
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	hl = (size_t)(colon - s);
	if (*end || colon[1] == '\0' || port == 0 || port > 65535 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a6);
		return inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;

	a4->sin_family = AF_INET;
	a4->sin_port = htons((uint16_t)port);
	*len = sizeof(*a4);
	return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -EINVAL;
}

int
dk_metrics_http_create(struct dk_app *app, const char *addr_port, struct dk_metrics_http **out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct dk_metrics_http *h;
	int one = 1, rc = parse_listen(addr_port, &ss, &len);

	if (rc < 0)
		return rc;
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->app = app;
	for (unsigned i = 0; i < HTTP_MAX_CLIENTS; i++)
		h->cl[i].fd = -1;
	h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		goto fail;
	setsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->fd, (struct sockaddr *)&ss, len) < 0 || listen(h->fd, 16) < 0)
		goto fail;
	*out = h;
	return 0;
fail:
	rc = -errno;
	if (h->fd >= 0)
		close(h->fd);
	free(h);
	return rc;
}

static void
client_close(struct http_client *c)
{
	close(c->fd);
	c->fd = -1;
	dk_buf_free(&c->resp);
}

static void
respond(struct dk_metrics_http *h, struct http_client *c)
{
	struct dk_buf body;
	const char *status = "200 OK", *ctype = "text/plain; version=0.0.4; charset=utf-8";

	dk_buf_init(&body, DK_OUT_DEFAULT_MAX);
	dk_buf_init(&c->resp, DK_OUT_DEFAULT_MAX + 512);
	if (strncmp(c->req, "GET ", 4) != 0 && strncmp(c->req, "HEAD ", 5) != 0) {
		status = "405 Method Not Allowed";
		dk_buf_printf(&body, "only GET /metrics\n");
	} else if (strncmp(c->req + (c->req[0] == 'G' ? 4 : 5), "/metrics", 8) != 0 ||
		   !strchr(" ?", c->req[(c->req[0] == 'G' ? 4 : 5) + 8])) {
		status = "404 Not Found";
		dk_buf_printf(&body, "see /metrics\n");
	} else if (dk_metrics_text(h->app, &body) < 0) {
		status = "500 Internal Server Error";
		dk_buf_clear(&body);
		dk_buf_printf(&body, "exposition failed\n");
	}
	if (status[0] != '2')
		ctype = "text/plain; charset=utf-8";
	dk_buf_printf(&c->resp, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		      "Connection: close\r\n\r\n", status, ctype, body.len);
	if (c->req[0] == 'G' && body.len)
		dk_buf_add(&c->resp, body.p, body.len);
	dk_buf_free(&body);
	c->answering = true;
}

/* Returns true when the client is done with (closed). */
static bool
client_io(struct dk_metrics_http *h, struct http_client *c, uint64_t now)
{
	ssize_t n;

	if (now > c->deadline_us)
		goto done;
	if (!c->answering) {
		n = recv(c->fd, c->req + c->req_len, sizeof(c->req) - 1 - c->req_len, 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			goto done;
		if (n < 0)
			return false;
		c->req_len += (size_t)n;
		c->req[c->req_len] = '\0';
		if (strstr(c->req, "\r\n\r\n") == NULL && strstr(c->req, "\n\n") == NULL) {
			if (c->req_len + 1 >= sizeof(c->req))
				goto done;
			return false;
		}
		respond(h, c);
	}
	while (c->resp.len) {
		n = send(c->fd, c->resp.p, c->resp.len, MSG_NOSIGNAL);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return false;
		if (n < 0)
			goto done;
		dk_buf_consume(&c->resp, (size_t)n);
	}
done:
	client_close(c);
	return true;
}

unsigned
dk_metrics_http_poll(struct dk_metrics_http *h)
{
	uint64_t now = dk_app_now_us();
	unsigned served = 0;
	int fd;

	while ((fd = accept4(h->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		unsigned i;

		for (i = 0; i < HTTP_MAX_CLIENTS && h->cl[i].fd >= 0; i++)
			;
		if (i == HTTP_MAX_CLIENTS) {
			close(fd); /* busy: the scraper retries */
			continue;
		}
		memset(&h->cl[i], 0, sizeof(h->cl[i]));
		h->cl[i].fd = fd;
		h->cl[i].deadline_us = now + HTTP_TIMEOUT_US;
	}
	for (unsigned i = 0; i < HTTP_MAX_CLIENTS; i++)
		if (h->cl[i].fd >= 0 && client_io(h, &h->cl[i], now))
			served++;
	return served;
}

void
dk_metrics_http_destroy(struct dk_metrics_http *h)
{
	if (h == NULL)
		return;
	for (unsigned i = 0; i < HTTP_MAX_CLIENTS; i++)
		if (h->cl[i].fd >= 0)
			client_close(&h->cl[i]);
	close(h->fd);
	free(h);
}
