#!/usr/bin/env bash
# One run of the hostile kernel (guests/hostile) under bt86, and its verdict.
#
#   hostile_run.sh [--timeout T] [--host-only | --expect-status S] [--quiet]
#                  BT86 KERNEL "COMMAND LINE" [extra bt86 args...]
#
# Runs `BT86 run --kernel KERNEL --append "COMMAND LINE" --timeout T`
# (T = 30 by default) and checks the host's side first:
#   - bt86 ends by itself, not by a signal (a crash), and not only when the
#     outer `timeout` kills it (a hang);
#   - within T + 1 seconds;
#   - with status 0-3 or 124, or with the status a guest write to the exit
#     port asks for (random CPL-0 code may write any value there).
# Then the guest's side: by default the kernel must print PASS and end with
# status 1 (a ring-3 or targeted run: the guest kernel never dies);
# --host-only asks nothing more (random CPL-0 code may wreck its machine);
# --expect-status S wants exactly status S (124 for endless loops).
#
# The last line is the verdict, one line for tests/hostile_long.sh:
#   hostile: ok|FAIL outcome=<class> status=N seconds=S cmdline="..." why="..."
# <class> is exit0..exit3, exit124, exitport, crash, hang, slow, badstatus,
# and FAIL adds death (the guest kernel did not PASS) or wrongstatus.
set -u

timeout_s=30 host_only=0 expect_status= quiet=0
while [ $# -gt 0 ]; do
    case $1 in
    --timeout) timeout_s=$2; shift 2 ;;
    --host-only) host_only=1; shift ;;
    --expect-status) expect_status=$2; shift 2 ;;
    --quiet) quiet=1; shift ;;
    *) break ;;
    esac
done
if [ $# -lt 3 ]; then
    echo "usage: $0 [--timeout T] [--host-only | --expect-status S] [--quiet] BT86 KERNEL CMDLINE [args...]" >&2
    exit 2
fi
bt86=$1 kernel=$2 cmdline=$3
shift 3

out=$(mktemp)
trap 'rm -f "$out"' EXIT

start=$(date +%s%N)
# The outer limit only catches a bt86 that ignores its own --timeout.
timeout -s KILL $((timeout_s + 10)) "$bt86" run --kernel "$kernel" --append "$cmdline" \
    --timeout "$timeout_s" "$@" </dev/null >"$out" 2>&1
status=$?
end=$(date +%s%N)
elapsed_ms=$(( (end - start) / 1000000 ))
seconds=$(printf '%d.%03d' $((elapsed_ms / 1000)) $((elapsed_ms % 1000)))

if [ "$quiet" -eq 0 ]; then
    # Random CPL-0 code may print anything on COM1: show text only.
    tr -d '\r' <"$out" | tr -c '\n[:print:]' '?' | tail -n 40
fi

# bt86's own account: its first message (random CPL-0 code may have left a
# line of its own unfinished on COM1).
why=$(grep -a -o -m1 'bt86: .*' "$out" | tr -c '\n[:print:]' '?' | cut -c1-160)
outcome= verdict=ok
# A guest write of v to the exit port asks for status (v << 1 | 1) & 0xFF,
# which may look like a signal's: that message tells them apart.
value=$(grep -a -m1 -o 'guest wrote 0x[0-9a-f]* to isa-debug-exit' "$out" | sed 's/guest wrote \(0x[0-9a-f]*\).*/\1/')
if [ -n "$value" ] && [ $(( ((value << 1) | 1) & 0xFF )) -eq "$status" ] &&
   [ "$status" -ne 1 ] && [ "$status" -ne 3 ] && [ "$elapsed_ms" -le $(( (timeout_s + 1) * 1000 )) ]; then
    outcome=exitport
elif [ "$status" -eq 137 ]; then
    outcome=hang why="still running $((timeout_s + 10)) s after start: killed (--timeout $timeout_s)"
elif [ "$status" -gt 128 ] && [ "$status" -ne 124 ]; then
    outcome=crash why="ended by signal $((status - 128)): $why"
elif [ "$elapsed_ms" -gt $(( (timeout_s + 1) * 1000 )) ]; then
    outcome=slow why="ended after $seconds s with --timeout $timeout_s: $why"
elif [ "$status" -le 3 ] || [ "$status" -eq 124 ]; then
    outcome=exit$status
else
    outcome=badstatus why="exit status $status: $why"
fi
case $outcome in
exit* ) ;;
*) verdict=FAIL ;;
esac

if [ "$verdict" = ok ] && [ -n "$expect_status" ] && [ "$status" -ne "$expect_status" ]; then
    verdict=FAIL outcome="wrongstatus($outcome)" why="exit status $status, expected $expect_status: $why"
elif [ "$verdict" = ok ] && [ -z "$expect_status" ] && [ "$host_only" -eq 0 ]; then
    if [ "$status" -ne 1 ] || ! tr -d '\r' <"$out" | grep -aqx PASS; then
        verdict=FAIL outcome="death($outcome)"
        fail_line=$(grep -a -m1 '^FAIL' "$out" | tr -c '\n[:print:]' '?' | cut -c1-160)
        [ -n "$fail_line" ] && why="$fail_line; $why"
    fi
fi

why=$(printf '%s' "$why" | tr '"' "'") # one line that tests/hostile_table.awk reads
echo "hostile: $verdict outcome=$outcome status=$status seconds=$seconds cmdline=\"$cmdline\" why=\"$why\""
[ "$verdict" = ok ]
