#!/usr/bin/python3
"""tests/linux/test_net_hostile.py again on QEMU virt with a GICv2
(TEST_GIC=2, tests/lib/console.py): the hostile virtio-net driver (its
timer through its vGICv2) beside Linux a and b on theirs, every case
refused, a and b unharmed.
proves: PLATFORM-8, NET-5
"""
import os
import runpy

os.environ["TEST_GIC"] = "2"
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_net_hostile.py"), run_name="__main__")
