/* Checker retry/up/down state, real-server aggregation and virtual-server quorum. */
#include <errno.h>
#include <stdlib.h>

#include "dk_hash.h"
#include "dk_hc_state.h"

struct dk_hc_checker {
	struct dk_hc_checker_params p;
	bool up;
	/* keepalived retries a failing checker only while up or before its first verdict */
	bool has_run;
	bool in_flight;
	uint32_t retry_it;
	int dyn_weight;
	uint64_t next_due_us;
	uint64_t deadline_us;
	enum dk_hc_result last;
};

struct dk_hc_rs {
	struct dk_hc_rs_params p;
	struct dk_hc_checker *checkers[DK_HC_RS_MAX_CHECKERS];
	unsigned n;
	bool alive;
	uint32_t weight;
};

struct dk_hc_vs {
	struct dk_hc_vs_params p;
	struct dk_hc_rs **rs;
	unsigned n;
	bool quorum_up;
};

int
dk_hc_checker_create(const struct dk_hc_checker_params *p, struct dk_hc_checker **out)
{
	struct dk_hc_checker *c;

	if (!p || !out)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->p = *p;
	if (!c->p.delay_loop_us)
		c->p.delay_loop_us = 60 * DK_USEC_PER_SEC;
	if (!c->p.connect_timeout_us)
		c->p.connect_timeout_us = 5 * DK_USEC_PER_SEC;
	if (!c->p.delay_before_retry_us)
		c->p.delay_before_retry_us = DK_USEC_PER_SEC;
	c->up = !p->alpha;
	c->dyn_weight = -1;
	c->next_due_us = UINT64_MAX;
	c->deadline_us = UINT64_MAX;
	c->last = DK_HC_PENDING;
	*out = c;
	return 0;
}

void
dk_hc_checker_free(struct dk_hc_checker *c)
{
	free(c);
}

void
dk_hc_checker_arm(struct dk_hc_checker *c, uint64_t now_us, uint64_t offset_us)
{
	if (c->p.warmup_us)
		offset_us = dk_hash_mix64(c->p.seed ^ 0x7761726d7570ULL) % (c->p.warmup_us + 1);
	c->next_due_us = now_us + offset_us;
	c->in_flight = false;
	c->deadline_us = UINT64_MAX;
}

uint64_t
dk_hc_checker_next_due(const struct dk_hc_checker *c)
{
	return c->in_flight ? UINT64_MAX : c->next_due_us;
}

uint64_t
dk_hc_checker_begin(struct dk_hc_checker *c, uint64_t now_us)
{
	c->in_flight = true;
	c->deadline_us = now_us + c->p.connect_timeout_us;
	return c->deadline_us;
}

uint64_t
dk_hc_checker_deadline(const struct dk_hc_checker *c)
{
	return c->in_flight ? c->deadline_us : UINT64_MAX;
}

int
dk_hc_checker_result(struct dk_hc_checker *c, enum dk_hc_result r, uint64_t now_us,
		     enum dk_hc_transition *tr)
{
	bool ok = r == DK_HC_OK;
	bool retrying = c->up || !c->has_run;
	uint64_t delay;

	*tr = DK_HC_TR_NONE;
	if (r == DK_HC_PENDING || (unsigned)r >= DK_HC_RESULT_MAX)
		return -EINVAL;
	c->in_flight = false;
	c->deadline_us = UINT64_MAX;
	c->last = r;
	if (!ok && retrying && c->retry_it < c->p.retry) {
		c->retry_it++;
		c->next_due_us = now_us + c->p.delay_before_retry_us;
		return 0;
	}
	delay = c->p.delay_loop_us;
	c->retry_it = 0;
	c->has_run = true;
	if (ok && !c->up) {
		c->up = true;
		*tr = DK_HC_TR_UP;
	} else if (!ok && c->up) {
		c->up = false;
		*tr = DK_HC_TR_DOWN;
	}
	if (!ok)
		c->dyn_weight = -1;
	c->next_due_us = now_us + delay;
	return 0;
}

void
dk_hc_checker_set_weight(struct dk_hc_checker *c, int weight)
{
	c->dyn_weight = weight < 0 ? -1 : weight;
}

int
dk_hc_checker_weight(const struct dk_hc_checker *c)
{
	return c->dyn_weight;
}

bool
dk_hc_checker_up(const struct dk_hc_checker *c)
{
	return c->up;
}

uint32_t
dk_hc_checker_retry_it(const struct dk_hc_checker *c)
{
	return c->retry_it;
}

enum dk_hc_result
dk_hc_checker_last_result(const struct dk_hc_checker *c)
{
	return c->last;
}

const struct dk_hc_checker_params *
dk_hc_checker_params(const struct dk_hc_checker *c)
{
	return &c->p;
}

uint64_t
dk_hc_spread_offset(uint64_t seed, uint32_t index, uint32_t count, uint64_t interval_us)
{
	uint64_t slot, jitter_span;

	if (!count || !interval_us)
		return 0;
	index %= count;
	slot = interval_us / count;
	/* jitter inside the first half of the slot keeps neighbours apart */
	jitter_span = slot / 2;
	if (!jitter_span)
		return index * slot;
	return index * slot + dk_hash_mix64(seed + index) % jitter_span;
}

int
dk_hc_rs_create(const struct dk_hc_rs_params *p, struct dk_hc_rs **out)
{
	struct dk_hc_rs *rs;

	if (!p || !out)
		return -EINVAL;
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return -ENOMEM;
	rs->p = *p;
	rs->alive = true;
	rs->weight = p->weight;
	*out = rs;
	return 0;
}

void
dk_hc_rs_free(struct dk_hc_rs *rs)
{
	free(rs);
}

static void
rs_compute(const struct dk_hc_rs *rs, bool *alive, uint32_t *weight)
{
	int dyn = -1;

	*alive = true;
	for (unsigned i = 0; i < rs->n; i++) {
		int w = dk_hc_checker_weight(rs->checkers[i]);

		if (!dk_hc_checker_up(rs->checkers[i]))
			*alive = false;
		if (w >= 0 && (dyn < 0 || w < dyn))
			dyn = w;
	}
	*weight = dyn >= 0 ? (uint32_t)dyn : rs->p.weight;
}

int
dk_hc_rs_add_checker(struct dk_hc_rs *rs, struct dk_hc_checker *c)
{
	if (!c)
		return -EINVAL;
	if (rs->n >= DK_HC_RS_MAX_CHECKERS)
		return -ENOSPC;
	rs->checkers[rs->n++] = c;
	/* the starting state (alpha) is not a transition: notify nothing for it */
	rs_compute(rs, &rs->alive, &rs->weight);
	return 0;
}

void
dk_hc_rs_eval(struct dk_hc_rs *rs, struct dk_hc_rs_change *chg)
{
	bool alive;
	uint32_t weight;

	rs_compute(rs, &alive, &weight);
	chg->tr = DK_HC_TR_NONE;
	if (alive != rs->alive)
		chg->tr = alive ? DK_HC_TR_UP : DK_HC_TR_DOWN;
	chg->weight_changed = weight != rs->weight;
	rs->alive = alive;
	rs->weight = weight;
}

bool
dk_hc_rs_alive(const struct dk_hc_rs *rs)
{
	return rs->alive;
}

uint32_t
dk_hc_rs_weight(const struct dk_hc_rs *rs)
{
	return rs->weight;
}

enum dk_hc_transition
dk_hc_rs_shutdown(struct dk_hc_rs *rs)
{
	bool was = rs->alive;

	rs->alive = false;
	return was && rs->p.omega ? DK_HC_TR_DOWN : DK_HC_TR_NONE;
}

int
dk_hc_vs_create(const struct dk_hc_vs_params *p, struct dk_hc_vs **out)
{
	struct dk_hc_vs *vs;

	if (!p || !out)
		return -EINVAL;
	vs = calloc(1, sizeof(*vs));
	if (!vs)
		return -ENOMEM;
	vs->p = *p;
	if (!vs->p.quorum)
		vs->p.quorum = 1;
	vs->quorum_up = true;
	*out = vs;
	return 0;
}

void
dk_hc_vs_free(struct dk_hc_vs *vs)
{
	if (!vs)
		return;
	free(vs->rs);
	free(vs);
}

int
dk_hc_vs_add_rs(struct dk_hc_vs *vs, struct dk_hc_rs *rs)
{
	struct dk_hc_rs **n;

	if (!rs)
		return -EINVAL;
	if (vs->n >= DK_HC_VS_MAX_RS)
		return -ENOSPC;
	n = realloc(vs->rs, (vs->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	vs->rs = n;
	vs->rs[vs->n++] = rs;
	return 0;
}

uint64_t
dk_hc_vs_alive_weight(const struct dk_hc_vs *vs)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < vs->n; i++)
		if (dk_hc_rs_alive(vs->rs[i]))
			sum += dk_hc_rs_weight(vs->rs[i]);
	return sum;
}

enum dk_hc_transition
dk_hc_vs_eval(struct dk_hc_vs *vs)
{
	uint64_t sum = dk_hc_vs_alive_weight(vs);
	uint64_t q = vs->p.quorum, h = vs->p.hysteresis;

	if (!vs->quorum_up && sum >= q + h) {
		vs->quorum_up = true;
		return DK_HC_TR_UP;
	}
	if (vs->quorum_up && (sum == 0 || (q > h && sum < q - h))) {
		vs->quorum_up = false;
		return DK_HC_TR_DOWN;
	}
	return DK_HC_TR_NONE;
}

bool
dk_hc_vs_quorum_up(const struct dk_hc_vs *vs)
{
	return vs->quorum_up;
}

enum dk_hc_transition
dk_hc_vs_shutdown(struct dk_hc_vs *vs)
{
	bool was = vs->quorum_up;

	vs->quorum_up = false;
	return was && vs->p.omega ? DK_HC_TR_DOWN : DK_HC_TR_NONE;
}
