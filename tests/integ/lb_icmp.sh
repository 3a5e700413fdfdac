#!/bin/bash
# ICMP errors about a flow cross dpkeep like the flow's packets: a real server's port
# unreachable reaches the client as the VIP's (NAT and FNAT), so the client's connected
# UDP socket sees ECONNREFUSED; a client's port unreachable about a late reply reaches
# the real server, whose connected socket sees it too. Unknown ones are counted, dropped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
NAT=192.0.2.50
FNAT=192.0.2.60
LADDR=198.51.100.200

lab_up
# Every error is wanted here: no per-destination rate limit.
for h in client rs1 rs2 rs3; do nsx "$h" sysctl -qw net.ipv4.icmp_ratelimit=0; done
for i in 1 2 3; do nsx "rs$i" ip route add default via 198.51.100.1; done

svc() { # VIP PORT RSPORT [laddr_group]
	echo "virtual_server $1 $2 {"
	echo "	lb_algo rr"
	if [ -n "${4:-}" ]; then echo "	lb_kind FNAT"; echo "	laddr_group $4"
	else echo "	lb_kind NAT"; fi
	echo "	protocol UDP"
	for i in 1 2 3; do echo "	real_server 198.51.100.1$i $3 { weight 1 }"; done
	echo "}"
}
cat >"$TMP/lb1.conf" <<EOC
local_address_group LAN1 {
	$LADDR
}
$(svc $NAT 53 5353)
$(svc $NAT 54 5354)
$(svc $FNAT 53 5353 LAN1)
$(svc $FNAT 54 5354 LAN1)
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$NAT"

# Nothing listens on 5353: each real server answers with a port unreachable.
for kind in NAT FNAT; do
	vip=${!kind}
	out=$(refused "$vip" 53 6)
	echo "$kind backend unreachable: $out"
	check "$kind: the client's socket sees ECONNREFUSED from the VIP on all 6 flows" \
		test "$out" = "refused 6"
done

# late_rs N: a one-shot UDP server on rsN:5354 that answers a second late on its socket
# connected to the peer, then notes whether an error about that answer came back.
late_rs() {
	nsx "rs$1" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5354))
s.settimeout(10)
try:
	data, peer = s.recvfrom(100)
except OSError:
	open(sys.argv[1], "w").write("no-request\n")
	sys.exit()
s.connect(peer)
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
		nsx client python3 -c "import socket; socket.socket(socket.AF_INET, \
socket.SOCK_DGRAM).sendto(b'ask $i', ('$vip', 54))"
	done
	wait "${late_pids[@]}"
	res=$(cat "$TMP"/late-$kind-rs* 2>/dev/null | sort | uniq -c | awk '{print $2, $1}' | tr '\n' ' ')
	echo "$kind client unreachable at the servers: $res"
	check "$kind: each real server's socket sees ECONNREFUSED for its late answer" \
		test "$res" = "refused 3 "
done
ic() { json lb1 "j['counters']['$1']" show lb stats; }
check "show lb stats counts the forwarded errors (6 + 6 + 3 + 3)" test "$(ic icmp_errors_forwarded)" = 18

# An error quoting a flow dpkeep never saw, to the VIP: counted and dropped.
before=$(ic drop_icmp_no_conn)
nsx client python3 -c '
import socket, struct
def ck(b):
	s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	s = (s >> 16) + (s & 0xffff)
	return ~(s + (s >> 16)) & 0xffff
vip, me = socket.inet_aton("'$NAT'"), socket.inet_aton("192.0.2.100")
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0, vip, me)
ip = ip[:10] + struct.pack("!H", ck(ip)) + ip[12:]
quote = ip + struct.pack("!HHHH", 53, 40999, 8, 0)
msg = struct.pack("!BBHI", 3, 3, 0, 0) + quote
msg = msg[:2] + struct.pack("!H", ck(msg)) + msg[4:]
socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP).sendto(msg, ("'$NAT'", 0))
'
check "an unreachable about no known flow is dropped and counted" \
	wait_for "drop_icmp_no_conn" 5 test "$(ic drop_icmp_no_conn)" -gt "$before"
cli lb1 show lb stats | grep -E "icmp|drop_no"
stop_node lb1
finish
