#!/bin/bash
# FNAT: dpkeep rewrites both ends, so real servers with no route back to the client
# (no default route at all) still answer: replies go to the local address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.60
LADDR=198.51.100.200

lab_up
for i in 1 2 3; do
	nginx_rs "$i"
	udp_echo_rs "$i" 5353
done

cat >"$TMP/lb1.conf" <<EOC
local_address_group LAN1 {
	$LADDR
}
virtual_server $VIP 80 {
	lb_algo rr
	lb_kind FNAT
	laddr_group LAN1
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
virtual_server $VIP 81 {
	lb_algo wrr
	lb_kind FNAT
	laddr_group LAN1
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 2 }
	real_server 198.51.100.13 80 { weight 3 }
}
virtual_server $VIP 53 {
	lb_algo rr
	lb_kind FNAT
	laddr_group LAN1
	protocol UDP
	real_server 198.51.100.11 5353 { weight 1 }
	real_server 198.51.100.12 5353 { weight 1 }
	real_server 198.51.100.13 5353 { weight 1 }
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
check "real servers see the local address answer ARP" \
	wait_for "arping" 10 nsx rs1 arping -c1 -w1 -I eth0 "$LADDR"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"

out=$(hits 3000 "$VIP")
echo "$out"
check "rr gives each server 1000 of 3000 FNAT connections (+-1%)" rr_even "$out" 3000
out=$(hits 3000 "$VIP" 81)
echo "$out"
check "wrr 1:2:3 gives each server its share of 3000 FNAT connections (+-5%)" \
	wrr_123 "$out" 3000
check "the real servers have no route to the client (replies went to the local address)" \
	bash -c "! ip netns exec $DK_LAB-rs1 ip route get 192.0.2.100"

udp=$(udp_hits 30 "$VIP" 53)
echo "$udp"
check "UDP round-trips through FNAT to all three echo servers, 10 each" \
	test "$(echo "$udp" | tr '\n' ' ')" = "rs1 10 rs2 10 rs3 10 "
stop_node lb1
finish
