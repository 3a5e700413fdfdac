#!/bin/bash
# Failover time, as a client sees it: the master (lb1) is SIGKILLed and we measure how
# long until the backup (lb2) answers ARP for the VIP. The client asks every 2 ms
# (arping) and tshark timestamps the replies; the kill time is taken just before kill.
# A second capture on the switch side of lb1 stamps the master's adverts, so each cell
# also shows the time from the master's last advert (what the protocol bound counts).
# Runs dpkeep pairs and stock keepalived pairs (kernel addresses in lb1/lb2) side by side
# for VRRPv2 advert_int 1 s and VRRPv3 10 ms, and prints a table with the protocol bound
# 3 x advert_int + Skew_Time (priority 100 backup). Not a test: it only measures.
# A round that fails says why (stderr and the table) and the other rounds and rows still
# run; the last line is one JSON object (scripts/bench.sh keeps it in bench.json):
#   {"failover": [{"impl", "version", "advert_int_ms", "bound_ms", "ms" (from SIGKILL,
#    null: no answer), "ms_from_last_advert", "errors"}, ...]}
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
	wait_for 20 "$CLI" --ctl "$TMP/$1.ctl" show vrrp ||
		fail "dpkeep $1: control socket not answering after 20 s ($(tail -1 "$TMP/$1.log"))"
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
	wait_for 10 test -s "$TMP/$1.kvrrp" ||
		fail "keepalived $1: no VRRP child pid file after 10 s ($(tail -1 "$TMP/$1.klog"))"
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
	ip netns exec "$DK_LAB-$ns" tshark -l -n "$@" -T fields -e frame.time_epoch -e eth.src -e arp.opcode \
		>"$out" 2>"$out.err" &
	CAP_PIDS+=($!)
	wait_for 20 grep -q "Capturing on" "$out.err" ||
		fail "tshark in $ns ($*): not capturing after 20 s ($(tail -1 "$out.err"))"
}

# Records why the round failed (the caller returns 1); shown on stderr and in the JSON.
fail() {
	ERR=$*
	echo "failover.sh: $ERR" >&2
	return 1
}

# Kills what a round started (daemons, captures, arping), whether it ended well or not.
round_end() {
	local p
	for p in "${PIDS[@]}" "${CAP_PIDS[@]}" ${APID:-} \
		$(cat "$TMP"/*.kvrrp "$TMP"/*.kchk 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -f "$TMP"/*.kvrrp "$TMP"/*.kchk "$TMP"/*.kmain
	PIDS=()
	CAP_PIDS=()
	APID=
}

# measure IMPL VER INT: sets MS to "FROM_KILL/FROM_LAST_ADVERT" in ms ("-": no answer)
# and K_MS/A_MS to the two figures (empty: none); returns 1 with ERR set when a step
# failed. The switch-side capture of the master's adverts gives the moment the backup's
# Master_Down timer last restarted, the point the protocol bound counts from.
# Called in a condition, so errexit is off inside: every step that matters is checked.
measure() {
	local impl=$1 ver=$2 int=$3 t_kill first last b_mac m_mac
	MS=- K_MS= A_MS= ERR=
	CAP_PIDS=()
	APID=
	rm -f "$TMP/arp.txt" "$TMP/adv.txt"
	conf "$ver" "$int" 150 >"$TMP/m.conf"
	conf "$ver" "$int" 100 >"$TMP/b.conf"
	if [ "$impl" = dpkeep ]; then
		start_dpkeep lb1 "$SRC/drivers-cfg/af_packet.conf" "$TMP/m.conf" || return 1
		wait_for 15 dk_is lb1 MASTER || fail "dpkeep lb1: not MASTER after 15 s" || return 1
		start_dpkeep lb2 "$SRC/drivers-cfg/af_packet-lb2.conf" "$TMP/b.conf" || return 1
		wait_for 15 dk_is lb2 BACKUP || fail "dpkeep lb2: not BACKUP after 15 s" || return 1
		m_mac=$(dk_mac lb1) && b_mac=$(dk_mac lb2) ||
			fail "dpkeep: show port info eth0 failed" || return 1
	else
		start_ka lb1 "$TMP/m.conf" || return 1
		wait_for 15 ka_is lb1 MASTER || fail "keepalived lb1: not MASTER after 15 s" ||
			return 1
		start_ka lb2 "$TMP/b.conf" || return 1
		wait_for 15 ka_is lb2 BACKUP || fail "keepalived lb2: not BACKUP after 15 s" ||
			return 1
		m_mac=$(nsx lb1 cat /sys/class/net/eth0/address)
		b_mac=$(nsx lb2 cat /sys/class/net/eth0/address)
	fi
	cap_start client "$TMP/arp.txt" -i eth0 -f "arp and ether src $b_mac" || return 1
	cap_start sw "$TMP/adv.txt" -i lb1-eth0 -f "ip proto 112 and ether src $m_mac" ||
		return 1
	ip netns exec "$DK_LAB-client" arping -q -i eth0 -W 0.002 -c 100000 "$VIP" >/dev/null 2>&1 &
	APID=$!
	# At 1 s adverts a kill right after the capture starts could come before any advert.
	wait_for 10 grep -q . "$TMP/adv.txt" ||
		fail "$impl lb1: no advert from $m_mac captured on the switch in 10 s" || return 1
	sleep 0.5
	t_kill=$(date +%s.%N)
	if [ "$impl" = dpkeep ]; then kill -KILL "$(cat "$TMP/lb1.pid")"; else ka_kill lb1; fi
	wait_for 15 grep -q "	2$" "$TMP/arp.txt" ||
		fail "$impl lb2: no ARP reply for $VIP within 15 s of the kill" || return 1
	sleep 0.2
	kill "$APID" "${CAP_PIDS[@]}" 2>/dev/null || true
	wait "$APID" "${CAP_PIDS[@]}" 2>/dev/null || true
	last=$(awk -F'\t' '{t = $1} END {print t}' "$TMP/adv.txt")
	# A backup that took over briefly before the kill (10 ms adverts on a loaded
	# machine) answered earlier; only answers after the master went silent count.
	first=$(awk -F'\t' -v t="${last:-$t_kill}" '$3 == 2 && $1 > t {print $1; exit}' \
		"$TMP/arp.txt")
	[ -n "$first" ] && [ -n "$last" ] ||
		fail "$impl lb2: no ARP reply after the master's last advert" || return 1
	K_MS=$(python3 -c "print('%.1f' % (($first - $t_kill) * 1e3))")
	A_MS=$(python3 -c "print('%.1f' % (($first - $last) * 1e3))")
	MS=$K_MS/$A_MS
}

# The kernel side of lb1/lb2 gets the node addresses while keepalived runs there.
kernel_addrs() { # add|del
	ip -n "$DK_LAB-lb1" addr "$1" 192.0.2.1/24 dev eth0
	ip -n "$DK_LAB-lb2" addr "$1" 192.0.2.2/24 dev eth0
}

"$SRC/scripts/lab.sh" up >/dev/null || { echo "failover.sh: lab.sh up failed" >&2; exit 1; }
JSON=$TMP/rows.jsonl
: >"$JSON"
printf '%-10s %-4s %-9s %-9s %s\n' impl vrrp advert_int bound_ms \
	"failover_ms from SIGKILL/from the master's last advert (each round)"
for row in "2 1 1000" "3 0.01 10"; do
	set -- $row
	# Master_Down_Interval = 3 x advert_int + (256 - 100) / 256 x advert_int
	bound=$(python3 -c "print('%.1f' % (3 * $3 + 156 / 256 * $3))")
	for impl in dpkeep keepalived; do
		res="" kms=() ams=() errs=()
		[ "$impl" = keepalived ] && { kernel_addrs add || echo "failover.sh: kernel addresses" >&2; }
		for ((r = 0; r < ROUNDS; r++)); do
			if measure "$impl" "$1" "$2" >/dev/null; then
				res+="$MS "
			else
				res+="-(${ERR:-failed}) "
				errs+=("round $((r + 1)): ${ERR:-failed}")
			fi
			round_end
			kms+=("${K_MS:-null}")
			ams+=("${A_MS:-null}")
		done
		[ "$impl" = keepalived ] && { kernel_addrs del || true; }
		printf '%-10s v%-3s %-9s %-9s %s\n' "$impl" "$1" "${2}s" "$bound" "$res"
		python3 - "$impl" "$1" "$3" "$bound" "${kms[*]}" "${ams[*]}" "${errs[@]}" \
			>>"$JSON" <<'PY'
import json, sys
impl, ver, adv, bound, kms, ams = sys.argv[1:7]
num = lambda v: None if v == "null" else float(v)
print(json.dumps({"impl": impl, "version": int(ver), "advert_int_ms": int(adv),
                  "bound_ms": float(bound), "ms": [num(v) for v in kms.split()],
                  "ms_from_last_advert": [num(v) for v in ams.split()],
                  "errors": sys.argv[7:]}))
PY
	done
done
python3 -c 'import json, sys; print(json.dumps({"failover": [json.loads(l) for l in open(sys.argv[1])]}))' "$JSON"
