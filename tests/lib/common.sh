# Shared by the test scripts: result reporting and running QEMU.
# Each test script prints "PASS: name" or "FAIL: name (why)" per check and
# exits non-zero when any check failed; tests/lib/run.sh counts them.

: "${O:=build}" "${CACHE:=$HOME/.cache/bulkhead}" "${QEMU:=qemu-system-aarch64}"
: "${BOARD_DTB:=$O/board-qemu_virt.dtb}"
FAILS=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; FAILS=$((FAILS + 1)); }
finish() { exit $((FAILS > 0)); }

# QEMU as `make run` starts it (QEMU_FLAGS from the Makefile), made
# deterministic: virtual time counts instructions, so runs repeat exactly.
read -r -a QEMU_BASE_FLAGS <<<"${QEMU_FLAGS:-}"
# TEST_GIC=2: the same machine with a GICv2 (gic-version=2), and its board
# tree (dumped once): the *_gicv2 tests run their test again on it.
GIC_SUFFIX=
if [ "${TEST_GIC:-3}" = 2 ]; then
	GIC_SUFFIX=-gicv2
	QEMU_BASE_FLAGS=("${QEMU_BASE_FLAGS[@]/gic-version=3/gic-version=2}")
	BOARD_DTB=$O/board-qemu_virt-gicv2.dtb
	[ -s "$BOARD_DTB" ] || "$QEMU" "${QEMU_BASE_FLAGS[@]}" -machine dumpdtb="$BOARD_DTB" >/dev/null 2>&1
fi
QEMU_BASE_FLAGS+=(-icount shift=0,sleep=off -seed 1 -rtc base=2024-01-01T00:00:00,clock=vm)

# run_qemu IMAGE LOG [SECONDS]: boot IMAGE, console to LOG; returns QEMU's
# exit status (124 on timeout).
run_qemu() {
	local img=$1 log=$2 secs=${3:-120}
	[ -n "${QEMU_FLAGS:-}" ] || { echo "QEMU_FLAGS unset: run tests through make" >"$log"; return 2; }
	# shellcheck disable=SC2086 # QEMU_EXTRA: more flags, word-split
	timeout --foreground -k 5 "$secs" "$QEMU" "${QEMU_BASE_FLAGS[@]}" ${QEMU_EXTRA:-} -kernel "$img" \
		</dev/null >"$log" 2>&1
}

# pack PARTITION-FILE IMAGE [hvpack args]: an image of the built hypervisor.
pack() {
	local pf=$1 img=$2
	shift 2
	"$O/tools/hvpack" -o "$img" --board "$BOARD_DTB" -L "$O" -L "$CACHE" "$@" "$O/bulkhead.bin" \
		"$pf" >/dev/null
}

# expect_line LOG PATTERN NAME: a fixed-string line fragment in LOG.
expect_in() {
	if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3" "no '$2' in $1"; fi
}
expect_not_in() {
	if grep -qF -- "$2" "$1"; then fail "$3" "unexpected '$2' in $1"; else pass "$3"; fi
}

# pattern_disk IMAGE: 16 MiB whose 64-bit little-endian word w is
# w * 0x9e3779b97f4a7c15 + 0x0123456789abcdef (mod 2^64): what the bare-metal
# guests' pat_word() expects (tests/guests/common/pattern.h).
pattern_disk() {
	"${PY:-python3}" - "$1" <<'PYEOF'
import struct, sys
K, C, M = 0x9e3779b97f4a7c15, 0x0123456789abcdef, (1 << 64) - 1
with open(sys.argv[1], "wb") as f:
    for base in range(0, 2 * 1024 * 1024, 65536):
        f.write(struct.pack("<65536Q", *((w * K + C) & M for w in range(base, base + 65536))))
PYEOF
}

# attack_results LOG PART GUEST MIN_CONTROLS CONTROLS_NAME MIN_CASES CASES_NAME:
# the lines of a bare-metal attacking guest (tests/guests/common/cases.h)
# running as partition PART: at least MIN_CONTROLS controls, all served; at
# least MIN_CASES cases, all refused; none "NOT REFUSED".
attack_results() {
	local log=$1 part=$2 g=$3 c n
	c=$(sed -n "s/.*\[$part\] $g: controls: \([0-9]*\)\/\1 served.*/\1/p" "$log")
	if [ -n "$c" ] && [ "$c" -ge "$4" ]; then
		pass "$5 ($c controls)"
	else
		fail "$5" "$(grep -E "$g: control(s:| FAILED)" "$log" || echo 'no result line')"
	fi
	n=$(sed -n "s/.*\[$part\] $g: done: \([0-9]*\)\/\1 refused.*/\1/p" "$log")
	if [ -n "$n" ] && [ "$n" -ge "$6" ]; then
		pass "$7 ($n)"
	else
		fail "$7" "$(grep -E "$g: (done|NOT REFUSED)" "$log" || echo 'no result line')"
	fi
	expect_not_in "$log" "NOT REFUSED" "no hostile request succeeded"
}

# linux_untouched LOG: the partition "linux" beside an attacker finished
# its workload (tests/linux/init, bulkhead.workload=1), powered off, and
# neither it nor the hypervisor logged a problem about it.
linux_untouched() {
	local log=$1 bad='error|bug|oops|warning|unhandled|failed|panic'
	expect_in "$log" "[linux] bulkhead-linux: workload done files=b301fb912257a9d965bab53c59ddc8ec errors=0" \
		"Linux finishes its workload beside the attacker"
	expect_in "$log" "bulkhead: partition linux stopped" "Linux powers off normally"
	if grep 'warn: linux' "$log" | grep -q .; then
		fail "no hypervisor warning about linux" "$(grep 'warn: linux' "$log" | head -1)"
	else
		pass "no hypervisor warning about linux"
	fi
	if grep '^\[linux\]' "$log" | grep -v 'Kernel command line' | grep -qiwE "$bad"; then
		fail "no error in the Linux console" "$(grep '^\[linux\]' "$log" | grep -v 'Kernel command line' | grep -iwE "$bad" | head -3)"
	else
		pass "no error in the Linux console"
	fi
}
