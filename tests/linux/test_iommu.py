#!/usr/bin/python3
"""Debian's 6.12 kernel drives each partition's virtio-iommu with its own
virtio-iommu driver, strict (iommu.strict=1), in two partitions
(tests/configs/good/linux-iommu.dts). The hypervisor lets an endpoint reach
nothing until Linux attaches it and maps its buffers, so every transfer
below goes through Linux's mappings:

- the endpoints are in IOMMU groups of type DMA (translated, strict);
- disk: mke2fs, mount, write, sync, remount, read back with a checksum;
- network: 1 MiB over TCP between the partitions, checksum compared;
- rng: /dev/hwrng is virtio_rng and gives data;
- one reboots (its IOMMU resets, every endpoint loses its reach) and works
  again, while two's disk and network go on unaffected;
- no fault report, no malformed request, no hypervisor panic.
proves: IOMMU-1, IOMMU-2, IOMMU-12
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, Machine, O, disk_flags, pack  # noqa: E402

t = Checks()
T = O + "/tests/linux-iommu"
os.makedirs(T, exist_ok=True)
pack("tests/configs/good/linux-iommu.dts", T + "/image")
DISK = T + "/disk.img"
with open(DISK, "wb") as f:
    f.truncate(96 << 20)
NIC = ["-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
m = Machine.boot(T + "/image", T + "/console.log", timeout=900, extra=disk_flags(DISK) + NIC)
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
seen = m.expect_all([UP % (n, n) for n in ("one", "two")], timeout=900)
t.check(len(seen) == 2, "both partitions boot Linux 6.12 with a virtio-iommu")
IP = {"one": "10.0.3.1", "two": "10.0.3.2"}


def sh(name, cmd, timeout=120):
    """Run cmd in name's shell; its exit status, or None."""
    r = m.run(name, "%s; echo R\"\"C=$?" % cmd, r"RC=(\d+)[\r\n]", timeout)
    return int(r.group(1)) if r else None


def value(name, cmd, pattern=r"(\S*)", timeout=120):
    r = m.run(name, "echo V\"\"AL=$(%s)" % cmd, r"VAL=%s[\r\n]" % pattern, timeout)
    return r.group(1) if r else None


def groups(name):
    """Each IOMMU group's type and devices: 'DMA:a000200.virtio_mmio ...'."""
    return value(name, "for g in /sys/kernel/iommu_groups/*; do echo -n $(cat $g/type):$(ls $g/devices)' '; done",
                 r"(.*?)")


def disk_roundtrip(name, tag):
    ok = sh(name, "mke2fs -q /dev/vda >/dev/null 2>&1 && mount /dev/vda /mnt && "
            "dd if=/dev/urandom of=/mnt/data bs=65536 count=64 2>/dev/null && "
            "md5sum </mnt/data >/tmp/want && sync && umount /mnt && mount /dev/vda /mnt && "
            "md5sum </mnt/data >/tmp/got && umount /mnt && cmp /tmp/want /tmp/got", timeout=600)
    t.check(ok == 0, "%s: %s: mke2fs, write 4 MiB, sync, remount, read back: same checksum" % (name, tag),
            "rc %s" % ok)


def tcp(src, dst, tag):
    sh(dst, "rm -f /tmp/got; (sleep 9999 | nc -l -p 5000 >/tmp/got &)")
    sh(src, "dd if=/dev/urandom of=/tmp/send bs=4096 count=256 2>/dev/null")
    want = value(src, "md5sum </tmp/send | cut -c1-32")
    rc = sh(src, "nc %s 5000 </tmp/send" % IP[dst], timeout=300)
    r = m.run(dst, "i=0; while [ $(wc -c </tmp/got) -lt 1048576 ] && [ $i -lt 50 ]; do sleep 0.2; "
              "i=$((i+1)); done; echo G\"\"OT=$(md5sum </tmp/got | cut -c1-32)/$(wc -c </tmp/got)",
              r"GOT=([0-9a-f]{32})/(\d+)[\r\n]", timeout=120)
    t.check(rc == 0 and r is not None and r.group(1) == want and int(r.group(2)) == 1 << 20,
            "%s: %s sends 1 MiB to %s over TCP, checksum matches" % (tag, src, dst),
            "rc %s, %s" % (rc, r.group(0) if r else "nothing received"))


for n in ("one", "two"):
    g = groups(n) or ""
    found = re.findall(r"(\S+?):(\S+)", g)
    t.check(len(found) >= 3 and all(ty == "DMA" for ty, _ in found),
            "%s: its virtio devices are in IOMMU groups of type DMA (strict)" % n, g)
    drv = value(n, "basename $(readlink /sys/bus/virtio/drivers/virtio_iommu/virtio*/driver 2>/dev/null)")
    t.check(drv == "virtio_iommu", "%s: Linux's virtio_iommu driver is bound" % n, "%s" % drv)
    rng = value(n, "cat /sys/class/misc/hw_random/rng_current")
    got = value(n, "dd if=/dev/hwrng bs=4096 count=16 2>/dev/null | wc -c")
    t.check(rng is not None and rng.startswith("virtio_rng") and got == "65536",
            "%s: 64 KiB from /dev/hwrng (virtio_rng) through the mappings" % n, "%s %s" % (rng, got))
    t.check(sh(n, "ip addr add %s/24 dev eth0 && ip link set eth0 up" % IP[n]) == 0, "%s: eth0 up" % n)
    disk_roundtrip(n, "disk")

tcp("one", "two", "network")
tcp("two", "one", "network")

# one restarts: its IOMMU is reset with it (every endpoint back to no
# access) and Linux attaches and maps again; two goes on meanwhile.
m.focus_to("one")
m.p.send("reboot -f\r")
disk_roundtrip("two", "while one reboots")
t.check(m.expect(UP % ("one", "one"), 900) is not None, "one boots again after reboot -f")
t.check(sh("one", "ip addr add %s/24 dev eth0 && ip link set eth0 up" % IP["one"]) == 0, "one: eth0 up again")
disk_roundtrip("one", "after its reboot")
tcp("one", "two", "after one's reboot")

log = m.log()
t.check("IOMMU fault" not in log, "no IOMMU fault: every DMA of Linux's drivers was mapped")
t.check(re.search(r"one/virtio-iommu: 3 endpoint", log) is not None and
        re.search(r"two/virtio-iommu: 3 endpoint", log) is not None,
        "the hypervisor put three endpoints behind each IOMMU")
t.check("malformed request" not in log, "Linux's drivers never made a malformed request")
t.check("PANIC" not in log, "no hypervisor panic")
m.kill()
t.finish()
