#!/bin/bash
# dpkeep (lb1) against stock keepalived (peer) on the front segment: v2 and v3, multicast
# and unicast, with and without PASS auth. Both sides must agree on who is master; when
# the master is killed the other takes over and the client's ARP cache follows; when it
# comes back it preempts, or not with nopreempt; at equal priority the higher IP wins.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=192.0.2.50
PROF=$DK_SRC/drivers-cfg/af_packet.conf

lab_up
ka_mac=$(nsx peer cat /sys/class/net/eth0/address)
ka_no_vip() { ! ka_has_vip "$VIP"; }

# pair LABEL dk_prio ka_prio key=value...: writes both configurations.
pair() {
	local label=$1 dp=$2 kp=$3; shift 3
	local common=() dkx=() kv
	for kv in "$@"; do
		case $kv in
		dkextra=*) dkx=("extra=${kv#*=}") ;;
		*) common+=("$kv") ;;
		esac
	done
	vrrp_conf "$TMP/dk-$label.conf" prio="$dp" src=192.0.2.1 peers=192.0.2.3 \
		"${common[@]}" "${dkx[@]}"
	vrrp_conf "$TMP/ka-$label.conf" prio="$kp" src=192.0.2.3 peers=192.0.2.1 "${common[@]}"
}

# dpkeep has the higher priority: it wins, loses to keepalived when killed, and takes
# the VIP back when restarted unless nopreempt.
dk_wins() { # LABEL WAIT_S STABLE_S nopreempt|preempt key=value...
	local l=$1 w=$2 st=$3 pre=$4; shift 4
	local dkx=()
	[ "$pre" = nopreempt ] && dkx=("dkextra=nopreempt")
	pair "$l" 150 100 "$@" "${dkx[@]}"
	# dpkeep first: with nopreempt, whoever is master first stays master.
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	dk_mac=$(port_mac lb1)
	check "$l: dpkeep (150) becomes MASTER" until_ok "$w" dk_is lb1 MASTER
	ka_start "$TMP/ka-$l.conf"
	check "$l: keepalived (100) logs BACKUP" until_ok "$w" ka_is BACKUP
	sleep "$st"
	check "$l: still one master after ${st}s (dpkeep MASTER)" dk_is lb1 MASTER
	check "$l: keepalived still BACKUP and without the VIP" \
		bash -c "[ '$(ka_state)' = BACKUP ] && ! ip -n $DK_LAB-peer addr | grep -qw $VIP"
	check "$l: dpkeep sees keepalived's adverts (master_ip is its own)" \
		[ "$(dk_field lb1 VI_1 master_ip)" = 192.0.2.1 ]
	check "$l: the client reaches the VIP on dpkeep" \
		nsx client ping -c 1 -W 2 "$VIP"
	check "$l: the client's ARP cache points at dpkeep" client_neigh_is "$VIP" "$dk_mac"
	# GARPs within the kernel's locktime (1 s) of the last update are ignored.
	sleep 1.1
	dk_kill lb1
	check "$l: dpkeep killed -> keepalived MASTER" until_ok "$w" ka_is MASTER
	check "$l: keepalived holds the VIP" until_ok 3 ka_has_vip "$VIP"
	check "$l: client's ARP cache follows to keepalived (GARP)" \
		until_ok 5 client_neigh_is "$VIP" "$ka_mac"
	check "$l: client's ARP request answered by keepalived" client_arp_is "$VIP" "$ka_mac"
	sleep 1.1
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	if [ "$pre" = nopreempt ]; then
		sleep "$st"
		check "$l: restarted dpkeep (nopreempt) stays BACKUP" dk_is lb1 BACKUP
		check "$l: keepalived stays MASTER with the VIP" \
			bash -c "[ '$(ka_state)' = MASTER ] && ip -n $DK_LAB-peer addr | grep -qw $VIP"
		check "$l: dpkeep's master_ip is keepalived's" \
			[ "$(dk_field lb1 VI_1 master_ip)" = 192.0.2.3 ]
	else
		check "$l: restarted dpkeep preempts: MASTER" until_ok "$w" dk_is lb1 MASTER
		check "$l: keepalived steps down: BACKUP" until_ok "$w" ka_is BACKUP
		check "$l: keepalived released the VIP" until_ok 3 ka_no_vip
		check "$l: client's ARP cache back on dpkeep (GARP)" \
			until_ok 5 client_neigh_is "$VIP" "$dk_mac"
		check "$l: client's ARP request answered by dpkeep" \
			client_arp_is "$VIP" "$dk_mac"
	fi
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

# keepalived has the higher priority: the mirror image.
ka_wins() { # LABEL WAIT_S STABLE_S DK_PRIO KA_PRIO key=value...
	local l=$1 w=$2 st=$3 dp=$4 kp=$5; shift 5
	pair "$l" "$dp" "$kp" "$@"
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	dk_mac=$(port_mac lb1)
	ka_start "$TMP/ka-$l.conf"
	check "$l: keepalived ($kp) logs MASTER" until_ok "$w" ka_is MASTER
	check "$l: dpkeep ($dp) is BACKUP behind 192.0.2.3" \
		until_ok "$w" bash -c "[ \"\$('$CLI' --ctl '$TMP/lb1.ctl' --json show vrrp |
			python3 -c 'import json,sys; i=json.load(sys.stdin)[\"instances\"][0];
print(i[\"state\"], i[\"master_ip\"], i[\"owns_vips\"])')\" = 'BACKUP 192.0.2.3 False' ]"
	sleep "$st"
	check "$l: after ${st}s keepalived still MASTER, dpkeep BACKUP" \
		bash -c "[ '$(ka_state)' = MASTER ] && [ '$(dk_state lb1)' = BACKUP ]"
	check "$l: the client's ARP request is answered by keepalived" \
		client_arp_is "$VIP" "$ka_mac"
	nsx client ping -c 1 -W 2 "$VIP" >/dev/null || true
	sleep 1.1
	ka_kill
	check "$l: keepalived killed -> dpkeep MASTER" until_ok "$w" dk_is lb1 MASTER
	check "$l: client's ARP cache follows to dpkeep (GARP)" \
		until_ok 5 client_neigh_is "$VIP" "$dk_mac"
	check "$l: client pings the VIP on dpkeep" nsx client ping -c 1 -W 2 "$VIP"
	sleep 1.1
	ka_start "$TMP/ka-$l.conf"
	check "$l: restarted keepalived preempts: MASTER" until_ok "$w" ka_is MASTER
	check "$l: dpkeep steps down to BACKUP" until_ok "$w" dk_is lb1 BACKUP
	check "$l: client's ARP cache back on keepalived" \
		until_ok 5 client_neigh_is "$VIP" "$ka_mac"
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

dk_wins v2-mcast 10 3 preempt ver=2 int=1
dk_wins v2-mcast-pass 10 3 preempt ver=2 int=1 auth=pass
dk_wins v2-unicast-pass 10 3 preempt ver=2 int=1 auth=pass mode=unicast
dk_wins v3-mcast 5 1 preempt ver=3 int=0.2
dk_wins v3-unicast 5 1 preempt ver=3 int=0.2 mode=unicast
dk_wins v2-nopreempt 10 4 nopreempt ver=2 int=1
ka_wins v2-ka-higher 10 3 100 200 ver=2 int=1 auth=pass
ka_wins v3-ka-higher 5 1 100 200 ver=3 int=0.2 mode=unicast
# Equal priority: a backup does not preempt an equal master (RFC 3768 6.4.2), so the
# tie-break is seen when two masters meet: both start while the switch drops VRRP toward
# either of them, then adverts flow again and the lower IP (dpkeep, .1) must yield to .3.
equal_prio() { # LABEL WAIT_S key=value...
	local l=$1 w=$2; shift 2
	pair "$l" 100 100 "$@"
	vrrp_cut lb1-eth0
	vrrp_cut peer-eth0
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	ka_start "$TMP/ka-$l.conf"
	check "$l: adverts cut: dpkeep MASTER on its own" until_ok "$w" dk_is lb1 MASTER
	check "$l: adverts cut: keepalived MASTER on its own" until_ok "$w" ka_is MASTER
	vrrp_heal lb1-eth0
	vrrp_heal peer-eth0
	check "$l: adverts back: dpkeep (lower IP) yields, BACKUP" until_ok "$w" dk_is lb1 BACKUP
	check "$l: dpkeep's master is keepalived" [ "$(dk_field lb1 VI_1 master_ip)" = 192.0.2.3 ]
	check "$l: keepalived (higher IP) stays MASTER" ka_is MASTER
	check "$l: keepalived keeps the VIP" ka_has_vip "$VIP"
	check "$l: the client's ARP request is answered by keepalived" \
		client_arp_is "$VIP" "$ka_mac"
	stop_node lb1 || true
	ka_stop
}
equal_prio v2-equal-prio 10 ver=2 int=1
equal_prio v3-equal-prio 5 ver=3 int=0.2 mode=unicast

finish
