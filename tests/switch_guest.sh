#!/bin/sh
# Runs a test kernel that moves between bt86 and KVM as it runs, and checks
# that it still ends as it should and was moved often enough.
#
#   switch_guest.sh [--expect-fault INSN] BT86 KERNEL STATUS MIN_SWITCHES EVERY [args...]
#
# EVERY is --switch-every's value (instructions, or Nms). The kernel's ending
# is checked by run_guest.sh; bt86's "switched backends N times" line must
# then report at least MIN_SWITCHES.
set -u
fault=
if [ "${1:-}" = --expect-fault ]; then
    fault="--expect-fault $2"
    shift 2
fi
if [ $# -lt 5 ]; then
    echo "usage: $0 [--expect-fault INSN] BT86 KERNEL STATUS MIN_SWITCHES EVERY [args...]" >&2
    exit 2
fi
bt86=$1 kernel=$2 status=$3 min=$4 every=$5
shift 5
here=$(dirname "$0")
out=$(sh "$here/run_guest.sh" $fault "$bt86" "$kernel" "$status" --switch-every "$every" "$@")
rc=$?
printf '%s\n' "$out"
[ "$rc" -eq 0 ] || exit 1
n=$(printf '%s\n' "$out" | sed -n 's/^bt86: switched backends \([0-9]*\) times.*/\1/p' | tail -n 1)
if [ -z "$n" ]; then
    echo "switch_guest: FAIL: bt86 did not report how often it switched" >&2
    exit 1
fi
if [ "$n" -lt "$min" ]; then
    echo "switch_guest: FAIL: switched $n times, expected at least $min" >&2
    exit 1
fi
echo "switch_guest: ok: $n switches"
