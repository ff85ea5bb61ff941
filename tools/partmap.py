#!/usr/bin/python3
"""The partition map: a picture (SVG) of what a partition file gives each
partition, drawn from what the hypervisor's own parser made of it
(hvcheck --map FILE.json):

- the physical CPUs, each in its partition's colour;
- physical memory: the board's RAM, the hypervisor's part, each
  partition's ranges on a lane of its own, to scale;
- per partition its guest layout: virtual devices with their windows and
  interrupts, passed-through devices with their physical windows and
  interrupts, PCIe functions;
- the disks: each backend's sectors with the partitions' windows;
- the network segments, the partitions on each and the uplink.

Two partitions on one CPU, memory range or disk window (not shared) are
drawn in red with the word "overlap"; a refused file's errors are listed
under the picture. Reads the JSON only; writes the SVG.

    partmap.py MAP.json OUT.svg
"""
import json
import sys
from xml.sax.saxutils import escape

W = 1000
LEFT = 150
BAR = W - LEFT - 30
PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f", "#bab0ac"]
RED = "#d00000"


def hexa(v):
    return "0x%x" % v


def size(n):
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return "%d %s" % (n >> shift, unit)
    return "%d bytes" % n


class Svg:
    def __init__(self):
        self.out = []
        self.y = 20

    def text(self, x, y, s, size=12, weight="normal", fill="#000", cls=None, anchor="start"):
        c = ' class="%s"' % cls if cls else ""
        self.out.append('<text x="%d" y="%d" font-size="%d" font-weight="%s" fill="%s" text-anchor="%s"%s>%s</text>'
                        % (x, y, size, weight, fill, anchor, c, escape(s)))

    def rect(self, x, y, w, h, fill, cls=None, title=None, stroke="#333"):
        c = ' class="%s"' % cls if cls else ""
        if cls == "overlap":  # over the lanes: what is under it stays legible
            c += ' fill-opacity="0.55"'
        t = "<title>%s</title>" % escape(title) if title else ""
        self.out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="%s"%s>%s</rect>'
                        % (x, y, max(w, 2), h, fill, stroke, c, t))

    def line(self, x1, y1, x2, y2, stroke="#333", width=2):
        self.out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%d"/>'
                        % (x1, y1, x2, y2, stroke, width))

    def heading(self, s):
        self.y += 28
        self.text(10, self.y, s, 15, "bold")
        self.y += 10

    def svg(self, title):
        h = self.y + 20
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
                'font-family="sans-serif" class="partition-map"><title>%s</title>'
                '<rect width="100%%" height="100%%" fill="#fff"/>%s</svg>\n'
                % (W, h, W, h, escape(title), "".join(self.out)))


def overlaps(a, b):
    """The intersection of [a0, a0 + a1) and [b0, b0 + b1), or None."""
    lo, hi = max(a[0], b[0]), min(a[0] + a[1], b[0] + b[1])
    return (lo, hi - lo) if hi > lo else None


def scale(lo, hi):
    span = max(hi - lo, 1)
    return lambda v: LEFT + (v - lo) * BAR / span


def draw(m):
    s = Svg()
    parts = m["partitions"]
    # What the parser refused for overlapping another owner: drawn where
    # the file put it, in red.
    for r in m.get("refused", []):
        for p in parts:
            if p["name"] == r["partition"]:
                if "cpu" in r:
                    p.setdefault("refused_cpus", []).append(r["cpu"])
                else:
                    p.setdefault("refused_memory", []).append(r["memory"])
    colour = {p["name"]: PALETTE[i % len(PALETTE)] for i, p in enumerate(parts)}
    status = "OK" if not m["errors"] else "refused: %d error(s)" % len(m["errors"])
    s.text(10, s.y, "Partition map of %s (%s)" % (m["file"], status), 18, "bold",
           RED if m["errors"] else "#000")
    s.y += 8

    # Physical CPUs.
    s.heading("Physical CPUs")
    ncpus = max([m["board"]["cpus"]] + [c + 1 for p in parts for c in p["cpus"]])
    ncpus = max([ncpus] + [c + 1 for p in parts for c in p.get("refused_cpus", [])])
    owners = {c: [p["name"] for p in parts if c in p["cpus"] + p.get("refused_cpus", [])] for c in range(ncpus)}
    bw = min(110, BAR // max(ncpus, 1))
    for c in range(ncpus):
        o = owners[c]
        x = LEFT + c * bw
        fill = RED if len(o) > 1 else colour[o[0]] if o else "#ddd"
        s.rect(x, s.y, bw - 6, 36, fill, "overlap" if len(o) > 1 else None,
               "CPU %d: %s" % (c, ", ".join(o) or "no partition (the hypervisor's)"))
        s.text(x + 4, s.y + 15, "CPU %d" % c, 12, "bold")
        s.text(x + 4, s.y + 30, ("overlap: " if len(o) > 1 else "") + (", ".join(o) or "hypervisor only"), 10)
    s.y += 44

    # Physical memory, to scale, a lane per partition.
    s.heading("Physical memory")
    ram, hv = m["board"]["ram"], m["board"]["hypervisor"]
    for p in parts:
        p["all_memory"] = p["memory"] + p.get("refused_memory", [])
    ranges = [r for p in parts for r in p["all_memory"]]
    lo = min([ram[0]] + [r[0] for r in ranges])
    hi = max([ram[0] + ram[1]] + [r[0] + r[1] for r in ranges])
    x = scale(lo, hi)
    lanes = [("board RAM", [ram], "#eee"), ("hypervisor", [hv], "#555")] + \
            [(p["name"], p["all_memory"], colour[p["name"]]) for p in parts]
    top = s.y
    for name, rs, fill in lanes:
        s.text(10, s.y + 14, name, 12)
        for r in rs:
            s.rect(x(r[0]), s.y, x(r[0] + r[1]) - x(r[0]), 20, fill, None,
                   "%s: %s + %s" % (name, hexa(r[0]), size(r[1])))
            s.text(x(r[0]) + 3, s.y + 14, "%s +%s" % (hexa(r[0]), size(r[1])), 10,
                   fill="#fff" if fill == "#555" else "#000")
        s.y += 26
    # Overlaps: partitions with each other, with the hypervisor, outside RAM.
    bad = []
    for i, p in enumerate(parts):
        for r in p["all_memory"]:
            for q in parts[i + 1:]:
                bad += [(o, "%s and %s" % (p["name"], q["name"])) for o in
                        filter(None, (overlaps(r, t) for t in q["all_memory"]))]
            o = overlaps(r, hv)
            if o:
                bad.append((o, "%s and the hypervisor" % p["name"]))
            if r[0] < ram[0] or r[0] + r[1] > ram[0] + ram[1]:
                bad.append(((r[0], r[1]), "%s outside the board's RAM" % p["name"]))
    for (b, n), why in bad:
        s.rect(x(b), top, x(b + n) - x(b), s.y - top, RED, "overlap", "overlap: " + why)
    for (b, n), why in bad:
        s.text(LEFT, s.y + 14, "overlap: %s at %s +%s" % (why, hexa(b), size(n)), 12, "bold", RED, "overlap")
        s.y += 18

    # Each partition's guest layout.
    for p in parts:
        s.heading("Partition %s: CPUs %s" % (p["name"], ", ".join(map(str, p["cpus"])) or "none"))
        rows = []
        for r in p["regions"]:
            what = {"gicd": "GIC distributor", "gicr": "GIC redistributors", "gicc": "GIC CPU interface",
                    "pci-ecam": "PCIe configuration space", "passthrough": "passed-through window"}.get(
                        r["kind"], r["name"] or r["kind"])
            rows.append(("virtual" if r["kind"] != "passthrough" else "passthrough", what,
                         "%s +%s" % (hexa(r["base"]), size(r["size"])), "INTID %d" % r["intid"] if r["intid"] else ""))
        for t in p["passthrough"]:
            rows.append(("passthrough", "%s = %s" % (t["name"], t["device"]),
                         ", ".join("%s +%s" % (hexa(w[0]), size(w[1])) for w in t["windows"]),
                         "INTID " + ", ".join(map(str, t["intids"])) if t["intids"] else ""))
        for f in p["pci"]:
            rows.append(("PCIe", "%s = function %s" % (f["name"], f["bdf"]), "", "INTID %d" % f["intid"]))
        for d in p["disks"]:
            rows.append(("disk", "%s on %s" % (d["node"], d["backend"]),
                         "whole disk" if d["whole"] else "sectors %d +%d" % (d["start"], d["sectors"]),
                         ("read-only " if d["read_only"] else "") + ("shared" if d["shared"] else "")))
        for n in p["nets"]:
            rows.append(("network", "%s on segment %s" % (n["node"], n["segment"]), "", ""))
        s.rect(10, s.y, 8, 18 * len(rows) + 4, colour[p["name"]], "partition", p["name"], stroke="none")
        for kind, what, where, irq in rows:
            s.y += 18
            s.text(26, s.y, kind, 11, fill="#666")
            s.text(LEFT, s.y, what, 12)
            s.text(LEFT + 380, s.y, where, 12)
            s.text(LEFT + 720, s.y, irq, 12)
        s.y += 8

    # Disks: each backend's sectors, a lane per window.
    disks = [(p["name"], d) for p in parts for d in p["disks"]]
    if disks:
        s.heading("Disks")
    for be in m["backends"]:
        ws = [(n, d) for n, d in disks if d["backend"] == be]
        if not ws:
            continue
        end = max(d["start"] + d["sectors"] for _, d in ws)
        x = scale(0, max(end, 1))
        s.text(10, s.y + 14, be, 12, "bold")
        top = s.y
        for n, d in ws:
            w0, w1 = (0, end) if d["whole"] else (d["start"], d["sectors"])
            s.rect(x(w0), s.y, x(w0 + w1) - x(w0), 20, colour[n], None, "%s/%s" % (n, d["node"]))
            s.text(x(w0) + 3, s.y + 14, "%s/%s: %d +%d" % (n, d["node"], w0, w1), 10)
            s.y += 24
        for i, (n, d) in enumerate(ws):
            for m2, e in ws[i + 1:]:
                if n == m2 or (d["shared"] and e["shared"]):
                    continue
                o = overlaps((d["start"], d["sectors"]), (e["start"], e["sectors"]))
                if o:
                    s.rect(x(o[0]), top, x(o[0] + o[1]) - x(o[0]), s.y - top, RED, "overlap",
                           "overlap: %s and %s" % (n, m2))
                    s.text(LEFT, s.y + 14, "overlap: %s and %s on %s, sectors %d +%d" % (n, m2, be, o[0], o[1]),
                           12, "bold", RED, "overlap")
                    s.y += 18
        s.y += 6

    # Network segments.
    if m["segments"]:
        s.heading("Network segments")
    for seg in m["segments"]:
        on = [p["name"] for p in parts for n in p["nets"] if n["segment"] == seg["name"]]
        s.text(10, s.y + 16, seg["name"], 12, "bold")
        s.line(LEFT, s.y + 12, W - 30, s.y + 12)
        xx = LEFT + 10
        for name in on + (["uplink (physical NIC)"] if seg["uplink"] else []):
            wbox = 8 * len(name) + 16
            s.rect(xx, s.y, wbox, 24, colour.get(name, "#ddd"))
            s.text(xx + 8, s.y + 16, name, 12)
            xx += wbox + 20
        s.y += 32

    if m["errors"]:
        s.heading("Errors (hvcheck refuses this file)")
        for e in m["errors"]:
            s.y += 16
            s.text(10, s.y, e, 11, fill=RED, cls="error")
    return s.svg("Partition map of " + m["file"])


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: partmap.py MAP.json OUT.svg")
    with open(sys.argv[1], encoding="utf-8") as f:
        m = json.load(f)
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(draw(m))


if __name__ == "__main__":
    main()
