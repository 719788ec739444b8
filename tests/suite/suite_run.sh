#!/usr/bin/env bash
# suite_run.sh BT86 MANIFEST OUT: runs bt86's own kernels as a suite
# (tests/suite/kernels.toml.in: six that pass, `broken` that dies, `hang`
# that never ends, two skipped) and checks what bt86 suite reports: the
# exit status, a line per guest with its verdict and a progress count, the
# summary, a failure directory for exactly the two failed guests (serial
# log, bt86's report with the state dump, a command that reproduces the
# run), and the TAP file. OUT/junit.xml is left for junit_schema.sh.
set -u
bt86=$1 manifest=$2 out=$3
fail() { echo "suite_run: FAIL: $*" >&2; exit 1; }

rm -rf "$out"
"$bt86" suite -j2 --out "$out" --junit "$out/junit.xml" --tap "$out/tap.txt" "$manifest" >"$out.log" 2>&1
status=$?
mkdir -p "$out" && mv "$out.log" "$out/stdout.txt"
cat "$out/stdout.txt"
[ "$status" -eq 1 ] || fail "exit status $status, expected 1 (a guest failed)"

lines=$(grep -E '^\[ ?[0-9]+/10\] ' "$out/stdout.txt")
[ "$(wc -l <<<"$lines")" -eq 10 ] || fail "expected a line for each of the 10 guests"
for k in $(seq 1 10); do
  grep -Eq "^\[ ?$k/10\] " <<<"$lines" || fail "no line counts [$k/10]"
done
verdict() {  # verdict NAME WORD [REGEX]
  grep -Eq "^\[ ?[0-9]+/10\] $2 $1( |:)${3:-}" <<<"$lines" || fail "guest $1: expected $2 ${3:-}"
}
for name in hello smc dev_pit paging_tlb ud dev_reset; do verdict "$name" PASS; done
verdict broken FAIL ".*triple fault.*raised by 'int 0x30' .*\(exit status 2, expected 1\)"
verdict hang FAIL " timeout after 2 s \(exit status 124, expected 1\)"
verdict later SKIP " waits for a disk image loader"
verdict hello_on_kvm SKIP " runs only on kvm"
[ "$(tail -1 "$out/stdout.txt")" = "6 passed, 2 failed, 2 skipped" ] || fail "wrong summary line"

# A directory per failed guest, and only for those.
[ "$(ls "$out/failed" | tr '\n' ' ')" = "broken hang " ] || fail "failure directories: $(ls "$out/failed")"
b=$out/failed/broken/bt
grep -q '^broken: new IDT loaded' "$b/serial.log" || fail "broken: no serial log"
grep -q "^bt86: triple fault: .*raised by 'int 0x30' (cd 30) at EIP=0x" "$b/bt86.log" || fail "broken: no report naming the instruction"
grep -q '^guest state:' "$b/bt86.log" || fail "broken: no state dump"
grep -q "^broken: .*triple fault" "$out/failed/broken/verdict" || fail "broken: no verdict file"
(cd / && sh "$b/command" >/dev/null 2>&1)
[ $? -eq 2 ] || fail "broken: its command does not reproduce the run (status 2)"
grep -q '^stuck: spinning' "$out/failed/hang/bt/serial.log" || fail "hang: no serial log"
grep -q '^bt86: timeout after 2 s' "$out/failed/hang/bt/bt86.log" || fail "hang: no report"
[ ! -e "$out/.work" ] || fail "the work directory is left behind"

# TAP: a point per guest, in manifest order.
tap=$(cat "$out/tap.txt")
[ "$(sed -n 2p <<<"$tap")" = "1..10" ] || fail "TAP: no plan 1..10"
[ "$(grep -c '^not ok ' <<<"$tap")" -eq 2 ] || fail "TAP: expected 2 failures"
[ "$(grep -c '^ok [0-9]* - [a-z_]* # SKIP ' <<<"$tap")" -eq 2 ] || fail "TAP: expected 2 skips"
grep -q '^not ok 7 - broken$' <<<"$tap" || fail "TAP: broken is not point 7"
grep -q "^  logs: '$out/failed/broken'$" <<<"$tap" || fail "TAP: no logs for broken"
echo "suite_run: ok"
