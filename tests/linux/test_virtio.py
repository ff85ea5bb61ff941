#!/usr/bin/python3
"""Debian's kernel drives the hypervisor's virtio devices with its own
drivers (virtio_mmio, virtio-rng, virtio_console from the initramfs):
/dev/hwrng is virtio_rng, 1 MiB of it passes a byte chi-square test and
differs between partitions and between boots; console=hvc0 gives a shell
that answers commands.
proves: PLATFORM-7, RNG-1, CON-1
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, Machine, O, pack  # noqa: E402

t = Checks()
T = O + "/tests/linux-virtio"
os.makedirs(T, exist_ok=True)
pack("tests/configs/good/linux-virtio.dts", T + "/image")
m = Machine.boot(T + "/image", T + "/console.log", timeout=900)
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
seen = m.expect_all([UP % ("one", "one"), UP % ("two", "two")], timeout=900)
t.check(len(seen) == 2, "both partitions boot (one on virtio-console)")
m.focus = "one"

r = m.run("one", "echo T\"\"TY=$(tty)", r"TTY=(\S+)[\r\n]")
t.check(r is not None and r.group(1) == "/dev/hvc0", "console=hvc0: the shell runs on /dev/hvc0",
        r.group(0) if r else "no answer")
r = m.run("one", "echo $((6*7))-ANSWERED", r"42-ANSWERED")
t.check(r is not None, "the hvc0 shell answers commands")

samples = {}
for name in ("one", "two"):
    r = m.run(name, "echo R\"\"NG=$(cat /sys/class/misc/hw_random/rng_current)", r"RNG=(\S+)[\r\n]")
    t.check(r is not None and r.group(1).startswith("virtio_rng"),
            "%s: rng_current is virtio_rng" % name, r.group(0) if r else "no answer")
    r = m.run(name, "dd if=/dev/hwrng bs=4096 count=256 2>/dev/null | chisq",
              r"bytes=(\d+) chi2=([\d.]+) fnv=(\d+)[\r\n]", timeout=600)
    ok = r is not None and int(r.group(1)) == 1 << 20
    t.check(ok, "%s: 1 MiB read from /dev/hwrng" % name, r.group(0) if r else "no answer")
    if ok:
        chi2 = float(r.group(2))
        # 255 degrees of freedom: outside [180, 340] has probability < 1e-5.
        t.check(180 < chi2 < 340, "%s: byte chi-square %.2f is that of random data" % (name, chi2))
        samples[name] = r.group(3)
t.check(len(samples) == 2 and samples["one"] != samples["two"],
        "the two partitions get different random data")

# A reboot: the partition's DRBG is instantiated again from fresh entropy.
m.focus_to("two")
m.p.send("reboot -f\r")
t.check(m.expect(UP % ("two", "two"), 900) is not None, "two boots again")
r = m.run("two", "dd if=/dev/hwrng bs=4096 count=256 2>/dev/null | chisq",
          r"bytes=(\d+) chi2=([\d.]+) fnv=(\d+)[\r\n]", timeout=600)
t.check(r is not None and samples.get("two") and r.group(3) != samples["two"],
        "two's random data differs between boots")
log = m.log()
t.check("malformed request" not in log, "no malformed request from Linux's drivers")
t.check("bulkhead: crypto self-test passed" in log, "the SHA-256 known-answer self-test passed at boot")
for name in ("one", "two"):
    m.focus_to(name)
    m.p.send("poweroff -f\r")
t.check(m.wait_exit(300) == 0, "QEMU exits 0")
t.finish()
