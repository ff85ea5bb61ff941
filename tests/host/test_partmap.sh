#!/bin/bash
# The partition map (hvcheck --map, tools/partmap.py): the demo's picture
# is a well-formed SVG with each partition, its CPUs, memory, devices with
# windows and interrupts, disk windows and network segment, and no overlap;
# for partition files hvcheck refuses for an overlap (a CPU in two
# partitions, memory over another partition's or the hypervisor's, two
# writable disk windows over each other) the map is still drawn, with the
# overlap in red and the errors under it.
# proves: PLATFORM-1, PLATFORM-3
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.." || exit 2
M=$O/tests/partmap
rm -rf "$M" && mkdir -p "$M"
check() { # name partition-file expected-hvcheck-exit
	"$O/tools/hvcheck" --board "$BOARD_DTB" -L "$O" -L "$CACHE" --map "$M/$1.json" "$2" >"$M/$1.out" 2>&1
	echo $?
}
svg_ok() { # svg: well-formed XML, an <svg> root
	/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); sys.exit(r.tag != "{http://www.w3.org/2000/svg}svg")' "$1"
}
rc=$(check demo configs/demo.dts)
/usr/bin/python3 tools/partmap.py "$M/demo.json" "$M/demo.svg"
if [ "$rc" = 0 ] && svg_ok "$M/demo.svg"; then
	pass "the demo's map: hvcheck accepts the file, the SVG is well formed"
else
	fail "the demo's map" "hvcheck exit $rc; $M/demo.out"
fi
missing=""
for want in '>CPU 1<' '>alpha<' '>beta<' 'hypervisor' '0x50000000 +512 MiB' '>virtio-blk<' 'INTID 48' \
	'alpha/virtio-blk: 2048 +262144' '>lan<' 'uplink (physical NIC)' 'Partition map of configs/demo.dts (OK)'; do
	grep -qF -- "$want" "$M/demo.svg" || missing="$missing [$want]"
done
[ -z "$missing" ] && pass "the demo's map shows CPUs, memory, devices with windows and interrupts, disk windows, the segment" ||
	fail "the demo's map shows its layout" "missing:$missing"
grep -q 'class="overlap"' "$M/demo.svg" && fail "the demo's map shows no overlap" || pass "the demo's map shows no overlap"
for c in 01-cpu-two-partitions:CPU 04-mem-overlap-partition:memory 05-mem-overlap-hypervisor:memory \
	47-disk-overlap-read-write:disk; do
	f=${c%%:*}
	rc=$(check "$f" "tests/configs/bad/$f.dts")
	/usr/bin/python3 tools/partmap.py "$M/$f.json" "$M/$f.svg" 2>"$M/$f.err"
	n=$(grep -o 'class="overlap"' "$M/$f.svg" 2>/dev/null | wc -l)
	if [ "$rc" = 1 ] && svg_ok "$M/$f.svg" && [ "$n" -gt 0 ] && grep -q 'class="error"' "$M/$f.svg" &&
		grep -q "refused: " "$M/$f.svg"; then
		pass "$f: hvcheck refuses it, and its map shows the ${c#*:} overlap in red with the error"
	else
		fail "$f: the map shows the ${c#*:} overlap" "hvcheck exit $rc, $n overlap marks; $M/$f.svg"
	fi
done
"$O/tools/hvcheck" --board "$BOARD_DTB" -L "$O" -L "$CACHE" --map "$M/no/such/dir.json" configs/demo.dts \
	>/dev/null 2>&1
rc=$?
[ "$rc" = 2 ] && pass "a map that cannot be written: hvcheck exits 2" ||
	fail "a map that cannot be written: hvcheck exits 2" "exit $rc"
finish
