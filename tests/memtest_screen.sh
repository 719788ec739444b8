#!/usr/bin/env bash
# memtest_screen.sh BT86|qemu [SECONDS]: boots memtest86+ (Debian's ia32
# build) from the syslinux disk guests/disk/build-image.sh builds, through
# SeaBIOS, lets it test memory for SECONDS (default 40 on bt86, 300 on
# QEMU TCG), and checks that it got to its test screen and runs its tests:
# its pass counter and a test in progress. On bt86 both the VGA text screen
# captured at the end (--screendump) and memtest's serial console must show
# them; with "qemu", only the serial console (QEMU's screendump is a picture).
set -u
if [ $# -lt 1 ]; then
  echo "usage: $0 BT86|qemu [SECONDS]" >&2
  exit 2
fi
emulator=$1
seconds=${2:-40}
[ "$emulator" = qemu ] && seconds=${2:-300}
here=$(cd "$(dirname "$0")" && pwd)
fail() { echo "memtest_screen: $1" >&2; exit 1; }
image=$("$here/../guests/disk/build-image.sh" memtest) || fail "cannot build the memtest image"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$emulator" = qemu ]; then
  timeout "$seconds" qemu-system-i386 -accel tcg -m 256 -drive "file=$image,format=raw,snapshot=on" \
    -display none -serial stdio -no-reboot </dev/null >"$tmp/serial" 2>&1
  status=$?
else
  "$emulator" run --disk "$image" --snapshot --display none --screendump "$tmp/screen" \
    --timeout "$seconds" </dev/null >"$tmp/serial" 2>&1
  status=$?
fi
tail -c 2000 "$tmp/serial" | tr -d '\r' | cat -v
echo
# memtest86+ never ends by itself: the run must have lasted until the timeout.
[ "$status" -eq 124 ] || fail "the run ended with status $status, expected 124 (the timeout)"

# The screen's marks: the pass counter, and the line naming the test that
# runs, "#N  [test name]".
check() {
  local what=$1 file=$2
  grep -aq 'Memtest86+' "$file" || fail "$what: no Memtest86+ banner"
  grep -aEq 'Pass: +[0-9]+' "$file" || fail "$what: no pass counter"
  grep -aEq '#[0-9]+ +\[[A-Z][a-z]' "$file" || fail "$what: no test in progress"
}
check "the serial console" "$tmp/serial"
if [ "$emulator" != qemu ]; then
  [ -s "$tmp/screen" ] || fail "no screendump"
  echo "--- the screen at the end:"
  cat "$tmp/screen"
  check "the screen" "$tmp/screen"
fi
echo "memtest_screen: memtest86+ runs its tests, pass counter on screen"
