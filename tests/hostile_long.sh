#!/usr/bin/env bash
# The long run of the hostile suite: N seeds of each kind, then a table.
#
#   tests/hostile_long.sh N [--build DIR] [--jobs J] [--first-seed S]
#                           [--rounds R] [--timeout T] [--kinds "ring0 ring3 ..."]
#
# Each seed is one tests/hostile_run.sh run (ring0 with --host-only: random
# CPL-0 code may wreck its machine; every other kind must PASS). Prints, per
# kind, how many runs ended with each status (0, 1, 2, 3, 124, through the
# exit port), how many crashed (a signal), hung (killed after the timeout),
# ended late, or ended in a guest death (no PASS where one was due), and
# then every distinct failure with a seed that reproduces it:
#   bt86 run --kernel BUILD/guests/hostile.elf --append "kind=K seed=S rounds=R" --timeout T
# Defaults: the build in ./build, 2 jobs, seeds from 1, 10000 rounds per
# run, --timeout 60, kinds ring0 and ring3 (the chaos kinds). Results stay
# in a directory whose name is printed (its results.txt has one line a run).
set -u
here=$(cd "$(dirname "$0")" && pwd)

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

sort -k1,1 -k2,2n "$dir/results.txt" -o "$dir/results.txt"
awk -v rounds="$rounds" -v t="$timeout_s" '
    function field(name,   m) {
        if (match($0, name "=[^ ]*")) return substr($0, RSTART + length(name) + 1, RLENGTH - length(name) - 1)
        return ""
    }
    {
        kind = $1; seed = $2; outcome = field("outcome"); verdict = $4
        runs[kind]++
        base = outcome
        if (match(outcome, /\(.*\)/)) base = substr(outcome, RSTART + 1, RLENGTH - 2)
        count[kind, base]++
        if (outcome ~ /^death/) count[kind, "death"]++
        if (outcome ~ /^wrongstatus/) count[kind, "wrongstatus"]++
        if (verdict == "FAIL") {
            fails[kind]++
            why = $0; sub(/.*why="/, "", why); sub(/"$/, "", why)
            key = outcome ": " why
            gsub(/0x[0-9a-fA-F]+/, "0x_", key)
            gsub(/EIP=[0-9a-fx_]+/, "EIP=_", key)
            if (!(key in seen)) { seen[key] = kind " seed=" seed; order[++keys] = key }
            nkey[key]++
        }
        kinds[kind] = 1
    }
    END {
        cols = "exit0 exit1 exit2 exit3 exit124 exitport crash hang slow badstatus death"
        ncol = split(cols, c, " ")
        printf "%-6s %6s %6s", "kind", "runs", "fail"
        for (i = 1; i <= ncol; i++) printf " %9s", c[i]
        printf "\n"
        for (k in kinds) {
            printf "%-6s %6d %6d", k, runs[k], fails[k]
            for (i = 1; i <= ncol; i++) printf " %9d", count[k, c[i]]
            printf "\n"
        }
        if (keys) print "\nfailures (count, first reproducer; rounds=" rounds ", --timeout " t "):"
        for (i = 1; i <= keys; i++) printf "%5d  %s\n       %s\n", nkey[order[i]], seen[order[i]], order[i]
    }' "$dir/results.txt"
! grep -q ' FAIL ' "$dir/results.txt"
