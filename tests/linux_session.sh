#!/usr/bin/env bash
# linux_session.sh BT86 KERNEL_NAME [bt86 args...]: builds (or reuses) the
# Debian guest, boots KERNEL_NAME (vmlinuz-686 or vmlinuz-686-pae) with the
# scripted session, and checks every step's result in the serial output.
set -u
bt86=$1 kernel=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)
cache=$("$here/../guests/linux/build-guest.sh" | grep -m1 -E '/(vmlinuz|initramfs)' | xargs dirname) || exit 1
out=$(timeout 300 "$bt86" run --kernel "$cache/$kernel" --initrd "$cache/initramfs.cpio.gz" \
      --append "console=ttyS0 bt86.script=1" --timeout 120 "$@" </dev/null 2>&1)
status=$?
out=${out//$'\r'/}  # the serial console ends lines with CR LF
printf '%s\n' "$out"
fail() { echo "linux_session: $1" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "bt86 exited with $status, expected 0 (poweroff)"
grep -q '^Linux (none) .* i686 GNU/Linux' <<<"$out" || fail "no uname output"
grep -q '^forks-ok' <<<"$out" || fail "the fork/exec loop did not finish"
grep -q '^HELLO-PIPE' <<<"$out" || fail "the pipe did not work"
grep -qx '42' <<<"$out" || fail "shell arithmetic is wrong"
grep -q '^vendor_id.*bt86 virtCPU' <<<"$out" || fail "/proc/cpuinfo does not show our CPU"
grep -q 'PCI: Using configuration type 1' <<<"$out" || fail "the kernel did not find PCI config mechanism #1"
grep -q 'pci 0000:00:00.0: \[8086:1237\] type 00 class 0x060000' <<<"$out" ||
  fail "the kernel did not find the host bridge at 00:00.0"
grep -qx '0000:00:00.0' <<<"$out" || fail "/sys/bus/pci/devices does not list 00:00.0"
grep -qx 'pci-00:00.0 0x8086 0x1237 0x060000' <<<"$out" || fail "sysfs shows the wrong host bridge"
# (How: tests/linux_tsc.sh checks it was against the PIT.)
grep -q 'tsc: Detected [0-9.]* MHz processor' <<<"$out" || fail "the kernel could not calibrate its TSC"
grep -q 'clocksource: Switched to clocksource tsc$' <<<"$out" || fail "the kernel does not use the TSC as its clocksource"
grep -q 'Marking TSC unstable' <<<"$out" && fail "the kernel marked the TSC unstable"
grep -q 'the guest powered off (ACPI S5)' <<<"$out" || fail "poweroff did not go through ACPI S5"
grep -q '=== bt86 scripted session done ===' <<<"$out" || fail "the session did not end"
echo "linux_session: all steps passed"
