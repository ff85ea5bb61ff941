#!/bin/bash
# Runs every test: unit (cmocka, host), host tools, and QEMU guests.
# Prints each check, then one closing line "N passed, N failed".
# Exit status: 0 when nothing failed.
set -u
cd "$(dirname "$0")/../.."
: "${O:=build}"
export O
passed=0 failed=0
declare -a failures=() failed_logs=()

count_cmocka() { # log name
	local p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$1" | tail -1)
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ -n "$p$f" ] || { failed=$((failed + 1)); failures+=("$2: no result"); }
	[ "${f:-0}" = 0 ] || failures+=("$2")
}

count_script() { # log name
	local p f
	p=$(grep -c '^PASS: ' "$1")
	f=$(grep -c '^FAIL: ' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" = 0 ] || { failures+=("$2"); failed_logs+=("$1"); }
}

mkdir -p "$O/test-logs"
start=$SECONDS
# Every test program runs under a time limit: one that hangs is a failure
# with its name, not a stuck suite. Far above any test's own time (unit
# binaries take seconds, the longest QEMU test about two minutes).
UNIT_LIMIT=${UNIT_LIMIT:-300}
TEST_LIMIT=${TEST_LIMIT:-1500}
limited() { # seconds command...
	local s=$1
	shift
	timeout -k 10 "$s" "$@"
}
timed_out() { # rc name limit
	[ "$1" -eq 124 ] || [ "$1" -eq 137 ] || return 1
	failed=$((failed + 1))
	failures+=("$2: timed out after $3 s")
}
# T=pattern runs only the tests whose name matches (development); unset: all.
want() { [ -z "${T:-}" ] || [[ $1 == *$T* ]]; }
for t in "$O"/unit/test_*; do
	[ -x "$t" ] || continue
	want "$t" || continue
	n=unit/$(basename "$t")
	echo "== $n"
	# unit-: a unit test and a Linux test may share a name (test_gpu).
	log=$O/test-logs/unit-$(basename "$t").log
	limited "$UNIT_LIMIT" "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	timed_out $rc "$n" "$UNIT_LIMIT" && continue
	count_cmocka "$log" "$n"
	[ $rc -eq 0 ] || [[ " ${failures[*]} " == *" $n"* ]] || { failed=$((failed + 1)); failures+=("$n exit $rc"); }
done
# aarch64 builds of unit tests (the SHA-256 instructions), under qemu-user.
for t in "$O"/unit-arm64/test_*; do
	[ -x "$t" ] || continue
	want "$t" || continue
	n=unit-arm64/$(basename "$t")
	echo "== $n"
	log=$O/test-logs/arm64-$(basename "$t").log
	limited "$UNIT_LIMIT" qemu-aarch64 "$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	timed_out $rc "$n" "$UNIT_LIMIT" && continue
	count_cmocka "$log" "$n"
	[ $rc -eq 0 ] || [[ " ${failures[*]} " == *" $n"* ]] || { failed=$((failed + 1)); failures+=("$n exit $rc"); }
done

for t in tests/host/test_*.sh tests/qemu/test_*.sh tests/linux/test_*.py; do
	n=${t#tests/}
	want "$t" || continue
	echo "== $n"
	log=$O/test-logs/$(basename "${t%.*}").log
	case $t in
	*.py) limited "$TEST_LIMIT" /usr/bin/python3 "$t" >"$log" 2>&1 ;;
	*) limited "$TEST_LIMIT" bash "$t" >"$log" 2>&1 ;;
	esac
	rc=$?
	cat "$log"
	count_script "$log" "$n"
	timed_out $rc "$n" "$TEST_LIMIT" && continue
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$log"; then
		failed=$((failed + 1))
		failures+=("$n exited $rc")
	fi
done

echo
echo "tests took $((SECONDS - start)) s"
# A CI log may be cut in the middle: each failed check again, at the end.
for l in "${failed_logs[@]}"; do grep '^FAIL: ' "$l"; sed -n '/^---- the end of /,$p' "$l"; done
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
