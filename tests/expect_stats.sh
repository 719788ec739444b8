#!/usr/bin/env bash
# expect_stats.sh BT86 KERNEL STATUS COUNTER>=N...: boots KERNEL with
# --stats, expects exit STATUS, and checks each named counter of the JSON
# (a dotted path such as shadow.adaptive_promotions) is at least N: that
# the run took the path the counter counts.
set -eu
bt86=$1 kernel=$2 status=$3
shift 3
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
rc=0
"$bt86" run --kernel "$kernel" --timeout 60 --stats "$stats" || rc=$?
if [ "$rc" -ne "$status" ]; then
    echo "expect_stats: FAIL: exit status $rc, expected $status" >&2
    exit 1
fi
python3 - "$stats" "$@" <<'PY'
import json, sys
stats = json.load(open(sys.argv[1]))
ok = True
for want in sys.argv[2:]:
    path, least = want.split(">=")
    value = stats
    for part in path.split("."):
        value = value.get(part, 0) if isinstance(value, dict) else 0
    print(f"{path} = {value} (want >= {least})")
    ok &= value >= int(least)
sys.exit(0 if ok else 1)
PY
