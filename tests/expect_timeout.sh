#!/bin/sh
# expect_timeout.sh SECONDS CMD...: runs CMD (a bt86 run given --timeout
# SECONDS by the caller), shows its output, and passes when it ends by
# itself with status 124 within SECONDS plus one second. An outer timeout
# ends a run that ignores its own.
set -u
limit=$1
shift
start=$(date +%s%N)
timeout -k 5 $((limit + 20)) "$@" 2>&1
status=$?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
echo "expect_timeout: status $status after ${elapsed_ms} ms"
if [ "$status" -ne 124 ] || [ "$elapsed_ms" -gt $(((limit + 1) * 1000)) ]; then
    echo "expect_timeout: FAIL: want status 124 within $((limit + 1)) s" >&2
    exit 1
fi
