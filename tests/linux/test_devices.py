#!/usr/bin/python3
"""One partition with one of every device kind at its documented maximum
(virtio-console, virtio-rng, four virtio-blk, virtio-net): the hypervisor
lays them out, the checker accepts the file, and Debian's kernel finds every
one with its own drivers: the shell on /dev/hvc0, /dev/hwrng from
virtio_rng, vda..vdd with their windows' sizes (vdb read-only), eth0 with
the configured MAC reaching the second partition on the segment. Before the
device registry, this file passed hvcheck and then no partition started
(the MMIO bus held 8 regions).
proves: PLATFORM-3, PLATFORM-6, PLATFORM-7
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import CACHE, Checks, Machine, O, pack  # noqa: E402

t = Checks()
T = O + "/tests/linux-devices"
os.makedirs(T, exist_ok=True)
PF = "tests/configs/good/linux-devices.dts"
r = subprocess.run([O + "/tools/hvcheck", "-L", O, "-L", CACHE, PF], capture_output=True, text=True)
t.check(r.returncode == 0, "hvcheck accepts the full partition", r.stderr.strip())
pack(PF, T + "/image")
m = Machine.boot(T + "/image", T + "/console.log", timeout=900)
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
seen = m.expect_all([UP % ("full", "full"), UP % ("peer", "peer")], timeout=900)
t.check(len(seen) == 2, "both partitions boot, full with 7 virtio devices")
m.focus = "full"


def sh(name, cmd, result_re, timeout=120):
    return m.run(name, cmd, result_re, timeout)


r = sh("full", "echo T\"\"TY=$(tty)", r"TTY=(\S+)[\r\n]")
t.check(r is not None and r.group(1) == "/dev/hvc0", "console: the shell runs on /dev/hvc0",
        r.group(0) if r else "no answer")
r = sh("full", "echo R\"\"NG=$(cat /sys/class/misc/hw_random/rng_current)", r"RNG=(\S+)[\r\n]")
t.check(r is not None and r.group(1).startswith("virtio_rng"), "rng: rng_current is virtio_rng",
        r.group(0) if r else "no answer")
r = sh("full", "echo H\"\"W=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c)",
       r"HW=\s*(\d+)[\r\n]")
t.check(r is not None and r.group(1) == "64", "rng: /dev/hwrng gives data")
# Each window is 2048 sectors; vdb is read-only.
for dev, ro in (("vda", "0"), ("vdb", "1"), ("vdc", "0"), ("vdd", "0")):
    r = sh("full", "echo D\"\"EV=%s:$(cat /sys/block/%s/size):$(cat /sys/block/%s/ro)" % (dev, dev, dev),
           r"DEV=%s:(\d*):(\d*)[\r\n]" % dev)
    t.check(r is not None and r.group(1) == "2048" and r.group(2) == ro,
            "disk %s: 2048 sectors, ro=%s" % (dev, ro), r.group(0) if r else "no answer")
# The disks are the windows in order: vda reads sector 0, vdd sector 6144
# of the RAM disk ("RAMDISK-SECTOR-%08d").
r = sh("full", "dd if=/dev/vdd bs=512 count=1 2>/dev/null | head -c 23; echo", r"(RAMDISK-SECTOR-\d{8})")
t.check(r is not None and r.group(1) == "RAMDISK-SECTOR-00006144", "vdd is the fourth window",
        r.group(0) if r else "no answer")
r = sh("full", "echo N\"\"ET=$(cat /sys/class/net/eth0/address)", r"NET=(\S+)[\r\n]")
t.check(r is not None and r.group(1) == "02:00:00:00:00:01", "net: eth0 with the configured MAC",
        r.group(0) if r else "no answer")
r = sh("peer", "ip addr add 10.0.3.2/24 dev eth0 && ip link set eth0 up; echo U\"\"P=$?",
       r"UP=(\d+)[\r\n]")
t.check(r is not None and r.group(1) == "0", "peer: eth0 up")
r = sh("full", "ip addr add 10.0.3.1/24 dev eth0 && ip link set eth0 up && "
       "ping -c 2 -W 5 10.0.3.2 >/dev/null; echo P\"\"ING=$?", r"PING=(\d+)[\r\n]", timeout=300)
t.check(r is not None and r.group(1) == "0", "net: full pings peer over the segment")
log = m.log()
t.check("malformed request" not in log, "no malformed request from Linux's drivers")
m.kill()
t.finish()
