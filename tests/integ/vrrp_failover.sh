#!/bin/bash
# Failover bound: a dpkeep pair (lb1 priority 150 master, lb2 priority 100 backup); lb1 is
# SIGKILLed while the client asks ARP for the VIP every 2 ms. The interval that counts is
# from the master's last advert (captured on the switch side of lb1, where the backup's
# Master_Down timer last restarted) to the backup's first ARP answer seen by the client.
# Issue 4's bound: 3 x advert_int + Skew_Time, plus 1 ms, plus one poll (the client's 2 ms).
# The 1 s case is asserted, with slack for a loaded 2-CPU machine, and must not be early;
# the 10 ms case is measured and printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=192.0.2.50
SLACK_MS=${DK_FAILOVER_SLACK_MS:-60}

lab_up

# cap NS FILE tshark-args...: background capture (time, source MAC, ARP opcode).
cap() {
	local ns=$1 out=$2; shift 2
	nsx "$ns" tshark -l -n "$@" -T fields -e frame.time_epoch -e eth.src -e arp.opcode \
		>"$out" 2>"$out.err" &
	echo $! >"$out.pid"
	until_ok 20 grep -q "Capturing on" "$out.err"
}
cap_stop() {
	kill "$(cat "$1.pid")" 2>/dev/null || true
	wait "$(cat "$1.pid")" 2>/dev/null || true
}

# failover LABEL VER INT: prints "MS_FROM_LAST_ADVERT MDI_MS" ("-" when nothing answered).
failover() {
	local l=$1 ver=$2 int=$3 m_mac b_mac apid last first
	vrrp_conf "$TMP/$l-m.conf" ver="$ver" int="$int" prio=150 global="vrrp_garp_master_delay 0"
	vrrp_conf "$TMP/$l-b.conf" ver="$ver" int="$int" prio=100 global="vrrp_garp_master_delay 0"
	start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/$l-m.conf" >&2
	until_ok 10 dk_is lb1 MASTER
	start_node lb2 "$DK_SRC/drivers-cfg/af_packet-lb2.conf" -f "$TMP/$l-b.conf" >&2
	until_ok 10 dk_is lb2 BACKUP
	# A 10 ms backup may have flickered to MASTER while starting; let it settle.
	sleep 1
	until_ok 10 dk_is lb2 BACKUP
	m_mac=$(port_mac lb1)
	b_mac=$(port_mac lb2)
	cap client "$TMP/$l-arp.txt" -i eth0 -f "arp and ether src $b_mac"
	cap sw "$TMP/$l-adv.txt" -i lb1-eth0 -f "ip proto 112 and ether src $m_mac"
	nsx client arping -q -i eth0 -W 0.002 -c 1000000 "$VIP" >/dev/null 2>&1 &
	apid=$!
	until_ok 10 grep -q . "$TMP/$l-adv.txt"
	sleep 0.5
	dk_kill lb1
	until_ok 15 dk_is lb2 MASTER
	sleep 0.3
	kill "$apid" 2>/dev/null || true
	wait "$apid" 2>/dev/null || true
	cap_stop "$TMP/$l-arp.txt"
	cap_stop "$TMP/$l-adv.txt"
	stop_node lb2 >&2 || true
	last=$(awk -F'\t' '{t = $1} END {print t}' "$TMP/$l-adv.txt")
	first=$(awk -F'\t' -v t="${last:-9e99}" '$3 == 2 && $1 > t {print $1; exit}' \
		"$TMP/$l-arp.txt")
	python3 -c "
mdi = 3 * $int + (256 - 100) / 256 * $int
print('%.1f' % (($first - $last) * 1e3) if '$first' else '-', '%.1f' % (mdi * 1e3))"
}

read -r got mdi < <(failover v2-1s 2 1)
echo "# v2 advert_int 1 s: ${got} ms from the master's last advert (Master_Down ${mdi} ms)"
check "v2 1 s: the backup answered ARP for the VIP after the master went silent" \
	[ "$got" != - ]
check "v2 1 s: not before Master_Down_Interval ($mdi ms; got $got ms)" \
	python3 -c "import sys; sys.exit(not $got >= $mdi - 1)"
check "v2 1 s: within Master_Down + 1 ms + one 2 ms poll (+${SLACK_MS} ms load slack; got $got)" \
	python3 -c "import sys; sys.exit(not $got <= $mdi + 1 + 2 + $SLACK_MS)"

read -r got mdi < <(failover v3-10ms 3 0.01)
echo "# v3 advert_int 10 ms: ${got} ms from the master's last advert (Master_Down ${mdi} ms)"
check "v3 10 ms: the backup answered ARP for the VIP after the master went silent" \
	[ "$got" != - ]

finish
