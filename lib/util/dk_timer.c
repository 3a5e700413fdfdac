#include <errno.h>
#include <stdlib.h>

#include "dk_common.h"
#include "dk_timer.h"

struct dk_timer_wheel {
	uint32_t tick_us;
	uint32_t mask;
	uint64_t cur_tick; /* every tick < cur_tick has been run */
	unsigned count;
	struct dk_timer *slot[];
};

int
dk_timer_wheel_create(const struct dk_timer_wheel_params *p, struct dk_timer_wheel **out)
{
	uint32_t slots = p->slots ? p->slots : 4096;
	uint32_t n = 1;
	struct dk_timer_wheel *w;

	while (n < slots)
		n <<= 1;
	w = calloc(1, sizeof(*w) + n * sizeof(w->slot[0]));
	if (w == NULL)
		return -ENOMEM;
	w->tick_us = p->tick_us ? p->tick_us : 100;
	w->mask = n - 1;
	w->cur_tick = p->now_us / w->tick_us;
	*out = w;
	return 0;
}

void
dk_timer_wheel_free(struct dk_timer_wheel *w)
{
	free(w);
}

void
dk_timer_init(struct dk_timer *t, dk_timer_cb_t cb, void *arg)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expire_us = 0;
	t->cb = cb;
	t->arg = arg;
}

static void
unlink_timer(struct dk_timer *t)
{
	*t->pprev = t->next;
	if (t->next)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

void
dk_timer_cancel(struct dk_timer_wheel *w, struct dk_timer *t)
{
	if (t->pprev == NULL)
		return;
	unlink_timer(t);
	w->count--;
}

void
dk_timer_arm(struct dk_timer_wheel *w, struct dk_timer *t, uint64_t expire_us)
{
	uint64_t tick = expire_us / w->tick_us;
	struct dk_timer **head;

	dk_timer_cancel(w, t);
	/* A timer already due goes in the slot that the next run looks at first. */
	if (tick < w->cur_tick)
		tick = w->cur_tick;
	t->expire_us = expire_us;
	head = &w->slot[tick & w->mask];
	t->next = *head;
	if (t->next)
		t->next->pprev = &t->next;
	t->pprev = head;
	*head = t;
	w->count++;
}

/* Moves the timers of one slot that are due by now_us onto a list sorted by expiry. */
static void
collect_slot(struct dk_timer_wheel *w, uint32_t idx, uint64_t now_us, struct dk_timer **due)
{
	struct dk_timer *t = w->slot[idx], *next;

	for (; t != NULL; t = next) {
		struct dk_timer **pos = due;

		next = t->next;
		if (t->expire_us > now_us)
			continue;
		unlink_timer(t);
		while (*pos && (*pos)->expire_us <= t->expire_us)
			pos = &(*pos)->next;
		t->next = *pos;
		*pos = t;
	}
}

unsigned
dk_timer_wheel_run(struct dk_timer_wheel *w, uint64_t now_us)
{
	uint64_t now_tick = now_us / w->tick_us;
	uint64_t ticks, i;
	unsigned fired = 0;

	if (now_tick < w->cur_tick)
		return 0;
	ticks = now_tick - w->cur_tick + 1;
	if (ticks > (uint64_t)w->mask + 1)
		ticks = (uint64_t)w->mask + 1;
	for (i = 0; i < ticks; i++) {
		struct dk_timer *due = NULL;
		uint32_t idx = (uint32_t)((w->cur_tick + i) & w->mask);

		collect_slot(w, idx, now_us, &due);
		while (due != NULL) {
			struct dk_timer *t = due;

			due = t->next;
			t->next = NULL;
			t->pprev = NULL;
			w->count--;
			fired++;
			t->cb(t, t->arg, now_us);
		}
	}
	/* The current tick stays open: timers armed later in it must still fire. */
	w->cur_tick = now_tick;
	return fired;
}

uint64_t
dk_timer_wheel_next(const struct dk_timer_wheel *w)
{
	uint64_t best = UINT64_MAX;
	uint64_t round_end;
	uint32_t i;

	if (w->count == 0)
		return UINT64_MAX;
	/* Walk one revolution from the current tick; the first slot that holds a timer due
	 * within this revolution bounds the answer, but later-round timers in earlier slots
	 * still need looking at, so keep the minimum over all slots. */
	round_end = (w->cur_tick + w->mask + 1) * w->tick_us;
	for (i = 0; i <= w->mask; i++) {
		const struct dk_timer *t = w->slot[(w->cur_tick + i) & w->mask];

		for (; t != NULL; t = t->next)
			if (t->expire_us < best)
				best = t->expire_us;
		if (best < (w->cur_tick + i + 1) * w->tick_us && best < round_end)
			break;
	}
	return best;
}

unsigned
dk_timer_wheel_count(const struct dk_timer_wheel *w)
{
	return w->count;
}
