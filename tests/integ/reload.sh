#!/bin/bash
# Reload under traffic: SIGHUP and "reload" with an unchanged VRRP part keep the master
# (no transition) and lose no request; a broken configuration is refused with its line
# named and the running one stays; a real change (a real server removed) is applied.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.60

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done
conf() { # the real servers to include
	cat <<EOC
vrrp_instance VI_1 {
	state BACKUP
	interface eth0
	virtual_router_id 60
	priority 150
	advert_int 1
	virtual_ipaddress {
		$VIP/24
	}
}
virtual_server $VIP 80 {
	lb_algo rr
	lb_kind NAT
	protocol TCP
EOC
	for i in "$@"; do echo "	real_server 198.51.100.1$i 80 { weight 1 }"; done
	echo "}"
}
conf 1 2 3 >"$TMP/ka.conf"
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/ka.conf"
state() { json lb1 'j["instances"][0]["state"]' show vrrp VI_1; }
trans() { json lb1 'j["instances"][0]["transitions"]' show vrrp VI_1; }
wait_for "VI_1 master" 15 bash -c "[ \"\$('$CLI' --ctl '$TMP/lb1.ctl' --json show vrrp VI_1 | grep -o MASTER)\" = MASTER ]"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"
t0=$(trans)

# A client loop runs across the reloads; every request must be answered.
(for _ in $(seq 150); do
	nsx client curl -s --max-time 2 "http://$VIP/" || echo FAILED
	sleep 0.05
done) >"$TMP/loop.out" 2>&1 &
loop=$!
sleep 1
kill -HUP "$(cat "$TMP/lb1.pid")"
sleep 1
check "reload command on an unchanged configuration succeeds" cli lb1 reload
sleep 1
printf 'virtual_server %s 80 {\n\tlb_algo nosuchalgo\n\treal_server 198.51.100.11 80 {\n}\n' "$VIP" \
	>"$TMP/broken.conf"
cp "$TMP/ka.conf" "$TMP/good.conf"
cp "$TMP/broken.conf" "$TMP/ka.conf"
check "a broken configuration is refused, non-zero, with FILE:LINE named" \
	bash -c "! '$CLI' --ctl '$TMP/lb1.ctl' reload 2>'$TMP/reload.err' && grep -q 'ka.conf:[0-9]' '$TMP/reload.err'"
cat "$TMP/reload.err"
cp "$TMP/good.conf" "$TMP/ka.conf"
wait "$loop"
check "no request failed during three reloads (150 requests)" \
	bash -c "[ \$(grep -c '^rs' '$TMP/loop.out') -eq 150 ] && ! grep -q FAILED '$TMP/loop.out'"
check "VI_1 is still MASTER" test "$(state)" = MASTER
check "VI_1 made no transition during the reloads ($t0 -> $(trans))" test "$(trans)" = "$t0"
check "the daemon logged the refused reload" grep -q "reload refused" "$TMP/lb1.log"

conf 1 2 >"$TMP/ka.conf"
check "reload with rs3 removed succeeds" cli lb1 reload
out=$(spread 30 "http://$VIP/")
echo "$out"
check "after the reload no request reaches rs3" bash -c "! echo '$out' | grep -q rs3"
check "rs1 and rs2 share the load" bash -c "echo '$out' | grep -q 'rs1 15' && echo '$out' | grep -q 'rs2 15'"
# rs3 stays listed, removed, while its last connections (TIME_WAIT) drain.
check "show vs lists two real servers in service, rs3 at most as removed" \
	test "$(json lb1 '[(r["ip"], r["removed"]) for r in j["virtual_servers"][0]["real_servers"]
		if r["ip"] != "198.51.100.13" or not r["removed"]]' show vs)" = \
	"[('198.51.100.11', False), ('198.51.100.12', False)]"
check "VI_1 still made no transition" test "$(trans)" = "$t0"
check "SIGTERM stops dpkeep cleanly" stop_node lb1
finish
