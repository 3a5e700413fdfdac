/*
 * keepalived.conf as plain values for the VRRP, LB and health-check subsystems.
 *
 * Units: every time is a uint64_t in microseconds (suffix _us); weights and counts are
 * plain integers. Strings are fixed arrays ("" = unset). Lists are arrays with a count,
 * allocated by the parser and released by dk_conf_free(). Every element is zero-filled
 * before it is set, so the *_equal() helpers can compare values byte for byte.
 */
#ifndef DK_CONF_H
#define DK_CONF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dk_addr.h"
#include "dk_diag.h"

#define DK_CONF_NAMESIZ 64
#define DK_CONF_IFNAMSIZ 32
#define DK_CONF_PATHSIZ 512
#define DK_LVS_TIMEOUT_MAX_S 2678400	/* 31 days, IPVS's limit */

enum dk_conf_vrrp_state { DK_CONF_STATE_BACKUP, DK_CONF_STATE_MASTER };
enum dk_conf_auth { DK_CONF_AUTH_NONE, DK_CONF_AUTH_PASS, DK_CONF_AUTH_AH };
enum dk_conf_proto { DK_CONF_PROTO_TCP, DK_CONF_PROTO_UDP, DK_CONF_PROTO_SCTP };
/* NAT, DR and TUN are keepalived's; FNAT (full NAT with local addresses) is dpkeep's. */
enum dk_conf_lb_kind { DK_CONF_LB_NAT, DK_CONF_LB_DR, DK_CONF_LB_TUN, DK_CONF_LB_FNAT };

#define DK_CONF_CHECKERS(X) \
	X(DK_CONF_CHECK_TCP, "TCP_CHECK") \
	X(DK_CONF_CHECK_HTTP, "HTTP_GET") \
	X(DK_CONF_CHECK_SSL, "SSL_GET") \
	X(DK_CONF_CHECK_UDP, "UDP_CHECK") \
	X(DK_CONF_CHECK_PING, "PING_CHECK") \
	X(DK_CONF_CHECK_DNS, "DNS_CHECK") \
	X(DK_CONF_CHECK_SMTP, "SMTP_CHECK") \
	X(DK_CONF_CHECK_MISC, "MISC_CHECK") \
	X(DK_CONF_CHECK_FILE, "FILE_CHECK")

enum dk_conf_check_kind {
#define X(n, s) n,
	DK_CONF_CHECKERS(X)
#undef X
	DK_CONF_CHECK_MAX
};

struct dk_conf_vip {
	struct dk_prefix pfx;
	char dev[DK_CONF_IFNAMSIZ];    /* "" : the instance's interface */
	char label[DK_CONF_IFNAMSIZ];
	uint8_t scope;                 /* 0 global (ip's numbering) */
};

/* A tracked thing (interface, script, file) and the weight it adds or subtracts. */
struct dk_conf_track {
	char name[DK_CONF_NAMESIZ];
	int weight;                    /* 0: a failure means FAULT */
	bool reverse;
};

struct dk_conf_vrrp_instance {
	char name[DK_CONF_NAMESIZ];
	enum dk_conf_vrrp_state state; /* initial state (default BACKUP) */
	char interface[DK_CONF_IFNAMSIZ];
	uint8_t vrid;                  /* virtual_router_id 1..255 */
	uint8_t priority;              /* 1..255, default 100 */
	uint8_t version;               /* 2 or 3 (global vrrp_version, default 2) */
	uint64_t advert_int_us;        /* default 1 s */
	enum dk_conf_auth auth_type;
	char auth_pass[9];             /* at most 8 characters, as on the wire */
	/* One setting under two names, as in keepalived (the last one given is set, the
	 * other cleared): the adverts' source, multicast or unicast; af 0: the port's. */
	struct dk_addr unicast_src_ip;
	struct dk_addr mcast_src_ip;
	bool nopreempt;
	uint64_t preempt_delay_us;
	uint64_t garp_master_delay_us; /* default 5 s */
	unsigned garp_master_repeat;   /* default 5 */
	uint64_t garp_master_refresh_us;
	unsigned garp_master_refresh_repeat; /* default 1 */
	uint64_t garp_lower_prio_delay_us;
	unsigned garp_lower_prio_repeat;
	bool use_vmac;
	char vmac_name[DK_CONF_IFNAMSIZ];
	bool vmac_xmit_base;
	bool accept;
	bool dont_track_primary;
	bool skip_check_adv_addr;
	bool strict_mode;
	bool smtp_alert;
	bool lower_prio_no_advert;
	bool higher_prio_send_advert;
	char notify_master[DK_CONF_PATHSIZ];
	char notify_backup[DK_CONF_PATHSIZ];
	char notify_fault[DK_CONF_PATHSIZ];
	char notify_stop[DK_CONF_PATHSIZ];
	char notify[DK_CONF_PATHSIZ];
	char notify_split_brain[DK_CONF_PATHSIZ]; /* dpkeep: two masters seen */
	int line;
	/* lists (pointers last: the *_equal helpers compare them element by element) */
	struct dk_conf_vip *vips;
	unsigned n_vips;
	struct dk_conf_vip *vips_excluded;
	unsigned n_vips_excluded;
	struct dk_addr *unicast_peers;
	unsigned n_unicast_peers;
	struct dk_addr *heartbeat_peers; /* dpkeep: second heartbeat path (unicast) */
	unsigned n_heartbeat_peers;
	struct dk_conf_track *track_interfaces;
	unsigned n_track_interfaces;
	struct dk_conf_track *track_scripts;
	unsigned n_track_scripts;
	struct dk_conf_track *track_files;
	unsigned n_track_files;
};

struct dk_conf_sync_group {
	char name[DK_CONF_NAMESIZ];
	char notify_master[DK_CONF_PATHSIZ];
	char notify_backup[DK_CONF_PATHSIZ];
	char notify_fault[DK_CONF_PATHSIZ];
	char notify[DK_CONF_PATHSIZ];
	bool smtp_alert;
	int line;
	char (*members)[DK_CONF_NAMESIZ]; /* vrrp_instance names */
	unsigned n_members;
};

struct dk_conf_vrrp_script {
	char name[DK_CONF_NAMESIZ];
	char script[DK_CONF_PATHSIZ];
	uint64_t interval_us;          /* default 1 s */
	uint64_t timeout_us;           /* 0: interval */
	int weight;
	bool weight_reverse;
	unsigned rise;                 /* default 1 */
	unsigned fall;                 /* default 1 */
	char user[DK_CONF_NAMESIZ];
	int line;
};

struct dk_conf_track_file {
	char name[DK_CONF_NAMESIZ];
	char file[DK_CONF_PATHSIZ];
	int weight;
	bool weight_reverse;
	bool init_file;
	int line;
};

#define DK_CONF_MAX_URLS 8
#define DK_CONF_MAX_STATUS 8
/* UDP_CHECK payload and expected reply: a datagram a small service answers */
#define DK_CONF_UDP_DATA_MAX 512

struct dk_conf_url {
	char path[DK_CONF_PATHSIZ];
	char digest[33];               /* md5 hex, "" : not checked */
	/* accepted status code ranges; none given: 200-299 */
	uint16_t status_lo[DK_CONF_MAX_STATUS];
	uint16_t status_hi[DK_CONF_MAX_STATUS];
	unsigned n_status;
	char virtualhost[256];
};

struct dk_conf_checker {
	enum dk_conf_check_kind kind;
	struct dk_addr connect_ip;     /* af 0: the real server */
	uint16_t connect_port;         /* 0: the real server's port */
	struct dk_addr bindto;
	uint16_t bind_port;
	uint64_t connect_timeout_us;   /* default 5 s */
	unsigned retry;                /* default 1 (HTTP/SSL 1, MISC 0) */
	uint64_t delay_before_retry_us;/* default 1 s */
	uint64_t delay_loop_us;        /* default: the virtual server's */
	uint64_t warmup_us;
	unsigned alpha_fall;           /* unused unless alpha mode */
	int weight;                    /* FILE_CHECK/MISC dynamic weight scale */
	/* HTTP_GET / SSL_GET */
	struct dk_conf_url urls[DK_CONF_MAX_URLS];
	unsigned n_urls;
	char virtualhost[256];
	bool enable_sni;
	/* SMTP_CHECK */
	char helo_name[256];
	/* DNS_CHECK */
	char dns_type[8];              /* default SOA */
	char dns_name[256];            /* default "." */
	/* UDP_CHECK */
	bool require_reply;
	uint8_t udp_payload[DK_CONF_UDP_DATA_MAX];   /* payload HEX_STR; none: empty */
	unsigned udp_payload_len;
	uint8_t udp_reply[DK_CONF_UDP_DATA_MAX];     /* require_reply HEX_STR */
	uint8_t udp_reply_mask[DK_CONF_UDP_DATA_MAX];/* 0 nibbles: X in the HEX_STR */
	unsigned udp_reply_len;
	uint32_t min_reply_len;        /* default 0 */
	uint32_t max_reply_len;        /* default 255 */
	/* MISC_CHECK */
	char misc_path[DK_CONF_PATHSIZ];
	uint64_t misc_timeout_us;      /* 0: delay_loop */
	bool misc_dynamic;
	/* FILE_CHECK */
	char track_file[DK_CONF_NAMESIZ];
	int line;
};

struct dk_conf_rs {
	struct dk_addr ip;
	uint16_t port;                 /* default: the virtual server's port */
	int weight;                    /* default 1 */
	bool inhibit_on_failure;
	char notify_up[DK_CONF_PATHSIZ];
	char notify_down[DK_CONF_PATHSIZ];
	unsigned uthreshold, lthreshold;
	int line;
	struct dk_conf_checker *checkers;
	unsigned n_checkers;
};

enum dk_conf_vs_key { DK_CONF_VS_ADDR, DK_CONF_VS_GROUP, DK_CONF_VS_FWMARK };

struct dk_conf_vs {
	enum dk_conf_vs_key key;
	struct dk_addr vip;            /* key ADDR */
	char group[DK_CONF_NAMESIZ];   /* key GROUP */
	uint32_t fwmark;               /* key FWMARK */
	uint16_t port;                 /* 0: all ports */
	enum dk_conf_proto proto;      /* default TCP */
	char lb_algo[16];              /* default wlc */
	enum dk_conf_lb_kind lb_kind;  /* default NAT */
	char laddr_group[DK_CONF_NAMESIZ]; /* dpkeep FNAT local addresses */
	bool conn_full_stateless;      /* dpkeep: table full -> Maglev, no entry */
	bool expire_nodest_conn;       /* dpkeep: a removed real server's flows end */
	uint64_t persistence_timeout_us; /* 0: none; bare keyword: 360 s */
	struct dk_prefix persistence_granularity;
	unsigned quorum;               /* default 1 */
	unsigned hysteresis;
	char quorum_up[DK_CONF_PATHSIZ];
	char quorum_down[DK_CONF_PATHSIZ];
	struct dk_addr sorry_server;   /* af 0: none */
	uint16_t sorry_server_port;
	bool sorry_server_inhibit;
	uint64_t delay_loop_us;        /* default 60 s */
	bool ha_suspend;
	bool inhibit_on_failure;       /* default for its real servers */
	bool alpha, omega;
	char virtualhost[256];
	uint64_t connect_timeout_us;   /* default for checkers (5 s) */
	unsigned retry;                /* 0: per checker default */
	uint64_t delay_before_retry_us;
	int line;
	struct dk_conf_rs *rs;
	unsigned n_rs;
};

/* One entry of a virtual_server_group: an address range (first..last) and port, or
 * a fwmark. */
struct dk_conf_vsg_entry {
	struct dk_addr first, last;
	uint16_t port;
	uint32_t fwmark;               /* non-zero: a fwmark entry */
};

struct dk_conf_vsg {
	char name[DK_CONF_NAMESIZ];
	int line;
	struct dk_conf_vsg_entry *entries;
	unsigned n_entries;
};

/* dpkeep: a pool of local (source) addresses for FNAT. */
struct dk_conf_laddr_group {
	char name[DK_CONF_NAMESIZ];
	int line;
	struct dk_addr *addrs;
	unsigned n_addrs;
};

struct dk_conf_global {
	char router_id[DK_CONF_NAMESIZ];  /* default: the host name */
	char notification_email_from[256];
	char smtp_server[256];
	uint64_t smtp_connect_timeout_us; /* default 30 s */
	uint8_t vrrp_version;             /* default 2 */
	bool vrrp_strict;
	bool vrrp_skip_check_adv_addr;
	uint64_t vrrp_garp_master_delay_us;  /* default 5 s */
	unsigned vrrp_garp_master_repeat;    /* default 5 */
	uint64_t vrrp_garp_master_refresh_us;
	unsigned vrrp_garp_master_refresh_repeat; /* default 1 */
	struct dk_addr vrrp_mcast_group4; /* default 224.0.0.18 */
	struct dk_addr vrrp_mcast_group6; /* default ff02::12 */
	bool script_user_set;
	char script_user[DK_CONF_NAMESIZ];
	bool enable_script_security;
	uint32_t lb_conn_table_size;      /* dpkeep: entries per worker; 0: 65536 */
	uint32_t lb_slot_headroom;        /* dpkeep: real servers a reload may add; 0: 1024 */
	/* lvs_timeouts: IPVS's tcp, tcpfin and udp connection timeouts; 0: the default */
	uint32_t lvs_timeout_tcp_s;
	uint32_t lvs_timeout_tcpfin_s;
	uint32_t lvs_timeout_udp_s;
	char notify_fifo[DK_CONF_PATHSIZ];        /* "": no FIFO */
	char notify_fifo_script[DK_CONF_PATHSIZ]; /* run with the FIFO path appended */
	unsigned vrrp_rt_priority;        /* SCHED_RR priority of the control lcore; 0: none */
	char (*notification_email)[256];
	unsigned n_notification_email;
};

struct dk_conf {
	struct dk_conf_global global;
	struct dk_conf_vrrp_instance *vrrp;
	unsigned n_vrrp;
	struct dk_conf_sync_group *sync_groups;
	unsigned n_sync_groups;
	struct dk_conf_vrrp_script *scripts;
	unsigned n_scripts;
	struct dk_conf_track_file *track_files;
	unsigned n_track_files;
	struct dk_conf_vsg *vsgs;
	unsigned n_vsgs;
	struct dk_conf_laddr_group *laddr_groups;
	unsigned n_laddr_groups;
	struct dk_conf_vs *vs;
	unsigned n_vs;
};

struct dk_profile;

struct dk_conf_load_params {
	const char *path;
	const char *instance_id;          /* NULL: the first part of the host name */
	const struct dk_profile *ports;   /* NULL: interface names are not checked */
	/* Include confinement (fuzzing): when set, only files under this directory may be
	 * included. */
	const char *include_root;
	unsigned max_include_depth;       /* 0: 16 */
	/* Text to parse instead of reading path (path still names it in messages). */
	const char *text;
};

/* Parses a configuration. Problems go to diag as FILE:LINE: message. Returns 0 when the
 * configuration is usable (*out set), -EINVAL after errors (*out still set when
 * anything was parsed, so callers may dump it), -ENOMEM, or -errno when path cannot be
 * read. *problems (may be NULL) counts warnings keepalived -t would count as
 * configuration errors (unknown keywords, deprecated forms that are ignored). */
int dk_conf_load_ex(const struct dk_conf_load_params *p, struct dk_conf **out,
		    struct dk_diag *diag, unsigned *problems);
int dk_conf_load(const char *path, const char *instance_id, struct dk_conf **out,
		 struct dk_diag *diag);
void dk_conf_free(struct dk_conf *conf);

/* Prints conf in keepalived.conf syntax with every default spelled out; the output
 * parses back to an equal dk_conf. */
void dk_conf_dump(const struct dk_conf *conf, FILE *out);

/* `dpkeep -t` / `dpkeep -d`: returns the process exit code (0: usable). */
int dk_conf_check_main(const char *conf_path, const char *ports_path, const char *instance_id,
		       bool dump, FILE *out, FILE *err);

/* Equality for reloads: an object that compares equal keeps its runtime state. */
bool dk_conf_vrrp_instance_equal(const struct dk_conf_vrrp_instance *a,
				 const struct dk_conf_vrrp_instance *b);
bool dk_conf_vs_equal(const struct dk_conf_vs *a, const struct dk_conf_vs *b);
bool dk_conf_rs_equal(const struct dk_conf_rs *a, const struct dk_conf_rs *b);
bool dk_conf_checker_equal(const struct dk_conf_checker *a, const struct dk_conf_checker *b);
bool dk_conf_equal(const struct dk_conf *a, const struct dk_conf *b);
/* Lookups by name / key; NULL when absent. */
const struct dk_conf_vrrp_instance *dk_conf_find_vrrp(const struct dk_conf *c, const char *name);
/* mcast_src_ip or unicast_src_ip, whichever is set (af 0 if neither). */
const struct dk_addr *dk_conf_vrrp_src_ip(const struct dk_conf_vrrp_instance *v);
const struct dk_conf_vs *dk_conf_find_vs(const struct dk_conf *c, const struct dk_conf_vs *key);

const char *dk_conf_checker_name(enum dk_conf_check_kind k);
const char *dk_conf_lb_kind_name(enum dk_conf_lb_kind k);
const char *dk_conf_proto_name(enum dk_conf_proto p);

#endif
