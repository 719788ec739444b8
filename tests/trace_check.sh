#!/usr/bin/env bash
# trace_check.sh BT86 KERNEL [BACKEND]: runs guests/triple_fault with
# --trace all and checks (1) the death report: status 2, a triple fault,
# and before the state dump the last interrupts in order (int 0x30 three
# times, #DE, #DF); (2) the trace: each event kind with its fields, guest
# times that never step back, and the trace's int lines agreeing with the
# report. BACKEND kvm checks only what KVM reports (its exits and port I/O,
# the interrupts it is given) and skips where KVM cannot run the kernel.
set -u
bt86=$1 kernel=$2 backend=${3:-bt}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "trace_check: $*" >&2; exit 1; }

"$bt86" run --kernel "$kernel" --backend "$backend" --timeout 30 --trace all --trace-file "$dir/trace" \
  >"$dir/out" 2>"$dir/err"
status=$?
cat "$dir/out" "$dir/err"
if [ "$backend" = kvm ] && grep -q "cannot run here\|KVM cannot\|KVM refuses" "$dir/err"; then
  echo "SKIPPED: KVM cannot run this kernel here"; exit 77
fi
[ "$status" -eq 2 ] || fail "exit status $status, expected 2 (the guest dies)"

if [ "$backend" = bt ]; then
  grep -q "triple fault" "$dir/err" || fail "no triple fault reported"
  # The ring, between the reason and the state dump, oldest first.
  report=$(sed -n '/the last .* interrupts and exceptions/,/^guest state:/p' "$dir/err")
  [ -n "$report" ] || fail "no 'last interrupts' section before the state dump"
  vectors=$(grep -o 'vector=0x[0-9a-f]*' <<<"$report" | tr '\n' ' ')
  [ "$vectors" = "vector=0x30 vector=0x30 vector=0x30 vector=0x00 vector=0x08 " ] ||
    fail "the last interrupts are '$vectors', expected int 0x30 three times, #DE, #DF"
  grep -q "#DF exception error=0x0" <<<"$report" || fail "#DF without its error code"
fi

# Every line: time, eip=, cpl=, the event.
bad=$(grep -Ev '^[0-9]+\.[0-9]{9} eip=0x[0-9a-f]{8} cpl=[0-3] (int|io|cr|mode|exit|translate) ' "$dir/trace" | head -3)
[ -z "$bad" ] || fail "malformed trace lines: $bad"
awk '{ split($1, t, "."); ns = t[1] * 1000000000 + t[2]; if (ns < last) { print "time steps back at line " NR; exit 1 } last = ns }' \
  "$dir/trace" || fail "guest time steps back in the trace"
need() { grep -Eq "$1" "$dir/trace" || fail "no trace line matches /$1/"; }
need ' io port write 0x3f8 size=1 value=0x[0-9a-f]{2}$'
need ' exit [a-z_]+'
if [ "$backend" = bt ]; then
  need ' int vector=0x30 INT software$'
  need ' int vector=0x00 #DE exception$'
  need ' int vector=0x08 #DF exception error=0x0$'
  need ' cr cr4=0x00000010 old=0x00000000$'
  need ' cr cr0=0x8[0-9a-f]{7} old=0x0[0-9a-f]{7}$'
  need ' mode protected paging=32-bit \(was protected paging=off\)$'
  need ' translate 0x[0-9a-f]{8}-0x[0-9a-f]{8} phys=0x[0-9a-f]+ instructions=[0-9]+$'
  # The ring and the trace saw the same last interrupts.
  [ "$(grep ' int ' "$dir/trace" | tail -5 | grep -o 'vector=0x[0-9a-f]*' | tr '\n' ' ')" = "$vectors" ] ||
    fail "the trace's interrupts differ from the report's"
fi
echo "trace_check: ok ($(wc -l <"$dir/trace") trace lines)"
