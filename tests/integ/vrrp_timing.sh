#!/bin/bash
# VRRP adverts stay on time while the workers are saturated (issues 4 and 9). VRRPv3,
# advert_int 10 ms, vrrp_rt_priority on both sides: dpkeep lb1 (priority 150, master;
# control lcore on CPU 0, worker on CPU 1) forwards a UDP flood that dpkeep-gen sends from
# the client through a NAT virtual server on the VIP; stock keepalived in the peer
# namespace (priority 100) is the backup and judges the adverts: one that comes more than
# Master_Down (36.1 ms) after the last makes it take over. What a user checks: keepalived
# never leaves BACKUP and dpkeep stays MASTER while the flood lasts, the flood really kept
# lb1's worker busy, and dpkeep's own record of its adverts (show vrrp stats:
# advert_timing) says they left on time. A capture of the adverts on the backup's side of
# the switch gives the inter-arrival jitter as it reached the wire (printed).
# (A dpkeep backup on this 2-CPU machine is judged by its own worker's scheduling: adverts
# pass its worker, a normal-priority thread, on the way to its control lcore.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=192.0.2.50
LOAD_S=${DK_TIMING_LOAD_S:-8}
# vrrp_rt_priority puts dpkeep's control lcore in SCHED_RR, so the flood, the generator and
# whatever else shares the 2 CPUs cannot hold an advert back. Without it, on this shared
# machine, p99 was 2.7-4.8 ms and max 9-19 ms under the same load (scheduler time
# slices). Asserted: issue 4's p99 under 1 ms; the max is printed (a rare 20 ms stall of
# the whole VM was seen once; keepalived's verdict above is the bound that matters).
P99_US=${DK_TIMING_P99_US:-1000}
GEN=$DK_BUILD/app/dpkeep-gen/dpkeep-gen

lab_up

vs="virtual_server $VIP 9000 {
    lb_algo rr
    lb_kind NAT
    protocol UDP
    real_server 198.51.100.11 9000 { weight 1 }
    real_server 198.51.100.12 9000 { weight 1 }
    real_server 198.51.100.13 9000 { weight 1 }
}"
vrrp_conf "$TMP/lb1.conf" ver=3 int=0.01 prio=150 global="vrrp_rt_priority 10"
vrrp_conf "$TMP/ka.conf" ver=3 int=0.01 prio=100 global="vrrp_rt_priority 10"
echo "$vs" >>"$TMP/lb1.conf"

start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
until_ok 10 dk_is lb1 MASTER
ka_start "$TMP/ka.conf"
until_ok 10 ka_is BACKUP
# A 10 ms backup may flicker to MASTER while it starts; the test starts from calm.
sleep 1
check "dpkeep runs its control lcore SCHED_RR (vrrp_rt_priority 10)" \
	bash -c "chrt -p \$(cat '$TMP/lb1.dpkeep-pid') | grep -q SCHED_RR"

trans() { json "$1" "j['instances'][0]['transitions']" show vrrp; }
state() { json "$1" "j['instances'][0]['state']" show vrrp; }
# timing NODE: "late_p50 late_p99 late_max int_p50 int_p99 int_max count" in us
timing() {
	json "$1" "(lambda t: ' '.join(str(t[k][f]) for k in ('late_us', 'interval_us')
		for f in ('p50', 'p99', 'max')) + ' ' + str(t['late_us']['count']))(
		j['instances'][0]['advert_timing'])" show vrrp stats
}
lcore() { # NODE ROLE FIELD
	json "$1" "[l['$3'] for l in j['lcores'] if l['role'] == '$2'][0]" show lcores
}

ka_masters() { grep -c '(VI_1) Entering MASTER STATE' "$TMP/ka.log" || true; }
check "lb1 is MASTER and keepalived BACKUP before the load" \
	[ "$(state lb1) $(ka_state)" = "MASTER BACKUP" ]

# Idle: what the control loop does with nothing else to do.
cli lb1 clear stats >/dev/null
sleep 2
read -r il50 il99 ilmax ii50 ii99 iimax icount < <(timing lb1)
echo "# idle: $icount adverts, late p50 ${il50} us p99 ${il99} us max ${ilmax} us;" \
	"interval p50 ${ii50} p99 ${ii99} max ${iimax} us"
check "idle: the master counted its adverts (about 100 a second; got $icount in 2 s)" \
	[ "$icount" -ge 100 ]

t1=$(trans lb1)
t2=$(ka_masters)
m_mac=$(port_mac lb1)
cap_out=$TMP/adverts.txt
nsx sw tshark -l -n -i peer-eth0 -f "ip proto 112 and ether src $m_mac" -T fields \
	-e frame.time_epoch >"$cap_out" 2>"$cap_out.err" &
echo $! >"$TMP/tshark.pid"
until_ok 20 grep -q "Capturing on" "$cap_out.err"

cli lb1 clear stats >/dev/null
nsx client "$GEN" --ports "$DK_SRC/drivers-cfg/gen-af_packet.conf" --tx-port g0 -q \
	--dst-mac "$m_mac" --dst "$VIP" --dport 9000 --src 198.18.0.1-198.18.0.254 \
	--flows 4096 --dist uniform --rate 100% --duration "$LOAD_S" --lat-every 0 \
	-- --file-prefix="$DK_LAB-gen" >"$TMP/gen.out" 2>"$TMP/gen.err" &
echo $! >"$TMP/gen.pid"
# Watch both sides through the load: any instant out of place is a failover.
: >"$TMP/states.txt"
rx0=""
for ((i = 0; i < LOAD_S * 2; i++)); do
	sleep 0.5
	echo "$(state lb1) $(ka_state)" >>"$TMP/states.txt"
	if [ "$i" = 2 ]; then rx0=$(lcore lb1 worker rx); t_rx0=$(date +%s.%N); fi
	if [ "$i" = 8 ]; then rx1=$(lcore lb1 worker rx); t_rx1=$(date +%s.%N); fi
done
busy=$(lcore lb1 worker busy_pct)
cbusy=$(lcore lb1 control busy_pct)
wait "$(cat "$TMP/gen.pid")" || true
rm -f "$TMP/gen.pid"
read -r l50 l99 lmax i50 i99 imax count < <(timing lb1)
kill "$(cat "$TMP/tshark.pid")" 2>/dev/null || true
wait "$(cat "$TMP/tshark.pid")" 2>/dev/null || true
rm -f "$TMP/tshark.pid"

pps=$(python3 -c "print(int(($rx1 - $rx0) / ($t_rx1 - $t_rx0)))")
echo "# load: dpkeep-gen $(grep -o '"tx_mpps":[^,]*' "$TMP/gen.out" || echo '?') Mpps sent;" \
	"lb1 worker received $pps pps, busy ${busy}% (control lcore busy ${cbusy}%)"
echo "# under load: $count adverts, late p50 ${l50} us p99 ${l99} us max ${lmax} us;" \
	"interval p50 ${i50} p99 ${i99} max ${imax} us"
python3 - "$cap_out" <<'EOF'
import sys
t = [float(l) for l in open(sys.argv[1]) if l.strip()]
d = sorted((b - a) * 1e6 for a, b in zip(t, t[1:]))
if len(d) < 10:
	print("# wire: only %d adverts captured" % len(t))
	sys.exit()
q = lambda p: d[min(len(d) - 1, max(0, -(-p * len(d) // 100) - 1))]
j = sorted(abs(x - 10000) for x in d)
print("# wire (backup side, %d adverts): inter-arrival p50 %.0f us p99 %.0f us max %.0f us;"
      " jitter |gap - 10 ms| p99 %.0f us max %.0f us" % (len(t), q(50), q(99), d[-1],
      j[min(len(j) - 1, -(-99 * len(j) // 100) - 1)], j[-1]))
EOF

# An idle worker is ~0% busy; the flood's rate depends on what else runs on CPU 1.
check "the flood kept lb1's worker busy (${busy}% busy, $pps pps received)" \
	python3 -c "import sys; sys.exit(not ($busy >= 25 and $pps >= 5000))"
check "keepalived stayed BACKUP and lb1 MASTER at every look during the load" \
	bash -c "! grep -v '^MASTER BACKUP$' '$TMP/states.txt'"
t1b=$(trans lb1)
t2b=$(ka_masters)
check "no transitions during the load (dpkeep's $t1 -> $t1b; keepalived MASTER $t2 -> $t2b)" \
	[ "$t1b $t2b" = "$t1 $t2" ]
check "lb1 kept sending adverts under load ($count in ${LOAD_S} s)" \
	[ "$count" -ge $((LOAD_S * 50)) ]
check "under load, advert lateness p99 ${l99} us < ${P99_US} us" [ "$l99" -lt "$P99_US" ]
ka_stop

finish
