#!/usr/bin/env bash
# linux_bench: Debian's i386 Linux as the workload. Boots the default guest
# with a benchmark session (forkwait, a syscall loop, an exec loop,
# cpu_bench) on bt86, on
# bt86's KVM backend and on qemu-system-i386's software emulator (each where
# it can run), runs the same static 32-bit programs natively, and prints one
# table: per-event times and each backend's slowdown against native.
#
# usage: perf/linux_bench.sh BUILD_DIR
# env:   KERNEL=vmlinuz-686                  which cached kernel to boot
#        BACKENDS="native bt86 kvm qemu"     which columns to try
#        FORKS=2000 SYSCALLS=1000000 EXECS=200   iterations
#        TIMEOUT=600                         seconds per guest boot
#        ROUNDS=1                            runs of every backend, interleaved
#                                            (round 1 of each, then round 2...);
#                                            the table gives each cell's median
# exit:  0 ok (a backend that cannot run is reported and skipped);
#        1 a run failed; 2 usage error.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
KERNEL=${KERNEL:-vmlinuz-686}
BACKENDS=${BACKENDS:-"native bt86 kvm qemu"}
FORKS=${FORKS:-2000}
SYSCALLS=${SYSCALLS:-1000000}
EXECS=${EXECS:-200}
TIMEOUT=${TIMEOUT:-600}
ROUNDS=${ROUNDS:-1}
BT86=$BUILD/bt86
PROGS=("$BUILD/perf/linux/forkwait" "$BUILD/perf/linux/syscall_loop" "$BUILD/perf/cpu_bench-native"
       "$BUILD/perf/linux/execloop")
for f in "$BT86" "${PROGS[@]}"; do
    [ -x "$f" ] || { echo "linux_bench: $f missing; build the project first" >&2; exit 2; }
done
CACHE=$("$HERE/../guests/linux/build-guest.sh" | grep -m1 -E '/(vmlinuz|initramfs)' | xargs dirname) || exit 1

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The benchmark initramfs: the cached one plus a second cpio archive (the
# kernel unpacks concatenated archives in order) whose /test-session.sh
# replaces the scripted session with the benchmark.
mkdir -p "$TMP/overlay/bench"
cp "${PROGS[@]}" "$TMP/overlay/bench/"
cat >"$TMP/overlay/test-session.sh" <<EOF
echo "=== bt86 bench session ==="
/bench/forkwait $FORKS
/bench/syscall_loop $SYSCALLS
/bench/execloop $EXECS /bin/busybox true
/bench/cpu_bench-native | grep '^bench'
echo "=== bt86 bench done ==="
EOF
(cd "$TMP/overlay" && find . | LC_ALL=C sort | cpio --create --format=newc --owner=0:0 --quiet) | gzip -n >"$TMP/overlay.cpio.gz"
cat "$CACHE/initramfs.cpio.gz" "$TMP/overlay.cpio.gz" >"$TMP/bench.cpio.gz"
APPEND="console=ttyS0 bt86.script=1"

# Why a backend cannot run, or nothing.
unavailable() {
    case $1 in
    native | bt86) ;;
    kvm)
        local probe
        probe=$("$BT86" kvm-probe 2>&1) || { echo "no usable /dev/kvm: $(head -1 <<<"$probe")"; return; }
        grep -Eq "^ *paging-32 .*FAILS" <<<"$probe" && echo "this host's KVM cannot run paged guests (bt86 kvm-probe: paging-32 FAILS)"
        ;;
    qemu) command -v qemu-system-i386 >/dev/null || echo "qemu-system-i386 not installed" ;;
    *) echo "unknown backend" ;;
    esac
}

# Sets CMD to the command that boots the benchmark guest on a backend.
guest_cmd() {
    case $1 in
    # --clock wall: the guest's own clock, which the benchmarks time
    # themselves with, is host time exactly (translation time included).
    bt86 | kvm) CMD=("$BT86" run --backend "${1/bt86/bt}" --kernel "$CACHE/$KERNEL" --initrd "$TMP/bench.cpio.gz"
                     --append "$APPEND" --timeout "$TIMEOUT" --clock wall) ;;
    qemu) CMD=(qemu-system-i386 -kernel "$CACHE/$KERNEL" -initrd "$TMP/bench.cpio.gz" -append "$APPEND"
               -m 256 -display none -serial stdio -no-reboot) ;;
    esac
}

# Runs one backend once; writes "name ns_per_event" lines to $TMP/$1.$2.
run_backend() {
    local b=$1 out=$TMP/$1.log result=$TMP/$1.$2
    if [ "$b" = native ]; then
        # The exec loop runs the guest's own static i386 busybox.
        (cd "$TMP" && gzip -dc "$CACHE/initramfs.cpio.gz" | cpio -id --quiet bin/busybox) || return 1
        { "${PROGS[0]}" "$FORKS" && "${PROGS[1]}" "$SYSCALLS" && "${PROGS[3]}" "$EXECS" "$TMP/bin/busybox" true &&
          "${PROGS[2]}"; } >"$out" 2>&1 || return 1
    else
        # Timestamp each line as it arrives: the boot time is when the
        # session's first line shows up.
        guest_cmd "$b"
        local start=$EPOCHREALTIME
        # (No filter before the loop: a pipe would buffer and delay the lines.)
        timeout $((TIMEOUT + 30)) "${CMD[@]}" </dev/null 2>&1 |
            while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done >"$TMP/$b.stamped"
        sed 's/^[0-9.]* //' "$TMP/$b.stamped" >"$out"
        grep -q '=== bt86 bench done ===' "$out" || return 1
        awk -v s="$start" '/=== bt86 bench session ===/ { printf "boot %.0f\n", ($1 - s) * 1e9; exit }' \
            "$TMP/$b.stamped" >"$result"
    fi
    awk '/^bench / { split($3, it, "="); split($4, ns, "="); printf "%s %.1f\n", $2, ns[2] / it[2] }' "$out" >>"$result"
}

NAME=linux_bench
# shellcheck source=perf/interleave.sh
. "$(dirname "$0")/interleave.sh"
run_interleaved

value() { awk -v k="$2" '$1 == k { print $2 }' "$TMP/$1" 2>/dev/null; }
unit() { case $1 in boot) echo "s, to the session" ;; cpu) echo "s" ;; *) echo "us per event" ;; esac; }
scale() { case $1 in boot | cpu) echo 1e9 ;; *) echo 1e3 ;; esac; }

echo
echo "Linux guest ($KERNEL) benchmarks, one interleaved run of $ROUNDS round(s), medians; slowdown = time / native time"
printf '| %-9s |' measure
for b in "${ran[@]}"; do printf ' %-10s |' "$b"; done
for b in "${ran[@]}"; do [ "$b" = native ] || printf ' %-13s |' "$b/native"; done
echo
for m in boot forkwait syscall exec cpu; do
    printf '| %-9s |' "$m"
    for b in "${ran[@]}"; do
        v=$(value "$b" "$m")
        if [ -n "$v" ]; then printf ' %-10s |' "$(awk -v v="$v" -v s="$(scale "$m")" 'BEGIN { printf "%.3g", v / s }')"
        else printf ' %-10s |' "-"; fi
    done
    n=$(value native "$m")
    for b in "${ran[@]}"; do
        [ "$b" = native ] && continue
        v=$(value "$b" "$m")
        if [ -n "$v" ] && [ -n "$n" ]; then printf ' %-13s |' "$(awk -v v="$v" -v n="$n" 'BEGIN { printf "%.2fx", v / n }')"
        else printf ' %-13s |' "-"; fi
    done
    echo "  ($(unit "$m"))"
done
for b in "${!SKIPPED[@]}"; do echo "$b: skipped: ${SKIPPED[$b]}"; done
exit 0
