#!/usr/bin/env python3
"""Hostile-traffic corpus for dpkeep: Ethernet frames built by hand, written as a pcap.

Every frame belongs to a class (truncated headers, bad lengths, fragments, floods,
spoofed ARP, forged VRRP adverts, ...) and the manifest says, per class, which of
dpkeep's counters each frame must land in. The replay test sums those and compares
them with what dpkeep reports, so a frame that is silently answered, or counted under
another reason, fails the test.

Only the "control" class may be answered (one ARP reply, one echo reply with ICMP id
0xc0de): it proves that the replay path works and that the tx checks can see replies.

usage: gen_corpus.py OUT_DIR [--dst-mac MAC] [--src-mac MAC] [--seed N] [--vip-owned]
                     [--no-runts]
writes OUT_DIR/corpus.pcap and OUT_DIR/manifest.json
"""
import argparse
import ipaddress
import json
import os
import random
import struct

# What the replay's profile and keepalived.conf configure (tests/hostile/*.conf).
MY4 = "192.0.2.1"
MY6 = "2001:db8:f::1"
PEER4 = "192.0.2.100"  # the one well-behaved neighbour (control class)
PEER6 = "2001:db8:f::100"
VIP4 = "192.0.2.10"  # VRRP VIP: not owned while the instance is BACKUP
VRID = 51
VRRP_PASS = b"dkpass"
VRRP_GROUP = "224.0.0.18"
VRRP_MAC = "01:00:5e:00:00:12"
CONTROL_ICMP_ID = 0xC0DE

ETH_IPV4, ETH_ARP, ETH_IPV6, ETH_VLAN = 0x0800, 0x0806, 0x86DD, 0x8100
P_ICMP, P_TCP, P_UDP, P_GRE, P_ICMP6, P_FRAG6, P_VRRP = 1, 6, 17, 47, 58, 44, 112


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def ip4(s):
    return ipaddress.IPv4Address(s).packed


def ip6(s):
    return ipaddress.IPv6Address(s).packed


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ttl=64, opts=b"", frag=0, ident=1, tot=None,
         ihl=None, version=4, bad_cksum=False):
    ihl = ihl if ihl is not None else (20 + len(opts)) // 4
    tot = tot if tot is not None else 20 + len(opts) + len(payload)
    hdr = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, tot, ident, frag, ttl,
                      proto, 0, ip4(src), ip4(dst)) + opts
    c = csum(hdr)
    if bad_cksum:
        c ^= 0x5A5A
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def pseudo4(src, dst, proto, length):
    return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, length)


def pseudo6(src, dst, proto, length):
    return ip6(src) + ip6(dst) + struct.pack("!IxxxB", length, proto)


def ipv6(src, dst, nh, payload, hlim=64, plen=None):
    plen = plen if plen is not None else len(payload)
    return struct.pack("!IHBB16s16s", 6 << 28, plen, nh, hlim, ip6(src), ip6(dst)) + payload


def tcp(pseudo, sport, dport, flags, seq=1, ack=0, off=5, bad_cksum=False):
    # off is only the header field: the options it would announce are never added.
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags, 8192, 0, 0)
    c = csum(pseudo(len(hdr)) + hdr)
    if bad_cksum:
        c ^= 0x1111
    return hdr[:16] + struct.pack("!H", c) + hdr[18:]


def udp(pseudo, sport, dport, data, ulen=None):
    ulen = ulen if ulen is not None else 8 + len(data)
    hdr = struct.pack("!HHHH", sport, dport, ulen, 0) + data
    c = csum(pseudo(len(hdr)) + hdr) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + hdr[8:]


def icmp4(typ, code, rest, bad_cksum=False):
    m = struct.pack("!BBH", typ, code, 0) + rest
    c = csum(m) ^ (0x2222 if bad_cksum else 0)
    return m[:2] + struct.pack("!H", c) + m[4:]


def echo4(ident, seq, data=b"dpkeep-hostile", bad_cksum=False):
    return icmp4(8, 0, struct.pack("!HH", ident, seq) + data, bad_cksum)


def icmp6(src, dst, typ, code, rest, bad_cksum=False):
    m = struct.pack("!BBH", typ, code, 0) + rest
    c = csum(pseudo6(src, dst, P_ICMP6, len(m)) + m) ^ (0x3333 if bad_cksum else 0)
    return m[:2] + struct.pack("!H", c) + m[4:]


def solicited_node(addr):
    a = ip6(addr)
    return str(ipaddress.IPv6Address(ip6("ff02::1:ff00:0")[:13] + a[13:]))


def mcast6_mac(addr):
    return b"\x33\x33" + ip6(addr)[12:]


def arp(op, sha, spa, tha, tpa, hrd=1, pro=ETH_IPV4, hln=6, pln=4):
    return struct.pack("!HHBBH6s4s6s4s", hrd, pro, hln, pln, op, sha, ip4(spa), tha, ip4(tpa))


def vrrp2(vrid=VRID, prio=200, addrs=(VIP4,), auth=1, pw=VRRP_PASS, interval=1,
          version=2, typ=1, bad_cksum=False):
    body = struct.pack("!BBBBBBH", (version << 4) | typ, vrid, prio, len(addrs), auth,
                       interval, 0)
    body += b"".join(ip4(a) for a in addrs) + pw.ljust(8, b"\0")[:8]
    c = csum(body) ^ (0x4444 if bad_cksum else 0)
    return body[:6] + struct.pack("!H", c) + body[8:]


class Corpus:
    def __init__(self, dst, src, seed, vip_owned, no_runts):
        self.dst, self.src = dst, src
        self.vip_owned, self.no_runts = vip_owned, no_runts
        self.rnd = random.Random(seed)
        self.classes = []

    def add(self, name, what, frames, expect):
        self.classes.append({"name": name, "what": what, "frames": frames, "expect": expect})

    def e4(self, payload, dst=None):
        return eth(dst or self.dst, self.src, ETH_IPV4, payload)

    def e6(self, payload, dst=None):
        return eth(dst or self.dst, self.src, ETH_IPV6, payload)

    def rand_src(self):
        # Public unicast sources only: a martian source has its own counter.
        return "%d.%d.%d.%d" % (self.rnd.choice((11, 45, 77, 100, 151, 185)),
                                self.rnd.randrange(256), self.rnd.randrange(256),
                                self.rnd.randrange(1, 255))


def p4(src, dst, proto):
    return lambda n: pseudo4(src, dst, proto, n)


def p6(src, dst, proto):
    return lambda n: pseudo6(src, dst, proto, n)


def build(c):
    me, bc = c.dst, b"\xff" * 6

    c.add("control", "ARP who-has and ICMP echo from a real neighbour: answered once each",
          [eth(bc, c.src, ETH_ARP, arp(1, c.src, PEER4, b"\0" * 6, MY4)),
           c.e4(ipv4(PEER4, MY4, P_ICMP, echo4(CONTROL_ICMP_ID, 1)))],
          {"host.reply": 2})

    tcp_hdr = tcp(p4(PEER4, MY4, P_TCP), 1, 2, 0x02)
    # Shorter than an Ethernet header: only a capture can deliver it (a kernel refuses it).
    runt = [] if c.no_runts else [me[:6] + c.src[:4]]
    c.add("truncated", "frames cut inside every header",
          runt +
          [eth(me, c.src, ETH_IPV4, b""),
           eth(me, c.src, ETH_IPV4, ipv4(PEER4, MY4, P_TCP, b"")[:10]),
           c.e4(ipv4(PEER4, MY4, P_TCP, tcp_hdr[:12])),
           c.e4(ipv4(PEER4, MY4, P_UDP, b"\0\x35\0")),
           c.e4(ipv4(PEER4, MY4, P_ICMP, b"\x08\0")),
           eth(bc, c.src, ETH_ARP, arp(1, c.src, PEER4, b"\0" * 6, MY4)[:10]),
           eth(me, c.src, ETH_IPV6, ipv6(PEER6, MY6, P_TCP, b"")[:20]),
           eth(me, c.src, ETH_VLAN, b"\0\x05")],
          dict({"host.parse_error": 8}, **({"lcore.drop_not_for_us": 1} if runt else {})))

    u = udp(p4(PEER4, MY4, P_UDP), 5000, 53, b"x" * 8)
    c.add("bad_lengths", "bad IHL, IP total length, version, TCP offset, UDP length",
          [c.e4(ipv4(PEER4, MY4, P_UDP, u, ihl=4)),
           c.e4(ipv4(PEER4, MY4, P_UDP, u, ihl=15)),
           c.e4(ipv4(PEER4, MY4, P_UDP, u, tot=10)),
           c.e4(ipv4(PEER4, MY4, P_UDP, u, tot=1500)),
           c.e4(ipv4(PEER4, MY4, P_UDP, u, version=5)),
           c.e4(ipv4(PEER4, MY4, P_TCP, tcp(p4(PEER4, MY4, P_TCP), 1, 80, 2, off=2))),
           c.e4(ipv4(PEER4, MY4, P_TCP, tcp(p4(PEER4, MY4, P_TCP), 1, 80, 2, off=15))),
           c.e4(ipv4(PEER4, MY4, P_UDP, udp(p4(PEER4, MY4, P_UDP), 1, 53, b"x" * 8, ulen=4))),
           c.e4(ipv4(PEER4, MY4, P_UDP, udp(p4(PEER4, MY4, P_UDP), 1, 53, b"x" * 8,
                                            ulen=2000))),
           c.e6(ipv6(PEER6, MY6, P_UDP, udp(p6(PEER6, MY6, P_UDP), 1, 53, b"x"), plen=900))],
          {"host.parse_error": 10})

    rr = bytes([7, 11, 4]) + b"\0" * 8 + b"\x01"  # record route (3 slots short) + NOP
    lsrr = bytes([131, 7, 4]) + ip4("203.0.113.9") + b"\x01"  # loose source route
    c.add("ip_options", "IPv4 options (record route, loose source route) to dpkeep and through it",
          [c.e4(ipv4(PEER4, MY4, P_TCP, tcp(p4(PEER4, MY4, P_TCP), 1, 22, 2), opts=rr)),
           c.e4(ipv4(PEER4, MY4, P_UDP, udp(p4(PEER4, MY4, P_UDP), 1, 161, b"x"), opts=lsrr)),
           c.e4(ipv4(PEER4, "203.0.113.9", P_ICMP, echo4(7, 7), opts=lsrr)),
           c.e4(ipv4(PEER4, MY4, P_GRE, b"\0" * 8, opts=rr))],
          {"host.tcp_to_host": 1, "host.udp_to_host": 1, "host.not_mine": 1,
           "host.protocol_unhandled": 1})

    big = echo4(9, 9, b"f" * 64)
    frag6 = lambda off, m: struct.pack("!BBHI", P_ICMP6, 0, (off << 3) | m, 0xD00D)
    e6 = icmp6(PEER6, MY6, 128, 0, struct.pack("!HH", 1, 1) + b"z" * 32)
    c.add("fragments", "first and non-first fragments to dpkeep, teardrop, through dpkeep",
          [c.e4(ipv4(PEER4, MY4, P_ICMP, big[:32], frag=0x2000, ident=77)),
           c.e4(ipv4(PEER4, MY4, P_ICMP, big[32:], frag=4, ident=77)),
           c.e4(ipv4(PEER4, MY4, P_TCP, tcp(p4(PEER4, MY4, P_TCP), 1, 80, 2) * 2,
                     frag=0x2000, ident=78)),
           c.e6(ipv6(PEER6, MY6, P_FRAG6, frag6(0, 1) + e6[:24])),
           c.e6(ipv6(PEER6, MY6, P_FRAG6, frag6(3, 0) + e6[24:])),
           c.e4(ipv4(PEER4, MY4, P_ICMP, b"t" * 64, frag=8190, ident=79)),
           c.e4(ipv4(PEER4, "203.0.113.5", P_ICMP, big[:32], frag=0x2000, ident=80))],
          {"host.fragment_to_host": 5, "host.parse_error": 1, "host.not_mine": 1})

    c.add("ttl", "TTL/hop limit 0 and 1: through dpkeep (no ICMP time exceeded) and to it",
          [c.e4(ipv4(PEER4, "203.0.113.5", P_TCP, tcp(p4(PEER4, "203.0.113.5", P_TCP), 1, 80,
                                                      2), ttl=0)),
           c.e4(ipv4(PEER4, "198.51.100.77", P_UDP,
                     udp(p4(PEER4, "198.51.100.77", P_UDP), 1, 53, b"q"), ttl=1)),
           c.e6(ipv6(PEER6, "2001:db8:b::77", P_ICMP6,
                     icmp6(PEER6, "2001:db8:b::77", 128, 0, b"\0\1\0\1"), hlim=0)),
           c.e6(ipv6(PEER6, "2001:db8:b::77", P_ICMP6,
                     icmp6(PEER6, "2001:db8:b::77", 128, 0, b"\0\1\0\2"), hlim=1)),
           c.e4(ipv4(PEER4, MY4, P_TCP, tcp(p4(PEER4, MY4, P_TCP), 1, 80, 2), ttl=1))],
          {"host.not_mine": 4, "host.tcp_to_host": 1})

    ns_target = MY6
    ns_rest = struct.pack("!I16s", 0, ip6(ns_target)) + b"\x01\x01" + c.src
    snm = solicited_node(ns_target)
    c.add("bad_checksum", "IPv4 header, ICMP, ICMPv6, NS and TCP checksums wrong",
          [c.e4(ipv4(PEER4, MY4, P_ICMP, echo4(11, 1), bad_cksum=True)),
           c.e4(ipv4(PEER4, MY4, P_ICMP, echo4(12, 1, bad_cksum=True))),
           c.e6(ipv6(PEER6, MY6, P_ICMP6, icmp6(PEER6, MY6, 128, 0, b"\0\x0d\0\1",
                                                   bad_cksum=True))),
           c.e6(ipv6(PEER6, snm, P_ICMP6, icmp6(PEER6, snm, 135, 0, ns_rest, bad_cksum=True),
                     hlim=255), dst=mcast6_mac(snm)),
           c.e4(ipv4(PEER4, MY4, P_TCP, tcp(p4(PEER4, MY4, P_TCP), 1, 80, 2, bad_cksum=True)))],
          {"host.parse_error": 1, "host.bad_icmp_cksum": 3, "host.tcp_to_host": 1})

    c.add("martian_source", "echo requests from loopback, multicast, broadcast and zero",
          [c.e4(ipv4(s, MY4, P_ICMP, echo4(13, 1)))
           for s in ("127.0.0.1", "224.1.2.3", "255.255.255.255", "0.0.0.0")],
          {"host.bad_source_address": 4})

    # Destination unreachables are left out: the health checker claims them for its
    # probes (app/dpkeep/hc_io.c) and counts only those that match one.
    c.add("icmp_unhandled", "ICMP redirect and timestamp request to dpkeep",
          [c.e4(ipv4(PEER4, MY4, P_ICMP, icmp4(5, 1, ip4("192.0.2.66") + b"\0" * 28))),
           c.e4(ipv4(PEER4, MY4, P_ICMP, icmp4(13, 0, b"\0" * 16)))],
          {"host.icmp_type_unhandled": 2})

    flood = []
    for i in range(200):
        s = c.rand_src()
        flood.append(c.e4(ipv4(s, MY4, P_TCP, tcp(p4(s, MY4, P_TCP), 1024 + i, 80, 0x02,
                                                  seq=c.rnd.getrandbits(32)), ident=i)))
    for i in range(50):
        s = c.rand_src()
        flood.append(c.e4(ipv4(s, VIP4, P_TCP, tcp(p4(s, VIP4, P_TCP), 1024 + i, 80, 0x02))))
    if c.vip_owned:
        c.add("syn_flood", "200 SYNs to dpkeep's address, 50 to the VIP it owns (MASTER)",
              flood, {"host.tcp_to_host": 250})
    else:
        c.add("syn_flood", "200 SYNs to dpkeep's address, 50 to the VIP it does not own "
              "(BACKUP)", flood, {"host.tcp_to_host": 200, "host.not_mine": 50})

    flood = []
    for i in range(200):
        s = c.rand_src()
        fl = 0x10 if i % 2 else 0x04
        flood.append(c.e4(ipv4(s, MY4, P_TCP, tcp(p4(s, MY4, P_TCP), 2048 + i, 443, fl,
                                                  seq=c.rnd.getrandbits(32),
                                                  ack=c.rnd.getrandbits(32)))))
    c.add("ack_rst_flood", "100 bare ACKs and 100 RSTs to dpkeep's address", flood,
          {"host.tcp_to_host": 200})

    other = b"\x02\x00\x00\x00\x77\x77"
    u99 = "2001:db8:f::99"
    snm99 = solicited_node(u99)
    ns99 = struct.pack("!I16s", 0, ip6(u99)) + b"\x01\x01" + c.src
    c.add("unknown_address", "addresses and MACs dpkeep does not own, unknown ethertype",
          [c.e4(ipv4(PEER4, "192.0.2.99", P_ICMP, echo4(14, 1))),
           c.e4(ipv4(PEER4, "10.1.2.3", P_TCP, tcp(p4(PEER4, "10.1.2.3", P_TCP), 1, 80, 2))),
           c.e6(ipv6(PEER6, u99, P_ICMP6, icmp6(PEER6, u99, 128, 0, b"\0\x0e\0\1"))),
           eth(bc, c.src, ETH_ARP, arp(1, c.src, PEER4, b"\0" * 6, "192.0.2.99")),
           c.e6(ipv6(PEER6, snm99, P_ICMP6, icmp6(PEER6, snm99, 135, 0, ns99), hlim=255),
                dst=mcast6_mac(snm99)),
           eth(other, c.src, ETH_IPV4, ipv4(PEER4, MY4, P_ICMP, echo4(15, 1))),
           eth(me, c.src, 0x88B5, b"local experimental ethertype")],
          {"host.not_mine": 5, "lcore.drop_not_for_us": 1, "host.parse_error": 1})

    atk = b"\x02\x00\x00\x00\xee\x01"
    na_rest = struct.pack("!I16s", 0x20000000, ip6(MY6)) + b"\x02\x01" + atk
    c.add("arp_spoof", "others claiming dpkeep's own IPv4/IPv6 address and the VIP; "
          "malformed ARP",
          [eth(bc, atk, ETH_ARP, arp(1, atk, MY4, b"\0" * 6, MY4)),
           eth(me, atk, ETH_ARP, arp(2, atk, MY4, me, PEER4)),
           eth(bc, atk, ETH_ARP, arp(1, b"\x01\x00\x5e\x00\x00\x01", "192.0.2.77",
                                     b"\0" * 6, MY4)),
           eth(bc, atk, ETH_ARP, arp(3, atk, "192.0.2.77", b"\0" * 6, MY4)),
           eth(mcast6_mac("ff02::1"), atk, ETH_IPV6,
               ipv6("fe80::ee01", "ff02::1", P_ICMP6,
                    icmp6("fe80::ee01", "ff02::1", 136, 0, na_rest), hlim=255)),
           eth(bc, atk, ETH_ARP, arp(1, atk, VIP4, b"\0" * 6, VIP4))],
          # The VIP is a conflict only while dpkeep owns it; as BACKUP it is someone else's.
          {"host.address_conflict": 4 if c.vip_owned else 3, "host.arp_invalid": 2,
           "host.not_mine": 0 if c.vip_owned else 1})

    ns_ok = struct.pack("!I16s", 0, ip6(MY6)) + b"\x01\x01" + c.src
    dad = struct.pack("!I16s", 0, ip6(MY6)) + b"\x01\x01" + c.src
    c.add("nd_invalid", "NS with hop limit 64; DAD probe carrying a source link-layer option",
          [c.e6(ipv6(PEER6, snm, P_ICMP6, icmp6(PEER6, snm, 135, 0, ns_ok), hlim=64),
                dst=mcast6_mac(snm)),
           c.e6(ipv6("::", snm, P_ICMP6, icmp6("::", snm, 135, 0, dad), hlim=255),
                dst=mcast6_mac(snm))],
          {"host.nd_hop_limit_not_255": 1, "host.nd_invalid": 1})

    forger = "192.0.2.66"
    v = lambda body, ttl=255, src=forger: eth(mac(VRRP_MAC), c.src, ETH_IPV4,
                                               ipv4(src, VRRP_GROUP, P_VRRP, body, ttl=ttl))
    c.add("vrrp_forged", "adverts for the configured instance that must not be believed; "
          "one valid lower-priority advert shows the decoder sees them",
          [v(vrrp2(), ttl=64),
           v(vrrp2(pw=b"guess")),
           v(vrrp2(auth=0, pw=b"")),
           v(vrrp2(vrid=VRID + 1)),
           v(vrrp2(interval=3)),
           v(vrrp2(bad_cksum=True)),
           v(vrrp2(version=3)),
           v(vrrp2(typ=2)),
           v(vrrp2()[:4]),
           v(vrrp2(), src=MY4),
           v(vrrp2(prio=50), src="192.0.2.67")],
          {"vrrp.rx.ip_ttl_err": 1, "vrrp.rx.auth_failure": 1, "vrrp.rx.authtype_mismatch": 1,
           "vrrp.unknown_vrid": 1, "vrrp.rx.advert_interval_err": 1,
           "vrrp.rx.checksum_err": 1, "vrrp.rx.version_err": 1,
           "vrrp.rx.invalid_type_rcvd": 1, "vrrp.rx.truncated": 1, "vrrp.rx.own_advert": 1,
           "vrrp.rx.ok": 1})


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000, i, len(fr), len(fr)))
            f.write(fr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    # net_pcap's fixed address for its first port ("\x02pcap\x00"); it cannot be changed.
    ap.add_argument("--dst-mac", default="02:70:63:61:70:00", help="dpkeep's port MAC")
    ap.add_argument("--src-mac", default="02:00:00:00:aa:64", help="the sender's MAC")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--vip-owned", action="store_true",
                    help="the VRRP instance is MASTER while the corpus arrives")
    ap.add_argument("--no-runts", action="store_true",
                    help="leave out frames shorter than an Ethernet header (live replay)")
    a = ap.parse_args()
    c = Corpus(mac(a.dst_mac), mac(a.src_mac), a.seed, a.vip_owned, a.no_runts)
    build(c)
    os.makedirs(a.out_dir, exist_ok=True)
    frames, totals, classes = [], {}, []
    for k in c.classes:
        frames += k["frames"]
        for name, n in k["expect"].items():
            totals[name] = totals.get(name, 0) + n
        classes.append({"name": k["name"], "what": k["what"], "frames": len(k["frames"]),
                        "expect": k["expect"]})
    write_pcap(os.path.join(a.out_dir, "corpus.pcap"), frames)
    manifest = {"frames": len(frames), "classes": classes, "totals": totals,
                "dst_mac": a.dst_mac, "src_mac": a.src_mac, "control_icmp_id": CONTROL_ICMP_ID,
                "peer4": PEER4, "my4": MY4, "vip4": VIP4, "vrid": VRID}
    with open(os.path.join(a.out_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)
    print("%d frames in %d classes -> %s" % (len(frames), len(classes), a.out_dir))


if __name__ == "__main__":
    main()
