/* Small helpers shared by every dpkeep library. No DPDK types here. */
#ifndef DK_COMMON_H
#define DK_COMMON_H

#include <stddef.h>
#include <stdint.h>

#define DK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define DK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define DK_MAX(a, b) ((a) > (b) ? (a) : (b))
#define DK_UNUSED __attribute__((unused))
#define DK_LIKELY(x) __builtin_expect(!!(x), 1)
#define DK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define DK_CONTAINER_OF(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

/* Time in dpkeep's pure libraries is an injected monotonic count of microseconds. */
#define DK_USEC_PER_SEC 1000000ULL
#define DK_USEC_PER_MSEC 1000ULL

/* Expand an X-macro list of counters into an enum and a name table. */
#define DK_XENUM(name, str) name,
#define DK_XSTR(name, str) str,

#endif
