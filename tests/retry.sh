#!/bin/sh
# retry.sh N CMD...: runs CMD until it passes, at most N times, and passes
# when one run did. For checks that a busy host can spoil by preempting
# bt86 at the wrong moment (a TSC calibration against the PIT fails when
# bt86 is descheduled for longer than one PIT step): a run that fails for
# a reason of bt86's fails every time.
set -u
n=$1
shift
i=1
while :; do
    "$@"
    status=$?
    if [ "$status" -eq 0 ]; then
        echo "retry: passed at attempt $i of $n"
        exit 0
    fi
    if [ "$i" -ge "$n" ]; then
        echo "retry: FAIL: failed $n times (last status $status)" >&2
        exit 1
    fi
    echo "retry: attempt $i failed (status $status); again"
    i=$((i + 1))
done
