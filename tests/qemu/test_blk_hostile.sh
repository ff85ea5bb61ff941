#!/bin/bash
# The hostile virtio-blk driver (tests/guests/blkattack) runs beside Debian's
# kernel, both with windows on one physical disk: after valid reads prove
# the path, every request outside its windows, every write, discard or
# write-zeroes on its read-only disk, every malformed header, range list,
# length or segment list completes with IOERR or UNSUPP and nothing written
# but the status byte; chains with no status byte or with buffers in the
# other partition's RAM or the hypervisor's put the disk in NEEDS_RESET and
# it serves again after a reset. The disk image is unchanged afterwards, the
# hypervisor's log gets at most one line of each kind per disk, and Linux
# finishes its workload untouched.
# proves: BLK-1, BLK-6, PLATFORM-5
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/blk-hostile$GIC_SUFFIX
mkdir -p "$T"
pack tests/configs/good/blk-hostile.dts "$T/image" || { fail "pack blk-hostile"; finish; }
IMG=$T/disk.img
pattern_disk "$IMG" || { fail "disk image"; finish; }
sum0=$(sha256sum <"$IMG")
QEMU_EXTRA="-global virtio-mmio.force-legacy=false -drive file=$IMG,if=none,id=d0,format=raw,discard=unmap -device virtio-blk-device,drive=d0" \
	run_qemu "$T/image" "$T/console.log" 300
rc=$?
[ $rc -eq 0 ] && pass "QEMU exits 0 when both partitions have stopped" || fail "QEMU exit status" "$rc"
L=$T/console.log
attack_results "$L" hostile blkattack 6 "valid reads and GET_ID are served" \
	12 "every hostile block request refused"
expect_in "$L" "[hostile] blkattack: both disks serve reads after every case" \
	"the disks serve again after every case and every reset"
sum1=$(sha256sum <"$IMG")
[ "$sum0" = "$sum1" ] && pass "the disk image is unchanged" || fail "the disk image is unchanged" "sha256 ${sum0%% *} -> ${sum1%% *}"
expect_in "$L" "[vda] 4096 512-byte logical blocks" "Linux has its own disk beside the attacker's"
expect_not_in "$L" "PANIC" "no hypervisor panic"
expect_not_in "$L" "the device failed" "the physical disk never failed"
# guest_error() (vdev/virtio_blk.c) and virtio_needs_reset() (vdev/virtio_mmio.c)
# each log one line per disk, ever: however many requests are refused.
bad=0
for d in hostile/virtio-blk-rw hostile/virtio-blk-ro; do
	r=$(grep -c "warn: $d: .*(request refused; further ones not logged)" "$L")
	m=$(grep -c "warn: $d: malformed request: " "$L")
	[ "$r" -le 1 ] && [ "$m" -le 1 ] || bad=1
done
r=$(grep -c "warn: hostile/virtio-blk-rw: .*(request refused; further ones not logged)" "$L")
m=$(grep -c "warn: hostile/virtio-blk-rw: malformed request: " "$L")
if [ $bad = 0 ] && [ "$r" = 1 ] && [ "$m" = 1 ]; then
	pass "hypervisor warnings bounded: one line of each kind per disk"
else
	fail "hypervisor warnings bounded" "$(grep -c 'warn: hostile/' "$L") lines"
fi
linux_untouched "$L"
finish
