#!/bin/bash
# TUN: dpkeep wraps each client packet in IPIP to a real server, which decapsulates it
# (ipip_rs), holds the VIP on its tunnel device and answers the client directly. The
# SYN's MSS is clamped so segments still fit once the 20-byte outer header is added.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=198.51.100.51
VIP2=198.51.100.53

lab_up
# A client leg on the back segment: real servers answer it directly (TUN ports are the
# VIP's: nothing is translated).
ip -n "$DK_LAB-sw" link add client-eth1 type veth peer name eth1 netns "$DK_LAB-client"
ip -n "$DK_LAB-sw" link set client-eth1 master back up
ip -n "$DK_LAB-client" addr add 198.51.100.100/24 dev eth1
ip -n "$DK_LAB-client" link set eth1 up
for i in 1 2 3; do
	ipip_rs "$i" "$VIP"
	nsx "rs$i" ip addr add "$VIP2/32" dev ipip0
	nginx_rs "$i"
	nsx "rs$i" socat "UDP4-LISTEN:53,bind=$VIP,fork,reuseaddr" \
		"SYSTEM:'echo rs$i; cat'" >/dev/null 2>&1 &
	echo $! >"$TMP/socat-rs$i.pid"
done

cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 80 {
	lb_algo rr
	lb_kind TUN
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
virtual_server $VIP2 80 {
	lb_algo wrr
	lb_kind TUN
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 2 }
	real_server 198.51.100.13 80 { weight 3 }
}
virtual_server $VIP 53 {
	lb_algo rr
	lb_kind TUN
	protocol UDP
	real_server 198.51.100.11 53 { weight 1 }
	real_server 198.51.100.12 53 { weight 1 }
	real_server 198.51.100.13 53 { weight 1 }
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
check "first answer through the tunnel" \
	wait_for "first answer" 10 nsx client curl -s --max-time 2 "http://$VIP/"

out=$(hits 3000 "$VIP")
echo "$out"
check "rr gives each server 1000 of 3000 connections through IPIP (+-1%)" rr_even "$out" 3000
out=$(hits 3000 "$VIP2")
echo "$out"
check "wrr 1:2:3 gives each server its share of 3000 connections through IPIP (+-5%)" \
	wrr_123 "$out" 3000
check "the real servers received IPIP (their tunnel device counts packets in)" bash -c \
	"[ \$(ip netns exec $DK_LAB-rs1 cat /sys/class/net/ipip0/statistics/rx_packets) -gt 0 ]"

# A download: the real server sends to the client with the MSS dpkeep left in the SYN.
nsx client curl -s --limit-rate 2M -o "$TMP/big.out" "http://$VIP/big" &
dl=$!
mss() {
	for i in 1 2 3; do
		nsx "rs$i" ss -tinH state established '( sport = :80 )'
	done | grep -o ' mss:[0-9]*' | head -1 | cut -d: -f2
}
mss_seen() { [ -n "$(mss)" ]; }
wait_for "the download's connection" 10 mss_seen || nsx rs1 ss -tin
m=$(mss)
echo "real server's send MSS: $m"
# 1500 - 20 (IPIP) - 40 = 1440, less 12 bytes of timestamps when they are on.
check "the SYN's MSS was clamped to fit the tunnel (1440 at most)" \
	bash -c "[ -n '$m' ] && [ '$m' -le 1440 ]"
check "show lb stats counts clamped SYNs" test "$(json lb1 \
	"j['counters']['tun_mss_clamped'] > 300" show lb stats)" = True
wait "$dl" || true
check "the download through the tunnel completed" \
	test "$(stat -c %s "$TMP/big.out")" = 20000000

udp=$(udp_hits 30 "$VIP" 53)
echo "$udp"
check "UDP round-trips through TUN to all three echo servers, 10 each" \
	test "$(echo "$udp" | tr '\n' ' ')" = "rs1 10 rs2 10 rs3 10 "
stop_node lb1
finish
