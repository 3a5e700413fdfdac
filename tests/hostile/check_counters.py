#!/usr/bin/env python3
"""Compares dpkeep's counters with what a hostile corpus's manifest expects.

Counter names are "host.X" (show port stats, port 0), "lcore.X" (show lcores, summed
over lcores), "vrrp.rx.X" (show vrrp stats, first instance) and "vrrp.X" (top level of
show vrrp stats). BEFORE and AFTER are folders holding ports.json, lcores.json and
vrrp.json saved with dpkeep-cli --json; the difference is what the corpus caused.

--exact: every counter of the manifest moves by exactly the expected amount and every
other host drop counter does not move (offline replay: nothing else arrives).
--at-least: every counter moves by at least the expected amount.
--moved: every counter the manifest expects to move moved (live lab: the kernel peers
add their own traffic and the lab's bridges may hold back some malformed frames).
Prints one TAP-style line per counter; exits 1 when any is wrong.

usage: check_counters.py MANIFEST BEFORE AFTER (--exact | --at-least | --moved)
"""
import json
import os
import sys

# Counters that count good outcomes, not drops: background traffic may move them.
NOT_DROPS = {"host.reply", "host.consumed", "host.control_rx", "host.replies_sent",
             "host.vrrp_rx", "host.neigh_queued", "lcore.rx", "lcore.tx", "lcore.loops",
             "lcore.busy_pct", "lcore.to_control", "lcore.fast_path", "lcore.lcore",
             "lcore.queue"}


def load(folder):
    def rd(name):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            return {}
        with open(path) as f:
            return json.load(f)

    flat = {}
    ports = rd("ports.json").get("ports", [])
    if ports:
        for k, v in ports[0].get("host", {}).items():
            flat["host." + k] = v
    for lc in rd("lcores.json").get("lcores", []):
        for k, v in lc.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                flat["lcore." + k] = flat.get("lcore." + k, 0) + v
    vr = rd("vrrp.json")
    insts = vr.get("instances", [])
    if insts:
        for k, v in insts[0].get("rx", {}).items():
            flat["vrrp.rx." + k] = v
    for k, v in vr.items():
        if isinstance(v, int) and not isinstance(v, bool):
            flat["vrrp." + k] = v
    return flat


def main():
    if len(sys.argv) != 5 or sys.argv[4] not in ("--exact", "--at-least", "--moved"):
        sys.exit(__doc__.strip().splitlines()[-1])
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    before, after = load(sys.argv[2]), load(sys.argv[3])
    mode = sys.argv[4]
    exact = mode == "--exact"
    bad = 0
    expected = manifest["totals"]
    for name in sorted(expected):
        if name not in after:
            print("not ok - %s: no such counter in dpkeep's output" % name)
            bad += 1
            continue
        got = after[name] - before.get(name, 0)
        want = expected[name]
        if mode == "--moved":
            want = min(want, 1)
        good = got == want if exact else got >= want
        print("%s - %s: expected %s%d, moved %d" % ("ok" if good else "not ok", name,
                                                    "" if exact else ">= ", want, got))
        bad += not good
    if exact:
        # A drop counter the manifest does not name must stay still: a frame that landed
        # there was misclassified.
        for name in sorted(after):
            if name in expected or name in NOT_DROPS or not name.startswith(("host.", "vrrp.")):
                continue
            got = after[name] - before.get(name, 0)
            if got:
                print("not ok - %s: not expected to move, moved %d" % (name, got))
                bad += 1
    for k in manifest["classes"]:
        print("# class %-16s %3d frames: %s" % (k["name"], k["frames"], k["what"]))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
