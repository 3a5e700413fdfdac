#!/bin/bash
# Installs every Debian package dpkeep's build, tests and demo need (idempotent: fast
# when everything is present) and reserves hugepages when the machine allows it.
set -eu

PKGS=(
	build-essential meson ninja-build pkg-config git
	libdpdk-dev dpdk dpdk-dev libnuma-dev libpcap-dev libcmocka-dev libssl-dev
	clang libclang-rt-dev
	keepalived nginx socat dnsmasq curl tshark iproute2 ethtool iputils-ping arping
	tmux python3 gnuplot-nox procps
)

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}"
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# tshark asks whether non-root users may capture; the default (no) is fine.
	echo "wireshark-common wireshark-common/install-setuid boolean false" |
		$SUDO debconf-set-selections
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# The packaged services must not run on the host: the lab starts its own copies
	# inside network namespaces.
	for s in nginx keepalived dnsmasq; do
		$SUDO systemctl disable --now "$s" >/dev/null 2>&1 || true
		$SUDO pkill -x "$s" >/dev/null 2>&1 || true
	done
fi

# Hugepages: reserve 512 x 2 MB when the kernel lets us; otherwise dpkeep runs with
# --no-huge (profiles default to "hugepages auto").
hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
if [ -w "$hp" ] && [ "$(cat "$hp")" -lt 512 ]; then
	echo 512 >"$hp" 2>/dev/null || true
	mountpoint -q /dev/hugepages 2>/dev/null ||
		{ mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null; } ||
		true
fi
have=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
echo "setup: packages present; free hugepages: ${have:-0} (dpkeep falls back to --no-huge)"
