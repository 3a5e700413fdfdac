#!/usr/bin/env python3
"""Answers dpkeep's health probes to a dead server with forgeries (AF_PACKET, root).

Runs on the real server's link. For every probe it sees to --server (a TCP SYN to
--tcp-port, a UDP datagram to --udp-port) it sends back what a spoofer could:
  TCP: a SYN-ACK from another address (--other) with the right ports and ack, one from
       the server with a wrong ack (wrong sequence), one from the server's wrong port;
  UDP: a reply from another address, one from the server's wrong port;
  ICMP: a port unreachable from the server quoting a probe that does not exist.
None of them may mark the server alive. Bounded by --seconds; prints what it sent as
JSON.

usage: forge_hc.py IFACE --server IP --other IP [--tcp-port 80] [--udp-port 5353]
                   [--seconds 10]
"""
import argparse
import json
import socket
import struct
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0x4242, 0, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def l4_csum(src, dst, proto, seg, off):
    pseudo = struct.pack("!4s4sBBH", src, dst, 0, proto, len(seg))
    return seg[:off] + struct.pack("!H", csum(pseudo + seg)) + seg[off + 2:]


def tcp(src, dst, sport, dport, seq, ack, flags):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)
    return ip4(src, dst, 6, l4_csum(src, dst, 6, seg, 16))


def udp(src, dst, sport, dport, data):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return ip4(src, dst, 17, l4_csum(src, dst, 17, seg, 6))


def unreach(src, dst, quoted):
    body = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
    body = body[:2] + struct.pack("!H", csum(body)) + body[4:]
    return ip4(src, dst, 1, body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("iface")
    ap.add_argument("--server", required=True)
    ap.add_argument("--other", required=True)
    ap.add_argument("--tcp-port", type=int, default=80)
    ap.add_argument("--udp-port", type=int, default=5353)
    ap.add_argument("--seconds", type=float, default=10.0)
    a = ap.parse_args()
    srv, oth = socket.inet_aton(a.server), socket.inet_aton(a.other)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    s.bind((a.iface, 0))
    s.settimeout(0.2)
    my_mac = s.getsockname()[4]
    sent = {"syn_seen": 0, "udp_seen": 0, "synack_other_src": 0, "synack_bad_ack": 0,
            "synack_bad_port": 0, "udp_other_src": 0, "udp_bad_port": 0,
            "icmp_unreach_unmatched": 0}
    end = time.monotonic() + a.seconds
    while time.monotonic() < end:
        try:
            fr, addr = s.recvfrom(2048)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or len(fr) < 14 + 20 + 8:
            continue
        ip = fr[14:]
        ihl = (ip[0] & 0xF) * 4
        proto, src, dst = ip[9], ip[12:16], ip[16:20]
        if dst != srv:
            continue
        l4 = ip[ihl:]
        sport, dport = struct.unpack("!HH", l4[:4])
        eth = fr[6:12] + my_mac + b"\x08\x00"
        out = []
        if proto == 6 and dport == a.tcp_port and l4[13] & 0x3F == 0x02:
            seq = struct.unpack("!I", l4[4:8])[0]
            sent["syn_seen"] += 1
            out.append(("synack_other_src", tcp(oth, src, dport, sport, 7, seq + 1, 0x12)))
            out.append(("synack_bad_ack", tcp(srv, src, dport, sport, 7,
                                              (seq + 100000) & 0xFFFFFFFF, 0x12)))
            out.append(("synack_bad_port", tcp(srv, src, dport + 1, sport, 7, seq + 1,
                                               0x12)))
        elif proto == 17 and dport == a.udp_port:
            sent["udp_seen"] += 1
            out.append(("udp_other_src", udp(oth, src, dport, sport, b"forged")))
            out.append(("udp_bad_port", udp(srv, src, dport + 1, sport, b"forged")))
            # A probe that does not exist: the source port one past the real one.
            fake = ip4(dst, srv, 17, struct.pack("!HHHH", (sport + 1) & 0xFFFF, dport, 8, 0))
            out.append(("icmp_unreach_unmatched", unreach(srv, src, fake[:28])))
        for what, pkt in out:
            s.send(eth + pkt)
            sent[what] += 1
    print(json.dumps(sent))


if __name__ == "__main__":
    main()
