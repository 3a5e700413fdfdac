#!/bin/bash
# dpkeep (lb1, priority 150) against dpkeep (lb2, priority 100): two instances in a sync
# group (VI_1 on the front, VI_2 on the back), with a weighted track_script, a weight-0
# track_file, the instances' own links tracked, notify scripts, and the priority-0
# takeover on a clean shutdown.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

lab_up

cat >"$TMP/note.sh" <<'EOF'
#!/bin/sh
# notify script: one line per call, in the order dpkeep ran them
echo "$*" >>"$NOTES"
EOF
chmod +x "$TMP/note.sh"

conf() { # NODE PRIO
	local n=$1 p=$2
	cat <<EOF
global_defs {
    script_user root
}
vrrp_script chk {
    script "/bin/sh -c 'test ! -e $TMP/$n.fail'"
    interval 1
    weight -60
    fall 1
    rise 1
}
track_file tf {
    file $TMP/$n.tf
    weight 0
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
    notify "/usr/bin/env NOTES=$TMP/$n.notes $TMP/note.sh"
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority $p
    advert_int 1
    virtual_ipaddress {
        192.0.2.50/24
    }
    track_script {
        chk
    }
    track_file {
        tf
    }
    notify_master "/usr/bin/env NOTES=$TMP/$n.notes $TMP/note.sh master VI_1"
    notify_backup "/usr/bin/env NOTES=$TMP/$n.notes $TMP/note.sh backup VI_1"
    notify_fault "/usr/bin/env NOTES=$TMP/$n.notes $TMP/note.sh fault VI_1"
    notify "/usr/bin/env NOTES=$TMP/$n.notes $TMP/note.sh"
}
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 52
    priority $p
    advert_int 1
    virtual_ipaddress {
        198.51.100.50/24
    }
}
EOF
}
conf lb1 150 >"$TMP/lb1.conf"
conf lb2 100 >"$TMP/lb2.conf"
echo 0 >"$TMP/lb1.tf"
echo 0 >"$TMP/lb2.tf"

both() { # NODE STATE: both instances of NODE are in STATE
	dk_is "$1" "$2" VI_1 && dk_is "$1" "$2" VI_2
}
owner_is() { # NODE: it is master of both, the other node backup of both
	local o=lb1 b=lb2
	[ "$1" = lb2 ] && o=lb2 b=lb1
	both "$o" MASTER && both "$b" BACKUP
}
lb1_fault_lb2_master() { both lb1 FAULT && both lb2 MASTER; }

start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
start_node lb2 "$DK_SRC/drivers-cfg/af_packet-lb2.conf" -f "$TMP/lb2.conf"
lb1_mac=$(port_mac lb1)
lb2_mac=$(port_mac lb2)
lb1_back_mac=$(json lb1 'j["ports"][0]["mac"]' show port info eth1)

check "election: lb1 (150) MASTER of VI_1 and VI_2, lb2 (100) BACKUP" until_ok 10 owner_is lb1
check "lb2 sees lb1 as master" [ "$(dk_field lb2 VI_1 master_ip)" = 192.0.2.1 ]
check "the client's ARP for the VIP is answered by lb1" client_arp_is 192.0.2.50 "$lb1_mac"
check "rs1's ARP for the back VIP is answered by lb1's eth1" \
	bash -c "ip netns exec $DK_LAB-rs1 arping -c 1 -w 1 -i eth0 198.51.100.50 |
		grep -qi 'from $lb1_back_mac'"

# track_script weight: lb1 drops to 90 < 100, lb2 preempts; the sync group moves VI_2 too.
touch "$TMP/lb1.fail"
check "track_script failing: lb1's VI_1 effective priority 150-60=90" \
	until_ok 5 bash -c "[ \"\$('$CLI' --ctl '$TMP/lb1.ctl' --json show vrrp VI_1 |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[\"instances\"][0][\"effective_priority\"])')\" = 90 ]"
check "track_script failing: lb2 takes VI_1, sync group brings VI_2" until_ok 10 owner_is lb2
check "the client's ARP for the VIP now goes to lb2" \
	until_ok 3 client_arp_is 192.0.2.50 "$lb2_mac"
rm -f "$TMP/lb1.fail"
check "track_script ok again: lb1 back to 150 and preempts both" until_ok 10 owner_is lb1

# track_file weight 0: a non-zero value is a FAULT, and FAULT in one member is FAULT in all.
echo 1 >"$TMP/lb1.tf"
check "track_file 1: lb1's VI_1 and (synced) VI_2 FAULT" until_ok 5 both lb1 FAULT
check "track_file 1: lb2 MASTER of both" until_ok 10 both lb2 MASTER
echo 0 >"$TMP/lb1.tf"
check "track_file 0: lb1 resumes and preempts both" until_ok 10 owner_is lb1

# track_interface (the instance's own link): carrier loss on lb1's back port.
sw_link lb1 eth1 down
check "lb1's eth1 carrier down: VI_2 FAULT, VI_1 FAULT by sync" until_ok 5 both lb1 FAULT
check "lb2 MASTER of both" until_ok 10 both lb2 MASTER
sw_link lb1 eth1 up
check "eth1 back: lb1 preempts both again" until_ok 10 owner_is lb1

# Maintenance from the console, and back.
check "vrrp VI_1 fault (console) puts the group in FAULT" cli lb1 vrrp VI_1 fault
check "lb2 takes over on lb1's maintenance fault" until_ok 10 lb1_fault_lb2_master
check "vrrp VI_1 resume: lb1 master again" cli lb1 vrrp VI_1 resume
check "lb1 preempts after resume" until_ok 10 owner_is lb1

# Clean shutdown: priority-0 adverts make lb2 take over after Skew_Time (0.61 s at 100),
# far sooner than Master_Down_Interval (3.61 s).
sleep 1.5
t0=$(date +%s%N)
kill -TERM "$(cat "$TMP/lb1.pid")"
until_ok 10 dk_is lb2 MASTER VI_1
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
check "SIGTERM on the master: lb2 MASTER after ${ms} ms (< 2500, Master_Down is 3610)" \
	[ "$ms" -lt 2500 ]
check "lb1 exited cleanly" until_ok 10 bash -c "! kill -0 $(cat "$TMP/lb1.pid") 2>/dev/null"
check "lb2 counted the priority-0 advert" \
	bash -c "'$CLI' --ctl '$TMP/lb2.ctl' --json show vrrp stats VI_1 |
		python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"instances\"][0][\"stats\"][\"pri_zero_rcvd\"] > 0 else 1)'"
check "the client's ARP for the VIP goes to lb2" until_ok 3 client_arp_is 192.0.2.50 "$lb2_mac"

# Notify scripts ran in order: the specific script before the generic one, per transition.
until_ok 5 grep -q "INSTANCE VI_1 MASTER" "$TMP/lb2.notes"
grep -v GROUP "$TMP/lb2.notes" >"$TMP/lb2.inst-notes"
cat >"$TMP/lb2.expect" <<EOF
backup VI_1
INSTANCE VI_1 BACKUP 100
master VI_1
INSTANCE VI_1 MASTER 100
backup VI_1
INSTANCE VI_1 BACKUP 100
master VI_1
INSTANCE VI_1 MASTER 100
backup VI_1
INSTANCE VI_1 BACKUP 100
EOF
check "lb2's notify calls start with: backup, master, backup, master, backup (in order)" \
	bash -c "head -10 '$TMP/lb2.inst-notes' | diff - '$TMP/lb2.expect'"
check "lb2's last notify is MASTER (shutdown takeover)" \
	bash -c "tail -2 '$TMP/lb2.inst-notes' | diff - <(printf 'master VI_1\nINSTANCE VI_1 MASTER 100\n')"
check "the sync group's notify ran with GROUP G1 MASTER" grep -q "^GROUP G1 MASTER 0$" "$TMP/lb2.notes"
check "lb1 ran notify_fault for the track_file fault" grep -q "^fault VI_1$" "$TMP/lb1.notes"
finish
