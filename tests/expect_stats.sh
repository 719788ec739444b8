#!/usr/bin/env bash
# expect_stats.sh BT86 STATUS CHECK... -- RUN-ARGS...: runs
# `BT86 run RUN-ARGS --stats FILE`, expects exit STATUS, and checks each
# CHECK on the JSON: COUNTER>=N or COUNTER<=N, a counter named by its
# dotted path (shadow.adaptive_promotions): that the run took, or did not
# take, the path the counter counts.
set -eu
bt86=$1 status=$2
shift 2
checks=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do checks+=("$1"); shift; done
[ $# -gt 0 ] && shift
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
rc=0
"$bt86" run "$@" --stats "$stats" || rc=$?
if [ "$rc" -ne "$status" ]; then
    echo "expect_stats: FAIL: exit status $rc, expected $status" >&2
    exit 1
fi
python3 - "$stats" "${checks[@]}" <<'PY'
import json, re, sys
stats = json.load(open(sys.argv[1]))
ok = True
for check in sys.argv[2:]:
    path, op, bound = re.fullmatch(r"([\w.]+)(>=|<=)(\d+)", check).groups()
    value = stats
    for part in path.split("."):
        value = value.get(part, 0) if isinstance(value, dict) else 0
    good = value >= int(bound) if op == ">=" else value <= int(bound)
    print(f"{path} = {value} (want {op} {bound}){'' if good else ': FAILED'}")
    ok &= good
sys.exit(0 if ok else 1)
PY
