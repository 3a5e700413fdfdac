/*
 * Hashed timer wheel for the control lcore's event loop. Timers are intrusive (the
 * owner embeds struct dk_timer), arming and cancelling are O(1), and expiry walks only
 * the slots whose tick has passed. Time is injected (microseconds), so tests drive it.
 */
#ifndef DK_TIMER_H
#define DK_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct dk_timer;
typedef void (*dk_timer_cb_t)(struct dk_timer *t, void *arg, uint64_t now_us);

struct dk_timer {
	struct dk_timer *next;
	struct dk_timer **pprev; /* NULL when not armed */
	uint64_t expire_us;
	dk_timer_cb_t cb;
	void *arg;
};

struct dk_timer_wheel_params {
	uint32_t tick_us; /* resolution; 0 means 100 us */
	uint32_t slots;   /* rounded up to a power of two; 0 means 4096 */
	uint64_t now_us;  /* the wheel's starting time */
};

struct dk_timer_wheel;

int dk_timer_wheel_create(const struct dk_timer_wheel_params *p, struct dk_timer_wheel **out);
void dk_timer_wheel_free(struct dk_timer_wheel *w);

void dk_timer_init(struct dk_timer *t, dk_timer_cb_t cb, void *arg);
/* Arms (or re-arms) t to fire at expire_us; a time in the past fires on the next run. */
void dk_timer_arm(struct dk_timer_wheel *w, struct dk_timer *t, uint64_t expire_us);
void dk_timer_cancel(struct dk_timer_wheel *w, struct dk_timer *t);

static inline bool
dk_timer_armed(const struct dk_timer *t)
{
	return t->pprev != NULL;
}

/* Fires every timer due at now_us, in expiry order within a tick; returns how many. */
unsigned dk_timer_wheel_run(struct dk_timer_wheel *w, uint64_t now_us);
/* The earliest expiry of an armed timer, or UINT64_MAX when none is armed. */
uint64_t dk_timer_wheel_next(const struct dk_timer_wheel *w);
unsigned dk_timer_wheel_count(const struct dk_timer_wheel *w);

#endif
