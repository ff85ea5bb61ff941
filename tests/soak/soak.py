#!/usr/bin/python3
"""Reliability run (make soak N=resets; not in make test): partition r of
tests/configs/good/soak.dts is reset N times (`reboot -f` with a direct
write to its disk in flight) while its neighbour n streams disk and
network traffic. After each reset:

- r boots again to its shell;
- n's transfers are intact: its disk loop writes the position-dependent
  pattern to one 1 MiB half of its window and zeroes the other (the halves
  swap each pass), flushes, drops its page cache and reads both back from
  the device; its network loop fetches 1 MiB of a known stream from a
  server on the host through the switch's uplink and compares its md5. A
  failed pass is recorded in n's /tmp/bad; each must go on advancing;
- the hypervisor's memory use, from its status key (Ctrl-T): the
  page-table pool and the graphics pool as at the start, and r's devices
  holding nothing (no request slot taken).

Prints a PASS/FAIL line per property (counted over every reset) and the
figures: resets done, neighbour bytes checked, memory before and after.
proves: PLATFORM-3, PLATFORM-5 (not in make test: the report counts make test only)
"""
import hashlib
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, Machine, O, pack  # noqa: E402

N = int(os.environ.get("N", "1000"))
PORT = 47311
MiB = 1 << 20
STREAM = hashlib.shake_256(b"bulkhead soak stream").digest(MiB)
STREAM_MD5 = hashlib.md5(STREAM).hexdigest()
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
STATUS_POOL = r"status: page-table pool (\d+)/(\d+) pages, graphics pool (\d+)/(\d+) bytes"
# To the line's end: a line that reaches us in pieces must not match a
# prefix of itself (a boot count cut short).
STATUS_PART = r"status: partition %s (\w+), boot (\d+)([^\r\n]*)\r?\n"

served = [0]


def server(sock):
    """Each connection gets the whole stream, then the close."""
    while True:
        try:
            c, _ = sock.accept()
        except OSError:
            return
        try:
            c.sendall(STREAM)
            served[0] += 1
        except OSError:
            pass
        finally:
            c.close()


def status(m):
    """The hypervisor's status: (pool line, r's line), or None."""
    m.p.send("\x14")
    a = m.expect(STATUS_POOL, 60)
    b = m.expect(STATUS_PART % "r", 60)
    if not a or not b:
        return None
    return a.group(0), b.group(0).strip(), tuple(int(x) for x in a.groups()), b.group(3)


def neighbour(m):
    """n's counters: (disk passes, network passes, failures), or None."""
    r = m.run("n", "echo SO\"\"AK d=$(cat /tmp/dpass 2>/dev/null || echo 0) n=$(cat /tmp/npass 2>/dev/null "
              "|| echo 0) bad=$(cat /tmp/bad 2>/dev/null | wc -l)", r"SOAK d=(\d+) n=(\d+) bad=(\d+)", 120)
    return tuple(int(x) for x in r.groups()) if r else None


t = Checks()
T = O + "/soak"
os.makedirs(T, exist_ok=True)
disk = T + "/disk.img"
with open(disk, "wb") as f:
    f.truncate(16 * MiB)
pack("tests/configs/good/soak.dts", T + "/image")
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", PORT))
srv.listen(4)
threading.Thread(target=server, args=(srv,), daemon=True).start()
extra = ["-global", "virtio-mmio.force-legacy=false",
         "-drive", "file=%s,if=none,id=d0,format=raw" % disk, "-device", "virtio-blk-device,drive=d0",
         "-netdev", "user,id=n0", "-device", "virtio-net-device,netdev=n0"]
m = Machine.boot(T + "/image", T + "/console.log", deterministic=False, timeout=900, extra=extra)
seen = m.expect_all([UP % ("r", "r"), UP % ("n", "n")], 900)
t.check(len(seen) == 2, "both partitions boot")
if len(seen) != 2:
    m.kill()
    t.finish()

# n's loops, in the background, quiet unless something fails.
DISK_LOOP = ("(i=0; while :; do o=$(( (i % 2) * 1048576 )); z=$(( 1048576 - o )); "
             "blkop pwrite /dev/vda $o 1048576 && blkop zeroout /dev/vda $z 1048576 && blkop fsync /dev/vda && "
             "echo 3 >/proc/sys/vm/drop_caches && blkop verify /dev/vda $o 1048576 && "
             "blkop iszero /dev/vda $z 1048576 && { i=$((i + 1)); echo $i >/tmp/dpass; } "
             "|| { echo disk $i >>/tmp/bad; sleep 1; }; done) >/dev/null 2>&1 &")
NET_LOOP = ("(i=0; while :; do s=$(nc 10.0.2.2 %d </dev/null | md5sum); "
            "if [ \"$s\" = \"%s  -\" ]; then i=$((i + 1)); echo $i >/tmp/npass; "
            "else echo net $s >>/tmp/bad; sleep 1; fi; done) >/dev/null 2>&1 &" % (PORT, STREAM_MD5))
r = m.run("n", "ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && "
          "ping -c 1 -W 5 10.0.2.2 >/dev/null; echo N\"\"ET=$?", r"NET=(\d+)", 120)
t.check(r is not None and r.group(1) == "0", "n reaches the host through the uplink")
m.run("n", DISK_LOOP + " echo STA\"\"RTED-disk", r"STARTED-disk")
m.run("n", NET_LOOP + " echo STA\"\"RTED-net", r"STARTED-net")
time.sleep(5)
first = status(m)
nb0 = neighbour(m)
t.check(first is not None and nb0 is not None, "the status key and n's counters answer")
if first is None or nb0 is None:
    m.kill()
    t.finish()
print("start: %s | %s | n: %d disk passes, %d fetches, %d failures" % (first[0], first[1], *nb0))

done = 0
boot_fail = mem_fail = nb_fail = 0
last_nb = nb0
mem_after = first
t0 = time.time()
for k in range(1, N + 1):
    # A direct write in flight in r when it resets: its slots must come back.
    m.run("r", "(dd if=/dev/zero of=/dev/vda bs=65536 count=64 oflag=direct 2>/dev/null &); "
          "sleep 0.1; reboot -f", r"reboot|$", 5)
    m.focus = "r"
    if not m.expect(UP % ("r", "r"), 600):
        boot_fail += 1
        print("reset %d: r did not boot again" % k)
        break
    done = k
    st = status(m)
    if st is None or st[2] != first[2] or "running, boot %d" % (k + 1) not in st[1] \
            or re.search(r" [1-9]\d* request slots", st[3]):
        mem_fail += 1
        print("reset %d: memory %s" % (k, st and (st[0], st[1])))
    else:
        mem_after = st
    if k % 10 == 0 or k == N:
        nb = neighbour(m)
        if nb is None or nb[2] != 0 or nb[0] <= last_nb[0] or nb[1] <= last_nb[1]:
            nb_fail += 1
            print("reset %d: neighbour %s after %s" % (k, nb, last_nb))
        if nb is not None:
            last_nb = nb
        print("reset %d: %.1f s each, n: %d disk passes, %d fetches, %d failures" %
              (k, (time.time() - t0) / k, *(nb or (0, 0, -1))), flush=True)

t.check(done == N and boot_fail == 0, "r boots again after each of %d resets" % N, "%d done" % done)
t.check(mem_fail == 0, "after each reset the hypervisor's pools are as at the start and r's devices hold "
        "nothing", "%d resets differed" % mem_fail)
t.check(nb_fail == 0 and last_nb[2] == 0, "n's disk and network transfers stay intact and go on",
        "%d checks failed" % nb_fail)
disk_bytes = (last_nb[0] - nb0[0]) * 2 * MiB
net_bytes = (last_nb[1] - nb0[1]) * MiB
print("figures: %d resets in %.0f s; neighbour bytes checked during them: disk %d MiB (%d passes), "
      "network %d MiB (%d fetches; the host served %d); memory before: %s | %s; after: %s | %s" %
      (done, time.time() - t0, disk_bytes // MiB, last_nb[0] - nb0[0], net_bytes // MiB,
       last_nb[1] - nb0[1], served[0], first[0], first[1], mem_after[0], mem_after[1]))
m.kill()
srv.close()
t.finish()
