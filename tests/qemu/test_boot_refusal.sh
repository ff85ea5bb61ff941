#!/bin/bash
# The hypervisor checks the partition file again at boot with the same code
# as the host checker: an image packed from a bad file (packer check
# bypassed) is refused with the same message, no partition starts, and the
# machine powers off. A corrupted image is refused by its CRCs.
# proves: PLATFORM-4, PLATFORM-5, IOMMU-1, SENS-3
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/boot-refusal
mkdir -p "$T"

# 65 and 66: what boot refused only while building the partitions before
# the guest layout and image placement moved into the shared check.
# 68 and 88: passthrough, checked at boot against the firmware's own device
# tree (the packer's --board is QEMU's tree for the same machine).
# 101: an IOMMU naming another partition's device as its endpoint.
# 112: a sensor register inside a partition's memory.
for f in tests/configs/bad/01-cpu-two-partitions.dts tests/configs/bad/05-mem-overlap-hypervisor.dts \
	tests/configs/bad/65-images-do-not-fit.dts tests/configs/bad/66-disk-slots.dts \
	tests/configs/bad/68-pt-device-two-partitions.dts tests/configs/bad/88-pt-dma-unconfined-missing.dts \
	tests/configs/bad/101-iommu-endpoint-other-partition.dts tests/configs/bad/112-sensor-in-partition.dts; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .dts)
	want=$(sed -n '1s|^// expect: ||p' "$f")
	rm -f "$T/$n.img"
	if pack "$f" "$T/$n.img" -L . 2>/dev/null; then fail "$n: packer refuses"; continue; fi
	[ -e "$T/$n.img" ] && fail "$n: packer wrote no image" || pass "$n: packer wrote no image"
	pack "$f" "$T/$n.img" -L . --no-check 2>/dev/null || { fail "$n: pack --no-check"; continue; }
	run_qemu "$T/$n.img" "$T/$n.log" 60
	expect_in "$T/$n.log" "bulkhead: error: partition file: $want" "$n: refused at boot with the checker's message"
	expect_in "$T/$n.log" "refusing to boot: 1 error(s) in the partition file" "$n: boot refused"
	expect_not_in "$T/$n.log" "hello:" "$n: no partition started"
done

# What only hardware decides, which the checker cannot see: a physical
# disk that is missing, or smaller than the window. The checker accepts
# the file; boot refuses it, naming node and property, and starts nothing.
f=tests/configs/good/hw-disk-window.dts
pack "$f" "$T/hw.img" || fail "pack hw-disk-window"
run_qemu "$T/hw.img" "$T/hw-nodisk.log" 60
expect_in "$T/hw-nodisk.log" "bulkhead: error: /storage/disk0: index: no physical virtio-blk device number 0" \
	"missing physical disk refused at boot"
expect_not_in "$T/hw-nodisk.log" "hello:" "missing physical disk: no partition started"
truncate -s 1M "$T/small-disk.img"
QEMU_EXTRA="-global virtio-mmio.force-legacy=false -drive file=$T/small-disk.img,if=none,id=d0,format=raw -device virtio-blk-device,drive=d0" \
	run_qemu "$T/hw.img" "$T/hw-small.log" 60
expect_in "$T/hw-small.log" \
	"bulkhead: error: partition file: /partitions/alpha/virtio-blk: window: sectors [4096, +8) go past the end of backend disk0 (2048 sectors)" \
	"window past the end of the physical disk refused at boot"
expect_not_in "$T/hw-small.log" "hello:" "window past the physical disk: no partition started"

# The hypervisor's own drivers never take a device given to a partition:
# the only NIC sits in the given slot, so there is no uplink; with a second
# NIC in the top slot, that one is the uplink. (proves: NET-4)
f=tests/configs/good/passthrough-uplink.dts
pack "$f" "$T/pt.img" 2>/dev/null || fail "pack passthrough-uplink"
NIC16="-global virtio-mmio.force-legacy=false -netdev user,id=pt -device virtio-net-device,netdev=pt,bus=virtio-mmio-bus.16"
QEMU_EXTRA="$NIC16" run_qemu "$T/pt.img" "$T/pt-one.log" 60
expect_in "$T/pt-one.log" "bulkhead: error: /network/lan: uplink: no physical virtio-net number 0" \
	"the hypervisor's NIC driver skips the slot given to a partition"
QEMU_EXTRA="$NIC16 -netdev user,id=up -device virtio-net-device,netdev=up" run_qemu "$T/pt.img" "$T/pt-two.log" 60
expect_in "$T/pt-two.log" "bulkhead: network lan: uplink virtio-net@a003e00" "the uplink is the NIC in the top slot"
expect_not_in "$T/pt-two.log" "virtio-net@a002000" "the given NIC is never probed"
expect_in "$T/pt-two.log" "[alpha] hello: done" "the partition with the given NIC runs"

# Corrupt one byte of the last blob (a guest image): CRC mismatch.
pack tests/configs/good/hello-pair.dts "$T/good.img" || fail "pack hello-pair"
cp "$T/good.img" "$T/corrupt.img"
at=$(grep -obaF BHPAYLD1 "$T/corrupt.img" | tail -1 | cut -d: -f1)
# blob 1's offset: header 32 bytes, blob entry 120 bytes, offset field at +96.
boff=$(od -An -t u8 -j $((at + 32 + 120 + 96)) -N 8 "$T/corrupt.img" | tr -d ' ')
printf '\xff' | dd of="$T/corrupt.img" bs=1 seek=$((at + boff + 40)) conv=notrunc status=none
run_qemu "$T/corrupt.img" "$T/corrupt.log" 60
expect_in "$T/corrupt.log" "image: payload blob CRC mismatch; refusing to boot" "corrupted image refused"
expect_not_in "$T/corrupt.log" "hello:" "corrupted image: no partition started"
finish
