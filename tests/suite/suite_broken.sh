#!/usr/bin/env bash
# suite_broken.sh BT86 MANIFEST OUT: the failure directory a broken guest
# kernel (guests/broken: a triple fault after PIT ticks and int 0x30 calls)
# leaves: it names the instruction, holds the serial log and the state
# dump, and shows the last interrupts before the death. bt86 prints those
# with its event tracer (issue 17 part 1); a bt86 without --trace cannot,
# and the test then reports a skip after checking the rest.
set -u
bt86=$1 manifest=$2 out=$3
fail() { echo "suite_broken: FAIL: $*" >&2; exit 1; }

rm -rf "$out"
"$bt86" suite -j1 --filter '^broken$' --out "$out" "$manifest"
[ $? -eq 1 ] || fail "the suite did not fail"
dir=$out/failed/broken
[ -d "$dir" ] || fail "no failure directory $dir"
grep -q "raised by 'int 0x30' (cd 30) at EIP=0x" "$dir/verdict" || fail "the verdict does not name the instruction"
log=$dir/bt/bt86.log
grep -q "^bt86: triple fault: .*raised by 'int 0x30' (cd 30) at EIP=0x" "$log" || fail "bt86's report does not name the instruction"
eip=$(sed -n "s/.*raised by 'int 0x30' (cd 30) at EIP=0x\([0-9a-f]*\).*/\1/p" "$log")
grep -q "EIP=$eip " "$log" || fail "the state dump's EIP is not the instruction's ($eip)"
grep -q '^broken: taking timer ticks and system calls' "$dir/bt/serial.log" || fail "no serial log"
grep -q '^broken: new IDT loaded' "$dir/bt/serial.log" || fail "the serial log lacks the last line"

if ! "$bt86" run --help | grep -q -- '--trace'; then
  echo "SKIPPED: this bt86 has no event tracer (--trace, issue 17 part 1), so its report cannot show the last interrupts; the rest passed"
  exit 77
fi
# The last interrupts, between the death's reason and the state dump: the
# PIT ticks and int 0x30 calls that went through, then the fatal ones.
events=$(sed -n '/the last .* interrupts and exceptions/,/^guest state:/p' "$log")
[ -n "$events" ] || fail "the report does not show the last interrupts before the state dump"
[ "$(grep -c 'vector=0x30' <<<"$events")" -ge 3 ] || fail "the last interrupts lack the int 0x30 calls: $events"
echo "suite_broken: ok"
