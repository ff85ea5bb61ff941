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
UP = r"\[%s\] bulkhead-linux: userspace up on %s with (\d) CPU\(s\)"  # the whole "CPU(s)": log() below reads the file
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

SUMS = ("awk '/arch_timer/{for(i=2;i<=NF;i++)if($i~/^[0-9]+$/)t+=$i}"
        "/^ *IPI/{for(i=2;i<=NF;i++)if($i~/^[0-9]+$/)p+=$i}END{print \"TI\" \"MER=\" t \" IPI=\" p}' "
        "/proc/interrupts")


def interrupts(name):
    r = m.run(name, SUMS, r"TIMER=(\d+) IPI=(\d*)[\r\n]")
    return (int(r.group(1)), int(r.group(2) or 0)) if r else None


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

for name, ip, other in (("alpha", "10.0.2.15", "10.0.2.16"), ("beta", "10.0.2.16", "10.0.2.15")):
    r = m.run(name, "ip addr add %s/24 dev eth0 && ip link set eth0 up; echo E\"\"TH=$?" % ip, r"ETH=(\d+)[\r\n]")
    t.check(r is not None and r.group(1) == "0", "%s: its virtio-net (eth0) comes up" % name)
r = m.run("alpha", "ping -c 2 -W 5 10.0.2.16 >/dev/null; echo P\"\"ING=$?", r"PING=(\d+)[\r\n]", 120)
t.check(r is not None and r.group(1) == "0", "alpha pings beta through the switch")
r = m.run("beta", "ping -c 2 -W 5 10.0.2.2 >/dev/null; echo P\"\"ING=$?", r"PING=(\d+)[\r\n]", 120)
t.check(r is not None and r.group(1) == "0", "beta reaches QEMU's user network through the uplink")

for name, cpus in (("alpha", 2), ("beta", 1)):
    r = m.run(name, "echo NPROC=$(nproc)", r"NPROC=(\d+)[\r\n]")
    t.check(r is not None and int(r.group(1)) == cpus, "%s: nproc shows %d" % (name, cpus),
            r.group(0) if r else "no answer")
    before = interrupts(name)
    r = m.run(name, "sleep 1; echo SLEPT-$((6*7))", r"SLEPT-42", timeout=300)
    t.check(r is not None, "%s: sleep 1 returns (timer interrupts work)" % name)
    after = interrupts(name)
    t.check(before and after and after[0] > before[0], "%s: arch_timer count rises" % name,
            "%s -> %s" % (before, after))
    if cpus > 1:
        t.check(before and after and after[1] > before[1], "%s: IPI count rises" % name,
                "%s -> %s" % (before, after))

# beta restarts; alpha must not notice.
m.focus_to("beta")
m.p.send("reboot -f\r")
t.check(m.expect(r"partition beta: restarting \(boot 2\)", 300) is not None,
        "reboot -f restarts beta")
t.check(m.expect(UP % ("beta", "beta"), 900) is not None, "beta boots again after reboot -f")
r = m.run("alpha", "echo ALIVE-$((5*5))", r"ALIVE-25")
t.check(r is not None, "alpha keeps running while beta restarts")
log = m.log()
t.check(log.count("[alpha] [    0.000000] Booting Linux") == 1, "alpha did not reboot")
t.check(log.count("[beta] [    0.000000] Booting Linux") == 2, "beta booted twice")

m.focus_to("alpha")
m.p.send("poweroff -f\r")
t.check(m.expect(r"bulkhead: partition alpha stopped", 300) is not None, "poweroff -f stops alpha")
r = m.run("beta", "echo STILL-$((8*8))", r"STILL-64")
t.check(r is not None, "beta runs on after alpha's poweroff")
m.p.send("poweroff -f\r")
t.check(m.expect(r"all partitions stopped: powering off", 300) is not None,
        "the machine powers off when both are off")
rc = m.wait_exit()
t.check(rc == 0, "QEMU exits 0", "exit %s" % rc)
t.check("PANIC" not in m.log(), "no hypervisor panic")
t.finish()
