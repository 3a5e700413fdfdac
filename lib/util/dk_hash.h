/* Non-cryptographic hashes for flow keys and tables (no DPDK dependency). */
#ifndef DK_HASH_H
#define DK_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
dk_hash_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Hash of an arbitrary byte string with a seed; good spread, not for hostile keys. */
static inline uint64_t
dk_hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const uint8_t *p = data;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);

	while (len >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		h = dk_hash_mix64(h ^ v) + 0x9e3779b97f4a7c15ULL;
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t v = 0;

		memcpy(&v, p, len);
		h = dk_hash_mix64(h ^ v ^ ((uint64_t)len << 56));
	}
	return dk_hash_mix64(h);
}

#endif
