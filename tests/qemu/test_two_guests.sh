#!/bin/bash
# Two bare-metal partitions at once on CPUs 1 and 2: the attacker reads and
# writes the victim's RAM and the hypervisor's, makes unknown calls and
# touches an implementation-defined system register; every attempt is
# refused in the attacker only, the victim finishes normally, the machine
# powers off when both have stopped and QEMU exits 0. On the way, the
# hypervisor's per-CPU work queues run an item on each CPU.
# proves: PLATFORM-2, PLATFORM-3, PLATFORM-5, PLATFORM-8
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/two-guests$GIC_SUFFIX
mkdir -p "$T"
pack tests/configs/good/two-guests.dts "$T/image" || { fail "pack two-guests"; finish; }
run_qemu "$T/image" "$T/console.log" 120
rc=$?
if [ $rc -eq 0 ]; then pass "QEMU exits 0 when every partition has stopped"; else fail "QEMU exit status" "$rc"; fi
L=$T/console.log
expect_in "$L" "[victim] hello: running at EL1" "victim runs at EL1"
expect_in "$L" "[victim] hello: PSCI version 1.1" "victim gets PSCI 1.1 over HVC"
expect_in "$L" "[victim] hello: line 3" "victim prints through its own console"
expect_in "$L" "[victim] hello: exceptions taken 0" "victim took no exception"
expect_in "$L" "[victim] hello: done" "victim finishes normally"
n=$(sed -n 's/.*\[attacker\] attack: done: \([0-9]*\)\/\1 refused.*/\1/p' "$L")
if [ -n "$n" ] && [ "$n" -ge 39 ]; then pass "every attack refused in the attacker ($n)"; else fail "every attack refused" "$(grep 'attack: done' "$L")"; fi
expect_not_in "$L" "NOT REFUSED" "no attack succeeded"
for what in "read of another partition's RAM" "write to another partition's RAM" \
	"read of the hypervisor's image" "write to the hypervisor's image" \
	"read of the hypervisor's page tables" "unknown HVC function returns NOT_SUPPORTED" \
	"read of an implementation-defined system register" "write to ACTLR_EL1" "read of ACTLR_EL1" \
	"SGIs to CPUs outside the partition go nowhere" "enabling and pending SPIs 192-223 the partition does not have" \
	"64-bit read of GICD_CTLR" "unaligned 32-bit read in GICD_ISENABLER" \
	"PSCI CPU_ON of MPIDR 3 (the other partition's)" "write to HCR_EL2" "DC ISW (set/way invalidate) done as clean+invalidate, no fault"; do
	expect_in "$L" "[attacker] attack: refused: $what" "attacker: $what"
done
# Through the vGIC's own registers: GICv3's redistributors, GICv2's
# ITARGETSR, SGIR and the board's GICH frame.
if [ "${TEST_GIC:-3}" = 2 ]; then
	gic_cases=("SPI routed to CPU 5 is delivered to its own vCPU 0 only"
		"ITARGETSR naming a CPU outside the partition keeps nothing"
		"read of the board's virtual interface control (GICH)" "byte write to GICD_SGIR")
else
	gic_cases=("SPI routed to vCPU 5 is delivered to its own vCPU 0 only"
		"read of another vCPU's redistributor" "16-bit write to GICR_WAKER")
fi
for what in "${gic_cases[@]}"; do
	expect_in "$L" "[attacker] attack: refused: $what" "attacker: $what"
done
expect_in "$L" "bulkhead: partition victim stopped" "victim stop seen by the hypervisor"
expect_in "$L" "bulkhead: partition attacker stopped" "attacker stop seen by the hypervisor"
expect_in "$L" "bulkhead: all partitions stopped: powering off" "power off after the last partition"
# The work queues (core/workq.c) at boot: the last CPU up posts one item to
# every CPU; each must run on its own CPU, from the work SGI, taken in the
# idle loop or out of a running guest.
expect_in "$L" "bulkhead: workq: each of the 4 CPUs ran its own item" "each CPU ran the work item posted to it"
# One log line per fault kind, however many faults.
n=$(grep -c "attacker: data abort:" "$L")
if [ "$n" = 1 ]; then pass "one log line for many data aborts"; else fail "data abort log lines" "$n"; fi
expect_in "$L" "attacker: unsupported call:" "unsupported call logged"
expect_in "$L" "attacker: system register:" "system register fault logged"
expect_not_in "$L" "PANIC" "no hypervisor panic"
finish
