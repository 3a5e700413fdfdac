/*
 * capture start port P [queue Q] [rx|tx|both] [filter "BPF"] file PATH [count N]
 *
 * BPF runs here on the control lcore rather than in the taps: the workers only pay for a
 * copy while a capture is on, and a filter can never slow the fast path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <pcap/pcap.h>
#include <rte_cycles.h>
#include <rte_mbuf.h>

#include "capture.h"
#include "dk_app.h"
#include "dk_dp_capture.h"
#include "dk_out.h"

#define SNAPLEN 65535

enum cap_state { CAP_IDLE, CAP_RUNNING, CAP_STOPPED };
static const char *const state_names[] = { "idle", "running", "stopped" };
static const char *const dir_names[] = { "", "rx", "tx", "both" };

struct dk_capture {
	struct dk_app *app;
	enum cap_state state;
	pcap_t *dead;             /* for pcap_compile and pcap_dump_open without a device */
	pcap_dumper_t *dumper;
	struct bpf_program prog;
	bool has_prog;
	uint16_t port;
	int queue;
	unsigned dirs;
	char filter[512];
	char path[1024];
	uint64_t count;           /* 0: until stopped */
	uint64_t received;        /* copies taken off the ring */
	uint64_t written;
	uint64_t filtered_out;
	uint64_t base_tsc;        /* wall clock at base_tsc, for the pcap timestamps */
	struct timeval base_tv;
	uint8_t lin[SNAPLEN];     /* a multi-segment copy, made contiguous for BPF */
};

int
dk_capture_create(struct dk_app *app, struct dk_capture **out)
{
	struct dk_capture *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return -ENOMEM;
	c->app = app;
	c->dead = pcap_open_dead(DLT_EN10MB, SNAPLEN);
	if (c->dead == NULL) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

static void
close_files(struct dk_capture *c)
{
	if (c->dumper) {
		pcap_dump_close(c->dumper);
		c->dumper = NULL;
	}
	if (c->has_prog) {
		pcap_freecode(&c->prog);
		c->has_prog = false;
	}
}

static unsigned drain(struct dk_capture *c);

/* Taps off, what is already on the ring still written, file closed. */
static void
finish(struct dk_capture *c)
{
	if (c->state != CAP_RUNNING)
		return;
	dk_dp_capture_stop(c->app->dp);
	drain(c);
	c->state = CAP_STOPPED;
	close_files(c);
}

void
dk_capture_destroy(struct dk_capture *c)
{
	if (c == NULL)
		return;
	finish(c);
	pcap_close(c->dead);
	free(c);
}

static void
stamp(const struct dk_capture *c, uint64_t tsc, struct timeval *tv)
{
	uint64_t hz = rte_get_tsc_hz();
	uint64_t d = tsc > c->base_tsc ? tsc - c->base_tsc : 0;
	uint64_t us = (uint64_t)c->base_tv.tv_usec + d / hz * 1000000 + d % hz * 1000000 / hz;

	tv->tv_sec = c->base_tv.tv_sec + (time_t)(us / 1000000);
	tv->tv_usec = (suseconds_t)(us % 1000000);
}

static void
write_one(struct dk_capture *c, const struct rte_mbuf *m)
{
	struct pcap_pkthdr h = { .len = m->pkt_len };
	const uint8_t *data;

	h.caplen = m->pkt_len < SNAPLEN ? m->pkt_len : SNAPLEN;
	data = rte_pktmbuf_read(m, 0, h.caplen, c->lin);
	if (data == NULL)
		return;
	stamp(c, dk_dp_capture_tsc(m), &h.ts);
	if (c->has_prog && !pcap_offline_filter(&c->prog, &h, data)) {
		c->filtered_out++;
		return;
	}
	pcap_dump((u_char *)c->dumper, &h, data);
	c->written++;
}

/* Writes what is on the ring (beyond the wanted count: freed); returns copies taken. */
static unsigned
drain(struct dk_capture *c)
{
	struct rte_mbuf *pkts[DK_DP_BURST];
	unsigned total = 0, n;

	while ((n = dk_dp_capture_dequeue(pkts, DK_ARRAY_SIZE(pkts))) > 0) {
		for (unsigned i = 0; i < n; i++)
			if (c->count == 0 || c->written < c->count) {
				c->received++;
				write_one(c, pkts[i]);
			}
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	/* Flushed per pass so that the file can be read while the capture runs. */
	if (total)
		pcap_dump_flush(c->dumper);
	return total;
}

unsigned
dk_capture_poll(struct dk_capture *c)
{
	unsigned n;

	if (c->state != CAP_RUNNING)
		return 0;
	n = drain(c);
	if (c->count && c->written >= c->count)
		finish(c);
	return n;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end == s || *end || s[0] == '-' ? -EINVAL : 0;
}

static int
parse_port(struct dk_app *app, const char *s, uint16_t *port)
{
	int p = dk_dp_port_by_name(app->dp, s);
	uint64_t v;

	if (p < 0 && parse_u64(s, &v) == 0 && v < app->dp->n_ports)
		p = (int)v;
	if (p < 0)
		return -ENODEV;
	*port = (uint16_t)p;
	return 0;
}

/* Fills c's settings from the words; -EINVAL with the reason in out. */
static int
parse_args(struct dk_capture *c, int argc, const char *const *argv, struct dk_out *out)
{
	bool have_port = false;
	uint64_t v;

	c->queue = DK_DP_CAP_ANY_QUEUE;
	c->dirs = DK_DP_CAP_RX | DK_DP_CAP_TX;
	c->filter[0] = c->path[0] = '\0';
	c->count = 0;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(w, "rx") == 0 || strcmp(w, "tx") == 0 || strcmp(w, "both") == 0) {
			c->dirs = w[0] == 'r' ? DK_DP_CAP_RX : w[0] == 't' ? DK_DP_CAP_TX :
				  DK_DP_CAP_RX | DK_DP_CAP_TX;
			continue;
		}
		if (val == NULL) {
			dk_out_error(out, "capture: '%s' needs a value", w);
			return -EINVAL;
		}
		i++;
		if (strcmp(w, "port") == 0) {
			if (parse_port(c->app, val, &c->port) < 0) {
				dk_out_error(out, "capture: no port '%s'", val);
				return -EINVAL;
			}
			have_port = true;
		} else if (strcmp(w, "queue") == 0) {
			if (parse_u64(val, &v) < 0 || v > 1023) {
				dk_out_error(out, "capture: bad queue '%s'", val);
				return -EINVAL;
			}
			c->queue = (int)v;
		} else if (strcmp(w, "filter") == 0) {
			snprintf(c->filter, sizeof(c->filter), "%s", val);
		} else if (strcmp(w, "file") == 0) {
			snprintf(c->path, sizeof(c->path), "%s", val);
		} else if (strcmp(w, "count") == 0) {
			if (parse_u64(val, &c->count) < 0 || c->count == 0) {
				dk_out_error(out, "capture: count must be a positive number");
				return -EINVAL;
			}
		} else {
			dk_out_error(out, "capture: unknown word '%s' (port, queue, rx, tx, both, "
				     "filter, file, count)", w);
			return -EINVAL;
		}
	}
	if (!have_port || c->path[0] == '\0') {
		dk_out_error(out, "usage: capture start port P [queue Q] [rx|tx|both] "
			     "[filter \"BPF\"] file PATH [count N]");
		return -EINVAL;
	}
	return 0;
}

int
dk_capture_start(struct dk_capture *c, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_dp_capture_params p;
	int rc;

	if (c->state == CAP_RUNNING) {
		dk_out_error(out, "a capture is running (to %s); capture stop first", c->path);
		return -EBUSY;
	}
	rc = parse_args(c, argc, argv, out);
	if (rc < 0)
		return rc;
	if (c->queue != DK_DP_CAP_ANY_QUEUE && c->queue >= c->app->dp->ports[c->port].nb_q) {
		const struct dk_dp_port *dpp = &c->app->dp->ports[c->port];

		dk_out_error(out, "capture: port %s has %u queue(s)", dpp->name, dpp->nb_q);
		return -EINVAL;
	}
	if (c->filter[0]) {
		if (pcap_compile(c->dead, &c->prog, c->filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			dk_out_error(out, "capture: filter: %s", pcap_geterr(c->dead));
			return -EINVAL;
		}
		c->has_prog = true;
	}
	c->dumper = pcap_dump_open(c->dead, c->path);
	if (c->dumper == NULL) {
		dk_out_error(out, "capture: %s", pcap_geterr(c->dead));
		rc = -EIO;
		goto fail;
	}
	p.port = c->port;
	p.queue = c->queue;
	p.dirs = c->dirs;
	c->received = c->written = c->filtered_out = 0;
	gettimeofday(&c->base_tv, NULL);
	c->base_tsc = rte_rdtsc();
	rc = dk_dp_capture_start(c->app->dp, &p);
	if (rc < 0) {
		dk_out_error(out, "capture: %s", strerror(-rc));
		goto fail;
	}
	c->state = CAP_RUNNING;
	dk_out_text(out, "capturing %s on %s to %s\n", dir_names[c->dirs],
		    c->app->dp->ports[c->port].name, c->path);
	return 0;
fail:
	close_files(c);
	return rc;
}

int
dk_capture_stop(struct dk_capture *c, struct dk_out *out)
{
	if (c->state != CAP_RUNNING) {
		dk_out_error(out, "no capture is running");
		return -ENOENT;
	}
	finish(c);
	dk_out_text(out, "capture stopped: %" PRIu64 " packet(s) written to %s\n", c->written,
		    c->path);
	return 0;
}

void
dk_capture_show(struct dk_capture *c, struct dk_out *out)
{
	dk_capture_poll(c);
	dk_out_str(out, "state", state_names[c->state]);
	if (c->state != CAP_IDLE) {
		dk_out_str(out, "port", c->app->dp->ports[c->port].name);
		if (c->queue == DK_DP_CAP_ANY_QUEUE)
			dk_out_str(out, "queue", "all");
		else
			dk_out_u64(out, "queue", (uint64_t)c->queue);
		dk_out_str(out, "direction", dir_names[c->dirs]);
		dk_out_str(out, "filter", c->filter);
		dk_out_str(out, "file", c->path);
		dk_out_u64(out, "count", c->count);
		dk_out_u64(out, "received", c->received);
		dk_out_u64(out, "written", c->written);
		dk_out_u64(out, "filtered_out", c->filtered_out);
	}
	for (unsigned i = 0; i < DK_DP_CAPC_MAX; i++)
		dk_out_u64(out, dk_dp_cap_counter_names[i], dk_dp_capture_counter(i));
}
