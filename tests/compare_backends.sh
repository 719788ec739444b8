#!/bin/sh
# Runs a test kernel on bt86 and on KVM and compares how each run ended:
# the same exit status and the same serial output (COM1, bt86's stdout).
#
#   compare_backends.sh BT86 KERNEL serial|verdicts [args...]
#
# KERNEL: a Multiboot kernel, or a firmware image (*.bin, run with --bios).
# serial:   the whole serial output must be identical;
# verdicts: only the kernel's verdicts are compared ("#<n> ...: ok/FAILED"
#           lines reduced to number and verdict, "all N checks passed",
#           PASS/FAIL), for kernels that also print timing-dependent values.
set -u
if [ $# -lt 3 ]; then
    echo "usage: $0 BT86 KERNEL serial|verdicts [args...]" >&2
    exit 2
fi
bt86=$1 kernel=$2 mode=$3
shift 3
case $kernel in
    *.bin) load=--bios ;;
    *) load=--kernel ;;
esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

for backend in bt kvm; do
    timeout -k 10 150 "$bt86" run --backend "$backend" "$load" "$kernel" --timeout 120 "$@" \
        >"$dir/$backend.raw" 2>"$dir/$backend.err"
    echo $? >"$dir/$backend.status"
    tr -d '\r' <"$dir/$backend.raw" >"$dir/$backend.out"
    if [ "$mode" = verdicts ]; then
        sed -n -e 's/^\(#[0-9]*\) .*: \(ok\|FAILED\)$/\1 \2/p' -e '/^all [0-9]* checks passed$/p' \
               -e '/^PASS$/p' -e '/^FAIL/p' "$dir/$backend.out" >"$dir/$backend.cmp"
    else
        cp "$dir/$backend.out" "$dir/$backend.cmp"
    fi
    echo "== $backend: exit status $(cat "$dir/$backend.status")"
    cat "$dir/$backend.out" "$dir/$backend.err"
done

fail=0
if [ "$(cat "$dir/bt.status")" != "$(cat "$dir/kvm.status")" ]; then
    echo "compare_backends: FAIL: exit status $(cat "$dir/bt.status") on bt86, $(cat "$dir/kvm.status") on KVM" >&2
    fail=1
fi
if [ ! -s "$dir/bt.cmp" ]; then
    echo "compare_backends: FAIL: nothing to compare (no $mode output on bt86)" >&2
    fail=1
fi
if ! diff -u "$dir/bt.cmp" "$dir/kvm.cmp" >&2; then
    echo "compare_backends: FAIL: $mode output differs (- bt86, + KVM)" >&2
    fail=1
fi
[ "$fail" -eq 0 ] && echo "compare_backends: ok: same exit status and $mode output on both backends"
exit "$fail"
