/* Collects diagnostics so that tests can compare exact messages. */
#ifndef DIAG_CAPTURE_H
#define DIAG_CAPTURE_H

#include <stdio.h>
#include <string.h>

#include "dk_diag.h"

struct diag_capture {
	struct dk_diag diag;
	char first_error[700];
	char first_warning[700];
	char all[8192];
};

static inline void
diag_capture_emit(void *ctx, enum dk_diag_sev sev, const char *file, int line, const char *msg)
{
	struct diag_capture *c = ctx;
	size_t used = strlen(c->all);
	char buf[600];

	snprintf(buf, sizeof(buf), "%s:%d: %s%s", file ? file : "-", line,
		 sev == DK_DIAG_WARNING ? "warning: " : "", msg);
	if (sev == DK_DIAG_ERROR && !c->first_error[0])
		snprintf(c->first_error, sizeof(c->first_error), "%s", buf);
	if (sev == DK_DIAG_WARNING && !c->first_warning[0])
		snprintf(c->first_warning, sizeof(c->first_warning), "%s", buf);
	snprintf(c->all + used, sizeof(c->all) - used, "%s\n", buf);
}

static inline void
diag_capture_init(struct diag_capture *c)
{
	memset(c, 0, sizeof(*c));
	c->diag.emit = diag_capture_emit;
	c->diag.ctx = c;
}

#endif
