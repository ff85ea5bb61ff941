#!/usr/bin/python3
"""Linux reads vehicle sensors over virtio-scmi with its own drivers (the
SCMI virtio transport and scmi-hwmon, in a kernel built from Debian's
linux-source-6.12), in two partitions with different sensor sets
(tests/configs/good/linux-scmi.dts):

- each partition's hwmon device scmi_sensors lists exactly its sensors,
  with their names and units (temp*, in*, curr* channels);
- a value the test writes on the host into a sensor's register (QEMU's
  RAM is a shared file) is what the guest's *_input reads next;
- the other partition's sensors do not exist for it: its count, names and
  readings say nothing of them;
- a bare-metal hostile SCMI driver in a third partition
  (tests/guests/scmiattack) gets each malformed message's status, and the
  two Linux partitions read their sensors as before.
proves: SENS-1, SENS-3, PLATFORM-5
"""
import mmap
import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import GIC_SUFFIX, Checks, Machine, O, pack  # noqa: E402

t = Checks()
T = O + "/tests/linux-scmi" + GIC_SUFFIX
os.makedirs(T, exist_ok=True)
pack("tests/configs/good/linux-scmi.dts", T + "/image")
RAM_BASE, RAM_SIZE = 0x40000000, 2 << 30
REG = {"coolant-temp": 0xbffff000, "battery": 0xbffff004, "outside-air": 0xbffff008,
       "cabin-current": 0xbffff00c}
ramfile = T + "/ram"
with open(ramfile, "wb") as f:
    f.truncate(RAM_SIZE)
ram = open(ramfile, "r+b")
mm = mmap.mmap(ram.fileno(), RAM_SIZE)


def set_sensor(name, value):
    """The register's signed 32-bit reading (milli-units)."""
    off = REG[name] - RAM_BASE
    mm[off:off + 4] = struct.pack("<i", value)
    mm.flush(off & ~0xfff, 4096)


for n, v in (("coolant-temp", 87500), ("battery", 13800), ("outside-air", -7250),
             ("cabin-current", 1250)):
    set_sensor(n, v)

SHM = ["-object", "memory-backend-file,id=ram0,size=2G,mem-path=%s,share=on" % ramfile,
       "-machine", "memory-backend=ram0"]
m = Machine.boot(T + "/image", T + "/console.log", timeout=600, extra=SHM)
UP = r"\[%s\] bulkhead-linux: userspace up on"
seen = m.expect_all([UP % n for n in ("cluster", "infotainment")], timeout=600)
t.check(len(seen) == 2, "both partitions boot the kernel built from linux-source-6.12")


def value(name, cmd, pattern=r"(\S*)", timeout=60):
    r = m.run(name, "echo V\"\"AL=$(%s)" % cmd, r"VAL=%s[\r\n]" % pattern, timeout)
    return r.group(1) if r else None


HW = "$(grep -l scmi_sensors /sys/class/hwmon/hwmon*/name | head -1 | xargs dirname)"


def channels(name):
    """{label: (channel file prefix)} of the partition's scmi_sensors."""
    out = value(name, "cd %s && for f in *_label; do echo -n ${f%%_label}=$(cat $f)' '; done" % HW,
                r"(.*?)")
    return dict((lbl, ch) for ch, lbl in re.findall(r"(\w+)=(\S+)", out or ""))


def read(name, ch):
    v = value(name, "cat %s/%s_input" % (HW, ch), r"(-?\d+)")
    return int(v) if v is not None else None


want = {"cluster": {"coolant-temp": "temp", "battery": "in", "outside-air": "temp"},
        "infotainment": {"outside-air": "temp", "cabin-current": "curr"}}
chans = {}
for n in ("cluster", "infotainment"):
    c = channels(n)
    chans[n] = c
    t.check(sorted(c) == sorted(want[n]) and all(c[k].startswith(want[n][k]) for k in c),
            "%s: scmi_sensors lists exactly its sensors, each with its unit" % n,
            "%s" % c)
# The values written before boot, in hwmon's units (m°C, mV, mA).
first = {"coolant-temp": 87500, "battery": 13800, "outside-air": -7250, "cabin-current": 1250}
for n in ("cluster", "infotainment"):
    got = {k: read(n, ch) for k, ch in chans[n].items()}
    t.check(got and all(got[k] == first[k] for k in got), "%s: each reads its register's value" % n,
            "%s" % got)
# New values from the host: the next reading has them.
set_sensor("coolant-temp", 104250)
set_sensor("outside-air", 31000)
set_sensor("cabin-current", -500)
c = chans["cluster"]
t.check(read("cluster", c.get("coolant-temp", "x")) == 104250 and read("cluster", c.get("outside-air", "x")) == 31000,
        "cluster: a value written on the host is the next reading")
i = chans["infotainment"]
t.check(read("infotainment", i.get("outside-air", "x")) == 31000 and read("infotainment", i.get("cabin-current", "x")) == -500,
        "infotainment: the shared sensor and its own, negative values too")
# Nothing of the other's: no third channel, no coolant anywhere in its tree.
t.check(value("infotainment", "grep -rl coolant /sys/class/hwmon/*/ 2>/dev/null | wc -l") == "0",
        "infotainment: the cluster's coolant sensor does not exist for it")
# The hostile driver beside them: every message answered with its status.
for _ in range(300):  # it started with the others; usually long done
    if re.search(r"\[attacker\] scmiattack: done: ", m.log()):
        break
    time.sleep(1)
t.check(re.search(r"\[attacker\] scmiattack: done: ", m.log()) is not None,
        "the hostile SCMI driver ran to its end")
# The neighbours read as before, after it.
t.check(read("cluster", c.get("coolant-temp", "x")) == 104250 and read("infotainment", i.get("outside-air", "x")) == 31000,
        "after the attack: the cluster and the infotainment read their sensors as before")
log = m.log()
ctl = re.search(r"\[attacker\] scmiattack: controls: (\d+)/(\d+) served", log)
t.check(ctl is not None and ctl.group(1) == ctl.group(2) and int(ctl.group(1)) >= 5,
        "attacker: its own sensor reads, synchronously and asynchronously",
        "; ".join(re.findall(r"scmiattack: control.*", log)))
done = re.search(r"\[attacker\] scmiattack: done: (\d+)/(\d+) refused", log)
t.check(done is not None and done.group(1) == done.group(2) and int(done.group(1)) >= 13,
        "attacker: every hostile message answered with its status",
        "; ".join(re.findall(r"scmiattack: (?:NOT REFUSED|done).*", log)))
t.check("[attacker] scmiattack: the platform serves after every case" in log,
        "attacker: the platform serves it again after every case")
t.check("PANIC" not in log, "no hypervisor panic")
t.check("misconfigured" not in log, "scmi-hwmon registers its temperatures without complaint")
t.check("malformed request" not in log, "Linux's SCMI driver never sent a malformed request")
t.check(not re.search(r"\] arm-scmi .*(error|fail|timed out)", log, re.I), "no SCMI error in either kernel's log",
        (re.search(r".*arm-scmi.*(error|fail|timed out).*", log, re.I) or [""])[0])
m.kill()
mm.close()
ram.close()
os.unlink(ramfile)
t.finish()
