#!/usr/bin/python3
"""`make run` boots the default demo: Debian's own arm64 kernel in two
partitions at once (alpha: 2 vCPUs on CPUs 1-2, beta: 1 vCPU on CPU 3).
Each reaches userspace and sees its own vCPU count, its timer interrupts
and IPIs rise, console input switches with Ctrl-], `reboot -f` restarts
only that partition, `poweroff -f` stops only that one, and QEMU exits 0
when both are off.
Both also get a disk, a virtio-rng and a virtio-net on one segment with
an uplink, and a virtio-gpu window on the ramfb display with their kernel
console on it.
proves: PLATFORM-3, PLATFORM-6, PLATFORM-8, CON-1, GPU2D-1
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, Machine, O, Qmp  # noqa: E402
from screen import screendump, unlit  # noqa: E402
from demo_checks import UP, cpus_and_interrupts, net_up, ping, poweroff_both, reboot_alone  # noqa: E402

t = Checks()
# DEMO_GIC=2 (tests/linux/test_demo_gicv2.py): the same demo on QEMU virt
# with a GICv2, which the hypervisor finds in the board's tree and gives
# each partition as a vGICv2.
GIC = os.environ.get("DEMO_GIC", "3")
D = O + "/tests/linux-demo" + ("-gicv2" if GIC == "2" else "")
os.makedirs(D, exist_ok=True)
DISK = D + "/disk.img"
if os.path.exists(DISK):
    os.unlink(DISK)  # make run creates a fresh one
QMP = os.path.abspath(D + "/qmp.sock")
if os.path.exists(QMP):
    os.unlink(QMP)
m = Machine(["make", "-s", "run", "O=" + O, "GIC=" + GIC, "DEMO_DISK=" + os.path.abspath(DISK),
             "RUN_EXTRA=-qmp unix:%s,server=on,wait=off" % QMP],
            D + "/console.log", timeout=900)
seen = m.expect_all([UP % ("alpha", "alpha"), UP % ("beta", "beta")], timeout=900)
t.check(len(seen) == 2, "both Linux partitions reach userspace at once", "saw %d" % len(seen))
log = m.log()
t.check("[alpha] bulkhead-linux: userspace up on alpha with 2 CPU(s)" in log, "alpha boots with 2 CPUs")
t.check("[beta] bulkhead-linux: userspace up on beta with 1 CPU(s)" in log, "beta boots with 1 CPU")
m.focus = "alpha"  # the hypervisor gives the first partition the focus
# The display: each partition's kernel console (fbcon on its virtio-gpu)
# in its window of the ramfb display, which `make run SCREEN=gtk` shows
# (and `make picture` saves as docs/demo-display.png).
shot = D + "/display.png"
dark = ["no screendump"]
for _ in range(20):
    if screendump(Qmp(QMP), shot):
        dark = unlit(shot, [(0, 0, 640, 800), (640, 0, 640, 800)])
        if not dark:
            break
    time.sleep(1)
t.check(not dark, "the display shows both partitions' consoles, each in its window", "black: %s" % dark)

t.check(("bulkhead: GIC: GICv%s," % GIC) in log, "the hypervisor drives the board's GICv%s" % GIC)
for name in ("alpha", "beta"):
    r = m.run(name, "echo G\"\"IC=$(cat /proc/device-tree/interrupt-controller@8000000/compatible)",
              r"GIC=(\S+)[\r\n]")
    want = "arm,cortex-a15-gic" if GIC == "2" else "arm,gic-v3"
    t.check(r is not None and r.group(1) == want, "%s: its tree describes the %s it gets" % (name, want),
            r.group(0) if r else "no answer")

for name, sectors in (("alpha", 262144), ("beta", 131072)):
    r = m.run(name, "echo V\"\"DA=$(cat /sys/block/vda/size)/$(cat /sys/block/vda/cache_type)/"
              "$(cat /sys/class/misc/hw_random/rng_current)", r"VDA=(\d+)/([a-z ]+)/(\S+)[\r\n]")
    t.check(r is not None and int(r.group(1)) == sectors and r.group(3).startswith("virtio_rng"),
            "%s: its disk (%d sectors) and virtio-rng are attached" % (name, sectors),
            r.group(0) if r else "no answer")

net_up(m, t, {"alpha": "10.0.2.15", "beta": "10.0.2.16"})
ping(m, t, "alpha", "10.0.2.16", "alpha pings beta through the switch")
ping(m, t, "beta", "10.0.2.2", "beta reaches QEMU's user network through the uplink")

for name, cpus in (("alpha", 2), ("beta", 1)):
    cpus_and_interrupts(m, t, name, cpus)
# beta restarts; alpha must not notice.
reboot_alone(m, t, "beta", "alpha")
poweroff_both(m, t, "alpha", "beta")
t.finish()
