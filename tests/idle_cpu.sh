#!/usr/bin/env bash
# idle_cpu.sh BT86 GUEST SECONDS: runs a guest that waits in sti; hlt for
# SECONDS and fails when bt86 used more than 2 % of one core meanwhile (an
# idle guest must sleep in the host, not spin or wake without cause).
set -u
bt86=$1 guest=$2 seconds=$3
out=$("$bt86" run --kernel "$guest" --append idle --timeout "$seconds" 2>&1)
status=$?
printf '%s\n' "$out"
[ "$status" -eq 124 ] || { echo "idle_cpu: expected the timeout (124), got $status" >&2; exit 1; }
grep -q 'stuck: idling' <<<"$out" || { echo "idle_cpu: the guest did not reach its idle loop" >&2; exit 1; }
# Host CPU of the finished child, from bash's own accounting (no GNU time).
cpu=$(times | tail -1 | awk '{ split($1, u, "m"); split($2, s, "m"); print (u[1] * 60 + u[2]) + (s[1] * 60 + s[2]) }')
echo "idle_cpu: ${cpu} s of host CPU in ${seconds} s"
awk -v c="$cpu" -v t="$seconds" 'BEGIN { exit !(c <= 0.02 * t + 0.05) }' ||
  { echo "idle_cpu: an idle guest cost more than 2 % of a core" >&2; exit 1; }
