# Shared by the test scripts: result reporting and running QEMU.
# Each test script prints "PASS: name" or "FAIL: name (why)" per check and
# exits non-zero when any check failed; tests/run.sh counts them.

: "${O:=build}" "${CACHE:=$HOME/.cache/bulkhead}" "${QEMU:=qemu-system-aarch64}"
FAILS=0
pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; FAILS=$((FAILS + 1)); }
finish() { exit $((FAILS > 0)); }

# QEMU as `make run` starts it, deterministic: virtual time counts
# instructions, so runs repeat exactly and timeouts do not depend on load.
QEMU_BASE_FLAGS=(-M virt,virtualization=on,gic-version=3,dtb-randomness=off
	-cpu max,pauth-impdef=on,sve=off -smp 4 -m 2048 -nographic -nic none
	-monitor none -serial stdio -no-reboot
	-icount shift=0,sleep=off -seed 1 -rtc base=2024-01-01T00:00:00,clock=vm)

# run_qemu IMAGE LOG [SECONDS]: boot IMAGE, console to LOG; returns QEMU's
# exit status (124 on timeout).
run_qemu() {
	local img=$1 log=$2 secs=${3:-120}
	timeout --foreground -k 5 "$secs" "$QEMU" "${QEMU_BASE_FLAGS[@]}" -kernel "$img" \
		</dev/null >"$log" 2>&1
}

# pack PARTITION-FILE IMAGE [hvpack args]: an image of the built hypervisor.
pack() {
	local pf=$1 img=$2
	shift 2
	"$O/tools/hvpack" -o "$img" -L "$O" -L "$CACHE" "$@" "$O/bulkhead.bin" "$pf" >/dev/null
}

# expect_line LOG PATTERN NAME: a fixed-string line fragment in LOG.
expect_in() {
	if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3" "no '$2' in $1"; fi
}
expect_not_in() {
	if grep -qF -- "$2" "$1"; then fail "$3" "unexpected '$2' in $1"; else pass "$3"; fi
}
