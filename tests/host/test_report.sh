#!/bin/bash
# make report's generator (tools/report.py): every ID of the requirements
# file with the tests whose proves: tags name it and their last result; an
# ID proved only by a failing test, or by none, is not met (red in the
# HTML). On a made-up requirements file and test tree; then, where the
# project's requirements file is beside the checkout, on it: every ID is
# in the report. The HTML opened in headless Chromium: its table, the
# bench figures and the partition map as the browser parses them, the
# unmet rows drawn red.
# proves: PLATFORM-1
. "$(dirname "$0")/../lib/common.sh"
R=$O/tests/report
rm -rf "$R" && mkdir -p "$R/tests/unit" "$R/tests/linux" "$R/logs"
printf '/* a unit test\n * proves: ZZ-1 */\n' >"$R/tests/unit/test_a.c"
printf '"""a Linux test\nproves: ZZ-1,\n  ZZ-2\n"""\n' >"$R/tests/linux/test_b.py"
printf '[  PASSED  ] 3 test(s).\n' >"$R/logs/unit-test_a.log"
printf 'PASS: one\nFAIL: two\n' >"$R/logs/test_b.log"
out=$(/usr/bin/python3 tools/report.py --requirements tests/configs/report/requirements.md --tests "$R/tests" \
	--logs "$R/logs" --out "$R/out" 2>&1)
rc=$?
[ $rc -eq 0 ] && pass "the report is written ($out)" || fail "the report is written" "$out"
md=$R/out/compliance.md
grep -q '^| ZZ-1 | met | linux/test_b.py (fail, .*); unit/test_a.c (pass, .*) |$' "$md" &&
	pass "ZZ-1: met, by the test that passed; the failing one listed with its result" || fail "ZZ-1 row" "$(grep ZZ-1 "$md")"
grep -q '^| ZZ-2 | \*\*not met\*\* | linux/test_b.py (fail, ' "$md" &&
	pass "ZZ-2: proved only by a failing test: not met" || fail "ZZ-2 row" "$(grep ZZ-2 "$md")"
grep -q '^| ZZ-3 | \*\*not met\*\* | none |$' "$md" && pass "ZZ-3: no test: not met" || fail "ZZ-3 row" "$(grep ZZ-3 "$md")"
h=$R/out/compliance.html
grep -q '<tr id="ZZ-2">.*<td class="notmet">not met</td>' "$h" && grep -q '<tr id="ZZ-1">.*<td class="met">met</td>' "$h" &&
	grep -q '\.notmet{color:#fff;background:#c00}' "$h" && pass "the HTML marks the unmet IDs red" || fail "the HTML's colours"
# The bench figures and the partition map in the report; the HTML as
# headless Chromium parses and draws it.
printf '== boot: QEMU start to the first guest instruction\nboot: partition one: first instruction after 779632 instructions\n== virtio-blk\nvirtio-blk 4k: ratio 1.020\n' >"$R/bench.txt"
printf '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" class="partition-map" width="10" height="10"><rect width="10" height="10"/></svg>\n' >"$R/map.svg"
/usr/bin/python3 tools/report.py --requirements tests/configs/report/requirements.md --tests "$R/tests" \
	--logs "$R/logs" --bench "$R/bench.txt" --map "$R/map.svg" --out "$R/full" >/dev/null 2>&1
grep -q '^| boot: QEMU start to the first guest instruction | boot: partition one: first instruction after 779632 instructions |$' \
	"$R/full/compliance.md" && pass "the Markdown has the last make bench's figures" ||
	fail "the Markdown has the last make bench's figures" "$(grep -A3 Benchmarks "$R/full/compliance.md")"
if command -v chromium >/dev/null; then
	got=$(/usr/bin/python3 tests/lib/html_render.py "$R/full/compliance.html" "$R/chromium" \
		count '<tr id="ZZ-[0-9]+">' count '<td class="notmet">not met</td>' count '<td class="met">met</td>' \
		count '<table id="bench">' count '<td>virtio-blk 4k: ratio 1.020</td>' \
		count '<div id="map"><svg [^>]*class="partition-map"' red 2>&1)
	want=$(printf 'count 3\ncount 2\ncount 1\ncount 1\ncount 1\ncount 1')
	[ "$(head -6 <<<"$got")" = "$want" ] &&
		pass "headless Chromium: 3 requirement rows, ZZ-2 and ZZ-3 not met, the bench table, the partition map" ||
		fail "headless Chromium reads the report's table" "$(tr '\n' ' ' <<<"$got")"
	red=$(sed -n 's/^red //p' <<<"$got")
	[ "${red:-0}" -gt 500 ] && pass "headless Chromium draws the not-met rows red ($red pixels of #c00)" ||
		fail "headless Chromium draws the not-met rows red" "${red:-no} pixels; $R/chromium/screenshot.png"
else
	fail "headless Chromium reads the report" "no chromium (make setup installs it)"
fi
/usr/bin/python3 tools/report.py --requirements "$R/none.md" --tests "$R/tests" --logs "$R/logs" --out "$R/x" >/dev/null 2>&1 &&
	fail "a missing requirements file is an error" || pass "a missing requirements file is an error"
REQ=../shared/REQUIREMENTS.md
if [ -f "$REQ" ]; then
	# With the demo's partition map, as make report draws it.
	"$O/tools/hvcheck" --board "$BOARD_DTB" -L "$O" -L "$CACHE" --map "$R/demo-map.json" configs/demo.dts >/dev/null 2>&1
	/usr/bin/python3 tools/partmap.py "$R/demo-map.json" "$R/demo-map.svg"
	/usr/bin/python3 tools/report.py --requirements "$REQ" --tests tests --logs "$O/test-logs" --map "$R/demo-map.svg" \
		--out "$R/real" >/dev/null 2>&1
	want=$(sed -n 's/^| *\([A-Z][A-Z0-9]*-[0-9]*\) *|.*/\1/p' "$REQ" | sort -u)
	have=$(sed -n 's/^| \([A-Z][A-Z0-9]*-[0-9]*\) |.*/\1/p' "$R/real/compliance.md" | sort -u)
	[ -n "$want" ] && [ "$want" = "$have" ] && pass "every ID of $REQ is in the report ($(wc -w <<<"$want"))" ||
		fail "every ID of $REQ is in the report" "$(diff <(echo "$want") <(echo "$have") | head -5)"
	if command -v chromium >/dev/null; then
		n=$(/usr/bin/python3 tests/lib/html_render.py "$R/real/compliance.html" "$R/chromium-real" \
			count '<tr id="[A-Z][A-Z0-9]*-[0-9]+">' count 'Partition map of configs/demo.dts \(OK\)' 2>&1)
		[ "$n" = "$(printf 'count %d\ncount 1' "$(wc -w <<<"$want")")" ] &&
			pass "headless Chromium finds every ID's row and the demo's partition map in the project's report" ||
			fail "headless Chromium finds every ID's row and the demo's map in the project's report" "$(tr '\n' ' ' <<<"$n")"
	fi
else
	echo "note: no $REQ beside the checkout: the project's own report is not checked here"
fi
finish
