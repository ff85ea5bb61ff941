#!/usr/bin/python3
"""make picture: the demo's display as a PNG (docs/demo-display.png): `make
run` with a QMP socket, both partitions up, their kernel consoles (fbcon)
on their windows of the ramfb display; a screendump once both windows show
text. Exits 1 when a window stays black.

Usage: tests/lib/demo_picture.py OUT.png"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from console import Machine, O, Qmp  # noqa: E402
from screen import screendump, unlit  # noqa: E402

out = sys.argv[1]
T = O + "/picture"
os.makedirs(T, exist_ok=True)
sock = os.path.abspath(T + "/qmp.sock")
if os.path.exists(sock):
    os.unlink(sock)
m = Machine(["make", "-s", "run", "O=" + O, "DEMO_DISK=" + os.path.abspath(T + "/disk.img"),
             "RUN_EXTRA=-qmp unix:%s,server=on,wait=off" % sock], T + "/console.log", timeout=900)
UP = r"\[%s\] bulkhead-linux: userspace up on"
if len(m.expect_all([UP % "alpha", UP % "beta"], timeout=900)) != 2:
    sys.exit("demo_picture: the partitions did not come up (%s)" % (T + "/console.log"))
qmp = Qmp(sock)
for _ in range(30):
    time.sleep(1)  # fbcon draws every 50 ms; the boot log is there by now
    if screendump(qmp, out) and not unlit(out, [(0, 0, 640, 800), (640, 0, 640, 800)]):
        m.kill()
        print("demo_picture: %s" % out)
        sys.exit(0)
m.kill()
sys.exit("demo_picture: a window stayed black (%s)" % out)
