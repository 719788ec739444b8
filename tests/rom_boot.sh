#!/bin/sh
# rom_boot.sh BT86 ROM [bt86 options...]: boots a firmware image with --bios and checks the
# whole report: status 1 (isa-debug-exit 0), "PASS" on COM1, the banner on
# the debug console (--debugcon), and the last POST code 0x0f both at exit
# and as --stats' last_post_code.
set -u
bt86=$1 rom=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "rom_boot: FAIL: $*" >&2; exit 1; }
timeout -k 10 120 "$bt86" run --bios "$rom" --timeout 60 --debugcon "$dir/debugcon" --stats "$dir/stats.json" \
    "$@" >"$dir/out" 2>&1
status=$?
cat "$dir/out"
[ "$status" -eq 1 ] || fail "exit status $status, expected 1"
grep -qx PASS "$dir/out" || fail "no PASS line on COM1"
grep -q "last POST code 0x0f" "$dir/out" || fail "the last POST code was not reported as 0x0f"
grep -qx "bt86 realmode ROM" "$dir/debugcon" || fail "the debug console (port 0xE9) did not get the banner"
grep -q '"last_post_code": 15' "$dir/stats.json" || fail "--stats has no last_post_code 15"
echo "rom_boot: ok"
