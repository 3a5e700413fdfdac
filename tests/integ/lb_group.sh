#!/bin/bash
# virtual_server_group: one virtual_server block serves every address and port its group
# lists (an address range expands to each address), all with the block's real servers.
# A health check or a drain of one real server applies to every expanded service; a
# fwmark entry is not served and says so; a reload that grows the group keeps a
# download on its real server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
. "$(dirname "$0")/hc_lib.sh"

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done

conf() { # extra group entries
	cat <<EOC
virtual_server_group WEB {
	192.0.2.50 80
	192.0.2.51-52 8080
	192.0.2.51 80
	fwmark 7
	${1:-}
}
virtual_server group WEB {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 {
		weight 1
		TCP_CHECK {
			$HC_TIMERS
		}
	}
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
EOC
}
conf >"$TMP/lb1.conf"
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
SVCS="192.0.2.50:80 192.0.2.51:80 192.0.2.51:8080 192.0.2.52:8080"
check "show vs lists the group's four (VIP, port) services" test "$(json lb1 \
	"sorted('%s:%d' % (v['vip'], v['port']) for v in j['virtual_servers'] \
	if v.get('group') == 'WEB')" show vs WEB)" = \
	"['192.0.2.50:80', '192.0.2.51:80', '192.0.2.51:8080', '192.0.2.52:8080']"
check "the fwmark entry is refused with a warning naming the group's line" \
	grep -q 'virtual_server_group WEB at line 1: fwmark 7 not served' "$TMP/lb1.log"
check "every VIP of the group answers ping" wait_for "ping" 10 bash -c \
	"for a in 50 51 52; do ip netns exec $DK_LAB-client ping -c1 -W1 192.0.2.\$a || exit 1; done"
wait_for "first answer through the group" 10 nsx client curl -s --max-time 2 \
	"http://192.0.2.52:8080/"

# all_answer EXPECTED: 30 connections to each service; each must give EXPECTED. Each
# service from its own client address: NAT to the same real-server port, one client port
# used towards two services would be one 4-tuple at the real server (and here).
for a in 101 102 103 104 105; do
	nsx client ip addr add "192.0.2.$a/24" dev eth0
done
all_answer() {
	local s out src=100
	for s in $SVCS; do
		src=$((src + 1))
		out=$(hits 30 "${s%:*}" "${s#*:}" 1 "192.0.2.$src" | tr '\n' ' ')
		echo "$s: $out"
		[ "$out" = "$1" ] || return 1
	done
}
check "rs1..rs3 answer on every address and port of the group, 10 each" \
	all_answer "rs1 10 rs2 10 rs3 10 "

# A health check on rs1 (one real_server block) fails: rs1 leaves every service.
alive_all() { # IP true|false: that real server's state in each of the four services
	test "$(json lb1 "sorted(set(str(r['alive']) for v in j['virtual_servers'] \
		for r in v['real_servers'] if r['ip'] == '$1'))" show vs WEB)" = "['$2']"
}
check "rs1's TCP check is up first" wait_for "rs1 up" 10 alive_all 198.51.100.11 True
kill "$(cat "$TMP/nginx-rs1/nginx.pid")"
check "rs1's failed check takes it out of all four services" \
	wait_for "rs1 down" 15 alive_all 198.51.100.11 False
check "every service goes on with rs2 and rs3 only" all_answer "rs2 15 rs3 15 "
nginx_rs 1
check "rs1 comes back in all four services" wait_for "rs1 up" 15 alive_all 198.51.100.11 True

# A drain named on one service applies to the group.
check "rs drain on one group service" cli lb1 rs 192.0.2.50:80 198.51.100.12 drain
drained_all() {
	test "$(json lb1 "[r['drained'] for v in j['virtual_servers'] \
		for r in v['real_servers'] if r['ip'] == '198.51.100.12']" show vs WEB)" = \
		"[True, True, True, True]"
}
check "show vs: rs2 drained in all four services" drained_all
check "no service of the group sends new connections to rs2" all_answer "rs1 15 rs3 15 "
cli lb1 rs 192.0.2.50:80 198.51.100.12 enable >/dev/null

# A reload that grows the group: a download on one of its services keeps going.
nsx client curl -s --limit-rate 2M -o "$TMP/big.out" "http://192.0.2.52:8080/big" &
dl=$!
dl_rs() {
	json lb1 "[c['rs'] for c in j['connections']][0]" show conn vip 192.0.2.52:8080 \
		state ESTABLISHED
}
check "the download holds a connection" wait_for "the download" 10 dl_rs
rs=$(dl_rs)
conf "192.0.2.53 8080" >"$TMP/lb1.conf"
check "reload with a new group address succeeds" cli lb1 reload
SVCS="$SVCS 192.0.2.53:8080"
check "show vs lists five group services after the reload" test "$(json lb1 \
	"len(j['virtual_servers'])" show vs WEB)" = 5
check "the new address serves after the reload" \
	wait_for "192.0.2.53" 10 nsx client curl -s --max-time 2 "http://192.0.2.53:8080/"
check "the download is still on its real server" test "$(dl_rs)" = "$rs"
wait "$dl" || true
check "the download across the reload completed" test "$(stat -c %s "$TMP/big.out")" = 20000000
stop_node lb1
finish
