#!/usr/bin/env bash
# Quick start 1: set up, build, and boot the default guest on bt86.
# Extra arguments go to `bt86 run` (e.g. --stats stats.json).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
exec "$root/build/bt86" run --kernel "$root/build/guests/hello.elf" --append "console=ttyS0" "$@"
