/* The table of probe kinds: each kind's file defines one of these. */
#ifndef DK_HC_OPS_H
#define DK_HC_OPS_H

#include "dk_hc.h"

extern const struct dk_hc_probe_ops dk_hc_tcp_ops;
extern const struct dk_hc_probe_ops dk_hc_http_ops;
extern const struct dk_hc_probe_ops dk_hc_ssl_ops;
extern const struct dk_hc_probe_ops dk_hc_smtp_ops;
extern const struct dk_hc_probe_ops dk_hc_dns_ops;
extern const struct dk_hc_probe_ops dk_hc_udp_ops;
extern const struct dk_hc_probe_ops dk_hc_ping_ops;
extern const struct dk_hc_probe_ops dk_hc_misc_ops;
extern const struct dk_hc_probe_ops dk_hc_file_ops;

#endif
