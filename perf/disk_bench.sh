#!/usr/bin/env bash
# disk_bench: the Linux guest booted the way a PC boots it, from the syslinux
# disk (guests/disk/build-image.sh syslinux --size ...), on bt86 and on
# qemu-system-i386's software emulator (TCG). Per run: the boot time, from
# starting the emulator to the shell prompt on the serial console (SeaBIOS,
# syslinux, the kernel's real-mode setup, Linux, /init), then a sequential
# read of the disk in the guest, dd if=/dev/sda of=/dev/null bs=1M
# count=DD_MIB, timed on the host from typing the command to its end, as
# MB/s (the guest's page cache is cold: every run is a fresh boot).
#
# usage: perf/disk_bench.sh BUILD_DIR
# env:   BACKENDS="bt86 qemu"   which columns to try
#        ROUNDS=3               runs of every backend, interleaved (round 1
#                               of each, then round 2...); cells are medians
#        DD_MIB=256             MiB the guest reads (the disk is 32 MiB larger;
#                               sparse on the host, so the host's page cache
#                               serves it and the emulation is what is timed)
#        TIMEOUT=300            seconds per guest run
# exit:  0 ok (a backend that cannot run is reported and skipped);
#        1 a run failed; 2 usage error.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
BACKENDS=${BACKENDS:-"bt86 qemu"}
ROUNDS=${ROUNDS:-3}
DD_MIB=${DD_MIB:-256}
TIMEOUT=${TIMEOUT:-300}
BT86=$BUILD/bt86
[ -x "$BT86" ] || { echo "disk_bench: $BT86 missing; build the project first" >&2; exit 2; }
[[ "$DD_MIB" =~ ^[0-9]+$ ]] && [ "$DD_MIB" -ge 1 ] && [ "$DD_MIB" -le 1900 ] ||
    { echo "disk_bench: DD_MIB must be 1 to 1900" >&2; exit 2; }
IMAGE=$("$HERE/../guests/disk/build-image.sh" syslinux --size $((DD_MIB + 32))) || exit 1
. "$HERE/../tests/serial_expect.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Why a backend cannot run, or nothing.
unavailable() {
    case $1 in
    bt86)
        "$BT86" --help 2>&1 | grep -q -- '--disk' || echo "this bt86 has no --disk (the IDE disk model)" ;;
    qemu) command -v qemu-system-i386 >/dev/null || echo "qemu-system-i386 not installed" ;;
    *) echo "unknown backend" ;;
    esac
}

# Sets CMD to the command that boots the disk on a backend.
guest_cmd() {
    case $1 in
    # --clock wall: the guest's clock is host time exactly.
    bt86) CMD=("$BT86" run --disk "$IMAGE" --snapshot --clock wall --timeout "$TIMEOUT") ;;
    qemu) CMD=(qemu-system-i386 -accel tcg -m 256 -drive "file=$IMAGE,format=raw,snapshot=on"
               -display none -serial stdio -no-reboot) ;;
    esac
}

# Runs one backend once; writes "boot SECONDS" and "dd MB_PER_S" to $TMP/$1.$2.
run_backend() {
    local b=$1 log=$TMP/$1.log start t0
    guest_cmd "$b"
    start=$EPOCHREALTIME
    guest_start "$log" "${CMD[@]}"
    guest_wait '^/ # ' "$TIMEOUT" || { guest_finish 5; return 1; }
    echo "boot $(awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.3f", e - s }')" >"$TMP/$b.$2"
    t0=$EPOCHREALTIME
    guest_send "dd if=/dev/sda of=/dev/null bs=1M count=$DD_MIB; echo dd-end-\$((6*7))"
    guest_wait '^dd-end-42' "$TIMEOUT" || { guest_finish 5; return 1; }
    awk -v s="$t0" -v e="$EPOCHREALTIME" -v n="$DD_MIB" 'BEGIN { printf "dd %.1f\n", n * 1.048576 / (e - s) }' >>"$TMP/$b.$2"
    tr -d '\r' <"$log" | grep -q "^$DD_MIB+0 records in" || { echo "disk_bench: $b: dd did not read $DD_MIB MiB" >&2; return 1; }
    guest_send 'poweroff -f'
    guest_finish 60
}

NAME=disk_bench
# shellcheck source=perf/interleave.sh
. "$(dirname "$0")/interleave.sh"
run_interleaved
value() { awk -v k="$2" '$1 == k { print $2 }' "$TMP/$1" 2>/dev/null; }

echo
echo "Syslinux disk ($((DD_MIB + 32)) MiB), $ROUNDS interleaved round(s), medians"
printf '| %-34s |' measure
for b in "${ran[@]}"; do printf ' %-8s |' "$b"; done
echo
for m in boot dd; do
    case $m in
    boot) printf '| %-34s |' "boot to the shell prompt (s)" ;;
    dd) printf '| %-34s |' "dd of $DD_MIB MiB from /dev/sda (MB/s)" ;;
    esac
    for b in "${ran[@]}"; do printf ' %-8s |' "$(value "$b" "$m")"; done
    echo
done
for b in "${!SKIPPED[@]}"; do echo "$b: skipped: ${SKIPPED[$b]}"; done
exit 0
