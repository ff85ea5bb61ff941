#!/bin/bash
# libFuzzer on every guest-facing decoder (make fuzz, FUZZERS in the
# Makefile), each for a bounded time from its seeds in tests/fuzz/corpus/
# (working corpora under $O/fuzz), under ASan and UBSan:
#  - fuzz_virtqueue: the virtio-mmio transport, the split virtqueue engine,
#    virtio-rng and virtio-console; every ring walk checked against a
#    reference and every device write against the buffers the guest
#    described;
#  - fuzz_iommu_req: the virtio-iommu request decoder (a failed request
#    changes nothing, no S_OK with a reserved byte set);
#  - fuzz_scmi: the SCMI platform (a failed message changes nothing, an
#    agent reads only its own sensors);
#  - fuzz_gpu: virtio-gpu 2D with the compositor (a failed command changes
#    nothing, no pixel changes outside the device's visible window);
#  - fuzz_config: the partition-file parser on any bytes against a board
#    with PCIe and an SMMU (every refusal names its node in printable text,
#    an accepted file keeps partitions apart);
#  - fuzz_blk: virtio-blk's request decoder on a RAM disk against a
#    reference written from the spec (status, used length, the disk, guest
#    memory; nothing outside the window);
#  - fuzz_net: virtio-net's transmit, receive and control queue with the
#    L2 switch against a reference learning switch (who gets each frame,
#    receive buffers, MAC changes; nothing crosses to another segment).
# proves: PLATFORM-4, PLATFORM-5, PLATFORM-7, IOMMU-3, IOMMU-5, IOMMU-6, IOMMU-7, IOMMU-8, IOMMU-9, SENS-1, SENS-3, GPU2D-3, GPU2D-5, GPU2D-7, BLK-1, BLK-4, BLK-5, BLK-6, NET-1, NET-5, NET-8
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.." || exit 2
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p "$O"
log=$O/fuzz.log
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	fail "fuzz" "no ${FUZZ_CC:-clang} (make setup installs it)"
	finish
fi
# The harnesses built two at a time (each is the unit tests' sources under
# ASan), then run one after the other.
make -s -j2 O="$O" fuzz-bins >"$log" 2>&1 && make -s O="$O" fuzz >>"$log" 2>&1
rc=$?
# Each harness's final stats, in the order make ran them (FUZZERS).
names=($(make -s O="$O" -pn fuzz 2>/dev/null | sed -n 's/^FUZZERS := //p' | head -1))
[ ${#names[@]} -ge 7 ] || fail "fuzz harness list" "FUZZERS has ${#names[@]} entries: ${names[*]}"
for i in "${!names[@]}"; do
	name=fuzz_${names[$i]}
	n=$((i + 1))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | sed -n "${n}p")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | sed -n "${n}p")
	cov=$(grep -oE 'DONE +cov: [0-9]+ ft: [0-9]+' "$log" | sed -n "${n}p" | sed 's/DONE *//')
	artefact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ] && [ -z "$artefact" ]; then
		echo "$name: $speed exec/s, $cov"
		pass "$name ran $runs executions clean"
	else
		why=$(grep -m1 -E '^==[0-9]+==ERROR|runtime error|fuzz_[a-z_]+: |^make: \*\*\*|error:' "$log")
		fail "$name" "${artefact:+crash input $artefact; }exit $rc; ${why:-see $log}; log $log"
	fi
done
finish
