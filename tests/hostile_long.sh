#!/usr/bin/env bash
# The long run of the hostile suite: N seeds of each kind, then a table.
#
#   tests/hostile_long.sh N [--build DIR] [--jobs J] [--first-seed S]
#                           [--rounds R] [--timeout T] [--kinds "ring0 ring3 ..."]
#   tests/hostile_long.sh --report DIR     (the table of an earlier run)
#
# Each seed is one tests/hostile_run.sh run (ring0 with --host-only: random
# CPL-0 code may wreck its machine; every other kind must PASS). Prints, per
# kind, how many runs ended with each status (0, 1, 2, 3, 124, through the
# exit port), how many crashed (a signal), hung (killed after the timeout),
# ended late, or ended in a guest death (no PASS where one was due), and
# then every distinct failure with the command line of a run that shows it:
#   bt86 run --kernel BUILD/guests/hostile.elf --append "CMDLINE" --timeout T
# Defaults: the build in ./build, 2 jobs, seeds from 1, 10000 rounds per
# run, --timeout 60, kinds ring0 and ring3 (the chaos kinds). Results stay
# in a directory whose name is printed (its results.txt has one line a run).
set -u
here=$(cd "$(dirname "$0")" && pwd)

# The table of results.txt in $1; with a bt86 to run, each chaos failure's
# reproducer runs again with `verbose` to name the round it died in.
report() {
    sort -k1,1 -k2,2n "$1/results.txt" -o "$1/results.txt"
    awk -v reproducers="$1/reproducers.txt" -f "$here/hostile_table.awk" "$1/results.txt"
    if [ -n "${bt86:-}" ] && [ -s "$1/reproducers.txt" ]; then
        echo
        echo "each chaos reproducer again, verbose: the round it died in (replay it alone"
        echo "with round=N) and how (timing may make it differ from the first run):"
        grep -E '^kind=ring[03] ' "$1/reproducers.txt" | while read -r cmdline; do
            timeout -s KILL $((timeout_s + 10)) "$bt86" run --kernel "$kernel" \
                --append "$cmdline verbose" --timeout "$timeout_s" </dev/null >"$1/replay.txt" 2>&1
            round=$(grep -a -o 'round [0-9]*: starts' "$1/replay.txt" | tail -n 1 | cut -d' ' -f2 | tr -d :)
            how=$(grep -a -o -m1 'bt86: .*' "$1/replay.txt" | cut -c7-120)
            echo "  $cmdline: round ${round:-none}: $how"
        done
    fi
    ! grep -q ' FAIL ' "$1/results.txt"
}

if [ "${1:-}" = --report ] && [ $# -eq 2 ]; then
    report "$2"
    exit
fi
if [ $# -lt 1 ]; then
    sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
n=$1
shift
build=$here/../build jobs=2 first=1 rounds=10000 timeout_s=60 kinds="ring0 ring3"
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --first-seed) first=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --kinds) kinds=$2; shift 2 ;;
    *) echo "hostile_long: unknown option $1" >&2; exit 2 ;;
    esac
done
bt86=$build/bt86 kernel=$build/guests/hostile.elf
for f in "$bt86" "$kernel"; do
    [ -e "$f" ] || { echo "hostile_long: $f is missing (build first)" >&2; exit 2; }
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/hostile_long.XXXXXX")
echo "hostile_long: $n seeds x {$kinds}, $rounds rounds each, --timeout $timeout_s, $jobs jobs; results in $dir"

run_one() { # kind seed: appends "kind seed <verdict line>" to results.txt
    local mode=
    [ "$1" = ring0 ] && mode=--host-only
    local line
    line=$("$here/hostile_run.sh" --quiet --timeout "$timeout_s" $mode "$bt86" "$kernel" \
           "kind=$1 seed=$2 rounds=$rounds" | tail -n 1)
    echo "$1 $2 $line" >>"$dir/results.txt"
}
export -f run_one
export here timeout_s bt86 kernel rounds dir
for kind in $kinds; do
    for seed in $(seq "$first" $((first + n - 1))); do
        echo "$kind $seed"
    done
done | xargs -P "$jobs" -n 2 bash -c 'run_one "$@"' _

report "$dir"
