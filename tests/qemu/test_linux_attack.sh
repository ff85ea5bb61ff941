#!/bin/bash
# The attack guest runs beside Debian's kernel: every attempt on the other
# partition's RAM, the hypervisor, the GIC, SGIs, PSCI, odd register
# accesses and EL2 system registers is refused in the attacker only, and
# the Linux partition finishes its workload with no error in its log.
# proves: PLATFORM-3, PLATFORM-5, PLATFORM-6
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/linux-attack$GIC_SUFFIX
mkdir -p "$T"
pack tests/configs/good/linux-attack.dts "$T/image" || { fail "pack linux-attack"; finish; }
run_qemu "$T/image" "$T/console.log" 900
rc=$?
[ $rc -eq 0 ] && pass "QEMU exits 0 when both partitions have stopped" || fail "QEMU exit status" "$rc"
L=$T/console.log
n=$(sed -n 's/.*\[attacker\] attack: done: \([0-9]*\)\/\1 refused.*/\1/p' "$L")
if [ -n "$n" ] && [ "$n" -ge 39 ]; then pass "every attack refused ($n)"; else fail "every attack refused" "$(grep 'attack: done' "$L")"; fi
expect_not_in "$L" "NOT REFUSED" "no attack succeeded"
expect_in "$L" "[linux] bulkhead-linux: userspace up on linux with 2 CPU(s)" "Linux reaches userspace beside the attacker"
expect_in "$L" "[linux] bulkhead-linux: workload done files=" "Linux finishes its workload"
expect_in "$L" "workload done files=b301fb912257a9d965bab53c59ddc8ec errors=0" "Linux workload result and log are clean"
expect_in "$L" "bulkhead: partition linux stopped" "Linux powers off normally"
expect_not_in "$L" "PANIC" "no hypervisor panic"
expect_in "$L" "bulkhead: GIC: GICv${TEST_GIC:-3}," "the hypervisor drives the board's GICv${TEST_GIC:-3}"
if grep '^\[linux\]' "$L" | grep -v 'Kernel command line' | grep -qiwE 'error|bug|oops|warning|unhandled|failed|panic'; then
	fail "no error in the Linux console" "$(grep '^\[linux\]' "$L" | grep -v 'Kernel command line' | grep -iwE 'error|bug|oops|warning|unhandled|failed|panic' | head -3)"
else
	pass "no error in the Linux console"
fi
finish
