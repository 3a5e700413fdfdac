/*
 * Interactive console on stdin/stdout (dpkeep --console): DPDK's cmdline library gives
 * line editing and history, the command table gives the commands, help and completion.
 * Polled from the control loop; never blocks.
 */
#ifndef DK_CONSOLE_CMDLINE_H
#define DK_CONSOLE_CMDLINE_H

struct dk_cmd_table;
struct dk_console;

struct dk_console_params {
	struct dk_cmd_table *table;
	const char *prompt; /* NULL: "dpkeep> " */
};

/* Puts the terminal in raw mode and prints the prompt. */
int dk_console_create(const struct dk_console_params *p, struct dk_console **out);
/* Restores the terminal. */
void dk_console_destroy(struct dk_console *con);
/* stdin, for the control loop's poll set. */
int dk_console_fd(const struct dk_console *con);
/*
 * Handles the typed keys available without blocking and runs completed lines.
 * Returns 0, or -EPIPE once the console has ended (quit, Ctrl-D, stdin closed); in that
 * case stop was also requested on the table.
 */
int dk_console_poll(struct dk_console *con);

#endif
