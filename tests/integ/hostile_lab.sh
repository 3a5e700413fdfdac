#!/bin/bash
# Hostile traffic into a live dpkeep: the same generated corpus as hostile_replay.sh,
# addressed to lb1's real MAC, sent from the client namespace with a raw AF_PACKET
# socket while lb1 is VRRP MASTER. Then dpkeep still runs, answers ping and ping -6,
# is still MASTER, and every drop counter the corpus names moved (not exactly: the
# kernel peers add their own traffic, and a few fragments do not cross the lab bridge).
export DK_LAB=${DK_LAB:-dkr}
source "$(dirname "$0")/lib.sh"
H=$DK_SRC/tests/hostile

poll() { # SECONDS command...: every 0.2 s until the command succeeds
	local t=$1 i; shift
	for ((i = 0; i < t * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}
is_master() { [ "$(json lb1 'j["instances"][0]["state"]' show vrrp)" = MASTER ]; }
save() { # DIR: the counters check_counters.py compares
	mkdir -p "$1"
	cli lb1 --json show port stats eth0 >"$1/ports.json"
	cli lb1 --json show lcores >"$1/lcores.json"
	cli lb1 --json show vrrp stats >"$1/vrrp.json"
}

sed 's/interface pcap0/interface eth0/' "$H/keepalived.conf" >"$TMP/keepalived.conf"
lab_up
# With br_netfilter in the host kernel the lab's bridges validate IP headers and drop
# malformed frames before they reach dpkeep; the attack must reach dpkeep. Only the
# lab's switch namespace is changed.
ip netns exec "$DK_LAB-sw" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
	net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0 2>/dev/null ||
	true
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/keepalived.conf"
check "the VRRP instance becomes MASTER before the attack" poll 15 is_master
check "ping works before the attack" nsx client ping -c 2 -i 0.2 -W 2 192.0.2.1

mac=$(json lb1 'j["ports"][0]["mac"]' show port info eth0)
client_mac=$(nsx client cat /sys/class/net/eth0/address)
python3 "$H/gen_corpus.py" "$TMP/corpus" --dst-mac "$mac" --src-mac "$client_mac" \
	--vip-owned --no-runts >/dev/null
transitions=$(json lb1 'j["instances"][0]["transitions"]' show vrrp)
save "$TMP/before"
check "the whole corpus was sent from the client namespace" \
	nsx client python3 "$H/inject.py" eth0 "$TMP/corpus/corpus.pcap"
# Let the control lcore drain its rings before reading counters.
sleep 1
save "$TMP/after"
if python3 "$H/check_counters.py" "$TMP/corpus/manifest.json" "$TMP/before" "$TMP/after" \
	--moved >"$TMP/counters.txt" 2>&1; then
	ok "every drop counter the corpus names moved"
else
	fail "every drop counter the corpus names moved"
fi
sed 's/^/    /' "$TMP/counters.txt"

check "dpkeep is still running after the attack" kill -0 "$(cat "$TMP/lb1.pid")"
check "ping still works after the attack" nsx client ping -c 3 -i 0.2 -W 2 192.0.2.1
check "ping -6 still works after the attack" nsx client ping -6 -c 3 -i 0.2 -W 2 2001:db8:f::1
check "the VIP still answers ping (dpkeep owns it)" nsx client ping -c 2 -i 0.2 -W 2 192.0.2.10
check "still MASTER, no transition caused by forged adverts" \
	[ "$(json lb1 'j["instances"][0]["state"]+" "+str(j["instances"][0]["transitions"])' \
		show vrrp)" = "MASTER $transitions" ]
check "the client's neighbour entry for dpkeep still has dpkeep's MAC" \
	bash -c "ip netns exec $DK_LAB-client arping -c 1 -i eth0 192.0.2.1 | grep -qi '$mac'"
check "SIGTERM stops dpkeep cleanly after the attack" stop_node lb1
check "no sanitizer report in dpkeep's log" \
	bash -c "! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$TMP/lb1.log'"
finish
