/*
 * vrrp_sync_group: members move together. After any member changes state the daemon
 * calls dk_vrrp_sync_compute() and delivers the requested events to the other members:
 * a member in FAULT for its own reasons puts every member in FAULT; when none is left the
 * synced ones resume; one member becoming MASTER takes the BACKUP members with it, and
 * one leaving MASTER for BACKUP takes the MASTER members with it.
 */
#ifndef DK_VRRP_SYNC_H
#define DK_VRRP_SYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "dk_vrrp.h"

struct dk_vrrp_sync_member {
	enum dk_vrrp_state state;
	bool own_fault; /* its own tracking says FAULT (not merely synced into it) */
};

/* DK_VRRP_EV_MAX means "nothing to do" for that member. */
int dk_vrrp_sync_compute(const struct dk_vrrp_sync_member *m, size_t n, size_t changed,
			 enum dk_vrrp_state old_state, enum dk_vrrp_event_type *req);

#endif
