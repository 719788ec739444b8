#!/bin/sh
# The long run of the differential fuzzer: random instruction sequences on
# bt86 against the native CPU until N instructions have run (default ten
# million), printing every difference as a minimal reproducer, then the
# counts (cases, instructions, differences, how cases ended).
#
#   tests/fuzz_long.sh [BUILD_DIR] [INSTRUCTIONS] [SEED] [--kvm] [extra bt86_fuzz args, e.g. --no-fpu]
#
# --kvm: then the same number of instructions on KVM against native (where
# this host's KVM runs unpaged protected mode; said and skipped otherwise).
# Then as many again of 16-bit code (--mode 16: 16-bit protected mode with
# 16- and 32-bit stacks, and real mode) on bt86.
#
# Exit status: 0 without differences, 1 with, 2 on a usage or build problem.
set -u
build=${1:-build}
instructions=${2:-10000000}
seed=${3:-$(date +%s)}
[ $# -gt 3 ] && shift 3 || set --
side=bt86
if [ "${1:-}" = --kvm ]; then
    side=both
    shift
fi

fuzz=$build/bt86_fuzz
native=$build/bt86_fuzz_native
if [ ! -x "$fuzz" ] || [ ! -x "$native" ]; then
    echo "fuzz_long: build first: cmake --build $build -j2 --target bt86_fuzz" >&2
    exit 2
fi
echo "fuzz_long: seed $seed, $instructions instructions, side $side"
"$fuzz" --native "$native" --side "$side" --seed "$seed" --instructions "$instructions" --max-differences 50 "$@"
status=$?
"$fuzz" --native "$native" --mode 16 --seed "$seed" --instructions "$instructions" --max-differences 50 --no-fpu
status16=$?
[ "$status" -ge "$status16" ] && exit "$status"
exit "$status16"
