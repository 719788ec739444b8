#!/bin/sh
# Compares a test kernel run by bt86 with its native twin, the same test
# code run as a 32-bit Linux process on the host CPU (the oracle).
#
#   compare_native.sh BT86 KERNEL NATIVE [extra bt86 args...]
#
# Both print one "res <routine>: <hash> (<n> cases)" line per test routine.
# Fails if bt86 does not exit with status 1 (kernel success), if either side
# prints no result lines, or if the lines differ (the diff names the
# routines; rerun with "trace=<routine>" on the kernel command line and
# "NATIVE <routine>" to see every case).
set -u

if [ $# -lt 3 ]; then
    echo "usage: $0 BT86 KERNEL NATIVE [args...]" >&2
    exit 2
fi
bt86=$1 kernel=$2 native=$3
shift 3

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

fail() {
    echo "compare_native: FAIL: $*" >&2
    exit 1
}

timeout -k 10 120 "$bt86" run --kernel "$kernel" --timeout 60 "$@" >"$dir/guest.out" 2>&1
status=$?
timeout -k 10 120 "$native" >"$dir/native.out" 2>&1
native_status=$?

tr -d '\r' <"$dir/guest.out" | grep '^res ' >"$dir/guest.res"
grep '^res ' "$dir/native.out" >"$dir/native.res"

if [ "$status" -ne 1 ]; then
    cat "$dir/guest.out"
    fail "bt86 exit status $status, expected 1"
fi
if [ "$native_status" -ne 0 ]; then
    cat "$dir/native.out"
    fail "$native exit status $native_status, expected 0"
fi
[ -s "$dir/guest.res" ] || fail "$kernel printed no result lines"
[ -s "$dir/native.res" ] || fail "$native printed no result lines"

if ! diff -u "$dir/native.res" "$dir/guest.res" >"$dir/diff"; then
    echo "--- native (oracle)   +++ bt86"
    cat "$dir/diff"
    fail "$(grep -c '^-res ' "$dir/diff") result line(s) differ"
fi
echo "compare_native: ok: $(wc -l <"$dir/guest.res") result lines identical"
