#!/usr/bin/python3
"""The second board: the Xilinx ZynqMP ZCU102 (platform/zynqmp_zcu102) on
QEMU 7.2's xlnx-zcu102 machine with virtualization=on (four Cortex-A53s at
EL2, a GIC-400). The hypervisor builds from zynqmp_zcu102_defconfig in a
tree of its own, finds the GIC-400 in the board's firmware tree (Debian's
zynqmp-zcu102-rev1.0.dtb, which QEMU loads), prints on the Cadence UART and
reads console input from its interrupt, and boots the board's demo
(configs/zcu102.dts): Debian's kernel in two partitions, each with a guest
tree that describes the vGICv2 and the PL011 console it gets. Checked in
them: SGIs (alpha has 2 vCPUs), the virtual timer, virtio interrupts (each
partition's disk is a window on one RAM disk; the two ping each other
through the switch), PSCI reset of one partition alone and poweroff.
proves: PLATFORM-5, PLATFORM-8
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from console import Checks, Machine, O  # noqa: E402
from demo_checks import UP, cpus_and_interrupts, net_up, ping, poweroff_both, reboot_alone  # noqa: E402

t = Checks()
Z = O + "/zcu102"
os.makedirs(Z, exist_ok=True)
ARGS = ["O=" + Z, "CONFIG=" + Z + "/.config"]
# The default board's settings, from the make that runs the tests, stay out.
for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "QEMU_FLAGS", "BOARD_DTB"):
    os.environ.pop(k, None)
ENV = dict(os.environ)
with open(Z + ".build.log", "w") as log:
    ok = subprocess.run(["make", "-s"] + ARGS + ["zynqmp_zcu102_defconfig"], env=ENV, stdout=log,
                        stderr=subprocess.STDOUT).returncode == 0 and \
        subprocess.run(["make", "-s"] + ARGS + ["all"], env=ENV, stdout=log,
                       stderr=subprocess.STDOUT).returncode == 0
with open(Z + ".build.log", errors="replace") as f:
    t.check(ok, "the ZCU102 image builds from zynqmp_zcu102_defconfig", f.read()[-600:])
if not ok:
    t.finish()
r = subprocess.run([Z + "/tools/hvcheck", "--board", Z + "/board-zynqmp_zcu102.dtb", "-L", Z, "-L",
                    os.environ.get("CACHE", os.path.expanduser("~/.cache/bulkhead")), "configs/zcu102.dts"],
                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
t.check(r.returncode == 0, "its hvcheck accepts configs/zcu102.dts against the board's tree", r.stdout[-300:])
with open(Z + "/include/generated/autoconf.h") as f:
    t.check("#define CONFIG_PLATFORM_ZYNQMP_ZCU102 1" in f.read(), "the build is the ZCU102's")

m = Machine(["make", "-s", "run"] + ARGS, Z + "/console.log", timeout=900)
seen = m.expect_all([UP % ("alpha", "alpha"), UP % ("beta", "beta")], timeout=900)
t.check(len(seen) == 2, "both Linux partitions reach userspace on the ZCU102", "saw %d" % len(seen))
log = m.log()
t.check("Bulkhead hypervisor on zynqmp-zcu102, EL2, 4 CPUs" in log, "the hypervisor runs at EL2 on the ZCU102")
t.check("bulkhead: GIC: GICv2, distributor at 0xf9010000, priority mask 0xf8" in log,
        "it drives the board's GIC-400, found in the firmware's tree, with its 5 priority bits")
t.check("all 4 CPUs up" in log, "the four A53s come up (PSCI CPU_ON by SMC)")
t.check("[alpha] bulkhead-linux: userspace up on alpha with 2 CPU(s)" in log, "alpha boots with 2 CPUs")
t.check("[beta] bulkhead-linux: userspace up on beta with 1 CPU(s)" in log, "beta boots with 1 CPU")
m.focus = "alpha"  # the hypervisor gives the first partition the focus

for name in ("alpha", "beta"):
    r = m.run(name, "echo G\"\"IC=$(cat /proc/device-tree/interrupt-controller@8000000/compatible)"
              "/$(cat /proc/device-tree/pl011@9000000/compatible)/$(cat /proc/consoles | cut -d' ' -f1)",
              r"GIC=([^/\s]+)/([^/\s]+)/(\S+)[\r\n]")
    t.check(r is not None and r.group(1) == "arm,cortex-a15-gic",
            "%s: its tree describes the vGICv2 it gets" % name, r.group(0) if r else "no answer")
    t.check(r is not None and r.group(2).startswith("arm,pl011") and r.group(3) == "ttyAMA0",
            "%s: its tree describes its PL011, the console it gets" % name, r.group(0) if r else "no answer")
    r = m.run(name, "echo G\"\"INT=$(grep -c GIC-0 /proc/interrupts)", r"GINT=(\d+)[\r\n]")
    t.check(r is not None and int(r.group(1)) > 0, "%s: Linux's GICv2 driver serves its interrupts" % name,
            r.group(0) if r else "no answer")

# The disks: each a window on the one RAM disk (its sector n is
# "RAMDISK-SECTOR-n"): alpha's first sector is the disk's sector 0, beta's
# the disk's 4096. A write in alpha stays in alpha's window.
for name, first in (("alpha", 0), ("beta", 4096)):
    r = m.run(name, "echo S\"\"0=$(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -c 24)",
              r"S0=(\S+)[\r\n]")
    t.check(r is not None and r.group(1) == "RAMDISK-SECTOR-%08d" % first,
            "%s: its disk is its window on the RAM disk (virtio interrupts)" % name, r.group(0) if r else "no answer")
r = m.run("alpha", "echo ALPHA-WROTE-THIS | dd of=/dev/vda bs=512 count=1 conv=sync,fsync 2>/dev/null; "
          "echo W\"\"=$(dd if=/dev/vda bs=512 count=1 iflag=direct 2>/dev/null | head -c 17)", r"W=(\S+)[\r\n]")
t.check(r is not None and r.group(1) == "ALPHA-WROTE-THIS", "alpha writes its disk and reads it back",
        r.group(0) if r else "no answer")
r = m.run("beta", "echo S\"\"0=$(dd if=/dev/vda bs=512 count=1 iflag=direct 2>/dev/null | head -c 24)",
          r"S0=(\S+)[\r\n]")
t.check(r is not None and r.group(1) == "RAMDISK-SECTOR-00004096", "beta's window does not see alpha's write",
        r.group(0) if r else "no answer")

net_up(m, t, {"alpha": "10.0.0.1", "beta": "10.0.0.2"})
ping(m, t, "alpha", "10.0.0.2", "alpha pings beta through the switch")

for name, cpus in (("alpha", 2), ("beta", 1)):
    cpus_and_interrupts(m, t, name, cpus)
reboot_alone(m, t, "beta", "alpha")
poweroff_both(m, t, "alpha", "beta")
t.finish()
