#!/bin/bash
# Direct routing: dpkeep rewrites only MACs; rs1..rs3 hold the VIP on lo and answer
# the client directly on the shared back segment. TCP with rr and (on a second VIP)
# wrr; UDP to socat echo servers bound to the VIP, so they answer from it.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=198.51.100.50
VIP2=198.51.100.52

lab_up
# A client leg on the back segment: DR needs client, LB and servers on one link.
ip -n "$DK_LAB-sw" link add client-eth1 type veth peer name eth1 netns "$DK_LAB-client"
ip -n "$DK_LAB-sw" link set client-eth1 master back up
ip -n "$DK_LAB-client" addr add 198.51.100.100/24 dev eth1
ip -n "$DK_LAB-client" link set eth1 up
for i in 1 2 3; do
	nsx "rs$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	nsx "rs$i" ip addr add "$VIP/32" dev lo
	nsx "rs$i" ip addr add "$VIP2/32" dev lo
	nginx_rs "$i"
	nsx "rs$i" socat "UDP4-LISTEN:53,bind=$VIP,fork,reuseaddr" \
		"SYSTEM:'echo rs$i; cat'" >/dev/null 2>&1 &
	echo $! >"$TMP/socat-rs$i.pid"
done

cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 80 {
	lb_algo rr
	lb_kind DR
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
virtual_server $VIP2 80 {
	lb_algo wrr
	lb_kind DR
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 2 }
	real_server 198.51.100.13 80 { weight 3 }
}
virtual_server $VIP 53 {
	lb_algo rr
	lb_kind DR
	protocol UDP
	real_server 198.51.100.11 53 { weight 1 }
	real_server 198.51.100.12 53 { weight 1 }
	real_server 198.51.100.13 53 { weight 1 }
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
hops_ready() { [ "$(json lb1 "sum(r['alive'] for r in j['real_servers'])" show rs)" = 9 ]; }
check "show rs lists three live real servers per service" hops_ready
check "VIP answers ping" nsx client ping -c1 -W2 "$VIP"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"

out=$(hits 3000 "$VIP")
echo "$out"
check "rr gives each server 1000 of 3000 connections (+-1%)" rr_even "$out" 3000
wait_for "first answer through the second VIP" 10 nsx client curl -s --max-time 2 "http://$VIP2/"
out=$(hits 3000 "$VIP2")
echo "$out"
check "wrr 1:2:3 gives each server its share of 3000 connections (+-5%)" wrr_123 "$out" 3000

udp=$(udp_hits 30 "$VIP" 53)
echo "$udp"
check "UDP round-trips through DR to all three echo servers, 10 each" \
	test "$(echo "$udp" | tr '\n' ' ')" = "rs1 10 rs2 10 rs3 10 "
pkts() { json lb1 "j['virtual_servers'][0]['real_servers'][$1]['pkts_in']" show vs "$VIP:80"; }
check "show vs counts packets in for every real server" \
	bash -c "[ $(pkts 0) -gt 0 ] && [ $(pkts 1) -gt 0 ] && [ $(pkts 2) -gt 0 ]"

# Weight 0 during a long download: the download finishes on its server, and new
# connections go to the others.
nsx client curl -s --limit-rate 4M -o "$TMP/big.out" "http://$VIP/big" &
dl=$!
busy() {
	json lb1 "[r['ip'] for r in j['virtual_servers'][0]['real_servers'] if r['active_conns']][0]" \
		show vs
}
wait_for "the download's connection" 10 busy
rs=$(busy)
echo "download served by $rs"
cli lb1 set rs "$VIP:80" "$rs" weight 0 >/dev/null
out=$(spread 30 "http://$VIP/")
echo "$out"
n=${rs##*.}
check "weight 0 takes no new connections" bash -c "! echo '$out' | grep -q '^rs${n#1} '"
check "the other servers take the new connections" \
	test "$(echo "$out" | awk '{s += $2} END {print s}')" = 30
wait "$dl" || true
check "weight 0 lets the open connection finish" test "$(stat -c %s "$TMP/big.out")" = 20000000
check "show vs reports weight 0" test "$(json lb1 \
	"[r['weight'] for r in j['virtual_servers'][0]['real_servers'] if r['ip'] == '$rs'][0]" \
	show vs)" = 0
stop_node lb1
finish
