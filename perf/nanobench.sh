#!/usr/bin/env bash
# nanobench: run the nanobenchmark guest on bt86, on bt86's KVM backend and on
# QEMU TCG (where available) and print cycles per event side by side. See
# perf/README.md.
#
# usage: perf/nanobench.sh BUILD_DIR
# env:   BACKENDS="bt86 kvm qemu"  which backends to try, in this order
#        ROUNDS=1                  runs per backend (the minimum is kept)
#        SKIP=                     items or groups to skip everywhere, e.g.
#                                  "paging" or "int80,iret" (the guest's skip=)
#        BT86=BUILD_DIR/bt86       the bt86 binary
#        TIMEOUT=600               seconds per guest run
# exit:  0 ok; 1 an item failed on bt86, or a loop returned a wrong value on
#        any backend; 2 usage error, or no backend could run. A backend that
#        cannot run at all, or an item that crashes kvm or qemu, is reported
#        and does not change it.
#
# A run that ends early (the guest faults, the backend stops on an
# instruction it cannot run, a timeout) has still printed the items it
# measured; the item it was measuring is marked failed with the reason, and
# the guest is run again skipping it and everything already measured.
set -u

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
BUILD=$(cd "$1" && pwd)
BACKENDS=${BACKENDS:-"bt86 kvm qemu"}
ROUNDS=${ROUNDS:-1}
SKIP=${SKIP:-}
BT86=${BT86:-$BUILD/bt86}
TIMEOUT=${TIMEOUT:-600}
KERNEL=$BUILD/perf/nanobench.elf

if [ ! -f "$KERNEL" ]; then
    echo "nanobench: $KERNEL missing; build the project first" >&2
    exit 2
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The command for one run of a backend with a guest command line, one word
# per line (paths with spaces survive).
backend_cmd() {
    local b=$1 append=$2
    case $b in
    bt86 | kvm)
        printf '%s\n' timeout $((TIMEOUT + 30)) "$BT86" run --kernel "$KERNEL" --timeout "$TIMEOUT"
        [ "$b" = kvm ] && printf '%s\n' --backend kvm
        [ -n "$append" ] && printf '%s\n' --append "$append"
        ;;
    qemu)
        printf '%s\n' timeout "$TIMEOUT" qemu-system-i386 -cpu max -m 256 -kernel "$KERNEL" \
            -device isa-debug-exit,iobase=0xf4,iosize=4 \
            -serial stdio -display none -no-reboot
        [ -n "$append" ] && printf '%s\n' -append "$append"
        ;;
    esac
    return 0
}

# Why a backend cannot run at all, or nothing.
unavailable() {
    case $1 in
    bt86 | kvm) [ -x "$BT86" ] || echo "$BT86 not found" ;;
    qemu) command -v qemu-system-i386 >/dev/null || echo "qemu-system-i386 not installed" ;;
    *) echo "unknown backend" ;;
    esac
}

# Joins its arguments with commas, dropping empty ones.
commas() {
    local IFS=,
    local words=()
    for w in "$@"; do [ -n "$w" ] && words+=("$w"); done
    echo "${words[*]}"
}

# One round of backend $1: runs the guest until it ends with PASS or no item
# is left to try; appends "item cycles iterations" or "item FAIL reason"
# lines to $TMP/<backend>.results.
run_round() {
    local b=$1 r=$2 skip=$SKIP attempt=0
    local results=$TMP/$b.results
    while :; do
        attempt=$((attempt + 1))
        local out=$TMP/$b.$r.$attempt
        mapfile -t cmd < <(backend_cmd "$b" "${skip:+skip=$skip}")
        "${cmd[@]}" </dev/null >"$out" 2>"$out.err"
        local status=$?
        tr -d '\r' <"$out" >"$out.tmp" && mv "$out.tmp" "$out"

        awk '$1 == "nano" && $3 ~ /^cycles=/ {
                 sub("cycles=", "", $3); sub("iterations=", "", $4); print $2, $3, $4 }
             $1 == "nano" && $3 == "FAIL:" {
                 name = $2; $1 = $2 = $3 = ""; sub(/^ +/, ""); print name, "FAIL", "wrong result:", $0 }
            ' "$out" >>"$results"
        if [ "$status" -eq 1 ] && grep -q '^PASS' "$out"; then
            return 0
        fi

        # The run ended early: blame the first item with no line of its own.
        local items reported culprit="" why
        items=$(sed -n 's/^nanobench: items //p' "$out" | tr ',' ' ')
        reported=$(awk '$1 == "nano" { print $2 }' "$out")
        for it in $items; do
            if ! grep -qx "$it" <<<"$reported"; then
                culprit=$it
                break
            fi
        done
        why="exit status $status"
        [ "$status" -eq 124 ] && why="timed out after ${TIMEOUT}s"
        local detail
        detail=$( (grep -m1 '^FAIL' "$out"; grep -m1 '^bt86:' "$out.err"; grep -m1 '^qemu' "$out.err") |
            head -n 1)
        [ -z "$detail" ] && detail=$(cat "$out.err" "$out" | grep -v '^\s*$' | tail -n 1)
        [ -n "$detail" ] && why="$why: $detail"
        if [ -z "$culprit" ]; then
            # Nothing to blame: it did not start, or failed after the items.
            echo "$b: run failed ($why)" >&2
            [ -z "$items" ] && echo "- UNAVAILABLE $why" >>"$results"
            return 1
        fi
        # Died in the set-up of a group: all of its items fail with it.
        local setup
        setup=$(grep -E '^nano(bench:)? ' "$out" | tail -n 1 | sed -n 's/^nanobench: set-up \([a-z0-9_]*\) for //p')
        if [ -n "$setup" ]; then
            local group
            group=$(grep -E '^nano(bench:)? ' "$out" | tail -n 1 | awk '{ print $3 }')
            if [[ ",$skip," == *",$group,"* ]]; then # the guest did not see skip=
                echo "$b: $group set-up failed again although skipped ($why)" >&2
                return 1
            fi
            echo "$b: $group set-up failed ($why); running again without it" >&2
            for it in ${setup//,/ }; do echo "$it FAIL $group set-up: $why" >>"$results"; done
            skip=$(commas "$skip" $(echo "$reported" | tr '\n' ' ') "$group")
            continue
        fi
        if [[ ",$skip," == *",$culprit,"* ]]; then # the guest did not see skip=
            echo "$b: $culprit failed again although skipped ($why)" >&2
            echo "$culprit FAIL $why" >>"$results"
            return 1
        fi
        echo "$b: $culprit failed ($why); running again without it" >&2
        echo "$culprit FAIL $why" >>"$results"
        skip=$(commas "$skip" $(echo "$reported" | tr '\n' ' ') "$culprit")
    done
}

declare -A reason
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

for ((r = 1; r <= ROUNDS; r++)); do
    for b in "${active[@]}"; do
        [ -n "${reason[$b]:-}" ] && continue
        t0=$(date +%s%N)
        run_round "$b" "$r"
        t1=$(date +%s%N)
        why=$(awk '$1 == "-" && $2 == "UNAVAILABLE" { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' \
            "$TMP/$b.results")
        if [ -n "$why" ]; then
            reason[$b]=$why
            continue
        fi
        echo "round $r/$ROUNDS: $b $(((t1 - t0) / 1000000)) ms" >&2
    done
done

ran=()
for b in "${active[@]}"; do
    [ -z "${reason[$b]:-}" ] && ran+=("$b")
done
if [ ${#ran[@]} -eq 0 ]; then
    echo "nanobench: no backend could run the guest" >&2
    exit 2
fi

# Per backend, per item: the minimum cycles over the rounds, or "fail" (an
# item that failed in any round is not trusted).
for b in "${ran[@]}"; do
    awk '$1 != "-" {
             if (!($1 in v)) { order[++n] = $1; v[$1] = $2 == "FAIL" ? "fail" : $2 }
             else if ($2 == "FAIL") v[$1] = "fail"
             else if (v[$1] != "fail" && $2 + 0 < v[$1] + 0) v[$1] = $2
         }
         END { for (i = 1; i <= n; i++) print order[i], v[order[i]] }' \
        "$TMP/$b.results" >"$TMP/$b.min"
done

# Item order: as the guest printed it (the first run that printed the list).
order=$(cat "$TMP"/*.[0-9]*.[0-9]* 2>/dev/null | sed -n 's/^nanobench: items //p' | head -n 1 | tr ',' ' ')

value() { awk -v n="$2" '$1 == n { print $2 }' "$TMP/$1.min" 2>/dev/null; }

{
    printf '%-16s' item
    for b in "${ran[@]}"; do printf ' %12s' "$b"; done
    printf '\n'
    for it in $order cr3_switch; do
        printf '%-16s' "$it"
        for b in "${ran[@]}"; do
            if [ "$it" = cr3_switch ]; then
                # What the switch adds to 64 touches: ctxsw64 - touch64.
                v=$(awk -v a="$(value "$b" ctxsw64)" -v t="$(value "$b" touch64)" \
                    'BEGIN { if (a ~ /^[0-9.]+$/ && t ~ /^[0-9.]+$/) printf "%.1f", a - t }')
            else
                v=$(value "$b" "$it")
            fi
            printf ' %12s' "${v:--}"
        done
        printf '\n'
    done
}

echo
echo "cycles per event (TSC ticks), empty loop subtracted; minimum of $ROUNDS round(s)"
echo "cr3_switch = ctxsw64 - touch64; '-' = skipped or not run"
[ -n "$SKIP" ] && echo "skipped everywhere: $SKIP"

# "eip 0010183f" or "EIP=0x0010183f" in a message: which function of the
# kernel that is (from its symbol table), as " [pg_enable+0xf]".
symbolize() {
    local eip
    eip=$(grep -oiE 'eip[ =](0x)?[0-9a-f]{8}' <<<"$1" | head -n 1 | grep -oiE '[0-9a-f]{8}$')
    [ -z "$eip" ] || ! command -v nm >/dev/null && return 0
    eip=$(tr 'A-F' 'a-f' <<<"$eip")
    local sym
    # nm prints 8 lower-case hex digits: string order is numeric order.
    read -r sym addr < <(nm -n "$KERNEL" 2>/dev/null |
        awk -v want="$eip" '$2 ~ /^[tT]$/ && ($1 "") <= (want "") { best = $3; at = $1 }
                            END { if (best != "") print best, at }')
    [ -n "$sym" ] && printf ' [%s+0x%x]' "$sym" $((16#$eip - 16#$addr))
    return 0
}

status=0
for b in "${ran[@]}"; do
    for it in $order; do
        why=$(awk -v n="$it" '$1 == n && $2 == "FAIL" { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' \
            "$TMP/$b.results")
        [ -z "$why" ] && continue
        echo "$b: $it failed: $why$(symbolize "$why")"
        if [ "$b" = bt86 ] || [[ $why == "wrong result:"* ]]; then status=1; fi
    done
done
for b in $BACKENDS; do
    [ -n "${reason[$b]:-}" ] && echo "$b: skipped (${reason[$b]})"
done
exit $status
