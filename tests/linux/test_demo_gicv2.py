#!/usr/bin/python3
"""The default demo (tests/linux/test_demo.py) on QEMU virt with a GICv2
(gic-version=2, `make run GIC=2`): the same hypervisor image finds the
GIC-400 in the board's tree and drives it, and gives each partition a
vGICv2 (its tree: arm,cortex-a15-gic; its GICC the board's GICV). Both
Linux partitions boot, alpha with 2 CPUs: timer interrupts, IPIs (SGIs
through GICD_SGIR), virtio interrupts, reboot and poweroff of one alone.
proves: PLATFORM-8, PLATFORM-3
"""
import os
import runpy

os.environ["DEMO_GIC"] = "2"
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_demo.py"), run_name="__main__")
