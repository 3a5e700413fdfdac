#!/bin/bash
# dpkeep as a host without a kernel: ARP, ICMP, ND and neighbour resolution against
# real kernel peers; a TCP SYN to dpkeep's own address is dropped and counted.
source "$(dirname "$0")/lib.sh"

for prof in "$DK_SRC"/drivers-cfg/*.conf; do
	# gen-*.conf are dpkeep-gen's (the traffic generator's) profiles, not dpkeep's.
	case $(basename "$prof") in gen-*) continue ;; esac
	check "dpkeep -t --ports validates $(basename "$prof")" "$DPKEEP" -t --ports "$prof"
done
printf 'eal {\n    memory_mb 256\n}\nport eth0 {\n    device net_null0\n    mtu 99999\n}\n' \
	>"$TMP/bad.conf"
check "a bad profile line fails -t with FILE:LINE: message" \
	bash -c "! '$DPKEEP' -t --ports '$TMP/bad.conf' 2>'$TMP/bad.err' && grep -q 'bad.conf:6:' '$TMP/bad.err'"

lab_up
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf"

mac=$(json lb1 'j["ports"][0]["mac"]' show port info eth0)
client_mac=$(nsx client cat /sys/class/net/eth0/address)

check "ping from client to dpkeep's IPv4 address" nsx client ping -c 3 -i 0.2 -W 2 192.0.2.1
check "arping from client gets dpkeep's MAC" \
	bash -c "ip netns exec $DK_LAB-client arping -c 2 -i eth0 192.0.2.1 | grep -qi '$mac'"
check "client's neighbour table shows dpkeep's MAC" \
	bash -c "ip netns exec $DK_LAB-client ip neigh show 192.0.2.1 | grep -qi 'lladdr $mac'"
check "dpkeep resolved the client's MAC itself (show neigh)" \
	bash -c "[ \"\$(python3 -c 'import json,sys; j=json.load(sys.stdin); print([n[\"mac\"] for n in j[\"neighbours\"] if n[\"address\"]==\"192.0.2.100\"][0])' \
		< <('$CLI' --ctl '$TMP/lb1.ctl' --json show neigh))\" = '$client_mac' ]"
check "ping -6 from client to dpkeep's IPv6 address" \
	nsx client ping -6 -c 3 -i 0.2 -W 2 2001:db8:f::1
check "dpkeep learned the client's IPv6 neighbour" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' show neigh | grep -q '2001:db8:f::100'"
check "ping to dpkeep's back-side address is answered on that segment" \
	nsx rs1 ping -c 2 -i 0.2 -W 2 198.51.100.1

before=$(json lb1 'j["ports"][0]["host"]["tcp_to_host"]' show port stats eth0)
# curl exit 28 = timed out (nobody answered); 7 would be a RST from some kernel.
set +e
nsx client curl -s --connect-timeout 2 http://192.0.2.1/ >/dev/null
rc=$?
set -e
check "TCP SYN to dpkeep's address gets no answer (curl timed out, rc=$rc)" [ "$rc" -eq 28 ]
after=$(json lb1 'j["ports"][0]["host"]["tcp_to_host"]' show port stats eth0)
check "the SYN was counted as dropped (tcp_to_host $before -> $after)" [ "$after" -gt "$before" ]
check "no kernel in lb1 answered: the veth has no address" \
	bash -c "[ -z \"\$(ip -n $DK_LAB-lb1 -o addr show dev eth0)\" ]"

check "show lcores lists the control lcore and a worker" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' --json show lcores | python3 -c 'import json,sys; r=[l[\"role\"] for l in json.load(sys.stdin)[\"lcores\"]]; sys.exit(0 if \"control\" in r and \"worker\" in r else 1)'"
check "show route has the connected prefixes" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' show route | grep -q '198.51.100.0/24'"
check "an unknown command fails with a reason and non-zero exit" \
	bash -c "! '$CLI' --ctl '$TMP/lb1.ctl' show nothing-here 2>$TMP/err && grep -q unknown $TMP/err"
check "SIGTERM stops dpkeep cleanly" stop_node lb1
check "final counters were printed" grep -q "port eth0: rx" "$TMP/lb1.log"
check "the pid file (-p) was removed on exit" test ! -e "$TMP/lb1.dpkeep-pid"
finish
