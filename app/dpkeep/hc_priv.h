/* Health-check runtime shared by hc.c (state, scheduling), hc_io.c (packets) and cmd_hc.c. */
#ifndef DK_APP_HC_PRIV_H
#define DK_APP_HC_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dk_app.h"
#include "dk_conf.h"
#include "dk_hc.h"
#include "dk_hc_state.h"
#include "dk_tcpc.h"
#include "dk_timer.h"
#include "hc.h"
#include "proc.h"

#define HC_NPORTS (DK_APP_HC_PORT_LAST - DK_APP_HC_PORT_FIRST + 1)

#define HC_COUNTERS(X) \
	X(HC_C_TCP_IN, "tcp_in") \
	X(HC_C_UDP_IN, "udp_in") \
	X(HC_C_ICMP_IN, "icmp_in") \
	X(HC_C_NO_OWNER, "no_owner") \
	X(HC_C_BAD_CKSUM, "bad_cksum") \
	X(HC_C_TX, "tx") \
	X(HC_C_TX_FAIL, "tx_fail") \
	X(HC_C_NO_PORT, "no_local_port") \
	X(HC_C_NO_ROUTE, "no_route") \
	X(HC_C_UNREACH_UNMATCHED, "icmp_unreach_unmatched")

enum hc_counter {
	HC_COUNTERS(DK_XENUM)
	HC_C_MAX
};

struct dk_app_hc;
struct hc_conn;

/* Called after anything happened on a connection (segment in, timer); may detach it. */
typedef void (*hc_conn_event_fn)(struct hc_conn *conn, void *arg);

/* Where a probe leaves: the port the route picked and the source address on it. */
struct hc_path {
	uint16_t port;
	struct dk_addr src;
};

struct hc_conn {
	struct dk_app_hc *hc;
	struct dk_tcpc *tcp;
	struct hc_path path;
	struct dk_addr dst;
	uint16_t lport;
	uint16_t rport;
	struct dk_timer timer;
	uint64_t linger_until; /* a detached connection is aborted after this */
	hc_conn_event_fn event; /* NULL once detached */
	void *arg;
	bool in_event;          /* detaching from the event callback must not free */
};

struct hc_vs;

struct hc_rs {
	struct hc_vs *vs;
	const struct dk_conf_rs *c;
	unsigned idx;
	uint16_t port; /* the virtual server's when the real server names none */
	struct dk_hc_rs *st;
	bool alive;
	uint32_t weight;
	uint64_t last_change_us;
	unsigned n_chk;
};

struct hc_vs {
	struct dk_app_hc *hc;
	const struct dk_conf_vs *c;
	unsigned idx;
	struct dk_hc_vs *st;
	struct hc_rs *rs;
	unsigned n_rs;
	bool quorum_up;
};

struct hc_chk {
	struct dk_app_hc *hc;
	struct hc_rs *rs;
	const struct dk_conf_checker *c;
	unsigned idx;
	enum dk_hc_kind kind;
	enum dk_hc_transport transport;
	struct dk_hc_checker *st;
	struct dk_hc_probe *probe[DK_CONF_MAX_URLS]; /* one per url for HTTP/SSL */
	unsigned n_probe;
	struct dk_addr dst;
	uint16_t dport;
	char file_path[DK_CONF_PATHSIZ]; /* FILE_CHECK */
	struct dk_timer timer;
	struct dk_hc_buf out;
	/* the attempt in flight */
	bool busy;
	bool started;          /* stream: the probe has its connection */
	unsigned cur;          /* url being fetched */
	uint64_t deadline_us;
	struct hc_conn *conn;  /* stream */
	struct hc_path path;   /* datagram, ICMP */
	uint16_t lport;        /* datagram */
	uint16_t icmp_id;
	bool proc_running;
	/* what `show hc` reports */
	enum dk_hc_result last;
	uint64_t last_change_us;
	uint64_t n_run, n_ok, n_fail, n_up, n_down;
};

/* Owner of a local port: a TCP connection or a datagram checker. */
struct hc_slot {
	struct hc_conn *conn;
	struct hc_chk *dgram;
};

struct dk_app_hc {
	struct dk_app *app;
	struct hc_vs *vs;
	unsigned n_vs;
	struct hc_chk *chk;
	unsigned n_chk;
	struct dk_tcpc_ports *ports;
	struct hc_slot slot[HC_NPORTS];
	uint16_t icmp_base;
	const char *script_user;
	struct dk_proc_queue notify;
	uint64_t cnt[HC_C_MAX];
};

extern const char *const hc_counter_names[HC_C_MAX];

/* hc.c */
#define HC_TOKEN_LEN 40
/* The result as a lower_snake_case token ("connect_refused"), for scripts and metrics. */
const char *hc_result_token(enum dk_hc_result r, char *buf, size_t len);
/* Where a checker probes: ip:port, or the ip alone for ICMP echo. */
const char *hc_chk_target(const struct hc_chk *k, char *buf, size_t len);
/* The attempt in flight ended with r (not PENDING): next url, or verdict and actions. */
void hc_chk_done(struct hc_chk *k, enum dk_hc_result r);
const char *hc_vs_fmt(const struct hc_vs *v, char *buf, size_t len);
const char *hc_target_fmt(const struct dk_addr *a, uint16_t port, char *buf, size_t len);

/* hc_io.c */
int hc_io_init(struct dk_app_hc *hc);
void hc_io_fini(struct dk_app_hc *hc);
/* Opens the attempt's transport and starts the probe: PENDING or a final result. */
enum dk_hc_result hc_attempt_start(struct hc_chk *k);
/* The deadline passed: the attempt's verdict. */
enum dk_hc_result hc_attempt_timeout(struct hc_chk *k);
/* Releases what the attempt holds (connection, local port, child process). */
void hc_attempt_stop(struct hc_chk *k);
int hc_conn_open(struct dk_app_hc *hc, const struct dk_addr *dst, uint16_t rport,
		 const struct dk_addr *bindto, hc_conn_event_fn event, void *arg,
		 struct hc_conn **out);
/* The user is done with it: closed gracefully when possible, freed when finished. */
void hc_conn_detach(struct hc_conn *conn);

#endif
