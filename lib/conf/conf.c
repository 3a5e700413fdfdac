/* Loading, freeing, comparing and checking whole configurations. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dk_common.h"
#include "dk_kw.h"
#include "dk_pp.h"

static const char *const check_names[] = {
#define X(n, s) s,
	DK_CONF_CHECKERS(X)
#undef X
};

const char *
dk_conf_checker_name(enum dk_conf_check_kind k)
{
	return k < DK_CONF_CHECK_MAX ? check_names[k] : "?";
}

const char *
dk_conf_lb_kind_name(enum dk_conf_lb_kind k)
{
	static const char *const n[] = { "NAT", "DR", "TUN", "FNAT" };

	return k <= DK_CONF_LB_FNAT ? n[k] : "?";
}

const char *
dk_conf_proto_name(enum dk_conf_proto p)
{
	static const char *const n[] = { "TCP", "UDP", "SCTP" };

	return p <= DK_CONF_PROTO_SCTP ? n[p] : "?";
}

static void
global_defaults(struct dk_conf_global *g)
{
	char host[256] = "";

	gethostname(host, sizeof(host) - 1);
	snprintf(g->router_id, sizeof(g->router_id), "%s", host);
	g->smtp_connect_timeout_us = DK_SEC(30);
	g->vrrp_version = 2;
	g->vrrp_garp_master_delay_us = DK_SEC(5);
	g->vrrp_garp_master_repeat = 5;
	g->vrrp_garp_master_refresh_repeat = 1;
	dk_addr_parse("224.0.0.18", &g->vrrp_mcast_group4);
	dk_addr_parse("ff02::12", &g->vrrp_mcast_group6);
}

void
dk_conf_free(struct dk_conf *conf)
{
	if (!conf)
		return;
	for (unsigned i = 0; i < conf->n_vrrp; i++) {
		struct dk_conf_vrrp_instance *v = &conf->vrrp[i];

		free(v->vips);
		free(v->vips_excluded);
		free(v->unicast_peers);
		free(v->heartbeat_peers);
		free(v->track_interfaces);
		free(v->track_scripts);
		free(v->track_files);
	}
	for (unsigned i = 0; i < conf->n_sync_groups; i++)
		free(conf->sync_groups[i].members);
	for (unsigned i = 0; i < conf->n_vs; i++) {
		for (unsigned j = 0; j < conf->vs[i].n_rs; j++)
			free(conf->vs[i].rs[j].checkers);
		free(conf->vs[i].rs);
	}
	for (unsigned i = 0; i < conf->n_vsgs; i++)
		free(conf->vsgs[i].entries);
	for (unsigned i = 0; i < conf->n_laddr_groups; i++)
		free(conf->laddr_groups[i].addrs);
	free(conf->global.notification_email);
	free(conf->vrrp);
	free(conf->sync_groups);
	free(conf->scripts);
	free(conf->track_files);
	free(conf->vs);
	free(conf->vsgs);
	free(conf->laddr_groups);
	free(conf);
}

int
dk_conf_load_ex(const struct dk_conf_load_params *p, struct dk_conf **out, struct dk_diag *diag,
		unsigned *problems)
{
	struct dk_kwctx c = { .diag = diag, .ports = NULL };
	struct dk_pp_params pp = {
		.path = p->path, .text = p->text, .instance_id = p->instance_id,
		.include_root = p->include_root, .max_depth = p->max_include_depth,
	};
	struct dk_clines lines = { 0 };
	struct dk_ctree *tree = NULL;
	unsigned errors = diag->errors;
	int rc;

	*out = NULL;
	c.ports = p->ports;
	c.conf = calloc(1, sizeof(*c.conf));
	if (!c.conf)
		return -ENOMEM;
	global_defaults(&c.conf->global);
	rc = dk_pp_run(&pp, &lines, diag);
	if (rc < 0 && rc != -EINVAL)
		goto fail;
	rc = dk_ctree_build(&lines, &tree, diag);
	if (rc == -ENOMEM)
		goto fail;
	dk_kw_register(&c, dk_conf_global_kws);
	dk_kw_register(&c, dk_conf_vrrp_root_kws);
	dk_kw_register(&c, dk_conf_vs_root_kws);
	dk_kw_dispatch_root(&c, tree->root);
	if (c.oom) {
		rc = -ENOMEM;
		goto fail;
	}
	dk_conf_vrrp_finish(&c, p->path);
	dk_conf_vs_finish(&c, p->path);
	if (problems)
		*problems = c.problems;
	dk_ctree_free(tree);
	dk_clines_free(&lines);
	*out = c.conf;
	return diag->errors != errors ? -EINVAL : 0;
fail:
	dk_ctree_free(tree);
	dk_clines_free(&lines);
	dk_conf_free(c.conf);
	return rc;
}

int
dk_conf_load(const char *path, const char *instance_id, struct dk_conf **out,
	     struct dk_diag *diag)
{
	struct dk_conf_load_params p = { .path = path, .instance_id = instance_id };

	return dk_conf_load_ex(&p, out, diag, NULL);
}

/* Fixed parts are compared up to the first list pointer; lists element by element. */
#define FIXED_EQ(a, b, T, first_list) (memcmp((a), (b), offsetof(T, first_list)) == 0)
#define LIST_EQ(a, b, f, nf) \
	((a)->nf == (b)->nf && ((a)->nf == 0 || memcmp((a)->f, (b)->f, (a)->nf * sizeof(*(a)->f)) == 0))

bool
dk_conf_vrrp_instance_equal(const struct dk_conf_vrrp_instance *a,
			    const struct dk_conf_vrrp_instance *b)
{
	struct dk_conf_vrrp_instance x = *a, y = *b;

	x.line = y.line = 0; /* moving a block in the file changes nothing */
	return FIXED_EQ(&x, &y, struct dk_conf_vrrp_instance, vips) &&
	       LIST_EQ(a, b, vips, n_vips) && LIST_EQ(a, b, vips_excluded, n_vips_excluded) &&
	       LIST_EQ(a, b, unicast_peers, n_unicast_peers) &&
	       LIST_EQ(a, b, heartbeat_peers, n_heartbeat_peers) &&
	       LIST_EQ(a, b, track_interfaces, n_track_interfaces) &&
	       LIST_EQ(a, b, track_scripts, n_track_scripts) &&
	       LIST_EQ(a, b, track_files, n_track_files);
}

bool
dk_conf_checker_equal(const struct dk_conf_checker *a, const struct dk_conf_checker *b)
{
	struct dk_conf_checker x = *a, y = *b;

	x.line = y.line = 0;
	return memcmp(&x, &y, sizeof(x)) == 0;
}

bool
dk_conf_rs_equal(const struct dk_conf_rs *a, const struct dk_conf_rs *b)
{
	struct dk_conf_rs x = *a, y = *b;

	x.line = y.line = 0;
	if (!FIXED_EQ(&x, &y, struct dk_conf_rs, checkers) || a->n_checkers != b->n_checkers)
		return false;
	for (unsigned i = 0; i < a->n_checkers; i++)
		if (!dk_conf_checker_equal(&a->checkers[i], &b->checkers[i]))
			return false;
	return true;
}

bool
dk_conf_vs_equal(const struct dk_conf_vs *a, const struct dk_conf_vs *b)
{
	struct dk_conf_vs x = *a, y = *b;

	x.line = y.line = 0;
	if (!FIXED_EQ(&x, &y, struct dk_conf_vs, rs) || a->n_rs != b->n_rs)
		return false;
	for (unsigned i = 0; i < a->n_rs; i++)
		if (!dk_conf_rs_equal(&a->rs[i], &b->rs[i]))
			return false;
	return true;
}

static bool
global_equal(const struct dk_conf_global *a, const struct dk_conf_global *b)
{
	return FIXED_EQ(a, b, struct dk_conf_global, notification_email) &&
	       LIST_EQ(a, b, notification_email, n_notification_email);
}

bool
dk_conf_equal(const struct dk_conf *a, const struct dk_conf *b)
{
	if (!global_equal(&a->global, &b->global) || a->n_vrrp != b->n_vrrp ||
	    a->n_vs != b->n_vs || a->n_sync_groups != b->n_sync_groups ||
	    a->n_vsgs != b->n_vsgs || a->n_laddr_groups != b->n_laddr_groups ||
	    a->n_scripts != b->n_scripts || a->n_track_files != b->n_track_files)
		return false;
	for (unsigned i = 0; i < a->n_vrrp; i++)
		if (!dk_conf_vrrp_instance_equal(&a->vrrp[i], &b->vrrp[i]))
			return false;
	for (unsigned i = 0; i < a->n_vs; i++)
		if (!dk_conf_vs_equal(&a->vs[i], &b->vs[i]))
			return false;
	for (unsigned i = 0; i < a->n_sync_groups; i++) {
		const struct dk_conf_sync_group *x = &a->sync_groups[i], *y = &b->sync_groups[i];

		if (strcmp(x->name, y->name) || strcmp(x->notify_master, y->notify_master) ||
		    strcmp(x->notify_backup, y->notify_backup) ||
		    strcmp(x->notify_fault, y->notify_fault) || strcmp(x->notify, y->notify) ||
		    x->smtp_alert != y->smtp_alert || !LIST_EQ(x, y, members, n_members))
			return false;
	}
	for (unsigned i = 0; i < a->n_vsgs; i++)
		if (strcmp(a->vsgs[i].name, b->vsgs[i].name) ||
		    !LIST_EQ(&a->vsgs[i], &b->vsgs[i], entries, n_entries))
			return false;
	for (unsigned i = 0; i < a->n_laddr_groups; i++)
		if (strcmp(a->laddr_groups[i].name, b->laddr_groups[i].name) ||
		    !LIST_EQ(&a->laddr_groups[i], &b->laddr_groups[i], addrs, n_addrs))
			return false;
	for (unsigned i = 0; i < a->n_scripts; i++) {
		struct dk_conf_vrrp_script x = a->scripts[i], y = b->scripts[i];

		x.line = y.line = 0;
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	for (unsigned i = 0; i < a->n_track_files; i++) {
		struct dk_conf_track_file x = a->track_files[i], y = b->track_files[i];

		x.line = y.line = 0;
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	return true;
}

const struct dk_conf_vrrp_instance *
dk_conf_find_vrrp(const struct dk_conf *c, const char *name)
{
	for (unsigned i = 0; i < c->n_vrrp; i++)
		if (strcmp(c->vrrp[i].name, name) == 0)
			return &c->vrrp[i];
	return NULL;
}

const struct dk_conf_vs *
dk_conf_find_vs(const struct dk_conf *c, const struct dk_conf_vs *key)
{
	for (unsigned i = 0; i < c->n_vs; i++) {
		const struct dk_conf_vs *v = &c->vs[i];

		if (v->key != key->key || v->port != key->port || v->proto != key->proto)
			continue;
		if ((key->key == DK_CONF_VS_ADDR && dk_addr_eq(&v->vip, &key->vip)) ||
		    (key->key == DK_CONF_VS_GROUP && strcmp(v->group, key->group) == 0) ||
		    (key->key == DK_CONF_VS_FWMARK && v->fwmark == key->fwmark))
			return v;
	}
	return NULL;
}
