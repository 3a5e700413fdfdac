#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "dk_conf.h"
#include "dk_profile.h"
#include "diag_capture.h"

static struct diag_capture cap;
static unsigned problems;

static struct dk_conf *
load(const char *text, int want_rc)
{
	struct dk_conf_load_params p = { .path = "k.conf", .text = text, .instance_id = "lb1" };
	struct dk_conf *c = NULL;
	int rc;

	diag_capture_init(&cap);
	rc = dk_conf_load_ex(&p, &c, &cap.diag, &problems);
	if (rc != want_rc)
		fail_msg("rc %d, want %d; diagnostics:\n%s", rc, want_rc, cap.all);
	assert_non_null(c);
	return c;
}

static const char vi_min[] =
	"vrrp_instance VI_1 {\n interface lo\n virtual_router_id 51\n"
	" virtual_ipaddress {\n  192.0.2.10/24 dev lo label lo:1\n  192.0.2.20-22\n }\n}\n";

static void
test_vrrp_defaults(void **state)
{
	struct dk_conf *c = load(vi_min, 0);
	const struct dk_conf_vrrp_instance *v = &c->vrrp[0];
	char b[64];

	(void)state;
	assert_int_equal(c->n_vrrp, 1);
	assert_string_equal(v->name, "VI_1");
	assert_int_equal(v->state, DK_CONF_STATE_BACKUP);
	assert_int_equal(v->priority, 100);
	assert_int_equal(v->version, 2);
	assert_int_equal(v->advert_int_us, 1000000);
	assert_int_equal(v->garp_master_delay_us, 5000000);
	assert_int_equal(v->garp_master_repeat, 5);
	assert_int_equal(v->garp_master_refresh_repeat, 1);
	assert_int_equal(v->n_vips, 4);
	assert_string_equal(dk_prefix_fmt(&v->vips[0].pfx, b, sizeof(b)), "192.0.2.10/24");
	assert_string_equal(v->vips[0].dev, "lo");
	assert_string_equal(dk_prefix_fmt(&v->vips[3].pfx, b, sizeof(b)), "192.0.2.22/32");
	assert_false(v->nopreempt);
	assert_int_equal(problems, 0);
	dk_conf_free(c);
}

static void
test_vrrp_fields(void **state)
{
	struct dk_conf *c = load(
		"global_defs { vrrp_version 3\n vrrp_garp_master_delay 2 }\n"
		"vrrp_script chk { script \"/bin/true arg\"\n interval 0.5\n weight -20\n fall 2 }\n"
		"vrrp_instance A {\n state MASTER\n interface lo\n virtual_router_id 7\n"
		" priority 200\n advert_int 0.25\n nopreempt\n preempt_delay 1.5\n"
		" authentication {\n  auth_type PASS\n  auth_pass secret\n }\n"
		" unicast_src_ip 2001:db8::5\n unicast_peer {\n  10.0.0.2\n  10.0.0.3\n }\n"
		" heartbeat_unicast_peer {\n  172.16.0.2\n }\n notify_split_brain /x/sb.sh\n"
		" track_script {\n  chk weight 10\n }\n track_interface {\n  lo weight -5\n }\n"
		" virtual_ipaddress {\n  2001:db8::1/64\n }\n use_vmac\n vmac_xmit_base\n accept\n}\n", 0);
	const struct dk_conf_vrrp_instance *v = &c->vrrp[0];

	(void)state;
	assert_int_equal(v->state, DK_CONF_STATE_MASTER);
	assert_int_equal(v->version, 3);
	assert_int_equal(v->priority, 200);
	assert_int_equal(v->advert_int_us, 250000);
	assert_true(v->nopreempt);
	assert_int_equal(v->preempt_delay_us, 1500000);
	assert_int_equal(v->garp_master_delay_us, 2000000);
	/* Parsed, then cleared as keepalived does: VRRPv3 has no authentication. */
	assert_int_equal(v->auth_type, DK_CONF_AUTH_NONE);
	assert_string_equal(v->auth_pass, "");
	assert_int_equal(problems, 1);
	assert_non_null(strstr(cap.first_warning,
			       "(A) VRRP version 3 does not support authentication. Ignoring."));
	assert_int_equal(v->n_unicast_peers, 2);
	assert_int_equal(v->n_heartbeat_peers, 1);
	assert_string_equal(v->notify_split_brain, "/x/sb.sh");
	assert_int_equal(v->n_track_scripts, 1);
	assert_int_equal(v->track_scripts[0].weight, 10);
	assert_int_equal(v->track_interfaces[0].weight, -5);
	assert_true(v->use_vmac);
	assert_true(v->accept);
	assert_int_equal(c->scripts[0].interval_us, 500000);
	assert_int_equal(c->scripts[0].weight, -20);
	assert_string_equal(c->scripts[0].script, "/bin/true arg");
	assert_int_equal(c->scripts[0].rise, 1);
	assert_int_equal(c->scripts[0].fall, 2);
	dk_conf_free(c);
}

static const char vs_text[] =
	"virtual_server 192.0.2.1 80 {\n lb_algo rr\n lb_kind DR\n persistence_timeout\n"
	" delay_loop 6\n lb_expire_nodest_conn\n"
	" real_server 10.0.0.1 8080 {\n  weight 3\n  HTTP_GET {\n   url {\n    path /\n"
	"    status_code 200-299 503\n   }\n   nb_get_retry 4\n  }\n }\n"
	" real_server 10.0.0.2 {\n  TCP_CHECK { connect_port 81 }\n  MISC_CHECK {\n"
	"   misc_path \"/bin/check x\"\n  }\n }\n}\n";

static void
test_vs_defaults(void **state)
{
	struct dk_conf *c = load(vs_text, 0);
	const struct dk_conf_vs *vs = &c->vs[0];
	const struct dk_conf_checker *k;

	(void)state;
	assert_int_equal(c->n_vs, 1);
	assert_int_equal(vs->port, 80);
	assert_string_equal(vs->lb_algo, "rr");
	assert_int_equal(vs->lb_kind, DK_CONF_LB_DR);
	assert_int_equal(vs->proto, DK_CONF_PROTO_TCP);
	assert_int_equal(vs->persistence_timeout_us, 360000000);
	assert_int_equal(vs->quorum, 1);
	assert_true(vs->expire_nodest_conn);
	assert_int_equal(vs->n_rs, 2);
	assert_int_equal(vs->rs[0].weight, 3);
	assert_int_equal(vs->rs[1].weight, 1);
	assert_int_equal(vs->rs[1].port, 80);
	k = &vs->rs[0].checkers[0];
	assert_int_equal(k->kind, DK_CONF_CHECK_HTTP);
	assert_int_equal(k->retry, 4);
	assert_int_equal(k->connect_timeout_us, 5000000);
	assert_int_equal(k->delay_loop_us, 6000000);
	assert_int_equal(k->urls[0].n_status, 2);
	assert_int_equal(k->urls[0].status_hi[1], 503);
	assert_int_equal(vs->rs[1].checkers[0].connect_port, 81);
	assert_int_equal(vs->rs[1].checkers[1].retry, 0);
	assert_string_equal(vs->rs[1].checkers[1].misc_path, "/bin/check x");
	dk_conf_free(c);

	c = load("virtual_server 192.0.2.1 80 {\n}\n", 0);
	assert_string_equal(c->vs[0].lb_algo, "wlc");
	assert_false(c->vs[0].expire_nodest_conn);
	assert_int_equal(c->vs[0].lb_kind, DK_CONF_LB_NAT);
	assert_int_equal(c->vs[0].delay_loop_us, 60000000);
	assert_int_equal(c->vs[0].persistence_timeout_us, 0);
	dk_conf_free(c);
}

static void
test_fnat_extension(void **state)
{
	struct dk_conf *c = load(
		"local_address_group L {\n 10.9.0.1\n 10.9.0.2\n}\n"
		"virtual_server 192.0.2.1 443 {\n lb_kind FNAT\n laddr_group L\n}\n", 0);

	(void)state;
	assert_int_equal(c->vs[0].lb_kind, DK_CONF_LB_FNAT);
	assert_string_equal(c->vs[0].laddr_group, "L");
	assert_int_equal(c->laddr_groups[0].n_addrs, 2);
	dk_conf_free(c);
}

struct err_case {
	const char *text;
	const char *msg;
};

static const struct err_case errs[] = {
	{ "vrrp_instance V {\n virtual_router_id 1\n}\n", "k.conf:1: (V) no interface specified" },
	{ "vrrp_instance V {\n interface lo\n}\n",
	  "k.conf:1: (V) the virtual router id must be set" },
	{ "vrrp_instance V {\n interface lo\n virtual_router_id 256\n}\n",
	  "k.conf:3: 'virtual_router_id' must be a number in 1..255, not '256'" },
	{ "vrrp_instance V {\n interface lo\n virtual_router_id 1\n priority 0\n}\n",
	  "k.conf:4: 'priority' must be a number in 1..255, not '0'" },
	{ "vrrp_instance V {\n interface lo\n virtual_router_id 1\n state UP\n}\n",
	  "k.conf:4: (V) state must be MASTER or BACKUP, not 'UP'" },
	{ "vrrp_instance V {\n interface lo\n virtual_router_id 1\n advert_int x\n}\n",
	  "k.conf:4: 'advert_int' must be a time in 0.01..255 seconds, not 'x'" },
	{ "vrrp_instance V {\n interface lo\n virtual_router_id 1\n virtual_ipaddress {\n"
	  "  10.0.0.300\n }\n}\n", "k.conf:5: (V) bad virtual address '10.0.0.300'" },
	{ "vrrp_instance V {\n interface lo\n virtual_router_id 1\n}\n"
	  "vrrp_instance W {\n interface lo\n virtual_router_id 1\n}\n",
	  "k.conf:5: (W) virtual_router_id 1 is already used by V on lo" },
	{ "virtual_server 1.2.3.4 80 {\n lb_algo best\n}\n", "k.conf:2: unknown scheduler 'best'" },
	{ "virtual_server 1.2.3.4 80 {\n lb_kind NAPT\n}\n",
	  "k.conf:2: lb_kind must be NAT, DR, TUN or FNAT, not 'NAPT'" },
	{ "virtual_server 1.2.3.4 99999 {\n}\n", "k.conf:1: bad virtual_server port '99999'" },
	{ "virtual_server group G 80 {\n}\n", "k.conf:1: 'virtual_server': bad IP address 'group'" },
	{ "virtual_server group G {\n}\n", "k.conf:1: virtual_server_group G does not exist" },
	{ "virtual_server 1.2.3.4 80 {\n lb_kind FNAT\n}\n", "k.conf:1: lb_kind FNAT needs laddr_group" },
	{ "virtual_server 1.2.3.4 80 {\n real_server 10.0.0.1 80 {\n  MISC_CHECK {\n  }\n }\n}\n",
	  "k.conf:3: MISC_CHECK without misc_path" },
	{ "virtual_server 1.2.3.4 80 {\n real_server 10.0.0.1 80 {\n  HTTP_GET {\n   url {\n"
	  "    status_code 700\n   }\n  }\n }\n}\n", "k.conf:5: bad status_code '700'" },
	{ "virtual_server 1.2.3.4 80 {\n real_server 10.0.0.1 80 {\n  TCP_CHECK {\n"
	  "   connect_timeout -1\n  }\n }\n}\n",
	  "k.conf:4: 'connect_timeout' must be a time in 0.001..3600 seconds, not '-1'" },
	{ "virtual_server 1.2.3.4 53 {\n real_server 10.0.0.1 53 {\n  UDP_CHECK {\n"
	  "   payload 5X\n  }\n }\n}\n", "k.conf:4: 'payload': '5X' is not a hex string" },
	{ "virtual_server 1.2.3.4 53 {\n real_server 10.0.0.1 53 {\n  UDP_CHECK {\n"
	  "   min_reply_length 300\n  }\n }\n}\n",
	  "k.conf:3: min_reply_length 300 above max_reply_length 255" },
	{ "global_defs {\n vrrp_version 4\n}\n",
	  "k.conf:2: 'vrrp_version' must be a number in 2..3, not '4'" },
	{ "vrrp_instance V\n", "k.conf:1: 'vrrp_instance' needs a { } block" },
};

static void
test_errors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct dk_conf_load_params p = { .path = "k.conf", .text = errs[i].text,
						 .instance_id = "x" };
		struct dk_conf *c = NULL;
		int rc;

		diag_capture_init(&cap);
		rc = dk_conf_load_ex(&p, &c, &cap.diag, NULL);
		if (rc != -EINVAL || strcmp(cap.first_error, errs[i].msg) != 0)
			fail_msg("case %zu: rc %d, got '%s', want '%s'", i, rc, cap.first_error,
				 errs[i].msg);
		dk_conf_free(c);
	}
}

static void
test_warnings(void **state)
{
	struct dk_conf *c;

	(void)state;
	c = load("global_defs {\n enable_snmp_vrrp\n}\nfoo_bar 1\n", 0);
	assert_string_equal(cap.first_warning,
			    "k.conf:2: warning: 'enable_snmp_vrrp' is not supported by dpkeep, ignored");
	assert_int_equal(problems, 1); /* the unknown keyword, not the ignored one */
	assert_non_null(strstr(cap.all, "k.conf:4: warning: Unknown keyword 'foo_bar'"));
	dk_conf_free(c);
	c = load("vrrp_sync_group G {\n V\n}\n" "vrrp_instance V {\n interface lo\n"
		 " virtual_router_id 1\n}\n", 0);
	assert_int_equal(c->sync_groups[0].n_members, 1);
	assert_int_equal(problems, 0);
	dk_conf_free(c);
}

/* keepalived's lvs_timeouts: any of tcp/tcpfin/udp, seconds; dumped back as given. */
static void
test_lvs_timeouts(void **state)
{
	struct dk_conf *c;

	(void)state;
	c = load("global_defs {\n lvs_timeouts tcp 7200 tcpfin 2 udp 30\n}\n", 0);
	assert_int_equal(problems, 0);
	assert_int_equal(c->global.lvs_timeout_tcp_s, 7200);
	assert_int_equal(c->global.lvs_timeout_tcpfin_s, 2);
	assert_int_equal(c->global.lvs_timeout_udp_s, 30);
	dk_conf_free(c);
	c = load("global_defs {\n lvs_timeouts udp 5\n}\n", 0);
	assert_int_equal(c->global.lvs_timeout_udp_s, 5);
	assert_int_equal(c->global.lvs_timeout_tcp_s, 0);
	dk_conf_free(c);
	c = load("global_defs {\n lvs_timeouts fin 2\n}\n", -EINVAL);
	assert_non_null(strstr(cap.all, "k.conf:2: lvs_timeouts: unknown timeout 'fin'"));
	dk_conf_free(c);
	c = load("global_defs {\n lvs_timeouts tcp 0\n}\n", -EINVAL);
	assert_non_null(strstr(cap.all, "lvs_timeouts: tcp '0' is not 1..2678400 seconds"));
	dk_conf_free(c);
	c = load("global_defs {\n lvs_timeouts tcp\n}\n", -EINVAL);
	assert_non_null(strstr(cap.all, "lvs_timeouts: tcp needs a number of seconds"));
	dk_conf_free(c);
}

static void
test_equal_helpers(void **state)
{
	struct dk_conf *a = load(vs_text, 0), *b = load(vs_text, 0);

	(void)state;
	assert_true(dk_conf_equal(a, b));
	assert_true(dk_conf_vs_equal(&a->vs[0], &b->vs[0]));
	b->vs[0].rs[0].checkers[0].retry++;
	assert_false(dk_conf_vs_equal(&a->vs[0], &b->vs[0]));
	assert_true(dk_conf_rs_equal(&a->vs[0].rs[1], &b->vs[0].rs[1]));
	assert_ptr_equal(dk_conf_find_vs(b, &a->vs[0]), &b->vs[0]);
	dk_conf_free(a);
	dk_conf_free(b);
	a = load(vi_min, 0);
	b = load(vi_min, 0);
	assert_true(dk_conf_vrrp_instance_equal(&a->vrrp[0], &b->vrrp[0]));
	b->vrrp[0].vips[2].pfx.len = 31;
	assert_false(dk_conf_vrrp_instance_equal(&a->vrrp[0], &b->vrrp[0]));
	assert_non_null(dk_conf_find_vrrp(a, "VI_1"));
	assert_null(dk_conf_find_vrrp(a, "VI_2"));
	dk_conf_free(a);
	dk_conf_free(b);
}

static void
test_dump_roundtrip(void **state)
{
	static const char *const texts[] = {
		vs_text, vi_min, "global_defs {\n lvs_timeouts tcpfin 3 udp 40\n}\n",
	};

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		struct dk_conf *a = load(texts[i], 0), *b;
		char *d1 = NULL, *d2 = NULL;
		size_t l1, l2;
		FILE *f = open_memstream(&d1, &l1);

		dk_conf_dump(a, f);
		fclose(f);
		b = load(d1, 0);
		assert_true(dk_conf_equal(a, b));
		f = open_memstream(&d2, &l2);
		dk_conf_dump(b, f);
		fclose(f);
		assert_string_equal(d1, d2);
		free(d1);
		free(d2);
		dk_conf_free(a);
		dk_conf_free(b);
	}
}

static const char fifo_text[] =
	"global_defs {\n notify_fifo /run/dk.fifo root root\n"
	" notify_fifo_script /usr/local/bin/fifo-reader --follow\n}\n";

/* The FIFO path and reader survive dump and reload, and a different path is a change. */
static void
test_notify_fifo(void **state)
{
	struct dk_conf *a = load(fifo_text, 0), *b, *d;
	char *txt = NULL;
	size_t len;
	FILE *f = open_memstream(&txt, &len);

	(void)state;
	assert_string_equal(a->global.notify_fifo, "/run/dk.fifo");
	assert_string_equal(a->global.notify_fifo_script, "/usr/local/bin/fifo-reader --follow");
	assert_int_equal(problems, 0);
	dk_conf_dump(a, f);
	fclose(f);
	assert_non_null(strstr(txt, "notify_fifo /run/dk.fifo\n"));
	b = load(txt, 0);
	assert_true(dk_conf_equal(a, b));
	d = load("global_defs {\n notify_fifo /run/other.fifo\n}\n", 0);
	assert_false(dk_conf_equal(a, d));
	assert_string_equal(d->global.notify_fifo_script, "");
	dk_conf_free(d);
	d = load("global_defs {\n notify_fifo /run/x.fifo u g extra\n}\n", -EINVAL);
	assert_non_null(strstr(cap.all, "notify_fifo takes a path"));
	dk_conf_free(d);
	free(txt);
	dk_conf_free(a);
	dk_conf_free(b);
}

static const char udp_text[] =
	"virtual_server 192.0.2.10 53 {\n protocol UDP\n"
	" real_server 198.51.100.11 53 {\n"
	"  UDP_CHECK {\n   payload Ab12f 3 456 546443123\n"
	"   require_reply 504f 4e47 2dX\n   min_reply_length 4\n   max_reply_length 16\n  }\n"
	"  UDP_CHECK {\n  }\n }\n}\n";

static void
test_udp_check(void **state)
{
	static const uint8_t payload[] = { 0xab, 0x12, 0x0f, 0x03, 0x45, 0x06, 0x54, 0x64, 0x43,
					   0x12, 0x03 };
	static const uint8_t reply[] = { 0x50, 0x4f, 0x4e, 0x47, 0x2d, 0x00 };
	static const uint8_t mask[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0 };
	struct dk_conf *a = load(udp_text, 0), *b;
	const struct dk_conf_checker *k = &a->vs[0].rs[0].checkers[0];
	char *d = NULL;
	size_t l;
	FILE *f;

	(void)state;
	assert_int_equal(problems, 0);
	assert_int_equal(k->udp_payload_len, sizeof(payload));
	assert_memory_equal(k->udp_payload, payload, sizeof(payload));
	assert_true(k->require_reply);
	assert_int_equal(k->udp_reply_len, sizeof(reply));
	assert_memory_equal(k->udp_reply, reply, sizeof(reply));
	assert_memory_equal(k->udp_reply_mask, mask, sizeof(mask));
	assert_int_equal(k->min_reply_len, 4);
	assert_int_equal(k->max_reply_len, 16);
	/* keepalived's defaults: no payload, no reply required, 0..255 bytes */
	k = &a->vs[0].rs[0].checkers[1];
	assert_int_equal(k->udp_payload_len, 0);
	assert_false(k->require_reply);
	assert_int_equal(k->min_reply_len, 0);
	assert_int_equal(k->max_reply_len, 255);
	/* dump parses back to the same checkers, wildcard nibble included */
	f = open_memstream(&d, &l);
	dk_conf_dump(a, f);
	fclose(f);
	assert_non_null(strstr(d, "require_reply 50 4f 4e 47 2d 0X\n"));
	b = load(d, 0);
	assert_true(dk_conf_equal(a, b));
	b->vs[0].rs[0].checkers[0].udp_payload[0] ^= 1;
	assert_false(dk_conf_rs_equal(&a->vs[0].rs[0], &b->vs[0].rs[0]));
	free(d);
	dk_conf_free(a);
	dk_conf_free(b);
}

static void
test_ports_profile(void **state)
{
	struct dk_profile prof;
	struct dk_conf_load_params p = { .path = "k.conf", .text = vi_min, .instance_id = "x",
					 .ports = &prof };
	struct dk_conf *c = NULL;

	(void)state;
	diag_capture_init(&cap);
	assert_int_equal(dk_profile_parse_string("port f0 { device x }\n", "p", &prof,
						 &cap.diag), 0);
	assert_int_equal(dk_conf_load_ex(&p, &c, &cap.diag, NULL), -EINVAL);
	assert_string_equal(cap.first_error, "k.conf:2: interface lo is not a port of the profile p");
	dk_conf_free(c);
}

/* keepalived -t's own words for what VRRPv3 and vrrp_strict clear or reset. */
static const struct {
	const char *global, *body, *warning;
} strict_cases[] = {
	{ "vrrp_strict", " authentication {\n  auth_type PASS\n  auth_pass x\n }\n",
	  "(V) Strict mode does not support authentication. Ignoring." },
	{ "vrrp_strict", " authentication {\n  auth_type AH\n  auth_pass x\n }\n",
	  "(V) Strict mode does not support authentication. Ignoring." },
	{ "vrrp_version 3", " authentication {\n  auth_type PASS\n  auth_pass x\n }\n",
	  "(V) VRRP version 3 does not support authentication. Ignoring." },
	{ "vrrp_strict", " accept\n", "(V) warning - accept mode for VRRP "
	  "version 2 does not comply with RFC3768 - resetting" },
	{ "vrrp_strict", " state MASTER\n",
	  "(V) State MASTER must match being address owner" },
	{ "vrrp_strict", " priority 255\n",
	  "(V) State MASTER must match being address owner" },
	{ "vrrp_strict", " garp_lower_prio_repeat 2\n",
	  "(V) Strict mode requires no repeat garps. resetting" },
	{ "vrrp_strict\n vrrp_version 3", " virtual_ipaddress {\n  2001:db8::1/64\n }\n",
	  "(V) the first IPv6 VIP address must be link local" },
	/* Allowed: what keepalived -t passes without a word. */
	{ "vrrp_strict\n vrrp_version 3", " accept\n priority 255\n state MASTER\n", NULL },
	{ "vrrp_strict\n vrrp_version 3",
	  " virtual_ipaddress {\n  fe80::1/64\n  2001:db8::1/64\n }\n", NULL },
	{ "vrrp_version 2", " accept\n state MASTER\n garp_lower_prio_repeat 2\n"
	  " authentication {\n  auth_type PASS\n  auth_pass x\n }\n", NULL },
};

static void
test_strict_rules(void **state)
{
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(strict_cases) / sizeof(strict_cases[0]); i++) {
		struct dk_conf *c;
		const struct dk_conf_vrrp_instance *v;
		const char *w;

		snprintf(text, sizeof(text), "global_defs {\n %s\n}\nvrrp_instance V {\n"
			 " interface lo\n virtual_router_id 1\n%s}\n", strict_cases[i].global,
			 strict_cases[i].body);
		c = load(text, 0);
		v = &c->vrrp[0];
		if (strict_cases[i].warning == NULL) {
			if (problems != 0)
				fail_msg("case %zu: %s", i, cap.all);
			if (strstr(strict_cases[i].body, "auth_type PASS")) {
				assert_int_equal(v->auth_type, DK_CONF_AUTH_PASS);
				assert_string_equal(v->auth_pass, "x");
				assert_true(v->accept);
				assert_int_equal(v->garp_lower_prio_repeat, 2);
			}
			dk_conf_free(c);
			continue;
		}
		w = strstr(cap.first_warning, "warning: ");
		if (problems != 1 || w == NULL || strcmp(w + 9, strict_cases[i].warning) != 0)
			fail_msg("case %zu: %u problem(s), got '%s'", i, problems, cap.first_warning);
		/* What was cleared stays cleared: the instance runs as keepalived's would. */
		assert_int_equal(v->auth_type, DK_CONF_AUTH_NONE);
		assert_string_equal(v->auth_pass, "");
		assert_false(v->accept);
		assert_int_equal(v->garp_lower_prio_repeat, 0);
		assert_int_equal(v->state == DK_CONF_STATE_MASTER, v->priority == 255);
		dk_conf_free(c);
	}
}

/* mcast_src_ip and unicast_src_ip are keepalived's one source-address setting. */
static void
test_src_ip(void **state)
{
	static const struct {
		const char *body, *want, *warning;
	} cases[] = {
		{ " mcast_src_ip 192.0.2.9\n", "192.0.2.9", NULL },
		{ " unicast_src_ip 192.0.2.8\n mcast_src_ip 192.0.2.9\n", "192.0.2.9", NULL },
		{ " mcast_src_ip 192.0.2.9\n unicast_src_ip 192.0.2.8\n", "192.0.2.8", NULL },
		{ " mcast_src_ip 2001:db8::9\n", NULL,
		  "Configuration error: VRRP instance[V] and src address[2001:db8::9] MUST be "
		  "of the same family !!! Skipping..." },
	};
	char text[512], b[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dk_conf *c;
		const struct dk_addr *src;
		const char *w;

		snprintf(text, sizeof(text), "vrrp_instance V {\n interface lo\n"
			 " virtual_router_id 1\n virtual_ipaddress {\n  192.0.2.50/24\n }\n%s}\n",
			 cases[i].body);
		c = load(text, 0);
		src = dk_conf_vrrp_src_ip(&c->vrrp[0]);
		if (cases[i].want) {
			if (problems != 0)
				fail_msg("case %zu: %s", i, cap.all);
			assert_string_equal(dk_addr_fmt(src, b, sizeof(b)), cases[i].want);
			/* the other name is cleared: one setting, the last given */
			assert_int_equal(c->vrrp[0].mcast_src_ip.af && c->vrrp[0].unicast_src_ip.af,
					 0);
		} else {
			w = strstr(cap.first_warning, "warning: ");
			if (problems != 1 || w == NULL || strcmp(w + 9, cases[i].warning) != 0)
				fail_msg("case %zu: %u problem(s), got '%s'", i, problems,
					 cap.first_warning);
			assert_int_equal(src->af, 0);
		}
		dk_conf_free(c);
	}
}

/* keepalived's rule: unicast adverts under use_vmac leave from the base MAC. */
static void
test_unicast_vmac(void **state)
{
	struct dk_conf *c;
	const char *w;

	(void)state;
	c = load("vrrp_instance V {\n interface lo\n virtual_router_id 1\n use_vmac\n"
		 " unicast_peer {\n  192.0.2.3\n }\n}\n", 0);
	w = strstr(cap.first_warning, "warning: ");
	if (problems != 1 || w == NULL ||
	    strcmp(w + 9, "(V) unicast with use_vmac requires vmac_xmit_base - setting") != 0)
		fail_msg("%u problem(s), got '%s'", problems, cap.first_warning);
	assert_true(c->vrrp[0].use_vmac);
	assert_true(c->vrrp[0].vmac_xmit_base);
	dk_conf_free(c);
	c = load("vrrp_instance V {\n interface lo\n virtual_router_id 1\n use_vmac\n"
		 " vmac_xmit_base\n unicast_peer {\n  192.0.2.3\n }\n}\n", 0);
	assert_int_equal(problems, 0);
	dk_conf_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vrrp_defaults),
		cmocka_unit_test(test_vrrp_fields),
		cmocka_unit_test(test_vs_defaults),
		cmocka_unit_test(test_fnat_extension),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_lvs_timeouts),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_equal_helpers),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_udp_check),
		cmocka_unit_test(test_notify_fifo),
		cmocka_unit_test(test_ports_profile),
		cmocka_unit_test(test_strict_rules),
		cmocka_unit_test(test_src_ip),
		cmocka_unit_test(test_unicast_vmac),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
