#!/usr/bin/env python3
"""Where a hypervisor's instructions go, from QEMU's execution trace.

Run QEMU with `-singlestep -d exec,nochain -D TRACE` (one "Trace CPU: host
[flags/PC/...]" line per guest instruction executed) and give this script
the trace and the hypervisor's ELF symbols (`nm -n bulkhead.elf`). It splits
each CPU's instruction stream into episodes: a run of hypervisor PCs between
two guest (lower-EL) PCs is one trap or interrupt. Episodes are grouped by
the guest PC just before them (the trapping instruction, or where the guest
was interrupted; `--by entry` groups by the hypervisor's first PC instead),
and for each group it prints the episode count, instructions per episode
(min/avg/max) and the per-function split of an average episode.

    trace_profile.py --nm NM_OUTPUT [--cpu N] [--top K] [--by guest-pc|entry] TRACE
"""
import argparse
import bisect
import collections
import re
import sys

LINE = re.compile(r"^Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/")


def load_syms(path):
    addrs, names = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                addrs.append(int(parts[0], 16))
                names.append(parts[2])
    return addrs, names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nm", required=True, help="output of nm -n for the hypervisor ELF")
    ap.add_argument("--cpu", type=int, default=None, help="only this CPU's stream")
    ap.add_argument("--top", type=int, default=12, help="functions shown per group")
    ap.add_argument("--groups", type=int, default=8, help="groups shown")
    ap.add_argument("--by", choices=["guest-pc", "entry"], default="guest-pc")
    ap.add_argument("trace")
    a = ap.parse_args()
    addrs, names = load_syms(a.nm)
    lo, hi = addrs[0], addrs[-1] + 0x10000

    def sym(pc):
        i = bisect.bisect_right(addrs, pc) - 1
        return names[i] if i >= 0 else "?"

    groups = collections.defaultdict(lambda: {"n": 0, "ins": [], "fn": collections.Counter()})
    state = {}  # cpu -> [last guest pc, current episode Counter or None, count, entry pc]
    with open(a.trace, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            cpu, pc = int(m.group(1)), int(m.group(2), 16)
            if a.cpu is not None and cpu != a.cpu:
                continue
            st = state.setdefault(cpu, [None, None, 0, None])
            if lo <= pc < hi:
                if st[1] is None:
                    st[1], st[2], st[3] = collections.Counter(), 0, pc
                st[1][sym(pc)] += 1
                st[2] += 1
            else:
                if st[1] is not None and st[0] is not None:
                    key = st[0] if a.by == "guest-pc" else st[3]
                    g = groups[(cpu, key)]
                    g["n"] += 1
                    g["ins"].append(st[2])
                    g["fn"].update(st[1])
                st[0], st[1] = pc, None
    ranked = sorted(groups.items(), key=lambda kv: -sum(kv[1]["ins"]))
    for (cpu, key), g in ranked[: a.groups]:
        ins = g["ins"]
        print(f"cpu {cpu} {'after guest pc' if a.by == 'guest-pc' else 'entry'} 0x{key:x}"
              f" ({sym(key) if a.by == 'entry' else 'guest'}): {g['n']} episodes,"
              f" instructions min {min(ins)} avg {sum(ins) / len(ins):.1f} max {max(ins)}")
        for fn, c in g["fn"].most_common(a.top):
            print(f"    {c / g['n']:8.1f}  {fn}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
