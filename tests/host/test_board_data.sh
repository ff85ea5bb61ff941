#!/bin/bash
# Board support is data: no file of the hypervisor or its host tools
# outside platform/ holds a board's physical address. The addresses are
# the platform directories' own (every *_BASE default in a board's Kconfig
# and every PLATFORM_*_BASE in its platform.h), looked for in every
# spelling of the number (leading zeros, case, U/L suffixes) in arch/,
# core/, drivers/, vdev/, include/ and tools/. One file is let through:
# include/hv/layout.h, the guest-physical map every partition sees, which
# is QEMU virt's on purpose (guests find familiar places) and not the
# board's. Comment lines do not count (a size may have the same digits).
# proves: PLATFORM-8
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.." || exit 1

addrs=$( { grep -hA3 -E '^config [A-Z0-9_]*_BASE$' platform/*/Kconfig | sed -n 's/^[[:space:]]*default \(0x[0-9a-fA-F]*\).*/\1/p'
	   sed -n 's/^#define PLATFORM_[A-Z0-9_]*_BASE \(0x[0-9a-fA-F]*\).*/\1/p' platform/*/platform.h; } |
	  while read -r a; do printf '%x\n' "$((a))"; done | sort -u)
n=$(wc -w <<<"$addrs")
if [ "$n" -ge 5 ]; then pass "the boards' addresses found in platform/ ($n: $(echo $addrs))"; else fail "the boards' addresses found in platform/" "$n"; fi

# A value that is also a bit mask (ones then zeros: 0x80000000 is bit 31,
# 0xff000000 a byte) cannot be told from an address by grep; those are
# named, not searched.
is_mask() { local v=$((16#$1)); (( v + (v & -v) == 1 << 32 )); }
hits= masks=
for a in $addrs; do
	[ "$((16#$a))" -ge $((0x100000)) ] || continue # a board's window, not an offset
	if is_mask "$a"; then masks+=" 0x$a"; continue; fi
	re="0[xX]0*${a}([uUlL]*)?\\b"
	h=$(grep -rniE "$re" arch core drivers vdev include tools --include='*.[chS]' --include='*.ld' |
		grep -v '^include/hv/layout\.h:' | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)')
	[ -n "$h" ] && hits+="$h"$'\n'
done
if [ -z "$hits" ]; then
	pass "no board address outside platform/ (arch core drivers vdev include tools; not searched, masks too:$masks)"
else
	fail "no board address outside platform/" "$(head -3 <<<"$hits" | tr '\n' ' ')"
fi

# A board whose GICv2 has no virtualization frames: hvcheck refuses it,
# naming the board and why; QEMU virt's GICv2 tree is accepted.
out=$("$O/tools/hvcheck" --board tests/configs/boards/gicv2-no-virt.dts -L "$O" -L "$CACHE" \
	tests/configs/good/hello-pair.dts 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q "gicv2-no-virt.dts: error: the board's GIC node has no usable virtualization frames" <<<"$out"; then
	pass "hvcheck refuses a board whose GICv2 has no virtualization frames"
else
	fail "hvcheck refuses a board whose GICv2 has no virtualization frames" "exit $rc: $out"
fi
v2=$O/board-qemu_virt-gicv2.dtb
[ -s "$v2" ] || "$QEMU" -M virt,virtualization=on,gic-version=2 -cpu max -smp 4 -m 2048 -nic none \
	-nographic -machine dumpdtb="$v2" >/dev/null 2>&1
out=$("$O/tools/hvcheck" --board "$v2" -L "$O" -L "$CACHE" tests/configs/good/hello-pair.dts 2>&1)
rc=$?
if [ $rc -eq 0 ]; then pass "hvcheck accepts QEMU virt's GICv2 board"; else fail "hvcheck accepts QEMU virt's GICv2 board" "exit $rc: $out"; fi
finish
