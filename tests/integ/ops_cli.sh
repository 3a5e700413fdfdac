#!/bin/bash
# Every command through dpkeep-cli, in text and in JSON (parsed, fields checked); the
# Prometheus exposition over the command and over HTTP (--metrics, curl inside the
# namespace); the DPDK telemetry endpoints through dpdk-telemetry.py; log levels and -S.
source "$(dirname "$0")/lib.sh"

poll() { # SECONDS command...: every 0.1 s until the command succeeds
	local t=$1 i; shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# jcheck DESCRIPTION 'python boolean on j' COMMAND...: JSON output of the command on lb1
jcheck() {
	local d=$1 e=$2; shift 2
	check "$d" bash -c "'$CLI' --ctl '$TMP/lb1.ctl' --json $(printf '%q ' "$@") |
		python3 -c 'import json,sys; j=json.load(sys.stdin); sys.exit(0 if ($e) else 1)'"
}
vrrp_state() { [ "$(json lb1 'j["instances"][0]["state"]' show vrrp VI_1)" = "$1" ]; }
telemetry() { # ENDPOINT 'python boolean on j' (j: the endpoint's value)
	echo "$1" | timeout 20 dpdk-telemetry.py -f "$DK_LAB-lb1" 2>/dev/null | tail -1 |
		python3 -c "import json,sys; j=json.load(sys.stdin)['${1%%,*}']; sys.exit(0 if ($2) else 1)"
}

cat >"$TMP/keepalived.conf" <<'EOF'
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.50/24
    }
}
EOF

lab_up
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/keepalived.conf" \
	--metrics 127.0.0.1:9100 -S local0 -l
check "VRRP instance alone becomes MASTER" poll 15 vrrp_state MASTER
nsx client ping -c 3 -i 0.2 -W 1 192.0.2.1 >/dev/null

# Every read-only command in the table (help lists them), with no arguments: text and JSON.
cli lb1 --json help | python3 -c '
import json, sys
for c in json.load(sys.stdin)["commands"]:
    w = c["command"].split()
    if w[0] in ("show", "metrics", "help") and not any(x.isupper() for x in w):
        print(c["command"].replace(" ...", "").replace(" [", "\t[").split("\t")[0])
' >"$TMP/readonly.txt"
check "help lists the read-only commands ($(wc -l <"$TMP/readonly.txt"))" \
	[ "$(wc -l <"$TMP/readonly.txt")" -ge 10 ]
# A command may refuse (nothing of its kind configured, e.g. no virtual servers) but
# then with a reason on stderr and the same refusal in both modes.
while read -r c; do
	# shellcheck disable=SC2086
	if "$CLI" --ctl "$TMP/lb1.ctl" $c >"$TMP/out.txt" 2>"$TMP/err.txt"; then
		check "text: $c" grep -q . "$TMP/out.txt"
		# shellcheck disable=SC2086
		check "json: $c (one object)" bash -c "'$CLI' --ctl '$TMP/lb1.ctl' --json $c |
			python3 -c 'import json,sys; assert isinstance(json.load(sys.stdin), dict)'"
	else
		check "text: $c refused with a reason ($(cat "$TMP/err.txt"))" grep -q . "$TMP/err.txt"
		# shellcheck disable=SC2086
		rc=0; "$CLI" --ctl "$TMP/lb1.ctl" --json $c >/dev/null 2>"$TMP/err2.txt" || rc=$?
		check "json: $c refused the same way" \
			bash -c "[ $rc -ne 0 ] && cmp -s '$TMP/err.txt' '$TMP/err2.txt'"
	fi
done <"$TMP/readonly.txt"

# Fields, as DESIGN.md and the commands' help promise.
jcheck "show port info: name, mac, driver, addresses" \
	'j["ports"][0]["name"]=="eth0" and len(j["ports"][0]["mac"])==17 and "192.0.2.1/24" in j["ports"][0]["addresses"]' \
	show port info eth0
jcheck "show port stats: counters and host verdicts" \
	'j["ports"][0]["rx_packets"]>0 and j["ports"][0]["host"]["reply"]>0' show port stats eth0
jcheck "show port xstats: the driver's counters" 'len(j["ports"][0]["xstats"])>0' \
	show port xstats eth0
jcheck "show lcores: control and worker with busy_pct" \
	'{l["role"] for l in j["lcores"]}=={"control","worker"} and all("busy_pct" in l for l in j["lcores"])' \
	show lcores
jcheck "show neigh: the client was learned" \
	'"192.0.2.100" in [n["address"] for n in j["neighbours"]]' show neigh
jcheck "show route: connected prefixes" \
	'{"192.0.2.0/24","198.51.100.0/24"} <= {r["prefix"] for r in j["routes"]}' show route
jcheck "show vrrp: DESIGN.md fields" \
	'(lambda i: i["name"]=="VI_1" and i["state"]=="MASTER" and i["vrid"]==51 and i["interface"]=="eth0" and i["priority"]==100 and i["effective_priority"]==100 and i["master_ip"]=="192.0.2.1" and i["vips"]==["192.0.2.50/24"])(j["instances"][0])' \
	show vrrp
jcheck "show vrrp stats: counters" 'isinstance(j["instances"][0]["stats"], dict)' show vrrp stats
jcheck "show capture: idle" 'j["state"]=="idle" and j["drop_ring_full"]==0' show capture
jcheck "show config: the effective keepalived.conf" \
	'"vrrp_instance VI_1" in j["config"] and "virtual_router_id 51" in j["config"]' show config
check "show config (text) parses back with dpkeep -t" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' show config | sed 1d >'$TMP/dumped.conf' && '$DPKEEP' -t -f '$TMP/dumped.conf'"
jcheck "show log: dk.vrrp and lib.eal with levels" \
	'{"dk.vrrp","lib.eal"} <= {t["type"] for t in j["log_types"]}' show log
jcheck "metrics (JSON): VRRP state gauge with a state label" \
	'[s["value"] for m in j["metrics"] if m["name"]=="dpkeep_vrrp_state" for s in m["samples"] if s["labels"]=={"instance":"VI_1","state":"MASTER"}]==[1]' \
	metrics
jcheck "help (JSON): commands with help" \
	'all(c["command"] and c["help"] for c in j["commands"])' help

# Commands that change things.
check "vrrp VI_1 priority 120" cli lb1 vrrp VI_1 priority 120
jcheck "show vrrp has the new priority" 'j["instances"][0]["priority"]==120' show vrrp VI_1
check "vrrp VI_1 fault" cli lb1 vrrp VI_1 fault
check "the instance is in FAULT" poll 5 vrrp_state FAULT
check "vrrp VI_1 resume" cli lb1 vrrp VI_1 resume
check "the instance becomes MASTER again" poll 15 vrrp_state MASTER
jcheck "transitions and split-brain count are exported" \
	'[s["value"] for m in j["metrics"] if m["name"]=="dpkeep_vrrp_transitions_total" for s in m["samples"]][0]>=4' \
	metrics
check "log level dk.vrrp debug" cli lb1 log level dk.vrrp debug
jcheck "show log has dk.vrrp at debug" \
	'[t["level"] for t in j["log_types"] if t["type"]=="dk.vrrp"]==["debug"]' show log
check "log level lib.eal info (a DPDK log type)" cli lb1 log level lib.eal info
check "log level all notice" cli lb1 log level all notice
jcheck "all dk.* types at notice" \
	'all(t["level"]=="notice" for t in j["log_types"] if t["type"].startswith("dk."))' show log
rx_before=$(json lb1 'j["ports"][0]["rx_packets"]' show port stats eth0)
check "clear stats" cli lb1 clear stats
jcheck "port counters restarted from zero (were $rx_before)" \
	'j["ports"][0]["rx_packets"] < '"$rx_before"' and j["ports"][0]["host"]["reply"]==0' \
	show port stats eth0
jcheck "lcore counters restarted" 'all(l["rx"] < 50 and l["loops"] < 10**7 for l in j["lcores"])' \
	show lcores
check "clear port stats eth0" cli lb1 clear port stats eth0

# Failures: non-zero exit, the reason on stderr.
fails() { # REASON-REGEX command words...
	local r=$1; shift
	check "fails with '$r': $*" bash -c "! '$CLI' --ctl '$TMP/lb1.ctl' $(printf '%q ' "$@") \
		2>'$TMP/err' >/dev/null && grep -qE \"$r\" '$TMP/err'"
}
fails "no vrrp_instance" vrrp NOPE fault
fails "priority must be" vrrp VI_1 priority 300
fails "unknown level" log level dk.vrrp loud
fails "no log type" log level no.such.type debug
fails "no port" show port stats eth9
fails "unknown command" show everything
fails "usage" log level dk.vrrp

# Batch: one command per line, comments skipped, JSON per command.
printf '# batch\nshow vrrp\nshow capture\n' >"$TMP/batch.txt"
check "dpkeep-cli -f runs a batch file" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' -f '$TMP/batch.txt' | grep -q 'VI_1' && '$CLI' --ctl '$TMP/lb1.ctl' -f '$TMP/batch.txt' | grep -q idle"

# Prometheus text over HTTP, from inside the namespace.
nsx lb1 curl -s -o "$TMP/metrics.txt" -w '%{http_code} %{content_type}' \
	http://127.0.0.1:9100/metrics >"$TMP/http.txt" || true
check "GET /metrics: 200, text/plain version 0.0.4 ($(cat "$TMP/http.txt"))" \
	grep -q '^200 text/plain; version=0.0.4' "$TMP/http.txt"
check "exposition: VRRP state MASTER" \
	grep -qx 'dpkeep_vrrp_state{instance="VI_1",state="MASTER"} 1' "$TMP/metrics.txt"
check "exposition: per-port rx/tx, per-lcore packets and busy, host drop reasons" \
	bash -c "grep -q '^dpkeep_port_rx_packets_total{port=\"eth0\"} ' '$TMP/metrics.txt' &&
		grep -q '^dpkeep_port_tx_packets_total{port=\"eth1\"} ' '$TMP/metrics.txt' &&
		grep -q '^dpkeep_lcore_packets_total{lcore=\"1\",role=\"worker\",counter=\"rx\"} ' '$TMP/metrics.txt' &&
		grep -q '^dpkeep_lcore_busy_ratio{lcore=\"0\",role=\"control\"} ' '$TMP/metrics.txt' &&
		grep -q '^dpkeep_host_packets_total{port=\"eth0\",verdict=\"tcp_to_host\"} ' '$TMP/metrics.txt' &&
		grep -q '^dpkeep_vrrp_split_brain_total{instance=\"VI_1\"} 0' '$TMP/metrics.txt'"
check "exposition is well formed (HELP/TYPE once per family, name{labels} value lines)" \
	python3 - "$TMP/metrics.txt" <<'PY'
import re, sys
seen, fam = set(), None
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# HELP "):
        fam = line.split()[2]
        assert fam not in seen, fam
        seen.add(fam)
    elif line.startswith("# TYPE "):
        assert line.split()[2] == fam and line.split()[3] in ("counter", "gauge"), line
    else:
        m = re.fullmatch(r'([a-z_]+)(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? (\S+)', line)
        assert m and m.group(1) == fam, line
        float(m.group(4))
assert len(seen) > 10
PY
check "the command's text is the same exposition" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' metrics | grep -c '^# TYPE' | grep -qx \"\$(grep -c '^# TYPE' '$TMP/metrics.txt')\""
check "GET /other: 404" \
	bash -c "[ \"\$(ip netns exec $DK_LAB-lb1 curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:9100/other)\" = 404 ]"
check "the listener is off by default (nothing on 9100 without --metrics)" \
	bash -c "! ip netns exec $DK_LAB-lb2 curl -s -m 2 http://127.0.0.1:9100/metrics"

# DPDK telemetry, as any DPDK application's.
check "dpdk-telemetry.py: /dpkeep/vrrp shows VI_1 MASTER" \
	telemetry /dpkeep/vrrp 'j["VI_1"]["state"]=="MASTER" and j["VI_1"]["vips"]==["192.0.2.50/24"]'
check "dpdk-telemetry.py: /dpkeep/vrrp,VI_1 gives the instance" \
	telemetry /dpkeep/vrrp,VI_1 'j["vrid"]==51 and j["priority"]==120'
check "dpdk-telemetry.py: /dpkeep/lcores has control and worker" \
	telemetry /dpkeep/lcores '{v["role"] for v in j.values()}=={"control","worker"}'
check "dpdk-telemetry.py: /dpkeep/vs lists virtual servers" \
	telemetry /dpkeep/vs 'isinstance(j["virtual_servers"], list)'
check "dpdk-telemetry.py: /dpkeep/hc lists checkers" \
	telemetry /dpkeep/hc 'isinstance(j["checkers"], list)'

# Logging: -S with -l still logs to stderr; an unknown facility stops the start.
check "-S local0 -l: logs still reach stderr" grep -q "dpkeep running" "$TMP/lb1.log"
check "-S with an unknown facility is refused" \
	bash -c "! ip netns exec $DK_LAB-lb2 '$DPKEEP' --ports '$DK_SRC/drivers-cfg/af_packet.conf' \
		--ctl '$TMP/lb2.ctl' -S nosuch -- --file-prefix=$DK_LAB-lb2 >'$TMP/lb2.log' 2>&1 &&
		grep -q 'unknown syslog facility' '$TMP/lb2.log'"

check "quit through dpkeep-cli stops the daemon" cli lb1 quit
check "dpkeep exited" poll 10 bash -c "! kill -0 $(cat "$TMP/lb1.pid")"
rm -f "$TMP/lb1.pid"
finish
