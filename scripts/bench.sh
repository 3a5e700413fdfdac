#!/bin/bash
# The benchmark: builds an optimized tree, then on this machine runs the generator
# (dpkeep-gen) on CPU 0 against a device under test on CPU 1, memif between them:
#   testpmd io and macswap (the ceiling), dpkeep's own packet path, the load-balancer
#   scenarios that the running dpkeep supports (probed, not assumed), an in-process
#   micro-benchmark of the worker's packet function, and (not with --quick)
#   scripts/failover.sh and scripts/hcdetect.sh if present.
# Prints one table and writes bench-results/bench.json and bench-results/bench.png.
#   scripts/bench.sh [--quick] [--out DIR]
# Every rate is measured twice: at full offered load (Mpps = what came back, or what
# dpkeep counted when nothing comes back), then at 90% of that (loss %, p50/p99).
# --quick (under 2 minutes, for development): half-second runs, testpmd macswap only (the
# reference of the ratios), DR at 1 K and 1 M flows, 500 K SYNs, no failover or
# health-check timings.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
B=${DK_BENCH_BUILD:-$src/build-bench}
out=$src/bench-results
quick=0
cmdline="scripts/bench.sh $*"
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=1 ;;
	--out) out=$2; shift ;;
	*) echo "usage: $0 [--quick] [--out DIR]" >&2; exit 2 ;;
	esac
	shift
done
if [ $quick = 1 ]; then dur=0.5; warm=0.25; else dur=10; warm=2; fi

[ -f "$B/build.ninja" ] || meson setup "$B" "$src" -Dbuildtype=release >/dev/null
ninja -C "$B" -j2 >/dev/null

run=/run/dpkeep
ctl=$run/bench-$$.ctl
tmp=$out/tmp
mkdir -p "$run" "$out" "$tmp"
rows=$tmp/rows.tsv
: >"$rows"
dut_pid=
dut_restart=
cleanup() {
	if [ -n "$dut_pid" ] && kill -0 "$dut_pid" 2>/dev/null; then
		kill -TERM "$dut_pid" 2>/dev/null || true
		wait "$dut_pid" 2>/dev/null || true
	fi
	dut_pid=
}
trap cleanup EXIT

# The profiles with this run's own memif socket and EAL file prefix, so that a second
# bench.sh (another checkout) cannot connect to or clobber ours.
sock=$run/bench-$$.sock
sed "s#/run/dpkeep/bench-memif.sock#$sock#; s/file_prefix dpkeep-gen/file_prefix dpkeep-gen-$$/" \
	"$src/drivers-cfg/gen-memif.conf" >"$tmp/gen.conf"
sed "s#/run/dpkeep/bench-memif.sock#$sock#; s/file_prefix dpkeep-bench/file_prefix dpkeep-bench-$$/" \
	"$src/drivers-cfg/bench-dpkeep.conf" >"$tmp/dpkeep.conf"
GEN=("$B/app/dpkeep-gen/dpkeep-gen" --ports "$tmp/gen.conf" --tx-port g0 -q --link-wait 15)
DPKEEP=("$B/app/dpkeep/dpkeep" --ports "$tmp/dpkeep.conf" --ctl "$ctl")
CLI=("$B/app/dpkeep-cli/dpkeep-cli" --ctl "$ctl" --json)
DK_MAC=02:00:00:00:be:01

jget() { # FILE KEY -> value from the JSON object in FILE
	python3 -c 'import json,sys; v=json.load(open(sys.argv[1])).get(sys.argv[2]); print("" if v is None else v)' "$1" "$2"
}

# dpkeep has a queue pair per worker plus the control lcore's; a memif client must
# have as many or the rest are not connected (testpmd: one).
genq=1
gen() { # NAME ARGS... -> the generator's JSON summary in $tmp/NAME.json
	local name=$1; shift
	taskset -c 0 "${GEN[@]}" --queues $genq "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || {
		echo "dpkeep-gen failed ($name):" >&2; tail -3 "$tmp/$name.err" >&2; return 1; }
	grep '^{' "$tmp/$name.out" | tail -1 >"$tmp/$name.json"
}

# memif sockets are abstract by default in DPDK 22.11 (nothing in the file system), so
# readiness is read from the device under test's own output.
wait_ready() { # LOG PATTERN
	for _ in $(seq 150); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		kill -0 "$dut_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "the device under test did not come up; see $1" >&2; return 1
}

row() { # name mpps cycles loss p50 p99 note
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"
}

# Full load, then 90% of what came back: Mpps from the first, loss and latency from the
# second (latency at overload is only the depth of the queues). The device under test
# forwards each frame once, except with both=1 (NAT, FNAT: the generator answers as the
# real server, so the device forwards the request and then the reply): its Mpps is then
# requests plus replies, and loss and latency are of the round trip. With count=N each
# run offers N packets instead of lasting $dur seconds after $warm.
both=0
count=
measure_returns() { # NAME NOTE GEN-ARGS...
	local name=$1 note=$2; shift 2
	local len=(--duration "$dur" --warmup "$warm")
	[ -n "$count" ] && len=(--count "$count" --duration 0 --warmup 0)
	gen "$name-max" --rate 100% "${len[@]}" "$@" || return 1
	local mpps hz pps fwd
	mpps=$(jget "$tmp/$name-max.json" rx_mpps)
	hz=$(jget "$tmp/$name-max.json" tsc_hz)
	fwd=$mpps
	[ $both = 1 ] && fwd=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))
print(round(j["rx_mpps"] + j["reflected"] / j["duration_s"] / 1e6, 4) if j["duration_s"] else 0)' \
		"$tmp/$name-max.json")
	pps=$(python3 -c "print(max(1000, int($mpps * 1e6 * 0.9)))")
	# testpmd 22.11 crashes when a memif client leaves, and a SYN run fills the
	# connection table: restart the device under test between runs.
	if [ -n "$dut_restart" ]; then cleanup; $dut_restart || return 1; fi
	gen "$name-90" --rate "$pps" "${len[@]}" "$@" || return 1
	# dpkeep's own view of the run (drops by reason), for whoever reads the results.
	[ -S "$ctl" ] && "${CLI[@]}" show lb stats >"$tmp/$name.lbstats" 2>/dev/null || true
	row "$name" "$fwd" "$(python3 -c "print(round($hz / ($fwd * 1e6)) if $fwd > 0 else '')")" \
	    "$(jget "$tmp/$name-90.json" loss_pct)" "$(jget "$tmp/$name-90.json" p50_us)" \
	    "$(jget "$tmp/$name-90.json" p99_us)" "${note:+$note; }loss/latency at $pps pps"
}

start_testpmd() { # MODE
	# testpmd 22.11 may crash while closing a memif port; a wrapper shell keeps that
	# report in the log and passes our SIGINT on.
	bash -c 'trap "kill -INT \$c" INT TERM; "$@" & c=$!; wait $c; wait $c; exit 0' _ \
	taskset -c 1 dpdk-testpmd --lcores=0@1,1@1 --file-prefix=dpkeep-bench-testpmd-$$ --no-huge \
		-m 512 --no-pci --log-level=pmd.net.memif:warning \
		--vdev=net_memif0,role=server,id=0,socket=$sock -- \
		--forward-mode="$1" --port-topology=loop --nb-cores=1 --stats-period=1 \
		--rxd=1024 --txd=1024 --total-num-mbufs=32768 >"$tmp/testpmd-$1.log" 2>&1 &
	dut_pid=$!
	wait_ready "$tmp/testpmd-$1.log" "forwards packets on"
}

start_dpkeep() { # [keepalived.conf]
	rm -f "$ctl"
	local f=()
	[ $# -gt 0 ] && f=(-f "$1")
	taskset -c 1 "${DPKEEP[@]}" "${f[@]}" >"$tmp/dpkeep.log" 2>&1 &
	dut_pid=$!
	wait_ready "$tmp/dpkeep.log" "dpkeep running"
}

host_count() { # packets dpkeep's control lcore received as UDP to itself
	"${CLI[@]}" show port stats | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["ports"][0]["host"]["udp_to_host"])'
}

modes=(io macswap)
[ $quick = 1 ] && modes=(macswap)
echo "== testpmd ${modes[*]} (memif server on CPU 1, dpkeep-gen on CPU 0)"
for mode in "${modes[@]}"; do
	start_testpmd $mode
	dut_restart="start_testpmd $mode"
	measure_returns "testpmd-$mode" "" --flows 1
	dut_restart=
	cleanup
done

# dpkeep as a host: UDP to its own address crosses the worker, the worker->control ring
# and the control lcore's host input, which drops and counts it. Nothing comes back, so
# the rate is dpkeep's own count over the generator's sending time.
echo "== dpkeep-host"
genq=2
start_dpkeep
hostargs=(--dst-mac $DK_MAC --dst 192.0.2.1 --dport 9 --flows 1 --warmup 0 --lat-every 0)
gen dpkeep-host-max --rate 100% --duration "$dur" "${hostargs[@]}"
got=$(host_count)
secs=$(jget "$tmp/dpkeep-host-max.json" duration_s)
hz=$(jget "$tmp/dpkeep-host-max.json" tsc_hz)
mpps=$(python3 -c "print(round($got / $secs / 1e6, 4))")
pps=$(python3 -c "print(max(1000, int($mpps * 1e6 * 0.9)))")
"${CLI[@]}" clear port stats >/dev/null
gen dpkeep-host-90 --rate "$pps" --duration "$dur" "${hostargs[@]}"
got90=$(host_count)
sent90=$(jget "$tmp/dpkeep-host-90.json" tx_pkts)
row dpkeep-host "$mpps" "$(python3 -c "print(round($hz / ($mpps * 1e6)) if $mpps > 0 else '')")" \
    "$(python3 -c "print(round(max(0, 100.0 * ($sent90 - $got90) / $sent90), 4) if $sent90 else '')")" \
    "" "" "counted by dpkeep (udp_to_host); loss at $pps pps"
"${CLI[@]}" show lcores >"$tmp/dpkeep-host-lcores.json" || true
cleanup

# Load-balancer scenarios: a virtual server on the memif port whose real servers are the
# generator itself (it answers ARP for them, and for NAT/FNAT answers the requests as
# the servers would), so forwarded frames come back to it.
vs_conf() { # KIND PROTO TABLE-SIZE -> keepalived.conf on stdout
	local la=""
	[ "$1" = FNAT ] && la="    laddr_group LADDR"
	cat <<EOF
global_defs {
    lb_conn_table_size $3
}
local_address_group LADDR {
    192.0.2.50
}
virtual_server 192.0.2.100 80 {
    lb_algo mh
    lb_kind $1
    protocol $2
$la
    real_server 192.0.2.11 80 {
        weight 1
    }
    real_server 192.0.2.12 80 {
        weight 1
    }
}
EOF
}
servers=192.0.2.11-192.0.2.20
lbargs=(--dst-mac $DK_MAC --dst 192.0.2.100 --dport 80 --src 198.18.0.1-198.18.255.254
	--sport 1024-65535 --arp-reply $servers --dist uniform)

lb_stat() { # COUNTER -> the load balancer's counter summed over the workers
	"${CLI[@]}" show lb stats | python3 -c \
		'import json,sys; print(json.load(sys.stdin)["counters"][sys.argv[1]])' "$1"
}

# Starts dpkeep with one virtual server and sends it a little traffic until dpkeep has
# forwarded some (it resolves the real servers first, and its first ARP request may
# have gone out before the generator was there: the retry comes a second later), then
# checks that it came back. Leaves dpkeep running on success.
lb_start() { # KIND PROTO TABLE-SIZE
	local kind=$1 proto=$2 conf=$tmp/vs-$1-$2.conf back extra=() gp want=forwarded
	vs_conf "$kind" "$proto" "$3" >"$conf"
	"${DPKEEP[@]}" -t -f "$conf" >"$tmp/probe-$kind.t" 2>&1 || {
		echo "  $kind: config test refused it ($(tail -1 "$tmp/probe-$kind.t"))"; return 1; }
	start_dpkeep "$conf" || return 1
	case $kind in NAT|FNAT) extra=(--reflect $servers); want=replies_forwarded ;; esac
	# TCP flows open with a SYN; the probe's clients are none of the measured ones.
	[ "$proto" = TCP ] && extra+=(--tcp syn)
	taskset -c 0 "${GEN[@]}" --queues $genq --rate 20000 --duration 8 --proto "${proto,,}" \
		--size 128 --flows 16 "${lbargs[@]}" --src 198.19.0.1-198.19.0.254 "${extra[@]}" \
		>"$tmp/probe-$kind.out" 2>"$tmp/probe-$kind.err" &
	gp=$!
	for _ in $(seq 80); do
		sleep 0.1
		kill -0 $gp 2>/dev/null || break
		[ "$(lb_stat $want 2>/dev/null || echo 0)" -gt 0 ] && break
	done
	sleep 0.2 # what dpkeep just sent is on its way back
	kill -INT $gp 2>/dev/null || true
	wait $gp || true
	grep '^{' "$tmp/probe-$kind.out" | tail -1 >"$tmp/probe-$kind.json"
	back=$(jget "$tmp/probe-$kind.json" rx_pkts 2>/dev/null || true)
	[ "${back:-0}" -gt 0 ] && return 0
	echo "  $kind/$proto: probe sent $(jget "$tmp/probe-$kind.json" tx_pkts 2>/dev/null), got none back"
	"${CLI[@]}" show lb stats >"$tmp/probe-$kind.lbstats" 2>&1 || true
	cleanup
	return 1
}

# The connection table holds the largest flow count with room to spare; every DR run
# uses the same one so that only the flow count differs.
genq=2
echo "== dpkeep load balancer (DR/NAT/FNAT/TUN, SYN; memif, one worker on CPU 1)"
flows=(1000 100000 1000000 10000000)
[ $quick = 1 ] && flows=(1000 1000000)
dr_table=$((${flows[-1]} * 11 / 10))
passes="1 2"
[ $quick = 1 ] && passes=1 # what it did not open is in the row's note
flow_name() { python3 -c "n=$1; print('%dk' % (n // 1000) if n < 10**6 else '%dm' % (n // 10**6))"; }
if lb_start DR UDP $dr_table; then
	for f in "${flows[@]}"; do
		name=dr-$(flow_name "$f")
		# Established flows: each opened in turn before the measured runs pick among
		# them at random. What a pass loses (the generator does not retry) the next
		# one opens; the ones already open are only looked up.
		before=$(lb_stat new_conns)
		for pass in $passes; do
			gen "$name-fill$pass" --rate 1M --count "$f" --duration 0 --flows "$f" \
				"${lbargs[@]}" --dist seq --lat-every 0 || break
			opened=$(($(lb_stat new_conns) - before))
			[ $((opened * 100)) -ge $((f * 99)) ] && break
		done
		measure_returns "$name" "$opened of $f flows opened before" --flows "$f" \
			"${lbargs[@]}" || row "$name" "" "" "" "" "" failed
	done
	cleanup
else
	for f in "${flows[@]}"; do
		row "dr-$(flow_name "$f")" "" "" "" "" "" "no traffic came back (see $tmp/probe-DR.*)"
	done
fi
for kind in NAT FNAT TUN; do
	name=${kind,,}
	both=0
	extra=()
	note="1000 flows"
	case $kind in NAT|FNAT)
		both=1
		extra=(--reflect $servers)
		note="1000 flows; Mpps counts requests and replies" ;;
	esac
	if lb_start $kind UDP 65536; then
		measure_returns "$name" "$note" --flows 1000 "${lbargs[@]}" "${extra[@]}" ||
			row "$name" "" "" "" "" "" failed
		cleanup
	else
		row "$name" "" "" "" "" "" "no traffic came back (see $tmp/probe-$kind.*)"
	fi
done
both=0
# New connections: every SYN a 5-tuple not seen before (sources vary fastest; 4.2 G of
# them), into a table that holds every one of the run; dpkeep restarts between the two
# runs so the second starts as empty as the first. A SYN has no payload: no latency.
count=4000000
[ $quick = 1 ] && count=500000
if lb_start DR TCP $((count + 1000)); then
	dut_restart="lb_start DR TCP $((count + 1000))"
	measure_returns syn "$count SYNs per run, each a new connection" --proto tcp --tcp syn \
		--flows 4000000000 "${lbargs[@]}" --dist seq --lat-every 0 ||
		row syn "" "" "" "" "" failed
	dut_restart=
	cleanup
else
	row syn "" "" "" "" "" "no traffic came back (see $tmp/probe-DR.*)"
fi
count=

echo "== micro-benchmark (worker packet function on prepared bursts, no I/O)"
micro=$B/app/dpkeep-gen/dpkeep-micro
if [ -x "$micro" ]; then
	iters=2000000
	[ $quick = 1 ] && iters=300000
	# its own EAL file prefix too: another bench.sh's dpkeep-micro holds the default one
	taskset -c 1 "$micro" --iters "$iters" -- --file-prefix="dpkeep-micro-$$" \
		>"$tmp/micro.out" 2>"$tmp/micro.err" ||
		tail -3 "$tmp/micro.err" >&2
	grep '^{' "$tmp/micro.out" | while read -r l; do
		python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%s\t%.4f\t%.1f\t\t\t\t%s" % (r["name"], r["mpps"], r["cycles_per_packet"], r["note"]))' "$l"
	done >>"$rows"
fi

# The lab timings: each script's last line is JSON even when some rounds failed (they
# carry their errors), merged into bench.json; its table goes to the terminal.
labjson=()
for t in failover hcdetect; do
	[ -x "$src/scripts/$t.sh" ] || continue
	if [ $quick = 1 ]; then
		echo "== $t: skipped with --quick (scripts/$t.sh takes minutes)"
		continue
	fi
	echo "== $t (scripts/$t.sh)"
	DK_BUILD=$B timeout 900 "$src/scripts/$t.sh" >"$tmp/$t.out" 2>"$tmp/$t.err" ||
		echo "  $t.sh failed; its output is in $tmp/$t.out and $tmp/$t.err"
	grep -v '^{' "$tmp/$t.out" | sed 's/^/  /' || true
	labjson+=("$tmp/$t.out")
done

python3 - "$rows" "$out" "$cmdline" "$SECONDS" "${labjson[@]}" <<'PY'
import json, os, subprocess, sys
rows, out, cmdline, elapsed = sys.argv[1:5]
labjson = sys.argv[5:]
def num(s):
    try:
        return float(s)
    except ValueError:
        return None
sc = []
for line in open(rows):
    f = line.rstrip("\n").split("\t")
    sc.append({"name": f[0], "mpps": num(f[1]), "cycles_per_packet": num(f[2]),
               "ratio_to_macswap": None, "loss_pct": num(f[3]), "p50_us": num(f[4]),
               "p99_us": num(f[5]), "note": f[6]})
ref = next((s["mpps"] for s in sc if s["name"] == "testpmd-macswap"), None)
for s in sc:
    if ref and s["mpps"] is not None and not s["name"].startswith("micro-"):
        s["ratio_to_macswap"] = round(s["mpps"] / ref, 3)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), "unknown")
res = {"command": cmdline, "elapsed_s": int(elapsed),
       "machine": {"nproc": os.cpu_count(), "cpu": cpu},
       "scenarios": sc}
for f in labjson:
    # failover.sh: {"failover": [rows]}; hcdetect.sh: {"healthcheck": [rows]}; a script
    # that ended without its JSON line leaves the tail of its output under its name.
    lines = [l for l in open(f) if l.startswith("{")]
    if lines:
        res.update(json.loads(lines[-1]))
    else:
        key = {"failover.out": "failover", "hcdetect.out": "healthcheck"}[os.path.basename(f)]
        res[key] = open(f).read()[-2000:]
json.dump(res, open(os.path.join(out, "bench.json"), "w"), indent=1)
def fmt(v, spec):
    return "-" if v is None else format(v, spec)
hdr = "| scenario | Mpps | cycles/pkt | x macswap | loss % | p50 us | p99 us | note |"
print(hdr)
print("|---|---:|---:|---:|---:|---:|---:|---|")
for s in sc:
    print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (s["name"], fmt(s["mpps"], ".3f"),
          fmt(s["cycles_per_packet"], ".0f"), fmt(s["ratio_to_macswap"], ".2f"),
          fmt(s["loss_pct"], ".3f"), fmt(s["p50_us"], ".1f"), fmt(s["p99_us"], ".1f"),
          s["note"]))
print("machine: %d CPUs, %s; %s s" % (os.cpu_count(), cpu, elapsed))
def rounds(v):  # "median (min-max, n of N)" of the rounds' figures
    got = sorted(x for x in v if x is not None)
    if not got:
        return "-"
    med = got[len(got) // 2] if len(got) % 2 else (got[len(got) // 2 - 1] + got[len(got) // 2]) / 2
    return "%.0f (%.0f-%.0f, %d of %d)" % (med, got[0], got[-1], len(got), len(v))
def why(r):
    return "; ".join(r["errors"])[:160]
if isinstance(res.get("failover"), list):
    print()
    print("| failover | VRRP | advert_int ms | bound ms | ms from SIGKILL | ms from last advert | errors |")
    print("|---|---|---:|---:|---:|---:|---|")
    for r in res["failover"]:
        print("| %s | v%d | %d | %.0f | %s | %s | %s |" % (r["impl"], r["version"],
              r["advert_int_ms"], r["bound_ms"], rounds(r["ms"]),
              rounds(r["ms_from_last_advert"]), why(r)))
elif "failover" in res:
    print("failover:", res["failover"][-400:])
if isinstance(res.get("healthcheck"), list):
    print()
    print("| health check | checker | failure | delay_loop/connect_timeout/retry/delay_before_retry ms"
          " | bound ms | detect ms | client ms | errors |")
    print("|---|---|---|---|---:|---:|---:|---|")
    for r in res["healthcheck"]:
        print("| %s | %s | %s | %g/%g/%d/%g | %.0f | %s | %s | %s |" % (r["impl"], r["checker"],
              r["failure"], r["delay_loop_ms"], r["connect_timeout_ms"], r["retry"],
              r["delay_before_retry_ms"], r["bound_ms"], rounds(r["detect_ms"]),
              rounds(r["client_ms"]), why(r)))
elif "healthcheck" in res:
    print("healthcheck:", res["healthcheck"][-400:])
dat = os.path.join(out, "tmp", "plot.dat")
with open(dat, "w") as f:
    for s in sc:
        if s["mpps"] is not None and not s["name"].startswith("micro-"):
            f.write('"%s" %f\n' % (s["name"], s["mpps"]))
png = os.path.join(out, "bench.png")
gp = """set terminal png size 900,450
set output '%s'
set title 'dpkeep bench: Mpps at full offered load (%s)'
set style fill solid 0.6
set boxwidth 0.6
set ylabel 'Mpps'
set yrange [0:*]
set xtics rotate by -30
plot '%s' using 0:2:xtic(1) with boxes notitle, '' using 0:2:(sprintf('%%.2f', $2)) with labels offset 0,1 notitle
""" % (png, cmdline, dat)
if subprocess.run(["gnuplot"], input=gp.encode()).returncode == 0:
    print("wrote %s/bench.json and %s" % (out, png))
else:
    print("wrote %s/bench.json (gnuplot failed)" % out)
PY
