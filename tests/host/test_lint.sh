#!/bin/bash
# Static analysis (make lint, see the Makefile): cppcheck and clang-tidy
# over arch/, core/, vdev/, drivers/ and tools/ report nothing; and the
# same two runs on tests/host/lint-canary.c, a file of planted defects (an
# index past an array, a NULL dereference, an uninitialised read), report
# each: a clean tree is clean because the tools looked.
# proves: PLATFORM-5
. "$(dirname "$0")/../lib/common.sh"
cd "$(dirname "$0")/../.." || exit 2
unset MAKEFLAGS MFLAGS MAKELEVEL
mkdir -p "$O"
for tool in cppcheck clang-tidy; do
	command -v $tool >/dev/null || { fail "lint" "no $tool (make setup installs it)"; finish; }
done
log=$O/lint.log
make -k -s O="$O" -j2 lint >"$log" 2>&1
rc=$?
n=$(make -s O="$O" -pn lint 2>/dev/null | sed -n 's/^LINT_SRC := //p' | head -1 | wc -w)
findings=$(grep -cE '(error|warning|style|performance|portability): ' "$log")
if [ "$rc" -eq 0 ] && [ "$findings" -eq 0 ] && [ "$n" -gt 50 ]; then
	pass "cppcheck and clang-tidy report nothing over $n source files"
else
	fail "static analysis of the tree" "exit $rc, $findings finding(s), $n files: $(grep -m3 -E '(error|warning): ' "$log" | tr '\n' ' ')log $log"
fi
canary=$O/lint-canary
rm -rf "$canary"
make -k -s O="$canary" lint LINT_DIRS=tests/host/lint-canary.c LINT_SRC=tests/host/lint-canary.c \
	>"$canary.log" 2>&1
rc=$?
want=("arrayIndexOutOfBounds" "clang-analyzer-core.NullDereference" "clang-analyzer-core.UndefinedBinaryOperatorResult" "uninitvar")
for w in "${want[@]}"; do
	if [ "$rc" -ne 0 ] && grep -q "$w" "$canary.log"; then
		pass "the planted defect is reported: $w"
	else
		fail "the planted defect is reported: $w" "exit $rc; log $canary.log"
	fi
done
finish
