#!/bin/bash
# TUN and the MTU: a client datagram that would not fit the back port's MTU of 1500 once
# the outer header is added is answered from the VIP with ICMP "fragmentation needed"
# (IPv6: Packet Too Big) carrying 1480 (1460), so the client's kernel lowers its path MTU
# to the VIP; IPv4 without DF is dropped and counted; the answers are rate limited.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=198.51.100.51
VIP6=2001:db8:b::51

lab_up
ip -n "$DK_LAB-sw" link add client-eth1 type veth peer name eth1 netns "$DK_LAB-client"
ip -n "$DK_LAB-sw" link set client-eth1 master back up
ip -n "$DK_LAB-client" addr add 198.51.100.100/24 dev eth1
ip -n "$DK_LAB-client" addr add 2001:db8:b::100/64 dev eth1 nodad
ip -n "$DK_LAB-client" link set eth1 up
rs_block() { for i in 1 2 3; do echo "	real_server $1$i 53 { weight 1 }"; done; }
cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 53 {
	lb_algo rr
	lb_kind TUN
	protocol UDP
$(rs_block 198.51.100.1)
}
virtual_server $VIP6 53 {
	lb_algo rr
	lb_kind TUN
	protocol UDP
$(rs_block 2001:db8:b::1)
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "the VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
check "the IPv6 VIP answers ping" wait_for "ping" 10 nsx client ping -6 -c1 -W1 "$VIP6"
c() { json lb1 "j['counters']['$1']" show lb stats; }

# send FAMILY VIP SIZE PMTUDISC N: N datagrams of SIZE bytes (PMTUDISC: 0 never DF,
# 2 DF by the path MTU, 3 DF whatever the path MTU). N=0: one from a connected socket,
# then waits for the path MTU to change and prints "mtu M then EMSGSIZE" or what happened.
send() {
	nsx client python3 - "$@" <<'EOPY'
import errno, socket, sys, time
fam, vip, size, disc, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
	int(sys.argv[5])
v6 = fam == "6"
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
# IPV6_MTU_DISCOVER 23, IPV6_MTU 24; IP_MTU_DISCOVER 10, IP_MTU 14
lvl, disc_opt, mtu_opt = (41, 23, 24) if v6 else (0, 10, 14)
s.setsockopt(lvl, disc_opt, disc)
if n:
	# Unconnected: an error that comes back is not held for the next send.
	for _ in range(n):
		s.sendto(b"x" * size, (vip, 53))
	sys.exit()
s.connect((vip, 53))
s.send(b"x" * size)
until = time.time() + 5
while time.time() < until:
	time.sleep(0.2)
	try:
		s.send(b"x" * size)
	except OSError as e:
		if e.errno == errno.EMSGSIZE:
			print("mtu %d then EMSGSIZE" % s.getsockopt(lvl, mtu_opt))
			sys.exit()
		raise
print("no EMSGSIZE, mtu %d" % s.getsockopt(lvl, mtu_opt))
EOPY
}

# The first ones may go before dpkeep has resolved the real servers (drop_no_next_hop).
fits() { send 4 "$VIP" 1000 2 1; sleep 0.2; [ "$(c forwarded)" -gt 0 ]; }
check "a DF datagram that fits once encapsulated is forwarded" wait_for "forwarded" 10 fits
check "and answered with no ICMP" test "$(c tun_too_big_icmp_sent)" = 0

out=$(send 4 "$VIP" 1472 2 0)
echo "IPv4, DF, 1500 bytes: $out"
check "IPv4: the client's socket learns path MTU 1480 and refuses 1500 bytes (EMSGSIZE)" \
	test "$out" = "mtu 1480 then EMSGSIZE"
route=$(nsx client ip route get "$VIP")
echo "$route"
check "IPv4: ip route get VIP in the client shows the cached mtu 1480" \
	bash -c "echo '$route' | grep -q 'mtu 1480'"
check "show lb stats counts the answer (tun_too_big_icmp_sent)" \
	test "$(c tun_too_big_icmp_sent)" -ge 1

out=$(send 6 "$VIP6" 1452 2 0)
echo "IPv6, 1500 bytes: $out"
check "IPv6: the client's socket learns path MTU 1460 from a Packet Too Big (EMSGSIZE)" \
	test "$out" = "mtu 1460 then EMSGSIZE"
check "IPv6: ip -6 route get VIP in the client shows the cached mtu 1460" \
	bash -c "ip netns exec $DK_LAB-client ip -6 route get $VIP6 | grep -q 'mtu 1460'"

nodf=$(c drop_tun_too_big_no_df)
send 4 "$VIP" 1472 0 1
check "IPv4 without DF that does not fit is dropped and counted (drop_tun_too_big_no_df)" \
	wait_for "no_df" 5 test "$(c drop_tun_too_big_no_df)" -gt "$nodf"

# 300 too big at once (DF set whatever the path MTU): 50 answered from the bucket, the
# rest suppressed but for the few the bucket refills with while they arrive.
sent0=$(c tun_too_big_icmp_sent)
send 4 "$VIP" 1472 3 300
wait_for "all counted" 5 test "$(($(c tun_too_big_icmp_sent) + $(c tun_too_big_icmp_suppressed) \
	- sent0))" -ge 250 || true
sent=$(($(c tun_too_big_icmp_sent) - sent0))
supp=$(c tun_too_big_icmp_suppressed)
echo "burst of 300: $sent answered, $supp suppressed"
check "a burst of 300 is answered 50 times or a little more, the rest suppressed" \
	bash -c "[ $sent -ge 50 ] && [ $sent -lt 150 ] && [ $supp -gt 100 ]"
cli lb1 show lb stats | grep -E "tun_|forwarded"
stop_node lb1
finish
