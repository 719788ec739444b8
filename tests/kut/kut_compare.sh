#!/usr/bin/env bash
# kut_compare.sh BUILD_DIR: one table of kvm-unit-tests' i386 default group,
# each test's result on bt86 (tests/kut/kut_run.sh) beside QEMU's software
# emulator (TCG) running the same build through the suite's own
# run_tests.sh, when qemu-system-i386 is installed. Needs the kut.build
# fixture to have run (ctest -L kut, or kut_build.sh).
set -u
build=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=$build/kut
[ -f "$dir/built-from" ] || { echo "kut_compare: no kvm-unit-tests build in $dir (run ctest -L kut first)" >&2; exit 2; }
names=$(awk -v names=1 -f "$here/kut_tests.awk" "$dir/src/x86/unittests.cfg")

declare -A qemu
if command -v qemu-system-i386 >/dev/null; then
  echo "kut_compare: running the suite on QEMU TCG ..." >&2
  while read -r verdict name rest; do
    qemu[$name]="$verdict${rest:+ $rest}"
  done < <(cd "$dir/src" && ACCEL=tcg ./run_tests.sh 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g')
fi

printf '| test | bt86 | QEMU TCG |\n|---|---|---|\n'
for name in $names; do
  out=$(bash "$here/kut_run.sh" "$build/bt86" "$dir" "$name" 2>&1)
  case $? in
    0) bt="PASS $(sed -n 's/^kut_run: [^:]*: PASS *//p' <<<"$out")" ;;
    77) bt="SKIP ($(sed -n 's/^SKIPPED: [^:]*: //p' <<<"$out"))" ;;
    *) bt="FAIL $(sed -n 's/^kut_run: [^:]*: FAIL *//p' <<<"$out")" ;;
  esac
  bt=${bt% }
  printf '| %s | %s | %s |\n' "$name" "$bt" "${qemu[$name]:-not run}"
done
