#!/bin/sh
# realmode_bench.sh BUILD: the same 16-bit workloads run in real mode on bt86
# (a ROM booted with --bios, --clock wall) and natively in an LDT code
# segment; prints each phase's cycles on both and bt86's slowdown (bt86
# cycles / native cycles). The checks must agree.
set -eu
build=${1:-build}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/perf/realmode_bench-native" >"$dir/native"
"$build/bt86" run --bios "$build/perf/realmode_bench.bin" --clock wall --timeout 120 >"$dir/bt86" 2>/dev/null || true
python3 - "$dir/native" "$dir/bt86" <<'PY'
import re, sys
def phases(path):
    out = {}
    for line in open(path, errors="replace"):
        m = re.match(r"phase (\w+) cycles=0x([0-9a-f]+) check=0x([0-9a-f]+)", line.strip())
        if m:
            out[m[1]] = (int(m[2], 16), m[3])
    return out
native, bt = phases(sys.argv[1]), phases(sys.argv[2])
if not native or set(native) != set(bt):
    sys.exit(f"realmode_bench: phases differ: native {sorted(native)}, bt86 {sorted(bt)}")
print(f"{'phase':8} {'native cycles':>15} {'bt86 cycles':>15} {'bt86/native':>12}")
for name, (cycles, check) in native.items():
    if bt[name][1] != check:
        sys.exit(f"realmode_bench: {name}: check {bt[name][1]} on bt86, {check} natively")
    print(f"{name:8} {cycles:15d} {bt[name][0]:15d} {bt[name][0] / cycles:12.2f}")
PY
