/* `dpkeep -t` and `dpkeep -d`: the configuration test and the effective-config dump. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_conf.h"
#include "dk_profile.h"

static void
emit(void *ctx, enum dk_diag_sev sev, const char *file, int line, const char *msg)
{
	fprintf(ctx, "%s:%d: %s%s\n", file ? file : "-", line,
		sev == DK_DIAG_WARNING ? "warning: " : sev == DK_DIAG_NOTE ? "note: " : "", msg);
}

int
dk_conf_check_main(const char *conf_path, const char *ports_path, const char *instance_id,
		   bool dump, FILE *out, FILE *err)
{
	struct dk_diag diag = { .emit = emit, .ctx = err };
	struct dk_conf_load_params p = { .path = conf_path, .instance_id = instance_id };
	struct dk_profile *prof = NULL;
	struct dk_conf *conf = NULL;
	unsigned problems = 0;
	int rc, code = 1;

	if (ports_path) {
		prof = calloc(1, sizeof(*prof));
		if (!prof) {
			fprintf(err, "out of memory\n");
			goto out;
		}
		if (dk_profile_parse_file(ports_path, prof, &diag) < 0)
			goto out;
		p.ports = prof;
	}
	rc = dk_conf_load_ex(&p, &conf, &diag, &problems);
	if (rc < 0 && !conf) {
		if (rc == -ENOMEM)
			fprintf(err, "%s: out of memory\n", conf_path);
		goto out;
	}
	if (dump)
		dk_conf_dump(conf, out);
	/* keepalived -t fails on any configuration error it reports, warnings included;
	 * dpkeep does the same, except for what it knowingly ignores. */
	code = diag.errors || problems ? 1 : 0;
	if (!dump || code)
		fprintf(err, "%s: %u error(s), %u warning(s): configuration %s\n", conf_path,
			diag.errors, diag.warnings, code ? "NOT OK" : "OK");
out:
	dk_conf_free(conf);
	free(prof);
	return code;
}
