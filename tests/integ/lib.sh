# Shared helpers for integration tests: a private lab, dpkeep nodes inside it, checks.
# Sourced by tests/integ/*.sh; needs root. DK_BUILD and DK_SRC come from meson.
set -eu
: "${DK_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${DK_BUILD:=$DK_SRC/build}"
export DK_LAB=${DK_LAB:-dkt}
DPKEEP=$DK_BUILD/app/dpkeep/dpkeep
CLI=$DK_BUILD/app/dpkeep-cli/dpkeep-cli
TMP=$(mktemp -d /tmp/dk-integ.XXXXXX)
FAILS=0
PASSES=0

nsx() { local h=$1; shift; ip netns exec "$DK_LAB-$h" "$@"; }

cleanup() {
	local pidf
	for pidf in "$TMP"/*.pid; do
		[ -e "$pidf" ] || continue
		kill "$(cat "$pidf")" 2>/dev/null || true
	done
	sleep 0.5
	"$DK_SRC/scripts/lab.sh" down >/dev/null 2>&1 || true
	if [ "$FAILS" -eq 0 ]; then rm -rf "$TMP"; else echo "logs kept in $TMP"; fi
}
trap cleanup EXIT

ok() { PASSES=$((PASSES + 1)); echo "ok - $*"; }
fail() { FAILS=$((FAILS + 1)); echo "not ok - $*"; }
check() { # description command...
	local d=$1; shift
	if "$@" >>"$TMP/check.log" 2>&1; then ok "$d"; else fail "$d"; fi
}
finish() {
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

lab_up() { "$DK_SRC/scripts/lab.sh" up >/dev/null; }

# start_node NAME PROFILE [dpkeep args...]: runs dpkeep in the lab namespace NAME,
# control socket $TMP/NAME.ctl, log $TMP/NAME.log; waits until it answers.
start_node() {
	local n=$1 prof=$2; shift 2
	# ip netns exec execs dpkeep, so $! is dpkeep itself (a child we can wait for).
	ip netns exec "$DK_LAB-$n" "$DPKEEP" --ports "$prof" --ctl "$TMP/$n.ctl" \
		-p "$TMP/$n.dpkeep-pid" "$@" -- --file-prefix="$DK_LAB-$n" \
		>"$TMP/$n.log" 2>&1 </dev/null &
	echo $! >"$TMP/$n.pid"
	for _ in $(seq 100); do
		"$CLI" --ctl "$TMP/$n.ctl" show port info >/dev/null 2>&1 && return 0
		kill -0 "$(cat "$TMP/$n.pid")" 2>/dev/null || break
		sleep 0.2
	done
	echo "dpkeep $n did not come up:"; tail -20 "$TMP/$n.log"
	return 1
}

stop_node() { # NAME: SIGTERM, wait for a clean exit; returns dpkeep's status
	local n=$1 pid rc=0
	pid=$(cat "$TMP/$n.pid")
	kill -TERM "$pid" 2>/dev/null || return 1
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; rc=1; fi
	wait "$pid" 2>/dev/null || rc=$?
	rm -f "$TMP/$n.pid"
	return $rc
}

cli() { local n=$1; shift; "$CLI" --ctl "$TMP/$n.ctl" "$@"; }

# json NAME 'python expression on j' COMMAND...: prints the expression's value
json() {
	local n=$1 expr=$2; shift 2
	cli "$n" --json "$@" | python3 -c "import json,sys; j=json.load(sys.stdin); print($expr)"
}
