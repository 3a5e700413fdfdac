#!/bin/bash
# Health checks against real servers: nginx (HTTP_GET with status and digest, SSL_GET
# over TLS), socat (TCP_CHECK, UDP_CHECK echo), dnsmasq (DNS_CHECK), a scripted SMTP
# responder (SMTP_CHECK), the kernel (PING_CHECK) and a script (MISC_CHECK) on rs1..rs3,
# probed by dpkeep over its DPDK ports. Each way a server can fail takes its checker
# DOWN within the bound, `show hc` says why, the load balancer
# stops sending to it, restoring brings it back, and notify_up/notify_down run once per
# transition.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lb_lib.sh"
source "$(dirname "$0")/hc_lib.sh"
VIP=192.0.2.10

lab_up
for i in 1 2 3; do
	nsx "rs$i" ip route add default via 198.51.100.1
	svc_start "$i" http
done
for s in tcp udp dns; do svc_start 1 "$s"; done
for s in https smtp; do svc_start 3 "$s"; done
touch "$TMP/misc-rs1"
cat >"$TMP/notify.sh" <<EOS
#!/bin/sh
echo "\$1 \$2" >>"$TMP/notify.log"
EOS
chmod +x "$TMP/notify.sh"
digest=$(md5sum <"$TMP/www-rs1/index.html" | cut -d' ' -f1)

cat >"$TMP/lb1.conf" <<EOC
virtual_server $VIP 80 {
	delay_loop 1
	lb_algo rr
	lb_kind NAT
	protocol TCP
	real_server 198.51.100.11 80 {
		weight 1
		notify_up "$TMP/notify.sh up rs1"
		notify_down "$TMP/notify.sh down rs1"
		HTTP_GET {
			url {
				path /index.html
				digest $digest
				status_code 200
			}
			$HC_TIMERS
		}
		TCP_CHECK {
			connect_port 9000
			$HC_TIMERS
		}
		UDP_CHECK {
			connect_port 7
			require_reply
			$HC_TIMERS
		}
		DNS_CHECK {
			connect_port 53
			type A
			name rs1.lab
			$HC_TIMERS
		}
		PING_CHECK {
			$HC_TIMERS
		}
		MISC_CHECK {
			misc_path "test -e $TMP/misc-rs1"
			misc_timeout 1
			$HC_TIMERS
		}
	}
	real_server 198.51.100.12 80 {
		weight 1
		HTTP_GET {
			url {
				path /index.html
				status_code 200
			}
			$HC_TIMERS
		}
	}
	real_server 198.51.100.13 80 {
		weight 1
		HTTP_GET {
			url {
				path /index.html
			}
			$HC_TIMERS
		}
		SSL_GET {
			connect_port 443
			url {
				path /index.html
				digest $(echo rs3 | md5sum | cut -d' ' -f1)
			}
			$HC_TIMERS
		}
		SMTP_CHECK {
			connect_port 25
			helo_name dpkeep.lab
			$HC_TIMERS
		}
	}
}
EOC
start_node lb1 "$DK_SRC/drivers-cfg/af_packet.conf" -f "$TMP/lb1.conf"

all_ok() { # every checker has probed and passed
	cli lb1 --json show hc | python3 -c '
import json, sys
c = json.load(sys.stdin)["checkers"]
sys.exit(0 if len(c) == 10 and all(x["state"] == "UP" and x["result"] == "ok" for x in c) else 1)'
}
check "all 10 checkers (HTTP x3, SSL, SMTP, TCP, UDP, DNS, PING, MISC) pass against the servers" \
	wait_for "all checkers ok" 20 all_ok
check "show hc (text) lists each kind with its target" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' show hc | grep -q 'DNS_CHECK.*198.51.100.11:53'"
check "genhash prints the MD5 of rs1's page as keepalived's genhash does" \
	bash -c "'$CLI' --ctl '$TMP/lb1.ctl' genhash http://198.51.100.11/index.html |
		grep -qx 'MD5SUM = $digest'"
check "genhash IP PORT PATH --json gives the same digest" \
	test "$(json lb1 'j["md5"]' genhash 198.51.100.11 80 /index.html)" = "$digest"
out=$(spread 9 "http://$VIP/index.html")
echo "$out"
check "through the VIP, all three servers answer" \
	test "$(echo "$out" | awk '{print $1}' | sort | tr '\n' ' ')" = "rs1 rs2 rs3 "

rs_alive() { # N: the real server is alive (every checker up)
	test "$(json lb1 "[r['alive'] for r in j['real_servers'] if r['ip']=='$(rs_ip "$1")'][0]" \
		show hc)" = True
}

# scenario DESC KIND N REASON STOP RESTORE [WHILE_DOWN]: STOP takes a checker DOWN within
# the bound with REASON; WHILE_DOWN is checked then; RESTORE brings it (and the server) back.
scenario() {
	local desc=$1 kind=$2 n=$3 reason=$4 stop=$5 restore=$6 while_down=${7:-} ip t
	ip=$(rs_ip "$n")
	eval "$stop"
	if t=$(hc_wait "$kind" "$ip" DOWN $((HC_BOUND * 3))); then
		check "$desc: $kind on rs$n DOWN after ${t}s (bound ${HC_BOUND}s)" le "$t" "$HC_BOUND"
	else
		fail "$desc: $kind on rs$n did not go DOWN"
	fi
	check "$desc: show hc gives the reason '$reason'" \
		test "$(hc_get "$kind" "$ip" | cut -d' ' -f2)" = "$reason"
	[ -z "$while_down" ] || eval "$while_down"
	eval "$restore"
	if t=$(hc_wait "$kind" "$ip" UP 20); then
		ok "$desc restored: $kind on rs$n UP after ${t}s"
	else
		fail "$desc restored: $kind on rs$n did not come back"
	fi
	wait_for "rs$n alive" 20 rs_alive "$n" || fail "rs$n not alive again after $desc"
}

no_broken_page() {
	out=$(spread 12 "http://$VIP/index.html")
	echo "$out"
	check "while rs1 is out, no request through the VIP lands on it (all answered)" \
		test "$(echo "$out" | awk '{print $1}' | sort | tr '\n' ' ')" = "rs2 rs3 "
}
scenario "page content changed" HTTP_GET 1 bad_digest \
	"echo broken >'$TMP/www-rs1/index.html'" "echo rs1 >'$TMP/www-rs1/index.html'" no_broken_page
scenario "nginx killed" HTTP_GET 1 connect_refused "svc_stop 1 http" "svc_start 1 http"
scenario "HTTP status changed (404)" HTTP_GET 2 bad_status \
	"mv '$TMP/www-rs2/index.html' '$TMP/www-rs2/gone.html'" \
	"mv '$TMP/www-rs2/gone.html' '$TMP/www-rs2/index.html'"
scenario "TCP listener closed" TCP_CHECK 1 connect_refused "svc_stop 1 tcp" "svc_start 1 tcp"
scenario "UDP echo stopped" UDP_CHECK 1 icmp_unreach "svc_stop 1 udp" "svc_start 1 udp"
scenario "dnsmasq stopped" DNS_CHECK 1 icmp_unreach "svc_stop 1 dns" "svc_start 1 dns"
scenario "TLS server killed" SSL_GET 3 connect_refused "svc_stop 3 https" "svc_start 3 https"
scenario "SMTP responder stopped" SMTP_CHECK 3 connect_refused "svc_stop 3 smtp" \
	"svc_start 3 smtp"
scenario "MISC script fails" MISC_CHECK 1 script_failed "rm -f '$TMP/misc-rs1'" \
	"touch '$TMP/misc-rs1'"
scenario "rs1 link down" PING_CHECK 1 no_reply "ip -n $DK_LAB-rs1 link set eth0 down" \
	"ip -n $DK_LAB-rs1 link set eth0 up"

sleep 1
cat "$TMP/notify.log"
check "notify_down ran once per transition (7 times for 7 outages)" \
	test "$(grep -c '^down rs1$' "$TMP/notify.log")" = 7
check "notify_up ran once per transition (7 times)" \
	test "$(grep -c '^up rs1$' "$TMP/notify.log")" = 7
check "the log names the removal keepalived's way" \
	grep -q "Removing service \[198.51.100.11\]:tcp:80 from VS" "$TMP/lb1.log"
check "probe replies were claimed by hc (tcp_in, udp_in, icmp_in all counted)" \
	test "$(json lb1 'min(j["counters"][k] for k in ("tcp_in", "udp_in", "icmp_in")) > 0' \
		show hc)" = True
check "SIGTERM stops dpkeep cleanly" stop_node lb1
finish
