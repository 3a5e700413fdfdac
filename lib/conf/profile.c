#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dk_common.h"
#include "dk_ctree.h"
#include "dk_profile.h"
#include "dk_confutil.h"

struct pctx {
	struct dk_profile *p;
	struct dk_diag *diag;
	bool seen_eal;
};

#define ERR(c, n, ...) dk_diag_error((c)->diag, (n)->file, (n)->line, __VA_ARGS__)

static bool
need_args(struct pctx *c, const struct dk_cnode *n, unsigned min)
{
	if (n->n_args >= min)
		return true;
	ERR(c, n, "'%s' needs an argument", n->kw);
	return false;
}

static bool
copy_str(struct pctx *c, const struct dk_cnode *n, const char *s, char *dst, size_t size)
{
	if (strlen(s) >= size) {
		ERR(c, n, "'%s' value is too long (at most %zu characters)", n->kw, size - 1);
		return false;
	}
	strcpy(dst, s);
	return true;
}

static bool
get_uint(struct pctx *c, const struct dk_cnode *n, unsigned long lo, unsigned long hi,
	 unsigned long *out)
{
	if (!need_args(c, n, 1))
		return false;
	if (dk_conf_parse_ulong(n->args[0], out) < 0 || *out < lo || *out > hi) {
		ERR(c, n, "'%s' must be a number in %lu..%lu, not '%s'", n->kw, lo, hi,
		    n->args[0]);
		return false;
	}
	return true;
}

static void
eal_kw(struct pctx *c, const struct dk_cnode *n)
{
	struct dk_profile *p = c->p;
	unsigned long v;

	if (strcmp(n->kw, "lcores") == 0) {
		if (need_args(c, n, 1))
			copy_str(c, n, n->args[0], p->lcores, sizeof(p->lcores));
	} else if (strcmp(n->kw, "memory_mb") == 0) {
		if (get_uint(c, n, 16, 1UL << 20, &v))
			p->memory_mb = (unsigned)v;
	} else if (strcmp(n->kw, "hugepages") == 0) {
		if (!need_args(c, n, 1))
			return;
		if (strcmp(n->args[0], "auto") == 0)
			p->hugepages = DK_HUGEPAGES_AUTO;
		else if (strcmp(n->args[0], "yes") == 0)
			p->hugepages = DK_HUGEPAGES_YES;
		else if (strcmp(n->args[0], "no") == 0)
			p->hugepages = DK_HUGEPAGES_NO;
		else
			ERR(c, n, "'hugepages' must be auto, yes or no, not '%s'", n->args[0]);
	} else if (strcmp(n->kw, "file_prefix") == 0) {
		if (need_args(c, n, 1))
			copy_str(c, n, n->args[0], p->file_prefix, sizeof(p->file_prefix));
	} else if (strcmp(n->kw, "mbufs") == 0) {
		if (get_uint(c, n, 511, 1UL << 24, &v))
			p->mbufs = (unsigned)v;
	} else if (strcmp(n->kw, "busy_poll") == 0) {
		p->busy_poll = true;
	} else if (strcmp(n->kw, "args") == 0) {
		if (!need_args(c, n, 1))
			return;
		for (unsigned i = 0; i < n->n_args; i++) {
			if (p->n_eal_args == DK_PROFILE_MAX_EAL_ARGS) {
				ERR(c, n, "too many EAL arguments (at most %d)",
				    DK_PROFILE_MAX_EAL_ARGS);
				return;
			}
			if (!copy_str(c, n, n->args[i], p->eal_args[p->n_eal_args],
				      sizeof(p->eal_args[0])))
				return;
			p->n_eal_args++;
		}
	} else {
		ERR(c, n, "unknown keyword '%s' in eal block", n->kw);
	}
}

static bool
is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* DDDD:BB:DD.F or BB:DD.F; anything else is a vdev string. */
static bool
looks_pci(const char *s)
{
	size_t len = strlen(s);

	if (len == 12 && is_hex(s, 4) && s[4] == ':')
		s += 5, len -= 5;
	return len == 7 && is_hex(s, 2) && s[2] == ':' && is_hex(s + 3, 2) && s[5] == '.' &&
	       s[6] >= '0' && s[6] <= '7';
}

static bool
pow2(unsigned long v)
{
	return v && (v & (v - 1)) == 0;
}

static void
port_kw(struct pctx *c, struct dk_profile_port *pt, const struct dk_cnode *n)
{
	unsigned long v;

	if (strcmp(n->kw, "device") == 0) {
		if (need_args(c, n, 1) && copy_str(c, n, n->args[0], pt->device,
						   sizeof(pt->device)))
			pt->is_pci = looks_pci(pt->device);
	} else if (strcmp(n->kw, "address") == 0) {
		struct dk_prefix pfx;

		if (!need_args(c, n, 1))
			return;
		if (dk_prefix_parse(n->args[0], &pfx) < 0) {
			ERR(c, n, "bad address/prefix '%s'", n->args[0]);
			return;
		}
		if (pt->n_addrs == DK_PROFILE_MAX_ADDRS) {
			ERR(c, n, "too many addresses on port %s (at most %d)", pt->name,
			    DK_PROFILE_MAX_ADDRS);
			return;
		}
		pt->addrs[pt->n_addrs++] = pfx;
	} else if (strcmp(n->kw, "mtu") == 0) {
		if (get_uint(c, n, 68, 9600, &v))
			pt->mtu = (uint16_t)v;
	} else if (strcmp(n->kw, "rx_queues") == 0) {
		if (get_uint(c, n, 0, 128, &v))
			pt->rx_queues = (uint16_t)v;
	} else if (strcmp(n->kw, "rx_desc") == 0 || strcmp(n->kw, "tx_desc") == 0) {
		if (!get_uint(c, n, 64, 16384, &v))
			return;
		if (!pow2(v)) {
			ERR(c, n, "'%s' must be a power of two, not %lu", n->kw, v);
			return;
		}
		if (n->kw[0] == 'r')
			pt->rx_desc = (uint16_t)v;
		else
			pt->tx_desc = (uint16_t)v;
	} else if (strcmp(n->kw, "mac") == 0) {
		if (!need_args(c, n, 1))
			return;
		if (dk_mac_parse(n->args[0], &pt->mac) < 0) {
			ERR(c, n, "bad MAC address '%s'", n->args[0]);
			return;
		}
		pt->has_mac = true;
	} else if (strcmp(n->kw, "promisc") == 0) {
		pt->promisc = true;
	} else {
		ERR(c, n, "unknown keyword '%s' in port block", n->kw);
	}
}

static void
port_block(struct pctx *c, const struct dk_cnode *n)
{
	struct dk_profile *p = c->p;
	struct dk_profile_port *pt;

	if (!need_args(c, n, 1))
		return;
	if (dk_profile_port_index(p, n->args[0]) >= 0) {
		ERR(c, n, "duplicate port name '%s'", n->args[0]);
		return;
	}
	if (p->n_ports == DK_PROFILE_MAX_PORTS) {
		ERR(c, n, "too many ports (at most %d)", DK_PROFILE_MAX_PORTS);
		return;
	}
	pt = &p->ports[p->n_ports];
	memset(pt, 0, sizeof(*pt));
	if (!copy_str(c, n, n->args[0], pt->name, sizeof(pt->name)))
		return;
	pt->mtu = 1500;
	pt->rx_desc = 1024;
	pt->tx_desc = 1024;
	pt->line = n->line;
	for (const struct dk_cnode *k = n->child; k; k = k->next)
		port_kw(c, pt, k);
	if (!pt->device[0])
		ERR(c, n, "port %s has no device", pt->name);
	p->n_ports++;
}

static void
route_stmt(struct pctx *c, const struct dk_cnode *n)
{
	struct dk_profile *p = c->p;
	struct dk_profile_route r;
	unsigned i = 1;

	memset(&r, 0, sizeof(r));
	r.line = n->line;
	if (!need_args(c, n, 3))
		return;
	if (p->n_routes == DK_PROFILE_MAX_ROUTES) {
		ERR(c, n, "too many routes (at most %d)", DK_PROFILE_MAX_ROUTES);
		return;
	}
	if (strcmp(n->args[0], "default") != 0 && dk_prefix_parse(n->args[0], &r.dst) < 0) {
		ERR(c, n, "bad route destination '%s'", n->args[0]);
		return;
	}
	if (strcmp(n->args[i], "via") == 0) {
		if (i + 1 >= n->n_args || dk_addr_parse(n->args[i + 1], &r.via) < 0) {
			ERR(c, n, "bad gateway '%s'", i + 1 < n->n_args ? n->args[i + 1] : "");
			return;
		}
		i += 2;
	}
	if (i + 2 != n->n_args || strcmp(n->args[i], "dev") != 0) {
		ERR(c, n, "route must be 'route DST|default [via GW] dev PORT'");
		return;
	}
	if (!copy_str(c, n, n->args[i + 1], r.dev, sizeof(r.dev)))
		return;
	if (strcmp(n->args[0], "default") == 0) {
		r.dst.addr.af = r.via.af == AF_INET6 ? AF_INET6 : AF_INET;
		r.dst.len = 0;
	}
	if (r.via.af && r.via.af != r.dst.addr.af) {
		ERR(c, n, "gateway %s is not of the destination's address family",
		    n->args[2]);
		return;
	}
	p->routes[p->n_routes++] = r;
}

static bool
gw_reachable(const struct dk_profile_port *pt, const struct dk_addr *gw)
{
	for (unsigned i = 0; i < pt->n_addrs; i++)
		if (dk_prefix_contains(&pt->addrs[i], gw))
			return true;
	return false;
}

static void
check_routes(struct pctx *c)
{
	const struct dk_profile *p = c->p;
	const char *file = p->file;

	for (unsigned i = 0; i < p->n_routes; i++) {
		const struct dk_profile_route *r = &p->routes[i];
		int pi = dk_profile_port_index(p, r->dev);
		char a[DK_ADDRSTRLEN];

		if (pi < 0) {
			dk_diag_error(c->diag, file, r->line, "route to unknown port '%s'", r->dev);
			continue;
		}
		if (r->via.af && !gw_reachable(&p->ports[pi], &r->via))
			dk_diag_error(c->diag, file, r->line,
				      "gateway %s is not on a connected prefix of port %s",
				      dk_addr_fmt(&r->via, a, sizeof(a)), r->dev);
	}
}

static void
walk(struct pctx *c, const struct dk_cnode *n)
{
	for (; n; n = n->next) {
		if (strcmp(n->kw, "eal") == 0) {
			if (c->seen_eal)
				ERR(c, n, "duplicate eal block");
			c->seen_eal = true;
			for (const struct dk_cnode *k = n->child; k; k = k->next)
				eal_kw(c, k);
		} else if (strcmp(n->kw, "port") == 0) {
			port_block(c, n);
		} else if (strcmp(n->kw, "route") == 0) {
			route_stmt(c, n);
		} else {
			ERR(c, n, "unknown keyword '%s'", n->kw);
		}
	}
}

static void
defaults(struct dk_profile *p, const char *file)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->file, sizeof(p->file), "%s", file);
	p->memory_mb = 256;
	p->mbufs = 8191;
	p->hugepages = DK_HUGEPAGES_AUTO;
}

int
dk_profile_parse_string(const char *text, const char *file, struct dk_profile *out,
			struct dk_diag *diag)
{
	struct dk_clines lines = { 0 };
	struct dk_ctree *tree = NULL;
	unsigned errors = diag->errors;
	struct pctx c = { .p = out, .diag = diag };
	int rc;

	defaults(out, file);
	rc = dk_clines_from_string(&lines, text, file);
	if (rc < 0)
		goto out;
	rc = dk_ctree_build(&lines, &tree, diag);
	if (rc == -ENOMEM)
		goto out;
	walk(&c, tree->root);
	check_routes(&c);
	if (out->n_ports == 0 && diag->errors == errors)
		dk_diag_error(diag, file, 1, "the profile defines no port");
	rc = diag->errors != errors ? -EINVAL : 0;
out:
	dk_ctree_free(tree);
	dk_clines_free(&lines);
	return rc;
}

int
dk_profile_parse_file(const char *path, struct dk_profile *out, struct dk_diag *diag)
{
	char *text = NULL;
	int rc = dk_conf_read_file(path, &text, NULL);

	if (rc < 0) {
		defaults(out, path);
		dk_diag_error(diag, path, 0, "cannot read: %s", strerror(-rc));
		return rc;
	}
	rc = dk_profile_parse_string(text, path, out, diag);
	free(text);
	return rc;
}

int
dk_profile_port_index(const struct dk_profile *p, const char *name)
{
	for (unsigned i = 0; i < p->n_ports; i++)
		if (strcmp(p->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}
