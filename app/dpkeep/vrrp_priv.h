/* Runtime state of the VRRP instances, shared by vrrp.c and its console commands. */
#ifndef DK_APP_VRRP_PRIV_H
#define DK_APP_VRRP_PRIV_H

#include "dk_app.h"
#include "dk_conf.h"
#include "dk_lat.h"
#include "dk_vrrp.h"
#include "dk_vrrp_script.h"
#include "dk_vrrp_track.h"
#include "proc.h"

#define MAX_PORT_VIPS 256

struct vrrp_sync;

/* What an instance tracks; ok/value are refreshed from the shared objects before eval. */
struct vrrp_tracking {
	struct dk_vrrp_track_obj *ifs;
	uint16_t *if_port;
	unsigned n_ifs;
	struct dk_vrrp_track_obj *scripts;
	unsigned *script_idx;
	unsigned n_scripts;
	struct dk_vrrp_track_file *files;
	unsigned *file_idx;
	unsigned n_files;
};

/* A vrrp_script: one child at a time, rise/fall from lib/vrrp. */
struct vrrp_script_rt {
	struct dk_app *app;
	const struct dk_conf_vrrp_script *c;
	struct dk_vrrp_script s;
};

struct vrrp_file_rt {
	const struct dk_conf_track_file *c;
	int64_t value;
};

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
	struct vrrp_tracking trk;
	bool admin_fault; /* vrrp NAME fault */
	bool track_fault; /* a weight-0 tracked object is down */
	bool own_fault;	  /* what was last applied of the two */
	struct vrrp_sync *sync;
	unsigned sync_idx;
	/* Advert timing as this lcore achieved it (show vrrp stats: advert_timing). */
	struct dk_lat adv_late;	/* sent minus the advert timer's deadline */
	struct dk_lat adv_gap;	/* between two adverts while master */
	uint64_t adv_due_us;	/* deadline of the advert timer being served, else 0 */
	uint64_t adv_last_us;	/* last advert sent as master; 0 outside MASTER */
};

struct vrrp_sync {
	const struct dk_conf_sync_group *c;
	struct vrrp_inst **members;
	unsigned n;
	bool busy; /* delivering its own requests: members moved by it do not recurse */
	enum dk_vrrp_state state; /* last state all members agreed on (INIT: none yet) */
	struct dk_proc_queue notify_q;
};

#define DK_APP_VRRP_FIFO_STATS(X) \
	X(LINES, "lines") \
	X(DROPPED, "dropped") \
	X(NO_READER, "no_reader") \
	X(OPEN_ERROR, "open_error") \
	X(WRITE_ERROR, "write_error")

enum {
#define X(e, s) DK_APP_VRRP_FIFO_ST_##e,
	DK_APP_VRRP_FIFO_STATS(X)
#undef X
	DK_APP_VRRP_FIFO_ST_MAX
};

struct vrrp_fifo;

struct dk_app_vrrp {
	struct vrrp_inst *inst;
	unsigned n;
	struct dk_host_vip vips[DK_DP_MAX_PORTS][MAX_PORT_VIPS];
	uint64_t unknown_vrid;
	uint64_t no_instance_port;
	const char *script_user;
	struct vrrp_script_rt *scripts;
	unsigned n_scripts;
	struct vrrp_file_rt *files;
	unsigned n_files;
	struct vrrp_sync *syncs;
	unsigned n_syncs;
	bool link_tracked[DK_DP_MAX_PORTS];
	bool link_up[DK_DP_MAX_PORTS];
	struct dk_timer track_t;
	struct vrrp_fifo *fifo; /* NULL: no notify_fifo */
};

/* Tells the host layer which VIPs each port answers for (the owning instances'). */
void dk_app_vrrp_publish(struct dk_app *app);
/* Feeds one event to an instance and carries out the actions. */
void dk_app_vrrp_handle(struct vrrp_inst *vi, enum dk_vrrp_event_type type, uint8_t prio);

/* vrrp_track.c: tracked interfaces, scripts and files; sync groups. */
int dk_app_vrrp_track_init(struct dk_app *app, const struct dk_conf *conf);
/* Reads every tracked object once and arms the polling timer (before START). */
void dk_app_vrrp_track_start(struct dk_app *app);
void dk_app_vrrp_track_fini(struct dk_app *app);
/* Recomputes an instance's priority and fault from its base priority and tracking. */
void dk_app_vrrp_reeval(struct vrrp_inst *vi);
/* Applies admin_fault/track_fault as FAULT or RESUME when their union changed. */
void dk_app_vrrp_fault_update(struct vrrp_inst *vi);
/* An instance changed state: move its sync group along. */
void dk_app_vrrp_sync_changed(struct vrrp_inst *vi, enum dk_vrrp_state old_state);

/* vrrp_fifo.c: notify_fifo lines, written without ever blocking the control loop. */
int dk_app_vrrp_fifo_init(struct dk_app *app, const struct dk_conf *conf);
void dk_app_vrrp_fifo_fini(struct dk_app *app);
void dk_app_vrrp_fifo_instance(struct dk_app *app, const char *name, enum dk_vrrp_state st,
			       unsigned prio);
void dk_app_vrrp_fifo_group(struct dk_app *app, const char *name, enum dk_vrrp_state st);
/* NULL without a FIFO; else DK_APP_VRRP_FIFO_ST_MAX counters. */
const uint64_t *dk_app_vrrp_fifo_stats(const struct dk_app *app);
const char *dk_app_vrrp_fifo_stat_name(unsigned s);

#endif
