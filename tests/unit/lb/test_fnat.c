#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "dk_common.h"
#include "dk_lb_fnat.h"
#include "lb_test_util.h"

static uint8_t owner_seen[65536];

static void
test_owner(void **state)
{
	(void)state;
	assert_int_equal(dk_lb_fnat_port_mask(1), 0);
	assert_int_equal(dk_lb_fnat_port_mask(4), 3);
	assert_int_equal(dk_lb_fnat_port_mask(6), 7);
	assert_int_equal(dk_lb_fnat_port_owner(40001, 1), 0);
	assert_int_equal(dk_lb_fnat_port_owner(40001, 4), 1);
	assert_int_equal(dk_lb_fnat_port_owner(40006, 6), -ENOENT);	/* 6 & 7: nobody */
	assert_int_equal(dk_lb_fnat_port_owner(40005, 6), 5);
	assert_int_equal(dk_lb_fnat_port_owner(1, 0), -EINVAL);
}

/* Every worker's ports are its own per the owner function, and no two workers share one. */
static void
test_disjoint_across_workers(void **state)
{
	static const unsigned nws[] = { 1, 2, 3, 4, 6, 8 };
	struct dk_addr la[2] = { t_v4(0x0a640001u), t_v4(0x0a640002u) };
	unsigned k;

	(void)state;
	for (k = 0; k < DK_ARRAY_SIZE(nws); k++) {
		unsigned n = nws[k], w, total = 0;

		memset(owner_seen, 0, sizeof(owner_seen));
		for (w = 0; w < n; w++) {
			struct dk_lb_fnat_params p = { .laddrs = la, .n_laddrs = 1, .worker = w,
						       .n_workers = n, .port_min = 20000,
						       .port_max = 29999 };
			struct dk_lb_fnat *f = NULL;
			uint32_t li;
			uint16_t port;

			assert_int_equal(dk_lb_fnat_create(&p, &f), 0);
			while (dk_lb_fnat_alloc(f, &li, &port) == 0) {
				assert_true(port >= 20000 && port <= 29999);
				assert_int_equal(dk_lb_fnat_port_owner(port, n), (int)w);
				assert_int_equal(owner_seen[port], 0);
				owner_seen[port] = (uint8_t)(w + 1);
				total++;
			}
			assert_int_equal(dk_lb_fnat_counter(f, DK_LB_FNAT_C_EXHAUSTED), 1);
			assert_int_equal(dk_lb_fnat_available(f), 0);
			dk_lb_fnat_free(f);
		}
		/* every port some worker owns was handed out: all of them for 2^k workers */
		{
			unsigned want = 0, port;

			for (port = 20000; port <= 29999; port++)
				want += (port & dk_lb_fnat_port_mask(n)) < n;
			assert_int_equal(total, want);
			if ((n & (n - 1)) == 0)
				assert_int_equal(total, 10000);
		}
	}
	{
		struct dk_lb_fnat_params p = { .laddrs = la, .n_laddrs = 1, .worker = 4,
					       .n_workers = 4 };
		struct dk_lb_fnat *f = NULL;

		assert_int_equal(dk_lb_fnat_create(&p, &f), -EINVAL);
		assert_null(f);
	}
}

static void
test_alloc_release(void **state)
{
	struct dk_addr la[2] = { t_v4(0x0a640001u), t_v4(0x0a640002u) }, other = t_v4(7);
	struct dk_lb_fnat_params p = { .laddrs = la, .n_laddrs = 2, .worker = 1,
				       .n_workers = 2, .port_min = 1000, .port_max = 1007 };
	struct dk_lb_fnat *f = NULL;
	uint32_t li[8], i;
	uint16_t port[8], x;

	(void)state;
	assert_int_equal(dk_lb_fnat_create(&p, &f), 0);
	assert_int_equal(dk_lb_fnat_available(f), 8);	/* 1001,1003,1005,1007 on each */
	for (i = 0; i < 8; i++) {
		assert_int_equal(dk_lb_fnat_alloc(f, &li[i], &port[i]), 0);
		assert_int_equal(li[i], i % 2);			/* addresses in turn */
		assert_int_equal(port[i], 1001 + 2 * (i / 2));
	}
	assert_int_equal(dk_lb_fnat_alloc(f, &li[0], &x), -ENOSPC);
	assert_int_equal(dk_lb_fnat_counter(f, DK_LB_FNAT_C_EXHAUSTED), 1);
	/* releases are checked: not out, wrong address index, twice */
	assert_int_equal(dk_lb_fnat_release(f, 0, 1002), -EINVAL);
	assert_int_equal(dk_lb_fnat_release(f, 5, 1001), -EINVAL);
	assert_int_equal(dk_lb_fnat_release(f, 0, 1003), 0);
	assert_int_equal(dk_lb_fnat_release(f, 0, 1003), -EINVAL);
	assert_int_equal(dk_lb_fnat_counter(f, DK_LB_FNAT_C_BAD_RELEASES), 3);
	/* FIFO reuse: the oldest freed port comes back first */
	assert_int_equal(dk_lb_fnat_release(f, 0, 1007), 0);
	assert_int_equal(dk_lb_fnat_release(f, 0, 1001), 0);
	assert_int_equal(dk_lb_fnat_alloc(f, &li[0], &x), 0);
	assert_int_equal(li[0], 0);
	assert_int_equal(x, 1003);
	assert_int_equal(dk_lb_fnat_alloc(f, &li[0], &x), 0);
	assert_int_equal(x, 1007);
	assert_int_equal(dk_lb_fnat_laddr_index(f, &la[1]), 1);
	assert_int_equal(dk_lb_fnat_laddr_index(f, &other), -ENOENT);
	assert_true(dk_addr_eq(dk_lb_fnat_laddr(f, 1), &la[1]));
	assert_string_equal(dk_lb_fnat_counter_name(DK_LB_FNAT_C_ALLOCS), "allocs");
	dk_lb_fnat_free(f);
}

/* A mixed pool: each family draws from its own addresses only, and runs out alone. */
static void
test_alloc_by_family(void **state)
{
	struct dk_addr la[3] = { t_v4(0x0a640001u), { .af = AF_INET6 }, t_v4(0x0a640002u) };
	struct dk_lb_fnat_params p = { .laddrs = la, .n_laddrs = 3, .worker = 0,
				       .n_workers = 1, .port_min = 2000, .port_max = 2003 };
	struct dk_lb_fnat *f = NULL;
	uint32_t li;
	uint16_t port;

	(void)state;
	la[1].v6[0] = 0x20;
	la[1].v6[15] = 1;
	assert_int_equal(dk_lb_fnat_create(&p, &f), 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(dk_lb_fnat_alloc_af(f, AF_INET6, &li, &port), 0);
		assert_int_equal(li, 1);
		assert_int_equal(port, 2000 + i);
	}
	assert_int_equal(dk_lb_fnat_alloc_af(f, AF_INET6, &li, &port), -ENOSPC);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(dk_lb_fnat_alloc_af(f, AF_INET, &li, &port), 0);
		assert_true(li == 0 || li == 2);
	}
	assert_int_equal(dk_lb_fnat_alloc_af(f, AF_INET, &li, &port), -ENOSPC);
	assert_int_equal(dk_lb_fnat_release(f, 1, 2002), 0);
	assert_int_equal(dk_lb_fnat_alloc_af(f, AF_INET, &li, &port), -ENOSPC);
	assert_int_equal(dk_lb_fnat_alloc(f, &li, &port), 0);
	assert_int_equal(li, 1);
	assert_int_equal(port, 2002);
	dk_lb_fnat_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_disjoint_across_workers),
		cmocka_unit_test(test_alloc_release),
		cmocka_unit_test(test_alloc_by_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
