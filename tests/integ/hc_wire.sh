#!/bin/bash
# Health checks on the wire, beyond pass and fail: UDP_CHECK sends its payload and judges
# the reply (require_reply pattern with X nibbles, min/max_reply_length) against a scripted
# responder on rs1; an ICMP unreachable from a router (rs2, forwarding to an unreachable
# route) ends a TCP probe at once instead of at connect_timeout; /dpkeep/hc telemetry
# (dpdk-telemetry.py) and the per-checker Prometheus families follow the checkers.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/hc_lib.sh"

lab_up
for i in 1 2; do nsx "rs$i" ip route add default via 198.51.100.1; done
# rs2 routes 203.0.113.0/24 as unreachable: a SYN forwarded there gets ICMP host unreachable
nsx rs2 sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0
nsx rs2 ip route add unreachable 203.0.113.0/24
cp "$DK_SRC/drivers-cfg/af_packet.conf" "$TMP/profile.conf"
echo "route 203.0.113.0/24 via 198.51.100.12 dev eth1" >>"$TMP/profile.conf"

# Answers only the payload "PING"; what it answers depends on $TMP/udp-mode.
echo ok >"$TMP/udp-mode"
cat >"$TMP/udp-responder.py" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7007))
n = 0
while True:
    data, peer = s.recvfrom(2048)
    if data != b"PING":
        continue
    n += 1
    mode = open(sys.argv[2]).read().strip()
    s.sendto({"ok": b"PONG-" + bytes([n & 0xff]), "bad": b"PANG-x",
              "long": b"PONG-" + b"x" * 15, "short": b"PO"}[mode], peer)
EOP
ip netns exec "$DK_LAB-rs1" python3 "$TMP/udp-responder.py" 198.51.100.11 "$TMP/udp-mode" &
echo $! >"$TMP/udpr-rs1.pid"

cat >"$TMP/lb1.conf" <<EOC
virtual_server 192.0.2.10 7007 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol UDP
	real_server 198.51.100.11 7007 {
		UDP_CHECK {
			payload 50494e47
			require_reply 504f4e47 2dXX
			min_reply_length 4
			max_reply_length 16
			$HC_TIMERS
		}
	}
	real_server 198.51.100.12 7007 {
		TCP_CHECK {
			connect_ip 203.0.113.5
			connect_port 80
			connect_timeout 5
			retry 0
		}
	}
}
EOC
check "dpkeep -t accepts the UDP_CHECK keywords" "$DPKEEP" -t -f "$TMP/lb1.conf"
check "dpkeep -d prints payload and require_reply back as hex bytes" bash -c \
	"'$DPKEEP' -d -f '$TMP/lb1.conf' | grep -q 'payload 50 49 4e 47' &&
	 '$DPKEEP' -d -f '$TMP/lb1.conf' | grep -q 'require_reply 50 4f 4e 47 2d XX'"
start_node lb1 "$TMP/profile.conf" -f "$TMP/lb1.conf"
t0=$(date +%s.%N)

# ICMP unreachable: DOWN on the first probe, long before connect_timeout (5 s)
if t=$(hc_wait TCP_CHECK 198.51.100.12 DOWN 10); then
	check "TCP probe answered by ICMP unreachable: DOWN after ${t}s (connect_timeout 5s)" \
		le "$t" 3
else
	fail "TCP_CHECK through rs2 did not go DOWN"
fi
check "show hc gives the reason icmp_unreach" \
	test "$(hc_get TCP_CHECK 198.51.100.12 | cut -d' ' -f2)" = icmp_unreach
sleep 3
tcp_done() {
	json lb1 "[c['ok'] + c['failed'] for c in j['checkers'] if c['kind'] == 'TCP_CHECK'][0]" \
		show hc
}
n=$(tcp_done)
el=$(python3 -c "print(round($(date +%s.%N) - $t0, 1))")
check "each probe ends at once: $n probes finished in ${el}s (a timeout allows one per 5s)" \
	test "$n" -ge 3

# UDP_CHECK: payload sent (the responder ignores anything else), reply judged
if t=$(hc_wait UDP_CHECK 198.51.100.11 UP 10) &&
   [ "$(hc_get UDP_CHECK 198.51.100.11 | cut -d' ' -f2)" = ok ]; then
	ok "UDP_CHECK with payload PING passes on PONG-<counter> (2dXX ignores the counter)"
else
	fail "UDP_CHECK did not pass against the responder"
fi
udp_case() { # MODE REASON
	echo "$1" >"$TMP/udp-mode"
	if t=$(hc_wait UDP_CHECK 198.51.100.11 DOWN $((HC_BOUND * 2))); then
		check "UDP reply '$1': DOWN after ${t}s" le "$t" "$HC_BOUND"
	else
		fail "UDP reply '$1': UDP_CHECK did not go DOWN"
	fi
	check "UDP reply '$1': show hc gives the reason $2" \
		test "$(hc_get UDP_CHECK 198.51.100.11 | cut -d' ' -f2)" = "$2"
	echo ok >"$TMP/udp-mode"
	hc_wait UDP_CHECK 198.51.100.11 UP 10 >/dev/null || fail "UDP_CHECK back UP after '$1'"
}
udp_case bad reply_mismatch
udp_case long reply_too_long
udp_case short reply_too_short

# /dpkeep/hc telemetry and the metrics families
telemetry() { # ENDPOINT 'python boolean on j' (j: the endpoint's value)
	echo "$1" | timeout 20 dpdk-telemetry.py -f "$DK_LAB-lb1" 2>/dev/null | tail -1 |
		python3 -c "import json,sys; j=json.load(sys.stdin)['${1%%,*}']
sys.exit(0 if ($2) else 1)"
}
check "dpdk-telemetry.py: /dpkeep/hc lists both checkers with state and result" \
	telemetry /dpkeep/hc 'j["count"]==2 and sorted(j["checkers"])==[
		"TCP_CHECK 203.0.113.5:80 DOWN icmp_unreach", "UDP_CHECK 198.51.100.11:7007 UP ok"]'
check "dpdk-telemetry.py: /dpkeep/hc details per checker (reason, counts)" \
	telemetry /dpkeep/hc '[(v["reason"], v["went_down"]) for v in j.values()
		if isinstance(v, dict) and v["kind"]=="TCP_CHECK"]
		== [("destination unreachable", 1)]'
check "dpdk-telemetry.py: /dpkeep/hc,198.51.100.12 gives only that server's checker" \
	telemetry /dpkeep/hc,198.51.100.12 \
	'j["count"]==1 and j["checkers"][0].startswith("TCP_CHECK")'
cli lb1 metrics >"$TMP/metrics.txt"
tcp_lbl='vs="192.0.2.10:7007",rs="198.51.100.12:7007",kind="TCP_CHECK",target="203.0.113.5:80"'
udp_lbl='vs="192.0.2.10:7007",rs="198.51.100.11:7007",kind="UDP_CHECK",target="198.51.100.11:7007"'
check "metrics: dpkeep_hc_checker_up is 0 for the TCP checker, 1 for the UDP one" bash -c \
	"grep -qxF 'dpkeep_hc_checker_up{$tcp_lbl} 0' '$TMP/metrics.txt' &&
	 grep -qxF 'dpkeep_hc_checker_up{$udp_lbl} 1' '$TMP/metrics.txt'"
check "metrics: dpkeep_hc_checker_last_result names icmp_unreach" \
	grep -qxF "dpkeep_hc_checker_last_result{$tcp_lbl,result=\"icmp_unreach\"} 1" \
	"$TMP/metrics.txt"
check "metrics: UDP checker went down 3 times" \
	grep -qxF "dpkeep_hc_checker_transitions_total{$udp_lbl,to=\"down\"} 3" "$TMP/metrics.txt"
alive='dpkeep_hc_real_server_alive{vs="192.0.2.10:7007",rs="198.51.100.1'
check "metrics: rs2 not alive, rs1 alive" bash -c \
	"grep -qxF '${alive}2:7007\"} 0' '$TMP/metrics.txt' &&
	 grep -qxF '${alive}1:7007\"} 1' '$TMP/metrics.txt'"
check "SIGTERM stops dpkeep cleanly" stop_node lb1
finish
