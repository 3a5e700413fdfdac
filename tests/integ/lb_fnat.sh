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

out=$(spread 300 "http://$VIP/")
echo "$out"
rr_even() {
	for i in 1 2 3; do
		c=$(echo "$out" | awk -v n="rs$i" '$1 == n {print $2}')
		[ "${c:-0}" -ge 95 ] && [ "${c:-0}" -le 105 ] || return 1
	done
}
check "rr spreads 300 FNAT connections evenly over three backends (+-5)" rr_even
check "the real servers have no route to the client (replies went to the local address)" \
	bash -c "! ip netns exec $DK_LAB-rs1 ip route get 192.0.2.100"

udp=$(for i in $(seq 30); do
	echo "ping $i" | nsx client socat -T1 - "UDP4:$VIP:53" 2>/dev/null | head -1
done | sort | uniq -c | awk '{print $2, $1}')
echo "$udp"
check "UDP round-trips through FNAT to all three echo servers, 10 each" \
	test "$(echo "$udp" | tr '\n' ' ')" = "rs1 10 rs2 10 rs3 10 "
stop_node lb1
finish
