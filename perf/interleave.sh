# Sourced by the perf scripts that compare backends (linux_bench.sh,
# disk_bench.sh). The script defines `unavailable B` (why backend B cannot
# run, or nothing) and `run_backend B ROUND` (one run, its log in
# $TMP/B.log, its figures as "measure value" lines in $TMP/B.ROUND), and
# sets NAME, BACKENDS, ROUNDS and TMP.

# Runs every backend of $BACKENDS that can run ROUNDS times, interleaved
# (round 1 of each, then round 2...): ran=(those), SKIPPED[B]=why not.
# A failed run prints the tail of its log and exits 1.
declare -A SKIPPED
ran=()
run_interleaved() {
    local b round why
    for b in $BACKENDS; do
        why=$(unavailable "$b")
        if [ -n "$why" ]; then
            SKIPPED[$b]=$why
            echo "$NAME: $b skipped: $why" >&2
            continue
        fi
        ran+=("$b")
    done
    for round in $(seq "$ROUNDS"); do
        for b in "${ran[@]}"; do
            echo "$NAME: running $b (round $round of $ROUNDS)" >&2
            if ! run_backend "$b" "$round"; then
                echo "$NAME: $b failed; its output:" >&2
                tr -d '\r' <"$TMP/$b.log" | tail -20 >&2
                exit 1
            fi
        done
    done
    # Each cell: the median of the rounds (the lower middle one for an even count).
    for b in "${ran[@]}"; do
        cat "$TMP/$b".[0-9]* | sort -k1,1 -k2,2g |
            awk '{ v[$1, ++n[$1]] = $2 } END { for (k in n) print k, v[k, int((n[k] + 1) / 2)] }' >"$TMP/$b"
    done
}
