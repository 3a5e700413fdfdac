#!/bin/bash
# Direct routing: dpkeep rewrites only MACs; rs1..rs3 hold the VIP on lo and answer
# the client directly on the shared back segment.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=198.51.100.50

lab_up
# A client leg on the back segment: DR needs client, LB and servers on one link.
ip -n "$DK_LAB-sw" link add client-eth1 type veth peer name eth1 netns "$DK_LAB-client"
ip -n "$DK_LAB-sw" link set client-eth1 master back up
ip -n "$DK_LAB-client" addr add 198.51.100.100/24 dev eth1
ip -n "$DK_LAB-client" link set eth1 up
for i in 1 2 3; do
	nsx "rs$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	nsx "rs$i" ip addr add "$VIP/32" dev lo
	nginx_rs "$i"
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
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
hops_ready() { [ "$(json lb1 "sum(r['alive'] for r in j['real_servers'])" show rs)" = 3 ]; }
check "show rs lists three live real servers" hops_ready
check "VIP answers ping" nsx client ping -c1 -W2 "$VIP"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"

out=$(spread 300 "http://$VIP/")
echo "$out"
rr_even() {
	for i in 1 2 3; do
		c=$(echo "$out" | awk -v n="rs$i" '$1 == n {print $2}')
		[ "${c:-0}" -ge 95 ] && [ "${c:-0}" -le 105 ] || return 1
	done
}
check "rr spreads 300 connections evenly over three backends (+-5)" rr_even
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
