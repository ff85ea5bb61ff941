#!/bin/bash
# The build configuration is Kconfig: the defconfig loads, savedefconfig
# gives back the same minimal file, and the generated header carries the
# platform's values that the partition-file check uses, for each board.
# proves: PLATFORM-4, PLATFORM-8
. "$(dirname "$0")/../lib/common.sh"
unset MAKEFLAGS MFLAGS MAKELEVEL
T=$O/tests/kconfig
rm -rf "$T" && mkdir -p "$T"
git ls-files -z | xargs -0 cp --parents -t "$T" 2>/dev/null || cp -r Kconfig platform configs Makefile tools "$T"
(cd "$T" && make -s qemu_virt_defconfig O=build >/dev/null 2>&1) && pass "make qemu_virt_defconfig" || fail "make qemu_virt_defconfig"
grep -q '^CONFIG_PLATFORM_QEMU_VIRT=y' "$T/.config" && pass ".config selects the QEMU virt platform" || fail ".config platform"
(cd "$T" && make -s savedefconfig O=build >/dev/null 2>&1) && pass "make savedefconfig" || fail "make savedefconfig"
cp "$T/.config" "$T/full.config"
(cd "$T" && /usr/bin/python3 -m defconfig --kconfig Kconfig defconfig >/dev/null 2>&1)
if diff -q "$T/.config" "$T/full.config" >/dev/null; then pass "savedefconfig round-trips to the same .config"; else fail "savedefconfig round-trips" "$(diff "$T/.config" "$T/full.config" | head -5)"; fi
(cd "$T" && make -s build/include/generated/autoconf.h O=build >/dev/null 2>&1)
expect_in "$T/build/include/generated/autoconf.h" "#define CONFIG_RAM_BASE 0x40000000" "autoconf.h has the platform RAM base"
expect_in "$T/build/include/generated/autoconf.h" "#define CONFIG_CONSOLE 1" "autoconf.h has the console switch"
# The board is a Kconfig choice: the ZCU102's defconfig selects its
# platform directory and its values.
(cd "$T" && make -s zynqmp_zcu102_defconfig O=build/zcu CONFIG=build/zcu/.config >/dev/null 2>&1 &&
	make -s build/zcu/include/generated/autoconf.h O=build/zcu CONFIG=build/zcu/.config >/dev/null 2>&1) &&
	pass "make zynqmp_zcu102_defconfig" || fail "make zynqmp_zcu102_defconfig"
Z=$T/build/zcu/include/generated/autoconf.h
expect_in "$Z" '#define CONFIG_PLATFORM "zynqmp_zcu102"' "the ZCU102 config names its platform directory"
expect_in "$Z" "#define CONFIG_UART_BASE 0xff000000" "the ZCU102 config has its console UART"
expect_in "$Z" "#define CONFIG_RAM_BASE 0x0" "the ZCU102 config has its RAM base"
finish
