#!/bin/bash
# tests/qemu/test_iommu_hostile.sh again on QEMU virt with a GICv2 (TEST_GIC=2 in
# tests/lib/common.sh: gic-version=2, its board tree): the same guests, the
# same refusals, each partition on its vGICv2.
# proves: PLATFORM-8
TEST_GIC=2 exec bash "$(dirname "$0")/test_iommu_hostile.sh"
