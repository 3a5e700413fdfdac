#!/bin/bash
# The real daemon's interactive console (--console) driven through tmux, as an operator
# would use it: the prompt, help, tab completion, show port stats after traffic, errors,
# and quit stopping dpkeep. Joined pane lines (-J) keep trailing blanks: "dpkeep> ".
source "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
s=dko_console_$$
trap 'tmux kill-session -t "$s" 2>/dev/null; cleanup' EXIT

pane() { tmux capture-pane -p -J -S -200 -t "$s"; }
# wait_for REGEX: polls the pane for up to 15 s (a loaded machine starts EAL slowly).
wait_for() {
	for _ in $(seq 150); do
		pane | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	echo "pane did not show /$1/:" >>"$TMP/check.log"
	pane >>"$TMP/check.log"
	return 1
}
keys() { tmux send-keys -t "$s" "$@"; }

lab_up
tmux new-session -d -s "$s" -x 160 -y 50 \
	"ip netns exec $DK_LAB-lb1 $DPKEEP --ports $DK_SRC/drivers-cfg/af_packet.conf \
	--console --ctl $TMP/lb1.ctl -p $TMP/lb1.dpkeep-pid -- --file-prefix=$DK_LAB-lb1 \
	2>$TMP/lb1.log; echo EXIT=\$?; sleep 60"
check "the console shows the prompt 'dpkeep> '" wait_for '^dpkeep> $'
check "the control socket works next to the console" \
	bash -c "for i in \$(seq 50); do '$CLI' --ctl '$TMP/lb1.ctl' show port info >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1"
nsx client ping -c 3 -i 0.2 -W 2 192.0.2.1 >/dev/null || true

keys 'help' Enter
check "help lists the commands with their help" \
	wait_for '^  show port stats \[PORT\] +per port and per queue packet counters'
check "help lists the operator commands" wait_for '^  capture stop +stop the capture'
keys 'show po' Tab
check "Tab completes 'show po' to 'show port'" wait_for '^dpkeep> show port $'
keys 'st' Tab
check "Tab completes 'show port st' to 'show port stats'" wait_for '^dpkeep> show port stats $'
keys Tab Tab
port_list() { wait_for '^ eth0 \[word\]: show port stats' && wait_for '^ eth1 \[word\]: show'; }
check "Tab lists the port names" port_list
keys 'eth0' Enter
check "show port stats eth0 prints the port's counters" wait_for '^  - name: eth0$'
check "... with the echo replies it sent (host reply counter)" wait_for '^ +reply: [1-9][0-9]*$'
keys 'show nothing' Enter
check "an unknown command prints an error and the prompt returns" \
	wait_for 'unknown command'
keys 'quit' Enter
check "quit stops dpkeep with status 0" wait_for '^EXIT=0$'
check "dpkeep logged its stop and final counters" \
	bash -c "grep -q stopping '$TMP/lb1.log' && grep -q 'port eth0: rx' '$TMP/lb1.log'"
check "the pid file is gone" test ! -e "$TMP/lb1.dpkeep-pid"
finish
