#!/usr/bin/python3
"""tests/linux/test_scmi.py again on QEMU virt with a GICv2 (TEST_GIC=2,
tests/lib/console.py): two Linux partitions read their own sensors over
virtio-scmi through their vGICv2, the hostile SCMI driver beside them gets
each status, their readings unaffected.
proves: PLATFORM-8, SENS-1
"""
import os
import runpy

os.environ["TEST_GIC"] = "2"
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_scmi.py"), run_name="__main__")
