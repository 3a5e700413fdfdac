#!/bin/bash
# Failover time, as a client sees it: the master (lb1) is SIGKILLed and we measure how
# long until the backup (lb2) answers ARP for the VIP. The client asks every 2 ms
# (arping) and tshark timestamps the replies; the kill time is taken just before kill.
# A second capture on the switch side of lb1 stamps the master's adverts, so each cell
# also shows the time from the master's last advert (what the protocol bound counts).
# Runs dpkeep pairs and stock keepalived pairs (kernel addresses in lb1/lb2) side by side
# for VRRPv2 advert_int 1 s and VRRPv3 10 ms, and prints a table with the protocol bound
# 3 x advert_int + Skew_Time (priority 100 backup). Not a test: it only measures.
#
# usage: failover.sh [ROUNDS]     (DK_BUILD, DK_LAB as for the integration tests)
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${DK_BUILD:-$SRC/build}
export DK_LAB=${DK_LAB:-dkf}
ROUNDS=${1:-3}
DPKEEP=$BUILD/app/dpkeep/dpkeep
CLI=$BUILD/app/dpkeep-cli/dpkeep-cli
VIP=192.0.2.50
TMP=$(mktemp -d /tmp/dk-failover.XXXXXX)
PIDS=()

nsx() { local h=$1; shift; ip netns exec "$DK_LAB-$h" "$@"; }
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	"$SRC/scripts/lab.sh" down >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

conf() { # VER INT PRIO
	cat <<EOF
global_defs {
    vrrp_version $1
    vrrp_garp_master_delay 0
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority $3
    advert_int $2
    virtual_ipaddress {
        $VIP/24
    }
}
EOF
}

wait_for() { # SECONDS command...
	local t=$1 i; shift
	for ((i = 0; i < t * 20; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}

# Daemons start under "ip netns exec" directly, never through the nsx function: a
# backgrounded function is a bash subshell, so $! would be that subshell and the SIGKILL
# meant for the master would leave the master running (every cell then read "-").
start_dpkeep() { # NODE PROFILE CONF
	ip netns exec "$DK_LAB-$1" "$DPKEEP" --ports "$2" -f "$3" --ctl "$TMP/$1.ctl" -- \
		--file-prefix="$DK_LAB-$1" >"$TMP/$1.log" 2>&1 </dev/null &
	PIDS+=($!)
	disown # killed on purpose: no "Killed" job notice in the table
	echo $! >"$TMP/$1.pid"
	wait_for 20 "$CLI" --ctl "$TMP/$1.ctl" show vrrp
}
dk_state() {
	"$CLI" --ctl "$TMP/$1.ctl" --json show vrrp |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["state"])'
}
dk_is() { [ "$(dk_state "$1")" = "$2" ]; }
dk_mac() {
	"$CLI" --ctl "$TMP/$1.ctl" --json show port info eth0 |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"][0]["mac"])'
}

start_ka() { # NODE CONF
	ip netns exec "$DK_LAB-$1" keepalived -n -l -D -P -f "$2" -p "$TMP/$1.kmain" \
		-r "$TMP/$1.kvrrp" -c "$TMP/$1.kchk" >"$TMP/$1.klog" 2>&1 </dev/null &
	PIDS+=($!)
	disown
	echo $! >"$TMP/$1.pid"
	wait_for 10 test -s "$TMP/$1.kvrrp"
}
ka_is() { grep -o 'Entering [A-Z]* STATE' "$TMP/$1.klog" | tail -1 | grep -q "$2"; }
ka_kill() { # the parent stopped first so it cannot respawn the VRRP child
	kill -STOP "$(cat "$TMP/$1.pid")"
	kill -KILL "$(cat "$TMP/$1.kvrrp")" "$(cat "$TMP/$1.pid")"
}

# measure IMPL VER INT: prints the failover time in ms
# cap_start NS FILE tshark-args...: background tshark, returns once it is capturing.
cap_start() {
	local ns=$1 out=$2; shift 2
	nsx "$ns" tshark -l -n "$@" -T fields -e frame.time_epoch -e eth.src -e arp.opcode \
		>"$out" 2>"$out.err" &
	CAP_PIDS+=($!)
	wait_for 20 grep -q "Capturing on" "$out.err"
}

# measure IMPL VER INT: sets MS to "FROM_KILL/FROM_LAST_ADVERT" in ms ("-": no answer).
# The switch-side capture of the master's adverts gives the moment the backup's
# Master_Down timer last restarted, the point the protocol bound counts from.
measure() {
	local impl=$1 ver=$2 int=$3 t_kill first last b_mac m_mac
	CAP_PIDS=()
	conf "$ver" "$int" 150 >"$TMP/m.conf"
	conf "$ver" "$int" 100 >"$TMP/b.conf"
	if [ "$impl" = dpkeep ]; then
		start_dpkeep lb1 "$SRC/drivers-cfg/af_packet.conf" "$TMP/m.conf"
		wait_for 15 dk_is lb1 MASTER || true
		start_dpkeep lb2 "$SRC/drivers-cfg/af_packet-lb2.conf" "$TMP/b.conf"
		wait_for 15 dk_is lb2 BACKUP || true
		m_mac=$(dk_mac lb1)
		b_mac=$(dk_mac lb2)
	else
		start_ka lb1 "$TMP/m.conf"
		wait_for 15 ka_is lb1 MASTER || true
		start_ka lb2 "$TMP/b.conf"
		wait_for 15 ka_is lb2 BACKUP || true
		m_mac=$(nsx lb1 cat /sys/class/net/eth0/address)
		b_mac=$(nsx lb2 cat /sys/class/net/eth0/address)
	fi
	cap_start client "$TMP/arp.txt" -i eth0 -f "arp and ether src $b_mac"
	cap_start sw "$TMP/adv.txt" -i lb1-eth0 -f "ip proto 112 and ether src $m_mac"
	nsx client arping -q -i eth0 -W 0.002 -c 100000 "$VIP" >/dev/null 2>&1 &
	local apid=$!
	# At 1 s adverts a kill right after the capture starts could come before any advert.
	wait_for 10 grep -q . "$TMP/adv.txt"
	sleep 0.5
	t_kill=$(date +%s.%N)
	if [ "$impl" = dpkeep ]; then kill -KILL "$(cat "$TMP/lb1.pid")"; else ka_kill lb1; fi
	wait_for 15 grep -q "	2$" "$TMP/arp.txt" || true
	sleep 0.2
	kill "$apid" "${CAP_PIDS[@]}" 2>/dev/null || true
	wait "$apid" "${CAP_PIDS[@]}" 2>/dev/null || true
	last=$(awk -F'\t' '{t = $1} END {print t}' "$TMP/adv.txt")
	# A backup that took over briefly before the kill (10 ms adverts on a loaded
	# machine) answered earlier; only answers after the master went silent count.
	first=$(awk -F'\t' -v t="${last:-$t_kill}" '$3 == 2 && $1 > t {print $1; exit}' \
		"$TMP/arp.txt")
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	PIDS=()
	MS=-
	[ -z "$first" ] || [ -z "$last" ] ||
		MS=$(python3 -c "print('%.1f/%.1f' % (($first - $t_kill) * 1e3, ($first - $last) * 1e3))")
}

# The kernel side of lb1/lb2 gets the node addresses while keepalived runs there.
kernel_addrs() { # add|del
	ip -n "$DK_LAB-lb1" addr "$1" 192.0.2.1/24 dev eth0
	ip -n "$DK_LAB-lb2" addr "$1" 192.0.2.2/24 dev eth0
}

"$SRC/scripts/lab.sh" up >/dev/null
printf '%-10s %-4s %-9s %-9s %s\n' impl vrrp advert_int bound_ms \
	"failover_ms from SIGKILL/from the master's last advert (each round)"
for row in "2 1 1000" "3 0.01 10"; do
	set -- $row
	# Master_Down_Interval = 3 x advert_int + (256 - 100) / 256 x advert_int
	bound=$(python3 -c "print('%.1f' % (3 * $3 + 156 / 256 * $3))")
	for impl in dpkeep keepalived; do
		res=""
		[ "$impl" = keepalived ] && kernel_addrs add
		for ((r = 0; r < ROUNDS; r++)); do
			measure "$impl" "$1" "$2" >/dev/null
			res+="$MS "
		done
		[ "$impl" = keepalived ] && kernel_addrs del
		printf '%-10s v%-3s %-9s %-9s %s\n' "$impl" "$1" "${2}s" "$bound" "$res"
	done
done
