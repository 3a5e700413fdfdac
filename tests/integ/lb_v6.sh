#!/bin/bash
# IPv6 virtual servers: NAT and FNAT VIPs on the front, DR and TUN (IPv6-in-IPv6) VIPs on
# the back segment, nginx and socat on rs1..rs3 over IPv6. Real servers are found by ND,
# the VIPs and the FNAT local address answer NS, and the kernel side of dpkeep's ports
# has no IPv6.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
NAT=2001:db8:f::50
FNAT=2001:db8:f::60
DR=2001:db8:b::50
TUN=2001:db8:b::51
LADDR=2001:db8:b::200

lab_up
# DR needs the client on the servers' link: a client leg on the back segment.
ip -n "$DK_LAB-sw" link add client-eth1 type veth peer name eth1 netns "$DK_LAB-client"
ip -n "$DK_LAB-sw" link set client-eth1 master back up
ip -n "$DK_LAB-client" addr add 2001:db8:b::100/64 dev eth1 nodad
ip -n "$DK_LAB-client" link set eth1 up
for i in 1 2 3; do
	# NAT replies go back through dpkeep; DR ones straight to the client on the link.
	nsx "rs$i" ip -6 route add default via 2001:db8:b::1
	# An address on lo is not answered in NS on eth0: only dpkeep owns the DR VIP there.
	nsx "rs$i" ip -6 addr add "$DR/128" dev lo nodad
	ip6ip6_rs "$i" "$TUN"
	nginx_rs "$i"
	udp6_echo_rs "$i" 5353
done

rs_block() { # PORT
	for i in 1 2 3; do echo "	real_server 2001:db8:b::1$i $1 { weight 1 }"; done
}
cat >"$TMP/lb1.conf" <<EOC
local_address_group L6 {
	$LADDR
}
virtual_server $NAT 80 {
	lb_algo rr
	lb_kind NAT
	protocol TCP
$(rs_block 80)
}
virtual_server $NAT 53 {
	lb_algo rr
	lb_kind NAT
	protocol UDP
$(rs_block 5353)
}
virtual_server $FNAT 80 {
	lb_algo rr
	lb_kind FNAT
	laddr_group L6
	protocol TCP
$(rs_block 80)
}
virtual_server $FNAT 53 {
	lb_algo rr
	lb_kind FNAT
	laddr_group L6
	protocol UDP
$(rs_block 5353)
}
virtual_server $DR 80 {
	lb_algo rr
	lb_kind DR
	protocol TCP
$(rs_block 80)
}
virtual_server $TUN 80 {
	lb_algo rr
	lb_kind TUN
	protocol TCP
$(rs_block 80)
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "the kernel side of lb1's ports holds no IPv6 address" \
	bash -c "! ip -n $DK_LAB-lb1 -6 addr show | grep -q inet6"
check "the NAT VIP answers NS and echo (ping -6)" \
	wait_for "ping" 10 nsx client ping -6 -c1 -W1 "$NAT"
check "the DR VIP answers NS on the back link" \
	wait_for "ping" 10 nsx client ping -6 -c1 -W1 -I eth1 "$DR"
check "real servers see the FNAT local address answer NS" \
	wait_for "ndisc" 10 nsx rs1 ping -6 -c1 -W1 "$LADDR"

for kind in NAT FNAT DR TUN; do
	vip=${!kind}
	check "curl -6 through the $kind VIP answers" \
		wait_for "first answer" 10 nsx client curl -6 -s --max-time 2 "http://[$vip]/"
	out=$(spread 90 "http://[$vip]/")
	echo "$kind: $(echo "$out" | tr '\n' ' ')"
	check "$kind: rr spreads 90 IPv6 connections over rs1..rs3 (30 each)" rr_even "$out" 90
done
check "the FNAT servers answered the local address (they resolved it by ND)" \
	bash -c "ip -n $DK_LAB-rs1 -6 neigh show $LADDR | grep -q lladdr"
check "TUN: the real servers decapsulated IPv6-in-IPv6 (ip6tnl0 counts packets in)" bash -c \
	"[ \$(ip netns exec $DK_LAB-rs1 cat /sys/class/net/ip6tnl0/statistics/rx_packets) -gt 0 ]"
check "TUN: SYNs had their MSS clamped for the 40-byte outer header" \
	test "$(json lb1 "int(j['counters']['tun_mss_clamped'] > 0)" show lb stats)" = 1
pk() { json lb1 "sum(r['$2'] for r in j['virtual_servers'][0]['real_servers'])" show vs "$1"; }
check "show vs counts NAT replies (pkts_out) as well as requests" \
	bash -c "[ $(pk "[$NAT]:80" pkts_out) -gt 0 ] && [ $(pk "[$NAT]:80" pkts_in) -gt 0 ]"

for kind in NAT FNAT; do
	vip=${!kind}
	udp=$(udp_hits 30 "$vip" 53)
	echo "$kind UDP: $(echo "$udp" | tr '\n' ' ')"
	check "UDP over IPv6 round-trips through $kind to all three echo servers, 10 each" \
		test "$(echo "$udp" | tr '\n' ' ')" = "rs1 10 rs2 10 rs3 10 "
done
check "no packet was dropped for its family or extension headers" test "$(json lb1 \
	"j['counters']['drop_family_mismatch'] + j['counters']['drop_ipv6_ext_hdr']" show lb stats)" = 0
cli lb1 show lb stats
stop_node lb1
finish
