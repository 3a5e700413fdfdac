/*
 * Health checks on the wire: probe frames out through the control lcore's routed
 * output, replies in from the workers' rings, the TCP client's connections, UDP and
 * ICMP exchanges, scripts and files. Everything here runs on the control lcore.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_mbuf.h>
#include <rte_random.h>

#include "dk_hc_probes.h"
#include "dk_log.h"
#include "dk_pktbuild.h"
#include "hc_priv.h"

/* A detached connection gets this long to close politely before it is reset. */
#define LINGER_US (3 * DK_USEC_PER_SEC)
/* Probes are short exchanges on a LAN; a lost SYN should be resent within a timeout. */
#define TCP_RTO_US (250 * DK_USEC_PER_MSEC)
#define TCP_RTO_MAX_US (2 * DK_USEC_PER_SEC)
#define PORT_QUARANTINE_US (30 * DK_USEC_PER_SEC)
#define FILE_READ_MAX 4096
/* ICMPv4 destination unreachable, code 4 (RFC 792) */
#define ICMP_FRAG_NEEDED 4

typedef int (*build_fn)(uint8_t *buf, size_t room, const struct dk_l2 *l2,
			const struct dk_ip_params *ip, const void *arg);

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool
in_range(uint16_t port)
{
	return port >= DK_APP_HC_PORT_FIRST && port <= DK_APP_HC_PORT_LAST;
}

static struct hc_slot *
slot_of(struct dk_app_hc *hc, uint16_t port)
{
	return &hc->slot[port - DK_APP_HC_PORT_FIRST];
}

/* The route's port and a source address on it: bindto, else the port's address on the
 * next hop's subnet, else its first of the family. */
static int
path_find(struct dk_app_hc *hc, const struct dk_addr *dst, const struct dk_addr *bindto,
	  struct hc_path *p)
{
	struct dk_app *app = hc->app;
	struct dk_route_hop hop;
	const struct dk_host_port *hp;
	const struct dk_addr *first = NULL;

	if (dk_route_lookup(app->routes, dst, &hop) < 0) {
		hc->cnt[HC_C_NO_ROUTE]++;
		return -ENETUNREACH;
	}
	p->port = hop.port;
	if (bindto && !dk_addr_is_unset(bindto)) {
		p->src = *bindto;
		return 0;
	}
	hp = &app->hport[hop.port];
	for (unsigned i = 0; i < hp->n_addrs; i++) {
		if (hp->addrs[i].addr.af != dst->af)
			continue;
		if (dk_prefix_contains(&hp->addrs[i], &hop.next_hop)) {
			p->src = hp->addrs[i].addr;
			return 0;
		}
		if (first == NULL)
			first = &hp->addrs[i].addr;
	}
	if (first == NULL) {
		hc->cnt[HC_C_NO_ROUTE]++;
		return -EADDRNOTAVAIL;
	}
	p->src = *first;
	return 0;
}

static void
send_ip(struct dk_app_hc *hc, const struct hc_path *p, const struct dk_addr *dst, build_fn fn,
	const void *arg)
{
	struct dk_app *app = hc->app;
	struct rte_mbuf *m = rte_pktmbuf_alloc(dk_dp_ctl_ctx(app->dp)->pool);
	struct dk_l2 l2 = { .src = app->hport[p->port].mac };
	struct dk_ip_params ip = { .src = p->src, .dst = *dst, .df = true };
	int len;

	if (m == NULL) {
		hc->cnt[HC_C_TX_FAIL]++;
		return;
	}
	len = fn(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m), &l2, &ip, arg);
	if (len < 0) {
		hc->cnt[HC_C_TX_FAIL]++;
		rte_pktmbuf_free(m);
		return;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = (uint32_t)len;
	m->port = app->dp->ports[p->port].port_id;
	hc->cnt[HC_C_TX]++;
	dk_control_output_ip(app, m, dst);
}

/* TCP connections ----------------------------------------------------------------------- */

struct tcp_out {
	const struct hc_conn *conn;
	const struct dk_tcp_seg *seg;
};

static int
build_tcp(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_ip_params *ip,
	  const void *arg)
{
	const struct tcp_out *t = arg;
	struct dk_tcp_params tp = {
		.sport = t->conn->lport, .dport = t->conn->rport, .seq = t->seg->seq,
		.ack = t->seg->ack, .flags = t->seg->flags, .window = t->seg->window,
		.mss = t->seg->mss, .payload = t->seg->payload, .payload_len = t->seg->len,
	};

	return dk_build_tcp(buf, room, l2, ip, &tp);
}

static void
conn_tx(void *arg, const struct dk_tcp_seg *seg)
{
	struct hc_conn *c = arg;
	struct tcp_out t = { .conn = c, .seg = seg };

	send_ip(c->hc, &c->path, &c->dst, build_tcp, &t);
}

static void
conn_free(struct hc_conn *c)
{
	struct dk_app_hc *hc = c->hc;

	dk_timer_cancel(hc->app->wheel, &c->timer);
	slot_of(hc, c->lport)->conn = NULL;
	dk_tcpc_port_release(hc->ports, c->lport, hc->app->now_us);
	dk_tcpc_free(c->tcp);
	free(c);
}

/* After input or a timer: the user looks first, then a detached connection is drained,
 * reset when it lingered too long, and freed once the client is done with it. */
static void
conn_after(struct hc_conn *c)
{
	uint64_t now = c->hc->app->now_us, next;
	uint8_t sink[2048];

	if (c->event) {
		c->in_event = true;
		c->event(c, c->arg);
		c->in_event = false;
	}
	if (c->event == NULL) {
		/* nobody reads any more, but a full window would stall the peer's close */
		while (dk_tcpc_recv(c->tcp, sink, sizeof(sink)) > 0)
			;
		if (!dk_tcpc_finished(c->tcp) && now >= c->linger_until)
			dk_tcpc_abort(c->tcp);
		if (dk_tcpc_finished(c->tcp)) {
			conn_free(c);
			return;
		}
	}
	next = dk_tcpc_next_timeout(c->tcp);
	if (c->event == NULL && c->linger_until < next)
		next = c->linger_until;
	if (next == UINT64_MAX)
		dk_timer_cancel(c->hc->app->wheel, &c->timer);
	else
		dk_timer_arm(c->hc->app->wheel, &c->timer, next);
}

static void
conn_timer(struct dk_timer *t, void *arg, uint64_t now_us)
{
	struct hc_conn *c = arg;

	(void)t;
	if (dk_tcpc_next_timeout(c->tcp) <= now_us)
		dk_tcpc_on_timer(c->tcp, now_us);
	conn_after(c);
}

int
hc_conn_open(struct dk_app_hc *hc, const struct dk_addr *dst, uint16_t rport,
	     const struct dk_addr *bindto, hc_conn_event_fn event, void *arg,
	     struct hc_conn **out)
{
	uint64_t now = hc->app->now_us;
	struct dk_tcpc_params tp = { .iss = (uint32_t)rte_rand(), .rto_us = TCP_RTO_US,
				     .rto_max_us = TCP_RTO_MAX_US, .tx = conn_tx };
	struct hc_conn *c = calloc(1, sizeof(*c));
	int rc, port;

	if (c == NULL)
		return -ENOMEM;
	c->hc = hc;
	c->dst = *dst;
	c->rport = rport;
	c->event = event;
	c->arg = arg;
	rc = path_find(hc, dst, bindto, &c->path);
	if (rc < 0)
		goto fail_path;
	port = dk_tcpc_port_alloc(hc->ports, now);
	if (port < 0) {
		hc->cnt[HC_C_NO_PORT]++;
		rc = port;
		goto fail_path;
	}
	c->lport = (uint16_t)port;
	tp.tx_arg = c;
	rc = dk_tcpc_create(&tp, &c->tcp);
	if (rc < 0)
		goto fail_tcp;
	slot_of(hc, c->lport)->conn = c;
	dk_timer_init(&c->timer, conn_timer, c);
	*out = c;
	dk_tcpc_connect(c->tcp, now);
	dk_timer_arm(hc->app->wheel, &c->timer, dk_tcpc_next_timeout(c->tcp));
	return 0;
fail_tcp:
	dk_tcpc_port_release(hc->ports, (uint16_t)port, now);
fail_path:
	free(c);
	return rc;
}

void
hc_conn_detach(struct hc_conn *c)
{
	uint64_t now = c->hc->app->now_us;

	c->event = NULL;
	c->linger_until = now + LINGER_US;
	switch (dk_tcpc_state(c->tcp)) {
	case DK_TCPC_ESTABLISHED:
	case DK_TCPC_CLOSE_WAIT:
		dk_tcpc_shutdown(c->tcp, now);
		break;
	case DK_TCPC_SYN_SENT:
		dk_tcpc_abort(c->tcp);
		break;
	default:
		break;
	}
	if (!c->in_event)
		conn_after(c);
}

/* The MSS option of a SYN-ACK; 0 when absent. */
static uint16_t
tcp_mss(const uint8_t *pkt, const struct dk_pkt_info *info)
{
	const uint8_t *o = pkt + info->l4_off + sizeof(struct dk_tcp_hdr);
	const uint8_t *end = pkt + info->payload_off;

	while (o < end && *o != DK_TCP_OPT_EOL) {
		if (*o == DK_TCP_OPT_NOP) {
			o++;
			continue;
		}
		if (end - o < 2 || o[1] < 2 || o[1] > end - o)
			break;
		if (o[0] == DK_TCP_OPT_MSS && o[1] == 4)
			return be16(o + 2);
		o += o[1];
	}
	return 0;
}

static void
tcp_input(struct dk_app_hc *hc, const uint8_t *pkt, const struct dk_pkt_info *info)
{
	struct hc_conn *c = slot_of(hc, info->dport)->conn;
	struct dk_tcp_seg seg = {
		.seq = info->tcp_seq, .ack = info->tcp_ack,
		.flags = info->tcp_flags & (DK_TCP_F_FIN | DK_TCP_F_SYN | DK_TCP_F_RST |
					    DK_TCP_F_PSH | DK_TCP_F_ACK),
		.window = info->tcp_window, .payload = pkt + info->payload_off,
		.len = info->payload_len,
	};

	if (c == NULL || info->sport != c->rport || !dk_addr_eq(&info->src, &c->dst)) {
		hc->cnt[HC_C_NO_OWNER]++;
		return;
	}
	hc->cnt[HC_C_TCP_IN]++;
	if (seg.flags & DK_TCP_F_SYN)
		seg.mss = tcp_mss(pkt, info);
	dk_tcpc_input(c->tcp, &seg, hc->app->now_us);
	conn_after(c);
}

/* Stream probes ------------------------------------------------------------------------- */

static void
flush(struct hc_chk *k)
{
	int n;

	if (k->out.len == 0 || k->conn == NULL)
		return;
	n = dk_tcpc_send(k->conn->tcp, k->out.data, k->out.len, k->hc->app->now_us);
	if (n > 0)
		dk_hc_buf_consume(&k->out, (size_t)n);
}

static enum dk_hc_result
stream_step(struct hc_chk *k)
{
	struct dk_tcpc *tcp = k->conn->tcp;
	struct dk_hc_probe *p = k->probe[k->cur];
	enum dk_hc_result r;
	uint8_t buf[4096];
	size_t n;

	if (!k->started) {
		if (!dk_tcpc_connected(tcp))
			return dk_tcpc_error(tcp) != DK_HC_OK ? dk_tcpc_error(tcp) : DK_HC_PENDING;
		k->started = true;
		r = dk_hc_probe_start(p, &k->out);
		flush(k);
		if (r != DK_HC_PENDING)
			return r;
	}
	flush(k);
	while ((n = dk_tcpc_recv(tcp, buf, sizeof(buf))) > 0) {
		r = dk_hc_probe_input(p, buf, n, &k->out);
		flush(k);
		if (r != DK_HC_PENDING)
			return r;
	}
	if (dk_tcpc_peer_closed(tcp))
		return dk_hc_probe_eof(p);
	return dk_tcpc_error(tcp) != DK_HC_OK ? dk_tcpc_error(tcp) : DK_HC_PENDING;
}

static void
chk_conn_event(struct hc_conn *conn, void *arg)
{
	struct hc_chk *k = arg;
	enum dk_hc_result r;

	if (k->conn != conn)
		return;
	r = stream_step(k);
	if (r != DK_HC_PENDING)
		hc_chk_done(k, r);
}

static enum dk_hc_result
stream_start(struct hc_chk *k)
{
	int rc = hc_conn_open(k->hc, &k->dst, k->dport, &k->c->bindto, chk_conn_event, k,
			      &k->conn);

	if (rc == -ENETUNREACH || rc == -EADDRNOTAVAIL)
		return DK_HC_NO_ROUTE;
	return rc < 0 ? DK_HC_NO_RESOURCES : DK_HC_PENDING;
}

/* Datagrams and echoes ------------------------------------------------------------------ */

struct udp_out {
	uint16_t sport, dport;
	const struct dk_hc_buf *b;
};

static int
build_udp(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_ip_params *ip,
	  const void *arg)
{
	const struct udp_out *u = arg;

	return dk_build_udp(buf, room, l2, ip, u->sport, u->dport, u->b->data, u->b->len);
}

static enum dk_hc_result
dgram_start(struct hc_chk *k)
{
	struct dk_app_hc *hc = k->hc;
	struct udp_out u;
	enum dk_hc_result r;
	int port;

	if (path_find(hc, &k->dst, &k->c->bindto, &k->path) < 0)
		return DK_HC_NO_ROUTE;
	port = dk_tcpc_port_alloc(hc->ports, hc->app->now_us);
	if (port < 0) {
		hc->cnt[HC_C_NO_PORT]++;
		return DK_HC_NO_RESOURCES;
	}
	k->lport = (uint16_t)port;
	slot_of(hc, k->lport)->dgram = k;
	r = dk_hc_probe_start(k->probe[0], &k->out);
	if (r != DK_HC_PENDING)
		return r;
	u = (struct udp_out){ .sport = k->lport, .dport = k->dport, .b = &k->out };
	send_ip(hc, &k->path, &k->dst, build_udp, &u);
	dk_hc_buf_reset(&k->out);
	return DK_HC_PENDING;
}

static int
build_echo(uint8_t *buf, size_t room, const struct dk_l2 *l2, const struct dk_ip_params *ip,
	   const void *arg)
{
	const struct dk_hc_buf *b = arg;

	return dk_build_icmp_echo(buf, room, l2, ip, be16(b->data), be16(b->data + 2),
				  b->data + 4, b->len - 4);
}

static enum dk_hc_result
icmp_start(struct hc_chk *k)
{
	enum dk_hc_result r;

	if (path_find(k->hc, &k->dst, &k->c->bindto, &k->path) < 0)
		return DK_HC_NO_ROUTE;
	r = dk_hc_probe_start(k->probe[0], &k->out);
	if (r != DK_HC_PENDING)
		return r;
	if (k->out.len < 4)
		return DK_HC_NO_RESOURCES;
	send_ip(k->hc, &k->path, &k->dst, build_echo, &k->out);
	dk_hc_buf_reset(&k->out);
	return DK_HC_PENDING;
}

static void
udp_input(struct dk_app_hc *hc, const uint8_t *pkt, const struct dk_pkt_info *info)
{
	struct hc_chk *k = slot_of(hc, info->dport)->dgram;
	enum dk_hc_result r;

	if (k == NULL || !k->busy || info->sport != k->dport ||
	    !dk_addr_eq(&info->src, &k->dst)) {
		hc->cnt[HC_C_NO_OWNER]++;
		return;
	}
	hc->cnt[HC_C_UDP_IN]++;
	r = dk_hc_probe_input(k->probe[0], pkt + info->payload_off, info->payload_len, &k->out);
	if (r != DK_HC_PENDING)
		hc_chk_done(k, r);
}

static void
echo_input(struct dk_app_hc *hc, const uint8_t *pkt, const struct dk_pkt_info *info)
{
	const uint8_t *body = pkt + info->l4_off + 4;
	uint16_t idx = (uint16_t)(be16(body) - hc->icmp_base);
	struct hc_chk *k = idx < hc->n_chk ? &hc->chk[idx] : NULL;
	enum dk_hc_result r;

	if (k == NULL || k->transport != DK_HC_TRANSPORT_ICMP || !k->busy ||
	    !dk_addr_eq(&info->src, &k->dst)) {
		hc->cnt[HC_C_NO_OWNER]++;
		return;
	}
	hc->cnt[HC_C_ICMP_IN]++;
	r = dk_hc_probe_input(k->probe[0], body, info->l3_end - info->l4_off - 4, &k->out);
	if (r != DK_HC_PENDING)
		hc_chk_done(k, r);
}

/* A TCP connection of ours that an ICMP error quotes: it ends at once, as unreachable. */
static bool
unreach_tcp(struct dk_app_hc *hc, const uint8_t *l4, const struct dk_addr *dst)
{
	struct hc_conn *c = slot_of(hc, be16(l4))->conn;
	uint32_t seq = (uint32_t)be16(l4 + 4) << 16 | be16(l4 + 6);

	if (c == NULL || be16(l4 + 2) != c->rport || !dk_addr_eq(dst, &c->dst) ||
	    !dk_tcpc_icmp_unreach(c->tcp, seq))
		return false;
	conn_after(c);
	return true;
}

static bool
unreach_udp(struct dk_app_hc *hc, const uint8_t *l4, const struct dk_addr *dst)
{
	struct hc_chk *k = slot_of(hc, be16(l4))->dgram;

	if (k == NULL || !k->busy || be16(l4 + 2) != k->dport || !dk_addr_eq(dst, &k->dst))
		return false;
	hc_chk_done(k, DK_HC_ICMP_UNREACH);
	return true;
}

/*
 * An ICMP error quoting one of our probes: the port, host or network is unreachable.
 * Fragmentation needed is path MTU news, not unreachability: a probe's few small
 * segments do not depend on it, so it is left alone.
 */
static void
unreach_input(struct dk_app_hc *hc, const uint8_t *pkt, const struct dk_pkt_info *info)
{
	const uint8_t *in = pkt + info->payload_off;
	size_t len = info->l3_end - info->payload_off, ihl, need;
	struct dk_addr dst = { 0 };
	uint8_t proto;
	uint32_t v4;
	bool ours;

	if (info->family == AF_INET) {
		if (info->icmp_code == ICMP_FRAG_NEEDED)
			return;
		/* A quote that names no probe of ours is forged, stray or mangled: counted. */
		if (len < 20 || (in[0] >> 4) != 4)
			goto unmatched;
		ihl = (size_t)(in[0] & 0xf) * 4;
		proto = in[9];
		memcpy(&v4, in + 16, sizeof(v4));
		dk_addr_set_v4(&dst, v4);
	} else {
		if (len < 40 || (in[0] >> 4) != 6)
			goto unmatched;
		ihl = 40;
		proto = in[6];
		dk_addr_set_v6(&dst, in + 24);
	}
	/* RFC 792 quotes 8 bytes of the transport header: TCP's sequence number fits */
	need = proto == DK_IPPROTO_TCP ? 8 : 4;
	if ((proto != DK_IPPROTO_UDP && proto != DK_IPPROTO_TCP) || len < ihl + need ||
	    !in_range(be16(in + ihl)))
		goto unmatched;
	if (proto == DK_IPPROTO_TCP)
		ours = unreach_tcp(hc, in + ihl, &dst);
	else
		ours = unreach_udp(hc, in + ihl, &dst);
	if (ours) {
		hc->cnt[HC_C_ICMP_IN]++;
		return;
	}
unmatched:
	hc->cnt[HC_C_UNREACH_UNMATCHED]++;
}

bool
dk_app_hc_input(struct dk_app *app, uint16_t port, const struct rte_mbuf *m,
		const struct dk_pkt_info *info)
{
	struct dk_app_hc *hc = app->hc;
	const uint8_t *pkt = rte_pktmbuf_mtod(m, const uint8_t *);
	bool echo_reply, unreach;

	(void)port;
	if (hc == NULL || info->is_frag || (info->family != AF_INET && info->family != AF_INET6))
		return false;
	switch (info->proto) {
	case DK_IPPROTO_TCP:
	case DK_IPPROTO_UDP:
		if (!in_range(info->dport))
			return false;
		break;
	case DK_IPPROTO_ICMP:
	case DK_IPPROTO_ICMPV6:
		echo_reply = info->icmp_type == (info->proto == DK_IPPROTO_ICMP ?
						 DK_ICMP_ECHO_REPLY : DK_ICMP6_ECHO_REPLY);
		unreach = info->icmp_type == (info->proto == DK_IPPROTO_ICMP ?
					      DK_ICMP_DEST_UNREACH : DK_ICMP6_DEST_UNREACH);
		if (!echo_reply && !unreach)
			return false;
		break;
	default:
		return false;
	}
	if (!dk_pkt_l4_cksum_ok(pkt, info)) {
		hc->cnt[HC_C_BAD_CKSUM]++;
		return true;
	}
	if (info->proto == DK_IPPROTO_TCP)
		tcp_input(hc, pkt, info);
	else if (info->proto == DK_IPPROTO_UDP)
		udp_input(hc, pkt, info);
	else if (info->icmp_type == DK_ICMP_ECHO_REPLY || info->icmp_type == DK_ICMP6_ECHO_REPLY)
		echo_input(hc, pkt, info);
	else
		unreach_input(hc, pkt, info);
	return true;
}

/* Scripts and files --------------------------------------------------------------------- */

static void
proc_done(void *arg, int status)
{
	struct hc_chk *k = arg;
	enum dk_hc_result r;
	int wstatus;

	k->proc_running = false;
	if (status == DK_PROC_TIMED_OUT) {
		r = dk_hc_probe_eof(k->probe[0]);
	} else {
		/* back to a waitpid status for the probe: exit code or terminating signal */
		wstatus = status >= 0 ? (status & 0xff) << 8 : (-status) & 0x7f;
		r = dk_hc_probe_exited(k->probe[0], wstatus);
	}
	hc_chk_done(k, r);
}

static enum dk_hc_result
proc_start(struct hc_chk *k)
{
	const struct dk_hc_checker_params *cp = dk_hc_checker_params(k->st);
	struct dk_proc_params pp = {
		.cmd = k->c->misc_path, .user = k->hc->script_user,
		.timeout_us = k->c->misc_timeout_us ? k->c->misc_timeout_us : cp->delay_loop_us,
		.done = proc_done, .arg = k,
	};
	enum dk_hc_result r = dk_hc_probe_start(k->probe[0], &k->out);

	if (r != DK_HC_PENDING)
		return r;
	if (dk_proc_spawn(&pp, k->hc->app->now_us, NULL) < 0)
		return DK_HC_NO_RESOURCES;
	k->proc_running = true;
	/* the child's own timeout decides; this deadline only guards a lost child */
	k->deadline_us = k->hc->app->now_us + pp.timeout_us + DK_USEC_PER_SEC;
	return DK_HC_PENDING;
}

/* A tracked file is small and local: reading it at once cannot stall the loop. */
static enum dk_hc_result
file_check(struct hc_chk *k)
{
	char buf[FILE_READ_MAX];
	enum dk_hc_result r = dk_hc_probe_start(k->probe[0], &k->out);
	ssize_t n;
	int fd;

	if (r != DK_HC_PENDING)
		return r;
	fd = open(k->file_path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return dk_hc_probe_eof(k->probe[0]);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0)
		return dk_hc_probe_eof(k->probe[0]);
	return dk_hc_probe_input(k->probe[0], (const uint8_t *)buf, (size_t)n, &k->out);
}

/* Attempts ------------------------------------------------------------------------------ */

enum dk_hc_result
hc_attempt_start(struct hc_chk *k)
{
	dk_hc_buf_reset(&k->out);
	k->started = false;
	k->deadline_us = k->hc->app->now_us + dk_hc_checker_params(k->st)->connect_timeout_us;
	switch (k->transport) {
	case DK_HC_TRANSPORT_STREAM:
		return stream_start(k);
	case DK_HC_TRANSPORT_DGRAM:
		return dgram_start(k);
	case DK_HC_TRANSPORT_ICMP:
		return icmp_start(k);
	case DK_HC_TRANSPORT_PROCESS:
		return proc_start(k);
	case DK_HC_TRANSPORT_FILE:
		return file_check(k);
	}
	return DK_HC_NO_RESOURCES;
}

enum dk_hc_result
hc_attempt_timeout(struct hc_chk *k)
{
	switch (k->transport) {
	case DK_HC_TRANSPORT_STREAM:
		if (k->conn && dk_tcpc_connected(k->conn->tcp))
			return DK_HC_READ_TIMEOUT;
		return DK_HC_CONNECT_TIMEOUT;
	case DK_HC_TRANSPORT_PROCESS:
		return DK_HC_SCRIPT_TIMEOUT;
	default:
		return dk_hc_probe_eof(k->probe[0]);
	}
}

void
hc_attempt_stop(struct hc_chk *k)
{
	struct dk_app_hc *hc = k->hc;

	if (k->conn) {
		struct hc_conn *c = k->conn;

		k->conn = NULL;
		hc_conn_detach(c);
	}
	if (k->lport) {
		slot_of(hc, k->lport)->dgram = NULL;
		dk_tcpc_port_release(hc->ports, k->lport, hc->app->now_us);
		k->lport = 0;
	}
	if (k->proc_running) {
		dk_proc_forget(k);
		k->proc_running = false;
	}
}

int
hc_io_init(struct dk_app_hc *hc)
{
	struct dk_tcpc_ports_params pp = { .first = DK_APP_HC_PORT_FIRST,
					   .last = DK_APP_HC_PORT_LAST,
					   .quarantine_us = PORT_QUARANTINE_US,
					   .seed = rte_rand() };

	hc->icmp_base = (uint16_t)rte_rand();
	return dk_tcpc_ports_create(&pp, &hc->ports);
}

void
hc_io_fini(struct dk_app_hc *hc)
{
	for (unsigned i = 0; i < HC_NPORTS; i++)
		if (hc->slot[i].conn)
			conn_free(hc->slot[i].conn);
	dk_tcpc_ports_free(hc->ports);
	hc->ports = NULL;
}
