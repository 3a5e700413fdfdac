#!/usr/bin/env python3
"""Sends every frame of a pcap file, unchanged, out of an interface (AF_PACKET, root).

Used to replay the hostile corpus into a live lab from the client namespace (tcpreplay
is not part of the toolset). Frames go out in bursts with short pauses so that the
receiver's rings, not this sender, decide what is dropped. Exits 1 if the kernel
refused any frame (it refuses frames shorter than an Ethernet header: generate the
corpus with --no-runts for a live replay).

usage: inject.py IFACE PCAP [--burst N] [--pause-ms MS]
"""
import argparse
import socket
import struct
import sys
import time


def frames(path):
    with open(path, "rb") as f:
        hdr = f.read(24)
        magic = struct.unpack("<I", hdr[:4])[0]
        if magic == 0xA1B2C3D4:
            endian = "<"
        elif magic == 0xD4C3B2A1:
            endian = ">"
        else:
            sys.exit("%s: not a classic pcap file" % path)
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, caplen, _ = struct.unpack(endian + "IIII", rec)
            yield f.read(caplen)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("iface")
    ap.add_argument("pcap")
    ap.add_argument("--burst", type=int, default=32)
    ap.add_argument("--pause-ms", type=float, default=2.0)
    a = ap.parse_args()
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    sent = refused = 0
    for i, fr in enumerate(frames(a.pcap)):
        try:
            s.send(fr)
            sent += 1
        except OSError as e:
            refused += 1
            print("frame %d (%d bytes) refused: %s" % (i + 1, len(fr), e), file=sys.stderr)
        if (i + 1) % a.burst == 0:
            time.sleep(a.pause_ms / 1000)
    print("%d frames sent, %d refused on %s" % (sent, refused, a.iface))
    sys.exit(1 if refused else 0)


if __name__ == "__main__":
    main()
