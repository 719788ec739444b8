#!/usr/bin/env bash
# Quick start 2: set up, build, and run the whole test suite (unit tests,
# every guest kernel, the CLI's error handling).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
ctest --test-dir "$root/build" --output-on-failure -j"$(nproc)" "$@"
