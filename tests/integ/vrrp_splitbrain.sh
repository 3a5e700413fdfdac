#!/bin/bash
# Split-brain drill, dpkeep lb1 (150) and lb2 (100). The switch stops delivering VRRP to
# lb2 on the front segment (everything else still flows). VI_1 has only that path: lb2
# becomes master too, lb1 hears a second master, reports it (show vrrp, log,
# notify_split_brain) and, once the path is back, one master remains. VI_3 also has
# dpkeep's second heartbeat path over the back segment: the same cut does not split it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

lab_up

cat >"$TMP/note.sh" <<'EOF'
#!/bin/sh
echo "$*" >>"$NOTES"
EOF
chmod +x "$TMP/note.sh"

conf() { # NODE PRIO OTHER_BACK_IP
	cat <<EOF
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    virtual_ipaddress {
        192.0.2.50/24
    }
    notify_split_brain "/usr/bin/env NOTES=$TMP/$1.notes $TMP/note.sh split"
}
vrrp_instance VI_3 {
    interface eth0
    virtual_router_id 53
    priority $2
    advert_int 1
    virtual_ipaddress {
        192.0.2.53/24
    }
    heartbeat_unicast_peer {
        $3
    }
    notify_split_brain "/usr/bin/env NOTES=$TMP/$1.notes $TMP/note.sh split"
}
EOF
}
conf lb1 150 198.51.100.2 >"$TMP/lb1.conf"
conf lb2 100 198.51.100.1 >"$TMP/lb2.conf"

sb() { # NODE INSTANCE: "active peer count"
	cli "$1" --json show vrrp "$2" | python3 -c 'import json,sys
s = json.load(sys.stdin)["instances"][0]["split_brain"]
print(s["active"], s["peer"], s["count"])'
}
sb_is() { [ "$(sb "$1" "$2")" = "$3" ]; }
pair_ok() { # INSTANCE: lb1 MASTER, lb2 BACKUP
	dk_is lb1 MASTER "$1" && dk_is lb2 BACKUP "$1"
}

start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
start_node lb2 "$DK_SRC/drivers-cfg/af_packet-lb2.conf" -f "$TMP/lb2.conf"
check "VI_1: lb1 MASTER, lb2 BACKUP" until_ok 10 pair_ok VI_1
check "VI_3: lb1 MASTER, lb2 BACKUP" until_ok 10 pair_ok VI_3
check "no split brain to begin with" sb_is lb1 VI_1 "False None 0"

vrrp_cut lb2-eth0
check "cut: lb2 hears no front adverts and becomes MASTER of VI_1" \
	until_ok 10 dk_is lb2 MASTER VI_1
check "cut: lb1 reports the split brain on VI_1 (show vrrp: active, peer, count)" \
	until_ok 10 sb_is lb1 VI_1 "True 192.0.2.2 1"
check "cut: notify_split_brain ran on lb1 with the instance and the other master" \
	until_ok 5 grep -qx "split VI_1 192.0.2.2" "$TMP/lb1.notes"
check "cut: the log says SPLIT BRAIN" grep -q "(VI_1) SPLIT BRAIN: 192.0.2.2" "$TMP/lb1.log"
check "cut: VI_3 keeps one master thanks to the heartbeat path over eth1" pair_ok VI_3
check "cut: no split brain on VI_3" sb_is lb1 VI_3 "False None 0"
check "cut: lb2 hears VI_3's adverts on its back port (master_ip lb1)" \
	[ "$(dk_field lb2 VI_3 master_ip)" = 192.0.2.1 ]

vrrp_heal lb2-eth0
check "healed: lb2 hears the higher priority and steps down on VI_1" \
	until_ok 10 dk_is lb2 BACKUP VI_1
check "healed: lb1 is still MASTER of VI_1" dk_is lb1 MASTER VI_1
check "healed: the split brain is reported resolved (active false, counted once)" \
	until_ok 10 sb_is lb1 VI_1 "False None 1"
check "healed: the log says it was resolved" grep -q "(VI_1) split brain resolved" "$TMP/lb1.log"
only_from() { # VIP MAC: every ARP reply the client gets comes from MAC
	local out
	out=$(nsx client arping -c 2 -w 3 -i eth0 "$1" | grep from) || return 1
	! grep -qiv "from $2" <<<"$out"
}
check "healed: the client's ARP for the VIP is answered by lb1 only" \
	only_from 192.0.2.50 "$(port_mac lb1)"
finish
