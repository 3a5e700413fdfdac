#!/bin/bash
# mcast_src_ip against stock keepalived (peer, 192.0.2.3): dpkeep (lb1) owns a second
# address on its port, 192.0.2.9, and names it as the adverts' source. Its adverts leave
# from it, keepalived (backup) takes them without complaint, and at equal priority the
# election is decided by that address: with its primary 192.0.2.1 dpkeep would lose to
# .3, with .9 it wins, on both sides. As in keepalived, mcast_src_ip is also the source
# of unicast adverts (keepalived only takes those from an address in its unicast_peer).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=192.0.2.50
SRC=192.0.2.9
PROF=$TMP/af_packet-src.conf
W=8

# the lab profile with a second address on eth0
sed "s|^\(\s*\)address 192.0.2.1/24|&\n\1address $SRC/24|" \
	"$DK_SRC/drivers-cfg/af_packet.conf" >"$PROF"
lab_up
ka_no_vip() { ! ka_has_vip "$VIP"; }

# adv_sources: the source addresses of the VRRP adverts dpkeep sends for 3 s.
adv_sources() {
	ip netns exec "$DK_LAB-sw" timeout 20 tshark -n -i lb1-eth0 -a duration:3 \
		-f "ip proto 112 and ether src $dk_mac" -T fields -e ip.src 2>/dev/null | sort -u
}
# ka_log_clean: keepalived logged no complaint about an advert since the last ka_start.
ka_log_clean() {
	! sed -n "$(($(wc -l <"$TMP/ka.start") + 1)),\$p" "$TMP/ka.log" |
		grep -iE 'error|bogus|invalid|mismatch|not present|discard|ignor|wrong|unknown'
}
ka_begin() { cp "$TMP/ka.log" "$TMP/ka.start" 2>/dev/null || : >"$TMP/ka.start"; ka_start "$1"; }

oracle() { # FILE: keepalived -t and dpkeep -t accept the configuration
	check "$(basename "$1"): keepalived -t accepts it" keepalived -t -f "$1"
	check "$(basename "$1"): dpkeep -t accepts it" "$DPKEEP" -t -f "$1"
}

backup_accepts() {
	local l=mcast-src-backup
	vrrp_conf "$TMP/dk-$l.conf" prio=150 ver=2 int=1 mcast_src=$SRC
	vrrp_conf "$TMP/ka-$l.conf" prio=100 ver=2 int=1
	oracle "$TMP/dk-$l.conf"
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	dk_mac=$(port_mac lb1)
	check "$l: dpkeep answers ARP for $SRC" client_arp_is "$SRC" "$dk_mac"
	check "$l: dpkeep (150) becomes MASTER" until_ok $W dk_is lb1 MASTER
	ka_begin "$TMP/ka-$l.conf"
	check "$l: keepalived (100) logs BACKUP" until_ok $W ka_is BACKUP
	check "$l: dpkeep's adverts come from $SRC" [ "$(adv_sources)" = "$SRC" ]
	check "$l: dpkeep shows itself as master with $SRC" \
		[ "$(dk_field lb1 VI_1 master_ip)" = "$SRC" ]
	check "$l: keepalived stays BACKUP without the VIP" \
		bash -c "[ '$(ka_state)' = BACKUP ] && ! ip -n $DK_LAB-peer addr | grep -qw $VIP"
	check "$l: keepalived's log has no complaint" ka_log_clean
	check "$l: the client's ARP request for the VIP is answered by dpkeep" \
		client_arp_is "$VIP" "$dk_mac"
	stop_node lb1 || true
	ka_stop
}

# Equal priority: a backup does not preempt an equal master, so the tie-break is seen
# when two masters meet (adverts cut at the switch, then let through).
equal_prio() { # LABEL key=value... (for both sides; dpkeep also gets mcast_src_ip)
	local l=$1; shift
	vrrp_conf "$TMP/dk-$l.conf" prio=100 mcast_src=$SRC peers=192.0.2.3 "$@"
	vrrp_conf "$TMP/ka-$l.conf" prio=100 src=192.0.2.3 peers=$SRC "$@"
	oracle "$TMP/dk-$l.conf"
	vrrp_cut lb1-eth0
	vrrp_cut peer-eth0
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	dk_mac=$(port_mac lb1)
	ka_begin "$TMP/ka-$l.conf"
	check "$l: adverts cut: dpkeep MASTER on its own" until_ok $W dk_is lb1 MASTER
	check "$l: adverts cut: keepalived MASTER on its own" until_ok $W ka_is MASTER
	vrrp_heal lb1-eth0
	vrrp_heal peer-eth0
	check "$l: adverts back: keepalived (192.0.2.3) yields to $SRC, BACKUP" \
		until_ok $W ka_is BACKUP
	check "$l: keepalived released the VIP" until_ok 3 ka_no_vip
	check "$l: dpkeep ($SRC, not its primary 192.0.2.1) stays MASTER" dk_is lb1 MASTER
	check "$l: dpkeep's adverts come from $SRC" [ "$(adv_sources)" = "$SRC" ]
	check "$l: keepalived's log has no complaint" ka_log_clean
	check "$l: the client's ARP request for the VIP is answered by dpkeep" \
		client_arp_is "$VIP" "$dk_mac"
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

backup_accepts
equal_prio v3-mcast-equal ver=3 int=0.2
equal_prio v2-unicast-equal ver=2 int=1 mode=unicast

finish
