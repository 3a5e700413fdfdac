#!/bin/bash
# Forged health-check replies: rs1 runs nginx (TCP 80) and a UDP echo (5353), but its
# answers to dpkeep are blackholed, so TCP_CHECK and UDP_CHECK find it dead. A forger on
# rs1's link (tests/hostile/forge_hc.py) answers every probe it sees with SYN-ACKs from
# another address, with a wrong ack and from a wrong port, UDP replies from another
# address and port, and ICMP port unreachables quoting probes that do not exist. rs1
# must stay DOWN throughout, the forgeries are counted (no_owner, icmp_unreach_unmatched,
# the TCP client's reset of a bad ack), and once the blackhole goes the same checkers
# bring rs1 back UP (so they could have been fooled).
export DK_LAB=dks
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=198.51.100.50
RS=198.51.100.11
TIMERS="connect_timeout 1
            retry 1
            delay_before_retry 1"

lab_up
nginx_rs 1
udp_echo_rs 1 5353
# rs1's replies to dpkeep's probe address go nowhere: to dpkeep it looks dead.
nsx rs1 ip route add blackhole 198.51.100.1/32

cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 80 {
	delay_loop 1
	lb_algo rr
	lb_kind DR
	protocol TCP
	real_server $RS 80 {
		TCP_CHECK {
			connect_port 80
			$TIMERS
		}
	}
}
virtual_server $VIP 5353 {
	delay_loop 1
	lb_algo rr
	lb_kind DR
	protocol UDP
	real_server $RS 5353 {
		UDP_CHECK {
			connect_port 5353
			require_reply
			$TIMERS
		}
	}
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
states() { # "TCP_STATE UDP_STATE"
	cli lb1 --json show hc | python3 -c '
import json, sys
c = {x["kind"]: x["state"] for x in json.load(sys.stdin)["checkers"]}
print(c.get("TCP_CHECK"), c.get("UDP_CHECK"))'
}
hcstat() { json lb1 "j['counters']['$1']" show hc; }
both() { [ "$(states)" = "$1 $1" ]; }
check "both checkers find the blackholed rs1 DOWN" wait_for "rs1 DOWN" 15 both DOWN
no_owner0=$(hcstat no_owner)
unm0=$(hcstat icmp_unreach_unmatched)

nsx rs1 python3 "$DK_SRC/tests/hostile/forge_hc.py" eth0 --server "$RS" \
	--other 198.51.100.12 --seconds 12 >"$TMP/forge.json" &
forger=$!
seen_up=0
for _ in $(seq 26); do
	st=$(states)
	[ "$st" = "DOWN DOWN" ] || { seen_up=1; echo "    state during forging: $st"; }
	sleep 0.5
done
wait "$forger" || true
echo "    forger: $(cat "$TMP/forge.json")"
forged() { python3 -c "import json; print(json.load(open('$TMP/forge.json'))['$1'])"; }
check "the forger saw TCP and UDP probes and answered each" \
	bash -c "[ $(forged syn_seen) -ge 3 ] && [ $(forged udp_seen) -ge 3 ]"
check "rs1 stayed DOWN on both checkers while forged replies arrived" test "$seen_up" = 0
check "show rs: rs1 not alive" \
	test "$(json lb1 "[r['alive'] for r in j['real_servers']]" show rs)" = "[False, False]"
check "forged SYN-ACKs and UDP replies from wrong sources/ports counted under no_owner" \
	test "$(hcstat no_owner)" -ge $((no_owner0 + $(forged synack_other_src) + \
		$(forged synack_bad_port) + $(forged udp_other_src) + $(forged udp_bad_port)))
check "ICMP unreachables quoting no probe counted under icmp_unreach_unmatched" \
	test "$(hcstat icmp_unreach_unmatched)" -ge $((unm0 + $(forged icmp_unreach_unmatched)))
check "no transition to UP in the log while forging" \
	bash -c "! grep -qiE 'Adding service|\\bUP\\b.*$RS|$RS.*\\bUP\\b|succeed' '$TMP/lb1.log'"

# Positive control: the same checkers do see rs1 alive once its answers get through.
nsx rs1 ip route del blackhole 198.51.100.1/32
check "with the blackhole gone, both checkers bring rs1 UP" wait_for "rs1 UP" 15 both UP
check "dpkeep is still running" kill -0 "$(cat "$TMP/lb1.pid")"
check "SIGTERM stops dpkeep cleanly" stop_node lb1
check "no sanitizer report in dpkeep's log" \
	bash -c "! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$TMP/lb1.log'"
finish
