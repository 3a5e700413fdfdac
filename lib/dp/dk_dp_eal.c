/* EAL command line from a drivers-cfg profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_dp.h"

bool
dk_dp_hugepages_available(unsigned memory_mb)
{
	unsigned long free_pages = 0, size_kb = 0;
	char line[256];
	FILE *f = fopen("/proc/meminfo", "r");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "HugePages_Free: %lu", &free_pages);
		sscanf(line, "Hugepagesize: %lu kB", &size_kb);
	}
	fclose(f);
	return free_pages * size_kb >= (unsigned long)memory_mb * 1024;
}

static int
push(char **argv, int *argc, int max, const char *fmt, const char *a)
{
	char buf[512];

	if (*argc >= max)
		return -E2BIG;
	snprintf(buf, sizeof(buf), fmt, a);
	argv[*argc] = strdup(buf);
	if (argv[*argc] == NULL)
		return -ENOMEM;
	(*argc)++;
	return 0;
}

/* af_packet spreads frames over all of its sockets; make it open exactly one per queue
 * pair dpkeep polls unless the profile chose a count itself. */
static void
device_arg(const struct dk_profile_port *pp, unsigned nb_q, char *buf, size_t len)
{
	if (strncmp(pp->device, "net_af_packet", 13) == 0 && strstr(pp->device, "qpairs=") == NULL)
		snprintf(buf, len, "%s,qpairs=%u", pp->device, nb_q);
	else
		snprintf(buf, len, "%s", pp->device);
}

static unsigned
count_lcores(const char *spec)
{
	/* "(0,1)@0,2@1": groups in parentheses are several lcores, "a-b" is a range. */
	unsigned n = 0, depth = 0;
	const char *p = spec;
	long last = -1;

	if (*spec == '\0')
		return 0;
	while (*p) {
		if (*p == '(') {
			depth++;
			p++;
		} else if (*p == ')') {
			depth--;
			p++;
		} else if (*p == '@') {
			/* skip the CPU set */
			p++;
			if (*p == '(')
				while (*p && *p != ')')
					p++;
			else
				while (*p && *p != ',')
					p++;
			if (*p == ')')
				p++;
		} else if (*p >= '0' && *p <= '9') {
			char *end;
			long v = strtol(p, &end, 10);

			if (*end == '-' && last < 0) {
				last = v;
			} else if (last >= 0) {
				n += (unsigned)(v - last + 1);
				last = -1;
			} else {
				n++;
			}
			p = *end == '-' ? end + 1 : end;
		} else {
			p++;
		}
	}
	(void)depth;
	return n;
}

int
dk_dp_eal_args(const struct dk_profile *prof, int n_extra, char **extra, char ***argv_out)
{
	int max = 16 + 2 * (int)prof->n_ports + (int)prof->n_eal_args + n_extra;
	char **argv = calloc((size_t)max + 1, sizeof(*argv));
	unsigned n_lcores = count_lcores(prof->lcores);
	unsigned nb_q = n_lcores > 1 ? n_lcores : 1;
	bool any_pci = false, no_huge;
	char num[32], dev[300];
	int argc = 0, rc = 0, i;
	unsigned p;

	if (argv == NULL)
		return -ENOMEM;
	rc |= push(argv, &argc, max, "%s", "dpkeep");
	/* Without an lcore map the control lcore does everything (no workers). */
	rc |= push(argv, &argc, max, "--lcores=%s", prof->lcores[0] ? prof->lcores : "0");
	snprintf(num, sizeof(num), "%u", prof->memory_mb);
	rc |= push(argv, &argc, max, "-m%s", num);
	no_huge = prof->hugepages == DK_HUGEPAGES_NO ||
		  (prof->hugepages == DK_HUGEPAGES_AUTO &&
		   !dk_dp_hugepages_available(prof->memory_mb));
	if (no_huge)
		rc |= push(argv, &argc, max, "%s", "--no-huge");
	rc |= push(argv, &argc, max, "--file-prefix=%s",
		   prof->file_prefix[0] ? prof->file_prefix : "dpkeep");
	for (p = 0; p < prof->n_ports; p++) {
		const struct dk_profile_port *pp = &prof->ports[p];

		if (pp->is_pci) {
			any_pci = true;
			rc |= push(argv, &argc, max, "-a%s", pp->device);
		} else {
			device_arg(pp, nb_q, dev, sizeof(dev));
			rc |= push(argv, &argc, max, "--vdev=%s", dev);
		}
	}
	if (!any_pci)
		rc |= push(argv, &argc, max, "%s", "--no-pci");
	for (p = 0; p < prof->n_eal_args; p++)
		rc |= push(argv, &argc, max, "%s", prof->eal_args[p]);
	for (i = 0; i < n_extra; i++)
		rc |= push(argv, &argc, max, "%s", extra[i]);
	if (rc) {
		dk_dp_eal_args_free(argc, argv);
		return -ENOMEM;
	}
	*argv_out = argv;
	return argc;
}

void
dk_dp_eal_args_free(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}
