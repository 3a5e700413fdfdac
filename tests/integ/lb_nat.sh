#!/bin/bash
# NAT: dpkeep rewrites the destination to a real server and the replies, routed back
# through dpkeep (198.51.100.1), back to the VIP. TCP with wrr, UDP with rr.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.50

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
	udp_echo_rs "$i" 5353
done

cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 80 {
	lb_algo wrr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 2 }
	real_server 198.51.100.13 80 { weight 3 }
}
virtual_server $VIP 53 {
	lb_algo rr
	lb_kind NAT
	protocol UDP
	real_server 198.51.100.11 5353 { weight 1 }
	real_server 198.51.100.12 5353 { weight 1 }
	real_server 198.51.100.13 5353 { weight 1 }
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"

out=$(spread 300 "http://$VIP/")
echo "$out"
by_weight() { # rsN expected: within 5% of 300
	c=$(echo "$out" | awk -v n="$1" '$1 == n {print $2}')
	[ "${c:-0}" -ge $(($2 - 15)) ] && [ "${c:-0}" -le $(($2 + 15)) ]
}
check "wrr gives rs1 1/6 of 300 connections" by_weight rs1 50
check "wrr gives rs2 2/6 of 300 connections" by_weight rs2 100
check "wrr gives rs3 3/6 of 300 connections" by_weight rs3 150
check "every connection got an answer" bash -c "! echo '$out' | grep -q timeout"
pk() { json lb1 "sum(r['$1'] for r in j['virtual_servers'][0]['real_servers'])" show vs "$VIP:80"; }
check "show vs counts replies (pkts_out) as well as requests" \
	bash -c "[ $(pk pkts_out) -gt 0 ] && [ $(pk pkts_in) -gt 0 ]"

udp=$(for i in $(seq 30); do
	echo "ping $i" | nsx client socat -T1 - "UDP4:$VIP:53" 2>/dev/null | head -1
done | sort | uniq -c | awk '{print $2, $1}')
echo "$udp"
check "UDP round-trips through NAT to all three echo servers, 10 each" \
	test "$(echo "$udp" | tr '\n' ' ')" = "rs1 10 rs2 10 rs3 10 "

cli lb1 rs "$VIP:80" 198.51.100.13 drain >/dev/null
out=$(spread 30 "http://$VIP/")
echo "$out"
check "a drained server takes no new connections" bash -c "! echo '$out' | grep -q '^rs3 '"
check "the rest still answer all of them" \
	test "$(echo "$out" | awk '$1 ~ /^rs/ {s += $2} END {print s}')" = 30
stop_node lb1
finish
