/* Helpers shared by lib/net's unit tests: addresses from text, independent checksums. */
#ifndef NET_TEST_H
#define NET_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dk_addr.h"
#include "dk_cksum.h"

static inline struct dk_addr
A(const char *s)
{
	struct dk_addr a;

	assert_int_equal(dk_addr_parse(s, &a), 0);
	return a;
}

static inline int
addr_is(const struct dk_addr *a, const char *s)
{
	struct dk_addr b = A(s);

	return dk_addr_eq(a, &b);
}

static inline struct dk_prefix
P(const char *s)
{
	struct dk_prefix p;

	assert_int_equal(dk_prefix_parse(s, &p), 0);
	return p;
}

static inline struct dk_mac
M(const char *s)
{
	struct dk_mac m;

	assert_int_equal(dk_mac_parse(s, &m), 0);
	return m;
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* True when the L4 checksum of the segment at l4 verifies against the IP header at ip. */
static inline int
l4_sum_ok(const uint8_t *ip, const uint8_t *l4, size_t l4len, uint8_t proto)
{
	uint32_t s;

	if ((ip[0] >> 4) == 4)
		s = proto == 1 ? 0 : dk_cksum_pseudo4(ip + 12, ip + 16, proto, (uint32_t)l4len);
	else
		s = dk_cksum_pseudo6(ip + 8, ip + 24, proto, (uint32_t)l4len);
	return dk_cksum_finish(dk_cksum_add(s, l4, l4len)) == 0;
}

#endif
