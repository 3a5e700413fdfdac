/*
 * Checker, real-server and virtual-server health state with keepalived's semantics.
 *
 * A checker is one probe configuration on one real server. It is up or down; a failed
 * probe is retried `retry` times, delay_before_retry apart, before the checker goes
 * down, so it goes down after retry+1 consecutive failures; one success brings it up.
 * Once down (after its first verdict) a failing checker just waits delay_loop. A real
 * server is alive when every one of its checkers is up; a virtual server has quorum
 * while the weights of its alive real servers add up to enough.
 *
 * All of it is pure: the caller injects now_us and acts on the transitions returned
 * (notify_up/notify_down once per transition, tell the LB, run quorum_up/quorum_down).
 */
#ifndef DK_HC_STATE_H
#define DK_HC_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "dk_hc.h"

enum dk_hc_transition {
	DK_HC_TR_NONE,
	DK_HC_TR_UP,
	DK_HC_TR_DOWN,
};

struct dk_hc_checker_params {
	uint64_t delay_loop_us;         /* 0 means 60 s, keepalived's default */
	uint64_t connect_timeout_us;    /* 0 means 5 s */
	uint64_t delay_before_retry_us; /* 0 means 1 s, keepalived's default */
	uint64_t warmup_us;             /* first probe at a random delay up to this */
	uint32_t retry;                 /* nb_get_retry / retry */
	bool alpha;                     /* start down */
	uint64_t seed;                  /* makes warmup delays reproducible */
};

struct dk_hc_checker;

int dk_hc_checker_create(const struct dk_hc_checker_params *p, struct dk_hc_checker **out);
void dk_hc_checker_free(struct dk_hc_checker *c);
/*
 * Schedules the first probe: with a warmup, at a seeded random delay in [0, warmup];
 * otherwise at now_us + offset_us (see dk_hc_spread_offset()).
 */
void dk_hc_checker_arm(struct dk_hc_checker *c, uint64_t now_us, uint64_t offset_us);
/* When the next probe should start; UINT64_MAX while one is in flight or unarmed. */
uint64_t dk_hc_checker_next_due(const struct dk_hc_checker *c);
/* A probe starts now; returns its deadline (now + connect_timeout). */
uint64_t dk_hc_checker_begin(struct dk_hc_checker *c, uint64_t now_us);
/* Deadline of the probe in flight, UINT64_MAX when none. */
uint64_t dk_hc_checker_deadline(const struct dk_hc_checker *c);
/*
 * The probe in flight ended with r (not DK_HC_PENDING). Schedules the next probe and
 * sets *tr to the checker's up/down transition, if any. Returns -EINVAL for PENDING.
 */
int dk_hc_checker_result(struct dk_hc_checker *c, enum dk_hc_result r, uint64_t now_us,
			 enum dk_hc_transition *tr);
/* Dynamic weight from the last probe (misc_dynamic, FILE_CHECK), or -1 to clear it. */
void dk_hc_checker_set_weight(struct dk_hc_checker *c, int weight);
int dk_hc_checker_weight(const struct dk_hc_checker *c);
bool dk_hc_checker_up(const struct dk_hc_checker *c);
uint32_t dk_hc_checker_retry_it(const struct dk_hc_checker *c);
enum dk_hc_result dk_hc_checker_last_result(const struct dk_hc_checker *c);
const struct dk_hc_checker_params *dk_hc_checker_params(const struct dk_hc_checker *c);

/*
 * Offset of probe `index` of `count` probes sharing one interval, so they do not all
 * fire at once: evenly spaced slots with a seeded jitter inside each slot.
 */
uint64_t dk_hc_spread_offset(uint64_t seed, uint32_t index, uint32_t count,
			     uint64_t interval_us);

#define DK_HC_RS_MAX_CHECKERS 16

struct dk_hc_rs_params {
	uint32_t weight; /* configured weight */
	bool omega;      /* run notify_down at shutdown */
};

/* What changed on a real server; the caller notifies once per flag set. */
struct dk_hc_rs_change {
	enum dk_hc_transition tr;
	bool weight_changed;
};

struct dk_hc_rs;

int dk_hc_rs_create(const struct dk_hc_rs_params *p, struct dk_hc_rs **out);
void dk_hc_rs_free(struct dk_hc_rs *rs);
/* The checker stays owned by the caller and must outlive rs. */
int dk_hc_rs_add_checker(struct dk_hc_rs *rs, struct dk_hc_checker *c);
/* Re-derives alive and weight from the checkers; call after each checker result. */
void dk_hc_rs_eval(struct dk_hc_rs *rs, struct dk_hc_rs_change *chg);
bool dk_hc_rs_alive(const struct dk_hc_rs *rs);
/* Effective weight: the lowest dynamic weight of its checkers, else the configured one. */
uint32_t dk_hc_rs_weight(const struct dk_hc_rs *rs);
/* At shutdown: DK_HC_TR_DOWN when notify_down must run (alive and omega). */
enum dk_hc_transition dk_hc_rs_shutdown(struct dk_hc_rs *rs);

#define DK_HC_VS_MAX_RS 1024

struct dk_hc_vs_params {
	uint32_t quorum;     /* 0 means 1 */
	uint32_t hysteresis;
	bool omega;          /* run quorum_down at shutdown */
};

struct dk_hc_vs;

int dk_hc_vs_create(const struct dk_hc_vs_params *p, struct dk_hc_vs **out);
void dk_hc_vs_free(struct dk_hc_vs *vs);
int dk_hc_vs_add_rs(struct dk_hc_vs *vs, struct dk_hc_rs *rs);
/*
 * Quorum goes up when the alive weight reaches quorum + hysteresis and down when it
 * falls below quorum - hysteresis (or to zero). A new virtual server counts as up, so
 * the first evaluation reports DOWN when it starts short (alpha servers).
 */
enum dk_hc_transition dk_hc_vs_eval(struct dk_hc_vs *vs);
bool dk_hc_vs_quorum_up(const struct dk_hc_vs *vs);
uint64_t dk_hc_vs_alive_weight(const struct dk_hc_vs *vs);
/* At shutdown: DK_HC_TR_DOWN when quorum_down must run (quorum up and omega). */
enum dk_hc_transition dk_hc_vs_shutdown(struct dk_hc_vs *vs);

#endif
