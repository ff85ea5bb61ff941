#!/usr/bin/python3
"""PCIe passthrough with DMA confined by the SMMU: QEMU virt with its
SMMUv3 (iommu=smmuv3) and an Intel e1000e at 00:02.0, given to the Linux
partition "net" (tests/configs/good/linux-pci.dts); "other" runs beside it.

- the hypervisor owns the host bridge and the SMMU (every stream aborts
  until given), places the NIC's BARs and confines its DMA to net's RAM;
- net's own e1000e driver finds the NIC behind a virtual host bridge that
  shows only it (legacy INTx: MSI and MSI-X are hidden), brings it up and
  moves data to QEMU's user-network gateway (ping, 1400-byte payloads);
- its interrupts reach net (INTx, bound to its vGIC);
- other sees no PCIe bus at all;
- net's reset quiesces the function first (bus mastering off, FLR where
  the function has one), then net boots again and the NIC works again;
  other runs on throughout.
proves: NET-4, PLATFORM-5
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, O, boot_on_board  # noqa: E402

t = Checks()
T = O + "/tests/linux-pci"
os.makedirs(T, exist_ok=True)
m = boot_on_board(t, T, "tests/configs/good/linux-pci.dts",
                  ["-machine", "iommu=smmuv3", "-netdev", "user,id=n0",
                   "-device", "e1000e,addr=02.0,netdev=n0,romfile="], "its SMMUv3 and the NIC")
UP = r"\[%s\] bulkhead-linux: userspace up on %s"
seen = m.expect_all([UP % ("net", "net"), UP % ("other", "other")], timeout=600)
t.check(len(seen) == 2, "both partitions reach userspace", "saw %d" % len(seen))
log = m.log()
t.check("smmu: SMMUv3 at 0x9050000 on, every PCIe function's DMA aborted until given" in log,
        "the hypervisor turns the SMMU on, every stream aborting")
t.check("partition net: pci/nic: 00:02.0 given (vendor 8086 device 10d3), INTx 37, DMA confined by the SMMU"
        in log, "the NIC is given to net, its DMA confined by the SMMU")
t.check(re.search(r"\[net\] \[ *[0-9.]+\] e1000e 0000:00:02.0 eth0: Intel\(R\) PRO/1000 Network Connection",
                  log) is not None, "net's own e1000e driver brings the NIC up")
t.check("Falling back to legacy interrupts" in log, "net's driver finds no MSI or MSI-X: legacy INTx")
m.focus = "net"


def sh(name, cmd, timeout=120):
    r = m.run(name, cmd + "; echo R\"\"C=$?", r"RC=(\d+)[\r\n]", timeout)
    return int(r.group(1)) if r else None


r = m.run("net", "echo D\"\"EVS=$(ls /sys/bus/pci/devices | tr '\\n' ,)", r"DEVS=(\S*)[\r\n]")
t.check(r is not None and r.group(1) == "0000:00:02.0,", "net's bus shows its function and nothing else",
        r.group(0) if r else "no answer")
t.check(sh("net", "ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && sleep 3") == 0, "eth0 comes up")
t.check(sh("net", "ping -c 5 -s 1400 -W 5 10.0.2.2 >/dev/null") == 0,
        "net pings QEMU's user-network gateway through the NIC (DMA both ways)")
r = m.run("net", "echo I\"\"RQ=$(awk '/eth0/{s=0;for(i=2;i<=NF;i++)if($i~/^[0-9]+$/)s+=$i;print s}' /proc/interrupts)",
          r"IRQ=(\d+)[\r\n]")
t.check(r is not None and int(r.group(1)) > 0, "the NIC's INTx interrupts reach net", r.group(0) if r else "no answer")
r = m.run("other", "echo O\"\"PCI=$(ls /sys/bus/pci/devices 2>/dev/null | wc -l)", r"OPCI=(\d+)[\r\n]")
t.check(r is not None and r.group(1) == "0", "other sees no PCIe function", r.group(0) if r else "no answer")

# net restarts: the function is quiesced before its memory is reused.
m.focus_to("net")
m.p.send("reboot -f\r")
t.check(m.expect(r"partition net: restarting \(boot 2\)", 300) is not None, "reboot -f restarts net")
t.check(m.expect(UP % ("net", "net"), 600) is not None, "net boots again")
log = m.log()
q = log.find("bulkhead: pci 02.0: bus mastering off for 100 ms")
t.check(q >= 0 and q < log.find("partition net: restarting (boot 2)") + 400 and
        q < log.rfind("[net] [    0.000000] Booting Linux"),
        "the NIC is quiesced (bus mastering off, FLR where it has one) before net boots again",
        log[q:q + 120] if q >= 0 else "no quiesce line")
t.check(sh("net", "ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && sleep 3 && "
              "ping -c 3 -W 5 10.0.2.2 >/dev/null") == 0, "after the reset net's NIC works again")
t.check(sh("other", "echo ok >/dev/null") == 0, "other keeps running")
t.check(log.count("[other] [    0.000000] Booting Linux") == 1, "other did not reboot")
m.kill()
t.check("PANIC" not in m.log(), "no hypervisor panic")
t.finish()
