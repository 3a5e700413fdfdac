/* Serves the demo table on a control socket until "stop": the peer for test_cli.sh. */
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "demo_cmds.h"
#include "dk_cmd.h"
#include "dk_ctl.h"

int
main(int argc, char **argv)
{
	struct dk_ctl_server_params p = { 0 };
	struct dk_ctl_server *srv = NULL;
	struct dk_cmd_table *t = NULL;
	struct pollfd pfd = { .events = POLLIN };
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: ctl_testd SOCKET\n");
		return 2;
	}
	rc = demo_table_create(&t);
	if (rc < 0)
		goto out;
	p.path = argv[1];
	p.table = t;
	rc = dk_ctl_server_create(&p, &srv);
	if (rc < 0)
		goto out;
	pfd.fd = dk_ctl_server_fd(srv);
	while (!dk_cmd_table_stop_requested(t)) {
		if (poll(&pfd, 1, 1000) > 0)
			dk_ctl_server_poll(srv);
	}
	/* Deliver the reply to "stop" before going away. */
	dk_ctl_server_poll(srv);
out:
	if (rc < 0)
		fprintf(stderr, "ctl_testd: %s\n", strerror(-rc));
	dk_ctl_server_destroy(srv);
	dk_cmd_table_destroy(t);
	return rc < 0 ? 1 : 0;
}
