# Helpers for the load-balancer tests (sourced after lib.sh): nginx and socat backends
# on rs1..rs3 that name themselves, and a client that counts who answered.

# nginx_rs N: nginx in rsN on port 80 answering "rsN"; pid and logs under $TMP.
nginx_rs() {
	local n=$1 d="$TMP/nginx-rs$1"
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOC
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 512; }
http {
	access_log off;
	client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
	uwsgi_temp_path $d; scgi_temp_path $d;
	server {
		listen 80 reuseport;
		location / { return 200 "rs$n\n"; }
		location /big { alias $d/big; }
	}
}
EOC
	head -c 20000000 /dev/zero >"$d/big"
	nsx "rs$n" nginx -c "$d/nginx.conf" -p "$d"
}

# udp_echo_rs N PORT: socat UDP echo in rsN prefixing its name.
udp_echo_rs() {
	nsx "rs$1" socat "UDP4-LISTEN:$2,fork,reuseaddr" "SYSTEM:'echo rs$1; cat'" \
		>/dev/null 2>&1 &
	echo $! >"$TMP/socat-rs$1.pid"
}

# spread COUNT URL: COUNT short connections from client; prints "rsN count" lines.
spread() {
	local count=$1 url=$2
	for _ in $(seq "$count"); do
		nsx client curl -s --max-time 3 "$url" || echo "timeout"
	done | sort | uniq -c | awk '{print $2, $1}'
}

# wait_for DESC SECONDS COMMAND...: polls until COMMAND succeeds.
wait_for() {
	local d=$1 t=$2; shift 2
	for _ in $(seq $((t * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	echo "timed out waiting for $d" >&2
	return 1
}

# ipip_rs N VIP: rsN decapsulates IPIP and holds VIP on "ipip0". The lab's kernel may
# have no ipip module, so a raw socket (protocol 4) takes the outer packets and a TUN
# device hands the inner ones to the kernel, as tunl0 would.
ipip_rs() {
	local n=$1 vip=$2
	nsx "rs$n" python3 -c '
import fcntl, os, socket, struct
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"ipip0", 0x0001 | 0x1000))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 4)
while True:
	p = s.recv(65535)
	os.write(fd, p[(p[0] & 15) * 4:])
' &
	echo $! >"$TMP/ipip-rs$n.pid"
	wait_for "ipip0 in rs$n" 5 nsx "rs$n" ip link show ipip0
	nsx "rs$n" ip addr add "$vip/32" dev ipip0
	nsx "rs$n" ip link set ipip0 up mtu 1480
	# Inner sources arrive on ipip0 but route out of eth0: no reverse-path filter.
	for c in all default ipip0 eth0; do
		nsx "rs$n" sysctl -qw "net.ipv4.conf.$c.rp_filter=0"
	done
	nsx "rs$n" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2
}
