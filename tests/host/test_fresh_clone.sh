#!/bin/bash
# A fresh clone's first make prints no shell or make error: for each of the
# goals the README names, a new clone of HEAD (no .config, no build/) and
# `make -n GOAL`, which still makes .config the way a real first run does;
# then a real `make tools` into an O= outside the clone. Downloads nothing:
# -n only prints the kernel's recipe, and the installed packages are reused
# (tools/setup.sh finds them). Takes seconds.
# proves: PLATFORM-4
. "$(dirname "$0")/../lib/common.sh"
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel 2>/dev/null) ||
	{ fail "fresh clone" "not a git checkout"; finish; }
head=$(git -C "$top" rev-parse HEAD)
T=$(mkdir -p "$O/tests" && cd "$O/tests" && pwd)/fresh-clone
rm -rf "$T"
mkdir -p "$T"

# The make running this test exports its variables and flags (-n, -j, O=,
# CONFIG=, ...); a fresh clone's make sees none of them.
clean=(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES -u O -u CONFIG -u KCONFIG_CONFIG
	-u QEMU_FLAGS -u QEMU -u PY -u DEMO "CACHE=$CACHE")
# What a shell or make says when a Makefile line goes wrong.
errors='(^|/)(ba|da)?sh: |syntax error|command not found|: not found$|^make(\[[0-9]+\])?: \*\*\*|^Makefile:[0-9]+: '

clone() { # DIR: a new clone of HEAD
	git clone -q --shared --no-checkout "$top" "$1" && git -C "$1" checkout -q --detach "$head"
}
# no_errors NAME RC ERR-FILE
no_errors() {
	if [ "$2" -eq 0 ] && ! grep -Eq "$errors" "$3"; then
		pass "$1"
	else
		fail "$1" "exit $2: $(grep -E "$errors" "$3" | head -3 | tr "\n" " ")"
	fi
}

for goal in all test run; do
	d=$T/n-$goal
	clone "$d" || { fail "clone HEAD for make -n $goal"; continue; }
	(cd "$d" && "${clean[@]}" make -n "$goal") >"$d.out" 2>"$d.err"
	no_errors "fresh clone: make -n $goal prints no shell error" $? "$d.err"
done

d=$T/build
if clone "$d"; then
	(cd "$d" && "${clean[@]}" make tools O="$T/out") >"$d.out" 2>"$d.err"
	no_errors "fresh clone: make tools O=... prints no shell error" $? "$d.err"
	if [ -x "$T/out/tools/hvcheck" ] && [ -x "$T/out/tools/hvpack" ]; then
		pass "fresh clone: make tools O=... builds both tools"
	else
		fail "fresh clone: make tools O=... builds both tools"
	fi
else
	fail "clone HEAD for make tools"
fi
rm -rf "$T"/n-* "$T/build"
finish
