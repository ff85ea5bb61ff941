#!/bin/bash
# The hostile virtio-iommu driver (tests/guests/iommuattack) beside Debian's
# kernel: one case per rule of IOMMU-2..11, each with the exact status and
# "nothing attached, removed or written" checked by the guest, and its
# disk (behind the IOMMU, on the physical disk) as the proof of what the
# IOMMU lets it reach: reads into unmapped or read-only-mapped buffers, or
# through a mapping onto the other partition's RAM, fail with IOERR and
# write no data; a status byte the IOMMU refuses puts the disk in
# NEEDS_RESET; each refusal is reported whole on the event queue.
# Afterwards the disk image is unchanged, the hypervisor's log has one fault
# line for the device, and Linux finished its workload untouched.
# proves: IOMMU-1, IOMMU-2, IOMMU-3, IOMMU-4, IOMMU-5, IOMMU-6, IOMMU-7,
# IOMMU-8, IOMMU-9, IOMMU-10, IOMMU-11, IOMMU-12, PLATFORM-5
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/iommu-hostile
mkdir -p "$T"
pack tests/configs/good/iommu-hostile.dts "$T/image" || { fail "pack iommu-hostile"; finish; }
IMG=$T/disk.img
pattern_disk "$IMG" || { fail "disk image"; finish; }
sum0=$(sha256sum <"$IMG")
QEMU_EXTRA="-global virtio-mmio.force-legacy=false -drive file=$IMG,if=none,id=d0,format=raw -device virtio-blk-device,drive=d0" \
	run_qemu "$T/image" "$T/console.log" 300
rc=$?
[ $rc -eq 0 ] && pass "QEMU exits 0 when both partitions have stopped" || fail "QEMU exit status" "$rc"
L=$T/console.log
c=$(sed -n 's/.*\[attacker\] iommuattack: controls: \([0-9]*\)\/\1 served.*/\1/p' "$L")
if [ -n "$c" ] && [ "$c" -ge 7 ]; then
	pass "identity, config, mapped, translated and bypass reads work ($c controls)"
else
	fail "identity, config, mapped, translated and bypass reads work" \
		"$(grep -E 'iommuattack: control(s:| FAILED)' "$L" || echo 'no result line')"
fi
n=$(sed -n 's/.*\[attacker\] iommuattack: done: \([0-9]*\)\/\1 refused.*/\1/p' "$L")
if [ -n "$n" ] && [ "$n" -ge 31 ]; then
	pass "every hostile IOMMU request refused with its status ($n)"
else
	fail "every hostile IOMMU request refused with its status" \
		"$(grep -E 'iommuattack: (done|NOT REFUSED)' "$L" || echo 'no result line')"
fi
expect_not_in "$L" "NOT REFUSED" "no hostile IOMMU request succeeded"
expect_in "$L" "[attacker] iommuattack: the IOMMU and its disk serve after every case" \
	"the IOMMU and its disk serve again after every case"
sum1=$(sha256sum <"$IMG")
[ "$sum0" = "$sum1" ] && pass "the disk image is unchanged" || fail "the disk image is unchanged" "sha256 ${sum0%% *} -> ${sum1%% *}"
expect_in "$L" "[linux] bulkhead-linux: workload done files=b301fb912257a9d965bab53c59ddc8ec errors=0" \
	"Linux finishes its workload beside the hostile IOMMU driver"
expect_in "$L" "bulkhead: partition linux stopped" "Linux powers off normally"
expect_not_in "$L" "PANIC" "no hypervisor panic"
expect_not_in "$L" "the device failed" "the physical disk never failed"
f=$(grep -c "warn: attacker/virtio-iommu: IOMMU fault: .*(further ones not logged)" "$L")
[ "$f" = 1 ] && pass "one log line for the IOMMU's faults, however many" ||
	fail "one log line for the IOMMU's faults" "$f lines"
if grep 'warn: linux' "$L" | grep -q .; then
	fail "no hypervisor warning about linux" "$(grep 'warn: linux' "$L" | head -1)"
else
	pass "no hypervisor warning about linux"
fi
if grep '^\[linux\]' "$L" | grep -v 'Kernel command line' | grep -qiwE 'error|bug|oops|warning|unhandled|failed|panic'; then
	fail "no error in the Linux console" "$(grep '^\[linux\]' "$L" | grep -v 'Kernel command line' | grep -iwE 'error|bug|oops|warning|unhandled|failed|panic' | head -3)"
else
	pass "no error in the Linux console"
fi
finish
