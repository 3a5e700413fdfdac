/*
 * Child processes for notify and check scripts: spawned with /bin/sh -c, optionally as
 * script_user, reaped without blocking from the control loop, killed when they outlive
 * their timeout. A hung or crashing script never blocks or kills the daemon.
 */
#ifndef DK_PROC_H
#define DK_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define DK_PROC_TIMED_OUT (-1000) /* status passed to the callback after a kill */

/* status: the exit code (0..255), -signal, or DK_PROC_TIMED_OUT. */
typedef void (*dk_proc_done_fn)(void *arg, int status);

struct dk_proc_params {
	const char *cmd;      /* shell command line */
	const char *user;     /* NULL or "": run as the daemon's user */
	uint64_t timeout_us;  /* 0: no timeout */
	dk_proc_done_fn done; /* may be NULL */
	void *arg;
};

/*
 * enable_script_security: dk_proc_spawn refuses (-EPERM, logged once per command) a
 * script that it, or a directory above it, is not root's alone. Off: a warning only.
 */
void dk_proc_set_script_security(bool on);
int dk_proc_spawn(const struct dk_proc_params *p, uint64_t now_us, pid_t *pid);
/* Reaps finished children and kills those past their deadline; returns how many ended. */
unsigned dk_proc_poll(uint64_t now_us);
unsigned dk_proc_running(void);
/* Forgets the callback of every child whose arg is arg (the owner is going away). */
void dk_proc_forget(void *arg);

/* A queue that runs commands one after another, in order (notify scripts). */
struct dk_proc_queue {
	char **cmds;
	unsigned head, n, cap;
	bool busy;
	const char *user;
	uint64_t timeout_us;
};
int dk_proc_queue_push(struct dk_proc_queue *q, const char *cmd, uint64_t now_us);
void dk_proc_queue_free(struct dk_proc_queue *q);

#endif
