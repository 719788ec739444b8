#!/usr/bin/env bash
# suite_kvm.sh BT86 MANIFEST OUT: --backend bt,kvm runs each guest on both
# backends and compares their verdicts; a KVM run is skipped, with the
# probe's reason, exactly where `bt86 kvm-probe --needs` says this host's
# KVM cannot run the guest (on nested KVMs most of them: no paging, no
# iretd). The needs below are the manifest's (tests/suite/kernels.toml.in).
set -u
bt86=$1 manifest=$2 out=$3
fail() { echo "suite_kvm: FAIL: $*" >&2; exit 1; }
declare -A needs=([hello]=protected-32 [smc]=protected-32 [paging_tlb]=protected-32,paging-32,iretd,cpuid
                  [broken]=protected-32,iretd [hello_on_kvm]=protected-32)

rm -rf "$out"
"$bt86" suite -j2 --backend bt,kvm --filter '^(hello|smc|paging_tlb|broken|hello_on_kvm)$' --out "$out" "$manifest" \
  >"$out.txt" 2>&1
status=$?
cat "$out.txt"
[ "$status" -eq 1 ] || fail "exit status $status, expected 1 (broken fails on bt)"
grep -q '^bt86 suite: 5 guests on bt,kvm' "$out.txt" || fail "no header naming both backends"
line() { grep -E "^\[[0-9]/5\] [A-Z]+ $1( |:)" "$out.txt"; }
for name in "${!needs[@]}"; do
  l=$(line "$name") || fail "no line for $name"
  why=$("$bt86" kvm-probe --needs "${needs[$name]}" | sed -n 's/^SKIPPED: //p')
  if [ -n "$why" ]; then
    if [ "$name" = broken ]; then
      grep -qF "kvm: skipped: $why" "$out/failed/broken/verdict" || fail "broken: the verdict file lacks KVM's skip"
    else
      grep -qF -e "kvm skipped: $why" -e "kvm: $why" <<<"$l" || fail "$name: KVM cannot run it here ($why), but the line says: $l"
    fi
  else
    grep -Eq "kvm [0-9.]+ s|kvm skipped: failed \(|kvm failed: " <<<"$l" ||
      [ "$name" = broken ] || fail "$name: KVM can run it here, but the line says: $l"
  fi
done
grep -Eq "PASS hello_on_kvm \(bt skipped: runs only on kvm" <<<"$(line hello_on_kvm)" ||
  [ -n "$("$bt86" kvm-probe --needs protected-32 | sed -n 's/^SKIPPED: //p')" ] || fail "hello_on_kvm: not run on kvm alone"
grep -Eq "FAIL broken: bt failed: .*triple fault" <<<"$(line broken)" || fail "broken: not failed on bt"
grep -Eq '^[0-9]+ passed, 1 failed, [0-9]+ skipped$' <<<"$(tail -1 "$out.txt")" || fail "wrong summary"
echo "suite_kvm: ok"
