#!/bin/bash
# dpkeep (lb1) against stock keepalived (peer) with VRRPv3 over IPv6 (ff02::12, adverts
# from link-local addresses, VIP 2001:db8:f::10): both sides agree on the master; when
# it is killed the other takes over and the client's neighbour cache follows (unsolicited
# NA); when it comes back it preempts. Only the master answers the client's Neighbor
# Solicitation and echo for the VIP. At equal priority the higher link-local address
# wins on both implementations, whichever side has it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=2001:db8:f::10
PROF=$DK_SRC/drivers-cfg/af_packet.conf
W=8 # seconds allowed for a transition (advert_int 0.5 s: Master_Down about 1.6 s)

lab_up
ka_mac=$(nsx peer cat /sys/class/net/eth0/address)
check "the peer's link-local address is past DAD" until_ok 10 peer_ll_ready
ka_ll=$(ip -n "$DK_LAB-peer" -6 -o addr show dev eth0 scope link | awk '{print $4}' | head -1)
ka_ll=${ka_ll%/*}
ka_no_vip() { ! ka_has_vip "$VIP"; }

pair() { # LABEL DK_PRIO KA_PRIO [KA_EXTRA]
	vrrp_conf "$TMP/dk-$1.conf" prio="$2" ver=3 int=0.5 vip="$VIP/64"
	vrrp_conf "$TMP/ka-$1.conf" prio="$3" ver=3 int=0.5 vip="$VIP/64" extra="${4:-}"
}

dk_start() { # LABEL
	start_node lb1 "$PROF" -f "$TMP/dk-$1.conf"
	dk_mac=$(port_mac lb1)
	dk_ll=$(eui64_ll "$dk_mac")
}

dk_wins() {
	local l=v3-ipv6-dk-higher
	pair $l 150 100
	dk_start $l
	check "$l: dpkeep (150) becomes MASTER" until_ok $W dk_is lb1 MASTER
	ka_start "$TMP/ka-$l.conf"
	check "$l: keepalived (100) logs BACKUP" until_ok $W ka_is BACKUP
	sleep 2
	check "$l: after 2 s dpkeep is still MASTER" dk_is lb1 MASTER
	check "$l: keepalived still BACKUP and without the VIP" \
		bash -c "[ '$(ka_state)' = BACKUP ] && ! ip -n $DK_LAB-peer addr | grep -qw $VIP"
	check "$l: dpkeep advertises from its link-local address ($dk_ll)" \
		[ "$(dk_field lb1 VI_1 master_ip)" = "$dk_ll" ]
	check "$l: only dpkeep answers the client's NS for the VIP" client_ns_only "$VIP" "$dk_mac"
	check "$l: the client pings the VIP" nsx client ping -6 -c 1 -W 2 "$VIP"
	check "$l: the client's neighbour cache points at dpkeep" client_neigh6_is "$VIP" "$dk_mac"
	dk_kill lb1
	check "$l: dpkeep killed -> keepalived MASTER" until_ok $W ka_is MASTER
	check "$l: keepalived holds the VIP" until_ok 3 ka_has_vip "$VIP"
	check "$l: client's neighbour cache follows to keepalived (unsolicited NA)" \
		until_ok 5 client_neigh6_is "$VIP" "$ka_mac"
	check "$l: only keepalived answers NS for the VIP" client_ns_only "$VIP" "$ka_mac"
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	check "$l: restarted dpkeep preempts: MASTER" until_ok $W dk_is lb1 MASTER
	check "$l: keepalived steps down: BACKUP" until_ok $W ka_is BACKUP
	check "$l: keepalived released the VIP" until_ok 3 ka_no_vip
	check "$l: client's neighbour cache back on dpkeep (unsolicited NA)" \
		until_ok 5 client_neigh6_is "$VIP" "$dk_mac"
	check "$l: only dpkeep answers NS for the VIP again" client_ns_only "$VIP" "$dk_mac"
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

ka_wins() {
	local l=v3-ipv6-ka-higher
	pair $l 100 200
	dk_start $l
	ka_start "$TMP/ka-$l.conf"
	check "$l: keepalived (200) logs MASTER" until_ok $W ka_is MASTER
	check "$l: dpkeep (100) is BACKUP behind keepalived's link-local $ka_ll" \
		until_ok $W bash -c "[ \"\$('$CLI' --ctl '$TMP/lb1.ctl' --json show vrrp |
			python3 -c 'import json,sys; i=json.load(sys.stdin)[\"instances\"][0];
print(i[\"state\"], i[\"master_ip\"], i[\"owns_vips\"])')\" = 'BACKUP $ka_ll False' ]"
	check "$l: keepalived holds the VIP" ka_has_vip "$VIP"
	check "$l: only keepalived answers the client's NS" client_ns_only "$VIP" "$ka_mac"
	check "$l: backup dpkeep does not answer echo for the VIP" \
		client_no_echo6_via "$VIP" "$dk_mac"
	check "$l: the client pings the VIP (on keepalived)" nsx client ping -6 -c 1 -W 2 "$VIP"
	check "$l: the client's neighbour cache points at keepalived" \
		client_neigh6_is "$VIP" "$ka_mac"
	ka_kill
	# A SIGKILLed keepalived leaves the VIP on eth0, where the peer's kernel would go on
	# answering NS for it; a dead host would not.
	ip -n "$DK_LAB-peer" addr del "$VIP/64" dev eth0
	check "$l: keepalived killed -> dpkeep MASTER" until_ok $W dk_is lb1 MASTER
	check "$l: client's neighbour cache follows to dpkeep (unsolicited NA)" \
		until_ok 5 client_neigh6_is "$VIP" "$dk_mac"
	check "$l: only dpkeep answers NS for the VIP" client_ns_only "$VIP" "$dk_mac"
	check "$l: master dpkeep answers echo for the VIP" client_echo6_via "$VIP" "$dk_mac"
	nsx client ping -6 -c 1 -W 2 "$VIP" >/dev/null || true # the cache entry again
	ka_start "$TMP/ka-$l.conf"
	check "$l: restarted keepalived preempts: MASTER" until_ok $W ka_is MASTER
	check "$l: dpkeep steps down to BACKUP" until_ok $W dk_is lb1 BACKUP
	check "$l: client's neighbour cache back on keepalived" \
		until_ok 5 client_neigh6_is "$VIP" "$ka_mac"
	check "$l: dpkeep no longer answers NS for the VIP" client_ns_only "$VIP" "$ka_mac"
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

# Equal priority: a backup does not preempt an equal master, so the tie-break is seen
# when two masters meet (adverts cut at the switch, then let through). keepalived sends
# from a link-local address given with mcast_src_ip, chosen below or above any EUI-64
# address so that each side wins once.
equal_prio() { # LABEL KA_LL
	local l=$1 ll=$2 winner
	ip -n "$DK_LAB-peer" addr add "$ll/64" dev eth0 nodad
	pair "$l" 100 100 "mcast_src_ip $ll"
	vrrp_cut lb1-eth0
	vrrp_cut peer-eth0
	dk_start "$l"
	ka_start "$TMP/ka-$l.conf"
	check "$l: adverts cut: dpkeep MASTER on its own" until_ok $W dk_is lb1 MASTER
	check "$l: adverts cut: keepalived MASTER on its own" until_ok $W ka_is MASTER
	winner=$(python3 -c 'import ipaddress as a,sys
print("dpkeep" if a.ip_address(sys.argv[1]) > a.ip_address(sys.argv[2]) else "keepalived")' \
		"$dk_ll" "$ll")
	vrrp_heal lb1-eth0
	vrrp_heal peer-eth0
	if [ "$winner" = dpkeep ]; then
		check "$l: adverts back: keepalived ($ll) yields to $dk_ll, BACKUP" \
			until_ok $W ka_is BACKUP
		check "$l: keepalived released the VIP" until_ok 3 ka_no_vip
		check "$l: dpkeep (higher IP) stays MASTER" dk_is lb1 MASTER
		check "$l: only dpkeep answers NS for the VIP" client_ns_only "$VIP" "$dk_mac"
	else
		check "$l: adverts back: dpkeep ($dk_ll) yields to $ll, BACKUP" \
			until_ok $W dk_is lb1 BACKUP
		check "$l: dpkeep's master is keepalived's $ll" \
			[ "$(dk_field lb1 VI_1 master_ip)" = "$ll" ]
		check "$l: keepalived (higher IP) stays MASTER with the VIP" \
			bash -c "[ '$(ka_state)' = MASTER ] && ip -n $DK_LAB-peer addr | grep -qw $VIP"
		check "$l: only keepalived answers NS for the VIP" client_ns_only "$VIP" "$ka_mac"
	fi
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
	ip -n "$DK_LAB-peer" addr del "$ll/64" dev eth0
}

dk_wins
ka_wins
equal_prio v3-ipv6-equal-ka-lower fe80::1
equal_prio v3-ipv6-equal-ka-higher fe80::ffff:ffff:ffff:fffe

finish
