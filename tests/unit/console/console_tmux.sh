#!/bin/bash
# tmux drops trailing blanks, so a completed word's space shows in what is typed next.
# Drives the cmdline console in a tmux pane: prompt, help, tab completion, output, errors,
# quit and Ctrl-D. usage: console_tmux.sh CONSOLE_DEMO
set -u
prog=$1
command -v tmux >/dev/null || { echo "tmux not installed"; exit 77; }
s=dk_console_$$
fails=0
fail() { echo "FAIL: $*"; tmux capture-pane -p -t "$s"; fails=$((fails + 1)); }
cleanup() { tmux kill-session -t "$s" 2>/dev/null; }
trap cleanup EXIT

# wait_for REGEX: polls the pane for up to 5 s.
wait_for() {
	for _ in $(seq 50); do
		tmux capture-pane -p -t "$s" | grep -qE -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

start() {
	cleanup
	tmux new-session -d -s "$s" -x 150 -y 50 "$prog; echo EXIT=\$?; sleep 30"
	wait_for '^dpkeep>$' || fail "no prompt"
}

start
tmux send-keys -t "$s" 'help' Enter
wait_for '^  show port stats \[PORT\] +port counters$' || fail "help output"
tmux send-keys -t "$s" 'sh' Tab 'p' Tab 's' Tab 'x'
wait_for '^dpkeep> show port stats x$' || fail "completion of 'sh', 'show p', 'show port s'"
tmux send-keys -t "$s" BSpace Tab
wait_for '^ eth1 .*show port stats \[PORT\] - port counters$' || fail "listing of port names"
tmux send-keys -t "$s" 'eth' Tab '1' Enter
wait_for '^  eth1  2000 +20$' || fail "command output"
tmux send-keys -t "$s" 'show vs nope' Enter
wait_for '^error: usage: show vs$' || fail "usage error"
tmux send-keys -t "$s" 'echo "quoted words" x' Enter
wait_for '^words: quoted words, x$' || fail "quoted arguments"
tmux send-keys -t "$s" 'quit' Enter
wait_for '^EXIT=0$' || fail "quit"
wait_for '^console ended$' || fail "quit message"

start
tmux send-keys -t "$s" C-d
wait_for '^EXIT=0$' || fail "Ctrl-D"

[ "$fails" = 0 ] && echo "all console checks passed"
[ "$fails" = 0 ]
