#!/bin/bash
# tests/qemu/test_linux_attack.sh on QEMU virt with a GICv2: the attack
# guest's GIC attacks go through its vGICv2 (GICD_SGIR to CPUs outside the
# partition and with a reserved filter, ITARGETSR naming another CPU, the
# distributor's frame, the board's GICH frame, past its CPU interface),
# each refused in the attacker only, while Debian's Linux (2 vCPUs, SGIs
# through GICD_SGIR) finishes its workload beside it.
# proves: PLATFORM-8, PLATFORM-5
TEST_GIC=2 exec bash "$(dirname "$0")/test_linux_attack.sh"
