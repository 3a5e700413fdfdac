# Helpers for the health-check tests (sourced after lib.sh): real services on rs1..rs3
# that can be stopped and restarted one by one, and polling of `show hc`.

# The bound the issue names for taking a server out with the tests' timers
# (connect_timeout 1, retry 1, delay_before_retry 1):
# connect_timeout + (retry + 1) x (delay_before_retry + connect_timeout)
HC_BOUND=5
# Small timers for every checker of the tests.
HC_TIMERS="connect_timeout 1
            retry 1
            delay_before_retry 1"

rs_ip() { echo "198.51.100.1$1"; }

# svc_start N NAME: one service in rsN; pid in $TMP/NAME-rsN.pid (ip netns exec execs the
# server, so $! is the server itself).
#   http: nginx serving $TMP/www-rsN (index.html: "rsN") on port 80   tcp: socat listener on 9000
#   udp: socat echo on 7 (answers even an empty datagram)   dns: dnsmasq on 53
#   https: nginx with a self-signed certificate on 443   smtp: a scripted responder on 25
svc_start() {
	local n=$1 s=$2 ip d
	ip=$(rs_ip "$n")
	d="$TMP/nginx-rs$n"
	case $s in
	http)
		mkdir -p "$d" "$TMP/www-rs$n"
		[ -e "$TMP/www-rs$n/index.html" ] || echo "rs$n" >"$TMP/www-rs$n/index.html"
		cat >"$d/nginx.conf" <<EOC
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
	uwsgi_temp_path $d; scgi_temp_path $d;
	server { listen $ip:80; root $TMP/www-rs$n; }
}
EOC
		nsx "rs$n" nginx -c "$d/nginx.conf" -p "$d"
		cp "$d/nginx.pid" "$TMP/http-rs$n.pid"
		;;
	https)
		mkdir -p "$d-tls" "$TMP/www-rs$n"
		[ -e "$TMP/www-rs$n/index.html" ] || echo "rs$n" >"$TMP/www-rs$n/index.html"
		openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=rs$n.lab" -days 2 \
			-keyout "$d-tls/key.pem" -out "$d-tls/cert.pem" >/dev/null 2>&1
		cat >"$d-tls/nginx.conf" <<EOC
user root;
worker_processes 1;
pid $d-tls/nginx.pid;
error_log $d-tls/error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $d-tls; proxy_temp_path $d-tls; fastcgi_temp_path $d-tls;
	uwsgi_temp_path $d-tls; scgi_temp_path $d-tls;
	server {
		listen $ip:443 ssl;
		ssl_certificate $d-tls/cert.pem;
		ssl_certificate_key $d-tls/key.pem;
		root $TMP/www-rs$n;
	}
}
EOC
		nsx "rs$n" nginx -c "$d-tls/nginx.conf" -p "$d-tls"
		cp "$d-tls/nginx.pid" "$TMP/https-rs$n.pid"
		;;
	smtp)
		cat >"$TMP/smtp.sh" <<'EOS'
#!/bin/sh
printf '220 rs ESMTP ready\r\n'
while read -r line; do
	case $line in
	HELO*|EHLO*) printf '250 rs\r\n' ;;
	QUIT*) printf '221 bye\r\n'; exit 0 ;;
	*) printf '500 unknown\r\n' ;;
	esac
done
EOS
		chmod +x "$TMP/smtp.sh"
		ip netns exec "$DK_LAB-rs$n" socat "TCP4-LISTEN:25,bind=$ip,fork,reuseaddr" \
			"EXEC:$TMP/smtp.sh" >/dev/null 2>&1 &
		echo $! >"$TMP/smtp-rs$n.pid"
		;;
	tcp)
		ip netns exec "$DK_LAB-rs$n" socat "TCP4-LISTEN:9000,bind=$ip,fork,reuseaddr" \
			"SYSTEM:'echo hi'" >/dev/null 2>&1 &
		echo $! >"$TMP/tcp-rs$n.pid"
		;;
	udp)
		ip netns exec "$DK_LAB-rs$n" socat "UDP4-LISTEN:7,bind=$ip,fork,reuseaddr" \
			"SYSTEM:'echo rs$n; cat'" >/dev/null 2>&1 &
		echo $! >"$TMP/udp-rs$n.pid"
		;;
	dns)
		ip netns exec "$DK_LAB-rs$n" dnsmasq -k --port=53 --listen-address="$ip" --bind-interfaces \
			--no-resolv --no-hosts --address="/rs$n.lab/$ip" \
			--pid-file="$TMP/dnsmasq-rs$n.pid" >"$TMP/dns-rs$n.log" 2>&1 &
		echo $! >"$TMP/dns-rs$n.pid"
		;;
	esac
}

# svc_stop N NAME: kills that one service (by its pid) and waits until it is gone.
svc_stop() {
	local pidf="$TMP/$2-rs$1.pid" pid
	pid=$(cat "$pidf")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	rm -f "$pidf"
}

# hc_get KIND IP: "STATE RESULT PROBES" of the checker of that kind on real server IP.
hc_get() {
	cli lb1 --json show hc | python3 -c '
import json, sys
j = json.load(sys.stdin)
for c in j["checkers"]:
    if c["kind"] == sys.argv[1] and c["rs"].startswith(sys.argv[2] + ":"):
        print(c["state"], c["result"], c["probes"])
        break
' "$1" "$2"
}

# hc_wait KIND IP STATE SECONDS: polls until the checker is in STATE; prints the seconds
# it took, fails after SECONDS.
hc_wait() {
	local t0 now
	t0=$(date +%s.%N)
	while :; do
		now=$(date +%s.%N)
		if [ "$(hc_get "$1" "$2" | cut -d' ' -f1)" = "$3" ]; then
			python3 -c "print(round($now - $t0, 2))"
			return 0
		fi
		python3 -c "import sys; sys.exit(0 if $now - $t0 < $4 else 1)" || return 1
		sleep 0.2
	done
}

# le A B: A <= B for decimals
le() { python3 -c "import sys; sys.exit(0 if $1 <= $2 else 1)"; }
