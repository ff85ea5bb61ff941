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
T=$O/tests/iommu-hostile$GIC_SUFFIX
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
attack_results "$L" attacker iommuattack 7 "identity, config, mapped, translated and bypass reads work" \
	31 "every hostile IOMMU request refused with its status"
expect_in "$L" "[attacker] iommuattack: the IOMMU and its disk serve after every case" \
	"the IOMMU and its disk serve again after every case"
sum1=$(sha256sum <"$IMG")
[ "$sum0" = "$sum1" ] && pass "the disk image is unchanged" || fail "the disk image is unchanged" "sha256 ${sum0%% *} -> ${sum1%% *}"
expect_not_in "$L" "PANIC" "no hypervisor panic"
expect_not_in "$L" "the device failed" "the physical disk never failed"
f=$(grep -c "warn: attacker/virtio-iommu: IOMMU fault: .*(further ones not logged)" "$L")
[ "$f" = 1 ] && pass "one log line for the IOMMU's faults, however many" ||
	fail "one log line for the IOMMU's faults" "$f lines"
linux_untouched "$L"
finish
