#!/bin/bash
# The host checker: non-zero with the file's specific message for every
# broken partition file, zero for every file under configs/ (and the good
# test files); the packer writes no image from a broken file.
# proves: PLATFORM-4
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/hvcheck
mkdir -p "$T/images/images"
truncate -s 80M "$T/images/images/big.bin" # sparse: oversize for 64 MiB
# -L .: the RAM disk images beside the bad files (tests/configs/bad/*.img).
CHECK=("$O/tools/hvcheck" -L "$O" -L "$T/images" -L "$CACHE" -L .)
# The board a file is checked against: QEMU virt's own tree (what the
# hypervisor gets at boot), or the one its "// board:" line (one of its
# first three) names (a
# made-up board under tests/configs/boards/, or none).
board_args() {
	local b
	b=$(sed -n '1,3s|^// board: ||p' "$1")
	case $b in
	"") echo "--board $BOARD_DTB" ;;
	none) ;;
	*) echo "--board $b" ;;
	esac
}

for f in tests/configs/bad/*.dts; do
	n=$(basename "$f" .dts)
	want=$(sed -n '1s|^// expect: ||p' "$f")
	[ -n "$want" ] || { fail "$n: has an '// expect:' line"; continue; }
	# shellcheck disable=SC2046 # two words or none, no spaces in them
	"${CHECK[@]}" $(board_args "$f") "$f" >"$T/$n.out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$f: error: $want" "$T/$n.out"; then
		pass "hvcheck refuses $n"
	else
		fail "hvcheck refuses $n" "exit $rc: $(head -c 300 "$T/$n.out")"
	fi
	rm -f "$T/$n.img"
	# shellcheck disable=SC2046
	if "$O/tools/hvpack" -o "$T/$n.img" $(board_args "$f") -L "$O" -L "$T/images" "$O/bulkhead.bin" "$f" >/dev/null 2>&1 ||
		[ -e "$T/$n.img" ]; then
		fail "hvpack writes no image for $n"
	else
		pass "hvpack writes no image for $n"
	fi
done

for f in configs/*.dts tests/configs/good/*.dts; do
	# Another board's partition file: its own build's hvcheck checks it.
	sed -n '1,3p' "$f" | grep -q '^// platform: ' && continue
	# shellcheck disable=SC2046
	if "${CHECK[@]}" $(board_args "$f") "$f" >"$T/good.out" 2>&1; then
		pass "hvcheck accepts $f"
	else
		fail "hvcheck accepts $f" "$(cat "$T/good.out")"
	fi
done

# Not a partition file at all, and a missing file: errors, not crashes.
head -c 3000 /dev/urandom >"$T/random.dtb"
printf '\xd0\x0d\xfe\xed' | cat - "$T/random.dtb" >"$T/random-magic.dtb"
for f in "$T/random-magic.dtb" /nonexistent.dts; do
	"${CHECK[@]}" "$f" >"$T/x.out" 2>&1
	rc=$?
	if [ $rc -eq 1 ] || [ $rc -eq 2 ]; then pass "hvcheck rejects $(basename $f) cleanly"; else fail "hvcheck on $(basename $f)" "exit $rc"; fi
done
finish
