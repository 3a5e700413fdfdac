#!/bin/bash
# use_vmac over IPv6 (VRRPv3, ff02::12) between dpkeep (lb1) and stock keepalived (peer,
# its macvlan with 00:00:5e:00:02:VRID): the master's adverts and unsolicited NAs come
# from the IPv6 virtual MAC, NS for the VIP is answered with it, so the client's
# neighbour entry for the VIP stays the VMAC across failover and preemption while its
# pings reach whichever side is master.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=2001:db8:f::10
VMAC=00:00:5e:00:02:33 # VRID 51, IPv6
PROF=$DK_SRC/drivers-cfg/af_packet.conf
W=8

lab_up
check "the peer's link-local address is past DAD" until_ok 10 peer_ll_ready
vrrp_conf "$TMP/dk.conf" prio=150 ver=3 int=0.5 vip="$VIP/64" extra=use_vmac
vrrp_conf "$TMP/ka.conf" prio=100 ver=3 int=0.5 vip="$VIP/64" extra=use_vmac

# vrrp6_src_macs SWIF: the source MACs of the VRRP adverts leaving a host for 3 s.
vrrp6_src_macs() {
	ip netns exec "$DK_LAB-sw" timeout 20 tshark -n -i "$1" -a duration:3 \
		-f "ip6 and ip6[6] == 112" -T fields -e eth.src 2>/dev/null | sort -u
}
ka_has_vip6() { ip -n "$DK_LAB-peer" -6 -o addr show | grep -qw "inet6 $VIP"; }
ka_no_vip6() { ! ka_has_vip6; }
# vmac_answers_ns: the client's NS for the VIP is answered (S=1) and every NA for the
# VIP heard meanwhile (the master's unsolicited ones too) carries the VMAC.
vmac_answers_ns() {
	local got
	got=$(client_ns_answers "$VIP")
	echo "NS for $VIP answered by: ${got:-nobody}"
	echo "$got" | grep -q "^$VMAC S=1" && ! echo "$got" | grep -qv "^$VMAC "
}
host_replies() { json lb1 'j["ports"][0]["host"]["reply"]' show port stats eth0; }
# client_pings_dpkeep: three pings to the VIP answered, by dpkeep (its host replies).
client_pings_dpkeep() {
	local r0
	r0=$(host_replies)
	nsx client ping -6 -c 3 -i 0.2 -W 2 "$VIP" || return 1
	[ "$(host_replies)" -ge $((r0 + 3)) ]
}

start_node lb1 "$PROF" -f "$TMP/dk.conf"
check "dpkeep (150) becomes MASTER" until_ok $W dk_is lb1 MASTER
ka_start "$TMP/ka.conf"
check "keepalived (100) logs BACKUP" until_ok $W ka_is BACKUP
check "keepalived made its macvlan with the IPv6 VMAC" \
	bash -c "ip -n $DK_LAB-peer link show | grep -qi 'ether $VMAC'"
check "dpkeep's adverts come from the VMAC" [ "$(vrrp6_src_macs lb1-eth0)" = "$VMAC" ]
check "keepalived stays BACKUP (hears them), without the VIP" \
	bash -c "[ '$(ka_state)' = BACKUP ] && ! ip -n $DK_LAB-peer -6 addr | grep -qw $VIP"
check "only the VMAC answers the client's NS for the VIP" vmac_answers_ns
check "the client's pings reach dpkeep" client_pings_dpkeep
check "the client's neighbour entry for the VIP is the VMAC" client_neigh6_is "$VIP" "$VMAC"
dk_kill lb1
check "dpkeep killed -> keepalived MASTER" until_ok $W ka_is MASTER
check "keepalived holds the VIP" until_ok 3 ka_has_vip6
check "the client's neighbour entry is still the VMAC" client_neigh6_is "$VIP" "$VMAC"
check "the client's pings reach keepalived (dpkeep is dead)" \
	until_ok 5 nsx client ping -6 -c 3 -i 0.2 -W 2 "$VIP"
check "the client's neighbour entry has not changed" client_neigh6_is "$VIP" "$VMAC"
start_node lb1 "$PROF" -f "$TMP/dk.conf"
check "restarted dpkeep preempts: MASTER" until_ok $W dk_is lb1 MASTER
check "keepalived steps down: BACKUP" until_ok $W ka_is BACKUP
check "keepalived released the VIP" until_ok 3 ka_no_vip6
check "the client's pings reach dpkeep again" until_ok 5 client_pings_dpkeep
check "the client's neighbour entry is still the VMAC" client_neigh6_is "$VIP" "$VMAC"
check "dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
stop_node lb1 || true
ka_stop

finish
