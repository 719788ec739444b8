#!/usr/bin/env bash
# cpu_bench: run the integer workload natively, as a bt86 guest and (where
# available) on bt86's KVM backend and QEMU TCG; print per-phase speed as a
# percentage of native. See perf/README.md.
#
# usage: perf/cpu_bench.sh BUILD_DIR
# env:   ROUNDS=3                       runs per backend (minimum is kept)
#        BACKENDS="native bt86 kvm qemu" which backends to try, in order
#        BT86=BUILD_DIR/bt86            the bt86 binary
#        TIMEOUT=600                    seconds per guest run
# exit:  0 ok; 1 checksums disagree or a self-check failed; 2 usage error or
#        the native run failed. A backend that cannot run is skipped with
#        the reason printed, and does not change the exit status.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
ROUNDS=${ROUNDS:-3}
BACKENDS=${BACKENDS:-"native bt86 kvm qemu"}
BT86=${BT86:-$BUILD/bt86}
TIMEOUT=${TIMEOUT:-600}
NATIVE=$BUILD/perf/cpu_bench-native
KERNEL=$BUILD/perf/cpu_bench.elf

for f in "$NATIVE" "$KERNEL"; do
    if [ ! -f "$f" ]; then
        echo "cpu_bench: $f missing; build the project first" >&2
        exit 2
    fi
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Prints the command for a backend, one word per line (so that paths with
# spaces survive), and the exit status a successful run ends with.
backend_cmd() {
    case $1 in
    native) printf '%s\n' "$NATIVE" ;;
    bt86) printf '%s\n' timeout $((TIMEOUT + 30)) "$BT86" run --kernel "$KERNEL" --timeout "$TIMEOUT" ;;
    kvm) printf '%s\n' timeout $((TIMEOUT + 30)) "$BT86" run --backend kvm --kernel "$KERNEL" --timeout "$TIMEOUT" ;;
    qemu) printf '%s\n' timeout "$TIMEOUT" qemu-system-i386 -kernel "$KERNEL" \
              -device isa-debug-exit,iobase=0xf4,iosize=4 \
              -serial stdio -display none -no-reboot -m 256 ;;
    esac
}
expected_status() { [ "$1" = native ] && echo 0 || echo 1; }  # guests: (0<<1)|1

# Why a backend cannot run at all, or nothing.
unavailable() {
    case $1 in
    native | bt86 | kvm | qemu) ;;
    *) echo "unknown backend"; return ;;
    esac
    case $1 in
    bt86 | kvm) [ -x "$BT86" ] || echo "$BT86 not found" ;;
    qemu) command -v qemu-system-i386 >/dev/null || echo "qemu-system-i386 not installed" ;;
    esac
}

declare -A reason   # backend -> why it was skipped
failed=0            # a correctness failure: exit 1
active=()
for b in $BACKENDS; do
    why=$(unavailable "$b")
    if [ -n "$why" ]; then
        reason[$b]=$why
        echo "$b: skipped ($why)" >&2
    else
        active+=("$b")
    fi
done

# Alternate backends within each round so that slow drifts of the machine
# (thermal, neighbours) hit all of them alike.
for ((r = 1; r <= ROUNDS; r++)); do
    for b in "${active[@]}"; do
        [ -n "${reason[$b]:-}" ] && continue
        mapfile -t cmd < <(backend_cmd "$b")
        out=$TMP/$b.$r
        t0=$(date +%s%N)
        "${cmd[@]}" </dev/null >"$out" 2>"$out.err"
        status=$?
        t1=$(date +%s%N)
        tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"
        if grep -q '^cpu_bench: FAIL' "$out"; then
            echo "$b: self-check FAILED:" >&2
            grep '^FAIL' "$out" >&2
            failed=1
        fi
        want=$(expected_status "$b")
        if [ "$status" -ne "$want" ] || ! grep -q '^total cycles=' "$out"; then
            why="exit status $status, expected $want"
            [ "$status" -eq 124 ] && why="timed out after ${TIMEOUT}s"
            last=$(cat "$out.err" "$out" | grep -v '^\s*$' | tail -n 1)
            [ -n "$last" ] && why="$why; last output: $last"
            reason[$b]=$why
            echo "$b: skipped ($why)" >&2
            continue
        fi
        echo "wall $(((t1 - t0) / 1000000))" >>"$out"
        echo "round $r/$ROUNDS: $b $(((t1 - t0) / 1000000)) ms" >&2
    done
done

ran=()
for b in "${active[@]}"; do
    [ -z "${reason[$b]:-}" ] && ran+=("$b")
done
if [ -n "${reason[native]:-}" ] || [[ " ${ran[*]} " != *" native "* ]]; then
    echo "cpu_bench: no native run, nothing to compare against" >&2
    exit 2
fi

# Per backend: "name min_cycles check" for each phase and the total, and
# "wall min_ms -". A check that differs between rounds is reported as "DIFF".
for b in "${ran[@]}"; do
    cat "$TMP/$b".[0-9]* | awk '
        /^phase / {
            name = $2; sub("cycles=", "", $3); sub("check=", "", $4)
            add(name, $3, $4)
        }
        /^total / { sub("cycles=", "", $2); sub("check=", "", $3); add("total", $2, $3) }
        /^wall / { add("wall", $2, "-") }
        function add(n, c, k) {
            if (!(n in min)) { order[++count] = n; min[n] = c; chk[n] = k }
            if (c + 0 < min[n] + 0) min[n] = c
            if (chk[n] != k) chk[n] = "DIFF"
        }
        END { for (i = 1; i <= count; i++) print order[i], min[order[i]], chk[order[i]] }
    ' >"$TMP/$b.min"
done

# Checksums: every backend against native, phase by phase.
while read -r name _ check; do
    for b in "${ran[@]}"; do
        other=$(awk -v n="$name" '$1 == n { print $3 }' "$TMP/$b.min")
        if [ "$other" != "$check" ] || [ "$check" = DIFF ]; then
            echo "cpu_bench: CHECKSUM MISMATCH in $name: native $check, $b ${other:-missing}" >&2
            failed=1
        fi
    done
done <"$TMP/native.min"

# The table: cycles (minimum over rounds) and speed as % of native.
{
    printf '%-8s %14s' phase native
    for b in "${ran[@]}"; do
        [ "$b" = native ] || printf ' %14s %7s' "$b" "%"
    done
    printf '\n'
    while read -r name cycles _; do
        label=$name
        [ "$name" = wall ] && label="wall(ms)"
        printf '%-8s %14s' "$label" "$cycles"
        for b in "${ran[@]}"; do
            [ "$b" = native ] && continue
            theirs=$(awk -v n="$name" '$1 == n { print $2 }' "$TMP/$b.min")
            pct=$(awk -v a="$cycles" -v b="$theirs" 'BEGIN { if (b > 0) printf "%.1f", a / b * 100; else print "-" }')
            printf ' %14s %7s' "${theirs:--}" "$pct"
        done
        printf '\n'
    done <"$TMP/native.min"
}

echo
echo "cycles: minimum of $ROUNDS round(s), rdtsc; %: native / backend * 100 (higher is better)"
echo "wall(ms): whole run including start-up; a sanity check on the TSC, not the figure of merit"
for b in $BACKENDS; do
    [ -n "${reason[$b]:-}" ] && echo "$b: skipped (${reason[$b]})"
done
if [ "$failed" -ne 0 ]; then
    echo "cpu_bench: FAILED (see messages above)"
    exit 1
fi
echo "cpu_bench: checksums agree across ${ran[*]}"
exit 0
