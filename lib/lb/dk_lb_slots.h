/*
 * Backend slot ids over the daemon's life. The workers' per-slot arrays (load, stats,
 * next hops) are sized once, so a slot must be handed out again once its backend is gone
 * for good, or a long run of reloads that add servers would exhaust them.
 *
 * A slot is FREE, USED (a backend of the configuration, live or draining) or RETIRED:
 * let go by its backend but perhaps still named by a table a worker holds. RETIRED turns
 * FREE only at dk_lb_slots_published(), which the caller calls once a table without it is
 * published and the grace period is over, so no worker ever sees two backends in one slot.
 */
#ifndef DK_LB_SLOTS_H
#define DK_LB_SLOTS_H

#include <stdint.h>

struct dk_lb_slots;

int dk_lb_slots_create(uint32_t cap, struct dk_lb_slots **out);
void dk_lb_slots_free(struct dk_lb_slots *s);
/* A copy to roll back to (a reload that fails hands back what it took). */
int dk_lb_slots_clone(const struct dk_lb_slots *s, struct dk_lb_slots **out);
/* The lowest FREE slot, else one never used; -ENOSPC when all cap are taken. */
int dk_lb_slots_alloc(struct dk_lb_slots *s, uint32_t *slot);
/* USED -> RETIRED; -EINVAL for a slot that is not USED. */
int dk_lb_slots_retire(struct dk_lb_slots *s, uint32_t slot);
/* Every RETIRED slot becomes FREE; fn (may be NULL) is called on each first. Returns
 * how many. */
unsigned dk_lb_slots_published(struct dk_lb_slots *s, void (*fn)(void *, uint32_t), void *arg);
/* One more than the highest slot ever handed out: what arrays indexed by slot need. */
uint32_t dk_lb_slots_hwm(const struct dk_lb_slots *s);
uint32_t dk_lb_slots_cap(const struct dk_lb_slots *s);
/* USED plus RETIRED: slots not available to dk_lb_slots_alloc. */
uint32_t dk_lb_slots_taken(const struct dk_lb_slots *s);

#endif
