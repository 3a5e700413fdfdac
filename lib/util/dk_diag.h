/*
 * Diagnostics for parsers: every message names file and line ("FILE:LINE: message"),
 * errors and warnings are counted, and the caller decides where they go.
 */
#ifndef DK_DIAG_H
#define DK_DIAG_H

enum dk_diag_sev {
	DK_DIAG_ERROR,
	DK_DIAG_WARNING,
	DK_DIAG_NOTE,
};

struct dk_diag {
	unsigned errors;
	unsigned warnings;
	/* NULL: print to stderr as "FILE:LINE: msg" / "FILE:LINE: warning: msg". */
	void (*emit)(void *ctx, enum dk_diag_sev sev, const char *file, int line,
		     const char *msg);
	void *ctx;
	int quiet; /* count but do not emit (fuzzing, diffing) */
};

void dk_diag_report(struct dk_diag *d, enum dk_diag_sev sev, const char *file, int line,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define dk_diag_error(d, file, line, ...) dk_diag_report(d, DK_DIAG_ERROR, file, line, __VA_ARGS__)
#define dk_diag_warn(d, file, line, ...) dk_diag_report(d, DK_DIAG_WARNING, file, line, __VA_ARGS__)

#endif
