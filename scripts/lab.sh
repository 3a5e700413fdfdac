#!/bin/bash
# The dpkeep lab: real hosts in network namespaces on two L2 segments.
#
#   front (192.0.2.0/24, 2001:db8:f::/64):  client .100, peer .3 (stock keepalived),
#                                           port eth0 of lb1 (.1) and lb2 (.2)
#   back  (198.51.100.0/24, 2001:db8:b::/64): port eth1 of lb1 (.1) and lb2 (.2),
#                                           rs1..rs3 (.11-.13)
#
# The bridges live in their own namespace (<lab>-sw) so the host's network is not
# touched. dpkeep runs inside <lab>-lb1/<lab>-lb2 on af_packet ports bound to eth0/eth1;
# those kernel interfaces carry no address and no IPv6, so only dpkeep answers.
# Addresses are documentation ranges (RFC 5737/3849): they exist only in this lab.
#
# usage: lab.sh up|down|status        (DK_LAB=name picks another prefix, default "dk")
set -eu
LAB=${DK_LAB:-dk}
SW=$LAB-sw
HOSTS=(client peer lb1 lb2 rs1 rs2 rs3)

nsx() { ip netns exec "$@"; }

offloads_off() { # ns if
	nsx "$1" ethtool -K "$2" tso off gso off gro off tx off rx off >/dev/null 2>&1 || true
}

# link <host> <ifname-in-host> <bridge>
link() {
	local host=$1 ifn=$2 br=$3 swif="$1-$2"
	ip -n "$SW" link add "$swif" type veth peer name "$ifn" netns "$LAB-$host"
	ip -n "$SW" link set "$swif" master "$br" up
	offloads_off "$SW" "$swif"
	offloads_off "$LAB-$host" "$ifn"
}

host_addr() { # host if v4 v6
	ip -n "$LAB-$1" addr add "$3" dev "$2"
	ip -n "$LAB-$1" addr add "$4" dev "$2" nodad
	ip -n "$LAB-$1" link set "$2" up
}

# The kernel side of a dpkeep port: up, promiscuous, no address, no IPv6.
dpdk_side() { # host if
	nsx "$LAB-$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	ip -n "$LAB-$1" link set "$2" up promisc on
}

up() {
	down quiet
	ip netns add "$SW"
	nsx "$SW" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	for br in front back; do
		ip -n "$SW" link add "$br" type bridge forward_delay 0 mcast_snooping 0
		ip -n "$SW" link set "$br" up
	done
	for h in "${HOSTS[@]}"; do
		ip netns add "$LAB-$h"
		ip -n "$LAB-$h" link set lo up
	done
	for h in lb1 lb2; do
		nsx "$LAB-$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	link client eth0 front
	link peer eth0 front
	link lb1 eth0 front
	link lb2 eth0 front
	link lb1 eth1 back
	link lb2 eth1 back
	for i in 1 2 3; do link "rs$i" eth0 back; done

	host_addr client eth0 192.0.2.100/24 2001:db8:f::100/64
	host_addr peer eth0 192.0.2.3/24 2001:db8:f::3/64
	for i in 1 2 3; do
		host_addr "rs$i" eth0 "198.51.100.1$i/24" "2001:db8:b::1$i/64"
	done
	for h in lb1 lb2; do dpdk_side "$h" eth0; dpdk_side "$h" eth1; done
	echo "lab '$LAB' up: namespaces ${HOSTS[*]/#/$LAB-} and $SW"
}

down() {
	local h
	for h in "${HOSTS[@]}" sw; do
		if ip netns list | grep -qw "$LAB-$h"; then
			# Anything still running in the namespace goes with it.
			for pid in $(ip netns pids "$LAB-$h" 2>/dev/null); do
				kill -9 "$pid" 2>/dev/null || true
			done
			ip netns del "$LAB-$h"
		fi
	done
	[ "${1:-}" = quiet ] || echo "lab '$LAB' down"
}

status() {
	local h
	for h in "${HOSTS[@]}"; do
		if ! ip netns list | grep -qw "$LAB-$h"; then
			echo "$LAB-$h: absent"
			continue
		fi
		echo "== $LAB-$h"
		ip -n "$LAB-$h" -br addr show | grep -v '^lo' || true
		local pids
		pids=$(ip netns pids "$LAB-$h" | tr '\n' ' ')
		[ -z "$pids" ] || echo "   processes: $(ps -o comm= -p ${pids// /,} | sort | uniq -c |
			awk '{printf "%s(%s) ", $2, $1}')"
	done
}

[ "$(id -u)" -eq 0 ] || { echo "lab.sh: needs root (network namespaces)" >&2; exit 1; }
case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
*) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
