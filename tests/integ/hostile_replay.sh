#!/bin/bash
# Hostile traffic through the data plane, offline: dpkeep on the net_pcap PMD reads a
# generated corpus (tests/hostile/gen_corpus.py: truncated and malformed headers,
# fragments, TTL 0/1, bad checksums, SYN/ACK/RST floods, unknown addresses, ARP spoofing,
# forged VRRP adverts) and writes what it sends to a capture. Then: it did not crash,
# every frame was dropped under the counter its class names (exactly), the VRRP
# instance followed its own timers only, and the capture holds no reply to any of it.
export DK_LAB=${DK_LAB:-dkr}
source "$(dirname "$0")/lib.sh"
H=$DK_SRC/tests/hostile
n=replay

cd "$TMP"
python3 "$H/gen_corpus.py" "$TMP" >/dev/null
cp "$H/replay.conf" "$TMP/"
frames=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["frames"])' manifest.json)
dst_mac=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["dst_mac"])' manifest.json)

# Not in a lab namespace: net_pcap touches no interface. cwd is $TMP (relative pcap paths).
"$DPKEEP" --ports replay.conf -f "$H/keepalived.conf" --ctl "$TMP/$n.ctl" \
	-p "$TMP/$n.dpkeep-pid" >"$TMP/$n.log" 2>&1 </dev/null &
echo $! >"$TMP/$n.pid"

# The corpus is consumed at once; the instance becomes MASTER after Master_Down_Interval
# (3 x 1 s + skew) unless a forged advert was believed.
state=none rx=0
for _ in $(seq 100); do
	kill -0 "$(cat "$TMP/$n.pid")" 2>/dev/null || break
	rx=$(json $n 'j["ports"][0]["rx_packets"]' show port stats 2>/dev/null || echo 0)
	state=$(json $n 'j["instances"][0]["state"]' show vrrp 2>/dev/null || echo none)
	[ "$rx" = "$frames" ] && [ "$state" = MASTER ] && break
	sleep 0.2
done
check "dpkeep is still running after the corpus" kill -0 "$(cat "$TMP/$n.pid")"
check "dpkeep read every frame of the corpus ($rx of $frames)" [ "$rx" = "$frames" ]
check "the corpus was addressed to dpkeep's MAC ($dst_mac)" \
	[ "$(json $n 'j["ports"][0]["mac"]' show port info)" = "$dst_mac" ]

mkdir -p before after
cli $n --json show port stats >after/ports.json
cli $n --json show lcores >after/lcores.json
cli $n --json show vrrp stats >after/vrrp.json
# Counters start at zero with the daemon, so "before" is empty.
if python3 "$H/check_counters.py" manifest.json before after --exact >counters.txt 2>&1; then
	ok "each class's frames were dropped under the counters it names (exact)"
else
	fail "each class's frames were dropped under the counters it names (exact)"
fi
sed 's/^/    /' counters.txt

vrrp() { python3 -c "import json,sys; j=json.load(open('after/vrrp.json'))['instances'][0]; print($1)"; }
check "VRRP became MASTER on its own timer (state $state)" [ "$state" = MASTER ]
check "no forged advert was believed: only the valid lower-priority one was accepted" \
	[ "$(vrrp 'j["rx"]["ok"]')" = 1 ]
check "VRRP went INIT -> BACKUP -> MASTER only (2 transitions)" \
	[ "$(vrrp 'j["transitions"]')" = 2 ]
check "the master is dpkeep itself, not a forger" [ "$(vrrp 'j["master_ip"]')" = 192.0.2.1 ]

neigh=$(cli $n --json show neigh)
check "the spoofed MAC was not learned for any address" \
	bash -c "! grep -q '02:00:00:00:ee:01' <<<'$neigh'"
check "the well-behaved neighbour was learned" bash -c "grep -q '192.0.2.100' <<<'$neigh'"

check "SIGTERM stops dpkeep cleanly after the corpus" stop_node $n
check "no sanitizer report in dpkeep's log" \
	bash -c "! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$TMP/$n.log'"

count() { tshark -r "$TMP/sent.pcap" -Y "$1" 2>/dev/null | wc -l; }
check "the capture of what dpkeep sent is readable" tshark -r "$TMP/sent.pcap" -c 1
check "one ARP reply, to the well-behaved neighbour only" \
	[ "$(count 'arp.opcode == 2')" = 1 -a \
	"$(count 'arp.opcode == 2 && arp.dst.proto_ipv4 == 192.0.2.100')" = 1 ]
check "one echo reply, to the control ping only" \
	[ "$(count 'icmp.type == 0')" = 1 -a "$(count 'icmp.type == 0 && icmp.ident == 0xc0de')" = 1 ]
check "no TCP at all (no SYN-ACK, no RST to floods)" [ "$(count tcp)" = 0 ]
check "no UDP at all" [ "$(count udp)" = 0 ]
check "no ICMP errors (unreachable, redirect, time exceeded, parameter problem)" \
	[ "$(count 'icmp.type in {3 5 11 12} || icmpv6.type in {1 2 3 4}')" = 0 ]
check "no ICMPv6 echo reply or neighbour advertisement" \
	[ "$(count 'icmpv6.type == 129 || icmpv6.type == 136')" = 0 ]
check "dpkeep's own VRRP adverts were captured (the tx side is seen)" \
	[ "$(count 'vrrp && ip.src == 192.0.2.1 && vrrp.virt_rtr_id == 51')" -ge 1 ]
finish
