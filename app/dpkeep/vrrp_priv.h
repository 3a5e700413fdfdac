/* Runtime state of the VRRP instances, shared by vrrp.c and its console commands. */
#ifndef DK_APP_VRRP_PRIV_H
#define DK_APP_VRRP_PRIV_H

#include "dk_app.h"
#include "dk_conf.h"
#include "dk_vrrp.h"
#include "proc.h"

#define MAX_PORT_VIPS 256

struct vrrp_inst {
	struct dk_app *app;
	const struct dk_conf_vrrp_instance *c;
	struct dk_vrrp *vr;
	uint16_t port;
	struct dk_addr group;
	struct dk_mac src_mac;
	bool owns;
	struct dk_timer t[DK_VRRP_TIMER_MAX];
	struct dk_timer garp_t;
	struct dk_vrrp_garp garp;
	bool garp_second_done;
	uint8_t base_prio;
	uint64_t transitions;
	uint64_t since_us;
	struct dk_proc_queue notify_q;
};

struct dk_app_vrrp {
	struct vrrp_inst *inst;
	unsigned n;
	struct dk_host_vip vips[DK_DP_MAX_PORTS][MAX_PORT_VIPS];
	uint64_t unknown_vrid;
	uint64_t no_instance_port;
	const char *script_user;
};

/* Feeds one event to an instance and carries out the actions. */
void dk_app_vrrp_handle(struct vrrp_inst *vi, enum dk_vrrp_event_type type, uint8_t prio);

#endif
