#!/usr/bin/env bash
# same_twice.sh BT86 KERNEL: under --clock virtual, two runs of a device
# guest print byte-identical output (and pass).
set -u
a=$("$1" run --kernel "$2" --clock virtual --timeout 120 2>&1); sa=$?
b=$("$1" run --kernel "$2" --clock virtual --timeout 120 2>&1); sb=$?
printf '%s\n' "$a"
[ "$sa" -eq 1 ] && [ "$sb" -eq 1 ] || { echo "same_twice: exit statuses $sa and $sb, expected 1" >&2; exit 1; }
[ "$a" = "$b" ] || { diff <(printf '%s\n' "$a") <(printf '%s\n' "$b") >&2; echo "same_twice: outputs differ" >&2; exit 1; }
echo "same_twice: identical"
