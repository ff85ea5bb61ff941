#!/bin/bash
# Benchmarks: figures, never asserted. Under -icount shift=0,sleep=off
# QEMU's virtual clock advances 1 ns per instruction (all CPUs share one
# instruction counter), so a counter value read by a guest converts to
# instructions executed since QEMU started.
set -u
cd "$(dirname "$0")/.."
. tests/lib/common.sh
T=$O/bench
mkdir -p "$T"

echo "== hypervisor size"
"${CROSS:-aarch64-linux-gnu-}size" "$O/bulkhead.elf"

echo "== boot: QEMU start to the first guest instruction"
pack configs/demo.dts "$T/demo.img" || exit 1
run_qemu "$T/demo.img" "$T/boot.log" 120
freq=$(sed -n 's/.*timer: \([0-9]*\) Hz.*/\1/p' "$T/boot.log")
for p in alpha beta; do
	c=$(sed -n "s/^\[$p\] hello: first-instruction counter \([0-9]*\).*/\1/p" "$T/boot.log")
	if [ -n "$c" ] && [ -n "$freq" ]; then
		echo "boot: partition $p: first instruction after $((c * 1000000000 / freq)) instructions (counter $c at $freq Hz)"
	else
		echo "boot: partition $p: no figure (see $T/boot.log)"
	fi
done
