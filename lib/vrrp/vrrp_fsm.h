/* State machine internals shared by dk_vrrp.c and vrrp_rx.c; not for the daemon. */
#ifndef DK_VRRP_FSM_H
#define DK_VRRP_FSM_H

#include "dk_vrrp.h"

void vrrp_act_log(const struct dk_vrrp *vr, struct dk_vrrp_actions *out, int level,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void vrrp_become_master(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
			enum dk_vrrp_reason reason);
void vrrp_become_backup(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
			enum dk_vrrp_reason reason);
int vrrp_on_advert(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint64_t now_us,
		   const struct dk_vrrp_advert *adv);
/* Shared with vrrp_rx.c so every advert sent is counted in one place. */
void vrrp_send_advert(struct dk_vrrp *vr, struct dk_vrrp_actions *out, uint8_t prio);
void vrrp_act_timer(struct dk_vrrp_actions *out, enum dk_vrrp_timer which, bool arm,
		    uint64_t at);
void vrrp_act_garp(struct dk_vrrp_actions *out, const struct dk_vrrp_garp *g);
struct dk_vrrp_action *vrrp_act_push(struct dk_vrrp_actions *out,
				     enum dk_vrrp_action_type type);

#endif
