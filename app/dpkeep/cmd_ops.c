/*
 * Operator commands: capture, metrics, log levels, clear stats, show config; and the
 * pieces polled from the control loop (capture writer, metrics listener, telemetry).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "capture.h"
#include "dk_app.h"
#include "dk_cmd.h"
#include "dk_conf.h"
#include "dk_dp_capture.h"
#include "dk_log.h"
#include "dk_out.h"
#include "logging.h"
#include "metrics.h"
#include "telemetry.h"
#include "vrrp.h"

struct dk_ops {
	struct dk_capture *cap;
	struct dk_metrics_http *http;
	bool telemetry;
};

static int
cmd_capture_start(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;

	return dk_capture_start(app->ops->cap, argc, argv, out);
}

static int
cmd_capture_stop(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;

	(void)argc;
	(void)argv;
	return dk_capture_stop(app->ops->cap, out);
}

static int
cmd_capture_show(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;

	(void)argc;
	(void)argv;
	dk_capture_show(app->ops->cap, out);
	return 0;
}

static int
cmd_metrics(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)argc;
	(void)argv;
	return dk_metrics_render(arg, out);
}

static int
cmd_log_level(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	(void)argc;
	return dk_logging_set_level(argv[0], argv[1], out);
}

static int
cmd_show_log(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	(void)argc;
	(void)argv;
	return dk_logging_show(out);
}

/* Counters are written by their owners without atomics; a worker's increment racing
 * with the reset can survive it, which only makes a counter a few packets high. */
static int
cmd_clear_stats(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	struct dk_dp *dp = app->dp;

	(void)argc;
	(void)argv;
	for (unsigned p = 0; p < dp->n_ports; p++) {
		rte_eth_stats_reset(dp->ports[p].port_id);
		rte_eth_xstats_reset(dp->ports[p].port_id);
	}
	memset(app->host_cnt, 0, sizeof(app->host_cnt));
	memset(app->ctl_cnt, 0, sizeof(app->ctl_cnt));
	for (unsigned i = 0; i <= dp->n_workers; i++) {
		struct dk_dp_lctx *lc = &dp->lctx[i];

		memset(lc->cnt, 0, sizeof(lc->cnt));
		lc->busy_tsc = lc->loops = lc->idle_loops = 0;
	}
	/* busy % is relative to this instant from now on. */
	dp->start_tsc = rte_rdtsc();
	dk_dp_capture_clear_counters();
	dk_app_vrrp_timing_clear(app);
	dk_out_text(out, "cleared statistics of %u port(s) and %u lcore(s)\n", dp->n_ports,
		    dp->n_workers + 1);
	return 0;
}

static int
cmd_show_config(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	char *text = NULL;
	size_t size = 0;
	FILE *f;

	(void)argc;
	(void)argv;
	dk_out_str(out, "file", app->opts.conf_file);
	if (app->conf == NULL) {
		dk_out_str(out, "config", "");
		dk_out_text(out, "no keepalived.conf loaded (dpkeep -f FILE)\n");
		return 0;
	}
	f = open_memstream(&text, &size);
	if (f == NULL) {
		dk_out_error(out, "show config: %s", strerror(errno));
		return -errno;
	}
	dk_conf_dump(app->conf, f);
	fclose(f);
	if (dk_out_format(out) == DK_OUT_JSON)
		dk_out_str(out, "config", text);
	else
		dk_out_text(out, "%s", text);
	free(text);
	return 0;
}

static void
complete_component(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	char name[32];

	(void)arg;
	(void)placeholder;
	dk_cmd_cands_add(c, "all");
	for (int i = 0; i < DK_LOGC_MAX; i++) {
		snprintf(name, sizeof(name), "dk.%s", dk_log_comp_name(i));
		dk_cmd_cands_add(c, name);
	}
}

static void
complete_level(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	(void)arg;
	(void)placeholder;
	for (int l = DK_LOG_EMERG; l <= DK_LOG_DEBUG; l++)
		dk_cmd_cands_add(c, dk_log_level_name(l));
}

static int
register_cmds(struct dk_app *app)
{
	const struct dk_cmd cmds[] = {
		{ "capture start ...",
		  "port P [queue Q] [rx|tx|both] [filter \"BPF\"] file PATH [count N]: "
		  "write packets to a pcap file", cmd_capture_start, app },
		{ "capture stop", "stop the capture and close its file", cmd_capture_stop, app },
		{ "show capture", "the capture's settings and counters", cmd_capture_show, app },
		{ "metrics", "counters in Prometheus text format", cmd_metrics, app },
		{ "log level COMPONENT LEVEL", "set a log level (dk.vrrp, all, lib.eal, ...)",
		  cmd_log_level, app },
		{ "show log", "log types and their levels", cmd_show_log, app },
		{ "clear stats", "reset port, lcore, host, capture counters and VRRP advert timing", cmd_clear_stats,
		  app },
		{ "show config", "the effective keepalived.conf", cmd_show_config, app },
	};
	int rc = dk_cmd_register_many(app->cmds, cmds, DK_ARRAY_SIZE(cmds));

	if (rc == 0)
		rc = dk_cmd_set_completer(app->cmds, "COMPONENT", complete_component, app);
	if (rc == 0)
		rc = dk_cmd_set_completer(app->cmds, "LEVEL", complete_level, app);
	return rc;
}

int
dk_ops_init(struct dk_app *app)
{
	struct dk_ops *ops = calloc(1, sizeof(*ops));
	int rc;

	if (ops == NULL)
		return -ENOMEM;
	app->ops = ops;
	if (app->opts.syslog_facility) {
		rc = dk_logging_syslog(app->opts.syslog_facility, app->opts.log_console);
		if (rc < 0) {
			DK_LOG(MAIN, ERR, "-S %s: unknown syslog facility",
			       app->opts.syslog_facility);
			return rc;
		}
	}
	rc = dk_capture_create(app, &ops->cap);
	if (rc == 0)
		rc = register_cmds(app);
	if (rc < 0) {
		DK_LOG(MAIN, ERR, "operator commands: %s", strerror(-rc));
		return rc;
	}
	if (app->opts.metrics_addr) {
		rc = dk_metrics_http_create(app, app->opts.metrics_addr, &ops->http);
		if (rc < 0) {
			DK_LOG(MAIN, ERR, "--metrics %s: %s", app->opts.metrics_addr,
			       strerror(-rc));
			return rc;
		}
		DK_LOG(MAIN, NOTICE, "metrics on http://%s/metrics", app->opts.metrics_addr);
	}
	/* Telemetry is optional (EAL may run with --no-telemetry): a warning, not a stop. */
	rc = dk_telemetry_init(app);
	if (rc < 0)
		DK_LOG(MAIN, WARNING, "telemetry endpoints: %s", strerror(-rc));
	ops->telemetry = rc == 0;
	return 0;
}

unsigned
dk_ops_poll(struct dk_app *app)
{
	struct dk_ops *ops = app->ops;
	unsigned n;

	if (ops == NULL)
		return 0;
	n = dk_capture_poll(ops->cap);
	if (ops->http)
		n += dk_metrics_http_poll(ops->http);
	if (ops->telemetry)
		n += dk_telemetry_serve();
	return n;
}

void
dk_ops_fini(struct dk_app *app)
{
	struct dk_ops *ops = app->ops;

	if (ops == NULL)
		return;
	if (ops->telemetry)
		dk_telemetry_fini();
	dk_metrics_http_destroy(ops->http);
	dk_capture_destroy(ops->cap);
	dk_dp_capture_fini();
	free(ops);
	app->ops = NULL;
}
