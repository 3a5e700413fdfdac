#!/bin/bash
# Control-plane safety: the control socket is root's alone (0600); with
# enable_script_security, scripts that others could change are refused with a log line
# and the rest run as script_user; a crashing notify script (SIGSEGV) and a hung one
# (sleep) neither block nor kill dpkeep: VRRP adverts keep their 1 s interval on the
# wire while they run, the hung notify script is killed at its timeout (30 s) and the
# hung check script at its own (2 s).
export DK_LAB=dks
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/vrrp_lib.sh"

# script_user must reach the scripts: $TMP is 0700 by default.
chmod 755 "$TMP"
S=$TMP/safe U=$TMP/owned W=$TMP/ww OUT=$TMP/out
mkdir -p "$S" "$U" "$W" "$OUT"
chmod 755 "$S" "$W"
chmod 777 "$OUT"
cat >"$S/crash.sh" <<EOS
#!/bin/sh
id -un >$OUT/crash.who
kill -SEGV \$\$
EOS
cat >"$S/hang.sh" <<EOS
#!/bin/sh
echo \$\$ >$OUT/hang.pid
sleep 1017
EOS
cat >"$S/hang-check.sh" <<EOS
#!/bin/sh
sleep 1018
EOS
printf '#!/bin/sh\ntouch %s/owned.ran\n' "$OUT" >"$U/owned.sh"
printf '#!/bin/sh\ntouch %s/ww.ran\n' "$OUT" >"$W/ww.sh"
chmod 755 "$S"/*.sh "$U/owned.sh"
chmod 777 "$W/ww.sh"	# writable by anyone
chown nobody "$U"	# a directory someone else owns

vrrp_conf "$TMP/lb1.conf" prio=100 int=1 vip=192.0.2.50/24 extra="
    notify_backup $S/crash.sh
    notify_master $S/hang.sh
    notify $W/ww.sh
    track_script {
        chk_hang
        chk_owned
    }"
# vrrp_conf writes script_user root: replace it with an unprivileged user, and add the
# security switch and the check scripts.
sed -i "s|script_user root|script_user nobody\n    enable_script_security|" "$TMP/lb1.conf"
cat >>"$TMP/lb1.conf" <<EOC
vrrp_script chk_hang {
    script $S/hang-check.sh
    interval 1
    timeout 2
    weight -10
}
vrrp_script chk_owned {
    script $U/owned.sh
    interval 1
    weight -5
}
EOC

lab_up
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"
pid=$(cat "$TMP/lb1.pid")
check "the control socket is a socket with mode 0600, owned by root" \
	test "$(stat -c '%F %a %U' "$TMP/lb1.ctl")" = "socket 600 root"
check "nobody else may connect to it" \
	bash -c "! runuser -u nobody -- '$CLI' --ctl '$TMP/lb1.ctl' show port info"
is_master() { [ "$(json lb1 'j["instances"][0]["state"]' show vrrp)" = MASTER ]; }
check "VI_1 becomes MASTER with the scripts running" until_ok 15 is_master
t_master=$(date +%s)
# Adverts on the wire while the hung notify script runs (it is killed 30 s after it
# started): the client namespace listens for 20 s.
nsx client timeout 30 tshark -i eth0 -a duration:20 -f "ip proto 112 and src 192.0.2.1" \
	-w "$TMP/adverts.pcapng" >/dev/null 2>&1 || true
gaps=$(tshark -r "$TMP/adverts.pcapng" -T fields -e frame.time_epoch 2>/dev/null |
	python3 -c '
import sys
t = [float(x) for x in sys.stdin if x.strip()]
g = [b - a for a, b in zip(t, t[1:])]
print(len(t), "%.3f" % max(g) if g else "inf")')
read -r n_adv max_gap <<<"$gaps"
echo "    $n_adv adverts in 20 s, largest gap ${max_gap}s"
check "adverts kept their 1 s interval while the scripts hung/crashed (>= 18, gap < 1.5 s)" \
	python3 -c "import sys; sys.exit(not ($n_adv >= 18 and $max_gap < 1.5))"

check "the crashing notify script ran as script_user (nobody)" \
	test "$(cat "$OUT/crash.who" 2>/dev/null)" = nobody
check "a script writable by others is refused with a log line" \
	grep -q "Unsafe permissions found for script '$W/ww.sh': $W/ww.sh is writable" \
		"$TMP/lb1.log"
check "a script under a directory root does not own is refused with a log line" \
	grep -q "Unsafe permissions found for script '$U/owned.sh': $U is not owned by root" \
		"$TMP/lb1.log"
check "... each logged once, not at every run" bash -c \
	"[ \$(grep -c \"script '$U/owned.sh'\" '$TMP/lb1.log') = 1 ] &&
	 [ \$(grep -c \"script '$W/ww.sh'\" '$TMP/lb1.log') = 1 ]"
check "refused scripts did not run" bash -c "[ ! -e $OUT/ww.ran ] && [ ! -e $OUT/owned.ran ]"
check "the hung check script is killed at its 2 s timeout" \
	grep -q 'Script `chk_hang` timed out' "$TMP/lb1.log"
hang=$(cat "$OUT/hang.pid" 2>/dev/null || echo 0)
check "the hung notify script was running" test "$hang" -gt 0
# It started when VI_1 became master; allow its 30 s and a few seconds of slack.
sleep $((t_master + 34 - $(date +%s) > 0 ? t_master + 34 - $(date +%s) : 0))
check "the hung notify script is killed at its 30 s timeout" bash -c "! kill -0 $hang"
check "its child (the script's process group) went with it" bash -c "! pgrep -xf 'sleep 1017'"
check "dpkeep is still running and MASTER" is_master
check "SIGTERM stops dpkeep cleanly" stop_node lb1
check "no sanitizer report in dpkeep's log" \
	bash -c "! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$TMP/lb1.log'"
finish
