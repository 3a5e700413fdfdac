/*
 * A latency recorder for the control lcore's own timing (how late a VRRP advert left,
 * the gap between two adverts): lifetime count, sum and max, a histogram with fixed
 * upper bounds (Prometheus buckets), and the last DK_LAT_WINDOW samples, from which
 * percentiles of recent behaviour are exact. Adding is O(1) and never allocates.
 */
#ifndef DK_LAT_H
#define DK_LAT_H

#include <stdint.h>

#define DK_LAT_NBOUNDS 13
#define DK_LAT_WINDOW 1024

/* Upper bounds (us, inclusive) of the histogram buckets; one more bucket is +Inf. */
extern const uint32_t dk_lat_bounds_us[DK_LAT_NBOUNDS];

struct dk_lat {
	uint64_t count;
	uint64_t sum_us;
	uint64_t max_us;
	uint64_t bucket[DK_LAT_NBOUNDS + 1]; /* not cumulative */
	uint32_t win[DK_LAT_WINDOW];	     /* sample i lives at win[i % DK_LAT_WINDOW] */
};

void dk_lat_add(struct dk_lat *l, uint64_t us);
void dk_lat_reset(struct dk_lat *l);
/* Samples in the window: min(count, DK_LAT_WINDOW). */
unsigned dk_lat_window_n(const struct dk_lat *l);
/* The pct-th percentile (nearest rank, 1..100) of the window's samples; 0 when empty. */
uint64_t dk_lat_pct(const struct dk_lat *l, unsigned pct);

/* What the console and the exporters show: one sort of the window for both percentiles. */
struct dk_lat_summary {
	uint64_t count;
	uint64_t mean_us;
	uint64_t max_us;
	unsigned window; /* samples the percentiles are over */
	uint64_t p50_us;
	uint64_t p99_us;
};

void dk_lat_summarize(const struct dk_lat *l, struct dk_lat_summary *s);

#endif
