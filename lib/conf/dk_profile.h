/*
 * drivers-cfg profiles: the EAL settings and the ports of one dpkeep node, in the same
 * brace syntax as keepalived.conf. Example:
 *
 *   eal {
 *       lcores (0,1)@0,2@1       # EAL --lcores; the main lcore is the control lcore,
 *                                # every other lcore is a worker
 *       memory_mb 256
 *       hugepages auto           # auto | yes | no
 *       file_prefix dpkeep-lb1
 *       mbufs 8191               # per NUMA socket
 *       busy_poll                # never back off when idle (benchmarks)
 *       args --log-level=pmd.net.af_packet:warning   # extra EAL arguments
 *   }
 *   port f0 {                    # the name keepalived.conf's "interface" uses
 *       device net_af_packet0,iface=f0   # vdev args, or a PCI address
 *       address 192.0.2.1/24
 *       address 2001:db8:f::1/64
 *       mtu 1500
 *       rx_queues 1              # default: one per worker
 *       rx_desc 1024
 *       tx_desc 1024
 *       mac 02:00:00:00:00:01    # optional override
 *       promisc                  # optional
 *   }
 *   route default via 192.0.2.254 dev f0
 *   route 203.0.113.0/24 via 198.51.100.254 dev f1
 *   route 2001:db8:9::/48 dev f1                     # on-link
 */
#ifndef DK_PROFILE_H
#define DK_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "dk_addr.h"
#include "dk_diag.h"

#define DK_PROFILE_MAX_PORTS 8
#define DK_PROFILE_MAX_ADDRS 8
#define DK_PROFILE_MAX_ROUTES 64
#define DK_PROFILE_MAX_EAL_ARGS 32
#define DK_PORT_NAMESIZ 32

enum dk_hugepages {
	DK_HUGEPAGES_AUTO, /* use them when the machine has free ones, else --no-huge */
	DK_HUGEPAGES_YES,
	DK_HUGEPAGES_NO,
};

struct dk_profile_port {
	char name[DK_PORT_NAMESIZ];
	char device[256];       /* "net_xxx0,k=v,..." or a PCI address */
	bool is_pci;            /* device is a PCI address (DDDD:BB:DD.F or BB:DD.F) */
	struct dk_prefix addrs[DK_PROFILE_MAX_ADDRS];
	unsigned n_addrs;
	uint16_t mtu;           /* default 1500 */
	uint16_t rx_queues;     /* 0: one per worker */
	uint16_t rx_desc;       /* default 1024 */
	uint16_t tx_desc;       /* default 1024 */
	struct dk_mac mac;
	bool has_mac;
	bool promisc;
	int line;               /* where the port block starts */
};

struct dk_profile_route {
	struct dk_prefix dst;   /* "default" is 0.0.0.0/0 (or ::/0 with an IPv6 via) */
	struct dk_addr via;     /* af 0: on-link */
	char dev[DK_PORT_NAMESIZ];
	int line;
};

struct dk_profile {
	char file[256];
	char lcores[128];       /* "" : EAL default */
	unsigned memory_mb;     /* default 256 */
	enum dk_hugepages hugepages;
	char file_prefix[64];   /* "" : "dpkeep" */
	unsigned mbufs;         /* default 8191 */
	bool busy_poll;
	char eal_args[DK_PROFILE_MAX_EAL_ARGS][128];
	unsigned n_eal_args;
	struct dk_profile_port ports[DK_PROFILE_MAX_PORTS];
	unsigned n_ports;
	struct dk_profile_route routes[DK_PROFILE_MAX_ROUTES];
	unsigned n_routes;
};

/* Parses path into *out (defaults filled in). Every problem is reported to diag as
 * FILE:LINE: message; returns 0, or -EINVAL when diag counted an error, -errno when
 * the file cannot be read. */
int dk_profile_parse_file(const char *path, struct dk_profile *out, struct dk_diag *diag);
/* The same from a string (file is the name used in messages). */
int dk_profile_parse_string(const char *text, const char *file, struct dk_profile *out,
			    struct dk_diag *diag);
/* Index of the port named name, or -1. */
int dk_profile_port_index(const struct dk_profile *p, const char *name);

#endif
