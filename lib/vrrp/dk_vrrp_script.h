/*
 * vrrp_script bookkeeping (the daemon forks and reaps): when to run, when to give up,
 * and keepalived's rise/fall: `fall` consecutive failures turn an OK script FAILED,
 * `rise` consecutive successes turn a FAILED one OK. The first result after start
 * decides at once unless `init_fail` starts it FAILED. Exit code 0 is success; a
 * non-zero code, a signal or the timeout is failure.
 */
#ifndef DK_VRRP_SCRIPT_H
#define DK_VRRP_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#include "dk_common.h"

#define DK_VRRP_SCRIPT_STATUSES(X) \
	X(DK_VRRP_SCRIPT_UNKNOWN, "INIT") \
	X(DK_VRRP_SCRIPT_OK, "GOOD") \
	X(DK_VRRP_SCRIPT_FAILED, "BAD")

enum dk_vrrp_script_status { DK_VRRP_SCRIPT_STATUSES(DK_XENUM) DK_VRRP_SCRIPT_STATUS_MAX };

enum dk_vrrp_script_end {
	DK_VRRP_SCRIPT_EXITED,	 /* with exit_code */
	DK_VRRP_SCRIPT_SIGNALLED,
	DK_VRRP_SCRIPT_TIMED_OUT, /* the daemon killed it at the deadline */
};

struct dk_vrrp_script_params {
	uint64_t interval_us; /* keepalived default 1 s */
	uint64_t timeout_us;  /* 0: the interval */
	uint32_t rise, fall;  /* 0 is taken as 1 */
	bool init_fail;
};

struct dk_vrrp_script {
	struct dk_vrrp_script_params p;
	enum dk_vrrp_script_status status;
	uint32_t streak; /* consecutive results against the current status */
	bool running;
	uint64_t next_run_us;
	uint64_t deadline_us;
};

int dk_vrrp_script_init(struct dk_vrrp_script *s, const struct dk_vrrp_script_params *p,
			uint64_t now_us);
bool dk_vrrp_script_due(const struct dk_vrrp_script *s, uint64_t now_us);
/* The daemon forked it: returns the deadline at which to kill it and report TIMED_OUT. */
uint64_t dk_vrrp_script_started(struct dk_vrrp_script *s, uint64_t now_us);
/* Returns true when the status changed (re-evaluate tracking then). */
bool dk_vrrp_script_result(struct dk_vrrp_script *s, enum dk_vrrp_script_end end,
			   int exit_code, uint64_t now_us);
/* UNKNOWN counts as OK: nothing is adjusted before the first result. */
bool dk_vrrp_script_ok(const struct dk_vrrp_script *s);
const char *dk_vrrp_script_status_name(enum dk_vrrp_script_status st);

#endif
