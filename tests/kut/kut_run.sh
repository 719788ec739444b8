#!/usr/bin/env bash
# kut_run.sh BT86 DIR NAME: runs kvm-unit-tests' test NAME, built by
# kut_build.sh in DIR, on bt86 the way its x86/run runs it on QEMU: the
# kernel x86/<file>, argv[0] and unittests.cfg's test_args as the command
# line (QEMU's Multiboot loader puts the kernel's name first), the
# environment file as a Multiboot module (as the suite's -initrd), memory
# from qemu_params' -m, and the test's timeout. The verdict comes from the
# exit status (isa-debug-exit: 1 passed, 77 everything skipped) and the
# SUMMARY line; exit 0 passed, 77 skipped (with the reason), 1 failed.
# Tests that need several CPUs, or a feature bt86 deliberately does not
# offer, are skipped without running, each saying why.
set -u
bt86=$1 dir=$2 name=$3
here=$(cd "$(dirname "$0")" && pwd)
src=$dir/src
line=$(awk -f "$here/kut_tests.awk" "$src/x86/unittests.cfg" | awk -F'\t' -v n="$name" '$1 == n')
[ -n "$line" ] || { echo "kut_run: no test $name in unittests.cfg" >&2; exit 1; }
IFS=$'\t' read -r _ file smp args params _ _ accel timeout <<<"$line"
[ "$args" = "-" ] && args=""
skip() { echo "SKIPPED: $name: $1"; exit 77; }

[ "$smp" -gt 1 ] && skip "needs $smp CPUs; bt86 runs one"
case "$name" in
  realmode) skip "its sti-inhibit check halts in real mode until the timer tick a PC BIOS leaves running; bt86 boots Multiboot kernels without a BIOS (kut.realmode_bt runs the rest)" ;;
  s3) skip "needs an ACPI S3 suspend and the firmware's resume through the waking vector in real mode, which bt86 does not offer" ;;
  vmexit_vmcall|hypercall)
    skip "needs a hypervisor's hypercall (vmcall/vmmcall): bt86 offers no VMX or SVM, so both are #UD, as on bare metal" ;;
  pmu) skip "needs hardware event counting (accel = kvm): bt86's performance counters count no events" ;;
esac
[ "$accel" = kvm ] && skip "runs only on KVM (accel = kvm)"
[ -f "$src/x86/$file" ] || skip "x86/$file is not built for i386"

memory=()
if [[ " $params " =~ \ -m\ ([0-9]+)\  ]]; then memory=(--memory "${BASH_REMATCH[1]}M"); fi
[ "$timeout" = "-" ] && timeout=90
timeout=${timeout%s}
env_file=$(mktemp)
trap 'rm -f "$env_file"' EXIT
printf 'TARGET=bt86\nERRATA_FORCE=y\n' >"$env_file"
out=$("$bt86" run --kernel "$src/x86/$file" --append "$file${args:+ $args}" --initrd "$env_file" "${memory[@]}" \
      --timeout "$timeout" </dev/null 2>&1)
status=$?
out=${out//$'\r'/}
printf '%s\n' "$out"
summary=$(grep '^SUMMARY: ' <<<"$out" | tail -1)
case "$status" in
  1)
    if grep -q 'unexpected failures' <<<"$summary"; then
      echo "kut_run: $name: FAIL ($summary)"
      exit 1
    fi
    echo "kut_run: $name: PASS${summary:+ (${summary#SUMMARY: })}"
    exit 0 ;;
  77)
    why=$(grep -E '^SKIP: |not supported|not available|not enabled' <<<"$out" | sed 's/^SKIP: //' | paste -sd ';' -)
    skip "${why:-the test skipped itself}${summary:+ (${summary#SUMMARY: })}" ;;
  124) echo "kut_run: $name: FAIL (timeout after $timeout s)"; exit 1 ;;
  *) echo "kut_run: $name: FAIL (bt86 exit status $status${summary:+, $summary})"; exit 1 ;;
esac
