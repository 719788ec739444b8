#!/usr/bin/env bash
# os_profile: where one event of an OS-heavy Linux benchmark (a fork/wait,
# an exec, a system call) goes on bt86. Boots the default guest twice with a
# session that runs only that benchmark (FEW and MANY events) and prints,
# per event, the difference of the two runs' --stats counters divided by
# the difference in events (so the boot cancels out), and the time per
# event each run measured. (The boot's PIT calibration loops run for a
# fixed time, so their `in`/`out` exits vary from boot to boot and do not
# cancel.) With PERF=1 it also records the
# MANY run with perf (--perf-map names the translated code) and prints how
# the samples taken after the boot split between the host kernel, bt86's
# C++ and translated guest code, and the top symbols. See perf/README.md.
#
# usage: perf/os_profile.sh BUILD_DIR
# env:   BENCH=forkwait       forkwait, execloop or syscall_loop
#        KERNEL=vmlinuz-686   which cached kernel to boot
#        FEW=500 MANY=3000    events in the two runs (syscall_loop: times 1000)
#        PERF=0               1: also profile the MANY run with perf record
#        BT86=BUILD_DIR/bt86  the bt86 binary (another build of it, to compare)
# exit:  0 ok; 1 a run failed; 2 usage error.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
KERNEL=${KERNEL:-vmlinuz-686}
BENCH=${BENCH:-forkwait}
FEW=${FEW:-500}
MANY=${MANY:-3000}
case $BENCH in
forkwait) ARGS="" NAME=forkwait ;;
execloop) ARGS=" /bin/busybox true" NAME=exec ;;
syscall_loop) ARGS="" NAME=syscall FEW=$((FEW * 1000)) MANY=$((MANY * 1000)) ;;
*) echo "os_profile: BENCH must be forkwait, execloop or syscall_loop" >&2; exit 2 ;;
esac
PERF=${PERF:-0}
BT86=${BT86:-$BUILD/bt86}
PROG=$BUILD/perf/linux/$BENCH
for f in "$BT86" "$PROG"; do
    [ -x "$f" ] || { echo "os_profile: $f missing; build the project first" >&2; exit 2; }
done
[ "$MANY" -gt "$FEW" ] || { echo "os_profile: MANY must exceed FEW" >&2; exit 2; }
CACHE=$("$HERE/../guests/linux/build-guest.sh" | grep -m1 -E '/(vmlinuz|initramfs)' | xargs dirname) || exit 1

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The cached initramfs plus a second archive whose session runs the benchmark N times.
initramfs() {
    local n=$1 dir=$TMP/overlay-$1
    mkdir -p "$dir/bench"
    cp "$PROG" "$dir/bench/"
    printf '%s\n' 'echo "=== bt86 bench session ==="' "/bench/$BENCH $n$ARGS" 'echo "=== bt86 bench done ==="' \
        >"$dir/test-session.sh"
    (cd "$dir" && find . | LC_ALL=C sort | cpio --create --format=newc --owner=0:0 --quiet) | gzip -n >"$TMP/ov-$n.gz"
    cat "$CACHE/initramfs.cpio.gz" "$TMP/ov-$n.gz" >"$TMP/bench-$n.cpio.gz"
}

# Runs the guest with N events, under the command in the other arguments if
# any (perf record); leaves its output and stats in $TMP.
run_guest() {
    local n=$1
    shift
    local cmd=("$BT86" run --kernel "$CACHE/$KERNEL" --initrd "$TMP/bench-$n.cpio.gz"
               --append "console=ttyS0 bt86.script=1" --timeout 600 --clock wall --stats "$TMP/stats-$n.json")
    # (Older builds have no --perf-map: their translated code stays unnamed.)
    [ $# -gt 0 ] && "$BT86" --help 2>&1 | grep -q -- --perf-map && cmd+=(--perf-map)
    "$@" "${cmd[@]}" </dev/null >"$TMP/out-$n.log" 2>&1
    grep -q '=== bt86 bench done ===' "$TMP/out-$n.log" || {
        echo "os_profile: the run with $n events failed; its output:" >&2
        tail -20 "$TMP/out-$n.log" >&2
        exit 1
    }
    grep -a "^bench $NAME" "$TMP/out-$n.log"
}

initramfs "$FEW"
initramfs "$MANY"
echo "os_profile: $BENCH on $KERNEL, $FEW and $MANY events" >&2
start=$EPOCHREALTIME
run_guest "$FEW"
if [ "$PERF" = 1 ]; then
    # Sample only the benchmark: start a little after the boot, which took
    # the FEW run's time less its benchmark.
    boot_ms=$(awk -v s="$start" -v e="$EPOCHREALTIME" '/^bench / { split($4, ns, "=")
              printf "%d", ((e - s) - ns[2] / 1e9) * 1000 + 300 }' "$TMP/out-$FEW.log")
    run_guest "$MANY" perf record -q -D "$boot_ms" -o "$TMP/perf.data" -- env
else
    run_guest "$MANY"
fi

echo
echo "Per event (the $MANY-event run less the $FEW-event run, divided by $((MANY - FEW))):"
python3 - "$TMP/stats-$FEW.json" "$TMP/stats-$MANY.json" $((MANY - FEW)) <<'EOF'
import json, sys

def flat(prefix, x, out):
    if isinstance(x, dict):
        for k, v in x.items():
            flat(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(x, (int, float)) and not isinstance(x, bool):
        out[prefix] = x
    return out

few = flat("", json.load(open(sys.argv[1])), {})
many = flat("", json.load(open(sys.argv[2])), {})
events = int(sys.argv[3])
print("| counter | per event |")
print("|---|---|")
for key in sorted(many):
    if key.endswith("seconds") or key not in few:
        continue
    d = (many[key] - few[key]) / events
    if abs(d) >= 0.05:
        print(f"| {key} | {d:.2f} |")
EOF

if [ "$PERF" = 1 ]; then
    echo
    echo "Where the $MANY-event run's host time went (perf samples from the end of the boot):"
    perf report -i "$TMP/perf.data" --no-children --sort dso --stdio 2>/dev/null |
        awk '/^ +[0-9]/ { d = $2; for (i = 3; i <= NF; i++) d = d " " $i
                          sub(/^\[JIT\].*/, "translated code (and bt86 stubs)", d); print "  " $1 "  " d }' | head -6
    echo
    echo "Top symbols:"
    perf report -i "$TMP/perf.data" --no-children --sort sym --stdio 2>/dev/null |
        awk '/^ +[0-9]/' | cut -c1-120 | head -25
fi
