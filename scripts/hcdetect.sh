#!/bin/bash
# Health-check detection time, as dpkeep and a client see it. In the lab, dpkeep (lb1)
# serves a NAT virtual server (rr) over nginx on rs1 and rs2, each checked by one
# checker (TCP_CHECK or HTTP_GET). Each round rs1 fails, and we measure
#   detect: from the failure to dpkeep's "Removing service [rs1]..." log line. dpkeep's
#           stderr goes through a pipe that stamps each line as it arrives (well under a
#           millisecond here); polling `dpkeep-cli --json show hc` would cost a process
#           start (tens of ms on a busy machine) per look.
#   client: from the failure to the first request that succeeds after the last failed
#           one. The client opens a new connection every 10 ms (each from its own
#           source port, none reused within a row), so that is the moment new
#           connections stop being sent to rs1.
# Two failures: "kill" (every nginx process in rs1 SIGKILLed: the port answers RST) and
# "silent" (rs1's link down: probes get no answer, so connect_timeout counts). Two sets of
# timers: a user's (delay_loop 1, connect_timeout 1, retry 1, delay_before_retry 1) and
# a fast one (0.1 / 0.2 / 1 / 0.1). Each row prints the bound the checker's timers give:
#   delay_loop + (retry + 1) x connect_timeout + retry x delay_before_retry
# (the failure can come just after a probe passed; then every try waits its timeout).
# Stock keepalived's checker runs on the same configuration where it can: it needs the
# kernel's IPVS (ip_vs module) to start at all; where it cannot start, its rows say why
# and carry no figures. Not a test: it only measures. A round that fails says why and
# the others still run; the last line is one JSON object (scripts/bench.sh keeps it):
#   {"healthcheck": [{"impl", "checker", "failure", "delay_loop_ms", "connect_timeout_ms",
#    "retry", "delay_before_retry_ms", "bound_ms", "detect_ms", "client_ms" (lists, one
#    per round, null: not measured), "errors"}, ...]}
#
# usage: hcdetect.sh [ROUNDS]     (DK_BUILD, DK_LAB as for the integration tests)
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${DK_BUILD:-$SRC/build}
export DK_LAB=${DK_LAB:-dkd}
ROUNDS=${1:-3}
DPKEEP=$BUILD/app/dpkeep/dpkeep
CLI=$BUILD/app/dpkeep-cli/dpkeep-cli
VIP=192.0.2.10
RS1=198.51.100.11
TMP=$(mktemp -d /tmp/dk-hcdetect.XXXXXX)
PIDS=()
CLIENT_IP=150 # a fresh client address per row: no connection of an earlier row is reused

nsx() { local h=$1; shift; ip netns exec "$DK_LAB-$h" "$@"; }
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	"$SRC/scripts/lab.sh" down >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT

fail() {
	ERR=$*
	echo "hcdetect.sh: $ERR" >&2
	return 1
}

wait_for() { # SECONDS command...
	local t=$1 i; shift
	for ((i = 0; i < t * 20; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.05; done
	return 1
}

# Each line the daemon writes, with the time it arrived: "EPOCH line".
cat >"$TMP/stamp.py" <<'EOF'
import sys, time
for line in sys.stdin:
    sys.stdout.write("%.6f %s" % (time.time(), line))
    sys.stdout.flush()
EOF

# The client: a new connection every 10 ms from SRC, source ports counting up from
# PORT, until SIGTERM; then one line per request, "START_EPOCH OK(0/1)", in start order.
cat >"$TMP/client.py" <<'EOF'
import signal, socket, sys, threading, time
vip, src, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
req = b"GET / HTTP/1.0\r\nHost: vip\r\nConnection: close\r\n\r\n"
done, res = [], []
signal.signal(signal.SIGTERM, lambda *a: done.append(1))

def one(i, p):
    ok = 0
    try:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(0.5)
        s.bind((src, p))
        s.connect((vip, 80))
        s.sendall(req)
        buf = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            buf += d
        s.close()
        ok = int(b" 200 " in buf.split(b"\r\n", 1)[0] and buf.rstrip().endswith((b"rs1", b"rs2")))
    except OSError:
        pass
    res[i][1] = ok

ts = []
while not done:
    res.append([time.time(), 0])
    t = threading.Thread(target=one, args=(len(res) - 1, port))
    t.start()
    ts.append(t)
    port = port + 1 if port < 65535 else 1024
    time.sleep(0.01)
for t in ts:
    t.join()
for r in res:
    print("%.6f %d" % (r[0], r[1]))
EOF

# nginx on rsN answering "rsN"; started again after each "kill" round.
nginx_up() { # N
	local d=$TMP/nginx-rs$1
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOC
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 512; }
http {
	access_log off;
	client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
	uwsgi_temp_path $d; scgi_temp_path $d;
	server { listen 80; location / { return 200 "rs$1\n"; } }
}
EOC
	nsx "rs$1" nginx -c "$d/nginx.conf" -p "$d"
}
nginx_kill() { # N: every nginx process in rsN, at once
	local p pids=()
	for p in $(ip netns pids "$DK_LAB-rs$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = nginx ] && pids+=("$p")
	done
	[ ${#pids[@]} -gt 0 ] && kill -KILL "${pids[@]}"
}

conf() { # CHECKER DL CT RETRY DBR
	local chk n
	for n in 1 2; do
		if [ "$1" = TCP_CHECK ]; then
			chk="TCP_CHECK {"
		else
			chk="HTTP_GET {
            url {
                path /
                status_code 200
            }"
		fi
		chk+="
            connect_timeout $3
            retry $4
            delay_before_retry $5
        }"
		RSCONF[n]="    real_server 198.51.100.1$n 80 {
        weight 1
        $chk
    }"
	done
	cat <<EOF
virtual_server $VIP 80 {
    delay_loop $2
    lb_algo rr
    lb_kind NAT
    protocol TCP
${RSCONF[1]}
${RSCONF[2]}
}
EOF
}

rs1_up() { # IMPL: rs1's checker has passed since it was last removed
	local last
	last=$(grep -E "(Adding|Removing) service \[$RS1\]" "$TMP/lb1.log" | tail -1)
	if [ -z "$last" ]; then # none yet: the first probe must have passed
		[ "$1" = dpkeep ] || return 0
		"$CLI" --ctl "$TMP/lb1.ctl" --json show hc | python3 -c '
import json, sys
c = [c for c in json.load(sys.stdin)["checkers"] if c["rs"].startswith(sys.argv[1] + ":")]
sys.exit(0 if c and c[0]["state"] == "UP" and c[0]["result"] == "ok" else 1)' "$RS1"
	else
		case $last in *Adding*) return 0 ;; *) return 1 ;; esac
	fi
}

# start_impl IMPL CONF: dpkeep on its DPDK ports, or keepalived with the node addresses
# on lb1's kernel interfaces; either way its log, stamped, in $TMP/lb1.log.
start_impl() {
	: >"$TMP/lb1.log"
	if [ "$1" = dpkeep ]; then
		rm -f "$TMP/lb1.ctl"
		ip netns exec "$DK_LAB-lb1" "$DPKEEP" --ports "$SRC/drivers-cfg/af_packet.conf" \
			-f "$2" --ctl "$TMP/lb1.ctl" -- --file-prefix="$DK_LAB-lb1" \
			> >(python3 "$TMP/stamp.py" >"$TMP/lb1.log") 2>&1 </dev/null &
		PIDS+=($!)
		IMPL_PID=$!
		wait_for 30 "$CLI" --ctl "$TMP/lb1.ctl" show hc ||
			fail "dpkeep: control socket not answering after 30 s ($(tail -1 "$TMP/lb1.log"))"
	else
		ip netns exec "$DK_LAB-lb1" keepalived -n -l -D -C -f "$2" -p "$TMP/kmain.pid" \
			-c "$TMP/kchk.pid" > >(python3 "$TMP/stamp.py" >"$TMP/lb1.log") 2>&1 </dev/null &
		PIDS+=($!)
		IMPL_PID=$!
		wait_for 10 test -s "$TMP/kchk.pid" ||
			fail "keepalived: no checker child after 10 s ($(tail -1 "$TMP/lb1.log"))"
	fi
}
stop_impl() {
	local p
	for p in ${IMPL_PID:-} $(cat "$TMP/kchk.pid" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -f "$TMP"/k*.pid
	IMPL_PID=
}

# Whether stock keepalived's checker can start here: it sets up IPVS first and exits
# (status FATAL) when the kernel has none. Prints the reason it cannot, nothing if it can.
ka_probe() {
	local conf=$TMP/kprobe.conf
	conf TCP_CHECK 1 1 1 1 >"$conf"
	command -v keepalived >/dev/null || { echo "keepalived is not installed"; return; }
	start_impl keepalived "$conf" >/dev/null 2>&1 || true
	sleep 2
	if grep -q "exited with permanent error\|Can't initialize ipvs" "$TMP/lb1.log"; then
		echo "its checker cannot start here (no ip_vs in this kernel):" \
			"$(grep -o "IPVS: .*" "$TMP/lb1.log" | head -1 | sed 's/ *$//')"
	elif ! kill -0 "$(cat "$TMP/kchk.pid" 2>/dev/null || echo 0)" 2>/dev/null; then
		echo "its checker did not start: $(tail -1 "$TMP/lb1.log" | cut -d' ' -f2-)"
	fi
	stop_impl
}

# The kernel side of lb1 while keepalived runs there: the node addresses, the VIP and
# forwarding, as an IPVS NAT director has them.
kernel_lb() { # add|del
	ip -n "$DK_LAB-lb1" addr "$1" 192.0.2.1/24 dev eth0
	ip -n "$DK_LAB-lb1" addr "$1" $VIP/24 dev eth0
	ip -n "$DK_LAB-lb1" addr "$1" 198.51.100.1/24 dev eth1
	local fwd=0
	[ "$1" = add ] && fwd=1
	nsx lb1 sysctl -qw net.ipv4.ip_forward=$fwd
}

rs1_fail() { # FAILURE
	if [ "$1" = kill ]; then nginx_kill 1; else ip -n "$DK_LAB-rs1" link set eth0 down; fi
}
rs1_restore() {
	ip -n "$DK_LAB-rs1" link set eth0 up
	ip -n "$DK_LAB-rs1" route replace default via 198.51.100.1
	# after a kill, nginx again (the listener answers when it is there)
	nsx rs1 bash -c "exec 3<>/dev/tcp/$RS1/80" 2>/dev/null || nginx_up 1
}

removals_over() { # N: rs1 has been removed more than N times
	[ "$(grep -c "Removing service \[$RS1\]" "$TMP/lb1.log")" -gt "$1" ]
}

# measure IMPL FAILURE DL BOUND PORT: sets D_MS and C_MS (ms from the failure; empty:
# none), returns 1 with ERR set when a step failed.
# Called in a condition, so errexit is off inside: every step that matters is checked.
measure() {
	local impl=$1 failure=$2 dl=$3 bound=$4 port=$5 t_fail cpid line t_det n
	D_MS="" C_MS="" ERR=""
	rs1_restore
	wait_for 30 rs1_up "$impl" || fail "$impl: rs1's checker not passing 30 s after restore" ||
		return 1
	n=$(grep -c "Removing service \[$RS1\]" "$TMP/lb1.log")
	ip netns exec "$DK_LAB-client" python3 "$TMP/client.py" $VIP "192.0.2.$CLIENT_IP" "$port" \
		>"$TMP/client.out" 2>"$TMP/client.err" &
	cpid=$!
	PIDS+=("$cpid")
	# a random phase against the checker's schedule
	sleep "$(python3 -c "import random; print(round(0.5 + random.uniform(0, $dl), 3))")"
	t_fail=$(date +%s.%N)
	rs1_fail "$failure"
	# the bound, plus room for a loaded machine
	if ! wait_for "$(python3 -c "import math; print(math.ceil($bound / 1e3 * 2) + 5)")" \
		removals_over "$n"; then
		kill -TERM $cpid 2>/dev/null; wait $cpid 2>/dev/null
		fail "$impl: rs1 not removed within 2 x bound + 5 s of the $failure" || return 1
	fi
	line=$(grep "Removing service \[$RS1\]" "$TMP/lb1.log" | tail -1)
	t_det=${line%% *}
	sleep 1 # 100 more requests, all to rs2 if the removal took
	kill -TERM $cpid 2>/dev/null
	wait $cpid 2>/dev/null
	D_MS=$(python3 -c "print('%.1f' % (($t_det - $t_fail) * 1e3))")
	C_MS=$(python3 - "$TMP/client.out" "$t_fail" <<'PY'
import sys
t_fail = float(sys.argv[2])
res = [(float(t), int(ok)) for t, ok in (l.split() for l in open(sys.argv[1]))]
after = [r for r in res if r[0] >= t_fail]
last_bad = max((i for i, r in enumerate(after) if not r[1]), default=-1)
good = [r for r in after[last_bad + 1:]]
print("%.1f" % ((good[0][0] - t_fail) * 1e3) if good and not any(not ok for _, ok in good) else "")
PY
	)
	[ -n "$C_MS" ] || fail "$impl: the client's requests still failed at the end of the round" ||
		return 1
	# The restore waits for the checker, so nothing of this round carries into the next.
	return 0
}

"$SRC/scripts/lab.sh" up >/dev/null || { echo "hcdetect.sh: lab.sh up failed" >&2; exit 1; }
for i in 1 2; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_up "$i"
done
KA_WHY=$(ka_probe)
JSON=$TMP/rows.jsonl
: >"$JSON"
printf '%-10s %-9s %-6s %-20s %-8s %s\n' impl checker fail "dl/ct/retry/dbr (s)" bound_ms \
	"detect_ms / client_ms (each round)"
# CHECKER FAILURE DELAY_LOOP CONNECT_TIMEOUT RETRY DELAY_BEFORE_RETRY
for row in "TCP_CHECK kill 1 1 1 1" "TCP_CHECK silent 1 1 1 1" "TCP_CHECK kill 0.1 0.2 1 0.1" \
	"HTTP_GET kill 1 1 1 1" "HTTP_GET silent 1 1 1 1" "HTTP_GET kill 0.1 0.2 1 0.1"; do
	read -r chk failure dl ct retry dbr <<<"$row"
	bound=$(python3 -c "print('%.1f' % (($dl + ($retry + 1) * $ct + $retry * $dbr) * 1e3))")
	conf "$chk" "$dl" "$ct" "$retry" "$dbr" >"$TMP/lb1.conf"
	for impl in dpkeep keepalived; do
		res="" dms=() cms=() errs=()
		if [ "$impl" = keepalived ] && [ -n "$KA_WHY" ]; then
			res="not measured: $KA_WHY"
			errs=("$KA_WHY")
		else
			[ "$impl" = keepalived ] && kernel_lb add
			CLIENT_IP=$((CLIENT_IP + 1))
			nsx client ip addr add "192.0.2.$CLIENT_IP/24" dev eth0
			if start_impl "$impl" "$TMP/lb1.conf"; then
				port=1024
				for ((r = 0; r < ROUNDS; r++)); do
					if measure "$impl" "$failure" "$dl" "$bound" $port; then
						res+="$D_MS/$C_MS "
					else
						res+="-(${ERR:-failed}) "
						errs+=("round $((r + 1)): ${ERR:-failed}")
					fi
					port=$((port + 2000))
					dms+=("${D_MS:-null}")
					cms+=("${C_MS:-null}")
				done
			else
				res="-($ERR)"
				errs=("$ERR")
			fi
			stop_impl
			[ "$impl" = keepalived ] && { kernel_lb del || true; }
		fi
		printf '%-10s %-9s %-6s %-20s %-8s %s\n' "$impl" "$chk" "$failure" \
			"$dl/$ct/$retry/$dbr" "$bound" "$res"
		python3 - "$impl" "$chk" "$failure" "$dl" "$ct" "$retry" "$dbr" "$bound" \
			"${dms[*]}" "${cms[*]}" "${errs[@]}" >>"$JSON" <<'PY'
import json, sys
impl, chk, failure, dl, ct, retry, dbr, bound, dms, cms = sys.argv[1:11]
num = lambda v: None if v == "null" else float(v)
ms = lambda s: round(float(s) * 1e3, 1)
print(json.dumps({"impl": impl, "checker": chk, "failure": failure, "delay_loop_ms": ms(dl),
                  "connect_timeout_ms": ms(ct), "retry": int(retry),
                  "delay_before_retry_ms": ms(dbr), "bound_ms": float(bound),
                  "detect_ms": [num(v) for v in dms.split()],
                  "client_ms": [num(v) for v in cms.split()], "errors": sys.argv[11:]}))
PY
	done
done
python3 -c 'import json, sys; print(json.dumps({"healthcheck": [json.loads(l) for l in open(sys.argv[1])]}))' "$JSON"
