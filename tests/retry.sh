#!/bin/sh
# retry.sh [--only STATUS] N CMD...: runs CMD until it passes, at most N
# times, and passes when one run did; with --only, a run that fails with
# any other status than STATUS fails at once (a check that is not about
# timing). For checks that a busy host can spoil by preempting
# bt86 at the wrong moment (a TSC calibration against the PIT fails when
# bt86 is descheduled for longer than one PIT step): a run that fails for
# a reason of bt86's fails every time.
set -u
only=
if [ "$1" = --only ]; then
    only=$2
    shift 2
fi
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
    if [ -n "$only" ] && [ "$status" -ne "$only" ]; then
        echo "retry: FAIL: status $status is not one to retry" >&2
        exit 1
    fi
    if [ "$i" -ge "$n" ]; then
        echo "retry: FAIL: failed $n times (last status $status)" >&2
        exit 1
    fi
    echo "retry: attempt $i failed (status $status); again"
    i=$((i + 1))
done
