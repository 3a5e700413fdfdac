#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demo_cmds.h"
#include "dk_cmd.h"
#include "dk_common.h"
#include "dk_out.h"

static const char *const ports[] = { "eth0", "eth1", "mgmt" };

static int
echo(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	int i;

	(void)arg;
	dk_out_arr_begin(out, "words");
	for (i = 0; i < argc; i++)
		dk_out_str(out, NULL, argv[i]);
	dk_out_arr_end(out);
	return 0;
}

static int
fail(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	(void)argc;
	(void)argv;
	dk_out_error(out, "this command always fails");
	return -EPERM;
}

static int
big(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	long i, n = strtol(argv[0], NULL, 10);

	(void)arg;
	(void)argc;
	dk_out_arr_begin(out, "rows");
	for (i = 0; i < n; i++) {
		dk_out_obj_begin(out, NULL);
		dk_out_i64(out, "i", i);
		dk_out_str(out, "pad", "some padding to make the reply large");
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	return 0;
}

static int
show_port_stats(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	size_t i;

	(void)arg;
	dk_out_arr_begin(out, "ports");
	for (i = 0; i < DK_ARRAY_SIZE(ports); i++) {
		if (argc > 0 && strcmp(argv[0], ports[i]) != 0)
			continue;
		dk_out_obj_begin(out, NULL);
		dk_out_str(out, "port", ports[i]);
		dk_out_u64(out, "rx_packets", 1000 * (i + 1));
		dk_out_u64(out, "tx_packets", 10 * (i + 1));
		dk_out_obj_end(out);
	}
	dk_out_arr_end(out);
	return 0;
}

static int
show_vs(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	(void)arg;
	(void)argc;
	(void)argv;
	dk_out_arr_begin(out, "virtual_servers");
	dk_out_obj_begin(out, NULL);
	dk_out_str(out, "vip", "10.0.0.1");
	dk_out_u64(out, "port", 80);
	dk_out_str(out, "protocol", "tcp");
	dk_out_str(out, "sched", "wrr");
	dk_out_arr_begin(out, "real_servers");
	dk_out_obj_begin(out, NULL);
	dk_out_str(out, "ip", "192.168.1.10");
	dk_out_u64(out, "weight", 1);
	dk_out_bool(out, "alive", true);
	dk_out_obj_end(out);
	dk_out_arr_end(out);
	dk_out_obj_end(out);
	dk_out_arr_end(out);
	return 0;
}

static void
complete_port(void *arg, const char *placeholder, struct dk_cmd_cands *c)
{
	size_t i;

	(void)arg;
	(void)placeholder;
	for (i = 0; i < DK_ARRAY_SIZE(ports); i++)
		dk_cmd_cands_add(c, ports[i]);
}

static const struct dk_cmd cmds[] = {
	{ "echo ...", "print the words back", echo, NULL },
	{ "fail", "fail with a reason", fail, NULL },
	{ "big N", "print N table rows", big, NULL },
	{ "show port stats [PORT]", "port counters", show_port_stats, NULL },
	{ "show vs", "virtual servers", show_vs, NULL },
};

int
demo_table_create(struct dk_cmd_table **out)
{
	struct dk_cmd_table *t;
	int rc;

	rc = dk_cmd_table_create(NULL, &t);
	if (rc < 0)
		return rc;
	rc = dk_cmd_register_many(t, cmds, DK_ARRAY_SIZE(cmds));
	if (rc == 0)
		rc = dk_cmd_set_completer(t, "PORT", complete_port, NULL);
	if (rc < 0) {
		dk_cmd_table_destroy(t);
		return rc;
	}
	*out = t;
	return 0;
}
