/* Console commands for health checks: show hc, genhash. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk_cmd.h"
#include "dk_hc_http.h"
#include "dk_out.h"
#include "hc_priv.h"

/* genhash fetches a page in the foreground; the loop keeps serving packets meanwhile. */
#define GENHASH_TIMEOUT_US (5 * DK_USEC_PER_SEC)
#define GENHASH_MAX_BODY (16u << 20)
#define STR_(x) #x
#define STR(x) STR_(x)

static void
out_result_token(struct dk_out *out, const char *key, enum dk_hc_result r)
{
	char tok[HC_TOKEN_LEN];

	dk_out_str(out, key, hc_result_token(r, tok, sizeof(tok)));
}

static double
ago_s(const struct dk_app *app, uint64_t when_us)
{
	return when_us ? (double)(app->now_us - when_us) / 1e6 : NAN;
}

static void
show_chk(struct dk_app *app, const struct hc_chk *k, struct dk_out *out)
{
	char buf[DK_ADDRSTRLEN + 8];
	const struct hc_rs *r = k->rs;

	dk_out_obj_begin(out, NULL);
	dk_out_str(out, "vs", hc_vs_fmt(r->vs, buf, sizeof(buf)));
	dk_out_str(out, "rs", hc_target_fmt(&r->c->ip, r->port, buf, sizeof(buf)));
	dk_out_str(out, "kind", dk_hc_kind_str(k->kind));
	dk_out_str(out, "target", hc_chk_target(k, buf, sizeof(buf)));
	dk_out_str(out, "state", dk_hc_checker_up(k->st) ? "UP" : "DOWN");
	dk_out_bool(out, "probing", k->busy);
	out_result_token(out, "result", k->last);
	dk_out_str(out, "reason", dk_hc_result_str(k->last));
	dk_out_double(out, "last_change_s_ago", ago_s(app, k->last_change_us));
	dk_out_u64(out, "retry", dk_hc_checker_retry_it(k->st));
	dk_out_u64(out, "probes", k->n_run);
	dk_out_u64(out, "ok", k->n_ok);
	dk_out_u64(out, "failed", k->n_fail);
	dk_out_u64(out, "went_up", k->n_up);
	dk_out_u64(out, "went_down", k->n_down);
	dk_out_obj_end(out);
}

static void
show_servers(struct dk_app *app, struct dk_app_hc *hc, struct dk_out *out)
{
	char buf[DK_ADDRSTRLEN + 8];

	dk_out_arr_begin(out, "real_servers");
	for (unsigned i = 0; hc && i < hc->n_vs; i++) {
		for (unsigned j = 0; j < hc->vs[i].n_rs; j++) {
			const struct hc_rs *r = &hc->vs[i].rs[j];
			unsigned up = 0;

			for (unsigned k = 0; k < hc->n_chk; k++)
				up += hc->chk[k].rs == r && dk_hc_checker_up(hc->chk[k].st);
			dk_out_obj_begin(out, NULL);
			dk_out_str(out, "vs", hc_vs_fmt(&hc->vs[i], buf, sizeof(buf)));
			dk_out_str(out, "ip", dk_addr_fmt(&r->c->ip, buf, sizeof(buf)));
			dk_out_u64(out, "port", r->port);
			dk_out_bool(out, "alive", r->alive);
			dk_out_u64(out, "weight", r->weight);
			dk_out_bool(out, "inhibit_on_failure", r->c->inhibit_on_failure);
			dk_out_u64(out, "checkers", r->n_chk);
			dk_out_u64(out, "checkers_up", up);
			dk_out_double(out, "last_change_s_ago", ago_s(app, r->last_change_us));
			dk_out_obj_end(out);
		}
	}
	dk_out_arr_end(out);
	dk_out_arr_begin(out, "virtual_servers");
	for (unsigned i = 0; hc && i < hc->n_vs; i++) {
		const struct hc_vs *v = &hc->vs[i];

		dk_out_obj_begin(out, NULL);
		dk_out_str(out, "vs", hc_vs_fmt(v, buf, sizeof(buf)));
		dk_out_u64(out, "quorum", v->c->quorum);
		dk_out_u64(out, "hysteresis", v->c->hysteresis);
		dk_out_u64(out, "alive_weight", dk_hc_vs_alive_weight(v->st));
		dk_out_bool(out, "quorum_up", v->quorum_up);
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
}

static int
cmd_show_hc(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	struct dk_app_hc *hc = app->hc;

	(void)argc;
	(void)argv;
	dk_out_arr_begin(out, "checkers");
	for (unsigned i = 0; hc && i < hc->n_chk; i++)
		show_chk(app, &hc->chk[i], out);
	dk_out_arr_end(out);
	show_servers(app, hc, out);
	dk_out_obj_begin(out, "counters");
	for (unsigned c = 0; hc && c < HC_C_MAX; c++)
		dk_out_u64(out, hc_counter_names[c], hc->cnt[c]);
	dk_out_obj_end(out);
	dk_out_str(out, "local_ports", STR(DK_APP_HC_PORT_FIRST) "-" STR(DK_APP_HC_PORT_LAST));
	return 0;
}

/* genhash ------------------------------------------------------------------------------- */

struct genhash {
	struct dk_hc_buf req;
	struct dk_hc_http_resp *resp;
	bool sent;
	bool done;
	enum dk_hc_result result;
};

static void
genhash_event(struct hc_conn *c, void *arg)
{
	struct genhash *g = arg;
	uint8_t buf[4096];
	size_t n;

	if (g->done)
		return;
	if (!g->sent && dk_tcpc_connected(c->tcp)) {
		g->sent = true;
		if (dk_tcpc_send(c->tcp, g->req.data, g->req.len, c->hc->app->now_us) !=
		    (int)g->req.len) {
			g->result = DK_HC_NO_RESOURCES;
			g->done = true;
			return;
		}
	}
	while ((n = dk_tcpc_recv(c->tcp, buf, sizeof(buf))) > 0) {
		g->result = dk_hc_http_resp_feed(g->resp, buf, n);
		if (g->result != DK_HC_PENDING) {
			g->done = true;
			return;
		}
	}
	if (dk_tcpc_peer_closed(c->tcp)) {
		g->result = dk_hc_http_resp_eof(g->resp);
		g->done = true;
	} else if (dk_tcpc_error(c->tcp) != DK_HC_OK) {
		g->result = dk_tcpc_error(c->tcp);
		g->done = true;
	}
}

/* The control loop's packet and timer work, until done or the deadline (the console and
 * the control socket wait: this command is their caller). */
static void
run_until(struct dk_app *app, const bool *done, uint64_t deadline_us)
{
	while (!*done && !dk_app_stop) {
		unsigned n;

		app->now_us = dk_app_now_us();
		if (app->now_us >= deadline_us)
			break;
		n = dk_dp_drain_rings(app->dp) + dk_dp_poll_once(app->dp, dk_dp_ctl_ctx(app->dp));
		dk_timer_wheel_run(app->wheel, app->now_us);
		if (n == 0)
			usleep(50);
	}
}

/* http://IP[:PORT][/PATH] with IPv6 in brackets; names are not resolved. */
static int
parse_url(const char *url, struct dk_addr *ip, uint16_t *port, const char **path,
	  char *host, size_t host_len)
{
	const char *p, *end, *slash;
	char addr[DK_ADDRSTRLEN];
	size_t n;

	if (strncmp(url, "http://", 7) != 0)
		return -EPROTONOSUPPORT;
	p = url + 7;
	slash = strchr(p, '/');
	*path = slash ? slash : "/";
	n = slash ? (size_t)(slash - p) : strlen(p);
	if (n == 0 || n >= host_len)
		return -EINVAL;
	memcpy(host, p, n);
	host[n] = '\0';
	*port = 80;
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (end == NULL)
			return -EINVAL;
		n = (size_t)(end - host - 1);
		p = end + 1;
		end = host + 1;
	} else {
		p = strchr(host, ':');
		n = p ? (size_t)(p - host) : strlen(host);
		end = host;
		if (p == NULL)
			p = "";
	}
	if (n == 0 || n >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, end, n);
	addr[n] = '\0';
	if (*p == ':') {
		char *e;
		unsigned long v = strtoul(p + 1, &e, 10);

		if (*e || v == 0 || v > 65535)
			return -EINVAL;
		*port = (uint16_t)v;
	} else if (*p) {
		return -EINVAL;
	}
	return dk_addr_parse(addr, ip) < 0 ? -EINVAL : 0;
}

static int
genhash_target(int argc, const char *const *argv, struct dk_addr *ip, uint16_t *port,
	       const char **path, char *host, size_t host_len, struct dk_out *out)
{
	char *e;
	unsigned long v;

	if (argc == 1) {
		int rc = parse_url(argv[0], ip, port, path, host, host_len);

		if (rc == -EPROTONOSUPPORT)
			dk_out_error(out, "only http://IP[:PORT]/PATH URLs (no names, no https)");
		else if (rc < 0)
			dk_out_error(out, "bad URL '%s'", argv[0]);
		return rc;
	}
	if (argc != 3) {
		dk_out_error(out, "usage: genhash URL | genhash IP PORT PATH");
		return -EINVAL;
	}
	v = strtoul(argv[1], &e, 10);
	if (dk_addr_parse(argv[0], ip) < 0 || *e || v == 0 || v > 65535) {
		dk_out_error(out, "usage: genhash IP PORT PATH");
		return -EINVAL;
	}
	*port = (uint16_t)v;
	*path = argv[2];
	hc_target_fmt(ip, *port, host, host_len);
	return 0;
}

static int
genhash_report(struct genhash *g, const char *url, struct dk_out *out)
{
	uint8_t md5[DK_HC_MD5_LEN];
	char hex[DK_HC_MD5_HEX_LEN + 1];

	if (g->result != DK_HC_OK) {
		dk_out_error(out, "%s: %s", url, dk_hc_result_str(g->result));
		return -EIO;
	}
	dk_hc_http_resp_md5(g->resp, md5);
	dk_hc_md5_hex(md5, hex);
	dk_out_str(out, "url", url);
	dk_out_u64(out, "status", dk_hc_http_resp_status(g->resp));
	dk_out_u64(out, "body_bytes", dk_hc_http_resp_body_len(g->resp));
	dk_out_str(out, "md5", hex);
	dk_out_text(out, "MD5SUM = %s\n", hex);
	return 0;
}

static int
cmd_genhash(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	struct dk_hc_http_resp_params rp = { .max_body_bytes = GENHASH_MAX_BODY };
	struct genhash g = { .result = DK_HC_PENDING };
	struct dk_hc_http_conf hconf = { 0 };
	struct hc_conn *conn = NULL;
	struct dk_addr ip;
	char host[300], url[600];
	const char *path;
	uint16_t port;
	int rc;

	if (app->hc == NULL) {
		dk_out_error(out, "health checks are not set up");
		return -ENODEV;
	}
	rc = genhash_target(argc, argv, &ip, &port, &path, host, sizeof(host), out);
	if (rc < 0)
		return rc;
	snprintf(url, sizeof(url), "http://%s%s", host, path);
	hconf.path = path;
	hconf.host = host;
	rc = dk_hc_http_build_request(&hconf, &g.req);
	if (rc == 0)
		rc = dk_hc_http_resp_create(&rp, &g.resp);
	if (rc < 0) {
		dk_out_error(out, "%s: %s", url, strerror(-rc));
		goto out_free;
	}
	rc = hc_conn_open(app->hc, &ip, port, NULL, genhash_event, &g, &conn);
	if (rc < 0) {
		dk_out_error(out, "%s: %s", url, rc == -ENETUNREACH ? "no route to host" :
			     strerror(-rc));
		goto out_free;
	}
	run_until(app, &g.done, app->now_us + GENHASH_TIMEOUT_US);
	if (!g.done)
		g.result = dk_tcpc_connected(conn->tcp) ? DK_HC_READ_TIMEOUT :
			   DK_HC_CONNECT_TIMEOUT;
	hc_conn_detach(conn);
	rc = genhash_report(&g, url, out);
out_free:
	dk_hc_http_resp_free(g.resp);
	dk_hc_buf_free(&g.req);
	return rc;
}

int
dk_cmd_hc_register(struct dk_app *app)
{
	const struct dk_cmd cmds[] = {
		{ "show hc", "health checkers (target, kind, state, last result and why, counts), "
		  "real servers and quorum as the checks see them", cmd_show_hc, app },
		{ "genhash TARGET ...", "MD5 of a page body for HTTP_GET digest: genhash URL | "
		  "genhash IP PORT PATH", cmd_genhash, app },
	};

	return dk_cmd_register_many(app->cmds, cmds, DK_ARRAY_SIZE(cmds));
}
