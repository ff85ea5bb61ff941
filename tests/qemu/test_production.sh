#!/bin/bash
# The production switch: a build with CONFIG_CONSOLE=n prints nothing at
# all: no hypervisor line and no partition console, whatever the guests do
# (the attack guest writes every UART register and still nothing comes
# out). The partitions run and power off as before.
# The same with Linux on virtio-console (hvc0) and on the PL011.
# proves: CON-2, CON-3
. "$(dirname "$0")/../lib/common.sh"
P=$O/prod
unset MAKEFLAGS MFLAGS MAKELEVEL
if make -s O="$P" CONFIG="$P/.config" qemu_virt_production_defconfig >/dev/null 2>&1 &&
	make -s O="$P" CONFIG="$P/.config" hypervisor tools >"$P.build.log" 2>&1; then
	pass "production build"
else
	fail "production build" "$(tail -5 "$P.build.log")"
	finish
fi
grep -q '^# CONFIG_CONSOLE is not set' "$P/.config" && pass "production .config has the console off" || fail "production .config"
! grep -q 'define CONFIG_CONSOLE ' "$P/include/generated/autoconf.h" && pass "CONFIG_CONSOLE absent from the build" || fail "CONFIG_CONSOLE in autoconf.h"
"$P/tools/hvpack" -o "$P/two-guests.img" -L "$O" -L "$CACHE" "$P/bulkhead.bin" tests/configs/good/two-guests.dts >/dev/null ||
	{ fail "pack with the production hypervisor"; finish; }
run_qemu "$P/two-guests.img" "$P/console.log" 120
rc=$?
[ $rc -eq 0 ] && pass "both partitions run and power off (QEMU exits 0)" || fail "QEMU exit status" "$rc"
# QEMU itself may warn on stderr; nothing else may appear.
out=$(grep -v '^qemu-system-aarch64: ' "$P/console.log" | tr -d '\r\n')
[ -z "$out" ] && pass "not one byte on the console" || fail "console is silent" "$(head -c 200 <<<"$out")"

# Linux on virtio-console and on the PL011, running a workload: silent too.
"$P/tools/hvpack" -o "$P/prod-virtio.img" -L "$O" -L "$CACHE" "$P/bulkhead.bin" tests/configs/good/prod-virtio.dts >/dev/null ||
	{ fail "pack prod-virtio"; finish; }
run_qemu "$P/prod-virtio.img" "$P/linux.log" 900
rc=$?
[ $rc -eq 0 ] && pass "Linux partitions (hvc0 and ttyAMA0) run their workload and power off" || fail "QEMU exit status (Linux)" "$rc"
out=$(grep -v '^qemu-system-aarch64: ' "$P/linux.log" | tr -d '\r\n')
[ -z "$out" ] && pass "virtio-console and PL011 output both silenced" || fail "console is silent (Linux)" "$(head -c 200 <<<"$out")"
finish
