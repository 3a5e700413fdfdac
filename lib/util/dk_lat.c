#include <stdlib.h>
#include <string.h>

#include "dk_lat.h"

const uint32_t dk_lat_bounds_us[DK_LAT_NBOUNDS] = {
	10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
};

void
dk_lat_add(struct dk_lat *l, uint64_t us)
{
	unsigned b = 0;

	while (b < DK_LAT_NBOUNDS && us > dk_lat_bounds_us[b])
		b++;
	l->bucket[b]++;
	l->win[l->count % DK_LAT_WINDOW] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	l->count++;
	l->sum_us += us;
	if (us > l->max_us)
		l->max_us = us;
}

void
dk_lat_reset(struct dk_lat *l)
{
	memset(l, 0, sizeof(*l));
}

unsigned
dk_lat_window_n(const struct dk_lat *l)
{
	return l->count < DK_LAT_WINDOW ? (unsigned)l->count : DK_LAT_WINDOW;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

static unsigned
sorted_window(const struct dk_lat *l, uint32_t *s)
{
	unsigned n = dk_lat_window_n(l);

	memcpy(s, l->win, n * sizeof(s[0]));
	qsort(s, n, sizeof(s[0]), cmp_u32);
	return n;
}

/* Nearest rank: the smallest sample with at least pct% of them at or below it. */
static uint64_t
rank(const uint32_t *s, unsigned n, unsigned pct)
{
	unsigned r;

	if (n == 0)
		return 0;
	if (pct > 100)
		pct = 100;
	r = (pct * n + 99) / 100;
	return s[r ? r - 1 : 0];
}

uint64_t
dk_lat_pct(const struct dk_lat *l, unsigned pct)
{
	uint32_t s[DK_LAT_WINDOW];
	unsigned n = sorted_window(l, s);

	return rank(s, n, pct);
}

void
dk_lat_summarize(const struct dk_lat *l, struct dk_lat_summary *out)
{
	uint32_t s[DK_LAT_WINDOW];
	unsigned n = sorted_window(l, s);

	out->count = l->count;
	out->mean_us = l->count ? l->sum_us / l->count : 0;
	out->max_us = l->max_us;
	out->window = n;
	out->p50_us = rank(s, n, 50);
	out->p99_us = rank(s, n, 99);
}
