/* dpkeep-gen command line, pktgen-like where pktgen has an equivalent (-m map). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>

#include "dk_dp.h"
#include "dk_net.h"
#include "gen_opts.h"

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: dpkeep-gen [options] [-- EAL options]\n"
		"  --ports FILE        drivers-cfg profile (EAL settings, ports by name)\n"
		"  -m MAP              lcore map, pktgen style: LCORE.PORT (one lcore does RX\n"
		"                      and TX) or [RX:TX].PORT; PORT is the TX port\n"
		"  --tx-port P         port id or profile port name (default 0)\n"
		"  --rx-port P         where returns are counted (default: the TX port)\n"
		"  --rate R            N%% of the link, or pps: 2000000, 2.5M, 800k (default 100%%)\n"
		"  --size B            frame size with FCS, 64..1518 (default 64)\n"
		"  --flows N           distinct 5-tuples (default 1)\n"
		"  --dist D            uniform | seq (default seq)\n"
		"  --proto P           udp | tcp (default udp)\n"
		"  --tcp M             syn (every packet a new connection) | est (default est)\n"
		"  --src A[-B]         source IPv4 range (default 198.18.0.1)\n"
		"  --dst A[-B]         destination IPv4 range (default 192.0.2.1)\n"
		"  --sport P[-Q]       source ports (default 1024-65535)\n"
		"  --dport P[-Q]       destination ports (default 80)\n"
		"  --dst-mac MAC       (default ff:ff:ff:ff:ff:ff)\n"
		"  --src-mac MAC       (default the TX port's)\n"
		"  --vlan ID           802.1Q tag\n"
		"  --arp-reply A[-B]   answer ARP requests for these addresses (stand-in real\n"
		"                      servers); needs RX and TX on one lcore or two ports\n"
		"  --reflect A[-B]     answer UDP/TCP to these addresses as their server would\n"
		"                      (ends swapped, back to the sender): the real servers\n"
		"                      behind NAT/FNAT; same lcore rule as --arp-reply. What is\n"
		"                      answered counts as reflected, not as received\n"
		"  --queues N          queue pairs per port, RX polls them all, TX uses queue 0\n"
		"                      (default 1); a memif peer with more queues (dpkeep:\n"
		"                      workers + 1) needs as many, or they are not connected\n"
		"  --duration S        seconds of traffic after warm-up; 0 until SIGINT (default 10)\n"
		"  --count N           offer N packets (warm-up included), then stop\n"
		"  --warmup S          seconds sent but left out of the summary (default 0)\n"
		"  --lat-every N       TSC stamp in every Nth packet; 0 off (default 1000)\n"
		"  --mbufs N           mbuf pool size (default 16383)\n"
		"  --link-wait S       wait this long for the link (default 10)\n"
		"  -q, --quiet         no per-second lines, only the JSON summary\n"
		"  -h, --help\n"
		"The last line printed is one JSON object: tx/rx packets and Mpps, loss_pct,\n"
		"lat_samples, p50_us, p99_us, max_us.\n");
}

/* "L.P" or "[R:T].P" */
static int
parse_map(const char *s, struct gen_opts *o)
{
	unsigned r, t, p;
	char tail;
	static char port[16];

	if (sscanf(s, "[%u:%u].%u%c", &r, &t, &p, &tail) == 3) {
		o->rx_lcore = (int)r;
		o->tx_lcore = (int)t;
	} else if (sscanf(s, "%u.%u%c", &r, &p, &tail) == 2) {
		o->rx_lcore = o->tx_lcore = (int)r;
	} else {
		return -EINVAL;
	}
	snprintf(port, sizeof(port), "%u", p);
	o->tx_port = port;
	return 0;
}

static int
parse_num(const char *s, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < lo || *out > hi ? -EINVAL : 0;
}

static void
defaults(struct gen_opts *o)
{
	o->rx_lcore = o->tx_lcore = -1;
	o->rate_pct = 100;
	o->spec.proto = DK_IPPROTO_UDP;
	o->spec.tcp = DK_GEN_TCP_EST;
	o->spec.size = 64;
	o->spec.flows = 1;
	dk_gen_parse_ip_range("198.18.0.1", &o->spec.src_ip);
	dk_gen_parse_ip_range("192.0.2.1", &o->spec.dst_ip);
	dk_gen_parse_port_range("1024-65535", &o->spec.sport);
	dk_gen_parse_port_range("80", &o->spec.dport);
	memset(o->spec.l2.dst.b, 0xff, 6);
	o->dist = DK_GEN_DIST_SEQ;
	o->duration_s = 10;
	o->lat_every = 1000;
	o->mbufs = 16383;
	o->queues = 1;
	o->link_wait_s = 10;
}

static int
bad(const char *opt, const char *arg)
{
	fprintf(stderr, "dpkeep-gen: bad value for --%s: %s\n", opt, arg);
	return -EINVAL;
}

int
gen_parse_opts(int argc, char **argv, struct gen_opts *o)
{
	enum { O_PORTS = 256, O_TXP, O_RXP, O_RATE, O_SIZE, O_FLOWS, O_DIST, O_PROTO, O_TCP,
	       O_SRC, O_DST, O_SPORT, O_DPORT, O_DMAC, O_SMAC, O_VLAN, O_DUR, O_WARM, O_LAT,
	       O_MBUFS, O_LINKW, O_ARP, O_REFLECT, O_QUEUES, O_COUNT };
	static const struct option lo[] = {
		{ "ports", required_argument, NULL, O_PORTS },
		{ "tx-port", required_argument, NULL, O_TXP },
		{ "rx-port", required_argument, NULL, O_RXP },
		{ "rate", required_argument, NULL, O_RATE },
		{ "size", required_argument, NULL, O_SIZE },
		{ "flows", required_argument, NULL, O_FLOWS },
		{ "dist", required_argument, NULL, O_DIST },
		{ "proto", required_argument, NULL, O_PROTO },
		{ "tcp", required_argument, NULL, O_TCP },
		{ "src", required_argument, NULL, O_SRC },
		{ "dst", required_argument, NULL, O_DST },
		{ "sport", required_argument, NULL, O_SPORT },
		{ "dport", required_argument, NULL, O_DPORT },
		{ "dst-mac", required_argument, NULL, O_DMAC },
		{ "src-mac", required_argument, NULL, O_SMAC },
		{ "vlan", required_argument, NULL, O_VLAN },
		{ "duration", required_argument, NULL, O_DUR },
		{ "warmup", required_argument, NULL, O_WARM },
		{ "lat-every", required_argument, NULL, O_LAT },
		{ "mbufs", required_argument, NULL, O_MBUFS },
		{ "link-wait", required_argument, NULL, O_LINKW },
		{ "arp-reply", required_argument, NULL, O_ARP },
		{ "reflect", required_argument, NULL, O_REFLECT },
		{ "queues", required_argument, NULL, O_QUEUES },
		{ "count", required_argument, NULL, O_COUNT },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dk_diag diag = { 0 };
	double v;
	int c, i;

	defaults(o);
	/* Everything after "--" is for EAL. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			break;
	o->n_eal = i < argc ? argc - i - 1 : 0;
	o->eal = i < argc ? &argv[i + 1] : NULL;
	argc = i;
	while ((c = getopt_long(argc, argv, "m:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_map(optarg, o) < 0)
				return bad("m", optarg);
			break;
		case O_PORTS: o->ports_file = optarg; break;
		case O_TXP: o->tx_port = optarg; break;
		case O_RXP: o->rx_port = optarg; break;
		case O_RATE:
			if (dk_gen_parse_rate(optarg, &o->rate_pct, &o->rate_pps) < 0)
				return bad("rate", optarg);
			break;
		case O_SIZE:
			if (parse_num(optarg, DK_GEN_MIN_SIZE, DK_GEN_MAX_SIZE, &v) < 0)
				return bad("size", optarg);
			o->spec.size = (uint16_t)v;
			break;
		case O_FLOWS:
			if (parse_num(optarg, 1, 4294967295.0, &v) < 0)
				return bad("flows", optarg);
			o->spec.flows = (uint32_t)v;
			break;
		case O_DIST:
			if (strcmp(optarg, "uniform") == 0)
				o->dist = DK_GEN_DIST_UNIFORM;
			else if (strcmp(optarg, "seq") == 0 || strcmp(optarg, "sequential") == 0)
				o->dist = DK_GEN_DIST_SEQ;
			else
				return bad("dist", optarg);
			break;
		case O_PROTO:
			if (strcmp(optarg, "udp") == 0)
				o->spec.proto = DK_IPPROTO_UDP;
			else if (strcmp(optarg, "tcp") == 0)
				o->spec.proto = DK_IPPROTO_TCP;
			else
				return bad("proto", optarg);
			break;
		case O_TCP:
			if (strcmp(optarg, "syn") == 0)
				o->spec.tcp = DK_GEN_TCP_SYN;
			else if (strcmp(optarg, "est") == 0 || strcmp(optarg, "established") == 0)
				o->spec.tcp = DK_GEN_TCP_EST;
			else
				return bad("tcp", optarg);
			break;
		case O_SRC:
			if (dk_gen_parse_ip_range(optarg, &o->spec.src_ip) < 0)
				return bad("src", optarg);
			break;
		case O_DST:
			if (dk_gen_parse_ip_range(optarg, &o->spec.dst_ip) < 0)
				return bad("dst", optarg);
			break;
		case O_SPORT:
			if (dk_gen_parse_port_range(optarg, &o->spec.sport) < 0)
				return bad("sport", optarg);
			break;
		case O_DPORT:
			if (dk_gen_parse_port_range(optarg, &o->spec.dport) < 0)
				return bad("dport", optarg);
			break;
		case O_DMAC:
			if (dk_mac_parse(optarg, &o->spec.l2.dst) < 0)
				return bad("dst-mac", optarg);
			o->have_dst_mac = true;
			break;
		case O_SMAC:
			if (dk_mac_parse(optarg, &o->spec.l2.src) < 0)
				return bad("src-mac", optarg);
			o->have_src_mac = true;
			break;
		case O_VLAN:
			if (parse_num(optarg, 1, 4094, &v) < 0)
				return bad("vlan", optarg);
			o->spec.l2.has_vlan = true;
			o->spec.l2.vlan_tci = (uint16_t)v;
			break;
		case O_DUR:
			if (parse_num(optarg, 0, 1e7, &o->duration_s) < 0)
				return bad("duration", optarg);
			break;
		case O_WARM:
			if (parse_num(optarg, 0, 3600, &o->warmup_s) < 0)
				return bad("warmup", optarg);
			break;
		case O_LAT:
			if (parse_num(optarg, 0, 1e9, &v) < 0)
				return bad("lat-every", optarg);
			o->lat_every = (unsigned)v;
			break;
		case O_MBUFS:
			if (parse_num(optarg, 1023, 16777215, &v) < 0)
				return bad("mbufs", optarg);
			o->mbufs = (unsigned)v;
			break;
		case O_LINKW:
			if (parse_num(optarg, 0, 3600, &v) < 0)
				return bad("link-wait", optarg);
			o->link_wait_s = (unsigned)v;
			break;
		case O_ARP:
			if (dk_gen_parse_ip_range(optarg, &o->arp_range) < 0)
				return bad("arp-reply", optarg);
			o->arp_reply = true;
			break;
		case O_REFLECT:
			if (dk_gen_parse_ip_range(optarg, &o->reflect_range) < 0)
				return bad("reflect", optarg);
			o->reflect = true;
			break;
		case O_COUNT:
			if (parse_num(optarg, 1, 1e15, &v) < 0)
				return bad("count", optarg);
			o->count = (uint64_t)v;
			break;
		case O_QUEUES:
			if (parse_num(optarg, 1, RTE_MAX_QUEUES_PER_PORT, &v) < 0)
				return bad("queues", optarg);
			o->queues = (uint16_t)v;
			break;
		case 'q': o->quiet = true; break;
		case 'h': usage(stdout); return 1;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "dpkeep-gen: unexpected argument %s (EAL options go after --)\n",
			argv[optind]);
		return -EINVAL;
	}
	if (o->ports_file) {
		if (dk_profile_parse_file(o->ports_file, &o->prof, &diag) < 0)
			return -EINVAL;
		o->have_prof = true;
	}
	return 0;
}

int
gen_eal_args(const struct gen_opts *o, char ***argv_out)
{
	char **argv;
	int i;

	if (o->have_prof)
		return dk_dp_eal_args(&o->prof, o->n_eal, o->eal, argv_out);
	argv = calloc((size_t)o->n_eal + 2, sizeof(*argv));
	if (argv == NULL)
		return -ENOMEM;
	argv[0] = strdup("dpkeep-gen");
	for (i = 0; i < o->n_eal; i++)
		argv[i + 1] = strdup(o->eal[i]);
	for (i = 0; i <= o->n_eal; i++)
		if (argv[i] == NULL) {
			gen_eal_args_free(o->n_eal + 1, argv);
			return -ENOMEM;
		}
	*argv_out = argv;
	return o->n_eal + 1;
}

void
gen_eal_args_free(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

static void
init_ctx(struct gen_ctx *c, int lcore)
{
	c->lcore = lcore < 0 ? rte_get_main_lcore() : (unsigned)lcore;
	if (!rte_lcore_is_enabled(c->lcore))
		rte_exit(EXIT_FAILURE, "lcore %u of the -m map is not in EAL's lcore list\n",
			 c->lcore);
	dk_gen_hist_reset(&c->hist);
}

void
gen_make_contexts(const struct gen_opts *o, struct gen_state *g, const struct dk_gen_tmpl *t,
		  struct rte_mempool *pool, uint16_t txp, uint16_t rxp)
{
	struct gen_ctx *tx = &g->ctx[0], *rx;

	init_ctx(tx, o->tx_lcore);
	if ((o->rx_lcore < 0 ? rte_get_main_lcore() : (unsigned)o->rx_lcore) == tx->lcore) {
		rx = tx;
		g->n_ctx = 1;
	} else {
		rx = &g->ctx[1];
		init_ctx(rx, o->rx_lcore);
		g->n_ctx = 2;
	}
	tx->tx = true;
	tx->tx_port = txp;
	tx->pool = pool;
	tx->tmpl = t;
	tx->lat_every = t->payload_len >= DK_GEN_STAMP_LEN ? o->lat_every : 0;
	tx->tb.rate = o->rate_pps;
	tx->tx_left = o->count;
	dk_gen_flowseq_init(&tx->seq, o->dist, t->spec.flows, rte_rdtsc() | 1);
	rx->rx = true;
	rx->rx_port = rxp;
	rx->n_rxq = o->queues;
	/* The RX context answers on the RX port's TX queue 0, which is the TX context's
	 * when both use one port: allowed only when that is the same lcore. */
	if ((o->arp_reply || o->reflect) && rx != tx && rxp == txp)
		rte_exit(EXIT_FAILURE, "--arp-reply or --reflect on the TX port needs RX and TX "
			 "on one lcore\n");
	rx->arp_reply = o->arp_reply;
	rx->arp_range = o->arp_range;
	rx->reflect = o->reflect;
	rx->reflect_range = o->reflect_range;
	rx->pool = pool;
	rx->mac = t->spec.l2.src;
	/* RX looks for stamps only when TX makes them. */
	rx->lat_every = tx->lat_every;
}
