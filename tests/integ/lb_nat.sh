#!/bin/bash
# NAT: dpkeep rewrites the destination to a real server and the replies, routed back
# through dpkeep (198.51.100.1), back to the VIP. TCP with wrr and rr, UDP with rr.
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
virtual_server $VIP 81 {
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
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

t0=$(date +%s)
out=$(hits 3000 "$VIP")
echo "$out ($(($(date +%s) - t0)) s)"
check "wrr 1:2:3 gives each server its share of 3000 connections (+-5%)" wrr_123 "$out" 3000
check "every connection got an answer" test "$(share "$out" error)" = 0
# From a second client address: the same client port to :80 and :81 would be the same
# 4-tuple at the real server (and the same reply key here) while the first is in TIME_WAIT.
nsx client ip addr add 192.0.2.101/24 dev eth0
out=$(hits 3000 "$VIP" 81 4 192.0.2.101)
echo "$out"
check "rr gives each server 1000 of 3000 connections (+-1%)" rr_even "$out" 3000
pk() { json lb1 "sum(r['$1'] for r in j['virtual_servers'][0]['real_servers'])" show vs "$VIP:80"; }
check "show vs counts replies (pkts_out) as well as requests" \
	bash -c "[ $(pk pkts_out) -gt 0 ] && [ $(pk pkts_in) -gt 0 ]"

udp=$(udp_hits 30 "$VIP" 53)
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
