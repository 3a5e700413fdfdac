#!/bin/bash
# use_vmac between dpkeep (lb1) and stock keepalived (peer, macvlan vrrp.51): the master's
# adverts and GARPs come from the virtual MAC 00:00:5e:00:01:VRID, ARP for the VIP is
# answered with it, so after a failover the client's ARP entry needs no change and its
# pings reach the new master. dpkeep's port takes frames to the virtual MAC while it is
# master and drops them while it is backup (the MAC is then keepalived's). Unicast
# adverts leave from the base MAC on both sides (keepalived forces vmac_xmit_base).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=192.0.2.50
VMAC=00:00:5e:00:01:33 # VRID 51
PROF=$DK_SRC/drivers-cfg/af_packet.conf
W=10

lab_up
client_mac=$(nsx client cat /sys/class/net/eth0/address)
# keepalived's VIP lives on vrrp.51, but the peer's kernel routes the subnet out of eth0
# and would ask for the client's MAC from there with the VIP as sender address, teaching
# the client eth0's MAC for the VIP. arp_announce 2 (the usual setting beside use_vmac)
# makes it ask from eth0's own address.
nsx peer sysctl -qw net.ipv4.conf.all.arp_announce=2

pair() { # LABEL DK_PRIO KA_PRIO
	vrrp_conf "$TMP/dk-$1.conf" prio="$2" ver=2 int=1 extra=use_vmac
	vrrp_conf "$TMP/ka-$1.conf" prio="$3" ver=2 int=1 extra=use_vmac
}

# inject_echo N: N ICMP echo requests for the VIP to the virtual MAC, written straight
# into lb1's port from the switch side (whatever the bridge has learnt about the MAC).
inject_echo() {
	ip netns exec "$DK_LAB-sw" python3 -c '
import socket, struct, sys
def ck(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return struct.pack("!H", ~s & 0xffff)
dst, src, n = bytes.fromhex(sys.argv[1].replace(":", "")), \
    bytes.fromhex(sys.argv[2].replace(":", "")), int(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("lb1-eth0", 0))
for i in range(n):
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4b1d, i) + bytes(32)
    icmp = icmp[:2] + ck(icmp) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), i, 0, 64, 1, 0,
                     socket.inet_aton("192.0.2.100"), socket.inet_aton(sys.argv[4]))
    ip = ip[:10] + ck(ip) + ip[12:]
    s.send(dst + src + b"\x08\x00" + ip + icmp)
' "$VMAC" "$client_mac" "$1" "$VIP"
}
not_for_us() { json lb1 'sum(l["drop_not_for_us"] for l in j["lcores"])' show lcores; }
host_replies() { json lb1 'j["ports"][0]["host"]["reply"]' show port stats eth0; }
ka_vmac_rx() { nsx peer cat /sys/class/net/vrrp.51/statistics/rx_packets; }

# dpkeep_takes_vmac: frames to the VMAC are accepted and the echoes answered.
dpkeep_takes_vmac() {
	local d0 r0
	d0=$(not_for_us); r0=$(host_replies)
	inject_echo 5
	sleep 0.5
	echo "not_for_us $d0 -> $(not_for_us), replies $r0 -> $(host_replies)"
	[ "$(not_for_us)" -eq "$d0" ] && [ "$(host_replies)" -ge $((r0 + 5)) ]
}
# dpkeep_drops_vmac: frames to the VMAC are dropped as not for this port.
dpkeep_drops_vmac() {
	local d0
	d0=$(not_for_us)
	inject_echo 5
	sleep 0.5
	echo "not_for_us $d0 -> $(not_for_us)"
	[ "$(not_for_us)" -ge $((d0 + 5)) ]
}
# vrrp_src_macs SWIF: the source MACs of the VRRP adverts leaving a host for 3 s.
vrrp_src_macs() {
	ip netns exec "$DK_LAB-sw" timeout 20 tshark -n -i "$1" -a duration:3 -f "ip proto 112" \
		-T fields -e eth.src 2>/dev/null | sort -u
}
# client_pings_on WHO: three pings to the VIP succeed and the counters of WHO (dpkeep's
# host replies or the packets into keepalived's vrrp.51) show that WHO got them.
client_pings_on() {
	local before after
	before=$([ "$1" = dpkeep ] && host_replies || ka_vmac_rx)
	nsx client ping -c 3 -i 0.2 -W 2 "$VIP" || return 1
	after=$([ "$1" = dpkeep ] && host_replies || ka_vmac_rx)
	echo "$1: $before -> $after"
	[ "$after" -ge $((before + 3)) ]
}
src_macs_are() { # SWIF MAC: the adverts leaving SWIF's host come from MAC, and only it
	local got
	got=$(vrrp_src_macs "$1")
	echo "adverts from $1: ${got:-none}"
	[ "${got,,}" = "${2,,}" ]
}
vmac_owner_port() { # the switch port the bridge has learnt the VMAC on
	ip netns exec "$DK_LAB-sw" bridge fdb show br front | awk -v m="$VMAC" '$1 == m {print $3}'
}
vmac_on_peer() { [ "$(vmac_owner_port)" = peer-eth0 ]; }
# keepalived puts the VIP on its macvlan vrrp.51, not on eth0.
ka_has_vip() { ip -n "$DK_LAB-peer" -o addr show dev vrrp.51 2>/dev/null | grep -qw "inet $1"; }
ka_no_vip() { ! ka_has_vip "$VIP"; }

dk_wins() {
	local l=vmac-dk-higher
	pair $l 150 100
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	check "$l: dpkeep (150) becomes MASTER" until_ok $W dk_is lb1 MASTER
	ka_start "$TMP/ka-$l.conf"
	check "$l: keepalived (100) logs BACKUP" until_ok $W ka_is BACKUP
	check "$l: keepalived made its macvlan vrrp.51 with the VMAC" \
		bash -c "grep -q 'Success creating VMAC interface vrrp.51' $TMP/ka.log &&
			ip -n $DK_LAB-peer link show vrrp.51 | grep -qi 'ether $VMAC'"
	check "$l: dpkeep's adverts come from the VMAC" \
		[ "$(vrrp_src_macs lb1-eth0)" = "$VMAC" ]
	check "$l: keepalived stays BACKUP (hears them)" ka_is BACKUP
	check "$l: the client's ARP request is answered by the VMAC" client_arp_is "$VIP" "$VMAC"
	check "$l: the client's pings reach dpkeep" client_pings_on dpkeep
	check "$l: the client's ARP cache has the VMAC" client_neigh_is "$VIP" "$VMAC"
	check "$l: dpkeep's port takes frames to the VMAC while master" dpkeep_takes_vmac
	dk_kill lb1
	check "$l: dpkeep killed -> keepalived MASTER" until_ok $W ka_is MASTER
	check "$l: keepalived holds the VIP" until_ok 3 ka_has_vip "$VIP"
	check "$l: the switch learnt the VMAC on keepalived's port (its GARP)" \
		until_ok 3 vmac_on_peer
	check "$l: the client's ARP cache still has the VMAC" client_neigh_is "$VIP" "$VMAC"
	check "$l: the client's pings reach keepalived (vrrp.51)" client_pings_on keepalived
	check "$l: the client's ARP cache has not changed" client_neigh_is "$VIP" "$VMAC"
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	check "$l: restarted dpkeep preempts: MASTER" until_ok $W dk_is lb1 MASTER
	check "$l: keepalived steps down: BACKUP" until_ok $W ka_is BACKUP
	check "$l: keepalived released the VIP" until_ok 3 ka_no_vip
	check "$l: the client's pings reach dpkeep again" until_ok 5 client_pings_on dpkeep
	check "$l: the client's ARP cache still has the VMAC" client_neigh_is "$VIP" "$VMAC"
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

ka_wins() {
	local l=vmac-ka-higher
	pair $l 100 200
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	ka_start "$TMP/ka-$l.conf"
	check "$l: keepalived (200) logs MASTER" until_ok $W ka_is MASTER
	check "$l: dpkeep (100) BACKUP" until_ok $W dk_is lb1 BACKUP
	check "$l: keepalived's adverts come from the VMAC" \
		[ "$(vrrp_src_macs peer-eth0)" = "$VMAC" ]
	check "$l: the client's ARP request is answered by the VMAC" client_arp_is "$VIP" "$VMAC"
	check "$l: the client's pings reach keepalived" client_pings_on keepalived
	check "$l: backup dpkeep's port drops frames to the VMAC" dpkeep_drops_vmac
	sleep 1.1
	ka_kill
	# A SIGKILLed keepalived leaves vrrp.51 and the VIP behind; a dead host would not.
	ip -n "$DK_LAB-peer" link del vrrp.51
	check "$l: keepalived killed -> dpkeep MASTER" until_ok $W dk_is lb1 MASTER
	check "$l: the client's ARP cache still has the VMAC" client_neigh_is "$VIP" "$VMAC"
	check "$l: the client's pings reach dpkeep" until_ok 5 client_pings_on dpkeep
	check "$l: dpkeep's port now takes frames to the VMAC" dpkeep_takes_vmac
	ka_start "$TMP/ka-$l.conf"
	check "$l: restarted keepalived preempts: MASTER" until_ok $W ka_is MASTER
	check "$l: dpkeep steps down to BACKUP" until_ok $W dk_is lb1 BACKUP
	check "$l: the client's pings reach keepalived again" until_ok 5 client_pings_on keepalived
	check "$l: backup dpkeep drops frames to the VMAC again" dpkeep_drops_vmac
	check "$l: the client's ARP cache still has the VMAC" client_neigh_is "$VIP" "$VMAC"
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

# Unicast with use_vmac: keepalived 2.2.7 forces vmac_xmit_base ("unicast with use_vmac
# requires vmac_xmit_base - setting", and -t fails), so its unicast adverts leave from
# the base interface's MAC; dpkeep says and does the same. The VIP keeps the VMAC.
unicast() {
	local l=vmac-unicast dk_mac ka_mac
	vrrp_conf "$TMP/dk-$l.conf" prio=150 ver=2 int=1 mode=unicast src=192.0.2.1 \
		peers=192.0.2.3 extra=use_vmac
	vrrp_conf "$TMP/ka-$l.conf" prio=100 ver=2 int=1 mode=unicast src=192.0.2.3 \
		peers=192.0.2.1 extra=use_vmac
	check "$l: keepalived -t flags it" \
		bash -c "! keepalived -t -f $TMP/dk-$l.conf >$TMP/ka-t.out 2>&1 &&
			grep -q '(VI_1) unicast with use_vmac requires vmac_xmit_base - setting' \
			$TMP/ka-t.out"
	check "$l: dpkeep -t flags it in the same words" \
		bash -c "! $DPKEEP -t -f $TMP/dk-$l.conf >$TMP/dk-t.out 2>&1 &&
			grep -q '(VI_1) unicast with use_vmac requires vmac_xmit_base - setting' \
			$TMP/dk-t.out"
	start_node lb1 "$PROF" -f "$TMP/dk-$l.conf"
	dk_mac=$(port_mac lb1)
	ka_mac=$(nsx peer cat /sys/class/net/eth0/address)
	check "$l: dpkeep (150) becomes MASTER" until_ok $W dk_is lb1 MASTER
	ka_start "$TMP/ka-$l.conf"
	check "$l: keepalived (100) logs BACKUP" until_ok $W ka_is BACKUP
	check "$l: dpkeep's unicast adverts come from its port MAC" src_macs_are lb1-eth0 "$dk_mac"
	check "$l: keepalived stays BACKUP (takes them)" ka_is BACKUP
	check "$l: the client's ARP request is answered by the VMAC" client_arp_is "$VIP" "$VMAC"
	stop_node lb1 || true
	check "$l: dpkeep stopped -> keepalived MASTER" until_ok $W ka_is MASTER
	# keepalived's unicast adverts need a live peer to resolve: dpkeep again, lower.
	vrrp_conf "$TMP/dk-$l-low.conf" prio=50 ver=2 int=1 mode=unicast src=192.0.2.1 \
		peers=192.0.2.3 extra=use_vmac
	start_node lb1 "$PROF" -f "$TMP/dk-$l-low.conf"
	check "$l: dpkeep (50) BACKUP behind keepalived" until_ok $W dk_is lb1 BACKUP
	check "$l: keepalived's unicast adverts come from its eth0 MAC, not the VMAC" \
		src_macs_are peer-eth0 "$ka_mac"
	check "$l: dpkeep rejected none of keepalived's adverts" dk_rx_clean lb1
	stop_node lb1 || true
	ka_stop
}

dk_wins
ka_wins
unicast

finish
