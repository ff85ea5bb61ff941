#!/bin/bash
# The guest's nodes of passed-through devices are derived from the board's
# own tree (QEMU virt's, dumped by QEMU), not typed by hand: hvcheck
# --guest-tree writes the tree a partition boots with, as boot builds it.
# proves: SENS-2, NET-4, PLATFORM-3
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/passthrough-tree
mkdir -p "$T"
PF=tests/configs/good/passthrough-hello.dts
CHECK=("$O/tools/hvcheck" --board "$BOARD_DTB" -L "$O")

"${CHECK[@]}" --guest-tree alpha "$T/alpha.dtb" "$PF" >"$T/check.out" 2>&1 ||
	fail "hvcheck accepts $PF" "$(cat "$T/check.out")"
"${CHECK[@]}" --guest-tree beta "$T/beta.dtb" "$PF" >/dev/null 2>&1 || fail "beta's tree"
expect_in "$T/check.out" "warning: /partitions/alpha/passthrough/nic: dma-unconfined: /virtio_mmio@a002000 may master DMA" \
	"hvcheck warns about the unconfined DMA master, naming its entry"
expect_in "$T/check.out" "warning: /partitions/alpha/passthrough/nic: device: /virtio_mmio@a002000 shares its page(s) with /virtio_mmio@a002200" \
	"hvcheck warns that the page holds other transports"

get() { fdtget "$@" 2>/dev/null; }
board() { get "$BOARD_DTB" "$@"; }
g() { get "$T/alpha.dtb" "$@"; }
same() { # NAME A B
	if [ -n "$2" ] && [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "'$2' vs board '$3'"; fi
}
for n in /pl061@9030000 /pl031@9010000 /virtio_mmio@a002000; do
	same "alpha's $n: compatible as the board's" "$(g $n compatible)" "$(board $n compatible)"
	same "alpha's $n: reg as the board's" "$(g $n reg)" "$(board $n reg)"
	same "alpha's $n: interrupts as the board's" "$(g $n interrupts)" "$(board $n interrupts)"
done
same "the NIC keeps dma-coherent" "$(g -t x /virtio_mmio@a002000 dma-coherent; echo x)" "$(board -t x /virtio_mmio@a002000 dma-coherent; echo x)"
# gpio-keys comes along and points at the guest's own pl061, by its
# guest phandle; the pl061's clock is a fixed clock of the guest's.
gph=$(g /pl061@9030000 phandle)
keys=$(g /gpio-keys/poweroff gpios)
same "gpio-keys' gpios name the guest's pl061, line 3" "$keys" "$gph 3 0"
same "the power key's code is the board's" "$(g /gpio-keys/poweroff linux,code)" "$(board /gpio-keys/poweroff linux,code)"
clk=$(g /pl061@9030000 clocks)
clknode=$(for c in $(get -l "$T/alpha.dtb" /); do [ "$(g /$c phandle)" = "$clk" ] && echo /$c; done)
same "the pl061's clock is a fixed-clock node in the guest" "$(g "$clknode" compatible)" "fixed-clock"
same "at the board's frequency" "$(g "$clknode" clock-frequency)" "$(board /apb-pclk clock-frequency)"
# The guest's virtio-rng takes slot 0, away from the given page.
if get -l "$T/alpha.dtb" / | grep -q '^virtio_mmio@a000000$'; then pass "alpha's virtio-rng in slot 0"; else fail "alpha's virtio-rng in slot 0"; fi
# beta gets none of it.
for n in pl061@9030000 pl031@9010000 gpio-keys virtio_mmio@a002000; do
	if get -l "$T/beta.dtb" / | grep -qx "$n"; then fail "beta has no $n"; else pass "beta has no $n"; fi
done
# A virtio-mmio slot in a given page is skipped: with slot 0's page given,
# the partition's own rng takes slot 8 (0x0a001000, SPI 24).
"${CHECK[@]}" --guest-tree alpha "$T/slot0.dtb" tests/configs/good/passthrough-slot0.dts >/dev/null 2>&1 ||
	fail "hvcheck accepts passthrough-slot0.dts"
rng=$(get "$T/slot0.dtb" /virtio_mmio@a001000 interrupts)
same "the rng skips the given page: slot 8, SPI 24" "$rng" "0 24 4"
same "the given transport keeps slot 0's SPI 16" "$(get "$T/slot0.dtb" /virtio_mmio@a000000 interrupts)" "0 16 1"
finish
