/* Runs the interactive console over the demo table: the program console_tmux.sh drives. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "console_cmdline.h"
#include "demo_cmds.h"
#include "dk_cmd.h"

int
main(void)
{
	struct dk_console_params p = { 0 };
	struct pollfd pfd = { .events = POLLIN };
	struct dk_cmd_table *t = NULL;
	struct dk_console *con = NULL;
	int rc;

	rc = demo_table_create(&t);
	if (rc < 0)
		goto out;
	p.table = t;
	rc = dk_console_create(&p, &con);
	if (rc < 0)
		goto out;
	pfd.fd = dk_console_fd(con);
	while (dk_console_poll(con) == 0)
		poll(&pfd, 1, 100);
	rc = dk_cmd_table_stop_requested(t) ? 0 : -EIO;
out:
	dk_console_destroy(con);
	dk_cmd_table_destroy(t);
	if (rc < 0)
		fprintf(stderr, "console_demo: %s\n", strerror(-rc));
	else
		printf("console ended\n");
	return rc < 0 ? 1 : 0;
}
