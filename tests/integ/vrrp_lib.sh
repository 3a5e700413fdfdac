# VRRP helpers for tests/integ/vrrp_*.sh, on top of lib.sh: keepalived.conf writers,
# stock keepalived in the peer namespace, state queries from both sides, polling waits.

KEEPALIVED=${KEEPALIVED:-keepalived}

# until_ok SECONDS command...: polls every 0.1 s until the command succeeds.
until_ok() {
	local t=$1 i; shift
	for ((i = 0; i < t * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# vrrp_conf FILE key=value...: one vrrp_instance VI_1 on eth0.
# keys: prio ver int auth(pass|none) mode(mcast|unicast) src peers vip vrid extra state
# mcast_src (mcast_src_ip, either mode; with mode=unicast and no src, it is the only one)
vrrp_conf() {
	local f=$1; shift
	local prio=100 ver=2 int=1 auth=none mode=mcast src="" peers="" vip=192.0.2.50/24
	local vrid=51 extra="" state=BACKUP global="" mcast_src="" kv
	for kv in "$@"; do
		case $kv in
		prio=*) prio=${kv#*=} ;; ver=*) ver=${kv#*=} ;; int=*) int=${kv#*=} ;;
		auth=*) auth=${kv#*=} ;; mode=*) mode=${kv#*=} ;; src=*) src=${kv#*=} ;;
		peers=*) peers=${kv#*=} ;; vip=*) vip=${kv#*=} ;; vrid=*) vrid=${kv#*=} ;;
		extra=*) extra=${kv#*=} ;; state=*) state=${kv#*=} ;; global=*) global=${kv#*=} ;;
		mcast_src=*) mcast_src=${kv#*=} ;;
		*) echo "vrrp_conf: bad key $kv" >&2; return 2 ;;
		esac
	done
	{
		echo "global_defs {"
		echo "    vrrp_version $ver"
		echo "    script_user root"
		echo "    $global"
		echo "}"
		echo "vrrp_instance VI_1 {"
		echo "    state $state"
		echo "    interface eth0"
		echo "    virtual_router_id $vrid"
		echo "    priority $prio"
		echo "    advert_int $int"
		if [ "$auth" = pass ]; then
			echo "    authentication {"
			echo "        auth_type PASS"
			echo "        auth_pass s3cret"
			echo "    }"
		fi
		[ -z "$mcast_src" ] || echo "    mcast_src_ip $mcast_src"
		if [ "$mode" = unicast ]; then
			[ -z "$src" ] || echo "    unicast_src_ip $src"
			echo "    unicast_peer {"
			echo "        $peers"
			echo "    }"
		fi
		echo "    virtual_ipaddress {"
		echo "        $vip"
		echo "    }"
		echo "    $extra"
		echo "}"
	} >"$f"
}

# --- stock keepalived in <lab>-peer ------------------------------------------------------

# ka_start CONF: keepalived in the foreground of the peer namespace, log $TMP/ka.log.
ka_start() {
	ka_mark
	ip netns exec "$DK_LAB-peer" "$KEEPALIVED" -n -l -D -P -f "$1" -p "$TMP/ka.main" \
		-r "$TMP/ka.vrrp" -c "$TMP/ka.chk" >>"$TMP/ka.log" 2>&1 </dev/null &
	echo $! >"$TMP/ka.pid"
	until_ok 10 test -s "$TMP/ka.vrrp"
}

# sw_link HOST IF up|down: the switch side of a host's veth (the host sees carrier loss).
sw_link() { ip -n "$DK_LAB-sw" link set "$1-$2" "$3"; }

# ka_kill: SIGKILL, no priority-0 goodbye. The parent is stopped first so it cannot
# respawn the VRRP child, and the child dies before it could see its parent go.
ka_kill() {
	local main vrrp
	main=$(cat "$TMP/ka.pid")
	vrrp=$(cat "$TMP/ka.vrrp" 2>/dev/null || true)
	kill -STOP "$main" 2>/dev/null || true
	[ -z "$vrrp" ] || kill -KILL "$vrrp" 2>/dev/null || true
	kill -KILL "$main" 2>/dev/null || true
	wait "$main" 2>/dev/null || true
	rm -f "$TMP/ka.pid" "$TMP/ka.vrrp" "$TMP/ka.main" "$TMP/ka.chk"
}

ka_stop() { # SIGTERM: the clean way (priority-0 advert)
	local main
	main=$(cat "$TMP/ka.pid" 2>/dev/null) || return 0
	kill -TERM "$main" 2>/dev/null || true
	until_ok 10 bash -c "! kill -0 $main 2>/dev/null" || kill -KILL "$main" 2>/dev/null || true
	wait "$main" 2>/dev/null || true
	rm -f "$TMP/ka.pid" "$TMP/ka.vrrp" "$TMP/ka.main" "$TMP/ka.chk"
}

# keepalived's state according to its own log since the last ka_start.
ka_state() {
	local n
	n=$(wc -l <"$TMP/ka.cur")
	grep -o '(VI_1) Entering [A-Z]* STATE' "$TMP/ka.log" | sed -n "$((n + 1)),\$p" |
		tail -1 | awk '{print $3}'
}
ka_mark() { grep -so "(VI_1) Entering [A-Z]* STATE" "$TMP/ka.log" >"$TMP/ka.cur" || true; }
ka_is() { [ "$(ka_state)" = "$1" ]; }
ka_has_vip() { ip -n "$DK_LAB-peer" -o addr show dev eth0 | grep -qw "inet6\? ${1%/*}"; }

# --- dpkeep ------------------------------------------------------------------------------

dk_state() { json "$1" '[i["state"] for i in j["instances"] if i["name"]=="'"${2:-VI_1}"'"][0]' show vrrp; }
dk_is() { [ "$(dk_state "$1" "${3:-VI_1}")" = "$2" ]; }
dk_field() { json "$1" '[i["'"$3"'"] for i in j["instances"] if i["name"]=="'"$2"'"][0]' show vrrp; }

# dk_rx_clean NAME: no advert was rejected (auth, ttl, checksum, interval...).
dk_rx_clean() {
	cli "$1" --json show vrrp stats | python3 -c 'import json,sys
bad = {k: v for i in json.load(sys.stdin)["instances"] for k, v in i["rx"].items()
       if v and k not in ("ok", "own_advert")}
print(bad); sys.exit(1 if bad else 0)'
}

dk_kill() { # NAME: SIGKILL, no goodbye
	local pid
	pid=$(cat "$TMP/$1.pid")
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$TMP/$1.pid"
}

port_mac() { json "$1" 'j["ports"][0]["mac"]' show port info eth0; }

# --- what the client sees ---------------------------------------------------------------

# client_arp_is VIP MAC: an ARP request from the client is answered by MAC.
client_arp_is() {
	nsx client arping -c 1 -w 1 -i eth0 "$1" 2>/dev/null | grep -qi "from $2"
}
# client_neigh_is VIP MAC: the client's ARP cache points at MAC.
client_neigh_is() { nsx client ip neigh show "$1" dev eth0 | grep -qi "lladdr $2"; }

# vrrp_cut SWIF / vrrp_heal SWIF: drop VRRP (IP protocol 112, v4 and v6) that the switch
# sends out of SWIF (a host's switch-side veth, e.g. lb2-eth0), so that host hears no
# adverts while ARP, ND and everything else still flow. The lab kernel has no tc drop
# action; a zero-length FIFO under an HTB class does the dropping.
vrrp_cut() {
	local t="ip netns exec $DK_LAB-sw tc"
	$t qdisc add dev "$1" root handle 1: htb default 2 2>/dev/null
	$t class add dev "$1" parent 1: classid 1:1 htb rate 10gbit 2>/dev/null
	$t class add dev "$1" parent 1: classid 1:2 htb rate 10gbit 2>/dev/null
	$t qdisc add dev "$1" parent 1:1 handle 10: pfifo limit 0
	$t filter add dev "$1" parent 1: protocol ip u32 match ip protocol 112 0xff flowid 1:1
	$t filter add dev "$1" parent 1: protocol ipv6 u32 match ip6 protocol 112 0xff flowid 1:1
}
vrrp_heal() { ip netns exec "$DK_LAB-sw" tc qdisc del dev "$1" root; }

# --- IPv6: what the client sees ------------------------------------------------------------

# client_ns_answers VIP: "MAC S=x O=y" for each NA answering one NS from the client.
client_ns_answers() { nsx client python3 "$DK_SRC/tests/integ/ns_probe.py" eth0 "$1" 1; }
# client_ns_only VIP MAC: MAC, and nobody else, answers the client's NS for VIP (solicited).
client_ns_only() {
	local got
	got=$(client_ns_answers "$1")
	echo "NS for $1 answered by: ${got:-nobody}"
	[ "$got" = "${2,,} S=1 O=1" ]
}
# client_neigh6_is VIP MAC: the client's neighbour cache points at MAC.
client_neigh6_is() { nsx client ip -6 neigh show "$1" dev eth0 | grep -qi "lladdr $2"; }
# client_echo6_via VIP MAC: the client's ping to VIP, sent to MAC whatever ND says, is
# answered. The pinned entry is removed again, so the cache is empty for VIP afterwards.
client_echo6_via() {
	local rc=0
	nsx client ip -6 neigh replace "$1" lladdr "$2" dev eth0 nud permanent
	nsx client ping -6 -c 1 -W 2 "$1" || rc=1
	nsx client ip -6 neigh del "$1" dev eth0 || true
	return $rc
}
# eui64_ll MAC: the link-local address RFC 4291 derives from MAC (what dpkeep sends from).
eui64_ll() {
	python3 -c 'import ipaddress,sys
m = bytes.fromhex(sys.argv[1].replace(":", ""))
print(ipaddress.IPv6Address(b"\xfe\x80" + bytes(6) + bytes([m[0] ^ 2]) + m[1:3] +
      b"\xff\xfe" + m[3:]))' "$1"
}
# peer_ll_ready: the peer's eth0 has a link-local address past DAD (keepalived sends its
# IPv6 adverts from it and refuses a tentative one).
peer_ll_ready() {
	ip -n "$DK_LAB-peer" -6 addr show dev eth0 scope link | grep -q fe80 &&
		! ip -n "$DK_LAB-peer" -6 addr show dev eth0 tentative | grep -q inet6
}
client_no_echo6_via() { ! client_echo6_via "$@"; }
