/* Backend slot allocation with deferred reuse; see dk_lb_slots.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dk_lb_slots.h"

enum {
	SLOT_FREE,
	SLOT_USED,
	SLOT_RETIRED,
};

struct dk_lb_slots {
	uint32_t cap;
	uint32_t hwm;
	uint32_t taken;
	uint32_t n_retired;
	uint32_t low_free;	/* no FREE slot below this one */
	uint8_t *state;		/* cap entries */
};

int
dk_lb_slots_create(uint32_t cap, struct dk_lb_slots **out)
{
	struct dk_lb_slots *s;

	*out = NULL;
	if (cap == 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->state = calloc(cap, 1);
	if (s->state == NULL) {
		free(s);
		return -ENOMEM;
	}
	s->cap = cap;
	*out = s;
	return 0;
}

void
dk_lb_slots_free(struct dk_lb_slots *s)
{
	if (s == NULL)
		return;
	free(s->state);
	free(s);
}

int
dk_lb_slots_clone(const struct dk_lb_slots *s, struct dk_lb_slots **out)
{
	struct dk_lb_slots *c;
	int rc = dk_lb_slots_create(s->cap, &c);
	uint8_t *st;

	if (rc < 0)
		return rc;
	st = c->state;
	*c = *s;
	c->state = st;
	memcpy(c->state, s->state, s->cap);
	*out = c;
	return 0;
}

int
dk_lb_slots_alloc(struct dk_lb_slots *s, uint32_t *slot)
{
	uint32_t i;

	for (i = s->low_free; i < s->hwm && s->state[i] != SLOT_FREE; i++)
		;
	s->low_free = i;
	if (i == s->hwm) {
		if (s->hwm == s->cap)
			return -ENOSPC;
		s->hwm++;
	}
	s->state[i] = SLOT_USED;
	s->taken++;
	*slot = i;
	return 0;
}

int
dk_lb_slots_retire(struct dk_lb_slots *s, uint32_t slot)
{
	if (slot >= s->hwm || s->state[slot] != SLOT_USED)
		return -EINVAL;
	s->state[slot] = SLOT_RETIRED;
	s->n_retired++;
	return 0;
}

unsigned
dk_lb_slots_published(struct dk_lb_slots *s, void (*fn)(void *, uint32_t), void *arg)
{
	unsigned n = 0;

	for (uint32_t i = 0; s->n_retired && i < s->hwm; i++) {
		if (s->state[i] != SLOT_RETIRED)
			continue;
		if (fn)
			fn(arg, i);
		s->state[i] = SLOT_FREE;
		s->n_retired--;
		s->taken--;
		if (i < s->low_free)
			s->low_free = i;
		n++;
	}
	return n;
}

uint32_t
dk_lb_slots_hwm(const struct dk_lb_slots *s)
{
	return s->hwm;
}

uint32_t
dk_lb_slots_cap(const struct dk_lb_slots *s)
{
	return s->cap;
}

uint32_t
dk_lb_slots_taken(const struct dk_lb_slots *s)
{
	return s->taken;
}
