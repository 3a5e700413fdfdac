#!/bin/bash
# notify_fifo: dpkeep (lb1) with a sync group of two instances writes keepalived's lines
# (INSTANCE "VI_1" MASTER 150, GROUP "G1" MASTER) to a FIFO in the order states change.
# While nobody reads the FIFO dpkeep keeps running and answering (the lines wait, the
# failed opens are counted); a reader that comes later gets them in order. A second run
# lets notify_fifo_script start the reader itself.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/vrrp_lib.sh"

PROF=$DK_SRC/drivers-cfg/af_packet.conf
lab_up

conf() { # FIFO [notify_fifo_script line]
	cat <<EOF
global_defs {
    notify_fifo $1
    ${2:-}
}
vrrp_sync_group G1 {
    group {
        VI_1
        VI_2
    }
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 0.2
    version 3
    virtual_ipaddress {
        192.0.2.50/24
    }
}
vrrp_instance VI_2 {
    interface eth1
    virtual_router_id 52
    priority 120
    advert_int 0.2
    version 3
    virtual_ipaddress {
        198.51.100.50/24
    }
}
EOF
}

fifo_stat() { json lb1 'j["notify_fifo"]["'"$1"'"]' show vrrp stats; }
both_are() { dk_is lb1 "$1" VI_1 && dk_is lb1 "$1" VI_2; }
lines_in() { [ "$(wc -l <"$1")" -ge "$2" ]; }

# What the FIFO must carry for: start (BACKUP then MASTER), fault, resume.
expect() {
	local st
	for st in BACKUP MASTER FAULT BACKUP MASTER; do
		# Both members (priority as configured, also in FAULT), then the group.
		echo "INSTANCE \"VI_1\" $st 150"
		echo "INSTANCE \"VI_2\" $st 120"
		echo "GROUP \"G1\" $st"
	done
}

mkfifo "$TMP/fifo"
conf "$TMP/fifo" >"$TMP/k1.conf"
check "dpkeep starts with a notify_fifo nobody reads" \
	start_node lb1 "$PROF" -f "$TMP/k1.conf"
check "no reader: states still change (group MASTER)" until_ok 10 both_are MASTER
check "no reader: the failed opens are counted" until_ok 5 bash -c "[ \$(
	'$CLI' --ctl '$TMP/lb1.ctl' --json show vrrp stats |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[\"notify_fifo\"][\"no_reader\"])'
	) -gt 0 ]"
check "no reader: the control loop still answers (console, ARP)" \
	client_arp_is 192.0.2.50 "$(port_mac lb1)"
cat "$TMP/fifo" >"$TMP/fifo.out" &
reader=$!
check "a late reader gets the held lines" until_ok 5 lines_in "$TMP/fifo.out" 6
check "vrrp VI_1 fault" cli lb1 vrrp VI_1 fault
check "the group follows into FAULT" until_ok 5 both_are FAULT
check "vrrp VI_1 resume" cli lb1 vrrp VI_1 resume
check "the group is MASTER again" until_ok 10 both_are MASTER
check "all 15 lines arrived" until_ok 5 lines_in "$TMP/fifo.out" 15
sed 's/^/#   /' "$TMP/fifo.out"
# Within one step the instance order depends on which member moved first; across steps
# the order is the order of the state changes; the group line closes each step.
check "lines in keepalived's format, in state-change order" \
	diff <(expect) <(python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
out = []
for i in range(0, len(lines), 3):
    step = lines[i:i + 3]
    out += sorted(step[:2]) + step[2:]
print("\n".join(out))' "$TMP/fifo.out")
check "every line was written, none dropped" [ "$(fifo_stat dropped)" = 0 ]
check "dpkeep stops cleanly" stop_node lb1
kill "$reader" 2>/dev/null || true

# notify_fifo_script: dpkeep creates the FIFO and runs the reader with its path.
cat >"$TMP/reader.sh" <<EOF
#!/bin/sh
exec cat "\$1" >>"$TMP/script.out"
EOF
chmod +x "$TMP/reader.sh"
conf "$TMP/fifo2" "notify_fifo_script $TMP/reader.sh" >"$TMP/k2.conf"
: >"$TMP/script.out"
check "dpkeep starts its own FIFO reader" start_node lb1 "$PROF" -f "$TMP/k2.conf"
check "the FIFO was created" test -p "$TMP/fifo2"
check "the reader script gets the lines up to MASTER" until_ok 10 lines_in "$TMP/script.out" 6
check "... and they are the first six expected" \
	diff <(expect | head -6 | sort) <(head -6 "$TMP/script.out" | sort)
# The reader ends by itself: dpkeep's exit closes the FIFO's only writer.
check "dpkeep stops cleanly" stop_node lb1

finish
