/*
 * DPDK telemetry endpoints (read with dpdk-telemetry.py -f FILE_PREFIX):
 *   /dpkeep/vrrp [,INSTANCE]   VRRP instances: state, priorities, master, transitions
 *   /dpkeep/lcores             per-lcore packet counters and load
 *   /dpkeep/vs, /dpkeep/hc     virtual servers and health checkers that run
 *
 * Telemetry callbacks run on DPDK's telemetry thread while the state they report is
 * owned by the control lcore, which never locks against anything. So a callback posts
 * its request and waits; the control loop notices the request (one relaxed load per
 * pass), fills the reply from its own state and wakes the callback. The control lcore
 * only ever try-locks, so a stuck client cannot stall it; a callback that is not
 * answered within a second gives up with -EBUSY.
 */
#ifndef DK_APP_TELEMETRY_H
#define DK_APP_TELEMETRY_H

struct dk_app;

/* Registers the endpoints (once per process) and starts answering for app. */
int dk_telemetry_init(struct dk_app *app);
/* Answers a pending request, if any; returns 1 when it did. Control lcore only. */
unsigned dk_telemetry_serve(void);
/* Stops answering (pending and later requests fail with -ESHUTDOWN). */
void dk_telemetry_fini(void);

#endif
