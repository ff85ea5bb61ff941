#!/usr/bin/python3
"""A hostile PCIe DMA master confined by the SMMU: QEMU's edu device (a
DMA engine) at 00:03.0 given to a bare-metal attacker
(tests/guests/pciattack, tests/configs/good/pci-dma-attack.dts), Linux in
"other" beside it.

- control: the engine's DMA into the attacker's own RAM lands;
- its DMA writes into other's RAM (a page of its kernel text) and into
  the hypervisor's (a page of its text) are refused by the SMMU: both
  pages are unchanged byte for byte (read by QEMU, pmemsave, before and
  after), and the hypervisor counts the faults against the attacker;
- a DMA read of other's RAM brings back nothing;
- a DMA started just before the attacker resets itself does not land in
  its next boot's memory: the function is quiesced first;
- other keeps running and does not reboot; the hypervisor does not panic.
proves: PLATFORM-5, NET-4
"""
import hashlib
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, O, boot_on_board  # noqa: E402

t = Checks()
T = O + "/tests/linux-pci-dma"
os.makedirs(T, exist_ok=True)
QMP = os.path.abspath(T + "/qmp.sock")
if os.path.exists(QMP):
    os.unlink(QMP)
m = boot_on_board(t, T, "tests/configs/good/pci-dma-attack.dts",
                  ["-machine", "iommu=smmuv3", "-device", "edu,addr=03.0,dma_mask=0xffffffffffffffff"],
                  "its SMMUv3 and the edu device", qmp=QMP)
TARGETS = {"other's kernel text": 0x60200000, "the hypervisor's text": 0x40081000}


def pages():
    out = {}
    for name, addr in TARGETS.items():
        f = os.path.abspath("%s/page-%x.bin" % (T, addr))
        m.qmp().cmd("pmemsave", val=addr, size=4096, filename=f)
        time.sleep(0.2)
        with open(f, "rb") as fh:
            out[name] = hashlib.sha256(fh.read()).hexdigest()
    return out


seen = m.expect_all([r"\[other\] bulkhead-linux: userspace up on other",
                     r"\[attacker\] pciattack: waiting for g"], timeout=600)
t.check(len(seen) == 2, "other boots Linux; the attacker has its function and waits", "saw %d" % len(seen))
log = m.log()
t.check("partition attacker: pci/edu: 00:03.0 given (vendor 1234 device 11e8), INTx 38, DMA confined by the SMMU"
        in log, "the edu device is given to the attacker, its DMA confined")
t.check("pciattack: function 00:03.0 id 0x0000000011e81234" in log, "the attacker finds it on its virtual host bridge")
before = pages()
m.focus_to("attacker")
m.p.send("g")
done = m.expect(r"\[attacker\] pciattack: done", timeout=300)
t.check(done is not None, "the attacker runs its attacks, resets, and finishes its second boot")
time.sleep(1)
after = pages()
log = m.log()
for what in ("control: DMA into its own RAM lands",
             "DMA writes to other's RAM and the hypervisor's issued",
             "a DMA read of other's RAM brings back nothing of it",
             "boot 2: the DMA started before the reset did not land"):
    t.check("pciattack: %s: ok" % what in log, "attacker: " + what)
for name in TARGETS:
    t.check(before[name] == after[name], "%s is unchanged byte for byte" % name)
faults = re.findall(r"smmu: partition 0: DMA write by 00:03\.0 to (0x[0-9a-f]+) refused \(translation fault (\d+)\)",
                    log)
t.check({a for a, _ in faults} >= {"0x60200000", "0x40081000"},
        "the SMMU refused both writes, counted against the attacker", str(faults))
t.check(re.search(r"smmu: partition 0: DMA read by 00:03\.0 to 0x60200000 refused", log) is not None,
        "and the read of other's RAM")
q = log.find("bulkhead: pci 03.0: bus mastering off for 100 ms")
t.check(0 <= q < log.find("partition attacker: restarting (boot 2)"),
        "the function is quiesced before the attacker's next boot", log[q:q + 100] if q >= 0 else "no quiesce line")
r = m.run("other", "echo A\"\"LIVE-$((6*7))", r"ALIVE-42", timeout=120)
t.check(r is not None, "other keeps running")
t.check(log.count("[other] [    0.000000] Booting Linux") == 1, "other did not reboot")
m.kill()
t.check("PANIC" not in m.log(), "no hypervisor panic")
t.finish()
