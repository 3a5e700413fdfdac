#!/bin/bash
# VRRPv2 with "auth_type AH" (IPsec AH, HMAC-MD5-96) between dpkeep (lb1) and Debian's
# stock keepalived (peer), which is built with VRRP_AUTH: both directions elect the same
# master and fail over, a wrong password on one side is rejected (dpkeep counts it as
# ah_failure, and both end up master), and tshark decodes dpkeep's AH adverts cleanly.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

VIP=192.0.2.50
PROF=$DK_SRC/drivers-cfg/af_packet.conf
W=10

lab_up
ka_mac=$(nsx peer cat /sys/class/net/eth0/address)

# ah_conf FILE PRIO PASSWORD
ah_conf() {
	vrrp_conf "$1" prio="$2" ver=2 int=1 extra="authentication {
        auth_type AH
        auth_pass $3
    }"
}
dk_rx() { json lb1 'j["instances"][0]["rx"]["'"$1"'"]' show vrrp stats; }
dk_rx_ok_grows() { # advertisements from keepalived keep being accepted
	local a
	a=$(dk_rx ok)
	sleep 2.5
	echo "rx ok $a -> $(dk_rx ok)"
	[ "$(dk_rx ok)" -ge $((a + 2)) ]
}
ka_no_vip() { ! ka_has_vip "$VIP"; }

check "keepalived -t accepts auth_type AH" bash -c \
	"$(declare -f vrrp_conf ah_conf); ah_conf $TMP/t.conf 100 s3cret && keepalived -t -f $TMP/t.conf"

l=ah-dk-higher
ah_conf "$TMP/dk.conf" 150 s3cret
ah_conf "$TMP/ka.conf" 100 s3cret
start_node lb1 "$PROF" -f "$TMP/dk.conf"
dk_mac=$(port_mac lb1)
check "$l: dpkeep (150) becomes MASTER" until_ok $W dk_is lb1 MASTER
ka_start "$TMP/ka.conf"
check "$l: keepalived (100) logs BACKUP" until_ok $W ka_is BACKUP
# Captured now for the decode checks at the end.
ip netns exec "$DK_LAB-sw" timeout 20 tshark -n -i lb1-eth0 -a duration:4 -f "ip proto 51" \
	-w "$TMP/ah.pcap" >/dev/null 2>&1 || true
check "$l: keepalived accepts dpkeep's AH adverts: still BACKUP, no VIP" \
	bash -c "[ '$(ka_state)' = BACKUP ] && ! ip -n $DK_LAB-peer addr | grep -qw $VIP"
check "$l: the client's ARP request is answered by dpkeep" client_arp_is "$VIP" "$dk_mac"
nsx client ping -c 1 -W 2 "$VIP" >/dev/null || true
sleep 1.1
dk_kill lb1
check "$l: dpkeep killed -> keepalived MASTER" until_ok $W ka_is MASTER
check "$l: client's ARP cache follows to keepalived" until_ok 5 client_neigh_is "$VIP" "$ka_mac"
sleep 1.1
start_node lb1 "$PROF" -f "$TMP/dk.conf"
check "$l: restarted dpkeep preempts: MASTER" until_ok $W dk_is lb1 MASTER
check "$l: keepalived steps down: BACKUP" until_ok $W ka_is BACKUP
check "$l: keepalived released the VIP" until_ok 3 ka_no_vip
check "$l: client's ARP cache back on dpkeep" until_ok 5 client_neigh_is "$VIP" "$dk_mac"
check "$l: dpkeep rejected none of keepalived's AH adverts" dk_rx_clean lb1
check "$l: keepalived stays BACKUP behind the restarted dpkeep" \
	bash -c "sleep 3; [ '$(ka_state)' = BACKUP ] && ! ip -n $DK_LAB-peer addr | grep -qw $VIP"
stop_node lb1 || true
ka_stop

l=ah-ka-higher
ah_conf "$TMP/dk.conf" 100 s3cret
ah_conf "$TMP/ka.conf" 200 s3cret
start_node lb1 "$PROF" -f "$TMP/dk.conf"
ka_start "$TMP/ka.conf"
check "$l: keepalived (200) logs MASTER" until_ok $W ka_is MASTER
check "$l: dpkeep (100) BACKUP behind 192.0.2.3" until_ok $W \
	bash -c "[ \"\$('$CLI' --ctl '$TMP/lb1.ctl' --json show vrrp | python3 -c 'import json,sys
i = json.load(sys.stdin)[\"instances\"][0]; print(i[\"state\"], i[\"master_ip\"])')\" = 'BACKUP 192.0.2.3' ]"
check "$l: dpkeep accepts keepalived's AH adverts (rx ok grows)" dk_rx_ok_grows
check "$l: dpkeep rejected none of them" dk_rx_clean lb1
ka_kill
check "$l: keepalived killed -> dpkeep MASTER" until_ok $W dk_is lb1 MASTER
ka_start "$TMP/ka.conf"
check "$l: restarted keepalived preempts: MASTER" until_ok $W ka_is MASTER
check "$l: dpkeep steps down to BACKUP (accepts the restarted sequence)" \
	until_ok $W dk_is lb1 BACKUP
stop_node lb1 || true
ka_stop

# keepalived logs every AH advert it refuses (bad ICV or SPI, replayed sequence number).
check "keepalived refused none of dpkeep's AH adverts in either election" \
	bash -c "! grep -E 'IPSEC[ -]AH' '$TMP/ka.log'"

# Different passwords: neither accepts the other's adverts, so both are master; dpkeep
# names the reason, keepalived logs it.
l=ah-wrong-password
ka_lines=$(wc -l <"$TMP/ka.log")
ah_conf "$TMP/dk.conf" 150 s3cret
ah_conf "$TMP/ka.conf" 100 wrong
start_node lb1 "$PROF" -f "$TMP/dk.conf"
ka_start "$TMP/ka.conf"
check "$l: keepalived (100) rejects dpkeep's adverts and becomes MASTER" until_ok $W ka_is MASTER
check "$l: dpkeep stays MASTER" dk_is lb1 MASTER
check "$l: dpkeep counts keepalived's adverts as ah_failure" until_ok 5 \
	bash -c "[ \"\$('$CLI' --ctl '$TMP/lb1.ctl' --json show vrrp stats |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[\"instances\"][0][\"rx\"][\"ah_failure\"])')\" -gt 0 ]"
check "$l: ... and accepts none" [ "$(dk_rx ok)" -eq 0 ]
check "$l: keepalived logs the bad authentication" bash -c "tail -n +$((ka_lines + 1)) \
	'$TMP/ka.log' | grep -q 'IPSEC-AH : invalid IPSEC HMAC-MD5 value'"
stop_node lb1 || true
ka_stop

# tshark: AH header, then VRRP inside it, nothing malformed, checksums good.
decode() { tshark -n -r "$TMP/ah.pcap" -o ip.check_checksum:TRUE -Y "$1" "${@:2}" 2>/dev/null; }
decode "vrrp" -V >"$TMP/ah.txt"
count() { decode "$1" | wc -l; }
check "tshark decodes AH (next header VRRP, SPI = sender 192.0.2.1, sequence)" \
	[ "$(count 'ah.next_header == 112 && ah.spi == 0xc0000201 && ah.sequence > 0 &&
		vrrp.version == 2')" -ge 3 ]
check "tshark: the VRRP inside AH has auth type 2 (AH), priority 150, the VIP" \
	[ "$(count 'vrrp.auth_type == 2 && vrrp.prio == 150 && vrrp.ip_addr == 192.0.2.50')" -ge 3 ]
check "tshark: every advert's VRRP checksum is good" \
	bash -c "[ \$(grep -c '^Virtual Router Redundancy Protocol' '$TMP/ah.txt') -ge 3 ] &&
		[ \$(grep -c 'Checksum Status: Good' '$TMP/ah.txt') -ge \
		\$(grep -c '^Virtual Router Redundancy Protocol' '$TMP/ah.txt') ]"
check "tshark: no frame is malformed or has a bad checksum" \
	bash -c "! grep -Eqi 'malformed|checksum status: bad|incorrect' '$TMP/ah.txt'"

finish
