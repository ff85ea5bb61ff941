#!/usr/bin/python3
"""The hostile bare-metal virtio-net driver (tests/guests/netattack) on the
switch segment "lan" beside Debian's own virtio_net driver in a and b
(tests/configs/good/net-hostile.dts); the test types keys into the hostile
partition's console to move it from one phase to the next.

- Until 'g' the hostile port has no receive buffers: a and b ping each other
  meanwhile, a's ARP for the hostile address goes unanswered, and nothing is
  written into the hostile ring.
- After 'g' it answers ARP and pings for 10.0.2.99: a's 1200-byte pings are
  answered, 1350-byte ones never reach its 1280-byte MTU.
- Then every case of the guest (each checked by the guest: consumed and not
  answered, VIRTIO_NET_ERR, or DEVICE_NEEDS_RESET and working again after a
  reset); here: a's cache entry for b and b's for a were not poisoned, neither
  learnt an address the refused frames announced, and their receive counters
  did not take the 1000 spoofed frames sent to each.
- After 'f' a broadcast flood in bursts larger than a receive queue, during
  which a and b ping each other and move 1 MiB over TCP (nc) with a matching
  checksum; b's interface goes down for a second (its receive queue fills:
  the flood is dropped, the hostile transmits still complete at once) and up
  again; then 's'.
- Afterwards a and b still ping each other and move 1 MiB the other way; the
  guest reports every case refused, the hypervisor logged one line for its
  malformed requests and one for its refused MAC change, nothing about a or
  b, and the Linux kernels logged no error.
proves: NET-1, NET-5, NET-6, NET-8, PLATFORM-5
"""
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import GIC_SUFFIX, Checks, Machine, O, pack  # noqa: E402

t = Checks()
T = O + "/tests/net-hostile" + GIC_SUFFIX
os.makedirs(T, exist_ok=True)
pack("tests/configs/good/net-hostile.dts", T + "/image")
start = time.time()
m = Machine.boot(T + "/image", T + "/console.log", timeout=300)
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
H = r"\[hostile\] netattack: "
seen = m.expect_all([UP % ("a", "a"), UP % ("b", "b"), H + "no receive buffers posted; waiting for g"],
                    timeout=300)
t.check(len(seen) == 3, "a and b boot; the hostile port is up without receive buffers")
IP = {"a": "10.0.2.15", "b": "10.0.2.16"}
MAC = {"a": "02:00:00:00:00:0a", "b": "02:00:00:00:00:0b"}
HOSTILE = "10.0.2.99"


def sh(name, cmd, timeout=120):
    """Run cmd in name's shell; its exit status, or None."""
    r = m.run(name, "%s; echo R\"\"C=$?" % cmd, r"RC=(\d+)[\r\n]", timeout)
    return int(r.group(1)) if r else None


def num(name, cmd, timeout=60):
    """The number cmd prints in name's shell, or None."""
    r = m.run(name, "echo N\"\"UM=$(%s)/" % cmd, r"NUM=(\d+)/", timeout)
    return int(r.group(1)) if r else None


def rx_packets(name):
    return num(name, "cat /sys/class/net/eth0/statistics/rx_packets")


def neigh(name, ip):
    """The link-layer address name's ARP cache has for ip ('' if none)."""
    r = m.run(name, "echo N\"\"EIGH=$(ip neigh show %s | sed -n 's/.* lladdr \\([0-9a-f:]*\\).*/\\1/p')/"
              % ip, r"NEIGH=([0-9a-f:]*)/")
    return r.group(1) if r else None


def key(c, expect, timeout=120):
    """Type c into the hostile partition's console; wait for its answer."""
    if not m.focus_to("hostile"):
        return None
    m.p.send(c)
    return m.expect(H + expect, timeout)


def ping(src, dst, opts="-c 3 -W 5"):
    return sh(src, "ping %s %s >/dev/null" % (opts, IP.get(dst, dst)))


def transfer(src, dst, port):
    """1 MiB from src to dst over TCP (busybox nc); True if the checksum matches."""
    # nc's stdin held open by sleep: busybox nc stops when its stdin ends
    sh(dst, "rm -f /tmp/got; (sleep 9999 | nc -l -p %d >/tmp/got &)" % port)
    sh(src, "dd if=/dev/urandom of=/tmp/send bs=4096 count=256 2>/dev/null")
    r = m.run(src, "echo S\"\"UM=$(md5sum </tmp/send | cut -c1-32)", r"SUM=([0-9a-f]{32})[\r\n]")
    want = r.group(1) if r else "none"
    rc = sh(src, "nc %s %d </tmp/send" % (IP[dst], port), timeout=300)
    r = m.run(dst, "i=0; while [ $(wc -c </tmp/got) -lt 1048576 ] && [ $i -lt 100 ]; do sleep 0.2; "
              "i=$((i+1)); done; echo G\"\"OT=$(md5sum </tmp/got | cut -c1-32)/$(wc -c </tmp/got)",
              r"GOT=([0-9a-f]{32})/(\d+)[\r\n]", timeout=120)
    ok = rc == 0 and r is not None and r.group(1) == want and int(r.group(2)) == 1 << 20
    return ok, "rc %s, %s" % (rc, r.group(0) if r else "nothing received")


def not_poisoned(when):
    t.check(neigh("a", IP["b"]) == MAC["b"], "a's ARP cache still has b at %s %s" % (MAC["b"], when))
    t.check(neigh("b", IP["a"]) == MAC["a"], "b's ARP cache still has a at %s %s" % (MAC["a"], when))
    for n in "ab":
        c = num(n, "ip neigh | grep -c '^10\\.0\\.2\\.1[0-9][0-9] '")
        t.check(c == 0, "%s learnt none of the addresses the refused frames announced %s" % (n, when),
                "%s entries in 10.0.2.100-199" % c)


for n in "ab":
    t.check(sh(n, "ip addr add %s/24 dev eth0 && ip link set eth0 up" % IP[n]) == 0,
            "%s: eth0 up at %s" % (n, IP[n]))

# Phase 1: the hostile port has no receive buffers.
t.check(ping("a", "b") == 0, "a pings b beside a port without receive buffers")
t.check(ping("b", "a") == 0, "b pings a beside a port without receive buffers")
t.check(ping("a", HOSTILE, "-c 2 -W 2") == 1, "nothing reaches the port without receive buffers "
        "(a's ARP for 10.0.2.99 unanswered)")
rx0 = {n: rx_packets(n) for n in "ab"}

# Phase 2: receive buffers; Linux reaches the hostile port, within its MTU.
t.check(key("g", "receive buffers posted") is not None, "the hostile port posts receive buffers ('g')")
t.check(ping("a", HOSTILE, "-c 2 -W 3 -s 1350") == 1,
        "a's 1350-byte pings never reach the hostile port (its MTU is 1280)")
t.check(ping("a", HOSTILE, "-c 3 -W 5 -s 1200") == 0,
        "a's 1200-byte pings reach the hostile port and are answered")

# Phase 3: the cases.
t.check(m.expect(H + "cases done; waiting for f", 600) is not None, "the hostile driver finishes its cases")
not_poisoned("after the cases")
rx1 = {n: rx_packets(n) for n in "ab"}
for n in "ab":
    d = rx1[n] - rx0[n] if rx1[n] is not None and rx0[n] is not None else None
    t.check(d is not None and d < 500, "%s's receive counter did not take the 1000 spoofed frames "
            "sent to it (%s frames received meanwhile)" % (n, d))
t.check(ping("a", "b") == 0 and ping("b", "a") == 0, "a and b ping each other after the cases")

# Phase 4: the broadcast flood, while a and b talk.
t.check(key("f", "flooding") is not None, "the hostile driver starts its broadcast flood ('f')")
rxf = rx_packets("a")
t.check(ping("a", "b") == 0, "a pings b during the flood")
t.check(ping("b", "a") == 0, "b pings a during the flood")
ok, why = transfer("a", "b", 5000)
t.check(ok, "a sends 1 MiB to b over TCP (nc) during the flood, checksum matches", why)
rxg = rx_packets("a")
t.check(rxf is not None and rxg is not None and rxg - rxf >= 1000,
        "the flood reached a (%s frames received during it, at least 1000)"
        % (rxg - rxf if rxf is not None and rxg is not None else None))
# b stops taking frames for a second: its receive queue fills, the flood
# is dropped at the switch (the hostile driver checks that every burst is
# consumed at once), and b works again after.
d = num("b", "S=/sys/class/net/eth0/statistics/rx_packets; c0=$(cat $S); ip link set eth0 down; "
        "sleep 1; c1=$(cat $S); ip link set eth0 up; echo $((c1 - c0))")
t.check(d is not None and d < 300, "b's interface down for a second during the flood: its receive "
        "queue fills (%s frames taken meanwhile)" % d)
t.check(ping("b", "a") == 0, "b pings a during the flood, after its interface came back")
r = key("s", r"done: (\d+)/(\d+) refused", 300)
t.check(r is not None and r.group(1) == r.group(2) and int(r.group(2)) >= 10,
        "the hostile driver: every case refused", r.group(0) if r else "no result line")
t.check(m.expect(r"partition hostile stopped", 60) is not None, "the hostile partition stops")

# Afterwards.
t.check(ping("a", "b") == 0 and ping("b", "a") == 0, "a and b ping each other after the attack")
ok, why = transfer("b", "a", 5001)
t.check(ok, "b sends 1 MiB to a over TCP (nc) after the attack, checksum matches", why)
not_poisoned("at the end")
BAD = "error|bug|oops|warning|unhandled|failed|panic|corrupt|bad"
for n in "ab":
    c = num(n, "dmesg | grep -v 'Kernel command line' | grep -ciwE '%s|virtio_net'" % BAD)
    t.check(c == 0, "%s's kernel logged no error and nothing from virtio_net" % n, "%s lines" % c)

log = m.log()
m.kill()
lines = log.splitlines()
controls = re.search(r"\[hostile\] netattack: controls: (\d+)/(\d+) served", log)
t.check(controls is not None and controls.group(1) == controls.group(2) and int(controls.group(2)) >= 10,
        "the hostile driver's controls all pass: the path works (valid frames delivered both ways, "
        "broadcasts received, split and mergeable buffers)",
        controls.group(0) if controls else "no controls line")
t.check("NOT REFUSED" not in log, "no hostile frame or request succeeded",
        "; ".join(x for x in lines if "NOT REFUSED" in x)[:300])
t.check("[hostile] netattack: the port works after every case" in log,
        "the hostile port works again after every case and reset")
t.check("PANIC" not in log, "no hypervisor panic")
# virtio_needs_reset() (vdev/virtio_mmio.c) logs one line per device, ever;
# the refused MAC change one per device too (vdev/virtio_net.c).
mal = [x for x in lines if "warn: hostile/virtio-net: malformed request: " in x]
mac = [x for x in lines if "warn: hostile/virtio-net: MAC change refused" in x]
hw = [x for x in lines if "warn: hostile" in x]
t.check(len(mal) == 1 and len(mac) == 1 and len(hw) == 2,
        "hypervisor warnings bounded: one line for the malformed requests, one for the MAC change",
        "%d malformed, %d MAC, %d in all" % (len(mal), len(mac), len(hw)))
ab = [x for x in lines if re.search(r"warn: (a|b)[/:]", x)]
t.check(not ab, "no hypervisor warning about a or b", ab[0] if ab else "")
errs = [x for x in lines if re.match(r"\[(a|b)\] \[ *\d+\.\d+\] ", x) and "Kernel command line" not in x
        and re.search(r"\b(%s)\b|virtio_net" % BAD, x, re.I)]
t.check(not errs, "no error in a's and b's consoles", "; ".join(errs[:3]))
print("time: %.0f s" % (time.time() - start), flush=True)
t.finish()
