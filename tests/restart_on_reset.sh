#!/usr/bin/env bash
# restart_on_reset.sh BT86 KERNEL: the kernel resets the machine (i8042
# 0xFE) soon after boot. With --on-reset restart bt86 must boot it again,
# and again, until --timeout ends the run (status 124).
set -u
bt86=$1 kernel=$2
out=$("$bt86" run --kernel "$kernel" --on-reset restart --timeout 4 2>&1)
status=$?
printf '%s\n' "$out"
boots=$(grep -c '^dev_reset: i8042' <<<"$out")
restarts=$(grep -c 'restarting it (--on-reset restart)' <<<"$out")
[ "$status" -eq 124 ] || { echo "restart_on_reset: exit status $status, expected 124 (the timeout)" >&2; exit 1; }
[ "$boots" -ge 3 ] || { echo "restart_on_reset: the kernel booted $boots times, expected 3 or more" >&2; exit 1; }
[ "$restarts" -ge 2 ] && [ "$restarts" -ge $((boots - 1)) ] ||
  { echo "restart_on_reset: $restarts restarts for $boots boots" >&2; exit 1; }
echo "restart_on_reset: $boots boots, $restarts restarts"
