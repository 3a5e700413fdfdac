/* Ephemeral source ports for the TCP client, with a reuse quarantine. */
#include <errno.h>
#include <stdlib.h>

#include "dk_hash.h"
#include "dk_tcpc.h"

struct dk_tcpc_ports {
	struct dk_tcpc_ports_params p;
	uint32_t n;
	uint32_t cursor;
	bool *busy;
	/* when each port was released; reuse waits out the quarantine like TIME_WAIT */
	uint64_t *released_at;
	bool *ever_used;
};

int
dk_tcpc_ports_create(const struct dk_tcpc_ports_params *p, struct dk_tcpc_ports **out)
{
	struct dk_tcpc_ports *pa;

	if (!p || !out || !p->first || p->last < p->first)
		return -EINVAL;
	pa = calloc(1, sizeof(*pa));
	if (!pa)
		return -ENOMEM;
	pa->p = *p;
	if (!pa->p.quarantine_us)
		pa->p.quarantine_us = 60 * DK_USEC_PER_SEC;
	pa->n = (uint32_t)p->last - p->first + 1;
	pa->cursor = (uint32_t)(dk_hash_mix64(p->seed) % pa->n);
	pa->busy = calloc(pa->n, sizeof(*pa->busy));
	if (!pa->busy)
		goto fail_busy;
	pa->ever_used = calloc(pa->n, sizeof(*pa->ever_used));
	if (!pa->ever_used)
		goto fail_used;
	pa->released_at = calloc(pa->n, sizeof(*pa->released_at));
	if (!pa->released_at)
		goto fail_rel;
	*out = pa;
	return 0;
fail_rel:
	free(pa->ever_used);
fail_used:
	free(pa->busy);
fail_busy:
	free(pa);
	return -ENOMEM;
}

void
dk_tcpc_ports_free(struct dk_tcpc_ports *pa)
{
	if (!pa)
		return;
	free(pa->busy);
	free(pa->ever_used);
	free(pa->released_at);
	free(pa);
}

int
dk_tcpc_port_alloc(struct dk_tcpc_ports *pa, uint64_t now_us)
{
	for (uint32_t i = 0; i < pa->n; i++) {
		uint32_t idx = (pa->cursor + i) % pa->n;

		if (pa->busy[idx])
			continue;
		if (pa->ever_used[idx] && now_us < pa->released_at[idx] + pa->p.quarantine_us)
			continue;
		pa->busy[idx] = true;
		pa->ever_used[idx] = true;
		/* walk on, so the same port is not handed out again first */
		pa->cursor = (idx + 1) % pa->n;
		return pa->p.first + (int)idx;
	}
	return -EADDRNOTAVAIL;
}

void
dk_tcpc_port_release(struct dk_tcpc_ports *pa, uint16_t port, uint64_t now_us)
{
	uint32_t idx;

	if (port < pa->p.first || port > pa->p.last)
		return;
	idx = port - pa->p.first;
	if (!pa->busy[idx])
		return;
	pa->busy[idx] = false;
	pa->released_at[idx] = now_us;
}
