#!/usr/bin/python3
"""tests/linux/test_gpu.py again on QEMU virt with a GICv2 (TEST_GIC=2,
tests/lib/console.py): two Linux partitions draw on their virtio-gpu
windows through their vGICv2's interrupts, the hostile 2D driver below
them gets each error, their pictures unaffected.
proves: PLATFORM-8, GPU2D-1
"""
import os
import runpy

os.environ["TEST_GIC"] = "2"
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_gpu.py"), run_name="__main__")
