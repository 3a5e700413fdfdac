/*
 * Prometheus text exposition (format 0.0.4) of the daemon's counters: ports, lcores,
 * host verdicts, VRRP instances and capture. Served by the "metrics" command and, when
 * asked for (--metrics ADDR:PORT), by a small HTTP listener polled from the control loop.
 */
#ifndef DK_APP_METRICS_H
#define DK_APP_METRICS_H

struct dk_app;
struct dk_buf;
struct dk_out;
struct dk_metrics_http;

/* Text: the exposition as free text. JSON: metrics[] with name, type, help, samples[]
 * (labels{}, value). */
int dk_metrics_render(struct dk_app *app, struct dk_out *out);
/* The exposition into b; 0 or -errno. */
int dk_metrics_text(struct dk_app *app, struct dk_buf *b);

/* Listens on "ADDR:PORT" ("[V6ADDR]:PORT" for IPv6); answers GET /metrics. */
int dk_metrics_http_create(struct dk_app *app, const char *addr_port,
			   struct dk_metrics_http **out);
/* Accepts, reads and answers without blocking; returns the connections served. */
unsigned dk_metrics_http_poll(struct dk_metrics_http *h);
void dk_metrics_http_destroy(struct dk_metrics_http *h);

#endif
