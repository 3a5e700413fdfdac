/* Sync group decisions as a pure function of member states. */
#include <errno.h>

#include "dk_vrrp_sync.h"

int
dk_vrrp_sync_compute(const struct dk_vrrp_sync_member *m, size_t n, size_t changed,
		     enum dk_vrrp_state old_state, enum dk_vrrp_event_type *req)
{
	enum dk_vrrp_state now_state;
	bool any_fault = false;

	if (m == NULL || req == NULL || changed >= n)
		return -EINVAL;
	now_state = m[changed].state;
	for (size_t i = 0; i < n; i++) {
		req[i] = DK_VRRP_EV_MAX;
		any_fault = any_fault || m[i].own_fault;
	}
	for (size_t i = 0; i < n; i++) {
		if (i == changed && !any_fault)
			continue;
		if (any_fault) {
			if (m[i].state != DK_VRRP_STATE_FAULT && m[i].state != DK_VRRP_STATE_INIT)
				req[i] = DK_VRRP_EV_FAULT;
		} else if (m[i].state == DK_VRRP_STATE_FAULT) {
			req[i] = DK_VRRP_EV_RESUME;
		} else if (now_state == DK_VRRP_STATE_MASTER && old_state != now_state &&
			   m[i].state == DK_VRRP_STATE_BACKUP) {
			req[i] = DK_VRRP_EV_SYNC_MASTER;
		} else if (now_state == DK_VRRP_STATE_BACKUP &&
			   old_state == DK_VRRP_STATE_MASTER &&
			   m[i].state == DK_VRRP_STATE_MASTER) {
			req[i] = DK_VRRP_EV_SYNC_BACKUP;
		}
	}
	return 0;
}
