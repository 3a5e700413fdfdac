#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dk_addr.h"
#include "dk_cksum.h"

/* A textbook IPv4 header whose checksum is known (0xb861). */
static const uint8_t ip_hdr[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
				    0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

static void
test_known_ipv4_header(void **state)
{
	uint16_t c;

	(void)state;
	c = dk_cksum(ip_hdr, sizeof(ip_hdr));
	assert_int_equal(((const uint8_t *)&c)[0], 0xb8);
	assert_int_equal(((const uint8_t *)&c)[1], 0x61);
}

static void
test_incremental_matches_full_on_random_data(void **state)
{
	uint8_t buf[64];

	(void)state;
	srand(7);
	for (int round = 0; round < 2000; round++) {
		uint16_t c0, c1;
		size_t off, n;
		uint8_t old[16], nw[16];

		for (size_t i = 0; i < sizeof(buf); i++)
			buf[i] = (uint8_t)rand();
		/* Checksum field at bytes 10-11, zeroed during the full computation. */
		buf[10] = buf[11] = 0;
		c0 = dk_cksum(buf, sizeof(buf));
		n = (size_t[]){ 2, 4, 16 }[round % 3];
		off = 12 + (size_t)(rand() % (int)((sizeof(buf) - 12 - n) / 2)) * 2;
		memcpy(old, buf + off, n);
		for (size_t i = 0; i < n; i++)
			nw[i] = (uint8_t)rand();
		memcpy(buf + off, nw, n);
		c1 = dk_cksum(buf, sizeof(buf));
		assert_int_equal(dk_cksum_update_bytes(c0, old, nw, n), c1);
	}
}

static void
test_odd_length_and_pseudo(void **state)
{
	uint8_t odd[3] = { 0x01, 0x02, 0x03 };
	struct dk_addr a, b;
	uint32_t s;

	(void)state;
	/* 0x0102 + 0x0300 = 0x0402 -> ~ = 0xfbfd (as bytes fb fd) */
	uint16_t c = dk_cksum(odd, sizeof(odd));
	assert_int_equal(((const uint8_t *)&c)[0], 0xfb);
	assert_int_equal(((const uint8_t *)&c)[1], 0xfd);
	assert_int_equal(dk_addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(dk_addr_parse("192.0.2.2", &b), 0);
	s = dk_cksum_pseudo4(&a.v4, &b.v4, 17, 8);
	assert_int_not_equal(s, 0);
	/* Swapping source and destination does not change the pseudo-header sum. */
	assert_int_equal(dk_cksum_finish(s), dk_cksum_finish(dk_cksum_pseudo4(&b.v4, &a.v4, 17, 8)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_ipv4_header),
		cmocka_unit_test(test_incremental_matches_full_on_random_data),
		cmocka_unit_test(test_odd_length_and_pseudo),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
