#!/bin/bash
# The test runner's time limit: a test program that hangs is a failure
# with its name ("timed out after N s"), and the run goes on and ends.
# A fake unit binary that sleeps for ever, run by tests/lib/run.sh with a
# 2-second limit.
# proves: PLATFORM-1
. "$(dirname "$0")/../lib/common.sh"
R=$O/tests/run-limits
rm -rf "$R" && mkdir -p "$R/unit"
printf '#!/bin/sh\nsleep 1000\n' >"$R/unit/test_hangs_for_ever"
printf '#!/bin/sh\necho "[  PASSED  ] 1 test(s)."\n' >"$R/unit/test_hangs_for_ever_not"
chmod +x "$R/unit/"test_*
t0=$SECONDS
out=$(O=$R T=test_hangs_for_ever UNIT_LIMIT=2 bash tests/lib/run.sh 2>&1)
rc=$?
took=$((SECONDS - t0))
[ $rc -ne 0 ] && pass "a hanging test fails the run (exit $rc)" || fail "a hanging test fails the run" "exit 0"
grep -q "^failed: unit/test_hangs_for_ever: timed out after 2 s$" <<<"$out" &&
	pass "the hang is named: unit/test_hangs_for_ever: timed out after 2 s" ||
	fail "the hang is named" "$(tail -5 <<<"$out")"
grep -q "^1 passed, 1 failed$" <<<"$out" && pass "the run goes on past it to the next test and ends" ||
	fail "the run goes on past it" "$(tail -3 <<<"$out")"
[ $took -lt 60 ] && pass "the run ended in $took s" || fail "the run ended in time" "$took s"
finish
