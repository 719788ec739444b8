#!/bin/sh
# Runs bt86 with a VGA and checks the text screen it dumps at the end of the
# run (--screendump), and its exit status:
#
#   vga_screen.sh BT86 STATUS CHECK... -- RUN-ARGS...
#
# CHECK: --same FILE (the dump is exactly FILE), --has TEXT (a line of the
# dump contains TEXT), --serial-has TEXT (so does a line of COM1's output),
# --needs FILE (skip with status 77 when FILE is missing), --max-mmio N (at
# most N of the guest's memory accesses went to a device, --stats' MMIO host
# faults: text written to 0xB8000 in a text mode must be plain memory),
# --type BYTES (run bt86 on a pseudo-terminal, util-linux's script, with
# --display terminal, and type BYTES, printf's escapes allowed, on it).
set -u
bt86=$1 expected=$2
shift 2
same= has= serial_has= max_mmio= type=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
    case $1 in
        --same) same=$2 ;;
        --has) has=$2 ;;
        --serial-has) serial_has=$2 ;;
        --max-mmio) max_mmio=$2 ;;
        --type) type=$2 ;;
        --needs) [ -e "$2" ] || { echo "vga_screen: SKIP: $2 is missing"; exit 77; } ;;
        *) echo "vga_screen: unknown check $1" >&2; exit 2 ;;
    esac
    shift 2
done
[ "${1:-}" = -- ] && shift

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "vga_screen: FAIL: $*" >&2; exit 1; }

# The outer timeout only guards against a bt86 that ignores its own.
if [ -n "$type" ]; then
    command -v script >/dev/null || { echo "vga_screen: SKIP: no script(1) for a pseudo-terminal"; exit 77; }
    # script's own status is the command's; its output is the terminal's.
    cmd="\"$bt86\" run --screendump \"$dir/screen\" --display terminal --stats \"$dir/stats\""
    for arg in "$@"; do cmd="$cmd \"$arg\""; done
    printf "$type" | timeout -k 10 120 script -qec "$cmd" /dev/null >"$dir/out" 2>&1
    status=$?
else
    timeout -k 10 120 "$bt86" run --screendump "$dir/screen" --display none --stats "$dir/stats" "$@" \
        >"$dir/out" 2>&1 </dev/null
    status=$?
fi
cat "$dir/out"
echo "--- screen dump:"
cat "$dir/screen" 2>/dev/null
echo "---"
[ "$status" -eq "$expected" ] || fail "exit status $status, expected $expected"
[ -f "$dir/screen" ] || fail "no screen dump"
if [ -n "$same" ]; then
    diff -u "$same" "$dir/screen" || fail "the screen differs from $same"
fi
if [ -n "$has" ]; then
    grep -qF -- "$has" "$dir/screen" || fail "the screen does not show '$has'"
fi
if [ -n "$serial_has" ]; then
    tr -d '\r' <"$dir/out" | grep -qF -- "$serial_has" || fail "COM1 did not show '$serial_has'"
fi
if [ -n "$max_mmio" ]; then
    mmio=$(sed -n 's/.*"host_faults": {[^}]*"mmio": \([0-9]*\).*/\1/p' "$dir/stats")
    [ -n "$mmio" ] || fail "--stats has no MMIO fault count"
    [ "$mmio" -le "$max_mmio" ] || fail "$mmio MMIO accesses, expected at most $max_mmio"
fi
echo "vga_screen: ok"
