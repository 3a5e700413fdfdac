#include <string.h>

#include "dk_cksum.h"

uint32_t
dk_cksum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t s = sum;

	/* Byte-order neutral: sum 16-bit words as stored, fold at the end (RFC 1071). */
	while (len >= 8) {
		uint32_t a, b;

		memcpy(&a, p, 4);
		memcpy(&b, p + 4, 4);
		s += (uint64_t)a + b;
		p += 8;
		len -= 8;
	}
	while (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		s += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint16_t w = 0;

		memcpy(&w, p, 1);
		s += w;
	}
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
dk_cksum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t
dk_cksum(const void *data, size_t len)
{
	return dk_cksum_finish(dk_cksum_add(0, data, len));
}

uint32_t
dk_cksum_pseudo4(const void *src4, const void *dst4, uint8_t proto, uint32_t l4len)
{
	uint8_t tail[4] = { 0, proto, (uint8_t)(l4len >> 8), (uint8_t)l4len };
	uint32_t s = dk_cksum_add(0, src4, 4);

	s = dk_cksum_add(s, dst4, 4);
	return dk_cksum_add(s, tail, sizeof(tail));
}

uint32_t
dk_cksum_pseudo6(const void *src16, const void *dst16, uint8_t proto, uint32_t l4len)
{
	uint8_t tail[8] = { (uint8_t)(l4len >> 24), (uint8_t)(l4len >> 16), (uint8_t)(l4len >> 8),
			    (uint8_t)l4len, 0, 0, 0, proto };
	uint32_t s = dk_cksum_add(0, src16, 16);

	s = dk_cksum_add(s, dst16, 16);
	return dk_cksum_add(s, tail, sizeof(tail));
}

uint16_t
dk_cksum_update_bytes(uint16_t cksum, const void *old, const void *new_, size_t len)
{
	uint8_t inv[16];
	const uint8_t *o = old;
	uint32_t s = (uint16_t)~cksum;
	size_t i;

	/* ~m is added as the ones-complement of each old word: invert the bytes. */
	while (len) {
		size_t n = len < sizeof(inv) ? len : sizeof(inv);

		for (i = 0; i < n; i++)
			inv[i] = (uint8_t)~o[i];
		s = dk_cksum_add(s, inv, n);
		s = dk_cksum_add(s, new_, n);
		o += n;
		new_ = (const uint8_t *)new_ + n;
		len -= n;
	}
	return dk_cksum_finish(s);
}

uint16_t
dk_cksum_update16(uint16_t cksum, uint16_t old16, uint16_t new16)
{
	return dk_cksum_update_bytes(cksum, &old16, &new16, 2);
}

uint16_t
dk_cksum_update32(uint16_t cksum, uint32_t old32, uint32_t new32)
{
	return dk_cksum_update_bytes(cksum, &old32, &new32, 4);
}
