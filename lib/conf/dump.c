/* The effective configuration in keepalived.conf syntax, defaults spelled out; the
 * output parses back to an equal dk_conf, so dump -> parse -> dump is a fixed point. */
#include <inttypes.h>
#include <sys/socket.h>
#include <stdio.h>
#include <string.h>

#include "dk_conf.h"

static void
put_str(FILE *f, const char *s)
{
	if (*s && strpbrk(s, " \t\"{}#!\\$~@") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else if (*s == '\t')
			fputs("\\t", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void
kv_str(FILE *f, int ind, const char *k, const char *v)
{
	if (!*v)
		return;
	fprintf(f, "%*s%s ", ind, "", k);
	put_str(f, v);
	fputc('\n', f);
}

static void
kv_time(FILE *f, int ind, const char *k, uint64_t us)
{
	fprintf(f, "%*s%s %" PRIu64, ind, "", k, us / 1000000);
	if (us % 1000000)
		fprintf(f, ".%06" PRIu64, us % 1000000);
	fputc('\n', f);
}

static void
kv_flag(FILE *f, int ind, const char *k, bool v)
{
	if (v)
		fprintf(f, "%*s%s\n", ind, "", k);
}

static const char *
a2s(const struct dk_addr *a, char *b)
{
	return dk_addr_fmt(a, b, DK_ADDRSTRLEN);
}

static void
kv_addr(FILE *f, int ind, const char *k, const struct dk_addr *a)
{
	char b[DK_ADDRSTRLEN];

	if (a->af)
		fprintf(f, "%*s%s %s\n", ind, "", k, a2s(a, b));
}

static void
dump_global(const struct dk_conf_global *g, FILE *f)
{
	fprintf(f, "global_defs {\n");
	kv_str(f, 4, "router_id", g->router_id);
	if (g->n_notification_email) {
		fprintf(f, "    notification_email {\n");
		for (unsigned i = 0; i < g->n_notification_email; i++) {
			fprintf(f, "        ");
			put_str(f, g->notification_email[i]);
			fputc('\n', f);
		}
		fprintf(f, "    }\n");
	}
	kv_str(f, 4, "notification_email_from", g->notification_email_from);
	kv_str(f, 4, "smtp_server", g->smtp_server);
	kv_time(f, 4, "smtp_connect_timeout", g->smtp_connect_timeout_us);
	fprintf(f, "    vrrp_version %u\n", g->vrrp_version);
	kv_flag(f, 4, "vrrp_strict", g->vrrp_strict);
	kv_flag(f, 4, "vrrp_skip_check_adv_addr", g->vrrp_skip_check_adv_addr);
	kv_time(f, 4, "vrrp_garp_master_delay", g->vrrp_garp_master_delay_us);
	fprintf(f, "    vrrp_garp_master_repeat %u\n", g->vrrp_garp_master_repeat);
	kv_time(f, 4, "vrrp_garp_master_refresh", g->vrrp_garp_master_refresh_us);
	fprintf(f, "    vrrp_garp_master_refresh_repeat %u\n", g->vrrp_garp_master_refresh_repeat);
	kv_addr(f, 4, "vrrp_mcast_group4", &g->vrrp_mcast_group4);
	kv_addr(f, 4, "vrrp_mcast_group6", &g->vrrp_mcast_group6);
	if (g->script_user_set)
		kv_str(f, 4, "script_user", g->script_user);
	kv_flag(f, 4, "enable_script_security", g->enable_script_security);
	if (g->lb_conn_table_size)
		fprintf(f, "    lb_conn_table_size %u\n", g->lb_conn_table_size);
	if (g->lb_slot_headroom)
		fprintf(f, "    lb_slot_headroom %u\n", g->lb_slot_headroom);
	if (g->lvs_timeout_tcp_s || g->lvs_timeout_tcpfin_s || g->lvs_timeout_udp_s) {
		fprintf(f, "    lvs_timeouts");
		if (g->lvs_timeout_tcp_s)
			fprintf(f, " tcp %u", g->lvs_timeout_tcp_s);
		if (g->lvs_timeout_tcpfin_s)
			fprintf(f, " tcpfin %u", g->lvs_timeout_tcpfin_s);
		if (g->lvs_timeout_udp_s)
			fprintf(f, " udp %u", g->lvs_timeout_udp_s);
		fprintf(f, "\n");
	}
	kv_str(f, 4, "notify_fifo", g->notify_fifo);
	kv_str(f, 4, "notify_fifo_script", g->notify_fifo_script);
	if (g->vrrp_rt_priority)
		fprintf(f, "    vrrp_rt_priority %u\n", g->vrrp_rt_priority);
	fprintf(f, "}\n\n");
}

static void
dump_vips(FILE *f, const char *k, const struct dk_conf_vip *v, unsigned n)
{
	char b[DK_ADDRSTRLEN];

	if (!n)
		return;
	fprintf(f, "    %s {\n", k);
	for (unsigned i = 0; i < n; i++) {
		fprintf(f, "        %s", dk_prefix_fmt(&v[i].pfx, b, sizeof(b)));
		if (v[i].dev[0])
			fprintf(f, " dev %s", v[i].dev);
		if (v[i].label[0])
			fprintf(f, " label %s", v[i].label);
		if (v[i].scope)
			fprintf(f, " scope %u", v[i].scope);
		fputc('\n', f);
	}
	fprintf(f, "    }\n");
}

static void
dump_addrs(FILE *f, int ind, const char *k, const struct dk_addr *a, unsigned n)
{
	char b[DK_ADDRSTRLEN];

	if (!n)
		return;
	fprintf(f, "%*s%s {\n", ind, "", k);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "%*s%s\n", ind + 4, "", a2s(&a[i], b));
	fprintf(f, "%*s}\n", ind, "");
}

static void
dump_tracks(FILE *f, const char *k, const struct dk_conf_track *t, unsigned n)
{
	if (!n)
		return;
	fprintf(f, "    %s {\n", k);
	for (unsigned i = 0; i < n; i++)
		fprintf(f, "        %s weight %d%s\n", t[i].name, t[i].weight,
			t[i].reverse ? " reverse" : "");
	fprintf(f, "    }\n");
}

static void
dump_vrrp(const struct dk_conf_vrrp_instance *v, FILE *f)
{
	static const char *const auth[] = { "", "PASS", "AH" };

	fprintf(f, "vrrp_instance %s {\n", v->name);
	fprintf(f, "    state %s\n", v->state == DK_CONF_STATE_MASTER ? "MASTER" : "BACKUP");
	kv_str(f, 4, "interface", v->interface);
	fprintf(f, "    virtual_router_id %u\n    priority %u\n    version %u\n", v->vrid,
		v->priority, v->version);
	kv_time(f, 4, "advert_int", v->advert_int_us);
	if (v->auth_type != DK_CONF_AUTH_NONE) {
		fprintf(f, "    authentication {\n        auth_type %s\n", auth[v->auth_type]);
		fprintf(f, "        auth_pass ");
		put_str(f, v->auth_pass);
		fprintf(f, "\n    }\n");
	}
	dump_vips(f, "virtual_ipaddress", v->vips, v->n_vips);
	dump_vips(f, "virtual_ipaddress_excluded", v->vips_excluded, v->n_vips_excluded);
	kv_addr(f, 4, "unicast_src_ip", &v->unicast_src_ip);
	kv_addr(f, 4, "mcast_src_ip", &v->mcast_src_ip);
	dump_addrs(f, 4, "unicast_peer", v->unicast_peers, v->n_unicast_peers);
	dump_addrs(f, 4, "heartbeat_unicast_peer", v->heartbeat_peers, v->n_heartbeat_peers);
	kv_flag(f, 4, "nopreempt", v->nopreempt);
	kv_time(f, 4, "preempt_delay", v->preempt_delay_us);
	kv_time(f, 4, "garp_master_delay", v->garp_master_delay_us);
	fprintf(f, "    garp_master_repeat %u\n", v->garp_master_repeat);
	kv_time(f, 4, "garp_master_refresh", v->garp_master_refresh_us);
	fprintf(f, "    garp_master_refresh_repeat %u\n", v->garp_master_refresh_repeat);
	kv_time(f, 4, "garp_lower_prio_delay", v->garp_lower_prio_delay_us);
	if (v->garp_lower_prio_repeat)
		fprintf(f, "    garp_lower_prio_repeat %u\n", v->garp_lower_prio_repeat);
	if (v->use_vmac)
		fprintf(f, "    use_vmac%s%s\n", v->vmac_name[0] ? " " : "", v->vmac_name);
	kv_flag(f, 4, "vmac_xmit_base", v->vmac_xmit_base);
	kv_flag(f, 4, "accept", v->accept);
	kv_flag(f, 4, "dont_track_primary", v->dont_track_primary);
	kv_flag(f, 4, "skip_check_adv_addr", v->skip_check_adv_addr);
	kv_flag(f, 4, "strict_mode", v->strict_mode);
	kv_flag(f, 4, "smtp_alert", v->smtp_alert);
	kv_flag(f, 4, "lower_prio_no_advert", v->lower_prio_no_advert);
	kv_flag(f, 4, "higher_prio_send_advert", v->higher_prio_send_advert);
	kv_str(f, 4, "notify_master", v->notify_master);
	kv_str(f, 4, "notify_backup", v->notify_backup);
	kv_str(f, 4, "notify_fault", v->notify_fault);
	kv_str(f, 4, "notify_stop", v->notify_stop);
	kv_str(f, 4, "notify", v->notify);
	kv_str(f, 4, "notify_split_brain", v->notify_split_brain);
	dump_tracks(f, "track_interface", v->track_interfaces, v->n_track_interfaces);
	dump_tracks(f, "track_script", v->track_scripts, v->n_track_scripts);
	dump_tracks(f, "track_file", v->track_files, v->n_track_files);
	fprintf(f, "}\n\n");
}

/* A byte per word, so that the string parses back byte for byte; X for a masked nibble. */
static void
dump_hex(FILE *f, const char *kw, const uint8_t *v, const uint8_t *mask, unsigned len)
{
	static const char digits[] = "0123456789abcdef";

	fprintf(f, "            %s", kw);
	for (unsigned i = 0; i < len; i++) {
		uint8_t m = mask ? mask[i] : 0xff;

		fprintf(f, " %c%c", m & 0xf0 ? digits[v[i] >> 4] : 'X',
			m & 0x0f ? digits[v[i] & 0xf] : 'X');
	}
	fputc('\n', f);
}

static void
dump_udp(const struct dk_conf_checker *k, FILE *f)
{
	if (k->udp_payload_len)
		dump_hex(f, "payload", k->udp_payload, NULL, k->udp_payload_len);
	if (k->require_reply)
		dump_hex(f, "require_reply", k->udp_reply, k->udp_reply_mask, k->udp_reply_len);
	fprintf(f, "            min_reply_length %u\n", k->min_reply_len);
	fprintf(f, "            max_reply_length %u\n", k->max_reply_len);
}

static void
dump_checker(const struct dk_conf_checker *k, FILE *f)
{
	fprintf(f, "        %s {\n", dk_conf_checker_name(k->kind));
	kv_addr(f, 12, "connect_ip", &k->connect_ip);
	if (k->connect_port)
		fprintf(f, "            connect_port %u\n", k->connect_port);
	kv_addr(f, 12, "bindto", &k->bindto);
	if (k->bind_port)
		fprintf(f, "            bind_port %u\n", k->bind_port);
	kv_time(f, 12, "connect_timeout", k->connect_timeout_us);
	fprintf(f, "            retry %u\n", k->retry);
	kv_time(f, 12, "delay_before_retry", k->delay_before_retry_us);
	kv_time(f, 12, "delay_loop", k->delay_loop_us);
	kv_time(f, 12, "warmup", k->warmup_us);
	for (unsigned i = 0; i < k->n_urls; i++) {
		const struct dk_conf_url *u = &k->urls[i];

		fprintf(f, "            url {\n");
		kv_str(f, 16, "path", u->path);
		kv_str(f, 16, "digest", u->digest);
		if (u->n_status) {
			fprintf(f, "                status_code");
			for (unsigned j = 0; j < u->n_status; j++)
				fprintf(f, " %u-%u", u->status_lo[j], u->status_hi[j]);
			fputc('\n', f);
		}
		kv_str(f, 16, "virtualhost", u->virtualhost);
		fprintf(f, "            }\n");
	}
	kv_str(f, 12, "virtualhost", k->virtualhost);
	kv_flag(f, 12, "enable_sni", k->enable_sni);
	kv_str(f, 12, "helo_name", k->helo_name);
	if (k->kind == DK_CONF_CHECK_DNS) {
		kv_str(f, 12, "type", k->dns_type);
		kv_str(f, 12, "name", k->dns_name);
	}
	if (k->kind == DK_CONF_CHECK_UDP)
		dump_udp(k, f);
	kv_str(f, 12, "misc_path", k->misc_path);
	if (k->misc_timeout_us)
		kv_time(f, 12, "misc_timeout", k->misc_timeout_us);
	kv_flag(f, 12, "misc_dynamic", k->misc_dynamic);
	kv_str(f, 12, "track_file", k->track_file);
	if (k->weight)
		fprintf(f, "            weight %d\n", k->weight);
	fprintf(f, "        }\n");
}

static void
dump_vs(const struct dk_conf_vs *vs, FILE *f)
{
	char b[DK_ADDRSTRLEN];

	if (vs->key == DK_CONF_VS_GROUP)
		fprintf(f, "virtual_server group %s {\n", vs->group);
	else if (vs->key == DK_CONF_VS_FWMARK)
		fprintf(f, "virtual_server fwmark %u {\n", vs->fwmark);
	else
		fprintf(f, "virtual_server %s %u {\n", a2s(&vs->vip, b), vs->port);
	/* Inherited defaults first, so real servers read back the same values. */
	kv_time(f, 4, "delay_loop", vs->delay_loop_us);
	kv_time(f, 4, "connect_timeout", vs->connect_timeout_us);
	if (vs->retry)
		fprintf(f, "    retry %u\n", vs->retry);
	if (vs->delay_before_retry_us)
		kv_time(f, 4, "delay_before_retry", vs->delay_before_retry_us);
	kv_flag(f, 4, "inhibit_on_failure", vs->inhibit_on_failure);
	fprintf(f, "    lb_algo %s\n    lb_kind %s\n", vs->lb_algo, dk_conf_lb_kind_name(vs->lb_kind));
	kv_str(f, 4, "laddr_group", vs->laddr_group);
	if (vs->conn_full_stateless)
		fprintf(f, "    conn_full_policy stateless\n");
	kv_flag(f, 4, "lb_expire_nodest_conn", vs->expire_nodest_conn);
	if (vs->key != DK_CONF_VS_FWMARK)
		fprintf(f, "    protocol %s\n", dk_conf_proto_name(vs->proto));
	if (vs->persistence_timeout_us)
		kv_time(f, 4, "persistence_timeout", vs->persistence_timeout_us);
	if (vs->persistence_granularity.len)
		fprintf(f, "    persistence_granularity %u\n", vs->persistence_granularity.len);
	fprintf(f, "    quorum %u\n    hysteresis %u\n", vs->quorum, vs->hysteresis);
	kv_str(f, 4, "quorum_up", vs->quorum_up);
	kv_str(f, 4, "quorum_down", vs->quorum_down);
	if (vs->sorry_server.af)
		fprintf(f, "    sorry_server %s %u\n", a2s(&vs->sorry_server, b),
			vs->sorry_server_port);
	kv_flag(f, 4, "sorry_server_inhibit", vs->sorry_server_inhibit);
	kv_flag(f, 4, "ha_suspend", vs->ha_suspend);
	kv_flag(f, 4, "alpha", vs->alpha);
	kv_flag(f, 4, "omega", vs->omega);
	kv_str(f, 4, "virtualhost", vs->virtualhost);
	for (unsigned i = 0; i < vs->n_rs; i++) {
		const struct dk_conf_rs *rs = &vs->rs[i];

		fprintf(f, "    real_server %s %u {\n", a2s(&rs->ip, b), rs->port);
		fprintf(f, "        weight %d\n", rs->weight);
		fprintf(f, "        inhibit_on_failure %s\n", rs->inhibit_on_failure ? "on" : "off");
		kv_str(f, 8, "notify_up", rs->notify_up);
		kv_str(f, 8, "notify_down", rs->notify_down);
		if (rs->uthreshold)
			fprintf(f, "        uthreshold %u\n", rs->uthreshold);
		if (rs->lthreshold)
			fprintf(f, "        lthreshold %u\n", rs->lthreshold);
		for (unsigned j = 0; j < rs->n_checkers; j++)
			dump_checker(&rs->checkers[j], f);
		fprintf(f, "    }\n");
	}
	fprintf(f, "}\n\n");
}

static void
dump_groups(const struct dk_conf *c, FILE *f)
{
	char b[DK_ADDRSTRLEN];

	for (unsigned i = 0; i < c->n_vsgs; i++) {
		fprintf(f, "virtual_server_group %s {\n", c->vsgs[i].name);
		for (unsigned j = 0; j < c->vsgs[i].n_entries; j++) {
			const struct dk_conf_vsg_entry *e = &c->vsgs[i].entries[j];
			unsigned last = e->last.af == AF_INET ? e->last.b[3] :
					(unsigned)(e->last.b[14] << 8 | e->last.b[15]);

			if (e->fwmark)
				fprintf(f, "    fwmark %u\n", e->fwmark);
			else if (dk_addr_eq(&e->first, &e->last))
				fprintf(f, "    %s %u\n", a2s(&e->first, b), e->port);
			else
				fprintf(f, e->first.af == AF_INET ? "    %s-%u %u\n" : "    %s-%x %u\n",
					a2s(&e->first, b), last, e->port);
		}
		fprintf(f, "}\n\n");
	}
	for (unsigned i = 0; i < c->n_laddr_groups; i++) {
		char k[DK_CONF_NAMESIZ + 32];

		snprintf(k, sizeof(k), "local_address_group %s", c->laddr_groups[i].name);
		dump_addrs(f, 0, k, c->laddr_groups[i].addrs, c->laddr_groups[i].n_addrs);
		fputc('\n', f);
	}
}

void
dk_conf_dump(const struct dk_conf *c, FILE *f)
{
	dump_global(&c->global, f);
	for (unsigned i = 0; i < c->n_scripts; i++) {
		const struct dk_conf_vrrp_script *s = &c->scripts[i];

		fprintf(f, "vrrp_script %s {\n", s->name);
		kv_str(f, 4, "script", s->script);
		kv_time(f, 4, "interval", s->interval_us);
		if (s->timeout_us)
			kv_time(f, 4, "timeout", s->timeout_us);
		fprintf(f, "    weight %d%s\n    rise %u\n    fall %u\n", s->weight,
			s->weight_reverse ? " reverse" : "", s->rise, s->fall);
		kv_str(f, 4, "user", s->user);
		fprintf(f, "}\n\n");
	}
	for (unsigned i = 0; i < c->n_track_files; i++) {
		const struct dk_conf_track_file *t = &c->track_files[i];

		fprintf(f, "track_file %s {\n", t->name);
		kv_str(f, 4, "file", t->file);
		fprintf(f, "    weight %d%s\n", t->weight, t->weight_reverse ? " reverse" : "");
		kv_flag(f, 4, "init_file", t->init_file);
		fprintf(f, "}\n\n");
	}
	for (unsigned i = 0; i < c->n_vrrp; i++)
		dump_vrrp(&c->vrrp[i], f);
	for (unsigned i = 0; i < c->n_sync_groups; i++) {
		const struct dk_conf_sync_group *g = &c->sync_groups[i];

		fprintf(f, "vrrp_sync_group %s {\n    group {\n", g->name);
		for (unsigned j = 0; j < g->n_members; j++)
			fprintf(f, "        %s\n", g->members[j]);
		fprintf(f, "    }\n");
		kv_str(f, 4, "notify_master", g->notify_master);
		kv_str(f, 4, "notify_backup", g->notify_backup);
		kv_str(f, 4, "notify_fault", g->notify_fault);
		kv_str(f, 4, "notify", g->notify);
		kv_flag(f, 4, "smtp_alert", g->smtp_alert);
		fprintf(f, "}\n\n");
	}
	dump_groups(c, f);
	for (unsigned i = 0; i < c->n_vs; i++)
		dump_vs(&c->vs[i], f);
}
