/*
 * Logging hook for the pure libraries. The daemon points the hook at rte_log with one
 * DPDK log type per component (dk.vrrp, dk.hc, ...); tests and tools leave the default,
 * which prints to stderr.
 */
#ifndef DK_LOG_H
#define DK_LOG_H

#include <stdarg.h>

/* Same numbering as RTE_LOG_* so the daemon can pass levels straight through. */
enum dk_log_level {
	DK_LOG_EMERG = 1,
	DK_LOG_ALERT = 2,
	DK_LOG_CRIT = 3,
	DK_LOG_ERR = 4,
	DK_LOG_WARNING = 5,
	DK_LOG_NOTICE = 6,
	DK_LOG_INFO = 7,
	DK_LOG_DEBUG = 8,
};

#define DK_LOG_COMPONENTS(X) \
	X(DK_LOGC_MAIN, "main") \
	X(DK_LOGC_CONF, "conf") \
	X(DK_LOGC_NET, "net") \
	X(DK_LOGC_VRRP, "vrrp") \
	X(DK_LOGC_LB, "lb") \
	X(DK_LOGC_HC, "hc") \
	X(DK_LOGC_CONSOLE, "console") \
	X(DK_LOGC_DP, "dp")

enum dk_log_comp {
#define X(n, s) n,
	DK_LOG_COMPONENTS(X)
#undef X
	DK_LOGC_MAX
};

typedef void (*dk_log_hook_t)(enum dk_log_comp comp, enum dk_log_level level,
			      const char *fmt, va_list ap);

void dk_log_set_hook(dk_log_hook_t hook);
/* Messages above this level are dropped before formatting (default: INFO). */
void dk_log_set_level(enum dk_log_comp comp, enum dk_log_level level);
enum dk_log_level dk_log_get_level(enum dk_log_comp comp);
const char *dk_log_comp_name(enum dk_log_comp comp);
/* Returns the component for a name ("vrrp"), or -1. */
int dk_log_comp_from_name(const char *name);
int dk_log_level_from_name(const char *name);
const char *dk_log_level_name(enum dk_log_level level);

void dk_log(enum dk_log_comp comp, enum dk_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define DK_LOG(comp, lvl, ...) dk_log(DK_LOGC_##comp, DK_LOG_##lvl, __VA_ARGS__)

#endif
