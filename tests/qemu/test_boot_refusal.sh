#!/bin/bash
# The hypervisor checks the partition file again at boot with the same code
# as the host checker: an image packed from a bad file (packer check
# bypassed) is refused with the same message, no partition starts, and the
# machine powers off. A corrupted image is refused by its CRCs.
# proves: PLATFORM-4, PLATFORM-5
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/boot-refusal
mkdir -p "$T"

# 65 and 66: what boot refused only while building the partitions before
# the guest layout and image placement moved into the shared check.
for f in tests/configs/bad/01-cpu-two-partitions.dts tests/configs/bad/05-mem-overlap-hypervisor.dts \
	tests/configs/bad/65-images-do-not-fit.dts tests/configs/bad/66-disk-slots.dts; do
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
