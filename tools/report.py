#!/usr/bin/python3
"""The compliance report (PLATFORM-1): every requirement ID of the
requirements file (read from it, never copied), the tests whose `proves:`
tags name it, each test's last result (from the logs `make test` left) and
its date; an ID with no passing test is not met. Writes compliance.md and
compliance.html (one static file) into the output directory. With
--bench, the figures of the last `make bench` (its output) in a second
table; with --map, the partition map (an SVG of tools/partmap.py) inside
the HTML and beside the Markdown.

    report.py --requirements FILE --tests DIR --logs DIR [--bench FILE] [--map FILE.svg] --out DIR

Reads only below the directories and the file it is given; runs nothing.
"""
import argparse
import datetime
import html
import os
import re
import sys

ID = re.compile(r"\b([A-Z][A-Z0-9]*-[0-9]+)\b")
ROW = re.compile(r"^\|\s*([A-Z][A-Z0-9]*-[0-9]+)\s*\|\s*(.*?)\s*\|\s*$")


def requirements(path):
    reqs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = ROW.match(line.strip())
            if m:
                reqs.append((m.group(1), m.group(2)))
    return reqs


def proves_tags(tests_dir):
    """test file (relative to tests_dir) -> the IDs its proves: tags name."""
    out = {}
    for root, dirs, files in os.walk(tests_dir):
        dirs.sort()
        for fn in sorted(files):
            if not fn.startswith("test_") or not fn.endswith((".c", ".sh", ".py")):
                continue
            with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                text = f.read()
            ids = set()
            lines = text.split("\n")
            for i, line in enumerate(lines):
                k = line.find("proves:")
                if k < 0:
                    continue
                chunk = [line[k + 7:]]
                # A list that goes on: lines that start (after a comment's
                # "*" or "#") with an ID.
                for nxt in lines[i + 1:]:
                    body = nxt.strip().lstrip("*#").strip()
                    if not ID.match(body):
                        break
                    chunk.append(body)
                ids.update(ID.findall(" ".join(chunk).split("*/")[0].split('"""')[0]))
            if ids:
                rel = os.path.relpath(os.path.join(root, fn), tests_dir)
                out[rel] = ids
    return out


def log_of(rel):
    """The log tests/lib/run.sh writes for the test at rel (under tests/)."""
    name = os.path.splitext(os.path.basename(rel))[0]
    return ("unit-" if rel.startswith("unit" + os.sep) else "") + name + ".log"


def result(log):
    """'pass', 'fail' or None (no log) for one test's log."""
    if not os.path.isfile(log):
        return None, None
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    when = datetime.datetime.fromtimestamp(os.path.getmtime(log)).strftime("%Y-%m-%d %H:%M")
    passed = len(re.findall(r"^PASS: ", text, re.M)) + sum(
        int(n) for n in re.findall(r"^\[  PASSED  \] (\d+) test", text, re.M))
    failed = len(re.findall(r"^FAIL: ", text, re.M)) + sum(
        int(n) for n in re.findall(r"^\[  FAILED  \] (\d+) test", text, re.M))
    return ("pass" if passed and not failed else "fail"), when


def bench_rows(path):
    """(section, figure) for each line of make bench's output, and its date;
    ([], None) when there is none."""
    if not path or not os.path.isfile(path):
        return [], None
    rows, section = [], ""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip()
            if line.startswith("== "):
                section = line[3:]
            elif line.strip() and section:
                rows.append((section, line.strip()))
    when = datetime.datetime.fromtimestamp(os.path.getmtime(path)).strftime("%Y-%m-%d %H:%M")
    return rows, when


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--requirements", required=True)
    ap.add_argument("--tests", required=True)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--bench")
    ap.add_argument("--map")
    a = ap.parse_args()
    try:
        reqs = requirements(a.requirements)
    except OSError as e:
        sys.exit("report: %s: %s" % (a.requirements, e.strerror))
    if not reqs:
        sys.exit("report: %s: no requirement rows (| ID | text |)" % a.requirements)
    tags = proves_tags(a.tests)
    rows = []
    for rid, text in reqs:
        tests = []
        for rel, ids in sorted(tags.items()):
            if rid in ids:
                res, when = result(os.path.join(a.logs, log_of(rel)))
                tests.append((rel, res or "not run", when or ""))
        met = any(r == "pass" for _, r, _ in tests)
        rows.append((rid, text, tests, met))
    os.makedirs(a.out, exist_ok=True)
    nmet = sum(1 for r in rows if r[3])
    md = ["# Compliance report", "",
          "%d of %d requirements met (a requirement is met when a test that proves it passed)." % (nmet, len(rows)),
          "", "| ID | status | tests (last result, date) |", "|---|---|---|"]
    for rid, text, tests, met in rows:
        t = "; ".join("%s (%s, %s)" % (rel, res, when) if when else "%s (%s)" % (rel, res)
                      for rel, res, when in tests) or "none"
        md.append("| %s | %s | %s |" % (rid, "met" if met else "**not met**", t))
    bench, bench_when = bench_rows(a.bench)
    md += ["", "## Benchmarks", ""]
    if bench:
        md += ["Figures of the last `make bench` (%s); QEMU with -icount, ratios against a baseline of the same run."
               % bench_when, "", "| measurement | figure |", "|---|---|"]
        md += ["| %s | %s |" % (sec, fig.replace("|", "/")) for sec, fig in bench]
    else:
        md.append("No `make bench` run recorded.")
    svg = None
    if a.map and os.path.isfile(a.map):
        with open(a.map, encoding="utf-8") as f:
            svg = f.read()
        svg = svg[svg.find("<svg"):] if "<svg" in svg else None
    md += ["", "## Partition map", "", "![partition map](%s)" % os.path.basename(a.map) if svg
           else "No partition map."]
    with open(os.path.join(a.out, "compliance.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(md) + "\n")
    h = ["<!DOCTYPE html>", "<html><head><meta charset=\"utf-8\"><title>Compliance report</title>",
         "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;"
         "padding:4px;vertical-align:top}.met{color:#060}.notmet{color:#fff;background:#c00}</style></head><body>",
         "<h1>Compliance report</h1>",
         "<p id=\"summary\">%d of %d requirements met.</p>" % (nmet, len(rows)),
         "<table id=\"requirements\"><tr><th>ID</th><th>requirement</th><th>status</th><th>tests</th></tr>"]
    for rid, text, tests, met in rows:
        t = "<br>".join(html.escape("%s (%s%s)" % (rel, res, ", " + when if when else ""))
                        for rel, res, when in tests) or "none"
        h.append("<tr id=\"%s\"><td>%s</td><td>%s</td><td class=\"%s\">%s</td><td>%s</td></tr>" % (
            html.escape(rid), html.escape(rid), html.escape(text), "met" if met else "notmet",
            "met" if met else "not met", t))
    h.append("</table>")
    h.append("<h2>Benchmarks</h2>")
    if bench:
        h.append("<p>Figures of the last <code>make bench</code> (%s); QEMU with -icount, ratios against a "
                 "baseline of the same run.</p>" % html.escape(bench_when))
        h.append("<table id=\"bench\"><tr><th>measurement</th><th>figure</th></tr>")
        h += ["<tr><td>%s</td><td>%s</td></tr>" % (html.escape(sec), html.escape(fig)) for sec, fig in bench]
        h.append("</table>")
    else:
        h.append("<p id=\"bench\">No <code>make bench</code> run recorded.</p>")
    h.append("<h2>Partition map</h2>")
    h.append("<div id=\"map\">%s</div>" % svg if svg else "<p id=\"map\">No partition map.</p>")
    h.append("</body></html>")
    with open(os.path.join(a.out, "compliance.html"), "w", encoding="utf-8") as f:
        f.write("\n".join(h) + "\n")
    print("report: %d of %d requirements met: %s" % (nmet, len(rows), os.path.join(a.out, "compliance.md")))


if __name__ == "__main__":
    main()
