#!/bin/bash
# The hostile ring driver runs beside Debian's kernel, each with its own
# virtio-rng: every malformed ring, bad queue setup, out-of-order feature or
# status write and odd register access is refused (NEEDS_RESET, ignored or
# an injected abort), nothing is written outside the request's buffers, the
# rng serves again after every reset, the hypervisor's log gets at most one
# line per refused case, and Linux finishes its workload untouched.
# proves: PLATFORM-5, PLATFORM-7
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/hostile-virtio$GIC_SUFFIX
mkdir -p "$T"
pack tests/configs/good/hostile-virtio.dts "$T/image" || { fail "pack hostile-virtio"; finish; }
run_qemu "$T/image" "$T/console.log" 900
rc=$?
[ $rc -eq 0 ] && pass "QEMU exits 0 when both partitions have stopped" || fail "QEMU exit status" "$rc"
L=$T/console.log
n=$(sed -n 's/.*\[hostile\] hostile: done: \([0-9]*\)\/\1 refused.*/\1/p' "$L")
if [ -n "$n" ] && [ "$n" -ge 15 ]; then
	pass "every hostile case refused ($n)"
else
	fail "every hostile case refused" "$(grep 'hostile: done' "$L" || echo 'no result line')"
	n=0
fi
expect_not_in "$L" "NOT REFUSED" "no hostile case succeeded"
expect_in "$L" "[hostile] hostile: rng works after every reset" "the rng serves again after every reset"
expect_in "$L" "[linux] bulkhead-linux: workload done files=b301fb912257a9d965bab53c59ddc8ec errors=0" \
	"Linux finishes its workload beside the hostile driver"
expect_in "$L" "bulkhead: partition linux stopped" "Linux powers off normally"
# virtio_needs_reset() warns only on the transition into NEEDS_RESET: one
# line per refused ring at most, however often the guest notifies.
w=$(grep -c 'hostile: malformed request: ' "$L")
if [ "$w" -ge 1 ] && [ "$w" -le "$n" ]; then
	pass "malformed-request warnings bounded ($w for $n cases)"
else
	fail "malformed-request warnings bounded" "$w lines for $n cases"
fi
if grep -q 'linux: malformed request' "$L"; then
	fail "Linux's virtio-rng never needs a reset" "$(grep 'linux: malformed request' "$L" | head -1)"
else
	pass "Linux's virtio-rng never needs a reset"
fi
expect_not_in "$L" "PANIC" "no hypervisor panic"
if grep '^\[linux\]' "$L" | grep -v 'Kernel command line' | grep -qiwE 'error|bug|oops|warning|unhandled|failed|panic'; then
	fail "no error in the Linux console" "$(grep '^\[linux\]' "$L" | grep -v 'Kernel command line' | grep -iwE 'error|bug|oops|warning|unhandled|failed|panic' | head -3)"
else
	pass "no error in the Linux console"
fi
finish
