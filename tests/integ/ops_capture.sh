#!/bin/bash
# Packet capture on a box whose kernel never sees the traffic: dpkeep runs one VRRP
# instance alone (it becomes MASTER and sends adverts from the control lcore) while the
# client pings it; captures with and without a BPF filter, per direction, must open in
# tshark with exactly the frames asked for.
source "$(dirname "$0")/lib.sh"

# poll SECONDS command...: every 0.1 s until the command succeeds.
poll() {
	local t=$1 i; shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
cap_state() { [ "$(json lb1 'j["state"]' show capture)" = "$1" ]; }
is_master() { [ "$(json lb1 'j["instances"][0]["state"]' show vrrp)" = MASTER ]; }

cat >"$TMP/keepalived.conf" <<'EOF'
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.50/24
    }
}
EOF

lab_up
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/keepalived.conf"
mac=$(json lb1 'j["ports"][0]["mac"]' show port info eth0)
check "VRRP instance alone becomes MASTER" poll 15 is_master

# 1. VRRP adverts only, while pings and ARP also cross the port.
nsx client ping -i 0.2 -W 1 192.0.2.1 >/dev/null 2>&1 &  # until killed below
ping_pid=$!
check "capture start with a vrrp filter" \
	cli lb1 capture start port eth0 both filter "vrrp" file "$TMP/vrrp.pcap" count 3
shown=$(json lb1 'j["state"]+" "+j["port"]+" "+j["filter"]' show capture)
check "show capture says running on eth0 with the filter ($shown)" \
	[ "$shown" = "running eth0 vrrp" ]
check "the capture stops by itself after 3 frames" poll 20 cap_state stopped
tshark -r "$TMP/vrrp.pcap" -T fields -e frame.protocols -e ip.src >"$TMP/vrrp.txt" 2>"$TMP/tshark.err"
check "tshark reads the file: 3 frames" [ "$(wc -l <"$TMP/vrrp.txt")" -eq 3 ]
check "every frame is VRRP" bash -c "! grep -v ':vrrp' '$TMP/vrrp.txt'"
check "the adverts are dpkeep's own (sent by the control lcore)" \
	bash -c "[ \"\$(cut -f2 '$TMP/vrrp.txt' | sort -u)\" = '192.0.2.1' ]"
check "the filter dropped other frames (pings)" \
	[ "$(json lb1 'j["filtered_out"]' show capture)" -gt 0 ]

# 2. Received frames only, no filter: the client's pings and ARP, nothing from dpkeep.
check "capture rx only" cli lb1 capture start port eth0 rx file "$TMP/rx.pcap" count 6
check "the rx capture completes" poll 20 cap_state stopped
tshark -r "$TMP/rx.pcap" -T fields -e eth.src -e frame.protocols >"$TMP/rx.txt" 2>>"$TMP/tshark.err"
check "rx capture holds 6 frames" [ "$(wc -l <"$TMP/rx.txt")" -eq 6 ]
check "none of them was sent by dpkeep" bash -c "! grep -qi '^$mac' '$TMP/rx.txt'"
check "the client's ICMP echo requests are in it" grep -q ':icmp' "$TMP/rx.txt"

# 3. Transmitted frames only: echo replies go out from dpkeep's MAC.
check "capture tx only with an icmp filter" \
	cli lb1 capture start port eth0 tx filter "icmp[icmptype] == icmp-echoreply" \
	file "$TMP/tx.pcap" count 4
check "the tx capture completes" poll 20 cap_state stopped
tshark -r "$TMP/tx.pcap" -T fields -e eth.src -e icmp.type >"$TMP/tx.txt" 2>>"$TMP/tshark.err"
check "tx capture: 4 echo replies, all from dpkeep's MAC" \
	awk -v mac="$mac" '$1 == tolower(mac) && $2 == 0 { n++ } END { exit !(n == 4 && NR == 4) }' \
	"$TMP/tx.txt"
kill "$ping_pid" 2>/dev/null || true

# 4. Stop by hand keeps what was written; errors name the reason.
check "capture without count, then capture stop" \
	cli lb1 capture start port eth0 filter vrrp file "$TMP/manual.pcap"
check "a second capture while one runs is refused" \
	bash -c "! '$CLI' --ctl '$TMP/lb1.ctl' capture start port eth1 file '$TMP/x.pcap' 2>'$TMP/err' && grep -q 'capture stop first' '$TMP/err'"
sleep 2.5
check "capture stop reports what was written" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' capture stop | grep -q 'packet(s) written to'"
check "the manually stopped file holds VRRP adverts" \
	bash -c "[ \$(tshark -r '$TMP/manual.pcap' -Y vrrp 2>/dev/null | wc -l) -ge 1 ]"
check "a bad BPF filter is refused with libpcap's reason" \
	bash -c "! '$CLI' --ctl '$TMP/lb1.ctl' capture start port eth0 filter 'vrrp and and' file '$TMP/y.pcap' 2>'$TMP/err' && grep -q 'filter:' '$TMP/err'"
check "an unknown port is refused" \
	bash -c "! '$CLI' --ctl '$TMP/lb1.ctl' capture start port eth9 file '$TMP/y.pcap' 2>'$TMP/err' && grep -q \"no port 'eth9'\" '$TMP/err'"
check "capture stop with nothing running fails" \
	bash -c "! '$CLI' --ctl '$TMP/lb1.ctl' capture stop 2>/dev/null"
check "no copies were dropped" \
	[ "$(json lb1 'j["drop_ring_full"]+j["drop_no_mbuf"]' show capture)" = 0 ]
check "SIGTERM stops dpkeep cleanly" stop_node lb1
finish
