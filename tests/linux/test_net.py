#!/usr/bin/python3
"""The hypervisor's switch with Debian's own virtio_net driver in three
partitions (tests/configs/good/linux-net.dts): a and b on segment "lan",
whose uplink is a physical NIC (QEMU virtio-net-device, -netdev user) the
hypervisor drives itself; c alone on segment "island".

- a and b ping each other and move 1 MiB over TCP (busybox nc) with a
  matching checksum, both ways;
- c reaches neither a nor b (nor the uplink's gateway);
- a reaches QEMU's user-network gateway 10.0.2.2 through the uplink;
- the MAC is the partition file's, the MTU shows in `ip link`;
- a may change its MAC (and is then reachable at the new one), though not
  to b's; b may not change its MAC at all: `ip link set address` fails;
- after `reboot -f`, a has the partition file's MAC again and b its same MAC.
proves: NET-1, NET-3, NET-5, NET-6, NET-7, NET-8
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, Machine, O, pack  # noqa: E402

t = Checks()
T = O + "/tests/linux-net"
os.makedirs(T, exist_ok=True)
pack("tests/configs/good/linux-net.dts", T + "/image")
NIC = ["-global", "virtio-mmio.force-legacy=false", "-netdev", "user,id=n0",
       "-device", "virtio-net-device,netdev=n0"]
m = Machine.boot(T + "/image", T + "/console.log", timeout=900, extra=NIC)
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
seen = m.expect_all([UP % (n, n) for n in "abc"], timeout=900)
t.check(len(seen) == 3, "three partitions boot with their virtio-net")
IP = {"a": "10.0.2.15", "b": "10.0.2.16", "c": "10.0.2.17"}
MAC = {"a": "02:00:00:00:00:0a", "b": "02:00:00:00:00:0b", "c": "02:00:00:00:00:0c"}
MTU = {"a": 1400, "b": 1400, "c": 1500}


def sh(name, cmd, timeout=120):
    """Run cmd in name's shell; its exit status, or None."""
    r = m.run(name, "%s; echo R\"\"C=$?" % cmd, r"RC=(\d+)[\r\n]", timeout)
    return int(r.group(1)) if r else None


def link(name):
    r = m.run(name, "echo L\"\"INK=$(cat /sys/class/net/eth0/address)/$(ip link show eth0 | "
              "sed -n 's/.* mtu \\([0-9]*\\) .*/\\1/p')", r"LINK=([0-9a-f:]+)/(\d+)[\r\n]")
    return (r.group(1), int(r.group(2))) if r else (None, None)


def up(name):
    return sh(name, "ip addr add %s/24 dev eth0 && ip link set eth0 up" % IP[name])


for n in "abc":
    t.check(up(n) == 0, "%s: eth0 up at %s" % (n, IP[n]))
    mac, mtu = link(n)
    t.check(mac == MAC[n] and mtu == MTU[n],
            "%s: MAC %s and MTU %d from the partition file (ip link)" % (n, MAC[n], MTU[n]),
            "%s, mtu %s" % (mac, mtu))

t.check(sh("a", "ping -c 3 -W 5 %s >/dev/null" % IP["b"]) == 0, "a pings b")
t.check(sh("b", "ping -c 3 -W 5 %s >/dev/null" % IP["a"]) == 0, "b pings a")

# 1 MiB over TCP, each way, checksums compared.
for src, dst in (("a", "b"), ("b", "a")):
    # nc's stdin held open by sleep: busybox nc stops when its stdin ends
    sh(dst, "rm -f /tmp/got; (sleep 9999 | nc -l -p 5000 >/tmp/got &)")
    sh(src, "dd if=/dev/urandom of=/tmp/send bs=4096 count=256 2>/dev/null")
    r = m.run(src, "echo S\"\"UM=$(md5sum </tmp/send | cut -c1-32)", r"SUM=([0-9a-f]{32})[\r\n]")
    want = r.group(1) if r else "none"
    rc = sh(src, "nc %s 5000 </tmp/send" % IP[dst], timeout=300)
    r = m.run(dst, "i=0; while [ $(wc -c </tmp/got) -lt 1048576 ] && [ $i -lt 50 ]; do sleep 0.2; "
              "i=$((i+1)); done; echo G\"\"OT=$(md5sum </tmp/got | cut -c1-32)/$(wc -c </tmp/got)",
              r"GOT=([0-9a-f]{32})/(\d+)[\r\n]", timeout=120)
    t.check(rc == 0 and r is not None and r.group(1) == want and int(r.group(2)) == 1 << 20,
            "%s sends 1 MiB to %s over TCP (nc), checksum matches" % (src, dst),
            "rc %s, %s" % (rc, r.group(0) if r else "nothing received"))

# Another segment: c reaches nothing on lan.
for other in ("a", "b"):
    t.check(sh("c", "ping -c 2 -W 2 %s >/dev/null" % IP[other]) == 1,
            "c (segment island) cannot reach %s (segment lan)" % other)
t.check(sh("c", "ping -c 2 -W 2 10.0.2.2 >/dev/null") == 1, "c cannot reach the uplink either")

# The uplink: QEMU's user network answers a's ping to its gateway.
t.check(sh("a", "ping -c 3 -W 5 10.0.2.2 >/dev/null") == 0,
        "a reaches QEMU's user-network gateway 10.0.2.2 through the uplink")

# MAC change: allowed for a, refused for b.
rc = sh("a", "ip link set eth0 down && ip link set eth0 address 02:00:00:00:01:0a && ip link set eth0 up")
mac, _ = link("a")
t.check(rc == 0 and mac == "02:00:00:00:01:0a", "a: ip link set address works (policy allow)",
        "rc %s, mac %s" % (rc, mac))
rc = sh("a", "ip link set eth0 down; ip link set eth0 address %s; r=$?; ip link set eth0 up; [ $r = 0 ]" % MAC["b"])
mac, _ = link("a")
t.check(rc == 1 and mac == "02:00:00:00:01:0a",
        "a may change its MAC, but not to b's (the switch refuses another port's address)",
        "rc %s, mac %s" % (rc, mac))
sh("b", "ip neigh flush dev eth0")
t.check(sh("b", "ping -c 3 -W 5 %s >/dev/null" % IP["a"]) == 0, "b reaches a at its new MAC")
rc = sh("b", "ip link set eth0 down; ip link set eth0 address 02:00:00:00:01:0b; r=$?; ip link set eth0 up; [ $r = 0 ]")
mac, _ = link("b")
t.check(rc == 1 and mac == MAC["b"], "b: ip link set address fails (policy deny, VIRTIO_NET_ERR)",
        "rc %s, mac %s" % (rc, mac))

# After a reboot: the partition file's MAC again.
for n in ("a", "b"):
    m.focus_to(n)
    m.p.send("reboot -f\r")
    t.check(m.expect(UP % (n, n), 900) is not None, "%s boots again after reboot -f" % n)
    mac, mtu = link(n)
    t.check(mac == MAC[n] and mtu == MTU[n], "%s: the same MAC (%s) after the reboot" % (n, MAC[n]),
            "%s" % mac)
t.check(up("a") == 0 and up("b") == 0, "a and b up again")
t.check(sh("a", "ping -c 2 -W 5 %s >/dev/null" % IP["b"]) == 0, "a pings b after both rebooted")

log = m.log()
t.check("malformed request" not in log, "Linux's driver never made a malformed request")
t.check("b/virtio-net: MAC change refused" in log, "the hypervisor logged the refused MAC change")
t.check("PANIC" not in log, "no hypervisor panic")
m.kill()
t.finish()
