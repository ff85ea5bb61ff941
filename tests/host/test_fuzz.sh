#!/bin/bash
# libFuzzer on the virtio-mmio transport, the split virtqueue engine,
# virtio-rng and virtio-console (tests/fuzz/fuzz_virtqueue.c), then on the
# virtio-iommu request decoder (tests/fuzz/fuzz_iommu_req.c: a failed
# request changes nothing, no S_OK with a reserved byte set) and the SCMI
# platform's (tests/fuzz/fuzz_scmi.c: a failed message changes nothing, an
# agent reads only its own sensors) and virtio-gpu's with the compositor
# (tests/fuzz/fuzz_gpu.c: a failed command changes nothing, no pixel
# changes outside the device's visible window), and the partition-file
# parser on any bytes against a board with PCIe and an SMMU
# (tests/fuzz/fuzz_config.c: every refusal names its node in printable
# text, an accepted file keeps partitions apart). A guest's
# register accesses and the whole of its fake RAM (rings, descriptors,
# indirect tables) come from the fuzzer, under ASan and UBSan, with every
# ring walk checked against a reference and every device write against the
# buffers the guest described. `make fuzz` runs each for a bounded time
# from the seeds in tests/fuzz/corpus/ (working corpora under $O/fuzz).
# proves: PLATFORM-4, PLATFORM-7, IOMMU-3, IOMMU-5, IOMMU-6, IOMMU-7, IOMMU-8, IOMMU-9, SENS-1, SENS-3, GPU2D-3, GPU2D-5, GPU2D-7
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.." || exit 2
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p "$O"
log=$O/fuzz.log
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	fail "fuzz" "no ${FUZZ_CC:-clang} (make setup installs it)"
	finish
fi
make -s O="$O" fuzz >"$log" 2>&1
rc=$?
# Each harness's final stats, in the order make ran them.
names=(fuzz_virtqueue fuzz_iommu_req fuzz_scmi fuzz_gpu fuzz_config)
for i in 1 2 3 4 5; do
	name=${names[$((i - 1))]}
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | sed -n "${i}p")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | sed -n "${i}p")
	cov=$(grep -oE 'DONE +cov: [0-9]+ ft: [0-9]+' "$log" | sed -n "${i}p" | sed 's/DONE *//')
	artefact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ "$rc" -eq 0 ] && [ -n "$runs" ] && [ -z "$artefact" ]; then
		echo "$name: $speed exec/s, $cov"
		pass "$name ran $runs executions clean"
	else
		why=$(grep -m1 -E '^==[0-9]+==ERROR|runtime error|fuzz_(virtqueue|iommu_req|scmi|gpu|config): |^make: \*\*\*|error:' "$log")
		fail "$name" "${artefact:+crash input $artefact; }exit $rc; ${why:-see $log}; log $log"
	fi
done
finish
