#!/bin/bash
# The demo's story, told from the client's side while lb2's console is open.
# Environment: DK_SRC, DK_BUILD, DK_LAB, DEMO_RUN (runtime dir).
set -u
CLI=$DK_BUILD/app/dpkeep-cli/dpkeep-cli
VIP=192.0.2.10
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
c() { echo "client\$ $*"; ip netns exec "$DK_LAB-client" "$@"; }
state() { # node -> VRRP state of VI_1
	"$CLI" --ctl "$DEMO_RUN/$1.ctl" --json show vrrp VI_1 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["state"])' 2>/dev/null ||
		echo down
}
wait_state() { # node state seconds
	for _ in $(seq $(($3 * 10))); do [ "$(state "$1")" = "$2" ] && return 0; sleep 0.1; done
	return 1
}
mac_of() { "$CLI" --ctl "$DEMO_RUN/$1.ctl" --json show port info eth0 |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["ports"][0]["mac"].lower())'; }
start_lb1() { # in a subshell, so that killing it later prints no job notice
	(ip netns exec "$DK_LAB-lb1" "$DK_BUILD/app/dpkeep/dpkeep" \
		--ports "$DK_SRC/drivers-cfg/af_packet.conf" -f "$DK_SRC/scripts/demo/keepalived.conf" \
		-i lb1 --ctl "$DEMO_RUN/lb1.ctl" -p "$DEMO_RUN/lb1.pid" >"$DEMO_RUN/lb1.log" 2>&1 </dev/null &)
	for _ in $(seq 100); do [ -s "$DEMO_RUN/lb1.pid" ] && return 0; sleep 0.1; done
}

rs2_checker() { # STATE SECONDS: waits until lb1's checker of rs2 is in STATE
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		"$CLI" --ctl "$DEMO_RUN/lb1.ctl" --json show hc 2>/dev/null | python3 -c '
import json, sys
c = [x for x in json.load(sys.stdin)["checkers"] if x["rs"] == "198.51.100.12:80"]
sys.exit(0 if c and c[0]["state"] == sys.argv[1] else 1)' "$1" && return 0
		sleep 0.1
	done
	return 1
}

curls() { # N: N requests to the VIP, one line per answer
	for _ in $(seq "$1"); do
		ip netns exec "$DK_LAB-client" curl -s --max-time 2 "http://$VIP/" || echo "(no answer)"
	done
}

until "$CLI" --ctl "$DEMO_RUN/lb2.ctl" show port info >/dev/null 2>&1; do sleep 0.3; done
say "lb2 is up (console above). Starting lb1 (priority 150) next to it"
start_lb1
wait_state lb1 MASTER 15 && wait_state lb2 BACKUP 5
echo "lb1: $(state lb1)   lb2: $(state lb2)   -- the higher priority won the election"
lb1_mac=$(mac_of lb1); lb2_mac=$(mac_of lb2)
echo "lb1 eth0 MAC $lb1_mac, lb2 eth0 MAC $lb2_mac"

say "The client reaches the virtual IP $VIP; the master answers for it"
c ping -c 3 -i 0.3 -W 1 $VIP | tail -2
c arping -c 1 -i eth0 $VIP | grep -i bytes

say "curl to http://$VIP/ is balanced (rr, NAT) over nginx on rs1, rs2, rs3"
curls 6
"$CLI" --ctl "$DEMO_RUN/lb1.ctl" show vs

say "A backend dies: nginx on rs2 is stopped (backends.sh stop 2)"
t0=$(date +%s.%N)
"$DK_SRC/scripts/demo/backends.sh" stop 2
rs2_checker DOWN 10
printf 'lb1 took rs2 out %.2f s later' "$(echo "$(date +%s.%N) - $t0" | bc)"
echo ' (HTTP_GET: connect_timeout 1, retry 1, delay_before_retry 1)'
echo "lb1\$ dpkeep-cli show hc    (the checkers; rs2's says why it is down)"
"$CLI" --ctl "$DEMO_RUN/lb1.ctl" show hc | sed -n '/^checkers:/,/^real_servers:/p' | sed '$d'
grep -h 'dk.hc' "$DEMO_RUN/lb1.log" | tail -2
say "curl keeps working: only rs1 and rs3 answer"
curls 4

say "nginx on rs2 is started again; the checker puts rs2 back"
t0=$(date +%s.%N)
"$DK_SRC/scripts/demo/backends.sh" start 2
rs2_checker UP 10
printf 'rs2 back in the rotation %.2f s later\n' "$(echo "$(date +%s.%N) - $t0" | bc)"
grep -h 'dk.hc' "$DEMO_RUN/lb1.log" | tail -1
curls 3

say "Killing the master (SIGKILL lb1): lb2 takes over after 3 x advert_int + skew"
t0=$(date +%s.%N)
kill -9 "$(cat "$DEMO_RUN/lb1.pid")"
rm -f "$DEMO_RUN/lb1.pid"
wait_state lb2 MASTER 10
t1=$(date +%s.%N)
printf 'lb2 became MASTER %.2f s after the kill\n' "$(echo "$t1 - $t0" | bc)"
c arping -c 1 -i eth0 $VIP | grep -i bytes
c ip neigh show $VIP
c ping -c 2 -i 0.3 -W 1 $VIP | tail -1
say "lb2 now serves the virtual server"
curls 3

say "lb1 comes back and preempts (higher priority, no nopreempt)"
start_lb1
wait_state lb1 MASTER 15 && wait_state lb2 BACKUP 5
echo "lb1: $(state lb1)   lb2: $(state lb2)"

curls 3
say "dpkeep-cli show vrrp (lb1)"
"$CLI" --ctl "$DEMO_RUN/lb1.ctl" show vrrp
