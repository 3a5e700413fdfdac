#!/bin/bash
# Soak: two dpkeep nodes (scripts/demo/keepalived.conf: VRRP for the VIP and the real
# servers' gateway, NAT over nginx on rs1..rs3 with HTTP_GET checks) under a curl loop
# for N minutes. Every minute: a backend flap (nginx on one rs stopped at :10, started
# at :25), a reload of both nodes (:30), and a failover (the master lb1 SIGKILLed at
# :40, restarted at :50, when it preempts). Ends with a summary: failed requests
# outside the failover windows (must be 0), lb2's RSS growth (lb2 runs throughout)
# from the end of the first minute (pool and tables warm) against RSS_BOUND_MB,
# sanitizer reports in any log (point DK_BUILD at an ASan+UBSan
# build to have them). Not part of CI: it takes as long as asked.
#   scripts/soak.sh [--minutes N]      (root; DK_BUILD, default build/; DK_LAB, default dks)
# (the RSS check needs N >= 2: the first minute only warms up)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
DK_BUILD=${DK_BUILD:-$src/build}
export DK_LAB=${DK_LAB:-dks}
minutes=10
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=$2; shift ;;
	*) echo "usage: $0 [--minutes N]" >&2; exit 2 ;;
	esac
	shift
done
# Windows around events in which failed requests are expected, in seconds: a killed
# master is replaced after 3 adverts plus skew (~3.6 s) and ARP has to follow; a stopped
# backend takes up to the checker's bound (connect_timeout + 2 x (retry delay +
# timeout) = 5 s) to leave the rotation.
FAILOVER_WINDOW=8
FLAP_WINDOW=6
RSS_BOUND_MB=8
VIP=192.0.2.10
DPKEEP=$DK_BUILD/app/dpkeep/dpkeep
CLI=$DK_BUILD/app/dpkeep-cli/dpkeep-cli
RUN=$(mktemp -d /tmp/dk-soak.XXXXXX)
export DEMO_RUN=$RUN
# ASan keeps freed memory in quarantine (256 MB by default), which RSS would show.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1:quarantine_size_mb=16}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
nsx() { local h=$1; shift; ip netns exec "$DK_LAB-$h" "$@"; }
cli() { local n=$1; shift; "$CLI" --ctl "$RUN/$n.ctl" "$@"; }
log() { echo "[$(date +%T)] $*"; }

cleanup() { # under set -e: nothing here may fail (processes may be gone already)
	if [ -n "${loop:-}" ]; then kill "$loop" 2>/dev/null || true; fi
	for n in lb1 lb2; do
		if [ -f "$RUN/$n.pid" ]; then kill "$(cat "$RUN/$n.pid")" 2>/dev/null || true; fi
	done
	for i in 1 2 3; do "$src/scripts/demo/backends.sh" stop "$i" 2>/dev/null || true; done
	sleep 1
	"$src/scripts/lab.sh" down >/dev/null 2>&1 || true
}
trap cleanup EXIT

start() { # lb1|lb2: logs append, so a restarted node's earlier reports are kept
	local n=$1 prof=$src/drivers-cfg/af_packet.conf
	[ "$n" = lb2 ] && prof=$src/drivers-cfg/af_packet-lb2.conf
	# ip netns exec execs dpkeep, so $! is dpkeep itself (a shell function would not).
	ip netns exec "$DK_LAB-$n" "$DPKEEP" --ports "$prof" \
		-f "$src/scripts/demo/keepalived.conf" -i "$n" \
		--ctl "$RUN/$n.ctl" -- --file-prefix="$DK_LAB-$n" >>"$RUN/$n.log" 2>&1 </dev/null &
	echo $! >"$RUN/$n.pid"
	for _ in $(seq 100); do
		cli "$n" show port info >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "dpkeep $n did not start"; tail "$RUN/$n.log"; exit 1
}
state() { cli "$1" --json show vrrp 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["state"])'; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$(cat "$RUN/$1.pid")/status"; }
event() { echo "$(date +%s.%N) $*" >>"$RUN/events"; log "$*"; }

"$src/scripts/lab.sh" up >/dev/null
for i in 1 2 3; do "$src/scripts/demo/backends.sh" start "$i"; done
start lb1
start lb2
for _ in $(seq 100); do [ "$(state lb1)" = MASTER ] && break; sleep 0.2; done
for _ in $(seq 50); do
	nsx client curl -s --max-time 2 "http://$VIP/" >/dev/null && break
	sleep 0.2
done
log "lab up, lb1 MASTER; soak for $minutes minute(s), build $DK_BUILD"

# The traffic: one request every 0.1 s, each line "epoch ok|fail".
(
	while :; do
		r=fail
		nsx client curl -s --max-time 2 -o /dev/null "http://$VIP/" && r=ok
		echo "$(date +%s.%N) $r"
		sleep 0.1
	done
) >"$RUN/requests" 2>/dev/null &
loop=$!
sleep 5
t0=$(date +%s)
for ((m = 0; m < minutes; m++)); do
	base=$((t0 + m * 60))
	k=$((m % 3 + 1))
	at() { local w=$((base + $1 - $(date +%s))); [ "$w" -le 0 ] || sleep "$w"; }
	at 10; event "flap: nginx on rs$k stopped"; "$src/scripts/demo/backends.sh" stop "$k"
	at 25; event "flap: nginx on rs$k started"; "$src/scripts/demo/backends.sh" start "$k"
	at 30; event "reload"; cli lb1 reload >/dev/null || log "lb1 reload failed"
	cli lb2 reload >/dev/null || log "lb2 reload failed"
	at 40; event "failover: lb1 (master) SIGKILLed"; kill -9 "$(cat "$RUN/lb1.pid")"
	wait "$(cat "$RUN/lb1.pid")" 2>/dev/null || true
	at 50; event "failover: lb1 restarted"; start lb1
	at 60
	# The baseline is taken once lb2 has been master and forwarded (its mbuf pool and
	# tables touched), so growth after it is what the soak adds.
	[ "$m" -gt 0 ] || [ "$minutes" -eq 1 ] || rss0=$(rss_kb lb2)
done
kill "$loop" 2>/dev/null; wait "$loop" 2>/dev/null || true
loop=
rss0=${rss0:-$(rss_kb lb2)}
rss1=$(rss_kb lb2)
cli lb2 --json show vrrp >/dev/null
kill -TERM "$(cat "$RUN/lb1.pid")" "$(cat "$RUN/lb2.pid")"
sleep 3

python3 - "$RUN" "$FAILOVER_WINDOW" "$FLAP_WINDOW" <<'PY' | tee "$RUN/summary"
import sys
run, fw, bw = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
windows = []
for line in open(run + "/events"):
    t, what = line.split(" ", 1)
    t = float(t)
    if "SIGKILL" in what or "restarted" in what:
        windows.append((t, t + fw, "failover"))
    elif "stopped" in what:
        windows.append((t, t + bw, "flap"))
req = [(float(t), r) for t, r in (l.split() for l in open(run + "/requests") if l.strip())]
fails = [t for t, r in req if r == "fail"]
inside = {"failover": 0, "flap": 0}
outside = []
for t in fails:
    # A request is stamped when it ends (up to its 2 s timeout after it started).
    w = [k for a, b, k in windows if a <= t <= b + 2]
    if w:
        inside[w[0]] += 1
    else:
        outside.append(t)
print("requests: %d, failed: %d (in failover windows %d, in backend-flap windows %d, "
      "outside: %d)" % (len(req), len(fails), inside["failover"], inside["flap"],
                         len(outside)))
sys.exit(0 if not outside else 1)
PY
req_ok=${PIPESTATUS[0]}
growth=$(((rss1 - rss0) / 1024))
echo "lb2 RSS: $((rss0 / 1024)) MB -> $((rss1 / 1024)) MB" \
	"(growth ${growth} MB, bound ${RSS_BOUND_MB} MB)" |
	tee -a "$RUN/summary"
san=$(cat "$RUN"/lb*.log | grep -cE 'ERROR: (Address|Leak)Sanitizer|runtime error:' || true)
echo "sanitizer reports: $san" | tee -a "$RUN/summary"
echo "events: $(wc -l <"$RUN/events"), logs in $RUN"
trap - EXIT
cleanup
if [ "$req_ok" -eq 0 ] && [ "$growth" -lt "$RSS_BOUND_MB" ] && [ "$san" -eq 0 ]; then
	echo "soak: PASS"
else
	echo "soak: FAIL"
	exit 1
fi
