#!/usr/bin/env bash
# gdb_realmode.sh BT86 ROM: gdb's pc in real mode is the linear CS.base +
# IP. bt86 boots the test ROM with --bios, stopped (-S); gdb -batch (i8086)
# finds the reset vector at 0xFFFFFFF0 (CS base 0xFFFF0000, IP 0xFFF0),
# steps the far jump there (read from the ROM file: gdb reads guest RAM
# only, not the ROM) to 0xF0000 + the jump's offset with CS =
# 0xF000, steps once more, sets the pc back to the jump's target (the guest's
# IP is set from the linear address), puts a breakpoint on the linear
# address it had stepped to and continues to it, detaches; the ROM then
# finishes by itself and must PASS. Skipped (77) without gdb.
set -u
bt86=$1 rom=$2
test=gdb_realmode
. "$(dirname "$0")/gdb_common.sh"

# The reset vector's far jump: EA ip16 cs16, in the ROM's last 16 bytes.
read -r op lo hi clo chi <<<"$(tail -c 16 "$rom" | od -An -tu1 -N5)"
[ "$op" = 234 ] || fail "the ROM's reset vector is not a far jump (opcode $op)"
target=$(( ((chi << 8 | clo) << 4) + (hi << 8 | lo) ))

start_bt86 --bios "$rom"

cat >"$dir/script" <<GDB
set pagination off
set confirm off
set architecture i8086
target remote 127.0.0.1:$port
echo @reset:\n
print/x \$pc
print/x \$cs
stepi
echo @after-jump:\n
print/x \$pc
print/x \$cs
print/x \$pc == $target
stepi
set \$next = \$pc
set \$pc = $target
echo @moved-back:\n
print/x \$pc == $target
break *\$next
continue
echo @at-break:\n
print/x \$pc == \$next
print/x \$pc != $target
delete
detach
GDB
timeout 60 gdb -batch -nx -x "$dir/script" >"$dir/gdb" 2>&1 || fail "gdb failed"
wait "$pid"
status=$?
pid=

section() { sed -n "/^@$1:/,/^@/p" "$dir/gdb"; }
section reset | grep -q '= 0xfffffff0' || fail "pc at the reset vector is not 0xfffffff0"
section reset | grep -q '= 0xf000' || fail "cs at the reset vector is not 0xf000"
section after-jump | grep -q "= $(printf '0x%x' "$target")\$" || fail "pc after the far jump is not $(printf '0x%x' "$target")"
section after-jump | grep -q '= 0x1$' || fail "pc is not the jump's target"
section moved-back | grep -q '= 0x1$' || fail "setting the pc did not move the guest back"
[ "$(section at-break | grep -c '= 0x1$')" = 2 ] || fail "the breakpoint on a linear address was not reached"
[ "$status" -eq 1 ] || fail "the ROM did not finish with status 1 after detach (status $status)"
grep -qx PASS "$dir/out" || fail "the ROM did not PASS after detach"
echo "gdb_realmode: ok"
