#!/bin/bash
# A reload removes the real server a long download is on. By default the download
# finishes there byte for byte while new connections go elsewhere, and show vs lists the
# server as removed until its last connection is gone; with lb_expire_nodest_conn the
# download is reset at once (counted as expired_nodest). NAT, then DR.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"

lab_up
for i in 1 2; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done

# conf VIP KIND FLAG RS...: one rr service on port 80 with these real servers (last octet).
conf() {
	local vip=$1 kind=$2 flag=$3 r
	shift 3
	# keepalived's lvs_timeouts: closed connections (FIN_WAIT, TIME_WAIT) go after 3 s,
	# not IPVS's 2 minutes, so a drained server leaves show vs soon after its download.
	printf 'global_defs {\n\tlvs_timeouts tcpfin 3\n}\n'
	echo "virtual_server $vip 80 {"
	echo "	lb_algo rr"
	echo "	lb_kind $kind"
	echo "	protocol TCP"
	[ -n "$flag" ] && echo "	$flag"
	for r in "$@"; do
		echo "	real_server 198.51.100.1$r 80 { weight 1 }"
	done
	echo "}"
}

busy() { # the real server holding an active connection
	json lb1 "[r['ip'] for r in j['virtual_servers'][0]['real_servers'] if r['active_conns']][0]" \
		show vs
}
removed() { # IP: "True" while show vs lists it as removed, "None" once it is gone
	json lb1 "next((r['removed'] for r in j['virtual_servers'][0]['real_servers'] \
		if r['ip'] == '$1'), None)" show vs
}
gone() { [ "$(removed "$1")" = None ]; }
idle() { # IP: no active connection on it (or it is gone)
	[ "$(json lb1 "sum(r['active_conns'] for r in j['virtual_servers'][0]['real_servers'] \
		if r['ip'] == '$1')" show vs)" = 0 ]
}

# case VIP KIND: the default policy, then lb_expire_nodest_conn, on one running node.
run_case() {
	local vip=$1 kind=$2 rs n other t0 rc
	conf "$vip" "$kind" "" 1 2 >"$TMP/lb1.conf"
	start_node lb1 "$DK_SRC/drivers-cfg/af_packet-2w.conf" -f "$TMP/lb1.conf"
	wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$vip/"

	nsx client curl -s --limit-rate 2M -o "$TMP/big.out" "http://$vip/big" &
	local dl=$!
	wait_for "the download's connection" 10 busy
	rs=$(busy)
	n=${rs##*.1}
	other=$((3 - n))
	echo "$kind: download on rs$n; removing it"
	conf "$vip" "$kind" "" "$other" >"$TMP/lb1.conf"
	check "$kind: reload removing the download's real server succeeds" cli lb1 reload
	check "$kind: show vs lists the removed server as removed while it drains" \
		test "$(removed "$rs")" = True
	check "$kind: the removed server still counts the download's connection" \
		test "$(busy)" = "$rs"
	out=$(hits 40 "$vip")
	echo "$out"
	check "$kind: every new connection goes to the remaining server" \
		test "$out" = "rs$other 40"
	rc=0
	wait "$dl" || rc=$?
	check "$kind: the download completed (curl exit 0)" test "$rc" = 0
	check "$kind: the download is byte for byte the file" \
		cmp "$TMP/nginx-rs$n/big" "$TMP/big.out"
	check "$kind: nothing was dropped for want of a backend" \
		test "$(json lb1 "j['counters']['drop_no_backend']" show lb stats)" = 0
	# Its last entry ends (closing states: lvs_timeouts tcpfin 3 s; a connection only
	# seen opening, SYN_RECV: 60 s), and with it the removed server.
	check "$kind: show vs drops the removed server once its connections are gone" \
		wait_for "the removed server to go" 75 gone "$rs" ||
		cli lb1 show conn >&2

	# lb_expire_nodest_conn: rs$n comes back; whichever server takes a new download is
	# removed again.
	conf "$vip" "$kind" lb_expire_nodest_conn 1 2 >"$TMP/lb1.conf"
	check "$kind: reload re-adding the server with lb_expire_nodest_conn" cli lb1 reload
	rm -f "$TMP/big.out"
	nsx client curl -s --max-time 60 --limit-rate 1M -o "$TMP/big.out" "http://$vip/big" &
	dl=$!
	wait_for "the download's connection" 10 busy
	rs=$(busy)
	n=${rs##*.1}
	other=$((3 - n))
	echo "$kind: download on rs$n; removing it"
	conf "$vip" "$kind" lb_expire_nodest_conn "$other" >"$TMP/lb1.conf"
	t0=$(date +%s)
	check "$kind: reload removing it again succeeds" cli lb1 reload
	rc=0
	wait "$dl" || rc=$?
	echo "$kind: curl exit $rc after $(($(date +%s) - t0)) s"
	check "$kind: lb_expire_nodest_conn cuts the download (curl fails)" test "$rc" != 0
	# (At 1 MB/s the 20 MB download would take 20 s; under ASan on a loaded 2-CPU machine
	# the cut once took 10 s.)
	check "$kind: ... within 15 s of the reload" test $(($(date +%s) - t0)) -le 15
	check "$kind: the cut download is short of the file" \
		test "$(stat -c %s "$TMP/big.out")" -lt 20000000
	check "$kind: expired_nodest counts it" \
		test "$(json lb1 "j['counters']['expired_nodest']" show lb stats)" -ge 1
	# The cut download's entry goes at once; an idle leftover of the server's earlier
	# connections (SYN_RECV, 60 s) sees no packet to expire it, so it times out.
	check "$kind: the removed server has no active connection at once" \
		wait_for "the download's entry to go" 3 idle "$rs"
	check "$kind: the removed server leaves show vs once its last entry ends" \
		wait_for "the removed server to go" 75 gone "$rs" ||
		cli lb1 show conn >&2
	out=$(hits 20 "$vip")
	check "$kind: new connections go to the remaining server" test "$out" = "rs$other 20"
	stop_node lb1
}

run_case 192.0.2.50 NAT

# DR: client, LB and servers on the back segment; the servers hold the VIP on lo.
VIP=198.51.100.50
ip -n "$DK_LAB-sw" link add client-eth1 type veth peer name eth1 netns "$DK_LAB-client"
ip -n "$DK_LAB-sw" link set client-eth1 master back up
ip -n "$DK_LAB-client" addr add 198.51.100.100/24 dev eth1
ip -n "$DK_LAB-client" link set eth1 up
for i in 1 2; do
	nsx "rs$i" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
	nsx "rs$i" ip addr add "$VIP/32" dev lo
done
run_case "$VIP" DR
finish
