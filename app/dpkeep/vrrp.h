/* VRRP on DPDK ports: instances from keepalived.conf driven by lib/vrrp's actions. */
#ifndef DK_APP_VRRP_H
#define DK_APP_VRRP_H

#include <rte_mbuf.h>

#include "dk_net.h"
#include "dk_pkt.h"

#define DK_APP_IPPROTO_VRRP 112

struct dk_app;

/* VRRP is IP protocol 112, or AH (RFC 2402) whose next header is 112. */
static inline bool
dk_app_is_vrrp(const struct rte_mbuf *m, const struct dk_pkt_info *info)
{
	if (info->family == 0)
		return false;
	if (info->proto == DK_APP_IPPROTO_VRRP)
		return true;
	return info->proto == DK_IPPROTO_AH && info->l4_off < m->data_len &&
	       rte_pktmbuf_mtod(m, const uint8_t *)[info->l4_off] == DK_APP_IPPROTO_VRRP;
}
struct dk_conf;

int dk_app_vrrp_init(struct dk_app *app, const struct dk_conf *conf);
/* Starts every instance (after the ports are up). */
void dk_app_vrrp_start(struct dk_app *app);
/* Priority-0 adverts and notify_stop on the way out. */
void dk_app_vrrp_shutdown(struct dk_app *app);
void dk_app_vrrp_fini(struct dk_app *app);
/* A VRRP packet (IP protocol 112) received on port; info is its parse. */
void dk_app_vrrp_input(struct dk_app *app, uint16_t port, struct rte_mbuf *m,
		       const struct dk_pkt_info *info);
/* Whether a VRRP instance lists addr as a virtual address, and whether we own it now. */
bool dk_app_vrrp_vip_owned(const struct dk_app *app, const struct dk_addr *addr, bool *listed);
/* Zeroes every instance's advert timing (clear stats). */
void dk_app_vrrp_timing_clear(struct dk_app *app);
int dk_cmd_vrrp_register(struct dk_app *app);

#endif
