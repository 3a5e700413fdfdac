#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "dk_ctree.h"
#include "dk_profile.h"
#include "diag_capture.h"

static struct dk_profile prof;

static int
parse(const char *text, struct diag_capture *cap)
{
	diag_capture_init(cap);
	return dk_profile_parse_string(text, "p.cfg", &prof, &cap->diag);
}

static const char good[] =
	"# lab profile\n"
	"eal {\n"
	"\tlcores (0,1)@0,2@1   # control + worker\n"
	"\tmemory_mb 512\n"
	"\thugepages no\n"
	"\tfile_prefix dpkeep-lb1\n"
	"\tmbufs 16383\n"
	"\tbusy_poll\n"
	"\targs --log-level=pmd.net.af_packet:warning \"--vdev=x y\"\n"
	"}\n"
	"port f0\n"
	"{\n"
	"\tdevice net_af_packet0,iface=f0\n"
	"\taddress 192.0.2.1/24\n"
	"\taddress 2001:db8:f::1/64 ! v6 too\n"
	"\tmtu 9000\n"
	"\trx_queues 2\n"
	"\trx_desc 512\n"
	"\ttx_desc 2048\n"
	"\tmac 02:00:00:00:00:01\n"
	"\tpromisc\n"
	"}\n"
	"port f1 { device 0000:3b:00.1\n address 198.51.100.1/24 }\n"
	"route default via 192.0.2.254 dev f0\n"
	"route 203.0.113.0/24 via 198.51.100.254 dev f1\n"
	"route 2001:db8:9::/48 dev f1\n"
	"route default via 2001:db8:f::fe dev f0\n";

static void
test_good_profile(void **state)
{
	struct diag_capture cap;
	char b[64];

	(void)state;
	assert_int_equal(parse(good, &cap), 0);
	assert_int_equal(cap.diag.errors, 0);
	assert_string_equal(prof.lcores, "(0,1)@0,2@1");
	assert_int_equal(prof.memory_mb, 512);
	assert_int_equal(prof.hugepages, DK_HUGEPAGES_NO);
	assert_string_equal(prof.file_prefix, "dpkeep-lb1");
	assert_int_equal(prof.mbufs, 16383);
	assert_true(prof.busy_poll);
	assert_int_equal(prof.n_eal_args, 2);
	assert_string_equal(prof.eal_args[1], "--vdev=x y");
	assert_int_equal(prof.n_ports, 2);
	assert_string_equal(prof.ports[0].name, "f0");
	assert_string_equal(prof.ports[0].device, "net_af_packet0,iface=f0");
	assert_false(prof.ports[0].is_pci);
	assert_int_equal(prof.ports[0].n_addrs, 2);
	assert_string_equal(dk_prefix_fmt(&prof.ports[0].addrs[1], b, sizeof(b)),
			    "2001:db8:f::1/64");
	assert_int_equal(prof.ports[0].mtu, 9000);
	assert_int_equal(prof.ports[0].rx_queues, 2);
	assert_int_equal(prof.ports[0].rx_desc, 512);
	assert_int_equal(prof.ports[0].tx_desc, 2048);
	assert_true(prof.ports[0].has_mac);
	assert_string_equal(dk_mac_fmt(&prof.ports[0].mac, b, sizeof(b)), "02:00:00:00:00:01");
	assert_true(prof.ports[0].promisc);
	assert_int_equal(prof.ports[0].line, 11);
	assert_true(prof.ports[1].is_pci);
	assert_int_equal(prof.ports[1].n_addrs, 1);
	assert_int_equal(dk_profile_port_index(&prof, "f1"), 1);
	assert_int_equal(dk_profile_port_index(&prof, "f9"), -1);
	assert_int_equal(prof.n_routes, 4);
	assert_int_equal(prof.routes[0].dst.len, 0);
	assert_int_equal(prof.routes[0].dst.addr.af, AF_INET);
	assert_string_equal(prof.routes[0].dev, "f0");
	assert_int_equal(prof.routes[2].via.af, 0);
	assert_string_equal(dk_prefix_fmt(&prof.routes[2].dst, b, sizeof(b)),
			    "2001:db8:9::/48");
	assert_int_equal(prof.routes[3].dst.addr.af, AF_INET6);
	assert_int_equal(prof.routes[3].line, 28);
}

static void
test_defaults(void **state)
{
	struct diag_capture cap;

	(void)state;
	assert_int_equal(parse("port p { device 3b:00.0 }\n", &cap), 0);
	assert_int_equal(prof.memory_mb, 256);
	assert_int_equal(prof.mbufs, 8191);
	assert_int_equal(prof.hugepages, DK_HUGEPAGES_AUTO);
	assert_string_equal(prof.lcores, "");
	assert_string_equal(prof.file_prefix, "");
	assert_false(prof.busy_poll);
	assert_int_equal(prof.ports[0].mtu, 1500);
	assert_int_equal(prof.ports[0].rx_desc, 1024);
	assert_int_equal(prof.ports[0].tx_desc, 1024);
	assert_int_equal(prof.ports[0].rx_queues, 0);
	assert_false(prof.ports[0].has_mac);
	assert_true(prof.ports[0].is_pci);
	assert_string_equal(prof.file, "p.cfg");
}

struct err_case {
	const char *text;
	const char *msg; /* first error, with its FILE:LINE */
};

static const struct err_case errs[] = {
	{ "port a { device x }\nfoo 1\n", "p.cfg:2: unknown keyword 'foo'" },
	{ "eal {\n memory_mb\n}\nport a { device x }\n", "p.cfg:2: 'memory_mb' needs an argument" },
	{ "eal {\n colour red\n}\nport a { device x }\n",
	  "p.cfg:2: unknown keyword 'colour' in eal block" },
	{ "port a {\n device x\n address 10.0.0.300/24\n}\n",
	  "p.cfg:3: bad address/prefix '10.0.0.300/24'" },
	{ "port a {\n device x\n address 10.0.0.1/33\n}\n",
	  "p.cfg:3: bad address/prefix '10.0.0.1/33'" },
	{ "port a { device x }\nport a { device y }\n", "p.cfg:2: duplicate port name 'a'" },
	{ "port a { device x }\nroute default dev b\n", "p.cfg:2: route to unknown port 'b'" },
	{ "port a {\n device x\n address 10.0.0.1/24\n}\nroute default via 10.0.1.1 dev a\n",
	  "p.cfg:5: gateway 10.0.1.1 is not on a connected prefix of port a" },
	{ "\nport a {\n mtu 1500\n}\n", "p.cfg:2: port a has no device" },
	{ "port a {\n device x\n mtu 67\n}\n", "p.cfg:3: 'mtu' must be a number in 68..9600, not '67'" },
	{ "port a {\n device x\n mtu 9601\n}\n",
	  "p.cfg:3: 'mtu' must be a number in 68..9600, not '9601'" },
	{ "port a {\n device x\n rx_desc 1000\n}\n",
	  "p.cfg:3: 'rx_desc' must be a power of two, not 1000" },
	{ "port a {\n device x\n tx_desc 32\n}\n",
	  "p.cfg:3: 'tx_desc' must be a number in 64..16384, not '32'" },
	{ "port a {\n device x\n tx_desc 32768\n}\n",
	  "p.cfg:3: 'tx_desc' must be a number in 64..16384, not '32768'" },
	{ "eal {\n hugepages maybe\n}\nport a { device x }\n",
	  "p.cfg:2: 'hugepages' must be auto, yes or no, not 'maybe'" },
	{ "port a {\n device x\n mac 02:00:00:00:00\n}\n", "p.cfg:3: bad MAC address '02:00:00:00:00'" },
	{ "port a {\n device x\n", "p.cfg:1: block of 'port' is not closed" },
	{ "port a { device x }\n}\n", "p.cfg:2: '}' without a block to close" },
	{ "port a { device \"x }\n", "p.cfg:1: unterminated quoted string" },
	{ "port a { device x }\nroute 10.0.0.0/8 dev\n", "p.cfg:2: 'route' needs an argument" },
	{ "port a { device x }\nroute 10.0.0.0/8 gw 1.2.3.4 dev a\n",
	  "p.cfg:2: route must be 'route DST|default [via GW] dev PORT'" },
	{ "eal { }\n", "p.cfg:1: the profile defines no port" },
	{ "port a {\n device x\n address 10.0.0.1/24\n}\nroute ::/0 via 10.0.0.2 dev a\n",
	  "p.cfg:5: gateway 10.0.0.2 is not of the destination's address family" },
};

static void
test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct diag_capture cap;
		int rc = parse(errs[i].text, &cap);

		if (rc != -EINVAL || cap.diag.errors == 0 ||
		    strcmp(cap.first_error, errs[i].msg) != 0)
			fail_msg("case %zu: rc %d, got '%s', want '%s'", i, rc, cap.first_error,
				 errs[i].msg);
	}
}

static void
test_missing_file(void **state)
{
	struct diag_capture cap;

	(void)state;
	diag_capture_init(&cap);
	assert_int_equal(dk_profile_parse_file("/nonexistent/p.cfg", &prof, &cap.diag), -ENOENT);
	assert_int_equal(cap.diag.errors, 1);
}

static void
test_tokenizer(void **state)
{
	char *tok[8];
	bool q[8];
	int n;

	(void)state;
	n = dk_ctree_tokenize("a{b}\"c d\\\"e\" f#x", tok, q, 8);
	assert_int_equal(n, 6);
	assert_string_equal(tok[0], "a");
	assert_string_equal(tok[1], "{");
	assert_string_equal(tok[2], "b");
	assert_string_equal(tok[3], "}");
	assert_string_equal(tok[4], "c d\"e");
	assert_true(q[4]);
	assert_string_equal(tok[5], "f");
	for (int i = 0; i < n; i++)
		free(tok[i]);
	assert_int_equal(dk_ctree_tokenize("a b c", tok, q, 2), -E2BIG);
	n = dk_ctree_tokenize("  ! all comment", tok, q, 8);
	assert_int_equal(n, 0);
	n = dk_ctree_tokenize("\"a\\d\"", tok, q, 8);
	assert_int_equal(n, 1);
	assert_string_equal(tok[0], "a\\d");
	free(tok[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_profile),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_tokenizer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
