#!/usr/bin/env bash
# Quick start 1: set up, build, and boot the default guest on bt86: Debian's
# i386 Linux kernel with a busybox initramfs, to a shell on this terminal
# (`poweroff -f` or Ctrl-A x ends it). Extra arguments go to `bt86 run`
# (e.g. --append "console=ttyS0 bt86.script=1" for the scripted session).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
# The whole output first: grep -m1 on the pipe could end the builder with
# SIGPIPE, which pipefail would make this script's failure.
outputs=$("$root/guests/linux/build-guest.sh")
cache=$(dirname "$(grep -m1 vmlinuz-686 <<<"$outputs")")
append=(--append "console=ttyS0")
for arg in "$@"; do [ "$arg" = --append ] && append=(); done
exec "$root/build/bt86" run --kernel "$cache/vmlinuz-686" --initrd "$cache/initramfs.cpio.gz" "${append[@]}" "$@"
