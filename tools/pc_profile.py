#!/usr/bin/env python3
"""Instructions per function from tests/lib/pc_profile.c's counts.

    pc_profile.py --nm NM_OUTPUT COUNTS            # the whole run
    pc_profile.py --nm NM_OUTPUT --per N COUNTS.snap
                                                   # each snapshot window

NM_OUTPUT is `nm -n build/bulkhead.elf`. With a .snap file (the plugin's
trigger/every mode), each window between two snapshots is printed divided
by --per (the plugin's every=N), i.e. per request of the device whose
completion was the trigger, with the instructions run outside the range.
"""
import argparse
import bisect
import collections


def load_syms(path):
    syms = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), parts[2]))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nm", required=True)
    ap.add_argument("--per", type=int, default=0, help="a .snap file, divided by N")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("counts")
    a = ap.parse_args()
    addrs, names = load_syms(a.nm)

    def func(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return names[i] if i >= 0 else hex(pc)

    windows = []  # (label, Counter of function -> count, outside)
    cur = None
    with open(a.counts, encoding="utf-8") as f:
        for line in f:
            if line.startswith("##"):
                cur = [line.split()[1], collections.Counter(), 0]
                windows.append(cur)
                continue
            pc, n = line.split()
            if cur is None:
                cur = ["all", collections.Counter(), 0]
                windows.append(cur)
            if int(pc, 16) == 1:
                cur[2] = int(n)
            else:
                cur[1][func(int(pc, 16))] += int(n)
    if not a.per:
        for label, c, _ in windows:
            print(f"{label}: {sum(c.values())} instructions")
            for name, n in c.most_common(a.top):
                print(f"{n:14d}  {name}")
        return
    prev_c, prev_o = collections.Counter(), 0
    for label, c, o in windows:
        d = c - prev_c
        print(f"up to {label}: {sum(d.values()) / a.per:.0f} in range, "
              f"{(o - prev_o) / a.per:.0f} outside, per {a.per}: "
              + ", ".join(f"{n} {v / a.per:.0f}" for n, v in d.most_common(a.top)))
        prev_c, prev_o = c, o


if __name__ == "__main__":
    main()
