#!/bin/sh
# rom_chaos.sh BT86 ROM TIMEOUT: boots a hostile firmware image
# (guests/realmode_rom/chaos_rom.asm: random real-mode code) and judges bt86
# only: it must end by itself within TIMEOUT + 2 s, with a status a run may
# end with (0 halt or reset, 1 or 3 isa-debug-exit, 2 a guest that died,
# 124 the timeout, or the status a random write of v to the exit port asks
# for, (v << 1 | 1) & 0xFF, when bt86 says it was that), never a signal,
# never an internal error.
set -u
bt86=$1 rom=$2 limit=$3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
start=$(date +%s)
timeout -k 5 $((limit + 30)) "$bt86" run --bios "$rom" --timeout "$limit" >"$out" 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))
tail -n 3 "$out"
fail() { echo "rom_chaos: FAIL: $*" >&2; exit 1; }
# The exit port's status may look like a signal's: bt86's message tells them apart.
value=$(grep -a -m1 -o 'guest wrote 0x[0-9a-f]* to isa-debug-exit' "$out" | sed 's/guest wrote \(0x[0-9a-f]*\).*/\1/')
exitport=no
[ -n "$value" ] && [ $(( ((value << 1) | 1) & 0xFF )) -eq "$status" ] && exitport=yes
case $status in
0|1|2|3|124) ;;
*) [ "$exitport" = yes ] || fail "exit status $status" ;;
esac
[ "$elapsed" -le $((limit + 2)) ] || fail "ended after $elapsed s (timeout $limit s)"
if grep -q -e "internal error" -e "host fault" "$out"; then fail "bt86 reported an internal error"; fi
echo "rom_chaos: ok: status $status after $elapsed s"
