#!/bin/bash
# make report's generator (tools/report.py): every ID of the requirements
# file with the tests whose proves: tags name it and their last result; an
# ID proved only by a failing test, or by none, is not met (red in the
# HTML). On a made-up requirements file and test tree; then, where the
# project's requirements file is beside the checkout, on it: every ID is
# in the report.
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
/usr/bin/python3 tools/report.py --requirements "$R/none.md" --tests "$R/tests" --logs "$R/logs" --out "$R/x" >/dev/null 2>&1 &&
	fail "a missing requirements file is an error" || pass "a missing requirements file is an error"
REQ=../shared/REQUIREMENTS.md
if [ -f "$REQ" ]; then
	/usr/bin/python3 tools/report.py --requirements "$REQ" --tests tests --logs "$O/test-logs" --out "$R/real" >/dev/null 2>&1
	want=$(sed -n 's/^| *\([A-Z][A-Z0-9]*-[0-9]*\) *|.*/\1/p' "$REQ" | sort -u)
	have=$(sed -n 's/^| \([A-Z][A-Z0-9]*-[0-9]*\) |.*/\1/p' "$R/real/compliance.md" | sort -u)
	[ -n "$want" ] && [ "$want" = "$have" ] && pass "every ID of $REQ is in the report ($(wc -w <<<"$want"))" ||
		fail "every ID of $REQ is in the report" "$(diff <(echo "$want") <(echo "$have") | head -5)"
else
	echo "note: no $REQ beside the checkout: the project's own report is not checked here"
fi
finish
