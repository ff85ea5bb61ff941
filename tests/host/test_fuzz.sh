#!/bin/bash
# libFuzzer on the virtio-mmio transport, the split virtqueue engine,
# virtio-rng and virtio-console (tests/fuzz/fuzz_virtqueue.c): a guest's
# register accesses and the whole of its fake RAM (rings, descriptors,
# indirect tables) come from the fuzzer, under ASan and UBSan, with every
# ring walk checked against a reference and every device write against the
# buffers the guest described. `make fuzz` runs it for a bounded time from
# the seeds in tests/fuzz/corpus/virtqueue/ (working corpus under $O/fuzz).
# proves: PLATFORM-7
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.." || exit 2
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p "$O"
log=$O/fuzz.log
if ! command -v "${FUZZ_CC:-clang}" >/dev/null; then
	fail "fuzz_virtqueue" "no ${FUZZ_CC:-clang} (make setup installs it)"
	finish
fi
make -s O="$O" fuzz >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
cov=$(grep -oE 'DONE +cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 | sed 's/DONE *//')
artefact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
if [ "$rc" -eq 0 ] && [ -n "$runs" ] && [ -z "$artefact" ]; then
	echo "fuzz_virtqueue: $speed exec/s, $cov"
	pass "fuzz_virtqueue ran $runs executions clean"
else
	why=$(grep -m1 -E '^==[0-9]+==ERROR|runtime error|fuzz_virtqueue: |^make: \*\*\*|error:' "$log")
	fail "fuzz_virtqueue" "${artefact:+crash input $artefact; }exit $rc; ${why:-see $log}; log $log"
fi
finish
