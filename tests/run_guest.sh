#!/bin/sh
# Runs one test kernel under bt86 and checks how it ended.
#
#   run_guest.sh [--expect-fault INSN] BT86 KERNEL EXPECTED_STATUS [extra bt86 args...]
#
# Runs "BT86 run --kernel KERNEL --timeout 60 [extra]", shows its output, and
# fails unless the exit status is EXPECTED_STATUS. Status 1 is isa-debug-exit
# with code 0, the kernels' success; it also needs a line "PASS".
# --expect-fault INSN: the kernel prints "INSN at 0x<address>" before running
# an instruction it cannot survive; bt86's own message must then name both
# the instruction (any case) and the address.
set -u

fault=
if [ "${1:-}" = --expect-fault ]; then
    fault=$2
    shift 2
fi
if [ $# -lt 3 ]; then
    echo "usage: $0 [--expect-fault INSN] BT86 KERNEL EXPECTED_STATUS [args...]" >&2
    exit 2
fi
bt86=$1 kernel=$2 expected=$3
shift 3

out=$(mktemp)
trap 'rm -f "$out"' EXIT

fail() {
    echo "run_guest: FAIL: $*" >&2
    exit 1
}

# The outer timeout only guards against a bt86 that ignores its own.
timeout -k 10 120 "$bt86" run --kernel "$kernel" --timeout 60 "$@" >"$out" 2>&1
status=$?
tr -d '\r' <"$out" >"$out.txt" && mv "$out.txt" "$out"
cat "$out"

[ "$status" -eq "$expected" ] || fail "$kernel: exit status $status, expected $expected"

if [ "$expected" -eq 1 ]; then
    grep -qx 'PASS' "$out" || fail "$kernel: no PASS line"
fi

if [ -n "$fault" ]; then
    addr=$(sed -n "s/^$fault at 0x\([0-9a-fA-F]*\).*/\1/p" "$out" | head -n 1 | sed 's/^0*//')
    [ -n "$addr" ] || fail "$kernel: did not print \"$fault at 0x...\""
    # bt86's report: any line other than the kernel's own that names both.
    grep -v -e "^$fault at 0x" -e "^about to execute $fault" "$out" | grep -i -- "$fault" |
        grep -qi -- "$addr" ||
        fail "$kernel: no error message naming $fault and address 0x$addr"
fi
echo "run_guest: ok: $kernel exited with status $status"
