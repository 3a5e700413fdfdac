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
