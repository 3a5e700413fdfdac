# Helpers for the load-balancer tests (sourced after lib.sh): nginx and socat backends
# on rs1..rs3 that name themselves, and a client that counts who answered.

# nginx_rs N: nginx in rsN on port 80 (IPv4 and IPv6) answering "rsN"; pid and logs under $TMP.
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
		listen [::]:80 reuseport;
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

# udp6_echo_rs N PORT: the same over IPv6.
udp6_echo_rs() {
	nsx "rs$1" socat "UDP6-LISTEN:$2,fork,reuseaddr" "SYSTEM:'echo rs$1; cat'" \
		>/dev/null 2>&1 &
	echo $! >"$TMP/socat6-rs$1.pid"
}

# spread COUNT URL: COUNT short connections from client; prints "rsN count" lines.
spread() {
	local count=$1 url=$2
	for _ in $(seq "$count"); do
		nsx client curl -s --max-time 3 "$url" || echo "timeout"
	done | sort | uniq -c | awk '{print $2, $1}'
}

# hits COUNT HOST [PORT [PARALLEL [SRC]]]: COUNT short HTTP/1.0 connections (Connection:
# close) from client to HOST:PORT, PARALLEL at a time (default 4), from source address SRC
# if given, all in one python3 process (a curl per connection is far too slow for
# thousands). Prints "rsN count" lines sorted by name; "error count" for connections
# that failed or got no "rsN" page.
hits() {
	nsx client python3 - "$@" <<'EOPY'
import collections, socket, sys, threading
count, host = int(sys.argv[1]), sys.argv[2]
port = int(sys.argv[3]) if len(sys.argv) > 3 else 80
par = int(sys.argv[4]) if len(sys.argv) > 4 else 4
src = sys.argv[5] if len(sys.argv) > 5 else None
req = b"GET / HTTP/1.0\r\nHost: " + host.encode() + b"\r\nConnection: close\r\n\r\n"
tally = collections.Counter()
lock = threading.Lock()
todo = iter(range(count))

def one():
	try:
		s = socket.create_connection((host, port), timeout=3,
					     source_address=(src, 0) if src else None)
		with s:
			s.sendall(req)
			buf = b""
			while True:
				d = s.recv(4096)
				if not d:
					break
				buf += d
		body = buf.split(b"\r\n\r\n", 1)[1].decode().strip() if b"\r\n\r\n" in buf else ""
		return body if body.startswith("rs") and len(body) <= 8 else "error"
	except OSError:
		return "error"

def run():
	while True:
		with lock:
			if next(todo, None) is None:
				return
		r = one()
		with lock:
			tally[r] += 1

ts = [threading.Thread(target=run) for _ in range(par)]
for t in ts:
	t.start()
for t in ts:
	t.join()
for k in sorted(tally):
	print(k, tally[k])
EOPY
}

# udp_hits COUNT HOST PORT: COUNT UDP flows (IPv4 or IPv6) from client, one datagram each,
# resent on the same socket up to 8 times when no answer comes within a second (an echo
# server busy forking is not a lost flow). Every socket stays open until the last flow is
# done, so each flow has a source port of its own: a port the kernel handed out again
# would be an earlier flow's tuple, which dpkeep rightly sends to that flow's server,
# whose socat child (connected to that tuple) echoes without its name. Prints "rsN count"
# lines from the echo servers' answers; "error count" for flows without one.
udp_hits() {
	nsx client python3 - "$@" <<'EOPY'
import collections, socket, sys
count, host, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
tally = collections.Counter()
held = []
fam = socket.AF_INET6 if ":" in host else socket.AF_INET
for i in range(count):
	r = "error"
	s = socket.socket(fam, socket.SOCK_DGRAM)
	held.append(s)
	s.settimeout(1)
	for _ in range(8):
		s.sendto(b"ping %d\n" % i, (host, port))
		try:
			# The echo may come as its own datagram, before the name.
			while not r.startswith("rs"):
				r = s.recv(2048).decode().split("\n")[0]
			break
		except OSError:
			r = "error"
	tally[r] += 1
for k in sorted(tally):
	print(k, tally[k])
EOPY
}

# refused VIP PORT N: N flows (IPv4 or IPv6) from connected UDP sockets; prints how each
# ended ("refused" when the socket saw ECONNREFUSED, "answered", "timeout").
refused() {
	nsx client python3 - "$@" <<'EOPY'
import collections, socket, sys
vip, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in vip else socket.AF_INET
tally = collections.Counter()
for i in range(n):
	with socket.socket(fam, socket.SOCK_DGRAM) as s:
		s.settimeout(2)
		s.connect((vip, port))
		r = "timeout"
		for _ in range(3):
			try:
				s.send(b"hello %d\n" % i)
				s.recv(100)
				r = "answered"
				break
			except ConnectionRefusedError:
				r = "refused"
				break
			except OSError:
				pass
	tally[r] += 1
print(" ".join("%s %d" % kv for kv in sorted(tally.items())))
EOPY
}

# share OUT NAME: how many connections NAME ("rs1", "error") took in hits/spread output.
share() { echo "$1" | awk -v n="$2" '$1 == n {c = $2} END {print c + 0}'; }

# within OUT NAME LOW HIGH: NAME's share is in [LOW, HIGH].
within() {
	local c
	c=$(share "$1" "$2")
	[ "$c" -ge "$3" ] && [ "$c" -le "$4" ]
}

# rr_even OUT TOTAL: rr over three backends: each takes TOTAL/3, within 1% of that.
rr_even() {
	local i third=$(($2 / 3)) tol=$(($2 / 300))
	for i in 1 2 3; do
		within "$1" "rs$i" $((third - tol)) $((third + tol)) || return 1
	done
}

# wrr_123 OUT TOTAL: weights 1:2:3 over rs1..rs3: each share within 5% of TOTAL*w/6.
wrr_123() {
	local i want
	for i in 1 2 3; do
		want=$(($2 * i / 6))
		within "$1" "rs$i" $((want - want / 20)) $((want + want / 20)) || return 1
	done
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

# ip6ip6_rs N VIP6: rsN decapsulates IPv6-in-IPv6 (next header 41) and holds VIP6 on
# "ip6tnl0", by the same stand-in as ipip_rs (an IPv6 raw socket gets the payload only).
ip6ip6_rs() {
	local n=$1 vip=$2
	nsx "rs$n" python3 -c '
import fcntl, os, socket, struct
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"ip6tnl0", 0x0001 | 0x1000))
s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, 41)
while True:
	os.write(fd, s.recv(65535))
' &
	echo $! >"$TMP/ip6ip6-rs$n.pid"
	wait_for "ip6tnl0 in rs$n" 5 nsx "rs$n" ip link show ip6tnl0
	nsx "rs$n" ip link set ip6tnl0 up mtu 1460
	nsx "rs$n" ip -6 addr add "$vip/128" dev ip6tnl0 nodad
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
