#!/usr/bin/python3
"""tests/linux/test_gl.py again on QEMU virt with a GICv2 (TEST_GIC=2,
tests/lib/console.py): kmscube renders through virgl in a partition with a
vGICv2, and the hostile 3D driver beside it gets each error while the
frames it draws stay those it drew unattacked.
proves: PLATFORM-8, GPU3D-1
"""
import os
import runpy

os.environ["TEST_GIC"] = "2"
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_gl.py"), run_name="__main__")
