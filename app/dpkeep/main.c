/*
 * dpkeep: keepalived's flags where they apply (-f, -t, -n, -l, -D, -i, -p), its own as
 * long options (--ports, --console, --ctl); EAL options after "--".
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "console_cmdline.h"
#include "dk_app.h"
#include "dk_cmd.h"
#include "dk_conf.h"
#include "dk_ctl.h"
#include "dk_log.h"
#include "hc.h"
#include "lb.h"
#include "proc.h"
#include "reload.h"
#include "vrrp.h"

static int log_types[DK_LOGC_MAX];

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dpkeep [options] [-- EAL options]\n"
		"  -f, --use-file FILE    keepalived.conf to use\n"
		"  -t, --config-test      check the configuration (and --ports profile), then exit\n"
		"  -d, --dump-conf        print the effective configuration, then exit\n"
		"  -i, --config-id ID     id for @ID conditional lines (default: short hostname)\n"
		"  -p, --pid FILE         write the daemon's pid to FILE\n"
		"  -n, --dont-fork        accepted for keepalived compatibility (dpkeep never forks)\n"
		"  -l, --log-console      log to stderr (the default)\n"
		"  -D, --log-detail       debug logging for every component\n"
		"  -S, --log-facility F   log to syslog facility F (daemon, local0..7 or 0..7)\n"
		"      --ports FILE       drivers-cfg profile: EAL settings and ports\n"
		"      --console          interactive console on the terminal (prompt dpkeep> )\n"
		"      --ctl PATH         control socket for dpkeep-cli (default %s)\n"
		"      --metrics ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
		"  -h, --help             this text\n",
		DK_CTL_DEFAULT_PATH);
}

static int
parse_opts(int argc, char **argv, struct dk_app_opts *o)
{
	static const struct option longopts[] = {
		{ "use-file", required_argument, NULL, 'f' },
		{ "config-test", no_argument, NULL, 't' },
		{ "dump-conf", no_argument, NULL, 'd' },
		{ "config-id", required_argument, NULL, 'i' },
		{ "pid", required_argument, NULL, 'p' },
		{ "dont-fork", no_argument, NULL, 'n' },
		{ "log-console", no_argument, NULL, 'l' },
		{ "log-detail", no_argument, NULL, 'D' },
		{ "log-facility", required_argument, NULL, 'S' },
		{ "metrics", required_argument, NULL, 'M' + 256 },
		{ "ports", required_argument, NULL, 'P' + 256 },
		{ "console", no_argument, NULL, 'c' + 256 },
		{ "ctl", required_argument, NULL, 'C' + 256 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, i;

	/* Everything after "--" is for EAL. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			break;
	o->n_eal_extra = i < argc ? argc - i - 1 : 0;
	o->eal_extra = i < argc ? &argv[i + 1] : NULL;
	argc = i;
	while ((c = getopt_long(argc, argv, "f:tdi:p:nlDS:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': o->conf_file = optarg; break;
		case 't': o->config_test = true; break;
		case 'd': o->dump = true; break;
		case 'i': o->instance_id = optarg; break;
		case 'p': o->pid_file = optarg; break;
		case 'n': break;
		case 'l': o->log_console = true; break;
		case 'S': o->syslog_facility = optarg; break;
		case 'M' + 256: o->metrics_addr = optarg; break;
		case 'D': o->debug = true; break;
		case 'P' + 256: o->ports_file = optarg; break;
		case 'c' + 256: o->console = true; break;
		case 'C' + 256: o->ctl_path = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dpkeep: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

static void
rte_log_hook(enum dk_log_comp comp, enum dk_log_level level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	rte_log((uint32_t)level, (uint32_t)log_types[comp], "dk.%s: %s%s", dk_log_comp_name(comp),
		msg, msg[0] && msg[strlen(msg) - 1] == '\n' ? "" : "\n");
}

static void
setup_logging(bool debug)
{
	for (int c = 0; c < DK_LOGC_MAX; c++) {
		char name[32];

		snprintf(name, sizeof(name), "dk.%s", dk_log_comp_name(c));
		log_types[c] = rte_log_register_type_and_pick_level(name, RTE_LOG_INFO);
		if (log_types[c] < 0)
			log_types[c] = RTE_LOGTYPE_USER1;
		if (debug) {
			rte_log_set_level((uint32_t)log_types[c], RTE_LOG_DEBUG);
			dk_log_set_level(c, DK_LOG_DEBUG);
		}
	}
	dk_log_set_hook(rte_log_hook);
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		dk_app_reload = 1;
	else
		dk_app_stop = 1;
}

static void
install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
load_profile(struct dk_app *app)
{
	struct dk_diag diag = { 0 };

	if (app->opts.ports_file == NULL) {
		fprintf(stderr, "dpkeep: --ports FILE is required (a drivers-cfg profile)\n");
		return -EINVAL;
	}
	return dk_profile_parse_file(app->opts.ports_file, &app->prof, &diag);
}

/* keepalived.conf, checked against the profile's port names, before EAL starts. */
static int
load_conf(struct dk_app *app)
{
	struct dk_conf_load_params p = { .path = app->opts.conf_file,
					 .instance_id = app->opts.instance_id,
					 .ports = &app->prof };
	struct dk_diag diag = { 0 };
	int rc;

	if (app->opts.conf_file == NULL)
		return 0;
	rc = dk_conf_load_ex(&p, &app->conf, &diag, NULL);
	if (rc < 0) {
		fprintf(stderr, "dpkeep: %s: configuration not usable (%u error(s))\n",
			app->opts.conf_file, diag.errors);
		return rc;
	}
	return 0;
}

static int
config_test(struct dk_app *app)
{
	int rc = 0;

	if (app->opts.ports_file) {
		rc = load_profile(app);
		if (rc < 0)
			return 1;
		if (app->opts.conf_file == NULL)
			printf("%s: profile OK (%u port(s))\n", app->opts.ports_file,
			       app->prof.n_ports);
	}
	if (app->opts.conf_file || app->opts.dump)
		rc = dk_conf_check_main(app->opts.conf_file ? app->opts.conf_file :
					"/etc/keepalived/keepalived.conf",
					app->opts.ports_file, app->opts.instance_id,
					app->opts.dump, stdout, stderr);
	return rc;
}

static void
print_final_stats(const struct dk_app *app)
{
	for (unsigned p = 0; p < app->dp->n_ports; p++) {
		struct rte_eth_stats st;

		memset(&st, 0, sizeof(st));
		rte_eth_stats_get(app->dp->ports[p].port_id, &st);
		DK_LOG(MAIN, NOTICE,
		       "port %s: rx %" PRIu64 " tx %" PRIu64 " missed %" PRIu64 " rx_err %" PRIu64
		       " tx_err %" PRIu64, app->dp->ports[p].name, st.ipackets, st.opackets,
		       st.imissed, st.ierrors, st.oerrors);
	}
	for (unsigned i = 0; i <= app->dp->n_workers; i++) {
		const struct dk_dp_lctx *lc = &app->dp->lctx[i];

		DK_LOG(MAIN, NOTICE,
		       "lcore %u (%s): rx %" PRIu64 " to_control %" PRIu64 " not_for_us %" PRIu64,
		       lc->lcore_id, lc->is_control ? "control" : "worker", lc->cnt[DK_DPC_RX],
		       lc->cnt[DK_DPC_TO_CTL], lc->cnt[DK_DPC_NOT_FOR_US]);
	}
}

static int
write_pid(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "%d\n", getpid());
	return fclose(f) == 0 ? 0 : -errno;
}

static int
start_interfaces(struct dk_app *app)
{
	struct dk_cmd_table_params tp = { 0 };
	struct dk_ctl_server_params cp = { .path = app->opts.ctl_path };
	int rc = dk_cmd_table_create(&tp, &app->cmds);

	if (rc == 0)
		rc = dk_cmd_port_register(app);
	if (rc == 0)
		rc = dk_cmd_vrrp_register(app);
	if (rc == 0)
		rc = dk_cmd_lb_register(app);
	if (rc == 0)
		rc = dk_cmd_hc_register(app);
	if (rc == 0)
		rc = dk_cmd_reload_register(app);
	if (rc < 0) {
		DK_LOG(MAIN, ERR, "command table: %s", strerror(-rc));
		return rc;
	}
	cp.table = app->cmds;
	rc = dk_ctl_server_create(&cp, &app->ctl);
	if (rc < 0) {
		DK_LOG(MAIN, ERR, "control socket %s: %s",
		       cp.path ? cp.path : DK_CTL_DEFAULT_PATH, strerror(-rc));
		return rc;
	}
	if (app->opts.console) {
		struct dk_console_params conp = { .table = app->cmds };

		rc = dk_console_create(&conp, &app->con);
		if (rc < 0) {
			DK_LOG(MAIN, ERR, "console: %s", strerror(-rc));
			return rc;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct dk_app app;
	char **eal_argv;
	int eal_argc, rc;

	if (parse_opts(argc, argv, &app.opts) < 0)
		return 2;
	if (app.opts.config_test || app.opts.dump)
		return config_test(&app);
	if (load_profile(&app) < 0 || load_conf(&app) < 0)
		return 1;
	dk_proc_set_script_security(app.conf && app.conf->global.enable_script_security);
	eal_argc = dk_dp_eal_args(&app.prof, app.opts.n_eal_extra, app.opts.eal_extra, &eal_argv);
	if (eal_argc < 0) {
		fprintf(stderr, "dpkeep: EAL arguments: %s\n", strerror(-eal_argc));
		return 1;
	}
	/* rte_eal_init may permute argv; keep our copy to free it. */
	char **eal_copy = calloc((size_t)eal_argc + 1, sizeof(char *));

	if (eal_copy == NULL)
		rte_exit(EXIT_FAILURE, "out of memory\n");
	memcpy(eal_copy, eal_argv, sizeof(char *) * (size_t)eal_argc);
	if (rte_eal_init(eal_argc, eal_copy) < 0)
		rte_exit(EXIT_FAILURE, "EAL init failed: %s\n", rte_strerror(rte_errno));
	free(eal_copy);
	setup_logging(app.opts.debug);
	install_signals();
	rc = dk_dp_create(&app.prof, &app.dp);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "data plane setup failed: %s\n", strerror(-rc));
	rc = dk_control_init(&app);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "control plane setup failed: %s\n", strerror(-rc));
	if (app.conf && (rc = dk_app_vrrp_init(&app, app.conf)) < 0)
		rte_exit(EXIT_FAILURE, "VRRP setup failed: %s\n", strerror(-rc));
	if (app.conf && (rc = dk_app_lb_init(&app)) < 0)
		rte_exit(EXIT_FAILURE, "load balancer setup failed: %s\n", strerror(-rc));
	if ((rc = dk_app_hc_init(&app)) < 0)
		rte_exit(EXIT_FAILURE, "health check setup failed: %s\n", strerror(-rc));
	if (start_interfaces(&app) < 0)
		rte_exit(EXIT_FAILURE, "console/control socket setup failed\n");
	if (dk_ops_init(&app) < 0)
		rte_exit(EXIT_FAILURE, "capture/metrics/telemetry/logging setup failed\n");
	if (app.opts.pid_file && write_pid(app.opts.pid_file) < 0)
		DK_LOG(MAIN, WARNING, "cannot write pid file %s", app.opts.pid_file);
	rc = dk_dp_start(app.dp);
	if (rc < 0)
		rte_exit(EXIT_FAILURE, "starting ports and workers failed: %s\n", strerror(-rc));
	DK_LOG(MAIN, NOTICE, "dpkeep running: %u port(s), %u worker(s), control on lcore %u",
	       app.dp->n_ports, app.dp->n_workers, rte_get_main_lcore());
	dk_app_vrrp_start(&app);
	dk_app_hc_start(&app);
	dk_control_run(&app);

	DK_LOG(MAIN, NOTICE, "stopping");
	dk_app_vrrp_shutdown(&app);
	dk_app_hc_shutdown(&app);
	if (app.con)
		dk_console_destroy(app.con);
	dk_dp_stop(app.dp);
	dk_app_hc_fini(&app);
	dk_app_lb_fini(&app);
	dk_ops_fini(&app);
	print_final_stats(&app);
	if (app.ctl)
		dk_ctl_server_destroy(app.ctl);
	dk_cmd_table_destroy(app.cmds);
	dk_app_vrrp_fini(&app);
	dk_control_fini(&app);
	dk_conf_free(app.conf);
	dk_dp_free(app.dp);
	if (app.opts.pid_file)
		unlink(app.opts.pid_file);
	dk_dp_eal_args_free(eal_argc, eal_argv);
	rte_eal_cleanup();
	return 0;
}
