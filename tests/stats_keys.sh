#!/bin/sh
# stats_keys.sh BT86 KERNEL: --stats writes the same JSON schema on both
# backends (the same top-level keys, exits by reason as an object) and on a
# switched run, which also counts its switches.
set -eu
bt86=$1 kernel=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$bt86" run --kernel "$kernel" --timeout 60 --stats "$dir/bt.json" >/dev/null 2>&1 || true
"$bt86" run --backend kvm --kernel "$kernel" --timeout 60 --stats "$dir/kvm.json" >/dev/null 2>&1 || true
"$bt86" run --kernel "$kernel" --switch-every 1 --timeout 60 --stats "$dir/switch.json" >/dev/null 2>&1 || true
python3 - "$dir" <<'PY'
import json, sys
d = sys.argv[1]
s = {name: json.load(open(f"{d}/{name}.json")) for name in ("bt", "kvm", "switch")}
for name, j in s.items():
    print(name, sorted(j))
assert set(s["bt"]) == set(s["kvm"]) == set(s["switch"]), "top-level keys differ"
assert s["bt"]["backend"] == "bt" and s["kvm"]["backend"] == "kvm" and s["switch"]["backend"] == "bt+kvm"
for name, j in s.items():
    assert isinstance(j["exits"], dict) and j["exits"], f"{name}: no exits by reason"
assert s["kvm"]["exits"].get("io", 0) > 0, "kvm: no port I/O exits"
assert s["bt"]["backend_switches"] == 0 and s["kvm"]["backend_switches"] == 0
assert s["switch"]["backend_switches"] > 0, "switched run counted no switches"
assert any(k.startswith("kvm_") for k in s["switch"]["exits"]), "switched run has no KVM exits"
print("stats keys ok")
PY
