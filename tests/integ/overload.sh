#!/bin/bash
# Overload: a SYN flood from random sources fills the connection table (64 entries per
# worker, lb_conn_table_size) while two DR virtual servers run, one with
# conn_full_policy stateless, one with the default drop. Established flows (long
# downloads through both VIPs) finish intact; new flows to the stateless VIP still get
# answers (Maglev, no entry) while those to the drop VIP are dropped; each outcome has
# its counter; dpkeep's RSS does not grow with a second flood of the same size.
export DK_LAB=dks
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP_S=198.51.100.50	# stateless
VIP_D=198.51.100.51	# drop
FLOOD=${DK_FLOOD_COUNT:-20000}
# RSS may grow while the mbuf pool is first touched (8191 mbufs, ~20 MB); after that a
# flood must not grow it: the conn table is allocated whole at start.
RSS_FIRST_MB=48
RSS_AGAIN_MB=4

lab_up
ip -n "$DK_LAB-sw" link add client-eth1 type veth peer name eth1 netns "$DK_LAB-client"
ip -n "$DK_LAB-sw" link set client-eth1 master back up
ip -n "$DK_LAB-client" addr add 198.51.100.100/24 dev eth1
ip -n "$DK_LAB-client" link set eth1 up
for i in 1 2 3; do
	nsx "rs$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	nsx "rs$i" ip addr add "$VIP_S/32" dev lo
	nsx "rs$i" ip addr add "$VIP_D/32" dev lo
	nginx_rs "$i"
done

cat >"$TMP/lb1.conf" <<EOC
global_defs {
	lb_conn_table_size 64
}
virtual_server $VIP_S 80 {
	lb_algo rr
	lb_kind DR
	protocol TCP
	conn_full_policy stateless
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
virtual_server $VIP_D 80 {
	lb_algo rr
	lb_kind DR
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
EOC
check "the configuration with lb_conn_table_size and conn_full_policy is valid" \
	"$DPKEEP" -t -f "$TMP/lb1.conf"
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
pid=$(cat "$TMP/lb1.pid")
lbstat() { json lb1 "j['counters']['$1']" show lb stats; }
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
policy() { json lb1 "[v['conn_full_policy'] for v in j['virtual_servers']]" show vs; }
check "show vs names each virtual server's policy" \
	test "$(policy)" = "['stateless', 'drop']"
wait_for "an answer through $VIP_S" 15 nsx client curl -s --max-time 2 "http://$VIP_S/"
wait_for "an answer through $VIP_D" 15 nsx client curl -s --max-time 2 "http://$VIP_D/"
spread 20 "http://$VIP_S/" >/dev/null
rss0=$(rss_kb)

# Established flows: one long download through each VIP (20 MB at 2 MB/s), started
# before the flood and still running after it.
nsx client curl -s --limit-rate 2M -o "$TMP/big-s.out" "http://$VIP_S/big" &
dl_s=$!
nsx client curl -s --limit-rate 2M -o "$TMP/big-d.out" "http://$VIP_D/big" &
dl_d=$!
sleep 1
mac=$(json lb1 'j["ports"][0]["mac"]' show port info eth1)
# New flows to the stateless VIP during the flood: a curl loop that must not fail.
(
	ok=0 bad=0
	for _ in $(seq 30); do
		if nsx client curl -s --max-time 3 "http://$VIP_S/" >/dev/null; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
		sleep 0.1
	done
	echo "$ok $bad" >"$TMP/loop.out"
) &
loop=$!
check "flood 1: $FLOOD SYNs from random sources to both VIPs" \
	nsx client python3 "$DK_SRC/tests/hostile/synflood.py" eth1 --dst-mac "$mac" \
		--target "$VIP_S:80" --target "$VIP_D:80" --count "$FLOOD" --seconds 20
sleep 1
rss1=$(rss_kb)
wait "$loop" || true
read -r lok lbad <"$TMP/loop.out"
echo "    curl loop to the stateless VIP during the flood: $lok ok, $lbad failed"
check "new flows to the stateless VIP kept working during the flood (30/30)" \
	test "$lok" = 30
check "the table filled: SYNs to the drop VIP counted under drop_conn_table_full" \
	test "$(lbstat drop_conn_table_full)" -gt 0
check "SYNs to the stateless VIP counted under stateless_conn_table_full" \
	test "$(lbstat stateless_conn_table_full)" -gt 0
check "packets of stateless flows counted under stateless_no_conn" \
	test "$(lbstat stateless_no_conn)" -gt 0

# While the flood's entries are still in SYN_RECV (60 s): new flows degrade by policy.
full_before=$(lbstat drop_conn_table_full)
out_s=$(spread 10 "http://$VIP_S/")
out_d=$(for _ in $(seq 5); do nsx client curl -s --max-time 1 "http://$VIP_D/" || echo x; done |
	sort | uniq -c | awk '{print $2, $1}')
echo "    after the flood: stateless VIP: $(echo $out_s); drop VIP: $(echo $out_d)"
check "stateless VIP: 10 of 10 new connections answered, spread over the servers" \
	bash -c "[ \"\$(echo '$out_s' | awk '\$1 ~ /^rs/ {s += \$2} END {print s}')\" = 10 ] &&
		[ \"\$(echo '$out_s' | grep -c '^rs')\" -ge 2 ]"
check "drop VIP: new connections are refused while the table is full" \
	test "$(echo "$out_d" | awk '$1 == "x" {print $2}')" = 5
check "and each refused SYN is counted" test "$(lbstat drop_conn_table_full)" -gt "$full_before"

check "flood 2: the same again" \
	nsx client python3 "$DK_SRC/tests/hostile/synflood.py" eth1 --dst-mac "$mac" \
		--target "$VIP_S:80" --target "$VIP_D:80" --count "$FLOOD" --seconds 20 --seed 2
sleep 1
rss2=$(rss_kb)
echo "    RSS: ${rss0} kB before, ${rss1} kB after flood 1, ${rss2} kB after flood 2"
check "RSS grew less than ${RSS_FIRST_MB} MB over the first flood" \
	test $((rss1 - rss0)) -lt $((RSS_FIRST_MB * 1024))
check "RSS grew less than ${RSS_AGAIN_MB} MB over the second flood" \
	test $((rss2 - rss1)) -lt $((RSS_AGAIN_MB * 1024))

wait "$dl_s" || true
wait "$dl_d" || true
check "the download through the stateless VIP finished intact (20 MB)" \
	test "$(stat -c %s "$TMP/big-s.out")" = 20000000
check "the download through the drop VIP finished intact (20 MB)" \
	test "$(stat -c %s "$TMP/big-d.out")" = 20000000
check "dpkeep is still running" kill -0 "$pid"
check "SIGTERM stops dpkeep cleanly after the floods" stop_node lb1
check "no sanitizer report in dpkeep's log" \
	bash -c "! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$TMP/lb1.log'"
finish
