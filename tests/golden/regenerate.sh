#!/usr/bin/env bash
# Regenerates the golden instruction counts (tests/golden/*.json) from the
# translator as built: run it when a change of the host code is meant, and
# commit the JSON with the change. usage: tests/golden/regenerate.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
ninja -C "$build" bt86_golden >/dev/null
golden=$build/tests/golden/bt86_golden
corpus=$build/tests/golden/corpus.bin
for mode in flat checked cpl3 paging; do
    "$golden" write "$corpus" "$mode" "$here/$mode.json"
done
"$golden" write-stubs "$here/stubs.json"
git -C "$here" diff --stat -- . || true
