#!/bin/bash
# Starts the demo's real servers: nginx in <lab>-rs1..3 answering with its own name,
# default route via the back-side VIP that the VRRP master holds.
# Environment: DK_LAB, DEMO_RUN.   usage: backends.sh start|stop N
set -eu
n=$2
d=$DEMO_RUN/nginx-rs$n
case $1 in
start)
	mkdir -p "$d"
	cat >"$d/nginx.conf" <<EOC
user root;
worker_processes 1;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 256; }
http {
	access_log off;
	client_body_temp_path $d; proxy_temp_path $d; fastcgi_temp_path $d;
	uwsgi_temp_path $d; scgi_temp_path $d;
	server {
		listen 80;
		location / { return 200 "hello from rs$n\n"; }
	}
}
EOC
	ip -n "$DK_LAB-rs$n" route replace default via 198.51.100.254
	ip netns exec "$DK_LAB-rs$n" nginx -c "$d/nginx.conf" -p "$d"
	;;
stop)
	[ -f "$d/nginx.pid" ] && kill "$(cat "$d/nginx.pid")" 2>/dev/null
	rm -f "$d/nginx.pid"
	;;
esac
