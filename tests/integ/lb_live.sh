#!/bin/bash
# Live changes under a long transfer, two workers: a rate-limited download keeps its
# real server and finishes byte for byte while another server's weight changes at run
# time and a reload adds a real server and re-weights another.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.50

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done

conf() { # weight of rs2, then extra real_server lines
	cat <<EOC
virtual_server $VIP 80 {
	lb_algo wrr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight $1 }
	${2:-}
}
EOC
}
conf 1 >"$TMP/lb1.conf"
start_node lb1 "$DK_SRC/drivers-cfg/af_packet-2w.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"

nsx client curl -s --limit-rate 1M -o "$TMP/big.out" "http://$VIP/big" &
dl=$!
dl_rs() {
	json lb1 "[c['rs'] for c in j['connections']][0]" show conn vip "$VIP:80" \
		state ESTABLISHED
}
check "the download holds a connection" wait_for "the download" 10 dl_rs
rs=$(dl_rs)
other=198.51.100.11
[ "$rs" = "$other" ] && other=198.51.100.12
echo "download on $rs; changing $other"

check "set rs: another server's weight changes at run time" \
	cli lb1 set rs "$VIP:80" "$other" weight 5
out=$(spread 30 "http://$VIP/")
echo "$out"
# A reload: rs3 joins and rs2's configured weight changes.
conf 2 "real_server 198.51.100.13 80 { weight 1 }" >"$TMP/lb1.conf"
check "reload with a new real server and a new weight succeeds" cli lb1 reload
check "show vs has three real servers after the reload" test "$(json lb1 \
	"len(j['virtual_servers'][0]['real_servers'])" show vs)" = 3
out=$(spread 60 "http://$VIP/")
echo "$out"
check "the new real server takes connections after the reload" \
	bash -c "echo '$out' | grep -q '^rs3 '"
check "every connection after the reload was answered" \
	test "$(echo "$out" | awk '$1 ~ /^rs/ {s += $2} END {print s}')" = 60
check "the download is still on its real server" test "$(dl_rs)" = "$rs"
wait "$dl" || true
check "the download finished byte for byte" test "$(stat -c %s "$TMP/big.out")" = 20000000
check "nothing was dropped for want of a connection entry" \
	test "$(json lb1 "j['counters']['drop_no_conn']" show lb stats)" = 0
stop_node lb1
finish
