#!/usr/bin/env bash
# suite_kut.sh BT86 KUT-BUILD OUT: kvm-unit-tests through `bt86 suite --kut`
# (unittests.cfg read directly): tests that pass on bt86 pass, and tests
# bt86 cannot run are skipped, each saying why. Skipped (77) where no
# kvm-unit-tests build exists (the kut fixture builds it from its tarball).
set -u
bt86=$1 kut=$2 out=$3
fail() { echo "suite_kut: FAIL: $*" >&2; exit 1; }
[ -f "$kut/x86/unittests.cfg" ] ||
  { echo "SKIPPED: no kvm-unit-tests build in $kut (the kut fixture, ctest -L kut, builds it)"; exit 77; }

pass='cmpxchg8b|setjmp|taskswitch|umip|la57|emulator|eventinj|msr|vmexit_mov_to_cr8'
skip='smptest|pmu|realmode|vmexit_vmcall'
rm -rf "$out"
"$bt86" suite -j2 --kut "$kut" --filter "^($pass|$skip)\$" --out "$out" --junit "$out.xml" >"$out.txt" 2>&1
status=$?
cat "$out.txt"
[ "$status" -eq 0 ] || fail "exit status $status, expected 0"
for name in ${pass//|/ }; do
  grep -Eq "^\[ ?[0-9]+/13\] PASS $name " "$out.txt" || fail "$name did not pass"
done
grep -Eq "SKIP smptest: needs 2 CPUs; bt86 runs one$" "$out.txt" || fail "smptest: not skipped for its CPUs"
grep -Eq "SKIP pmu: needs hardware event counting" "$out.txt" || fail "pmu: not skipped on bt"
grep -Eq "SKIP realmode: its sti-inhibit check halts in real mode" "$out.txt" || fail "realmode: not skipped on bt"
grep -Eq "SKIP vmexit_vmcall: needs a hypervisor's hypercall" "$out.txt" || fail "vmexit_vmcall: not skipped on bt"
[ "$(tail -1 "$out.txt")" = "9 passed, 0 failed, 4 skipped" ] || fail "wrong summary"
grep -q '<testsuite name="kvm-unit-tests"' "$out.xml" || fail "JUnit: no kvm-unit-tests suite"
echo "suite_kut: ok"
