#!/usr/bin/env python3
"""ns_probe.py IFNAME TARGET [WAIT_S]: sends one Neighbor Solicitation for TARGET (to its
solicited-node group, hop limit 255, with our link-layer address) out of IFNAME and
prints the link-layer address of every Neighbor Advertisement for TARGET heard within
WAIT_S seconds (default 1), one per line with its flags: "MAC S=1 O=1". Exit status 0
whether or not anyone answered; the caller decides what the answers mean."""
import ipaddress
import select
import socket
import struct
import sys
import time

ND_NS, ND_NA = 135, 136
OPT_SLLA, OPT_TLLA = 1, 2


def main():
    ifname, target = sys.argv[1], ipaddress.IPv6Address(sys.argv[2]).packed
    wait = float(sys.argv[3]) if len(sys.argv) > 3 else 1.0
    with open(f"/sys/class/net/{ifname}/address") as f:
        mac = bytes.fromhex(f.read().strip().replace(":", ""))
    snm = b"\xff\x02" + bytes(9) + b"\x01\xff" + target[13:]
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, ifname.encode())
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    # The kernel fills in the ICMPv6 checksum of raw ICMPv6 sockets.
    ns = struct.pack("!BBHI", ND_NS, 0, 0, 0) + target + bytes([OPT_SLLA, 1]) + mac
    s.sendto(ns, (socket.inet_ntop(socket.AF_INET6, snm), 0, 0,
                  socket.if_nametoindex(ifname)))
    end = time.monotonic() + wait
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            break
        msg = s.recv(2048)
        if len(msg) < 24 or msg[0] != ND_NA or msg[8:24] != target:
            continue
        flags = msg[4]
        lladdr = "-"
        opts = msg[24:]
        while len(opts) >= 8 and opts[1]:
            if opts[0] == OPT_TLLA:
                lladdr = ":".join(f"{b:02x}" for b in opts[2:8])
            opts = opts[opts[1] * 8:]
        print(f"{lladdr} S={flags >> 6 & 1} O={flags >> 5 & 1}")


main()
