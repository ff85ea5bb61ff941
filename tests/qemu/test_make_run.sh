#!/bin/bash
# `make run` boots the default demo: every physical CPU comes up, each
# partition's output appears prefixed with its name, and QEMU exits 0.
# proves: PLATFORM-2, PLATFORM-8, CON-1
. "$(dirname "$0")/../lib/common.sh"
T=$O/tests/make-run
mkdir -p "$T"
unset MAKEFLAGS MFLAGS MAKELEVEL
timeout -k 5 300 make -s run O="$O" </dev/null >"$T/console.log" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "make run exits 0" || fail "make run exit status" "$rc"
L=$T/console.log
expect_in "$L" "bulkhead: Bulkhead hypervisor on qemu-virt, EL2" "hypervisor runs at EL2"
expect_in "$L" "bulkhead: all 4 CPUs up" "every physical CPU brought up"
expect_in "$L" "EL2 timer interrupt after" "EL2 timer interrupt through the GIC"
expect_in "$L" "[alpha] hello: done" "alpha's output prefixed"
expect_in "$L" "[beta] hello: done" "beta's output prefixed"
expect_in "$L" "bulkhead: all partitions stopped: powering off" "powers off when all stopped"
finish
