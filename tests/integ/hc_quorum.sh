#!/bin/bash
# Quorum with hysteresis: three real servers of weight 1 behind TCP_CHECKs, quorum 2,
# hysteresis 1. Quorum is lost only below quorum - hysteresis (no server left) and
# regained only at quorum + hysteresis (all three back); quorum_down and quorum_up run
# once at each of those transitions and never in between. While quorum is lost, new
# connections go to the sorry server.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lb_lib.sh"
source "$(dirname "$0")/hc_lib.sh"

lab_up
for i in 1 2 3; do svc_start "$i" tcp; done
# The sorry server: rs3 port 8080 says "sorry"; NAT replies route back through dpkeep.
nsx rs3 ip route add default via 198.51.100.1
ip netns exec "$DK_LAB-rs3" socat TCP4-LISTEN:8080,fork,reuseaddr "SYSTEM:'echo sorry'" \
	>/dev/null 2>&1 &
echo $! >"$TMP/sorry.pid"
vip_says() { ip netns exec "$DK_LAB-client" socat -T2 - TCP:192.0.2.10:80 </dev/null 2>/dev/null; }
cat >"$TMP/quorum.sh" <<EOS
#!/bin/sh
echo "\$1" >>"$TMP/quorum.log"
EOS
chmod +x "$TMP/quorum.sh"
touch "$TMP/quorum.log"

rs_block() {
	cat <<EOC
	real_server $(rs_ip "$1") 80 {
		weight 1
		TCP_CHECK {
			connect_port 9000
			$HC_TIMERS
		}
	}
EOC
}
cat >"$TMP/lb1.conf" <<EOC
virtual_server 192.0.2.10 80 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
	quorum 2
	hysteresis 1
	quorum_up "$TMP/quorum.sh up"
	quorum_down "$TMP/quorum.sh down"
	sorry_server 198.51.100.13 8080
$(rs_block 1)
$(rs_block 2)
$(rs_block 3)
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"

vs_q() { json lb1 "j['virtual_servers'][0]['$1']" show hc; }
q_is() { test "$(vs_q quorum_up)" = "$1"; }
up_all() { for i in 1 2 3; do [ "$(hc_get TCP_CHECK "$(rs_ip "$i")" | cut -d' ' -f2)" = ok ] ||
	return 1; done; }
check "all three TCP_CHECKs pass" wait_for "checks ok" 20 up_all
check "quorum is up with alive weight 3" test "$(vs_q quorum_up) $(vs_q alive_weight)" = "True 3"

down() { svc_stop "$1" tcp; hc_wait TCP_CHECK "$(rs_ip "$1")" DOWN $((HC_BOUND * 3)) >/dev/null; }
up() { svc_start "$1" tcp; hc_wait TCP_CHECK "$(rs_ip "$1")" UP 20 >/dev/null; }

check "rs1 goes down" down 1
check "rs2 goes down" down 2
sleep 1
check "alive weight 1 is not below quorum - hysteresis (1): quorum stays up" \
	test "$(vs_q quorum_up) $(vs_q alive_weight)" = "True 1"
check "no quorum script has run yet" test ! -s "$TMP/quorum.log"
check "rs3 goes down" down 3
check "no server left: quorum lost" wait_for "quorum down" 5 q_is False
check "quorum_down ran once" wait_for "quorum_down script" 5 grep -qx down "$TMP/quorum.log"
check "with quorum lost, a new connection to the VIP reaches the sorry server" \
	wait_for "sorry server" 5 bash -c "DK_LAB=$DK_LAB; $(declare -f vip_says); vip_says | grep -qx sorry"

check "rs3 comes back" up 3
sleep 1
check "alive weight 1 is short of quorum + hysteresis (3): still no quorum" \
	test "$(vs_q quorum_up) $(vs_q alive_weight)" = "False 1"
check "rs1 comes back" up 1
check "rs2 comes back" up 2
check "all three back: quorum regained" wait_for "quorum up" 5 q_is True
check "with quorum back, new connections no longer reach the sorry server" \
	bash -c "DK_LAB=$DK_LAB; $(declare -f vip_says); ! vip_says | grep -q sorry"
sleep 1
cat "$TMP/quorum.log"
check "quorum_down then quorum_up, each exactly once" \
	test "$(tr '\n' ' ' <"$TMP/quorum.log")" = "down up "
check "the log says when quorum was lost" grep -q "Lost quorum for VS \[192.0.2.10\]:tcp:80" \
	"$TMP/lb1.log"
check "SIGTERM stops dpkeep cleanly" stop_node lb1
finish
