/* The generator's latency histogram, token bucket and argument parsers. */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dk_gen.h"

void
dk_gen_hist_reset(struct dk_gen_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/* Values below DK_GEN_HIST_SUB get a bucket each; above, bucket = 8 per power of two. */
static unsigned
bucket_of(uint64_t v)
{
	unsigned msb, sub;

	if (v < DK_GEN_HIST_SUB)
		return (unsigned)v;
	msb = 63u - (unsigned)__builtin_clzll(v);
	sub = (unsigned)(v >> (msb - 3)) & (DK_GEN_HIST_SUB - 1);
	return (msb - 2) * DK_GEN_HIST_SUB + sub;
}

/* The largest value that falls in bucket b. */
static uint64_t
bucket_top(unsigned b)
{
	unsigned msb, sub;

	if (b < DK_GEN_HIST_SUB)
		return b;
	msb = b / DK_GEN_HIST_SUB + 2;
	sub = b % DK_GEN_HIST_SUB;
	if (msb >= 63 && sub == DK_GEN_HIST_SUB - 1)
		return UINT64_MAX;
	return ((uint64_t)(DK_GEN_HIST_SUB + sub + 1) << (msb - 3)) - 1;
}

void
dk_gen_hist_add(struct dk_gen_hist *h, uint64_t v)
{
	h->count[bucket_of(v)]++;
	h->n++;
	h->sum += v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void
dk_gen_hist_merge(struct dk_gen_hist *into, const struct dk_gen_hist *from)
{
	for (unsigned b = 0; b < DK_GEN_HIST_BUCKETS; b++)
		into->count[b] += from->count[b];
	into->n += from->n;
	into->sum += from->sum;
	if (from->n && from->min < into->min)
		into->min = from->min;
	if (from->n && from->max > into->max)
		into->max = from->max;
}

uint64_t
dk_gen_hist_quantile(const struct dk_gen_hist *h, double q)
{
	uint64_t rank, seen = 0;

	if (h->n == 0)
		return 0;
	if (q <= 0)
		return h->min;
	/* The rank-th smallest sample, 1-based, nearest-rank definition. */
	rank = (uint64_t)ceil(q * (double)h->n);
	if (rank == 0)
		rank = 1;
	if (rank > h->n)
		rank = h->n;
	for (unsigned b = 0; b < DK_GEN_HIST_BUCKETS; b++) {
		seen += h->count[b];
		if (seen >= rank) {
			uint64_t top = bucket_top(b);

			return top > h->max ? h->max : top < h->min ? h->min : top;
		}
	}
	return h->max;
}

void
dk_gen_tb_init(struct dk_gen_tb *tb, uint64_t rate, uint64_t hz, uint64_t burst, uint64_t now)
{
	tb->rate = rate;
	tb->hz = hz ? hz : 1;
	tb->burst = burst ? burst : 1;
	tb->last = now;
	tb->credit = 0;
}

uint32_t
dk_gen_tb_take(struct dk_gen_tb *tb, uint64_t now, uint32_t want)
{
	unsigned __int128 cap, need;
	uint64_t n;

	if (tb->rate == 0)
		return want;
	if (now > tb->last) {
		tb->credit += (unsigned __int128)(now - tb->last) * tb->rate;
		tb->last = now;
	}
	/* An idle sender may not bank more than one burst: the rate holds over any window
	 * longer than burst/rate, which is what a receiver's queue sees. */
	cap = (unsigned __int128)tb->burst * tb->hz;
	if (tb->credit > cap)
		tb->credit = cap;
	n = (uint64_t)(tb->credit / tb->hz);
	if (n > want)
		n = want;
	need = (unsigned __int128)n * tb->hz;
	tb->credit -= need;
	return (uint32_t)n;
}

int
dk_gen_parse_ip_range(const char *s, struct dk_gen_range *out)
{
	char a[64], *dash;
	struct in_addr lo, hi;

	if (strlen(s) >= sizeof(a))
		return -EINVAL;
	strcpy(a, s);
	dash = strchr(a, '-');
	if (dash)
		*dash++ = '\0';
	if (inet_pton(AF_INET, a, &lo) != 1)
		return -EINVAL;
	hi = lo;
	if (dash && inet_pton(AF_INET, dash, &hi) != 1)
		return -EINVAL;
	out->lo = ntohl(lo.s_addr);
	out->hi = ntohl(hi.s_addr);
	return out->lo <= out->hi ? 0 : -EINVAL;
}

static int
parse_port(const char *s, char **end, uint32_t *out)
{
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, end, 10);
	if (errno || v > 65535)
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int
dk_gen_parse_port_range(const char *s, struct dk_gen_range *out)
{
	char *end;

	if (parse_port(s, &end, &out->lo) < 0)
		return -EINVAL;
	out->hi = out->lo;
	if (*end == '-' && parse_port(end + 1, &end, &out->hi) < 0)
		return -EINVAL;
	if (*end != '\0')
		return -EINVAL;
	return out->lo <= out->hi ? 0 : -EINVAL;
}

int
dk_gen_parse_rate(const char *s, double *pct, uint64_t *pps)
{
	char *end;
	double v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || !(v > 0))
		return -EINVAL;
	*pct = 0;
	*pps = 0;
	if (strcmp(end, "%") == 0) {
		if (v > 100)
			return -EINVAL;
		*pct = v;
		return 0;
	}
	if (*end == 'k' || *end == 'K')
		v *= 1e3, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1e6, end++;
	if (strcmp(end, "") != 0 && strcmp(end, "pps") != 0)
		return -EINVAL;
	if (v < 1 || v > 1e12)
		return -EINVAL;
	*pps = (uint64_t)llround(v);
	return 0;
}

uint64_t
dk_gen_line_rate(uint32_t mbps, uint16_t size, double pct)
{
	double bits = ((double)size + 20) * 8;

	return (uint64_t)((double)mbps * 1e6 * pct / 100.0 / bits);
}
