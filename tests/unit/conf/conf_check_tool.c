/* Stand-in for `dpkeep -t/-d` until the daemon is wired: conf_check_tool [-d] [-p PORTS]
 * [-i ID] FILE. Used by tests/integ/conf_samples.sh. */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "dk_conf.h"

int
main(int argc, char **argv)
{
	const char *ports = NULL, *id = NULL;
	bool dump = false;
	int o;

	while ((o = getopt(argc, argv, "dp:i:")) != -1) {
		if (o == 'd')
			dump = true;
		else if (o == 'p')
			ports = optarg;
		else if (o == 'i')
			id = optarg;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: %s [-d] [-p PORTS] [-i ID] FILE\n", argv[0]);
		return 2;
	}
	return dk_conf_check_main(argv[optind], ports, id, dump, stdout, stderr);
}
