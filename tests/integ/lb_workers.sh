#!/bin/bash
# Two workers on af_packet (no rte_flow; its fanout hashes frames over all three queues):
# NAT and FNAT replies that arrive on the worker not owning the flow are handed to the
# owner over a redirect ring and still complete. "show conn" reads every worker's table.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.50
LADDR=198.51.100.200

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done

cat >"$TMP/lb1.conf" <<EOC
local_address_group LAN1 {
	$LADDR
}
virtual_server $VIP 80 {
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
virtual_server $VIP 8080 {
	lb_algo rr
	lb_kind FNAT
	laddr_group LAN1
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet-2w.conf" -f "$TMP/lb1.conf"
check "two workers run" test "$(json lb1 \
	"sum(l['role'] == 'worker' for l in j['lcores'])" show lcores)" = 2
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
wait_for "first answer through NAT" 10 nsx client curl -s --max-time 2 "http://$VIP/"
wait_for "first answer through FNAT" 10 nsx client curl -s --max-time 2 "http://$VIP:8080/"

answered() { echo "$1" | awk '$1 ~ /^rs[123]$/ {s += $2} END {print s + 0}'; }
nat=$(spread 300 "http://$VIP/")
echo "NAT: $nat"
check "300 connections through NAT all answered with two workers" test "$(answered "$nat")" = 300
fnat=$(spread 300 "http://$VIP:8080/")
echo "FNAT: $fnat"
check "300 connections through FNAT all answered with two workers" \
	test "$(answered "$fnat")" = 300
cli lb1 show lcores
cli lb1 show lb stats
check "both workers forwarded (fast_path on each)" test "$(json lb1 \
	"sum(l['role'] == 'worker' and l['fast_path'] > 0 for l in j['lcores'])" show lcores)" = 2
check "packets reached the worker not owning their flow and were redirected" \
	test "$(json lb1 "j['counters']['redirected'] > 0" show lb stats)" = True
check "nothing dropped for want of a connection or a full ring" test "$(json lb1 \
	"j['counters']['drop_no_conn'] + j['counters']['drop_redirect_ring_full']" \
	show lb stats)" = 0

# show conn: a slow download is one ESTABLISHED FNAT connection with its local address.
nsx client curl -s --limit-rate 2M -o "$TMP/big.out" "http://$VIP:8080/big" &
dl=$!
est_one() {
	[ "$(json lb1 "j['count']" show conn vip "$VIP:8080" state ESTABLISHED)" = 1 ]
}
check "show conn finds the download as ESTABLISHED" wait_for "download" 10 est_one
conn() { json lb1 "$1" show conn vip "$VIP:8080" state ESTABLISHED; }
check "show conn: the download's connection is listed once" test "$(conn "j['count']")" = 1
check "show conn: FNAT local address and a real server" test "$(conn \
	"[[c['local'], c['rs'][:11], c['client'], c['protocol']] for c in j['connections']][0]" \
	)" = "['$LADDR', '198.51.100.', '192.0.2.100', 'TCP']"
rs=$(conn "j['connections'][0]['rs']")
check "show conn filters by real server" test "$(json lb1 "j['count']" show conn rs "$rs" \
	state ESTABLISHED)" = 1
check "show conn filters by client" test "$(json lb1 \
	"all(c['client'] == '192.0.2.100' for c in j['connections']) and j['count'] > 0" \
	show conn client 192.0.2.100)" = True
check "show conn: a client nobody is has none" test "$(json lb1 "j['count']" \
	show conn client 192.0.2.99)" = 0
check "show conn: the 600 short connections wait in TIME_WAIT on both workers" \
	test "$(json lb1 "len({c['worker'] for c in j['connections']})" \
	show conn state TIME_WAIT limit 1000)" = 2
check "show conn limit caps the list, not the count" test "$(json lb1 \
	"len(j['connections']) == 5 and j['count'] > 5" show conn limit 5)" = True
check "show conn rejects an unknown state" bash -c "! $CLI --ctl $TMP/lb1.ctl show conn state BOGUS"
cli lb1 show conn vip "$VIP:8080" state ESTABLISHED
wait "$dl" || true
check "the download completed across workers" test "$(stat -c %s "$TMP/big.out")" = 20000000
stop_node lb1
finish
