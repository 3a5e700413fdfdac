/*
 * Where logs go and how much: stderr (keepalived's -l, the default), syslog with a
 * facility (-S FACILITY, as keepalived) through a syslog-backed rte_log stream, and
 * per-component levels changed at run time ("log level dk.vrrp debug").
 */
#ifndef DK_APP_LOGGING_H
#define DK_APP_LOGGING_H

#include <stdbool.h>

struct dk_out;

/* Sends rte_log output to syslog under facility ("daemon", "local0".."local7", ...),
 * and to stderr too when also_stderr. -EINVAL for an unknown facility. */
int dk_logging_syslog(const char *facility, bool also_stderr);
/* component: dk.COMP or COMP (one of lib/util's components), "all" (every dk.
 * component), or a DPDK log type name or pattern (lib.eal, pmd.net.*). */
int dk_logging_set_level(const char *component, const char *level, struct dk_out *out);
/* Every registered log type and its level. */
int dk_logging_show(struct dk_out *out);

#endif
