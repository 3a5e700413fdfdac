/* EAL command lines built from profiles (no EAL is started). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "dk_dp.h"

static bool
has(int argc, char **argv, const char *s)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], s) == 0)
			return true;
	return false;
}

static void
base(struct dk_profile *p)
{
	memset(p, 0, sizeof(*p));
	p->memory_mb = 256;
	p->mbufs = 8191;
	p->hugepages = DK_HUGEPAGES_NO;
	p->n_ports = 1;
	strcpy(p->ports[0].name, "eth0");
	strcpy(p->ports[0].device, "net_af_packet0,iface=eth0");
}

static void
test_af_packet_gets_one_socket_per_queue_pair(void **state)
{
	struct dk_profile p;
	char **argv;
	int argc;

	(void)state;
	base(&p);
	strcpy(p.lcores, "(0,1)@0,2@1"); /* control + 2 workers -> 3 queue pairs */
	argc = dk_dp_eal_args(&p, 0, NULL, &argv);
	assert_true(argc > 0);
	assert_true(has(argc, argv, "--vdev=net_af_packet0,iface=eth0,qpairs=3"));
	assert_true(has(argc, argv, "--lcores=(0,1)@0,2@1"));
	assert_true(has(argc, argv, "--no-huge"));
	assert_true(has(argc, argv, "--no-pci"));
	assert_true(has(argc, argv, "--file-prefix=dpkeep"));
	dk_dp_eal_args_free(argc, argv);

	strcpy(p.lcores, "0-3");
	argc = dk_dp_eal_args(&p, 0, NULL, &argv);
	assert_true(has(argc, argv, "--vdev=net_af_packet0,iface=eth0,qpairs=4"));
	dk_dp_eal_args_free(argc, argv);
}

static void
test_explicit_qpairs_pci_and_overrides(void **state)
{
	struct dk_profile p;
	char *extra[] = { "--log-level=*:debug" };
	char **argv;
	int argc;

	(void)state;
	base(&p);
	strcpy(p.ports[0].device, "net_af_packet0,iface=eth0,qpairs=8");
	p.n_ports = 2;
	strcpy(p.ports[1].device, "0000:3b:00.0");
	p.ports[1].is_pci = true;
	p.lcores[0] = '\0';
	argc = dk_dp_eal_args(&p, 1, extra, &argv);
	assert_true(has(argc, argv, "--vdev=net_af_packet0,iface=eth0,qpairs=8"));
	assert_true(has(argc, argv, "-a0000:3b:00.0"));
	assert_false(has(argc, argv, "--no-pci"));
	/* No lcore map: the control lcore alone does everything. */
	assert_true(has(argc, argv, "--lcores=0"));
	/* The user's overrides come last so that they win. */
	assert_string_equal(argv[argc - 1], "--log-level=*:debug");
	dk_dp_eal_args_free(argc, argv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_af_packet_gets_one_socket_per_queue_pair),
		cmocka_unit_test(test_explicit_qpairs_pci_and_overrides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
