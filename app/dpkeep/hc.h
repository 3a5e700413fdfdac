/*
 * Health checks on the control lcore: every checker of keepalived.conf's real servers
 * runs over dpkeep's own ports (the lib/hc TCP client, UDP, ICMP echo) or as a child
 * process, never through a kernel socket. Probe replies reach the control lcore like
 * any packet the fast path does not take; hc claims them by their local port.
 *
 * Local ports DK_APP_HC_PORT_FIRST..DK_APP_HC_PORT_LAST of every port address belong to
 * the checkers (TCP and UDP): nothing else in dpkeep may use them as a source port.
 */
#ifndef DK_APP_HC_H
#define DK_APP_HC_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dk_pkt.h"

#define DK_APP_HC_PORT_FIRST 61000
#define DK_APP_HC_PORT_LAST 65000

struct dk_app;

/* After the control plane is set up (routes, neighbours, timers); needs app->conf. */
int dk_app_hc_init(struct dk_app *app);
/* Arms every checker, spread over its delay_loop; after the data plane started. */
void dk_app_hc_start(struct dk_app *app);
/*
 * A received frame (parsed as info): true when it is a probe reply hc consumed (the
 * caller frees m), false when it is not hc's.
 */
bool dk_app_hc_input(struct dk_app *app, uint16_t port, const struct rte_mbuf *m,
		     const struct dk_pkt_info *info);
/* Before the data plane stops: notify_down/quorum_down for omega, probes cancelled. */
void dk_app_hc_shutdown(struct dk_app *app);
void dk_app_hc_fini(struct dk_app *app);

/* cmd_hc.c: show hc, show rs, genhash */
int dk_cmd_hc_register(struct dk_app *app);

#endif
