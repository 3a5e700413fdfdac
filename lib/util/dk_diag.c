#include <stdarg.h>
#include <stdio.h>

#include "dk_diag.h"

void
dk_diag_report(struct dk_diag *d, enum dk_diag_sev sev, const char *file, int line,
	       const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (sev == DK_DIAG_ERROR)
		d->errors++;
	else if (sev == DK_DIAG_WARNING)
		d->warnings++;
	if (d->quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->emit) {
		d->emit(d->ctx, sev, file, line, msg);
		return;
	}
	fprintf(stderr, "%s:%d: %s%s\n", file ? file : "-", line,
		sev == DK_DIAG_WARNING ? "warning: " : sev == DK_DIAG_NOTE ? "note: " : "", msg);
}
