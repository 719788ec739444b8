#!/usr/bin/env bash
# check_stats.sh BT86 KERNEL: boots KERNEL with --stats and checks the JSON
# names every field the CLI promises, with translation and chaining seen.
set -eu
bt86=$1 kernel=$2
stats=$(mktemp)
trap 'rm -f "$stats"' EXIT
"$bt86" run --kernel "$kernel" --timeout 30 --stats "$stats" >/dev/null 2>&1 || true
cat "$stats"
python3 - "$stats" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for key in ("guest_instructions_translated", "blocks_translated", "tc_bytes", "chained_jumps", "exits", "run_seconds"):
    assert key in s, f"missing {key}"
assert s["blocks_translated"] > 0 and s["guest_instructions_translated"] >= s["blocks_translated"], "no translation seen"
assert s["chained_jumps"] > 0, "no chaining seen"
assert s["tc_bytes"] > 0
assert isinstance(s["exits"], dict) and s["exits"].get("out", 0) > 0, "exits by cause missing port I/O"
print("stats ok")
PY
