/* Mempools, ports, queues and rings; worker launch and stop. */
#include <errno.h>
#include <numa.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>

#include "dk_dp.h"
#include "dk_log.h"

const char *const dk_dp_counter_names[DK_DPC_MAX] = { DK_DP_COUNTERS(DK_XSTR) };

#define RING_SIZE 4096
#define MBUF_CACHE 256

static int
socket_of_lcore(unsigned lcore)
{
	int s = (int)rte_lcore_to_socket_id(lcore);

	return s < 0 || s >= RTE_MAX_NUMA_NODES ? 0 : s;
}

static struct rte_mempool *
pool_for_socket(struct dk_dp *dp, int socket)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		socket = 0;
	if (dp->pools[socket])
		return dp->pools[socket];
	snprintf(name, sizeof(name), "dk_mbuf_s%d", socket);
	dp->pools[socket] = rte_pktmbuf_pool_create(name, dp->prof->mbufs, MBUF_CACHE, 0,
						    RTE_MBUF_DEFAULT_BUF_SIZE, socket);
	if (dp->pools[socket] == NULL && socket != SOCKET_ID_ANY) {
		/* --no-huge memory is not NUMA-placed; take it from anywhere. */
		dp->pools[socket] = rte_pktmbuf_pool_create(name, dp->prof->mbufs, MBUF_CACHE, 0,
							    RTE_MBUF_DEFAULT_BUF_SIZE,
							    SOCKET_ID_ANY);
	}
	if (dp->pools[socket] == NULL)
		DK_LOG(DP, ERR, "cannot create mbuf pool of %u on socket %d: %s", dp->prof->mbufs,
		       socket, rte_strerror(rte_errno));
	return dp->pools[socket];
}

static void
warn_numa(const struct dk_dp *dp)
{
	unsigned i, p;

	if (numa_available() < 0 || numa_max_node() == 0)
		return;
	for (i = 0; i < dp->n_workers; i++) {
		int ls = socket_of_lcore(dp->lctx[i].lcore_id);

		for (p = 0; p < dp->n_ports; p++)
			if (dp->ports[p].socket >= 0 && dp->ports[p].socket != ls)
				DK_LOG(DP, WARNING,
				       "worker lcore %u is on socket %d but port %s is on socket %d: "
				       "every packet crosses the interconnect",
				       dp->lctx[i].lcore_id, ls, dp->ports[p].name,
				       dp->ports[p].socket);
	}
}

static int
find_port(const char *device, uint16_t *port_id)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	size_t n = strcspn(device, ",");

	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, device, n);
	name[n] = '\0';
	return rte_eth_dev_get_port_by_name(name, port_id) == 0 ? 0 : -ENODEV;
}

static int
setup_port(struct dk_dp *dp, unsigned idx, const struct dk_profile_port *pp)
{
	struct dk_dp_port *p = &dp->ports[idx];
	struct rte_eth_conf conf = { 0 };
	struct rte_eth_dev_info info;
	uint16_t nb_q = (uint16_t)(dp->n_workers + 1), q, nrxd, ntxd;
	int rc;

	if (find_port(pp->device, &p->port_id) < 0) {
		DK_LOG(DP, ERR, "port %s: device %s not found (check the profile and EAL log)",
		       pp->name, pp->device);
		return -ENODEV;
	}
	snprintf(p->name, sizeof(p->name), "%s", pp->name);
	p->cfg = pp;
	p->socket = rte_eth_dev_socket_id(p->port_id);
	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc < 0)
		return rc;
	if (info.max_rx_queues < nb_q || info.max_tx_queues < nb_q) {
		DK_LOG(DP, ERR, "port %s: needs %u queue pairs (workers + control), device has %u/%u",
		       pp->name, nb_q, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	conf.rxmode.mtu = pp->mtu;
	if (dp->n_workers > 1 && info.flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
	}
	rc = rte_eth_dev_configure(p->port_id, nb_q, nb_q, &conf);
	if (rc < 0) {
		DK_LOG(DP, ERR, "port %s: configure: %s", pp->name, rte_strerror(-rc));
		return rc;
	}
	nrxd = pp->rx_desc;
	ntxd = pp->tx_desc;
	rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &nrxd, &ntxd);
	for (q = 0; q < nb_q; q++) {
		struct dk_dp_lctx *lc = &dp->lctx[q];

		rc = rte_eth_rx_queue_setup(p->port_id, q, nrxd, p->socket < 0 ? SOCKET_ID_ANY :
					    (unsigned)p->socket, NULL, lc->pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(p->port_id, q, ntxd, SOCKET_ID_ANY, NULL);
		if (rc < 0) {
			DK_LOG(DP, ERR, "port %s: queue %u setup: %s", pp->name, q,
			       rte_strerror(-rc));
			return rc;
		}
	}
	p->nb_q = nb_q;
	p->ctl_q = (uint16_t)dp->n_workers;
	p->mtu = pp->mtu;
	if (pp->has_mac) {
		memcpy(p->mac.addr_bytes, pp->mac.b, 6);
		rc = rte_eth_dev_default_mac_addr_set(p->port_id, &p->mac);
		if (rc < 0)
			DK_LOG(DP, WARNING, "port %s: cannot set MAC: %s", pp->name,
			       rte_strerror(-rc));
	}
	rte_eth_macaddr_get(p->port_id, &p->mac);
	dp->port_idx[p->port_id] = (int8_t)idx;
	return 0;
}

int
dk_dp_create(const struct dk_profile *prof, struct dk_dp **out)
{
	struct dk_dp *dp;
	unsigned lcore, i = 0, p;
	int rc = -ENOMEM;

	dp = rte_zmalloc("dk_dp", sizeof(*dp), RTE_CACHE_LINE_SIZE);
	if (dp == NULL)
		return -ENOMEM;
	dp->prof = prof;
	dp->busy_poll = prof->busy_poll;
	memset(dp->port_idx, -1, sizeof(dp->port_idx));
	dp->n_workers = rte_lcore_count() - 1;
	if (dp->n_workers > DK_DP_MAX_WORKERS) {
		DK_LOG(DP, ERR, "%u workers: at most %u", dp->n_workers, DK_DP_MAX_WORKERS);
		rc = -E2BIG;
		goto fail;
	}
	dp->lctx = rte_zmalloc("dk_lctx", sizeof(*dp->lctx) * (dp->n_workers + 1),
			       RTE_CACHE_LINE_SIZE);
	if (dp->lctx == NULL)
		goto fail;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct dk_dp_lctx *lc = &dp->lctx[i];
		char name[RTE_RING_NAMESIZE];

		lc->idx = i;
		lc->dp = dp;
		lc->lcore_id = lcore;
		snprintf(name, sizeof(name), "dk_toctl_%u", i);
		lc->to_ctl = rte_ring_create(name, RING_SIZE, socket_of_lcore(lcore),
					     RING_F_SP_ENQ | RING_F_SC_DEQ);
		lc->pool = pool_for_socket(dp, socket_of_lcore(lcore));
		if (lc->to_ctl == NULL || lc->pool == NULL)
			goto fail;
		i++;
	}
	dp->lctx[i].idx = i;
	dp->lctx[i].dp = dp;
	dp->lctx[i].lcore_id = rte_get_main_lcore();
	dp->lctx[i].is_control = true;
	dp->lctx[i].pool = pool_for_socket(dp, socket_of_lcore(rte_get_main_lcore()));
	if (dp->lctx[i].pool == NULL)
		goto fail;
	for (p = 0; p < prof->n_ports; p++) {
		rc = setup_port(dp, p, &prof->ports[p]);
		if (rc < 0)
			goto fail;
		dp->n_ports++;
	}
	warn_numa(dp);
	*out = dp;
	return 0;
fail:
	dk_dp_free(dp);
	return rc;
}

static int
worker_main(void *arg)
{
	struct dk_dp_lctx *lc = arg;

	return dk_dp_worker_loop(lc->dp, lc);
}

/* With RSS, send every flow to a worker queue: the control queue exists for the control
 * lcore's own TX and for PMDs that spread frames without a redirection table. */
static void
reta_workers_only(const struct dk_dp *dp, const struct dk_dp_port *port)
{
	struct rte_eth_rss_reta_entry64 reta[RTE_ETH_RSS_RETA_SIZE_512 / RTE_ETH_RETA_GROUP_SIZE];
	struct rte_eth_dev_info info;
	uint16_t i;
	int rc;

	if (dp->n_workers < 2 || rte_eth_dev_info_get(port->port_id, &info) < 0 ||
	    info.reta_size == 0 || info.reta_size > RTE_ETH_RSS_RETA_SIZE_512)
		return;
	memset(reta, 0, sizeof(reta));
	for (i = 0; i < info.reta_size; i++) {
		struct rte_eth_rss_reta_entry64 *g = &reta[i / RTE_ETH_RETA_GROUP_SIZE];

		g->mask |= 1ULL << (i % RTE_ETH_RETA_GROUP_SIZE);
		g->reta[i % RTE_ETH_RETA_GROUP_SIZE] = (uint16_t)(i % dp->n_workers);
	}
	rc = rte_eth_dev_rss_reta_update(port->port_id, reta, info.reta_size);
	if (rc < 0 && rc != -ENOTSUP)
		DK_LOG(DP, WARNING, "port %s: RSS redirection table not set (%s): the control "
		       "lcore also polls a share of the traffic", port->name, rte_strerror(-rc));
}

int
dk_dp_start(struct dk_dp *dp)
{
	unsigned p, i;
	int rc;

	for (p = 0; p < dp->n_ports; p++) {
		struct dk_dp_port *port = &dp->ports[p];

		if (port->cfg->promisc)
			rte_eth_promiscuous_enable(port->port_id);
		rte_eth_allmulticast_enable(port->port_id);
		rc = rte_eth_dev_start(port->port_id);
		if (rc < 0) {
			DK_LOG(DP, ERR, "port %s: start: %s", port->name, rte_strerror(-rc));
			return rc;
		}
		reta_workers_only(dp, port);
	}
	dp->start_tsc = rte_rdtsc();
	dp->started = true;
	for (i = 0; i < dp->n_workers; i++) {
		struct dk_dp_lctx *lc = &dp->lctx[i];

		rc = rte_eal_remote_launch(worker_main, lc, lc->lcore_id);
		if (rc < 0) {
			DK_LOG(DP, ERR, "cannot launch worker on lcore %u", lc->lcore_id);
			return rc;
		}
	}
	return 0;
}

void
dk_dp_stop(struct dk_dp *dp)
{
	unsigned p;

	dp->stop = true;
	rte_eal_mp_wait_lcore();
	dp->started = false;
	for (p = 0; p < dp->n_ports; p++) {
		int rc = rte_eth_dev_stop(dp->ports[p].port_id);

		if (rc < 0)
			DK_LOG(DP, WARNING, "port %s: stop: %s", dp->ports[p].name,
			       rte_strerror(-rc));
	}
}

void
dk_dp_free(struct dk_dp *dp)
{
	unsigned i;

	if (dp == NULL)
		return;
	for (i = 0; i < dp->n_ports; i++)
		rte_eth_dev_close(dp->ports[i].port_id);
	if (dp->lctx) {
		for (i = 0; i < dp->n_workers; i++) {
			struct rte_mbuf *m;

			if (dp->lctx[i].to_ctl == NULL)
				continue;
			while (rte_ring_sc_dequeue(dp->lctx[i].to_ctl, (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(dp->lctx[i].to_ctl);
		}
		rte_free(dp->lctx);
	}
	for (i = 0; i < RTE_MAX_NUMA_NODES; i++)
		rte_mempool_free(dp->pools[i]);
	rte_free(dp);
}

int
dk_dp_port_by_name(const struct dk_dp *dp, const char *name)
{
	for (unsigned i = 0; i < dp->n_ports; i++)
		if (strcmp(dp->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}
