/*
 * VRRP instance state machine (RFC 3768 / RFC 5798 with keepalived's behaviour) as a pure
 * function: dk_vrrp_handle(instance, event, now) -> list of actions. The daemon owns the
 * timers, the TX path, GARP/NA and the VIPs; it executes the actions in list order.
 */
#ifndef DK_VRRP_H
#define DK_VRRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_common.h"
#include "dk_vrrp_pkt.h"

#define DK_VRRP_NAME_LEN 32
#define DK_VRRP_PRIO_OWNER 255
#define DK_VRRP_LOG_LEN 160
#define DK_VRRP_MAX_ACTIONS 24

#define DK_VRRP_STATES(X) \
	X(DK_VRRP_STATE_INIT, "INIT") \
	X(DK_VRRP_STATE_BACKUP, "BACKUP") \
	X(DK_VRRP_STATE_MASTER, "MASTER") \
	X(DK_VRRP_STATE_FAULT, "FAULT")

enum dk_vrrp_state { DK_VRRP_STATES(DK_XENUM) DK_VRRP_STATE_MAX };

#define DK_VRRP_TIMERS(X) \
	X(DK_VRRP_TIMER_MASTER_DOWN, "master_down") \
	X(DK_VRRP_TIMER_ADVER, "adver") \
	X(DK_VRRP_TIMER_PREEMPT, "preempt_delay")

enum dk_vrrp_timer { DK_VRRP_TIMERS(DK_XENUM) DK_VRRP_TIMER_MAX };

/* SYNC_MASTER / SYNC_BACKUP are what a sync group (dk_vrrp_sync.h) asks of a member. */
#define DK_VRRP_EVENTS(X) \
	X(DK_VRRP_EV_START, "start") \
	X(DK_VRRP_EV_ADVERT_RX, "advert_rx") \
	X(DK_VRRP_EV_MASTER_DOWN_TIMER, "master_down_timer") \
	X(DK_VRRP_EV_ADVER_TIMER, "adver_timer") \
	X(DK_VRRP_EV_PREEMPT_DELAY_TIMER, "preempt_delay_timer") \
	X(DK_VRRP_EV_PRIORITY_CHANGE, "priority_change") \
	X(DK_VRRP_EV_FAULT, "fault") \
	X(DK_VRRP_EV_RESUME, "resume") \
	X(DK_VRRP_EV_SHUTDOWN, "shutdown") \
	X(DK_VRRP_EV_SYNC_MASTER, "sync_master") \
	X(DK_VRRP_EV_SYNC_BACKUP, "sync_backup")

enum dk_vrrp_event_type { DK_VRRP_EVENTS(DK_XENUM) DK_VRRP_EV_MAX };

/* Why a state changed; passed to notify scripts and shown in logs. */
#define DK_VRRP_REASONS(X) \
	X(DK_VRRP_REASON_STARTUP, "startup") \
	X(DK_VRRP_REASON_OWNER, "address owner") \
	X(DK_VRRP_REASON_MASTER_DOWN, "master down timer expired") \
	X(DK_VRRP_REASON_PREEMPT, "preempting lower priority master") \
	X(DK_VRRP_REASON_HIGHER_PRIO, "higher priority advert") \
	X(DK_VRRP_REASON_FAULT, "fault") \
	X(DK_VRRP_REASON_RESUME, "fault cleared") \
	X(DK_VRRP_REASON_SHUTDOWN, "shutdown") \
	X(DK_VRRP_REASON_SYNC, "sync group")

enum dk_vrrp_reason { DK_VRRP_REASONS(DK_XENUM) DK_VRRP_REASON_MAX };

#define DK_VRRP_ACTIONS(X) \
	X(DK_VRRP_ACT_SEND_ADVERT, "send_advert") \
	X(DK_VRRP_ACT_GARP_START, "garp_start") \
	X(DK_VRRP_ACT_GARP_STOP, "garp_stop") \
	X(DK_VRRP_ACT_TAKE_VIPS, "take_vips") \
	X(DK_VRRP_ACT_RELEASE_VIPS, "release_vips") \
	X(DK_VRRP_ACT_TIMER_ARM, "timer_arm") \
	X(DK_VRRP_ACT_TIMER_CANCEL, "timer_cancel") \
	X(DK_VRRP_ACT_NOTIFY, "notify") \
	X(DK_VRRP_ACT_LOG, "log") \
	X(DK_VRRP_ACT_SPLIT_BRAIN, "split_brain") \
	X(DK_VRRP_ACT_SPLIT_BRAIN_RESOLVED, "split_brain_resolved")

enum dk_vrrp_action_type { DK_VRRP_ACTIONS(DK_XENUM) DK_VRRP_ACT_MAX };

/* Per-instance counters for `show vrrp stats`; keepalived's names. */
#define DK_VRRP_STATS(X) \
	X(DK_VRRP_ST_ADVERT_RX, "advert_rcvd") \
	X(DK_VRRP_ST_ADVERT_TX, "advert_sent") \
	X(DK_VRRP_ST_BECOME_MASTER, "become_master") \
	X(DK_VRRP_ST_RELEASE_MASTER, "release_master") \
	X(DK_VRRP_ST_PRI_ZERO_RX, "pri_zero_rcvd") \
	X(DK_VRRP_ST_PRI_ZERO_TX, "pri_zero_sent") \
	X(DK_VRRP_ST_SPLIT_BRAIN, "split_brain") \
	X(DK_VRRP_ST_RX_IGNORED, "advert_ignored_in_state")

enum dk_vrrp_stat { DK_VRRP_STATS(DK_XENUM) DK_VRRP_ST_MAX };

/* Gratuitous ARP / unsolicited NA bursts, keepalived's garp_* knobs. */
struct dk_vrrp_garp {
	uint32_t repeat;	    /* packets per burst */
	uint64_t delay_us;	    /* a second burst this long after the first; 0: none */
	uint64_t refresh_us;	    /* then one burst every refresh_us while MASTER; 0: none */
	uint32_t refresh_repeat;
};

struct dk_vrrp_params {
	char name[DK_VRRP_NAME_LEN]; /* "VI_1" */
	uint8_t version;	     /* 2 or 3 */
	uint8_t vrid;		     /* 1..255 */
	uint8_t priority;	     /* 1..255; 255 means address owner */
	uint64_t advert_int_us;	     /* v2: whole s, 1..255; v3: 10 ms steps to 40.95 s */
	bool nopreempt;
	uint64_t preempt_delay_us;   /* after startup or a lower priority master appears */
	enum dk_vrrp_state init_state; /* BACKUP (default, also for INIT) or MASTER */
	struct dk_addr primary;	     /* our source address; decides equal priority ties */
	bool accept;		     /* daemon: accept packets to VIPs while MASTER */
	bool strict;
	bool unicast;
	uint8_t ttl_min, ttl_max;    /* unicast peers only */
	bool v3_checksum_as_v2;
	uint8_t auth_type;	     /* enum dk_vrrp_auth_type, v2 only */
	uint8_t auth_pass[DK_VRRP_AUTH_LEN];
	const struct dk_addr *vips;  /* copied by dk_vrrp_create */
	size_t n_vips;
	struct dk_vrrp_garp garp_master;
	uint32_t garp_lower_prio_repeat; /* burst when re-asserting against a lower master */
};

struct dk_vrrp_event {
	enum dk_vrrp_event_type type;
	union {
		const struct dk_vrrp_advert *advert; /* ADVERT_RX: a DK_VRRP_RX_OK advert */
		uint8_t priority;		     /* PRIORITY_CHANGE: effective priority */
	};
};

struct dk_vrrp_action {
	enum dk_vrrp_action_type type;
	union {
		uint8_t advert_priority; /* SEND_ADVERT: 0 when resigning */
		struct dk_vrrp_garp garp;
		struct {
			enum dk_vrrp_timer which;
			uint64_t expire_us; /* absolute */
		} timer;
		struct {
			enum dk_vrrp_state old_state, new_state;
			enum dk_vrrp_reason reason;
		} notify;
		struct {
			int level; /* enum dk_log_level */
			char msg[DK_VRRP_LOG_LEN];
		} log;
		struct {
			struct dk_addr peer;
			uint64_t since_us;
		} split;
	};
};

struct dk_vrrp_actions {
	unsigned n;
	bool overflow; /* more actions than fit: a bug in this library, reported by -ENOBUFS */
	struct dk_vrrp_action a[DK_VRRP_MAX_ACTIONS];
};

struct dk_vrrp_split_brain {
	bool suspect;	       /* another master heard while we are MASTER */
	bool active;	       /* reported and not yet resolved */
	struct dk_addr peer;   /* the other master */
	uint64_t since_us;     /* first advert from it while we were MASTER */
	uint64_t last_rx_us;
};

/* Read-only for callers; change it through dk_vrrp_handle() only. */
struct dk_vrrp {
	struct dk_vrrp_params p;
	struct dk_addr *vips;
	enum dk_vrrp_state state;
	bool started;
	bool fault;
	uint8_t eff_prio;
	uint64_t master_adver_int_us;	/* learnt from the master (v3) */
	struct dk_addr master_addr;	/* last accepted master; ours while MASTER */
	uint8_t master_prio;
	uint64_t preempt_at_us;		/* lower masters are tolerated until then; 0: none */
	bool preempt_armed;		/* the PREEMPT timer is running */
	uint32_t ah_seq_tx;		/* last sent, or the highest accepted if above */
	uint32_t ah_seq_rx_next;	/* from master_addr, while BACKUP */
	struct dk_vrrp_split_brain sb;
	uint64_t stats[DK_VRRP_ST_MAX];
	uint64_t rx[DK_VRRP_RX_VERDICT_MAX];
};

int dk_vrrp_create(const struct dk_vrrp_params *p, struct dk_vrrp **out);
void dk_vrrp_free(struct dk_vrrp *vr);

/* Returns 0, -EINVAL for a malformed event, -ENOBUFS if out overflowed. */
int dk_vrrp_handle(struct dk_vrrp *vr, const struct dk_vrrp_event *ev, uint64_t now_us,
		   struct dk_vrrp_actions *out);

/*
 * Decodes an advert received for this instance (ip_pkt from the IP header), counts the
 * verdict and, when it is DK_VRRP_RX_OK, handles it as ADVERT_RX. *verdict may be NULL.
 */
int dk_vrrp_rx(struct dk_vrrp *vr, const uint8_t *ip_pkt, size_t len, uint64_t now_us,
	       struct dk_vrrp_actions *out, enum dk_vrrp_rx_verdict *verdict);

/* Builds the advert a SEND_ADVERT action asks for, to dst (multicast group or a peer). */
int dk_vrrp_build_advert(struct dk_vrrp *vr, uint8_t priority, const struct dk_addr *dst,
			 uint8_t *buf, size_t cap, size_t *len_out);

/* Master_Down_Interval and Skew_Time for the current effective priority, in us. */
uint64_t dk_vrrp_skew_us(const struct dk_vrrp *vr);
uint64_t dk_vrrp_master_down_us(const struct dk_vrrp *vr);

const char *dk_vrrp_state_name(enum dk_vrrp_state s);
const char *dk_vrrp_event_name(enum dk_vrrp_event_type e);
const char *dk_vrrp_reason_name(enum dk_vrrp_reason r);
const char *dk_vrrp_action_name(enum dk_vrrp_action_type a);
const char *dk_vrrp_timer_name(enum dk_vrrp_timer t);
const char *dk_vrrp_stat_name(enum dk_vrrp_stat s);

#endif
