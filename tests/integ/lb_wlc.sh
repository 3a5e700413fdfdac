#!/bin/bash
# wlc across two workers: the control lcore sums the workers' connection counts and
# hands each worker the others' share, so a long connection held on one backend keeps
# new connections away from it whichever worker schedules them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.50

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done

cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 80 {
	lb_algo wlc
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet-2w.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"

# A slow download is the only active connection; wlc weighs it as 256 short ones.
nsx client curl -s --limit-rate 500K -o "$TMP/big.out" "http://$VIP/big" &
dl=$!
busy() {
	json lb1 "[c['rs'] for c in j['connections']][0]" show conn vip "$VIP:80" \
		state ESTABLISHED
}
check "the download holds one connection" wait_for "the download's connection" 10 busy
rs=$(busy)
echo "download served by $rs on worker $(json lb1 "j['connections'][0]['worker']" \
	show conn vip "$VIP:80" state ESTABLISHED)"
# The sums are refreshed every 200 ms; let one refresh pass.
sleep 1
out=$(spread 40 "http://$VIP/")
echo "$out"
n=${rs##*.}
check "wlc sends no new connection to the busy backend" \
	bash -c "! echo '$out' | grep -q '^rs${n#1} '"
check "the other two take all 40" \
	test "$(echo "$out" | awk '$1 ~ /^rs/ {s += $2} END {print s}')" = 40
check "both workers scheduled some of them" test "$(json lb1 \
	"len({c['worker'] for c in j['connections']})" show conn state TIME_WAIT)" = 2
cli lb1 show vs
kill "$dl" 2>/dev/null || true
wait "$dl" 2>/dev/null || true
stop_node lb1
finish
