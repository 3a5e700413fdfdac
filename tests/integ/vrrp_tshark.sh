#!/bin/bash
# Wireshark's dissectors as an independent judge: dpkeep's adverts (v2 with PASS auth,
# v3 over IPv4 and IPv6) and its gratuitous ARPs / unsolicited NAs, captured on the
# switch side of lb1's port, decode with good checksums and nothing malformed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

lab_up
cat >"$TMP/lb1.conf" <<'EOF'
global_defs {
    vrrp_garp_master_delay 1
}
vrrp_instance V2 {
    interface eth0
    version 2
    virtual_router_id 21
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass tshark1
    }
    virtual_ipaddress {
        192.0.2.21/24
    }
}
vrrp_instance V3_4 {
    interface eth0
    version 3
    virtual_router_id 31
    advert_int 0.1
    virtual_ipaddress {
        192.0.2.31/24
    }
}
vrrp_instance V3_6 {
    interface eth0
    version 3
    virtual_router_id 36
    advert_int 0.1
    virtual_ipaddress {
        2001:db8:f::36/64
    }
}
EOF

# Capture from before the elections so the first GARP/NA bursts are in it.
ip netns exec "$DK_LAB-sw" tshark -n -q -i lb1-eth0 -a duration:12 -w "$TMP/cap.pcap" \
	>/dev/null 2>&1 &
tpid=$!
until_ok 10 test -s "$TMP/cap.pcap"
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
wait "$tpid" || true

mac=$(port_mac lb1)
decode() { # display filter -> tshark -V text of dpkeep's frames
	tshark -n -r "$TMP/cap.pcap" -o ip.check_checksum:TRUE -V \
		-Y "eth.src == $mac && ($1)" 2>/dev/null
}
decode "vrrp" >"$TMP/vrrp.txt"
decode "arp || icmpv6.type == 136" >"$TMP/garp.txt"
count() { tshark -n -r "$TMP/cap.pcap" -Y "eth.src == $mac && ($1)" 2>/dev/null | wc -l; }

check "VRRPv2 adverts with simple-text auth decoded" \
	[ "$(count 'vrrp.version == 2 && vrrp.auth_type == 1 && ip.ttl == 255')" -ge 3 ]
check "VRRPv3 IPv4 adverts decoded (TTL 255)" \
	[ "$(count 'vrrp.version == 3 && ip && vrrp.virt_rtr_id == 31 && ip.ttl == 255')" -ge 10 ]
check "VRRPv3 IPv6 adverts decoded (hop limit 255, to ff02::12)" \
	[ "$(count 'vrrp.version == 3 && ipv6.dst == ff02::12 && ipv6.hlim == 255')" -ge 10 ]
ll=$(python3 -c "import ipaddress, sys; m = bytes.fromhex(sys.argv[1].replace(':', ''))
print(ipaddress.IPv6Address(b'\xfe\x80' + bytes(6) + bytes([m[0] ^ 2]) + m[1:3]
      + b'\xff\xfe' + m[3:]))" "$mac")
check "IPv6 adverts come from the port's link-local address ($ll)" \
	[ "$(count "ipv6.dst == ff02::12 && ipv6.src != $ll")" -eq 0 ]
check "the client reaches that link-local address (NS answered, echo replied)" \
	nsx client ping -6 -c 1 -W 2 "$ll%eth0"
check "every advert's VRRP checksum is good" \
	bash -c "[ \$(grep -c '^Virtual Router Redundancy Protocol' '$TMP/vrrp.txt') -ge 20 ] &&
		[ \$(grep -c 'Checksum Status: Good' '$TMP/vrrp.txt') -ge \
		\$(grep -c '^Virtual Router Redundancy Protocol' '$TMP/vrrp.txt') ]"
check "no VRRP frame is malformed or has a bad checksum" \
	bash -c "! grep -Eqi 'malformed|checksum status: bad|incorrect' '$TMP/vrrp.txt'"
check "gratuitous ARPs for both IPv4 VIPs" \
	[ "$(count 'arp.isgratuitous == 1 && (arp.src.proto_ipv4 == 192.0.2.21 ||
		arp.src.proto_ipv4 == 192.0.2.31)')" -ge 2 ]
check "unsolicited NA (override flag) for the IPv6 VIP" \
	[ "$(count 'icmpv6.type == 136 && icmpv6.nd.na.target_address == 2001:db8:f::36 &&
		icmpv6.nd.na.flag.o == 1')" -ge 1 ]
check "no GARP/NA frame is malformed or has a bad checksum" \
	bash -c "! grep -Eqi 'malformed|checksum status: bad|incorrect' '$TMP/garp.txt'"
finish
