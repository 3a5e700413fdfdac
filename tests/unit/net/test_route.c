#include "net_test.h"

#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "dk_route.h"

static struct dk_route_table *
mk(void)
{
	struct dk_route_params p = { .max_routes = 8 };
	struct dk_route_table *t;

	assert_int_equal(dk_route_table_create(&p, &t), 0);
	return t;
}

static int
add_static(struct dk_route_table *t, const char *pfx, const char *gw, uint16_t port,
	   uint32_t metric)
{
	struct dk_route r = { .prefix = P(pfx), .port = port, .kind = DK_ROUTE_STATIC,
			      .metric = metric };

	if (gw)
		r.gateway = A(gw);
	return dk_route_add(t, &r);
}

static void
expect(const struct dk_route_table *t, const char *dst, uint16_t port, const char *nh)
{
	struct dk_addr d = A(dst);
	struct dk_route_hop h;

	assert_int_equal(dk_route_lookup(t, &d, &h), 0);
	assert_int_equal(h.port, port);
	assert_true(addr_is(&h.next_hop, nh));
}

static void
test_v4_lpm(void **state)
{
	struct dk_route_table *t = mk();
	struct dk_prefix a0 = P("192.168.1.10/24"), a1 = P("10.0.0.5/16");
	struct dk_addr d = A("172.16.0.1");
	struct dk_route_hop h;

	(void)state;
	assert_int_equal(dk_route_add_connected(t, 0, &a0), 0);
	assert_int_equal(dk_route_add_connected(t, 1, &a1), 0);
	assert_int_equal(dk_route_lookup(t, &d, &h), -ENETUNREACH);
	assert_int_equal(add_static(t, "0.0.0.0/0", "192.168.1.1", DK_ROUTE_PORT_ANY, 0), 0);
	assert_int_equal(add_static(t, "10.0.5.0/24", "10.0.0.1", 1, 0), 0);

	expect(t, "192.168.1.77", 0, "192.168.1.77"); /* connected: on-link */
	expect(t, "10.0.9.9", 1, "10.0.9.9");
	expect(t, "10.0.5.9", 1, "10.0.0.1"); /* static /24 beats connected /16 */
	expect(t, "8.8.8.8", 0, "192.168.1.1"); /* default, port from the gateway */
	d = A("8.8.8.8");
	assert_int_equal(dk_route_lookup(t, &d, &h), 0);
	assert_int_equal(h.route->kind, DK_ROUTE_STATIC);
	assert_int_equal(h.route->prefix.len, 0);

	/* Host bits were cleared: the connected prefix is the network. */
	assert_int_equal(dk_route_lookup(t, &(struct dk_addr){ .af = AF_INET,
							       .b = { 192, 168, 1, 1 } }, &h), 0);
	assert_true(addr_is(&h.route->prefix.addr, "192.168.1.0"));
	assert_int_equal(h.route->kind, DK_ROUTE_CONNECTED);

	/* Losing the port takes its routes and the default that depended on it. */
	dk_route_flush_port(t, 0);
	d = A("172.16.0.1");
	assert_int_equal(dk_route_lookup(t, &d, &h), -ENETUNREACH);
	expect(t, "10.0.5.9", 1, "10.0.0.1");
	dk_route_table_free(t);
}

static void
test_metric_dup_del_full(void **state)
{
	struct dk_route_table *t = mk();
	struct dk_prefix net = P("10.9.0.0/16"), a = P("10.1.0.1/16");
	char buf[32];

	(void)state;
	assert_int_equal(dk_route_add_connected(t, 2, &a), 0);
	assert_int_equal(add_static(t, "10.9.0.0/16", "10.1.0.1", 2, 100), 0);
	assert_int_equal(add_static(t, "10.9.0.0/16", "10.1.0.2", 2, 10), 0);
	assert_int_equal(add_static(t, "10.9.1.2/16", "10.1.0.3", 2, 10), -EEXIST);
	expect(t, "10.9.3.3", 2, "10.1.0.2");
	assert_int_equal(dk_route_del(t, &net, DK_ROUTE_STATIC, 10), 0);
	assert_int_equal(dk_route_del(t, &net, DK_ROUTE_STATIC, 10), -ENOENT);
	expect(t, "10.9.3.3", 2, "10.1.0.1");
	assert_int_equal(add_static(t, "10.8.0.0/16", NULL, DK_ROUTE_PORT_ANY, 0), -EINVAL);
	assert_int_equal(add_static(t, "10.8.0.0/16", "2001::1", 1, 0), -EINVAL);
	for (int k = 0; k < 6; k++) {
		snprintf(buf, sizeof(buf), "%d.0.0.0/8", 20 + k);
		assert_int_equal(add_static(t, buf, "10.1.0.1", 2, 0), 0);
	}
	assert_int_equal(dk_route_count(t), 8);
	assert_int_equal(add_static(t, "99.0.0.0/8", "10.1.0.1", 2, 0), -ENOSPC);
	dk_route_table_free(t);
}

static int
collect(void *ctx, const struct dk_route *r)
{
	uint8_t *lens = ctx;

	lens[++lens[0]] = r->prefix.len;
	return 0;
}

static void
test_v6_and_walk(void **state)
{
	struct dk_route_table *t = mk();
	struct dk_prefix a = P("2001:db8:1::10/64"), ll = P("fe80::1/64");
	struct dk_addr d = A("2001:db8:2::1");
	struct dk_route_hop h;
	uint8_t lens[10] = { 0 };

	(void)state;
	assert_int_equal(dk_route_add_connected(t, 0, &a), 0);
	assert_int_equal(dk_route_add_connected(t, 0, &ll), 0);
	assert_int_equal(dk_route_lookup(t, &d, &h), -ENETUNREACH);
	assert_int_equal(add_static(t, "::/0", "fe80::ff", DK_ROUTE_PORT_ANY, 0), 0);
	assert_int_equal(add_static(t, "2001:db8:2::/48", "2001:db8:1::1", 0, 0), 0);
	expect(t, "2001:db8:1::99", 0, "2001:db8:1::99");
	expect(t, "2001:db8:2::1", 0, "2001:db8:1::1");
	expect(t, "2600::1", 0, "fe80::ff");
	/* IPv4 destinations never match IPv6 routes (and there is no v4 default here). */
	d = A("1.2.3.4");
	assert_int_equal(dk_route_lookup(t, &d, &h), -ENETUNREACH);
	/* A gateway that is not on-link cannot be used. */
	assert_int_equal(add_static(t, "2001:db8:9::/48", "2001:db8:77::1", DK_ROUTE_PORT_ANY, 0),
			 0);
	d = A("2001:db8:9::5");
	assert_int_equal(dk_route_lookup(t, &d, &h), -ENETUNREACH);

	assert_int_equal(dk_route_walk(t, collect, lens), 0);
	assert_int_equal(lens[0], 5);
	for (int k = 2; k <= lens[0]; k++)
		assert_true(lens[k - 1] >= lens[k]);
	assert_string_equal(dk_route_kind_name(DK_ROUTE_CONNECTED), "connected");
	dk_route_table_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_lpm),
		cmocka_unit_test(test_metric_dup_del_full),
		cmocka_unit_test(test_v6_and_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
