#!/usr/bin/env bash
# linux_session.sh BT86 KERNEL_NAME [apic|noapic|nolapic] [bt86 args...]:
# builds (or reuses) the Debian guest, boots KERNEL_NAME (vmlinuz-686 or
# vmlinuz-686-pae) with the scripted session, and checks every step's result
# in the serial output. The kernel uses the local APIC and the I/O APIC
# (apic, the default), or is told to leave the I/O APIC (noapic) or both
# (nolapic) alone and use the 8259A pair. The guest's clock must keep
# within 1 % of the host's over the session.
set -u
bt86=$1 kernel=$2
shift 2
mode=apic
case "${1:-}" in apic|noapic|nolapic) mode=$1; shift ;; esac
cmdline="console=ttyS0 bt86.script=1"
[ "$mode" = apic ] || cmdline="$cmdline $mode"
here=$(cd "$(dirname "$0")" && pwd)
cache=$("$here/../guests/linux/build-guest.sh" | grep -m1 -E '/(vmlinuz|initramfs)' | xargs dirname) || exit 1
# Each line of output with the host time it arrived at.
out=$(set -o pipefail
      timeout 300 "$bt86" run --kernel "$cache/$kernel" --initrd "$cache/initramfs.cpio.gz" \
        --append "$cmdline" --timeout 120 "$@" </dev/null 2>&1 |
        while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "$line"; done)
status=$?
out=${out//$'\r'/}  # the serial console ends lines with CR LF
stamped=$out
out=$(sed 's/^[0-9.]* //' <<<"$stamped")
printf '%s\n' "$out"
fail() { echo "linux_session: $1" >&2; exit 1; }
# What a host that deschedules bt86 for long stretches can spoil (the TSC
# against the PIT and jiffies): status 3, which the suite retries.
timing_fail() { echo "linux_session: $1 (timing)" >&2; exit 3; }
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
grep -q 'tsc: Detected [0-9.]* MHz processor' <<<"$out" || timing_fail "the kernel could not calibrate its TSC"
grep -q 'clocksource: Switched to clocksource tsc$' <<<"$out" || timing_fail "the kernel does not use the TSC as its clocksource"
grep -q 'Marking TSC unstable' <<<"$out" && timing_fail "the kernel marked the TSC unstable"
grep -q 'the guest powered off (ACPI S5)' <<<"$out" || fail "poweroff did not go through ACPI S5"
# Interrupts: the timer and the serial port through the I/O APIC and the
# local APIC's timer, or through the 8259A (XT-PIC) with noapic/nolapic.
interrupts=$(sed -n '/^bt86\$ cat \/proc\/interrupts/,/^bt86\$ /p' <<<"$out")
loc=$(awk '$1 == "LOC:" { print $2 }' <<<"$interrupts")
case "$mode" in
  apic)
    grep -q 'IOAPIC\[0\]: apic_id 1, version 32, address 0xfec00000, GSI 0-23' <<<"$out" ||
      fail "the kernel did not find the I/O APIC in the MADT"
    grep -q 'MP-BIOS bug' <<<"$out" && fail "the kernel found IRQ0 not working through the I/O APIC"
    grep -Eq '^ +0: +[1-9][0-9]* +IO-APIC +2-edge +timer' <<<"$interrupts" || fail "IRQ0 did not come through I/O APIC pin 2"
    grep -Eq '^ +4: +[1-9][0-9]* +IO-APIC +4-edge +ttyS0' <<<"$interrupts" || fail "COM1 did not interrupt through the I/O APIC"
    [ "${loc:-0}" -gt 100 ] || fail "too few local APIC timer interrupts (LOC: ${loc:-none})" ;;
  noapic)
    grep -Eq '^ +4: +[1-9][0-9]* +XT-PIC +ttyS0' <<<"$interrupts" || fail "COM1 did not interrupt through the 8259A"
    [ "${loc:-0}" -gt 100 ] || fail "too few local APIC timer interrupts (LOC: ${loc:-none})" ;;
  nolapic)
    grep -Eq '^ +0: +[1-9][0-9]* +XT-PIC +timer' <<<"$interrupts" || fail "IRQ0 did not come through the 8259A"
    grep -Eq '^ +4: +[1-9][0-9]* +XT-PIC +ttyS0' <<<"$interrupts" || fail "COM1 did not interrupt through the 8259A"
    [ "${loc:-0}" -eq 0 ] || fail "local APIC timer interrupts with nolapic (LOC: $loc)" ;;
esac
# The guest's clock against the host's, from the first step to the last
# (which sleeps, so that the time bt86 hid from the guest comes back).
read -r host_a guest_a < <(awk '$2 == "clock-start" { print $1, $3; exit }' <<<"$stamped")
read -r host_b guest_b < <(awk '$2 == "clock-end" { print $1, $3; exit }' <<<"$stamped")
[ -n "${guest_b:-}" ] || fail "no clock-start/clock-end lines"
awk -v ha="$host_a" -v hb="$host_b" -v ga="$guest_a" -v gb="$guest_b" 'BEGIN {
  h = hb - ha; g = gb - ga; d = (g - h) / h * 100
  printf "linux_session: guest clock %.3f s, host %.3f s over the session (%+.2f %%)\n", g, h, d
  exit (d < -1 || d > 1) }' || timing_fail "the guest clock strayed more than 1 % from the host's"
grep -q '=== bt86 scripted session done ===' <<<"$out" || fail "the session did not end"
echo "linux_session: all steps passed"
