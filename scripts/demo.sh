#!/bin/bash
# The demo: sets up, builds, brings up the lab and runs dpkeep on node lb1 with its
# console open, while the client namespace pings and arpings it.
#   scripts/demo.sh            interactive (tmux: dpkeep's console above, the client below)
#   scripts/demo.sh --batch    no terminal needed: runs the same steps and prints them
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
export DK_BUILD=${DK_BUILD:-$src/build}
export DK_LAB=${DK_LAB:-dk}
batch=0
[ "${1:-}" = --batch ] && batch=1
[ -t 0 ] && [ -t 1 ] || batch=1

"$src/scripts/setup.sh"
"$src/scripts/build.sh"
"$src/scripts/lab.sh" up

DPKEEP=$DK_BUILD/app/dpkeep/dpkeep
CLI="$DK_BUILD/app/dpkeep-cli/dpkeep-cli --ctl /run/dpkeep/demo-lb1.ctl"
RUN_LB1="ip netns exec $DK_LAB-lb1 $DPKEEP --ports $src/drivers-cfg/af_packet.conf \
--ctl /run/dpkeep/demo-lb1.ctl"

# What the client does, narrated; runs below the console (or alone in batch mode).
cat >/tmp/dpkeep-demo-client.sh <<CLIENT
#!/bin/bash
c() { echo; echo "client\$ \$*"; ip netns exec $DK_LAB-client "\$@"; }
until $CLI show port info >/dev/null 2>&1; do sleep 0.3; done
echo "== dpkeep is up on lb1 (192.0.2.1, 2001:db8:f::1); the client talks to it"
c ping -c 3 -i 0.3 192.0.2.1
c arping -c 2 -i eth0 192.0.2.1
c ip neigh show 192.0.2.1
c ping -6 -c 2 -i 0.3 2001:db8:f::1
echo; echo "client\$ curl --connect-timeout 2 http://192.0.2.1/   (no kernel answers for dpkeep)"
ip netns exec $DK_LAB-client curl -s --connect-timeout 2 http://192.0.2.1/ || echo "curl: exit \$? (timed out, as expected: counted as tcp_to_host)"
echo; echo "dpkeep-cli show neigh"; $CLI show neigh
echo; echo "dpkeep-cli show port stats eth0"; $CLI show port stats eth0
CLIENT
chmod +x /tmp/dpkeep-demo-client.sh

if [ $batch -eq 1 ]; then
	$RUN_LB1 >/tmp/dpkeep-demo-lb1.log 2>&1 </dev/null &
	pid=$!
	/tmp/dpkeep-demo-client.sh
	kill -TERM $pid; wait $pid || true
	echo; echo "== dpkeep's log"; tail -n 8 /tmp/dpkeep-demo-lb1.log
	"$src/scripts/lab.sh" down
	exit 0
fi

tmux kill-session -t dpkeep-demo 2>/dev/null || true
tmux new-session -d -s dpkeep-demo -x 200 -y 50 "$RUN_LB1 --console; tmux kill-session -t dpkeep-demo"
tmux split-window -v -t dpkeep-demo "/tmp/dpkeep-demo-client.sh; echo; echo '(type commands in the dpkeep> pane above: help, show port stats, show neigh, quit)'; exec bash"
tmux select-pane -t dpkeep-demo:0.0
tmux attach -t dpkeep-demo || true
"$src/scripts/lab.sh" down
