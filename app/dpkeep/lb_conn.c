/*
 * "show conn": the workers' connection tables, copied by each worker on its own poll
 * (dk_dp_lb_conn_dump) so the control lcore never reads a table while it changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dk_app.h"
#include "dk_cmd.h"
#include "dk_out.h"
#include "lb.h"

#define DUMP_TIMEOUT_US (1000 * 1000)
#define DEFAULT_LIMIT 1000

/* An address with an optional port: "A", "A:P", "[A6]" or "[A6]:P". port 0: any. */
struct endpoint {
	struct dk_addr addr;
	uint16_t port;
	bool set;
};

struct filter {
	struct endpoint vip;
	struct endpoint rs;
	struct endpoint client;
	const char *state;	/* a state name, "TEMPLATE", or NULL */
	unsigned limit;
};

/* Which real server (and of which virtual server) a slot is, for naming it. */
struct slot_owner {
	const struct dk_app_lb_vs *vs;
	const struct dk_app_lb_rs *rs;
};

static int
endpoint_parse(const char *s, struct endpoint *e)
{
	char buf[DK_ADDRSTRLEN + 8];
	char *port = NULL, *a = buf;
	unsigned long p = 0;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (close == NULL || (close[1] && close[1] != ':'))
			return -EINVAL;
		*close = '\0';
		a = buf + 1;
		port = close[1] ? close + 2 : NULL;
	} else if (strchr(buf, ':') == strrchr(buf, ':') && strchr(buf, ':')) {
		port = strchr(buf, ':');
		*port++ = '\0';
	}
	if (port) {
		char *end;

		p = strtoul(port, &end, 10);
		if (*port == '\0' || *end || p == 0 || p > 65535)
			return -EINVAL;
	}
	if (dk_addr_parse(a, &e->addr) < 0)
		return -EINVAL;
	e->port = (uint16_t)p;
	e->set = true;
	return 0;
}

static bool
endpoint_match(const struct endpoint *e, const struct dk_addr *a, uint16_t port)
{
	return !e->set || (dk_addr_eq(&e->addr, a) && (e->port == 0 || e->port == port));
}

static bool
state_known(const char *s)
{
	if (strcasecmp(s, "TEMPLATE") == 0)
		return true;
	for (unsigned i = 0; i < DK_CONN_S_MAX; i++)
		if (strcasecmp(s, dk_conn_state_name(i)) == 0)
			return true;
	return false;
}

static int
filter_parse(int argc, const char *const *argv, struct filter *f, struct dk_out *out)
{
	memset(f, 0, sizeof(*f));
	f->limit = DEFAULT_LIMIT;
	for (int i = 0; i < argc; i += 2) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int rc = 0;

		if (v == NULL) {
			dk_out_error(out, "'%s' needs a value", k);
			return -EINVAL;
		}
		if (strcmp(k, "vip") == 0) {
			rc = endpoint_parse(v, &f->vip);
		} else if (strcmp(k, "rs") == 0) {
			rc = endpoint_parse(v, &f->rs);
		} else if (strcmp(k, "client") == 0) {
			rc = endpoint_parse(v, &f->client);
		} else if (strcmp(k, "state") == 0) {
			f->state = v;
			rc = state_known(v) ? 0 : -EINVAL;
		} else if (strcmp(k, "limit") == 0) {
			char *end;
			unsigned long n = strtoul(v, &end, 10);

			rc = *end || v[0] == '-' || n == 0 || n > 1000000 ? -EINVAL : 0;
			f->limit = (unsigned)n;
		} else {
			dk_out_error(out, "unknown filter '%s' (vip, rs, client, state, limit)", k);
			return -EINVAL;
		}
		if (rc < 0) {
			dk_out_error(out, "bad %s '%s'", k, v);
			return rc;
		}
	}
	return 0;
}

static struct slot_owner *
slot_map(const struct dk_app_lb *g)
{
	struct slot_owner *m = calloc(g->max_slots ? g->max_slots : 1, sizeof(*m));

	if (m == NULL)
		return NULL;
	for (unsigned i = 0; i < g->n_vs; i++) {
		for (unsigned r = 0; r < g->vs[i].n_rs; r++) {
			m[g->vs[i].rs[r].slot].vs = &g->vs[i];
			m[g->vs[i].rs[r].slot].rs = &g->vs[i].rs[r];
		}
		if (g->vs[i].sorry) {
			m[g->vs[i].sorry->slot].vs = &g->vs[i];
			m[g->vs[i].sorry->slot].rs = g->vs[i].sorry;
		}
	}
	return m;
}

static const char *
state_of(const struct dk_conn *c)
{
	return c->flags & DK_CONN_F_TMPL ? "TEMPLATE" : dk_conn_state_name(c->state);
}

static bool
conn_match(const struct filter *f, const struct dk_conn *c, const struct slot_owner *o)
{
	const struct dk_conn_key *k = &c->key[DK_CONN_DIR_ORIG];

	if (f->state && strcasecmp(f->state, state_of(c)) != 0)
		return false;
	if (!endpoint_match(&f->vip, &k->dst, k->dport) ||
	    !endpoint_match(&f->client, &k->src, k->sport))
		return false;
	return !f->rs.set || (o->rs && endpoint_match(&f->rs, &o->rs->ip, o->rs->port));
}

static void
addr_field(struct dk_out *out, const char *key, const struct dk_addr *a)
{
	char buf[DK_ADDRSTRLEN];

	dk_out_str(out, key, a->af ? dk_addr_fmt(a, buf, sizeof(buf)) : "");
}

static void
conn_fields(struct dk_out *out, unsigned worker, const struct dk_conn *c,
	    const struct slot_owner *o, uint64_t now_us)
{
	const struct dk_conn_key *k = &c->key[DK_CONN_DIR_ORIG];
	const struct dk_conn_key *r = &c->key[DK_CONN_DIR_REPLY];
	/* FNAT's reply goes to a local address; NAT's to the client itself. */
	bool fnat = (c->flags & DK_CONN_F_REPLY) && !dk_addr_eq(&r->dst, &k->src);
	struct dk_addr none = { 0 };

	dk_out_u64(out, "worker", worker);
	dk_out_str(out, "protocol", k->proto == DK_LB_PROTO_UDP ? "UDP" : "TCP");
	addr_field(out, "client", &k->src);
	dk_out_u64(out, "client_port", k->sport);
	addr_field(out, "vip", &k->dst);
	dk_out_u64(out, "vip_port", k->dport);
	addr_field(out, "local", fnat ? &r->dst : &none);
	dk_out_u64(out, "local_port", fnat ? r->dport : 0);
	addr_field(out, "rs", o->rs ? &o->rs->ip : &none);
	dk_out_u64(out, "rs_port", o->rs ? o->rs->port : 0);
	dk_out_str(out, "state", state_of(c));
	dk_out_u64(out, "expires_s", c->expire_us > now_us ?
					     (c->expire_us - now_us + DK_USEC_PER_SEC - 1) /
						     DK_USEC_PER_SEC : 0);
}

static int
cmd_show_conn(void *arg, int argc, const char *const *argv, struct dk_out *out)
{
	struct dk_app *app = arg;
	struct dk_app_lb *g = app->lb;
	struct dk_dp_lb_dump d = { 0 };
	struct slot_owner *own = NULL, unnamed = { 0 };
	struct filter f;
	uint64_t matched = 0, listed = 0, seen = 0;
	int rc;

	if (g == NULL) {
		dk_out_error(out, "no virtual servers configured");
		return -ENOENT;
	}
	rc = filter_parse(argc, argv, &f, out);
	if (rc < 0)
		return rc;
	rc = -ENOMEM;
	own = slot_map(g);
	d.cap = g->dp->max_conns;
	d.conns = malloc(sizeof(*d.conns) * d.cap);
	if (own == NULL || d.conns == NULL)
		goto out;
	dk_out_arr_begin(out, "connections");
	for (unsigned w = 0; w < g->dp->n_workers; w++) {
		rc = dk_dp_lb_conn_dump(g->dp, w, &d, DUMP_TIMEOUT_US);
		if (rc < 0) {
			dk_out_arr_end(out);
			dk_out_error(out, "worker %u did not answer: %s", w, strerror(-rc));
			goto out;
		}
		seen += d.total;
		for (uint32_t i = 0; i < d.n; i++) {
			const struct dk_conn *c = &d.conns[i];
			/* A removed server's draining flows keep a slot nobody names. */
			const struct slot_owner *o = c->backend_slot < g->max_slots ?
							     &own[c->backend_slot] : &unnamed;

			if (!conn_match(&f, c, o))
				continue;
			matched++;
			if (listed >= f.limit)
				continue;
			listed++;
			dk_out_obj_begin(out, NULL);
			conn_fields(out, w, c, o, d.now_us);
			dk_out_obj_end(out);
		}
	}
	dk_out_arr_end(out);
	dk_out_u64(out, "count", matched);
	dk_out_u64(out, "listed", listed);
	dk_out_u64(out, "total", seen);
	rc = 0;
out:
	free(d.conns);
	free(own);
	return rc;
}

int
dk_cmd_lb_conn_register(struct dk_app *app)
{
	const struct dk_cmd cmd = {
		"show conn ...",
		"load-balancer connections of every worker; filters: vip A[:P], rs A[:P], "
		"client A[:P], state S (ESTABLISHED, SYN_RECV, TIME_WAIT, UDP, TEMPLATE, ...), "
		"limit N (default 1000)",
		cmd_show_conn, app
	};

	return dk_cmd_register_many(app->cmds, &cmd, 1);
}
