#!/bin/bash
# Sticky per source: sh and mh (Maglev) hash the client address, rr with
# persistence_timeout remembers it in a template. Per service, ten client addresses make
# 300 connections each: every address keeps its real server, and the addresses use more
# than one. Two workers: a persistent service's templates live per worker, so a client's
# connections (whatever their source ports) must all be owned by one worker.
# Each service gets its own ten addresses: NAT to one real-server port, the same
# client port towards two services would be one 4-tuple at the real server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.50

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done
for a in $(seq 101 140); do
	nsx client ip addr add "192.0.2.$a/24" dev eth0
done

vs() { # PORT ALGO [extra line]
	cat <<EOC
virtual_server $VIP $1 {
	lb_algo $2
	lb_kind NAT
	protocol TCP
	${3:-}
	real_server 198.51.100.11 80 { weight 1 }
	real_server 198.51.100.12 80 { weight 1 }
	real_server 198.51.100.13 80 { weight 1 }
}
EOC
}
{ vs 80 sh; vs 81 mh; vs 82 rr "persistence_timeout 30"; vs 83 rr; } >"$TMP/lb1.conf"
start_node lb1 "$DK_SRC/drivers-cfg/af_packet-2w.conf" -f "$TMP/lb1.conf"
check "VIP answers ping" wait_for "ping" 10 nsx client ping -c1 -W1 "$VIP"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"

# per_source PORT FIRST: "ADDR rsN..." per client address 192.0.2.FIRST.., 300 connections
# from each.
per_source() {
	for a in $(seq "$2" $(($2 + 9))); do
		echo "192.0.2.$a $(hits 300 "$VIP" "$1" 4 "192.0.2.$a" | awk '{print $1}' |
			tr '\n' ' ')"
	done
}
sticky() { ! echo "$1" | awk 'NF != 2 {bad = 1} END {exit !bad}'; }
spread_over() { [ "$(echo "$1" | awk '{print $2}' | sort -u | grep -c '^rs')" -ge 2 ]; }
first=101
for p in 80:sh 81:mh 82:persistence; do
	out=$(per_source "${p%%:*}" $first)
	first=$((first + 10))
	echo "${p#*:}:"; echo "$out"
	check "${p#*:}: each source address keeps one real server" sticky "$out"
	check "${p#*:}: the ten addresses use more than one real server" spread_over "$out"
done
out=$(per_source 83 $first)
not_sticky() { ! sticky "$1"; }
check "plain rr (the control): a source address sees several real servers" not_sticky "$out"
check "both workers carried flows" test "$(json lb1 \
	"sum(l['role'] == 'worker' and l['fast_path'] > 0 for l in j['lcores'])" show lcores)" = 2
check "persistence templates are listed by show conn" test "$(json lb1 \
	"j['count'] >= 10" show conn vip "$VIP:82" state TEMPLATE)" = True
stop_node lb1
finish
