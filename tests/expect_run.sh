#!/usr/bin/env bash
# expect_run.sh STATUS REGEX CMD...: runs CMD, shows its output, and passes
# when it exits with STATUS and its output (stdout+stderr) matches REGEX.
set -u
want_status=$1 pattern=$2
shift 2
out=$("$@" 2>&1)
status=$?
printf '%s\n' "$out"
if [ "$status" -ne "$want_status" ]; then
  echo "expect_run: exit status $status, expected $want_status" >&2
  exit 1
fi
if ! grep -Eq -- "$pattern" <<<"$out"; then
  echo "expect_run: output does not match /$pattern/" >&2
  exit 1
fi
