#!/bin/bash
# Where the CPU has no RNDR (QEMU -cpu cortex-a57), the hypervisor drives a
# physical virtio-rng (QEMU virtio-rng-device, modern transport) itself and
# seeds each partition's DRBG from it: Debian's kernel reads 1 MiB from its
# virtio_rng and it passes a byte chi-square test.
# proves: RNG-1, PLATFORM-7
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/rng-phys
mkdir -p "$T"
pack tests/configs/good/rng-phys.dts "$T/image" || { fail "pack rng-phys"; finish; }
QEMU_EXTRA="-cpu cortex-a57 -global virtio-mmio.force-legacy=false -device virtio-rng-device" \
	run_qemu "$T/image" "$T/console.log" 900
rc=$?
[ $rc -eq 0 ] && pass "QEMU exits 0" || fail "QEMU exit status" "$rc"
L=$T/console.log
expect_in "$L" "bulkhead: entropy: physical virtio-rng at" "no RNDR: the physical virtio-rng is found and set up"
r=$(sed -n 's/.*rng-check rng=\([^ ]*\) bytes=\([0-9]*\) chi2=\([0-9.]*\).*/\1 \2 \3/p' "$L")
set -- $r
[ "${1:-}" = virtio_rng.0 ] && pass "rng_current is virtio_rng" || fail "rng_current" "${1:-none}"
[ "${2:-}" = 1048576 ] && pass "1 MiB read from /dev/hwrng" || fail "1 MiB read" "${2:-none}"
if [ -n "${3:-}" ] && awk -v c="$3" 'BEGIN { exit !(c > 180 && c < 340) }'; then
	pass "byte chi-square $3 is that of random data"
else
	fail "byte chi-square" "${3:-none}"
fi
expect_not_in "$L" "serve no data" "the entropy source never failed"
finish
