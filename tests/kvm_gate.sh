#!/bin/sh
# Runs a test that needs KVM where this host's KVM can serve it.
#
#   kvm_gate.sh BT86 NEEDS [--oracle] CMD...
#
# NEEDS: the probes of `bt86 kvm-probe` the test needs (comma-separated, "-"
# for none). Where KVM is absent or one of them fails, the test is skipped
# (exit 77) with the probe's reason. --oracle: the test's verdict depends on
# KVM's instruction semantics (it compares KVM with the CPU or with bt86, or
# runs guest code whose results it checks). Where it fails on a KVM that
# emulates guest code instead of running it on the CPU (probe native-speed),
# the failure is KVM's emulator's: it is reported, then skipped naming the
# probe. Where KVM runs natively, it stays a failure.
bt86=$1 needs=$2
shift 2
oracle=
if [ "${1:-}" = --oracle ]; then
    oracle=1
    shift
fi
"$bt86" kvm-probe --needs "$needs"
status=$?
[ "$status" -eq 0 ] || exit "$([ "$status" -eq 77 ] && echo 77 || echo 1)"
"$@"
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 77 ] && [ -n "$oracle" ]; then
    echo "kvm_gate: the test failed (status $status); is KVM an oracle here?"
    verdict=$("$bt86" kvm-probe --oracle)
    if [ $? -eq 77 ]; then
        printf '%s\n' "$verdict" | grep '^SKIPPED:'
        exit 77
    fi
fi
exit "$status"
