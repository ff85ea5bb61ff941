#!/usr/bin/python3
"""Opens a static HTML file in headless Chromium (Debian's chromium): its
DOM as the browser parsed it, and a screenshot. Prints one line per
question asked on the command line, for the shell tests:

    html_render.py FILE.html OUTDIR [count SELECTOR-REGEX]... [red]

count R: how many times the regex R matches the browser's DOM;
red: how many pixels of the screenshot are #c00 (the not-met colour).
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from screen import png_rgb  # noqa: E402


def chromium(args):
    return subprocess.run(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", "--user-data-dir=" + PROFILE] + args,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          timeout=120)


html_file, out = os.path.abspath(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
PROFILE = os.path.abspath(os.path.join(out, "chromium-profile"))
url = "file://" + html_file
dom = chromium(["--dump-dom", url]).stdout.decode("utf-8", "replace")
with open(os.path.join(out, "dom.html"), "w", encoding="utf-8") as f:
    f.write(dom)
args = sys.argv[3:]
i = 0
while i < len(args):
    if args[i] == "count":
        print("count %d" % len(re.findall(args[i + 1], dom)))
        i += 2
    elif args[i] == "red":
        png = os.path.join(out, "screenshot.png")
        chromium(["--screenshot=" + png, "--window-size=1200,3000", url])
        w, h, rows = png_rgb(png)
        print("red %d" % sum(1 for r in rows for k in range(0, len(r), 3) if r[k:k + 3] == b"\xcc\x00\x00"))
        i += 1
    else:
        sys.exit("html_render.py: unknown question " + args[i])
