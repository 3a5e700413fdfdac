#!/bin/bash
# The load balancer seen from outside: per real server Prometheus families (metrics,
# text and JSON) and the /dpkeep/vs telemetry endpoint agree with show vs, and follow
# weight and drain changes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.50
VS="$VIP:80/tcp"

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done
cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 80 {
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 2 }
	real_server 198.51.100.13 80 { weight 3 }
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
spread 30 "http://$VIP/"

# metric NAME 'label filter (python on l)': the sum of the matching samples' values
metric() {
	json lb1 "int(sum(s['value'] for m in j['metrics'] if m['name'] == '$1' \
		for s in m['samples'] if (lambda l: $2)(s['labels'])))" metrics
}
vsum() { json lb1 "sum(r['$1'] for r in j['virtual_servers'][0]['real_servers'])" show vs; }
# The counters are live: the last packets of the closes may still be on their way. Compare
# the two interfaces only once two reads half a second apart agree.
counts() { json lb1 "[sum(r[k] for r in j['virtual_servers'][0]['real_servers']) for k in \
	('pkts_in', 'pkts_out', 'bytes_in', 'bytes_out', 'active_conns', 'inactive_conns')]" show vs; }
settled() { local a; a=$(counts); sleep 0.5; [ "$a" = "$(counts)" ]; }
check "the traffic counters settle" wait_for "settled counters" 15 settled
check "packets in: metrics equal show vs" \
	test "$(metric dpkeep_lb_rs_packets_total "l['dir'] == 'in'")" = "$(vsum pkts_in)"
check "packets out: metrics equal show vs (and are not zero)" bash -c \
	"[ $(metric dpkeep_lb_rs_packets_total "l['dir'] == 'out'") = $(vsum pkts_out) ] &&
	 [ $(vsum pkts_out) -gt 0 ]"
check "bytes out: metrics equal show vs" \
	test "$(metric dpkeep_lb_rs_bytes_total "l['dir'] == 'out'")" = "$(vsum bytes_out)"
check "inactive connections: metrics equal show vs" test "$(metric dpkeep_lb_rs_conns \
	"l['state'] == 'inactive'")" = "$(vsum inactive_conns)"
check "weight per real server, labelled vs and rs" test "$(metric dpkeep_lb_rs_weight \
	"l == {'vs': '$VS', 'rs': '198.51.100.13:80'}")" = 3
check "text exposition has the alive gauge" bash -c "$CLI --ctl $TMP/lb1.ctl metrics |
	grep -qx 'dpkeep_lb_rs_alive{vs=\"$VS\",rs=\"198.51.100.11:80\"} 1'"
check "fast-path counters are exported" test "$(metric dpkeep_lb_fast_path_total \
	"l['counter'] == 'new_conns'")" = 30

cli lb1 set rs "$VIP:80" 198.51.100.12 weight 7 >/dev/null
cli lb1 rs "$VIP:80" 198.51.100.11 drain >/dev/null
check "a weight set at run time shows in metrics" test "$(metric dpkeep_lb_rs_weight \
	"l['rs'] == '198.51.100.12:80'")" = 7
check "drain shows in metrics" test "$(metric dpkeep_lb_rs_drained \
	"l['rs'] == '198.51.100.11:80'")" = 1

telemetry() { # ENDPOINT 'python boolean on j' (j: the endpoint's value)
	echo "$1" | timeout 20 dpdk-telemetry.py -f "$DK_LAB-lb1" 2>/dev/null | tail -1 |
		python3 -c "import json,sys; j=json.load(sys.stdin)['${1%%,*}']; \
			sys.exit(0 if ($2) else 1)"
}
check "telemetry /dpkeep/vs lists the virtual server" \
	telemetry /dpkeep/vs "j['count'] == 1 and j['virtual_servers'] == ['$VS']"
check "telemetry /dpkeep/vs sums its real servers' traffic" telemetry /dpkeep/vs \
	"j['vs_0']['pkts_in'] == $(vsum pkts_in) and j['vs_0']['kind'] == 'NAT'"
check "telemetry /dpkeep/vs,VS has each real server's weight and drain" \
	telemetry "/dpkeep/vs,$VS" \
	"j['rs_1']['weight'] == 7 and j['rs_0']['drained'] == 1 and j['rs_2']['alive'] == 1"
check "telemetry: an unknown virtual server answers null" \
	telemetry /dpkeep/vs,10.9.9.9:1/tcp "j is None"
stop_node lb1
finish
