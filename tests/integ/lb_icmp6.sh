#!/bin/bash
# ICMPv6 errors about a flow cross dpkeep like the flow's packets (lb_icmp.sh for IPv6):
# a real server's port unreachable reaches the client from the VIP (NAT and FNAT), so
# its connected UDP socket sees ECONNREFUSED; a real server's Packet Too Big lowers the
# client's path MTU to the VIP; a client's unreachable about a late reply reaches the
# real server. The quote is translated back and the ICMPv6 checksum recomputed over the
# new pseudo-header, or the kernels would drop them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
NAT=2001:db8:f::50
FNAT=2001:db8:f::60
LADDR=2001:db8:b::200

lab_up
for h in client rs1 rs2 rs3; do nsx "$h" sysctl -qw net.ipv6.icmp.ratelimit=0; done
for i in 1 2 3; do nsx "rs$i" ip -6 route add default via 2001:db8:b::1; done

svc() { # VIP PORT RSPORT [laddr_group]
	echo "virtual_server $1 $2 {"
	echo "	lb_algo rr"
	if [ -n "${4:-}" ]; then echo "	lb_kind FNAT"; echo "	laddr_group $4"
	else echo "	lb_kind NAT"; fi
	echo "	protocol UDP"
	for i in 1 2 3; do echo "	real_server 2001:db8:b::1$i $3 { weight 1 }"; done
	echo "}"
}
cat >"$TMP/lb1.conf" <<EOC
local_address_group L6 {
	$LADDR
}
$(svc $NAT 53 5353)
$(svc $NAT 54 5354)
$(svc $NAT 55 5355)
$(svc $FNAT 53 5353 L6)
$(svc $FNAT 54 5354 L6)
$(svc $FNAT 55 5355 L6)
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "the NAT VIP answers ping -6" wait_for "ping" 10 nsx client ping -6 -c1 -W1 "$NAT"
check "real servers see the FNAT local address answer NS" \
	wait_for "ndisc" 10 nsx rs1 ping -6 -c1 -W1 "$LADDR"

# Nothing listens on 5353: each real server answers with a port unreachable.
for kind in NAT FNAT; do
	vip=${!kind}
	out=$(refused "$vip" 53 6)
	echo "$kind backend unreachable: $out"
	check "$kind: the client's socket sees ECONNREFUSED from the IPv6 VIP on all 6 flows" \
		test "$out" = "refused 6"
done

# ptb_rs N: on rsN:5355, answers the first datagram with a Packet Too Big (MTU 1400)
# quoting it as it arrived, sent to its source from the real server's own address.
ptb_rs() {
	nsx "rs$1" python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 5355))
s.settimeout(10)
try:
	data, peer = s.recvfrom(2000)
except OSError:
	sys.exit()
me = socket.inet_pton(socket.AF_INET6, sys.argv[1])
src = socket.inet_pton(socket.AF_INET6, peer[0])
udp = struct.pack("!HHHH", peer[1], 5355, 8 + len(data), 0) + data
ip6 = struct.pack("!IHBB", 0x60000000, len(udp), 17, 63) + src + me
# The kernel fills in an ICMPv6 raw socket'"'"'s checksum.
r = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
r.bind((sys.argv[1], 0))
r.sendto(struct.pack("!BBHI", 2, 0, 0, 1400) + ip6 + udp, (peer[0], 0))
' "2001:db8:b::1$1" &
	ptb_pids+=($!)
}
for kind in NAT FNAT; do
	vip=${!kind}
	ptb_pids=()
	for i in 1 2 3; do ptb_rs "$i"; done
	sleep 0.5
	# A 1200-byte datagram fits; the real server says the path takes 1400 at most.
	out=$(nsx client python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect((sys.argv[1], 55))
s.send(b"x" * 1200)
for _ in range(25):
	time.sleep(0.2)
	mtu = s.getsockopt(41, 24)	# IPV6_MTU
	if mtu != 1500:
		break
print(mtu)
' "$vip" || true)
	kill "${ptb_pids[@]}" 2>/dev/null || true
	wait "${ptb_pids[@]}" 2>/dev/null || true
	echo "$kind: the client's path MTU to the VIP after the real server's PTB: $out"
	check "$kind: a real server's Packet Too Big lowers the client's path MTU to the VIP to 1400" \
		test "$out" = 1400
	check "$kind: ip -6 route get VIP in the client shows the cached mtu 1400" \
		bash -c "ip netns exec $DK_LAB-client ip -6 route get $vip | grep -q 'mtu 1400'"
done

# late_rs N KIND: a one-shot UDP server on rsN:5354 that answers a second late on its
# socket connected to the peer, then notes whether an error about that answer came back.
late_rs() {
	nsx "rs$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 5354))
s.settimeout(10)
try:
	data, peer = s.recvfrom(100)
except OSError:
	open(sys.argv[1], "w").write("no-request\n")
	sys.exit()
s.connect(peer[:2])
time.sleep(1)
s.send(b"late\n")
s.settimeout(3)
try:
	s.recv(100)
	r = "answered"
except ConnectionRefusedError:
	r = "refused"
except OSError:
	r = "timeout"
open(sys.argv[1], "w").write(r + "\n")
' "$TMP/late-$2-rs$1" &
	late_pids+=($!)
}
for kind in NAT FNAT; do
	vip=${!kind}
	late_pids=()
	for i in 1 2 3; do late_rs "$i" "$kind"; done
	sleep 0.5
	# The client asks and goes: its kernel answers the late reply with an unreachable.
	for i in 1 2 3; do
		nsx client python3 -c "import socket; socket.socket(socket.AF_INET6, \
socket.SOCK_DGRAM).sendto(b'ask $i', ('$vip', 54))"
	done
	wait "${late_pids[@]}"
	res=$(cat "$TMP"/late-$kind-rs* 2>/dev/null | sort | uniq -c | awk '{print $2, $1}' | tr '\n' ' ')
	echo "$kind client unreachable at the servers: $res"
	check "$kind: each real server's socket sees ECONNREFUSED for its late answer" \
		test "$res" = "refused 3 "
done
ic() { json lb1 "j['counters']['$1']" show lb stats; }
check "show lb stats counts the forwarded errors (6 + 6 + 1 + 1 + 3 + 3)" \
	test "$(ic icmp_errors_forwarded)" = 20
cli lb1 show lb stats | grep -E "icmp|drop_no"
stop_node lb1
finish
