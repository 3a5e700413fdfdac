#!/bin/bash
# The demo: sets up, builds and brings up the lab, then runs two dpkeep nodes (lb1, lb2)
# that elect a VRRP master for 192.0.2.10 from one embedded keepalived.conf. lb2's
# console is open while the client pings the VIP, the master is killed and the backup
# takes over, and the master comes back.
#   scripts/demo.sh            interactive (tmux: lb2's console above, the story below)
#   scripts/demo.sh --batch    no terminal needed: the same story, printed
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
export DK_SRC=$src
export DK_BUILD=${DK_BUILD:-$src/build}
export DK_LAB=${DK_LAB:-dk}
export DEMO_RUN=/run/dpkeep/demo
batch=0
[ "${1:-}" = --batch ] && batch=1
{ [ -t 0 ] && [ -t 1 ]; } || batch=1

"$src/scripts/setup.sh"
"$src/scripts/build.sh"
"$src/scripts/lab.sh" up
mkdir -p "$DEMO_RUN"
# The real servers first, so that the nodes' health checks find them up.
for i in 1 2 3; do "$src/scripts/demo/backends.sh" start "$i"; done

LB2="ip netns exec $DK_LAB-lb2 $DK_BUILD/app/dpkeep/dpkeep \
--ports $src/drivers-cfg/af_packet-lb2.conf -f $src/scripts/demo/keepalived.conf -i lb2 \
--ctl $DEMO_RUN/lb2.ctl"

if [ $batch -eq 1 ]; then
	$LB2 >"$DEMO_RUN/lb2.log" 2>&1 </dev/null &
	pid=$!
	"$src/scripts/demo/narrate.sh"
	printf '\n== lb2 log (keepalived wording)\n'
	grep -E 'VI_|running' "$DEMO_RUN/lb2.log" || true
	kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true
	"$src/scripts/lab.sh" down
	exit 0
fi

tmux kill-session -t dpkeep-demo 2>/dev/null || true
tmux new-session -d -s dpkeep-demo -x 200 -y 55 \
	"$LB2 --console; tmux kill-session -t dpkeep-demo"
# A pane gets the tmux server's environment, not ours: pass what the story needs.
tmux split-window -v -t dpkeep-demo \
	"env DK_SRC=$DK_SRC DK_BUILD=$DK_BUILD DK_LAB=$DK_LAB DEMO_RUN=$DEMO_RUN \
$src/scripts/demo/narrate.sh; echo; echo '(lb2 console above: try show vrrp, show neigh, show port stats, quit)'; exec bash"
tmux select-pane -t dpkeep-demo:0.0
tmux attach -t dpkeep-demo || true
"$src/scripts/lab.sh" down
