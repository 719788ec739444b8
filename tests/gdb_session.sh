#!/usr/bin/env bash
# gdb_session.sh BT86 KERNEL: Debian's gdb debugs guests/gdb_target on
# bt86's gdb stub. bt86 starts the kernel stopped (-S) on a free port; gdb
# -batch connects, stops at a breakpoint on a function, checks registers
# and variables, steps three instructions, steps into the kernel's own int3
# handler, watches a variable and continues to the write, detaches; the
# kernel then finishes by itself and must PASS (its code was never patched,
# its own int3 reached its own handler). Skipped (77) without gdb.
set -u
bt86=$1 kernel=$2
test=gdb_session
. "$(dirname "$0")/gdb_common.sh"

start_bt86 --kernel "$kernel"

cat >"$dir/script" <<GDB
set pagination off
set confirm off
target remote 127.0.0.1:$port
echo @stopped-at:\n
print \$pc
break gdb_target_function
continue
echo @at-breakpoint:\n
print \$pc > gdb_target_function && \$pc < gdb_target_function + 16
print/x \$pc
print x
print calls
print/x \$cs
print \$esp > 0x1000
echo @steps:\n
stepi
print/x \$pc
stepi
print/x \$pc
stepi
print/x \$pc
delete
break *raise_int3
continue
stepi
stepi
echo @at-int3:\n
print \$pc == at_int3
stepi
echo @stepped-int3:\n
print \$pc == int3_entry
delete
watch watched
continue
echo @after-watch:\n
delete
detach
GDB
timeout 60 gdb -batch -nx -x "$dir/script" "$kernel" >"$dir/gdb" 2>&1 || fail "gdb failed (status $?)"
wait "$pid"
status=$?
pid=
cat "$dir/gdb"

# What gdb saw, section by section.
section() { sed -n "/^@$1:/,/^@/p" "$dir/gdb"; }
section stopped-at | grep -q '<_start>' || fail "gdb did not find the kernel stopped at _start"
grep -q 'Breakpoint 1, gdb_target_function (x=14)' "$dir/gdb" || fail "no stop at the breakpoint with x=14"
at_bp=$(section at-breakpoint)
[ "$(grep -c '^\$[0-9]* = ' <<<"$at_bp")" -eq 6 ] || fail "missing values at the breakpoint"
grep -q '^\$[0-9]* = 1$' <<<"$at_bp" || fail "EIP is not in gdb_target_function at its breakpoint"
grep -q '^\$[0-9]* = 14$' <<<"$at_bp" || fail "the argument x is not 14"
grep -q '^\$[0-9]* = 0$' <<<"$at_bp" || fail "the variable calls is not 0 before the first call"
grep -q '^\$[0-9]* = 0x8$' <<<"$at_bp" || fail "CS is not 0x8"
pcs=$(section steps | grep -o '^\$[0-9]* = 0x[0-9a-f]*' | grep -o '0x[0-9a-f]*$')
[ "$(wc -l <<<"$pcs")" -eq 3 ] || fail "three steps did not print three addresses"
prev=$(grep -o '^\$[0-9]* = 0x[0-9a-f]*$' <<<"$at_bp" | grep -v '= 0x8$' | grep -o '0x[0-9a-f]*$')
for pc in $pcs; do
  [ $((pc)) -gt $((prev)) ] && [ $((pc - prev)) -le 15 ] || fail "step from $prev to $pc is not one instruction"
  prev=$pc
done
grep -q 'Hardware watchpoint [0-9]*: watched' "$dir/gdb" || fail "the watchpoint is not a hardware one"
grep -A3 'Old value = 0' "$dir/gdb" | grep -q 'New value = 42' || fail "no stop at the write of 42"
# (No breakpoint on the int3 itself: gdb takes an int3 in memory under its
# breakpoint for its own and steps over it without running it.)
section at-int3 | grep -q '^\$[0-9]* = 1$' || fail "two steps from raise_int3 did not reach its int3"
section stepped-int3 | grep -q '^\$[0-9]* = 1$' || fail "stepping int3 did not land at the kernel's own handler"
grep -q 'SIGTRAP\|signal' "$dir/gdb" && fail "gdb saw a signal: the guest's int3 reached gdb"
grep -q 'Detaching\|detached' "$dir/gdb" || fail "gdb did not detach"

cat "$dir/out"
[ "$status" -eq 1 ] || fail "bt86 ended with status $status, expected 1 (the kernel's PASS)"
grep -q '^PASS' "$dir/out" || fail "the kernel did not PASS"
echo "gdb_session: ok"
