#!/usr/bin/python3
"""Passthrough of the board's platform devices to one Linux partition
(tests/configs/good/linux-passthrough.dts): "owner" gets QEMU virt's pl061
GPIO with the board's gpio-keys node, its pl031 RTC and a second
virtio-net-device on a page of its own (0x0a002000, dma-unconfined);
"other" gets none of them, and a virtio-net on a segment whose uplink is the
hypervisor's own physical virtio-net (the top slot, after the passed-through
one in slot order). The board's device tree is QEMU's with the same devices
(-machine dumpdtb), given to hvcheck and hvpack with --board.

- hvcheck accepts the file against that board and warns, naming the NIC's
  node, that its DMA is not confined;
- GPIO: QMP system_powerdown (the power button, pl061 line 3) reaches owner's
  gpio_keys: its interrupt count rises and /dev/input reads KEY_POWER;
  other has no GPIO chip and no such interrupt; both run on (the power
  button no longer stops the machine);
- RTC: owner's rtc0 is the pl031 and reads the date QEMU was given
  (-rtc base=2024-01-01, clock=vm) plus the virtual time elapsed; other has
  no RTC;
- NIC: owner's eth0 is Linux's own virtio_net on a002000.virtio_mmio and
  pings QEMU's user-network gateway; the hypervisor's driver took the top
  slot as its uplink and never the passed-through one; other reaches its own
  gateway through that uplink, and its read of the NIC's page ends in an
  abort in other only (the hypervisor logs it), both partitions running on;
- reset while interrupting: owner pings continuously and the power button
  is pressed, then owner does `reboot -f`; other answers and reaches the
  network meanwhile; owner comes back, and NIC, key and RTC work again.
proves: NET-3, NET-4, SENS-2, PLATFORM-3, PLATFORM-5
"""
import os
import re
import shlex
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import CACHE, Checks, Machine, O, board_dtb, pack  # noqa: E402

t = Checks()
T = O + "/tests/linux-passthrough"
os.makedirs(T, exist_ok=True)
PF = "tests/configs/good/linux-passthrough.dts"
BOARD, SOCK, IMAGE = T + "/board.dtb", T + "/qmp.sock", T + "/image"
RTC_BASE = 1704067200  # 2024-01-01T00:00:00Z, console.DETERMINISTIC's -rtc base
start = time.time()

# The QEMU devices of the board: the partition file's first line.
with open(PF) as f:
    QARGS = shlex.split(re.match(r"// qemu-devices: (.*)", f.readline()).group(1))

for p in (BOARD, SOCK):
    if os.path.exists(p):
        os.unlink(p)
rc = board_dtb(BOARD, QARGS)
t.check(rc == 0 and os.path.exists(BOARD) and os.path.getsize(BOARD) > 0,
        "QEMU dumps the board's device tree with the test's devices (-machine dumpdtb)", "exit %s" % rc)
r = subprocess.run([O + "/tools/hvcheck", "--board", BOARD, "-L", O, "-L", CACHE, PF],
                   capture_output=True, text=True)
out = (r.stdout + r.stderr).strip()
t.check(r.returncode == 0, "PLATFORM-3: hvcheck --board accepts the board's GPIO, RTC and NIC given "
        "to one partition", out[:300])
warn = [x for x in out.splitlines() if re.search(r"warn", x, re.I)]
t.check(any(re.search(r"passthrough/nic|virtio_mmio@a002000", x) for x in warn),
        "NET-4: hvcheck warns that the NIC's DMA is not confined, naming its node", out[:300])
t.check(not any(re.search(r"passthrough/(gpio|rtc)|pl061|pl031", x) for x in warn),
        "hvcheck warns about no other passed-through device", "; ".join(warn)[:300])
try:
    pack(PF, IMAGE, board=BOARD)
except subprocess.CalledProcessError as e:
    t.check(False, "hvpack --board packs the partition file", str(e))
    t.finish()

m = Machine.boot(IMAGE, T + "/console.log", timeout=900, extra=QARGS, qmp=SOCK)
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
seen = m.expect_all([UP % ("owner", "owner"), UP % ("other", "other")], timeout=900)
t.check(len(seen) == 2, "both partitions boot, owner with the board's GPIO, RTC and NIC")
m.focus = "owner"


def sh(name, cmd, timeout=120):
    """Run cmd in name's shell; its exit status, or None."""
    r = m.run(name, "%s; echo R\"\"C=$?" % cmd, r"RC=(\d+)[\r\n]", timeout)
    return int(r.group(1)) if r else None


def num(name, cmd, timeout=60):
    """The number cmd prints in name's shell, or None."""
    r = m.run(name, "echo N\"\"UM=$(%s)/" % cmd, r"NUM=(-?\d+)/", timeout)
    return int(r.group(1)) if r else None


def text(name, cmd, timeout=60):
    """What cmd prints (one line, no '/'), or None."""
    r = m.run(name, "echo T\"\"XT=$(%s)/" % cmd, r"TXT=([^/\r\n]*)/", timeout)
    return r.group(1).strip() if r else None


def alive(name):
    return sh(name, "true", 60) == 0


def seen(pattern, since=0, timeout=60):
    """pattern in the console from offset since of the log: already read
    (while waiting for another partition's answer) or still to come."""
    return re.search(pattern, m.log()[since:]) is not None or m.expect(pattern, timeout) is not None


# The gpio-keys line in /proc/interrupts (its child interrupt of the pl061,
# "GPIO Key Poweroff"; the pl061's own if Linux lists it): lines and the sum
# of their per-CPU counts.
IRQ_RE = "pl061|GPIO Key|gpio-keys|gpio_keys"


def key_irqs(name):
    r = m.run(name, "echo I\"\"RQ=$(grep -cE '%s' /proc/interrupts)/$(grep -E '%s' /proc/interrupts | "
              "awk '{for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i} END {print s + 0}')/"
              % (IRQ_RE, IRQ_RE), r"IRQ=(\d+)/(\d+)/")
    return (int(r.group(1)), int(r.group(2))) if r else (None, None)


def key_event_device(name):
    """The /dev/input/event* of the gpio-keys input device, or ''."""
    return text(name, "for e in /sys/class/input/event*; do [ \"$(cat $e/device/name 2>/dev/null)\" = "
                "gpio-keys ] && echo ${e##*/}; done")


def press_power(name, when):
    """Read two events from owner's key device in the background, press the
    power button (QMP system_powerdown), and check the events: KEY_POWER
    (EV_KEY 1, code 116) down, then EV_SYN."""
    ev = key_event_device(name)
    t.check(ev is not None and ev.startswith("event"), "SENS-2: %s: gpio_keys made an input device "
            "(/dev/input/event*, name gpio-keys)%s" % (name, when), "%r" % ev)
    if not ev or not ev.startswith("event"):
        return
    n0, c0 = key_irqs(name)
    t.check(n0 is not None and n0 >= 1, "SENS-2: %s: /proc/interrupts has the gpio-keys interrupt%s"
            % (name, when), "%s lines" % n0)
    # evdev reads whole events (24 bytes on arm64): two reads of one.
    sh(name, "rm -f /tmp/ev; (dd if=/dev/input/%s bs=24 count=2 2>/dev/null | od -An -tx1 >/tmp/ev &)" % ev)
    # The key is pressed once the reader has the device open (evdev queues
    # events only for open readers).
    sh(name, "i=0; until ls -l /proc/[0-9]*/fd 2>/dev/null | grep -q /dev/input/%s; do "
       "[ $i -gt 100 ] && break; sleep 0.1; i=$((i+1)); done" % ev)
    m.qmp().cmd("system_powerdown")
    r = m.run(name, "i=0; while [ $(wc -c </tmp/ev) -lt 140 ] && [ $i -lt 100 ]; do sleep 0.2; "
              "i=$((i+1)); done; echo E\"\"V=$(cat /tmp/ev)/", r"EV=([0-9a-f ]*)/", 180)
    b = r.group(1).split() if r else []
    t.check(len(b) == 48 and b[16:20] == ["01", "00", "74", "00"] and b[20:24] == ["01", "00", "00", "00"],
            "SENS-2: %s: the power button (QMP system_powerdown) reads as KEY_POWER down from /dev/input/%s%s"
            % (name, ev, when), " ".join(b) if b else "no event")
    n1, c1 = key_irqs(name)
    t.check(c0 is not None and c1 is not None and c1 > c0,
            "SENS-2: %s: the gpio-keys interrupt count rose (%s -> %s)%s" % (name, c0, c1, when))


def rtc_check(name, when, not_before=None):
    """owner's rtc0 is the pl031 and reads QEMU's date: the base plus about
    the virtual time elapsed (at least the partition's uptime)."""
    rname = text(name, "cat /sys/class/rtc/rtc0/name")
    t.check(rname is not None and "pl031" in rname, "SENS-2: %s: rtc0 is the board's pl031%s" % (name, when),
            "%r" % rname)
    r = m.run(name, "echo R\"\"TC=$(cat /sys/class/rtc/rtc0/since_epoch)/$(cut -d. -f1 /proc/uptime)/"
              "$(hwclock -r -u 2>&1)/", r"RTC=(\d+)/(\d+)/([^/\r\n]*)/")
    if not t.check(r is not None, "SENS-2: %s: the RTC reads%s" % (name, when)):
        return None
    epoch, up, hw = int(r.group(1)), int(r.group(2)), r.group(3)
    d = epoch - RTC_BASE - up
    lo = 0 if not_before is None else not_before - RTC_BASE
    t.check(-2 <= d and epoch - RTC_BASE >= lo and (not_before is not None or d <= 30),
            "SENS-2: %s: the RTC reads the date QEMU was given, 2024-01-01 plus the virtual time "
            "(%d s after it, uptime %d s)%s" % (name, epoch - RTC_BASE, up, when))
    t.check("2024" in hw and "Jan" in hw, "SENS-2: %s: busybox hwclock reads the same date%s" % (name, when),
            hw)
    return epoch


def nic(name):
    """The interface on the passed-through virtio-mmio device and its driver."""
    r = m.run(name, "for i in /sys/class/net/*; do case $(readlink -f $i/device) in "
              "*/a002000.virtio_mmio/*) echo N\"\"IC=${i##*/}:$(basename $(readlink $i/device/driver))/;; "
              "esac; done; echo N\"\"IC=none/", r"NIC=(\w+)(?::(\S*?))?/")
    return (r.group(1), r.group(2)) if r and r.group(1) != "none" else (None, None)


def nic_ping(name, when):
    ifc, drv = nic(name)
    t.check(ifc is not None and drv == "virtio_net",
            "NET-3: %s: Linux's own virtio_net drives the passed-through a002000.virtio_mmio as %s%s"
            % (name, ifc, when), "%s %s" % (ifc, drv))
    if ifc is None:
        return
    rc = sh(name, "ip addr add 10.0.2.15/24 dev %s && ip link set %s up && ping -c 3 -W 5 10.0.2.2 >/dev/null"
            % (ifc, ifc), 300)
    t.check(rc == 0, "NET-4: %s pings QEMU's user-network gateway 10.0.2.2 through its own NIC%s" % (name, when),
            "rc %s" % rc)
    return ifc


# ---- GPIO ----
press_power("owner", "")
n, _ = key_irqs("other")
t.check(n == 0, "PLATFORM-3: other's /proc/interrupts has no gpio-keys or pl061 interrupt", "%s lines" % n)
n = num("other", "ls /sys/class/gpio /sys/bus/gpio/devices 2>/dev/null | grep -c gpiochip")
t.check(n == 0, "PLATFORM-3: other has no GPIO chip", "%s" % n)
n = num("other", "ls /sys/bus/amba/devices /sys/bus/platform/devices 2>/dev/null | "
        "grep -cE '9030000|9010000|a002000|gpio-keys'")
t.check(n == 0, "PLATFORM-3: other has none of the passed-through devices (amba, platform)", "%s" % n)
n = num("other", "ls /dev/input 2>/dev/null | grep -c event")
t.check(n == 0, "other has no input device", "%s" % n)
time.sleep(2)
t.check(alive("owner") and alive("other") and m.p.isalive(),
        "the power button no longer stops the machine: both partitions answer after system_powerdown")

# ---- RTC ----
t0 = rtc_check("owner", "")
n = num("other", "ls -d /dev/rtc* /sys/class/rtc/rtc* 2>/dev/null | wc -l")
t.check(n == 0, "SENS-2: other has no RTC (no /dev/rtc*, no /sys/class/rtc/rtc*)", "%s" % n)

# ---- NIC ----
ifc = nic_ping("owner", "")
t.check(sh("other", "ip addr add 10.0.2.16/24 dev eth0 && ip link set eth0 up && "
           "ping -c 3 -W 5 10.0.2.2 >/dev/null", 300) == 0,
        "other reaches its own gateway through the hypervisor's uplink (the top slot's NIC)")
log = m.log()
hv = [x for x in log.splitlines() if x.startswith("bulkhead: ")]
t.check(any("virtio-net@a003e00: uplink" in x for x in hv),
        "the hypervisor's driver took the top slot's NIC (a003e00) as its uplink",
        "; ".join(x for x in hv if "virtio" in x)[:300])
probe = [x for x in hv if re.search(r"virtio-\w+@a002000\b|virtio-rng at 0xa002000\b", x)]
t.check(not probe, "NET-4: the hypervisor's drivers never probed the passed-through NIC's slot (a002000)",
        "; ".join(probe)[:300])
# other reads the NIC's page: an abort in other only.
rc = sh("other", "devmem 0x0a002000 32", 120)
t.check(rc is not None and rc >= 128, "PLATFORM-5: other's read of the passed-through NIC's page "
        "(devmem 0x0a002000) ends in a signal (an abort)", "rc %s" % rc)
t.check(seen(r"bulkhead: warn: other: data abort: [^\r\n]*0xa002000"),
        "PLATFORM-5: the hypervisor logged other's data abort at 0xa002000")
t.check(alive("other") and alive("owner"), "PLATFORM-5: both partitions run on after other's abort")
if ifc:
    t.check(sh("owner", "ping -c 2 -W 5 10.0.2.2 >/dev/null", 300) == 0,
            "NET-4: owner's NIC still works after other's attempt")

# ---- reset while interrupting ----
if ifc:
    sh("owner", "(ping -q -A 10.0.2.2 >/dev/null 2>&1 &)")
    a = num("owner", "cat /sys/class/net/%s/statistics/rx_packets" % ifc)
    time.sleep(2)
    b = num("owner", "cat /sys/class/net/%s/statistics/rx_packets" % ifc)
    t.check(a is not None and b is not None and b > a + 5,
            "owner's NIC interrupts continuously (ping -A: %s -> %s packets received)" % (a, b))
m.qmp().cmd("system_powerdown")  # the GPIO line rises too
m.focus_to("owner")
mark = len(m.log())
m.p.send("reboot -f\r")
ok = all(alive("other") for _ in range(3))
t.check(ok, "PLATFORM-5: other answers while owner reboots with its devices interrupting")
t.check(sh("other", "ping -c 2 -W 5 10.0.2.2 >/dev/null", 300) == 0,
        "other reaches the network while owner reboots")
t.check(seen(UP % ("owner", "owner"), mark, 900), "owner boots again after reboot -f")
t.check(alive("other"), "other answers after owner's reboot")
nic_ping("owner", " after reboot -f")
press_power("owner", " after reboot -f")
rtc_check("owner", " after reboot -f", t0)

log = m.log()
m.kill()
t.check("PANIC" not in log, "no hypervisor panic")
faults = [x for x in log.splitlines() if re.match(r"bulkhead: warn: owner: (data abort|instruction abort|"
                                                   r"bad emulated|unsupported call|system register|"
                                                   r"unhandled exception|SError|SGI outside|refused PSCI)", x)]
t.check(not faults, "no fault of owner's (its devices are its own)", "; ".join(faults)[:300])
t.check("all partitions stopped" not in log, "the machine never powered off")
BAD = r"nobody cared|Disabling IRQ|Unhandled|Internal error|Oops|BUG|WARNING|probe .*failed|timed out"
bad = [x for x in log.splitlines() if x.startswith("[owner] ") and re.search(BAD, x)]
t.check(not bad, "owner's kernel logged no interrupt storm, fault or driver error", "; ".join(bad[:3])[:300])
print("time: %.0f s" % (time.time() - start), flush=True)
t.finish()
