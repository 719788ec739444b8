#!/usr/bin/env bash
# linux_tsc.sh BT86 KERNEL_NAME [APPEND...]: boots Debian's kernel (from
# guests/linux/build-guest.sh's cache) until its TSC messages are out and
# checks that it calibrated the TSC against the PIT (channel 2 through port
# 0x61), the first way Linux tries, cold at boot: "Fast TSC calibration
# using PIT". Extra arguments go on the kernel command line (acpi=off: no
# PM timer to fall back on).
set -u
bt86=$1 kernel=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
cache=$("$here/../guests/linux/build-guest.sh" | grep -m1 -E '/(vmlinuz|initramfs)' | xargs dirname) || exit 1
# The messages come out when the serial console starts, well within 20 s;
# the boot is cut short after the verdict (sed quits, bt86 gets SIGPIPE).
out=$(timeout 60 "$bt86" run --kernel "$cache/$kernel" --initrd "$cache/initramfs.cpio.gz" \
      --append "console=ttyS0 $*" --timeout 20 </dev/null 2>&1 |
      tr -d '\r' | sed -n -e '/tsc:\|Marking TSC/p' -e '/tsc: Detected\|Marking TSC unstable/q')
printf '%s\n' "$out"
grep -q 'tsc: Fast TSC calibration using PIT' <<<"$out" || { echo "linux_tsc: no fast calibration against the PIT" >&2; exit 1; }
grep -q 'tsc: Detected [0-9.]* MHz processor' <<<"$out" || { echo "linux_tsc: the TSC frequency was not detected" >&2; exit 1; }
grep -q 'Marking TSC unstable' <<<"$out" && { echo "linux_tsc: the TSC was marked unstable" >&2; exit 1; }
echo "linux_tsc: calibrated against the PIT"
