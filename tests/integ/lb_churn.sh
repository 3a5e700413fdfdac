#!/bin/bash
# Reloads over a long life (issue 5). A removed real server's slot is handed out again
# once its last connection is gone: with lb_slot_headroom 2 (four slots in all), thirty
# reloads each adding a server still succeed, and a server added on a slot that carried
# traffic before starts show vs from zero and is served. A reload removing a whole
# virtual_server lets its download finish byte for byte while a new connection to that
# VIP:port is not served; the service goes once its connections are gone. NAT, 2 workers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lb_lib.sh"
VIP=192.0.2.50
VIP2=192.0.2.51

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	nginx_rs "$i"
done

# conf "RS..." [second]: VIP:80 with these real servers ("N" is rsN port 80, "pPORT" a
# weight-0 server on rs3 at PORT that never takes a flow); "second": VIP2:80 on rs3 too.
conf() {
	local r
	printf 'global_defs {\n\tlb_slot_headroom 2\n\tlvs_timeouts tcpfin 1\n}\n'
	printf 'virtual_server %s 80 {\n\tlb_algo rr\n\tlb_kind NAT\n\tprotocol TCP\n' "$VIP"
	for r in $1; do
		case $r in
		p*) echo "	real_server 198.51.100.13 ${r#p} { weight 0 }" ;;
		*) echo "	real_server 198.51.100.1$r 80 { weight 1 }" ;;
		esac
	done
	echo "}"
	[ "${2:-}" = second ] || return 0
	printf 'virtual_server %s 80 {\n\tlb_algo rr\n\tlb_kind NAT\n\tprotocol TCP\n' "$VIP2"
	echo "	real_server 198.51.100.13 80 { weight 1 }"
	echo "}"
}
# rs IP FIELD: a real server's field in VIP's show vs ("None" when it is not listed).
rs() {
	json lb1 "next((r['$2'] for r in j['virtual_servers'][0]['real_servers'] \
		if r['ip'] == '$1' and r['port'] == 80), None)" show vs "$VIP:80"
}
no_removed() {
	test "$(json lb1 "sum(r['removed'] for r in j['virtual_servers'][0]['real_servers'])" \
		show vs "$VIP:80")" = 0
}

conf "1 2" second >"$TMP/lb1.conf"
start_node lb1 "$DK_SRC/drivers-cfg/af_packet-2w.conf" -f "$TMP/lb1.conf"
wait_for "first answer through the VIP" 10 nsx client curl -s --max-time 2 "http://$VIP/"

# Slots 0 and 1 (rs1, rs2) carry traffic; rs3 comes in on slot 2, rs2 goes.
out=$(hits 20 "$VIP")
echo "$out"
check "rs2 served before it is removed" test "$(share "$out" rs2)" -gt 0
conf "1 3" second >"$TMP/lb1.conf"
check "reload swapping rs2 for rs3 succeeds" cli lb1 reload
out=$(hits 10 "$VIP")
check "rs3 serves after the reload" test "$(share "$out" rs3)" -gt 0
# (closing states: tcpfin 1 s; a connection only seen opening, SYN_RECV: 60 s)
check "rs2 leaves show vs once its connections are gone" \
	wait_for "rs2 to go" 75 no_removed || cli lb1 show conn >&2
# rs2 back: it is new (its old entry is gone) and takes the lowest free slot, its own old
# one, which counted 10 connections: nothing of that may show.
conf "1 2" second >"$TMP/lb1.conf"
check "reload re-adding rs2 succeeds" cli lb1 reload
check "re-added rs2 starts with no packets counted" test "$(rs 198.51.100.12 pkts_in)" = 0
check "... and no bytes" test "$(rs 198.51.100.12 bytes_out)" = 0
out=$(hits 20 "$VIP")
echo "$out"
n2=$(share "$out" rs2)
check "re-added rs2 is served" test "$n2" -gt 0
# At least SYN, request, ACK(s), FIN per connection, at most some dozen.
pk=$(rs 198.51.100.12 pkts_in)
echo "rs2: $n2 connections, $pk packets in"
check "its counters are its own traffic" test "$pk" -ge $((3 * n2)) -a "$pk" -le $((20 * n2))
# (closing states: tcpfin 1 s; a connection only seen opening, SYN_RECV: 60 s)
check "rs3 leaves show vs once its connections are gone" \
	wait_for "rs3 to go" 75 no_removed || cli lb1 show conn >&2

# Thirty servers in turn, where the headroom leaves room for two at once.
failed=0
for i in $(seq 1 30); do
	conf "1 2 p$((10000 + i))" second >"$TMP/lb1.conf"
	cli lb1 reload >/dev/null || { failed=$i; break; }
	wait_for "removed servers to go" 10 no_removed >/dev/null || { failed=w$i; break; }
done
check "thirty reloads each adding a server all succeed (failed at: $failed)" test "$failed" = 0
grep -q "no real server slot left" "$TMP/lb1.log" && echo "slots ran out:" &&
	grep "slot" "$TMP/lb1.log" | tail -3
out=$(hits 20 "$VIP")
echo "$out"
check "after the churn rs1 and rs2 share the new connections" \
	test "$(share "$out" rs1)" -gt 0 -a "$(share "$out" rs2)" -gt 0 -a \
	"$(share "$out" rs1)" -eq $((20 - $(share "$out" rs2)))

# A whole virtual_server removed under a download.
nsx client curl -s --limit-rate 2M -o "$TMP/big.out" "http://$VIP2/big" &
dl=$!
busy2() {
	test "$(json lb1 "len(j['connections'])" show conn vip "$VIP2:80" state ESTABLISHED)" \
		-gt 0
}
wait_for "the download's connection" 10 busy2
conf "1 2" >"$TMP/lb1.conf"
check "reload removing $VIP2's virtual_server succeeds" cli lb1 reload
check "show vs no longer lists it" \
	test "$(json lb1 "len(j['virtual_servers'])" show vs)" = 1
check "a new connection to $VIP2:80 is not served" \
	bash -c "! ip netns exec $DK_LAB-client curl -s --max-time 3 http://$VIP2/"
check "the download is still running" kill -0 "$dl"
rc=0
wait "$dl" || rc=$?
check "the download through the removed virtual_server completed (curl exit 0)" \
	test "$rc" = 0
check "... byte for byte" cmp "$TMP/nginx-rs3/big" "$TMP/big.out"
check "nothing was dropped for want of a backend or a connection" \
	test "$(json lb1 "j['counters']['drop_no_backend'] + j['counters']['drop_no_conn']" \
		show lb stats)" = 0
check "the removed virtual_server goes once its connections are gone" \
	wait_for "the removed service to go" 30 \
	grep -q "$VIP2:80/tcp: removed virtual server has no connections left" "$TMP/lb1.log"
check "$VIP:80 still serves" test "$(hits 10 "$VIP" | awk '{s += $2} $1 == "error" {e = 1}
	END {print e ? "error" : s}')" = 10
stop_node lb1
finish
