#!/usr/bin/python3
"""Storage partitioning on one physical disk, with Debian's own virtio_blk
driver in two partitions (tests/configs/good/linux-blk.dts). The disk is a
QEMU virtio-blk-device the hypervisor drives itself; QEMU's block-layer
counters (QMP query-blockstats) show what reached it.

- each partition makes an ext2 filesystem on its window, writes and
  verifies a file; after QEMU is gone the host finds each window holding
  only its own partition's data and every byte outside the windows as it
  was;
- the read-only disk reads the host's bytes and refuses writes;
- after write + sync, `reboot -f` of a partition: the file is there on the
  next boot;
- write policy: a normal disk in write back sends no flush with a write; in
  write through (switched through /sys/block/vdX/cache_type) every write is
  followed by a flush at the physical disk; a reliable disk is write through
  and cannot be switched; QEMU killed right after a write on the reliable
  disk completed: the data is in the image;
- blkdiscard and write-zeroes (with and without UNMAP) reach the physical
  disk: the host finds the ranges zeroed, and deallocated where unmapped;
- a RAM disk from the image (the other backend behind the same interface)
  reads the image's bytes, takes writes, and keeps them across a partition
  reset.
proves: BLK-1, BLK-2, BLK-3, BLK-4, BLK-5, BLK-6, BLK-7
"""
import hashlib
import os
import signal
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, Machine, O, Qmp, disk_flags, pack  # noqa: E402

MiB = 1 << 20
SECT = 512
DISK_SECTORS = 128 * MiB // SECT
# name: (first sector, sectors), as in linux-blk.dts
WIN = {"one-0": (2048, 65536), "one-1": (81920, 16384),
       "two-0": (114688, 65536), "two-1": (196608, 16384)}
RAM_SECTORS = 8192  # guests/ramdisk.img: 4 MiB


def sector_fill(i):
    s = b"UNTOUCHED-SECTOR-%08d\n" % i
    return s + b"." * (SECT - len(s))


def pattern(n):
    """tests/lib/linux/blkop.c's pattern for device offsets [0, n)."""
    out = bytearray(n)
    for q in range(0, n, 8):
        x = (((q >> 3) + 1) * 0x9E3779B97F4A7C15) & (2**64 - 1)
        x ^= x >> 32
        out[q:q + 8] = x.to_bytes(8, "little")
    return bytes(out)


t = Checks()
T = O + "/tests/linux-blk"
os.makedirs(T, exist_ok=True)
IMG, SOCK = T + "/disk.img", T + "/qmp.sock"
with open(IMG, "wb") as f:
    for i in range(DISK_SECTORS):
        f.write(sector_fill(i))
if os.path.exists(SOCK):
    os.unlink(SOCK)
pack("tests/configs/good/linux-blk.dts", T + "/image")
m = Machine.boot(T + "/image", T + "/console.log", timeout=900, extra=disk_flags(IMG, SOCK))
qmp = Qmp(SOCK)
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
seen = m.expect_all([UP % ("one", "one"), UP % ("two", "two")], timeout=900)
t.check(len(seen) == 2, "both partitions boot with their disks")


def flushes():
    return qmp.blockstats().get("flush_operations", -1)


def run(name, cmd, marker, timeout=300):
    """Run cmd (a shell list); True when it exited 0. The marker is typed
    with "" inside, so the echoed command line never matches."""
    typed = marker[:1] + '""' + marker[1:]
    r = m.run(name, "%s; echo %s=$?" % (cmd, typed), marker + r"=(\d+)[\r\n]", timeout)
    return r is not None and r.group(1) == "0"


# Which /dev/vdX is which disk: the serial (GET_ID) is "<partition>-<n>".
dev = {}
for name in ("one", "two"):
    r = m.run(name, "echo M\"\"AP $(for d in /sys/block/vd*; do echo -n \"${d##*/}=$(cat $d/serial) \"; "
              "done)END", r"MAP (.*)END")
    pairs = dict(p.split("=", 1)[::-1] for p in (r.group(1).split() if r else []))
    disks = "01" if name == "one" else "012"
    for n in disks:
        key = "%s-%s" % (name, n)
        dev[key] = "/dev/" + pairs[key] if key in pairs else None
    t.check(all(dev["%s-%s" % (name, n)] for n in disks),
            "%s: GET_ID gives each disk its serial %s" % (name, r.group(1) if r else "none"))
if not all(dev.values()):
    m.kill()
    t.finish()
D1, L1, D2, R2, RAM = dev["one-0"], dev["one-1"], dev["two-0"], dev["two-1"], dev["two-2"]
sysfs = {k: "/sys/block/" + v[5:] for k, v in dev.items()}

# Sizes: capacity is the window.
for key, d in dev.items():
    name = key.split("-")[0]
    if key == "two-2":
        continue
    r = m.run(name, "echo S\"\"Z=$(cat %s/size)" % sysfs[key], r"SZ=(\d+)[\r\n]")
    t.check(r is not None and int(r.group(1)) == WIN[key][1],
            "%s: %s has the window's %d sectors" % (key, d, WIN[key][1]),
            r.group(0) if r else "no answer")

# Write policy and cache type (two is idle meanwhile, so the physical
# disk's flush counter moves only for what one does).
r = m.run("one", "echo C\"\"T=$(cat %s/cache_type)/$(cat %s/cache_type)" % (sysfs["one-0"], sysfs["one-1"]),
          r"CT=([a-z ]+)/([a-z ]+)[\r\n]")
t.check(r is not None and r.group(1) == "write back" and r.group(2) == "write through",
        "normal disk starts write back, reliable disk is write through", r.group(0) if r else "")
m.run("one", "touch /tmp/pat; blkop pwrite /tmp/pat 0 65536", r"blkop: pwrite ok")
DD = "dd if=/tmp/pat of=%s bs=64k count=1 seek=%d oflag=direct 2>/dev/null"


def direct_write(d, seek):
    f0 = flushes()
    ok = run("one", DD % (d, seek), "WROTE")
    return ok, flushes() - f0


ok, n = direct_write(D1, 400)
t.check(ok and n == 0, "normal disk, write back: a completed write sends no flush", "%d flushes" % n)
r = m.run("one", "echo 'write through' > %s/cache_type; echo W\"\"T=$(cat %s/cache_type)/$(cat %s/queue/write_cache)"
          % (sysfs["one-0"], sysfs["one-0"], sysfs["one-0"]), r"WT=([a-z ]+)/([a-z ]+)[\r\n]")
t.check(r is not None and r.group(1) == "write through" and r.group(2) == "write through",
        "cache_type switches to write through (and the block layer follows)", r.group(0) if r else "")
ok, n = direct_write(D1, 401)
t.check(ok and n >= 1, "write through: the write was flushed at the physical disk before it completed",
        "%d flushes" % n)
r = m.run("one", "echo 'write back' > %s/cache_type; echo W\"\"B=$(cat %s/cache_type)"
          % (sysfs["one-0"], sysfs["one-0"]), r"WB=([a-z ]+)[\r\n]")
t.check(r is not None and r.group(1) == "write back", "and back to write back", r.group(0) if r else "")
ok, n = direct_write(D1, 402)
t.check(ok and n == 0, "write back again: no flush with the write", "%d flushes" % n)
f0 = flushes()
r = run("one", "blkop fsync " + D1, "FSYNCED")
t.check(r and flushes() > f0, "normal disk: fsync reaches the physical disk as a flush",
        "%d flushes" % (flushes() - f0))
r = m.run("one", "echo 'write back' > %s/cache_type 2>/dev/null; echo R\"\"B=$(cat %s/cache_type)"
          % (sysfs["one-1"], sysfs["one-1"]), r"RB=([a-z ]+)[\r\n]")
t.check(r is not None and r.group(1) == "write through",
        "reliable disk: stays write through when the guest asks for write back", r.group(0) if r else "")
ok, n = direct_write(L1, 10)
t.check(ok and n >= 1, "reliable disk: every write is flushed before it completes", "%d flushes" % n)

# Filesystems: each partition formats its own window, writes, verifies.
sums = {}
for name, d in (("one", D1), ("two", D2)):
    marker = "PARTITION-%s-MARKER" % name.upper()
    ok = run(name, "mke2fs -q %s >/dev/null 2>&1 && mount %s /mnt && yes %s | head -c 1048576 >/mnt/marker && "
             "seq 1 20000 >/mnt/numbers && sync && umount /mnt" % (d, d, marker), "FS-DONE", timeout=600)
    r = m.run(name, "mount %s /mnt && echo V\"\"ERIFY=$(cat /mnt/marker /mnt/numbers | md5sum | cut -c1-32) && umount /mnt"
              % d, r"VERIFY=([0-9a-f]{32})[\r\n]", timeout=300)
    t.check(ok and r is not None, "%s: mke2fs, mount, write, sync, remount and read back" % name,
            "no answer")
    sums[name] = r.group(1) if r else None
t.check(sums.get("one") and sums.get("one") != sums.get("two"), "the two partitions' files differ")

# The read-only disk: the host's bytes, and no write.
want = hashlib.md5(b"".join(sector_fill(WIN["two-1"][0] + i) for i in range(8))).hexdigest()
r = m.run("two", "echo R\"\"O=$(dd if=%s bs=4096 count=1 2>/dev/null | md5sum | cut -c1-32)/$(cat %s/ro)"
          % (R2, sysfs["two-1"]), r"RO=([0-9a-f]{32})/(\d)[\r\n]")
t.check(r is not None and r.group(1) == want and r.group(2) == "1",
        "read-only disk: reads the bytes the host put there, and Linux sees it read-only",
        r.group(0) if r else "no answer")
r = m.run("two", "blkop pwrite %s 0 4096" % R2, r"blkop: pwrite (ok|failed errno \d+)")
t.check(r is not None and r.group(1) != "ok", "read-only disk: a write fails",
        r.group(0) if r else "no answer")

# The RAM disk: the image's bytes; a write that outlives the reset below.
want = hashlib.md5(b"".join((b"RAMDISK-SECTOR-%08d\n" % i).ljust(512, b".") for i in range(8))).hexdigest()
r = m.run("two", "echo R\"\"AM=$(cat /sys/block/%s/size)/$(dd if=%s bs=4096 count=1 2>/dev/null | md5sum | cut -c1-32)"
          % (RAM[5:], RAM), r"RAM=(\d+)/([0-9a-f]{32})[\r\n]")
t.check(r is not None and int(r.group(1)) == RAM_SECTORS and r.group(2) == want,
        "RAM disk: the image's size and bytes", r.group(0) if r else "no answer")
ok = run("two", "blkop pwrite %s 1048576 65536 && blkop fsync %s && blkop verify %s 1048576 65536"
         % (RAM, RAM, RAM), "RAMW")
t.check(ok, "RAM disk: write and read back")

# A partition reset after write + sync: the data is there on the next boot.
m.focus_to("two")
m.p.send("reboot -f\r")
t.check(m.expect(UP % ("two", "two"), 900) is not None, "two boots again after reboot -f")
r = m.run("two", "mount %s /mnt && echo A\"\"GAIN=$(cat /mnt/marker /mnt/numbers | md5sum | cut -c1-32) && umount /mnt"
          % D2, r"AGAIN=([0-9a-f]{32})[\r\n]", timeout=300)
t.check(r is not None and r.group(1) == sums.get("two"), "two: the file survived the partition reset",
        r.group(0) if r else "no answer")
ok = run("two", "blkop verify %s 1048576 65536" % RAM, "RAMV")
t.check(ok, "RAM disk: the write survived the partition reset")

# Discard and write-zeroes on one's reliable disk (no filesystem there).
ok = run("one", "blkop pwrite %s 0 4194304 && blkop fsync %s && blkop discard %s 1048576 1048576 && "
        "blkop punch %s 2097152 1048576 && blkop zeroout %s 3145728 524288 && "
        "blkop iszero %s 1048576 2621440 && blkop verify %s 0 1048576 && blkop verify %s 3670016 524288"
        % ((L1,) * 8), "ZERO-DONE", timeout=300)
t.check(ok, "one: pwrite, discard, punch (write-zeroes + unmap), zeroout; ranges read back zero")
# (QEMU 7.2's virtio-blk does not count discards in query-blockstats; the
# holes in the image below show that they arrived.)

# Reliable: QEMU killed as soon as a write completed; the data is there.
f0 = flushes()
ok = run("one", DD % (L1, 100), "KILL-NOW")
n = flushes() - f0
m.p.kill(signal.SIGKILL)
m.p.close(force=True)
t.check(ok and n >= 1, "reliable disk: the write completed after a physical flush",
        "%d flushes" % n)

# The host reads the image.
with open(IMG, "rb") as f:
    disk = f.read()
start = {k: v[0] * SECT for k, v in WIN.items()}
end = {k: (v[0] + v[1]) * SECT for k, v in WIN.items()}
bad = [i for i in range(DISK_SECTORS)
       if not any(WIN[k][0] <= i < WIN[k][0] + WIN[k][1] for k in WIN if k != "two-1")
       and disk[i * SECT:(i + 1) * SECT] != sector_fill(i)]
t.check(not bad, "every sector outside the read-write windows is as the host wrote it "
        "(read-only window included)", "%d changed, first %s" % (len(bad), bad[:3]))
w1 = disk[start["one-0"]:end["one-0"]]
w2 = disk[start["two-0"]:end["two-0"]]
t.check(b"PARTITION-ONE-MARKER" in w1 and b"PARTITION-TWO-MARKER" not in w1,
        "one's window holds one's data only")
t.check(b"PARTITION-TWO-MARKER" in w2 and b"PARTITION-ONE-MARKER" not in w2,
        "two's window holds two's data only")
lg = disk[start["one-1"]:end["one-1"]]
pat = pattern(4 * MiB)
t.check(lg[:MiB] == pat[:MiB] and lg[3670016:4 * MiB] == pat[3670016:4 * MiB],
        "log disk: the written pattern is where the guest put it")
t.check(lg[MiB:3 * MiB + 524288] == bytes(2 * MiB + 524288),
        "discard, punch and zeroout ranges are zero on the host")
fd = os.open(IMG, os.O_RDONLY)
try:
    nxt = os.lseek(fd, start["one-1"] + MiB, os.SEEK_DATA)
finally:
    os.close(fd)
t.check(nxt >= start["one-1"] + 3 * MiB, "discarded and punched ranges are deallocated in the image",
        "next data at +%d" % (nxt - start["one-1"]))
t.check(lg[100 * 65536:101 * 65536] == pattern(65536), "reliable disk: the write before the kill is in the image")

log = m.log()
t.check("malformed request" not in log and "request refused" not in log,
        "Linux's driver never made a malformed or refused request")
t.check("PANIC" not in log, "no hypervisor panic")
t.finish()
